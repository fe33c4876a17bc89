"""Compute a metric from its declaration in catalogue/metrics.yaml: the per-unit numerator and denominator of a period.

A declaration names its dataset, how the dataset's rows are read (`kind`: flow = the period's reports summed, each
record once when `one_row_per` names its key; stock = each unit's latest report as of the period end), the
`period` rule (row: the Q row reads the quarter and the YTD row the year to date; YTD: both read the year to date),
`filters` (conditions a row must meet to count at all), the `numerator` and `denominator` (`count: all` or
`count: [conditions]`, or `sum: <expression>` with an optional `where:`), `per` (agency; agency_or_commune_group;
province) and the `group` rule (ratio_of_sums | sum | mean | per_unit). A metric that cannot be declared names
`custom: <module>.<function>` (with `args:`) instead. Expressions: parplan.metric_expressions.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import metric_expressions as ex
from .periods import Quarter

if TYPE_CHECKING:
    from .catalogue import Plan

Tables = dict[str, pd.DataFrame]
UNIT_COLS = ["agency", "numerator", "denominator", "n_sources"]
KINDS = ("flow", "stock")
PERIODS = ("row", "YTD")
PER = ("agency", "agency_or_commune_group", "province")
GROUP_RULES = ("ratio_of_sums", "sum", "mean", "per_unit")
DOSSIERS = "tthc_dossiers"  # computed by parplan.metrics (terms with unknowns, commune units)
BASELINE = "{baseline_year}"  # in a column name: the target's baseline year (baseline_year below)
ENGINE_KEYS = {"dataset", "unit", "source", "group", "kind", "period", "per", "one_row_per", "latest_per", "latest_by",
               "among", "filters", "numerator", "denominator", "zero_when_none", "provisional", "as_of_column",
               "custom", "args"}
WORDS_KEYS = {"id", "name_vi", "name_en", "formula", "formula_vi", "basis", "note", "reported_as",
              "unmeasurable_reason", "unmeasurable_reason_vi"}


class DeclarationError(ValueError):
    """A metrics.yaml declaration the engine cannot compute."""


@dataclass(frozen=True)
class Measure:
    """A numerator or denominator: count rows (meeting `where`), or sum an expression over rows meeting `where`."""

    how: str  # 'count' | 'sum'
    expr: str = ""
    where: tuple[str, ...] = ()

    @classmethod
    def of(cls, spec: Any, metric: str) -> Measure | None:
        """The measure of a YAML `numerator:` / `denominator:` (None for `none` / absent)."""
        if spec in (None, "none"):
            return None
        if isinstance(spec, dict) and "count" in spec:
            c = spec["count"]
            return cls("count", where=() if c == "all" else tuple([c] if isinstance(c, str) else c))
        if isinstance(spec, dict) and "sum" in spec:
            w = spec.get("where", ())
            return cls("sum", str(spec["sum"]), tuple([w] if isinstance(w, str) else w))
        raise DeclarationError(f"{metric}: tử số / mẫu số phải là 'count: ...' hoặc 'sum: ...', gặp {spec!r} / "
                               f"numerator and denominator must be 'count: ...' or 'sum: ...', found {spec!r}")

    def expressions(self) -> list[str]:
        """Every expression the measure evaluates."""
        return ([self.expr] if self.expr else []) + list(self.where)


@dataclass(frozen=True)
class Declaration:
    """One metric of metrics.yaml as the engine reads it."""

    id: str
    dataset: str
    unit: str
    source: str = "measured"
    group: str = "ratio_of_sums"
    kind: str = "flow"
    period: str = "row"
    per: str = "agency"
    one_row_per: str | None = None
    latest_per: tuple[str, ...] = ("agency_code",)
    latest_by: str = "quarter"
    among: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    numerator: Measure | None = None
    denominator: Measure | None = None
    zero_when_none: bool = False
    provisional: str | None = None
    as_of_column: str | None = None
    custom: str | None = None
    args: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Declaration | None:
        """The declaration of a metrics.yaml entry, None when it declares no computation (not implemented)."""
        m = spec["id"]
        unknown = set(spec) - ENGINE_KEYS - WORDS_KEYS
        if unknown:
            raise DeclarationError(f"{m}: khóa không biết {sorted(unknown)} / unknown keys {sorted(unknown)} (allowed: "
                                   f"{', '.join(sorted(ENGINE_KEYS | WORDS_KEYS))})")
        if not (spec.get("numerator") or spec.get("custom")):
            return None
        d = cls(id=m, dataset=spec.get("dataset", ""), unit=spec["unit"], source=spec.get("source", "measured"),
                group=spec.get("group", "ratio_of_sums"), kind=spec.get("kind", "flow"),
                period=str(spec.get("period", "row")), per=spec.get("per", "agency"),
                one_row_per=spec.get("one_row_per"), latest_per=tuple(spec.get("latest_per", ("agency_code",))),
                latest_by=spec.get("latest_by", "quarter"), among=tuple(spec.get("among", ())),
                filters=tuple(spec.get("filters", ())), numerator=Measure.of(spec.get("numerator"), m),
                denominator=Measure.of(spec.get("denominator"), m), zero_when_none=bool(spec.get("zero_when_none")),
                provisional=spec.get("provisional"), as_of_column=spec.get("as_of_column"),
                custom=spec.get("custom"), args=dict(spec.get("args", {})))
        d.check()
        return d

    def check(self) -> None:
        """DeclarationError unless every key has an allowed value and every expression can be read."""
        allowed = {"kind": KINDS, "period": PERIODS, "per": PER, "group": GROUP_RULES,
                   "provisional": (None, "until_year_end"), "source": ("measured", "self_reported")}
        for key, values in allowed.items():
            if getattr(self, key) not in values:
                raise DeclarationError(f"{self.id}: {key} = {getattr(self, key)!r} không hợp lệ / {key} = "
                                       f"{getattr(self, key)!r} is not one of {[v for v in values if v]}")
        if self.custom:
            custom_function(self.custom)
            return
        if self.numerator is None:
            raise DeclarationError(f"{self.id}: thiếu tử số / no numerator")
        if self.unit == "fraction" and self.denominator is None and self.group == "ratio_of_sums":
            raise DeclarationError(f"{self.id}: tỷ lệ cần mẫu số / a fraction with a ratio of sums needs a denominator")
        for e in self.expressions():
            ex.parse(e.replace(BASELINE, "0"))

    def expressions(self) -> list[str]:
        """Every expression of the declaration (among, filters, numerator, denominator)."""
        out = list(self.among) + list(self.filters)
        for m in (self.numerator, self.denominator):
            out += m.expressions() if m else []
        return out


def custom_function(name: str) -> Callable[..., pd.DataFrame]:
    """The function a `custom:` entry names ('metrics_custom.f' is looked up in parplan.metrics_custom)."""
    module, _, fn = name.rpartition(".")
    try:
        return getattr(importlib.import_module(f"parplan.{module}"), fn)
    except (ImportError, AttributeError) as e:
        raise DeclarationError(f"Không có hàm {name} / no function {name} (custom: in metrics.yaml)") from e


def baseline_year(plan: Plan, metric: str) -> int:
    """The year a change metric is measured against: its target's `baseline_year` in the plan, else the plan's."""
    years = {tg.baseline_year for tg in plan.targets if tg.metric == metric and tg.baseline_year is not None}
    if len(years) > 1:
        raise ValueError(f"Kế hoạch {plan.year}: chỉ số {metric} có nhiều năm gốc {sorted(years)} / metric {metric} "
                         f"has several baseline years {sorted(years)}")
    return int(years.pop()) if years else plan.baseline_year


def empty() -> pd.DataFrame:
    """No unit rows."""
    return pd.DataFrame(columns=UNIT_COLS)


def period_rows(df: pd.DataFrame, q: Quarter, period: str) -> pd.DataFrame:
    """Rows of the quarter ('Q') or of every quarter of the year to date ('YTD'), by the 'quarter' column."""
    if df.empty:
        return df
    keep = [str(q)] if period == "Q" else [str(x) for x in q.quarters_to_date()]
    return df[df["quarter"].isin(keep)]


def latest(df: pd.DataFrame, by: list[str], order: str = "quarter") -> pd.DataFrame:
    """Each `by` key's last row in `order` (stable: among equal keys the later row wins)."""
    if df.empty:
        return df
    return df.sort_values(order, kind="stable").drop_duplicates(by, keep="last")


def aggregate(d: pd.DataFrame, num: pd.Series, den: pd.Series | float, by: pd.Series) -> pd.DataFrame:
    """Sum numerator and denominator per unit; n_sources = distinct source files."""
    if d.empty:
        return empty()
    f = pd.DataFrame({"agency": by.astype(str), "numerator": num.astype(float),
                      "denominator": (den if isinstance(den, pd.Series) else pd.Series(den, index=d.index)).astype(float),
                      "src": d["source_file"]})
    g = f.groupby("agency", sort=True).agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"),
                                           n_sources=("src", "nunique")).reset_index()
    return g[UNIT_COLS]


def _units(d: pd.DataFrame, per: str) -> pd.Series:
    if per == "province":
        return pd.Series("PROVINCE", index=d.index)
    code = d["agency_code"].astype("string")
    return code.where(d["level"] != "commune", "XA_" + code) if per == "agency_or_commune_group" else code


def _measure(m: Measure, d: pd.DataFrame, ctx: ex.Context) -> pd.Series:
    where = ex.holds(list(m.where), d, ctx)
    if m.how == "count":
        return where.astype(float)
    return ex.value(m.expr, d, ctx).where(where, 0.0)


def _with_baseline(decl: Declaration, plan: Plan) -> tuple[Declaration, str | None]:
    """The declaration with {baseline_year} in its expressions replaced by the target's baseline year (and the year)."""
    if BASELINE not in " ".join(decl.expressions()):
        return decl, None
    year = str(baseline_year(plan, decl.id))

    def sub(m: Measure | None) -> Measure | None:
        return None if m is None else Measure(m.how, m.expr.replace(BASELINE, year),
                                              tuple(w.replace(BASELINE, year) for w in m.where))
    return replace(decl, among=tuple(a.replace(BASELINE, year) for a in decl.among),
                   filters=tuple(f.replace(BASELINE, year) for f in decl.filters),
                   numerator=sub(decl.numerator), denominator=sub(decl.denominator)), year


def read_rows(decl: Declaration, table: pd.DataFrame, q: Quarter, period: str, ctx: ex.Context,
              as_of: str | None = None) -> pd.DataFrame:
    """The rows of the dataset the metric counts for one period: period rule, flow or stock, filters."""
    window = "YTD" if decl.kind == "stock" or decl.period == "YTD" else period
    d = period_rows(table, q, window)
    if d.empty:
        return d
    if decl.kind == "stock":
        if as_of:  # a target measured at a named date: the reports of that date, not the latest
            d = d[d[decl.as_of_column] == pd.Timestamp(as_of)]
        else:
            d = d[ex.holds(list(decl.among), d, ctx)]
        d = latest(d, list(decl.latest_per), decl.latest_by)
    elif decl.one_row_per:
        d = latest(d, [decl.one_row_per])
    return d[ex.holds(list(decl.filters), d, ctx)] if len(d) else d


def unit_rows(decl: Declaration, tables: Tables, q: Quarter, period: str, plan: Plan,
              as_of: str | None = None) -> pd.DataFrame:
    """Per-unit rows (agency, numerator, denominator, n_sources [, provisional, self_reported]) of one period."""
    if decl.custom:
        return custom_function(decl.custom)(tables, q, period, plan, decl.id, **decl.args)
    table = tables.get(decl.dataset, pd.DataFrame())
    if table.empty:
        return empty()
    decl, year = _with_baseline(decl, plan)
    if year and any(year in c and c not in table.columns for e in decl.expressions() for c in ex.columns(e)):
        return empty()  # the table has no column for the baseline year: no value, never another year's
    ctx = ex.Context(pd.Timestamp(q.end))
    d = read_rows(decl, table, q, period, ctx, as_of)
    if d.empty:
        if decl.zero_when_none and decl.per == "province":
            return pd.DataFrame([{"agency": "PROVINCE", "numerator": 0.0, "denominator": np.nan, "n_sources": 0}])
        return empty()
    assert decl.numerator is not None
    num = _measure(decl.numerator, d, ctx)
    den = _measure(decl.denominator, d, ctx) if decl.denominator else np.nan
    out = aggregate(d, num, den, _units(d, decl.per))
    if decl.denominator is None:
        out["denominator"] = np.nan
    if decl.provisional == "until_year_end":
        out["provisional"] = q.q < 4
    if decl.source == "self_reported":
        out["self_reported"] = True
    return out
