"""The quarterly overview's VIEW: plain data for each section of the page (dicts, lists, DataFrames), read from the
processed tables; no HTML and no UI strings (those are in templates/overview/ and the catalogues' `overview.*`).

Every verdict comes from progress (progress.parquet, task_progress.parquet and progress's functions): the view
picks and arranges, it never decides a status.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalogue import Plan, Target, Task, quarter_plan
from ..communes import district_of
from ..ingest import load_manifest
from ..periods import Quarter
from ..privacy import mask_manifest
from ..progress import (
    GROUP_CODES,
    SCOPE_KIND,
    SEVERITY,
    context_below,
    forecast_misses,
    level_target,
    status_counts,
    target_verdicts,
    unit_status,
)
from ..store import Store
from . import charts, compare, i18n, layout
from .names import dataset_name, is_self_reported, unit_name
from .page import check_lang, read_table

PAGE = "overview"
# the dossier dataset whose files say whether an agency's on-time figure of the quarter is complete
DOSSIERS = "tthc_dossiers"
# the headline figures, in the order shown (their names: the catalogue's overview.kpis.<metric>)
KPI_METRICS = ("ontime_rate", "online_dossier_share", "online_payment_rate")
# the online table's measures (their names: overview.online.<metric>)
ONLINE_METRICS = ("online_dossier_share", "online_payment_rate")


def title(plan: Plan, lang: str) -> str:
    """The report's title, naming the plan as the plan data does."""
    return i18n.t("overview.title", lang, plan=plan.title(lang, short=True))


@dataclass
class Context:
    """Everything one overview report needs, loaded once."""

    quarter: Quarter
    lang: str
    data_root: Path  # the `data_root` parameter as given
    sample: bool
    indicators: pd.DataFrame
    manifests: dict[Quarter, dict[str, Any]]
    plan: Plan
    params: dict[str, Any] = field(default_factory=dict)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)

    def ind(self, metric: str, period: str) -> pd.DataFrame:
        """Indicator rows of one metric and period, indexed by agency."""
        d = self.indicators
        return d[(d.metric == metric) & (d.period == period)].set_index("agency")

    def file_status(self, agency: str) -> str:
        """This quarter's submission status of an agency: accepted | accepted_with_warnings | rejected | missing."""
        m = self.manifests.get(self.quarter)
        if not m:
            return "missing"
        for ds in m["datasets"]:
            if ds["dataset"] != DOSSIERS:
                continue
            for f in ds["files"]:
                if f["agency"] == agency:
                    return f["verdict"]
        return "missing"


def load_context(quarter: str, lang: str = "vi", data_root: str = "data", sample_data: bool = True,
                 params: dict[str, Any] | None = None, plan: Plan | None = None,
                 plans_root: Path | str | None = None) -> Context:
    """Read the quarter's indicators and the manifests of every quarter of the year to date, with its plan."""
    q = Quarter.parse(quarter)
    check_lang(lang)
    plan = quarter_plan(q, plan, plans_root)
    store = Store.for_data(data_root)  # papermill's data_root: relative to the run's folder
    ind = pd.read_parquet(store.processed(q, "indicators"))
    manifests = {x: mask_manifest(load_manifest(x, store)) for x in q.quarters_to_date()}  # personal data masked
    prog, tasks = (read_table(store.processed(q, name)) for name in ("progress", "task_progress"))
    return Context(q, lang, Path(data_root), sample_data, ind, manifests, plan, params or {}, prog, tasks)


def section(ctx: Context, name: str) -> Any:
    """One section of the page rendered through its template (templates/overview/<name>.html.j2) from its view."""
    view = VIEWS[name](ctx)
    return layout.render(f"{PAGE}/{name}.html.j2", ctx.lang, **view) if view is not None else ""


# ---------------------------------------------------------------- small readers
def by_urgency(rows: list[dict[str, Any]], key: str = "status") -> list[dict[str, Any]]:
    """Table rows worst status first (progress.SEVERITY, the one ranking; a row without a status last), otherwise in
    their order (a stable sort)."""
    return sorted(rows, key=lambda r: -SEVERITY.get(r[key], 4) if r[key] else 1)


def _num(x: Any) -> float | None:
    """A number, None where there is none (NaN, missing)."""
    return None if x is None or x != x else float(x)


def _ratio(value: Any, numerator: Any, denominator: Any) -> dict[str, float | None]:
    """A rate with the counts it is made of (counts None where the rate has no denominator)."""
    den = _num(denominator)
    return {"value": _num(value), "numerator": _num(numerator) if den is not None else None, "denominator": den}


def _text(obj: Any, name: str, lang: str) -> str:
    """A plan text in the page's language: `<name>_<lang>` of a plan row or mapping (the plan data's convention: a
    text without a language suffix is the English one), '' when it has none."""
    keys = (f"{name}_{lang}", name) if lang == "en" else (f"{name}_{lang}",)
    get = obj.get if isinstance(obj, dict) else lambda k: getattr(obj, k, "")
    return str(next((v for k in keys if (v := get(k))), ""))


def _names(plan: Plan, codes: str | list[str], lang: str) -> list[str]:
    """Display names of ';'-joined unit codes (or a list of codes)."""
    cs = [c for c in codes.split(";")] if isinstance(codes, str) else list(codes)
    return [unit_name(plan, c, lang) for c in cs if c]


def _task(plan: Plan, task_id: str, lang: str) -> dict[str, str]:
    """A task as pages name it: its id beside its short text."""
    return {"id": task_id, "short": plan.task(task_id).short(lang)}


def _units(plan: Plan, verdict: Any, lang: str) -> dict[str, Any]:
    """An each-unit target's verdict row (progress.target_verdicts) as counts and the names of the units behind it."""
    return {"scope": verdict["scope"], "final": bool(verdict["final"]), "n_ok": int(verdict["n_ok"]),
            "n_units": int(verdict["n_units"]), "missing": _names(plan, verdict["missing"], lang),
            "no_data": _names(plan, verdict["no_data"], lang)}


# ---------------------------------------------------------------- header and headline figures
def header_view(ctx: Context) -> dict[str, Any]:
    """Title, quarter and the baseline the plan starts from, as the plan gives them."""
    plan = ctx.plan
    par, sip = plan.indices["par_index"]["baseline"], plan.indices["sipas"]["baseline"]
    rank = par.get("rank") or {}
    goal = plan.meta["goal"]
    return {"title": title(plan, ctx.lang), "quarter": ctx.quarter.label(ctx.lang),
            "ytd": ctx.quarter.ytd_label(ctx.lang), "end": ctx.quarter.end,
            "baseline": {"year": str(par["year"]), "points": _num((par.get("total_points") or {}).get("value")),
                         "rank": _num(rank.get("value")), "rank_of": _num(rank.get("of")),
                         "sipas": _num((sip.get("score_10") or {}).get("value"))},
            "goal": {"year": str(plan.year), "rank_at_most": int(goal["rank_at_most"]), "of": int(goal["of"])}}


def province_target(plan: Plan, metric: str) -> Target | None:
    """The plan's province-wide target on a metric (the first in plan order), None when the plan sets none."""
    return next((tg for tg in plan.targets if tg.metric == metric and tg.scope == "province" and tg.role == "target"
                 and not tg.from_date and not tg.as_of), None)


def _target_status(ctx: Context, tg: Target) -> str | None:
    """The target's own verdict as progress.parquet has it (None without a row)."""
    p = ctx.progress
    if p.empty:
        return None
    v = p[(p["task_id"] == tg.task_id) & (p["metric"] == tg.metric) & (p["scope"] == tg.scope)
          & (p["role"] == "target")]
    return str(v["status"].iloc[0]) if len(v) else None


def kpis_view(ctx: Context) -> dict[str, Any]:
    """Headline figures for the province, year to date, with the plan's province-wide target and its verdict where
    the plan sets one (an each-unit target such as the on-time rate has no province-wide verdict)."""
    items = []
    for metric in KPI_METRICS:
        d = ctx.ind(metric, "YTD")
        if "PROVINCE" not in d.index or not d.loc["PROVINCE"].denominator > 0:  # nothing to divide by
            continue
        r = d.loc["PROVINCE"]
        tg = province_target(ctx.plan, metric)
        items.append({"metric": metric, **_ratio(r.value, r.numerator, r.denominator),
                      "target": tg.describe(ctx.lang) if tg else None,
                      "status": _target_status(ctx, tg) if tg else None})
    # beside the previous quarter and the same quarter last year, from their own processed data (report/compare.py)
    cmp = compare.kpi_comparisons(Store.for_data(str(ctx.data_root)), ctx.quarter,
                                  {k["metric"]: k["value"] for k in items}, ctx.lang)
    for k in items:
        k["compare"] = cmp[k["metric"]]
    return {"items": items}


# ---------------------------------------------------------------- progress by section
def by_section_view(ctx: Context) -> dict[str, Any] | None:
    """How many tasks of each section (A.I–A.IX, B.I–B.V) are in each status (progress.status_counts)."""
    if ctx.tasks.empty:
        return None
    total = status_counts(ctx.tasks["status"])
    rows = []
    for sec in (x for x in ctx.plan.tasks if x.parent in ("A", "B")):
        g = ctx.tasks[(ctx.tasks["index"] == sec.index) & (ctx.tasks["field"] == sec.field)]
        counts = status_counts(g["status"])
        rows.append({"id": sec.id, "short": sec.short(ctx.lang), "counts": [counts.get(s, 0) for s in total], "total": len(g)})
    return {"statuses": list(total), "rows": rows, "totals": list(total.values()), "total": len(ctx.tasks)}


# ---------------------------------------------------------------- targets that bind each unit
def each_unit_view(ctx: Context) -> pd.DataFrame:
    """The verdict row (progress.target_verdicts) of every measurable target that binds each unit."""
    if ctx.progress.empty:
        return pd.DataFrame()
    v = target_verdicts(ctx.progress)
    return v[(v["judge"] == "each") & (v["role"] == "target") & (v["scope"] != "each_record")
             & (v["status"] != "not_measurable")]


def _plan_target(plan: Plan, task_id: str, metric: str, scope: str) -> Target:
    return next(x for x in plan.task(task_id).targets if x.metric == metric and x.scope == scope)


def _target_text(plan: Plan, tg: Target, lang: str) -> str:
    """What a target measures, in the page's language: the plan's wording, else the metric's name."""
    return _text(tg, "text", lang) or _text(plan.metrics.get(tg.metric, {}), "name", lang)


def each_unit_section_view(ctx: Context) -> dict[str, Any] | None:
    """Every target that binds each unit: its verdict, how many units meet it, who misses it, who has no data."""
    v = each_unit_view(ctx)
    if v.empty:
        return None
    rows = []
    for r in v.to_dict("records"):
        tg = _plan_target(ctx.plan, r["task_id"], r["metric"], r["scope"])
        rows.append({"task": _task(ctx.plan, r["task_id"], ctx.lang), "what": _target_text(ctx.plan, tg, ctx.lang),
                     "threshold": tg.describe(ctx.lang), "status": r["status"],
                     "self_reported": is_self_reported(r["source"]), "units": _units(ctx.plan, r, ctx.lang)})
    return {"rows": rows}


# ---------------------------------------------------------------- on-time resolution by level
def ontime_target(plan: Plan, kind: str) -> Target | None:
    """The plan's on-time target that binds each unit of one kind (department, district, commune_group)."""
    return level_target(plan, "ontime_rate", kind)


def ontime_levels(plan: Plan) -> list[tuple[str, str, str]]:
    """(task id, scope, kind) of every level the plan sets an on-time target for, in level order."""
    return [(tg.task_id, scope, kind) for scope, kind in SCOPE_KIND.items()
            if (tg := ontime_target(plan, kind)) is not None]


def level_rows(ctx: Context, task_id: str) -> pd.DataFrame:
    """View of one level's table: progress.parquet's rows of the task's units, then its aggregate; `verdict` is the
    row's status for a unit and None for the aggregate, a figure without a verdict of its own."""
    p = ctx.progress
    if p.empty:
        return p.assign(verdict=None)
    mine = p[(p["task_id"] == task_id) & p["role"].isin(["target", "aggregate_figure"])]
    verdict = pd.Series([s if role == "target" else None for s, role in zip(mine["status"], mine["role"], strict=True)],
                        index=mine.index, dtype=object)
    return mine.assign(verdict=verdict)


def level_verdict(ctx: Context, task_id: str) -> pd.Series | None:
    """View of one level's headline: the target's verdict row (progress.target_verdicts), None without one."""
    if ctx.progress.empty:
        return None
    v = target_verdicts(ctx.progress)
    v = v[(v["task_id"] == task_id) & (v["role"] == "target")]
    return v.iloc[0] if len(v) else None


def _district(ctx: Context, code: str) -> str:
    """The district whose dossier file holds a unit's figures (a commune group's or a commune's district)."""
    a = ctx.plan.agencies.get(code)
    if a is not None and a.kind == "commune_group" and a.district:
        return a.district
    return district_of(code) or code


def ontime_rows(ctx: Context, task_id: str) -> list[dict[str, Any]]:
    """One level's table: every unit with its own status (progress.parquet) and its quarter's and year-to-date
    figures, then the aggregate as a figure without a verdict of its own (`status` None, `aggregate` True)."""
    q_ind = ctx.ind("ontime_rate", "Q")
    rows = []
    for r in level_rows(ctx, task_id).itertuples():
        aggregate = r.role == "aggregate_figure"
        file_status = "accepted" if aggregate else ctx.file_status(_district(ctx, r.agency))
        quarter = None
        if r.agency in q_ind.index and file_status != "rejected":
            qr = q_ind.loc[r.agency]
            quarter = _ratio(qr.value, qr.numerator, qr.denominator)
        rows.append({"unit": None if aggregate else unit_name(ctx.plan, r.agency, ctx.lang), "aggregate": aggregate,
                     "file_status": file_status, "quarter": quarter,
                     "ytd": _ratio(r.value, r.numerator, r.denominator) if r.value == r.value else None,
                     "caution": getattr(r, f"caution_{ctx.lang}", "") or "",
                     "status": r.verdict if isinstance(r.verdict, str) else None})
    return rows


def forecast_view(ctx: Context, task_id: str) -> dict[str, Any] | None:
    """'On this course, X of N units will miss > 99 %': progress.forecast_misses of the level's forecasts."""
    p = ctx.progress
    if p.empty:
        return None
    target = ctx.plan.task(task_id).targets[0]
    n, miss, sure = forecast_misses(p[(p["task_id"] == task_id) & (p["role"] == "target")], target)
    return {"n": n, "miss": miss, "sure": sure, "scope": target.scope, "threshold": target.describe(ctx.lang)} \
        if n else None


def _ontime_chart(ctx: Context, scope: str, rows: list[dict[str, Any]], target: Target) -> dict[str, str]:
    """The level's bar chart (each unit's year-to-date rate against the target, coloured, hatched and labelled by
    the unit's own status, worst first; a unit without a verdict, or whose file was rejected, as no bar and a label),
    as figure data for m.figure. Each row carries its own status (`statuses` is the same, in the rows' order)."""
    lang = ctx.lang
    units = sorted((r for r in rows if not r["aggregate"]),  # worst first: progress.SEVERITY, then the lower rate
                   key=lambda r: (-SEVERITY.get(r["status"] or "no_data", 4), _ytd(r) if _ytd(r) == _ytd(r) else 2))
    fig = charts.threshold_bars(
        [r["unit"] for r in units], [_ytd(r) for r in units], target.value, [r["status"] or "no_data" for r in units],
        title=i18n.t("overview.ontime.chart_title", lang, level=i18n.t(f"overview.levels.{scope}", lang),
                     ytd=ctx.quarter.ytd_label(lang)),
        xlabel=i18n.t("charts.ontime_x", lang),
        threshold_label=i18n.t("overview.ontime.chart_target", lang, threshold=target.describe(lang)), lang=lang,
        no_data=[i18n.t("charts.no_data_rejected", lang) if r["file_status"] == "rejected" else "" for r in units])
    return charts.figure(fig, i18n.t("overview.ontime.chart_alt", lang, threshold=target.describe(lang)))


def _ytd(row: dict[str, Any]) -> float:
    """A chart row's year-to-date rate, NaN without one."""
    return row["ytd"]["value"] if row["ytd"] and row["ytd"]["value"] is not None else float("nan")


# the levels drawn as a chart (the commune level has too many units for one)
CHART_KINDS = ("department", "district")


def ontime_view(ctx: Context) -> dict[str, Any]:
    """On-time resolution per unit by level against the plan's targets, with the level's verdict and forecast."""
    from ..metrics import formula_text  # the definition as metrics.yaml states it

    levels = []
    for task_id, scope, kind in ontime_levels(ctx.plan):
        target = ctx.plan.task(task_id).targets[0]
        rows = ontime_rows(ctx, task_id)
        v = level_verdict(ctx, task_id)
        levels.append({"task": _task(ctx.plan, task_id, ctx.lang), "scope": scope, "threshold": target.describe(ctx.lang),
                       "verdict": None if v is None else {"status": v["status"], **_units(ctx.plan, v, ctx.lang)},
                       "forecast": forecast_view(ctx, task_id), "rows": by_urgency(rows),
                       "figure": _ontime_chart(ctx, scope, rows, target) if kind in CHART_KINDS else None})
    return {"formula": formula_text(ctx.plan.metrics["ontime_rate"], ctx.lang), "quarter": ctx.quarter.label(ctx.lang),
            "ytd": ctx.quarter.ytd_label(ctx.lang), "levels": levels}


# ---------------------------------------------------------------- units the plan names as lagging
def context_laggard_targets(plan: Plan) -> list[Target]:
    """The context targets behind the plan's laggard lists (lists the plan took from before it was issued)."""
    out = []
    for lag in plan.indices.get("laggards") or ():
        task = plan.task(lag["task_id"])
        out += [tg for tg in task.targets if tg.metric == lag["metric"] and tg.role == "context" and tg not in out]
    return out


def _measure(plan: Plan, key: str, lang: str) -> dict[str, str]:
    """A laggard list's measure: its metric's name and, for a list taken at a date, the date (from the indicator
    key)."""
    metric, _, day = key.partition("@")
    return {"name": _text(plan.metrics.get(metric, {}), "name", lang), "date": day}


def _own_status(ctx: Context, levels: list[tuple[str, str, str]], code: str) -> str | None:
    """A unit's own status on its level's on-time target (progress.parquet); for a commune group, the status of its
    communes taken together (progress.unit_status: never better than any of them); None when it has no row."""
    p = ctx.progress
    if p.empty:
        return None
    rows = p[p["task_id"].isin([t for t, _, _ in levels]) & (p["role"] == "target")]
    own = rows[rows["agency"] == code]
    if len(own):
        return str(own["status"].iloc[0])
    a = ctx.plan.agencies.get(code)
    if a is not None and a.kind == "commune_group":
        mine = rows[rows["agency"].astype(str).str.startswith(f"{code}__")]
        return unit_status(mine["status"]) if len(mine) else None
    return None


def laggards_view(ctx: Context) -> dict[str, Any] | None:
    """The agencies the plan names as lagging: where they stand now, rank among peers, their own status."""
    from ..rankings import laggards_now

    if not ctx.plan.indices.get("laggards"):  # a plan may name no laggards
        return None
    lag = laggards_now(ctx.indicators, ctx.plan)
    if lag.empty:
        return None
    levels = ontime_levels(ctx.plan)
    rows = []
    for r in lag.itertuples():
        has = r.value == r.value
        rows.append({"task": _task(ctx.plan, r.task_id, ctx.lang), "unit": unit_name(ctx.plan, r.agency, ctx.lang),
                     "measure": _measure(ctx.plan, r.metric, ctx.lang), "value": _num(r.value), "context": bool(r.context),
                     "value_now": _num(r.value_now) if bool(r.context) else None,
                     "rank": int(r.rank) if has else None, "peers": int(r.peers) if has else None,
                     "status": None if bool(r.context) else (_own_status(ctx, levels, r.agency) or "no_data")})
    contexts = [{"measure": _measure(ctx.plan, tg.key, ctx.lang), "below": tg.direction == "higher", "value": tg.value,
                 "fraction": tg.unit == "fraction", "date": tg.as_of or tg.from_date or ""}
                for tg in context_laggard_targets(ctx.plan)]
    return {"rows": by_urgency(rows), "levels": [_task(ctx.plan, t, ctx.lang) for t, _, _ in levels],
            "contexts": contexts}


# ---------------------------------------------------------------- online resolution and payment
def online_view(ctx: Context) -> dict[str, Any]:
    """Share of dossiers resolved online and online payment, per agency, year to date, with the plan's targets."""
    from ..metrics import formula_text  # one definition per metric: metrics.yaml's

    share, pay = (ctx.ind(m, "YTD") for m in ONLINE_METRICS)
    order = [a.code for kind in ("department", "district", "commune_group") for a in ctx.plan.by_kind(kind)]
    order += [c for c in ("ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES", "PROVINCE") if c in GROUP_CODES]
    rows = []
    for code in (c for c in order if c in share.index):
        s = share.loc[code]
        p = pay.loc[code] if code in pay.index and pay.loc[code].denominator > 0 else None
        rows.append({"unit": unit_name(ctx.plan, code, ctx.lang), "share": _ratio(s.value, s.numerator, s.denominator),
                     "pay": None if p is None else _ratio(p.value, p.numerator, p.denominator)})
    targets = [{"metric": m, "task": _task(ctx.plan, tg.task_id, ctx.lang), "threshold": tg.describe(ctx.lang)}
               for m in ONLINE_METRICS if (tg := province_target(ctx.plan, m))]
    return {"rows": rows, "targets": targets,
            "formulas": {m: formula_text(ctx.plan.metrics[m], ctx.lang) for m in ONLINE_METRICS}}


# ---------------------------------------------------------------- every task
def target_evidence(ctx: Context, task: Task, verdicts: pd.DataFrame) -> list[dict[str, Any]]:
    """One entry per target of a task: the numbers that decide it (`kind` says which shape): each unit (how many
    meet it, who misses it, the aggregate as a figure), one value, a context list (shown, never scored), or a target
    that cannot be measured (with the plan's reason)."""
    lang, prog = ctx.lang, ctx.progress
    out: list[dict[str, Any]] = []
    for tg in task.targets:
        rows = prog[(prog["task_id"] == task.id) & (prog["metric"] == tg.metric) & (prog["scope"] == tg.scope)]
        v = verdicts[(verdicts["task_id"] == task.id) & (verdicts["metric"] == tg.metric)
                     & (verdicts["scope"] == tg.scope)]
        if rows.empty or v.empty:
            continue
        v = v.iloc[0]
        head = {"threshold": tg.describe(lang), "self_reported": is_self_reported(v["source"])}
        if v["role"] == "context":
            n, below = context_below(rows, tg)
            out.append({"kind": "context", **head, "n": n, "below": below, "date": tg.as_of or ctx.quarter.end})
        elif v["status"] == "not_measurable":
            m = ctx.plan.metrics.get(tg.metric, {})
            out.append({"kind": "not_measurable", **head, "why": _text(m, "unmeasurable_reason", lang)})
        elif v["judge"] == "each" and tg.scope != "each_record":
            agg = rows[(rows["role"] == "aggregate_figure") & rows["value"].notna()]
            out.append({"kind": "each", **head, "units": _units(ctx.plan, v, lang),
                        "aggregate": _num(agg["value"].iloc[0]) if len(agg) else None})
        else:
            d = rows[rows["role"] == "target"].iloc[0]
            fraction = d["unit"] == "fraction"
            out.append({"kind": "value", **head, "fraction": fraction,
                        **(_ratio(d["value"], d["numerator"], d["denominator"]) if fraction else
                           {"value": _num(d["value"]), "numerator": None, "denominator": None}),
                        "caution": d.get(f"caution_{lang}", "") or "", "self_reported": is_self_reported(d["source"]),
                        "unit": unit_name(ctx.plan, d["agency"], lang)})
    return out


def task_rows(ctx: Context) -> list[dict[str, Any]]:
    """View of the task table: every task with its status as task_progress.parquet has it, its text, lead agencies,
    due date and the numbers behind the status (and the lead agencies' reports where they decide)."""
    lang = ctx.lang
    out: list[dict[str, Any]] = []
    verdicts = target_verdicts(ctx.progress) if len(ctx.progress) else pd.DataFrame()
    for r in ctx.tasks.itertuples():
        task = ctx.plan.task(r.task_id)
        evidence = target_evidence(ctx, task, verdicts) if len(verdicts) else []
        if r.status_from == "reports" or not evidence:
            evidence.append({"kind": "reports", "status": r.report_status, "n": int(r.n_reports)})
        out.append({"task_id": r.task_id, "short": task.short(lang), "text": _text(task, "task", lang) or task.task_vi,
                    "lead": _names(ctx.plan, list(task.lead), lang), "due": r.due or None,
                    "schedule": r.schedule_kind, "status": r.status, "self_reported": is_self_reported(r.source),
                    "evidence": evidence})
    return out


def tasks_view(ctx: Context) -> dict[str, Any] | None:
    """The task table's view (task_rows), None when the quarter has no task table."""
    return None if ctx.tasks.empty else {"rows": by_urgency(task_rows(ctx))}


# ---------------------------------------------------------------- data quality (summary; details on its own page)
MAX_ISSUES = 5  # findings shown per file here; the data-quality page lists them all


def data_quality_view(ctx: Context) -> dict[str, Any]:
    """Files accepted / rejected per quarter of the year to date and dataset; the first findings of every file not
    accepted as it is (unit, verdict, row, column, value, the rule it broke), the units that submitted nothing."""
    from .quality import rule_label  # the one naming of a rule (the data-quality page's)

    lang = ctx.lang
    blocks = []
    for x, m in ctx.manifests.items():
        for ds in m["datasets"]:
            files = ds["files"]
            rows = []
            for f in (f for f in files if f["verdict"] != "accepted"):
                found = [i for i in f["issues"] if i.get("severity") != "info"]
                for i in found[:MAX_ISSUES] or [{}]:
                    rows.append({"unit": unit_name(ctx.plan, f["agency"], lang), "status": f["verdict"],
                                 "row": i.get("row"), "column": i.get("column", ""), "value": i.get("value", ""),
                                 "message": rule_label(ds["dataset"], i["rule"], lang) if i.get("rule") else ""})
                if len(found) > MAX_ISSUES:
                    rows.append({"unit": unit_name(ctx.plan, f["agency"], lang), "status": None, "row": None,
                                 "column": "", "value": "", "message": "", "more": len(found) - MAX_ISSUES})
            rows += [{"unit": unit_name(ctx.plan, code, lang), "status": "missing", "row": None, "column": "",
                      "value": "", "message": ""} for code in ds["missing_submitters"]]
            counts = {k: sum(1 for f in files if f["verdict"] == k) for k in ("accepted", "accepted_with_warnings",
                                                                              "rejected")}
            blocks.append({"quarter": x.label(lang), "dataset": dataset_name(ds["dataset"], lang), "files": len(files),
                           "counts": counts, "missing": len(ds["missing_submitters"]), "rows": rows})
    return {"blocks": blocks}


VIEWS = {"header": header_view, "kpis": kpis_view, "by_section": by_section_view, "each_unit": each_unit_section_view,
         "ontime": ontime_view, "laggards": laggards_view, "online": online_view, "tasks": tasks_view,
         "data_quality": data_quality_view}
