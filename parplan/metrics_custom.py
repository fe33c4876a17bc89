"""The few metrics catalogue/metrics.yaml cannot declare, each named there as `custom: metrics_custom.<function>`.

Each takes (tables of the quarters to date, quarter, 'Q' | 'YTD', plan, metric id, **args of the YAML) and returns per-unit
rows (agency, numerator, denominator, n_sources [, provisional]). The first docstring line is the metric's formula.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .metrics_engine import UNIT_COLS, Tables, baseline_year, empty, latest, period_rows
from .periods import Quarter

if TYPE_CHECKING:
    from .catalogue import Plan


def every_office_connected(t: Tables, q: Quarter, period: str, plan: Plan, metric: str) -> pd.DataFrame:
    """Agencies whose every office is connected (connected_4level, each office's latest report) ÷ agencies reporting."""
    d = latest(period_rows(t.get("e_documents", pd.DataFrame()), q, "YTD"), ["agency_code", "unit"])
    if d.empty:
        return empty()
    per = d.groupby("agency_code").agg(ok=("connected_4level", "all"), src=("source_file", "nunique")).reset_index()
    return pd.DataFrame({"agency": per["agency_code"], "numerator": per["ok"].astype(float), "denominator": 1.0,
                         "n_sources": per["src"]})[UNIT_COLS]


def agencies_inspected(t: Tables, q: Quarter, period: str, plan: Plan, metric: str, topic: str) -> pd.DataFrame:
    """Distinct departments and districts with a `topic` inspection done by the period end (YTD) ÷ departments + districts of the plan."""
    d = latest(period_rows(t.get("inspections", pd.DataFrame()), q, "YTD"), ["inspection_id"])
    d = d if d.empty else d[d["topic"] == topic]
    if d.empty:
        return empty()
    universe = {a.code for a in plan.by_kind("department")} | {a.code for a in plan.by_kind("district")}
    done = d[d["done_date"].notna() & (d["done_date"] <= pd.Timestamp(q.end))]
    n = len(set(done["inspected_agency"]) & universe)
    return pd.DataFrame([{"agency": "PROVINCE", "numerator": float(n), "denominator": float(len(universe)),
                          "n_sources": int(d["source_file"].nunique())}])


def _economy(t: Tables, q: Quarter) -> pd.DataFrame:
    """The economy table: each (indicator, period) once, as in its latest report to date."""
    return latest(period_rows(t.get("economy", pd.DataFrame()), q, "YTD"), ["indicator", "period"])


def economy_change(t: Tables, q: Quarter, period: str, plan: Plan, metric: str, indicator: str,
                   kind: str = "ratio") -> pd.DataFrame:
    """`indicator` of the quarter − the same quarter of the baseline year, ÷ that baseline (kind ratio) or in points (kind pp); without that quarter the baseline year's annual value (pro-rated to the year elapsed for kind ratio), provisional."""
    d = _economy(t, q)
    if d.empty:
        return empty()
    d = d[d["indicator"] == indicator].set_index("period")
    year = baseline_year(plan, metric)
    now, same, annual = str(q), str(Quarter(year, q.q)), str(year)
    if now not in d.index:
        return empty()
    v = float(d.loc[now, "value"])
    provisional = same not in d.index
    if provisional and annual not in d.index:
        return empty()
    if not provisional:
        base = float(d.loc[same, "value"])
    elif kind == "pp":  # a share is compared with the annual share, never pro-rated
        base = float(d.loc[annual, "value"])
    else:  # a flow: the annual baseline pro-rated to the share of the year elapsed
        base = float(d.loc[annual, "value"]) * q.elapsed_share()
    src = int(t["economy"]["source_file"].nunique())
    return pd.DataFrame([{"agency": "PROVINCE", "numerator": v - base, "denominator": np.nan if kind == "pp" else base,
                          "n_sources": src, "provisional": provisional}])


def socioeconomic_targets_met(t: Tables, q: Quarter, period: str, plan: Plan, metric: str) -> pd.DataFrame:
    """Socio-economic targets met ÷ targets assigned (indicators socioeconomic_targets_met / _total of the quarter, latest report)."""
    d = _economy(t, q)
    if d.empty:
        return empty()
    d = d[d["period"] == str(q)].set_index("indicator")
    if not {"socioeconomic_targets_met", "socioeconomic_targets_total"} <= set(d.index):
        return empty()
    return pd.DataFrame([{"agency": "PROVINCE", "numerator": float(d.loc["socioeconomic_targets_met", "value"]),
                          "denominator": float(d.loc["socioeconomic_targets_total", "value"]),
                          "n_sources": int(t["economy"]["source_file"].nunique())}])
