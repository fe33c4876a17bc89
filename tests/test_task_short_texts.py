"""Every task of every plan has a short text in each language (short_vi, short_en: 1–12 words, written by hand),
shown beside the task's id; the loader refuses an adopted plan whose task lacks one, or has a longer one."""
from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from parplan.catalogue import CatalogueError, available_plans, load_plan

PLANS = Path(__file__).resolve().parents[1] / "plans"
YEARS = available_plans(PLANS)
MAX_WORDS = 12  # issue 16: "≤ 12 words"
# English words that have no place in a Vietnamese short text, and Vietnamese words that have none in an English one
ENGLISH_WORDS = {"the", "and", "of", "on", "for", "with", "rate", "share", "plan", "tasks", "task",
                 "dossiers", "dossier", "report", "reports", "index", "time", "online", "agencies", "procedures"}
VIETNAMESE_ASCII_WORDS = {"cho", "theo", "trong", "hoac", "cac", "cua", "va", "tinh", "huyen", "xa", "so"}
VIETNAMESE_LETTERS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
                                re.IGNORECASE)
TASK_ID_RE = re.compile(r"\b[AB](\.[IVX]+)+(\.\w+)*\b")
YEAR_RE = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def _raw_tasks(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "tasks.yaml").read_text(encoding="utf-8"))["tasks"]


def _adopted_year() -> int:
    return next(y for y in YEARS if load_plan(y, root=PLANS).meta["status"] == "adopted")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)


def test_there_are_plans_and_one_is_adopted():
    assert len(YEARS) >= 2 and _adopted_year() in YEARS


@pytest.mark.parametrize("year", YEARS)
def test_every_task_has_both_short_texts_of_1_to_12_words(year):
    raw = _raw_tasks(PLANS / str(year))
    assert len(raw) == len(load_plan(year, root=PLANS).tasks) > 0
    for t in raw:
        for key in ("short_vi", "short_en"):
            text = t.get(key)
            assert isinstance(text, str), (t["id"], key, text)
            assert 1 <= len(text.split()) <= MAX_WORDS, (t["id"], key, text)
            assert text == text.strip() and unicodedata.normalize("NFC", text) == text, (t["id"], key)


@pytest.mark.parametrize("year", YEARS)
def test_short_texts_hold_no_ids_codes_or_years(year):
    """Beside the id, in the plan's own table: no task id, agency code, snake_case word or year (a skeleton copies
    the short texts unchanged, so a year in one would be the source plan's)."""
    plan = load_plan(year, root=PLANS)
    codes = set(plan.agencies)
    for t in plan.tasks:
        for text in (t.short_vi, t.short_en):
            assert not TASK_ID_RE.search(text), (t.id, text)
            assert not YEAR_RE.search(text), (t.id, text)
            assert "_" not in text, (t.id, text)
            assert not codes & set(re.findall(r"[A-Z0-9_]+", text)), (t.id, text)


@pytest.mark.parametrize("year", YEARS)
def test_short_vi_is_vietnamese_and_short_en_is_english(year):
    for t in load_plan(year, root=PLANS).tasks:
        assert VIETNAMESE_LETTERS.search(t.short_vi), (t.id, t.short_vi)
        assert not {w.lower() for w in _words(t.short_vi)} & ENGLISH_WORDS, (t.id, t.short_vi)
        for w in t.short_en.split():
            # ASCII, except a proper name (capitalised, e.g. Quảng Nam)
            assert w.isascii() or w[0].isupper(), (t.id, t.short_en, w)
        assert not VIETNAMESE_LETTERS.search(t.short_en.replace("Quảng", "")), (t.id, t.short_en)
        assert not {w.lower() for w in _words(t.short_en)} & VIETNAMESE_ASCII_WORDS, (t.id, t.short_en)


def test_task_short_gives_the_field_of_the_language():
    plan = load_plan(_adopted_year(), root=PLANS)
    raw = {t["id"]: t for t in _raw_tasks(plan.folder)}
    for t in plan.tasks:
        assert t.short("vi") == raw[t.id]["short_vi"] and t.short("en") == raw[t.id]["short_en"], t.id
    t = next(t for t in plan.tasks if t.id == "A.IV.4.1")
    assert (t.short("vi"), t.short("en")) == ("Hồ sơ TTHC cấp tỉnh giải quyết đúng hạn",
                                              "Provincial-level dossiers resolved on time")
    with pytest.raises(ValueError, match="fr"):
        t.short("fr")


def test_a_skeleton_carries_the_short_texts_of_its_source_plan():
    for year in YEARS:
        plan = load_plan(year, root=PLANS)
        if plan.meta["status"] == "skeleton" and year - 1 in YEARS:
            src = load_plan(year - 1, root=PLANS)
            assert [(t.id, t.short_vi, t.short_en) for t in plan.tasks] == \
                   [(t.id, t.short_vi, t.short_en) for t in src.tasks]
            return
    pytest.fail("no skeleton plan built from the plan of the year before")


# ---------------------------------------------------------------- the loader refuses
def _copy(tmp_path: Path, edit_task: str, line_re: str, new_line: str | None, status: str | None = None) -> int:
    """A copy of the adopted plan with one task's short_* line replaced (or removed when new_line is None)."""
    year = _adopted_year()
    folder = tmp_path / str(year)
    shutil.copytree(PLANS / str(year), folder)
    lines = (folder / "tasks.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    out, cur, hits = [], None, 0
    for ln in lines:
        if ln.startswith("- id: "):
            cur = ln[len("- id: "):].strip()
        if cur == edit_task and re.match(line_re, ln):
            hits += 1
            if new_line is not None:
                out.append(new_line + "\n")
            continue
        out.append(ln)
    assert hits == 1
    (folder / "tasks.yaml").write_text("".join(out), encoding="utf-8")
    if status:
        meta = folder / "plan.yaml"
        text = meta.read_text(encoding="utf-8")
        assert "status: adopted" in text
        meta.write_text(text.replace("status: adopted", f"status: {status}", 1), encoding="utf-8")
    return year


def test_an_adopted_plan_with_a_task_missing_short_vi_is_refused(tmp_path):
    year = _copy(tmp_path, "A.IV.4.2", r"  short_vi: ", None)
    with pytest.raises(CatalogueError) as e:
        load_plan(year, root=tmp_path)
    msg = str(e.value)
    assert "A.IV.4.2" in msg and "short_vi" in msg and "tasks.yaml" in msg
    assert "thiếu" in msg and "missing" in msg  # bilingual


def test_an_adopted_plan_with_an_empty_short_en_is_refused(tmp_path):
    year = _copy(tmp_path, "B.V.3", r"  short_en: ", "  short_en: ''")
    with pytest.raises(CatalogueError, match=r"B\.V\.3.*short_en"):
        load_plan(year, root=tmp_path)


def test_a_13_word_short_text_is_refused_and_a_12_word_one_accepted(tmp_path):
    thirteen = "one two three four five six seven eight nine ten eleven twelve thirteen"
    year = _copy(tmp_path / "long", "A.I.2", r"  short_en: ", f"  short_en: {thirteen}")
    with pytest.raises(CatalogueError) as e:
        load_plan(year, root=tmp_path / "long")
    msg = str(e.value)
    assert "A.I.2" in msg and "short_en" in msg and "13" in msg and str(MAX_WORDS) in msg
    twelve = thirteen.rsplit(" ", 1)[0]
    _copy(tmp_path / "ok", "A.I.2", r"  short_en: ", f"  short_en: {twelve}")
    t = next(t for t in load_plan(year, root=tmp_path / "ok").tasks if t.id == "A.I.2")
    assert t.short("en") == twelve


def test_a_skeleton_may_lack_a_short_text_and_then_shows_the_task_text(tmp_path):
    year = _copy(tmp_path, "A.IV.4.2", r"  short_vi: ", None, status="skeleton")
    t = next(t for t in load_plan(year, root=tmp_path).tasks if t.id == "A.IV.4.2")
    assert t.short_vi == "" and t.short("vi") == t.task_vi
    assert t.short("en") == "District-level dossiers resolved on time"
