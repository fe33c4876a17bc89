"""Bad-input fixtures for the reader (issue 13 part 1): number conventions, rows that are not records, the official
summary form, .xls, workbook cells stored as numbers and dates. Called by tools/make_bad_inputs.py; deterministic
(fixed dates, no randomness; workbooks saved with fixed properties and zip times, as parplan.templates does).

Rows are written by column name (from the contract), so a column added to a contract leaves these files valid.
Agencies: district codes only (other helpers' fixtures use department codes).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from parplan.contracts import load_contract  # noqa: E402

OUT = ROOT / "tests" / "bad_inputs" / "2023Q2"


def cells(dataset: str, r: dict) -> list:
    """A record's cells in the contract's column order (unnamed columns empty)."""
    return [r.get(c.name, "") for c in load_contract(dataset).columns]


def headers(dataset: str) -> list[str]:
    return [c.header_vi for c in load_contract(dataset).columns]


def write_csv(path: Path, rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def write_xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = (), formats: dict[str, str] | None = None) -> None:
    """A workbook with one sheet 'Báo cáo'; formats: cell -> number format (e.g. codes stored as numbers)."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    # fixed workbook properties and zip times: the same bytes on every run
    from parplan.templates import _save

    _save(wb, path)


def summary(agency: str, level: str, area: str, k: int = 0) -> dict:
    """A summary row where every identity holds: received 12+k = (5+k) + 4 + 1 + 2 (new 10+k), resolved 9+k =
    3 + (5+k) + 1, pending 3 = 2 + 1, received = resolved + pending."""
    return {"quarter": "2023Q2", "agency_code": agency, "level": level, "area": area,
            "received_total": str(12 + k), "received_online": str(5 + k), "received_direct": "4", "received_postal": "1",
            "carried_over": "2", "received_new": str(10 + k), "resolved_total": str(9 + k), "resolved_early": "3",
            "resolved_on_time": str(5 + k), "resolved_late": "1", "pending_total": "3", "pending_within": "2",
            "pending_overdue": "1"}


COUNTS = ["received_total", "received_online", "received_direct", "received_postal", "carried_over", "received_new",
          "resolved_total", "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within",
          "pending_overdue"]


def total_of(rows: list[dict], **keys: str) -> dict:
    """A total row: the sum of the rows' counts, with the given text cells."""
    return {**keys, **{c: str(sum(int(r[c]) for r in rows)) for c in COUNTS}}


def dossier(did: str, agency: str, **over: object) -> dict:
    """A valid district-level dossier resolved on time, cells as the one-stop system exports them."""
    r: dict = {"dossier_id": did, "agency_code": agency, "level": "Huyện", "procedure_code": "1.004227",
               "received_date": "03/04/2023", "due_date": "28/04/2023", "completed_date": "07/04/2023",
               "status": "Đã giải quyết", "channel": "Trực tiếp", "fully_online": "Không", "fee_required": "Không",
               "paid_online": "Không", "digitised": "Có", "apology_letter": "Không"}
    r.update(over)
    return r


def organisation(agency: str, **over: str) -> dict:
    r = {"quarter": "2023Q2", "agency_code": agency, "psu_count_2021": "12", "psu_count_now": "11",
         "staff_quota_2021": "1204", "staff_quota_now": "1187", "leadership_compliant": "Có",
         "job_descriptions_complete": "Có", "staff_total": "1150", "staff_in_approved_position": "1102",
         "psu_full_self_financing_new": "1", "psu_partial_self_financing_new": "2"}
    r.update(over)
    return r


def numbers_fixtures() -> None:
    ds = "organisation"
    # exported from an English-locale Excel: ',' groups thousands, '.' is the decimal point
    write_csv(OUT / ds / "HOI_AN.csv", [headers(ds), cells(ds, organisation(
        "HOI_AN", staff_quota_2021="1,204", staff_quota_now="1,187", staff_total="1,150",
        staff_in_approved_position="1,102", direct_budget_psu_2022="1,781,623", direct_budget_psu_now="15,161.2"))])
    # '15.161' and '3.611' in amount columns: thousands or three decimals? nothing in the file says
    write_csv(OUT / ds / "DIEN_BAN.csv", [headers(ds), cells(ds, organisation(
        "DIEN_BAN", direct_budget_psu_2022="15.161", direct_budget_psu_now="3.611"))])
    ds = "online_services"
    # Vietnamese '1.500' and English '1,200' in one file
    write_csv(OUT / ds / "HOI_AN.csv", [headers(ds), cells(ds, {
        "quarter": "2023Q2", "agency_code": "HOI_AN", "procedures_in_scope": "310", "procedures_fully_online": "120",
        "procedures_via_one_stop": "300", "procedures_with_fee": "90", "procedures_fee_payable_online": "60",
        "portal_transactions": "1.500", "portal_transactions_paid_online": "900", "dossiers_total": "1,200",
        "dossiers_synced_national": "1150", "dossiers_published_provincial": "1100"})])


def rows_fixtures() -> None:
    ds = "tthc_summary"
    # a total row whose key columns are filled in (it used to be summed in as one more row)
    recs = [summary("TAM_KY", "Huyện", "Đất đai"), summary("TAM_KY", "Huyện", "Hộ tịch", 2)]
    write_csv(OUT / ds / "TAM_KY.csv", [headers(ds)] + [cells(ds, r) for r in recs] + [cells(ds, total_of(
        recs, quarter="2023Q2", agency_code="TAM_KY", level="Huyện", area="Tổng cộng"))])
    # the total at the top, keys filled, and wrong: received 25 typed, the rows add up to 24
    recs = [summary("HOI_AN", "Huyện", "Đất đai"), summary("HOI_AN", "Xã", "Hộ tịch")]
    top = total_of(recs, quarter="2023Q2", agency_code="HOI_AN", level="Huyện", area="Tổng số")
    top["received_total"] = "25"
    write_csv(OUT / ds / "HOI_AN.csv", [headers(ds), cells(ds, top)] + [cells(ds, r) for r in recs])
    # group headings, subtotals per group and a grand total, all consistent
    g1 = [summary("NUI_THANH", "Huyện", "Đất đai"), summary("NUI_THANH", "Huyện", "Xây dựng", 1)]
    g2 = [summary("NUI_THANH", "Xã", "Hộ tịch", 3), summary("NUI_THANH", "Xã", "Chứng thực")]
    body = ([["I. Cấp huyện"]] + [cells(ds, r) for r in g1] + [cells(ds, total_of(g1, quarter="Cộng I"))]
            + [["II. Cấp xã"]] + [cells(ds, r) for r in g2] + [cells(ds, total_of(g2, quarter="Cộng II"))]
            + [cells(ds, total_of(g1 + g2, quarter="Tổng cộng"))])
    write_xlsx(OUT / ds / "NUI_THANH.xlsx", [["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT TTHC QUÝ II/2023 — NÚI THÀNH"], [],
                                           headers(ds)] + body)
    ds = "tthc_dossiers"
    # the column-numbering row under the header
    h = headers(ds)
    write_csv(OUT / ds / "DAI_LOC.csv", [h, [f"({j})" for j in range(1, len(h) + 1)]]
              + [cells(ds, dossier(f"DAI_LOC-R{i:04d}", "DAI_LOC")) for i in (1, 2)])
    ds = "e_documents"
    # notes and a signature block under the table
    recs = [{"quarter": "2023Q2", "agency_code": "QUE_SON", "unit": u, "docs_handled": n, "docs_handled_online": m,
             "docs_sent_electronic": s, "docs_received_electronic": r, "connected_4level": "Có"}
            for u, n, m, s, r in (("Văn phòng HĐND và UBND", 820, 790, 410, 640), ("Phòng Nội vụ", 215, 200, 96, 180))]
    w = len(headers(ds))
    sign = [[""] * w for _ in range(5)]
    sign[0][0] = "Ghi chú: số liệu tính đến ngày 14/6/2023"
    sign[1][5] = "Quế Sơn, ngày 15 tháng 6 năm 2023"
    sign[2][0], sign[2][5] = "Người lập biểu", "THỦ TRƯỞNG ĐƠN VỊ"
    sign[3][0], sign[3][5] = "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"
    sign[4][0], sign[4][5] = "Nguyễn Văn An", "Trần Thị Bình"
    write_xlsx(OUT / ds / "QUE_SON.xlsx", [headers(ds)] + [cells(ds, r) for r in recs] + [[]] + sign)


def official_form() -> None:
    """The official 'tình hình, kết quả giải quyết TTHC' layout: title rows, a three-row merged header (a leaf
    'Quá hạn' under both resolved and pending), the numbering row, group rows per level, a total, a signature block.
    The form has no quarter, agency or level columns: the reader takes them from the title, the file name and the
    group rows."""
    ds = "tthc_summary"
    top = ["STT", "Lĩnh vực, công việc giải quyết theo cấp", "Số hồ sơ nhận giải quyết", None, None, None, None,
           None, "Kết quả giải quyết", None, None, None, None, None, None, None]
    mid = [None, None, "Tổng số", "Từ kỳ trước chuyển qua", "Mới tiếp nhận trong kỳ", None, None, None,
           "Số hồ sơ đã giải quyết", None, None, None, "Số hồ sơ đang giải quyết", None, None,
           "Rút hồ sơ, trả lại"]
    leaf = [None, None, None, None, "Tổng số", "Trực tuyến", "Trực tiếp", "Bưu chính", "Tổng số", "Trước hạn",
            "Đúng hạn", "Quá hạn", "Tổng số", "Trong hạn", "Quá hạn", None]
    order = ["received_total", "carried_over", "received_new", "received_online", "received_direct", "received_postal",
             "resolved_total", "resolved_early", "resolved_on_time", "resolved_late", "pending_total",
             "pending_within", "pending_overdue", "withdrawn"]

    def line(stt: str, area: str, r: dict) -> list:
        return [stt, area] + [int(r[c]) if r.get(c) else None for c in order]

    # pending 3 = 0 within + 3 overdue, so resolved late (1) and pending overdue (3) differ: a swap would show
    over = {"pending_within": "0", "pending_overdue": "3"}
    g1 = [summary("DIEN_BAN", "Huyện", "Đất đai") | over, summary("DIEN_BAN", "Huyện", "Xây dựng", 4) | over]
    g2 = [summary("DIEN_BAN", "Xã", "Hộ tịch", 1) | over, summary("DIEN_BAN", "Xã", "Chứng thực", 2) | over]
    rows = [["UBND THỊ XÃ ĐIỆN BÀN", None, None, None, None, None, None, None, None, None,
             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            [None] * 10 + ["Độc lập - Tự do - Hạnh phúc"],
            ["TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"],
            ["Kỳ báo cáo: Quý II năm 2023 (từ ngày 15/3/2023 đến ngày 14/6/2023)"],
            top, mid, leaf,
            [f"({j})" for j in range(1, 17)],
            ["I", "CẤP HUYỆN"]] + [line(str(i), r["area"], r) for i, r in enumerate(g1, 1)] + [
            ["II", "CẤP XÃ"]] + [line(str(i), r["area"], r) for i, r in enumerate(g2, 1)] + [
            line("", "Tổng cộng", total_of(g1 + g2)),
            [],
            [None, "Người lập biểu", None, None, None, None, None, None, None, None, "KT. CHỦ TỊCH"],
            [None, "(Ký, ghi rõ họ tên)", None, None, None, None, None, None, None, None, "PHÓ CHỦ TỊCH"],
            [None, "Lê Văn Cường", None, None, None, None, None, None, None, None, "Phạm Thị Dung"]]
    merges = ("A3:P3", "A4:P4", "A5:A7", "B5:B7", "C5:H5", "I5:P5", "C6:C7", "D6:D7", "E6:H6", "I6:L6", "M6:O6",
              "P6:P7")
    write_xlsx(OUT / ds / "DIEN_BAN.xlsx", rows, merges)


def workbook_cells() -> None:
    """Codes and dates as workbooks store them: numbers with a number format, datetimes, Excel serial numbers."""
    import openpyxl

    ds = "tthc_dossiers"
    h = headers(ds)
    names = load_contract(ds).names
    col = {n: openpyxl.utils.get_column_letter(names.index(n) + 1) for n in names}
    # procedure codes typed into number cells: 1.001046 (General) and 2.00001 shown as 2.000010 (format 0.000000)
    a = cells(ds, dossier("PHU_NINH-R0001", "PHU_NINH", procedure_code=1.001046))
    b = cells(ds, dossier("PHU_NINH-R0002", "PHU_NINH", procedure_code=2.00001))
    write_xlsx(OUT / ds / "PHU_NINH.xlsx", [h, a, b], formats={f"{col['procedure_code']}3": "0.000000"})
    # a received date with a time of day (a datetime cell), a due date as an Excel serial number in a General cell
    # (45044 is 28/04/2023), a completion date typed as text with a time
    a = cells(ds, dossier("DUY_XUYEN-R0001", "DUY_XUYEN", received_date=dt.datetime(2023, 4, 3, 8, 15),
                          due_date=45044, completed_date="07/04/2023 16:45"))
    b = cells(ds, dossier("DUY_XUYEN-R0002", "DUY_XUYEN", received_date=dt.datetime(2023, 4, 5),
                          due_date=45044, completed_date="2023-04-10 09:30:00"))
    write_xlsx(OUT / ds / "DUY_XUYEN.xlsx", [h, a, b], formats={f"{col['received_date']}2": "dd/mm/yyyy hh:mm"})
    # Excel 97-2003 (.xls): title row, header, date cells, a code stored as a number, a total row
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Hồ sơ")
    date = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    code = xlwt.easyxf(num_format_str="0.000000")
    ws.write(0, 0, "DANH SÁCH HỒ SƠ TTHC — THĂNG BÌNH — QUÝ II/2023")
    for j, x in enumerate(h):
        ws.write(1, j, x)
    recs = [dossier("THANG_BINH-R0001", "THANG_BINH", procedure_code=1.00104),
            dossier("THANG_BINH-R0002", "THANG_BINH", status="Đang giải quyết", completed_date=""),
            dossier("THANG_BINH-R0003", "THANG_BINH", channel="Trực tuyến", procedure_code="1.004227")]
    for i, r in enumerate(recs, 2):
        for j, n in enumerate(names):
            v = r.get(n, "")
            if n.endswith("_date") and v:
                ws.write(i, j, dt.datetime.strptime(v, "%d/%m/%Y"), date)
            elif isinstance(v, float):
                ws.write(i, j, v, code)
            elif v != "":
                ws.write(i, j, v)
    ws.write(5, 0, "Tổng cộng")
    ws.write(5, 1, "3 hồ sơ")
    (OUT / ds).mkdir(parents=True, exist_ok=True)
    wb.save(str(OUT / ds / "THANG_BINH.xls"))


def labels_fixture() -> None:
    """Headers typed without diacritics, cells with zero-width and non-breaking spaces."""
    import unicodedata

    ds = "tthc_summary"

    def plain(t: str) -> str:
        t = unicodedata.normalize("NFD", t.replace("Đ", "D").replace("đ", "d"))
        return "".join(ch for ch in t if not unicodedata.combining(ch))

    h = [plain(x) for x in headers(ds)]
    recs = [summary("QUE_SON", "Huyện", "Đất\u200b đai"), summary("QUE_SON", "Xã", "Hộ\u00a0tịch")]
    write_csv(OUT / ds / "QUE_SON.csv", [h] + [cells(ds, r) for r in recs])


def main() -> None:
    numbers_fixtures()
    rows_fixtures()
    official_form()
    workbook_cells()
    labels_fixture()


if __name__ == "__main__":
    main()
