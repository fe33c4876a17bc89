"""Which metric and dataset measure each target of the plan, or why it cannot be measured yet."""
from __future__ import annotations

import pandas as pd

from . import catalogue


def coverage_table(cat: catalogue.Catalogue | None = None) -> pd.DataFrame:
    """One row per quantitative target: metric, dataset, measurable (bool) and the reason when it is not."""
    cat = cat or catalogue.load()
    rows = []
    for tg in cat.targets:
        m = cat.metrics[tg.metric]
        rows.append({"task_id": tg.task_id, "metric": tg.metric, "scope": tg.scope, "target": tg.describe("en"),
                     "dataset": m.get("dataset") or "", "measurable": bool(m.get("implemented")),
                     "reason": "" if m.get("implemented") else m.get("unmeasurable_reason", "not implemented"),
                     "note": m.get("note", "")})
    return pd.DataFrame(rows)


def coverage_report(cat: catalogue.Catalogue | None = None) -> str:
    """Plain-text coverage listing for the command line (every target, then the unmeasurable count with reasons)."""
    t = coverage_table(cat)
    lines = [f"{'task':<14} {'metric':<44} {'scope':<16} {'target':<22} {'dataset':<18} measurable"]
    for r in t.itertuples():
        lines.append(f"{r.task_id:<14} {r.metric:<44} {r.scope:<16} {r.target:<22} {r.dataset:<18} "
                     f"{'yes' if r.measurable else 'NO'}")
    bad = t[~t["measurable"]]
    lines.append("")
    lines.append(f"{len(t)} chỉ tiêu / targets; {len(t) - len(bad)} đo được / measurable; "
                 f"{len(bad)} chưa đo được / not measurable:")
    for r in bad.itertuples():
        lines.append(f"  - {r.task_id} {r.metric}: {r.reason}")
    return "\n".join(lines)
