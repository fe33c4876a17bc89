"""Rankings among peers and the plan's laggard lists checked against the data."""
from __future__ import annotations

import pandas as pd

from parplan.rankings import laggards_now, rank


def ind(rows):
    return pd.DataFrame([{"quarter": "2023Q2", "period": "YTD", "metric": m, "agency": a, "numerator": n,
                          "denominator": d, "value": n / d, "unit": "fraction", "n_sources": 1}
                         for m, a, n, d in rows])


def test_rank_within_peers_ties_share_the_better_rank(plan):
    t = ind([("ontime_rate", "TAM_KY", 90, 100), ("ontime_rate", "HOI_AN", 95, 100), ("ontime_rate", "NUI_THANH", 95, 100),
             ("ontime_rate", "SNV", 99, 100), ("ontime_rate", "ALL_DISTRICTS", 280, 300)])
    r = rank(t, plan, "ontime_rate").set_index("agency")
    assert (r.loc["HOI_AN", "rank"], r.loc["NUI_THANH", "rank"], r.loc["TAM_KY", "rank"]) == (1, 1, 3)
    assert r.loc["TAM_KY", "peers"] == 3 and r.loc["SNV", "rank"] == 1 and r.loc["SNV", "peers"] == 1
    assert "ALL_DISTRICTS" not in r.index  # groups are not ranked


def test_laggards_compared_with_the_thresholds(plan):
    t = ind([("ontime_rate", "NUI_THANH", 93, 100), ("ontime_rate", "TAM_KY", 97, 100),
             ("ontime_rate", "STNMT", 995, 1000), ("disbursement_rate@2023-04-30", "SYT", 15, 100),
             ("disbursement_rate", "SYT", 60, 100)])
    lag = laggards_now(t, plan).set_index(["task_id", "agency"])
    assert bool(lag.loc[("A.IV.4.4", "NUI_THANH"), "still_lagging"]) is True    # 93 % is not > 95 %
    assert bool(lag.loc[("A.IV.4.4", "TAM_KY"), "still_lagging"]) is False      # 97 % > 95 %
    assert bool(lag.loc[("A.IV.4.4", "STNMT"), "still_lagging"]) is False       # 99.5 % > 99 % (department)
    # the 30/4/2023 list predates the plan: shown as context with today's value, no verdict
    syt = lag.loc[("A.VII.1.1", "SYT")]
    assert syt["value"] == 0.15 and bool(syt["context"]) and pd.isna(syt["still_lagging"])
    assert syt["value_now"] == 0.6                                               # 60 % disbursed year to date
    assert pd.isna(lag.loc[("A.IV.4.4", "DAI_LOC"), "value"])                   # no data: shown, not dropped
    named = {c for x in plan.indices["laggards"] for k in ("departments", "districts", "commune_groups") for c in x.get(k, [])}
    assert {a for _, a in lag.index} == named


def test_laggard_thresholds_are_the_plans_each_unit_targets(plan):
    import dataclasses

    from parplan.rankings import thresholds_by_kind

    by_kind = thresholds_by_kind(plan, "ontime_rate")
    # tasks.yaml: A.IV.4.1 each department > 99 %, A.IV.4.2 each district > 95 %, A.IV.4.3 each commune > 95 %
    assert {k: (t.task_id, t.op, t.value) for k, t in by_kind.items()} == {
        "department": ("A.IV.4.1", ">", 0.99), "district": ("A.IV.4.2", ">", 0.95),
        "commune_group": ("A.IV.4.3", ">", 0.95)}
    # a plan that asks more of districts judges the same 97 % as still lagging
    task = plan.task("A.IV.4.2")
    stricter = dataclasses.replace(task, targets=(dataclasses.replace(task.targets[0], value=0.98),))
    other = dataclasses.replace(plan, tasks=[stricter if t.id == task.id else t for t in plan.tasks])
    t = ind([("ontime_rate", "TAM_KY", 97, 100)])
    assert bool(laggards_now(t, plan).set_index(["task_id", "agency"]).loc[("A.IV.4.4", "TAM_KY"), "still_lagging"]) is False
    assert bool(laggards_now(t, other).set_index(["task_id", "agency"]).loc[("A.IV.4.4", "TAM_KY"), "still_lagging"]) is True


def test_a_plan_without_laggard_lists_has_no_laggards(plan):
    import dataclasses

    none = dataclasses.replace(plan, indices={k: v for k, v in plan.indices.items() if k != "laggards"})
    t = ind([("ontime_rate", "TAM_KY", 97, 100)])
    assert laggards_now(t, none).empty and laggards_now(t, dataclasses.replace(none, indices={"laggards": []})).empty
