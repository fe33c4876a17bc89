"""Read agency submissions (.csv / .xlsx) into tables of NFC-normalised strings with source row numbers."""
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

import pandas as pd

from .contracts import Contract, header_key

ROW = "_row"  # source row number as the officer sees it (CSV line / Excel row)
MAX_XLSX_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024
TOTAL_RE = re.compile(r"^(tổng cộng|tổng số|tổng|cộng|total|grand total)( chung| toàn tỉnh| toàn đơn vị)?[:.]?$")


# what str.strip() removes: the careful reader and the fast one trim exactly the same characters
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
ASCII_WHITESPACE = "".join(c for c in WHITESPACE if c.isascii())


class ReadError(ValueError):
    """A submission that cannot be read at all (encoding, corrupt file, no header)."""


@dataclass
class ReadResult:
    """What the reader got out of one file."""

    frame: pd.DataFrame
    sheet: str | None
    header_row: int
    notes: list[dict] = field(default_factory=list)


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


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # a real Excel number: write it the Vietnamese way so 0.975 is not read as 975 (thousands dot)
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    return unicodedata.normalize("NFC", str(value)).strip()


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
            rows.append([c.strip() for c in row])  # the whole text is NFC already
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
            nfc = [unicodedata.normalize("NFC", v).strip(WHITESPACE) for v in uniq.to_pylist()]
            cols.append(pc.take(pa.array(nfc, pa.string()), pc.index_in(col, value_set=uniq)))
    filled = functools.reduce(pc.or_, [pc.not_equal(c, "") for c in cols])
    frame = pa.table(cols, names=[str(j) for j in range(len(cols))]).to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = range(frame.shape[1])
    return frame, filled.to_numpy(zero_copy_only=False)


def _read_csv_fast(raw: bytes, delim: str, contract: Contract) -> ReadResult | None:
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
        rows, starts = _rows_csv(_decode_csv(raw[: cut + 1]), delim)
    except ReadError:
        return None
    if starts != list(range(1, len(rows) + 1)):
        return None
    h, n_header, header, hits = _find_header(rows, contract)
    if not _header_found(h, hits, contract):
        return None
    skip = h + n_header
    try:
        body, keep = _arrow_csv(raw, delim, skip, len(header))
    except ValueError:  # pyarrow's ArrowInvalid is a ValueError
        return None  # ragged records, stray quotes, bad bytes …: the careful reader says exactly where
    n_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if len(body) != n_lines - skip:
        return None  # a record spans lines: line numbers would drift
    names, notes = _column_names(header, h + 1, contract)
    if body.shape[1] > len(names):
        if (body.iloc[:, len(names):] != "").any(axis=None):
            return None
        body = body.iloc[:, : len(names)]
    for j in range(body.shape[1], len(names)):
        body[j] = ""
    body.columns = names
    line = pd.Series(range(skip + 1, skip + 1 + len(body)), dtype="int64")
    if not keep.all():  # blank records are skipped, as in the careful reader
        body, line = body[keep].reset_index(drop=True), line[keep].reset_index(drop=True)
    if len(body) and _is_total_row(list(body.iloc[-1])):
        notes.append(_total_note(int(line.iat[-1])))
        body, line = body.iloc[:-1], line.iloc[:-1]
    frame = body[[c for c in names if not c.startswith("__")]].astype("string")
    frame.insert(0, ROW, line.to_numpy())
    return ReadResult(frame=frame.reset_index(drop=True), sheet=None, header_row=h + 1, notes=notes)


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


def _rows_xlsx(path: Path) -> tuple[dict[str, list[list[str]]], list[dict]]:
    """Every sheet's cell texts, plus notes about formulas (cached values are used; missing ones are reported)."""
    import openpyxl

    with open(path, "rb") as fh:
        if fh.read(8) == CFB_MAGIC:
            raise ReadError(
                "Tệp Excel được đặt mật khẩu (hoặc là định dạng .xls cũ): hãy bỏ mật khẩu và lưu lại dạng .xlsx. / "
                "The workbook is password-protected (or a legacy .xls): remove the password and save as .xlsx."
            )
    _check_xlsx_size(path)
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many types for broken files
        raise ReadError(f"Không mở được tệp .xlsx ({type(e).__name__}). / Cannot open the .xlsx file ({e}).") from None
    sheets: dict[str, list[list[str]]] = {}
    notes: list[dict] = []
    try:
        for ws_v, ws_f in zip(values.worksheets, formulas.worksheets, strict=True):
            rows = []
            cached = missing = 0
            for i, (rv, rf) in enumerate(zip(ws_v.iter_rows(values_only=True), ws_f.iter_rows(values_only=True),
                                             strict=False), 1):
                row = [_clean(c) for c in rv]
                for j, f in enumerate(rf):
                    if isinstance(f, str) and f.startswith("="):
                        if j < len(rv) and rv[j] is not None:
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
    finally:
        values.close()
        formulas.close()
    return sheets, notes


def _header_candidates(rows: list[list[str]]) -> list[tuple[int, int, list[str]]]:
    """(first header row, rows used, header texts): single rows, and two-row headers whose top cells are merged."""
    out = []
    for i, row in enumerate(rows[:20]):
        out.append((i, 1, row))
        if i + 1 < len(rows) and any(row):
            top, sub = list(row), rows[i + 1]
            last = ""
            for j in range(max(len(top), len(sub))):  # a merged cell reads as empty after its first column
                v = top[j] if j < len(top) else ""
                last = v or last
                if j < len(top):
                    top[j] = last
                else:
                    top.append(last)
            combined = [(f"{top[j]} - {sub[j]}" if j < len(sub) and sub[j] and top[j] else
                         (sub[j] if j < len(sub) and sub[j] else top[j])) for j in range(len(top))]
            out.append((i, 2, combined))
    return out


def _find_header(rows: list[list[str]], contract: Contract) -> tuple[int, int, list[str], int]:
    """Best header: (first row index, number of header rows, header texts, matched columns)."""
    known = contract.header_map()
    best = (-1, 1, [], 0)
    for i, n, header in _header_candidates(rows):
        hits = len({known[header_key(c)] for c in header if header_key(c) in known})
        if hits > best[3]:
            best = (i, n, header, hits)
    return best


def _is_total_row(row: list[str]) -> bool:
    """Only a row whose first filled cell is just a total word ('Tổng cộng', 'Cộng', 'Total'…) is a total row."""
    first = next((c for c in row if c), "")
    return bool(TOTAL_RE.match(header_key(first)))


def _header_found(h: int, hits: int, contract: Contract) -> bool:
    """A header row was found and enough of its cells name contract columns (a third of them, at least two)."""
    return h >= 0 and hits >= max(2, len(contract.columns) // 3)


def _column_names(header: list[str], header_line: int, contract: Contract) -> tuple[list[str], list[dict]]:
    """Contract column names for the header cells (extra and duplicate columns get placeholder names and a note)."""
    known = contract.header_map()
    names: list[str] = []
    notes: list[dict] = []
    for j, cell in enumerate(header):
        canon = known.get(header_key(cell))
        if canon is None:
            canon = f"__extra_{j}"
            if cell:
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


def _total_note(row: int) -> dict:
    return {"rule": "total_row", "severity": "info", "row": row, "column": "",
            "vi": "Dòng tổng cộng cuối bảng được bỏ qua", "en": "trailing total row ignored"}


def read_table(path: Path, contract: Contract) -> ReadResult:
    """Read a .csv or .xlsx submission: strings only, contract headers mapped, `_row` = source row number."""
    path = Path(path)
    ext = path.suffix.lower()
    notes: list[dict] = []
    if ext == ".csv":
        raw = _csv_bytes(path)
        delim = _delimiter(raw)
        fast = _read_csv_fast(raw, delim, contract)
        if fast is not None:
            return fast
        (rows, lines), sheet = _rows_csv(_decode_csv(raw), delim), None
        h, n_header, header, hits = _find_header(rows, contract)
    elif ext == ".xlsx":
        sheets, notes = _rows_xlsx(path)
        rows, sheet, h, n_header, header, hits = [], None, -1, 1, [], 0
        for name, srows in sheets.items():  # the sheet whose header matches the contract best
            cand = _find_header(srows, contract)
            if cand[3] > hits:
                rows, sheet, (h, n_header, header, hits) = srows, name, cand
        notes = [x for x in notes if x.get("sheet") == sheet]
        lines = list(range(1, len(rows) + 1))
    else:
        raise ReadError(f"Định dạng tệp không hỗ trợ: {ext!r} (chỉ .csv, .xlsx). / Unsupported file type {ext!r}.")
    if not any(any(r) for r in rows):
        raise ReadError("Tệp rỗng. / The file is empty.")
    if not _header_found(h, hits, contract):
        raise ReadError(
            "Không tìm thấy dòng tiêu đề cột khớp mẫu dữ liệu (trong 20 dòng đầu). / "
            "No header row matching the contract in the first 20 rows."
        )
    names, more = _column_names(header, lines[h], contract)
    notes += more
    body = []
    row_numbers = []
    beyond: list[tuple[int, int, str]] = []  # (line, column number, text) of cells to the right of the header
    for i in range(h + n_header, len(rows)):
        r = rows[i] + [""] * (len(names) - len(rows[i]))
        if not any(r):
            continue
        beyond += [(lines[i], j + 1, cell) for j, cell in enumerate(r[len(names):], len(names)) if cell][:1]
        body.append(r[: len(names)])
        row_numbers.append(lines[i])
    notes += _beyond_header_notes(beyond)
    if body and _is_total_row(body[-1]):
        notes.append(_total_note(row_numbers[-1]))
        body, row_numbers = body[:-1], row_numbers[:-1]
    frame = pd.DataFrame(body, columns=names, dtype="string") if body else pd.DataFrame(columns=names, dtype="string")
    frame = frame[[c for c in frame.columns if not c.startswith("__")]]
    frame.insert(0, ROW, pd.array(row_numbers, dtype="int64"))
    return ReadResult(frame=frame, sheet=sheet, header_row=lines[h], notes=notes)


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


_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(text: str) -> dt.date | None:
    """Parse dd/mm/yyyy or yyyy-mm-dd; None for empty or invalid (e.g. 31/02/2023)."""
    m = _DATE_RE.match(text or "")
    if not m:
        return None
    try:
        if m.group(1):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
    except ValueError:
        return None
