"""Every metric declared in catalogue/metrics.yaml, built from its declaration on a small hand-made table.

CASES holds one hand-made case per declared metric: (tables, quarter, period, unit row, numerator, denominator,
value); the arithmetic is written beside each. A metric added to the YAML without a case here fails
(test_every_declared_metric_has_a_hand_made_case). The `formula` of each metric is generated from its declaration;
a text and a declaration that disagree fail test_formula_text_is_the_declaration.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from parplan import catalogue, yamlfile
from parplan import metrics as mx
from parplan import metrics_datasets as md
from parplan.contracts import load_contract
from parplan.metric_expressions import columns
from parplan.metric_formulas import formula_text, is_implemented
from parplan.metrics_engine import DOSSIERS, Declaration
from parplan.periods import Quarter

Q1, Q2 = Quarter(2023, 1), Quarter(2023, 2)
NAN = None
SPECS = {m["id"]: m for m in yamlfile.load(catalogue.HERE / "metrics.yaml")["metrics"]}
DECLARED = sorted(k for k, m in SPECS.items() if is_implemented(m))


def tab(dataset: str, cols: str, rows: list[tuple]) -> pd.DataFrame:
    """A processed table from compact rows: `cols` names the columns; source_file is quarter/dataset/agency."""
    f = pd.DataFrame(rows, columns=cols.split())
    f["source_file"] = [f"{q}/{dataset}/{a}.csv" for q, a in zip(f["quarter"], f["agency_code"], strict=True)]
    for c in f.columns:
        if c.endswith("_date") or c in ("deadline",):
            f[c] = pd.to_datetime(f[c])
    return f


ONLINE = {"online_services": tab("online_services", "quarter agency_code procedures_in_scope procedures_via_one_stop "
                                 "procedures_with_fee procedures_fee_payable_online portal_transactions "
                                 "portal_transactions_paid_online dossiers_total dossiers_synced_national "
                                 "dossiers_published_provincial", [
    ("2023Q1", "SNV", 50, 40, 10, 4, 100, 20, 200, 150, 180),
    ("2023Q2", "SNV", 52, 52, 12, 9, 300, 120, 400, 390, 360)])}
PAKN = {"pakn": tab("pakn", "quarter pakn_id agency_code level deadline handled_date answer_published", [
    ("2023Q1", "P2", "SNV", "province", "2023-06-01", None, False),          # superseded by its Q2 report
    ("2023Q2", "P1", "SNV", "province", "2023-05-01", "2023-04-28", True),   # due, handled on time, published
    ("2023Q2", "P2", "SNV", "province", "2023-06-01", "2023-06-05", False),  # due, handled late, not published
    ("2023Q2", "P3", "SNV", "province", "2023-07-15", None, False),          # not due by 30/6, not handled
    ("2023Q2", "P4", "TAM_KY", "commune", "2023-05-10", "2023-05-09", True)])}  # a commune's: XA_TAM_KY
EDOC = {"e_documents": tab("e_documents", "quarter agency_code unit docs_handled docs_handled_online connected_4level", [
    ("2023Q1", "SNV", "A", 100, 80, False),
    ("2023Q2", "SNV", "A", 200, 190, True),
    ("2023Q2", "SNV", "B", 50, 40, False),
    ("2023Q2", "STP", "A", 10, 10, True)])}
DISB = {"disbursement": tab("disbursement", "quarter agency_code cutoff_date plan_amount disbursed_amount", [
    ("2023Q1", "SNV", "2023-03-31", 1000, 100),
    ("2023Q2", "SNV", "2023-06-30", 1000, 600),
    ("2023Q2", "SNV", "2023-04-30", 1000, 250),
    ("2023Q2", "SNV", "2023-07-15", 1000, 900)])}   # after the period end: not yet
ORG = {"organisation": tab("organisation", "quarter agency_code psu_count_now psu_count_2021 staff_quota_now "
                           "staff_quota_2021 leadership_compliant job_descriptions_complete staff_total "
                           "staff_in_approved_position commune_officials_total commune_officials_meeting_standards "
                           "psu_full_self_financing_new psu_partial_self_financing_new direct_budget_psu_now "
                           "direct_budget_psu_2022", [
    ("2023Q1", "SNV", 99, 99, 99, 99, False, True, 9, 9, None, None, 9, 9, 9, 9),   # superseded by Q2
    ("2023Q2", "SNV", 9, 10, 95, 100, True, False, 100, 90, None, None, 1, 2, 60, 100),
    ("2023Q2", "TAM_KY", 18, 20, 190, 200, False, True, 50, 45, 200, 150, 0, 1, None, 50)])}
INSP = {"inspections": tab("inspections", "quarter inspection_id agency_code topic inspected_agency planned "
                           "planned_date done_date issues_found issues_handled", [
    ("2023Q1", "I1", "SNV", "cchc", "STP", True, "2023-03-15", "2023-03-20", 4, 1),
    ("2023Q2", "I1", "SNV", "cchc", "STP", True, "2023-03-15", "2023-03-20", 4, 3),  # I1's latest report
    ("2023Q2", "I2", "SNV", "cchc", "TAM_KY", True, "2023-06-10", None, 0, 0),       # due, not done
    ("2023Q2", "I3", "SNV", "cchc", "SNV", True, "2023-08-01", None, 0, 0),          # not due by 30/6
    ("2023Q2", "I4", "SNV", "decentralisation", "STP", False, None, "2023-05-01", 5, 2),
    ("2023Q2", "I5", "SNV", "audit", "STP", False, None, "2023-05-01", 10, 7)])}
LEGAL = {"legal_docs": tab("legal_docs", "quarter record_id agency_code record_type handled", [
    ("2023Q1", "L3", "STP", "monitoring_activity", False),
    ("2023Q2", "L1", "STP", "monitoring_activity", False),
    ("2023Q2", "L2", "STP", "monitoring_activity", False),
    ("2023Q2", "L4", "STP", "illegal_document", True),
    ("2023Q2", "L5", "STP", "illegal_document", False),
    ("2023Q2", "L6", "STP", "illegal_document", None),      # blank: not handled
    ("2023Q2", "L7", "STP", "tthc_reform_proposal", False)])}
# June 2023 has no day off in Vietnam: working days are Monday to Friday ([start, end), parplan.workdays)
PUB = {"tthc_publication": tab("tthc_publication", "quarter decision_no agency_code effective_date "
                               "shortened_procedure decision_date national_portal_date one_stop_published "
                               "procedures_count", [
    ("2023Q2", "D1", "SNV", "2023-06-12", False, "2023-06-05", "2023-06-09", True, 3),  # 5 wd before; portal 4 wd
    ("2023Q2", "D2", "SNV", "2023-06-12", False, "2023-06-08", None, False, 2),         # 2 wd before; no portal
    ("2023Q2", "D3", "SNV", "2023-06-01", True, "2023-06-03", "2023-06-20", True, 1),   # 2 days after; portal 11 wd
    ("2023Q2", "D4", "SNV", "2023-06-01", True, "2023-06-10", None, True, 4)])}         # 9 days after
ECON = {"economy": tab("economy", "quarter agency_code indicator period value", [
    ("2023Q2", "SKHDT", "grdp", "2023Q2", 110), ("2023Q2", "SKHDT", "grdp", "2022Q2", 100),
    ("2023Q2", "SKHDT", "new_enterprises", "2023Q2", 50), ("2023Q2", "SKHDT", "new_enterprises", "2022", 200),
    ("2023Q2", "SKHDT", "investment_capital", "2023Q2", 30), ("2023Q2", "SKHDT", "investment_capital", "2022Q2", 40),
    ("2023Q2", "SKHDT", "enterprise_budget_share", "2023Q2", 0.30),
    ("2023Q2", "SKHDT", "enterprise_budget_share", "2022Q2", 0.25),
    ("2023Q2", "SKHDT", "socioeconomic_targets_met", "2023Q2", 18),
    ("2023Q2", "SKHDT", "socioeconomic_targets_total", "2023Q2", 20)])}


def task_status(task: str, values: tuple[float, float, float]) -> dict:
    """SNV reports in Q1 and again in Q2 (its latest), TAM_KY in Q2, STP without a value; another task too."""
    a1, a2, b = values
    return {"task_status": tab("task_status", "quarter task_id agency_code achieved_value", [
        ("2023Q1", task, "SNV", a1), ("2023Q2", task, "SNV", a2), ("2023Q2", task, "TAM_KY", b),
        ("2023Q2", task, "STP", None), ("2023Q2", "A.II.4", "SNV", 0.1)])}


UNIVERSE = 19 + 18  # the 2023 plan's departments + districts (agencies.yaml)
CASES = {  # metric -> (tables, quarter, period, unit, numerator, denominator (None: NaN), value)
    "online_payment_transaction_share": (ONLINE, Q2, "YTD", "SNV", 20 + 120, 100 + 300, 140 / 400),  # flow: Q1 + Q2
    "fee_tthc_online_payment_share": (ONLINE, Q2, "Q", "SNV", 9, 12, 9 / 12),          # stock: Q2's report
    "tthc_via_one_stop_share": (ONLINE, Q2, "YTD", "SNV", 52, 52, 1.0),                # stock: Q2's, not Q1 + Q2
    "dossiers_synced_national_portal_share": (ONLINE, Q2, "YTD", "SNV", 150 + 390, 200 + 400, 540 / 600),
    "dossiers_published_provincial_portal_share": (ONLINE, Q2, "Q", "SNV", 360, 400, 0.9),
    "pakn_handled_on_time_share": (PAKN, Q2, "YTD", "SNV", 1, 2, 0.5),    # due by 30/6: P1, P2 (once); on time: P1
    "pakn_answers_published_share": (PAKN, Q2, "Q", "XA_TAM_KY", 1, 1, 1.0),          # P4, handled and published
    "edoc_online_handling_rate": (EDOC, Q2, "YTD", "SNV", 80 + 190 + 40, 100 + 200 + 50, 310 / 350),
    "edoc_4level_connected_share": (EDOC, Q2, "Q", "ALL_DEPARTMENTS", 1, 2, 0.5),  # SNV's office B not; STP yes
    "disbursement_rate": (DISB, Q2, "YTD", "SNV", 600, 1000, 0.6),                # latest cut-off by 30/6: 30/6
    "public_service_units_change": (ORG, Q2, "Q", "PROVINCE", (9 - 10) + (18 - 20), 10 + 20, -3 / 30),
    "staff_quota_change": (ORG, Q2, "Q", "SNV", 95 - 100, 100, -0.05),
    "leadership_structure_compliant_share": (ORG, Q2, "Q", "PROVINCE", 1, 2, 0.5),  # SNV yes, TAM_KY no
    "job_description_complete_share": (ORG, Q2, "Q", "SNV", 0, 1, 0.0),         # Q2 says no (Q1's yes superseded)
    "staff_in_approved_position_share": (ORG, Q2, "Q", "PROVINCE", 90 + 45, 100 + 50, 135 / 150),
    "commune_officials_meeting_standards_share": (ORG, Q2, "Q", "PROVINCE", 150, 200, 0.75),  # SNV blank: left out
    "psu_full_self_financing_new_count": (ORG, Q2, "Q", "PROVINCE", 1 + 0, None, 1),
    "psu_partial_self_financing_new_count": (ORG, Q2, "Q", "PROVINCE", 2 + 1, None, 3),
    # SNV: 60 to 30/6 ÷ 0.5 of the year = 120 a year; (120 − 100) ÷ 100; TAM_KY has no current value
    "direct_budget_to_psu_change": (ORG, Q2, "Q", "SNV", 60 / 0.5 - 100, 100, 0.2),
    "inspected_agencies_share": (INSP, Q2, "Q", "PROVINCE", 1, UNIVERSE, 1 / UNIVERSE),  # STP done by 30/6
    "inspection_plan_completion_share": (INSP, Q2, "Q", "SNV", 1, 2, 0.5),     # due by 30/6: I1, I2; done: I1
    "inspection_issues_handled_share": (INSP, Q2, "YTD", "SNV", 3 + 0 + 0, 4 + 0 + 0, 0.75),  # I1 once: Q2's 3 of 4
    "decentralisation_issues_handled_share": (INSP, Q2, "Q", "SNV", 2, 5, 0.4),
    "audit_conclusions_implemented_share": (INSP, Q2, "Q", "SNV", 7, 10, 0.7),
    "law_monitoring_activities_count": (LEGAL, Q2, "YTD", "PROVINCE", 3, None, 3),    # L1, L2 + Q1's L3
    "tthc_ultra_vires_count": (LEGAL, Q2, "Q", "PROVINCE", 0, None, 0),              # none: 0, not no data
    "tthc_reform_proposals_count": (LEGAL, Q2, "Q", "PROVINCE", 1, None, 1),
    "illegal_docs_handled_share": (LEGAL, Q2, "Q", "PROVINCE", 1, 3, 1 / 3),          # L4 of L4, L5, L6
    "tthc_publication_lead_working_days": (PUB, Q2, "Q", "SNV", 1, 2, 0.5),           # D1 of D1, D2
    "tthc_publication_delay_days_shortened": (PUB, Q2, "Q", "SNV", 1, 2, 0.5),        # D3 of D3, D4
    "tthc_national_portal_delay_working_days": (PUB, Q2, "Q", "SNV", 1, 4, 0.25),     # D1 only
    "tthc_published_at_one_stop_share": (PUB, Q2, "Q", "SNV", 3 + 1 + 4, 3 + 2 + 1 + 4, 0.8),
    "grdp_change": (ECON, Q2, "YTD", "PROVINCE", 110 - 100, 100, 0.1),
    "new_enterprises_change": (ECON, Q2, "YTD", "PROVINCE", 50 - 200 * 0.5, 200 * 0.5, -0.5),  # 2022 pro-rated
    "investment_capital_change": (ECON, Q2, "YTD", "PROVINCE", 30 - 40, 40, -0.25),
    "enterprise_budget_share_change": (ECON, Q2, "YTD", "PROVINCE", 0.30 - 0.25, None, 0.05),  # points
    "socioeconomic_targets_met_share": (ECON, Q2, "YTD", "PROVINCE", 18, 20, 0.9),
}
REPORTED = {"cchc_plan_tasks_completed_share": "A.I.1", "gov_assigned_tasks_on_time_share": "A.I.5",
            "leader_survey_completion_share": "A.I.6", "service_quality_good_share": "A.IV.4.6",
            "training_plan_completion_share": "A.VI.4", "lgsp_connected_apps_share": "A.VIII.1.3",
            "reporting_system_connection_share": "A.VIII.2.3", "tthc_process_compliant_share": "B.II.1",
            "public_asset_rules_compliant_share": "A.VII.2.2.b"}
for _m, _task in REPORTED.items():  # shares: the province is the mean of SNV's latest 0.9 and TAM_KY's 0.6
    CASES[_m] = (task_status(_task, (0.5, 0.9, 0.6)), Q2, "YTD", "PROVINCE", 0.9 + 0.6, None, (0.9 + 0.6) / 2)
CASES["cchc_initiatives_count"] = (task_status("A.I.4", (1, 2, 3)), Q2, "YTD", "PROVINCE", 2 + 3, None, 5)  # summed

D = pd.Timestamp
DOSSIER_TABLE = pd.DataFrame([{"dossier_id": f"T-{i}", "agency_code": "SNV", "level": "province",
                               "received_date": D(rec), "due_date": D(due), "completed_date": D(done) if done else pd.NaT,
                               "status": st, "channel": ch, "fee_required": fee, "online_payment_offered": off,
                               "paid_online": paid, "source_file": "SNV.csv", "source_row": i, "quarter": "2023Q2"}
                              for i, (rec, due, done, st, ch, fee, off, paid) in enumerate([
    ("2023-04-01", "2023-04-10", "2023-04-05", "resolved", "online", True, True, True),     # T0 on time, paid online
    ("2023-04-01", "2023-04-10", "2023-04-12", "resolved", "direct", True, True, False),    # T1 late, fee, not paid
    ("2023-04-01", "2023-06-20", None, "pending", "online", False, False, False),           # T2 pending
    ("2022-12-20", "2023-05-05", "2023-05-02", "resolved", "online", False, False, False),  # T3 received in 2022
])])
# resolved in Q2: T0, T1, T3 -> 3; received in the year among them: T0, T1, on time: T0 -> 1/2;
# online: T0, T3 of 3 -> 2/3; fee and online payment offered: T0, T1, paid online: T0 -> 1/2
DOSSIER_CASES = {"resolved_count": (3, None, 3), "ontime_rate": (1, 2, 0.5),
                 "online_dossier_share": (2, 3, 2 / 3), "online_payment_rate": (1, 2, 0.5)}


def test_every_declared_metric_has_a_hand_made_case():
    missing = [m for m in DECLARED if m not in CASES and m not in DOSSIER_CASES]
    assert not missing, f"no hand-made case for metric(s) {missing}"
    assert set(CASES) | set(DOSSIER_CASES) <= set(DECLARED)  # no case for a metric that is not declared


def _check(r: pd.Series, num: float, den: float | None, value: float) -> None:
    assert r["numerator"] == pytest.approx(num)
    assert math.isnan(r["denominator"]) if den is None else r["denominator"] == pytest.approx(den)
    assert r["value"] == pytest.approx(value)


@pytest.mark.parametrize("metric", DECLARED)
def test_declared_metric_on_its_hand_made_table(plan, metric):
    if metric in DOSSIER_CASES:
        ind = mx.dossier_indicators(DOSSIER_TABLE, Q2, plan, {metric: SPECS[metric]})
        r = ind[(ind.metric == metric) & (ind.agency == "SNV") & (ind.period == "Q")]
        assert len(r) == 1, f"no hand-made case for metric {metric}"
        _check(r.iloc[0], *DOSSIER_CASES[metric])
        return
    assert metric in CASES, f"no hand-made case for metric {metric}"
    tables, q, period, unit, num, den, value = CASES[metric]
    decl = Declaration.of(SPECS[metric])
    rows = pd.DataFrame(md.indicator_rows(metric, md.units(metric, tables, q, period, plan), q, period, decl.unit,
                                          decl.group, plan))
    r = rows[rows["agency"] == unit]
    assert len(r) == 1, (metric, unit, rows)
    _check(r.iloc[0], num, den, value)
    assert set(rows["source"]) == {SPECS[metric]["source"]}


def test_self_reported_and_provisional_flags_follow_the_declaration(plan):
    rows = md.units("direct_budget_to_psu_change", ORG, Q2, "Q", plan)
    assert rows["provisional"].all()           # until Q4
    econ = md.units("new_enterprises_change", ECON, Q2, "YTD", plan)
    assert econ["provisional"].all()           # no 2022Q2: the annual value pro-rated
    assert not md.units("grdp_change", ECON, Q2, "YTD", plan)["provisional"].any()
    assert md.units("cchc_initiatives_count", task_status("A.I.4", (1, 2, 3)), Q2, "YTD", plan)["self_reported"].all()


def test_a_target_date_reads_that_dates_reports(plan):
    rows = md.units("disbursement_rate", DISB, Q2, "YTD", plan, as_of="2023-04-30")
    assert rows.set_index("agency").loc["SNV", "numerator"] == 250   # the 30/4 report, not the latest


def test_per_unit_group_rule_gives_no_group_rows(plan):
    units = md.units("edoc_online_handling_rate", EDOC, Q2, "Q", plan)
    rows = md.indicator_rows("m", units, Q2, "Q", "fraction", "per_unit", plan)
    assert sorted(r["agency"] for r in rows) == ["SNV", "STP"]  # no ALL_DEPARTMENTS / PROVINCE


@pytest.mark.parametrize("metric", sorted(SPECS))
def test_formula_text_is_the_declaration(metric):
    spec = SPECS[metric]
    generated = formula_text(spec)
    if generated is None:  # not declared: a formula in words of what it would measure
        assert not is_implemented(spec) and spec["formula"]
        return
    assert spec["formula"] == generated, f"{metric}: formula and declaration disagree"
    if spec["dataset"] == DOSSIERS:
        assert spec["formula_vi"] == formula_text(spec, "vi")


def test_a_changed_declaration_no_longer_matches_its_formula():
    spec = dict(SPECS["pakn_handled_on_time_share"], numerator={"count": "handled_date < deadline"})
    assert formula_text(spec) != SPECS["pakn_handled_on_time_share"]["formula"]


@pytest.mark.parametrize("metric", [m for m in DECLARED if not SPECS[m].get("custom")])
def test_declared_columns_exist_in_the_dataset_contract(metric):
    spec = SPECS[metric]
    if spec["dataset"] == DOSSIERS:
        assert set(mx.numerator_terms(spec)) | set(mx.denominator_terms(spec)) <= set(mx.TERMS)
        return
    have = {c.name for c in load_contract(spec["dataset"]).columns} | {"quarter"}
    used = {c for e in Declaration.of(spec).expressions() for c in columns(e.replace("{baseline_year}", "now"))}
    assert used <= have, f"{metric}: {sorted(used - have)} not in the {spec['dataset']} contract"


def test_a_misspelt_key_or_term_or_expression_is_refused():
    from parplan.metric_expressions import ExpressionError
    from parplan.metrics_engine import DeclarationError

    with pytest.raises(DeclarationError, match="unknown keys \\['filter'\\]"):
        Declaration.of(dict(SPECS["pakn_answers_published_share"], filter=["is_set(handled_date)"]))
    with pytest.raises(DeclarationError, match="dossier metric's filters and numerator name only the terms"):
        is_implemented(dict(SPECS["ontime_rate"], filters=["resolved", "on_time"]))
    with pytest.raises(ExpressionError, match="not allowed here"):
        Declaration.of(dict(SPECS["pakn_answers_published_share"], filters=["__import__('os')"]))
    with pytest.raises(DeclarationError, match="group = 'average'"):
        Declaration.of(dict(SPECS["pakn_answers_published_share"], group="average"))


def test_every_custom_function_module_is_part_of_the_indicator_code():
    from parplan.store import closure

    modules = {f"parplan.{SPECS[m]['custom'].rpartition('.')[0]}" for m in DECLARED if SPECS[m].get("custom")}
    assert modules and modules <= closure(("parplan.metrics_datasets",))  # editing one re-runs the indicators
