"""Indicators from the agency datasets other than dossiers: one pure function per metric of catalogue/metrics.yaml.

Each function takes the processed tables of the quarters to date ({dataset: frame with a 'quarter' column}) and
the quarter, and returns per-unit rows (agency, numerator, denominator, n_sources) for one period; `build` turns
them into the tidy indicator table with group rows as ratios of sums (docs/design.md §4).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from .catalogue import Plan
from .metrics import COLUMNS
from .periods import Quarter

Tables = dict[str, pd.DataFrame]
Metric = Callable[[Tables, Quarter, str, Plan], pd.DataFrame]  # (tables, quarter, 'Q' | 'YTD', plan) -> unit rows
UNIT_COLS = ["agency", "numerator", "denominator", "n_sources"]
GROUPS = {"department": "ALL_DEPARTMENTS", "district": "ALL_DISTRICTS", "commune_group": "ALL_COMMUNES"}


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=UNIT_COLS)


def _period(df: pd.DataFrame, q: Quarter, period: str) -> pd.DataFrame:
    """Rows of the quarter ('Q') or of every quarter of the year to date ('YTD')."""
    if df.empty:
        return df
    keep = [str(q)] if period == "Q" else [str(x) for x in q.quarters_to_date()]
    return df[df["quarter"].isin(keep)]


def _latest(df: pd.DataFrame, q: Quarter, by: list[str]) -> pd.DataFrame:
    """Stocks: each unit's most recent report up to the quarter."""
    d = _period(df, q, "YTD")
    if d.empty:
        return d
    return d.sort_values("quarter", kind="stable").drop_duplicates(by, keep="last")


def _agg(d: pd.DataFrame, num: pd.Series, den: pd.Series | float, by: str = "agency_code") -> pd.DataFrame:
    """Sum numerator and denominator per unit; n_sources = distinct source files."""
    if d.empty:
        return _empty()
    f = pd.DataFrame({"agency": d[by].astype(str), "numerator": num.astype(float),
                      "denominator": (den if isinstance(den, pd.Series) else pd.Series(den, index=d.index)).astype(float),
                      "src": d["source_file"]})
    g = f.groupby("agency", sort=True).agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"),
                                           n_sources=("src", "nunique")).reset_index()
    return g[UNIT_COLS]


def _records(t: Tables, dataset: str, q: Quarter, period: str, key: str) -> pd.DataFrame:
    """Record datasets (one row per item): the period's rows, each item once, as in its latest quarter's file."""
    d = _period(t.get(dataset, pd.DataFrame()), q, period)
    if d.empty:
        return d
    return d.sort_values("quarter", kind="stable").drop_duplicates(key, keep="last")


def _count(d: pd.DataFrame, mask: pd.Series, by: str = "agency_code") -> pd.DataFrame:
    out = _agg(d, mask.astype(float), np.nan, by)
    out["denominator"] = np.nan
    return out


# ---------------------------------------------------------------- online_services
def online_payment_transaction_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Online-paid transactions ÷ national-portal transactions (flows: summed over the period)."""
    d = _period(t.get("online_services", pd.DataFrame()), q, period)
    return _agg(d, d.get("portal_transactions_paid_online"), d.get("portal_transactions")) if len(d) else _empty()


def fee_tthc_online_payment_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Fee-bearing procedures payable online ÷ procedures with fees (stock: latest report)."""
    d = _latest(t.get("online_services", pd.DataFrame()), q, ["agency_code"])
    return _agg(d, d["procedures_fee_payable_online"], d["procedures_with_fee"]) if len(d) else _empty()


def tthc_via_one_stop_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Procedures received at one-stop desks ÷ procedures in scope (stock: latest report)."""
    d = _latest(t.get("online_services", pd.DataFrame()), q, ["agency_code"])
    return _agg(d, d["procedures_via_one_stop"], d["procedures_in_scope"]) if len(d) else _empty()


def dossiers_synced_national_portal_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Dossiers synchronised to the national portal ÷ dossiers (flows)."""
    d = _period(t.get("online_services", pd.DataFrame()), q, period)
    return _agg(d, d["dossiers_synced_national"], d["dossiers_total"]) if len(d) else _empty()


def dossiers_published_provincial_portal_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Dossiers published on the provincial portal ÷ dossiers (flows)."""
    d = _period(t.get("online_services", pd.DataFrame()), q, period)
    return _agg(d, d["dossiers_published_provincial"], d["dossiers_total"]) if len(d) else _empty()


# ---------------------------------------------------------------- pakn
def _pakn(t: Tables, q: Quarter, period: str) -> pd.DataFrame:
    d = _records(t, "pakn", q, period, "pakn_id").copy()
    if d.empty:
        return d
    d["unit"] = d["agency_code"].where(d["level"] != "commune", "XA_" + d["agency_code"])
    return d


def pakn_handled_on_time_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Feedback due by the period end handled by its deadline ÷ feedback due by the period end."""
    d = _pakn(t, q, period)
    if d.empty:
        return _empty()
    due = d["deadline"] <= pd.Timestamp(q.end)
    d = d[due]
    ok = d["handled_date"].notna() & (d["handled_date"] <= d["deadline"])
    return _agg(d, ok, pd.Series(1.0, index=d.index), by="unit")


def pakn_answers_published_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Handled feedback whose answer was published ÷ handled feedback."""
    d = _pakn(t, q, period)
    if d.empty:
        return _empty()
    d = d[d["handled_date"].notna()]
    return _agg(d, d["answer_published"].fillna(False).astype(bool), pd.Series(1.0, index=d.index), by="unit")


# ---------------------------------------------------------------- e_documents
def edoc_online_handling_rate(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Documents handled online ÷ documents handled (flows, all offices of the agency)."""
    d = _period(t.get("e_documents", pd.DataFrame()), q, period)
    return _agg(d, d["docs_handled_online"], d["docs_handled"]) if len(d) else _empty()


def edoc_4level_connected_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Agencies connected to the 4-level e-document system (every office connected) ÷ agencies reporting."""
    d = _latest(t.get("e_documents", pd.DataFrame()), q, ["agency_code", "unit"])
    if d.empty:
        return _empty()
    per = d.groupby("agency_code").agg(ok=("connected_4level", "all"), src=("source_file", "nunique")).reset_index()
    return pd.DataFrame({"agency": per["agency_code"], "numerator": per["ok"].astype(float), "denominator": 1.0,
                         "n_sources": per["src"]})[UNIT_COLS]


# ---------------------------------------------------------------- disbursement
def disbursement_rate(t: Tables, q: Quarter, period: str, plan: Plan, as_of: str | None = None) -> pd.DataFrame:
    """Disbursed ÷ plan at the cut-off date (as_of when the target names one, else the latest by period end)."""
    d = _period(t.get("disbursement", pd.DataFrame()), q, "YTD")
    if d.empty:
        return _empty()
    if as_of:
        d = d[d["cutoff_date"] == pd.Timestamp(as_of)]
    else:
        d = d[d["cutoff_date"] <= pd.Timestamp(q.end)].sort_values("cutoff_date").drop_duplicates("agency_code", keep="last")
    return _agg(d, d["disbursed_amount"], d["plan_amount"])


# ---------------------------------------------------------------- organisation
def _org(t: Tables, q: Quarter) -> pd.DataFrame:
    return _latest(t.get("organisation", pd.DataFrame()), q, ["agency_code"])


def baseline_year(plan: Plan, metric: str) -> int:
    """The year a change metric is measured against: its target's `baseline_year` in the plan, else the plan's."""
    years = {tg.baseline_year for tg in plan.targets if tg.metric == metric and tg.baseline_year is not None}
    if len(years) > 1:
        raise ValueError(f"Kế hoạch {plan.year}: chỉ số {metric} có nhiều năm gốc {sorted(years)} / metric {metric} "
                         f"has several baseline years {sorted(years)}")
    return int(years.pop()) if years else plan.baseline_year


def _change(d: pd.DataFrame, stem: str, year: int) -> pd.DataFrame:
    """(<stem>_now − <stem>_<year>) ÷ <stem>_<year> per unit; no rows when the table has no column for that year."""
    base = f"{stem}_{year}"
    if d.empty or base not in d.columns:
        return _empty()
    return _agg(d, d[f"{stem}_now"] - d[base], d[base])


def public_service_units_change(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """(units now − units 2021) ÷ units 2021; groups: Σ now − Σ 2021 over Σ 2021.

    2021 here is the plan target's baseline_year (baseline_year(plan, metric)): the column psu_count_<year>.
    """
    return _change(_org(t, q), "psu_count", baseline_year(plan, "public_service_units_change"))


def staff_quota_change(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """(staff quota now − 2021) ÷ 2021.

    2021 here is the plan target's baseline_year (baseline_year(plan, metric)): the column staff_quota_<year>.
    """
    return _change(_org(t, q), "staff_quota", baseline_year(plan, "staff_quota_change"))


def leadership_structure_compliant_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Agencies whose leadership numbers follow the rules ÷ agencies reporting."""
    d = _org(t, q)
    return _agg(d, d["leadership_compliant"].fillna(False).astype(bool), pd.Series(1.0, index=d.index)) if len(d) else _empty()


def job_description_complete_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Agencies with complete job descriptions and competency frameworks ÷ agencies reporting."""
    d = _org(t, q)
    return _agg(d, d["job_descriptions_complete"].fillna(False).astype(bool), pd.Series(1.0, index=d.index)) if len(d) else _empty()


def staff_in_approved_position_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Staff placed in approved positions ÷ staff."""
    d = _org(t, q)
    return _agg(d, d["staff_in_approved_position"], d["staff_total"]) if len(d) else _empty()


def commune_officials_meeting_standards_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Commune officials meeting the standards ÷ commune officials (reported by districts)."""
    d = _org(t, q)
    if d.empty:
        return _empty()
    d = d[d["commune_officials_total"].notna()]
    return _agg(d, d["commune_officials_meeting_standards"], d["commune_officials_total"])


def psu_full_self_financing_new_count(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """New fully self-financing public service units this year (count)."""
    d = _org(t, q)
    return _count(d, d["psu_full_self_financing_new"]) if len(d) else _empty()


def psu_partial_self_financing_new_count(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """New partly self-financing public service units this year (count)."""
    d = _org(t, q)
    return _count(d, d["psu_partial_self_financing_new"]) if len(d) else _empty()


def direct_budget_to_psu_change(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """(year-to-date direct budget ÷ share of the year elapsed − 2022) ÷ 2022: provisional until Q4.

    2022 here is the plan target's baseline_year (baseline_year(plan, metric)): the column direct_budget_psu_<year>.
    """
    d = _org(t, q)
    base = f"direct_budget_psu_{baseline_year(plan, 'direct_budget_to_psu_change')}"
    if d.empty or base not in d.columns:
        return _empty()
    d = d[d[base].notna() & d["direct_budget_psu_now"].notna()]
    if d.empty:
        return _empty()
    # each report is year to date at its own quarter's end: annualise by that quarter's elapsed share
    elapsed = d["quarter"].map(lambda x: Quarter.parse(x).elapsed_share())
    annualised = d["direct_budget_psu_now"] / elapsed
    out = _agg(d, annualised - d[base], d[base])
    out["provisional"] = q.q < 4
    return out


# ---------------------------------------------------------------- inspections
def _insp(t: Tables, q: Quarter, period: str, topic: str) -> pd.DataFrame:
    d = _records(t, "inspections", q, period, "inspection_id")
    return d if d.empty else d[d["topic"] == topic]


def inspected_agencies_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Distinct departments and districts inspected on administrative reform (YTD) ÷ departments + districts."""
    d = _insp(t, q, "YTD", "cchc")
    if d.empty:
        return _empty()
    universe = {a.code for a in plan.by_kind("department")} | {a.code for a in plan.by_kind("district")}
    done = d[d["done_date"].notna() & (d["done_date"] <= pd.Timestamp(q.end))]
    n = len(set(done["inspected_agency"]) & universe)
    return pd.DataFrame([{"agency": "PROVINCE", "numerator": float(n), "denominator": float(len(universe)),
                          "n_sources": int(d["source_file"].nunique())}])


def inspection_plan_completion_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Planned inspections due by the period end that were carried out ÷ planned inspections due."""
    d = _insp(t, q, "YTD", "cchc")
    if d.empty:
        return _empty()
    d = d[d["planned"].fillna(False).astype(bool) & (d["planned_date"] <= pd.Timestamp(q.end))]
    return _agg(d, d["done_date"].notna(), pd.Series(1.0, index=d.index))


def _issues_handled(topic: str) -> Metric:
    def f(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
        d = _insp(t, q, period, topic)
        return _agg(d, d["issues_handled"], d["issues_found"]) if len(d) else _empty()
    f.__doc__ = f"Issues handled ÷ issues found in '{topic}' inspections."
    return f


inspection_issues_handled_share = _issues_handled("cchc")
decentralisation_issues_handled_share = _issues_handled("decentralisation")
audit_conclusions_implemented_share = _issues_handled("audit")


# ---------------------------------------------------------------- legal_docs
def _legal(t: Tables, q: Quarter, period: str, kind: str) -> pd.DataFrame:
    d = _records(t, "legal_docs", q, period, "record_id")
    return d if d.empty else d[d["record_type"] == kind]


def _province_count(kind: str) -> Metric:
    def f(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
        d = _legal(t, q, period, kind)
        if t.get("legal_docs") is None or t["legal_docs"].empty:
            return _empty()
        return pd.DataFrame([{"agency": "PROVINCE", "numerator": float(len(d)), "denominator": np.nan,
                              "n_sources": int(d["source_file"].nunique()) if len(d) else 0}])
    f.__doc__ = f"Number of '{kind}' records in the period (province)."
    return f


law_monitoring_activities_count = _province_count("monitoring_activity")
tthc_ultra_vires_count = _province_count("tthc_ultra_vires")
tthc_reform_proposals_count = _province_count("tthc_reform_proposal")


def illegal_docs_handled_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Illegal documents flagged and handled ÷ illegal documents flagged (province)."""
    d = _legal(t, q, period, "illegal_document")
    if d.empty:
        return _empty()
    d = d.assign(agency_code="PROVINCE")
    return _agg(d, d["handled"].fillna(False).astype(bool), pd.Series(1.0, index=d.index))


# ---------------------------------------------------------------- tthc_publication
def _working_days(a: pd.Series, b: pd.Series) -> pd.Series:
    """Working days from a to b with Vietnam's public holidays and official days off removed (parplan.workdays)."""
    from .workdays import working_days

    return working_days(a, b)


def tthc_publication_lead_working_days(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Decisions (ordinary procedure) issued ≥ 5 working days before the legal document takes effect ÷ decisions."""
    d = _period(t.get("tthc_publication", pd.DataFrame()), q, period)
    if d.empty:
        return _empty()
    d = d[~d["shortened_procedure"].fillna(False).astype(bool)]
    return _agg(d, _working_days(d["decision_date"], d["effective_date"]) >= 5, pd.Series(1.0, index=d.index))


def tthc_publication_delay_days_shortened(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Decisions under the shortened procedure issued ≤ 3 days after the legal document ÷ such decisions."""
    d = _period(t.get("tthc_publication", pd.DataFrame()), q, period)
    if d.empty:
        return _empty()
    d = d[d["shortened_procedure"].fillna(False).astype(bool)]
    return _agg(d, (d["decision_date"] - d["effective_date"]).dt.days <= 3, pd.Series(1.0, index=d.index))


def tthc_national_portal_delay_working_days(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Decisions published on the national portal ≤ 5 working days after the decision ÷ decisions."""
    d = _period(t.get("tthc_publication", pd.DataFrame()), q, period)
    if d.empty:
        return _empty()
    wd = _working_days(d["decision_date"], d["national_portal_date"])
    return _agg(d, wd.le(5) & wd.notna(), pd.Series(1.0, index=d.index))


def tthc_published_at_one_stop_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Procedures in decisions posted at one-stop desks ÷ procedures published."""
    d = _period(t.get("tthc_publication", pd.DataFrame()), q, period)
    if d.empty:
        return _empty()
    n = d["procedures_count"].astype(float)
    return _agg(d, n.where(d["one_stop_published"].fillna(False).astype(bool), 0.0), n)


# ---------------------------------------------------------------- economy
def _econ_change(indicator: str, kind: str = "ratio") -> Metric:
    metric = f"{indicator}_change"

    def f(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
        d = _latest(t.get("economy", pd.DataFrame()), q, ["indicator", "period"])
        if d.empty:
            return _empty()
        d = d[d["indicator"] == indicator].set_index("period")
        year = baseline_year(plan, metric)
        now, same, annual = str(q), f"{year}Q{q.q}", str(year)
        if now not in d.index:
            return _empty()
        v = float(d.loc[now, "value"])
        provisional = same not in d.index
        if provisional and annual not in d.index:
            return _empty()
        if not provisional:
            base = float(d.loc[same, "value"])
        elif kind == "pp":  # a share is compared with the annual share, never pro-rated
            base = float(d.loc[annual, "value"])
        else:  # a flow: the annual baseline pro-rated to the share of the year elapsed
            base = float(d.loc[annual, "value"]) * q.elapsed_share()
        src = int(t["economy"]["source_file"].nunique())
        if kind == "pp":
            row = {"agency": "PROVINCE", "numerator": v - base, "denominator": np.nan, "n_sources": src}
        else:
            row = {"agency": "PROVINCE", "numerator": v - base, "denominator": base, "n_sources": src}
        row["provisional"] = provisional
        return pd.DataFrame([row])
    f.__doc__ = f"Change of '{indicator}' year to date vs the same period of the baseline year."
    return f


grdp_change = _econ_change("grdp")
new_enterprises_change = _econ_change("new_enterprises")
investment_capital_change = _econ_change("investment_capital")
enterprise_budget_share_change = _econ_change("enterprise_budget_share", "pp")


def socioeconomic_targets_met_share(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
    """Socio-economic targets met ÷ targets assigned (latest report)."""
    d = _latest(t.get("economy", pd.DataFrame()), q, ["indicator", "period"])
    if d.empty:
        return _empty()
    d = d[d["period"] == str(q)].set_index("indicator")
    if not {"socioeconomic_targets_met", "socioeconomic_targets_total"} <= set(d.index):
        return _empty()
    return pd.DataFrame([{"agency": "PROVINCE", "numerator": float(d.loc["socioeconomic_targets_met", "value"]),
                          "denominator": float(d.loc["socioeconomic_targets_total", "value"]),
                          "n_sources": int(t["economy"]["source_file"].nunique())}])


# ---------------------------------------------------------------- task_status (self-reported values)
def reported_value(task_id: str) -> Metric:
    """The achieved value lead agencies report for a task (latest report each); no numerator/denominator."""
    def f(t: Tables, q: Quarter, period: str, plan: Plan) -> pd.DataFrame:
        d = _latest(t.get("task_status", pd.DataFrame()), q, ["task_id", "agency_code"])
        if d.empty:
            return _empty()
        d = d[(d["task_id"] == task_id) & d["achieved_value"].notna()]
        if d.empty:
            return _empty()
        return pd.DataFrame({"agency": d["agency_code"].astype(str), "numerator": d["achieved_value"].astype(float),
                             "denominator": np.nan, "n_sources": 1, "self_reported": True})
    f.__doc__ = f"Achieved value self-reported in task_status for task {task_id}."
    return f


# metric id -> (function, unit, how groups combine: 'ratio' of sums | 'sum' | 'mean' of self-reported values)
REGISTRY: dict[str, tuple[Callable, str, str]] = {
    "online_payment_transaction_share": (online_payment_transaction_share, "fraction", "ratio"),
    "fee_tthc_online_payment_share": (fee_tthc_online_payment_share, "fraction", "ratio"),
    "tthc_via_one_stop_share": (tthc_via_one_stop_share, "fraction", "ratio"),
    "dossiers_synced_national_portal_share": (dossiers_synced_national_portal_share, "fraction", "ratio"),
    "dossiers_published_provincial_portal_share": (dossiers_published_provincial_portal_share, "fraction", "ratio"),
    "pakn_handled_on_time_share": (pakn_handled_on_time_share, "fraction", "ratio"),
    "pakn_answers_published_share": (pakn_answers_published_share, "fraction", "ratio"),
    "edoc_online_handling_rate": (edoc_online_handling_rate, "fraction", "ratio"),
    "edoc_4level_connected_share": (edoc_4level_connected_share, "fraction", "ratio"),
    "disbursement_rate": (disbursement_rate, "fraction", "ratio"),
    "public_service_units_change": (public_service_units_change, "fraction", "ratio"),
    "staff_quota_change": (staff_quota_change, "fraction", "ratio"),
    "leadership_structure_compliant_share": (leadership_structure_compliant_share, "fraction", "ratio"),
    "job_description_complete_share": (job_description_complete_share, "fraction", "ratio"),
    "staff_in_approved_position_share": (staff_in_approved_position_share, "fraction", "ratio"),
    "commune_officials_meeting_standards_share": (commune_officials_meeting_standards_share, "fraction", "ratio"),
    "psu_full_self_financing_new_count": (psu_full_self_financing_new_count, "count", "sum"),
    "psu_partial_self_financing_new_count": (psu_partial_self_financing_new_count, "count", "sum"),
    "direct_budget_to_psu_change": (direct_budget_to_psu_change, "fraction", "ratio"),
    "inspected_agencies_share": (inspected_agencies_share, "fraction", "ratio"),
    "inspection_plan_completion_share": (inspection_plan_completion_share, "fraction", "ratio"),
    "inspection_issues_handled_share": (inspection_issues_handled_share, "fraction", "ratio"),
    "decentralisation_issues_handled_share": (decentralisation_issues_handled_share, "fraction", "ratio"),
    "audit_conclusions_implemented_share": (audit_conclusions_implemented_share, "fraction", "ratio"),
    "law_monitoring_activities_count": (law_monitoring_activities_count, "count", "sum"),
    "tthc_ultra_vires_count": (tthc_ultra_vires_count, "count", "sum"),
    "tthc_reform_proposals_count": (tthc_reform_proposals_count, "count", "sum"),
    "illegal_docs_handled_share": (illegal_docs_handled_share, "fraction", "ratio"),
    "tthc_publication_lead_working_days": (tthc_publication_lead_working_days, "fraction", "ratio"),
    "tthc_publication_delay_days_shortened": (tthc_publication_delay_days_shortened, "fraction", "ratio"),
    "tthc_national_portal_delay_working_days": (tthc_national_portal_delay_working_days, "fraction", "ratio"),
    "tthc_published_at_one_stop_share": (tthc_published_at_one_stop_share, "fraction", "ratio"),
    "grdp_change": (grdp_change, "fraction", "ratio"),
    "new_enterprises_change": (new_enterprises_change, "fraction", "ratio"),
    "investment_capital_change": (investment_capital_change, "fraction", "ratio"),
    "enterprise_budget_share_change": (enterprise_budget_share_change, "percentage_points", "sum"),
    "socioeconomic_targets_met_share": (socioeconomic_targets_met_share, "fraction", "ratio"),
    "cchc_initiatives_count": (reported_value("A.I.4"), "count", "sum"),
    "cchc_plan_tasks_completed_share": (reported_value("A.I.1"), "fraction", "mean"),
    "gov_assigned_tasks_on_time_share": (reported_value("A.I.5"), "fraction", "mean"),
    "leader_survey_completion_share": (reported_value("A.I.6"), "fraction", "mean"),
    "service_quality_good_share": (reported_value("A.IV.4.6"), "fraction", "mean"),
    "training_plan_completion_share": (reported_value("A.VI.4"), "fraction", "mean"),
    "lgsp_connected_apps_share": (reported_value("A.VIII.1.3"), "fraction", "mean"),
    "reporting_system_connection_share": (reported_value("A.VIII.2.3"), "fraction", "mean"),
    "tthc_process_compliant_share": (reported_value("B.II.1"), "fraction", "mean"),
    "public_asset_rules_compliant_share": (reported_value("A.VII.2.2.b"), "fraction", "mean"),
}
# Metrics whose value is the share of records meeting a per-record threshold: the target applies to every record.
PER_RECORD = {"tthc_publication_lead_working_days", "tthc_publication_delay_days_shortened",
              "tthc_national_portal_delay_working_days"}


def _kind_of(plan: Plan, code: str) -> str | None:
    a = plan.agencies.get(code)
    return a.kind if a else None


def indicator_rows(metric: str, units: pd.DataFrame, q: Quarter, period: str, unit: str, combine: str,
                   plan: Plan) -> list[dict]:
    """Unit rows plus level-group and province rows (the plan's registry says each unit's kind) for one metric."""
    rows: list[dict] = []
    if units.empty:
        return rows
    units = units.copy()
    units["kind"] = units["agency"].map(lambda c: _kind_of(plan, c))

    def value(num: float, den: float, n: int) -> float:
        if combine == "mean":
            return num / n if n else math.nan
        if unit in ("count", "percentage_points") or combine == "sum":
            return num
        return num / den if den else math.nan

    extra = [c for c in ("provisional", "self_reported") if c in units.columns]
    for r in units.itertuples(index=False):
        num, den = float(r.numerator), float(r.denominator)
        row = {"quarter": str(q), "period": period, "metric": metric, "agency": r.agency, "numerator": num,
               "denominator": den, "value": value(num, den, 1), "unit": unit, "n_sources": int(r.n_sources)}
        for c in extra:
            row[c] = bool(getattr(r, c))
        row["source"] = source_of(row)
        rows.append(row)
    real = units[units["agency"] != "PROVINCE"]
    groups = [(GROUPS[k], real[real["kind"] == k]) for k in GROUPS] + [("PROVINCE", real)]
    for code, g in groups:
        if g.empty or (code == "PROVINCE" and (units["agency"] == "PROVINCE").any()):
            continue
        num, den = float(g["numerator"].sum()), float(g["denominator"].sum(min_count=1))
        row = {"quarter": str(q), "period": period, "metric": metric, "agency": code, "numerator": num,
               "denominator": den, "value": value(num, den, len(g)), "unit": unit,
               "n_sources": int(g["n_sources"].sum())}
        for c in extra:
            row[c] = bool(g[c].any())
        row["source"] = source_of(row)
        rows.append(row)
    return rows


def source_of(row: dict) -> str:
    """Provenance of an indicator value (docs/design.md §4): 'self_reported' (task_status) or 'measured' (records)."""
    return "self_reported" if row.get("self_reported") else "measured"


def dataset_indicators(tables: Tables, quarter: Quarter | str, plan: Plan) -> pd.DataFrame:
    """Every registered metric for the quarter and the year to date, against the plan of the quarter's year."""
    q = Quarter.parse(quarter)
    rows: list[dict] = []
    for metric, (fn, unit, combine) in sorted(REGISTRY.items()):
        for period in ("Q", "YTD"):
            rows += indicator_rows(metric, fn(tables, q, period, plan), q, period, unit, combine, plan)
    # targets measured at a named date (A.VII.1.1 'at 30/4/2023') get their own indicator row
    for tg in plan.targets:
        if tg.metric == "disbursement_rate" and tg.as_of and q.end >= pd.Timestamp(tg.as_of).date():
            rows += indicator_rows(f"disbursement_rate@{tg.as_of}",
                                   disbursement_rate(tables, q, "YTD", plan, tg.as_of), q, "YTD", "fraction", "ratio",
                                   plan)
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    for c in ("provisional", "self_reported"):
        if c not in out.columns:
            out[c] = False
        out[c] = out[c].fillna(False).astype(bool)
    for c in ("commune_resolution", "note"):
        out[c] = ""
    return out[COLUMNS].sort_values(["period", "metric", "agency"], kind="stable").reset_index(drop=True)
