"""The bad-input corpus (tests/bad_inputs/cases.yaml): every fault class gives its exact rule, the run goes on."""
from __future__ import annotations

import csv
import hashlib
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from parplan.catalogue import plan_for
from parplan.ingest import ingest_quarter

HERE = Path(__file__).parent / "bad_inputs"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
pytestmark = pytest.mark.slow


def _write_large(path: Path, n: int = 200_000) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from synthetic_dossiers import write_dossiers

    write_dossiers(path, n, commune="Xã mẫu 01")


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def _ingest_previous(data: Path) -> None:
    """The previous quarter's files (tests/bad_inputs/2023Q1/), the plausibility checks' reference, ingested first."""
    raw = data / "raw" / "2023Q1"
    if raw.is_dir():
        ingest_quarter("2023Q1", data, {p.name: [] for p in raw.iterdir() if p.is_dir()}, plan_for("2023Q1"), force=True, say=lambda s: None)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data = tmp_path_factory.mktemp("bad") / "data"
    raw = data / "raw" / "2023Q2"
    shutil.copytree(HERE / "2023Q2", raw)
    if (HERE / "2023Q1").is_dir():
        shutil.copytree(HERE / "2023Q1", data / "raw" / "2023Q1")
    _write_large(raw / "tthc_dossiers" / "TAM_KY.csv")
    before = _hashes(data / "raw")
    _ingest_previous(data)
    datasets = {p.name: [] for p in raw.iterdir() if p.is_dir()}
    manifest = ingest_quarter("2023Q2", data, datasets, plan_for("2023Q2"), force=True, say=lambda s: None)
    files = {(d["dataset"], Path(f["path"]).name): f for d in manifest["datasets"] for f in d["files"]}
    return data, manifest, files, before


def test_every_fixture_was_seen(run):
    _, _, files, _ = run
    for c in CASES:
        assert (c["dataset"], c["file"]) in files, c["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_reports_its_rule(run, case):
    _, _, files, _ = run
    f = files[(case["dataset"], case["file"])]
    if "rule" in case:
        hits = [i for i in f["issues"] if i["rule"] == case["rule"]]
        assert hits, f"{case['id']}: rule {case['rule']} not reported; got {[i['rule'] for i in f['issues']]}"
        i = hits[0]
        assert i["severity"] == case["severity"]
        for key in ("row", "column", "value"):
            if key in case:
                assert i[key] == case[key], (case["id"], key, i)
        if "message" in case:
            assert case["message"] in i["vi"] or case["message"] in i["en"], i
        assert i["vi"] and i["en"]  # bilingual
    expected = case.get("verdict", "rejected" if case.get("severity") == "reject" else "accepted_with_warnings")
    assert f["verdict"] == expected, (case["id"], f["verdict"], f["issues"])
    if "rows" in case:
        assert f["rows_accepted"] == case["rows"]


def test_accepted_rows_reach_processed_data(run):
    import pandas as pd

    data, manifest, files, _ = run
    for d in manifest["datasets"]:
        accepted = sum(f["rows_accepted"] for f in d["files"])
        out = pd.read_parquet(data.parent / d["output"]) if (data.parent / d["output"]).exists() else \
            pd.read_parquet(d["output"])
        assert len(out) == accepted == d["output_rows"], d["dataset"]


def test_merged_header_values_read_correctly(run):
    import pandas as pd

    data, _, _, _ = run
    s = pd.read_parquet(data / "processed" / "2023Q2" / "tthc_summary.parquet")
    syt = s[s["agency_code"] == "SYT"]
    assert list(syt["received_total"]) == [12, 12] and list(syt["pending_overdue"]) == [1, 1]
    e = pd.read_parquet(data / "processed" / "2023Q2" / "economy.parquet")
    assert sorted(e["value"].tolist()) == [612.0, 58123.4]


def test_raw_files_unchanged(run):
    data, _, _, before = run
    assert _hashes(data / "raw") == before


def test_validating_in_chunks_changes_nothing(run, tmp_path, monkeypatch):
    """One file per GX run (the smallest chunks) gives the same verdicts, issues and processed data as one run."""
    import pandas as pd

    import parplan.ingest as ingest
    import parplan.validation as validation

    data, manifest, _, _ = run
    calls = []
    real = validation.validate_files

    def counting(items, *a, **k):
        calls.append(len(items))
        return real(items, *a, **k)

    monkeypatch.setattr(ingest, "validate_files", counting)
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 1)
    other = tmp_path / "data"
    shutil.copytree(data / "raw", other / "raw")
    _ingest_previous(other)
    calls.clear()
    datasets = {d["dataset"]: [] for d in manifest["datasets"]}
    again = ingest_quarter("2023Q2", other, datasets, plan_for("2023Q2"), force=True, say=lambda s: None)
    assert calls and set(calls) == {1}  # every file validated on its own
    strip = lambda m: [{k: v for k, v in d.items() if k != "output"} for d in m["datasets"]]  # noqa: E731
    assert strip(again) == strip(manifest)
    for d in manifest["datasets"]:
        name = Path(d["output"]).name
        pd.testing.assert_frame_equal(pd.read_parquet(other / "processed" / "2023Q2" / name),
                                      pd.read_parquet(data / "processed" / "2023Q2" / name))


def test_chunks_respect_the_byte_limit(tmp_path):
    from parplan.ingest import chunks

    sizes = [5, 3, 9, 1, 1, 20, 2]
    items = []
    for i, n in enumerate(sizes):
        p = tmp_path / f"f{i}.csv"
        p.write_bytes(b"x" * n)
        items.append((p, f"A{i}", None))
    groups = chunks(items, 10)
    assert [x for g in groups for x in g] == items  # every file once, in order
    assert [[p.stat().st_size for p, _, _ in g] for g in groups] == [[5, 3], [9, 1], [1], [20], [2]]


# ------------------------------------------------------------------ the rules (issue 13 part 2)
def _processed(data: Path, dataset: str):
    import pandas as pd

    return pd.read_parquet(data / "processed" / "2023Q2" / f"{dataset}.parquet")


def test_no_dossier_counted_twice_in_the_province_totals(run):
    """DUP-2023-0001 (SNNPTNT and STNMT, not liên thông) is counted in neither; LT-2023-0001 once, at SNNPTNT."""
    from parplan.metrics import dossier_indicators

    data, _, files, _ = run
    d = _processed(data, "tthc_dossiers")
    assert not d["dossier_id"].duplicated().any()
    assert "DUP-2023-0001" not in set(d["dossier_id"])
    assert d.loc[d["dossier_id"] == "LT-2023-0001", "submitting_agency"].tolist() == ["SNNPTNT"]
    mine = d[d["submitting_agency"].isin(["SNNPTNT", "STNMT"])]
    ind = dossier_indicators(mine, "2023Q2", plan_for("2023Q2"))
    prov = ind[(ind["agency"] == "PROVINCE") & (ind["period"] == "Q")].set_index("metric")
    # 6 rows in the two files, all resolved in the quarter: SNNPTNT-0001, STNMT-0001 and LT-2023-0001 once
    assert prov.loc["resolved_count", "value"] == 3


def test_records_judged_as_at_the_quarter_end(run):
    data, _, _, _ = run
    d = _processed(data, "tthc_dossiers").set_index("dossier_id")
    late = d.loc["SVHTTDL-2023-0002"]
    assert late["status"] == "pending" and pd_isna(late["completed_date"])
    assert d.loc["SVHTTDL-2023-0001", "status"] == "resolved"
    t = _processed(data, "task_status")
    task = t[(t["agency_code"] == "SGDDT") & (t["task_id"] == "A.IV.4.1")].iloc[0]
    assert task["status"] == "in_progress" and pd_isna(task["completion_date"]) and pd_isna(task["evidence_doc_no"])


def pd_isna(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_one_round_trip_reports_every_identity_of_the_file(run):
    _, _, files, _ = run
    f = files[("tthc_summary", "SNNPTNT.csv")]
    got = sorted((i["row"], i["rule"]) for i in f["issues"])
    assert got == [(2, "received_parts"), (3, "new_parts"), (4, "resolved_parts"), (5, "pending_parts"),
                   (6, "balance"), (7, "min_value"), (8, "integer"), (8, "integer")]
    assert all(i["fix_vi"] and i["fix_en"] for i in f["issues"])
    bal = next(i for i in f["issues"] if i["rule"] == "balance")
    assert "'Đã giải quyết - Tổng số'" in bal["fix_vi"] and "'Tiếp nhận - Tổng số'" in bal["fix_vi"]


def test_missing_column_does_not_stop_the_other_checks(tmp_path):
    """A file without 'Lĩnh vực' still gets its identity finding in the same run."""
    from parplan.contracts import load_contract
    from parplan.periods import Quarter
    from parplan.validation import validate_submission

    c = load_contract("tthc_summary")
    cols = [x for x in c.columns if x.name != "area"]
    row = {"quarter": "2023Q2", "agency_code": "SNV", "level": "Tỉnh", "received_total": "12", "received_online": "5",
           "received_direct": "4", "received_postal": "1", "carried_over": "3", "resolved_total": "9",
           "resolved_early": "3", "resolved_on_time": "5", "resolved_late": "1", "pending_total": "3",
           "pending_within": "2", "pending_overdue": "1"}
    p = tmp_path / "SNV.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([x.header_vi for x in cols])
        w.writerow([row.get(x.name, "") for x in cols])
    v, t = validate_submission(p, c, Quarter.parse("2023Q2"), "SNV", "department")
    assert t is None and v.verdict == "rejected"
    assert sorted((i.rule, i.row, i.column) for i in v.issues) == [
        ("missing_column", None, "Lĩnh vực"), ("received_parts", 2, "Tiếp nhận - Tổng số")]


def test_quality_page_lists_review_items_and_never_passes_an_unread_file(run):
    from parplan.report import quality

    data, _, _, _ = run
    ctx = quality.load_quality_context("2023Q2", "vi", str(data))
    review = str(quality.section(ctx, "review"))
    assert "Cần người xem lại" in review
    for text in ("5 → 7", "30 → 10", "DUP-2023-0001"):
        assert text in review, text
    page = str(quality.section(ctx, "agencies"))
    assert "không kiểm tra được" in page  # the corrupt workbook STC.xlsx: no rule ran, none passed
    assert "received_parts" not in page and "extra_column" not in page  # rules by their sentence, not their id
    assert "Tổng tiếp nhận phải bằng" in page


def test_end_of_run_lists_rejected_and_warned_files(run):
    from parplan.ingest import end_summary

    _, manifest, _, _ = run
    lines = end_summary(manifest, "reports/2023Q2/data-quality.html")
    text = "\n".join(lines)
    assert "TỪ CHỐI / REJECTED: data/raw/2023Q2/tthc_summary/SNNPTNT.csv" in text
    assert "CẢNH BÁO / WARNED: data/raw/2023Q2/organisation/SNNPTNT.csv" in text
    assert "tthc_summary/STNMT.csv" not in text  # accepted files are not listed
    assert lines[-1].endswith("reports/2023Q2/data-quality.html")
    files = [f for d in manifest["datasets"] for f in d["files"] if not f.get("superseded_by")]
    rej = sum(f["verdict"] == "rejected" for f in files)
    warn = sum(f["verdict"] == "accepted_with_warnings" for f in files)
    assert lines[0].endswith(f"{len(files)} files — {len(files) - rej - warn} accepted, {rej} rejected, {warn} warned:")
