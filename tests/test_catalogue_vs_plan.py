"""The catalogue against the printed plan: an independent reading of the plan's appendix.

This file deliberately does not use tools/draft_catalogue.py or tools/build_catalogue.py: it parses the
appendix with its own, simpler rules, so a mistake in the catalogue builder cannot hide itself here.

Appendix layout (tab-separated): STT, task, schedule, lead, coordinating, result. The header row
("STT\t...") repeats at each page break. A row right after a repeated header with an empty STT and either
an empty task cell or empty schedule+lead cells continues the row printed before the page break.
Section rows are either "I\tTEXT" or "II TEXT\t\t\t\t\t" (numeral and text in the first cell).
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

PLAN_TEXT = "sources/ke-hoach-2023.txt"  # the printed 2023 plan, inside the plan's folder (plans/2023/)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
ROMAN_ALT = "|".join(sorted(ROMAN, key=len, reverse=True))
ROMAN_CELL_RE = re.compile(rf"^({ROMAN_ALT})\s+(\S.*)$")
PCT_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
AT_LEAST_RE = re.compile(r"(?:ít nhất|tối thiểu)\s+(\d+(?:[.,]\d+)?)(\s*%)?", re.IGNORECASE)
DAYS_RE = re.compile(r"(?<![\d/.,])(\d+)\s+ngày(\s+làm\s+việc)?", re.IGNORECASE)
ABOVE_PCT_RE = re.compile(r"(giảm\s+)?trên\s+(\d+(?:[.,]\d+)?)\s*%", re.IGNORECASE)
FROM_PCT_RE = re.compile(r"(?:ít nhất|tối thiểu|từ)\s+(\d+(?:[.,]\d+)?)\s*%", re.IGNORECASE)


def norm(text: str | None) -> str:
    """NFC, HTML tags stripped, '-' bullets spaced as '- ', whitespace collapsed."""
    s = unicodedata.normalize("NFC", html.unescape(text or ""))
    s = re.sub(r"<[^>]*>", " ", s)
    s = re.sub(r"(^|\s)-\s*", r"\1- ", s)
    return re.sub(r"\s+", " ", s).strip()


def num(text: str) -> float:
    return float(text.replace(",", "."))


@dataclass
class PlanRow:
    line: int
    stt: str
    task: str
    schedule: str
    lead: str
    result: str
    section: str
    continuation: bool


def parse_appendix(path: Path) -> list[PlanRow]:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Phụ lục")), None)
    assert start is not None, f"{path}: no line starting 'Phụ lục'"
    rows: list[PlanRow] = []
    after_header = False
    letter = section = ""
    for lineno, line in enumerate(lines[start + 1:], start=start + 2):
        if not line.strip() or "\t" not in line:
            continue
        cells = (line.split("\t") + [""] * 6)[:6]
        stt, task = cells[0].strip(), cells[1]
        if stt == "STT":
            after_header = True
            continue
        m = ROMAN_CELL_RE.match(stt)
        if m and not task.strip():
            stt, task = m.group(1), m.group(2)
        continuation = after_header and stt == "" and (
            not task.strip() or (not cells[2].strip() and not cells[3].strip())
        )
        after_header = False
        if stt in ("A", "B"):
            letter = section = stt
        elif stt in ROMAN:
            assert letter, f"line {lineno}: section {stt} before A/B"
            section = f"{letter}.{stt}"
        rows.append(PlanRow(lineno, stt, norm(task), norm(cells[2]), norm(cells[3]), norm(cells[5]), section,
                            continuation))
    return rows


@pytest.fixture(scope="module")
def plan_rows(plan) -> list[PlanRow]:
    text = plan.folder / PLAN_TEXT
    assert text.is_file(), f"plan text missing from the repo: {text}"
    rows = parse_appendix(text)
    assert len(rows) > 100
    return rows


def cat_section(plan, task) -> str:
    """'A' / 'B' for the top rows, 'A.II' etc. for the rest, from the parent chain and printed STT."""
    by_id = {t.id: t for t in plan.tasks}
    chain = [task]
    while chain[-1].parent is not None:
        chain.append(by_id[chain[-1].parent])
    root = chain[-1]
    return root.stt if len(chain) == 1 else f"{root.stt}.{chain[-2].stt}"


@pytest.fixture(scope="module")
def matches(plan_rows, plan):
    """Each printed row with task text (not a continuation) -> its catalogue row, in plan order, one-to-one."""
    tasks = plan.tasks
    texts = [norm(t.task_vi) for t in tasks]
    out: list[tuple[PlanRow, int | None]] = []
    pos = 0
    for row in plan_rows:
        if row.continuation or not row.task:
            continue
        idx = next((i for i in range(pos, len(tasks)) if row.task in texts[i]), None)
        out.append((row, idx))
        if idx is not None:
            pos = idx + 1
    return out


# ---------------------------------------------------------------- parser sanity
def test_parser_sees_the_page_break_continuations(plan_rows):
    conts = [r for r in plan_rows if r.continuation]
    assert len(conts) >= 5, [r.line for r in conts]
    assert all(r.stt == "" for r in conts)
    sections = [r.section for r in plan_rows if r.stt in ROMAN or r.stt in ("A", "B")]
    assert sections[:2] == ["A", "A.I"]
    assert "A.IX" in sections and "B.V" in sections
    assert len(sections) == 2 + 9 + 5


# ---------------------------------------------------------------- (a) every printed task is in the catalogue
def test_every_printed_task_is_in_the_catalogue(plan_rows, plan):
    texts = [norm(t.task_vi) for t in plan.tasks]
    missing = [
        f"line {r.line} (STT {r.stt!r}, {r.section}): {r.task[:120]}"
        for r in plan_rows
        if r.task and not r.continuation and not any(r.task in s for s in texts)
    ]
    assert not missing, "printed tasks not found in any catalogue task_vi:\n" + "\n".join(missing)


def test_printed_rows_map_one_to_one_in_order(matches, plan):
    unmatched = [f"line {r.line} STT {r.stt!r}: {r.task[:80]}" for r, i in matches if i is None]
    assert not unmatched, "printed rows without their own catalogue row (in plan order):\n" + "\n".join(unmatched)
    idx = [i for _, i in matches]
    assert len(set(idx)) == len(idx)
    wrong_stt = [(r.line, r.stt, plan.tasks[i].id, plan.tasks[i].stt) for r, i in matches if r.stt != plan.tasks[i].stt]
    assert not wrong_stt, f"catalogue rows whose stt differs from the printed STT: {wrong_stt}"
    wrong_section = [(r.line, r.section, plan.tasks[i].id) for r, i in matches if r.section != cat_section(plan, plan.tasks[i])]
    assert not wrong_section, f"rows in the wrong section: {wrong_section}"


def test_continued_task_text_is_merged_into_the_row_before(plan_rows, matches, plan):
    owner_of = {r.line: plan.tasks[i] for r, i in matches if i is not None}
    owner = None
    problems = []
    for r in plan_rows:
        if r.line in owner_of:
            owner = owner_of[r.line]
        elif r.continuation and r.task:
            if owner is None or r.task not in norm(owner.task_vi):
                problems.append(f"line {r.line}: {r.task[:80]!r} not in {owner.id if owner else None}")
    assert not problems, "\n".join(problems)


def test_printed_results_are_in_their_rows(plan_rows, matches, plan):
    """Each result cell (including page-break continuations) is inside its catalogue row's result_vi."""
    owner_of = {r.line: plan.tasks[i] for r, i in matches if i is not None}
    owner = None
    problems = []
    for r in plan_rows:
        owner = owner_of.get(r.line, owner)
        if r.result and (owner is None or r.result not in norm(owner.result_vi)):
            problems.append(f"line {r.line} -> {owner.id if owner else None}: {r.result[:100]!r}")
    assert not problems, "printed results missing from the catalogue:\n" + "\n".join(problems)


# ---------------------------------------------------------------- (b) STT values and row counts per section
def test_printed_stt_values_per_section(plan_rows, plan):
    plan_stt: dict[str, Counter] = defaultdict(Counter)
    for r in plan_rows:
        if r.stt and not r.continuation:
            plan_stt[r.section][r.stt] += 1
    cat_stt: dict[str, Counter] = defaultdict(Counter)
    for t in plan.tasks:
        if t.stt:
            cat_stt[cat_section(plan, t)][t.stt] += 1
    assert set(plan_stt) == set(cat_stt), f"sections: plan {sorted(plan_stt)} vs catalogue {sorted(cat_stt)}"
    problems = {
        sec: dict(plan_stt[sec] - cat_stt[sec]) for sec in plan_stt if plan_stt[sec] - cat_stt[sec]
    }
    assert not problems, f"printed STT values missing (or too few) in the catalogue section: {problems}"
    assert plan_stt["A.II"]["2"] == 2


def test_row_counts_per_section(plan_rows, plan):
    plan_count: Counter = Counter(r.section for r in plan_rows if r.task and not r.continuation)
    cat_count: Counter = Counter(cat_section(plan, t) for t in plan.tasks)
    short = {sec: (cat_count[sec], n) for sec, n in plan_count.items() if cat_count[sec] < n}
    assert not short, f"sections with fewer catalogue rows than printed rows (catalogue, plan): {short}"
    assert sum(plan_count.values()) > 100


# ---------------------------------------------------------------- (c) numbers in the text have targets
def _exempt(task, value: float, kind: str) -> bool:
    """kind: 'pct' for N%, 'days' for day counts, 'count' for plain numbers."""
    for e in task.exempt_numbers:
        s = str(e.get("number", ""))
        m = re.search(r"\d+(?:[.,]\d+)?", s)
        if not m or num(m.group()) != value:
            continue
        is_pct = "%" in s
        if (kind == "pct") == is_pct:
            return True
    return False


def _text(task) -> str:
    return norm(task.task_vi) + " " + norm(task.result_vi)


def test_every_percentage_has_a_target(plan):
    gaps = []
    for t in plan.tasks:
        for m in PCT_RE.finditer(_text(t)):
            p = num(m.group(1))
            ok = any(
                tg.unit in ("fraction", "percentage_points") and abs(abs(tg.value) * 100 - p) < 1e-6
                for tg in t.targets
            )
            if not ok and not _exempt(t, p, "pct"):
                gaps.append(f"{t.id}: {m.group(1)}% has no target (value {p / 100:g}) and is not in exempt_numbers")
    assert not gaps, "percentages printed without a target:\n" + "\n".join(sorted(set(gaps)))


def test_every_at_least_number_has_a_target(plan):
    gaps = []
    for t in plan.tasks:
        for m in AT_LEAST_RE.finditer(_text(t)):
            if m.group(2):  # 'ít nhất 30%' is a percentage, checked above
                continue
            n = num(m.group(1))
            ok = any(tg.unit == "count" and tg.value == n for tg in t.targets)
            if not ok and not _exempt(t, n, "count"):
                gaps.append(f"{t.id}: '{m.group(0).strip()}' has no count target {n:g} and is not exempt")
    assert not gaps, "'ít nhất/tối thiểu N' without a target:\n" + "\n".join(sorted(set(gaps)))


def test_every_day_count_has_a_target(plan):
    gaps = []
    for t in plan.tasks:
        for m in DAYS_RE.finditer(_text(t)):
            n = num(m.group(1))
            unit = "working_days" if m.group(2) else "days"
            ok = any(tg.unit == unit and tg.value == n for tg in t.targets)
            if not ok and not _exempt(t, n, "days"):
                gaps.append(f"{t.id}: '{m.group(0)}' has no {unit} target {n:g} and is not exempt")
    assert not gaps, "day counts without a target:\n" + "\n".join(sorted(set(gaps)))


def test_threshold_wording_matches_operator(plan):
    """'trên N%' is strict (>; '<' for 'giảm trên'), 'ít nhất/tối thiểu/từ N%' is >=."""
    wrong = []
    for t in plan.tasks:
        text = _text(t)
        for m in ABOVE_PCT_RE.finditer(text):
            p = num(m.group(2))
            want = ("<", -p / 100) if m.group(1) else (">", p / 100)
            if not any(tg.op == want[0] and abs(tg.value - want[1]) < 1e-9 for tg in t.targets):
                if not _exempt(t, p, "pct"):
                    wrong.append(f"{t.id}: '{m.group(0)}' wants a target {want[0]} {want[1]:g}")
        for m in FROM_PCT_RE.finditer(text):
            p = num(m.group(1))
            if not any(tg.op == ">=" and abs(tg.value - p / 100) < 1e-9 for tg in t.targets):
                if not _exempt(t, p, "pct"):
                    wrong.append(f"{t.id}: '{m.group(0)}' wants a target >= {p / 100:g}")
    assert not wrong, "\n".join(wrong)


def test_exempt_numbers_are_explained_and_printed(plan):
    problems = []
    for t in plan.tasks:
        for e in t.exempt_numbers:
            number, why = str(e.get("number", "")).strip(), str(e.get("why", "")).strip()
            if not number or not why:
                problems.append(f"{t.id}: exempt entry without number or why: {e}")
                continue
            m = re.search(r"\d+(?:[.,]\d+)?", number)
            pattern = re.escape(m.group()) + (r"\s*%" if "%" in number else "") if m else None
            if pattern is None or not re.search(r"(?<![\d.,])" + pattern, _text(t)):
                problems.append(f"{t.id}: exempt number {number!r} is not printed in the row")
    assert not problems, "\n".join(problems)


def test_the_number_checks_can_fail():
    """The helpers flag a percentage that has no target (guards against a vacuous check)."""

    class Fake:
        id = "X"
        task_vi = "Bảo đảm tỷ lệ trên 97%"
        result_vi = "ít nhất 4 sáng kiến trong 07 ngày làm việc"
        targets = ()
        exempt_numbers = ({"number": "97%", "why": "test"},)

    text = _text(Fake)
    assert [num(m.group(1)) for m in PCT_RE.finditer(text)] == [97.0]
    assert [num(m.group(1)) for m in AT_LEAST_RE.finditer(text)] == [4.0]
    assert [(m.group(1), bool(m.group(2))) for m in DAYS_RE.finditer(text)] == [("07", True)]
    assert _exempt(Fake, 97.0, "pct")
    assert not _exempt(Fake, 4.0, "count")
    assert not _exempt(Fake, 97.0, "count")


# ---------------------------------------------------------------- (d) the page break inside A.VII.1.1
def test_disbursement_result_is_merged_across_the_page_break(plan_rows, plan):
    result = norm(plan.task("A.VII.1.1").result_vi)
    assert "dưới 20%" in result
    assert "Quế Sơn" in result
    # The part printed after the page break (a continuation row) is in the same result.
    cont = [r for r in plan_rows if r.continuation and r.result and "Quế Sơn" in r.result]
    assert len(cont) == 1, [r.line for r in cont]
    assert cont[0].result in result
    # ... and the part printed before it.
    first = next(r for r in plan_rows if r.stt == "1.1" and r.section == "A.VII")
    assert first.result and first.result in result
