"""Validation verdicts: one faulty file per fault class, validated together in one batch with valid files.

Each faulty file has a valid row on CSV line 2, the fault on line 3 and another valid row on line 4, so the tests
check that exactly the faulty line (as the officer sees it in the file) is reported, and nothing else.
"""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from parplan.catalogue import plan_for
from parplan.contracts import load_contract
from parplan.periods import Quarter
from parplan.validation import Issue, validate_files, validate_submission

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw" / "2023Q2" / "tthc_dossiers"
CONTRACT = load_contract("tthc_dossiers")
Q = Quarter.parse("2023Q2")
HEADER = [c.header_vi for c in CONTRACT.columns]
NAMES = CONTRACT.names


def dossier(i: int, agency: str = "SNV", **over: str) -> list[str]:
    """A valid province-level dossier handled in 2023Q2 (cells as the one-stop system exports them)."""
    r = {
        "dossier_id": f"HS-{i:04d}", "agency_code": agency, "level": "Tỉnh", "commune": "",
        "procedure_code": "1.001234", "received_date": "03/04/2023", "due_date": "10/04/2023",
        "completed_date": "05/04/2023", "status": "Đã giải quyết", "channel": "Trực tiếp", "fully_online": "Không",
        "fee_required": "Không", "paid_online": "Không", "digitised": "Có", "apology_letter": "Không",
    }
    r.update(over)
    return [r.get(n, "") for n in NAMES]  # optional columns the test does not set stay empty


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def faulty(agency: str, **fault: str) -> list[list[str]]:
    """Line 2 valid, line 3 with the fault, line 4 valid."""
    return [dossier(1, agency), dossier(2, agency, **fault), dossier(3, agency)]


def district_rows(agency: str) -> list[list[str]]:
    return [
        dossier(1, agency, level="Huyện"),
        dossier(2, agency, level="Xã", commune="Xã Tam Thăng", channel="Trực tuyến", fully_online="Có"),
        dossier(3, agency, level="Xã", commune="Phường An Mỹ", status="Đang giải quyết", completed_date=""),
    ]


# file name -> (agency kind, rows, header); every fault in its own file, one file per agency code
def _drop(col: str) -> tuple[list[str], list[list[str]]]:
    j = HEADER.index(col)
    return HEADER[:j] + HEADER[j + 1:], [r[:j] + r[j + 1:] for r in faulty("SGTVT")]


MISSING_HEADER, MISSING_ROWS = _drop("Mã TTHC")
FILES: dict[str, tuple[str | None, list[list[str]], list[str]]] = {
    # valid files (share dossier ids HS-0001..3 with every other file: ids are unique per file only)
    "SGDDT.csv": ("department", faulty("SGDDT"), HEADER),
    "TAM_KY.csv": ("district", district_rows("TAM_KY"), HEADER),
    # one fault each
    "VPUBND.csv": ("department", faulty("VPUBND", received_date="31/02/2023"), HEADER),
    "STP.csv": ("department", faulty("STP", channel="Qua mạng"), HEADER),
    "SKHDT.csv": ("department", faulty("SKHDT", procedure_code=""), HEADER),
    "STC.csv": ("department", [dossier(1, "STC"), dossier(7, "STC"), dossier(3, "STC"), dossier(7, "STC")], HEADER),
    "SCT.csv": ("department", faulty("SCT", agency_code="SNV"), HEADER),
    "SNNPTNT.csv": ("department", faulty("SNNPTNT", level="Xã", commune="Xã Tam Thăng"), HEADER),
    "HOI_AN.csv": ("district", [dossier(1, "HOI_AN", level="Huyện"), dossier(2, "HOI_AN", level="Tỉnh"),
                                dossier(3, "HOI_AN", level="Xã")], HEADER),
    "SGTVT.csv": ("department", MISSING_ROWS, MISSING_HEADER),
    "SXD.csv": ("department", faulty("SXD", received_date="10/04/2023", due_date="05/04/2023",
                                     completed_date="12/04/2023"), HEADER),
    "STNMT.csv": ("department", faulty("STNMT", completed_date=""), HEADER),
    "STTTT.csv": ("department", faulty("STTTT", status="Đang giải quyết"), HEADER),
    "SLDTBXH.csv": ("department", faulty("SLDTBXH", channel="Trực tuyến", paid_online="Có"), HEADER),
    "SVHTTDL.csv": ("department", faulty("SVHTTDL", received_date="03/07/2023", due_date="10/07/2023",
                                         completed_date="", status="Đang giải quyết"), HEADER),
    "SKHCN.csv": ("department", [r + ["ghi chú"] for r in faulty("SKHCN")], HEADER + ["Ghi chú nội bộ"]),
    "SO_XYZ.csv": (None, faulty("SO_XYZ"), HEADER),
}
REAL = {"SNV.csv": "department", "SYT.xlsx": "department"}  # copies of the shipped sample


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    items = []
    for name, (kind, rows, header) in FILES.items():
        items.append((write(folder / name, rows, header), Path(name).stem, kind))
    for name, kind in REAL.items():
        shutil.copy2(RAW / name, folder / name)
        items.append((folder / name, Path(name).stem, kind))
    result = validate_files(items, CONTRACT, Q)
    assert [v.path for v, _ in result] == [p.name for p, _, _ in items]  # one verdict per file, in order
    return {v.path: (v, t) for v, t in result}


def only_issue(batch, name: str) -> Issue:
    v, t = batch[name]
    assert len(v.issues) == 1, [(i.rule, i.row, i.column, i.value) for i in v.issues]
    return v.issues[0]


def assert_rejected(batch, name: str, rule: str, row: int | None, column: str, value: str | None = None) -> Issue:
    v, t = batch[name]
    assert v.verdict == "rejected"
    assert v.rows_accepted == 0 and t is None
    i = only_issue(batch, name)
    assert (i.rule, i.severity, i.row, i.column) == (rule, "reject", row, column)
    assert i.file == name
    if value is not None:
        assert i.value == value
    return i


# ------------------------------------------------------------------ valid files in the same batch
def test_valid_small_files_are_accepted(batch):
    for name in ("SGDDT.csv", "TAM_KY.csv"):
        v, t = batch[name]
        assert v.issues == [], name
        assert (v.verdict, v.rows_read, v.rows_accepted) == ("accepted", 3, 3), name
        assert t["_row"].tolist() == [2, 3, 4]
        assert t["dossier_id"].tolist() == ["HS-0001", "HS-0002", "HS-0003"]
    _, t = batch["TAM_KY.csv"]
    assert t["level"].tolist() == ["district", "commune", "commune"]
    assert t["commune"].tolist()[1:] == ["Xã Tam Thăng", "Phường An Mỹ"]


def test_typed_rows_of_an_accepted_file(batch):
    _, t = batch["SGDDT.csv"]
    assert list(t.columns) == ["_row"] + NAMES
    assert t["received_date"].iloc[0] == pd.Timestamp("2023-04-03")
    assert t["status"].tolist() == ["resolved"] * 3
    assert t["digitised"].tolist() == [True] * 3 and t["paid_online"].tolist() == [False] * 3


def test_shipped_sample_files_are_accepted(batch):
    with open(RAW / "SNV.csv", encoding="utf-8", newline="") as fh:
        n_snv = sum(1 for _ in csv.reader(fh)) - 1
    v, t = batch["SNV.csv"]
    assert (v.verdict, v.issues, v.rows_read, v.rows_accepted) == ("accepted", [], n_snv, n_snv)
    assert t["_row"].tolist() == list(range(2, n_snv + 2))
    v, t = batch["SYT.xlsx"]
    assert v.verdict == "accepted" and v.sheet == "Hồ sơ"
    assert [i.rule for i in v.issues] == ["total_row"]  # info only
    assert v.rows_accepted == v.rows_read == len(t) > 0
    assert t["_row"].iloc[0] == 4 and t["dossier_id"].str.startswith("SYT-").all()


def test_same_dossier_id_in_two_files_is_not_a_duplicate(batch):
    # every file of the batch uses HS-0001..HS-0003; only STC (a real in-file duplicate) is flagged
    flagged = {name for name, (v, _) in batch.items() for i in v.issues if i.rule == "unique_key"}
    assert flagged == {"STC.csv"}
    assert batch["SGDDT.csv"][0].verdict == batch["TAM_KY.csv"][0].verdict == "accepted"


# ------------------------------------------------------------------ one fault class each
def test_invalid_date(batch):
    assert_rejected(batch, "VPUBND.csv", "date_format", 3, "Ngày tiếp nhận", "31/02/2023")


def test_channel_not_allowed(batch):
    assert_rejected(batch, "STP.csv", "in_set", 3, "Hình thức nộp", "Qua mạng")


def test_required_cell_empty(batch):
    assert_rejected(batch, "SKHDT.csv", "not_null", 3, "Mã TTHC")


def test_required_cell_empty_has_no_value(batch):
    i = only_issue(batch, "SKHDT.csv")
    assert i.value == ""
    assert "<NA>" not in i.message("vi") and "<NA>" not in i.message("en")


def test_duplicate_dossier_id_in_one_file(batch):
    v, t = batch["STC.csv"]
    assert v.verdict == "rejected" and v.rows_accepted == 0 and t is None
    got = sorted((i.rule, i.severity, i.row, i.column, i.value) for i in v.issues)
    assert got == [("unique_key", "reject", 3, "Mã hồ sơ", "HS-0007"), ("unique_key", "reject", 5, "Mã hồ sơ", "HS-0007")]


def test_agency_code_differs_from_file_name(batch):
    assert_rejected(batch, "SCT.csv", "agency_matches_file", 3, "Mã cơ quan", "SNV")


def test_commune_level_in_department_file(batch):
    assert_rejected(batch, "SNNPTNT.csv", "level_for_agency", 3, "Cấp giải quyết")


def test_province_level_in_district_file(batch):
    assert_rejected(batch, "HOI_AN.csv", "level_for_agency", 3, "Cấp giải quyết")


def test_level_issue_shows_the_label_typed_in_the_file(batch):
    assert only_issue(batch, "SNNPTNT.csv").value == "Xã"
    assert only_issue(batch, "HOI_AN.csv").value == "Tỉnh"


def test_required_column_missing(batch):
    v, t = batch["SGTVT.csv"]
    assert t is None and v.rows_accepted == 0 and v.verdict == "rejected"
    i = assert_rejected(batch, "SGTVT.csv", "missing_column", None, "Mã TTHC")
    assert "Mã TTHC" in i.message("vi") and "Mã TTHC" in i.message("en")


def test_due_date_before_received(batch):
    i = assert_rejected(batch, "SXD.csv", "due_after_received", 3, "Ngày hẹn trả")
    assert "05/04/2023" in i.value and "10/04/2023" in i.value
    assert i.value == "05/04/2023 < 10/04/2023"


def test_resolved_without_completion_date(batch):
    assert_rejected(batch, "STNMT.csv", "resolved_has_completion", 3, "Ngày hoàn thành", "")


def test_pending_with_completion_date(batch):
    assert_rejected(batch, "STTTT.csv", "pending_has_no_completion", 3, "Ngày hoàn thành", "05/04/2023")


def test_paid_online_without_fee(batch):
    assert_rejected(batch, "SLDTBXH.csv", "paid_online_needs_fee", 3, "Thanh toán trực tuyến")


def test_paid_online_issue_shows_the_cell_as_typed(batch):
    assert only_issue(batch, "SLDTBXH.csv").value == "Có"


def test_received_after_quarter_end_is_a_warning(batch):
    v, t = batch["SVHTTDL.csv"]
    i = only_issue(batch, "SVHTTDL.csv")
    assert (i.rule, i.severity, i.row, i.column, i.value) == (
        "received_in_quarter", "warn", 3, "Ngày tiếp nhận", "03/07/2023")
    assert v.verdict == "accepted_with_warnings"
    # judged as at 30/06/2023: the dossier received on 03/07 did not exist yet, so it is not counted this quarter
    assert (v.rows_read, v.rows_accepted) == (3, 2)
    assert t["_row"].tolist() == [2, 4]
    assert "không được tính" in i.vi and "not counted" in i.en


def test_file_name_not_an_agency(batch):
    v, t = batch["SO_XYZ.csv"]
    assert (v.verdict, v.rows_accepted, t) == ("rejected", 0, None)
    i = only_issue(batch, "SO_XYZ.csv")
    assert (i.rule, i.severity, i.row) == ("unknown_agency_file", "reject", None)
    assert "SO_XYZ" in i.message("vi") and "SO_XYZ" in i.message("en")


def test_extra_column_is_noted_and_file_accepted(batch):
    v, t = batch["SKHCN.csv"]
    i = only_issue(batch, "SKHCN.csv")
    assert (i.rule, i.severity, i.column, i.row) == ("extra_column", "warn", "Ghi chú nội bộ", 1)
    assert v.verdict == "accepted_with_warnings"
    assert v.rows_accepted == 3
    assert list(t.columns) == ["_row"] + NAMES  # the extra column is dropped


def test_verdicts_of_the_whole_batch(batch):
    accepted = {n for n, (v, _) in batch.items() if v.verdict == "accepted"}
    warned = {n for n, (v, _) in batch.items() if v.verdict == "accepted_with_warnings"}
    assert accepted == {"SGDDT.csv", "TAM_KY.csv", "SNV.csv", "SYT.xlsx"}
    assert warned == {"SVHTTDL.csv", "SKHCN.csv"}
    for n, (v, t) in batch.items():
        if v.verdict == "rejected":
            assert t is None and v.rows_accepted == 0, n
        else:
            dropped = 1 if n == "SVHTTDL.csv" else 0  # its dossier received after the quarter is not counted
            assert len(t) == v.rows_accepted == v.rows_read - dropped, n
        assert v.dataset == "tthc_dossiers" and v.agency == Path(n).stem
        json.dumps(v.to_dict(), ensure_ascii=False)  # manifest-ready


# ------------------------------------------------------------------ messages
@pytest.mark.parametrize("lang, row_word, col_word", [("vi", "dòng", "cột"), ("en", "row", "column")])
def test_message_names_file_row_column_value(batch, lang, row_word, col_word):
    i = only_issue(batch, "VPUBND.csv")
    m = i.message(lang)
    assert "VPUBND.csv" in m
    assert f"{row_word} 3" in m
    assert f"{col_word} 'Ngày tiếp nhận'" in m
    assert "31/02/2023" in m
    assert (i.vi if lang == "vi" else i.en) in m


def test_message_for_pair_rule_shows_both_dates(batch):
    i = only_issue(batch, "SXD.csv")
    for lang in ("vi", "en"):
        m = i.message(lang)
        assert "SXD.csv" in m and " 3" in m and "Ngày hẹn trả" in m
        assert "05/04/2023" in m and "10/04/2023" in m


# ------------------------------------------------------------------ validate_submission (single file)
def test_validate_submission_single_file(tmp_path):
    path = write(tmp_path / "STP.csv", faulty("STP", channel="Qua mạng"))
    v, t = validate_submission(path, CONTRACT, Q, "STP", "department", root=tmp_path)
    assert v.verdict == "rejected" and t is None
    assert [(i.rule, i.row, i.column, i.value) for i in v.issues] == [("in_set", 3, "Hình thức nộp", "Qua mạng")]
    assert v.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ ingest
def sha_all(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_ingest_quarter(tmp_path):
    from parplan.ingest import ingest_quarter

    raw = tmp_path / "data" / "raw" / "2023Q2" / "tthc_dossiers"
    write(raw / "SNV.csv", faulty("SNV"))
    # dossier ids are unique province-wide: the district's own ids (the same id in two files is a finding)
    write(raw / "TAM_KY.csv", [[f"TK-{r[0]}"] + r[1:] for r in district_rows("TAM_KY")])
    write(raw / "STP.csv", faulty("STP", received_date="31/02/2023"))
    before = sha_all(raw)
    datasets = {"tthc_dossiers": ["ALL_DEPARTMENTS"]}

    m = ingest_quarter("2023Q2", tmp_path / "data", datasets, plan_for("2023Q2"), force=True, say=lambda s: None)
    assert sha_all(raw) == before  # raw submissions are never touched

    (entry,) = m["datasets"]
    assert m["quarter"] == "2023Q2"
    files = {Path(f["path"]).name: f for f in entry["files"]}
    assert set(files) == {"SNV.csv", "TAM_KY.csv", "STP.csv"}
    assert files["STP.csv"]["path"] == "data/raw/2023Q2/tthc_dossiers/STP.csv"
    assert files["STP.csv"]["verdict"] == "rejected" and files["STP.csv"]["rows_accepted"] == 0
    assert [(i["rule"], i["severity"], i["row"], i["column"], i["value"]) for i in files["STP.csv"]["issues"]] == [
        ("date_format", "reject", 3, "Ngày tiếp nhận", "31/02/2023")]
    for name in ("SNV.csv", "TAM_KY.csv"):
        assert (files[name]["verdict"], files[name]["rows_accepted"], files[name]["issues"]) == ("accepted", 3, [])
    for name, f in files.items():
        assert f["sha256"] == before[name]

    departments = ["VPUBND", "SNV", "STP", "SKHDT", "STC", "SCT", "SNNPTNT", "SGTVT", "SXD", "STNMT", "STTTT",
                   "SLDTBXH", "SVHTTDL", "SKHCN", "SGDDT", "SYT", "TTT", "SNGV", "BDT"]
    assert entry["expected_submitters"] == departments
    assert entry["missing_submitters"] == [c for c in departments if c not in ("SNV", "STP")]
    assert entry["accepted_agencies"] == ["SNV", "TAM_KY"]

    out = tmp_path / entry["output"]
    assert out == tmp_path / "data" / "processed" / "2023Q2" / "tthc_dossiers.parquet"
    table = pd.read_parquet(out)
    assert entry["output_rows"] == len(table) == 6
    got = sorted(zip(table["source_file"], table["source_row"], table["dossier_id"], table["submitting_agency"], strict=True))
    assert got == sorted(
        [(f"data/raw/2023Q2/tthc_dossiers/{a}.csv", n, f"{'TK-' if a == 'TAM_KY' else ''}HS-{n - 1:04d}", a)
         for a in ("SNV", "TAM_KY")
         for n in (2, 3, 4)])
    # source_row points at the CSV line holding that dossier
    for a in ("SNV", "TAM_KY"):
        lines = (raw / f"{a}.csv").read_text(encoding="utf-8").splitlines()
        for _, r in table[table["submitting_agency"] == a].iterrows():
            assert lines[r["source_row"] - 1].startswith(r["dossier_id"] + ",")
    assert set(table["agency_code"]) == {"SNV", "TAM_KY"}
    assert "STP" not in set(table["submitting_agency"])

    manifest_path = tmp_path / "data" / "processed" / "2023Q2" / "manifest.json"
    assert json.loads(manifest_path.read_text(encoding="utf-8")) == m

    said: list[str] = []
    again = ingest_quarter("2023Q2", tmp_path / "data", datasets, plan_for("2023Q2"), say=said.append)
    assert again == m
    assert any("up to date" in s for s in said), said
    assert sha_all(raw) == before


def test_a_change_of_code_or_plan_revalidates(tmp_path, monkeypatch):
    """Any module or data file of the package, and the plan's registry, are in the ingest fingerprint."""
    import shutil

    from parplan import ingest as ingest_module
    from parplan.catalogue import load_plan
    from parplan.ingest import ingest_quarter

    raw = tmp_path / "data" / "raw" / "2023Q2" / "tthc_dossiers"
    raw.mkdir(parents=True)
    shutil.copyfile(Path(__file__).parents[1] / "data/raw/2023Q2/tthc_dossiers/SNV.csv", raw / "SNV.csv")
    datasets = {"tthc_dossiers": ["SNV"]}

    def ingest(plan):
        said: list[str] = []
        ingest_quarter("2023Q2", tmp_path / "data", datasets, plan, say=said.append)
        return any("up to date" in s for s in said)

    assert not ingest(plan_for("2023Q2")) and ingest(plan_for("2023Q2"))
    real = ingest_module.stage_key  # the ingest stage's code digest changed (e.g. io.py edited: tests/test_stage_keys.py)
    monkeypatch.setattr(ingest_module, "stage_key", lambda *a, **k: real(*a, **k) + "io.py edited")
    assert not ingest(plan_for("2023Q2")) and ingest(plan_for("2023Q2"))
    plans = tmp_path / "plans"
    shutil.copytree(Path(__file__).parents[1] / "plans" / "2023", plans / "2023")
    reg = plans / "2023" / "agencies.yaml"
    reg.write_text(reg.read_text(encoding="utf-8") + "# a registry edit\n", encoding="utf-8")
    assert not ingest(load_plan(2023, plans))


def test_long_file_faults_reported_on_their_lines(tmp_path):
    """A 120-row file (read by the fast path, validated in a quick pass then a detailed one) names exact lines."""
    rows = [dossier(i) for i in range(1, 121)]
    rows[49] = dossier(50, received_date="31/02/2023")  # CSV line 51
    rows[99] = dossier(3)  # line 101 repeats the id of line 4
    rows[109] = dossier(110, completed_date="01/04/2023")  # line 111: completed before received
    v, t = validate_submission(write(tmp_path / "SNV.csv", rows), CONTRACT, Q, "SNV", "department")
    assert v.verdict == "rejected" and v.rows_read == 120 and t is None
    found = {(i.rule, i.row, i.value) for i in v.issues}
    assert ("date_format", 51, "31/02/2023") in found
    assert {("unique_key", 4), ("unique_key", 101)} <= {(r, row) for r, row, _ in found}
    # one round trip: the cross-column rule on line 111 is reported in the same run as the structural faults
    assert ("completed_after_received", 111, "01/04/2023 < 03/04/2023") in found
    assert len(v.issues) == 4  # nothing else
    clean = [dossier(i) for i in range(1, 121)]
    clean[109] = dossier(110, completed_date="01/04/2023")
    v2, _ = validate_submission(write(tmp_path / "b" / "SNV.csv", clean), CONTRACT, Q, "SNV", "department")
    assert [(i.rule, i.row, i.value) for i in v2.issues] == [("completed_after_received", 111, "01/04/2023 < 03/04/2023")]
