"""Plans are data: one folder per year under plans/, loaded explicitly, checked, refused clearly when absent."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from parplan.catalogue import CatalogueError, PlanNotFound, available_plans, load_plan, plan_for

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def plans(tmp_path: Path) -> Path:
    """A private copy of plans/ to break."""
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    return tmp_path / "plans"


def _edit(path: Path, change) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_shipped_plans():
    years = sorted(int(p.name) for p in (REPO / "plans").iterdir() if (p / "plan.yaml").is_file())
    assert available_plans() == years and {2023, 2024} <= set(years)
    for y in years:
        plan = load_plan(y)
        meta = yaml.safe_load((REPO / "plans" / str(y) / "plan.yaml").read_text(encoding="utf-8"))
        assert plan.year == y == meta["year"] and plan.baseline_year == meta["baseline_year"]
        assert str(y) in plan.title("vi") and str(y) in plan.title("en", short=True)
        assert plan.folder == (REPO / "plans" / str(y)).resolve()
        assert (plan.references / "publications.csv").is_file()
    assert plan_for("2024Q3").year == 2024 and plan_for("2023Q1").year == 2023


def test_a_year_without_a_plan_is_refused_with_the_plans_there_are():
    with pytest.raises(PlanNotFound) as e:
        load_plan(2026)
    msg = str(e.value)
    assert "2026" in msg and "Chưa có kế hoạch" in msg and "No plan" in msg
    assert all(str(y) in msg for y in available_plans())


def test_plan_year_must_match_its_folder(plans):
    shutil.copytree(plans / "2023", plans / "2025")
    with pytest.raises(CatalogueError, match="says year 2023 but its folder is 2025"):
        load_plan(2025, plans)


def test_unknown_or_missing_plan_keys_stop(plans):
    _edit(plans / "2023" / "plan.yaml", lambda r: r.update(targets_2023=[]))
    with pytest.raises(CatalogueError, match="unknown keys.*targets_2023"):
        load_plan(2023, plans)
    _edit(plans / "2023" / "plan.yaml", lambda r: (r.pop("targets_2023"), r.pop("goal")))
    with pytest.raises(CatalogueError, match="missing keys.*goal"):
        load_plan(2023, plans)


def test_expected_datasets_per_quarter_come_from_the_plan(plans):
    def change(r):
        r["expected"]["Q3"] = {"inspections": ["SNV", "STP"], "economy": []}

    _edit(plans / "2023" / "plan.yaml", change)
    plan = load_plan(2023, plans)
    every = yaml.safe_load((plans / "2023" / "plan.yaml").read_text(encoding="utf-8"))["expected"]["every_quarter"]
    assert plan.expected(1) == every
    assert plan.expected(3) == {**every, "inspections": ["SNV", "STP"], "economy": []}


def test_expected_submitters_must_be_registry_codes(plans):
    _edit(plans / "2023" / "plan.yaml", lambda r: r["expected"]["every_quarter"].update(pakn=["SO_KHONG_CO"]))
    with pytest.raises(CatalogueError, match="unknown agency codes.*SO_KHONG_CO"):
        load_plan(2023, plans)


def test_a_plan_may_add_metrics_but_not_redefine_shared_ones(plans):
    own = plans / "2023" / "metrics.yaml"
    own.write_text("metrics:\n  - {id: ontime_rate, unit: fraction}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="ontime_rate is already defined"):
        load_plan(2023, plans)
    own.write_text("metrics:\n  - {id: plan_own_metric, unit: count}\n", encoding="utf-8")
    assert "plan_own_metric" in load_plan(2023, plans).metrics
    assert "plan_own_metric" not in load_plan(2023).metrics  # another folder: its own plan, not a shared cache


def _keys(node):
    """Every mapping key in a YAML tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from _keys(v)
    elif isinstance(node, list):
        for v in node:
            yield from _keys(v)


def test_baselines_are_keyed_by_year_never_by_name():
    for y in available_plans():
        text = (REPO / "plans" / str(y) / "indices.yaml").read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        assert raw["par_index"]["baseline"]["year"] == load_plan(y).baseline_year
        assert raw["sipas"]["baseline"]["year"] == load_plan(y).baseline_year
        keys = [k for name in ("plan.yaml", "indices.yaml", "par_scoring.yaml", "agencies.yaml", "tasks.yaml")
                for k in _keys(yaml.safe_load((REPO / "plans" / str(y) / name).read_text(encoding="utf-8")))]
        assert not [k for k in keys if re.search(r"(19|20)\d\d", str(k))], "a key names a year"


def test_the_registry_counts_the_communes_of_its_own_list():
    import csv

    for y in available_plans():
        folder = REPO / "plans" / str(y)
        stated = yaml.safe_load((folder / "agencies.yaml").read_text(encoding="utf-8"))["communes_total"]
        with open(folder / "communes.csv", encoding="utf-8", newline="") as fh:
            assert sum(1 for _ in csv.DictReader(fh)) == stated
