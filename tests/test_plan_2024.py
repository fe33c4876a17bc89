"""The 2024 plan (a skeleton built from plans/2023 by tools/new_plan_skeleton.py): loads, and every value follows
from its inputs (the 2023 plan and the published 2023 results), worked out here independently of the tool."""
from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import yaml

from parplan.catalogue import load_plan, parse_schedule
from parplan.periods import Quarter

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "plans"
SRC, DST = 2023, 2024
GENERATED = ("plan.yaml", "tasks.yaml", "indices.yaml", "agencies.yaml", "communes.csv", "par_scoring.yaml",
             "skeleton_log.csv")
# Texts of the 2024 skeleton that still say 2023 (README.md, "What was moved on"): rows that cite a 2023-dated
# document, where moving "năm 2023" beside the unmoved document would state something false.
KEPT_2023_TEXTS = {("A.IX.2", "task_vi"), ("A.IX.2", "task_en"), ("A.VII.1.1", "result_vi"),
                   ("A.VII.1.1", "result_en")}
DOC_DATE_RE = re.compile(r"\d{1,2}/\d{1,2}/(\d{4})")


@pytest.fixture(scope="module")
def old():
    return load_plan(SRC)


@pytest.fixture(scope="module")
def new():
    return load_plan(DST)


def _rows(name: str) -> list[dict[str, str]]:
    with open(PLANS / str(DST) / "references" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _plus_year(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return d.replace(year=d.year + 1).isoformat()


def test_loads_as_a_skeleton_of_the_next_year(new, old):
    assert (new.year, new.baseline_year, new.meta["status"]) == (old.year + 1, old.year, "skeleton")
    assert str(DST) in new.title("vi") and str(SRC) not in new.title("vi")
    assert str(DST) in new.title("en", short=True) and str(SRC) not in new.title("en", short=True)


def test_same_tasks_and_targets_as_the_plan_it_was_built_from(new, old):
    assert [t.id for t in new.tasks] == [t.id for t in old.tasks]
    assert [(t.task_id, t.metric, t.op, t.value, t.scope, t.judge) for t in new.targets] == \
           [(t.task_id, t.metric, t.op, t.value, t.scope, t.judge) for t in old.targets]
    assert [(t.lead, t.coordinating) for t in new.tasks] == [(t.lead, t.coordinating) for t in old.tasks]


def test_every_due_date_is_the_2023_one_a_year_later(new, old):
    moved = 0
    for a, b in zip(old.tasks, new.tasks, strict=True):
        assert b.schedule["kind"] == a.schedule["kind"], a.id
        if a.schedule.get("due"):
            assert b.schedule["due"] == _plus_year(a.schedule["due"]), a.id
            moved += 1
        else:
            assert b.schedule.get("due") is None, a.id
    assert moved == sum(1 for t in old.tasks if t.schedule.get("due")) > 0


def test_due_dates_are_what_the_moved_schedule_text_says(new):
    for t in new.tasks:
        if t.schedule_vi and not t.schedule.get("inherited_from"):
            assert parse_schedule(t.schedule_vi)["due"] == t.schedule.get("due"), t.id


def test_every_due_date_falls_in_the_plan_year(new):
    dues = [t.schedule["due"] for t in new.tasks if t.schedule.get("due")]
    assert dues and all(Quarter.parse(f"{DST}Q1").year == int(d[:4]) for d in dues)


def test_no_2023_schedule_text_remains(new):
    assert not [t.id for t in new.tasks if str(SRC) in t.schedule_vi]
    assert sum(str(DST) in t.schedule_vi for t in new.tasks) == sum(
        str(SRC) in t.schedule_vi for t in load_plan(SRC).tasks)


def test_2023_in_texts_only_in_documented_places(new):
    """'2023' survives in a task text only as a document date, or in the rows the README lists."""
    fields = ("task_vi", "task_en", "result_vi", "result_en")
    left = set()
    for t in new.tasks:
        for f in fields:
            text = getattr(t, f)
            without_doc_dates = DOC_DATE_RE.sub("", text)
            without_doc_numbers = re.sub(r"/\d{4}/", "/", without_doc_dates)
            without_lists = re.sub(r"\d{4},\s*\d{4}(,| and| và)\s*\d{4}", "", without_doc_numbers)
            # the year before the plan's own, in a year-on-year comparison ("cao hơn năm 2023")
            rest = re.sub(rf"(hơn|so với|than|than in|compared with) (năm )?{SRC}", "", without_lists)
            if str(SRC) in rest:
                left.add((t.id, f))
    assert left == KEPT_2023_TEXTS


def test_target_dates_and_baseline_years(new, old):
    for a, b in zip(old.targets, new.targets, strict=True):
        for key in ("from_date", "as_of"):
            va, vb = getattr(a, key), getattr(b, key)
            assert vb == (_plus_year(va) if va else va), (a.task_id, key)
        if a.baseline_year == SRC - 1:
            assert b.baseline_year == SRC, a.task_id
        else:  # a period baseline (so với năm 2021) does not move with the plan year
            assert b.baseline_year == a.baseline_year, a.task_id
    kept = {t.task_id for t in new.targets if t.baseline_year == SRC - 2}
    assert kept == {"A.V.3", "A.V.4"}


def test_par_index_baseline_is_the_published_2023_result(new):
    base = new.indices["par_index"]["baseline"]
    row = next(r for r in _rows("par_index_provinces.csv") if r["province"] == "Quảng Nam" and r["year"] == str(SRC))
    pub = next(r for r in _rows("publications.csv") if r["index"] == "PAR INDEX provinces"
               and r["result_year"] == str(SRC))
    assert base["year"] == new.baseline_year == SRC
    assert base["total_points"]["value"] == float(row["score_pct"])
    assert base["rank"]["value"] == int(row["rank_of_63"])
    assert base["change_vs_previous_places"]["value"] == int(float(row["rank_change_vs_prev_year"]))
    assert base["total_points"]["published"] == row["published"] == pub["published"]
    prev = next(r for r in _rows("par_index_provinces.csv") if r["province"] == "Quảng Nam"
                and r["year"] == str(SRC - 1))
    assert base["change_vs_previous_points"]["value"] == pytest.approx(float(row["score_pct"]) - float(prev["score_pct"]))
    assert int(prev["rank_of_63"]) - int(row["rank_of_63"]) == base["change_vs_previous_places"]["value"]


def test_the_baseline_was_published_after_q1_and_before_the_assumed_issue_date(new):
    """A plan can only print results published before it was issued; 2024Q1 ended before they were."""
    published = dt.date.fromisoformat(new.indices["par_index"]["baseline"]["total_points"]["published"])
    issued = dt.date.fromisoformat(new.meta["issued"]["date"])
    assert Quarter.parse(f"{DST}Q1").end < published <= issued
    assert new.meta["issued"]["status"].startswith("ASSUMED")


def test_sipas_baseline_is_the_published_2023_result(new):
    base = new.indices["sipas"]["baseline"]
    row = next(r for r in _rows("sipas_provinces.csv") if r["province"] == "Quảng Nam" and r["year"] == str(SRC))
    comp = {(r["component"], r["year"]): r for r in _rows("quangnam_components.csv")}
    assert base["year"] == SRC
    assert base["score_pct"]["value"] == float(row["score_pct"])
    assert base["rank"]["value"] == int(row["rank_of_63"])
    assert base["score_10"]["value"] == float(comp[("sipas", str(SRC))]["points"])
    assert base["change_vs_previous_points"]["value"] == pytest.approx(
        float(comp[("sipas", str(SRC))]["points"]) - float(comp[("sipas", str(SRC - 1))]["points"]))
    assert base["factors_below_pct"]["value"] is None and base["factors_below_pct"]["status"] == "NOT FOUND"


def test_field_baselines_add_up_to_the_published_total(new, old):
    comp = {(r["component"], r["year"]): r for r in _rows("quangnam_components.csv")}
    total = 0.0
    for fo, fn in zip(old.indices["par_fields"], new.indices["par_fields"], strict=True):
        assert (fn["number"], fn["max_points"]) == (fo["number"], fo["max_points"])
        assert fn["baseline"]["year"] == SRC
        pts = float(comp[(f"field_{fn['number']}", str(SRC))]["points"])
        assert fn["baseline"]["pct"] == pytest.approx(pts / fo["max_points"], abs=1e-6)
        assert 0 < fn["baseline"]["pct"] <= 1
        total += fn["baseline"]["pct"] * fn["max_points"]
    assert total == pytest.approx(new.indices["par_index"]["baseline"]["total_points"]["value"], abs=1e-3)


def test_no_year_named_keys_and_no_2023_laggards(new, old):
    def keys(d):
        if isinstance(d, dict):
            for k, v in d.items():
                yield str(k)
                yield from keys(v)
        elif isinstance(d, list):
            for v in d:
                yield from keys(v)
    assert not [k for k in keys(new.indices) if re.search(r"(19|20)\d\d", k)]
    assert old.indices["laggards"] and new.indices["laggards"] == []


def test_goal_carried_over_and_marked(new, old):
    g, g0 = new.meta["goal"], old.meta["goal"]
    assert (g["rank_at_most"], g["of"]) == (g0["rank_at_most"], g0["of"])
    assert "carried over" in g["status"] and str(DST) in g["text_vi"] and str(SRC) not in g["text_vi"]
    assert new.meta["expected"] == old.meta["expected"]
    assert new.expected(2) == old.expected(2)


def test_copied_files_are_the_2023_ones():
    for name in ("agencies.yaml", "par_scoring.yaml"):
        body = (PLANS / str(DST) / name).read_text(encoding="utf-8").split("\n", 1)[1]
        assert body == (PLANS / str(SRC) / name).read_text(encoding="utf-8"), name
    assert (PLANS / str(DST) / "communes.csv").read_bytes() == (PLANS / str(SRC) / "communes.csv").read_bytes()
    for path in sorted((PLANS / str(SRC) / "references").glob("*.csv")):
        assert (PLANS / str(DST) / "references" / path.name).read_text(encoding="utf-8").startswith(
            path.read_text(encoding="utf-8").rstrip("\n")), path.name


def test_the_tool_rebuilds_the_folder_byte_for_byte(tmp_path):
    spec = importlib.util.spec_from_file_location("new_plan_skeleton", ROOT / "tools" / "new_plan_skeleton.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    shutil.copytree(PLANS / str(SRC), tmp_path / str(SRC))
    shutil.copytree(PLANS / str(DST) / "sources", tmp_path / str(DST) / "sources")
    tool.main([str(SRC), str(DST), "--plans", str(tmp_path)])
    for name in GENERATED:
        assert (tmp_path / str(DST) / name).read_bytes() == (PLANS / str(DST) / name).read_bytes(), \
            f"plans/{DST}/{name} is stale: run python tools/new_plan_skeleton.py {SRC} {DST}"
    for path in sorted((PLANS / str(DST) / "references").glob("*.csv")):
        assert (tmp_path / str(DST) / "references" / path.name).read_bytes() == path.read_bytes(), path.name
    assert load_plan(DST, root=tmp_path).year == DST


def test_every_year_literal_is_logged(new):
    with open(PLANS / str(DST) / "skeleton_log.csv", encoding="utf-8", newline="") as fh:
        log = list(csv.DictReader(fh))
    moved_schedules = [r for r in log if r["where"].endswith("schedule_vi") and r["action"] == "moved"]
    assert len(moved_schedules) == sum(str(DST) in t.schedule_vi for t in new.tasks)
    assert {r["action"] for r in log} == {"moved", "kept"}
    raw = yaml.safe_load((PLANS / str(DST) / "tasks.yaml").read_text(encoding="utf-8"))["tasks"]
    assert len(raw) == len(new.tasks)
