"""Status and forecast rules of parplan/progress.py against docs/method.md, on hand-built numbers."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parplan.catalogue import Target
from parplan.metrics import COLUMNS
from parplan.periods import Quarter
from parplan.progress import (
    SEVERITY,
    STATUSES,
    combine,
    forecast_count,
    forecast_rate,
    judge_count,
    judge_level,
    judge_rate,
    label,
    lead_agencies,
    method,
    qualitative_status,
    target_status,
    target_verdicts,
    task_progress,
)

Q1, Q2, Q3, Q4 = (Quarter(2023, i) for i in range(1, 5))
YEAR_END = dt.date(2023, 12, 31)
RANK = {"met": 0, "on_course": 0, "at_risk": 1, "off_track": 2, "not_met": 2}  # best .. worst


def target(op: str, value: float, unit: str = "fraction", direction: str | None = None, **kw) -> Target:
    direction = direction or ("lower" if op in ("<", "<=") else "higher")
    return Target("X.1", "m", "province", op, float(value), unit, direction, **kw)


def elapsed(q: Quarter, due: dt.date) -> float:
    """Share of the time from 1 January to the due date that has passed at the quarter end (days inclusive)."""
    start = dt.date(q.year, 1, 1)
    return min(1.0, ((q.end - start).days + 1) / ((due - start).days + 1))


# ====================================================================== the method's numbers are data
def test_method_parameters_come_from_the_yaml():
    m = method()
    assert m["bands"] == {"on_track": 0.95, "at_risk": 0.60}
    assert m["small_denominator"] == 20 and m["pace"]["late_share"] == 0.7
    assert "disbursement_rate" in m["money_metrics"]
    assert m["event_nouns"]["tthc_dossiers"] == ["hồ sơ", "dossiers"]


def test_every_status_has_both_labels_and_a_severity():
    for s in STATUSES + ["done", "done_no_evidence", "in_progress", "not_started", "overdue", "no_report"]:
        assert label(s, "vi") != s and label(s, "en") != s, s
        assert s in SEVERITY, s
    assert label("on_course", "vi") == "Đang đạt" and label("on_course", "en") == "On course"
    assert label("not_measurable", "en") == "Cannot be measured from the data"
    assert label("met", "vi") == "Đạt" and label("not_met", "vi") == "Không đạt"


# ====================================================================== rates: a census, no interval
def test_rate_at_its_level_is_on_course_then_met_never_met_before_the_due_date():
    tg = target(">", 0.95)
    j = judge_rate(tg, 990, 1000, Q2, YEAR_END)
    assert (j.status, j.final) == ("on_course", False)                # 99 % > 95 % in June: not 'met' yet
    assert j.forecast == pytest.approx(0.99)                           # one quarter: the YTD level, no trend
    assert math.isnan(j.forecast_lower) and math.isnan(j.forecast_upper)   # a census: no sampling interval
    assert "no interval" in j.forecast_basis
    j4 = judge_rate(tg, 990, 1000, Q4, YEAR_END)
    assert (j4.status, j4.final) == ("met", True)
    # 48/50 = 96 %: a full count, no Wilson interval to make it 'at risk'
    assert judge_rate(tg, 48, 50, Q2, YEAR_END).status == "on_course"


def test_rate_below_its_level():
    tg = target(">", 0.95)
    assert judge_rate(tg, 90, 100, Q2, YEAR_END).status == "off_track"
    assert judge_rate(tg, 90, 100, Q4, YEAR_END).status == "not_met"
    assert judge_rate(tg, 95, 100, Q2, YEAR_END).status == "off_track"      # '>' is strict
    assert judge_rate(target(">=", 0.95), 95, 100, Q2, YEAR_END).status == "on_course"


def test_rate_trend_forecast_by_hand():
    # quarterly on-time rates 99 % (Q1, 100 dossiers) and 97 % (Q2, 100): slope -2 pp a quarter.
    # line through (1, .99), (2, .97): Q3 .95, Q4 .93; YTD 196/200; year end (196 + 95 + 93) / 400 = 0.96
    f, lo, hi, basis = forecast_rate(196, 200, [(99, 100), (97, 100)], left=2)
    assert f == pytest.approx(384 / 400)
    # range: the two remaining quarters like the worst (93 %, the trend) and the best (99 %) quarter
    assert lo == pytest.approx((196 + 93 + 93) / 400) and hi == pytest.approx((196 + 99 + 99) / 400)
    assert "UN ESCAP" in basis and "-2.00 pp" in basis
    tg = target(">", 0.97)
    j = judge_rate(tg, 196, 200, Q2, YEAR_END, [(99, 100), (97, 100)])
    assert (j.status, j.forecast) == ("at_risk", pytest.approx(0.96))   # 98 % now, the trend ends below 97 %
    up = judge_rate(tg, 192, 200, Q2, YEAR_END, [(95, 100), (97, 100)])  # 96 % now, rising 2 pp a quarter
    assert up.forecast == pytest.approx((192 + 99 + 100) / 400) and up.status == "at_risk"


def test_money_gets_no_interval_even_with_a_trend():
    f, lo, hi, basis = forecast_rate(30, 100, [(10, 50), (20, 50)], left=2, money=True)
    assert f == pytest.approx((30 + 0.6 * 50 + 0.8 * 50) / 200)
    assert math.isnan(lo) and math.isnan(hi) and "money" in basis


def test_final_value_has_no_forecast_range():
    f, lo, hi, _ = forecast_rate(90, 100, [(40, 50), (50, 50)], left=0)
    assert f == 0.9 and math.isnan(lo) and math.isnan(hi)


def test_hundred_percent_target_misses_with_one_event():
    tg = target(">=", 1.0)
    j = judge_rate(tg, 999, 1000, Q2, YEAR_END)
    assert j.status == "off_track" and "1 did not" in j.basis
    assert judge_rate(tg, 47, 50, Q2, YEAR_END).basis.endswith("3 did not")
    assert judge_rate(tg, 50, 50, Q2, YEAR_END).status == "on_course"
    assert judge_rate(tg, 50, 50, Q4, YEAR_END).status == "met"
    assert judge_rate(tg, 49, 50, Q4, YEAR_END).status == "not_met"


@pytest.mark.parametrize("q, expected", [(Q2, "off_track"), (Q4, "not_met")])
def test_one_rule_for_hundred_percent_whatever_the_source(q, expected):
    tg = target(">=", 1.0)
    counted = judge_rate(tg, 90, 100, q, YEAR_END)          # 90 of 100 events counted
    reported = judge_level(tg, 0.90, q, YEAR_END)            # 0.90 self-reported by the agency
    assert counted.status == reported.status == expected


@pytest.mark.parametrize("op", ["<", "<="])
def test_rate_lower_is_better(op):
    tg = target(op, 0.05)
    assert judge_rate(tg, 10, 1000, Q2, YEAR_END).status == "on_course"
    assert judge_rate(tg, 10, 1000, Q4, YEAR_END).status == "met"
    assert judge_rate(tg, 8, 100, Q2, YEAR_END).status == "off_track"


def test_rate_without_events_is_no_data():
    j = judge_rate(target(">", 0.99), 0, 0, Q2, YEAR_END)
    assert j.status == "no_data" and not j.final and math.isnan(j.forecast)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3000), st.data(), st.sampled_from([Q1, Q2, Q3, Q4]))
def test_rate_status_never_improves_as_successes_fall(n, data, q):
    k1 = data.draw(st.integers(0, n))
    k2 = data.draw(st.integers(k1, n))
    higher = target(">", 0.99)
    assert RANK[judge_rate(higher, k2, n, q, YEAR_END).status] <= RANK[judge_rate(higher, k1, n, q, YEAR_END).status]
    lower = target("<=", 0.05)
    assert RANK[judge_rate(lower, k2, n, q, YEAR_END).status] >= RANK[judge_rate(lower, k1, n, q, YEAR_END).status]


# ====================================================================== counts: paced
def test_count_reached_before_the_due_date_is_on_course_not_met():
    j = judge_count(target(">=", 3, "count"), 3, Q2, YEAR_END)
    assert (j.status, j.final) == ("on_course", False)
    assert judge_count(target(">=", 3, "count"), 3, Q4, YEAR_END).status == "met"


def test_at_least_one_per_unit_is_paced_not_off_track_in_q1():
    tg = target(">=", 1, "count")
    # floor(1 × 90/365) = 0 owed at the end of Q1 and Q2: the unit has the year to deliver
    assert judge_count(tg, 0, Q1, YEAR_END).status == "not_yet_due"
    assert judge_count(tg, 0, Q2, YEAR_END).status == "not_yet_due"
    assert elapsed(Q3, YEAR_END) == pytest.approx(273 / 365) and 273 / 365 >= 0.7
    assert judge_count(tg, 0, Q3, YEAR_END).status == "at_risk"          # late_share 0.7 passed, nothing yet
    assert judge_count(tg, 0, Q4, YEAR_END).status == "not_met"
    assert judge_count(tg, 1, Q1, YEAR_END).status == "on_course"


def test_count_pace_bands():
    e = elapsed(Q2, YEAR_END)
    assert e == pytest.approx(181 / 365)
    tg = target(">=", 10, "count")
    for achieved, expected in ((5, "on_track"), (4, "at_risk"), (2, "off_track")):
        ratio = (achieved / 10) / e
        band = "on_track" if ratio >= 0.95 else "at_risk" if ratio >= 0.60 else "off_track"
        assert band == expected, (achieved, ratio)
        assert judge_count(tg, achieved, Q2, YEAR_END).status == expected


def test_count_pace_band_edges_are_inclusive():
    due = dt.date(2023, 1, 1) + dt.timedelta(days=179)  # Q1's 90 days are exactly half of 180
    tg = target(">=", 20, "count")
    assert judge_count(tg, 9.5, Q1, due).status == "on_track"
    assert judge_count(tg, 9, Q1, due).status == "at_risk"
    assert judge_count(tg, 6, Q1, due).status == "at_risk"
    assert judge_count(tg, 5.9, Q1, due).status == "off_track"


@pytest.mark.parametrize("tg", [target("==", 0, "count", "zero"), target("<=", 0, "count", "zero")])
def test_count_must_be_zero_misses_with_any_occurrence(tg):
    assert judge_count(tg, 1, Q2, YEAR_END).status == "off_track"
    assert judge_count(tg, 0, Q2, YEAR_END).status == "on_course"
    assert judge_count(tg, 0, Q4, YEAR_END).status == "met"
    assert judge_count(tg, 1, Q4, YEAR_END).status == "not_met"


def test_count_forecast_linear_with_range_from_quarterly_increments():
    e = elapsed(Q2, YEAR_END)
    f, lo, hi, _ = forecast_count(7, e, [3, 4], left=2)
    assert f == pytest.approx(7 / e)
    assert (lo, hi) == (7 + 2 * 3, 7 + 2 * 4)
    f1, lo1, hi1, basis = forecast_count(3, elapsed(Q1, YEAR_END), [3], left=3)
    assert math.isnan(lo1) and math.isnan(hi1) and "no interval" in basis


def test_count_without_report_is_no_data():
    assert judge_count(target(">=", 1, "count"), math.nan, Q2, YEAR_END).status == "no_data"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20), st.integers(0, 30), st.integers(0, 30), st.sampled_from([Q1, Q2, Q3, Q4]),
       st.integers(0, 364))
def test_count_more_achieved_never_worsens(required, a, b, q, due_day):
    rank = {"met": 0, "on_course": 0, "on_track": 1, "not_yet_due": 1, "at_risk": 2, "off_track": 3, "not_met": 3}
    lo, hi = sorted((a, b))
    due = dt.date(2023, 1, 1) + dt.timedelta(days=due_day)
    tg = target(">=", required, "count")
    assert rank[judge_count(tg, hi, q, due).status] <= rank[judge_count(tg, lo, q, due).status]


# ====================================================================== levels and relative annual targets
def enterprises():
    return Target("A.IX.3", "new_enterprises_change", "province", ">=", 0.2, "fraction", "higher", baseline_year=2022)


def test_relative_annual_target_becomes_final_at_q4():
    assert judge_level(enterprises(), 0.35, Q4, YEAR_END).status == "met"         # +35 % vs 2022 at Q4
    assert judge_level(enterprises(), -0.10, Q4, YEAR_END).status == "not_met"    # −10 % vs 2022 at Q4
    assert judge_level(enterprises(), 0.35, Q4, YEAR_END, provisional=True).final  # the year's data are in
    early = judge_level(enterprises(), 0.35, Q2, YEAR_END, provisional=True)
    assert (early.status, early.final) == ("on_course", False) and "provisional" in early.basis
    assert judge_level(enterprises(), 0.10, Q2, YEAR_END).status == "off_track"
    assert judge_level(enterprises(), math.nan, Q2, YEAR_END).status == "no_data"


# ====================================================================== target_status on hand-built indicators
def ind_row(metric, agency, num, den, value=None, unit="fraction", provisional=False, quarter="2023Q2",
            self_reported=False, period="YTD"):
    if value is None:
        value = num / den if unit == "fraction" else num
    return {"quarter": quarter, "period": period, "metric": metric, "agency": agency, "numerator": float(num),
            "denominator": float(den), "value": float(value), "unit": unit, "n_sources": 1,
            "provisional": provisional, "self_reported": self_reported,
            "source": "self_reported" if self_reported else "measured"}


def indicators(rows) -> pd.DataFrame:
    f = pd.DataFrame(rows)
    assert set(COLUMNS) - {"commune_resolution", "note"} <= set(f.columns)
    return f


def status_of(out, task_id, agency, metric=None):
    r = out[(out["task_id"] == task_id) & (out["agency"] == agency)]
    if metric:
        r = r[r["metric"] == metric]
    assert len(r) == 1, (task_id, agency, metric)
    return r.iloc[0]


def departments(plan):
    return [a.code for a in plan.by_kind("department")]


def test_each_department_target_names_the_one_that_misses(plan):
    """Acceptance: 18 departments at 100 %, one at 94 % → A.IV.4.1 not met, that department named, aggregate shown."""
    deps = departments(plan)
    assert len(deps) == 19
    rows = [ind_row("ontime_rate", d, 100, 100, quarter="2023Q4") for d in deps if d != "STNMT"]
    rows += [ind_row("ontime_rate", "STNMT", 94, 100, quarter="2023Q4"),
             ind_row("ontime_rate", "ALL_DEPARTMENTS", 18 * 100 + 94, 19 * 100, quarter="2023Q4")]
    out = target_status(plan, indicators(rows), Q4)
    mine = out[out["task_id"] == "A.IV.4.1"]
    assert set(mine["agency"]) == set(deps) | {"ALL_DEPARTMENTS"}
    assert status_of(out, "A.IV.4.1", "STNMT")["status"] == "not_met"
    assert (mine[mine["agency"].isin(set(deps) - {"STNMT"})]["status"] == "met").all()
    agg = status_of(out, "A.IV.4.1", "ALL_DEPARTMENTS")
    assert agg["role"] == "aggregate_figure" and agg["status"] == ""            # a figure, no verdict of its own
    assert agg["value"] == pytest.approx(1894 / 1900)                            # 99.7 %: above 99 %, yet…
    v = target_verdicts(out)
    v = v[v["task_id"] == "A.IV.4.1"].iloc[0]
    assert (v["status"], v["n_ok"], v["n_units"], v["missing"]) == ("not_met", 18, 19, "STNMT")
    t = task_progress(plan, out, reports(), Q4)
    assert progress_of(t, "A.IV.4.1")["status"] == "not_met"                     # …the task is not met
    assert "STNMT" in progress_of(t, "A.IV.4.1")["target_basis"]


def test_each_agency_initiatives_one_of_37(plan):
    """Acceptance: one initiative from one of 37 agencies → 1/37, task not met, the 36 others listed."""
    ind = indicators([ind_row("cchc_initiatives_count", "SNV", 1, math.nan, unit="count", quarter="2023Q4",
                              self_reported=True),
                      ind_row("cchc_initiatives_count", "PROVINCE", 1, math.nan, unit="count", quarter="2023Q4",
                              self_reported=True)])
    out = target_status(plan, ind, Q4)
    rows = out[out["task_id"] == "A.I.4"]
    scope = departments(plan) + [a.code for a in plan.by_kind("district")]
    assert list(rows["agency"]) == scope and len(scope) == 37                   # every agency in scope, none dropped
    assert status_of(out, "A.I.4", "SNV")["status"] == "met"
    assert status_of(out, "A.I.4", "SNV")["source"] == "self_reported"
    assert (rows["status"] == "no_data").sum() == 36
    v = target_verdicts(out)
    v = v[v["task_id"] == "A.I.4"].iloc[0]
    assert (v["n_ok"], v["n_units"], v["status"]) == (1, 37, "not_met")
    assert set(v["no_data"].split(";")) == set(scope) - {"SNV"}
    t = task_progress(plan, out, reports(("A.I.4", "SNV", "done", "1/QĐ")), Q4)
    assert progress_of(t, "A.I.4")["status"] == "not_met"
    # in Q1 the same agencies with nothing yet are not 'off track': paced (floor(1 × 25 %) = 0 owed)
    q1 = target_status(plan, indicators([ind_row("cchc_initiatives_count", a, 0, math.nan, unit="count",
                                                 quarter="2023Q1") for a in scope]), Q1)
    assert set(q1[q1["task_id"] == "A.I.4"]["status"]) == {"not_yet_due"}
    # in Q2, one agency on course and 36 without a report: the task is not better than 'no data'
    q2 = target_status(plan, indicators([ind_row("cchc_initiatives_count", "SNV", 1, math.nan, unit="count",
                                                 self_reported=True)]), Q2)
    t2 = task_progress(plan, q2, reports(("A.I.4", "SNV", "in_progress", np.nan)), Q2)
    assert (progress_of(t2, "A.I.4")["status"], progress_of(t2, "A.I.4")["status_from"]) == ("no_data", "targets")


def test_self_reported_and_counted_get_the_same_status_and_carry_their_source(plan):
    ind = indicators([
        ind_row("cchc_plan_tasks_completed_share", "PROVINCE", 0.9, math.nan, value=0.9, self_reported=True),
        ind_row("illegal_docs_handled_share", "PROVINCE", 90, 100),
    ])
    out = target_status(plan, ind, Q2)
    rep, cnt = status_of(out, "A.I.1", "PROVINCE"), status_of(out, "A.III.2", "PROVINCE")
    assert rep["status"] == cnt["status"] == "off_track"
    assert (rep["source"], cnt["source"]) == ("self_reported", "measured")
    t = task_progress(plan, out, reports(), Q2)
    assert progress_of(t, "A.I.1")["source"] == "self_reported" and progress_of(t, "A.III.2")["source"] == "measured"


def test_small_denominator_gets_a_caution_not_an_interval(plan):
    ind = indicators([ind_row("ontime_rate", "SNV", 12, 12), ind_row("ontime_rate", "STP", 500, 500)])
    out = target_status(plan, ind, Q2)
    snv = status_of(out, "A.IV.4.1", "SNV")
    assert (snv["caution_vi"], snv["caution_en"]) == ("chỉ 12 hồ sơ", "only 12 dossiers")
    assert status_of(out, "A.IV.4.1", "STP")["caution_vi"] == ""
    assert "lower" not in out.columns and "upper" not in out.columns           # no sampling interval anywhere


def test_pre_plan_disbursement_list_is_context_never_scored(plan):
    ind = indicators([ind_row("disbursement_rate@2023-04-30", "SYT", 10, 100),
                      ind_row("disbursement_rate@2023-04-30", "PROVINCE", 10, 100)])
    out = target_status(plan, ind, Q2)
    rows = out[out["task_id"] == "A.VII.1.1"]
    assert set(rows["role"]) == {"context"} and set(rows["status"]) == {""}
    assert status_of(out, "A.VII.1.1", "SYT")["value"] == pytest.approx(0.1)
    assert rows["forecast_lower"].isna().all()
    t = task_progress(plan, out, reports(), Q2)
    assert progress_of(t, "A.VII.1.1")["status_from"] == "reports"


def test_unmeasurable_target_says_so(plan):
    out = target_status(plan, indicators([ind_row("ontime_rate", "SNV", 1, 1)]), Q2)
    r = status_of(out, "A.IV.2.2.b", "ALL_DEPARTMENTS")       # metrics.yaml: implemented: false
    assert r["status"] == "not_measurable" and "website" in r["basis"]
    tg = dataclasses.replace(plan.task("A.IV.1.b").targets[0], measurable=False, reason="no dataset says why")
    task = dataclasses.replace(plan.task("A.IV.1.b"), targets=(tg,))
    plan2 = dataclasses.replace(plan, tasks=[task])
    out2 = target_status(plan2, indicators([ind_row("tthc_reform_proposals_count", "PROVINCE", 4, math.nan,
                                                   unit="count")]), Q2)
    r2 = out2.iloc[0]
    assert r2["status"] == "not_measurable" and r2["basis"].endswith("no dataset says why")
    assert math.isnan(r2["value"])                               # never a different quantity in its place


def test_not_yet_due_before_from_date_and_as_of(plan):
    ind = indicators([ind_row("disbursement_rate@2023-04-30", "PROVINCE", 75, 300, quarter="2023Q1")])
    out = target_status(plan, ind, Q1)
    assert set(out[out["task_id"] == "A.VII.1.1"]["status"]) == {""}   # context: no verdict at any time


def test_aggregate_judged_target_with_unit_figures(plan):
    ind = indicators([ind_row("audit_conclusions_implemented_share", "STC", 5, 10),
                      ind_row("audit_conclusions_implemented_share", "PROVINCE", 9, 10)])
    out = target_status(plan, ind, Q2)
    stc = status_of(out, "A.VII.1.3", "STC")
    assert (stc["role"], stc["status"]) == ("unit_figure", "")
    assert status_of(out, "A.VII.1.3", "PROVINCE")["status"] == "on_course"


def test_each_record_is_an_every_record_rate(plan):
    ind = indicators([ind_row("tthc_publication_lead_working_days", "PROVINCE", 3, 4),
                      ind_row("tthc_national_portal_delay_working_days", "PROVINCE", 4, 4)])
    out = target_status(plan, ind, Q2)
    lead = status_of(out, "A.IV.2.1", "PROVINCE", "tthc_publication_lead_working_days")
    assert lead["threshold"] == 5 and lead["status"] == "off_track" and "1 did not" in lead["basis"]
    assert status_of(out, "A.IV.2.2.a", "PROVINCE")["status"] == "on_course"


def test_forecast_uses_the_quarterly_history(plan):
    # quarters at 100 % and 99 %: 99.5 % now (> 99 %), the line goes on to 98 % and 97 %: (199 + 98 + 97) / 400
    hist = indicators([ind_row("ontime_rate", "SNV", 100, 100, quarter="2023Q1", period="Q"),
                       ind_row("ontime_rate", "SNV", 99, 100, quarter="2023Q2", period="Q")])
    ind = indicators([ind_row("ontime_rate", "SNV", 199, 200)])
    r = status_of(target_status(plan, ind, Q2, hist), "A.IV.4.1", "SNV")
    assert r["forecast"] == pytest.approx(394 / 400) and r["status"] == "at_risk"   # at 99 %+ now, not at year end
    assert "UN ESCAP" in r["forecast_basis"]


def test_commune_target_uses_matched_communes_or_the_district_group(plan):
    from parplan import communes

    units = communes.units(plan, "PHU_NINH")
    assert units
    rows = [ind_row("ontime_rate", u, 99, 100) for u in units]
    rows += [{**ind_row("ontime_rate", "XA_PHU_NINH", 99 * len(units), 100 * len(units)),
              "commune_resolution": "all_communes_matched"},
             {**ind_row("ontime_rate", "XA_TAM_KY", 90, 100), "commune_resolution": "district_group"}]
    out = target_status(plan, indicators(rows), Q2)
    mine = out[out["task_id"] == "A.IV.4.3"]
    assert set(units) <= set(mine["agency"]) and "XA_PHU_NINH" not in set(mine[mine["role"] == "target"]["agency"])
    tk = status_of(out, "A.IV.4.3", "XA_TAM_KY")
    assert tk["status"] == "off_track" and "judged per district" in tk["basis"]


def test_no_unit_dropped_without_data(plan):
    out = target_status(plan, indicators([ind_row("ontime_rate", "SNV", 995, 1000)]), Q2)
    rows = out[out["task_id"] == "A.IV.4.1"]
    assert (rows["status"] == "no_data").sum() == 18
    assert target_status(plan, pd.DataFrame(columns=COLUMNS), Q2)["status"].isin(
        {"no_data", "not_yet_due", "not_measurable", ""}).all()


# ====================================================================== combine: never better than the units
@pytest.mark.parametrize("statuses, final, expected", [
    (["met"] * 18 + ["not_met"], True, "not_met"),
    (["met"] * 18 + ["no_data"], True, "not_met"),          # at the due date a unit without data is not shown met
    (["on_course"] * 18 + ["no_data"], False, "no_data"),
    (["on_course"] * 18 + ["at_risk"], False, "at_risk"),
    (["no_data"] * 3, False, "no_data"),
    (["not_measurable"], False, "not_measurable"),
    (["met", "met"], True, "met"),
])
def test_combine(statuses, final, expected):
    assert combine(statuses, final) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["met", "on_course", "on_track", "at_risk", "off_track", "not_yet_due", "no_data"]),
                min_size=1, max_size=40))
def test_target_never_better_than_its_worst_unit(statuses):
    got = combine(statuses, False)
    with_data = [s for s in statuses if s != "no_data"]
    if with_data:
        assert SEVERITY[got] >= max(SEVERITY[s] for s in statuses)


# ====================================================================== qualitative_status / task_progress
def a_task(plan, due: str | None, lead=("SNV",)):
    base = plan.task("A.III.1.b")
    schedule = {"kind": "due", "due": due} if due else {"kind": "recurring", "due": None}
    return dataclasses.replace(base, schedule=schedule, lead=tuple(lead), targets=())


def reports(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"task_id": t, "agency_code": a, "status": s, "evidence_doc_no": e} for t, a, s, e in rows],
                        columns=["task_id", "agency_code", "status", "evidence_doc_no"])


def test_qualitative_status_cases(plan):
    t = a_task(plan, "2023-12-31", lead=("SNV", "STP"))
    done = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"), ("A.III.1.b", "STP", "done", "7/QĐ-STP"))
    assert qualitative_status(t, done, Q2, lead_agencies(plan, t))[0] == "done"
    no_ev = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"), ("A.III.1.b", "STP", "done", np.nan))
    assert qualitative_status(t, no_ev, Q2, lead_agencies(plan, t))[0] == "done_no_evidence"
    mixed = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"), ("A.III.1.b", "STP", "in_progress", np.nan))
    status, why = qualitative_status(t, mixed, Q2, lead_agencies(plan, t))
    assert status == "in_progress" and "1 of 2" in why
    started = reports(("A.III.1.b", "SNV", "not_started", np.nan))
    assert qualitative_status(t, started, Q2, lead_agencies(plan, t))[0] == "not_started"
    assert qualitative_status(t, reports(), Q2, lead_agencies(plan, t))[0] == "no_report"
    past = a_task(plan, "2023-06-30", lead=("SNV", "STP"))
    assert qualitative_status(past, mixed, Q3, lead_agencies(plan, past))[0] == "overdue"
    assert qualitative_status(past, reports(), Q3, lead_agencies(plan, past))[0] == "overdue"
    assert qualitative_status(past, done, Q3, lead_agencies(plan, past))[0] == "done"
    assert qualitative_status(past, mixed, Q1, lead_agencies(plan, past))[0] == "in_progress"
    assert qualitative_status(past, mixed, Q2, lead_agencies(plan, past))[0] == "overdue"


def test_qualitative_status_done_needs_every_lead_agency(plan):
    t = a_task(plan, "2023-12-31", lead=("SNV", "STP"))
    assert lead_agencies(plan, t) == {"SNV", "STP"}
    only_snv = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"))
    assert qualitative_status(t, only_snv, Q2, lead_agencies(plan, t))[0] != "done"


def test_lead_agencies_expand_groups_by_the_plans_registry(plan):
    t = a_task(plan, "2023-12-31", lead=("ALL_DISTRICTS", "SNV"))
    districts = {a.code for a in plan.by_kind("district")}
    assert len(districts) == 18  # agencies.yaml: 18 districts, towns and cities of Quảng Nam
    assert lead_agencies(plan, t) == districts | {"SNV"}


def progress_of(out, task_id):
    r = out[out["task_id"] == task_id]
    assert len(r) == 1
    return r.iloc[0]


def test_task_progress_falls_back_to_reports_only_without_any_data(plan):
    ind = indicators([ind_row("pakn_handled_on_time_share", "VPUBND", 5, 10)])
    out = target_status(plan, pd.DataFrame(columns=COLUMNS), Q1)
    reps = reports(("A.IV.5.1", "SNV", "done", "5/BC-SNV"), ("A.III.1.b", "STP", "in_progress", np.nan))
    t = task_progress(plan, out, reps, Q1)
    pakn = progress_of(t, "A.IV.5.1")
    assert (pakn["status"], pakn["status_from"]) == ("in_progress", "reports")
    assert pakn["report_basis"].startswith("1 of 37 lead agencies done")
    assert progress_of(t, "A.II.4")["status"] == "no_report"
    assert set(t["task_id"]) == {x.id for x in plan.tasks if x.kind == "task"}
    # one unit with data that misses: the targets decide, and the task is off track
    t2 = task_progress(plan, target_status(plan, ind, Q1), reps, Q1)
    assert (progress_of(t2, "A.IV.5.1")["status"], progress_of(t2, "A.IV.5.1")["status_from"]) == (
        "off_track", "targets")


def test_task_progress_past_due(plan):
    t = dataclasses.replace(plan.task("A.IV.1.b"), schedule={"kind": "due", "due": "2023-06-30"})
    plan2 = dataclasses.replace(plan, tasks=[t])
    ind = indicators([ind_row("tthc_reform_proposals_count", "PROVINCE", 0, math.nan, unit="count",
                              quarter="2023Q3")])
    out = task_progress(plan2, target_status(plan2, ind, Q3), reports(), Q3)
    r = progress_of(out, "A.IV.1.b")
    assert (r["status"], r["status_from"]) == ("not_met", "targets")     # a settled verdict stands
    none = task_progress(plan2, target_status(plan2, pd.DataFrame(columns=COLUMNS), Q3), reports(), Q3)
    assert (progress_of(none, "A.IV.1.b")["status"], progress_of(none, "A.IV.1.b")["status_from"]) == (
        "overdue", "reports")                                             # no data, no report, past due


def test_task_never_met_while_a_unit_misses(plan):
    deps = departments(plan)
    rows = [ind_row("edoc_online_handling_rate", d, 9, 10, quarter="2023Q4") for d in deps]
    rows += [ind_row("edoc_online_handling_rate", d, 9, 10, quarter="2023Q4") for d in
             [a.code for a in plan.by_kind("district")][:-1]]
    out = target_status(plan, indicators(rows), Q4)
    t = task_progress(plan, out, reports(), Q4)
    assert progress_of(t, "A.VIII.2.1")["status"] == "not_met"     # the last district has no data


@pytest.mark.parametrize("change, q, expected", [(0.35, Q4, "met"), (-0.10, Q4, "not_met"),
                                                  (0.35, Q2, "on_course"), (-0.10, Q2, "off_track")])
def test_new_enterprises_vs_2022_through_target_status(plan, change, q, expected):
    base = 1186.0                                  # 2022 new enterprises (sample); the change is (now − base) ÷ base
    ind = indicators([ind_row("new_enterprises_change", "PROVINCE", change * base, base, quarter=str(q),
                              provisional=True)])
    r = status_of(target_status(plan, ind, q), "A.IX.3", "PROVINCE")
    assert r["status"] == expected and bool(r["final"]) == (q == Q4)
    assert math.isnan(r["forecast_lower"])          # a level: no interval


# ---------------------------------------------------------------- the rules the report pages share
def test_status_counts_in_the_one_order_and_only_statuses_present():
    from parplan.progress import status_counts

    assert status_counts(["off_track", "met", "off_track", "done", "no_data"]) == \
        {"met": 1, "done": 1, "off_track": 2, "no_data": 1}
    assert list(status_counts(["no_data", "at_risk", "met"])) == ["met", "at_risk", "no_data"]
    assert status_counts([]) == {}


def test_at_level_only_met_and_on_course_and_no_verdict_is_none():
    from parplan.progress import at_level

    assert [at_level(s) for s in ("met", "on_course", "at_risk", "off_track", "not_met")] == \
        [True, True, False, False, False]
    assert {at_level(s) for s in ("", "no_data", "not_measurable", "not_yet_due")} == {None}


def test_reports_counting_keeps_a_recurring_tasks_report_only_in_its_quarter(plan):
    from parplan.progress import reports_counting

    recurring = next(t.id for t in plan.tasks if t.kind == "task" and t.schedule["kind"] == "recurring")
    once = next(t.id for t in plan.tasks if t.kind == "task" and t.schedule["kind"] == "due")
    reps = pd.DataFrame([
        {"task_id": recurring, "agency_code": "SNV", "status": "done", "quarter": "2023Q1"},
        {"task_id": once, "agency_code": "SNV", "status": "in_progress", "quarter": "2023Q1"},
        {"task_id": once, "agency_code": "SNV", "status": "done", "quarter": "2023Q2"},
        {"task_id": once, "agency_code": "STC", "status": "not_started", "quarter": "2023Q1"},
    ])
    got = reports_counting(reps, plan, Quarter.parse("2023Q2"))
    # the recurring task's Q1 report does not count in Q2; the other task: each agency's latest report
    assert sorted(map(tuple, got[["task_id", "agency_code", "status"]].values.tolist())) == \
        sorted([(once, "SNV", "done"), (once, "STC", "not_started")])
    q1 = reports_counting(reps, plan, Quarter.parse("2023Q1"))
    assert set(q1.loc[q1["task_id"] == recurring, "status"]) == {"done"}


def test_forecast_misses_counts_forecasts_and_those_missing_even_at_the_upper_end():
    from parplan.progress import forecast_misses

    tg = target(">", 0.99)
    rows = pd.DataFrame({"forecast": [0.995, 0.985, 0.98, math.nan, 0.97],
                         "forecast_upper": [0.999, 0.995, 0.989, math.nan, math.nan]})
    # 4 forecasts; 0.985, 0.98, 0.97 miss > 99 %; of them 0.98 (upper 0.989) and 0.97 (no range) miss at the top too
    assert forecast_misses(rows, tg) == (4, 3, 2)
    assert forecast_misses(rows.iloc[:0], tg) == (0, 0, 0)


def test_unit_status_counts_a_target_without_data():
    """The index badge's rule: never better than the targets it covers."""
    from parplan.progress import unit_status

    assert unit_status(["met", "no_data"]) == "no_data"        # one target without data: not 'met'
    assert unit_status(["met", "on_course"]) == "on_course"
    assert unit_status(["at_risk", "no_data"]) == "at_risk"    # a miss is worse than missing data
    assert unit_status(["met", "not_yet_due", ""]) == "met"    # not due / no verdict: say nothing
    assert unit_status(["not_measurable"]) == "no_data"
    assert unit_status([]) == "no_data"
