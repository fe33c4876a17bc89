"""Reconcile the periodic summary table (tthc_summary) with dossier-level data (tthc_dossiers), docs/design.md §4b.

Both describe the same quarter for the same agency and level; every difference is reported, never smoothed over.
"""
from __future__ import annotations

import pandas as pd

from .periods import Quarter

MEASURES = {
    "received_new": ("Tiếp nhận mới trong kỳ", "Newly received in the quarter"),
    "received_online": ("Tiếp nhận trực tuyến", "Received online"),
    "carried_over": ("Kỳ trước chuyển qua", "Carried over"),
    "resolved_total": ("Đã giải quyết", "Resolved"),
    "resolved_in_time": ("Giải quyết trước hạn + đúng hạn", "Resolved early or on time"),
    "resolved_late": ("Giải quyết quá hạn", "Resolved late"),
    "pending_total": ("Đang giải quyết", "Pending"),
    "pending_overdue": ("Đang giải quyết quá hạn", "Pending overdue"),
}
KEYS = ["agency_code", "level"]


def from_dossiers(dossiers: pd.DataFrame, q: Quarter) -> pd.DataFrame:
    """The summary measures computed from one quarter's dossier records (status as at the quarter's end)."""
    start, end = pd.Timestamp(q.start), pd.Timestamp(q.end)
    d = dossiers
    new = d["received_date"].between(start, end)
    resolved = (d["status"] == "resolved") & d["completed_date"].between(start, end)
    pending = d["status"] == "pending"
    f = pd.DataFrame({
        "agency_code": d["agency_code"], "level": d["level"],
        "received_new": new, "received_online": new & (d["channel"] == "online"),
        "carried_over": d["received_date"] < start,
        "resolved_total": resolved, "resolved_in_time": resolved & (d["completed_date"] <= d["due_date"]),
        "resolved_late": resolved & (d["completed_date"] > d["due_date"]),
        "pending_total": pending, "pending_overdue": pending & (d["due_date"] < end),
    })
    return f.groupby(KEYS, sort=True)[list(MEASURES)].sum().astype("int64").reset_index()


def from_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The same measures from the summary table (areas added up per agency and level)."""
    s = summary.copy()
    s["received_new"] = s["received_online"] + s["received_direct"] + s["received_postal"]
    s["resolved_in_time"] = s["resolved_early"] + s["resolved_on_time"]
    return s.groupby(KEYS, sort=True)[list(MEASURES)].sum().astype("int64").reset_index()


def reconcile(dossiers: pd.DataFrame, summary: pd.DataFrame, q: Quarter) -> pd.DataFrame:
    """One row per agency, level and measure where both sources exist and disagree (difference = summary − dossiers)."""
    if dossiers.empty or summary.empty:
        return pd.DataFrame(columns=KEYS + ["measure", "summary", "dossiers", "difference"])
    a = from_summary(summary).melt(id_vars=KEYS, var_name="measure", value_name="summary")
    b = from_dossiers(dossiers, q).melt(id_vars=KEYS, var_name="measure", value_name="dossiers")
    both = a.merge(b, on=KEYS + ["measure"], how="inner")
    both["difference"] = both["summary"] - both["dossiers"]
    out = both[both["difference"] != 0].reset_index(drop=True)
    order = {m: i for i, m in enumerate(MEASURES)}
    return out.sort_values(KEYS + ["measure"], key=lambda c: c.map(order) if c.name == "measure" else c,
                           kind="stable").reset_index(drop=True)
