"""Feedback workbooks: the agency's own file back, the planted faults highlighted and explained, same bytes each run."""
from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from parplan.catalogue import plan_for
from parplan.feedback import KEY_FILE, SUMMARY_SHEET, write_feedback
from parplan.ingest import ingest_quarter
from parplan.periods import Quarter
from parplan.store import Store

BAD = Path(__file__).parent / "bad_inputs" / "2023Q2"
Q2 = Quarter(2023, 2)
RED = "00FFC7CE"


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data = tmp_path_factory.mktemp("fb") / "data"
    raw = data / "raw" / "2023Q2"
    # e_documents: -5 in 'Số văn bản gửi điện tử' (column F, row 2) and a formula-like text in 'Đơn vị' (column C)
    text = (BAD / "e_documents" / "SNV.csv").read_text(encoding="utf-8")
    assert "Toàn cơ quan" in text
    (raw / "e_documents").mkdir(parents=True)
    (raw / "e_documents" / "SNV.csv").write_text(text.replace("Toàn cơ quan", '=HYPERLINK("http://x")'),
                                                 encoding="utf-8")
    # tthc_summary: an xlsx whose E2 is a formula without a cached value (and so empty)
    (raw / "tthc_summary").mkdir()
    shutil.copy(BAD / "tthc_summary" / "SXD.xlsx", raw / "tthc_summary" / "SXD.xlsx")
    (raw / "pakn").mkdir()
    shutil.copy(BAD / "pakn" / "TAM_KY.csv", raw / "pakn" / "TAM_KY.csv")  # PAKN-001 twice: rows 2 and 3
    before = _hashes(data / "raw")
    ingest_quarter("2023Q2", data, {"e_documents": [], "tthc_summary": [], "pakn": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    out = data.parent / "feedback"
    written = write_feedback(Q2, Store(data.parent), plan_for("2023Q2"), say=lambda s: None)
    return data, out, written, before


def test_one_workbook_per_agency_with_findings(run):
    _, out, written, _ = run
    assert sorted(p.name for p in written) == ["SNV.xlsx", "SXD.xlsx", "TAM_KY.xlsx"]
    assert all(p.parent == out / "2023Q2" for p in written)


def test_planted_fault_is_highlighted_with_its_comment(run):
    _, out, _, _ = run
    wb = openpyxl.load_workbook(out / "2023Q2" / "SNV.xlsx")
    assert wb.sheetnames == [SUMMARY_SHEET, "e_documents"]  # only its own file
    ws = wb["e_documents"]
    cell = ws["F2"]
    assert ws["F1"].value == "Số văn bản gửi điện tử"
    assert cell.fill.fgColor.rgb == RED
    assert "Giá trị phải ≥ 0" in cell.comment.text and "Giá trị đã nhập: -5" in cell.comment.text
    marked = [c.coordinate for row in ws.iter_rows() for c in row if c.comment is not None]
    assert marked == ["F2"]
    # the agency's text comes back as text, never as a formula
    assert ws["C2"].data_type == "s" and ws["C2"].value == "'=HYPERLINK(\"http://x\")"


def test_summary_sheet_says_what_to_fix(run):
    _, out, _, _ = run
    wb = openpyxl.load_workbook(out / "2023Q2" / "SNV.xlsx")
    ws = wb[SUMMARY_SHEET]
    assert ws["A1"].value == "Phản hồi dữ liệu Quý II/2023 — Sở Nội vụ (SNV)"
    assert [c.value for c in ws[4]] == ["STT", "Tệp", "Trang tính", "Dòng", "Cột", "Giá trị đã nhập", "Yêu cầu",
                                        "Cách sửa", "Mức"]
    row = [c.value for c in ws[5]]
    assert row[:7] == [1, "SNV.csv", "e_documents", 2, "Số văn bản gửi điện tử", "'-5", "Giá trị phải ≥ 0"]
    assert row[8] == "Lỗi — tệp bị từ chối"
    assert ws.cell(row=5, column=3).hyperlink.location == "'e_documents'!F2"
    assert ws.max_row == 5


def test_xlsx_copy_and_two_findings_on_one_cell(run):
    _, out, _, _ = run
    ws = openpyxl.load_workbook(out / "2023Q2" / "SXD.xlsx")["tthc_summary"]
    assert ws["E1"].value == "Tiếp nhận - Tổng số" and ws["F2"].value == "5"  # typed as text in that file
    assert ws["E2"].fill.fgColor.rgb == RED
    assert "công thức" in ws["E2"].comment.text and "bỏ trống" in ws["E2"].comment.text


def test_duplicate_rows_both_marked(run):
    _, out, _, _ = run
    ws = openpyxl.load_workbook(out / "2023Q2" / "TAM_KY.xlsx")["pakn"]
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.comment is not None] == ["A2", "A3"]


def test_raw_files_untouched(run):
    data, _, _, before = run
    assert _hashes(data / "raw") == before


def test_same_bytes_on_rerun_and_stale_workbooks_removed(run):
    data, out, written, _ = run
    first = _hashes(out)
    stale = out / "2023Q2" / "SYT.xlsx"
    stale.write_bytes(b"old")
    (out / "2023Q2" / KEY_FILE).unlink()
    again = write_feedback(Q2, Store(data.parent), plan_for("2023Q2"), say=lambda s: None)
    assert again == written and not stale.exists()
    assert _hashes(out) == first


def test_locate_column_far_below_the_header_and_by_header_path():
    from parplan.feedback import Grid, locate_column

    g = Grid()
    g.cells = {(1, 1): "Mã hồ sơ", (1, 2): "Ngày tiếp nhận", (412, 1): "HS-1", (412, 2): "03/07/2023"}
    assert locate_column(g, "Ngày tiếp nhận", 412) == 2
    official = Grid()  # 'Quá hạn' under both parents: only the path tells them apart
    official.cells = {(1, 1): "Đã giải quyết", (1, 3): "Đang giải quyết", (2, 1): "Đúng hạn", (2, 2): "Quá hạn",
                      (2, 3): "Trong hạn", (2, 4): "Quá hạn", (3, 1): 5}
    official.merges = ["A1:B1", "C1:D1"]
    assert locate_column(official, "Đang giải quyết › Quá hạn", 3) == 4
    assert locate_column(official, "Đã giải quyết › Quá hạn", 3) == 2
    assert locate_column(official, "E", 3) == 5 and locate_column(official, "#7", 3) == 7
    assert locate_column(official, "Không có cột này", 3) is None
    assert locate_column(official, "Quá hạn", 3) is None  # the leaf alone is ambiguous: the row is marked instead


def test_xls_submission_is_copied_and_marked(tmp_path):
    import xlwt

    header = (BAD / "e_documents" / "SNV.csv").read_text(encoding="utf-8").splitlines()[0]
    names = next(csv.reader([header]))
    data = tmp_path / "data"
    folder = data / "raw" / "2023Q2" / "e_documents"
    folder.mkdir(parents=True)
    book = xlwt.Workbook()
    ws = book.add_sheet("Báo cáo")
    for j, h in enumerate(names):
        ws.write(0, j, h)
    for j, v in enumerate(["2023Q2", "STP", "Toàn cơ quan", 400, 350, 120, -7, "Có"]):
        ws.write(1, j, v)
    book.save(str(folder / "STP.xls"))
    ingest_quarter("2023Q2", data, {"e_documents": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    (path,) = write_feedback(Q2, Store(tmp_path), plan_for("2023Q2"), say=lambda s: None)
    sheet = openpyxl.load_workbook(path)["e_documents"]
    assert sheet["G1"].value == "Số văn bản nhận điện tử" and sheet["G2"].value == -7  # a number stays a number
    assert sheet["G2"].fill.fgColor.rgb == RED and "≥ 0" in sheet["G2"].comment.text


def test_only_the_latest_version_comes_back(tmp_path):
    data = tmp_path / "data"
    folder = data / "raw" / "2023Q2" / "e_documents"
    folder.mkdir(parents=True)
    text = (BAD / "e_documents" / "SNV.csv").read_text(encoding="utf-8")
    (folder / "SNV.csv").write_text(text, encoding="utf-8")  # -5 in column F
    (folder / "SNV.v2.csv").write_text(text.replace(",-5,200,", ",5,-200,"), encoding="utf-8")  # fixed F, broke G
    ingest_quarter("2023Q2", data, {"e_documents": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    (path,) = write_feedback(Q2, Store(tmp_path), plan_for("2023Q2"), say=lambda s: None)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SUMMARY_SHEET, "e_documents"]
    assert [c.coordinate for row in wb["e_documents"].iter_rows() for c in row if c.comment] == ["G2"]
    assert wb[SUMMARY_SHEET]["B5"].value == "SNV.v2.csv" and wb[SUMMARY_SHEET].max_row == 5


def test_a_decided_warning_is_not_sent_back(tmp_path):
    data = tmp_path / "data"
    folder = data / "raw" / "2023Q2" / "tthc_dossiers"
    folder.mkdir(parents=True)
    shutil.copy(BAD / "tthc_dossiers" / "SNV.csv", folder / "SNV.csv")  # an extra column: a warning on row 1
    m = ingest_quarter("2023Q2", data, {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    assert [(i["rule"], i["severity"]) for i in m["datasets"][0]["files"][0]["issues"]] == [("extra_column", "warn")]
    assert [p.name for p in write_feedback(Q2, Store(tmp_path), plan_for("2023Q2"), say=lambda s: None)] == ["SNV.xlsx"]
    (data / "decisions.yaml").write_text(
        "decisions:\n  - {quarter: 2023Q2, file: data/raw/2023Q2/tthc_dossiers/SNV.csv, rule: extra_column, row: 1,\n"
        "     decision: overrule, who: \"Người duyệt (SNV)\", why: \"cột ghi chú nội bộ\", date: 2023-07-10}\n",
        encoding="utf-8")
    ingest_quarter("2023Q2", data, {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    assert write_feedback(Q2, Store(tmp_path), plan_for("2023Q2"), say=lambda s: None) == []
    assert not (tmp_path / "feedback" / "2023Q2" / "SNV.xlsx").exists()


def test_cell_text_is_neutralised_and_cleaned():
    from parplan.feedback import _write

    ws = openpyxl.Workbook().active
    assert _write(ws, 1, 1, "=cmd|' /C calc'!A0").value == "'=cmd|' /C calc'!A0"
    assert _write(ws, 2, 1, "a\x01b").value == "ab"  # a control character an xlsx cannot hold
    assert _write(ws, 3, 1, 12.5).value == 12.5 and _write(ws, 4, 1, "-5").value == "'-5"


def test_cli_feedback_subcommand(run, monkeypatch, capsys):
    from parplan import cli

    data, out, written, _ = run
    repo = Path(__file__).resolve().parents[1]
    for folder in ("params", "plans"):  # a project of its own (store.find_root: $PARPLAN_ROOT)
        shutil.copytree(repo / folder, data.parent / folder, dirs_exist_ok=True)
    monkeypatch.setenv("PARPLAN_ROOT", str(data.parent))  # the command reads <root>/data and writes <root>/feedback
    assert cli.main(["feedback", "--quarter", "2023Q2"]) == 0
    assert "3 tệp phản hồi" in capsys.readouterr().out
    assert sorted((out / "2023Q2").glob("*.xlsx")) == sorted(written)
    assert cli.main(["feedback", "--quarter", "2023Q5"]) == 2  # a malformed quarter is refused with a message
