"""Feedback workbooks: each agency gets its own submission back with every finding highlighted and explained.

For every agency with findings (reject or warn) in a quarter's manifest, ``feedback/<Q>/<AGENCY>.xlsx`` holds:
a first sheet "Cần sửa" listing what to fix (file, row, column, the value as typed, what is expected, how to fix it,
with a link to the cell), then a copy of each of the agency's files with findings (an xlsx sheet copied cell by
cell, a csv converted, rows at the same numbers as in the agency's file), the offending cells filled (red: the file
is rejected, amber: warning) and a comment in Vietnamese on each. The workbook goes to that agency only (it is not
published with the reports). Raw files are only read. The same inputs give the same bytes (fixed timestamps and zip
entry dates, as templates.py writes them); every text parplan writes is neutralised against formula injection.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .contracts import header_key
from .ingest import load_manifest
from .io import ReadError, atomic_write, atomic_write_text
from .templates import _save, neutralise

if TYPE_CHECKING:
    from .catalogue import Plan
    from .periods import Quarter
    from .store import Store

SUMMARY_SHEET = "Cần sửa"
FILL = {"reject": "FFC7CE", "warn": "FFEB9C"}  # Excel's own "bad" (light red) and "neutral" (amber) fills
LEVEL_VI = {"reject": "Lỗi — tệp bị từ chối", "warn": "Cảnh báo — tệp vẫn được nhận"}
MAX_COPY_ROWS = 20_000  # rows of a submission copied into the workbook; findings further down are still listed
HEADER_SEARCH_ROWS = 40  # a column's header is looked for in the sheet's first rows (above the finding)
KEY_FILE = ".feedback-key"


def _issues(f: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings to fix: rejections and warnings, less the warnings a reviewer has decided (parplan.decisions)."""
    return [i for i in f["issues"] if i["severity"] in FILL and not i.get("decision")]


def agencies_with_findings(manifest: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Agency code -> [(dataset, file entry)] for the files that have at least one reject or warn finding (a version
    the agency has already resubmitted is left out: only its latest file counts)."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for ds in manifest["datasets"]:
        for f in ds["files"]:
            if _issues(f) and not f.get("superseded_by"):
                out.setdefault(f["agency"], []).append((ds["dataset"], f))
    return {a: sorted(v, key=lambda x: (x[0], x[1]["path"])) for a, v in sorted(out.items())}


# ---- reading the agency's own file (read only) -------------------------------------------------------------------

class Grid:
    """One sheet of a submission: cells by (row, column) as the officer sees them, merges and column widths."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Any] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.merges: list[str] = []
        self.widths: dict[str, float] = {}
        self.truncated = False

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    def text(self, r: int, c: int) -> str:
        v = self.cells.get((r, c))
        return "" if v is None else str(v)


def _grid_csv(path: Path) -> Grid:
    from .io import (  # the reader's own CSV rules, not a second copy
        _csv_bytes,
        _decode_csv,
        _delimiter,
        _rows_csv,
    )

    raw = _csv_bytes(path)
    rows, starts = _rows_csv(_decode_csv(raw), _delimiter(raw))
    g = Grid()
    for row, line in zip(rows, starts, strict=True):
        if line > MAX_COPY_ROWS:
            g.truncated = True
            break
        for j, v in enumerate(row, 1):
            if v != "":
                g.cells[(line, j)] = v
    return g


def _grid_xlsx(path: Path, sheet: str | None) -> Grid:
    import openpyxl

    from .io import CFB_MAGIC, _check_xlsx_size  # the reader's size and password checks

    with open(path, "rb") as fh:
        if fh.read(8) == CFB_MAGIC:
            raise ReadError("password-protected workbook")
    _check_xlsx_size(path)
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
        g = Grid()
        for row in ws.iter_rows():
            for cell in row:
                if cell.row > MAX_COPY_ROWS:
                    g.truncated = True
                    break
                if cell.value is not None:
                    g.cells[(cell.row, cell.column)] = cell.value
                    if cell.number_format and cell.number_format != "General":
                        g.formats[(cell.row, cell.column)] = cell.number_format
        g.merges = sorted(str(m) for m in ws.merged_cells.ranges)
        g.widths = {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.width}
        return g
    finally:
        wb.close()


def _grid_xls(path: Path, sheet: str | None) -> Grid:
    import xlrd

    book = xlrd.open_workbook(str(path))
    ws = book.sheet_by_name(sheet) if sheet in book.sheet_names() else book.sheet_by_index(0)
    g = Grid()
    for r in range(min(ws.nrows, MAX_COPY_ROWS)):
        for c in range(ws.ncols):
            cell = ws.cell(r, c)
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            v = xlrd.xldate_as_datetime(cell.value, book.datemode) if cell.ctype == xlrd.XL_CELL_DATE else cell.value
            g.cells[(r + 1, c + 1)] = v
    g.truncated = ws.nrows > MAX_COPY_ROWS
    return g


def read_grid(path: Path, sheet: str | None = None) -> Grid | None:
    """The submission's cells as typed (None when the file cannot be opened at all: it is then only listed)."""
    try:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return _grid_csv(path)
        if suffix in (".xlsx", ".xlsm"):
            return _grid_xlsx(path, sheet)
        if suffix == ".xls":
            return _grid_xls(path, sheet)
    except Exception:  # corrupt, encrypted, wrong encoding: the finding already says so; no copy
        return None
    return None


# ---- where a finding sits ----------------------------------------------------------------------------------------

def _filled(g: Grid) -> dict[tuple[int, int], str]:
    """Cell texts with every merged range's value spread over the range (a parent label covers its children)."""
    out = {k: str(v) for k, v in g.cells.items()}
    for rng in g.merges:
        from openpyxl.utils import range_boundaries

        c1, r1, c2, r2 = range_boundaries(rng)
        v = out.get((r1, c1), "")
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                out.setdefault((r, c), v)
    return out


def locate_column(g: Grid, column: str, row: int | None) -> int | None:
    """The sheet column of a finding: its header (or header path 'A › B') in the top rows above it, '#n', or a letter."""
    if not column:
        return None
    if m := re.fullmatch(r"#(\d+)", column):
        return int(m.group(1))
    filled = _filled(g)
    top = (row or HEADER_SEARCH_ROWS + 1) - 1
    cols = sorted({c for _, c in filled})
    rows = range(1, min(top, HEADER_SEARCH_ROWS) + 1)  # headers sit at the top of the sheet, above the finding
    # the header as one cell, then as a path of merged parents over a leaf ('Đã giải quyết › Quá hạn' or 'A - B')
    for sep in (None, r"\s*›\s*", r"\s+-\s+"):
        parts = [header_key(p) for p in (re.split(sep, column) if sep else [column]) if p.strip()]
        hits: dict[int, int] = {}  # column -> lowest header row where it matches
        for c in cols:
            above = [(r, header_key(filled.get((r, c), ""))) for r in rows]
            texts = {t for _, t in above}
            for r, t in above:
                if t == parts[-1] and all(p in texts for p in parts[:-1]):
                    hits[c] = max(hits.get(c, 0), r)
        if hits:
            lowest = max(hits.values())
            found = [c for c, r in hits.items() if r == lowest]
            return found[0] if len(found) == 1 else None  # a leaf under two parents needs its path
    if re.fullmatch(r"[A-Z]{1,3}", column):
        from openpyxl.utils import column_index_from_string

        return column_index_from_string(column)
    return None


# ---- writing the workbook ----------------------------------------------------------------------------------------

def _sheet_title(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "Tệp"
    title, n = base, 2
    while title.lower() in used:
        title, n = f"{base[:25]} ({n})", n + 1
    used.add(title.lower())
    return title


def _write(ws: Any, r: int, c: int, value: Any) -> Any:
    """One cell; text is neutralised and stored as text (never a formula); numbers and dates stay what they are."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row=r, column=c)
    if isinstance(value, (int, float, dt.date, dt.datetime)) and not isinstance(value, bool):
        cell.value = value
    else:  # control characters an xlsx cannot hold are dropped (the finding, if any, names the value as typed)
        cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))
        cell.data_type = "s"
    return cell


def _comment_text(items: list[dict[str, Any]]) -> str:
    parts = []
    for i in items:
        text = f"{LEVEL_VI[i['severity']]}: {i['vi']}"
        if i.get("value", "") != "":
            text += f"\nGiá trị đã nhập: {i['value']}"
        if i.get("fix_vi"):
            text += f"\nCách sửa: {i['fix_vi']}"
        parts.append(text)
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", "\n\n".join(parts)))


def _copy_sheet(wb: Any, title: str, g: Grid, issues: list[dict[str, Any]]) -> dict[int, tuple[int, int | None]]:
    """Copy a submission's sheet and mark its findings; returns issue index -> (row, column) marked."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    ws = wb.create_sheet(title)
    for (r, c), v in sorted(g.cells.items()):
        cell = _write(ws, r, c, v)
        if (r, c) in g.formats:
            cell.number_format = g.formats[(r, c)]
    for rng in g.merges:
        ws.merge_cells(rng)
    for letter, width in g.widths.items():
        ws.column_dimensions[letter].width = width
    marks: dict[tuple[int, int], list[dict[str, Any]]] = {}
    placed: dict[int, tuple[int, int | None]] = {}
    for n, i in enumerate(issues):
        row = i.get("row")
        if row is None or row > MAX_COPY_ROWS:
            continue
        col = locate_column(g, i.get("column", ""), row)
        placed[n] = (row, col)
        marks.setdefault((row, col or 1), []).append(i)
    for (r, c), items in sorted(marks.items()):
        severity = "reject" if any(i["severity"] == "reject" for i in items) else "warn"
        cell = ws.cell(row=r, column=c)
        cell.fill = PatternFill("solid", fgColor=FILL[severity])
        cell.comment = Comment(_comment_text(items), "parplan", width=320, height=160)
    ws.freeze_panes = None
    return placed


def _summary(ws: Any, title: str, rows: list[list[Any]], links: list[str | None]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    _write(ws, 1, 1, title).font = Font(bold=True, size=13)
    _write(ws, 2, 1, "Danh sách các điểm cần sửa trong dữ liệu cơ quan đã nộp. Các ô có vấn đề được tô màu trong bản "
                     "sao tệp của cơ quan (các trang sau), mỗi ô có ghi chú. Đỏ: tệp bị từ chối, cần sửa và gửi lại; "
                     "vàng: tệp vẫn được nhận, cần xem lại. Số dòng là số dòng trong tệp của cơ quan.")
    header = ["STT", "Tệp", "Trang tính", "Dòng", "Cột", "Giá trị đã nhập", "Yêu cầu", "Cách sửa", "Mức"]
    for j, h in enumerate(header, 1):
        c = _write(ws, 4, j, h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9E1F2")
    for n, (row, link) in enumerate(zip(rows, links, strict=True)):
        for j, v in enumerate(row, 1):
            c = _write(ws, 5 + n, j, v)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        if link:  # an internal link to the marked cell (a location, not an external target)
            cell = ws.cell(row=5 + n, column=3)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link)
    for letter, width in zip("ABCDEFGHI", (6, 24, 18, 7, 24, 24, 50, 50, 22), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"


def build_workbook(quarter: Quarter, agency: str, files: list[tuple[str, dict[str, Any]]], store: Store,
                   plan: Plan) -> Any:
    """The feedback workbook (openpyxl) for one agency: the summary sheet and its own files, annotated."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    a = plan.agencies.get(agency)
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    used = {SUMMARY_SHEET.lower()}
    rows: list[list[Any]] = []
    links: list[str | None] = []
    for dataset, f in files:
        name = Path(f["path"]).name
        issues = sorted(_issues(f), key=lambda i: (i["severity"] != "reject", i.get("row") or 0, i.get("column", "")))
        grid = read_grid(store.raw(quarter, dataset) / name, f.get("sheet"))
        title = _sheet_title(f"{dataset} {Path(name).stem}" if len(files) > 1 else dataset, used) if grid else None
        placed = _copy_sheet(wb, title, grid, issues) if grid and title else {}
        for n, i in enumerate(issues):
            row, col = placed.get(n, (i.get("row"), None))
            where = f"'{title}'!{get_column_letter(col or 1)}{row}" if title and n in placed else None
            more = f" (và {i['count'] - 1} dòng khác)" if i.get("count", 1) > 1 else ""
            rows.append([len(rows) + 1, name, title or "—", "" if row is None else row, i.get("column", ""),
                         i.get("value", ""), i["vi"] + more, i.get("fix_vi", ""), LEVEL_VI[i["severity"]]])
            links.append(where)
        if grid is None:
            rows.append([len(rows) + 1, name, "—", "", "", "", "Không mở được tệp để sao chép; xem các lỗi ở trên.",
                         "", ""])
            links.append(None)
        elif grid.truncated:
            rows.append([len(rows) + 1, name, title, "", "", "", f"Bản sao chỉ gồm {MAX_COPY_ROWS} dòng đầu; các lỗi "
                         "ở dòng sau vẫn được liệt kê ở đây.", "", ""])
            links.append(None)
    _summary(summary, f"Phản hồi dữ liệu {quarter.label('vi')} — {a.name_vi if a else agency} ({agency})", rows, links)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is summary
    wb.active = 0
    wb.properties.title = neutralise(f"Phản hồi dữ liệu {quarter} — {agency}")
    wb.properties.identifier = f"parplan:feedback:{quarter}:{agency}"
    wb.properties.language = "vi-VN"
    return wb


def _key(manifest: dict[str, Any]) -> str:
    h = hashlib.sha256(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def write_feedback(q: Quarter, store: Store, plan: Plan, say: Callable[[str], None] = print) -> list[Path]:
    """Write feedback/<Q>/<AGENCY>.xlsx for every agency with findings; remove workbooks no longer due; paths written.

    Skipped (returns the existing workbooks) when the quarter's manifest and this module are unchanged since the last
    run. Raw files are only read.
    """
    manifest = load_manifest(q, store)
    folder = store.feedback_dir(q)
    registry = plan.agencies
    todo = {a: f for a, f in agencies_with_findings(manifest).items() if a in registry}  # no recipient otherwise
    key, key_file = _key(manifest), folder / KEY_FILE
    expected = [folder / f"{a}.xlsx" for a in todo]
    if key_file.exists() and key_file.read_text(encoding="utf-8") == key and all(p.exists() for p in expected):
        return expected
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for agency, files in todo.items():
        wb = build_workbook(q, agency, files, store, plan)
        path = folder / f"{agency}.xlsx"
        atomic_write(path, lambda p, wb=wb: _save(wb, p))
        written.append(path)
    for old in sorted(folder.glob("*.xlsx")):
        if old not in written and re.fullmatch(r"[A-Z0-9_]+", old.stem):
            old.unlink()  # the agency has no finding any more: its old feedback must not be sent again
    atomic_write_text(key_file, key)
    if written:
        say(f"{q}: {len(written)} tệp phản hồi cho cơ quan / feedback workbooks → {folder}")
    return written
