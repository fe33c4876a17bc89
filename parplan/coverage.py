"""Which metric and dataset measure each target of the plan, where its value comes from, or why it cannot be measured.

Three groups (from the metric's declaration in catalogue/metrics.yaml and its `source`): measured from records
(numerator and denominator counted from the agencies' data), self-reported by the agency (the achieved value in
task_status, nothing to check it against), and not measurable from the data (no declaration the engine computes, or
a target marked so; with the reason).
"""
from __future__ import annotations

import pandas as pd

from .catalogue import Plan, Target
from .metric_formulas import is_implemented

GROUPS = {  # group -> (Vietnamese, English) heading, in report order
    "measured": ("Đo từ hồ sơ, dữ liệu", "measured from records"),
    "self_reported": ("Do cơ quan tự báo cáo (task_status)", "self-reported by the agency (task_status)"),
    "not_measurable": ("Không đo được từ dữ liệu", "not measurable from the data"),
}


def group_of(metric: dict, target: Target | None = None) -> str:
    """'measured' | 'self_reported' | 'not_measurable' for one metrics.yaml entry (and its target in tasks.yaml)."""
    if not is_implemented(metric) or (target is not None and not getattr(target, "measurable", True)):
        return "not_measurable"
    return "self_reported" if metric.get("source") == "self_reported" else "measured"


def coverage_table(plan: Plan) -> pd.DataFrame:
    """One row per quantitative target of the plan: metric, dataset, group, source, measurable and why not."""
    rows = []
    for tg in plan.targets:
        m = plan.metrics[tg.metric]
        group = group_of(m, tg)
        bad = group == "not_measurable"
        own = bad and is_implemented(m)  # the metric exists; this target's reading of it cannot be measured
        rows.append({"task_id": tg.task_id, "metric": tg.metric, "scope": tg.scope, "target": tg.describe("en"),
                     "dataset": m.get("dataset") or "", "group": group,
                     "source": "" if bad else m.get("source", "measured"), "measurable": not bad,
                     "reason": (tg.reason if own else m.get("unmeasurable_reason", "not implemented")) if bad else "",
                     "reason_vi": (tg.reason if own else m.get("unmeasurable_reason_vi", "")) if bad else "",
                     "role": getattr(tg, "role", "target"), "note": m.get("note", "")})
    return pd.DataFrame(rows)


def coverage_report(plan: Plan) -> str:
    """Plain-text coverage listing of the plan: every target, the totals, then the three groups with their counts."""
    t = coverage_table(plan)
    lines = [f"{'task':<14} {'metric':<44} {'scope':<16} {'target':<22} {'dataset':<18} value from"]
    for r in t.itertuples():
        lines.append(f"{r.task_id:<14} {r.metric:<44} {r.scope:<16} {r.target:<22} {r.dataset:<18} "
                     f"{'NOT MEASURABLE' if r.group == 'not_measurable' else r.group}")
    bad = t[t["group"] == "not_measurable"]
    lines += ["", f"{len(t)} chỉ tiêu / targets; {len(t) - len(bad)} đo được / measurable; "
                  f"{len(bad)} chưa đo được / not measurable:"]
    for group, (vi, en) in GROUPS.items():
        g = t[t["group"] == group]
        lines.append(f"- {vi} / {en}: {len(g)}")
        for r in g.itertuples():
            extra = f": {r.reason_vi} / {r.reason}" if group == "not_measurable" else f" ({r.dataset})"
            if r.role == "context":
                extra += " — chỉ để tham khảo, không chấm điểm / context, not scored"
            lines.append(f"    {r.task_id} {r.metric}{extra}")
    return "\n".join(lines)
