"""Read agency submissions (.csv / .xlsx / .xls) into tables of NFC-normalised strings with source row numbers."""
from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .contracts import INVISIBLE, Contract, header_key, plain_key
from .inputs import headers, numbers, rows

ROW = "_row"  # source row number as the officer sees it (CSV line / Excel row)
MAX_XLSX_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024


# what str.strip() removes: the careful reader and the fast one trim exactly the same characters
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
ASCII_WHITESPACE = "".join(c for c in WHITESPACE if c.isascii())


# what each finding of the reader checks, as reviewers read it (the notes themselves carry the detailed message)
READER_RULES: dict[str, tuple[str, str]] = {
    "total_row": ("Dòng tổng cộng, cộng nhóm được bỏ qua", "total and subtotal rows are ignored"),
    "total_mismatch": ("Dòng tổng phải bằng tổng các dòng số liệu", "a total row must equal the sum of the rows"),
    "group_row": ("Dòng tiêu đề nhóm được bỏ qua", "group heading rows are ignored"),
    "numbering_row": ("Dòng đánh số cột được bỏ qua", "the column-numbering row is ignored"),
    "blank_row": ("Dòng trống được bỏ qua", "blank rows are ignored"),
    "footer_row": ("Ghi chú, chữ ký dưới bảng được bỏ qua", "notes and signatures under the table are ignored"),
    "number_locale": ("Cách ghi số của tệp (kiểu Việt Nam hoặc tiếng Anh)", "the file's number convention"),
    "number_locale_conflict": ("Mọi số trong tệp phải ghi cùng một kiểu", "every number in a file written one way"),
    "number_locale_ambiguous": ("Cách ghi số phải xác định được", "the number convention must be decidable"),
    "header_loose_match": ("Tiêu đề cột gõ không dấu hoặc khác chữ hoa, chữ thường",
                           "column headers typed without diacritics or in another case"),
    "header_ambiguous": ("Tiêu đề cột phải chỉ rõ một cột", "a column header must name one column"),
    "value_loose_match": ("Giá trị gõ không dấu", "values typed without diacritics"),
    "column_from_layout": ("Cột lấy từ dòng tiêu đề, tên tệp hoặc dòng nhóm",
                           "columns taken from the title, the file name or the group rows"),
    "date_serial": ("Ngày ghi dạng số seri của Excel", "dates stored as Excel serial numbers"),
    "date_with_time": ("Ngày có kèm giờ", "dates with a time of day"),
    "file_type_mismatch": ("Đuôi tệp khác loại bảng tính", "the file's extension differs from its type"),
    "legacy_encoding": ("Văn bản gõ bằng bảng mã cũ (TCVN3, VNI)", "text typed in a legacy encoding (TCVN3, VNI)"),
    "legacy_encoding_unsafe": ("Văn bản bảng mã cũ phải chuyển được an toàn",
                               "legacy-encoded text must convert safely"),
    "extra_column": ("Cột không thuộc mẫu dữ liệu", "columns not in the contract"),
    "duplicate_column": ("Mỗi cột chỉ xuất hiện một lần", "each column appears once"),
    "formula_without_value": ("Ô công thức phải có giá trị đã tính", "formula cells must have a computed value"),
    "formula_cached": ("Ô công thức dùng giá trị Excel đã tính", "formula cells use the value Excel computed"),
    "cells_beyond_header": ("Ô nằm ngoài bảng không được đọc", "cells outside the table are not read"),
}


class ReadError(ValueError):
    """A submission that cannot be read at all (encoding, corrupt file, no header)."""


@dataclass
class ReadResult:
    """What the reader got out of one file."""

    frame: pd.DataFrame
    sheet: str | None
    header_row: int
    notes: list[dict] = field(default_factory=list)
    locale: str = "vi"  # the file's number convention for numbers typed as text: 'vi' (1.234,5) or 'en' (1,234.5)


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (computed once per process while the file's size and mtime are unchanged)."""
    st = os.stat(path)
    return _sha256(str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


@functools.lru_cache(maxsize=4096)
def _sha256(path: str, size: int, mtime_ns: int, inode: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_NBSP = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " "})


def clean_text(value: str) -> str:
    """A cell's text: NFC, zero-width characters removed, non-breaking spaces as spaces, trimmed."""
    t = unicodedata.normalize("NFC", value)
    if not t.isascii():
        t = unicodedata.normalize("NFC", INVISIBLE.sub("", t).translate(_NBSP))
    return t.strip(WHITESPACE)


@dataclass(frozen=True)
class Num:
    """A number stored as a number in a workbook cell (locale-free), with the cell's number format."""

    value: float
    fmt: str = "General"


def _positional(x: float) -> str:
    """A number without exponent or thousands separators, '.' as decimal mark: 1234, 0.975, 0.00001."""
    import numpy as np

    return str(int(x)) if float(x).is_integer() else np.format_float_positional(float(x), trim="-")


_FMT_LITERAL = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_FMT_NUMBER = re.compile(r"([0#?,]*)(?:\.([0#?]+))?(%?)")


def _as_displayed(x: float, fmt: str) -> str:
    """A number in a text column (a code such as 1.001046) as its cell's number format shows it, '.' as decimal
    mark: '0.000000' keeps trailing zeros, '00000' keeps leading zeros; General gives the shortest form."""
    f = _FMT_LITERAL.sub("", (fmt or "General").split(";")[0]).strip()
    m = _FMT_NUMBER.fullmatch(f)
    if f.lower() in ("general", "@", "") or not m or not (m.group(1) or m.group(2)):
        return _positional(x)
    if m.group(3):
        x *= 100
    decimals = m.group(2) or ""
    text = f"{x:.{len(decimals)}f}"
    if decimals:
        keep = len(decimals.rstrip("#?"))
        whole, _, frac = text.partition(".")
        frac = frac[:keep] + frac[keep:].rstrip("0")
        text = whole + ("." + frac if frac else "")
    zeros = m.group(1).replace(",", "").count("0")
    sign = "-" if text.startswith("-") else ""
    whole, dot, frac = text.lstrip("-").partition(".")
    return sign + whole.zfill(zeros) + dot + frac + m.group(3)


def _text(value: object) -> str:
    """A workbook cell as text, without knowing its column's type (header rows, extra columns)."""
    if value is None:
        return ""
    if isinstance(value, Num):
        return _as_displayed(value.value, value.fmt)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return clean_text(str(value))


def _csv_bytes(path: Path) -> bytes:
    """The file's bytes without a UTF-8 BOM (UTF-16 files are refused with a hint)."""
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(
            "Tệp CSV mã hóa UTF-16; hãy lưu lại dạng 'CSV UTF-8'. / The CSV file is UTF-16 encoded; save it as 'CSV UTF-8'."
        )
    return raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw


def _decode_csv(raw: bytes) -> str:
    """UTF-8 text, NFC-normalised; a clear error naming the first bad byte otherwise."""
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ReadError(
            f"Tệp CSV không phải UTF-8 (byte lỗi ở vị trí {e.start}; có thể là Windows-1258/TCVN3); hãy lưu lại dạng "
            f"'CSV UTF-8'. / The CSV file is not UTF-8 (bad byte at offset {e.start}; perhaps Windows-1258); save it as 'CSV UTF-8'."
        ) from None


def _delimiter(raw: bytes) -> str:
    """',' unless ';' or a tab is clearly the separator in the first 4 KiB (Excel in a Vietnamese locale writes ';')."""
    sample = raw[:4096]
    if sample.count(b";") > sample.count(b",") and sample.count(b";") > sample.count(b"\t"):
        return ";"
    return "\t" if sample.count(b"\t") > sample.count(b",") else ","


def _rows_csv(text: str, delim: str) -> tuple[list[list[str]], list[int]]:
    """Records and the line each record starts on (a quoted cell may span several lines)."""
    import csv
    import io as _io

    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim)
    rows, starts, prev_end = [], [], 0
    try:
        for row in reader:
            rows.append([c.strip() if c.isascii() else clean_text(c) for c in row])
            starts.append(prev_end + 1)
            prev_end = reader.line_num
    except csv.Error as e:
        raise ReadError(f"Tệp CSV sai cấu trúc ở dòng {reader.line_num}: {e}. / Malformed CSV at line "
                        f"{reader.line_num}: {e}.") from None
    return rows, starts


HEAD_LINES = 40  # the header is looked for in the first 20 records; the fast path parses this many lines itself


def _arrow_csv(data: bytes, delim: str, skip: int, width: int) -> tuple[pd.DataFrame, Any]:
    """Every cell as NFC, trimmed text (nothing inferred, empty stays ''), columns 0..n-1, one record per physical
    line; and a mask of the records with at least one filled cell. Invalid UTF-8 raises ArrowInvalid (a ValueError)."""
    import io as _io

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = [f"f{j}" for j in range(4 * width + 64)]  # arrow's generated names; columns beyond these are refused
    table = pcsv.read_csv(
        _io.BytesIO(data),
        read_options=pcsv.ReadOptions(skip_rows=skip, autogenerate_column_names=True, use_threads=True),
        parse_options=pcsv.ParseOptions(delimiter=delim, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                            quoted_strings_can_be_null=False, check_utf8=True))
    if any(t != pa.string() for t in table.schema.types):
        raise ValueError("more columns than expected")
    cols = []
    for col in table.columns:
        if pc.all(pc.string_is_ascii(col)).as_py():
            cols.append(pc.ascii_trim(col, characters=ASCII_WHITESPACE))
        else:  # NFC and trimmed per distinct value: files repeat the same labels
            uniq = pc.unique(col)
            nfc = [clean_text(v) for v in uniq.to_pylist()]
            cols.append(pc.take(pa.array(nfc, pa.string()), pc.index_in(col, value_set=uniq)))
    filled = functools.reduce(pc.or_, [pc.not_equal(c, "") for c in cols])
    frame = pa.table(cols, names=[str(j) for j in range(len(cols))]).to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = range(frame.shape[1])
    return frame, filled.to_numpy(zero_copy_only=False)


def _read_csv_fast(raw: bytes, delim: str, contract: Contract, stem: str = "") -> ReadResult | None:
    """Arrow's multi-threaded parser for regular files (one record per line); None when the careful reader is needed.

    Falls back when a quoted cell spans lines, records differ in length, cells lie beyond the header, the bytes are
    not UTF-8, or the head of the file is irregular — the careful reader then gives the same table or the precise error.
    """
    cut = -1
    for _ in range(HEAD_LINES):
        cut = raw.find(b"\n", cut + 1)
        if cut < 0:
            return None  # a short file: the careful reader is fast enough
    try:
        head_rows, starts = _rows_csv(_decode_csv(raw[: cut + 1]), delim)
    except ReadError:
        return None
    if starts != list(range(1, len(head_rows) + 1)):
        return None
    header = headers.find(head_rows, contract)
    if not _header_found(header, contract):
        return None
    skip = header.first + header.n_rows
    try:
        body, _ = _arrow_csv(raw, delim, skip, len(header.names))
    except ValueError:  # pyarrow's ArrowInvalid is a ValueError
        return None  # ragged records, stray quotes, bad bytes …: the careful reader says exactly where
    n_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if len(body) != n_lines - skip:
        return None  # a record spans lines: line numbers would drift
    names, notes = _column_names(header, header.first + 1, contract)
    if body.shape[1] > len(names):
        if (body.iloc[:, len(names):] != "").any(axis=None):
            return None
        body = body.iloc[:, : len(names)]
    for j in range(body.shape[1], len(names)):
        body[j] = ""
    body.columns = names
    lines = np.arange(skip + 1, skip + 1 + len(body), dtype="int64")
    title = [" ".join(c for c in r if c) for r in head_rows[: header.first]]
    return _finish(body, lines, contract, header, None, header.first + 1, notes, None, ([t for t in title if t], stem))


def _check_xlsx_size(path: Path) -> None:
    import zipfile

    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise ReadError(f"Tệp quá lớn ({size} byte). / File too large ({size} bytes, limit {MAX_XLSX_BYTES}).")
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise ReadError(
            "Tệp .xlsx bị hỏng hoặc có mật khẩu (không mở được). / The .xlsx file is corrupt or password-protected."
        ) from None
    if total > MAX_XLSX_UNCOMPRESSED:
        raise ReadError(
            f"Tệp .xlsx giải nén quá lớn ({total} byte). / The .xlsx expands to {total} bytes (limit {MAX_XLSX_UNCOMPRESSED})."
        )


CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # OLE compound file: encrypted .xlsx or legacy .xls
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # the stream an encrypted OOXML workbook keeps in its OLE file
PASSWORD_MSG = ("Tệp Excel được đặt mật khẩu: hãy bỏ mật khẩu và lưu lại rồi gửi. / "
                "The workbook is password-protected: remove the password, save it and send it again.")

Sheets = dict[str, list[list[Any]]]


def _rows_xlsx(path: Path) -> tuple[Sheets, list[dict], dt.datetime]:
    """Every sheet's cells (text, Num, dates), notes about formulas (cached values are used; missing ones are
    reported) and the workbook's date epoch (1900 or 1904, for serial numbers)."""
    import openpyxl

    _check_xlsx_size(path)
    # file objects: openpyxl would refuse a workbook by its name ('.xls') before looking at its content
    with open(path, "rb") as fv, open(path, "rb") as ff:
        try:
            values = openpyxl.load_workbook(fv, read_only=True, data_only=True)
            formulas = openpyxl.load_workbook(ff, read_only=True, data_only=False)
        except Exception as e:  # openpyxl raises many types for broken files
            raise ReadError(f"Không mở được tệp .xlsx ({type(e).__name__}). / Cannot open the .xlsx file ({e}).") \
                from None
        return _xlsx_sheets(values, formulas)


def _xlsx_sheets(values: Any, formulas: Any) -> tuple[Sheets, list[dict], dt.datetime]:
    """The cells of two read-only views of one workbook (cached values, formulas), closed afterwards."""
    import openpyxl

    sheets: Sheets = {}
    notes: list[dict] = []
    try:
        for ws_v, ws_f in zip(values.worksheets, formulas.worksheets, strict=True):
            rows = []
            cached = missing = 0
            for i, (rv, rf) in enumerate(zip(ws_v.iter_rows(), ws_f.iter_rows(values_only=True), strict=False), 1):
                row = [_xlsx_cell(c) for c in rv]
                for j, f in enumerate(rf):
                    if isinstance(f, str) and f.startswith("="):
                        if j < len(row) and row[j] is not None:
                            cached += 1
                        else:
                            missing += 1
                            notes.append({"rule": "formula_without_value", "severity": "reject", "row": i,
                                          "column": openpyxl.utils.get_column_letter(j + 1), "sheet": ws_v.title,
                                          "vi": "Ô có công thức nhưng chưa có giá trị đã tính: hãy mở tệp bằng Excel, "
                                                "lưu lại rồi gửi", "en": "formula cell without a cached value: open the "
                                                "file in Excel, save it and send it again"})
                rows.append(row)
            if cached:
                notes.append({"rule": "formula_cached", "severity": "info", "row": None, "column": "",
                              "sheet": ws_v.title, "vi": f"{cached} ô có công thức: dùng giá trị Excel đã tính",
                              "en": f"{cached} formula cells: the values Excel computed are used"})
            sheets[ws_v.title] = rows
        epoch = values.epoch
    finally:
        values.close()
        formulas.close()
    return sheets, notes, epoch


def _xlsx_cell(cell: Any) -> Any:
    v = getattr(cell, "value", None)
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float):
        return Num(float(v), getattr(cell, "number_format", "General") or "General")
    if isinstance(v, str):
        return v
    return v  # datetime, date, time


def _rows_xls(path: Path) -> tuple[Sheets, list[dict], dt.datetime]:
    """Every sheet's cells of an Excel 97-2003 workbook (xlrd): text, Num with its number format, dates."""
    import xlrd

    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise ReadError(f"Tệp quá lớn ({size} byte). / File too large ({size} bytes, limit {MAX_XLSX_BYTES}).")
    try:
        book = xlrd.open_workbook(path, formatting_info=True, on_demand=True)
    except Exception as e:  # xlrd.XLRDError, struct errors, … for broken files
        if "encrypt" in str(e).lower():
            raise ReadError(PASSWORD_MSG) from None
        raise ReadError(f"Tệp .xls bị hỏng, không mở được ({type(e).__name__}). / The .xls file is corrupt and "
                        f"cannot be opened ({e}).") from None
    sheets: Sheets = {}
    try:
        fmt = {i: book.format_map[xf.format_key].format_str for i, xf in enumerate(book.xf_list)
               if xf.format_key in book.format_map}
        for k in range(book.nsheets):
            sh = book.sheet_by_index(k)
            rows = []
            for i in range(sh.nrows):
                row: list[Any] = []
                for j, c in enumerate(sh.row(i)):
                    if c.ctype == xlrd.XL_CELL_NUMBER:
                        row.append(Num(float(c.value), fmt.get(sh.cell_xf_index(i, j), "General")))
                    elif c.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate_as_datetime(c.value, book.datemode))
                    elif c.ctype == xlrd.XL_CELL_TEXT:
                        row.append(c.value)
                    elif c.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append(bool(c.value))
                    elif c.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(c.value, "#ERROR"))
                    else:
                        row.append(None)
                rows.append(row)
            sheets[sh.name] = rows
            book.unload_sheet(k)
        epoch = dt.datetime(1904, 1, 1) if book.datemode else dt.datetime(1899, 12, 30)
    except Exception as e:
        raise ReadError(f"Tệp .xls bị hỏng, không đọc được ({type(e).__name__}). / The .xls file is corrupt ({e}).") \
            from None
    finally:
        book.release_resources()
    return sheets, [], epoch


def _read_workbook(path: Path) -> tuple[Sheets, list[dict], dt.datetime]:
    """A workbook by its content, whatever its extension says (.xlsx saved as .xls and the reverse are noted)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    ext = path.suffix.lower()
    if head.startswith(ZIP_MAGIC):
        sheets, notes, epoch = _rows_xlsx(path)
        kind = ".xlsx"
    elif head == CFB_MAGIC:
        if ENCRYPTED in path.read_bytes()[:1 << 20] or ext == ".xlsx" and not _is_biff(path):
            raise ReadError(PASSWORD_MSG)
        sheets, notes, epoch = _rows_xls(path)
        kind = ".xls"
    elif ext == ".xlsx":
        _check_xlsx_size(path)  # not a zip: says corrupt
        raise ReadError("Tệp .xlsx bị hỏng (không mở được). / The .xlsx file is corrupt.")
    else:
        raise ReadError("Tệp .xls bị hỏng hoặc không phải tệp Excel (không mở được). / The .xls file is corrupt or "
                        "not an Excel workbook.")
    if kind != ext:
        notes.append({"rule": "file_type_mismatch", "severity": "info", "row": None, "column": "", "sheet": None,
                      "vi": f"Tệp có đuôi {ext} nhưng là bảng tính {kind}: đã đọc theo {kind}",
                      "en": f"the file is named {ext} but is a {kind} workbook: read as {kind}"})
    return sheets, notes, epoch


def _is_biff(path: Path) -> bool:
    """An OLE file holding an Excel 97-2003 workbook stream (not an encrypted .xlsx)."""
    data = path.read_bytes()[:1 << 20]
    return "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data


def _header_found(h: headers.Header | None, contract: Contract) -> bool:
    """A header row was found and enough of its cells name contract columns (a third of them, at least two)."""
    return h is not None and h.hits >= max(2, len(contract.columns) // 3)


ROW_NUMBER_HEADERS = {"stt", "số tt", "tt", "số thứ tự", "no.", "no"}  # the row-number column offices add: not data


def _column_names(header: headers.Header, header_line: int, contract: Contract) -> tuple[list[str], list[dict]]:
    """Contract column names for the header cells (extra and duplicate columns get placeholder names and a note)."""
    names: list[str] = []
    notes: list[dict] = headers.notes(header, header_line, contract)
    ambiguous = {j for j, _, _ in header.ambiguous}
    for j, (cell, canon) in enumerate(zip(header.labels, header.names, strict=True)):
        if canon is None:
            canon = f"__extra_{j}"
            if cell and j not in ambiguous and header_key(cell) not in ROW_NUMBER_HEADERS:
                notes.append({"rule": "extra_column", "severity": "warn", "column": cell, "row": header_line,
                              "vi": f"Cột thừa '{cell}' không thuộc mẫu dữ liệu, bị bỏ qua",
                              "en": f"extra column '{cell}' is not in the contract; ignored"})
        elif canon in names:
            canon = f"__dup_{j}"
            notes.append({"rule": "duplicate_column", "severity": "reject", "column": cell, "row": header_line,
                          "vi": f"Cột '{cell}' xuất hiện hai lần", "en": f"column '{cell}' appears twice"})
        names.append(canon)
    return names, notes


MAX_ROW_NOTES = 20  # rows listed one by one for a reader warning; the rest are counted in one more note


def _beyond_header_notes(cells: list[tuple[int, int, str]]) -> list[dict]:
    """Warnings for rows with text to the right of the last header column (that text is not read)."""
    notes = [{"rule": "cells_beyond_header", "severity": "warn", "row": line, "column": f"#{col}",
              "vi": f"Ô ở cột {col} nằm ngoài bảng (bên phải cột tiêu đề cuối cùng), không được đọc: '{text[:60]}'",
              "en": f"cell in column {col} lies outside the table (right of the last header column) and is not "
                    f"read: '{text[:60]}'"} for line, col, text in cells[:MAX_ROW_NOTES]]
    if len(cells) > MAX_ROW_NOTES:
        more = len(cells) - MAX_ROW_NOTES
        notes.append({"rule": "cells_beyond_header", "severity": "warn", "row": None, "column": "",
                      "vi": f"… và {more} dòng khác có ô nằm ngoài bảng",
                      "en": f"… and {more} more rows with cells outside the table"})
    return notes


def _finish(body: pd.DataFrame, lines: Any, contract: Contract, header: headers.Header, sheet: str | None,
            header_line: int, notes: list[dict], stored: dict[str, Any] | None = None,
            layout: tuple[list[str], str] = ([], "")) -> ReadResult:
    """What every reader does with the table under the header: drop the rows that are not records (with notes),
    decide the number convention, check the totals present, and keep the contract's columns.

    body: cell texts ('' empty) under the contract names (others start with '__'); lines: source row numbers;
    stored: per numeric column, a mask of the cells stored as numbers in a workbook ('.' decimal, no convention).
    layout: the texts of the rows above the header and the file's name, for columns an official form leaves out.
    """
    lines = np.asarray(lines, dtype="int64")
    cells_of = rows.columns(body, contract)
    kinds = rows.classify(body, contract, cells_of)
    notes = notes + rows.notes(kinds, lines)
    labels = {n: lab for n, lab in zip(body.columns, header.labels, strict=False) if not str(n).startswith("__")}
    notes += _fill_from_layout(body, kinds, contract, *layout)
    numeric = [c.name for c in contract.columns if c.type in ("int", "float") and c.name in body.columns]
    counted = (kinds == rows.RECORD) | (kinds == rows.TOTAL) | (kinds == rows.GROUP_TOTAL)
    typed_cells = {}
    for c in numeric:
        s = body[c].astype("string")
        if stored and c in stored:
            s = s.mask(stored[c], "")
        typed_cells[c] = s[counted]
    whole = [c.name for c in contract.columns if c.type == "int"]
    decision = numbers.decide(typed_cells, pd.Series(lines, index=body.index), labels, whole)
    if stored and decision.locale == numbers.VI:  # stored numbers are written the way the file's numbers read
        for c, mask in stored.items():
            body[c] = body[c].astype("string").mask(mask, body[c].astype("string").str.replace(".", ",", regex=False))
    notes += decision.notes
    if (n := numbers.locale_note(decision)) is not None:
        notes.append(n)
    if not decision.notes:
        notes += rows.check_totals(body, kinds, lines, contract, decision.locale, labels)
    keep = kinds == rows.RECORD
    frame = body[[c for c in body.columns if not str(c).startswith("__")]]
    frame = (frame if keep.all() else frame[keep]).astype("string")
    notes += _legacy_text(frame, lines[keep], contract, labels, cells_of, keep)
    notes += _loose_categories(frame, contract, labels, cells_of)
    frame.insert(0, ROW, lines[keep])
    frame = frame.reset_index(drop=True)
    frame.attrs["number_locale"] = decision.locale
    return ReadResult(frame=frame, sheet=sheet, header_row=header_line, notes=notes, locale=decision.locale)


_QUARTER_IN_TITLE = re.compile(r"quý\s+(iv|i{1,3}|[1-4])\b[^0-9]{0,12}(\d{4})")
_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _fill_from_layout(body: pd.DataFrame, kinds: Any, contract: Contract, title: list[str],
                      stem: str) -> list[dict]:
    """Columns the official form leaves out, taken from its layout with a note: the quarter from a title row
    ('Kỳ báo cáo: Quý II năm 2023'), the agency from the file's name, a category (the level) from the group rows
    ('I. CẤP HUYỆN' over the records below it). Columns the file has are never overwritten."""
    out = []
    groups = np.flatnonzero(kinds == rows.GROUP)
    texts = body.iloc[groups].astype("string").fillna("").agg(" ".join, axis=1) if len(groups) else []
    headings = {int(i): rows.heading_text(t) for i, t in zip(groups, texts, strict=True)}  # before columns are added

    def note(col: str, vi: str, en: str) -> None:
        out.append({"rule": "column_from_layout", "severity": "info", "row": None, "column": col, "vi": vi, "en": en})

    names = set(contract.names)
    if "quarter" in names and "quarter" not in body.columns:
        for t in title:
            m = _QUARTER_IN_TITLE.search(header_key(t))
            if m:
                q = f"{m.group(2)}Q{_ROMAN_Q.get(m.group(1), m.group(1))}"
                body["quarter"] = q
                note(contract.column("quarter").header_vi, f"Bảng không có cột này: lấy quý {q} từ dòng tiêu đề '{t}'",
                     f"the table has no such column: quarter {q} taken from the title row '{t}'")
                break
    for c in contract.columns:
        if c.same_as_file_agency and c.name not in body.columns and stem:
            body[c.name] = stem
            note(c.header_vi, f"Bảng không có cột này: lấy mã '{stem}' từ tên tệp",
                 f"the table has no such column: code '{stem}' taken from the file name")
    for c in contract.columns:
        if c.type != "category" or c.name in body.columns or not headings:
            continue
        lut = c.label_to_code()
        if not all(header_key(v) in lut for v in headings.values()):
            continue
        value = pd.Series(pd.NA, index=body.index, dtype="string")
        value.iloc[list(headings)] = list(headings.values())
        body[c.name] = value.ffill().fillna("")
        shown = ", ".join(f"'{v}'" for v in dict.fromkeys(headings.values()))
        note(c.header_vi, f"Bảng không có cột này: lấy từ các dòng tiêu đề nhóm ({shown}) cho các dòng bên dưới",
             f"the table has no such column: taken from the group rows ({shown}) for the rows below each")
    return out


def _loose_categories(frame: pd.DataFrame, contract: Contract, labels: dict[str, str],
                      cells_of: dict[str, rows.Cells]) -> list[dict]:
    """Coded values typed without diacritics ('Da giai quyet', 'Truc tuyen'): replaced by the label they can only
    mean, with a note; a spelling that could mean two codes is left as typed (the column's rule reports it)."""
    out = []
    for c in contract.columns:
        if c.type != "category" or c.name not in frame.columns:
            continue
        lut = c.label_to_code()
        plain: dict[str, set[str]] = {}
        for k, code in lut.items():
            plain.setdefault(plain_key(k), set()).add(code)
        shown = c.allowed()
        fixed = {}
        values = cells_of[c.name].distinct() if c.name in cells_of else pd.unique(frame[c.name].dropna())
        for v in values:
            if v and header_key(v) not in lut and len(plain.get(plain_key(v), ())) == 1:
                fixed[v] = shown[next(iter(plain[plain_key(v)]))]
        if fixed:
            frame[c.name] = frame[c.name].replace(fixed)
            pairs = "; ".join(f"'{a}' → '{b}'" for a, b in fixed.items())
            out.append({"rule": "value_loose_match", "severity": "info", "row": None,
                        "column": labels.get(c.name, c.header_vi),
                        "vi": f"Giá trị gõ không dấu được hiểu là: {pairs}",
                        "en": f"values typed without diacritics were read as: {pairs}"})
    return out


def _legacy_text(frame: pd.DataFrame, lines: Any, contract: Contract, labels: dict[str, str],
                 cells_of: dict[str, rows.Cells], keep: Any) -> list[dict]:
    """Text columns typed in the TCVN3 or VNI font encodings: converted in place with a note, or a reject note
    where conversion is unsafe (parplan.inputs.legacy_encoding). Only cells with Latin-1 letters are looked at.
    frame: the records (rows `keep` of the table whose columns are cells_of)."""
    from . import privacy
    from .inputs import legacy_encoding

    out = []
    for c in contract.columns:
        if c.type not in ("string", "category") or c.name not in frame.columns or c.name not in cells_of:
            continue
        s = frame[c.name]
        cells = cells_of[c.name]
        if cells.ascii or not cells.mask(_legacy_class())[keep].any():
            continue  # no character that Unicode Vietnamese never has: nothing to look at (the usual case)
        high = cells.mask(r"[^\x00-\x7f]")[keep]  # the column's non-ASCII cells, Unicode ones included
        shown = (lambda v, kind=c.personal: privacy.mask(v, kind)) if c.personal else str  # personal data masked
        conv = legacy_encoding.convert_column(s[high].tolist(), lines[high].tolist(), labels.get(c.name, c.name),
                                              shown=shown)
        if conv.encoding:
            frame.loc[high, c.name] = conv.values
        if conv.encoding or conv.unsafe:
            out.append({"rule": "legacy_encoding_unsafe" if conv.unsafe else "legacy_encoding",
                        "severity": "reject" if conv.unsafe else "info", "row": conv.rows[0] if conv.rows else None,
                        "column": labels.get(c.name, c.name), "vi": conv.message_vi, "en": conv.message_en})
    return out


@functools.cache
def _legacy_class() -> str:
    """A regex class of the characters only legacy font text has (Latin-1 signs and letters Vietnamese lacks)."""
    from .inputs.legacy_encoding import LEGACY_ONLY

    return "[" + "".join(f"\\x{{{ord(ch):04x}}}" for ch in sorted(LEGACY_ONLY)) + "]"


def _render_workbook(cells: list[list[Any]], names: list[str], contract: Contract,
                     epoch: dt.datetime) -> tuple[list[list[str]], dict[str, Any], list[dict]]:
    """Workbook cells as text for their columns: numbers stored as numbers in numeric columns in plain form (and a
    mask of them), in text columns as their number format shows them (codes such as 1.001046), serial numbers in
    date columns as dates; notes on what was converted."""
    types = {c.name: c.type for c in contract.columns}
    kind = [types.get(n) for n in names]
    width = len(names)
    out: list[list[str]] = []
    stored_at: dict[int, list[int]] = {}
    serial = timed = 0
    for i, row in enumerate(cells):
        texts = []
        for j in range(width):
            v = row[j] if j < len(row) else None
            t = kind[j]
            if isinstance(v, Num) and t in ("int", "float"):
                texts.append(_positional(v.value))
                stored_at.setdefault(j, []).append(i)
            elif isinstance(v, Num) and t == "date" and 1 <= v.value < 2958466:
                from openpyxl.utils.datetime import from_excel

                d = from_excel(v.value, epoch)
                texts.append(d.date().isoformat())
                serial += 1
                timed += d.time() != dt.time(0)
            elif isinstance(v, dt.datetime) and t == "date":
                texts.append(v.date().isoformat())
                timed += v.time() != dt.time(0)
            else:
                texts.append(_text(v))
        texts += [_text(v) for v in row[width:]]
        out.append(texts)
    stored = {}
    for j, at in stored_at.items():
        mask = np.zeros(len(cells), dtype=bool)
        mask[at] = True
        stored[names[j]] = mask
    notes = []
    if serial:
        notes.append({"rule": "date_serial", "severity": "info", "row": None, "column": "",
                      "vi": f"{serial} ô ngày ghi dạng số seri của Excel được đọc thành ngày",
                      "en": f"{serial} date cells holding Excel serial numbers were read as dates"})
    if timed:
        notes.append({"rule": "date_with_time", "severity": "info", "row": None, "column": "",
                      "vi": f"{timed} ô ngày có kèm giờ: dùng phần ngày", "en": f"{timed} date cells carry a time of "
                                                                              "day: the date is used"})
    return out, stored, notes


def read_table(path: Path, contract: Contract) -> ReadResult:
    """Read a .csv, .xlsx or .xls submission: strings only, contract headers mapped, `_row` = source row number.

    The rows that are not records (totals, group headings, numbering, spacers, signatures) are dropped with notes;
    the file's number convention is decided once (ReadResult.locale) and a total present is checked.
    """
    path = Path(path)
    ext = path.suffix.lower()
    notes: list[dict] = []
    epoch = dt.datetime(1899, 12, 30)
    if ext == ".csv":
        raw = _csv_bytes(path)
        delim = _delimiter(raw)
        fast = _read_csv_fast(raw, delim, contract, path.stem)
        if fast is not None:
            return fast
        (rows_, lines), sheet = _rows_csv(_decode_csv(raw), delim), None
        text_rows = rows_
        header = headers.find(text_rows, contract)
    elif ext in (".xlsx", ".xls"):
        sheets, notes, epoch = _read_workbook(path)
        rows_, text_rows, sheet, header = [], [], None, None
        for name, srows in sheets.items():  # the sheet whose header matches the contract best
            head = [[_text(c) for c in r] for r in srows[: headers.SCAN_ROWS + headers.MAX_HEADER_ROWS]]
            cand = headers.find(head, contract)
            if cand is not None and (header is None or cand.hits > header.hits):
                rows_, text_rows, sheet, header = srows, head, name, cand
        notes = [x for x in notes if x.get("sheet") in (sheet, None)]
        lines = list(range(1, len(rows_) + 1))
    else:
        raise ReadError(f"Định dạng tệp không hỗ trợ: {ext!r} (chỉ .csv, .xlsx, .xls). / Unsupported file type {ext!r}.")
    if not any(any(_text(c) if ext != ".csv" else c for c in r) for r in rows_):
        raise ReadError("Tệp rỗng. / The file is empty.")
    if not _header_found(header, contract):
        raise ReadError(
            "Không tìm thấy dòng tiêu đề cột khớp mẫu dữ liệu (trong 20 dòng đầu). / "
            "No header row matching the contract in the first 20 rows."
        )
    assert header is not None
    header_line = lines[header.first]
    names, more = _column_names(header, header_line, contract)
    notes += more
    first = header.first + header.n_rows
    stored = None
    if ext == ".csv":
        cells = rows_[first:]
    else:
        cells, stored, more = _render_workbook(rows_[first:], names, contract, epoch)
        notes += more
    width = len(names)
    body, beyond = [], []  # beyond: (line, column number, text) of cells to the right of the header
    for k, r in enumerate(cells):
        r = list(r) + [""] * (width - len(r))
        beyond += [(lines[first + k], j + 1, cell) for j, cell in enumerate(r[width:], width) if cell][:1]
        body.append(r[:width])
    notes += _beyond_header_notes(beyond)
    frame = pd.DataFrame(body, columns=names, dtype="string") if body else pd.DataFrame(columns=names, dtype="string")
    title = [" ".join(_text(c) for c in r if _text(c)) for r in rows_[: header.first]]
    return _finish(frame, lines[first:], contract, header, sheet, header_line, notes, stored,
                   ([t for t in title if t], path.stem))


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """A zip archive (xlsx, docx) rewritten with every entry's time set to `when` and fixed permissions, so the same
    content gives the same bytes."""
    import io as _io
    import zipfile

    out = _io.BytesIO()
    with zipfile.ZipFile(_io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def atomic_write(path: Path, writer: Callable[[Path], None]) -> None:
    """Write via a temporary file in the same folder, then rename: readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Atomically write UTF-8 text."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


_TIME = r"(?:[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
_DATE_RE = re.compile(rf"^(?:(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})|(\d{{4}})-(\d{{2}})-(\d{{2}})){_TIME}$")


def parse_date(text: str) -> dt.date | None:
    """Parse dd/mm/yyyy or yyyy-mm-dd, optionally with a time of day (the date is kept); None for empty or invalid
    (e.g. 31/02/2023, 25:00)."""
    m = _DATE_RE.match(text or "")
    if not m:
        return None
    if m.group("h") and (int(m.group("h")) > 23 or int(m.group("m")) > 59 or int(m.group("s") or 0) > 59):
        return None
    try:
        if m.group(1):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
    except ValueError:
        return None
