"""The whole bad-input corpus placed among the shipped sample files: every report still renders, and the run ends by
listing the files it rejected (issue 13's acceptance: one bad file never stops a quarter)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from parplan import catalogue
from parplan.catalogue import plan_for
from parplan.pipeline import quarterly

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "bad_inputs"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO / "params", root / "params")
    placed = []
    for q in ("2023Q1", "2023Q2"):
        for f in sorted((CORPUS / q).rglob("*")):
            if f.is_file():
                dest = root / "data" / "raw" / q / f.relative_to(CORPUS / q)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest)  # a fixture named like a sample file replaces it
                placed.append(dest)
    said: list[str] = []
    result = quarterly("2023Q2", root=root, say=said.append)
    return root, result, said, placed


def test_every_report_rendered(run):
    root, result, _, _ = run
    out = root / "reports" / "2023Q2"
    for name in ("index.html", "overview.html", "outlook.html", "data-quality.html"):
        assert (out / name).stat().st_size > 5_000, name
    cat = catalogue.load_plan(2023)
    for a in cat.by_kind("department") + cat.by_kind("district"):
        assert (out / "agencies" / f"{a.code}.html").is_file(), a.code
    assert result["index"] == out / "index.html"


def test_rejected_files_listed_at_the_end(run):
    root, _, said, _ = run
    cases = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))["cases"]
    rejected = {(c["dataset"], c["file"]) for c in cases
                if c.get("severity") == "reject" and c.get("verdict", "rejected") == "rejected" and not c.get("generated")}
    assert rejected, "the corpus has reject cases"
    tail = "\n".join(said[-200:])
    assert "data-quality.html" in tail
    for dataset, name in sorted(rejected):
        assert f"{dataset}/{name}" in tail, (dataset, name, tail[-3000:])


def test_the_console_names_only_files_with_findings(run):
    """A clean file gets no line of its own (issue 18: a quiet console); every file with a finding does."""
    root, _, said, _ = run
    per_file = [s for s in said if s.startswith("  [") and "dòng/rows" in s]
    assert per_file and all(not s.endswith(", 0 vấn đề/issues") for s in per_file)
    noisy = 0
    for q in ("2023Q1", "2023Q2"):  # the run ingests the year to date
        m = json.loads((root / "data" / "processed" / q / "manifest.json").read_text(encoding="utf-8"))
        noisy += sum(1 for d in m["datasets"] for f in d["files"] if f["issues"] or f["verdict"] != "accepted")
    assert len(per_file) <= noisy


def test_good_files_keep_identical_rows(run, tmp_path):
    """A sample file that no fixture replaced gives exactly the rows it gives without the corpus beside it."""
    import pandas as pd

    from parplan.ingest import ingest_quarter, load_manifest
    from parplan.pipeline import expected_datasets, load_params

    root, _, _, placed = run
    alone = tmp_path / "data"
    shutil.copytree(REPO / "data" / "raw" / "2023Q2", alone / "raw" / "2023Q2")
    datasets = expected_datasets(load_params("2023Q2", REPO / "params"), plan_for("2023Q2"))
    plain = ingest_quarter("2023Q2", alone, datasets, plan_for("2023Q2"), force=True, say=lambda s: None)
    mixed = load_manifest("2023Q2", root / "data")
    replaced = {str(p.relative_to(root)) for p in placed}
    # a fixture may share ids with a sample file, or be a second file of the same agency (then neither counts)
    shared_ids = {"duplicate_across_files", "inter_agency_counted", "version_clash"}
    compared = 0
    for d_plain in plain["datasets"]:
        d_mixed = next(d for d in mixed["datasets"] if d["dataset"] == d_plain["dataset"])
        mixed_files = {f["path"]: f for f in d_mixed["files"]}
        t_plain = pd.read_parquet(alone.parent / d_plain["output"])
        t_mixed = pd.read_parquet(root / d_mixed["output"])
        for f in d_plain["files"]:
            g = mixed_files.get(f["path"])
            if (f["path"] in replaced or g is None or f["verdict"] == "rejected" or g.get("superseded_by")
                    or any(i["rule"] in shared_ids for i in g["issues"])):
                continue
            a = t_plain[t_plain["source_file"] == f["path"]].reset_index(drop=True)
            b = t_mixed[t_mixed["source_file"] == f["path"]].reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_like=True, obj=f["path"])
            compared += 1
    assert compared > 100, compared
