"""Status and forecast rules of parplan/progress.py against docs/method.md, on hand-made numbers."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parplan import catalogue
from parplan.catalogue import Target
from parplan.metrics import COLUMNS
from parplan.periods import Quarter
from parplan.progress import (
    judge_count,
    judge_level,
    judge_rate,
    qualitative_status,
    target_status,
    task_progress,
)

Q1, Q2, Q3, Q4 = (Quarter(2023, i) for i in range(1, 5))
YEAR_END = dt.date(2023, 12, 31)
RANK = {"met": 0, "on_track": 0, "at_risk": 1, "off_track": 2}  # best .. worst
Z = 1.96


def target(op: str, value: float, unit: str = "fraction", direction: str | None = None) -> Target:
    direction = direction or ("lower" if op in ("<", "<=") else "higher")
    return Target("X.1", "m", "province", op, float(value), unit, direction)


def wilson(k: float, n: float) -> tuple[float, float]:
    """Wilson score 95 % interval, written out independently of parplan.metrics."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def elapsed(q: Quarter, due: dt.date) -> float:
    """Share of the time from 1 January to the due date that has passed at the quarter end (days inclusive)."""
    start = dt.date(q.year, 1, 1)
    return min(1.0, ((q.end - start).days + 1) / ((due - start).days + 1))


# ====================================================================== judge_rate
def test_rate_whole_interval_on_the_right_side_is_on_track_then_met():
    tg = target(">", 0.95)
    lo, hi = wilson(990, 1000)
    assert lo > 0.95                                    # p = 0.99 with n = 1000: the whole interval above 95 %
    j = judge_rate(tg, 990, 1000, Q2, YEAR_END)
    assert (j.status, j.final) == ("on_track", False)
    assert j.lower == pytest.approx(lo) and j.upper == pytest.approx(hi)
    assert j.forecast == pytest.approx(990 / 1000)
    assert (j.forecast_lower, j.forecast_upper) == pytest.approx((lo, hi))
    j4 = judge_rate(tg, 990, 1000, Q4, YEAR_END)        # 31/12 reaches the due date
    assert (j4.status, j4.final) == ("met", True)


def test_rate_estimate_right_interval_crossing_is_at_risk():
    tg = target(">", 0.95)
    lo, _ = wilson(48, 50)
    assert 48 / 50 > 0.95 and lo <= 0.95
    assert judge_rate(tg, 48, 50, Q2, YEAR_END).status == "at_risk"
    assert judge_rate(tg, 48, 50, Q4, YEAR_END).status == "met"  # final: the final value is what counts


def test_rate_estimate_on_the_wrong_side_is_off_track():
    tg = target(">", 0.95)
    assert 90 / 100 <= 0.95
    for q in (Q2, Q4):
        assert judge_rate(tg, 90, 100, q, YEAR_END).status == "off_track"
    # '>' is strict: exactly 95 % does not meet '> 95 %'
    assert judge_rate(tg, 95, 100, Q2, YEAR_END).status == "off_track"
    assert judge_rate(target(">=", 0.95), 95, 100, Q2, YEAR_END).status == "at_risk"


def test_hundred_percent_target_misses_with_one_event():
    tg = target(">=", 1.0)
    j = judge_rate(tg, 999, 1000, Q2, YEAR_END)
    assert j.status == "off_track"                    # no interval hides the one miss
    assert f"{1000 - 999:g} did not" in j.basis
    j3 = judge_rate(tg, 47, 50, Q2, YEAR_END)
    assert j3.status == "off_track" and f"{50 - 47:g} did not" in j3.basis
    assert judge_rate(tg, 50, 50, Q2, YEAR_END).status == "on_track"
    assert judge_rate(tg, 50, 50, Q4, YEAR_END).status == "met"
    assert judge_rate(tg, 49, 50, Q4, YEAR_END).status == "off_track"


@pytest.mark.parametrize("op", ["<", "<="])
def test_rate_lower_is_better(op):
    tg = target(op, 0.05)
    _, hi = wilson(10, 1000)
    assert hi < 0.05                                   # 1 % with n = 1000: whole interval below 5 %
    assert judge_rate(tg, 10, 1000, Q2, YEAR_END).status == "on_track"
    assert judge_rate(tg, 10, 1000, Q4, YEAR_END).status == "met"
    _, hi = wilson(4, 100)
    assert 4 / 100 < 0.05 < hi                         # estimate below, interval crosses 5 %
    assert judge_rate(tg, 4, 100, Q2, YEAR_END).status == "at_risk"
    assert 8 / 100 > 0.05
    assert judge_rate(tg, 8, 100, Q2, YEAR_END).status == "off_track"


def test_rate_without_events_is_no_data():
    j = judge_rate(target(">", 0.99), 0, 0, Q2, YEAR_END)
    assert j.status == "no_data" and not j.final and math.isnan(j.forecast)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3000), st.data(), st.sampled_from([Q1, Q2, Q3, Q4]))
def test_rate_status_never_improves_as_successes_fall(n, data, q):
    k1 = data.draw(st.integers(0, n))
    k2 = data.draw(st.integers(k1, n))
    higher = target(">", 0.99)          # more successes never make a '> 99 %' status worse
    assert RANK[judge_rate(higher, k2, n, q, YEAR_END).status] <= RANK[judge_rate(higher, k1, n, q, YEAR_END).status]
    lower = target("<=", 0.05)          # for a '<= 5 %' target, more events never make it better
    assert RANK[judge_rate(lower, k2, n, q, YEAR_END).status] >= RANK[judge_rate(lower, k1, n, q, YEAR_END).status]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 2000), st.data(), st.floats(0.01, 0.99), st.sampled_from([">", ">="]),
       st.sampled_from([Q1, Q2, Q3, Q4]))
def test_rate_status_monotone_for_any_threshold(n, data, value, op, q):
    k1 = data.draw(st.integers(0, n))
    k2 = data.draw(st.integers(k1, n))
    tg = target(op, value)
    assert RANK[judge_rate(tg, k2, n, q, YEAR_END).status] <= RANK[judge_rate(tg, k1, n, q, YEAR_END).status]


# ====================================================================== judge_count
def test_count_reached_is_met_before_the_due_date():
    j = judge_count(target(">=", 3, "count"), 3, Q2, YEAR_END)
    assert (j.status, j.final) == ("met", False)


def test_count_pace_bands():
    due = dt.date(2023, 12, 31)
    e = elapsed(Q2, due)
    assert e == pytest.approx(181 / 365)               # 1/1–30/6 of 1/1–31/12, days inclusive
    tg = target(">=", 10, "count")
    for achieved, expected in ((5, "on_track"), (4, "at_risk"), (2, "off_track")):
        ratio = (achieved / 10) / e
        band = "on_track" if ratio >= 0.95 else "at_risk" if ratio >= 0.60 else "off_track"
        assert band == expected, (achieved, ratio)
        assert judge_count(tg, achieved, Q2, due).status == expected


def test_count_pace_band_edges_are_inclusive():
    due = dt.date(2023, 1, 1) + dt.timedelta(days=179)  # 180 days from 1 January: Q1's 90 days are exactly half
    assert elapsed(Q1, due) == 0.5
    tg = target(">=", 20, "count")
    assert (9.5 / 20) / 0.5 == 0.95 and (6 / 20) / 0.5 == 0.60
    assert judge_count(tg, 9.5, Q1, due).status == "on_track"
    assert judge_count(tg, 9, Q1, due).status == "at_risk"
    assert judge_count(tg, 6, Q1, due).status == "at_risk"
    assert judge_count(tg, 5.9, Q1, due).status == "off_track"


def test_count_due_date_passed_without_reaching_it_is_off_track():
    j = judge_count(target(">=", 3, "count"), 2, Q4, YEAR_END)
    assert (j.status, j.final) == ("off_track", True)
    assert judge_count(target(">=", 3, "count"), 3, Q4, YEAR_END).status == "met"


@pytest.mark.parametrize("tg", [target("==", 0, "count", "zero"), target("<=", 0, "count", "zero")])
def test_count_must_be_zero_misses_with_any_occurrence(tg):
    assert judge_count(tg, 1, Q2, YEAR_END).status == "off_track"
    assert judge_count(tg, 0, Q2, YEAR_END).status == "on_track"
    assert judge_count(tg, 0, Q4, YEAR_END).status == "met"
    assert "any occurrence" in judge_count(tg, 2, Q2, YEAR_END).basis


@pytest.mark.parametrize("achieved", [0, 1, 4, 7])
def test_count_forecast_band_contains_the_forecast(achieved):
    e = elapsed(Q2, YEAR_END)
    j = judge_count(target(">=", 10, "count"), achieved, Q2, YEAR_END)
    forecast = achieved / e
    half = Z * math.sqrt(max(achieved, 1)) / e
    assert j.forecast == pytest.approx(forecast)
    assert j.forecast_lower == pytest.approx(max(0.0, forecast - half))
    assert j.forecast_upper == pytest.approx(forecast + half)
    assert j.forecast_lower <= j.forecast <= j.forecast_upper


def test_count_without_report_is_no_data():
    assert judge_count(target(">=", 1, "count"), math.nan, Q2, YEAR_END).status == "no_data"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20), st.integers(0, 30), st.integers(0, 30), st.sampled_from([Q1, Q2, Q3, Q4]),
       st.integers(0, 364))
def test_count_more_achieved_never_worsens(required, a, b, q, due_day):
    lo, hi = sorted((a, b))
    due = dt.date(2023, 1, 1) + dt.timedelta(days=due_day)
    tg = target(">=", required, "count")
    assert RANK[judge_count(tg, hi, q, due).status] <= RANK[judge_count(tg, lo, q, due).status]


# ====================================================================== judge_level
def test_level_provisional_is_never_final():
    tg = Target("A.IX.3", "new_enterprises_change", "province", ">=", 0.2, "fraction", "higher", baseline_year=2022)
    j = judge_level(tg, 0.25, Q4, YEAR_END, provisional=True)
    assert (j.status, j.final) == ("on_track", False)        # never 'met' while provisional
    assert "provisional" in j.basis
    assert judge_level(tg, 0.10, Q4, YEAR_END, provisional=True).status == "at_risk"
    final = judge_level(tg, 0.25, Q4, YEAR_END, provisional=False)
    assert (final.status, final.final) == ("met", True)
    assert judge_level(tg, 0.10, Q4, YEAR_END, provisional=False).status == "off_track"
    assert judge_level(tg, 0.10, Q2, YEAR_END, provisional=False).status == "at_risk"
    assert judge_level(tg, math.nan, Q2, YEAR_END, provisional=False).status == "no_data"


# ====================================================================== target_status
def ind_row(metric, agency, num, den, value=None, unit="fraction", provisional=False, quarter="2023Q2"):
    if value is None:
        value = num / den if unit == "fraction" else num
    return {"quarter": quarter, "period": "YTD", "metric": metric, "agency": agency, "numerator": float(num),
            "denominator": float(den), "value": float(value), "unit": unit, "n_sources": 1,
            "provisional": provisional, "self_reported": False}


def indicators(rows) -> pd.DataFrame:
    f = pd.DataFrame(rows)
    assert set(COLUMNS) <= set(f.columns)
    # a 'Q' row that must never be used for judging (the status is on year to date)
    q = {**rows[0], "period": "Q", "numerator": 0.0, "value": 0.0}
    return pd.concat([f, pd.DataFrame([q])], ignore_index=True)


def status_of(out, task_id, agency, metric=None):
    r = out[(out["task_id"] == task_id) & (out["agency"] == agency)]
    if metric:
        r = r[r["metric"] == metric]
    assert len(r) == 1, (task_id, agency, metric)
    return r.iloc[0]


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def test_target_status_not_yet_due_before_from_date_and_as_of(cat):
    tg44 = next(t for t in cat.task("A.IV.4.4").targets)
    tg711 = next(t for t in cat.task("A.VII.1.1").targets)
    assert tg44.from_date == "2023-06-01" and tg711.as_of == "2023-04-30"
    ind = indicators([ind_row("late_dossiers_count@2023-06-01", "PROVINCE", 0, math.nan, unit="count",
                              quarter="2023Q1"),
                      ind_row("disbursement_rate@2023-04-30", "PROVINCE", 75, 300, quarter="2023Q1")])
    out = target_status(cat, ind, "2023Q1")
    assert status_of(out, "A.IV.4.4", "PROVINCE")["status"] == "not_yet_due"   # even with data present
    r = status_of(out, "A.VII.1.1", "PROVINCE")
    assert r["status"] == "not_yet_due" and r["due"] == "2023-04-30"


def test_target_status_from_q2_uses_the_dated_indicators(cat):
    ind = indicators([ind_row("late_dossiers_count@2023-06-01", "PROVINCE", 2, math.nan, unit="count"),
                      ind_row("disbursement_rate@2023-04-30", "PROVINCE", 15 + 60, 100 + 200),
                      ind_row("late_dossiers_count", "PROVINCE", 40, math.nan, unit="count")])
    out = target_status(cat, ind, "2023Q2")
    late = status_of(out, "A.IV.4.4", "PROVINCE")
    assert late["value"] == 2 and late["status"] == "off_track"   # must be zero from 01/06: two late dossiers
    assert late["final"]                                          # due 30/06
    disb = status_of(out, "A.VII.1.1", "PROVINCE")
    lo, _ = wilson(75, 300)
    assert lo >= 0.2                                              # 25 % with the whole interval above 20 %
    assert disb["status"] == "met" and disb["final"]              # measured at 30/04, final from Q2
    assert disb["numerator"] == 75 and disb["denominator"] == 300


def test_target_status_no_data_where_the_indicator_is_missing(cat):
    out = target_status(cat, indicators([ind_row("ontime_rate", "SNV", 995, 1000)]), "2023Q2")
    r = status_of(out, "A.IX.5", "PROVINCE")
    assert r["status"] == "no_data" and math.isnan(r["value"])
    assert status_of(out, "A.IV.4.1", "STP")["status"] == "no_data"
    assert set(out["status"]) <= {"met", "on_track", "at_risk", "off_track", "not_yet_due", "no_data"}
    assert target_status(cat, pd.DataFrame(columns=COLUMNS), "2023Q2")["status"].isin({"no_data", "not_yet_due"}).all()


def test_target_status_each_department_rows(cat):
    ind = indicators([
        ind_row("ontime_rate", "SNV", 995, 1000),
        ind_row("ontime_rate", "STP", 5000, 5000),
        ind_row("ontime_rate", "SYT", 90, 100),
        ind_row("ontime_rate", "ALL_DEPARTMENTS", 995 + 5000 + 90, 1000 + 5000 + 100),
    ])
    out = target_status(cat, ind, "2023Q2")
    rows = out[out["task_id"] == "A.IV.4.1"]
    departments = {a.code for a in cat.by_kind("department")}
    assert len(departments) == 19
    assert len(rows) == 19 + 1 and set(rows["agency"]) == departments | {"ALL_DEPARTMENTS"}
    assert set(rows["threshold"]) == {0.99} and set(rows["op"]) == {">"}
    assert wilson(995, 1000)[0] <= 0.99 < 995 / 1000
    assert status_of(out, "A.IV.4.1", "SNV")["status"] == "at_risk"
    assert wilson(5000, 5000)[0] > 0.99
    assert status_of(out, "A.IV.4.1", "STP")["status"] == "on_track"
    assert status_of(out, "A.IV.4.1", "SYT")["status"] == "off_track"
    assert wilson(6085, 6100)[0] > 0.99
    g = status_of(out, "A.IV.4.1", "ALL_DEPARTMENTS")
    assert g["status"] == "on_track" and g["value"] == pytest.approx(6085 / 6100)
    assert (g["lower"], g["upper"]) == pytest.approx(wilson(6085, 6100))
    assert (rows["status"] == "no_data").sum() == 19 - 3


def test_target_status_each_record_is_an_every_record_rate(cat):
    ind = indicators([
        ind_row("tthc_publication_lead_working_days", "PROVINCE", 3, 4),
        ind_row("tthc_national_portal_delay_working_days", "PROVINCE", 4, 4),
    ])
    out = target_status(cat, ind, "2023Q2")
    lead = status_of(out, "A.IV.2.1", "PROVINCE", "tthc_publication_lead_working_days")
    assert lead["threshold"] == 5 and lead["unit"] == "working_days"   # the per-record threshold, kept for display
    assert lead["status"] == "off_track" and f"{4 - 3:g} did not" in lead["basis"]
    assert (lead["lower"], lead["upper"]) == pytest.approx(wilson(3, 4))
    portal = status_of(out, "A.IV.2.2.a", "PROVINCE")
    assert portal["status"] == "on_track"                               # every record so far, not yet final
    short = status_of(out, "A.IV.2.1", "PROVINCE", "tthc_publication_delay_days_shortened")
    assert short["status"] == "no_data"


def test_target_status_levels_counts_and_provisional(cat):
    ind = indicators([
        ind_row("new_enterprises_change", "PROVINCE", 587 - 593, 593, provisional=True, quarter="2023Q4"),
        ind_row("psu_full_self_financing_new_count", "PROVINCE", 1, math.nan, unit="count", quarter="2023Q4"),
        ind_row("tthc_ultra_vires_count", "PROVINCE", 0, math.nan, unit="count", quarter="2023Q4"),
        ind_row("cchc_plan_tasks_completed_share", "PROVINCE", 0.9 + 1.0, math.nan, value=(0.9 + 1.0) / 2,
                quarter="2023Q4"),
    ])
    out = target_status(cat, ind, "2023Q4")
    ne = status_of(out, "A.IX.3", "PROVINCE")
    assert ne["status"] == "at_risk" and not ne["final"]    # provisional: never final, even at 31/12
    assert status_of(out, "A.VII.2.4", "PROVINCE", "psu_full_self_financing_new_count")["status"] == "off_track"
    assert status_of(out, "A.IV.1.a", "PROVINCE")["status"] == "met"
    self_rep = status_of(out, "A.I.1", "PROVINCE")
    assert self_rep["value"] == pytest.approx(0.95) and self_rep["status"] == "off_track"  # 95 % < 100 %, final


# ====================================================================== qualitative_status / task_progress
def a_task(due: str | None, lead=("SNV",)):
    base = catalogue.load().task("A.III.1.b")
    schedule = {"kind": "due", "due": due} if due else {"kind": "recurring", "due": None}
    return dataclasses.replace(base, schedule=schedule, lead=tuple(lead), targets=())


def reports(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"task_id": t, "agency_code": a, "status": s, "evidence_doc_no": e} for t, a, s, e in rows],
                        columns=["task_id", "agency_code", "status", "evidence_doc_no"])


def test_qualitative_status_cases():
    t = a_task("2023-12-31", lead=("SNV", "STP"))
    done = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"), ("A.III.1.b", "STP", "done", "7/QĐ-STP"))
    assert qualitative_status(t, done, Q2)[0] == "done"
    no_ev = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"), ("A.III.1.b", "STP", "done", np.nan))
    assert qualitative_status(t, no_ev, Q2)[0] == "done_no_evidence"
    mixed = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"), ("A.III.1.b", "STP", "in_progress", np.nan))
    status, why = qualitative_status(t, mixed, Q2)
    assert status == "in_progress" and "1 of 2" in why
    assert qualitative_status(t, reports(("A.III.1.b", "SNV", "not_started", np.nan)), Q2)[0] == "not_started"
    assert qualitative_status(t, reports(), Q2)[0] == "no_report"
    past = a_task("2023-06-30", lead=("SNV", "STP"))
    assert qualitative_status(past, mixed, Q3)[0] == "overdue"               # past due, not done by every lead
    assert qualitative_status(past, reports(), Q3)[0] == "overdue"           # past due, no report at all
    assert qualitative_status(past, done, Q3)[0] == "done"                   # done is done, even late
    assert qualitative_status(past, mixed, Q1)[0] == "in_progress"           # not yet due at 31/03
    assert qualitative_status(past, mixed, Q2)[0] == "overdue"               # the Q2 end reaches the due date


def test_qualitative_status_done_needs_every_lead_agency():
    t = a_task("2023-12-31", lead=("SNV", "STP"))
    only_snv = reports(("A.III.1.b", "SNV", "done", "12/QĐ-SNV"))
    assert qualitative_status(t, only_snv, Q2)[0] != "done"


def tg_rows(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"task_id": t, "agency": a, "status": s} for t, a, s in rows])


def progress_of(out, task_id):
    r = out[out["task_id"] == task_id]
    assert len(r) == 1
    return r.iloc[0]


def test_task_progress_worst_group_row_and_fallback_to_reports(cat):
    targets = tg_rows(
        ("A.VIII.2.1", "ALL_DEPARTMENTS", "on_track"), ("A.VIII.2.1", "ALL_DISTRICTS", "at_risk"),
        ("A.VIII.2.1", "SNV", "off_track"),                        # a member row: not a group row
        ("A.IV.5.1", "PROVINCE", "no_data"),
        ("A.I.4", "PROVINCE", "met"),
        ("A.IV.4.4", "PROVINCE", "not_yet_due"),
    )
    reps = reports(("A.IV.5.1", "SNV", "done", "5/BC-SNV"), ("A.III.1.b", "STP", "in_progress", np.nan))
    out = task_progress(cat, targets, reps, "2023Q1")
    edoc = progress_of(out, "A.VIII.2.1")
    assert (edoc["status"], edoc["source"], edoc["target_status"]) == ("at_risk", "targets", "at_risk")
    pakn = progress_of(out, "A.IV.5.1")                           # targets without data: the reports decide
    # led by every department and district: one 'done' report of 37 lead agencies is progress, not completion
    assert (pakn["status"], pakn["source"], pakn["report_status"]) == ("in_progress", "reports", "in_progress")
    assert pakn["report_basis"].startswith("1 of 37 lead agencies done")
    assert progress_of(out, "A.I.4")["status"] == "met"
    assert progress_of(out, "A.IV.4.4")["status"] == "not_yet_due"
    assert (progress_of(out, "A.III.1.b")["status"], progress_of(out, "A.III.1.b")["source"]) == ("in_progress",
                                                                                                  "reports")
    assert progress_of(out, "A.II.4")["status"] == "no_report"    # no targets, no reports, not due
    assert set(out["task_id"]) == {t.id for t in cat.tasks if t.kind == "task"}


def test_task_progress_overdue_when_past_due_and_not_met(cat):
    # A.IV.4.4 is due 30/06/2023; in Q3 a target that is not met and no report -> overdue
    out = task_progress(cat, tg_rows(("A.IV.4.4", "PROVINCE", "off_track")), reports(), "2023Q3")
    r = progress_of(out, "A.IV.4.4")
    assert (r["status"], r["source"]) == ("overdue", "targets + reports")
    met = task_progress(cat, tg_rows(("A.IV.4.4", "PROVINCE", "met")), reports(), "2023Q3")
    assert progress_of(met, "A.IV.4.4")["status"] == "met"


def test_task_progress_from_target_status(cat):
    ind = indicators([ind_row("ontime_rate", "ALL_DEPARTMENTS", 6085, 6100),
                      ind_row("ontime_rate", "SYT", 90, 100)])
    out = task_progress(cat, target_status(cat, ind, "2023Q2"), reports(), "2023Q2")
    # the department group is on track; SYT's off-track row is not a group row
    assert progress_of(out, "A.IV.4.1")["status"] == "on_track"
