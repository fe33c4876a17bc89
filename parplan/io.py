"""Read agency submissions (.csv / .xlsx) into tables of NFC-normalised strings with source row numbers."""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .contracts import Contract, header_key

ROW = "_row"  # source row number as the officer sees it (CSV line / Excel row)
MAX_XLSX_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024
TOTAL_WORDS = ("tổng cộng", "tổng số", "tổng", "cộng", "total")


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
    """SHA-256 of a file's bytes."""
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
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _decode_csv(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(
            "Tệp CSV mã hóa UTF-16; hãy lưu lại dạng 'CSV UTF-8'. / The CSV file is UTF-16 encoded; save it as 'CSV UTF-8'."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReadError(
            f"Tệp CSV không phải UTF-8 (byte lỗi ở vị trí {e.start}; có thể là Windows-1258/TCVN3); hãy lưu lại dạng "
            f"'CSV UTF-8'. / The CSV file is not UTF-8 (bad byte at offset {e.start}; perhaps Windows-1258); save it as 'CSV UTF-8'."
        ) from None


def _rows_csv(path: Path) -> tuple[list[list[str]], list[int]]:
    """Records and the line each record starts on (a quoted cell may span several lines)."""
    import csv
    import io as _io

    text = _decode_csv(path)
    sample = text[:4096]
    delim = ";" if sample.count(";") > sample.count(",") and sample.count(";") > sample.count("\t") else (
        "\t" if sample.count("\t") > sample.count(",") else ",")
    reader = csv.reader(_io.StringIO(text), delimiter=delim)
    rows, starts, prev_end = [], [], 0
    for row in reader:
        rows.append([_clean(c) for c in row])
        starts.append(prev_end + 1)
        prev_end = reader.line_num
    return rows, starts


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


def _rows_xlsx(path: Path) -> tuple[list[list[str]], str]:
    import openpyxl

    _check_xlsx_size(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken files
        raise ReadError(f"Không mở được tệp .xlsx ({type(e).__name__}). / Cannot open the .xlsx file ({e}).") from None
    try:
        ws = wb.worksheets[0]
        rows = [[_clean(c) for c in row] for row in ws.iter_rows(values_only=True)]
        return rows, ws.title
    finally:
        wb.close()


def _find_header(rows: list[list[str]], contract: Contract) -> int:
    known = contract.header_map()
    best, best_hits = -1, 0
    for i, row in enumerate(rows[:20]):
        hits = sum(1 for c in row if header_key(c) in known)
        if hits > best_hits:
            best, best_hits = i, hits
    if best < 0 or best_hits < max(2, len(contract.columns) // 3):
        raise ReadError(
            "Không tìm thấy dòng tiêu đề cột (trong 20 dòng đầu). / No header row found in the first 20 rows."
        )
    return best


def _is_total_row(row: list[str]) -> bool:
    first = next((c for c in row if c), "")
    return header_key(first).startswith(TOTAL_WORDS) and sum(1 for c in row if c) <= len(row)


def read_table(path: Path, contract: Contract) -> ReadResult:
    """Read a .csv or .xlsx submission: strings only, contract headers mapped, `_row` = source row number."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        (rows, lines), sheet = _rows_csv(path), None
    elif ext == ".xlsx":
        rows, sheet = _rows_xlsx(path)
        lines = list(range(1, len(rows) + 1))
    else:
        raise ReadError(f"Định dạng tệp không hỗ trợ: {ext!r} (chỉ .csv, .xlsx). / Unsupported file type {ext!r}.")
    if not any(any(r) for r in rows):
        raise ReadError("Tệp rỗng. / The file is empty.")
    h = _find_header(rows, contract)
    known = contract.header_map()
    header = rows[h]
    names: list[str] = []
    notes: list[dict] = []
    header_line = lines[h]
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
    body = []
    row_numbers = []
    for i in range(h + 1, len(rows)):
        r = rows[i] + [""] * (len(names) - len(rows[i]))
        if not any(r):
            continue
        body.append(r[: len(names)])
        row_numbers.append(lines[i])
    if body and _is_total_row(body[-1]):
        notes.append({"rule": "total_row", "severity": "info", "row": row_numbers[-1], "column": "",
                      "vi": "Dòng tổng cộng cuối bảng được bỏ qua", "en": "trailing total row ignored"})
        body, row_numbers = body[:-1], row_numbers[:-1]
    frame = pd.DataFrame(body, columns=names, dtype="string") if body else pd.DataFrame(columns=names, dtype="string")
    frame = frame[[c for c in frame.columns if not c.startswith("__")]]
    frame.insert(0, ROW, pd.array(row_numbers, dtype="int64"))
    return ReadResult(frame=frame, sheet=sheet, header_row=header_line, notes=notes)


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
