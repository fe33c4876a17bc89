"""Status and year-end forecast per target and unit in scope, and status of the qualitative tasks (docs/method.md).

Pure functions over the indicator table (docs/design.md §4) and the plan they are given; every status row keeps the
numbers it was computed from, so a reviewer can check it by hand. The method's numbers (bands, the small-denominator caution,
the pace rule, which metrics are money) are data: parplan/catalogue/method.yaml.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import yamlfile
from .catalogue import Plan, Target, Task
from .periods import Quarter

METHOD_FILE = Path(__file__).parent / "catalogue" / "method.yaml"
STATUSES = ["met", "not_met", "on_course", "on_track", "at_risk", "off_track", "not_yet_due", "no_data",
            "not_measurable"]
FINAL_STATUSES = {"met", "not_met"}
OK_STATUSES = {"met", "on_course"}          # the unit is at the target's level
MISS_STATUSES = {"not_met", "off_track", "at_risk"}
# worst first when taking the worst status of several rows
SEVERITY = {"met": 0, "done": 0, "on_course": 1, "on_track": 2, "not_yet_due": 2, "in_progress": 3,
            "done_no_evidence": 3, "no_data": 4, "no_report": 4, "not_started": 4, "not_measurable": 4,
            "at_risk": 5, "off_track": 6, "overdue": 6, "not_met": 7}
# roles of a progress row: 'target' rows carry the verdict; figures and context rows have none (status '')
ROLES = ("target", "aggregate_figure", "unit_figure", "context")
SCOPE_GROUP = {"each_department": "ALL_DEPARTMENTS", "each_district": "ALL_DISTRICTS", "each_commune": "ALL_COMMUNES",
               "department_group": "ALL_DEPARTMENTS", "district_group": "ALL_DISTRICTS", "commune_group": "ALL_COMMUNES",
               "province": "PROVINCE", "each_agency": "PROVINCE", "each_record": "PROVINCE", "agency": "PROVINCE"}
GROUP_CODES = set(SCOPE_GROUP.values())
COLUMNS = ["quarter", "task_id", "field", "index", "metric", "key", "scope", "judge", "role", "agency", "op",
           "threshold", "unit", "due", "numerator", "denominator", "value", "source", "status", "final", "forecast",
           "forecast_lower", "forecast_upper", "basis", "forecast_basis", "caution_vi", "caution_en"]
NAN = math.nan


@functools.lru_cache(maxsize=1)
def method() -> dict[str, Any]:
    """The status method's parameters (parplan/catalogue/method.yaml)."""
    return yamlfile.load(METHOD_FILE)


def label(status: str, lang: str = "vi") -> str:
    """Reviewer label of a status code."""
    from .report import i18n

    return i18n.t(f"status.{status}", lang)


def worst(statuses: list[str]) -> str:
    """The worst of several statuses (SEVERITY)."""
    return max(statuses, key=lambda s: SEVERITY.get(s, 4))


UNJUDGED = ("", "not_yet_due", "not_measurable")  # statuses that say nothing about how a unit is doing


def unit_status(statuses: Any) -> str:
    """A unit's overall status (the index badge): the worst of its target rows, a target without data counting as
    'no_data' (never better than the targets it covers); rows not yet due or not measurable left out; 'no_data'
    when nothing is left."""
    judged = [s for s in statuses if s not in UNJUDGED]
    return worst(judged) if judged else "no_data"


# the order statuses are counted and listed in on every page (best first)
STATUS_ORDER = ["met", "done", "on_course", "on_track", "in_progress", "done_no_evidence", "at_risk", "not_yet_due",
                "not_started", "off_track", "not_met", "overdue", "no_report", "no_data", "not_measurable"]
# the units each level's targets bind: scope of the target -> kind of unit in the registry (A.IV.4.1–4.3 and alike)
SCOPE_KIND = {"each_department": "department", "each_district": "district", "each_commune": "commune_group"}


def status_counts(statuses: Any) -> dict[str, int]:
    """How many of the statuses are in each status, in STATUS_ORDER (the one way verdicts are counted)."""
    counts = pd.Series(list(statuses), dtype=object).value_counts()
    return {s: int(counts[s]) for s in STATUS_ORDER if s in counts.index}


def at_level(status: str) -> bool | None:
    """Whether a verdict says the unit is at the target's level (met / on course); None without a verdict."""
    if status in ("", "no_data", "not_measurable", "not_yet_due"):
        return None
    return status in OK_STATUSES


def level_target(plan: Plan, metric: str, kind: str) -> Target | None:
    """The plan's target on `metric` that binds each unit of one kind (department, district, commune_group)."""
    scope = next((sc for sc, k in SCOPE_KIND.items() if k == kind), None)
    return next((tg for tg in plan.targets if tg.metric == metric and tg.scope == scope and tg.role == "target"),
                None)


def reports_counting(reports: pd.DataFrame, plan: Plan, q: Quarter) -> pd.DataFrame:
    """The lead agencies' task reports that count in quarter q: a recurring task's report only in the quarter it was
    made, any other the latest of the year to date; one row per task and agency (`quarter` column: text)."""
    if reports.empty:
        return reports
    recurring = {t.id for t in plan.tasks if t.schedule["kind"] == "recurring"}
    out = reports[~reports["task_id"].isin(recurring) | (reports["quarter"].astype(str) == str(q))]
    return out.sort_values("quarter", kind="stable").drop_duplicates(["task_id", "agency_code"], keep="last")


def context_below(rows: pd.DataFrame, target: Target) -> tuple[int, int]:
    """(units with a value, units below the threshold) of a context target's rows, groups left out: the one reading
    of a context list (shown, never scored)."""
    units = rows[rows["value"].notna() & ~rows["agency"].isin(GROUP_CODES)]
    return len(units), sum(not target.is_met_by(v) for v in units["value"])


def forecast_misses(rows: pd.DataFrame, target: Target) -> tuple[int, int, int]:
    """(units with a forecast, units whose year-end forecast misses the target, of which miss it even at the upper
    end of the range — or at the forecast, where there is no range): the one reading of the forecasts."""
    rows = rows[rows["forecast"].notna()]
    miss = rows.loc[pd.Series([not target.is_met_by(f) for f in rows["forecast"]], index=rows.index, dtype=bool)]
    best = miss["forecast_upper"].where(miss["forecast_upper"].notna(), miss["forecast"])
    return len(rows), len(miss), sum(not target.is_met_by(b) for b in best)


@dataclass(frozen=True)
class Judgement:
    """A status with the numbers it came from."""

    status: str
    final: bool
    forecast: float = NAN
    forecast_lower: float = NAN
    forecast_upper: float = NAN
    basis: str = ""
    forecast_basis: str = ""


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def elapsed_share(q: Quarter, due: dt.date) -> float:
    """Share of the time from 1 January to the due date passed at the quarter's end (days inclusive), 0–1."""
    start = q.ytd_start
    return min(1.0, max(0.0, ((q.end - start).days + 1) / max(1, (due - start).days + 1)))


def quarters_left(q: Quarter, due: dt.date) -> int:
    """Whole quarters after q up to the quarter that holds the due date (0 once the due date is reached)."""
    return max(0, q.quarters_until(Quarter.containing(due)))


def _strict(target: Target) -> bool:
    """'100 %' and must-be-zero targets: one miss is a miss."""
    return (target.op in (">=", "==") and target.unit == "fraction" and target.value >= 1.0) or \
        target.direction == "zero"


def _verdict(target: Target, current: float, forecast: float, final: bool) -> tuple[str, str]:
    """The one rule for a level against its threshold, whatever the value's source (rates and levels)."""
    ok = target.is_met_by(current)
    if final:
        return ("met", "the due date is reached and the value meets the target") if ok else \
            ("not_met", "the due date is reached and the value misses the target")
    if _strict(target) and not ok:
        return "off_track", "100 % / must-be-zero target already missed: the miss cannot be undone"
    fc_ok = ok if _nan(forecast) else target.is_met_by(forecast)
    if ok and fc_ok:
        return "on_course", "at the target's level now and on the year-end forecast; final at the due date"
    if ok:
        return "at_risk", "at the target's level now, but the year-end forecast misses it"
    if fc_ok:
        return "at_risk", "below the target's level now; the year-end forecast reaches it"
    return "off_track", "below the target's level now and on the year-end forecast"


# ---------------------------------------------------------------- forecasts
def forecast_rate(num: float, den: float, quarterly: list[tuple[float, float]], left: int,
                  money: bool = False) -> tuple[float, float, float, str]:
    """Year-end value of a rate on a flow: YTD level plus the quarter-on-quarter trend (UN ESCAP anticipated progress).

    quarterly: (numerator, denominator) of each quarter to date, oldest first. The remaining quarters are
    projected on the least-squares line through the quarterly rates (clipped to 0–1), each with the average
    quarterly volume, and added to the year to date. Range: the remaining quarters like the worst and the best
    quarterly rate so far (or the trend, if further out). One quarter only, or money: no trend range.
    """
    p = num / den
    if left <= 0:
        return p, NAN, NAN, "final value: no quarter left"
    qs = [(n, d) for n, d in quarterly if d and d > 0]
    if len(qs) < 2:
        return p, NAN, NAN, "year-to-date level (one quarter of data: no trend yet); no interval"
    rates = [n / d for n, d in qs]
    k = len(rates)
    xs = list(range(1, k + 1))
    mx, my = sum(xs) / k, sum(rates) / k
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, rates, strict=True)) / sum((x - mx) ** 2 for x in xs)
    ahead = [min(1.0, max(0.0, my + slope * (k + i - mx))) for i in range(1, left + 1)]
    vol = sum(d for _, d in qs) / k
    f = (num + sum(r * vol for r in ahead)) / (den + left * vol)
    basis = (f"UN ESCAP anticipated progress: quarterly trend {slope * 100:+.2f} pp per quarter over {k} quarters, "
             f"extrapolated to the {left} remaining quarter(s) at the average quarterly volume ({vol:g})")
    if money:
        return f, NAN, NAN, basis + "; a sum of money: no interval"
    lo_r, hi_r = min(min(rates), min(ahead)), max(max(rates), max(ahead))
    lo = (num + left * vol * lo_r) / (den + left * vol)
    hi = (num + left * vol * hi_r) / (den + left * vol)
    return f, lo, hi, basis + "; range: the remaining quarters like the worst / best quarter so far"


def forecast_count(achieved: float, elapsed: float, increments: list[float], left: int) -> tuple[float, float, float,
                                                                                               str]:
    """Year-end value of a cumulative count: linear pace (achieved ÷ elapsed share); range from quarterly increments."""
    if left <= 0:
        return achieved, NAN, NAN, "final value: no quarter left"
    f = achieved / elapsed if elapsed > 0 else NAN
    basis = "linear pace: achieved ÷ share of the time elapsed"
    if len(increments) < 2:
        return f, NAN, NAN, basis + " (fewer than two quarters of measured increments: no interval)"
    return f, achieved + left * min(increments), achieved + left * max(increments), \
        basis + "; range: the remaining quarters like the smallest / largest quarterly increment so far"


# ---------------------------------------------------------------- judges
def judge_rate(target: Target, num: float, den: float, q: Quarter, due: dt.date,
               quarterly: list[tuple[float, float]] | None = None, money: bool = False) -> Judgement:
    """Rate measured on a flow of events (a census: every event counted): YTD ratio of sums against the threshold."""
    if _nan(den) or den <= 0:
        return Judgement("no_data", False, basis="no events in the period")
    final = q.end >= due
    f, lo, hi, fb = forecast_rate(num, den, quarterly or [], quarters_left(q, due), money)
    status, basis = _verdict(target, num / den, f, final)
    if _strict(target):
        missed = den - num
        basis = "100 % target: every event must meet it" + (f" — {missed:g} did not" if missed > 0 else "")
        if status == "on_course":
            basis += "; final at the due date"
    return Judgement(status, final, f, lo, hi, basis, fb)


def judge_count(target: Target, achieved: float, q: Quarter, due: dt.date,
                increments: list[float] | None = None) -> Judgement:
    """Count with a deadline (≥ N by the due date), paced; must-be-zero counts missed by any occurrence."""
    if _nan(achieved):
        return Judgement("no_data", False, basis="no report")
    final = q.end >= due
    elapsed = elapsed_share(q, due)
    f, lo, hi, fb = forecast_count(achieved, elapsed, increments or [], quarters_left(q, due))
    if target.direction == "zero" or target.op == "==":
        ok = target.is_met_by(achieved)
        status = ("met" if final else "on_course") if ok else ("not_met" if final else "off_track")
        return Judgement(status, final, f, lo, hi, "must be zero: any occurrence misses it", fb)
    required = target.value
    if target.is_met_by(achieved):
        return Judgement("met" if final else "on_course", final, f, lo, hi,
                         f"{achieved:g} of {required:g} reached" + ("" if final else "; final at the due date"), fb)
    if final:
        return Judgement("not_met", final, f, lo, hi, f"{achieved:g} of {required:g} at the due date", fb)
    bands, late = method()["bands"], float(method()["pace"]["late_share"])
    owed = math.floor(required * elapsed + 1e-9)  # whole units owed by now
    if owed == 0:
        if achieved > 0:
            status, why = "on_track", "delivering; nothing is owed yet by the pace rule"
        elif elapsed >= late:
            status, why = "at_risk", f"nothing delivered after {elapsed:.0%} of the time"
        else:
            status, why = "not_yet_due", f"floor({required:g} × {elapsed:.0%}) = 0 owed by now: the unit has time"
        return Judgement(status, final, f, lo, hi, f"pace: {achieved:g}/{required:g}, {why}", fb)
    ratio = (achieved / required) / elapsed
    status = "on_track" if ratio >= bands["on_track"] else "at_risk" if ratio >= bands["at_risk"] else "off_track"
    return Judgement(status, final, f, lo, hi,
                     f"progress {achieved:g}/{required:g} = {achieved / required:.0%} of the target after "
                     f"{elapsed:.0%} of the time (ratio {ratio:.2f}; bands {bands['on_track']:g} / "
                     f"{bands['at_risk']:g})", fb)


def judge_level(target: Target, value: float, q: Quarter, due: dt.date, provisional: bool = False) -> Judgement:
    """A level or change (stock shares, self-reported values, change vs a baseline): the same rule as rates."""
    if _nan(value):
        return Judgement("no_data", False, basis="no data")
    final = q.end >= due  # the year's data are in: a relative annual target is settled at the due date
    status, basis = _verdict(target, value, value, final)
    if provisional and not final:
        basis += " (provisional: the baseline is pro-rated, no same-period figure)"
    return Judgement(status, final, value, NAN, NAN, basis, "a level: the current value, no trend, no interval")


# ---------------------------------------------------------------- scope
ALL_MATCHED = "all_communes_matched"  # indicators' commune_resolution of a district whose communes all matched


def _communes_of(plan: Plan, district: str) -> list[str]:
    """The commune units of a district from the plan's commune list (parplan.communes), [] without a list."""
    from . import communes

    if plan.folder is None or not communes.communes_csv(plan).is_file():
        return []
    return communes.units(plan, district)


def scope_units(plan: Plan, tg: Target, with_data: dict[str, str]) -> list[str]:
    """The units a target binds: every one in scope, with data or not, in registry order.

    with_data: agency -> commune_resolution of the agencies with a value. each_commune: per district, every
    commune of the list (XA_<DISTRICT>__<code>) when all the district's commune names matched the list, else the
    district's communes together (XA_<DISTRICT>: judged per district), plus any other XA_ code the indicators
    carry for a district not in the registry. each_agency: the target's `units` (groups expanded); a context
    target without `units`: every agency with data.
    """
    if tg.scope in ("each_department", "each_district"):
        return [a.code for a in plan.by_kind(SCOPE_KIND[tg.scope])]
    if tg.scope == "each_commune":
        units = []
        for g in plan.by_kind("commune_group"):
            listed = _communes_of(plan, g.district or "") if with_data.get(g.code) == ALL_MATCHED else []
            units += listed or [g.code]
        return units + sorted(c for c in with_data if c.startswith("XA_") and c not in plan.agencies
                              and c not in units and not any(c.startswith(u + "__") for u in units))
    if tg.scope == "each_agency":
        if tg.units:
            out: list[str] = []
            for code in tg.units:
                for m in plan.members(code):
                    if m not in out and m not in GROUP_CODES:
                        out.append(m)
            return out
        return [c for c in plan.agencies if c in with_data and c not in GROUP_CODES]
    return []


def _caution(den: float, metric: dict[str, Any]) -> tuple[str, str]:
    """'chỉ 12 hồ sơ' / 'only 12 dossiers' when a rate rests on few events (method.yaml small_denominator)."""
    if _nan(den) or den <= 0 or den >= float(method()["small_denominator"]):
        return "", ""
    nouns = method()["event_nouns"]
    vi, en = nouns.get(metric.get("dataset") or "", nouns["default"])
    n = f"{den:g}"
    return f"chỉ {n} {vi}", f"only {n} {en}"


def _history(history: pd.DataFrame | None) -> dict[tuple[str, str], list[tuple[str, float, float, float]]]:
    """Quarterly ('Q') rows by (metric, agency): (quarter, numerator, denominator, value), oldest first."""
    if history is None or history.empty:
        return {}
    h = history[history["period"] == "Q"].sort_values("quarter", kind="stable")
    h = h.drop_duplicates(["quarter", "metric", "agency"], keep="last")
    out: dict[tuple[str, str], list[tuple[str, float, float, float]]] = {}
    for r in h.itertuples(index=False):
        out.setdefault((r.metric, r.agency), []).append(
            (str(r.quarter), float(r.numerator), float(r.denominator), float(r.value)))
    return out


def _provenance(r: pd.Series) -> str:
    """'measured' | 'self_reported' of an indicator row (its `source`, else its `self_reported` flag)."""
    src = r.get("source")
    if isinstance(src, str) and src in ("measured", "self_reported"):
        return src
    return "self_reported" if bool(r.get("self_reported", False)) else "measured"


def _judge_row(tg: Target, r: pd.Series, q: Quarter, due: dt.date,
               hist: list[tuple[str, float, float, float]]) -> Judgement:
    """The judge that fits the target's kind, on one indicator row (year to date) and its quarterly history."""
    num, den, value = float(r["numerator"]), float(r["denominator"]), float(r["value"])
    provisional = bool(r["provisional"]) if "provisional" in r.index else False
    money = tg.metric in set(method().get("money_metrics", ()))
    measured = _provenance(r) == "measured"
    if tg.scope == "each_record":  # share of records meeting a per-record threshold: every record must
        every = Target(tg.task_id, tg.metric, tg.scope, ">=", 1.0, "fraction", "higher", judge="each")
        return judge_rate(every, num, den, q, due, [(n, d) for _, n, d, _ in hist])
    if tg.unit == "fraction" and tg.baseline_year is None and not _nan(den):
        return judge_rate(tg, num, den, q, due, [(n, d) for _, n, d, _ in hist], money)
    if tg.unit == "count" or tg.direction == "zero":
        return judge_count(tg, value, q, due, [v for _, _, _, v in hist] if measured else [])
    return judge_level(tg, value, q, due, provisional)


def target_status(plan: Plan, indicators: pd.DataFrame, q: Quarter,
                  history: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per target and unit in its scope (plus the aggregate figure where the target has one).

    `history`: the quarterly ('Q') indicator rows of every quarter to date, for the trend of the forecast
    (default: this quarter's rows only, i.e. no trend).
    """
    ytd = indicators[indicators["period"] == "YTD"].set_index(["metric", "agency"]) if len(indicators) else None
    hist = _history(history if history is not None else indicators)
    rows = []
    for task in plan.tasks:
        for tg in task.targets:
            due = _due(task, tg, q.year)
            key = tg.key
            with_data: dict[str, str] = {}
            if ytd is not None and key in ytd.index.get_level_values(0):
                sub = ytd.loc[key]
                res = sub["commune_resolution"] if "commune_resolution" in sub.columns else pd.Series("", sub.index)
                with_data = {a: str(x) if isinstance(x, str) else "" for a, x in res.items()}
            metric = plan.metrics.get(tg.metric, {})
            from .metric_formulas import is_implemented  # implemented: declared in metrics.yaml (one rule)
            measurable = tg.measurable and (not metric or is_implemented(metric))
            units = scope_units(plan, tg, with_data)
            group = SCOPE_GROUP[tg.scope]
            if not measurable:
                layout = [(group, "target")]
            elif tg.role == "context":
                layout = [(u, "context") for u in units] + [(group, "context")]
            elif tg.judge == "each" and tg.scope != "each_record":
                layout = [(u, "target") for u in units] + ([(group, "aggregate_figure")] if tg.aggregate_figure else [])
            elif units:  # judged on the aggregate: the units' values are figures beside it
                layout = [(u, "unit_figure") for u in units] + [(group, "target")]
            else:
                layout = [(group, "target")]
            base = {"quarter": str(q), "task_id": task.id, "field": task.field, "index": task.index,
                    "metric": tg.metric, "key": key, "scope": tg.scope, "judge": tg.judge, "op": tg.op,
                    "threshold": tg.value, "unit": tg.unit, "due": due.isoformat()}
            start = dt.date.fromisoformat(tg.from_date) if tg.from_date else None
            for agency, role in layout:
                num = den = value = NAN
                source = ""
                if not measurable:
                    reason = tg.reason or metric.get("unmeasurable_reason", "not implemented")
                    if not reason.startswith("cannot be measured"):
                        reason = f"cannot be measured from the data: {reason}"
                    j = Judgement("not_measurable", False, basis=reason)
                elif (start and start > q.end) or (tg.as_of and due > q.end):
                    j = Judgement("not_yet_due", False, basis=f"measured from {tg.from_date or tg.as_of}, after "
                                                              f"this quarter")
                elif ytd is None or (key, agency) not in ytd.index:
                    j = Judgement("no_data", False, basis="no indicator for this metric and unit")
                else:
                    r = ytd.loc[(key, agency)]
                    num, den, value = float(r["numerator"]), float(r["denominator"]), float(r["value"])
                    source = _provenance(r)
                    j = _judge_row(tg, r, q, due, hist.get((key, agency), []))
                status = j.status if role == "target" else ""
                if tg.scope == "each_commune" and agency in plan.agencies and role == "target" and \
                        _communes_of(plan, plan.agencies[agency].district or ""):
                    j = Judgement(j.status, j.final, j.forecast, j.forecast_lower, j.forecast_upper,
                                  j.basis + "; communes judged per district: not every commune name of this "
                                            "district's dossiers matched the commune list", j.forecast_basis)
                basis = j.basis if role == "target" else {
                    "aggregate_figure": "ratio of sums of the units: shown as a figure; the units' rows decide",
                    "unit_figure": "this unit's figure; the target is judged on the aggregate",
                    "context": tg.reason or "context: shown, not scored"}[role]
                cv, ce = _caution(den, metric) if tg.unit == "fraction" else ("", "")
                rows.append({**base, "agency": agency, "role": role, "numerator": num, "denominator": den,
                             "value": value, "source": source, "status": status,
                             "final": bool(j.final) and role == "target", "forecast": j.forecast,
                             "forecast_lower": j.forecast_lower, "forecast_upper": j.forecast_upper,
                             "basis": basis, "forecast_basis": j.forecast_basis, "caution_vi": cv, "caution_en": ce})
    return pd.DataFrame(rows, columns=COLUMNS)


def _due(task: Task, target: Target, year: int) -> dt.date:
    if target.as_of:
        return dt.date.fromisoformat(target.as_of)
    due = task.schedule.get("due")
    return dt.date.fromisoformat(due) if due else dt.date(year, 12, 31)


# ---------------------------------------------------------------- one verdict per target
def combine(statuses: list[str], final: bool) -> str:
    """A target's verdict from its units' statuses: never better than the units support.

    Every unit must meet an each-unit target; a unit in scope without data counts against it (at the due date
    there is no evidence it was met); 'not measurable' rows are left out.
    """
    s = [x for x in statuses if x != "not_measurable"]
    if not s:
        return "not_measurable" if statuses else "no_data"
    if all(x == "no_data" for x in s):
        return "no_data"
    if final:
        return "met" if all(x == "met" for x in s) else "not_met"
    return worst(s)


VERDICT_COLUMNS = ["task_id", "metric", "key", "scope", "judge", "role", "status", "final", "n_units", "n_ok",
                   "n_no_data", "missing", "no_data", "source", "basis"]


def target_verdicts(progress: pd.DataFrame) -> pd.DataFrame:
    """One row per target: its verdict, how many units meet it, which miss it, which have no data, provenance."""
    rows = []
    if progress.empty:
        return pd.DataFrame(columns=VERDICT_COLUMNS)
    for (task_id, metric, scope), g in progress.groupby(["task_id", "metric", "scope"], sort=False):
        dec = g[g["role"] == "target"]
        judge = str(g["judge"].iloc[0])
        if dec.empty:  # context only
            rows.append({"task_id": task_id, "metric": metric, "key": g["key"].iloc[0], "scope": scope,
                         "judge": judge, "role": "context", "status": "", "final": False, "n_units": 0, "n_ok": 0,
                         "n_no_data": 0, "missing": "", "no_data": "", "source": _source(g["source"]),
                         "basis": str(g["basis"].iloc[0])})
            continue
        made = Quarter.parse(str(g["quarter"].iloc[0]))  # a progress table's column: text, as in progress.parquet
        final = made.end >= dt.date.fromisoformat(str(g["due"].iloc[0]))
        status = combine(list(dec["status"]), final)
        ok = dec[dec["status"].isin(OK_STATUSES)]
        miss = dec[dec["status"].isin(MISS_STATUSES)]
        nod = dec[dec["status"] == "no_data"]
        basis = (f"{len(ok)}/{len(dec)} units at the target's level"
                 + (f"; missing it: {', '.join(miss['agency'])}" if len(miss) else "")
                 + (f"; no data: {', '.join(nod['agency'])}" if len(nod) else "")) if judge == "each" and \
            scope != "each_record" and status != "not_measurable" else str(dec["basis"].iloc[0])
        rows.append({"task_id": task_id, "metric": metric, "key": g["key"].iloc[0], "scope": scope, "judge": judge,
                     "role": "target", "status": status, "final": final, "n_units": len(dec), "n_ok": len(ok),
                     "n_no_data": len(nod), "missing": ";".join(miss["agency"]), "no_data": ";".join(nod["agency"]),
                     "source": _source(dec["source"]), "basis": basis})
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def _source(sources: pd.Series) -> str:
    """measured | self_reported | mixed | '' (no value) for a set of rows."""
    s = {x for x in sources if x}
    return "" if not s else s.pop() if len(s) == 1 else "mixed"


# ---------------------------------------------------------------- qualitative tasks
def lead_agencies(plan: Plan, task: Task) -> set[str]:
    """The agencies that lead a task, groups expanded (by the plan's registry) to departments, districts, bodies."""
    return {m for code in task.lead for m in plan.members(code)
            if m in plan.agencies and plan.agencies[m].kind in ("department", "district", "provincial_body")}


def qualitative_status(task: Task, reports: pd.DataFrame, q: Quarter, expected: set[str]) -> tuple[str, str]:
    """done / done_no_evidence / in_progress / not_started / overdue / no_report from the lead agencies' reports.

    `expected`: the lead agencies that must report (groups expanded: lead_agencies(plan, task), or one agency);
    'done' needs every one of them done.
    """
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


TASK_COLUMNS = ["quarter", "task_id", "index", "field", "status", "status_from", "source", "target_status",
                "target_basis", "report_status", "report_basis", "n_targets", "n_reports", "due", "schedule_kind"]


def task_progress(plan: Plan, targets: pd.DataFrame, task_reports: pd.DataFrame, q: Quarter) -> pd.DataFrame:
    """One row per task: status from its targets' verdicts and/or from the lead agencies' reports.

    The targets decide (worst verdict; a task is never better than its units support) unless none of them has
    data, or all are context or cannot be measured: then the reports decide. `source` says where the values
    came from (measured / self_reported / mixed), `status_from` whether targets or reports decided.
    """
    verdicts = target_verdicts(targets) if len(targets) and "role" in targets.columns else pd.DataFrame(
        columns=VERDICT_COLUMNS)
    rows = []
    for task in plan.tasks:
        if task.kind != "task":
            continue
        v = verdicts[(verdicts["task_id"] == task.id) & (verdicts["role"] == "target")]
        # a target decides once any unit in its scope has data (its missing units keep it at 'no data' at best)
        judged = v[~v["status"].isin(["no_data", "not_measurable"]) | ((v["status"] == "no_data")
                                                                       & (v["n_no_data"] < v["n_units"]))]
        quant = worst(list(v["status"])) if len(judged) else ("no_data" if len(v) else None)
        reps = task_reports[task_reports["task_id"] == task.id] if len(task_reports) else pd.DataFrame(
            columns=["status", "evidence_doc_no"])
        qual, why = qualitative_status(task, reps, q, lead_agencies(plan, task))
        if len(judged):
            status, status_from = quant, "targets"
            if qual == "overdue" and quant not in FINAL_STATUSES:  # past due: a settled verdict stands
                status, status_from = "overdue", "targets + reports"
        else:
            status, status_from = qual, "reports"
        rows.append({"quarter": str(q), "task_id": task.id, "index": task.index, "field": task.field,
                     "status": status, "status_from": status_from, "source": _source(v["source"]) if len(v) else "",
                     "target_status": quant or "", "target_basis": " | ".join(v["basis"]) if len(v) else "",
                     "report_status": qual, "report_basis": why, "n_targets": len(task.targets),
                     "n_reports": int(len(reps)), "due": task.schedule.get("due") or "",
                     "schedule_kind": task.schedule["kind"]})
    return pd.DataFrame(rows, columns=TASK_COLUMNS)
