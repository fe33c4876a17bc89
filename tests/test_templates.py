"""Excel templates: one per contract, drop-downs and formats, read back by parplan's own reader, no formula injection."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from parplan import templates
from parplan.catalogue import load_plan
from parplan.contracts import Column, Contract, available, load_contract
from parplan.io import ROW, read_table
from parplan.templates import (
    DATA_SHEET,
    HELP_SHEET,
    LIST_SHEET,
    fill_template,
    neutralise,
    write_all,
    write_template,
)
from parplan.validation import normalise

PLAN = load_plan(2023)  # the plan whose agencies and tasks the category lists hold

NAMES = available()
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    paths = write_all(folder, load_plan(2023))
    return {p.stem: p for p in paths}


# ------------------------------------------------------------------ helpers
def validation(ws, letter: str):
    """The data validation covering rows 2..LAST_ROW of one column (exactly one is expected)."""
    want = f"{letter}2:{letter}{templates.LAST_ROW}"
    found = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == want]
    assert len(found) == 1, (letter, [str(dv.sqref) for dv in ws.data_validations.dataValidation])
    return found[0]


def list_source(wb, formula: str) -> list[str]:
    """The values a list validation offers: an inline '"a,b"' list, or a (named) range on the 'Danh mục' sheet."""
    if formula.startswith('"'):
        return formula[1:-1].split(",")
    if formula in wb.defined_names:
        formula = wb.defined_names[formula].attr_text
    sheet, _, ref = formula.rpartition("!")
    assert sheet.strip("'") == LIST_SHEET, formula
    lo_c, lo_r, hi_c, hi_r = range_boundaries(ref.replace("$", ""))
    ws = wb[LIST_SHEET]
    return [ws.cell(r, c).value for r in range(lo_r, hi_r + 1) for c in range(lo_c, hi_c + 1)]


def value_for(c: Column, i: int):
    """A valid Python value for row i of column c."""
    if c.type == "string":
        if c.same_as_file_agency:
            return "SNV"
        if c.name in ("quarter", "period"):
            return "2023Q2"
        return f"ABC-{i + 1:03d}"
    if c.type == "category":
        return next(iter(c.allowed()))
    if c.type == "date":
        return dt.date(2023, 4, i + 1)
    if c.type == "bool":
        return i % 2 == 0
    if c.type == "int":
        v = (int(c.min) if c.min is not None else 0) + i
        return min(v, int(c.max)) if c.max is not None else v
    v = 1234.5 + 10 * i  # float
    return min(v, c.max) if c.max is not None else v


def sample_rows(contract: Contract, n: int = 4) -> list[dict]:
    """n valid rows; the second leaves every optional column empty."""
    return [{c.name: None if (i == 1 and not c.required) else value_for(c, i) for c in contract.columns}
            for i in range(n)]


def canonical(c: Column, v) -> str | None:
    """What parplan.validation.normalise makes of the value once written and read back."""
    if v is None:
        return None
    if c.type == "bool":
        return "true" if v else "false"
    if c.type == "date":
        return v.isoformat()
    if c.type == "float":
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    return str(v)


def read_back(path: Path, contract: Contract) -> dict[str, list]:
    rr = read_table(path, contract)
    assert rr.sheet == DATA_SHEET and rr.header_row == 1
    assert rr.notes == []  # no extra columns, formulas or total rows
    frame = normalise(rr.frame, contract)
    out = {c: [None if v is None or v != v else v for v in frame[c].astype(object).where(frame[c].notna(), None)]
           for c in contract.names}
    out[ROW] = frame[ROW].tolist()
    return out


# ------------------------------------------------------------------ neutralise
@pytest.mark.parametrize("text", PAYLOADS)
def test_neutralise_prefixes_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Sở Nội vụ", "ABC-001", "2023Q2", "", " =1", "a=b", "'=already", "1.234,5",
                                   0, -2, 1.5, True, None, dt.date(2023, 4, 1)])
def test_neutralise_leaves_safe_values_alone(value):
    assert neutralise(value) is value or neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_neutralise_is_idempotent():
    once = neutralise("=1+1")
    assert neutralise(once) == once == "'=1+1"


# ------------------------------------------------------------------ the templates themselves
def test_one_template_per_contract(written):
    assert sorted(written) == NAMES
    assert all(p.suffix == ".xlsx" and p.exists() for p in written.values())
    assert not [p for p in next(iter(written.values())).parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", NAMES)
def test_template_layout(written, name):
    contract = load_contract(name, PLAN)
    wb = openpyxl.load_workbook(written[name])
    lists = [c for c in contract.columns if templates.needs_list_sheet(c)]
    assert wb.sheetnames == [HELP_SHEET, DATA_SHEET] + ([LIST_SHEET] if lists else [])
    assert wb.active.title == HELP_SHEET  # opens on the instructions
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [HELP_SHEET]
    if lists:
        assert wb[LIST_SHEET].sheet_state == "hidden"
    ws = wb[DATA_SHEET]
    assert [c.value for c in ws[1]] == [c.header_vi for c in contract.columns]
    assert ws.max_row == 1  # no pre-filled data rows
    assert ws.freeze_panes == "A2"
    assert wb.properties.creator == "parplan"
    for j, c in enumerate(contract.columns, start=1):
        letter = get_column_letter(j)
        head = ws.cell(1, j)
        assert head.font.b is c.required
        assert head.fill.fgColor.rgb.endswith(templates.REQUIRED_FILL if c.required else templates.OPTIONAL_FILL)
        dim = ws.column_dimensions[letter]
        assert dim.width and dim.width >= 10
        assert dim.number_format == templates.NUMBER_FORMATS[c.type]
        if c.type == "category":
            dv = validation(ws, letter)
            assert dv.type == "list" and dv.showErrorMessage and dv.error
            assert list_source(wb, dv.formula1) == list(c.allowed().values())
            assert (not dv.formula1.startswith('"')) is templates.needs_list_sheet(c)
            assert len(dv.formula1) <= 255
        elif c.type == "bool":
            dv = validation(ws, letter)
            assert dv.type == "list" and list_source(wb, dv.formula1) == ["Có", "Không"]
        elif c.type == "date":
            assert dim.number_format == "DD/MM/YYYY"
            dv = validation(ws, letter)
            assert dv.type == "date" and dv.error
        elif c.type == "int" and c.min is not None:
            dv = validation(ws, letter)
            assert dv.type == "whole" and float(dv.formula1) == c.min and dv.error
            assert dv.operator == ("between" if c.max is not None else "greaterThanOrEqual")


@pytest.mark.parametrize("name", NAMES)
def test_instructions(written, name):
    contract = load_contract(name, PLAN)
    wb = openpyxl.load_workbook(written[name])
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f" or str(c.value).startswith("=")]
    ws = wb[HELP_SHEET]
    text = [[v for v in row] for row in ws.iter_rows(values_only=True)]
    flat = "\n".join(str(v) for row in text for v in row if v is not None)
    assert text[0][0] == contract.title_vi
    assert "<MÃ_CƠ_QUAN>.xlsx" in flat and f"data/raw/<YYYYQn>/{name}/" in flat
    for rule in contract.rules:
        assert rule["vi"] in flat
    rows = {r[0]: r for r in text if r[0] in {c.header_vi for c in contract.columns}}
    for c in contract.columns:
        header, required, kind, allowed, _ = rows[c.header_vi][:5]
        assert required == ("Bắt buộc" if c.required else "Không bắt buộc")
        assert kind == templates.TYPE_VI[c.type]
        if c.type == "category":
            assert allowed == ("xem sheet Danh mục" if templates.is_long_list(c) else "; ".join(c.allowed().values()))
        if c.description_vi:
            assert c.description_vi in rows[c.header_vi][4]


def test_templates_are_deterministic(tmp_path):
    contract = load_contract("sipas_survey", PLAN)
    write_template(contract, tmp_path / "a.xlsx", load_plan(2023))
    write_template(contract, tmp_path / "b.xlsx", load_plan(2023))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_main_prints_one_line_per_file(tmp_path, capsys):
    assert templates.main(str(tmp_path / "out"), load_plan(2023)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(NAMES) and all(" / " in line for line in lines)
    assert sorted(p.stem for p in (tmp_path / "out").glob("*.xlsx")) == NAMES


# ------------------------------------------------------------------ round trip through parplan's reader
@pytest.mark.parametrize("name", NAMES)
def test_round_trip(written, tmp_path, name):
    contract = load_contract(name, PLAN)
    rows = sample_rows(contract)
    out = fill_template(written[name], tmp_path / "SNV.xlsx", rows, load_plan(2023))
    got = read_back(out, contract)
    assert got[ROW] == list(range(2, len(rows) + 2))
    for c in contract.columns:
        assert got[c.name] == [canonical(c, r[c.name]) for r in rows], c.name


def test_round_trip_economy_without_the_total_row_trap(written, tmp_path):
    """A last row whose indicator merely starts with 'Tổng' (grdp) is data, not a total row; others work too."""
    contract = load_contract("economy", PLAN)
    rows = sample_rows(contract)
    rows[-1]["indicator"] = "new_enterprises"
    got = read_back(fill_template(written["economy"], tmp_path / "SKHDT.xlsx", rows, load_plan(2023)), contract)
    assert got["indicator"] == [r["indicator"] for r in rows]
    assert got["value"] == [canonical(contract.column("value"), r["value"]) for r in rows]


def test_round_trip_three_decimals(written, tmp_path):
    contract = load_contract("task_status", PLAN)
    rows = sample_rows(contract, 1)
    rows[0]["achieved_value"] = 0.975
    got = read_back(fill_template(written["task_status"], tmp_path / "SNV.xlsx", rows, load_plan(2023)), contract)
    assert got["achieved_value"] == ["0.975"]


def test_filled_cells(written, tmp_path):
    contract = load_contract("tthc_dossiers", PLAN)
    rows = sample_rows(contract, 2)
    rows[0].update(level="district", status="Đang giải quyết", completed_date=None)
    out = fill_template(written["tthc_dossiers"], tmp_path / "SNV.xlsx", rows, load_plan(2023))
    wb = openpyxl.load_workbook(out)
    ws = wb[DATA_SHEET]
    col = {c.name: j for j, c in enumerate(contract.columns, start=1)}
    assert ws.cell(2, col["level"]).value == "Huyện"  # code -> label
    assert ws.cell(2, col["status"]).value == "Đang giải quyết"  # a label stays a label
    assert ws.cell(2, col["fully_online"]).value == "Có" and ws.cell(3, col["fully_online"]).value == "Không"
    d = ws.cell(2, col["received_date"])
    assert d.is_date and d.value == dt.datetime(2023, 4, 1) and d.number_format == "DD/MM/YYYY"
    assert ws.cell(2, col["completed_date"]).value is None
    # the copy keeps the template's drop-downs, formats and instructions
    assert len(ws.data_validations.dataValidation) == len(
        openpyxl.load_workbook(written["tthc_dossiers"])[DATA_SHEET].data_validations.dataValidation)
    assert wb.sheetnames[:2] == [HELP_SHEET, DATA_SHEET] and wb.active.title == HELP_SHEET
    with pytest.raises(KeyError):
        fill_template(written["tthc_dossiers"], tmp_path / "x.xlsx", [{"no_such_column": 1}], load_plan(2023))


# ------------------------------------------------------------------ formula injection
def test_text_cells_cannot_become_formulas(written, tmp_path):
    contract = load_contract("tthc_dossiers", PLAN)
    rows = sample_rows(contract, len(PAYLOADS))
    for r, payload in zip(rows, PAYLOADS, strict=True):
        r["commune"] = payload
        r["procedure_code"] = payload
    out = fill_template(written["tthc_dossiers"], tmp_path / "SNV.xlsx", rows, load_plan(2023))
    ws = openpyxl.load_workbook(out)[DATA_SHEET]
    col = {c.name: j for j, c in enumerate(contract.columns, start=1)}
    for i, payload in enumerate(PAYLOADS, start=2):
        for name in ("commune", "procedure_code"):
            cell = ws.cell(i, col[name])
            assert cell.data_type == "s", (cell.coordinate, cell.data_type)
            # a raw CR survives as CR (lxml, which python-docx brings) or becomes LF (the standard library's XML)
            assert cell.value in ("'" + payload, "'" + payload.replace("\r", "\n")), (cell.coordinate, cell.value)
    with zipfile.ZipFile(out) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert not [n for n in sheets if re.search(r"<(\w+:)?f[ >]", zf.read(n).decode())]
    got = read_back(out, contract)  # the reader sees the neutralised text, never a computed value
    assert [g.replace("\r", "\n") for g in got["commune"]] == ["'" + p.replace("\r", "\n") for p in PAYLOADS]


def test_round_trip_with_the_shipped_sample_values(tmp_path):
    """Fill the dossier template with the rows of a shipped sample file; reading it back gives the same frame."""
    import pandas as pd

    repo = Path(__file__).resolve().parents[1]
    contract = load_contract("tthc_dossiers", PLAN)
    src = read_table(repo / "data/raw/2023Q1/tthc_dossiers/SNV.csv", contract).frame
    expected = normalise(src, contract).drop(columns="_row").head(40).reset_index(drop=True)
    rows = []
    for r in expected.to_dict(orient="records"):
        row = {}
        for c in contract.columns:
            v = r.get(c.name)
            v = None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
            if v is not None and c.type == "date":
                v = dt.date.fromisoformat(v)
            elif v is not None and c.type == "bool":
                v = v == "true"
            row[c.name] = v
        rows.append(row)
    template = tmp_path / "t.xlsx"
    write_template(contract, template, load_plan(2023))
    out = fill_template(template, tmp_path / "SNV.xlsx", rows, load_plan(2023))
    back = normalise(read_table(out, contract).frame, contract).drop(columns="_row").reset_index(drop=True)
    pd.testing.assert_frame_equal(back[expected.columns], expected, check_dtype=False)
