"""Write the bad-input corpus tests/bad_inputs/2023Q2/... described in tests/bad_inputs/cases.yaml.

Run: .venv/bin/python tools/make_bad_inputs.py   (needs msoffcrypto-tool, a dev dependency, for the encrypted file)
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from parplan.contracts import load_contract  # noqa: E402

OUT = ROOT / "tests" / "bad_inputs" / "2023Q2"


def headers(ds: str) -> list[str]:
    return [c.header_vi for c in load_contract(ds).columns]


def dossier_row(i: int, agency: str = "SNV", level: str = "Tỉnh") -> list[str]:
    return [f"{agency}-B{i:05d}", agency, level, "", "1.000123", "03/04/2023", "10/04/2023", "07/04/2023",
            "Đã giải quyết", "Trực tuyến", "Có", "Có", "Có", "Có", "Không"]


def summary_row(agency: str, area: str, level: str = "Tỉnh") -> list[str]:
    # received 12 = 5 online + 4 direct + 1 postal + 2 carried; resolved 9 = 3 + 5 + 1; pending 3 = 2 + 1
    return ["2023Q2", agency, level, area, "12", "5", "4", "1", "2", "9", "3", "5", "1", "3", "2", "1"]


def online_row(agency: str, quarter: str = "2023Q2") -> list[str]:
    return [quarter, agency, "120", "80", "120", "40", "30", "1.500", "600", "2.000", "1.990", "2.000"]


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows software writes it: base letters precomposed, tone marks combining."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = bytearray()
    cluster: list[str] = []

    def flush() -> None:
        if cluster:
            base = unicodedata.normalize("NFC", "".join(c for c in cluster if c not in tones))
            out.extend((base + "".join(c for c in cluster if c in tones)).encode("cp1258"))
            cluster.clear()

    for ch in unicodedata.normalize("NFD", text):
        if not unicodedata.combining(ch):
            flush()
        cluster.append(ch)
    flush()
    return bytes(out)


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))


def xlsx(path: Path, rows: list[list], merges: list[str] = ()) -> None:
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)


def main() -> None:
    d = OUT
    # tthc_dossiers
    h = headers("tthc_dossiers")
    write_csv(d / "tthc_dossiers/SNV.csv", h + ["Ghi chú nội bộ"], [dossier_row(1) + ["x"], dossier_row(2) + ["y"]])
    write_csv(d / "tthc_dossiers/STP.csv", [("Ngày nhận" if x == "Ngày tiếp nhận" else x) for x in h],
              [dossier_row(3, "STP"), dossier_row(4, "STP")])
    write_csv(d / "tthc_dossiers/SO_XYZ.csv", h, [dossier_row(5)])
    (d / "tthc_dossiers/SKHDT.csv").write_bytes(b"")
    (d / "tthc_dossiers/STC.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook \x00\x01\x02" * 20)
    write_csv(d / "tthc_dossiers/SGTVT.csv", h, [dossier_row(6, "SGTVT")], encoding="cp1258")
    write_csv(d / "tthc_dossiers/SYT.csv", h, [dossier_row(7, "SYT")], encoding="utf-16")
    plain = d / "tthc_dossiers/_plain_SCT.xlsx"
    xlsx(plain, [h, dossier_row(8, "SCT")])
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as src, open(d / "tthc_dossiers/SCT.xlsx", "wb") as dst:
        OOXMLFile(src).encrypt("matkhau123", dst)
    plain.unlink()
    # tthc_summary
    h = headers("tthc_summary")
    write_csv(d / "tthc_summary/SNV.csv", [x for x in h if x != "Lĩnh vực"],
              [[v for j, v in enumerate(summary_row("SNV", "Nội vụ")) if h[j] != "Lĩnh vực"]])
    write_csv(d / "tthc_summary/STP.csv", h, [])
    write_csv(d / "tthc_summary/SCT.csv", h, [summary_row("SCT", "Công thương"), summary_row("SCT", "Điện"),
                                             ["Tổng cộng", "", "", "", "24", "10", "8", "2", "4", "18", "6", "10", "2",
                                              "6", "4", "2"]])
    xlsx(d / "tthc_summary/SXD.xlsx", [h, summary_row("SXD", "Xây dựng")[:4] + ["=F2+G2+H2+I2"] + summary_row("SXD", "x")[5:]])
    # two header rows with merged group cells, as offices type them
    top = ["Quý", "Mã cơ quan", "Cấp giải quyết", "Lĩnh vực", "Tiếp nhận", None, None, None, None,
           "Đã giải quyết", None, None, None, "Đang giải quyết", None, None]
    sub = [None, None, None, None, "Tổng số", "Trực tuyến", "Trực tiếp", "Bưu chính", "Kỳ trước chuyển qua",
           "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số", "Trong hạn", "Quá hạn"]
    xlsx(d / "tthc_summary/SYT.xlsx", [["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT TTHC QUÝ II/2023"], top, sub,
                                       summary_row("SYT", "Y tế"), summary_row("SYT", "Dược")],
         merges=["E2:I2", "J2:M2", "N2:P2", "A2:A3", "B2:B3", "C2:C3", "D2:D3"])
    # online_services
    h = headers("online_services")
    bad = online_row("SNV")
    bad[2] = "120 thủ tục"
    write_csv(d / "online_services/SNV.csv", h, [bad])
    bad = online_row("STP")
    bad[8] = "1.600"  # paid online 1.600 > transactions 1.500
    write_csv(d / "online_services/STP.csv", h, [bad])
    write_csv(d / "online_services/SYT.csv", h, [online_row("SYT", "2023Q1")])
    # e_documents
    write_csv(d / "e_documents/SNV.csv", headers("e_documents"), [["2023Q2", "SNV", "Toàn cơ quan", "400", "350", "-5", "200", "Có"]])
    # pakn
    h = headers("pakn")
    write_csv(d / "pakn/TAM_KY.csv", h, [
        ["PAKN-001", "TAM_KY", "Huyện", "Tổng đài 1022", "03/04/2023", "13/04/2023", "10/04/2023", "Có", "Hỏi về hồ sơ đất đai"],
        ["PAKN-001", "TAM_KY", "Xã", "Trực tiếp", "05/04/2023", "15/04/2023", "", "Không", "Phản ánh thái độ"]])
    # legacy font encodings in the free-text column, typed by hand from the published tables
    # (parplan/inputs/legacy_encodings.csv): TCVN3 (VPUBND), VNI (BDT), both in one column (SNGV, unsafe)
    tcvn3 = ["Ph¶n ¸nh chËm tr¶ kÕt qu¶ hå s¬ ®Êt ®ai", "KiÕn nghÞ c«ng khai lÖ phÝ hé tÞch", "Së Néi vô tr¶ lêi ®óng h¹n",
             "Ng\u00adêi d©n ph¶n ¸nh ®\u00adêng giao th«ng xuèng cÊp"]  # U+00AD (soft hyphen) is TCVN3's 'ư'
    vni = ["Phaûn aùnh chaäm traû keát quaû hoà sô ñaát ñai", "Kieán nghò coâng khai leä phí hoä tòch",
           "Ngöôøi daân phaûn aùnh ñöôøng giao thoâng xuoáng caáp"]
    legacy_h = ["Mã PAKN", "Mã cơ quan", "Cấp xử lý", "Kênh tiếp nhận", "Ngày tiếp nhận", "Hạn xử lý", "Ngày xử lý xong",
                "Đã công khai kết quả trả lời", "Nội dung tóm tắt"]
    for code, texts in (("VPUBND", tcvn3), ("BDT", vni), ("SNGV", [tcvn3[0], vni[1]])):
        write_csv(d / f"pakn/{code}.csv", legacy_h, [
            [f"PA-{code}-23{i:04d}", code, "Tỉnh", "Tổng đài 1022", f"{3 + i:02d}/04/2023", f"{18 + i:02d}/04/2023",
             f"{10 + i:02d}/04/2023", "Có", t] for i, t in enumerate(texts, 1)])
    # disbursement
    h = headers("disbursement")
    write_csv(d / "disbursement/SKHDT.csv", h, [["SYT", "30/06/2023", "12.500,5", "4.200"],
                                               ["SO_ABC", "30/06/2023", "1.000", "200"]])
    # economy: Vietnamese number formats (thousands dots, decimal comma) read correctly
    write_csv(d / "economy/SKHDT.csv", headers("economy"), [
        ["Tổng sản phẩm trên địa bàn (GRDP, tỷ đồng, giá so sánh)", "2023Q2", "58.123,4", "Cục Thống kê"],
        ["Số doanh nghiệp thành lập mới", "2023Q2", "612", "Sở KH&ĐT"]])
    import bad_inputs_rules  # identities, keys across files, wrong quarter, plausibility (issue 13 part 2)

    bad_inputs_rules.main()
    import bad_inputs_reader  # number conventions, rows that are not records, official form, .xls (issue 13 part 1)

    bad_inputs_reader.main()
    print(f"bad-input corpus written under {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
