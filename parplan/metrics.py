"""Pure functions: processed tables -> the tidy indicator table of DESIGN.md §4.

Columns: quarter, period ('Q'|'YTD'), metric, agency, numerator, denominator, value, unit, n_sources.
Group values (all departments, all districts, all communes, province) are ratios of sums, never means of ratios.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .periods import Quarter

COLUMNS = ["quarter", "period", "metric", "agency", "numerator", "denominator", "value", "unit", "n_sources"]
GROUP_OF_LEVEL = {"province": "ALL_DEPARTMENTS", "district": "ALL_DISTRICTS", "commune": "ALL_COMMUNES"}

# metric -> (unit, formula) for the dossier-based indicators; formulas match catalogue/metrics.yaml
DOSSIER_METRICS = {
    "ontime_rate": ("fraction", "resolved on or before the due date ÷ resolved (in the period)"),
    "online_dossier_share": ("fraction", "resolved dossiers filed online ÷ resolved dossiers (in the period)"),
    "online_payment_rate": ("fraction", "fee-required resolved dossiers paid online ÷ fee-required resolved dossiers"),
    "late_dossiers_count": ("count", "dossiers resolved after the due date in the period + pending past due at period end"),
    "resolved_count": ("count", "dossiers resolved in the period"),
}


def combine_quarters(frames: Iterable[tuple[Quarter, pd.DataFrame]]) -> pd.DataFrame:
    """Stack quarterly dossier tables; a dossier in several quarters keeps its latest record."""
    parts = []
    for q, f in frames:
        f = f.copy()
        f["quarter"] = str(q)
        parts.append(f)
    if not parts:
        return pd.DataFrame()
    all_ = pd.concat(parts, ignore_index=True).sort_values(["quarter", "source_file", "source_row"], kind="stable")
    return all_.drop_duplicates("dossier_id", keep="last").reset_index(drop=True)


def unit_of(frame: pd.DataFrame) -> pd.Series:
    """The reporting unit of each dossier: the agency, or XA_<district> for commune-level dossiers."""
    code = frame["agency_code"].astype("string")
    return code.where(frame["level"] != "commune", "XA_" + code)


def dossier_flags(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per-dossier 0/1 numerators and denominators for one period [start, end]."""
    resolved = (frame["status"] == "resolved") & frame["completed_date"].between(start, end)
    ontime = resolved & (frame["completed_date"] <= frame["due_date"])
    online = resolved & (frame["channel"] == "online")
    fee = resolved & frame["fee_required"].fillna(False).astype(bool)
    paid = fee & frame["paid_online"].fillna(False).astype(bool)
    late_resolved = resolved & (frame["completed_date"] > frame["due_date"])
    late_pending = (frame["status"] == "pending") & (frame["due_date"] < end) & (frame["quarter_end"] == end)
    return pd.DataFrame({
        "unit": unit_of(frame), "level": frame["level"], "source_file": frame["source_file"],
        "resolved": resolved.astype(int), "ontime": ontime.astype(int), "online": online.astype(int),
        "fee": fee.astype(int), "paid": paid.astype(int), "late": (late_resolved | late_pending).astype(int),
    })


def _rows(flags: pd.DataFrame, key: str, quarter: str, period: str) -> list[dict]:
    out = []
    for agency, g in flags.groupby(key, sort=True):
        n_src = int(g["source_file"].nunique())
        for metric, num, den in (
            ("ontime_rate", g["ontime"].sum(), g["resolved"].sum()),
            ("online_dossier_share", g["online"].sum(), g["resolved"].sum()),
            ("online_payment_rate", g["paid"].sum(), g["fee"].sum()),
            ("late_dossiers_count", g["late"].sum(), np.nan),
            ("resolved_count", g["resolved"].sum(), np.nan),
        ):
            unit = DOSSIER_METRICS[metric][0]
            if unit == "count":
                value = float(num)
            else:
                value = float(num) / float(den) if den else np.nan
            out.append({"quarter": quarter, "period": period, "metric": metric, "agency": agency,
                        "numerator": float(num), "denominator": float(den), "value": value, "unit": unit,
                        "n_sources": n_src})
    return out


def dossier_indicators(dossiers: pd.DataFrame, quarter: Quarter | str) -> pd.DataFrame:
    """Indicator rows for the quarter and year to date, per unit, per level group and for the province."""
    q = Quarter.parse(quarter)
    if dossiers.empty:
        return pd.DataFrame(columns=COLUMNS)
    d = dossiers.copy()
    d["quarter_end"] = d["quarter"].map(lambda s: pd.Timestamp(Quarter.parse(s).end))
    rows: list[dict] = []
    for period, start in (("Q", q.start), ("YTD", q.ytd_start)):
        f = dossier_flags(d, pd.Timestamp(start), pd.Timestamp(q.end))
        rows += _rows(f, "unit", str(q), period)
        f["group"] = f["level"].map(GROUP_OF_LEVEL)
        rows += _rows(f, "group", str(q), period)
        f["province"] = "PROVINCE"
        rows += _rows(f, "province", str(q), period)
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["period", "metric", "agency"], kind="stable").reset_index(drop=True)


def late_since(dossiers: pd.DataFrame, quarter: Quarter | str, since: str) -> pd.DataFrame:
    """Indicator rows 'late_dossiers_count@<since>': dossiers due on/after `since` that became late by the period end."""
    q = Quarter.parse(quarter)
    metric = f"late_dossiers_count@{since}"
    if dossiers.empty or pd.Timestamp(since) > pd.Timestamp(q.end):
        return pd.DataFrame(columns=COLUMNS)
    d = dossiers.copy()
    d["quarter_end"] = d["quarter"].map(lambda s: pd.Timestamp(Quarter.parse(s).end))
    end = pd.Timestamp(q.end)
    due_after = d["due_date"] >= pd.Timestamp(since)
    late = due_after & (((d["status"] == "resolved") & (d["completed_date"] > d["due_date"]) & (d["completed_date"] <= end))
                        | ((d["status"] == "pending") & (d["due_date"] < end) & (d["quarter_end"] == end)))
    f = pd.DataFrame({"unit": unit_of(d), "level": d["level"], "late": late.astype(int), "src": d["source_file"]})
    f["group"] = f["level"].map(GROUP_OF_LEVEL)
    f["province"] = "PROVINCE"
    rows = []
    for key in ("unit", "group", "province"):
        for agency, g in f.groupby(key, sort=True):
            n = float(g["late"].sum())
            rows.append({"quarter": str(q), "period": "YTD", "metric": metric, "agency": agency, "numerator": n,
                         "denominator": np.nan, "value": n, "unit": "count", "n_sources": int(g["src"].nunique())})
    return pd.DataFrame(rows, columns=COLUMNS)


def ratio_of_sums(numerators: Iterable[float], denominators: Iterable[float]) -> float:
    """Group value = Σ numerators ÷ Σ denominators (NaN when the denominator sum is 0)."""
    n, d = float(sum(numerators)), float(sum(denominators))
    return n / d if d else float("nan")


def wilson_interval(successes: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion (sound near 0 % and 100 %)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))
