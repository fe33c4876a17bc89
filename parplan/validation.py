"""Great Expectations adapter: contract -> ExpectationSuite, one validation per submission, readable verdicts.

GX usage analytics are switched off before GX is imported; nothing here reaches the network.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import yamlfile
from .contracts import FALSE_WORDS, TRUE_WORDS, Contract, header_key, parse_number
from .contracts import HERE as CONTRACTS_DIR
from .inputs.numbers import parse_percent
from .io import ROW, ReadError, parse_date, read_table, sha256
from .periods import Quarter

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
MAX_LISTED = 50  # offending rows listed per rule and file; the count is always complete

RULE_TEXT = {
    "missing_column": ("Thiếu cột bắt buộc", "required column missing"),
    "not_null": ("Ô bắt buộc bị bỏ trống", "required value is empty"),
    "in_set": ("Giá trị không thuộc danh mục cho phép", "value not in the allowed list"),
    "date_format": ("Ngày không hợp lệ (cần dd/mm/yyyy)", "invalid date (expected dd/mm/yyyy)"),
    "bool": ("Giá trị phải là Có/Không", "value must be Có/Không (yes/no)"),
    "regex": ("Sai định dạng", "wrong format"),
    "number_format": ("Không phải số (ví dụ đúng: 1.234 hoặc 12,5)", "not a number (e.g. 1.234 or 12,5)"),
    "integer": ("Phải là số nguyên", "must be a whole number"),
    "min_value": ("Giá trị nhỏ hơn mức tối thiểu cho phép", "value below the allowed minimum"),
    "max_value": ("Giá trị lớn hơn mức tối đa cho phép", "value above the allowed maximum"),
    "wrong_quarter": ("Quý ghi trong tệp khác quý của thư mục nộp", "the quarter in the file differs from the folder's quarter"),
    "agency_matches_file": ("Mã cơ quan khác với tên tệp", "agency code differs from the file name"),
    "level_for_agency": ("Cấp giải quyết không phù hợp với cơ quan nộp", "level not valid for the submitting agency"),
    "unique_key": ("Mã trùng lặp", "duplicate key"),
    "unknown_agency_file": ("Tên tệp không phải mã cơ quan trong danh mục", "file name is not a registered agency code"),
    "unreadable": ("Không đọc được tệp", "file cannot be read"),
    "empty": ("Tệp không có dòng dữ liệu nào", "file has no data rows"),
    "duplicate_across_files": ("Mã trùng với tệp khác cùng quý", "key also found in another file of the quarter"),
    "inter_agency_counted": ("Hồ sơ liên thông: chỉ tính một lần", "inter-agency dossier: counted once"),
    "plausibility_rows": ("Số dòng thay đổi bất thường so với quý trước", "row count changed sharply from the previous quarter"),
    "plausibility_rate": ("Tỷ lệ thay đổi bất thường so với quý trước", "rate jumped from the previous quarter"),
    "plausibility_direction": ("Giá trị đi ngược hướng kế hoạch", "value moves against the plan's direction"),
    "unsupported_file": ("Định dạng tệp không hỗ trợ", "unsupported file type"),
    "version_clash": ("Hai tệp cùng phiên bản của một cơ quan", "two files of the same version from one agency"),
    "superseded": ("Đã có bản nộp lại", "replaced by a resubmission"),
}
# how to fix, per generic rule (contract rules get a fix text from their kind, see _fix)
FIX_TEXT = {
    "missing_column": ("thêm cột có đúng tiêu đề như mẫu (hoặc tên mã cột)", "add the column with the template's header"),
    "not_null": ("điền giá trị vào ô", "fill in the cell"),
    "in_set": ("chọn một giá trị trong danh mục (xem mẫu Excel)", "choose a value from the list (see the Excel template)"),
    "date_format": ("ghi ngày dạng ngày/tháng/năm (dd/mm/yyyy), năm đủ 4 chữ số",
                    "type the date as day/month/year (dd/mm/yyyy) with a 4-digit year"),
    "bool": ("ghi Có hoặc Không", "type Có or Không"),
    "number_format": ("ghi một số, không kèm chữ hay đơn vị (ví dụ 1.234 hoặc 12,5)", "type a number without words or units"),
    "integer": ("ghi số nguyên, không kèm chữ hay đơn vị (ví dụ 120)", "type a whole number without words or units (e.g. 120)"),
    "unique_key": ("mỗi mã chỉ ghi một dòng: xóa dòng trùng hoặc sửa mã", "one row per key: delete the repeated row or fix the key"),
    "duplicate_across_files": ("kiểm tra mã hồ sơ; nếu là hồ sơ liên thông ghi Có ở cột 'Liên thông' trong mọi tệp",
                               "check the id; if it is an inter-agency dossier, mark 'Liên thông' Có in every file"),
    "wrong_quarter": ("đặt tệp vào thư mục đúng quý hoặc gửi tệp của quý này", "put the file in its quarter's folder or send this quarter's file"),
    "agency_matches_file": ("ghi đúng mã cơ quan của tệp", "type the agency code of the file"),
    "level_for_agency": ("chọn cấp giải quyết phù hợp với cơ quan", "choose a level that fits the agency"),
}


@dataclass
class Issue:
    """One finding about a submission, precise enough for an officer to fix it."""

    file: str
    rule: str
    severity: str  # reject | warn | info
    vi: str
    en: str
    column: str = ""
    row: int | None = None
    value: str = ""
    sheet: str | None = None
    count: int = 1
    fix_vi: str = ""  # how to fix it, in the officer's words and labels
    fix_en: str = ""

    def message(self, lang: str = "vi") -> str:
        """One line: file, sheet, row, column, value and the rule."""
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"{'dòng' if lang == 'vi' else 'row'} {self.row}")
        if self.column:
            where.append(f"{'cột' if lang == 'vi' else 'column'} '{self.column}'")
        text = self.vi if lang == "vi" else self.en
        val = f" — {'giá trị' if lang == 'vi' else 'value'} {self.value!r}" if self.value != "" else ""
        more = ""
        if self.count > 1:
            more = f" ({self.count} {'dòng' if lang == 'vi' else 'rows'})"
        fix = self.fix_vi if lang == "vi" else self.fix_en
        fix = f" — {'cách sửa' if lang == 'vi' else 'to fix'}: {fix}" if fix else ""
        return f"{', '.join(where)}: {text}{val}{more}{fix}"


@dataclass
class FileVerdict:
    """The outcome of validating one submission file."""

    path: str
    dataset: str
    agency: str
    sha256: str
    rows_read: int = 0
    rows_accepted: int = 0
    verdict: str = "accepted"  # accepted | accepted_with_warnings | rejected
    sheet: str | None = None
    issues: list[Issue] = field(default_factory=list)
    checked: bool = True  # False when the file could not be read at all: no rule ran, none passed
    absent: list[str] = field(default_factory=list)  # required columns the file lacks: rules on them did not run
    superseded_by: str | None = None  # a resubmission (<AGENCY>.v2.xlsx …) replaced this file: its rows do not count

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for manifest.json)."""
        d = asdict(self)
        d["issues"] = [asdict(i) for i in self.issues]
        return d


@functools.cache
def contract_spec(name: str) -> dict[str, Any]:
    """The contract's YAML as data: the blocks the Contract class does not model (key_scope, inter_agency, activity,
    plausibility) are read from here."""
    return yamlfile.load(CONTRACTS_DIR / f"{name}.yaml")


# ------------------------------------------------------------------ GX plumbing
_CTX: Any = None
_CTX_LOCK = threading.Lock()


def gx_context():
    """One ephemeral GX context per process, analytics and progress bars off."""
    global _CTX
    with _CTX_LOCK:
        if _CTX is None:
            _CTX = _new_context()
    return _CTX


def _new_context() -> Any:
    """Import GX (analytics off, see the top of this module) and create an ephemeral context."""
    # jsonschema (imported by GX) compiles an optional IRI grammar at import when rfc3987-syntax is installed
    # (it is, for JupyterLab): 2 s of start-up for a check GX never makes here. Skipped in this process only.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every in-memory batch (hashing all cells) for metadata parplan never reads; on a
    # 1 000 000-row file that is a quarter of the validation time. The file's SHA-256 is in the manifest instead.
    pandas_execution_engine.HASH_THRESHOLD = 0
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


def _run_suite(frame: pd.DataFrame, expectations: list, name: str) -> list[Any]:
    """Validate a frame: a quick pass (pass/fail per expectation), then row-level detail only for those that failed."""
    import copy

    ctx = gx_context()
    try:
        ds = ctx.data_sources.get("parplan")
    except Exception:
        ds = ctx.data_sources.add_pandas("parplan")
    try:
        asset = ds.get_asset("submission")
    except Exception:
        asset = ds.add_dataframe_asset("submission")
    try:
        bd = asset.get_batch_definition("whole")
    except Exception:
        bd = asset.add_batch_definition_whole_dataframe("whole")
    # only the columns the expectations read: GX copies the batch for every filtered domain
    used = [FILE, ROW] + sorted(set().union(*(_columns_used(e) for e in expectations)) - {FILE, ROW})
    frame = frame[[c for c in used if c in frame.columns]]
    for c in (FILE, FILE_AGENCY, FILE_KIND, FILE_QUARTER):  # one value per file: categorical copies are cheap
        if c in frame.columns:
            frame = frame.assign(**{c: frame[c].astype("category")})
    batch = bd.get_batch(batch_parameters={"dataframe": frame})

    def run(exps: list, suffix: str, result_format: Any) -> list[Any]:
        import great_expectations as gx

        suite_name = f"{name}.{suffix}"
        try:
            ctx.suites.delete(suite_name)
        except Exception:
            pass
        suite = ctx.suites.add(gx.ExpectationSuite(name=suite_name, expectations=[copy.copy(e) for e in exps]))
        try:
            return list(batch.validate(suite, result_format=result_format).results)
        finally:
            ctx.suites.delete(suite_name)

    # pass/fail only (GX skips counting and sampling the unexpected values): clean files, the usual case, stop here
    results = run(expectations, "quick", "BOOLEAN_ONLY")
    failed = [r for r in results if not r.success]
    if not failed:
        return results
    # GX does not keep the suite's order: match the detailed results by their configuration
    detail = {_config_key(r): r for r in run([r.expectation_config for r in failed], "detail", {
        "result_format": "COMPLETE", "unexpected_index_column_names": [FILE, ROW],
        "return_unexpected_index_query": False})}
    if {_config_key(r) for r in failed} - detail.keys():
        raise RuntimeError("GX detail pass did not return every failed expectation")
    return [detail[_config_key(r)] if not r.success else r for r in results]


def _config_key(result: Any) -> str:
    import json

    c = result.expectation_config
    return json.dumps([c.type, c.kwargs, c.meta], sort_keys=True, default=str)


def _columns_used(e: Any) -> set[str]:
    """Columns an expectation reads, including its row condition's column."""
    out = {v for a in ("column", "column_A", "column_B") if isinstance(v := getattr(e, a, None), str)}
    out |= set(getattr(e, "column_list", None) or [])
    rc = getattr(e, "row_condition", None)
    name = getattr(getattr(rc, "column", None), "name", None)
    if isinstance(name, str):
        out.add(name)
    return out


def _issues_from(results: list[Any], sheets: dict[str, str | None], headers: dict[str, str],
                 raw: dict[str, pd.DataFrame] | None = None,
                 absent: dict[str, set[str]] | None = None) -> list[Issue]:
    """Turn failed GX results into one Issue per offending row (per file), capped at MAX_LISTED per rule and file.

    The value shown is the cell as typed in the file (raw), not parplan's internal code. A rule that reads a column
    a file does not have is not reported for that file (its missing column is; the other rules still run).
    """
    raw = raw or {}
    absent = absent or {}

    def as_typed(f: str, row: Any, column: str, fallback: Any) -> str:
        table = raw.get(f)
        if table is not None and row is not None and column in table.columns and row in table.index:
            return str(table.at[row, column])
        return _fmt(fallback)

    out: list[Issue] = []
    for r in results:
        if r.success:
            continue
        meta = r.expectation_config.meta or {}
        col = meta.get("column", "")
        header = headers.get(col, col)
        reads = set(meta.get("columns") or [col])
        fix = {"fix_vi": meta.get("fix_vi", ""), "fix_en": meta.get("fix_en", "")}
        if r.exception_info and r.exception_info.get("raised_exception"):
            msg = r.exception_info.get("exception_message")
            for f, sh in sheets.items():
                out.append(Issue(f, meta.get("rule", "gx_error"), "reject", f"Lỗi kiểm tra: {msg}",
                                 f"validation error: {msg}", header, sheet=sh))
            continue
        res = r.result or {}
        idx = res.get("unexpected_index_list") or []
        by_file: dict[str, list[dict]] = {}
        for item in idx:
            by_file.setdefault(item.get(FILE, ""), []).append(item)
        for f, items in by_file.items():
            if reads & absent.get(f, set()):
                continue
            for item in items[:MAX_LISTED]:
                row = int(item[ROW]) if ROW in item else None
                out.append(Issue(f, meta["rule"], meta["severity"], meta["vi"], meta["en"], header,
                                 row=row, value=_value_shown(meta, item, lambda c, v, f=f, row=row: as_typed(f, row, c, v)),
                                 sheet=sheets.get(f), **fix))
            if len(items) > MAX_LISTED:
                extra = len(items) - MAX_LISTED
                out.append(Issue(f, meta["rule"], meta["severity"], f"{meta['vi']} — còn {extra} dòng khác",
                                 f"{meta['en']} — {extra} more rows", header, sheet=sheets.get(f), count=extra, **fix))
    return out


def _value_shown(meta: dict[str, Any], item: dict, cell: Any) -> str:
    """The cells a rule compared, as typed, with the figure they should equal (identities show both sides)."""
    col = meta.get("column", "")
    if meta.get("pair"):
        a, b = meta["pair"]
        return f"{cell(a, item.get(a))} < {cell(b, item.get(b))}"
    if meta.get("pair_le"):
        a, b = meta["pair_le"]
        return f"{cell(a, item.get(a))} > {cell(b, item.get(b))}"
    if meta.get("sum") or meta.get("sum_le"):
        total, *parts = meta.get("sum") or meta["sum_le"]
        shown = [v for v in (cell(x, "") for x in parts) if v != ""]
        s = item.get(meta["sum_col"])
        s = "" if s is None or pd.isna(s) else f" = {_fmt(int(s) if float(s).is_integer() else s)}"
        if meta.get("sum_le"):
            return f"{' + '.join(shown)}{s} > {cell(total, item.get(total))}"
        return f"{cell(total, item.get(total))} ≠ {' + '.join(shown)}{s}"
    return cell(col, item.get(col, ""))


def _fmt(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return ""
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.strftime("%d/%m/%Y")
    return str(v)


# ------------------------------------------------------------------ suites built from the contract
def _meta(rule: str, severity: str, column: str = "", **extra: Any) -> dict[str, Any]:
    vi, en = RULE_TEXT.get(rule, (rule, rule))
    fvi, fen = FIX_TEXT.get(rule, ("", ""))
    return {"rule": rule, "severity": severity, "column": column, "vi": extra.pop("vi", vi), "en": extra.pop("en", en),
            "fix_vi": extra.pop("fix_vi", fvi), "fix_en": extra.pop("fix_en", fen), **extra}


def _label(contract: Contract, column: str, code: Any) -> str:
    """What an officer types for a coded value: the Vietnamese label, Có/Không for yes/no."""
    if isinstance(code, bool):
        return "Có" if code else "Không"
    try:
        c = contract.column(column)
    except KeyError:
        return str(code)
    return c.allowed().get(code, str(code)) if c.type == "category" else str(code)


def rule_fix(contract: Contract, r: dict[str, Any]) -> tuple[str, str]:
    """How to fix a contract rule's finding, naming the columns by the headers the officer sees."""
    if r.get("fix_vi"):
        return r["fix_vi"], r.get("fix_en", r["fix_vi"])
    h = {c.name: c.header_vi for c in contract.columns}
    q = lambda n: f"'{h.get(n, n)}'"  # noqa: E731
    kind = r["kind"]
    when = ""
    if r.get("when"):
        (wc, wv), = r["when"].items()
        when = f"{q(wc)} = '{_label(contract, wc, wv)}'"
    if kind == "sum_equals":
        parts = " + ".join(q(x) for x in r["parts"])
        return (f"sửa các ô để {q(r['total'])} = {parts}", f"correct the cells so that {q(r['total'])} = {parts}")
    if kind == "sum_le":
        parts = " + ".join(q(x) for x in r["parts"])
        return (f"sửa các ô để {parts} ≤ {q(r['total'])}", f"correct the cells so that {parts} ≤ {q(r['total'])}")
    if kind == "pair_ge":
        return (f"kiểm tra hai ô: {q(r['a'])} phải ≥ {q(r['b'])}", f"check both cells: {q(r['a'])} must be ≥ {q(r['b'])}")
    if kind == "pair_le":
        return (f"kiểm tra hai ô: {q(r['a'])} phải ≤ {q(r['b'])}", f"check both cells: {q(r['a'])} must be ≤ {q(r['b'])}")
    if kind == "required_if":
        return (f"điền {q(r['column'])} khi {when}", f"fill in {q(r['column'])} where {when}")
    if kind == "null_if":
        return (f"để trống {q(r['column'])} khi {when}", f"leave {q(r['column'])} empty where {when}")
    if kind == "false_unless":
        return (f"ghi 'Không' ở {q(r['column'])} khi {q(r['unless'])} là 'Không'",
                f"type 'Không' in {q(r['column'])} where {q(r['unless'])} is 'Không'")
    if kind == "in_set_if":
        allowed = ", ".join(f"'{_label(contract, r['column'], v)}'" for v in r["values"])
        return (f"ghi {allowed} ở {q(r['column'])} khi {when}", f"type {allowed} in {q(r['column'])} where {when}")
    if kind == "max_if":
        return (f"{q(r['column'])} ≤ {r['max']:g} khi {when}", f"{q(r['column'])} ≤ {r['max']:g} where {when}")
    return (f"kiểm tra ngày ở {q(r['column'])}", f"check the date in {q(r['column'])}")


def logic_suite(contract: Contract, quarter: Quarter) -> list:
    """Expectations on the typed table: the contract's cross-column rules (identities, dates, conditions)."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column as Col

    exps: list = []
    start = pd.Timestamp(quarter.start)
    end = pd.Timestamp(quarter.end)
    for c in contract.columns:  # numeric ranges (negative counts, shares above 100 % …)
        if c.type in ("int", "float") and (c.min is not None or c.max is not None):
            if c.min is not None:
                exps.append(gxe.ExpectColumnValuesToBeBetween(
                    column=c.name, min_value=c.min, meta=_meta(
                        "min_value", "reject", c.name, vi=f"Giá trị phải ≥ {c.min:g}", en=f"value must be ≥ {c.min:g}",
                        fix_vi=f"ghi số ≥ {c.min:g}", fix_en=f"type a number ≥ {c.min:g}")))
            if c.max is not None:
                exps.append(gxe.ExpectColumnValuesToBeBetween(
                    column=c.name, max_value=c.max, meta=_meta(
                        "max_value", "reject", c.name, vi=f"Giá trị phải ≤ {c.max:g}", en=f"value must be ≤ {c.max:g}",
                        fix_vi=f"ghi số ≤ {c.max:g}", fix_en=f"type a number ≤ {c.max:g}")))
    for r in contract.rules:
        fvi, fen = rule_fix(contract, r)
        m = {"rule": r["id"], "severity": r["severity"], "vi": r["vi"], "en": r["en"], "fix_vi": fvi, "fix_en": fen}
        kind = r["kind"]
        when = None
        if r.get("when"):
            (col_w, val_w), = r["when"].items()
            when = Col(col_w) == val_w
        if kind == "pair_ge":
            exps.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=r["a"], column_B=r["b"], or_equal=True, ignore_row_if="either_value_is_missing",
                meta={**m, "column": r["a"], "pair": [r["a"], r["b"]], "columns": [r["a"], r["b"]]}))
        elif kind == "pair_le":
            exps.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=r["b"], column_B=r["a"], or_equal=True, ignore_row_if="either_value_is_missing",
                meta={**m, "column": r["a"], "pair_le": [r["a"], r["b"]], "columns": [r["a"], r["b"]]}))
        elif kind == "sum_equals":
            exps.append(gxe.ExpectColumnPairValuesToBeEqual(
                column_A=r["total"], column_B=f"__sum_{r['id']}", ignore_row_if="either_value_is_missing",
                meta={**m, "column": r["total"], "sum": [r["total"], *r["parts"]], "sum_col": f"__sum_{r['id']}",
                      "columns": [r["total"], *r["parts"]]}))
        elif kind == "sum_le":
            exps.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=r["total"], column_B=f"__sum_{r['id']}", or_equal=True, ignore_row_if="either_value_is_missing",
                meta={**m, "column": r["total"], "sum_le": [r["total"], *r["parts"]], "sum_col": f"__sum_{r['id']}",
                      "columns": [r["total"], *r["parts"]]}))
        elif kind == "required_if":
            exps.append(gxe.ExpectColumnValuesToNotBeNull(
                column=r["column"], row_condition=when, meta={**m, "column": r["column"], "columns": [r["column"], col_w]}))
        elif kind == "null_if":
            exps.append(gxe.ExpectColumnValuesToBeNull(
                column=r["column"], row_condition=when, meta={**m, "column": r["column"], "columns": [r["column"], col_w]}))
        elif kind == "false_unless":
            exps.append(gxe.ExpectColumnValuesToBeInSet(
                column=r["column"], value_set=[False], row_condition=Col(r["unless"]) == False,  # noqa: E712
                meta={**m, "column": r["column"], "columns": [r["column"], r["unless"]]}))
        elif kind == "in_set_if":
            exps.append(gxe.ExpectColumnValuesToBeInSet(
                column=r["column"], value_set=list(r["values"]), row_condition=when,
                meta={**m, "column": r["column"], "columns": [r["column"], col_w]}))
        elif kind == "max_if":
            exps.append(gxe.ExpectColumnValuesToBeBetween(
                column=r["column"], max_value=r["max"], row_condition=when,
                meta={**m, "column": r["column"], "columns": [r["column"], col_w]}))
        elif kind in ("date_not_after_quarter_end", "after_quarter_end"):
            exps.append(gxe.ExpectColumnValuesToBeBetween(
                column=r["column"], max_value=end, row_condition=when, meta={**m, "column": r["column"]}))
        elif kind == "date_not_before_quarter_start":
            exps.append(gxe.ExpectColumnValuesToBeBetween(
                column=r["column"], min_value=start, meta={**m, "column": r["column"]}))
        elif kind == "date_in_quarter":
            exps.append(gxe.ExpectColumnValuesToBeBetween(
                column=r["column"], min_value=start, max_value=end, meta={**m, "column": r["column"]}))
        else:
            raise ValueError(f"{contract.name}: unknown rule kind {kind}")
    return exps


def as_at_quarter_end(t: pd.DataFrame, contract: Contract, quarter: Quarter) -> pd.DataFrame:
    """Each record as it stood on the quarter's last day (rules with `as_at_end`): a date after it did not exist yet,
    so its record is dropped (`drop`) or the named columns take the given values (e.g. a completion after the quarter
    leaves the dossier pending). The finding saying so is the rule's own warning."""
    end = pd.Timestamp(quarter.end)
    out = t
    for r in contract.rules:
        effect = r.get("as_at_end")
        if r["kind"] != "after_quarter_end" or not effect or r["column"] not in out.columns:
            continue
        late = (out[r["column"]] > end).fillna(False).to_numpy(dtype=bool)
        if r.get("when"):
            (wc, wv), = r["when"].items()
            late &= (out[wc] == wv).fillna(False).to_numpy(dtype=bool)
        if not late.any():
            continue
        if effect == "drop":
            out = out[~late].reset_index(drop=True)
            continue
        out = out.copy()
        for col, value in effect.items():
            out.loc[late, col] = pd.NA if value is None else value
    return out


def activity_issues(t: pd.DataFrame, contract: Contract, quarter: Quarter,
                    sheets: dict[str, str | None]) -> list[Issue]:
    """Wrong quarter by the records' own dates: a file where more than `max_outside` of the records have no activity
    in the folder's quarter is rejected, naming the quarter its dates point to (contract block `activity`)."""
    spec = contract_spec(contract.name).get("activity")
    if not spec or t.empty:
        return []
    start, end = pd.Timestamp(quarter.start), pd.Timestamp(quarter.end)
    first = t[spec["from"]]
    last = t[spec["to"]] if spec.get("to") else first
    known = first.notna()
    if spec.get("to"):  # open until `to`; no `to` yet: still open at the quarter's end
        active = (first <= end) & (last.isna() | (last >= start))
    else:
        active = first.between(start, end)
    frame = pd.DataFrame({FILE: t[FILE], "known": known, "outside": known & ~active.fillna(False),
                          "q": last.where(last.notna(), first).dt.to_period("Q")})
    counts = frame.groupby(FILE, sort=False, observed=True)[["known", "outside"]].sum()
    bound = float(spec.get("max_outside", 0.5))
    bad = counts[(counts["known"] > 0) & (counts["outside"] > bound * counts["known"])]
    out = []
    h = contract.column(spec["from"]).header_vi
    for f, row in bad.iterrows():
        pointed = frame[(frame[FILE] == f) & frame["outside"]]["q"].mode()
        where = f"{pointed.iat[0].year}Q{pointed.iat[0].quarter}" if len(pointed) else "?"
        n, k = int(row["outside"]), int(row["known"])
        out.append(Issue(
            str(f), "wrong_quarter", "reject",
            f"Tệp sai quý: {n}/{k} dòng không có hoạt động trong quý {quarter}; ngày trong tệp thuộc quý {where}",
            f"wrong quarter: {n} of {k} rows have no activity in {quarter}; the file's dates point to {where}",
            h, value=where, sheet=sheets.get(str(f)), count=n,
            fix_vi=f"đặt tệp vào thư mục data/raw/{where}/ hoặc gửi tệp của quý {quarter}",
            fix_en=f"put the file under data/raw/{where}/ or send the file for {quarter}"))
    return out



# ------------------------------------------------------------------ normalisation
def _normalise_value(c: Any, v: str, lut: dict[str, str], locale: str = "vi") -> str:
    """One cell's canonical text: category code, ISO date, 'true'/'false', canonical number; unknowns unchanged.

    Numbers typed as text are read with the file's convention (locale, decided by the reader); '85%' is 0.85 in a
    fraction column and stays as typed (so it is reported) elsewhere.
    """
    if c.type == "category":
        return lut.get(header_key(v), v)
    if c.type == "date":
        d = parse_date(v)
        return d.isoformat() if d else v
    if c.type in ("int", "float"):
        x = parse_percent(v, locale) if c.fraction and v.endswith("%") else parse_number(v, locale)
        if x is None:
            return v
        return str(int(x)) if x.is_integer() else repr(x)
    if c.type == "bool":
        k = header_key(v)
        return "true" if k in TRUE_WORDS else "false" if k in FALSE_WORDS else v
    return v


def normalise(frame: pd.DataFrame, contract: Contract, locale: str | None = None) -> pd.DataFrame:
    """Map labels to codes, dates to ISO strings, yes/no to 'true'/'false'; '' becomes missing. Unknowns stay as typed.

    Each distinct value is interpreted once (files repeat the same labels and dates many times). Cells are expected
    trimmed, as `read_table` returns them; coded values (labels, dates, numbers, yes/no) are trimmed again.
    locale: the file's number convention ('vi' | 'en'), as `ReadResult.locale`; by default the one `read_table`
    recorded on the frame (frame.attrs['number_locale']), else 'vi'.
    """
    locale = locale or frame.attrs.get("number_locale") or "vi"
    out = frame.copy()
    for c in contract.columns:
        if c.name not in out.columns:
            continue
        s = out[c.name].astype("string")  # read_table trims every cell; coded values are trimmed again below
        if c.type in ("category", "date", "int", "float", "bool"):
            lut = c.label_to_code() if c.type == "category" else {}
            codes, uniques = pd.factorize(s)  # missing -> code -1, which picks the trailing null below
            canon = pa.array([None if u.strip() == "" else _normalise_value(c, u.strip(), lut, locale)
                              for u in uniques]
                             + [None], pa.string())
            picked = pc.take(canon, pa.array(np.where(codes < 0, len(uniques), codes)))
            s = pd.Series(pd.arrays.ArrowStringArray(picked), index=s.index)
        out[c.name] = s.replace("", pd.NA)
    return out


def with_derived(t: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Add the helper columns some rules compare against (e.g. the sum of the parts for sum_equals)."""
    out = t.copy()
    for r in contract.rules:
        if r["kind"] in ("sum_equals", "sum_le"):
            parts = out[list(r["parts"])]
            required = [c.name for c in contract.columns if c.name in r["parts"] and c.required]
            # an optional part left empty counts as 0; a missing required part leaves the sum undefined
            total = parts.fillna(0).sum(axis=1)
            out[f"__sum_{r['id']}"] = total.where(out[required].notna().all(axis=1)).astype("float64")
    # plain numpy dtypes, so GX compares whole columns at once (it maps a Python function over nullable Int64/Float64
    # and non-nanosecond datetimes: 20x slower on large files)
    for c in contract.columns:
        if c.name in out.columns and c.type in ("int", "float"):
            out[c.name] = out[c.name].astype("float64")
        elif c.name in out.columns and c.type == "date":
            out[c.name] = out[c.name].astype("datetime64[ns]")
    return out


def typed(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Convert a normalised, structure-valid table to typed columns."""
    out = frame.copy()
    for c in contract.columns:
        if c.name not in out.columns:
            out[c.name] = pd.NA
        if c.type == "date":  # each distinct date is parsed once
            codes, uniques = pd.factorize(out[c.name].astype("string"))
            days = pd.to_datetime(pd.Index(uniques, dtype="string"), format="%Y-%m-%d", errors="coerce")
            out[c.name] = days.take(codes, allow_fill=True, fill_value=pd.NaT).to_numpy()
        elif c.type == "bool":
            text = out[c.name].astype("string")
            flag = text.eq("true").astype("boolean")
            out[c.name] = flag.mask(~text.isin(["true", "false"]).fillna(False), pd.NA)
        elif c.type == "int":
            out[c.name] = pd.to_numeric(out[c.name], errors="coerce").astype("Int64")
        elif c.type == "float":
            out[c.name] = pd.to_numeric(out[c.name], errors="coerce").astype("Float64")
        elif c.type in ("string", "category"):
            out[c.name] = out[c.name].astype("string")
    return out[[ROW] + contract.names]


# ------------------------------------------------------------------ entry point
FILE = "_file"
UNREADABLE_LAYOUT = {"duplicate_column"}  # reader findings after which the rows cannot be matched to columns
FILE_AGENCY = "_file_agency"
FILE_KIND = "_file_kind"
FILE_QUARTER = "_file_quarter"


def _prepare(path: Path, contract: Contract, agency: str, agency_kind: str | None, root: Path | None,
             quarter: Quarter) -> tuple[FileVerdict, pd.DataFrame | None, pd.DataFrame | None]:
    """Read and normalise one file; file-level problems (name, encoding, corrupt, empty) are decided here."""
    path = Path(path)
    shown = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name
    v = FileVerdict(path=shown, dataset=contract.name, agency=agency, sha256=sha256(path))
    if agency_kind is None or not contract.accepts_submitter(agency, agency_kind):
        expected = ", ".join(contract.submitters)
        v.issues.append(Issue(shown, "unknown_agency_file", "reject",
                              f"Tên tệp '{path.stem}' không phải mã cơ quan được nộp dữ liệu này ({expected})",
                              f"file name '{path.stem}' is not the code of an agency that submits this dataset ({expected})"))
        v.verdict, v.checked = "rejected", False
        return v, None, None
    try:
        rr = read_table(path, contract)
    except ReadError as e:
        vi, _, en = str(e).partition(" / ")
        v.issues.append(Issue(shown, "unreadable", "reject", vi, en or vi))
        v.verdict, v.checked = "rejected", False
        return v, None, None
    v.sheet = rr.sheet
    for n in rr.notes:
        v.issues.append(Issue(shown, n["rule"], n["severity"], n["vi"], n["en"], n.get("column", ""), row=n.get("row"),
                              sheet=rr.sheet))
    frame = normalise(rr.frame, contract)
    v.rows_read = len(frame)
    if v.rows_read == 0:
        v.issues.append(Issue(shown, "empty", "reject", *RULE_TEXT["empty"], sheet=rr.sheet))
    missing = [c for c in contract.columns if c.required and c.name not in frame.columns]
    for c in missing:
        v.issues.append(Issue(shown, "missing_column", "reject", RULE_TEXT["missing_column"][0],
                              RULE_TEXT["missing_column"][1], c.header_vi, sheet=rr.sheet, fix_vi=FIX_TEXT["missing_column"][0],
                              fix_en=FIX_TEXT["missing_column"][1]))
    v.absent = [c.name for c in missing]  # the other rules still run on the columns present (one round trip)
    if v.rows_read == 0 or any(i.severity == "reject" and (i.row is None or i.rule in UNREADABLE_LAYOUT)
                               and i.rule != "missing_column" for i in v.issues):
        v.verdict, v.checked = "rejected", False  # the rows cannot be read as records: no rule can run on them
        return v, None, None
    for c in contract.columns:  # optional columns absent from the file are simply empty (required ones: see absent)
        if c.name not in frame.columns:
            frame[c.name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame.insert(0, FILE, shown)
    frame.insert(1, FILE_AGENCY, agency)
    frame.insert(2, FILE_KIND, agency_kind)
    frame.insert(3, FILE_QUARTER, str(quarter))
    return v, frame[[FILE, FILE_AGENCY, FILE_KIND, FILE_QUARTER, ROW] + contract.names], rr.frame.set_index(ROW)


LEVELS_FOR_KIND = {"department": ["province"], "district": ["district", "commune"]}


def batch_structure_suite(contract: Contract) -> list:
    """Structure expectations over many files stacked together (file-specific rules use the _file_* columns)."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column as Col

    exps: list = []
    for c in contract.columns:
        if c.required:
            exps.append(gxe.ExpectColumnValuesToNotBeNull(column=c.name, meta=_meta("not_null", "reject", c.name)))
        if c.type == "category":
            allowed = c.allowed()
            shown_vi = ", ".join(list(allowed.values())[:12]) + (" …" if len(allowed) > 12 else "")
            shown_en = shown_vi  # what the officer types is the Vietnamese label, in either language
            exps.append(gxe.ExpectColumnValuesToBeInSet(
                column=c.name, value_set=sorted(allowed), meta=_meta(
                    "in_set", "reject", c.name, vi=f"Giá trị không thuộc danh mục ({shown_vi})",
                    en=f"value not in the allowed list ({shown_en})")))
        elif c.type in ("int", "float"):
            exps.append(gxe.ExpectColumnValuesToMatchRegex(
                column=c.name, regex=r"^-?\d+(?:\.\d+)?$" if c.type == "float" else r"^-?\d+$",
                meta=_meta("number_format" if c.type == "float" else "integer", "reject", c.name)))
        elif c.type == "date":
            exps.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=ISO_DATE,
                                                           meta=_meta("date_format", "reject", c.name)))
        elif c.type == "bool":
            exps.append(gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=["true", "false"],
                                                        meta=_meta("bool", "reject", c.name)))
        if c.regex:
            exps.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=c.regex,
                                                           meta=_meta("regex", "reject", c.name)))
        if c.name == "quarter":
            exps.append(gxe.ExpectColumnPairValuesToBeEqual(
                column_A="quarter", column_B=FILE_QUARTER, ignore_row_if="either_value_is_missing",
                meta=_meta("wrong_quarter", "reject", "quarter")))
        if c.same_as_file_agency:
            exps.append(gxe.ExpectColumnPairValuesToBeEqual(
                column_A=c.name, column_B=FILE_AGENCY, ignore_row_if="either_value_is_missing",
                meta=_meta("agency_matches_file", "reject", c.name)))
        if c.name == "level":
            for kind, levels in LEVELS_FOR_KIND.items():
                exps.append(gxe.ExpectColumnValuesToBeInSet(
                    column="level", value_set=levels, row_condition=Col(FILE_KIND) == kind,
                    meta=_meta("level_for_agency", "reject", "level")))
    if contract.key:
        exps.append(gxe.ExpectCompoundColumnsToBeUnique(
            column_list=[FILE, *contract.key], meta=_meta("unique_key", "reject", contract.key[0])))
    return exps


def validate_files(items: list[tuple[Path, str, str | None]], contract: Contract, quarter: Quarter,
                   root: Path | None = None) -> list[tuple[FileVerdict, pd.DataFrame | None]]:
    """Validate many submissions of one dataset with one GX run per stage; per-file verdicts and typed rows."""
    # importing GX takes seconds: do it in the background while the files are read (reading releases the GIL)
    warm = threading.Thread(target=gx_context, name="gx-import", daemon=True)
    warm.start()
    prepared = [_prepare(p, contract, a, k, root, quarter) for p, a, k in items]
    warm.join()
    verdicts = {v.path: v for v, _, _ in prepared}
    if len(verdicts) < len(prepared):
        raise ValueError("validate_files: two files share one displayed path; pass root= to tell them apart")
    frames = [f for _, f, _ in prepared if f is not None]
    raw = {v.path: r for v, _, r in prepared if r is not None}
    headers = {c.name: c.header_vi for c in contract.columns}
    typed_by_file: dict[str, pd.DataFrame] = {}
    if frames:
        stacked = pd.concat(frames, ignore_index=True)
        sheets = {v.path: v.sheet for v in verdicts.values()}
        absent = {v.path: set(v.absent) for v in verdicts.values() if v.absent}
        issues = _issues_from(_run_suite(stacked, batch_structure_suite(contract), f"{contract.name}.structure"),
                              sheets, headers, raw, absent)
        # one round trip: the cross-column rules run on every file that could be read, structural faults or not
        # (a cell that failed its own check is empty in the typed table, so no rule reads it twice)
        t = pd.concat([pd.concat([f[[FILE, FILE_AGENCY, FILE_KIND]], typed(_whole_only(f, contract), contract)], axis=1)
                       for f in frames], ignore_index=True)
        checked = with_derived(t, contract)
        issues += _issues_from(_run_suite(checked, logic_suite(contract, quarter), f"{contract.name}.logic"),
                               sheets, headers, raw, absent)
        issues += activity_issues(t, contract, quarter, sheets)
        for i in issues:
            verdicts[i.file].issues.append(i)
        for name, g in t.groupby(FILE, sort=False, observed=True):
            if not _rejected(verdicts[name]):
                g = g.drop(columns=[FILE, FILE_AGENCY, FILE_KIND]).reset_index(drop=True)
                typed_by_file[name] = as_at_quarter_end(g, contract, quarter)
    out = []
    for v, _, _ in prepared:
        if _rejected(v):
            v.verdict, v.rows_accepted = "rejected", 0
            out.append((v, None))
            continue
        v.verdict = "accepted_with_warnings" if any(i.severity == "warn" for i in v.issues) else "accepted"
        t = typed_by_file.get(v.path)
        v.rows_accepted = 0 if t is None else len(t)
        out.append((v, t))
    return out


def _whole_only(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Whole-number columns with the cells that are not whole numbers emptied (they have their own finding), so the
    identities that read them are not judged on a rounded value."""
    ints = [c.name for c in contract.columns if c.type == "int" and c.name in frame.columns]
    if not ints:
        return frame
    out = frame.copy()
    for c in ints:
        s = out[c].astype("string")
        out[c] = s.where(s.str.fullmatch(r"-?\d+").fillna(True))
    return out


def _rejected(v: FileVerdict) -> bool:
    return v.verdict == "rejected" or any(i.severity == "reject" for i in v.issues)


def validate_submission(path: Path, contract: Contract, quarter: Quarter, agency: str, agency_kind: str | None,
                        root: Path | None = None) -> tuple[FileVerdict, pd.DataFrame | None]:
    """Validate one file against its contract; returns the verdict and, unless rejected, the typed rows."""
    return validate_files([(Path(path), agency, agency_kind)], contract, quarter, root)[0]


def applicable_rules(contract: Contract) -> list[tuple[str, str, str]]:
    """Every rule a submission of this dataset is checked against: (rule id, Vietnamese text, English text)."""
    types = {c.type for c in contract.columns}
    generic = ["unreadable", "unknown_agency_file", "empty", "missing_column", "not_null"]
    if "category" in types:
        generic.append("in_set")
    if "date" in types:
        generic.append("date_format")
    if "bool" in types:
        generic.append("bool")
    if "float" in types:
        generic.append("number_format")
    if "int" in types:
        generic.append("integer")
    if any(c.min is not None for c in contract.columns):
        generic.append("min_value")
    if any(c.max is not None for c in contract.columns):
        generic.append("max_value")
    if any(c.regex for c in contract.columns):
        generic.append("regex")
    if any(c.same_as_file_agency for c in contract.columns):
        generic.append("agency_matches_file")
    if "level" in contract.names:
        generic.append("level_for_agency")
    if "quarter" in contract.names:
        generic.append("wrong_quarter")
    if contract.key:
        generic.append("unique_key")
    spec = contract_spec(contract.name)
    if contract.key and spec.get("key_scope") == "dataset":
        generic.append("duplicate_across_files")
    if spec.get("activity") and "wrong_quarter" not in generic:
        generic.append("wrong_quarter")
    plaus = spec.get("plausibility") or {}
    generic += [f"plausibility_{k}" for k in ("rows", "rates", "direction") if k in plaus]
    generic = [g.replace("plausibility_rates", "plausibility_rate") for g in generic]
    out = [(r, *RULE_TEXT[r]) for r in generic]
    out += [(r["id"], r["vi"], r["en"]) for r in contract.rules]
    return out
