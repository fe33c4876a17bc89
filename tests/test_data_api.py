"""The analyst's API (parplan.data): tables from any working directory, computed on demand, documented columns."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from parplan import data
from parplan.catalogue import PlanNotFound, available_plans
from parplan.ingest import RawDataMissing

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "tables.md"
pytestmark = pytest.mark.slow
SAID: list[str] = []  # what load printed while computing the copy's tables


@pytest.fixture(autouse=True)
def _no_root_env(monkeypatch):
    monkeypatch.delenv("PARPLAN_ROOT", raising=False)


def _project_copy(root: Path, quarters: list[str]) -> Path:
    """A project with the plans, params and the given quarters' raw data, and nothing processed."""
    shutil.copytree(REPO / "plans", root / "plans")
    shutil.copytree(REPO / "params", root / "params")
    for q in quarters:
        shutil.copytree(REPO / "data" / "raw" / q, root / "data" / "raw" / q)
    return root


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A copy with the raw data of 2023Q1 and 2023Q2 and no processed table; 2023Q1 loaded (so computed) once."""
    root = _project_copy(tmp_path_factory.mktemp("fresh"), ["2023Q1", "2023Q2"])
    before = sorted((root / "data").rglob("*.parquet"))
    d = data.load("2023Q1", root=root, say=SAID.append)
    return root, before, d


def _doc_columns() -> dict[str, list[str]]:
    """Each `## \\`name\\`` section of docs/tables.md and the backticked names in the first column of its table."""
    out: dict[str, list[str]] = {}
    name = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^## `([a-z_.]+)`", line)
        if m:
            name = m.group(1)
            out[name] = []
        elif name and (c := re.match(r"^\| `([a-z0-9_]+)` \|", line)):
            out[name].append(c.group(1))
    return out


def _on_time_by_hand(csv: Path, start: str, end: str, year: int) -> tuple[int, int]:
    """Dossiers resolved in [start, end] and received in `year`, and those of them done by the due date."""
    raw = pd.read_csv(csv, dtype=str)

    def day(c):
        return pd.to_datetime(raw[c], format="%d/%m/%Y", errors="coerce")

    done, received, due = day("Ngày hoàn thành"), day("Ngày tiếp nhận"), day("Ngày hẹn trả")
    resolved = (raw["Trạng thái"] == "Đã giải quyết") & (done >= start) & (done <= end) & (received.dt.year == year)
    return int((resolved & (done <= due)).sum()), int(resolved.sum())


def test_load_from_a_folder_outside_the_repo(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    d = data.load("2023Q3", say=lambda _: None)
    assert d.store.root == REPO
    assert str(d.quarter) == "2023Q3" and d.plan.year == d.quarter.year
    stored = pd.read_parquet(REPO / "data" / "processed" / "2023Q3" / "indicators.parquet")
    assert len(stored) > 100
    pd.testing.assert_frame_equal(d.indicators, stored)
    assert set(d.indicators["quarter"]) == {"2023Q3"}


def test_the_documented_one_liner_runs_outside_the_repo(tmp_path):
    r = subprocess.run([sys.executable, "-c", "from parplan import data; print(data.load('2023Q3').indicators.head())"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    assert re.search(r"\n0 +2023Q3 ", r.stdout) and re.search(r"\[5 rows x \d+ columns\]", r.stdout)


def test_missing_tables_are_computed_on_demand(fresh):
    root, before, d = fresh
    assert before == []  # nothing was processed in the copy
    for name in ("indicators", "progress", "task_progress"):
        assert (root / "data" / "processed" / "2023Q1" / f"{name}.parquet").is_file(), name
    assert (root / "data" / "processed" / "2023Q1" / "manifest.json").is_file()
    assert not (root / "data" / "processed" / "2023Q2").exists()  # only what was asked for
    assert any("computing indicators" in s for s in SAID)  # progress was reported
    # SKHDT's on-time rate of the quarter, counted straight from its raw CSV
    num, den = _on_time_by_hand(root / "data" / "raw" / "2023Q1" / "tthc_dossiers" / "SKHDT.csv",
                                "2023-01-01", "2023-03-31", 2023)
    assert den > 100 and 0 < num <= den
    ind = d.indicators
    row = ind[(ind["metric"] == "ontime_rate") & (ind["agency"] == "SKHDT") & (ind["period"] == "Q")]
    assert len(row) == 1
    assert (row["numerator"].iloc[0], row["denominator"].iloc[0]) == (num, den)
    assert row["value"].iloc[0] == pytest.approx(num / den)
    # the tables read back equal what was written
    pd.testing.assert_frame_equal(d.task_progress,
                                  pd.read_parquet(root / "data" / "processed" / "2023Q1" / "task_progress.parquet"))


def test_findings_are_one_flat_row_per_issue_of_the_manifest(fresh):
    root, _, d = fresh
    manifest = json.loads((root / "data" / "processed" / "2023Q1" / "manifest.json").read_text(encoding="utf-8"))
    issues = [(ds["dataset"], f["agency"], f["verdict"], i) for ds in manifest["datasets"] for f in ds["files"]
              for i in f["issues"]]
    assert len(issues) > 0
    assert len(d.findings) == len(issues)
    rejects = [x for x in issues if x[3]["severity"] == "reject"]
    got = d.findings[d.findings["severity"] == "reject"]
    assert len(got) == len(rejects) > 0
    first = rejects[0]
    hit = got[(got["file"] == first[3]["file"]) & (got["rule"] == first[3]["rule"])].iloc[0]
    assert (hit["dataset"], hit["agency"], hit["file_verdict"]) == (first[0], first[1], first[2])
    assert hit["message_vi"] == first[3]["vi"] and hit["message_en"] == first[3]["en"]
    assert hit["row"] == first[3]["row"] and hit["column"] == first[3]["column"]


def test_series_has_one_row_per_quarter_with_each_quarters_value(fresh):
    root, _, _ = fresh
    s = data.series("ontime_rate", "SKHDT", root=root, say=lambda _: None)  # every quarter with raw data
    assert s["quarter"].tolist() == ["2023Q1", "2023Q2"]
    for q, period in (("2023Q1", "Q"), ("2023Q2", "Q")):
        ind = pd.read_parquet(root / "data" / "processed" / q / "indicators.parquet")
        r = ind[(ind["metric"] == "ontime_rate") & (ind["agency"] == "SKHDT") & (ind["period"] == period)].iloc[0]
        got = s[s["quarter"] == q].iloc[0]
        assert (got["value"], got["numerator"], got["denominator"]) == (r["value"], r["numerator"], r["denominator"])
        assert got["unit"] == "fraction" and got["source"] == "measured"
    num, den = _on_time_by_hand(root / "data" / "raw" / "2023Q2" / "tthc_dossiers" / "SKHDT.csv",
                                "2023-04-01", "2023-06-30", 2023)
    assert (s["numerator"].iloc[1], s["denominator"].iloc[1]) == (num, den)
    ytd = data.series("ontime_rate", "SKHDT", quarters=["2023Q2"], period="YTD", root=root, say=lambda _: None)
    # the year to date of Q2: the dossiers resolved in either quarter (and received in the year)
    assert len(ytd) == 1 and ytd["denominator"].iloc[0] == s["denominator"].sum()
    with pytest.raises(LookupError, match="NO_SUCH_UNIT"):
        data.series("ontime_rate", "NO_SUCH_UNIT", quarters=["2023Q1"], root=root, say=lambda _: None)


def test_compute_false_and_the_errors_say_what_is_missing(tmp_path):
    root = _project_copy(tmp_path, [])
    with pytest.raises(data.TableMissing, match="2023Q1"):
        data.load("2023Q1", root=root, compute=False)
    with pytest.raises(RawDataMissing, match="No raw-data folder for 2023Q1"):
        data.load("2023Q1", root=root, say=lambda _: None)
    unknown = max(available_plans(root / "plans")) + 1
    with pytest.raises(PlanNotFound, match=f"No plan for {unknown}"):
        data.load(f"{unknown}Q1", root=root, say=lambda _: None)


def test_docs_tables_lists_exactly_the_columns_each_table_has(fresh):
    root, _, d = fresh
    doc = _doc_columns()
    manifest = d.manifest.raw
    real = {"indicators": list(d.indicators.columns), "progress": list(d.progress.columns),
            "task_progress": list(d.task_progress.columns), "findings": list(d.findings.columns),
            "series": list(data.series("ontime_rate", "SKHDT", quarters=["2023Q1"], root=root,
                                       say=lambda _: None).columns),
            "manifest": sorted(manifest), "manifest.datasets": sorted(manifest["datasets"][0]),
            "manifest.files": sorted(manifest["datasets"][0]["files"][0])}
    assert set(doc) == set(real)
    for name, columns in real.items():
        assert doc[name] == columns, name
    # the design's tidy indicator table comes first, in its order
    assert doc["indicators"][:10] == ["quarter", "period", "metric", "agency", "numerator", "denominator", "value",
                                      "unit", "source", "n_sources"]


def test_a_units_tasks_and_the_target_that_judges_it(fresh):
    _, _, d = fresh
    # plan A.IV.4.1: "... do CQCM cấp tỉnh ... đúng hạn trên 99%", led by the departments; A.IV.4.2 the districts, 95 %
    dept, district = d.tasks("vi", agency="SKHDT"), d.tasks("en", agency="TAM_KY")
    assert "A.IV.4.1" in set(dept["task_id"]) and "A.IV.4.2" not in set(dept["task_id"])
    assert "A.IV.4.2" in set(district["task_id"]) and "A.IV.4.1" not in set(district["task_id"])
    assert len(dept) < len(d.task_progress)
    row = dept[dept["task_id"] == "A.IV.4.1"].iloc[0]
    assert "đúng hạn" in row["task"] and row["status_label"] and row["status"] == d.task_progress.set_index(
        "task_id").loc["A.IV.4.1", "status"]
    t1, t2 = d.target("ontime_rate", "SKHDT"), d.target("ontime_rate", "TAM_KY")
    assert (t1.op, t1.value) == (">", 0.99) and (t2.op, t2.value) == (">", 0.95)
    assert d.target("ontime_rate", "NO_SUCH_UNIT") is None
