"""Dataset indicators (declared in metrics.yaml, computed by parplan/metrics_engine.py) on small hand-made processed tables, worked out in the tests.

Every metric of REGISTRY has at least one test below (checked by test_every_registered_metric_has_a_test). The
processed tables carry the contract's canonical column names with typed values, plus source_file, source_row,
submitting_agency and the 'quarter' the file was sent for.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parplan import metrics_datasets as md
from parplan.metrics import COLUMNS
from parplan.metrics_engine import empty
from parplan.periods import Quarter

D = pd.Timestamp
Q1, Q2 = Quarter(2023, 1), Quarter(2023, 2)
DATE_COLS = {"received_date", "deadline", "handled_date", "cutoff_date", "planned_date", "done_date", "flagged_date",
             "effective_date", "decision_date", "national_portal_date", "provincial_portal_date", "completion_date",
             "evidence_doc_date", "due_date", "completed_date"}
COVERED: set[str] = set()


def covers(*metrics: str):
    """Record which REGISTRY metrics a test works out by hand."""
    def deco(f):
        COVERED.update(metrics)
        return f
    return deco


def table(dataset: str, rows: list[dict]) -> pd.DataFrame:
    """A processed table: contract columns + source_file / source_row / submitting_agency (+ 'quarter')."""
    out = []
    for i, r in enumerate(rows):
        r = dict(r)
        who = r.pop("submitter", None) or r["agency_code"]
        r.setdefault("submitting_agency", who)
        r.setdefault("source_file", f"data/raw/{r['quarter']}/{dataset}/{who}.csv")
        r.setdefault("source_row", i + 2)
        out.append(r)
    f = pd.DataFrame(out)
    for c in f.columns:
        if c in DATE_COLS:
            f[c] = pd.to_datetime(f[c])
    return f


def unit_row(units: pd.DataFrame, agency: str) -> pd.Series:
    r = units[units["agency"] == agency]
    assert len(r) == 1, (agency, units)
    return r.iloc[0]


def ind(metric: str, tables: dict, q: Quarter, period: str, plan) -> pd.DataFrame:
    """Unit + group rows of one registered metric, as dataset_indicators builds them (against the plan)."""
    decl = md.REGISTRY[metric]
    return pd.DataFrame(md.indicator_rows(metric, md.units(metric, tables, q, period, plan), q, period, decl.unit,
                                          decl.group, plan))


def pick(rows: pd.DataFrame, agency: str) -> pd.Series:
    r = rows[rows["agency"] == agency]
    assert len(r) == 1, (agency, rows)
    return r.iloc[0]


def check(r: pd.Series, num: float, den: float | None, value: float | None = None) -> None:
    """Numerator, denominator (None = NaN, as for counts) and value (default num ÷ den)."""
    assert r["numerator"] == pytest.approx(num)
    if den is None:
        assert math.isnan(r["denominator"])
    else:
        assert r["denominator"] == pytest.approx(den)
    if "value" in r.index:
        expected = value if value is not None else num / den
        assert r["value"] == pytest.approx(expected)


# ====================================================================== online_services
def os_row(q, agency, scope, one_stop, fee, fee_online, tx, tx_paid, dossiers, synced, published):
    return {"quarter": q, "agency_code": agency, "procedures_in_scope": scope, "procedures_fully_online": 0,
            "procedures_via_one_stop": one_stop, "procedures_with_fee": fee, "procedures_fee_payable_online": fee_online,
            "portal_transactions": tx, "portal_transactions_paid_online": tx_paid, "dossiers_total": dossiers,
            "dossiers_synced_national": synced, "dossiers_published_provincial": published}


def online_services() -> dict:
    return {"online_services": table("online_services", [
        #       quarter   agency   scope 1stop fee feeOL  tx  paid  doss synced publ
        os_row("2023Q1", "SNV", 50, 40, 10, 4, 100, 20, 200, 150, 180),
        os_row("2023Q2", "SNV", 52, 52, 12, 9, 300, 120, 400, 390, 360),
        os_row("2023Q2", "STP", 30, 24, 8, 2, 50, 5, 100, 100, 90),
        os_row("2023Q1", "TAM_KY", 100, 90, 20, 15, 80, 40, 500, 450, 400),  # no Q2 report
    ])}


@covers("online_payment_transaction_share")
def test_online_payment_transaction_share_flows_q_vs_ytd(plan):
    t = online_services()
    q = ind("online_payment_transaction_share", t, Q2, "Q", plan)
    check(pick(q, "SNV"), 120, 300)                          # only the 2023Q2 report
    check(pick(q, "STP"), 5, 50)
    assert "TAM_KY" not in set(q["agency"])                  # no transactions reported in Q2
    check(pick(q, "ALL_DEPARTMENTS"), 120 + 5, 300 + 50)
    y = ind("online_payment_transaction_share", t, Q2, "YTD", plan)
    check(pick(y, "SNV"), 20 + 120, 100 + 300)               # flows: summed over Q1 and Q2
    check(pick(y, "TAM_KY"), 40, 80)
    check(pick(y, "ALL_DEPARTMENTS"), 20 + 120 + 5, 100 + 300 + 50)
    check(pick(y, "ALL_DISTRICTS"), 40, 80)
    check(pick(y, "PROVINCE"), 20 + 120 + 5 + 40, 100 + 300 + 50 + 80)
    assert pick(y, "SNV")["n_sources"] == 2                  # two files: 2023Q1/SNV.csv and 2023Q2/SNV.csv
    assert pick(y, "PROVINCE")["n_sources"] == 2 + 1 + 1


@covers("dossiers_synced_national_portal_share", "dossiers_published_provincial_portal_share")
def test_dossier_portal_shares_are_flows(plan):
    t = online_services()
    check(pick(ind("dossiers_synced_national_portal_share", t, Q2, "Q", plan), "SNV"), 390, 400)
    check(pick(ind("dossiers_synced_national_portal_share", t, Q2, "YTD", plan), "PROVINCE"),
          150 + 390 + 100 + 450, 200 + 400 + 100 + 500)
    check(pick(ind("dossiers_published_provincial_portal_share", t, Q2, "Q", plan), "PROVINCE"), 360 + 90, 400 + 100)
    check(pick(ind("dossiers_published_provincial_portal_share", t, Q2, "YTD", plan), "SNV"), 180 + 360, 200 + 400)


@covers("fee_tthc_online_payment_share", "tthc_via_one_stop_share")
@pytest.mark.parametrize("period", ["Q", "YTD"])
def test_procedure_stocks_take_each_agencys_latest_report(plan, period):
    t = online_services()
    fee = ind("fee_tthc_online_payment_share", t, Q2, period, plan)
    check(pick(fee, "SNV"), 9, 12)                           # the Q2 report replaces Q1's 4/10, never summed
    check(pick(fee, "STP"), 2, 8)
    check(pick(fee, "TAM_KY"), 15, 20)                       # latest report up to Q2 is Q1's
    check(pick(fee, "PROVINCE"), 9 + 2 + 15, 12 + 8 + 20)
    one = ind("tthc_via_one_stop_share", t, Q2, period, plan)
    check(pick(one, "SNV"), 52, 52)
    check(pick(one, "ALL_DEPARTMENTS"), 52 + 24, 52 + 30)
    check(pick(one, "PROVINCE"), 52 + 24 + 90, 52 + 30 + 100)
    # at 2023Q1 only the Q1 reports exist
    check(pick(ind("fee_tthc_online_payment_share", t, Q1, period, plan), "SNV"), 4, 10)


# ====================================================================== pakn
def pakn_row(pid, agency, level, q, deadline, handled, published):
    return {"pakn_id": pid, "agency_code": agency, "level": level, "channel": "portal",
            "received_date": D(deadline) - pd.Timedelta(days=10), "deadline": deadline, "handled_date": handled,
            "answer_published": published, "summary": "", "quarter": q}


def pakn() -> dict:
    return {"pakn": table("pakn", [
        pakn_row("P1", "SNV", "province", "2023Q1", "2023-03-20", None, False),         # pending at Q1 ...
        pakn_row("P6", "SNV", "province", "2023Q1", "2023-02-10", "2023-02-09", True),  # on time, Q1 only
        pakn_row("P1", "SNV", "province", "2023Q2", "2023-03-20", "2023-04-02", False),  # ... handled late in Q2
        pakn_row("P2", "SNV", "province", "2023Q2", "2023-05-10", "2023-05-08", True),  # on time
        pakn_row("P3", "SNV", "province", "2023Q2", "2023-07-15", None, False),         # not due by 30/06
        pakn_row("P4", "TAM_KY", "commune", "2023Q2", "2023-06-01", "2023-05-30", False),  # -> XA_TAM_KY
        pakn_row("P5", "TAM_KY", "district", "2023Q2", "2023-06-10", "2023-06-12", True),  # late
    ])}


@covers("pakn_handled_on_time_share")
def test_pakn_on_time_dedupes_keeps_latest_and_counts_only_items_due(plan):
    t = pakn()
    q = ind("pakn_handled_on_time_share", t, Q2, "Q", plan)
    # Q2 rows: P1 (late), P2 (on time), P3 (due 15/07: not in the denominator)
    check(pick(q, "SNV"), 1, 2)
    y = ind("pakn_handled_on_time_share", t, Q2, "YTD", plan)
    # P1 once (its Q2 record: handled 02/04 after the 20/03 deadline), P2 and P6 on time; P3 not yet due
    check(pick(y, "SNV"), 0 + 1 + 1, 3)
    check(pick(y, "TAM_KY"), 0, 1)                 # P5 handled 12/06 after its 10/06 deadline
    check(pick(y, "XA_TAM_KY"), 1, 1)              # commune-level feedback goes to the commune group
    check(pick(y, "ALL_COMMUNES"), 1, 1)
    check(pick(y, "ALL_DISTRICTS"), 0, 1)
    check(pick(y, "PROVINCE"), 2 + 0 + 1, 3 + 1 + 1)
    # at 2023Q1: P1 (Q1 record, still pending past its deadline) and P6
    check(pick(ind("pakn_handled_on_time_share", t, Q1, "YTD", plan), "SNV"), 1, 2)


@covers("pakn_answers_published_share")
def test_pakn_answers_published_over_handled_items(plan):
    y = ind("pakn_answers_published_share", pakn(), Q2, "YTD", plan)
    # handled: P1 (Q2 record, not published), P2 (published), P6 (published); P3 not handled
    check(pick(y, "SNV"), 2, 3)
    check(pick(y, "XA_TAM_KY"), 0, 1)
    check(pick(y, "TAM_KY"), 1, 1)
    check(pick(y, "PROVINCE"), 2 + 0 + 1, 3 + 1 + 1)


# ====================================================================== e_documents
def edoc_row(q, agency, unit, handled, online, connected):
    return {"quarter": q, "agency_code": agency, "unit": unit, "docs_handled": handled,
            "docs_handled_online": online, "docs_sent_electronic": 0, "docs_received_electronic": 0,
            "connected_4level": connected}


def edocs() -> dict:
    return {"e_documents": table("e_documents", [
        edoc_row("2023Q1", "SNV", "Văn phòng", 100, 70, True),
        edoc_row("2023Q2", "SNV", "Văn phòng", 120, 100, True),
        edoc_row("2023Q2", "SNV", "Phòng TCBC", 80, 60, False),
        edoc_row("2023Q1", "STP", "Toàn cơ quan", 50, 45, False),
        edoc_row("2023Q2", "STP", "Toàn cơ quan", 60, 57, True),
    ])}


@covers("edoc_online_handling_rate")
def test_edoc_online_handling_rate_q_vs_ytd(plan):
    t = edocs()
    q = ind("edoc_online_handling_rate", t, Q2, "Q", plan)
    check(pick(q, "SNV"), 100 + 60, 120 + 80)       # all offices of the agency, Q2 only
    check(pick(q, "STP"), 57, 60)
    check(pick(q, "ALL_DEPARTMENTS"), 100 + 60 + 57, 120 + 80 + 60)
    y = ind("edoc_online_handling_rate", t, Q2, "YTD", plan)
    check(pick(y, "SNV"), 70 + 100 + 60, 100 + 120 + 80)
    check(pick(y, "STP"), 45 + 57, 50 + 60)


@covers("edoc_4level_connected_share")
def test_edoc_4level_connected_needs_every_office_latest_report(plan):
    t = edocs()
    y = ind("edoc_4level_connected_share", t, Q2, "YTD", plan)
    check(pick(y, "SNV"), 0, 1)     # 'Phòng TCBC' not connected
    check(pick(y, "STP"), 1, 1)     # connected in its Q2 report
    check(pick(y, "ALL_DEPARTMENTS"), 0 + 1, 2)
    q1 = ind("edoc_4level_connected_share", t, Q1, "YTD", plan)
    check(pick(q1, "SNV"), 1, 1)
    check(pick(q1, "STP"), 0, 1)


# ====================================================================== disbursement
def disb_row(q, agency, cutoff, plan, disbursed):
    return {"quarter": q, "agency_code": agency, "cutoff_date": cutoff, "plan_amount": plan,
            "disbursed_amount": disbursed, "submitter": "SKHDT"}


def disbursement() -> dict:
    return {"disbursement": table("disbursement", [
        disb_row("2023Q1", "SNV", "2023-03-31", 100.0, 10.0),
        disb_row("2023Q1", "TAM_KY", "2023-03-31", 200.0, 50.0),
        disb_row("2023Q2", "SNV", "2023-04-30", 100.0, 15.0),
        disb_row("2023Q2", "SNV", "2023-06-30", 100.0, 40.0),
        disb_row("2023Q2", "TAM_KY", "2023-04-30", 200.0, 60.0),
        disb_row("2023Q2", "TAM_KY", "2023-06-30", 220.0, 110.0),
    ])}


@covers("disbursement_rate")
def test_disbursement_rate_latest_cutoff_by_period_end(plan):
    t = disbursement()
    q2 = ind("disbursement_rate", t, Q2, "YTD", plan)
    check(pick(q2, "SNV"), 40, 100)                     # 30/06 is the latest cut-off by 30/06
    check(pick(q2, "TAM_KY"), 110, 220)
    check(pick(q2, "PROVINCE"), 40 + 110, 100 + 220)
    q1 = ind("disbursement_rate", t, Q1, "YTD", plan)
    check(pick(q1, "SNV"), 10, 100)
    check(pick(q1, "PROVINCE"), 10 + 50, 100 + 200)


def test_disbursement_rate_at_a_named_cutoff(plan):
    units = md.disbursement_rate(disbursement(), Q2, "YTD", plan, as_of="2023-04-30")
    check(unit_row(units, "SNV"), 15, 100)
    check(unit_row(units, "TAM_KY"), 60, 200)
    assert md.disbursement_rate(disbursement(), Q2, "YTD", plan, as_of="2023-05-15").empty  # nobody reported that date


def test_disbursement_rate_at_cutoff_only_in_dataset_indicators_from_q2(plan):
    as_of = next(tg.as_of for tg in plan.targets if tg.metric == "disbursement_rate" and tg.as_of)
    assert as_of == "2023-04-30"
    metric = f"disbursement_rate@{as_of}"
    q1 = md.dataset_indicators(disbursement(), "2023Q1", plan)
    assert metric not in set(q1["metric"])                  # 31/03 is before 30/04
    q2 = md.dataset_indicators(disbursement(), "2023Q2", plan)
    rows = q2[q2["metric"] == metric]
    assert set(rows["period"]) == {"YTD"}
    check(pick(rows, "SNV"), 15, 100)
    check(pick(rows, "PROVINCE"), 15 + 60, 100 + 200)
    check(pick(q2[(q2["metric"] == "disbursement_rate") & (q2["period"] == "YTD")], "SNV"), 40, 100)


# ====================================================================== organisation
def org_row(q, agency, psu21, psu, quota21, quota, leaders, jd, staff, placed, comm, comm_ok, full, part, b22, bnow):
    return {"quarter": q, "agency_code": agency, "psu_count_2021": psu21, "psu_count_now": psu,
            "staff_quota_2021": quota21, "staff_quota_now": quota, "leadership_compliant": leaders,
            "job_descriptions_complete": jd, "staff_total": staff, "staff_in_approved_position": placed,
            "commune_officials_total": comm, "commune_officials_meeting_standards": comm_ok,
            "psu_full_self_financing_new": full, "psu_partial_self_financing_new": part,
            "direct_budget_psu_2022": b22, "direct_budget_psu_now": bnow}


NA = np.nan


def organisation() -> dict:
    return {"organisation": table("organisation", [
        #        q        agency    psu21 psu q21  quota lead  jd     staff placed comm  ok   full part b22   bnow
        org_row("2023Q1", "SNV", 10, 10, 200, 198, True, False, 190, 170, NA, NA, 0, 1, 50.0, 12.0),
        org_row("2023Q2", "SNV", 10, 8, 200, 190, False, True, 185, 180, NA, NA, 1, 1, 50.0, 24.0),
        org_row("2023Q2", "TAM_KY", 40, 35, 500, 480, True, True, 450, 450, 300, 270, 2, 0, NA, NA),
        org_row("2023Q1", "STP", 5, 5, 100, 100, True, False, 95, 90, NA, NA, 0, 2, 20.0, 6.0),
    ])}


@covers("public_service_units_change", "staff_quota_change")
def test_organisation_changes_vs_2021_latest_report_ratio_of_sums(plan):
    t = organisation()
    for period in ("Q", "YTD"):  # stocks: the same latest report for both periods
        psu = ind("public_service_units_change", t, Q2, period, plan)
        check(pick(psu, "SNV"), 8 - 10, 10)                      # SNV's Q2 report replaces Q1's
        check(pick(psu, "STP"), 5 - 5, 5)                        # STP's latest is Q1
        check(pick(psu, "TAM_KY"), 35 - 40, 40)
        check(pick(psu, "ALL_DEPARTMENTS"), (8 - 10) + (5 - 5), 10 + 5)
        check(pick(psu, "PROVINCE"), (8 - 10) + (5 - 5) + (35 - 40), 10 + 5 + 40)
    quota = ind("staff_quota_change", t, Q2, "YTD", plan)
    check(pick(quota, "SNV"), 190 - 200, 200)
    check(pick(quota, "PROVINCE"), (190 - 200) + (100 - 100) + (480 - 500), 200 + 100 + 500)
    check(pick(ind("staff_quota_change", t, Q1, "YTD", plan), "SNV"), 198 - 200, 200)


@covers("leadership_structure_compliant_share", "job_description_complete_share")
def test_organisation_agency_shares(plan):
    t = organisation()
    lead = ind("leadership_structure_compliant_share", t, Q2, "YTD", plan)
    check(pick(lead, "SNV"), 0, 1)                               # Q2 report: not compliant
    check(pick(lead, "PROVINCE"), 0 + 1 + 1, 3)                  # SNV, STP (Q1), TAM_KY
    check(pick(lead, "ALL_DEPARTMENTS"), 0 + 1, 2)
    jd = ind("job_description_complete_share", t, Q2, "YTD", plan)
    check(pick(jd, "PROVINCE"), 1 + 0 + 1, 3)
    check(pick(ind("job_description_complete_share", t, Q1, "YTD", plan), "PROVINCE"), 0 + 0, 2)


@covers("staff_in_approved_position_share", "commune_officials_meeting_standards_share")
def test_organisation_staff_shares(plan):
    t = organisation()
    staff = ind("staff_in_approved_position_share", t, Q2, "YTD", plan)
    check(pick(staff, "SNV"), 180, 185)
    check(pick(staff, "PROVINCE"), 180 + 90 + 450, 185 + 95 + 450)
    comm = ind("commune_officials_meeting_standards_share", t, Q2, "YTD", plan)
    assert set(comm["agency"]) == {"TAM_KY", "ALL_DISTRICTS", "PROVINCE"}  # departments report no commune officials
    check(pick(comm, "TAM_KY"), 270, 300)
    check(pick(comm, "PROVINCE"), 270, 300)


@covers("psu_full_self_financing_new_count", "psu_partial_self_financing_new_count")
def test_self_financing_counts_sum_over_agencies(plan):
    t = organisation()
    full = ind("psu_full_self_financing_new_count", t, Q2, "YTD", plan)
    check(pick(full, "SNV"), 1, None, 1)
    check(pick(full, "ALL_DEPARTMENTS"), 1 + 0, None, 1 + 0)
    check(pick(full, "PROVINCE"), 1 + 0 + 2, None, 1 + 0 + 2)
    assert set(full["unit"]) == {"count"}
    part = ind("psu_partial_self_financing_new_count", t, Q2, "YTD", plan)
    check(pick(part, "PROVINCE"), 1 + 2 + 0, None, 1 + 2 + 0)
    check(pick(ind("psu_partial_self_financing_new_count", t, Q1, "YTD", plan), "PROVINCE"), 1 + 2, None, 1 + 2)


@covers("direct_budget_to_psu_change")
def test_direct_budget_change_annualises_year_to_date(plan):
    t = organisation()
    elapsed = 2 / 4                                             # end of Q2: half the year
    t1 = {"organisation": t["organisation"][t["organisation"]["quarter"] == "2023Q1"]}
    check(pick(ind("direct_budget_to_psu_change", t1, Q1, "YTD", plan), "SNV"), 12.0 / (1 / 4) - 50.0, 50.0)
    t2 = {"organisation": t["organisation"][t["organisation"]["agency_code"] != "STP"]}
    rows = ind("direct_budget_to_psu_change", t2, Q2, "YTD", plan)
    check(pick(rows, "SNV"), 24.0 / elapsed - 50.0, 50.0)      # SNV's Q2 report (year to date at 30/06)
    assert "TAM_KY" not in set(rows["agency"])                  # no budget figures
    check(pick(rows, "PROVINCE"), 24.0 / elapsed - 50.0, 50.0)


def test_direct_budget_change_annualises_a_carried_forward_report_by_its_own_quarter(plan):
    rows = ind("direct_budget_to_psu_change", organisation(), Q2, "YTD", plan)
    check(pick(rows, "STP"), 6.0 / (1 / 4) - 20.0, 20.0)        # STP's latest report is Q1's: Jan–Mar spending


def test_direct_budget_change_is_provisional_before_q4(plan):
    out = md.dataset_indicators(organisation(), "2023Q2", plan)
    rows = out[out["metric"] == "direct_budget_to_psu_change"]
    assert len(rows) and rows["provisional"].all()


# ====================================================================== inspections
def insp_row(iid, q, agency, topic, inspected, planned, planned_date, done, found, handled):
    return {"inspection_id": iid, "quarter": q, "agency_code": agency, "topic": topic, "inspected_agency": inspected,
            "planned": planned, "planned_date": planned_date, "done_date": done, "issues_found": found,
            "issues_handled": handled}


def inspections() -> dict:
    return {"inspections": table("inspections", [
        insp_row("I1", "2023Q1", "SNV", "cchc", "STP", True, "2023-03-15", None, 4, 1),
        insp_row("I6", "2023Q1", "STP", "audit", "HOI_AN", False, None, "2023-02-20", 10, 8),
        insp_row("I1", "2023Q2", "SNV", "cchc", "STP", True, "2023-03-15", "2023-04-10", 4, 3),
        insp_row("I2", "2023Q2", "SNV", "cchc", "TAM_KY", True, "2023-05-20", "2023-05-22", 2, 2),
        insp_row("I3", "2023Q2", "SNV", "cchc", "NUI_THANH", True, "2023-06-15", None, 0, 0),
        insp_row("I4", "2023Q2", "SNV", "cchc", "SYT", True, "2023-09-10", None, 0, 0),
        insp_row("I7", "2023Q2", "SNV", "cchc", "TTPVHCC", False, None, "2023-04-05", 1, 1),
        insp_row("I5", "2023Q2", "STP", "decentralisation", "DIEN_BAN", False, None, "2023-04-20", 5, 2),
    ])}


@covers("inspected_agencies_share")
def test_inspected_agencies_share_distinct_departments_and_districts(plan):
    universe = len(plan.by_kind("department")) + len(plan.by_kind("district"))
    assert universe == 19 + 18
    t = inspections()
    for period in ("Q", "YTD"):  # always year to date
        rows = ind("inspected_agencies_share", t, Q2, period, plan)
        assert list(rows["agency"]) == ["PROVINCE"]              # no duplicate province group row
        # STP (I1) and TAM_KY (I2) done by 30/06; NUI_THANH not done; TTPVHCC not a department or district
        check(pick(rows, "PROVINCE"), 2, universe)
    check(pick(ind("inspected_agencies_share", t, Q1, "YTD", plan), "PROVINCE"), 0, universe)


@covers("inspection_plan_completion_share")
def test_inspection_plan_completion_counts_planned_inspections_due(plan):
    rows = ind("inspection_plan_completion_share", inspections(), Q2, "YTD", plan)
    # planned and due by 30/06: I1 (done), I2 (done), I3 (not done); I4 planned for September is not due
    check(pick(rows, "SNV"), 2, 3)
    check(pick(rows, "PROVINCE"), 2, 3)


@covers("inspection_issues_handled_share", "decentralisation_issues_handled_share",
        "audit_conclusions_implemented_share")
def test_issues_handled_by_topic(plan):
    t = inspections()
    cchc = ind("inspection_issues_handled_share", t, Q2, "YTD", plan)
    # I1 counted once with its Q2 record (3 of 4), I2 2/2, I3 0/0, I4 0/0, I7 1/1; other topics excluded
    check(pick(cchc, "SNV"), 3 + 2 + 0 + 0 + 1, 4 + 2 + 0 + 0 + 1)
    assert "STP" not in set(cchc["agency"])
    dec = ind("decentralisation_issues_handled_share", t, Q2, "YTD", plan)
    check(pick(dec, "STP"), 2, 5)
    audit_q = ind("audit_conclusions_implemented_share", t, Q2, "Q", plan)
    assert audit_q.empty                                          # the audit was reported in Q1
    check(pick(ind("audit_conclusions_implemented_share", t, Q2, "YTD", plan), "STP"), 8, 10)


# ====================================================================== legal_docs
def legal_row(rid, q, agency, kind, handled):
    return {"record_id": rid, "quarter": q, "agency_code": agency, "record_type": kind, "subject": "x",
            "flagged_date": "2023-02-01" if q == "2023Q1" else "2023-05-02", "handled": handled,
            "handled_date": None}


def legal_docs() -> dict:
    return {"legal_docs": table("legal_docs", [
        legal_row("L1", "2023Q1", "STP", "monitoring_activity", False),
        legal_row("L3", "2023Q1", "STP", "illegal_document", False),
        legal_row("L2", "2023Q2", "STP", "monitoring_activity", False),
        legal_row("L3", "2023Q2", "STP", "illegal_document", True),   # same document, handled in Q2
        legal_row("L4", "2023Q2", "STP", "illegal_document", False),
        legal_row("L5", "2023Q2", "VPUBND", "tthc_reform_proposal", False),
    ])}


@covers("law_monitoring_activities_count", "tthc_ultra_vires_count", "tthc_reform_proposals_count")
def test_legal_docs_counts_per_period(plan):
    t = legal_docs()
    check(pick(ind("law_monitoring_activities_count", t, Q2, "Q", plan), "PROVINCE"), 1, None, 1)       # L2
    check(pick(ind("law_monitoring_activities_count", t, Q2, "YTD", plan), "PROVINCE"), 1 + 1, None, 2)  # L1 + L2
    zero = pick(ind("tthc_ultra_vires_count", t, Q2, "YTD", plan), "PROVINCE")
    check(zero, 0, None, 0)                       # data arrived, none found: an explicit zero, not missing
    assert zero["n_sources"] == 0
    check(pick(ind("tthc_reform_proposals_count", t, Q2, "Q", plan), "PROVINCE"), 1, None, 1)
    assert ind("tthc_ultra_vires_count", {}, Q2, "YTD", plan).empty  # no legal_docs at all: no data


@covers("illegal_docs_handled_share")
def test_illegal_docs_handled_share_dedupes_records(plan):
    t = legal_docs()
    # L3 once (its Q2 record: handled) and L4 (not handled)
    check(pick(ind("illegal_docs_handled_share", t, Q2, "YTD", plan), "PROVINCE"), 1, 2)
    check(pick(ind("illegal_docs_handled_share", t, Q1, "YTD", plan), "PROVINCE"), 0, 1)


# ====================================================================== tthc_publication
def pub_row(no, q, agency, effective, shortened, decision, portal, one_stop, n):
    return {"decision_no": no, "quarter": q, "agency_code": agency, "legal_document": "VB", "effective_date": effective,
            "shortened_procedure": shortened, "decision_date": decision, "national_portal_date": portal,
            "provincial_portal_date": None, "one_stop_published": one_stop, "procedures_count": n}


def publication() -> dict:
    return {"tthc_publication": table("tthc_publication", [
        pub_row("D5", "2023Q1", "SNV", "2023-02-20", False, "2023-02-01", "2023-02-02", True, 1),
        pub_row("D1", "2023Q2", "SNV", "2023-04-10", False, "2023-04-03", "2023-04-07", True, 3),
        pub_row("D2", "2023Q2", "SNV", "2023-04-07", False, "2023-04-03", "2023-04-12", False, 2),
        pub_row("D3", "2023Q2", "STP", "2023-05-02", True, "2023-05-05", None, True, 4),
        pub_row("D4", "2023Q2", "STP", "2023-05-02", True, "2023-05-06", "2023-05-08", True, 1),
    ])}


def bd(a: str, b: str) -> int:
    return int(np.busday_count(D(a).date(), D(b).date()))


@covers("tthc_publication_lead_working_days")
def test_publication_lead_working_days(plan):
    # Monday 03/04 -> Monday 10/04: 5 working days, meets '>= 5'; -> Friday 07/04: 4, does not
    assert bd("2023-04-03", "2023-04-10") == 5 and bd("2023-04-03", "2023-04-07") == 4
    assert bd("2023-02-01", "2023-02-20") >= 5
    t = publication()
    q = ind("tthc_publication_lead_working_days", t, Q2, "Q", plan)
    check(pick(q, "SNV"), int(bd("2023-04-03", "2023-04-10") >= 5) + int(bd("2023-04-03", "2023-04-07") >= 5), 2)
    assert "STP" not in set(q["agency"])               # STP's decisions are shortened-procedure ones
    check(pick(ind("tthc_publication_lead_working_days", t, Q2, "YTD", plan), "SNV"), 1 + 1, 3)  # + D5


@covers("tthc_publication_delay_days_shortened")
def test_publication_delay_days_shortened(plan):
    # D3: effective 02/05, decision 05/05 -> 3 calendar days (meets <= 3); D4: decision 06/05 -> 4 (misses)
    assert (D("2023-05-05") - D("2023-05-02")).days == 3 and (D("2023-05-06") - D("2023-05-02")).days == 4
    rows = ind("tthc_publication_delay_days_shortened", publication(), Q2, "Q", plan)
    check(pick(rows, "STP"), 1, 2)
    assert "SNV" not in set(rows["agency"])            # ordinary procedure only


@covers("tthc_national_portal_delay_working_days")
def test_national_portal_delay_working_days(plan):
    assert bd("2023-04-03", "2023-04-07") <= 5         # D1: 4 working days
    assert bd("2023-04-03", "2023-04-12") > 5          # D2: 7 working days
    assert bd("2023-05-06", "2023-05-08") <= 5         # D4: Saturday -> Monday, 0 working days
    rows = ind("tthc_national_portal_delay_working_days", publication(), Q2, "Q", plan)
    check(pick(rows, "SNV"), 1, 2)
    check(pick(rows, "STP"), 1, 2)                     # D3 never published on the portal: a miss
    check(pick(rows, "PROVINCE"), 1 + 1, 2 + 2)


@covers("tthc_published_at_one_stop_share")
def test_published_at_one_stop_weighted_by_procedures(plan):
    rows = ind("tthc_published_at_one_stop_share", publication(), Q2, "Q", plan)
    check(pick(rows, "SNV"), 3, 3 + 2)
    check(pick(rows, "STP"), 4 + 1, 4 + 1)
    check(pick(rows, "PROVINCE"), 3 + 4 + 1, 3 + 2 + 4 + 1)


# ====================================================================== economy
def econ_row(q, indicator, period, value, who="SKHDT"):
    return {"quarter": q, "indicator": indicator, "period": period, "value": float(value), "source": "",
            "submitter": who, "agency_code": who}


def economy(rows) -> dict:
    return {"economy": table("economy", [econ_row(*r) for r in rows])}


@covers("grdp_change", "investment_capital_change")
def test_economy_change_vs_same_period_of_baseline_year(plan):
    t = economy([
        ("2023Q2", "grdp", "2022", 119720.6), ("2023Q2", "grdp", "2022Q2", 55870.9),
        ("2023Q2", "grdp", "2023Q2", 57120.4),
        ("2023Q2", "investment_capital", "2022Q2", 7860.2), ("2023Q2", "investment_capital", "2023Q2", 8120.3),
    ])
    g = ind("grdp_change", t, Q2, "YTD", plan)
    assert list(g["agency"]) == ["PROVINCE"]
    check(pick(g, "PROVINCE"), 57120.4 - 55870.9, 55870.9)          # not the annual 2022 figure
    assert not pick(g, "PROVINCE")["provisional"]
    check(pick(ind("investment_capital_change", t, Q2, "Q", plan), "PROVINCE"), 8120.3 - 7860.2, 7860.2)


@covers("new_enterprises_change")
def test_economy_change_provisional_against_annual_baseline(plan):
    t = economy([
        ("2023Q1", "new_enterprises", "2022", 1100), ("2023Q1", "new_enterprises", "2023Q1", 251),
        ("2023Q2", "new_enterprises", "2022", 1186), ("2023Q2", "new_enterprises", "2023Q2", 587),
    ])
    r = pick(ind("new_enterprises_change", t, Q2, "YTD", plan), "PROVINCE")
    base = 1186 * (2 / 4)                 # annual 2022 (latest report) × share of the year elapsed
    check(r, 587 - base, base)
    assert r["provisional"]
    r1 = pick(ind("new_enterprises_change", t, Q1, "YTD", plan), "PROVINCE")
    check(r1, 251 - 1100 * (1 / 4), 1100 * (1 / 4))
    assert r1["provisional"]


def test_economy_change_without_current_value_or_baseline_is_missing(plan):
    no_now = economy([("2023Q2", "grdp", "2022Q2", 55870.9), ("2023Q2", "grdp", "2022", 119720.6)])
    assert md.grdp_change(no_now, Q2, "YTD", plan).empty
    no_base = economy([("2023Q2", "grdp", "2023Q2", 57120.4), ("2023Q2", "grdp", "2021", 110850.4)])
    assert md.grdp_change(no_base, Q2, "YTD", plan).empty


def with_baseline(plan, metric: str, year: int):
    """A copy of the plan whose targets on `metric` name another baseline year (everything else unchanged)."""
    tasks = [dataclasses.replace(t, targets=tuple(dataclasses.replace(tg, baseline_year=year)
                                                  if tg.metric == metric else tg for tg in t.targets))
             for t in plan.tasks]
    return dataclasses.replace(plan, tasks=tasks)


def test_baseline_year_is_the_plans_target_year_else_the_plans(plan):
    # tasks.yaml: A.V.3 "giảm trên 10% so với năm 2021", A.IX.5 "GRDP năm 2023 cao hơn năm 2022"
    assert md.baseline_year(plan, "public_service_units_change") == 2021
    assert md.baseline_year(plan, "grdp_change") == 2022
    # a metric no target of the plan uses is measured against the plan's own baseline year (plan.yaml)
    assert md.baseline_year(plan, "edoc_online_handling_rate") == plan.meta["baseline_year"] == 2022


def test_economy_change_compares_with_the_baseline_year_the_plan_names(plan):
    t = economy([("2023Q2", "grdp", "2021Q2", 50000.0), ("2023Q2", "grdp", "2022Q2", 55870.9),
                 ("2023Q2", "grdp", "2023Q2", 57120.4)])
    check(pick(ind("grdp_change", t, Q2, "YTD", plan), "PROVINCE"), 57120.4 - 55870.9, 55870.9)
    other = with_baseline(plan, "grdp_change", 2021)
    check(pick(ind("grdp_change", t, Q2, "YTD", other), "PROVINCE"), 57120.4 - 50000.0, 50000.0)


def test_organisation_change_reads_the_column_of_the_plans_baseline_year(plan):
    t = organisation()
    t["organisation"]["psu_count_2022"] = t["organisation"]["psu_count_2021"] - 1   # SNV 9, TAM_KY 39, STP 4
    other = with_baseline(plan, "public_service_units_change", 2022)
    # latest reports: SNV Q2 (8 now), TAM_KY Q2 (35 now), STP Q1 (5 now), against the 2022 column
    check(pick(ind("public_service_units_change", t, Q2, "YTD", other), "PROVINCE"), (8 + 35 + 5) - (9 + 39 + 4),
          9 + 39 + 4)
    # a baseline year the table has no column for: no value, never another year's column
    assert ind("staff_quota_change", t, Q2, "YTD", with_baseline(plan, "staff_quota_change", 2019)).empty


@covers("enterprise_budget_share_change")
def test_enterprise_budget_share_change_in_percentage_points(plan):
    t = economy([("2023Q2", "enterprise_budget_share", "2022Q2", 49.8, "STC"),
                 ("2023Q2", "enterprise_budget_share", "2023Q2", 50.9, "STC")])
    r = pick(ind("enterprise_budget_share_change", t, Q2, "YTD", plan), "PROVINCE")
    check(r, 50.9 - 49.8, None, 50.9 - 49.8)           # a difference of shares, no denominator
    assert r["unit"] == "percentage_points" and not r["provisional"]


def test_enterprise_budget_share_change_provisional_compares_shares_not_prorated(plan):
    t = economy([("2023Q2", "enterprise_budget_share", "2022", 51.3, "STC"),
                 ("2023Q2", "enterprise_budget_share", "2023Q2", 50.9, "STC")])
    r = unit_row(md.enterprise_budget_share_change(t, Q2, "YTD", plan), "PROVINCE")
    assert r["provisional"]
    assert r["numerator"] == pytest.approx(50.9 - 51.3)


@covers("socioeconomic_targets_met_share")
def test_socioeconomic_targets_met_share_this_quarter(plan):
    t = economy([("2023Q2", "socioeconomic_targets_met", "2022", 19), ("2023Q2", "socioeconomic_targets_total", "2022", 22),
                 ("2023Q2", "socioeconomic_targets_met", "2023Q2", 15),
                 ("2023Q2", "socioeconomic_targets_total", "2023Q2", 22)])
    check(pick(ind("socioeconomic_targets_met_share", t, Q2, "YTD", plan), "PROVINCE"), 15, 22)
    only_total = economy([("2023Q1", "socioeconomic_targets_total", "2023Q1", 22)])
    assert md.socioeconomic_targets_met_share(only_total, Q1, "YTD", plan).empty


# ====================================================================== task_status (self-reported values)
REPORTED = {
    "cchc_initiatives_count": "A.I.4", "cchc_plan_tasks_completed_share": "A.I.1",
    "gov_assigned_tasks_on_time_share": "A.I.5", "leader_survey_completion_share": "A.I.6",
    "service_quality_good_share": "A.IV.4.6", "training_plan_completion_share": "A.VI.4",
    "lgsp_connected_apps_share": "A.VIII.1.3", "reporting_system_connection_share": "A.VIII.2.3",
    "tthc_process_compliant_share": "B.II.1", "public_asset_rules_compliant_share": "A.VII.2.2.b",
}


def status_row(q, task, agency, value):
    return {"quarter": q, "task_id": task, "agency_code": agency, "status": "in_progress", "completion_date": None,
            "evidence_doc_no": None, "evidence_doc_date": None, "achieved_value": value, "note": ""}


@covers(*REPORTED)
@pytest.mark.parametrize("metric", sorted(REPORTED))
def test_reported_value_metrics_from_task_status(plan, metric):
    decl = md.REGISTRY[metric]
    unit, combine = decl.unit, decl.group
    task = REPORTED[metric]
    assert f"task_id == '{task}'" in decl.filters
    a1, a2, b = (1.0, 2.0, 3.0) if unit == "count" else (0.5, 0.9, 0.6)
    t = {"task_status": table("task_status", [
        status_row("2023Q1", task, "SNV", a1),
        status_row("2023Q2", task, "SNV", a2),          # SNV's latest report
        status_row("2023Q2", task, "TAM_KY", b),
        status_row("2023Q2", task, "STP", None),        # reported without a value: no row
        status_row("2023Q2", "A.II.4", "SNV", 0.1),     # another task
    ])}
    rows = ind(metric, t, Q2, "YTD", plan)
    check(pick(rows, "SNV"), a2, None, a2)
    check(pick(rows, "TAM_KY"), b, None, b)
    assert "STP" not in set(rows["agency"])
    assert rows["self_reported"].all() and set(rows["source"]) == {"self_reported"}  # groups too
    prov = pick(rows, "PROVINCE")
    if combine == "mean":                               # self-reported shares: mean over the reporting agencies
        check(prov, a2 + b, None, (a2 + b) / 2)
    else:                                               # self-reported counts: summed
        assert combine == "sum" and unit == "count"
        check(prov, a2 + b, None, a2 + b)
    check(pick(ind(metric, t, Q1, "YTD", plan), "SNV"), a1, None, a1)


# ====================================================================== indicator_rows / dataset_indicators
def test_every_registered_metric_has_a_test():
    assert set(md.REGISTRY) <= COVERED, sorted(set(md.REGISTRY) - COVERED)


pair = st.tuples(st.integers(0, 400), st.integers(1, 400)).map(lambda p: (min(p), p[1]))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_group_rows_are_ratios_of_sums(plan, data):
    depts = [a.code for a in plan.by_kind("department")]
    districts = [a.code for a in plan.by_kind("district")]
    dept_pairs = data.draw(st.lists(pair, min_size=1, max_size=len(depts)))
    district_pairs = data.draw(st.lists(pair, min_size=0, max_size=len(districts)))
    rows = [edoc_row("2023Q2", code, "Toàn cơ quan", den, num, True)
            for code, (num, den) in zip(depts[:len(dept_pairs)], dept_pairs, strict=True)]
    rows += [edoc_row("2023Q2", code, "Toàn cơ quan", den, num, True)
             for code, (num, den) in zip(districts[:len(district_pairs)], district_pairs, strict=True)]
    out = ind("edoc_online_handling_rate", {"e_documents": table("e_documents", rows)}, Q2, "Q", plan)
    g = pick(out, "ALL_DEPARTMENTS")
    assert g["numerator"] == sum(n for n, _ in dept_pairs) and g["denominator"] == sum(d for _, d in dept_pairs)
    assert math.isclose(g["value"], sum(n for n, _ in dept_pairs) / sum(d for _, d in dept_pairs))
    every = dept_pairs + district_pairs
    assert math.isclose(pick(out, "PROVINCE")["value"], sum(n for n, _ in every) / sum(d for _, d in every))
    if district_pairs:
        assert math.isclose(pick(out, "ALL_DISTRICTS")["value"],
                            sum(n for n, _ in district_pairs) / sum(d for _, d in district_pairs))
    else:
        assert "ALL_DISTRICTS" not in set(out["agency"])


def test_indicator_rows_combine_ratio_sum_mean(plan):
    units = pd.DataFrame({"agency": ["SNV", "STP", "TAM_KY"], "numerator": [3.0, 1.0, 4.0],
                          "denominator": [4.0, 2.0, 8.0], "n_sources": [1, 1, 2]})
    ratio = pd.DataFrame(md.indicator_rows("m", units, Q2, "Q", "fraction", "ratio_of_sums", plan))
    check(pick(ratio, "SNV"), 3, 4)
    check(pick(ratio, "ALL_DEPARTMENTS"), 3 + 1, 4 + 2)
    assert pick(ratio, "ALL_DEPARTMENTS")["value"] != (3 / 4 + 1 / 2) / 2      # not a mean of ratios
    check(pick(ratio, "PROVINCE"), 3 + 1 + 4, 4 + 2 + 8)
    assert pick(ratio, "PROVINCE")["n_sources"] == 1 + 1 + 2
    counts = units.assign(denominator=np.nan)
    c = pd.DataFrame(md.indicator_rows("m", counts, Q2, "Q", "count", "sum", plan))
    check(pick(c, "PROVINCE"), 3 + 1 + 4, None, 3 + 1 + 4)
    check(pick(c, "ALL_DISTRICTS"), 4, None, 4)
    mean = pd.DataFrame(md.indicator_rows("m", counts, Q2, "Q", "fraction", "mean", plan))
    check(pick(mean, "ALL_DEPARTMENTS"), 3 + 1, None, (3 + 1) / 2)
    check(pick(mean, "PROVINCE"), 3 + 1 + 4, None, (3 + 1 + 4) / 3)
    assert md.indicator_rows("m", empty(), Q2, "Q", "fraction", "ratio_of_sums", plan) == []


def test_dataset_indicators_table_shape(plan):
    tables = {**online_services(), **edocs(), **organisation(), **disbursement()}
    out = md.dataset_indicators(tables, "2023Q2", plan)
    assert set(COLUMNS) <= set(out.columns)
    assert {"provisional", "self_reported"} <= set(out.columns)
    assert out["provisional"].dtype == bool and out["self_reported"].dtype == bool
    assert set(out["source"]) == {"measured"}  # no task_status table here: every value is counted from records
    assert (out["source"] == out["self_reported"].map({True: "self_reported", False: "measured"})).all()
    assert set(out["period"]) == {"Q", "YTD"} and set(out["quarter"]) == {"2023Q2"}
    assert not out.duplicated(["period", "metric", "agency"]).any()
    r = out[(out["metric"] == "online_payment_transaction_share") & (out["period"] == "YTD")]
    check(pick(r, "PROVINCE"), 20 + 120 + 5 + 40, 100 + 300 + 50 + 80)
    empty = md.dataset_indicators({}, "2023Q2", plan)
    assert empty.empty and list(empty.columns) == COLUMNS
