"""Legacy font encodings (TCVN3 / VNI): conversion checked against hand-picked words, never against itself.

Every expected value below was written out by hand from the published tables cited in
parplan/inputs/legacy_encodings.csv (TCVN 5712:1993 as in libX11's tcvn.h; VNI Windows as in vietnamese-conversion),
e.g. TCVN3 byte B6 '¶' = U+1EA3 'ả', EB 'ë' = U+1EDF 'ở', E9 'é' = U+1ED9 'ộ', F4 'ô' = U+1EE5 'ụ', AD (soft
hyphen) = U+01B0 'ư'; VNI 'aû' = 'ả', 'ôû' = 'ở', 'oä' = 'ộ', 'uï' = 'ụ', 'ñ' = 'đ', 'ö' = 'ư', 'ôø' = 'ờ'.
"""
from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from parplan.catalogue import plan_for
from parplan.inputs.legacy_encoding import convert_column, is_syllable, judge_cell, tables

ROOT = Path(__file__).resolve().parents[1]
PAKN = ROOT / "tests" / "bad_inputs" / "2023Q2" / "pakn"
SH = "\u00ad"  # TCVN3 'ư'

TCVN3_WORDS = [
    ("Qu¶ng Nam", "Quảng Nam"),
    ("Së Néi vô", "Sở Nội vụ"),
    (f"Tr{SH}êng häc", "Trường học"),
    ("§iÖn Bµn", "Điện Bàn"),
    ("Thñ tôc hµnh chÝnh", "Thủ tục hành chính"),
    ("Ph¶n ¸nh chËm tr¶ kÕt qu¶ hå s¬ ®Êt ®ai", "Phản ánh chậm trả kết quả hồ sơ đất đai"),
    ("QU¶NG NAM", "QUẢNG NAM"),  # typed with the capitals font .VnTimeH: lower-case codes, drawn as capitals
]
VNI_WORDS = [
    ("Quaûng Nam", "Quảng Nam"),
    ("Sôû Noäi vuï", "Sở Nội vụ"),
    ("Tröôøng hoïc", "Trường học"),
    ("Ñieän Baøn", "Điện Bàn"),
    ("Thuû tuïc haønh chính", "Thủ tục hành chính"),
    ("ÑAØ NAÜNG", "ĐÀ NẴNG"),
]


def test_table_is_the_published_one():
    t = tables()
    assert len(t["TCVN3"]) == 14 + 74 + 60  # A1-AE, B5-FE, capitals written as base + toned lower-case letter
    assert len(t["VNI"]) == 134
    assert t["TCVN3"]["\u00b6"] == "\u1ea3" and t["TCVN3"][SH] == "\u01b0" and t["TCVN3"]["\u00ae"] == "\u0111"
    assert t["VNI"]["a\u00fb"] == "\u1ea3" and t["VNI"]["\u00f1"] == "\u0111" and t["VNI"]["y\u00f5"] == "\u1ef9"
    assert all(unicodedata.is_normalized("NFC", u) for e in t.values() for u in e.values())


@pytest.mark.parametrize(("typed", "expected"), TCVN3_WORDS)
def test_tcvn3_words(typed, expected):
    c = convert_column([typed, "PAKN-001", ""])
    assert (c.encoding, c.unsafe) == ("TCVN3", False)
    assert c.values == [expected, "PAKN-001", ""]


@pytest.mark.parametrize(("typed", "expected"), VNI_WORDS)
def test_vni_words(typed, expected):
    c = convert_column([typed])
    assert (c.encoding, c.unsafe, c.values) == ("VNI", False, [expected])


def test_note_names_encoding_rows_and_example():
    c = convert_column(["Qu¶ng Nam", "Së Néi vô"], rows=[4, 7], column="Nội dung tóm tắt")
    assert c.rows == (4, 7)
    assert "TCVN3" in c.message_vi and "dòng 4, 7" in c.message_vi and "«Nội dung tóm tắt»" in c.message_vi
    assert "«Qu¶ng Nam» → «Quảng Nam»" in c.message_vi
    assert "TCVN3" in c.message_en and "rows 4, 7" in c.message_en


@pytest.mark.parametrize("text", [
    "Quảng Nam", "Núi Thành", "Hoá", "Thừa Thiên Huế", "Người dân phản ánh", "Café", "José", "Müller",
    "5 × 3", "© 2023", "25°C", "½ ngày", "PAKN-001", "1.001046", "", "Tổng đài 1022", "“Một cửa” – liên thông",
])
def test_unicode_and_ascii_are_never_detected(text):
    c = convert_column([text, "Sở Nội vụ"])
    assert (c.encoding, c.unsafe, c.message_vi) == (None, False, "")
    assert c.values == [text, "Sở Nội vụ"]


def test_mixed_encodings_are_unsafe():
    c = convert_column(["Qu¶ng Nam", "Quaûng Nam"], rows=[2, 3], column="Nội dung")
    assert c.unsafe and c.encoding is None and c.values == ["Qu¶ng Nam", "Quaûng Nam"]
    assert "TCVN3 ở dòng 2" in c.message_vi and "VNI ở dòng 3" in c.message_vi
    assert c.rows == (2, 3)


def test_legacy_beside_unicode_is_unsafe():
    c = convert_column(["Qu¶ng Nam", "Quảng Nam"], rows=[2, 3])
    assert c.unsafe and "Unicode ở dòng 3" in c.message_vi and "TCVN3 ở dòng 2" in c.message_vi


def test_text_that_reads_two_ways_is_unsafe():
    # 'Ño': VNI Ñ = Đ gives 'Đo'; TCVN3 D1 = U+1EB9 'ẹ' gives 'ẹo': both valid Vietnamese syllables
    j = judge_cell("Ño")
    assert j.kind == "ambiguous" and j.readings == {"TCVN3": "ẹo", "VNI": "Đo"}
    c = convert_column(["Ño"], rows=[5])
    assert c.unsafe and c.rows == (5,) and "«Ño»" in c.message_vi


def test_undecodable_cell_in_a_legacy_column_is_unsafe():
    c = convert_column(["Qu¶ng Nam", "Müller"], rows=[2, 3])
    assert c.unsafe and c.rows == (3,) and "TCVN3" in c.message_vi


def test_masked_display_of_values_in_messages():
    c = convert_column(["NguyÔn V¨n A"], column="Họ tên", shown=lambda v: "***")
    assert c.values == ["Nguyễn Văn A"] and "NguyÔn" not in c.message_vi and "Nguyễn" not in c.message_vi


def test_legacy_share():
    assert judge_cell("Qu¶ng Nam").legacy_share == 1.0  # '¶' never occurs in NFC Vietnamese
    assert judge_cell("Sở Nội vụ").legacy_share == 0.0
    assert judge_cell("Së Néi vô").legacy_share == pytest.approx(1 / 3)  # ë is legacy-only; é and ô occur in Unicode


@pytest.mark.parametrize(("word", "ok"), [
    ("người", True), ("nguyễn", True), ("khuya", True), ("thuở", True), ("tỉnh", True), ("quý", True),
    ("vaên", False), ("caùc", False), ("tiê", False), ("thổnh", False), ("mỹller", False), ("ǹ", False),
])
def test_syllables(word, ok):
    assert is_syllable(word) is ok


def _summary_column(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [r["Nội dung tóm tắt"] for r in csv.DictReader(fh)]


def test_bad_input_fixtures_convert_to_the_hand_written_text():
    tc = convert_column(_summary_column(PAKN / "VPUBND.csv"))
    assert tc.encoding == "TCVN3" and tc.values == [
        "Phản ánh chậm trả kết quả hồ sơ đất đai", "Kiến nghị công khai lệ phí hộ tịch", "Sở Nội vụ trả lời đúng hạn",
        "Người dân phản ánh đường giao thông xuống cấp"]
    vn = convert_column(_summary_column(PAKN / "BDT.csv"))
    assert vn.encoding == "VNI" and vn.values == [
        "Phản ánh chậm trả kết quả hồ sơ đất đai", "Kiến nghị công khai lệ phí hộ tịch",
        "Người dân phản ánh đường giao thông xuống cấp"]
    mixed = convert_column(_summary_column(PAKN / "SNGV.csv"), rows=[2, 3])
    assert mixed.unsafe and mixed.rows == (2, 3)


def _sample_tables():
    import openpyxl

    for f in sorted((ROOT / "data" / "raw").rglob("*.csv")):
        with f.open(encoding="utf-8-sig", newline="") as fh:
            yield f, list(csv.reader(fh))
    for f in sorted((ROOT / "data" / "raw").rglob("*.xlsx")):
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        for ws in wb.worksheets:
            yield f, [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()


def test_no_false_positive_on_the_shipped_sample():
    tables = list(_sample_tables())
    assert len(tables) > 100 and any(f.suffix == ".xlsx" for f, _ in tables)
    for f, rows in tables:
        for j in range(max(map(len, rows), default=0)):
            c = convert_column([r[j] if j < len(r) else "" for r in rows])
            assert (c.encoding, c.unsafe) == (None, False), (f, j, c.message_en)


def test_ingest_stores_the_converted_text_and_notes_the_encoding(tmp_path):
    import shutil

    import pandas as pd

    from parplan.ingest import ingest_quarter

    raw = tmp_path / "data" / "raw" / "2023Q2" / "pakn"
    raw.mkdir(parents=True)
    for code in ("VPUBND", "BDT", "SNGV"):
        shutil.copy(PAKN / f"{code}.csv", raw / f"{code}.csv")
    manifest = ingest_quarter("2023Q2", tmp_path / "data", {"pakn": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    files = {f["agency"]: f for f in manifest["datasets"][0]["files"]}
    notes = {a: [i for i in f["issues"] if i["rule"].startswith("legacy_encoding")] for a, f in files.items()}
    assert files["VPUBND"]["verdict"] == "accepted" and "TCVN3" in notes["VPUBND"][0]["vi"]
    assert files["BDT"]["verdict"] == "accepted" and "VNI" in notes["BDT"][0]["vi"]
    assert files["SNGV"]["verdict"] == "rejected" and notes["SNGV"][0]["rule"] == "legacy_encoding_unsafe"
    table = pd.read_parquet(tmp_path / "data" / "processed" / "2023Q2" / "pakn.parquet")
    got = dict(zip(table["pakn_id"], table["summary"], strict=True))
    assert got["PA-VPUBND-230003"] == "Sở Nội vụ trả lời đúng hạn"
    assert got["PA-VPUBND-230004"] == "Người dân phản ánh đường giao thông xuống cấp"  # the soft hyphen is 'ư'
    assert got["PA-BDT-230002"] == "Kiến nghị công khai lệ phí hộ tịch"
    assert not any(k.startswith("PA-SNGV") for k in got)  # rejected: never stored half-converted
    assert all(unicodedata.is_normalized("NFC", v) for v in got.values())
