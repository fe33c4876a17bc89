"""Language check of rendered pages: internal codes, file and module names and the other language's words in visible text.

What is forbidden comes from the data (the plan's task ids and agency codes, the dataset contracts, the metrics
registry, the status vocabulary, the validation rules) and from language_check.yaml (English UI words, proper
names, exempt markup). docs/language-check.md describes the rules and the baseline counts.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import yamlfile

if TYPE_CHECKING:
    from ..catalogue import Plan

CONFIG_FILE = Path(__file__).with_name("language_check.yaml")
PACKAGE = __name__.split(".")[0]
# reported kinds, in the order a span of text is claimed: the widest first (a path holding a dataset id is one
# file name), the data's own ids before the generic snake_case shape, the other language's words last
KINDS = ("module_name", "file_name", "task_id", "agency_code", "dataset_id", "metric_id", "status_key", "rule_id",
         "snake_case", "english_word", "vietnamese_word")
ID_KINDS = ("agency_code", "dataset_id", "metric_id", "status_key", "rule_id")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
SKIP = {"script", "style"}
CONTEXT = 40          # characters of context either side of a hit
NEIGHBOUR = 300       # characters looked at before and after a task id for the task's text
TEXT_WORDS = 12       # leading (or trailing) words of a task's text that must stand beside its id: all of a short
                      # text (≤ 12 words); the first or last twelve of a full text (a plan without short texts)
URL_RE = re.compile(r"https?://\S+")
# a Vietnamese document's number and notation ('538/STC-NS', 'Số: …/BC-SNV', '30/2020/NĐ-CP'): an agency's
# abbreviation inside it is the official notation (Nghị định 30/2020/NĐ-CP, Phụ lục I), not a code
DOC_NUMBER_RE = re.compile(r"(?<![\w/])(?:\d+|…|\.\.\.)(?:/\d{4})?/[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*(?![\w-])")
SNAKE_RE = re.compile(r"(?<![\w.])[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?![\w])")
WORD_RE = re.compile(r"\w+")
SEPARATORS = " \t\n\r:;,.·–—-()[]/|"


@dataclass(frozen=True)
class Hit:
    """One forbidden token found on a page: where, what, which kind, and the text around it."""

    page: str
    kind: str
    token: str
    context: str


@dataclass(frozen=True)
class Vocabulary:
    """Everything the check forbids or allows; built from the data by `vocabulary`, by hand in tests."""

    tasks: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # id -> lang -> texts it may stand by
    ids: dict[str, frozenset[str]] = field(default_factory=dict)                # kind (ID_KINDS) -> tokens
    english_words: tuple[str, ...] = ()
    proper_names: tuple[str, ...] = ()
    vietnamese_allowed: frozenset[str] = frozenset()                            # casefolded words
    file_extensions: tuple[str, ...] = ("py", "md", "yaml", "csv", "parquet", "json", "xlsx")
    exempt_attributes: tuple[str, ...] = ("data-lang-exempt",)
    exempt_classes: tuple[str, ...] = ("agency-text", "sample-banner")
    text_attributes: tuple[str, ...] = ("title", "alt")
    package: str = PACKAGE


def load_config(path: Path = CONFIG_FILE) -> dict[str, Any]:
    """The check's own settings (language_check.yaml): exempt markup, English UI words, proper names."""
    return yamlfile.load(path)


def _task_texts(task: Any, lang: str) -> tuple[str, ...]:
    """The text a task id may stand beside: its short text (`Task.short`, which falls back to the full text),
    else the plan row's short_<lang> or task_<lang> field."""
    short = getattr(task, "short", None)
    if callable(short):
        try:
            text = short(lang)
        except (KeyError, AttributeError, ValueError):
            text = ""
    else:
        text = getattr(task, f"short_{lang}", "") or getattr(task, f"task_{lang}", "") or ""
    return (text,) if text.strip() else ()


def _english_texts(plan: Plan) -> list[str]:
    """Every English text of the plan (agency names, tasks, results, titles): its Vietnamese names are allowed."""
    texts = [a.name_en for a in plan.agencies.values()]
    texts += [x for t in plan.tasks for x in (t.task_en, t.result_en)]
    texts += [str(plan.meta.get(k, "")) for k in ("title_en", "short_title_en")]
    return texts


def _commune_names(plan: Plan) -> list[str]:
    """The plan's commune names (proper names an English page may show), none when the plan has no list."""
    from .. import communes

    try:
        return list(communes.load(plan)["commune_vi"])
    except (OSError, ValueError):
        return []


def i18n_statuses() -> frozenset[str]:
    """The status keys of the UI vocabulary (the catalogue's `status.*`)."""
    from . import i18n

    return frozenset(k.split(".", 1)[1] for k in i18n.keys(i18n.default_language()) if k.startswith("status."))


def rule_ids() -> frozenset[str]:
    """Validation rule ids: the generic rules and every contract rule's id and kind."""
    from ..contracts import available, load_contract
    from ..validation import RULE_TEXT

    out = set(RULE_TEXT)
    for name in available():
        for r in load_contract(name).rules:
            out.update(str(r[k]) for k in ("id", "kind") if r.get(k))
    return frozenset(out)


def vocabulary(plan: Plan, config: dict[str, Any] | None = None) -> Vocabulary:
    """The check's vocabulary generated from the data of one plan and the settings file."""
    from ..catalogue import shared_metrics
    from ..contracts import available
    from ..progress import SEVERITY, STATUSES

    cfg = load_config() if config is None else config
    langs = ("vi", "en")
    tasks = {t.id: {lang: _task_texts(t, lang) for lang in langs} for t in plan.tasks if "." in t.id}
    ids = {
        "agency_code": frozenset(plan.agencies) | frozenset(plan.groups),
        "dataset_id": frozenset(available()),
        "metric_id": frozenset(plan.metrics) | frozenset(shared_metrics()),
        "status_key": frozenset(STATUSES) | frozenset(SEVERITY) | frozenset(i18n_statuses()),
        "rule_id": rule_ids(),
    }
    allowed = {w.casefold() for text in [*_english_texts(plan), *_commune_names(plan), *cfg.get("vietnamese_allowed", [])]
               for w in WORD_RE.findall(unicodedata.normalize("NFC", str(text))) if is_vietnamese(w)}
    ex = cfg.get("exempt", {})
    return Vocabulary(
        tasks=tasks, ids=ids, english_words=tuple(e["word"] for e in cfg.get("english_words", [])),
        proper_names=tuple(cfg.get("proper_names", [])), vietnamese_allowed=frozenset(allowed),
        file_extensions=tuple(cfg.get("file_extensions", Vocabulary.file_extensions)),
        exempt_attributes=tuple(ex.get("attributes", Vocabulary.exempt_attributes)),
        exempt_classes=tuple(ex.get("classes", Vocabulary.exempt_classes)),
        text_attributes=tuple(cfg.get("text_attributes", Vocabulary.text_attributes)),
    )


def is_vietnamese(word: str) -> bool:
    """True when a word carries a Vietnamese letter: đ or a Latin letter with a diacritic (ă â ê ô ơ ư, tones)."""
    return any(ch in "đĐ" or unicodedata.category(ch) == "Mn" for ch in unicodedata.normalize("NFD", word))


# ---------------------------------------------------------------- visible text
@dataclass(frozen=True)
class Chunk:
    """One piece of visible text: its offset in the page's text, whether markup exempts it, and its language."""

    start: int
    text: str
    exempt: bool
    lang: str


def _lang(value: str | None) -> str | None:
    """The primary subtag of a lang attribute ('en-GB' -> 'en')."""
    return value.split("-")[0].strip().lower() or None if value else None


class _Visible(HTMLParser):
    """Collects visible text (and title/alt-like attributes) with the exempt flag and language of its element."""

    def __init__(self, vocab: Vocabulary, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.vocab, self.page_lang = vocab, lang
        self.stack: list[tuple[str, bool, str]] = []
        self.chunks: list[Chunk] = []
        self.length = 0
        self.skip = 0

    def _state(self) -> tuple[bool, str]:
        return (self.stack[-1][1], self.stack[-1][2]) if self.stack else (False, self.page_lang)

    def _add(self, text: str, exempt: bool, lang: str) -> None:
        if text.strip():
            self.chunks.append(Chunk(self.length, text, exempt, lang))
            self.length += len(text) + 1  # the page's text joins chunks with one newline

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v for k, v in attrs}
        if tag == "html" and _lang(a.get("lang")):
            self.page_lang = _lang(a.get("lang"))
        exempt, lang = self._state()
        classes = set((a.get("class") or "").split())
        exempt = exempt or any(k in a for k in self.vocab.exempt_attributes) or bool(classes & set(self.vocab.exempt_classes))
        lang = _lang(a.get("lang")) or lang
        if not self.skip:
            for k in self.vocab.text_attributes:
                if a.get(k):
                    self._add(a[k], exempt, lang)
        if tag in SKIP:
            self.skip += 1
        if tag not in VOID:
            self.stack.append((tag, exempt, lang))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in SKIP and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            exempt, lang = self._state()
            self._add(data, exempt, lang)


def visible_text(html: str, vocab: Vocabulary, lang: str = "vi") -> tuple[str, list[Chunk], str]:
    """A page's visible text (chunks joined by newlines), its chunks, and the page's language (<html lang>)."""
    p = _Visible(vocab, lang)
    p.feed(html)
    p.close()
    return "\n".join(c.text for c in p.chunks), p.chunks, p.page_lang


# ---------------------------------------------------------------- matching
def _alternation(tokens: Iterable[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(set(tokens), key=lambda t: (-len(t), t)))


def _token_re(tokens: Iterable[str], flags: int = 0) -> re.Pattern | None:
    """Whole-token matches of any of the tokens (not inside a longer id, word or dotted name)."""
    alt = _alternation(tokens)
    return re.compile(rf"(?<![\w.])(?:{alt})(?![\w]|\.\w)", flags) if alt else None


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _beside(before: str, after: str, texts: Sequence[str]) -> bool:
    """True when the text right after (or right before) an id starts (or ends) with one of its task's texts."""
    after, before = _norm(after).lstrip(SEPARATORS), _norm(before).rstrip(SEPARATORS)
    for t in texts:
        words = _norm(t).split()
        head, tail = " ".join(words[:TEXT_WORDS]), " ".join(words[-TEXT_WORDS:])
        if words and (re.match(rf"{re.escape(head)}(?!\w)", after) or re.search(rf"(?<!\w){re.escape(tail)}$", before)):
            return True
    return False


@dataclass
class _Patterns:
    """The compiled patterns of one vocabulary."""

    module: re.Pattern
    file: re.Pattern
    task: re.Pattern | None
    ids: dict[str, re.Pattern | None]
    english: re.Pattern | None
    proper: re.Pattern | None

    @classmethod
    def of(cls, v: Vocabulary) -> _Patterns:
        ext = _alternation(v.file_extensions)
        return cls(
            module=re.compile(rf"(?<![\w.]){re.escape(v.package)}(?:\.[A-Za-z_]\w*)+"),
            file=re.compile(rf"(?:(?<=[\s\"'(\[,;])|^)[^\s\"'()\[\],;]*\w\.(?:{ext})(?![\w])", re.IGNORECASE),
            task=_token_re(v.tasks), ids={k: _token_re(v.ids.get(k, ())) for k in ID_KINDS},
            english=re.compile(rf"(?<![\w])(?:{_alternation(v.english_words)})(?![\w])", re.IGNORECASE)
            if v.english_words else None,
            proper=re.compile(rf"(?<![\w])(?:{_alternation(v.proper_names)})(?![\w])") if v.proper_names else None,
        )


def _plain_word(token: str) -> bool:
    """A key that is an ordinary lowercase word ('met', 'economy'): forbidden only where the text is not English."""
    return token.isalpha() and token.islower()


def scan_html(html: str, vocab: Vocabulary, page: str = "", lang: str = "vi",
              patterns: _Patterns | None = None) -> list[Hit]:
    """Every forbidden token in the visible, non-exempt text of one page (lang: the page's language if
    <html lang> does not say)."""
    pat = patterns or _Patterns.of(vocab)
    full, chunks, _ = visible_text(html, vocab, lang)
    hits: list[Hit] = []
    for c in chunks:
        if c.exempt:
            continue
        taken: list[tuple[int, int]] = [m.span() for m in URL_RE.finditer(c.text)]
        taken += [m.span() for m in DOC_NUMBER_RE.finditer(c.text)]
        if pat.proper:
            taken += [m.span() for m in pat.proper.finditer(c.text)]

        def claim(kind: str, m: re.Match, c: Chunk = c, taken: list = taken) -> None:
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                return
            taken.append((s, e))
            a, b = c.start + s, c.start + e
            ctx = full[max(0, a - CONTEXT):b + CONTEXT].replace("\n", " ⏎ ")
            hits.append(Hit(page, kind, m.group(0), ctx))

        for m in pat.module.finditer(c.text):
            claim("module_name", m)
        for m in pat.file.finditer(c.text):
            claim("file_name", m)
        if pat.task:
            for m in pat.task.finditer(c.text):
                a, b = c.start + m.start(), c.start + m.end()
                texts = vocab.tasks.get(m.group(0), {}).get(c.lang, ())
                if _beside(full[max(0, a - NEIGHBOUR):a], full[b:b + NEIGHBOUR], texts):
                    taken.append(m.span())
                else:
                    claim("task_id", m)
        for kind in ID_KINDS:
            if pat.ids.get(kind):
                for m in pat.ids[kind].finditer(c.text):
                    if not (c.lang == "en" and _plain_word(m.group(0))):
                        claim(kind, m)
        for m in SNAKE_RE.finditer(c.text):
            claim("snake_case", m)
        if c.lang == "en":
            for m in WORD_RE.finditer(c.text):
                if is_vietnamese(m.group(0)) and m.group(0).casefold() not in vocab.vietnamese_allowed:
                    claim("vietnamese_word", m)
        elif pat.english:
            for m in pat.english.finditer(c.text):
                claim("english_word", m)
    return hits


# ---------------------------------------------------------------- pages
def pages(folder: Path, skip_dirs: Iterable[str] = ()) -> list[Path]:
    """The HTML pages under a report folder, leaving out the sub-folders of other languages."""
    if not folder.is_dir():
        return []
    skip = set(skip_dirs)
    return sorted(p for p in folder.rglob("*.html") if not (set(p.relative_to(folder).parts[:-1]) & skip))


def scan_pages(paths: Iterable[Path], vocab: Vocabulary, lang: str, base: Path | None = None) -> list[Hit]:
    """Every hit on the given pages (page names relative to base)."""
    pat = _Patterns.of(vocab)
    hits: list[Hit] = []
    for p in paths:
        name = str(p.relative_to(base)) if base else str(p)
        hits += scan_html(p.read_text(encoding="utf-8"), vocab, name, lang, pat)
    return hits


def summary(hits: Sequence[Hit], top: int = 8) -> list[str]:
    """Per page: the count of hits by kind and the most frequent tokens; a total line last."""
    lines: list[str] = []
    for page in dict.fromkeys(h.page for h in hits):
        mine = [h for h in hits if h.page == page]
        kinds = Counter(h.kind for h in mine)
        lines.append(f"{page}: {len(mine)} — " + ", ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k]))
        tokens = Counter((h.kind, h.token) for h in mine).most_common(top)
        lines.append("    " + "; ".join(f"{t} ×{n} ({k})" for (k, t), n in tokens))
    kinds = Counter(h.kind for h in hits)
    lines.append(f"Tổng / total: {len(hits)} — " + ", ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k]))
    return lines


def check_quarter(quarter: Any, langs: Sequence[str], store: Any, plan: Plan,
                  all_langs: Sequence[str] = ("vi", "en")) -> tuple[list[str], int]:
    """Scan the pages of a quarter that exist (nothing is rendered): the report lines and the exit code
    (0 no hit, 1 hits, 2 no page to scan)."""
    vocab, lines, found, scanned = vocabulary(plan), [], 0, 0
    for lang in langs:
        folder = store.report_dir(quarter, lang, all_langs[0])
        paths = pages(folder, [x for x in all_langs if x != lang])
        if not paths:
            lines.append(f"[{lang}] {store.relative(folder)}: không có trang nào / no pages (chạy make quarterly "
                         f"QUARTER={quarter} trước / render the quarter first)")
            continue
        hits = scan_pages(paths, vocab, lang, folder)
        scanned, found = scanned + len(paths), found + len(hits)
        lines.append(f"[{lang}] {store.relative(folder)}: {len(paths)} trang / pages, {len(hits)} lỗi ngôn ngữ / "
                     f"language hits")
        lines += summary(hits) if hits else []
    return lines, 1 if found else 0 if scanned else 2
