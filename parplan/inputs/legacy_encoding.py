"""Detect text typed in the legacy Vietnamese font encodings TCVN3 (ABC) and VNI in a column and convert it to Unicode.

Before Unicode, Vietnamese offices typed in fonts that draw Latin-1 code points as Vietnamese letters: TCVN3 / ABC
(.VnTime, .VnArial: one character per letter, e.g. '¶' is drawn as 'ả') and VNI Windows (VNI-Times: a base letter
followed by a mark character, e.g. 'aû' is drawn as 'ả'). Such text reaches a CSV or xlsx as those Latin-1
characters: 'Qu¶ng Nam' (TCVN3) or 'Quaûng Nam' (VNI) for 'Quảng Nam'. The mapping is data:
``legacy_encodings.csv`` beside this module (copied from the published tables it cites).

How a cell is judged (pure functions, no guessing per cell):

* ``Unicode``: the cell has a Vietnamese letter outside Latin-1 (ư, ơ, đ, ạ …), or it has no character that never
  occurs in NFC Vietnamese (the *legacy-only* set: Latin-1 U+00A1–U+00FF except À Á Â Ã È É Ê Ì Í Ò Ó Ô Õ Ù Ú Ý and
  their lower-case forms) and every word with a non-ASCII letter is a valid Vietnamese syllable.
* ``TCVN3`` / ``VNI``: otherwise, converting the cell with that encoding's table consumes every legacy character,
  every converted word with a non-ASCII letter is a valid Vietnamese syllable (onset + vowel nucleus + coda, at
  most one tone mark) and at least one converted word of two letters or more contains a converted character (so a
  lone '×', '©' or '§' beside digits is never taken for a letter).
* a cell that converts validly both ways, or whose text is valid Unicode and also converts validly in the
  column's encoding, is *ambiguous*; a cell that is none of these is *undecodable* (e.g. a foreign name 'Müller').

``legacy_share`` (reported per cell by :func:`judge_cell`) is the share of the cell's non-ASCII characters in the
legacy-only set: 0 for Vietnamese Unicode, typically 0.3–1 for TCVN3/VNI text.

A column is converted only when its legacy cells all decode in exactly one and the same encoding and no cell of it
is Unicode, ambiguous or undecodable; otherwise the conversion is *unsafe* and the column is left as typed with a
message (the reader rejects the file). ASCII and empty cells are neutral.

TCVN3 has no capitals with tone marks: offices typed capitals in the companion font .VnTimeH with the lower-case
codes. A TCVN3 cell whose ASCII letters (two or more) are all upper case is therefore converted to upper case.

Note for readers: the soft hyphen U+00AD is TCVN3's 'ư'; strip it (as an invisible character) only after
:func:`convert_column` has seen the column.
"""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("legacy_encodings.csv")
ENCODINGS = ("TCVN3", "VNI")
FONTS = {"TCVN3": "ABC: .VnTime, .VnArial", "VNI": "VNI-Times"}
MAX_LISTED = 5  # rows and examples shown in one message

_VIET_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
LEGACY_ONLY = frozenset(chr(c) for c in range(0xA1, 0x100)) - _VIET_LATIN1
# what Windows-1252 decodes bytes 80-9F to (quotes, dashes, €): neutral punctuation, not a Unicode Vietnamese letter
_CP1252_EXTRA = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook above, dot below
_ALPHABET = set("aăâbcdđeêghiklmnoôơpqrstuưvxy")
_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_CLOSED = "uyu|uya|oai|oay|oeo|uây|uôi|ươi|ươu|iêu|yêu|ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|uơ|ui|ưa|ưi|ưu"
_NEEDS_CODA = "uyê|iê|yê|uô|ươ"  # only with a coda
_OPEN = "oa|oă|oe|oo|uâ|uê|uy|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
_CODA = "(?:ch|nh|ng|c|m|n|p|t)"
_SYLLABLE = re.compile(f"^{_ONSET}(?:(?:{_CLOSED})|(?P<n>{_NEEDS_CODA}|{_OPEN})(?P<c>{_CODA})?)$")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Conversion:
    """What :func:`convert_column` decided for one column.

    values: the column's values, converted to Unicode NFC when ``encoding`` is set, otherwise exactly as given.
    encoding: ``"TCVN3"`` or ``"VNI"`` when the column was converted, else None.
    unsafe: True when legacy text was found but cannot be converted safely (mixed encodings, ambiguous or
        undecodable cells); ``values`` are then unchanged and the reader should reject the file with the message.
    message_vi / message_en: the note (converted) or the reason (unsafe), naming the column, rows, the text as typed
        and what it becomes; empty when there is nothing to say.
    rows: the rows converted (encoding set) or the offending rows (unsafe), as given in ``rows=``.
    examples: up to five (as typed, converted) pairs.
    """

    values: list[str]
    encoding: str | None = None
    unsafe: bool = False
    message_vi: str = ""
    message_en: str = ""
    rows: tuple[int, ...] = ()
    examples: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Judgement:
    """How one cell reads: its class, the legacy share and the conversion in each encoding that decodes it."""

    kind: str  # empty | ascii | unicode | TCVN3 | VNI | ambiguous | undecodable
    legacy_share: float
    readings: dict[str, str]  # encoding -> converted text, for each encoding whose conversion is valid
    unicode_valid: bool  # the text as typed is valid Vietnamese Unicode


@functools.cache
def tables() -> dict[str, dict[str, str]]:
    """encoding -> {legacy characters: Unicode NFC}, read from legacy_encodings.csv (checked as it is read)."""
    out: dict[str, dict[str, str]] = {e: {} for e in ENCODINGS}
    with TABLE.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        for r in csv.DictReader(lines):
            legacy = "".join(chr(int(h, 16)) for h in r["legacy_codepoints"].split())
            uni = r["unicode"]
            if r["encoding"] not in out or legacy != r["legacy"] or not unicodedata.is_normalized("NFC", uni):
                raise ValueError(f"{TABLE.name}: bad row {r}")
            if legacy in out[r["encoding"]]:
                raise ValueError(f"{TABLE.name}: {r['encoding']} {r['legacy_codepoints']} given twice")
            out[r["encoding"]][legacy] = uni
    return out


def is_syllable(word: str) -> bool:
    """Whether a word is a well-formed Vietnamese syllable (onset, nucleus, coda; at most one tone on a vowel)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones, base = 0, []
    for ch in decomposed:
        if ch in _TONES:
            tones += 1
            if not base or base[-1][:1] not in "aeiouy":  # a tone sits on a vowel (NFD root a e i o u y)
                return False
        elif unicodedata.combining(ch) and base:
            base[-1] += ch
        else:
            base.append(ch)
    letters = [unicodedata.normalize("NFC", b) for b in base]
    m = _SYLLABLE.match("".join(letters))
    if tones > 1 or not all(c in _ALPHABET for c in letters) or not m:
        return False
    nucleus, coda = m.group("n"), m.group("c")
    if nucleus and not coda and re.fullmatch(_NEEDS_CODA, nucleus):
        return False
    return not (coda in ("ch", "nh") and nucleus[-1] not in "aêiy")  # -ch/-nh only after a, ê, i, y


def _words_valid(text: str) -> bool:
    return all(w.isascii() or is_syllable(w) for w in _WORD.findall(text))


def _convert(text: str, encoding: str) -> str | None:
    """The text converted with one encoding's table; None when a legacy character is left over or a word is invalid."""
    table = tables()[encoding]
    out, i, pos, hit_long_word = [], 0, 0, False
    spans: list[int] = []  # positions in the output of converted characters
    while i < len(text):
        for width in (2, 1):
            piece = text[i:i + width]
            if len(piece) == width and piece in table:
                spans.append(pos)
                out.append(table[piece])
                pos += len(table[piece])
                i += width
                break
        else:
            ch = text[i]
            if "\u00a1" <= ch <= "\u00ff":
                return None  # a Latin-1 character the encoding does not use
            out.append(ch)
            pos += 1
            i += 1
    result = "".join(out)
    if encoding == "TCVN3":
        ascii_letters = [c for c in text if c.isascii() and c.isalpha()]
        if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters):
            result = result.upper()  # typed in .VnTimeH, the capitals font
    if not spans or not _words_valid(result):
        return None
    for m in _WORD.finditer(result):
        if len(m.group()) >= 2 and any(m.start() <= s < m.end() for s in spans):
            hit_long_word = True
    return unicodedata.normalize("NFC", result) if hit_long_word else None


def judge_cell(value: str) -> Judgement:
    """Classify one cell: empty, ascii, unicode, TCVN3, VNI, ambiguous or undecodable (see the module docstring)."""
    text = str(value)
    if not text.strip():
        return Judgement("empty", 0.0, {}, True)
    if text.isascii():
        return Judgement("ascii", 0.0, {}, True)
    non_ascii = [c for c in text if not c.isascii()]
    share = sum(c in LEGACY_ONLY for c in non_ascii) / len(non_ascii)
    if any(ord(c) > 0xFF and c not in _CP1252_EXTRA for c in non_ascii):
        return Judgement("unicode", share, {}, True)
    unicode_valid = share == 0 and _words_valid(text)
    readings = {e: r for e in ENCODINGS if (r := _convert(text, e)) is not None and r != text}
    if unicode_valid:
        kind = "unicode"
    elif len(readings) == 1:
        kind = next(iter(readings))
    else:
        kind = "ambiguous" if readings else "undecodable"
    return Judgement(kind, share, readings, unicode_valid)


def _rows_text(rows: Sequence[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_LISTED])
    return shown + (f" (+{len(rows) - MAX_LISTED})" if len(rows) > MAX_LISTED else "")


def convert_column(values: Sequence[str], rows: Sequence[int] | None = None, column: str = "",
                   shown: Callable[[str], str] = str) -> Conversion:
    """Detect TCVN3/VNI text in one column of text values and convert it to Unicode NFC, or say why it is unsafe.

    Call it on the cell texts BEFORE invisible characters are removed: U+00AD (soft hyphen) is TCVN3's 'ư'
    ('Tr\u00adêng' is 'Trường'; without it the text would still convert, wrongly, to 'Trờng'). NFC and trimming
    spaces before the call are harmless.
    ``values``: the column's cell texts in order; ``rows``: the row number of each value as the officer sees it
    (default 1, 2, 3 …), used in messages and in ``Conversion.rows``; ``column``: the header as typed, for messages;
    ``shown``: how a value appears in a message (pass ``parplan.privacy`` masking for a personal-data column).
    Returns a :class:`Conversion`: ``encoding`` None and no message when the column holds no legacy text (plain ASCII
    and Unicode Vietnamese are never "detected"); ``encoding`` set and ``values`` converted when every legacy cell
    decodes in that one encoding; ``unsafe`` True (values unchanged) for mixed encodings in one column (TCVN3 and
    VNI, or legacy and Unicode Vietnamese), text that decodes in more than one way, or legacy text that does not
    decode. Pure function; the conversion tables come from ``legacy_encodings.csv``.
    """
    vals = ["" if v is None else str(v) for v in values]
    rows = list(rows) if rows is not None else list(range(1, len(vals) + 1))
    distinct = {v: judge_cell(v) for v in dict.fromkeys(vals)}
    judged = [distinct[v] for v in vals]
    by_kind: dict[str, list[int]] = {}
    for i, j in enumerate(judged):
        by_kind.setdefault(j.kind, []).append(i)
    found = [e for e in ENCODINGS if e in by_kind]
    col_vi = f"Cột «{column}»" if column else "Cột"
    col_en = f"Column '{column}'" if column else "Column"
    if not found and "ambiguous" not in by_kind:
        return Conversion(values=vals)

    def at(idx: list[int]) -> list[int]:
        return [rows[i] for i in idx]

    def unsafe(vi: str, en: str, idx: list[int]) -> Conversion:
        fix_vi = " Hãy chuyển cả cột sang Unicode (ví dụ UniKey: Công cụ chuyển mã) rồi gửi lại."
        fix_en = " Convert the whole column to Unicode (e.g. UniKey's converter) and send the file again."
        return Conversion(values=vals, unsafe=True, message_vi=f"{col_vi}: {vi}.{fix_vi}",
                          message_en=f"{col_en}: {en}.{fix_en}", rows=tuple(at(sorted(idx))))

    if len(found) > 1 or (found and "unicode" in by_kind):
        parts = [(k, by_kind[k]) for k in (*ENCODINGS, "unicode") if k in by_kind]
        name = {"unicode": "Unicode"}
        vi = "trộn nhiều bảng mã: " + "; ".join(f"{name.get(k, k)} ở dòng {_rows_text(at(i))}" for k, i in parts)
        en = "mixes encodings: " + "; ".join(f"{name.get(k, k)} in rows {_rows_text(at(i))}" for k, i in parts)
        return unsafe(vi, en, [i for _, idx in parts for i in idx])
    enc = found[0] if found else None
    ambiguous = list(by_kind.get("ambiguous", []))
    if enc:  # a Unicode-valid cell that also decodes in the column's encoding reads two ways
        ambiguous += [i for i, j in enumerate(judged) if j.kind == "unicode" and enc in j.readings]
    if ambiguous:
        i = sorted(ambiguous)[0]
        ways = {k: v for k, v in judged[i].readings.items()}
        if judged[i].unicode_valid:
            ways["Unicode"] = vals[i]
        ways_text = ", ".join(f"{k}: «{shown(v)}»" for k, v in ways.items())
        return unsafe(f"văn bản đọc được theo nhiều cách ở dòng {_rows_text(at(sorted(ambiguous)))}, "
                      f"ví dụ «{shown(vals[i])}» ({ways_text})",
                      f"text reads in more than one way in rows {_rows_text(at(sorted(ambiguous)))}, "
                      f"e.g. '{shown(vals[i])}' ({ways_text})", ambiguous)
    bad = by_kind.get("undecodable", [])
    if bad:
        return unsafe(f"văn bản gõ bằng bảng mã {enc} nhưng dòng {_rows_text(at(bad))} không chuyển được "
                      f"(ví dụ «{shown(vals[bad[0]])}»)",
                      f"text typed in {enc} but rows {_rows_text(at(bad))} do not convert (e.g. '{shown(vals[bad[0]])}')",
                      bad)
    idx = by_kind[enc]
    out = list(vals)
    for i in idx:
        out[i] = judged[i].readings[enc]
    examples = tuple((shown(vals[i]), shown(out[i])) for i in idx[:MAX_LISTED])
    ex_vi = "; ".join(f"«{a}» → «{b}»" for a, b in examples[:2])
    ex_en = "; ".join(f"'{a}' -> '{b}'" for a, b in examples[:2])
    return Conversion(
        values=out, encoding=enc, rows=tuple(at(idx)), examples=examples,
        message_vi=(f"{col_vi}: văn bản gõ bằng bảng mã {enc} (phông {FONTS[enc]}) ở {len(idx)} ô (dòng "
                    f"{_rows_text(at(idx))}); đã chuyển sang Unicode, ví dụ {ex_vi}. Lần sau hãy gõ và lưu bằng Unicode."),
        message_en=(f"{col_en}: text typed in the {enc} encoding ({FONTS[enc]} fonts) in {len(idx)} cells (rows "
                    f"{_rows_text(at(idx))}); converted to Unicode, e.g. {ex_en}. Please type and save in Unicode."),
    )
