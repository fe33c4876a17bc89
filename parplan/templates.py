"""Excel templates (.xlsx) for the agencies' quarterly submissions, generated from the dataset contracts.

One workbook per dataset: a data sheet 'Dữ liệu' (Vietnamese headers exactly as the contract has them, number
formats, drop-down lists and checks on rows 2..5000), an instruction sheet 'Hướng dẫn' in Vietnamese and, where a
list is too long or holds commas for an inline list, a hidden sheet 'Danh mục' the drop-downs refer to.

Every text parplan writes into a workbook goes through neutralise() (formula injection, see DESIGN notes).
Sheet order: 'Hướng dẫn' first (and open), then 'Dữ liệu', then the hidden 'Danh mục'; parplan.io.read_table picks
the sheet whose header row matches the contract best, so the data sheet need not be the first one.
"""
from __future__ import annotations

import datetime as dt
import io as _io
import math
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .contracts import Column, Contract, available, header_key, load_contract
from .io import atomic_write, fixed_zip

if TYPE_CHECKING:
    from .catalogue import Plan

DATA_SHEET = "Dữ liệu"
HELP_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
LAST_ROW = 5000  # data validations and formats cover rows 2..LAST_ROW
# workbook properties and zip entry times are fixed (the zip format's own epoch), so a template has the same bytes
# on every run
ZIP_TIME = zipfile.ZipInfo().date_time
FIXED_TIME = dt.datetime(*ZIP_TIME)
INLINE_LIST_MAX = 255  # Excel's limit on an inline list formula ("a,b,c")

FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
NUMBER_FORMATS = {"date": DATE_FORMAT, "int": "#,##0", "float": "#,##0.##", "string": "@", "category": "@",
                  "bool": "@"}
TYPE_VI = {"string": "Chữ", "category": "Danh mục", "date": "Ngày dd/mm/yyyy", "bool": "Có/Không",
           "int": "Số nguyên", "float": "Số"}
YES, NO = "Có", "Không"
KIND_VI = {"department": "Các sở, ban, ngành", "district": "UBND các huyện, thị xã, thành phố",
           "provincial_body": "Các cơ quan, đơn vị cấp tỉnh", "commune_group": "Các xã, phường, thị trấn"}
SEVERITY_VI = {"reject": "Tệp bị từ chối", "warn": "Cảnh báo (tệp vẫn được nhận)", "info": "Thông tin"}
REQUIRED_FILL = "FCE4D6"
OPTIONAL_FILL = "EDEDED"
ERROR_TITLE = "Giá trị không hợp lệ"


def neutralise(value: Any) -> Any:
    """Text starting with = + - @ TAB or CR gets a leading "'" so spreadsheets never run it as a formula.

    Non-strings and other strings are returned unchanged (OWASP CSV / formula-injection guidance).
    """
    if isinstance(value, str) and value.startswith(FORMULA_CHARS):
        return "'" + value
    return value


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write one cell; text is neutralised and always stored as a string (never a formula)."""
    cell = ws.cell(row=row, column=col)
    value = neutralise(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _bounds_vi(c: Column) -> str:
    if c.min is not None and c.max is not None:
        return f"từ {_num(c.min)} đến {_num(c.max)}"
    if c.min is not None:
        return f"≥ {_num(c.min)}"
    if c.max is not None:
        return f"≤ {_num(c.max)}"
    return ""


def _inline_list(labels: Iterable[str]) -> str | None:
    """The inline list formula '"a,b,c"', or None when Excel cannot hold it inline (length, commas, quotes)."""
    labels = [str(neutralise(v)) for v in labels]
    if any("," in v or '"' in v for v in labels):
        return None
    formula = '"' + ",".join(labels) + '"'
    return formula if len(formula) <= INLINE_LIST_MAX else None


def needs_list_sheet(c: Column) -> bool:
    """Whether a category column's drop-down list goes to the hidden sheet 'Danh mục' (long, or holds commas)."""
    return c.type == "category" and (c.values_from is not None or _inline_list(c.allowed().values()) is None)


def is_long_list(c: Column) -> bool:
    """A catalogue list or one too long for an inline list: the instructions point to 'Danh mục' instead."""
    if c.type != "category":
        return False
    return c.values_from is not None or len('"' + ",".join(c.allowed().values()) + '"') > INLINE_LIST_MAX


def list_name(c: Column) -> str:
    """The workbook-level defined name of a column's list on the 'Danh mục' sheet."""
    return f"DM_{c.name}"


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _width(texts: Iterable[str], lo: float = 10, hi: float = 50) -> float:
    return max(lo, min(hi, max((len(t) for t in texts), default=0) * 1.1 + 2))


def _submitters_vi(contract: Contract, plan: Plan) -> tuple[str, str]:
    """Who submits (Vietnamese) and an example agency code for the file name."""
    agencies = plan.agencies
    parts, example = [], ""
    for s in contract.submitters:
        if s in agencies:
            parts.append(f"{agencies[s].name_vi} ({s})")
            example = example or s
        else:
            parts.append(KIND_VI.get(s, s))
            first = next((a.code for a in agencies.values() if a.kind == s), "")
            example = example or first
    return "; ".join(parts), example or "SNV"


def example_date(plan: Plan) -> str:
    """A date of the plan's year as officers type it (dd/mm/yyyy), for the instructions."""
    return dt.date(plan.year, 4, 5).strftime("%d/%m/%Y")


def _prompt(c: Column, plan: Plan) -> str:
    bits = [TYPE_VI[c.type] + (", bắt buộc" if c.required else ", không bắt buộc")]
    if c.type == "bool":
        bits.append(f"chọn {YES} hoặc {NO}")
    elif c.type == "category":
        bits.append("chọn trong danh sách")
    elif c.type == "date":
        bits.append(f"ví dụ {example_date(plan)}")
    if _bounds_vi(c):
        bits.append(_bounds_vi(c))
    text = "; ".join(bits) + "." + (f" {c.description_vi}" if c.description_vi else "")
    return text[:255]


def _validation(c: Column, ws_list_ref: str | None, plan: Plan) -> Any:
    """The data validation for one column, or None for free text."""
    from openpyxl.worksheet.datavalidation import DataValidation

    kw: dict[str, Any] = {"allow_blank": True, "showErrorMessage": True, "errorStyle": "stop",
                          "errorTitle": ERROR_TITLE, "showInputMessage": True,
                          "promptTitle": c.header_vi[:32], "prompt": _prompt(c, plan)}
    if c.type == "category":
        labels = list(c.allowed().values())
        if ws_list_ref:
            formula = ws_list_ref
            err = f"Chọn một giá trị trong danh sách thả xuống (danh mục ở sheet '{LIST_SHEET}')."
        else:
            formula = _inline_list(labels)
            err = "Chọn một giá trị trong danh sách thả xuống: " + "; ".join(labels)
        return DataValidation(type="list", formula1=formula, error=err[:255], **kw)
    if c.type == "bool":
        return DataValidation(type="list", formula1=f'"{YES},{NO}"', error=f"Chỉ nhập {YES} hoặc {NO}.", **kw)
    if c.type in ("int", "float"):
        kind = "whole" if c.type == "int" else "decimal"
        what = "số nguyên" if c.type == "int" else "số"
        if c.min is not None and c.max is not None:
            op, f1, f2 = "between", c.min, c.max
        elif c.min is not None:
            op, f1, f2 = "greaterThanOrEqual", c.min, None
        elif c.max is not None:
            op, f1, f2 = "lessThanOrEqual", c.max, None
        elif c.type == "int":
            op, f1, f2 = "between", -1e15, 1e15
        else:
            return None
        err = f"Phải là {what}" + (f" {_bounds_vi(c)}" if _bounds_vi(c) else "") + "."
        return DataValidation(type=kind, operator=op, formula1=f"{f1:g}",
                              formula2=None if f2 is None else f"{f2:g}", error=err, **kw)
    if c.type == "date":
        return DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)",
                              formula2="DATE(9999,12,31)", error=f"Phải là ngày hợp lệ, dạng dd/mm/yyyy (ví dụ {example_date(plan)}).",
                              **kw)
    return None


def _neutralise_validation(dv: Any) -> None:
    for attr in ("errorTitle", "error", "promptTitle", "prompt"):
        setattr(dv, attr, neutralise(getattr(dv, attr)))


def _data_sheet(wb: Any, ws: Any, contract: Contract, plan: Plan) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName

    lists = [c for c in contract.columns if needs_list_sheet(c)]
    refs: dict[str, str] = {}
    if lists:
        ls = wb.create_sheet(LIST_SHEET)
        ls.sheet_state = "hidden"
        col = 1
        for c in lists:
            allowed = c.allowed()
            labels, codes = list(allowed.values()), list(allowed)
            # not the bare header_vi: the reader must never take this sheet for the data sheet
            _put(ls, 1, col, f"Danh mục: {c.header_vi}").font = Font(bold=True)
            for i, label in enumerate(labels, start=2):
                _put(ls, i, col, label)
            ls.column_dimensions[_letter(col)].width = _width(labels)
            if labels != codes:  # the codes too, for officers who prefer them
                _put(ls, 1, col + 1, "Mã").font = Font(bold=True)
                for i, code in enumerate(codes, start=2):
                    _put(ls, i, col + 1, code)
                ls.column_dimensions[_letter(col + 1)].width = _width(codes)
            ref = f"{quote_sheetname(LIST_SHEET)}!${_letter(col)}$2:${_letter(col)}${len(labels) + 1}"
            wb.defined_names[list_name(c)] = DefinedName(list_name(c), attr_text=ref)
            refs[c.name] = list_name(c)
            col += 3
    lines = 1
    for j, c in enumerate(contract.columns, start=1):
        letter = _letter(j)
        cell = _put(ws, 1, j, c.header_vi)
        cell.font = Font(bold=c.required)
        cell.fill = PatternFill("solid", fgColor=REQUIRED_FILL if c.required else OPTIONAL_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        samples = [c.header_vi[:30]]
        if c.type == "category" and not is_long_list(c):
            samples += list(c.allowed().values())
        width = _width(samples, lo=12 if c.type == "date" else 10, hi=40)
        dim = ws.column_dimensions[letter]
        dim.width = width
        dim.number_format = NUMBER_FORMATS[c.type]
        lines = max(lines, math.ceil(len(c.header_vi) * 1.1 / max(width - 2, 1)))
        dv = _validation(c, refs.get(c.name), plan)
        if dv is not None:
            _neutralise_validation(dv)
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 15 * min(lines, 4) + 3
    ws.freeze_panes = "A2"


def _help_sheet(ws: Any, contract: Contract, plan: Plan) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    who, example = _submitters_vi(contract, plan)
    has_lists = any(needs_list_sheet(c) for c in contract.columns)
    key = ", ".join(contract.column(k).header_vi for k in contract.key)
    r = 1
    _put(ws, r, 1, contract.title_vi).font = Font(bold=True, size=14)
    r += 1
    _put(ws, r, 1, f"Mẫu nhập liệu của bộ dữ liệu '{contract.name}' (parplan).").font = Font(italic=True)
    r += 2
    notes = [
        f"1. Tên tệp: <MÃ_CƠ_QUAN>.xlsx, là mã của cơ quan nộp, ví dụ {example}.xlsx.",
        f"2. Nơi đặt tệp: data/raw/<YYYYQn>/{contract.name}/, với YYYYQn là quý báo cáo; "
        f"ví dụ data/raw/{plan.year}Q2/{contract.name}/{example}.xlsx.",
        f"3. Cơ quan nộp: {who}.",
        f"4. Nhập dữ liệu ở sheet '{DATA_SHEET}' từ dòng 2, mỗi dòng một bản ghi. Không sửa, xóa hay đổi thứ tự "
        "dòng tiêu đề (dòng 1); không chèn dòng tiêu đề phụ, dòng tổng cộng hay ô gộp.",
        "5. Cột có tiêu đề in đậm, nền cam là cột bắt buộc; cột nền xám có thể để trống.",
        f"6. Ngày nhập dạng dd/mm/yyyy (ví dụ {example_date(plan)}). Số nhập không kèm đơn vị; số thập phân dùng dấu phẩy "
        "(ví dụ 12,5).",
        f"7. Cột danh mục và cột {YES}/{NO}: chọn trong danh sách thả xuống.",
    ]
    if has_lists:
        notes.append(f"8. Danh mục dài nằm ở sheet ẩn '{LIST_SHEET}' (nhấp chuột phải vào tên sheet, chọn "
                     "Bỏ ẩn/Unhide để xem); cột 'Mã' bên cạnh cho biết mã tương ứng.")
    if key:
        notes.append(f"{len(notes) + 1}. Mỗi dòng phải duy nhất theo: {key}.")
    _put(ws, r, 1, "Cách nộp và nhập liệu").font = bold
    r += 1
    for n in notes:
        _put(ws, r, 1, n)
        r += 1
    r += 1
    _put(ws, r, 1, "Các cột của sheet 'Dữ liệu'").font = bold
    r += 1
    heads = ["Cột (tiêu đề)", "Bắt buộc", "Kiểu dữ liệu", "Giá trị cho phép", "Mô tả"]
    for j, h in enumerate(heads, start=1):
        cell = _put(ws, r, j, h)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=OPTIONAL_FILL)
    r += 1
    wrap = Alignment(wrap_text=True, vertical="top")
    for c in contract.columns:
        if c.type == "category":
            allowed = f"xem sheet {LIST_SHEET}" if is_long_list(c) else "; ".join(c.allowed().values())
        elif c.type == "bool":
            allowed = f"{YES}; {NO}"
        else:
            allowed = _bounds_vi(c)
        desc = [c.description_vi] if c.description_vi else []
        if c.same_as_file_agency:
            desc.append(f"Phải trùng mã cơ quan ở tên tệp (ví dụ {example}).")
        if c.name == "quarter":
            if not c.description_vi:
                desc.append(f"Dạng YYYYQn, ví dụ {plan.year}Q2.")
            desc.append("Phải trùng quý của thư mục nộp.")
        if c.values_from == "agencies":
            desc.append("Chọn tên cơ quan trong danh sách thả xuống.")
        if c.regex:
            desc.append(f"Định dạng (biểu thức chính quy): {c.regex}")
        row = [c.header_vi, "Bắt buộc" if c.required else "Không bắt buộc", TYPE_VI[c.type], allowed, " ".join(desc)]
        for j, v in enumerate(row, start=1):
            _put(ws, r, j, v).alignment = wrap
        r += 1
    r += 1
    _put(ws, r, 1, "Quy tắc kiểm tra").font = bold
    r += 1
    if contract.rules:
        for j, h in enumerate(["Quy tắc", "Mức độ"], start=1):
            cell = _put(ws, r, j, h)
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor=OPTIONAL_FILL)
        r += 1
        for rule in contract.rules:
            _put(ws, r, 1, rule["vi"]).alignment = wrap
            _put(ws, r, 2, SEVERITY_VI.get(rule.get("severity", ""), rule.get("severity", ""))).alignment = wrap
            r += 1
    else:
        _put(ws, r, 1, "Ngoài các yêu cầu của từng cột ở trên, bộ dữ liệu này không có quy tắc liên cột.")
    for letter, width in zip("ABCDE", (40, 16, 18, 45, 60), strict=True):
        ws.column_dimensions[letter].width = width


def save_workbook(wb: Any, path: Path, when: dt.datetime = FIXED_TIME, creator: str = "parplan") -> None:
    """Save with fixed properties and zip entry times (`when`), so the same workbook gives the same bytes."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = creator
    wb.properties.created = when
    wb.properties.modified = when
    buf = _io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()  # save() closes it
    Path(path).write_bytes(fixed_zip(buf.getvalue(), when))


def _save(wb: Any, path: Path) -> None:
    """Save a template or feedback workbook with parplan's fixed properties."""
    save_workbook(wb, path)


def build_template(contract: Contract, plan: Plan) -> Any:
    """The template workbook (openpyxl Workbook) for one dataset contract, with the plan's agencies and tasks."""
    import openpyxl

    wb = openpyxl.Workbook()
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    data = wb.create_sheet(DATA_SHEET)
    contract = load_contract(contract.name, plan)  # lists of agencies and tasks: the plan's
    _data_sheet(wb, data, contract, plan)  # may add the hidden 'Danh mục' sheet (last)
    _help_sheet(help_ws, contract, plan)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is help_ws
    wb.active = wb.index(help_ws)  # the officer opens the file on the instructions
    wb.properties.title = neutralise(contract.title_vi)
    wb.properties.identifier = f"parplan:{contract.name}"
    wb.properties.language = "vi-VN"
    return wb


def write_template(contract: Contract, path: Path, plan: Plan) -> None:
    """Write the .xlsx template of one dataset to path (not atomic: write_all wraps it in atomic_write)."""
    _save(build_template(contract, plan), Path(path))


def write_all(folder: Path | str, plan: Plan) -> list[Path]:
    """One template per shipped contract, folder/<dataset>.xlsx, each written atomically; the paths written."""
    folder = Path(folder)
    out = []
    for name in available():
        contract = load_contract(name, plan)
        path = folder / f"{name}.xlsx"
        atomic_write(path, lambda p, contract=contract: write_template(contract, p, plan))
        out.append(path)
    return out


def _contract_of(wb: Any, plan: Plan) -> Contract:
    """The contract a template belongs to: the identifier property, else the header row of the data sheet."""
    ident = wb.properties.identifier or ""
    if ident.startswith("parplan:") and ident.removeprefix("parplan:") in available():
        return load_contract(ident.removeprefix("parplan:"), plan)
    ws = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else wb.worksheets[0]
    header = [header_key(v) for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ()) if v]
    for name in available():
        c = load_contract(name, plan)
        if header == [header_key(x.header_vi) for x in c.columns]:
            return c
    raise ValueError("Không nhận ra mẫu dữ liệu của tệp này. / Not a parplan template (unknown header row).")


def _cell_value(c: Column, value: Any) -> Any:
    """A Python value as it goes into the data sheet (labels for codes, Có/Không, neutralised text)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if c.type == "category" and isinstance(value, str):
        return c.allowed().get(value, value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(0))
    return neutralise(value)


def fill_template(template_path: Path | str, out_path: Path | str, rows: list[dict[str, Any]], plan: Plan) -> Path:
    """Copy a template and write rows (canonical column name -> Python value) into 'Dữ liệu' from row 2.

    bool -> Có/Không, category codes -> Vietnamese labels, dates -> real Excel dates shown dd/mm/yyyy, text via
    neutralise(). Unknown column names raise KeyError. The output is written atomically.
    """
    import openpyxl

    wb = openpyxl.load_workbook(template_path)
    contract = _contract_of(wb, plan)
    ws = wb[DATA_SHEET]
    known = contract.header_map()
    where: dict[str, int] = {}
    for cell in ws[1]:
        canon = known.get(header_key(cell.value or ""))
        if canon and canon not in where:
            where[canon] = cell.column
    for i, row in enumerate(rows, start=2):
        unknown = set(row) - set(where)
        if unknown:
            raise KeyError(f"Cột không có trong mẫu / columns not in the template: {sorted(unknown)}")
        for name, value in row.items():
            c = contract.column(name)
            cell = _put(ws, i, where[name], _cell_value(c, value))
            if isinstance(cell.value, dt.datetime):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, str):
                cell.number_format = "@"
            else:
                cell.number_format = NUMBER_FORMATS[c.type] if c.type in ("int", "float") else "General"
    out = Path(out_path)
    atomic_write(out, lambda p: _save(wb, p))
    return out


def main(out: str, plan: Plan) -> int:
    """Write every template of the plan's year under out/; one line per file; exit code 0."""
    for path in write_all(Path(out), plan):
        print(f"Đã tạo mẫu nhập liệu / template written: {path}")
    return 0
