"""The small expression language of catalogue/metrics.yaml: column arithmetic and conditions over one processed table.

An expression is a Python-like formula over the table's columns: `handled_date <= deadline`, `topic == 'cchc'`,
`not shortened_procedure`, `psu_count_now - psu_count_2021`, `working_days(decision_date, effective_date) >= 5`.
Allowed: column names, numbers, quoted text, true/false, + - * /, comparisons, and / or / not, and the functions of
FUNCTIONS. `period_end` is the last day of the period. Nothing else is evaluated (no attribute, no import).
"""
from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .periods import Quarter


class ExpressionError(ValueError):
    """A metrics.yaml expression that cannot be read or names a column the table lacks."""


@dataclass(frozen=True)
class Context:
    """What an expression sees besides the table: the period end."""

    period_end: pd.Timestamp


def _is_set(s: pd.Series) -> pd.Series:
    return s.notna()


def _days(a: pd.Series, b: pd.Series) -> pd.Series:
    return (b - a).dt.days


def _working_days(a: pd.Series, b: pd.Series) -> pd.Series:
    from .workdays import working_days

    return working_days(a, b)


def _elapsed_share(quarters: pd.Series) -> pd.Series:
    """Share of the year elapsed at the end of each row's quarter (each distinct quarter parsed once)."""
    shares = {s: Quarter.parse(s).elapsed_share() for s in quarters.dropna().unique()}
    return quarters.map(shares).astype(float)


FUNCTIONS: dict[str, tuple[Callable[..., pd.Series], str]] = {  # name -> (function, meaning in words)
    "is_set": (_is_set, "the cell is not blank"),
    "days": (_days, "calendar days from the first date to the second"),
    "working_days": (_working_days, "working days from the first date to the second (parplan.workdays)"),
    "elapsed_share": (_elapsed_share, "share of the year elapsed at the end of the row's quarter"),
}
BOOLEANS = {"true": True, "false": False, "True": True, "False": False}
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_CMP = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Eq: operator.eq,
        ast.NotEq: operator.ne}


def parse(text: str) -> ast.expr:
    """The syntax tree of one expression (ExpressionError when it is not of the allowed form)."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise ExpressionError(f"Biểu thức không đọc được: {text!r} / expression cannot be read: {text!r} ({e.msg})") from e
    for node in ast.walk(tree):
        ok = isinstance(node, ast.Name | ast.Constant | ast.BinOp | ast.Compare | ast.BoolOp | ast.UnaryOp | ast.Call
                        | ast.Load | ast.And | ast.Or | ast.Not | ast.USub) or type(node) in _BIN or type(node) in _CMP
        if not ok or (isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS)):
            raise ExpressionError(f"Biểu thức {text!r}: không được dùng {ast.dump(node)[:40]} / expression {text!r}: "
                                  f"not allowed here (allowed: columns, numbers, text, + - * /, comparisons, and/or/not, "
                                  f"{', '.join(FUNCTIONS)})")
    return tree


def columns(text: str) -> set[str]:
    """The column names an expression reads."""
    tree = parse(text)
    funcs = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - funcs - {"period_end", *BOOLEANS}


def _truth(v: object, index: pd.Index) -> pd.Series:
    """A condition's value per row as plain bool: blanks and unknowns are False."""
    if not isinstance(v, pd.Series):
        return pd.Series(bool(v), index=index)
    return v.fillna(False).astype(bool) if v.dtype != bool else v


def _eval(node: ast.expr, d: pd.DataFrame, ctx: Context, text: str) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id == "period_end":
            return ctx.period_end
        if node.id in BOOLEANS:
            return BOOLEANS[node.id]
        if node.id not in d.columns:
            raise ExpressionError(f"Biểu thức {text!r}: bảng không có cột {node.id!r} / expression {text!r}: the table "
                                  f"has no column {node.id!r} (columns: {', '.join(map(str, d.columns))})")
        return d[node.id]
    if isinstance(node, ast.BinOp):
        return _BIN[type(node.op)](_eval(node.left, d, ctx, text), _eval(node.right, d, ctx, text))
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, d, ctx, text)
        return ~_truth(v, d.index) if isinstance(node.op, ast.Not) else -v  # type: ignore[operator]
    if isinstance(node, ast.BoolOp):
        parts = [_truth(_eval(v, d, ctx, text), d.index) for v in node.values]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if isinstance(node.op, ast.And) else (out | p)
        return out
    if isinstance(node, ast.Compare):
        left, out = _eval(node.left, d, ctx, text), pd.Series(True, index=d.index)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, d, ctx, text)
            out = out & _truth(_CMP[type(op)](left, right), d.index)
            left = right
        return out
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return FUNCTIONS[node.func.id][0](*(_eval(a, d, ctx, text) for a in node.args))


def value(text: str, d: pd.DataFrame, ctx: Context) -> pd.Series:
    """A numeric expression per row (float)."""
    v = _eval(parse(text), d, ctx, text)
    return (v if isinstance(v, pd.Series) else pd.Series(v, index=d.index)).astype(float)


def holds(conditions: list[str], d: pd.DataFrame, ctx: Context) -> pd.Series:
    """Rows where every condition holds (a blank or unknown cell never satisfies a condition)."""
    out = pd.Series(True, index=d.index)
    for c in conditions:
        out = out & _truth(_eval(parse(c), d, ctx, c), d.index)
    return out
