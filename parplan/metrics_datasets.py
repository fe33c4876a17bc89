"""Indicators from the agency datasets other than dossiers, each computed from its declaration in metrics.yaml.

REGISTRY (metric id -> Declaration) is built from catalogue/metrics.yaml (registry(plan) adds a plan's own metrics);
parplan.metrics_engine computes each declaration's per-unit rows for one period; `indicator_rows` adds the group
rows by the metric's group rule (ratio of sums, sum, mean of self-reported values, or none: per_unit) and
`dataset_indicators` builds the tidy indicator table (docs/design.md §4).
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any

import pandas as pd

from . import catalogue, metrics_custom, yamlfile
from .catalogue import Plan
from .metrics import COLUMNS
from .metrics_engine import DOSSIERS, Declaration, Tables, baseline_year, unit_rows
from .periods import Quarter

__all__ = ["REGISTRY", "Declaration", "baseline_year", "dataset_indicators", "indicator_rows", "registry", "units"]
GROUPS = {"department": "ALL_DEPARTMENTS", "district": "ALL_DISTRICTS", "commune_group": "ALL_COMMUNES"}


def declarations(metrics: dict[str, dict[str, Any]]) -> dict[str, Declaration]:
    """Every non-dossier metric with a declaration the engine can compute: id -> Declaration."""
    out = {}
    for k, spec in metrics.items():
        d = Declaration.of(spec) if spec.get("dataset") != DOSSIERS else None
        if d is not None:
            out[k] = d
    return out


def registry(plan: Plan) -> dict[str, Declaration]:
    """The dataset metrics of a plan (the shared metrics.yaml and the plan's own)."""
    return declarations(plan.metrics)


REGISTRY: dict[str, Declaration] = declarations(
    {m["id"]: m for m in yamlfile.load(catalogue.HERE / "metrics.yaml")["metrics"]})


CUSTOM_MODULES = (metrics_custom,)  # imported here so that stage keys (parplan.store.closure) see their code


def units(metric: str, tables: Tables, q: Quarter, period: str, plan: Plan, as_of: str | None = None) -> pd.DataFrame:
    """Per-unit rows (agency, numerator, denominator, n_sources) of one declared metric for one period."""
    return unit_rows(registry(plan)[metric], tables, q, period, plan, as_of)


def __getattr__(name: str) -> Any:
    """`metrics_datasets.<metric id>(tables, q, period, plan)`: the unit rows of a declared metric (older callers)."""
    if name in REGISTRY:
        return partial(units, name)
    raise AttributeError(name)


def _kind_of(plan: Plan, code: str) -> str | None:
    a = plan.agencies.get(code)
    return a.kind if a else None


def indicator_rows(metric: str, units: pd.DataFrame, q: Quarter, period: str, unit: str, combine: str,
                   plan: Plan) -> list[dict]:
    """Unit rows plus level-group and province rows (the plan's registry says each unit's kind) for one metric.

    combine is the declaration's group rule: ratio_of_sums, sum, mean (of self-reported values) or per_unit (no
    group rows)."""
    rows: list[dict] = []
    if units.empty:
        return rows
    units = units.copy()
    units["kind"] = units["agency"].map(lambda c: _kind_of(plan, c))

    def value(num: float, den: float, n: int) -> float:
        if combine == "mean":
            return num / n if n else math.nan
        if unit in ("count", "percentage_points") or combine == "sum":
            return num
        return num / den if den else math.nan

    extra = [c for c in ("provisional", "self_reported") if c in units.columns]
    for r in units.itertuples(index=False):
        num, den = float(r.numerator), float(r.denominator)
        row = {"quarter": str(q), "period": period, "metric": metric, "agency": r.agency, "numerator": num,
               "denominator": den, "value": value(num, den, 1), "unit": unit, "n_sources": int(r.n_sources)}
        for c in extra:
            row[c] = bool(getattr(r, c))
        row["source"] = source_of(row)
        rows.append(row)
    if combine == "per_unit":
        return rows
    real = units[units["agency"] != "PROVINCE"]
    groups = [(GROUPS[k], real[real["kind"] == k]) for k in GROUPS] + [("PROVINCE", real)]
    for code, g in groups:
        if g.empty or (code == "PROVINCE" and (units["agency"] == "PROVINCE").any()):
            continue
        num, den = float(g["numerator"].sum()), float(g["denominator"].sum(min_count=1))
        row = {"quarter": str(q), "period": period, "metric": metric, "agency": code, "numerator": num,
               "denominator": den, "value": value(num, den, len(g)), "unit": unit,
               "n_sources": int(g["n_sources"].sum())}
        for c in extra:
            row[c] = bool(g[c].any())
        row["source"] = source_of(row)
        rows.append(row)
    return rows


def source_of(row: dict) -> str:
    """Provenance of an indicator value (docs/design.md §4): 'self_reported' (task_status) or 'measured' (records)."""
    return "self_reported" if row.get("self_reported") else "measured"


def dataset_indicators(tables: Tables, quarter: Quarter | str, plan: Plan) -> pd.DataFrame:
    """Every registered metric for the quarter and the year to date, against the plan of the quarter's year."""
    q = Quarter.parse(quarter)
    rows: list[dict] = []
    reg = registry(plan)
    for metric, decl in sorted(reg.items()):
        for period in ("Q", "YTD"):
            rows += indicator_rows(metric, unit_rows(decl, tables, q, period, plan), q, period, decl.unit, decl.group,
                                   plan)
    # targets measured at a named date (A.VII.1.1 'at 30/4/2023') get their own indicator row
    for tg in plan.targets:
        decl = reg.get(tg.metric)
        if decl and decl.as_of_column and tg.as_of and q.end >= pd.Timestamp(tg.as_of).date():
            rows += indicator_rows(f"{tg.metric}@{tg.as_of}", unit_rows(decl, tables, q, "YTD", plan, tg.as_of), q,
                                   "YTD", decl.unit, decl.group, plan)
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    for c in ("provisional", "self_reported"):
        if c not in out.columns:
            out[c] = False
        out[c] = out[c].fillna(False).astype(bool)
    for c in ("commune_resolution", "note"):
        out[c] = ""
    return out[COLUMNS].sort_values(["period", "metric", "agency"], kind="stable").reset_index(drop=True)
