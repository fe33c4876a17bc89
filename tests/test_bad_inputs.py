"""The bad-input corpus (tests/bad_inputs/cases.yaml): every fault class gives its exact rule, the run goes on."""
from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from parplan.ingest import ingest_quarter

HERE = Path(__file__).parent / "bad_inputs"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
pytestmark = pytest.mark.slow


def _write_large(path: Path, n: int = 200_000) -> None:
    from parplan.contracts import load_contract

    header = [c.header_vi for c in load_contract("tthc_dossiers").columns]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for i in range(n):
            level = "Huyện" if i % 3 else "Xã"
            day = 1 + i % 28
            w.writerow([f"TAM_KY-L{i:07d}", "TAM_KY", level, "Xã mẫu 01" if level == "Xã" else "", "1.000001",
                        f"{day:02d}/04/2023", f"{day:02d}/05/2023", f"{day:02d}/05/2023" if i % 5 else "",
                        "Đã giải quyết" if i % 5 else "Đang giải quyết", "Trực tuyến" if i % 2 else "Trực tiếp",
                        "Không", "Không", "Không", "Có", "Không"])


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data = tmp_path_factory.mktemp("bad") / "data"
    raw = data / "raw" / "2023Q2"
    shutil.copytree(HERE / "2023Q2", raw)
    _write_large(raw / "tthc_dossiers" / "TAM_KY.csv")
    before = _hashes(data / "raw")
    datasets = {p.name: [] for p in raw.iterdir() if p.is_dir()}
    manifest = ingest_quarter("2023Q2", data, datasets, force=True, say=lambda s: None)
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
    datasets = {d["dataset"]: [] for d in manifest["datasets"]}
    again = ingest_quarter("2023Q2", other, datasets, force=True, say=lambda s: None)
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
