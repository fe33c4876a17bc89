"""Numbers typed as text: decide a file's convention (vi-VN `1.234,5` or en-US `1,234.5`) once, then parse with it.

A file is read with one convention, decided from its unambiguous cells (`1,781,623`, `15,161.2`, `12.5` are
English; `1.234,5`, `12,5`, `1.234.567` are Vietnamese). `1.234` or `1,234` alone could be either, except in a
whole-number column, where only one reading is a whole number. If cells disagree, or nothing decides while
ambiguous cells exist, the file is rejected with the cells shown: a number is never guessed cell by cell.
Numbers stored as numbers in Excel cells carry no convention and take no part in the decision.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

VI, EN = "vi", "en"
LOCALE_NAMES = {VI: ("kiểu Việt Nam (1.234,5)", "Vietnamese style (1.234,5)"),
                EN: ("kiểu tiếng Anh (1,234.5)", "English style (1,234.5)")}
SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u200b")  # spaces typed or pasted inside numbers
_SIGN = re.compile(r"^[-+]?(?P<n>.+?)%?$")
_INT = re.compile(r"^\d+$")
_VI_FULL = re.compile(r"^\d{1,3}(\.\d{3})+,\d+$|^\d{1,3}(\.\d{3}){2,}$")  # 1.234,5  1.234.567
_EN_FULL = re.compile(r"^\d{1,3}(,\d{3})+\.\d+$|^\d{1,3}(,\d{3}){2,}$")  # 1,234.5  1,234,567
_ONE_GROUP = re.compile(r"^[1-9]\d{0,2}[.,]\d{3}$")  # 1.234 / 1,234: a thousands group or three decimals
_DEC_COMMA = re.compile(r"^\d+,\d+$")
_DEC_POINT = re.compile(r"^\d+\.\d+$")


def classify(text: str, whole: bool = False) -> str:
    """'vi', 'en', 'ambiguous', 'neutral' (no separator) or 'other' (not a number) for one typed cell.

    whole: the column holds whole numbers, so `1.234` can only be 1234 (vi) and `1,234` only 1234 (en).
    """
    t = str(text).translate(SPACES)
    m = _SIGN.match(t)
    if not m:
        return "other"
    t = m.group("n")
    if _INT.match(t):
        return "neutral"
    if _VI_FULL.match(t):
        return VI
    if _EN_FULL.match(t):
        return EN
    if _ONE_GROUP.match(t):
        if whole:
            return VI if "." in t else EN
        return "ambiguous"
    if _DEC_COMMA.match(t):
        return VI
    if _DEC_POINT.match(t):
        return EN
    return "other"


def parse_number(text: str, locale: str = VI) -> float | None:
    """The number a cell means under the file's convention; None when it is not a plain number.

    vi: `.` groups thousands and `,` is the decimal mark (a single dot not followed by groups of three digits is
    read as a decimal point, as before the convention was decided per file); en: `,` groups thousands, `.` decimal.
    """
    t = str(text).strip().translate(SPACES)
    if not t:
        return None
    if locale == EN:
        if "," in t:
            if not re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", t):
                return None
            t = t.replace(",", "")
    elif "," in t:
        t = t.replace(".", "").replace(",", ".", 1) if t.count(",") == 1 else ""
    elif re.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+", t):  # '0.955' is a decimal, never a thousands group
        t = t.replace(".", "")
    if not t or not re.fullmatch(r"[-+]?\d+(\.\d+)?", t):
        return None
    return float(t)


def parse_percent(text: str, locale: str = VI) -> float | None:
    """'85%' or '85,5 %' as a fraction (0.85, 0.855); None unless the cell ends with '%'."""
    t = str(text).strip()
    if not t.endswith("%"):
        return None
    x = parse_number(t[:-1], locale)
    return None if x is None else x / 100


@dataclass
class LocaleDecision:
    """The convention a file's typed numbers follow, and the findings if it cannot be decided."""

    locale: str = VI
    decided_by: tuple[int, str, str] | None = None  # (row, column header, cell as typed)
    thousands_commas: bool = False  # English numbers with ',' groups, which the Vietnamese reading would misread
    notes: list[dict] = field(default_factory=list)


MAX_SHOWN = 3  # cells shown per side in a conflict message


def decide(columns: Mapping[str, pd.Series], rows: pd.Series, headers: Mapping[str, str],
           whole: Iterable[str] = ()) -> LocaleDecision:
    """Decide the file's number convention from the typed cells of its numeric columns.

    columns: canonical name -> cells as typed (text, aligned with rows); headers: name -> header as in the file;
    whole: names of whole-number columns. Each distinct value is classified once.
    """
    whole = set(whole)
    seen: dict[str, list[tuple[int, str, str]]] = {VI: [], EN: [], "ambiguous": []}
    commas: tuple[int, str, str] | None = None  # the first English cell with ',' thousands groups
    for name, s in columns.items():
        values = pd.unique(s.astype("string").dropna())
        kinds = {v: classify(v, name in whole) for v in values if v}
        for kind in (VI, EN, "ambiguous"):
            hits = [v for v, k in kinds.items() if k == kind]
            if not hits:
                continue
            if kind == EN and commas is None and any("," in v for v in hits):
                at = s[s.isin([v for v in hits if "," in v])]
                commas = (int(rows.loc[at.index[0]]), headers.get(name, name), str(at.iloc[0]))
            first = s[s.isin(hits)]  # the first rows holding such cells, as the officer will look for them
            for idx in first.index[:MAX_SHOWN]:
                seen[kind].append((int(rows.loc[idx]), headers.get(name, name), str(first.loc[idx])))
    for kind in seen:
        seen[kind].sort(key=lambda cell: cell[0])  # by row; columns in file order
    if seen[VI] and seen[EN]:
        return LocaleDecision(notes=[_conflict_note(seen[VI][:MAX_SHOWN], seen[EN][:MAX_SHOWN])])
    if seen[VI] or seen[EN]:
        loc = VI if seen[VI] else EN
        return LocaleDecision(locale=loc, decided_by=commas if loc == EN and commas else seen[loc][0],
                              thousands_commas=commas is not None)
    if seen["ambiguous"]:
        return LocaleDecision(notes=[_ambiguous_note(seen["ambiguous"][:MAX_SHOWN])])
    return LocaleDecision()


def _cells(cells: list[tuple[int, str, str]], lang: str) -> str:
    row, col = ("dòng", "cột") if lang == "vi" else ("row", "column")
    return "; ".join(f"{row} {r}, {col} '{c}': '{v}'" for r, c, v in cells)


def _conflict_note(vi: list[tuple[int, str, str]], en: list[tuple[int, str, str]]) -> dict:
    return {"rule": "number_locale_conflict", "severity": "reject", "row": vi[0][0], "column": vi[0][1],
            "vi": f"Số trong tệp được ghi theo hai kiểu khác nhau: kiểu Việt Nam ({_cells(vi, 'vi')}) và kiểu tiếng "
                  f"Anh ({_cells(en, 'vi')}). Hãy ghi mọi số cùng một kiểu (1.234,5 hoặc 1,234.5), hoặc nhập số "
                  "vào ô dạng số của Excel",
            "en": f"numbers in the file are written two ways: Vietnamese style ({_cells(vi, 'en')}) and English style "
                  f"({_cells(en, 'en')}). Write every number the same way (1.234,5 or 1,234.5), or store them as "
                  "numbers in Excel"}


def _ambiguous_note(cells: list[tuple[int, str, str]]) -> dict:
    return {"rule": "number_locale_ambiguous", "severity": "reject", "row": cells[0][0], "column": cells[0][1],
            "vi": f"Không xác định được cách ghi số của tệp: {_cells(cells, 'vi')} có thể là nghìn hoặc phần thập "
                  "phân, và không ô nào cho biết kiểu ghi. Hãy ghi rõ (1.234 = một nghìn hai trăm ba mươi tư: thêm "
                  "phần thập phân như 1.234,0; hoặc bỏ dấu phân cách nghìn: 1234), hoặc nhập số vào ô dạng số của Excel",
            "en": f"the file's number convention cannot be decided: {_cells(cells, 'en')} may be thousands or "
                  "decimals and no cell says which. Write them unambiguously (without thousands separators, e.g. "
                  "1234, or with decimals, e.g. 1.234,0), or store them as numbers in Excel"}


def locale_note(decision: LocaleDecision) -> dict | None:
    """An info note saying the English convention was decided, and by which cell, when it changes what a cell means
    (',' thousands groups: '1,234' is 1234, not 1.234); '12.5' reads the same either way and gets no note."""
    if decision.locale != EN or not decision.thousands_commas or decision.decided_by is None:
        return None
    row, col, value = decision.decided_by
    return {"rule": "number_locale", "severity": "info", "row": row, "column": col,
            "vi": f"Số trong tệp được đọc theo {LOCALE_NAMES[EN][0]}, theo ô '{value}'",
            "en": f"numbers in the file are read {LOCALE_NAMES[EN][1]}, as cell '{value}' shows"}
