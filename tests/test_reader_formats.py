"""What offices really send (issue 13 part 1): one number convention per file, rows that are not records, header
paths over multi-row merged headers, the official summary form, .xls, workbook codes and dates.

The fixtures are tests/bad_inputs/2023Q2/... (built by tools/bad_inputs_reader.py); every expected value below is
worked out by hand from what the builder writes, not taken from the reader's output.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parplan.catalogue import load_plan
from parplan.contracts import load_contract
from parplan.inputs import headers, numbers, rows
from parplan.io import ReadError, read_table
from parplan.validation import normalise

PLAN = load_plan(2023)  # the plan whose agencies and tasks the category lists hold

FIX = Path(__file__).parent / "bad_inputs" / "2023Q2"


def read(dataset: str, name: str):
    """The file read and normalised as validation does: (ReadResult, normalised frame)."""
    c = load_contract(dataset, PLAN)
    rr = read_table(FIX / dataset / name, c)
    return rr, normalise(rr.frame, c)


def rules(rr, rule: str) -> list[dict]:
    return [n for n in rr.notes if n["rule"] == rule]


# ------------------------------------------------------------------ numbers: one convention per file
@pytest.mark.parametrize("text, whole, kind", [
    ("1,781,623", False, "en"), ("15,161.2", False, "en"), ("12.5", False, "en"), ("0.975", False, "en"),
    ("1.234,5", False, "vi"), ("12,5", False, "vi"), ("1.234.567", False, "vi"), ("0,975", False, "vi"),
    ("1.234", False, "ambiguous"), ("1,234", False, "ambiguous"), ("-2.500", False, "ambiguous"),
    ("1.234", True, "vi"), ("1,234", True, "en"),  # only one reading is a whole number
    ("1234", False, "neutral"), ("85%", False, "neutral"), ("1 234", False, "neutral"),
    ("12 hồ sơ", False, "other"), ("1,2,3", False, "other"), ("", False, "other"),
])
def test_classify(text, whole, kind):
    assert numbers.classify(text, whole) == kind


@pytest.mark.parametrize("text, locale, value", [
    ("1.234", "vi", 1234.0), ("1.234,5", "vi", 1234.5), ("12,5", "vi", 12.5), ("0.955", "vi", 0.955),
    ("1,234", "en", 1234.0), ("1,781,623", "en", 1781623.0), ("15,161.2", "en", 15161.2), ("1.234", "en", 1.234),
    ("1,23", "en", None), ("12 hồ sơ", "vi", None), ("", "vi", None), ("1\u00a0234", "vi", 1234.0),
])
def test_parse_number_by_convention(text, locale, value):
    assert numbers.parse_number(text, locale) == value


def test_parse_percent():
    assert numbers.parse_percent("85%") == 0.85
    assert numbers.parse_percent("85,5 %", "vi") == pytest.approx(0.855)
    assert numbers.parse_percent("85.5%", "en") == pytest.approx(0.855)
    assert numbers.parse_percent("85") is None


def test_decide_from_distinct_values_and_show_conflicts():
    lines = pd.Series([2, 3, 4])
    hd = {"a": "Cột A", "b": "Cột B"}
    d = numbers.decide({"a": pd.Series(["1.234", "12,5", "7"]), "b": pd.Series(["", "3", "4"])}, lines, hd)
    assert (d.locale, d.decided_by, d.notes) == ("vi", (3, "Cột A", "12,5"), [])
    d = numbers.decide({"a": pd.Series(["1.234", "7", "8"])}, lines, hd)  # ambiguous and nothing decides
    assert [n["rule"] for n in d.notes] == ["number_locale_ambiguous"] and "dòng 2, cột 'Cột A': '1.234'" in d.notes[0]["vi"]
    d = numbers.decide({"a": pd.Series(["1.234", "7", "8"])}, lines, hd, whole=["a"])  # a count: 1234
    assert (d.locale, d.notes) == ("vi", [])
    d = numbers.decide({"a": pd.Series(["12,5", "7", "8"]), "b": pd.Series(["1", "2", "3.5"])}, lines, hd)
    (n,) = d.notes
    assert n["rule"] == "number_locale_conflict" and n["severity"] == "reject" and (n["row"], n["column"]) == (2, "Cột A")
    assert "'12,5'" in n["vi"] and "dòng 4, cột 'Cột B': '3.5'" in n["vi"] and "'3.5'" in n["en"]


def test_en_us_export_read_with_english_rules():
    """'1,781,623' and '15,161.2' were read 1000x off (or not at all) with Vietnamese rules."""
    rr, f = read("organisation", "HOI_AN.csv")
    assert rr.locale == "en"
    row = f.iloc[0]
    assert (row["staff_quota_2021"], row["staff_quota_now"], row["staff_total"], row["staff_in_approved_position"]) == \
        ("1204", "1187", "1150", "1102")
    assert (row["direct_budget_psu_2022"], row["direct_budget_psu_now"]) == ("1781623", "15161.2")
    (n,) = rules(rr, "number_locale")
    assert (n["severity"], n["row"], n["column"]) == ("info", 2, "Biên chế giao năm 2021")


def test_ambiguous_file_rejected_with_its_cells():
    rr, _ = read("organisation", "DIEN_BAN.csv")
    (n,) = rules(rr, "number_locale_ambiguous")
    assert n["severity"] == "reject" and n["row"] == 2
    assert "'15.161'" in n["vi"] and "'3.611'" in n["vi"] and "1234" in n["en"]


def test_mixed_conventions_rejected_with_both_sides():
    rr, _ = read("online_services", "HOI_AN.csv")
    (n,) = rules(rr, "number_locale_conflict")
    assert n["column"] == "Số giao dịch trên Cổng DVC quốc gia" and "'1.500'" in n["vi"] and "'1,200'" in n["vi"]


def test_stored_numbers_carry_no_convention(tmp_path):
    """Numbers stored as numbers in a workbook take no part in the decision and read right in either convention."""
    import openpyxl

    c = load_contract("organisation", PLAN)
    h = [x.header_vi for x in c.columns]
    base = ["2023Q2", "HOI_AN", 12, 11, 1204, 1187, "Có", "Có", 1150, 1102, None, None, 1, 2]
    for typed, locale, want in ((["1.234,5"], "vi", ["1234.5", "0.975"]), (["1,234.5"], "en", ["1234.5", "0.975"])):
        wb = openpyxl.Workbook()
        wb.active.append(h)
        wb.active.append(base + typed + [0.975])
        p = tmp_path / f"{locale}.xlsx"
        wb.save(p)
        rr = read_table(p, c)
        assert rr.locale == locale
        f = normalise(rr.frame, c)
        assert [f["direct_budget_psu_2022"].iat[0], f["direct_budget_psu_now"].iat[0]] == want
        assert f["staff_quota_2021"].iat[0] == "1204"


def test_percent_in_a_fraction_column_only():
    c = load_contract("task_status", PLAN)
    frac = dataclasses.replace(c, columns=tuple(dataclasses.replace(x, fraction=True) if x.name == "achieved_value"
                                                else x for x in c.columns))
    frame = pd.DataFrame({"_row": [2, 3], "achieved_value": ["85%", "0,5"]}, dtype="string")
    assert normalise(frame, frac)["achieved_value"].tolist() == ["0.85", "0.5"]
    assert normalise(frame, c)["achieved_value"].tolist() == ["85%", "0.5"]  # not a share: left as typed (reported)


# ------------------------------------------------------------------ rows that are not records
def test_total_row_with_keys_filled_is_dropped_and_checked():
    rr, f = read("tthc_summary", "TAM_KY.csv")
    assert f["_row"].tolist() == [2, 3] and f["area"].tolist() == ["Đất đai", "Hộ tịch"]
    assert f["received_total"].tolist() == ["12", "14"]  # the total line 4 (26) is not a third record
    assert [n["row"] for n in rules(rr, "total_row")] == [4] and rules(rr, "total_mismatch") == []


def test_wrong_total_at_the_top_is_a_finding():
    rr, f = read("tthc_summary", "HOI_AN.csv")
    assert f["_row"].tolist() == [3, 4]
    (n,) = rules(rr, "total_mismatch")
    assert (n["severity"], n["row"], n["column"]) == ("reject", 2, "Tiếp nhận - Tổng số")
    assert "ghi 25" in n["vi"] and "là 24" in n["vi"] and "says 25" in n["en"]


def test_group_rows_subtotals_and_grand_total():
    rr, f = read("tthc_summary", "NUI_THANH.xlsx")
    assert f["_row"].tolist() == [5, 6, 9, 10]
    assert f["level"].tolist() == ["district", "district", "commune", "commune"]
    assert f["received_total"].tolist() == ["12", "13", "15", "12"]
    assert [n["row"] for n in rules(rr, "group_row")] == [4, 8]
    assert [n["row"] for n in rules(rr, "total_row")] == [7, 11, 12]  # Cộng I, Cộng II, Tổng cộng
    assert rules(rr, "total_mismatch") == []


def test_wrong_subtotal_names_its_group_sum(tmp_path):
    import openpyxl

    src = FIX / "tthc_summary" / "NUI_THANH.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    assert ws["A11"].value == "Cộng II"
    ws["E11"] = 28  # group II received 15 + 12 = 27; the whole table 52
    p = tmp_path / "NUI_THANH.xlsx"
    wb.save(p)
    rr = read_table(p, load_contract("tthc_summary", PLAN))
    (n,) = rules(rr, "total_mismatch")
    assert n["row"] == 11 and "ghi 28" in n["vi"] and "27 (nhóm) hoặc 52 (cả bảng)" in n["vi"]


def test_numbering_row_under_the_header():
    rr, f = read("tthc_dossiers", "DAI_LOC.csv")
    assert f["_row"].tolist() == [3, 4] and f["dossier_id"].tolist() == ["DAI_LOC-R0001", "DAI_LOC-R0002"]
    assert [n["row"] for n in rules(rr, "numbering_row")] == [2]


def test_notes_and_signature_block_under_the_table():
    rr, f = read("e_documents", "QUE_SON.xlsx")
    assert f["unit"].tolist() == ["Văn phòng HĐND và UBND", "Phòng Nội vụ"] and f["docs_handled"].tolist() == ["820", "215"]
    assert [n["row"] for n in rules(rr, "footer_row")] == [5, 6, 7, 8, 9]
    assert [n["row"] for n in rules(rr, "blank_row")] == [4]


def _kinds(cells: list[list[str]], dataset: str = "tthc_summary") -> list[str]:
    c = load_contract(dataset, PLAN)
    body = pd.DataFrame([r + [""] * (len(c.names) - len(r)) for r in cells], columns=c.names, dtype="string")
    return list(rows.classify(body, c))


def test_row_kinds_and_what_is_not_a_total():
    rec = ["2023Q2", "SYT", "Tỉnh", "Tổng hợp", "12", "5", "4", "1", "2", "9", "3", "5", "1", "3", "2", "1"]
    assert _kinds([
        rec,                                   # an area that merely starts with 'Tổng' is a record
        ["A. Lĩnh vực y tế"],                  # a group heading
        rec[:3] + ["Cộng A"] + rec[4:],        # a subtotal with its keys filled
        [""] * 5,                              # a spacer
        rec,
        ["TỔNG CỘNG", "", "", ""] + rec[4:],   # upper case total
        ["Người lập biểu", "", "", "", "", "", "", "", "", "", "Thủ trưởng đơn vị"],
        ["Nguyễn Văn A", "", "", "", "", "", "", "", "", "", "Trần Thị B"],
    ]) == ["record", "group", "total", "blank", "record", "total", "footer", "footer"]
    # economy: 'Tổng sản phẩm …' is an indicator, not a total; a sparse task row 'A.I.1' is not a heading
    assert _kinds([["Tổng sản phẩm trên địa bàn (GRDP, tỷ đồng, giá so sánh)", "2023Q2", "58.123,4"]], "economy") == \
        ["record"]
    assert _kinds([["A.I.1", "SNV", "Đã hoàn thành"]], "task_status") == ["record"]


# ------------------------------------------------------------------ headers, the official form, labels
def test_header_paths_over_merged_rows():
    block = [["Quý", "Đã giải quyết", "", "Đang giải quyết", ""],
             ["", "Tổng số", "Quá hạn", "Tổng số", "Quá hạn"]]
    paths = headers.paths(block)
    assert paths == [("Quý",), ("Đã giải quyết", "Tổng số"), ("Đã giải quyết", "Quá hạn"),
                     ("Đang giải quyết", "Tổng số"), ("Đang giải quyết", "Quá hạn")]
    names, loose, ambiguous = headers.match_columns(paths, load_contract("tthc_summary", PLAN))
    assert names == ["quarter", "resolved_total", "resolved_late", "pending_total", "pending_overdue"]
    assert loose == [] and ambiguous == []


def test_a_repeated_leaf_alone_is_never_matched():
    names, _, _ = headers.match_columns([("Quá hạn",), ("Tổng số",)], load_contract("tthc_summary", PLAN))
    assert names == [None, None]


def test_official_summary_form():
    """Title rows, a three-row merged header ('Quá hạn' under resolved and pending), the numbering row, group rows
    per level, a total, a signature block; quarter, agency and level come from the title, file name and groups."""
    rr, f = read("tthc_summary", "DIEN_BAN.xlsx")
    assert rr.header_row == 5
    assert f["_row"].tolist() == [10, 11, 13, 14]
    assert f["area"].tolist() == ["Đất đai", "Xây dựng", "Hộ tịch", "Chứng thực"]
    assert f["level"].tolist() == ["district", "district", "commune", "commune"]
    assert f["quarter"].tolist() == ["2023Q2"] * 4 and f["agency_code"].tolist() == ["DIEN_BAN"] * 4
    # k = 0, 4, 1, 2: received 12+k, new 10+k, online 5+k; resolved 9+k (late 1); pending 3 (overdue 3)
    assert f["received_total"].tolist() == ["12", "16", "13", "14"]
    assert f["received_new"].tolist() == ["10", "14", "11", "12"]
    assert f["received_online"].tolist() == ["5", "9", "6", "7"] and f["carried_over"].tolist() == ["2"] * 4
    assert f["resolved_total"].tolist() == ["9", "13", "10", "11"] and f["resolved_late"].tolist() == ["1"] * 4
    assert f["pending_overdue"].tolist() == ["3"] * 4 and f["pending_within"].tolist() == ["0"] * 4
    assert [n["row"] for n in rules(rr, "group_row")] == [9, 12]
    assert [n["row"] for n in rules(rr, "total_row")] == [15] and rules(rr, "total_mismatch") == []
    assert [n["row"] for n in rules(rr, "footer_row")] == [17, 18, 19]
    assert [n["column"] for n in rules(rr, "column_from_layout")] == ["Quý", "Mã cơ quan", "Cấp giải quyết"]
    assert not [n for n in rr.notes if n["severity"] != "info"]  # no extra column for STT


def test_headers_typed_without_diacritics_and_invisible_spaces():
    rr, f = read("tthc_summary", "QUE_SON.csv")
    assert f["area"].tolist() == ["Đất đai", "Hộ tịch"]  # zero-width space removed, non-breaking space a space
    assert f["resolved_late"].tolist() == ["1", "1"] and f["level"].tolist() == ["district", "commune"]
    (n,) = rules(rr, "header_loose_match")
    assert "'Dang giai quyet - Qua han' → 'Đang giải quyết - Quá hạn'" in n["vi"]


# ------------------------------------------------------------------ workbooks: .xls, codes, dates
def test_xls_workbook():
    rr, f = read("tthc_dossiers", "THANG_BINH.xls")
    assert (rr.sheet, rr.header_row) == ("Hồ sơ", 2)
    assert f["_row"].tolist() == [3, 4, 5]
    assert f["procedure_code"].tolist() == ["1.001040", "1.004227", "1.004227"]  # a number cell in format 0.000000
    assert f["received_date"].tolist() == ["2023-04-03"] * 3
    assert f["completed_date"].fillna("").tolist() == ["2023-04-07", "", "2023-04-07"]
    assert f["status"].tolist() == ["resolved", "pending", "resolved"]
    assert [n["row"] for n in rules(rr, "total_row")] == [6]


def test_xlsx_code_stored_as_a_number_reads_as_typed():
    _, f = read("tthc_dossiers", "PHU_NINH.xlsx")
    assert f["procedure_code"].tolist() == ["1.001046", "2.000010"]  # not '1,001046'


def test_dates_with_a_time_and_excel_serial_numbers():
    rr, f = read("tthc_dossiers", "DUY_XUYEN.xlsx")
    assert f["received_date"].tolist() == ["2023-04-03", "2023-04-05"]  # a datetime with 08:15, a plain date
    assert f["due_date"].tolist() == ["2023-04-28", "2023-04-28"]  # serial 45044 in a General cell
    assert f["completed_date"].tolist() == ["2023-04-07", "2023-04-10"]  # text '07/04/2023 16:45', ISO with a time
    assert "2 ô" in rules(rr, "date_serial")[0]["vi"] and "1 ô" in rules(rr, "date_with_time")[0]["vi"]


def test_corrupt_and_oversized_xls(tmp_path, monkeypatch):
    import parplan.io as pio

    good = (FIX / "tthc_dossiers" / "THANG_BINH.xls").read_bytes()
    p = tmp_path / "THANG_BINH.xls"
    p.write_bytes(good[:1500])
    with pytest.raises(ReadError, match="hỏng"):
        read_table(p, load_contract("tthc_dossiers", PLAN))
    p.write_bytes(good)
    monkeypatch.setattr(pio, "MAX_XLSX_BYTES", 1000)
    with pytest.raises(ReadError, match="quá lớn"):
        read_table(p, load_contract("tthc_dossiers", PLAN))


def test_xlsx_saved_with_an_xls_name_is_read_and_noted(tmp_path):
    p = tmp_path / "PHU_NINH.xls"
    p.write_bytes((FIX / "tthc_dossiers" / "PHU_NINH.xlsx").read_bytes())
    rr = read_table(p, load_contract("tthc_dossiers", PLAN))
    assert rr.frame["procedure_code"].tolist() == ["1.001046", "2.000010"]
    assert [n["rule"] for n in rr.notes] == ["file_type_mismatch"]


@pytest.mark.parametrize("value, fmt, text", [
    (1.001046, "General", "1.001046"), (2.00001, "0.000000", "2.000010"), (123.0, "00000", "00123"),
    (1.5, "0.0#", "1.5"), (0.85, "0%", "85%"), (1234.0, "#,##0", "1234"), (3.0, "@", "3"),
])
def test_number_formats_for_text_columns(value, fmt, text):
    from parplan.io import _as_displayed

    assert _as_displayed(value, fmt) == text


def test_row_classification_is_vectorised_on_a_large_file():
    """A regular 200 000-row table: only the few candidate rows are looked at one by one."""
    import time

    c = load_contract("tthc_dossiers", PLAN)
    n = 200_000
    body = pd.DataFrame({x: np.full(n, "Có" if x.endswith("online") else "1", dtype=object) for x in c.names},
                        dtype="string")
    body["dossier_id"] = [f"ID-{i}" for i in range(n)]
    body.iloc[-1, 0] = "Tổng cộng"
    t = time.perf_counter()
    kinds = rows.classify(body, c)
    assert time.perf_counter() - t < 20  # generous for a shared CI machine; typically well under a second
    assert (kinds == "record").sum() == n - 1 and kinds[-1] == "total"


def test_header_in_another_case_is_matched_with_a_note(tmp_path):
    c = load_contract("tthc_summary", PLAN)
    h = [x.header_vi for x in c.columns]
    h[0], h[3] = "QUÝ", "LĨNH VỰC"
    row = ["2023Q2", "SNV", "Tỉnh", "Nội vụ", "12", "5", "4", "1", "2", "9", "3", "5", "1", "3", "2", "1", "", "10"]
    p = tmp_path / "SNV.csv"
    p.write_text(",".join(f'"{x}"' for x in h) + "\n" + ",".join(row[: len(h)]) + "\n", encoding="utf-8")
    rr = read_table(p, c)
    assert rr.frame["area"].tolist() == ["Nội vụ"] and rr.frame["quarter"].tolist() == ["2023Q2"]
    (n,) = rules(rr, "header_loose_match")
    assert "'QUÝ' → 'Quý'" in n["vi"] and "'LĨNH VỰC' → 'Lĩnh vực'" in n["vi"]


def test_two_columns_claiming_one_label_is_a_finding():
    """If a contract accepted the same leaf alone for two columns, a file column with that leaf is not guessed."""
    c = load_contract("tthc_summary", PLAN)
    cols = tuple(dataclasses.replace(x, aliases=(*x.aliases, "Quá hạn")) if x.name in ("resolved_late", "pending_overdue")
                 else x for x in c.columns)
    clash = dataclasses.replace(c, columns=cols)
    names, _, ambiguous = headers.match_columns([("Quá hạn",)], clash)
    assert names == [None] and ambiguous == [(0, "Quá hạn", ["pending_overdue", "resolved_late"])]
    h = headers.Header(0, 1, ["Quá hạn"], [None], 0, [], ambiguous)
    (n,) = headers.notes(h, 1, clash)
    assert n["rule"] == "header_ambiguous" and n["severity"] == "reject" and "'Đã giải quyết - Quá hạn'" in n["vi"]


def test_coded_values_typed_without_diacritics(tmp_path):
    c = load_contract("tthc_summary", PLAN)
    h = [x.header_vi for x in c.columns]
    rows_ = [["2023Q2", "SNV", "Tinh", "Nội vụ"], ["2023Q2", "SNV", "HUYEN", "Đất đai"], ["2023Q2", "SNV", "Thon", "x"]]
    p = tmp_path / "SNV.csv"
    p.write_text("\n".join(",".join(r) for r in [h] + [r + ["1"] * (len(h) - 4) for r in rows_]) + "\n",
                 encoding="utf-8")
    rr = read_table(p, c)
    assert rr.frame["level"].tolist() == ["Tỉnh", "Huyện", "Thon"]  # 'Thon' means nothing: left for its rule
    assert normalise(rr.frame, c)["level"].tolist() == ["province", "district", "Thon"]
    (n,) = rules(rr, "value_loose_match")
    assert n["column"] == "Cấp giải quyết" and "'Tinh' → 'Tỉnh'" in n["vi"] and "'HUYEN' → 'Huyện'" in n["vi"]


def test_every_reader_finding_has_a_label_for_reviewers():
    """Each rule id the reader's notes use over the whole corpus has a Vietnamese and an English label."""
    from parplan.io import READER_RULES

    seen = set()
    for p in FIX.glob("*/*"):
        if p.suffix in (".csv", ".xlsx", ".xls"):
            try:
                seen |= {n["rule"] for n in read_table(p, load_contract(p.parent.name, PLAN)).notes}
            except (ReadError, KeyError):
                pass
    assert seen and seen <= set(READER_RULES), seen - set(READER_RULES)
    assert all(vi and en and vi != en for vi, en in READER_RULES.values())


def test_consecutive_small_numbers_below_the_first_record_are_data():
    """'(1) (2) (3)…' right under the header is the numbering row; the same pattern further down is a record."""
    numbering = [f"({j})" for j in range(1, 11)]
    rec = ["KS-1", "Tam Kỳ", "SLDTBXH", "1.002814", "Trực tuyến", "C01", "1", "5", "Nữ", "Từ 60"]
    assert _kinds([numbering, rec, numbering], "sipas_survey") == ["numbering", "record", "record"]


def test_a_sparse_record_after_a_note_is_kept():
    """Below a note, rows of one or two cells are its signature block; a row of three cells is data again."""
    assert _kinds([["A.I.1", "SNV", "Đã hoàn thành"], ["Ghi chú: số liệu tạm tính"], ["A.I.2", "SNV", "Đang thực hiện"],
                   ["Người lập biểu", "Thủ trưởng đơn vị"], ["Nguyễn Văn A", "Trần Thị B"]], "task_status") == \
        ["record", "footer", "record", "footer", "footer"]


def test_four_header_rows_with_a_title_above():
    rows_ = [["BÁO CÁO QUÝ II/2023"],
             ["Quý", "Mã cơ quan", "Kết quả giải quyết", "", "", ""],
             ["", "", "Số hồ sơ", "", "", ""],
             ["", "", "Đã giải quyết", "", "Đang giải quyết", ""],
             ["", "", "Tổng số", "Quá hạn", "Tổng số", "Quá\nhạn"],
             ["2023Q2", "SNV", "9", "1", "3", "2"]]
    h = headers.find(rows_, load_contract("tthc_summary", PLAN))
    assert (h.first, h.n_rows) == (1, 4)
    assert h.names == ["quarter", "agency_code", "resolved_total", "resolved_late", "pending_total", "pending_overdue"]
    assert h.labels[5] == "Kết quả giải quyết › Số hồ sơ › Đang giải quyết › Quá hạn"  # the line break a space


def test_en_us_numbers_reach_the_typed_table():
    """End to end through validation: the convention the reader decided is the one the numbers are typed with."""
    from parplan.periods import Quarter
    from parplan.validation import validate_submission

    v, t = validate_submission(FIX / "organisation" / "HOI_AN.csv", load_contract("organisation", PLAN),
                               Quarter.parse("2023Q2"), "HOI_AN", "district")
    assert v.verdict == "accepted", v.issues
    assert t["direct_budget_psu_2022"].tolist() == [1781623.0] and t["direct_budget_psu_now"].tolist() == [15161.2]
    assert t["staff_quota_2021"].tolist() == [1204] and t["staff_in_approved_position"].tolist() == [1102]
