"""Status and year-end forecast per target and scope, and status of the qualitative tasks (method: docs/method.md).

Pure functions over the indicator table (DESIGN.md §4) and the catalogue; every status row keeps the numbers it
was computed from, so a reviewer can check it by hand.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from .catalogue import Catalogue, Target, Task
from .metrics import wilson_interval
from .periods import Quarter

STATUSES = ["met", "on_track", "at_risk", "off_track", "not_yet_due", "no_data"]
LABELS = {
    "met": ("Đạt", "Met"), "on_track": ("Đúng tiến độ", "On track"), "at_risk": ("Có nguy cơ", "At risk"),
    "off_track": ("Chậm, không đạt", "Off track"), "not_yet_due": ("Chưa đến hạn", "Not yet due"),
    "no_data": ("Không có dữ liệu", "No data"),
    "done": ("Hoàn thành", "Done"), "done_no_evidence": ("Hoàn thành (thiếu văn bản kiểm chứng)", "Done (no evidence)"),
    "in_progress": ("Đang thực hiện", "In progress"), "not_started": ("Chưa thực hiện", "Not started"),
    "overdue": ("Quá hạn", "Overdue"), "no_report": ("Chưa báo cáo", "No report"),
}
BAND_ON_TRACK, BAND_AT_RISK = 0.95, 0.60  # Eurostat / ONS bands for the ratio of actual to required progress
SCOPE_KINDS = {"each_department": "department", "each_district": "district", "each_commune": "commune_group"}
SCOPE_GROUP = {"each_department": "ALL_DEPARTMENTS", "each_district": "ALL_DISTRICTS", "each_commune": "ALL_COMMUNES",
               "department_group": "ALL_DEPARTMENTS", "district_group": "ALL_DISTRICTS", "commune_group": "ALL_COMMUNES",
               "province": "PROVINCE", "each_agency": "PROVINCE", "each_record": "PROVINCE", "agency": "PROVINCE"}


def label(status: str, lang: str = "vi") -> str:
    """Reviewer label of a status code."""
    vi, en = LABELS.get(status, (status, status))
    return vi if lang == "vi" else en


@dataclass(frozen=True)
class Judgement:
    """A status with the numbers it came from."""

    status: str
    final: bool
    lower: float
    upper: float
    forecast: float
    forecast_lower: float
    forecast_upper: float
    basis: str


def _due(task: Task, target: Target, year: int) -> dt.date:
    if target.as_of:
        return dt.date.fromisoformat(target.as_of)
    due = task.schedule.get("due")
    return dt.date.fromisoformat(due) if due else dt.date(year, 12, 31)


def _side(target: Target, value: float) -> bool:
    return target.is_met_by(value)


def judge_rate(target: Target, num: float, den: float, q: Quarter, due: dt.date) -> Judgement:
    """Rate measured on a flow of events: YTD ratio of sums with its Wilson interval against the threshold."""
    if not den or den <= 0:
        return Judgement("no_data", False, math.nan, math.nan, math.nan, math.nan, math.nan, "no events in the period")
    p = num / den
    lo, hi = wilson_interval(num, den)
    final = q.end >= due
    strict_all = (target.op in (">=", "==") and target.value >= 1.0) or (target.direction == "zero")
    if strict_all:  # '100 %': one miss is a miss, no interval can hide it
        ok = num >= den
        status = ("met" if final else "on_track") if ok else "off_track"
        return Judgement(status, final, lo, hi, p, lo, hi,
                         "100 % target: every event must meet it" + ("" if ok else f" — {den - num:g} did not"))
    point_ok = _side(target, p)
    if point_ok and _side(target, lo) and _side(target, hi):
        status = "met" if final else "on_track"
        basis = "whole 95 % interval on the target's side"
    elif point_ok:
        status = "met" if final else "at_risk"
        basis = "estimate on the target's side, interval crosses the threshold"
    else:
        status = "off_track"
        basis = "estimate on the wrong side of the threshold"
    return Judgement(status, final, lo, hi, p, lo, hi, basis)


def judge_count(target: Target, achieved: float, q: Quarter, due: dt.date) -> Judgement:
    """Count with a deadline (≥ N by the due date): achieved ÷ required against the share of time elapsed."""
    if achieved is None or (isinstance(achieved, float) and math.isnan(achieved)):
        return Judgement("no_data", False, math.nan, math.nan, math.nan, math.nan, math.nan, "no report")
    final = q.end >= due
    start = dt.date(q.year, 1, 1)
    elapsed = min(1.0, max(0.0, ((q.end - start).days + 1) / max(1, (due - start).days + 1)))
    forecast = achieved / elapsed if elapsed > 0 else math.nan
    half = 1.96 * math.sqrt(max(achieved, 1.0)) / elapsed if elapsed > 0 else math.nan
    if target.direction == "zero" or target.op == "==":
        ok = target.is_met_by(achieved)
        return Judgement(("met" if final else "on_track") if ok else "off_track", final, achieved, achieved,
                         forecast, max(0.0, forecast - half), forecast + half, "must be zero: any occurrence misses it")
    if target.is_met_by(achieved):
        return Judgement("met", final, achieved, achieved, forecast, max(0.0, forecast - half), forecast + half,
                         "target reached")
    required = target.value
    ratio = (achieved / required) / elapsed if required and elapsed else 0.0
    if final:
        status = "off_track"
    elif ratio >= BAND_ON_TRACK:
        status = "on_track"
    elif ratio >= BAND_AT_RISK:
        status = "at_risk"
    else:
        status = "off_track"
    return Judgement(status, final, achieved, achieved, forecast, max(0.0, forecast - half), forecast + half,
                     f"progress {achieved:g}/{required:g} = {achieved / required:.0%} of the target after "
                     f"{elapsed:.0%} of the time (ratio {ratio:.2f}; bands 0.95 / 0.60)")


def judge_level(target: Target, value: float, q: Quarter, due: dt.date, provisional: bool) -> Judgement:
    """A level or change compared with its threshold (relative-to-baseline, stock shares without event counts)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Judgement("no_data", False, math.nan, math.nan, math.nan, math.nan, math.nan, "no data")
    final = q.end >= due and not provisional
    ok = target.is_met_by(value)
    status = ("met" if final else "on_track") if ok else ("off_track" if final else "at_risk")
    basis = "value compared with the threshold" + (" (provisional: no same-period baseline)" if provisional else "")
    return Judgement(status, final, value, value, value, math.nan, math.nan, basis)


def target_status(cat: Catalogue, indicators: pd.DataFrame, q: Quarter | str,
                  kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per target and agency in its scope (plus the scope's group), with status, numbers and forecast."""
    q = Quarter.parse(q)
    ytd = indicators[indicators["period"] == "YTD"].set_index(["metric", "agency"]) if len(indicators) else None
    rows = []
    for task in cat.tasks:
        for tg in task.targets:
            due = _due(task, tg, q.year)
            start = dt.date.fromisoformat(tg.from_date) if tg.from_date else None
            # targets measured from or at a date have their own indicator ('late_dossiers_count@2023-06-01')
            key = tg.metric + (f"@{tg.from_date}" if tg.from_date else f"@{tg.as_of}" if tg.as_of else "")
            agencies = [a.code for a in cat.by_kind(SCOPE_KINDS[tg.scope])] if tg.scope in SCOPE_KINDS else []
            if tg.scope == "each_agency" and ytd is not None and key in ytd.index.get_level_values(0):
                # 'each agency': every agency with data for this metric, then the province
                agencies = [a for a in ytd.loc[key].index if a not in set(SCOPE_GROUP.values())]
            agencies.append(SCOPE_GROUP[tg.scope])
            for agency in agencies:
                base = {"quarter": str(q), "task_id": task.id, "field": task.field, "index": task.index,
                        "metric": tg.metric, "scope": tg.scope, "agency": agency, "op": tg.op, "threshold": tg.value,
                        "unit": tg.unit, "due": due.isoformat()}
                if (start and start > q.end) or (tg.as_of and due > q.end):
                    j = Judgement("not_yet_due", False, *(math.nan,) * 5,
                                  f"measured from {tg.from_date or tg.as_of}, after this quarter")
                    num = den = value = math.nan
                elif ytd is None or (key, agency) not in ytd.index:
                    j = Judgement("no_data", False, *(math.nan,) * 5, "no indicator for this metric and agency")
                    num = den = value = math.nan
                else:
                    r = ytd.loc[(key, agency)]
                    num, den, value = float(r["numerator"]), float(r["denominator"]), float(r["value"])
                    provisional = bool(r["provisional"]) if "provisional" in r.index else False
                    if tg.scope == "each_record":  # share of records meeting a per-record threshold: all must
                        every = Target(tg.task_id, tg.metric, tg.scope, ">=", 1.0, "fraction", "higher")
                        j = judge_rate(every, num, den, q, due)
                    elif tg.unit == "fraction" and tg.baseline_year is None and not math.isnan(den):
                        j = judge_rate(tg, num, den, q, due)
                    elif tg.unit == "count" or (tg.direction == "zero"):
                        j = judge_count(tg, value, q, due)
                    else:
                        j = judge_level(tg, value, q, due, provisional)
                rows.append({**base, "numerator": num, "denominator": den, "value": value, "status": j.status,
                             "final": j.final, "lower": j.lower, "upper": j.upper, "forecast": j.forecast,
                             "forecast_lower": j.forecast_lower, "forecast_upper": j.forecast_upper, "basis": j.basis})
    cols = ["quarter", "task_id", "field", "index", "metric", "scope", "agency", "op", "threshold", "unit", "due",
            "numerator", "denominator", "value", "status", "final", "lower", "upper", "forecast", "forecast_lower",
            "forecast_upper", "basis"]
    return pd.DataFrame(rows, columns=cols)


def lead_agencies(task: Task) -> set[str]:
    """The agencies that lead a task, groups expanded to departments, districts and provincial bodies."""
    from .catalogue import load

    cat = load()
    return {m for code in task.lead for m in cat.members(code)
            if m in cat.agencies and cat.agencies[m].kind in ("department", "district", "provincial_body")}


SEVERITY = {"off_track": 5, "overdue": 5, "at_risk": 4, "no_report": 3, "no_data": 3, "not_started": 3,
            "in_progress": 2, "done_no_evidence": 2, "on_track": 1, "not_yet_due": 1, "met": 0, "done": 0}


def qualitative_status(task: Task, reports: pd.DataFrame, q: Quarter,
                       expected: set[str] | None = None) -> tuple[str, str]:
    """done / done_no_evidence / in_progress / not_started / overdue / no_report from the lead agencies' reports.

    `expected`: the lead agencies that must report (groups expanded; by default from the task's lead codes);
    'done' needs every one of them done.
    """
    if expected is None:
        expected = lead_agencies(task)
    if reports.empty:
        due = task.schedule.get("due")
        if due and dt.date.fromisoformat(due) <= q.end:
            return "overdue", "past due and no report"
        return "no_report", "no lead agency reported on this task"
    statuses = set(reports["status"])
    due = task.schedule.get("due")
    past_due = bool(due) and dt.date.fromisoformat(due) <= q.end
    missing = sorted(expected - set(reports["agency_code"])) if expected and "agency_code" in reports else []
    if statuses == {"done"} and not missing:
        evidence = reports["evidence_doc_no"].notna().all()
        return ("done" if evidence else "done_no_evidence"), f"{len(reports)} report(s), all done"
    if past_due:
        return "overdue", f"due {due}, not done by every lead agency"
    if "in_progress" in statuses or "done" in statuses:
        n = len(expected) if expected else len(reports)
        more = f"; no report from {', '.join(missing[:5])}{'…' if len(missing) > 5 else ''}" if missing else ""
        return "in_progress", f"{(reports['status'] == 'done').sum()} of {n} lead agencies done{more}"
    return "not_started", f"{len(reports)} report(s), none started"


def task_progress(cat: Catalogue, targets: pd.DataFrame, task_reports: pd.DataFrame, q: Quarter | str) -> pd.DataFrame:
    """One row per task: status from its targets (the scope group) and/or from the lead agencies' reports."""
    q = Quarter.parse(q)
    rows = []
    for task in cat.tasks:
        if task.kind != "task":
            continue
        tg = targets[(targets["task_id"] == task.id)] if len(targets) else targets
        group_rows = tg[tg["agency"].isin(set(SCOPE_GROUP.values()))] if len(tg) else tg
        quant = None
        if len(group_rows):
            with_data = [s for s in group_rows["status"] if s != "no_data"]  # a target without data hides nothing
            if not with_data:
                quant = "no_data"
            elif set(with_data) <= {"not_yet_due"}:
                quant = "not_yet_due"
            else:
                quant = max((s for s in with_data if s != "not_yet_due"), key=lambda s: SEVERITY.get(s, 3))
        reps = task_reports[task_reports["task_id"] == task.id] if len(task_reports) else pd.DataFrame(
            columns=["status", "evidence_doc_no"])
        qual, why = qualitative_status(task, reps, q, lead_agencies(task))
        if quant is not None and quant != "no_data":
            status, source = quant, "targets"
            if qual in ("overdue",) and quant not in ("met",):
                status, source = "overdue", "targets + reports"
        else:
            status, source = qual, "reports"
        rows.append({"quarter": str(q), "task_id": task.id, "index": task.index, "field": task.field,
                     "status": status, "source": source, "target_status": quant or "", "report_status": qual,
                     "report_basis": why, "n_targets": len(task.targets),
                     "n_reports": int(len(reps)), "due": task.schedule.get("due") or "",
                     "schedule_kind": task.schedule["kind"]})
    return pd.DataFrame(rows)
