"""A quarter is judged against its own year's plan; languages and quarters never overwrite each other (issue 14).

End to end in a temporary copy of the project: 2024Q1 from the 2024 plan (Vietnamese, then English), a year without a
plan, empty and missing data folders, a folder the plan does not expect.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from parplan.catalogue import PlanNotFound, load_plan
from parplan.ingest import RawDataMissing, load_manifest
from parplan.pipeline import quarterly
from parplan.render import strip_tags

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
STRAY = "tthc_dosiers"  # a misspelt dataset folder: not in the plan's expectations for 2024Q1


def visible(text: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(re.sub(r"<style>.*?</style>", "", text, flags=re.S)))


def _project(root: Path, quarters: list[str]) -> Path:
    """A copy of the project's inputs with the raw data of some quarters only."""
    for q in quarters:
        shutil.copytree(REPO / "data" / "raw" / q, root / "data" / "raw" / q)
    shutil.copytree(REPO / "params", root / "params")
    shutil.copytree(REPO / "plans", root / "plans")
    return root


@pytest.fixture(scope="module")
def y2024(tmp_path_factory):
    """2024Q1 rendered in Vietnamese, its pages kept, then in English; a stray folder sits in the raw data."""
    root = _project(tmp_path_factory.mktemp("y2024"), ["2024Q1"])
    stray = root / "data" / "raw" / "2024Q1" / STRAY
    stray.mkdir()
    shutil.copyfile(REPO / "data" / "raw" / "2024Q1" / "tthc_dossiers" / "SNV.csv", stray / "SNV.csv")
    said: list[str] = []
    result = quarterly("2024Q1", root=root, say=said.append)
    vi_pages = {p: p.read_bytes() for p in (root / "reports" / "2024Q1").rglob("*") if p.is_file()}
    en = quarterly("2024Q1", lang="en", root=root, say=said.append)
    return root, result, vi_pages, en, said


def test_2024_is_judged_against_the_2024_plan(y2024):
    root, result, _, _, said = y2024
    plan = load_plan(2024, root / "plans")
    meta = yaml.safe_load((root / "plans" / "2024" / "plan.yaml").read_text(encoding="utf-8"))
    assert result["plan_year"] == 2024 == meta["year"]
    index = visible((root / "reports" / "2024Q1" / "index.html").read_text(encoding="utf-8"))
    assert meta["short_title_vi"] in index and "Quý I/2024" in index and "bản khung" in index
    overview = visible((root / "reports" / "2024Q1" / "overview.html").read_text(encoding="utf-8"))
    assert meta["title_vi"] in overview or meta["short_title_vi"] in overview
    assert "2023" not in meta["title_vi"] and "năm 2023" not in visible(index)
    # the baseline the page states is the 2024 plan's (the 2023 results), with its year
    base = plan.indices["par_index"]["baseline"]
    shown = f"{base['total_points']['value']:.2f}".replace(".", ",")
    assert base["year"] == meta["baseline_year"] == 2023
    assert f"Năm {base['year']}" in overview and shown in overview
    # deadlines are 2024's: a task can be overdue only if the 2024 plan's own due date has passed by the report date
    import pandas as pd

    from parplan.periods import Quarter
    from parplan.scoring import as_of_date

    due = {t.id: t.schedule.get("due") for t in plan.tasks if t.kind == "task"}
    assert all(d is None or d >= "2024-01-01" for d in due.values())
    tasks = pd.read_parquet(root / "data" / "processed" / "2024Q1" / "task_progress.parquet")
    as_of = as_of_date(Quarter(2024, 1), plan).isoformat()
    overdue = set(tasks.loc[tasks["status"] == "overdue", "task_id"])
    assert overdue <= {t for t, d in due.items() if d is not None and d <= as_of}
    assert any("2024Q1: đối chiếu với" in s and "bản khung" in s for s in said)


def test_an_unexpected_folder_is_reported_and_the_run_goes_on(y2024):
    root, result, _, _, said = y2024
    m = load_manifest("2024Q1", root / "data")
    assert [u["name"] for u in m["unexpected"]] == [STRAY] and m["unexpected"][0]["files"] == ["SNV.csv"]
    assert STRAY not in {d["dataset"] for d in m["datasets"]}  # listed, not read
    assert any(STRAY in s and "not expected" in s for s in said)
    quality = visible((root / "reports" / "2024Q1" / "data-quality.html").read_text(encoding="utf-8"))
    assert STRAY in quality and "không dự kiến" in quality
    assert (root / "reports" / "2024Q1" / "overview.html").exists()


def test_the_sample_marker_comes_from_the_data(y2024):
    root, result, _, _, _ = y2024
    marker = yaml.safe_load((root / "data" / "raw" / "2024Q1" / "SAMPLE_DATA.yaml").read_text(encoding="utf-8"))
    m = load_manifest("2024Q1", root / "data")
    assert marker["sample_data"] is True and m["sample"]["sample_data"] is True and result["sample"] is True
    assert "DỮ LIỆU MẪU" in (root / "reports" / "2024Q1" / "index.html").read_text(encoding="utf-8")


def test_english_goes_to_its_own_folder_and_leaves_vietnamese_untouched(y2024):
    root, _, vi_pages, en, _ = y2024
    en_dir = root / "reports" / "2024Q1" / "en"
    assert en["index"] == en_dir / "index.html"
    for name in ("index.html", "overview.html", "outlook.html", "data-quality.html"):
        assert '<html lang="en">' in (en_dir / name).read_text(encoding="utf-8"), name
    assert len(list((en_dir / "agencies").glob("*.html"))) == len(list((root / "reports/2024Q1/agencies").glob("*.html")))
    now = {p: p.read_bytes() for p in (root / "reports" / "2024Q1").rglob("*") if p.is_file() and en_dir not in p.parents}
    assert set(now) == set(vi_pages)
    assert [str(p) for p in now if now[p] != vi_pages[p]] == []
    for p in now:
        if p.suffix == ".html":
            assert '<html lang="vi">' in p.read_text(encoding="utf-8"), p


def test_a_year_without_a_plan_stops_clearly(tmp_path):
    root = _project(tmp_path, ["2023Q1"])
    (root / "data" / "raw" / "2026Q1" / "tthc_dossiers").mkdir(parents=True)
    shutil.copyfile(REPO / "data" / "raw" / "2023Q1" / "tthc_dossiers" / "SNV.csv",
                    root / "data" / "raw" / "2026Q1" / "tthc_dossiers" / "SNV.csv")
    with pytest.raises(PlanNotFound, match=r"Chưa có kế hoạch năm 2026.*2023, 2024"):
        quarterly("2026Q1", root=root, say=lambda s: None)
    assert not (root / "data" / "processed" / "2026Q1").exists() and not (root / "reports").exists()
    r = subprocess.run([sys.executable, "-m", "parplan", "quarterly", "--quarter", "2026Q1"], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "2026" in r.stderr and "No plan for 2026" in r.stderr and "Traceback" not in r.stderr


def test_an_empty_or_missing_data_folder_is_an_error(tmp_path):
    root = _project(tmp_path, ["2023Q1"])
    empty = root / "data" / "raw" / "2023Q2"
    (empty / "tthc_dossiers").mkdir(parents=True)
    (empty / "tthc_dossiers" / ".gitkeep").write_text("", encoding="utf-8")
    with pytest.raises(RawDataMissing, match=r"2023Q2.*không có tệp nào.*holds no file"):
        quarterly("2023Q2", root=root, say=lambda s: None)
    assert not (root / "data" / "processed" / "2023Q2").exists()
    shutil.rmtree(empty)  # Q1 and Q2 with data, Q3 asked for and missing
    shutil.copytree(REPO / "data" / "raw" / "2023Q2", empty)
    with pytest.raises(RawDataMissing, match=r"Không có thư mục dữ liệu thô của quý 2023Q3.*No raw-data folder"):
        quarterly("2023Q3", root=root, say=lambda s: None)
    assert not (root / "data" / "processed" / "2023Q3").exists()
    r = subprocess.run([sys.executable, "-m", "parplan", "ingest", "--quarter", "2025Q1"], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "2025" in r.stderr and "Traceback" not in r.stderr
    assert not (REPO / "data" / "processed" / "2025Q1").exists()
