"""Reading agency submissions: encodings, delimiters, header spellings, Excel layouts, dates, atomic writes."""
from __future__ import annotations

import csv
import datetime as dt
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parplan.contracts import load_contract
from parplan.io import ROW, ReadError, atomic_write, parse_date, read_table

CONTRACT = load_contract("tthc_dossiers")
HEADER_VI = [c.header_vi for c in CONTRACT.columns]
HEADER_CODE = CONTRACT.names  # dossier_id, agency_code, ... (canonical names)


def dossier(i: int, **over: str) -> list[str]:
    """One valid department dossier, in the contract's column order, cells as the one-stop system exports them."""
    r = {
        "dossier_id": f"SNV-P2304{i:02d}-{i:05d}", "agency_code": "SNV", "level": "Tỉnh", "commune": "",
        "procedure_code": "1.001234", "received_date": "03/04/2023", "due_date": "10/04/2023",
        "completed_date": "05/04/2023", "status": "Đã giải quyết", "channel": "Trực tiếp", "fully_online": "Không",
        "fee_required": "Không", "paid_online": "Không", "digitised": "Có", "apology_letter": "Không",
    }
    r.update(over)
    return [r.get(n, "") for n in HEADER_CODE]  # columns added to the contract later are optional


ROWS = [dossier(1), dossier(2, channel="Trực tuyến", fully_online="Có"), dossier(3, status="Đang giải quyết",
                                                                                  completed_date="")]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, header: list[str] = HEADER_VI, rows: list[list[str]] = ROWS, *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(header, rows, delimiter).encode(encoding))
    return path


def values(frame) -> list[list[str]]:
    return frame[HEADER_CODE].astype(object).values.tolist()


# ------------------------------------------------------------------ CSV
def test_plain_utf8_csv(tmp_path):
    rr = read_table(write_csv(tmp_path / "SNV.csv"), CONTRACT)
    assert rr.header_row == 1 and rr.sheet is None and rr.notes == []
    assert list(rr.frame.columns) == [ROW] + HEADER_CODE
    assert rr.frame[ROW].tolist() == [2, 3, 4]
    assert values(rr.frame) == ROWS


def test_utf8_csv_with_bom(tmp_path):
    rr = read_table(write_csv(tmp_path / "SNV.csv", encoding="utf-8-sig"), CONTRACT)
    assert (tmp_path / "SNV.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(rr.frame.columns) == [ROW] + HEADER_CODE  # the BOM does not stick to 'Mã hồ sơ'
    assert values(rr.frame) == ROWS
    assert rr.frame[ROW].tolist() == [2, 3, 4]


def test_code_name_headers_give_the_same_frame(tmp_path):
    (tmp_path / "vi").mkdir()
    (tmp_path / "code").mkdir()
    vi = read_table(write_csv(tmp_path / "vi" / "SNV.csv"), CONTRACT)
    code = read_table(write_csv(tmp_path / "code" / "SNV.csv", header=HEADER_CODE), CONTRACT)
    assert code.notes == []
    assert code.frame.equals(vi.frame)


def test_semicolon_delimited_csv(tmp_path):
    path = write_csv(tmp_path / "SNV.csv", delimiter=";")
    assert "Có phí, lệ phí" in path.read_text(encoding="utf-8")  # a header holding a comma
    rr = read_table(path, CONTRACT)
    assert rr.notes == []
    assert list(rr.frame.columns) == [ROW] + HEADER_CODE
    assert values(rr.frame) == ROWS


def test_blank_lines_are_skipped_but_line_numbers_kept(tmp_path):
    text = csv_text(HEADER_VI, ROWS)
    lines = text.splitlines(keepends=True)
    (tmp_path / "SNV.csv").write_text(lines[0] + lines[1] + "\n" + lines[2] + lines[3], encoding="utf-8")
    rr = read_table(tmp_path / "SNV.csv", CONTRACT)
    assert rr.frame[ROW].tolist() == [2, 4, 5]
    assert values(rr.frame) == ROWS


def test_utf16_csv_is_refused_with_a_hint(tmp_path):
    path = write_csv(tmp_path / "SNV.csv", encoding="utf-16")
    with pytest.raises(ReadError, match="UTF-16"):
        read_table(path, CONTRACT)


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_non_utf8_csv_is_refused_with_a_hint(tmp_path, encoding):
    raw = csv_text(HEADER_VI, ROWS).encode(encoding, errors="replace")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is not UTF-8
    (tmp_path / "SNV.csv").write_bytes(raw)
    with pytest.raises(ReadError, match="UTF-8"):
        read_table(tmp_path / "SNV.csv", CONTRACT)


@pytest.mark.parametrize("content", [b"", b"\n\n", b",,,\n,,\n"])
def test_empty_file(tmp_path, content):
    (tmp_path / "SNV.csv").write_bytes(content)
    with pytest.raises(ReadError, match="(?i)empty|rỗng"):
        read_table(tmp_path / "SNV.csv", CONTRACT)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "SNV.txt"
    path.write_text(csv_text(HEADER_VI, ROWS), encoding="utf-8")
    with pytest.raises(ReadError, match="(?i)unsupported"):
        read_table(path, CONTRACT)


def test_no_header_row(tmp_path):
    (tmp_path / "SNV.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ReadError, match="(?i)header"):
        read_table(tmp_path / "SNV.csv", CONTRACT)


def test_text_is_nfc(tmp_path):
    nfd_header = [unicodedata.normalize("NFD", h) for h in HEADER_VI]
    nfd_rows = [[unicodedata.normalize("NFD", c) for c in r] for r in ROWS]
    nfd_rows[0][HEADER_CODE.index("commune")] = unicodedata.normalize("NFD", "Xã Tam Thăng")
    assert nfd_rows[0][HEADER_CODE.index("status")] != "Đã giải quyết"  # really decomposed
    rr = read_table(write_csv(tmp_path / "SNV.csv", nfd_header, nfd_rows), CONTRACT)
    assert list(rr.frame.columns) == [ROW] + HEADER_CODE  # NFD headers still recognised
    assert rr.frame["status"].iloc[0] == "Đã giải quyết"
    assert rr.frame["commune"].iloc[0] == "Xã Tam Thăng"
    for v in rr.frame[HEADER_CODE].astype(object).values.ravel():
        assert unicodedata.is_normalized("NFC", v), repr(v)


# ------------------------------------------------------------------ Excel
def write_xlsx(path: Path, rows: list[list[str]], total: bool = True) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hồ sơ"
    ws.append(["DANH SÁCH HỒ SƠ TTHC — Sở Nội vụ — Quý II/2023"])  # row 1: title
    ws.append([])  # row 2: blank
    ws.append(HEADER_VI)  # row 3: header
    for r in rows:
        ws.append(r)
    if total:
        ws.append(["Tổng cộng", f"{len(rows)} hồ sơ"])
    wb.save(path)
    return path


def test_xlsx_title_blank_header_total(tmp_path):
    rr = read_table(write_xlsx(tmp_path / "SNV.xlsx", ROWS), CONTRACT)
    assert rr.sheet == "Hồ sơ"
    assert rr.header_row == 3
    assert list(rr.frame.columns) == [ROW] + HEADER_CODE
    assert rr.frame[ROW].tolist() == [4, 5, 6]  # Excel row numbers
    assert values(rr.frame) == ROWS
    totals = [n for n in rr.notes if n["rule"] == "total_row"]
    assert len(totals) == 1 and totals[0]["row"] == 7 and totals[0]["severity"] == "info"
    assert not rr.frame["dossier_id"].str.contains("Tổng").any()


def test_xlsx_last_ordinary_row_is_kept(tmp_path):
    rr = read_table(write_xlsx(tmp_path / "SNV.xlsx", ROWS, total=False), CONTRACT)
    assert rr.frame[ROW].tolist() == [4, 5, 6]
    assert values(rr.frame) == ROWS
    assert [n for n in rr.notes if n["rule"] == "total_row"] == []


def test_xlsx_real_date_cells(tmp_path):
    rows = [list(r) for r in ROWS]
    cells: list[list[object]] = []
    for r in rows:
        c: list[object] = list(r)
        for name in ("received_date", "due_date", "completed_date"):
            j = HEADER_CODE.index(name)
            if r[j]:
                c[j] = dt.datetime.strptime(r[j], "%d/%m/%Y")
        cells.append(c)
    rr = read_table(write_xlsx(tmp_path / "SNV.xlsx", cells), CONTRACT)  # type: ignore[arg-type]
    assert rr.frame["received_date"].tolist() == ["2023-04-03"] * 3
    assert parse_date(rr.frame["received_date"].iloc[0]) == dt.date(2023, 4, 3)


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "SNV.xlsx"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(ReadError):
        read_table(path, CONTRACT)


def test_xlsx_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "SNV.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    with pytest.raises(ReadError):
        read_table(path, CONTRACT)


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize("text, expected", [
    ("01/06/2023", dt.date(2023, 6, 1)),
    ("2023-06-01", dt.date(2023, 6, 1)),
    ("1/6/2023", dt.date(2023, 6, 1)),
    ("31/12/2023", dt.date(2023, 12, 31)),
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("31/02/2023", None),
    ("29/02/2023", None),
    ("31/06/2023", None),
    ("2023-02-30", None),
    ("06/01/23", None),
    ("01.06.2023", None),
    ("", None),
    ("   ", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_none():
    assert parse_date(None) is None  # type: ignore[arg-type]


@given(st.text())
def test_parse_date_never_raises(text):
    out = parse_date(text)
    assert out is None or isinstance(out, dt.date)


# Years below 1000 are excluded: strftime('%Y') does not zero-pad them ('999'), so the text is not dd/mm/yyyy.
@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_parse_date_round_trips_dd_mm_yyyy(d):
    assert parse_date(d.strftime("%d/%m/%Y")) == d
    assert parse_date(d.isoformat()) == d


# ------------------------------------------------------------------ atomic_write
def test_atomic_write_failure_keeps_target_and_cleans_up(tmp_path):
    target = tmp_path / "out" / "table.parquet"
    target.parent.mkdir()
    target.write_text("old content", encoding="utf-8")

    def writer(p: Path) -> None:
        p.write_text("half-writ", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, writer)
    assert target.read_text(encoding="utf-8") == "old content"
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.parquet"]


def test_atomic_write_failure_without_previous_file(tmp_path):
    target = tmp_path / "new.txt"
    with pytest.raises(ValueError):
        atomic_write(target, lambda p: (_ for _ in ()).throw(ValueError("boom")))
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_success_is_shared_readable(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "sub" / "manifest.json"
        atomic_write(target, lambda p: p.write_text("{}", encoding="utf-8"))
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "{}"
    assert target.stat().st_mode & 0o044 != 0
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["manifest.json"]


def test_atomic_write_replaces_existing(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("old", encoding="utf-8")
    atomic_write(target, lambda p: p.write_text("new", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_multiline_cell_keeps_officer_line_numbers(tmp_path):
    """A quoted cell spanning two lines: later rows keep the line number a text editor shows."""
    from parplan.contracts import load_contract
    from parplan.io import read_table

    c = load_contract("tthc_dossiers")
    p = tmp_path / "SNV.csv"
    header = ",".join(f'"{x.header_vi}"' for x in c.columns)
    p.write_text(header + '\nA-001,SNV,Tỉnh,"dòng một\ndòng hai",1.1\nA-002,SNV,Tỉnh,,1.2\n', encoding="utf-8")
    f = read_table(p, c).frame
    assert list(f["_row"]) == [2, 4]
    assert f.loc[0, "commune"] == "dòng một\ndòng hai"


# ------------------------------------------------------------------ the fast CSV path (files of 40+ lines)
def many(n: int) -> list[list[str]]:
    return [dossier(i % 90 + 1, dossier_id=f"SNV-P{i:07d}") for i in range(n)]


def careful(path: Path) -> object:
    """read_table with the fast path switched off."""
    import parplan.io as pio

    with pytest.MonkeyPatch.context() as m:
        m.setattr(pio, "_read_csv_fast", lambda *a: None)
        return read_table(path, CONTRACT)


def same_result(a, b) -> None:
    import pandas as pd

    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert (a.sheet, a.header_row, a.notes) == (b.sheet, b.header_row, b.notes)


def test_fast_path_taken_for_a_regular_file(tmp_path):
    """A regular export (BOM, ';', NFD text, blank lines, total row) goes through Arrow and equals the careful read."""
    import parplan.io as pio

    rows = many(60)
    rows[5] = [""] * len(HEADER_VI)  # a blank record in the middle
    rows[7][9] = unicodedata.normalize("NFD", "Trực tuyến")
    rows.append(["Tổng cộng"] + [""] * (len(HEADER_VI) - 1))
    path = tmp_path / "SNV.csv"
    path.write_bytes(("\ufeff" + "Báo cáo quý 2/2023\n" + csv_text(HEADER_VI, rows, ";")).encode("utf-8"))
    raw = pio._csv_bytes(path)
    assert pio._read_csv_fast(raw, pio._delimiter(raw), CONTRACT) is not None
    fast = read_table(path, CONTRACT)
    same_result(fast, careful(path))
    assert len(fast.frame) == 59  # 60 records − the blank one; the total row is a note
    assert fast.frame[ROW].iloc[:6].tolist() == [3, 4, 5, 6, 7, 9]  # title line 1, header line 2, blank line 8
    assert fast.frame["channel"].iloc[6] == "Trực tuyến" and unicodedata.is_normalized("NFC", fast.frame["channel"].iloc[6])
    # the blank spacer (line 8) and the total row (line 63) are dropped, each with a note naming its line
    assert [(n["rule"], n["row"]) for n in fast.notes] == [("blank_row", 8), ("total_row", 63)]


def test_quoted_line_break_falls_back_with_exact_line_numbers(tmp_path):
    rows = many(50)
    rows[10][3] = "Xã A\nthôn B"  # a cell over two lines: Arrow's one-record-per-line numbering would drift
    path = write_csv(tmp_path / "SNV.csv", rows=rows)
    rr = read_table(path, CONTRACT)
    assert rr.frame[ROW].iloc[9:13].tolist() == [11, 12, 14, 15]
    assert rr.frame["commune"].iloc[10] == "Xã A\nthôn B"


def test_bad_byte_late_in_a_long_file_is_named(tmp_path):
    path = write_csv(tmp_path / "SNV.csv", rows=many(80))
    data = path.read_bytes()
    # an ASCII byte after an ASCII byte: the decoder reports exactly this offset
    at = next(i for i in range(len(data) - 20, 0, -1) if data[i] < 0x80 and data[i - 1] < 0x80)
    path.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    with pytest.raises(ReadError, match=f"vị trí {at}"):
        read_table(path, CONTRACT)


CELL = st.one_of(st.text(alphabet=list("ab ,;\"\n\r\t\u00a0\u0301\x1ceếệ="), max_size=6),
                 st.sampled_from(["", "Tổng cộng", "Có", "03/04/2023", "Trực tuyến"]))


@given(st.lists(st.lists(CELL, min_size=0, max_size=17), min_size=40, max_size=70), st.sampled_from([",", ";"]))
def test_fast_and_careful_readers_agree(tmp_path_factory, rows, delim):
    """Whatever the cells (quotes, delimiters, line breaks, odd spaces, ragged rows), both readers give one result."""
    path = tmp_path_factory.mktemp("agree") / "SNV.csv"
    path.write_bytes(csv_text(HEADER_VI, rows, delim).encode("utf-8"))
    try:
        fast = read_table(path, CONTRACT)
    except ReadError as e:
        with pytest.raises(ReadError) as again:
            careful(path)
        assert str(again.value) == str(e)
        return
    same_result(fast, careful(path))


def test_file_hash_follows_changes(tmp_path):
    import hashlib

    from parplan.io import sha256

    p = tmp_path / "a.csv"
    p.write_bytes(b"one")
    assert sha256(p) == hashlib.sha256(b"one").hexdigest()
    p.write_bytes(b"two, longer")
    assert sha256(p) == hashlib.sha256(b"two, longer").hexdigest()


@st.composite
def regular_rows(draw):
    width = draw(st.integers(min_value=14, max_value=17))
    cell = st.one_of(st.text(alphabet=list("ab ,\"\u00a0\u0301\x1ceếệ="), max_size=6),  # ';'/tab could win the delimiter
                     st.sampled_from(["", "Tổng cộng", "Có", "03/04/2023", "Trực tuyến"]))
    return draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=40, max_size=70))


@given(regular_rows())
def test_fast_path_used_and_equal_on_single_line_records(tmp_path_factory, rows):
    """Records without line breaks, all one width: Arrow reads them (no fallback) and both readers agree."""
    import parplan.io as pio

    path = tmp_path_factory.mktemp("regular") / "SNV.csv"
    path.write_bytes(csv_text(HEADER_VI, rows).encode("utf-8"))
    raw = pio._csv_bytes(path)
    fast = pio._read_csv_fast(raw, pio._delimiter(raw), CONTRACT)
    extra_cells = any(r[j].strip() for r in rows for j in range(len(HEADER_VI), len(r)))
    assert (fast is None) == extra_cells  # only cells beyond the header send it to the careful reader
    if fast is not None:
        same_result(fast, careful(path))


def test_cells_beyond_the_header_are_reported_not_silently_dropped(tmp_path):
    """Text to the right of the last header column is not read, and each such row gets a warning naming it."""
    from parplan.io import MAX_ROW_NOTES

    n = MAX_ROW_NOTES + 5
    rows = [dossier(i) + ([""] * 2 + [f"ghi chú {i}"] if i % 2 else []) for i in range(2 * n)]
    path = tmp_path / "SNV.csv"
    path.write_bytes(csv_text(HEADER_VI, rows).encode("utf-8"))
    rr = read_table(path, CONTRACT)
    assert len(rr.frame) == 2 * n  # every record kept
    notes = [x for x in rr.notes if x["rule"] == "cells_beyond_header"]
    odd_lines = [i + 2 for i in range(2 * n) if i % 2]  # header on line 1
    assert [x["row"] for x in notes[:MAX_ROW_NOTES]] == odd_lines[:MAX_ROW_NOTES]
    first = notes[0]
    assert first["column"] == f"#{len(HEADER_VI) + 3}" and "ghi chú 1" in first["vi"] and "ghi chú 1" in first["en"]
    assert notes[-1]["row"] is None and f"{n - MAX_ROW_NOTES}" in notes[-1]["en"]
    assert len(notes) == MAX_ROW_NOTES + 1
