"""Rankings of agencies per metric, and the plan's own laggard lists checked against the data."""
from __future__ import annotations

import pandas as pd

from .catalogue import Plan, Target

PEER_KINDS = ("department", "district", "commune_group")


def rank(indicators: pd.DataFrame, plan: Plan, metric: str, higher_is_better: bool = True,
         period: str = "YTD") -> pd.DataFrame:
    """Agencies ranked among their peers (same kind) on one metric: 1 = best; ties share the better rank."""
    d = indicators[(indicators["metric"] == metric) & (indicators["period"] == period)].copy()
    d["kind"] = d["agency"].map(lambda c: plan.agencies[c].kind if c in plan.agencies else None)
    d = d[d["kind"].isin(PEER_KINDS) & d["value"].notna()]
    d["rank"] = d.groupby("kind")["value"].rank(method="min", ascending=not higher_is_better).astype(int)
    d["peers"] = d.groupby("kind")["value"].transform("size").astype(int)
    return d.sort_values(["kind", "rank", "agency"], kind="stable")[
        ["kind", "agency", "value", "numerator", "denominator", "rank", "peers"]].reset_index(drop=True)


def thresholds_by_kind(plan: Plan, metric: str) -> dict[str, Target]:
    """The plan's each-unit targets on a metric by the kind of unit they bind (department, district, commune_group)."""
    from .progress import SCOPE_KIND, level_target  # the level map: progress.py

    out = {kind: tg for kind in SCOPE_KIND.values() if (tg := level_target(plan, metric, kind)) is not None}
    if not out:
        raise KeyError(f"Kế hoạch {plan.year}: không có chỉ tiêu nào trên {metric} cho từng đơn vị / no each-unit "
                       f"target on {metric}")
    return out


def laggards_now(indicators: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """For every agency the plan names as lagging: its value, its rank among peers, and whether it still lags.

    A list the plan took from before it was issued (a context target, e.g. disbursement below 20 % at 30/4/2023)
    gets no verdict: the value at that date is shown with today's value beside it (`value_now`), still_lagging NA.
    """
    rows = []
    for lag in plan.indices.get("laggards") or []:  # a plan may name no laggards (the 2024 skeleton)
        task = plan.task(lag["task_id"])
        metric = lag["metric"]
        target = next(t for t in task.targets if t.metric == metric) if any(
            t.metric == metric for t in task.targets) else None
        context = target is not None and target.role == "context"
        now = indicators[(indicators["metric"] == metric) & (indicators["period"] == "YTD")].set_index("agency")
        if target is None:  # e.g. A.IV.4.4 names laggards on the on-time rate; A.IV.4.1–4.3 set its thresholds
            target_by_kind = thresholds_by_kind(plan, metric)
        else:
            target_by_kind = {k: target for k in PEER_KINDS}
        key = f"{metric}@{lag['as_of']}" if lag.get("as_of") else metric
        ranks = rank(indicators, plan, key)
        by_agency = ranks.set_index("agency")
        for code in lag.get("departments", []) + lag.get("districts", []) + lag.get("commune_groups", []):
            a = plan.agencies[code]
            tg = target_by_kind.get(a.kind) or next(iter(target_by_kind.values()))
            value_now = float(now.loc[code, "value"]) if context and code in now.index else float("nan")
            base = {"task_id": lag["task_id"], "metric": key, "agency": code, "kind": a.kind,
                    "threshold": tg.describe("en"), "context": context, "value_now": value_now}
            if code in by_agency.index:
                r = by_agency.loc[code]
                still = pd.NA if context else not tg.is_met_by(float(r["value"]))
                rows.append({**base, "value": float(r["value"]), "rank": int(r["rank"]), "peers": int(r["peers"]),
                             "still_lagging": still})
            else:
                rows.append({**base, "value": float("nan"), "rank": pd.NA, "peers": pd.NA, "still_lagging": pd.NA})
    return pd.DataFrame(rows)
