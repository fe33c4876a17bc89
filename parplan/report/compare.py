"""Headline figures beside the previous quarter and the same quarter of the previous year, where the data exists.

Each comparison reads the other quarter's own processed tables (data/processed/<Q>/), judged against that quarter's
own plan: a quarter of another plan year says which plan it was judged against. A quarter without processed data is
returned as missing (listed, never dropped); nothing is computed here for it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .. import scoring
from ..periods import Quarter
from ..store import Store


def other_quarters(q: Quarter) -> list[tuple[str, Quarter]]:
    """The previous quarter and the same quarter of the previous year."""
    return [("previous", q.previous()), ("last_year", q.same_quarter_last_year())]


def _has(store: Store, x: Quarter, *tables: str) -> bool:
    return all(store.processed(x, t).exists() for t in tables)


def change(now: float | None, then: float | None) -> float | None:
    """now − then, None when either is missing."""
    return None if now is None or then is None else float(now) - float(then)


def kpi_values(store: Store, x: Quarter, metrics: list[str]) -> dict[str, float] | None:
    """The province's year-to-date value of each metric in quarter x (indicators.parquet), None without the table."""
    if not _has(store, x, "indicators"):
        return None
    ind = pd.read_parquet(store.processed(x, "indicators"))
    d = ind[(ind["period"] == "YTD") & (ind["agency"] == "PROVINCE")]
    out = {}
    for m in metrics:
        r = d[d["metric"] == m]
        if len(r) and r["denominator"].iloc[0] > 0 and r["value"].iloc[0] == r["value"].iloc[0]:
            out[m] = float(r["value"].iloc[0])
    return out


def kpi_comparisons(store: Store, q: Quarter, values: dict[str, float | None],
                    lang: str) -> dict[str, list[dict[str, Any]]]:
    """Per metric: its value in each other quarter and the change to this quarter's (None where there is none)."""
    others = [(kind, x, kpi_values(store, x, list(values))) for kind, x in other_quarters(q)]
    return {m: [{"kind": kind, "quarter": x.label(lang), "code": str(x), "available": vals is not None and m in vals,
                 "value": (vals or {}).get(m), "change": change(v, (vals or {}).get(m))}
                for kind, x, vals in others] for m, v in values.items()}


def answer_figures(tasks: pd.DataFrame, projection: pd.DataFrame) -> dict[str, float]:
    """The answer box's headline figures of one quarter: the expected PAR total, PAR tasks off track and overdue."""
    from .answer import counts

    c = counts(tasks, "PAR")
    return {"par_expected": float(scoring.total_range(projection)["expected"]), "off_track": float(c["off_track"]),
            "overdue": float(c["overdue"])}


def answer_comparisons(q: Quarter, data_root: str | Path, now: dict[str, float], lang: str,
                       plans_root: str | Path | None = None) -> list[dict[str, Any]]:
    """The answer box's figures in the previous quarter and the same quarter last year, with the change; a quarter
    without processed data comes back with available=False."""
    from ..catalogue import PlanNotFound, plan_for

    store = Store.for_data(str(data_root))
    out = []
    for kind, x in other_quarters(q):
        row: dict[str, Any] = {"kind": kind, "quarter": x.label(lang), "code": str(x), "available": False,
                               "figures": {}, "plan_year": None}
        try:
            plan = plan_for(x, plans_root)
        except PlanNotFound:  # no plan for that year: nothing to compare with, listed as missing
            plan = None
        if plan is not None and _has(store, x, "task_progress"):
            tasks = pd.read_parquet(store.processed(x, "task_progress"))
            proj = scoring.project(tasks, plan, scoring.as_of_date(x, plan))
            then = answer_figures(tasks, proj)
            row.update(available=True, plan_year=plan.year,
                       figures={k: {"value": then[k], "change": change(now.get(k), then[k])} for k in now})
        out.append(row)
    return out
