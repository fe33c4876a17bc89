"""Each stage's key is the digest of the code it runs and the inputs it reads (store.stage_key): an edit to a module,
a contract or a plan changes exactly the keys of the stages it feeds, and no edit changes none."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from parplan.catalogue import load_plan
from parplan.ingest import ingest_key
from parplan.periods import Quarter
from parplan.pipeline import derived_key, render_key
from parplan.store import STAGES, Store, closure, notebook_imports, stage_code_files

REPO = Path(__file__).resolve().parents[1]
Q = Quarter(2023, 1)
DATASETS = {"pakn": ["VPUBND"]}


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Store, Path]:
    """A project (params, the 2023 plan, the notebooks, one dataset of 2023Q1) and a copy of the package beside it."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "params", root / "params")
    shutil.copytree(REPO / "plans" / "2023", root / "plans" / "2023")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "data" / "raw" / str(Q) / "pakn", root / "data" / "raw" / str(Q) / "pakn")
    package = tmp_path / "code" / "parplan"
    shutil.copytree(REPO / "parplan", package, ignore=shutil.ignore_patterns("__pycache__"))
    return Store(root), package


def keys(store: Store, package: Path) -> dict[str, str]:
    """Every stage's key for 2023Q1 of the project, computed against the package copy."""
    plan = load_plan(2023, store.plans_dir)
    return {"ingest": ingest_key(store, Q, DATASETS, plan, package=package),
            "reconciliation": derived_key(store, "reconciliation", [Q], plan, package=package),
            "indicators+progress": derived_key(store, "indicators+progress", Q.quarters_to_date(), plan, package=package),
            "render": render_key(store, plan, package=package)}


def edit(path: Path) -> None:
    """A harmless edit that changes the file's bytes."""
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {s for s in before if before[s] != after[s]}


def feeds(rel: str, store: Store, package: Path) -> set[str]:
    """The stages whose code (as computed from the imports) contains a package file."""
    return {s for s in STAGES if rel in stage_code_files(s, package, store.notebooks_dir)}


def test_no_edit_no_change(project):
    store, package = project
    assert keys(store, package) == keys(store, package)
    assert len(set(keys(store, package).values())) == len(STAGES)  # one key per stage


def test_editing_io_changes_every_stage_that_imports_it(project):
    store, package = project
    stages = feeds("io.py", store, package)
    assert "ingest" in stages  # ingest reads files through io
    before = keys(store, package)
    edit(package / "io.py")
    assert changed(before, keys(store, package)) == stages


def test_a_module_only_rendering_imports_changes_only_the_render_key(project):
    store, package = project
    render_only = {f for f in stage_code_files("render", package, store.notebooks_dir) if f.endswith(".py")
                   and feeds(f, store, package) == {"render"}}
    assert "report/charts.py" in render_only  # the charts are drawn by the pages, never by a computing stage
    before = keys(store, package)
    edit(package / "report" / "charts.py")
    assert changed(before, keys(store, package)) == {"render"}


def test_editing_a_contract_changes_the_ingest_key(project):
    store, package = project
    before = keys(store, package)
    edit(package / "contracts" / "pakn.yaml")
    after = keys(store, package)
    assert "ingest" in changed(before, after)
    assert changed(before, after) == feeds("contracts/pakn.yaml", store, package)


def test_editing_the_plan_changes_every_key(project):
    store, package = project
    before = keys(store, package)
    edit(store.plans_dir / "2023" / "agencies.yaml")
    assert changed(before, keys(store, package)) == set(STAGES)


def test_a_new_raw_file_changes_the_ingest_key_only(project):
    store, package = project
    before = keys(store, package)
    (store.raw(Q, "pakn") / "SNV.csv").write_text("x\n", encoding="utf-8")
    assert changed(before, keys(store, package)) == {"ingest"}  # the derived stages read processed tables


def test_a_processed_table_feeds_the_derived_stages_and_rendering(project):
    store, package = project
    before = keys(store, package)
    store.processed(Q).mkdir(parents=True)
    store.processed(Q, "pakn").write_bytes(b"a table")
    assert changed(before, keys(store, package)) == {"reconciliation", "indicators+progress", "render"}


def test_imports_are_followed_inside_functions_and_relative_ones_resolved():
    from parplan.store import imported_modules

    src = "from . import a\nfrom .b import c\ndef f():\n    import parplan.d\n    from ..e import g\n"
    known = {"parplan.x.a", "parplan.x.b", "parplan.x.b.c", "parplan.d", "parplan.e", "parplan.y"}
    # `from .b import c` counts parplan.x.b.c because that is a module; parplan.y is imported by nobody
    assert imported_modules(src, "parplan.x.m", False, known) == {"parplan.x.a", "parplan.x.b", "parplan.x.b.c",
                                                                   "parplan.d", "parplan.e"}
    assert imported_modules("from . import a\n", "parplan.x", True, known) == {"parplan.x.a"}  # an __init__.py
    assert closure({"parplan.report.charts"}) >= {"parplan.report.charts", "parplan.report", "parplan"}


def test_notebook_imports_come_from_its_code_cells(tmp_path):
    import json

    nb = {"cells": [{"cell_type": "code", "source": ["%matplotlib inline\n", "from parplan.report import scorecard\n"]},
                    {"cell_type": "code", "source": ["import parplan.ingest as ing\n", "import pandas\n"]},
                    {"cell_type": "markdown", "source": ["from parplan import render\n"]}]}
    (tmp_path / "x.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert notebook_imports(tmp_path / "x.ipynb") == {"parplan.report", "parplan.report.scorecard", "parplan.ingest"}
