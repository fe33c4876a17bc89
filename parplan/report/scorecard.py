"""The agency scorecard's VIEW: one department's or district's tasks, targets, trend, rank and data quality, as
plain data (dicts, lists, numbers) for the templates in `report/templates/scorecard/`.

Built from the processed data of `make quarterly` (progress.parquet, task_progress.parquet, indicators.parquet,
task_status.parquet, manifest.json). No HTML and no UI strings here: texts come from the catalogue
(`report/locales/<lang>.yaml`, section `scorecard`) or from the plan in the page's language; numbers stay numbers
(the templates format them); verdicts come from progress.py. The notebook notebooks/agency_scorecard.ipynb renders
one section per cell: `layout.render("scorecard/<section>.html.j2", lang, **<section>_view(ctx))`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from ..catalogue import Agency, Plan, Target, Task, quarter_plan
from ..ingest import load_manifest
from ..periods import Quarter
from ..privacy import mask_manifest
from ..progress import (
    level_target,
    qualitative_status,
    reports_counting,
    target_verdicts,
    worst,
)
from ..rankings import rank as rank_metric
from ..store import Store
from . import charts, fmt, i18n, layout
from .names import dataset_name, is_self_reported, linked, unit_name
from .overview import by_urgency
from .page import check_lang, read_table

KINDS = ("department", "district")
RANK_METRICS = ("ontime_rate", "online_dossier_share", "online_payment_rate", "edoc_online_handling_rate",
                "pakn_handled_on_time_share")
MAX_ISSUES_SHOWN = 5
# next-action tiers: 0 = overdue / off track, 1 = at risk, 2 = no report / no data / missing evidence or file
TIER_OF = {"off_track": 0, "not_met": 0, "overdue": 0, "at_risk": 1, "no_report": 2, "no_data": 2, "not_started": 2,
           "done_no_evidence": 2, "rejected": 2, "missing": 2}
SECTIONS = ("header", "next_actions", "tasks", "targets", "rank", "data_quality")  # the page's sections, in order


def title(plan: Plan, lang: str) -> str:
    """The scorecard's title, naming the plan as the plan data does."""
    return i18n.t("scorecard.title", lang, plan=plan.title(lang, short=True))


def agencies_to_render(plan: Plan) -> list[str]:
    """The codes a scorecard is rendered for: the plan's departments, then its districts, in registry order."""
    return [a.code for a in plan.by_kind("department")] + [a.code for a in plan.by_kind("district")]


@dataclass
class ScorecardContext:
    """Everything one agency's scorecard needs, loaded once."""

    quarter: Quarter
    agency: str
    lang: str
    data_root: Path  # the `data_root` parameter as given
    sample: bool
    plan: Plan
    progress: pd.DataFrame
    tasks: pd.DataFrame
    indicators: pd.DataFrame
    manifest: dict[str, Any]
    trend: dict[Quarter, pd.DataFrame] = field(default_factory=dict)   # quarter -> that quarter's YTD indicator rows
    manifests: dict[Quarter, dict[str, Any]] = field(default_factory=dict)  # every quarter to date with a manifest
    reports: pd.DataFrame = field(default_factory=pd.DataFrame)     # this agency's latest task_status row per task
    skipped: list[Quarter] = field(default_factory=list)            # quarters without indicators (left out of trends)
    home: str = "../"  # scorecards live in reports/<Q>/agencies/: the quarter's folder, for links to other pages

    @property
    def dq_page(self) -> str:
        """The data-quality page, relative to the scorecard."""
        return f"{self.home}data-quality.html"

    @property
    def method_page(self) -> str:
        """The method page, relative to the scorecard."""
        return f"{self.home}method.html"

    @property
    def unit(self) -> Agency:
        """The registry entry of the agency."""
        return self.plan.agencies[self.agency]

    @property
    def kind(self) -> str:
        """department | district."""
        return self.unit.kind

    @property
    def commune_group(self) -> str | None:
        """XA_<district> for a district (its communes), None for a department."""
        code = f"XA_{self.agency}"
        return code if self.kind == "district" and code in self.plan.agencies else None

    @property
    def codes(self) -> list[str]:
        """The agency, then its commune group (districts only)."""
        return [self.agency] + ([self.commune_group] if self.commune_group else [])

    def name(self, code: str | None = None) -> str:
        """Display name: a district as its People's Committee ('UBND thành phố Tam Kỳ'; the catalogue's
        `scorecard.district_name`), any other unit as names.unit_name gives it."""
        code = code or self.agency
        a = self.plan.agencies.get(code)
        if a is not None and a.kind == "district" and a.unit_vi:
            text = i18n.t("scorecard.district_name", self.lang, unit=a.unit_vi, name=a.name(self.lang))
        else:
            text = unit_name(self.plan, code, self.lang)
        # in a page a link to the unit's scorecard (names.linked), relative to this one; none to this page itself
        return str.__str__(text) if code == self.agency else linked(text, self.plan, code, self.home)

    def led_tasks(self) -> list[Task]:
        """Tasks of the plan whose lead codes expand (groups included) to this agency, in plan order."""
        return [t for t in self.plan.tasks if t.kind == "task" and any(self.agency in self.plan.members(c) for c in t.lead)]

    def target_rows(self) -> pd.DataFrame:
        """progress.parquet rows of the agency (and, for a district, of its commune group), in plan order."""
        p = self.progress
        if p.empty:
            return p
        mine = p["agency"].isin(self.codes)
        if self.commune_group:  # the district's communes of the list, where they are judged one by one
            mine |= p["agency"].astype(str).str.startswith(self.commune_group + "__")
        rows = p[mine].copy()
        order = {t.id: i for i, t in enumerate(self.plan.tasks)}
        rows["_o"] = rows["task_id"].map(order)
        rows["_c"] = rows["agency"].map(lambda c: self.codes.index(c) if c in self.codes else len(self.codes))
        return rows.sort_values(["_o", "_c"], kind="stable").drop(columns=["_o", "_c"])

    def own_status(self, task_id: str, code: str) -> str:
        """A unit's own verdict on a task's target (progress.parquet); a commune group judged commune by commune:
        the worst of its communes' verdicts (never better than the units it covers); '' without one."""
        p = self.progress
        if p.empty:
            return ""
        rows = p[(p["task_id"] == task_id) & (p["role"] == "target")]
        own = rows[rows["agency"] == code]
        if not len(own):
            own = rows[rows["agency"].astype(str).str.startswith(code + "__")]
        return worst(list(own["status"])) if len(own) else ""

    def report_status(self, task: Task) -> tuple[str, str]:
        """This agency's own status on a task it leads, from its latest report (progress.qualitative_status)."""
        reps = self.reports[self.reports["task_id"] == task.id] if len(self.reports) else pd.DataFrame(
            columns=["status", "evidence_doc_no", "agency_code"])
        return qualitative_status(task, reps, self.quarter, {self.agency})


def load_scorecard_context(quarter: str, agency: str, lang: str = "vi", data_root: str = "data",
                           sample_data: bool = True, plan: Plan | None = None,
                           plans_root: Path | str | None = None) -> ScorecardContext:
    """Check the agency code against the quarter's plan, then read the quarter's processed data and the earlier
    quarters' for trends."""
    q = Quarter.parse(quarter)
    check_lang(lang)
    plan = quarter_plan(q, plan, plans_root)
    code = str(agency or "").strip().upper()
    if code not in plan.agencies or plan.agencies[code].kind not in KINDS:
        raise ValueError(
            f"Mã cơ quan không hợp lệ: {agency!r} — phải là mã một sở, ban, ngành hoặc một huyện, thị xã, thành phố "
            f"trong danh mục (ví dụ SNV, TAM_KY). / Unknown agency {agency!r}: expected the code of a department or "
            f"district in the registry (e.g. SNV, TAM_KY).")
    store = Store.for_data(data_root)  # papermill's data_root: relative to the run's folder
    ind_path = store.processed(q, "indicators")
    if not ind_path.exists():
        raise FileNotFoundError(f"{ind_path}: chưa tính chỉ số quý {q} (chạy make quarterly) / "
                                f"indicators not computed yet (run make quarterly)")
    indicators = pd.read_parquet(ind_path)
    manifest = mask_manifest(load_manifest(q, store))  # personal data masked (parplan.privacy)
    trend: dict[Quarter, pd.DataFrame] = {}
    manifests: dict[Quarter, dict[str, Any]] = {}
    skipped: list[Quarter] = []
    reports = []
    for x in q.quarters_to_date():
        ind = indicators if x == q else read_table(store.processed(x, "indicators"))
        if len(ind):
            trend[x] = ind[ind["period"] == "YTD"]
        else:
            skipped.append(x)
        if x == q:
            manifests[x] = manifest
        elif store.manifest(x).exists():
            manifests[x] = mask_manifest(load_manifest(x, store))
        ts = read_table(store.processed(x, "task_status"))
        if len(ts):
            ts = ts[ts["agency_code"] == code].copy()
            ts["quarter"] = str(x)  # a table column: text, as in the processed files
            reports.append(ts)
    rep = pd.concat([r for r in reports if len(r)], ignore_index=True) if any(len(r) for r in reports) else pd.DataFrame(
        columns=["task_id", "agency_code", "status", "evidence_doc_no", "evidence_doc_date", "note", "quarter"])
    rep = reports_counting(rep, plan, q).reset_index(drop=True)  # as the pipeline counts them (progress.py)
    progress, tasks = (read_table(store.processed(q, name)) for name in ("progress", "task_progress"))
    return ScorecardContext(q, code, lang, Path(data_root), sample_data, plan, progress, tasks, indicators, manifest,
                            trend, manifests, rep, skipped)


# ---------------------------------------------------------------- small helpers (plain data)
def _nan(x: object) -> bool:
    """None, NaN, NA or NaT."""
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def _num(x: object) -> float | None:
    """A number for the view: None where there is none (the templates show the catalogue's 'missing')."""
    return None if _nan(x) else float(x)  # type: ignore[arg-type]


def _target_of(ctx: ScorecardContext, task_id: str, metric: str, scope: str) -> Target | None:
    task = ctx.plan.task(task_id)
    return next((t for t in task.targets if t.metric == metric and t.scope == scope), None)


def _key(tg: Target) -> str:
    """The indicator id a target is measured on (targets from or at a date have their own)."""
    return tg.metric + (f"@{tg.from_date}" if tg.from_date else f"@{tg.as_of}" if tg.as_of else "")


def _threshold(tg: Target | None, r: Any, lang: str) -> str:
    """The target's threshold as the plan states it ('> 99 %')."""
    return tg.describe(lang) if tg else f"{r.op} {r.threshold:g}"


def _metric_name(ctx: ScorecardContext, metric: str, tg: Target | None = None) -> str:
    """Reviewer name of a metric; a target measured from or at a date says which ('… (tính từ 01/06/2023)')."""
    base, _, day = metric.partition("@")
    m = ctx.plan.metrics.get(base, {})
    name = m.get(f"name_{ctx.lang}") or m.get("name_vi") or base
    if not day:
        return name
    how = "from" if tg is not None and tg.from_date else "at" if tg is not None and tg.as_of else "from_or_at"
    return i18n.t(f"scorecard.measure_{how}", ctx.lang, name=name, date=fmt.date(day, ctx.lang))


def _due(task: Task) -> dict[str, Any]:
    """A task's due date (ISO text) or, without one, its schedule's kind (recurring, external)."""
    return {"due": task.schedule.get("due") or None, "schedule": task.schedule["kind"]}


def _task(task_id: str, ctx: ScorecardContext) -> dict[str, str]:
    """A task as pages name it: its id beside its short text (and the full text, shown apart)."""
    task = ctx.plan.task(task_id)
    return {"task_id": task.id, "short": task.short(ctx.lang),
            "text": getattr(task, f"task_{ctx.lang}") or task.short(ctx.lang)}


def _value(r: Any) -> dict[str, Any]:
    """A progress row's value as numbers: value, unit, numerator/denominator (fractions), self-reported flag."""
    ratio = r.unit == "fraction" and not _nan(r.numerator) and not _nan(r.denominator)
    return {"value": _num(r.value), "unit": str(r.unit), "numerator": _num(r.numerator) if ratio else None,
            "denominator": _num(r.denominator) if ratio else None, "self_reported": is_self_reported(r.source)}


def _own_files(ctx: ScorecardContext) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(dataset entry, file entry) of this agency's files in the quarter's manifest."""
    return [(ds, f) for ds in ctx.manifest.get("datasets", []) for f in ds["files"] if f["agency"] == ctx.agency]


def _missing_datasets(ctx: ScorecardContext) -> list[str]:
    """The datasets this agency was expected to send this quarter and did not."""
    return [ds["dataset"] for ds in ctx.manifest.get("datasets", []) if ctx.agency in ds.get("missing_submitters", [])]


# ---------------------------------------------------------------- next actions (shared by header and next_actions)
def action_items(ctx: ScorecardContext) -> list[dict[str, Any]]:
    """What this agency has to act on, worst first: tier 0 overdue / off track, 1 at risk, 2 no report / no data.

    Each item: tier, status, kind (which sentence: target_value, target_no_data, overdue, no_report, not_started,
    done_no_evidence, rejected, missing), the task (task_id, short) or the dataset's name, and the sentence's
    fields as plain data (numbers, dates, names).
    """
    lang = ctx.lang
    order = {t.id: i for i, t in enumerate(ctx.plan.tasks)}
    items: list[dict[str, Any]] = []
    for r in ctx.target_rows().itertuples():
        if r.role != "target" or r.status not in ("off_track", "not_met", "at_risk", "no_data"):
            continue
        tg = _target_of(ctx, r.task_id, r.metric, r.scope)
        item = {**_task(r.task_id, ctx), "tier": TIER_OF[r.status], "status": r.status, "dataset": None,
                "kind": "target_no_data" if r.status == "no_data" else "target_value",
                "what": _metric_name(ctx, _key(tg) if tg else r.metric, tg), "who": ctx.name(r.agency),
                "threshold": _threshold(tg, r, lang), **_value(r), "missed": None,
                "past_due": None if r.status == "no_data" or not bool(r.final) else str(r.due)[:10],
                "_o": order.get(r.task_id, 10_000)}
        if r.status != "no_data" and r.unit == "fraction" and tg and tg.value >= 1.0 and not _nan(r.denominator):
            miss = r.denominator - r.numerator
            item["missed"] = float(miss) if miss > 0 else None
        items.append(item)
    for task in ctx.led_tasks():
        status, _ = ctx.report_status(task)
        if status not in TIER_OF:
            continue
        rep = ctx.reports[ctx.reports["task_id"] == task.id] if len(ctx.reports) else ctx.reports
        items.append({**_task(task.id, ctx), **_due(task), "tier": TIER_OF[status], "status": status, "kind": status,
                      "dataset": None, "reported": str(rep.iloc[0]["status"]) if len(rep) else None,
                      "_o": order.get(task.id, 10_000)})
    for ds, f in _own_files(ctx):
        if f["verdict"] == "rejected":
            n = sum(1 for i in f["issues"] if i.get("severity") == "reject")
            items.append({"tier": 2, "status": "rejected", "kind": "rejected", "task_id": None,
                          "dataset": dataset_name(ds["dataset"], lang), "errors": n, "_o": 20_000})
    for ds in _missing_datasets(ctx):
        items.append({"tier": 2, "status": "missing", "kind": "missing", "task_id": None,
                      "dataset": dataset_name(ds, lang), "_o": 20_000})
    items.sort(key=lambda i: (i["tier"], i["_o"]))
    for i in items:
        del i["_o"]
    return items


# ---------------------------------------------------------------- section views
def header_view(ctx: ScorecardContext) -> dict[str, Any]:
    """Agency name, kind, quarter, and the counts: tasks led, targets applying, overdue / off track, at risk."""
    items = action_items(ctx)
    return {"name": ctx.name(), "plan_title": title(ctx.plan, ctx.lang), "kind": ctx.kind,
            "quarter": ctx.quarter.label(ctx.lang), "ytd": ctx.quarter.ytd_label(ctx.lang),
            "n_tasks": len(ctx.led_tasks()), "n_targets": len(ctx.target_rows()),
            "n_bad": sum(1 for i in items if i["tier"] == 0), "n_risk": sum(1 for i in items if i["tier"] == 1)}


LINE_FIELDS = ("value", "unit", "numerator", "denominator", "self_reported", "missed", "past_due")


def actions(items: list[dict[str, Any]], ctx: ScorecardContext) -> list[dict[str, Any]]:
    """action_items as actions, one per task (or per file to send), in their order: the task's short text, its
    deadline, what is missing (its failing measurements, units with the same measurement and threshold on one line)
    and the evidence the plan expects (its 'expected result'); a repeated line is shown once."""
    out: list[dict[str, Any]] = []
    by_task: dict[str, dict[str, Any]] = {}
    for i in items:
        if not i.get("task_id"):
            out.append({"task_id": None, "dataset": i["dataset"], "status": i["status"], "tier": i["tier"],
                        "lines": [{k: v for k, v in i.items() if k not in ("tier", "status", "task_id")}]})
            continue
        a = by_task.get(i["task_id"])
        if a is None:
            task = ctx.plan.task(i["task_id"])
            a = {"task_id": task.id, "short": i["short"], "dataset": None, "status": i["status"], "tier": i["tier"],
                 **_due(task), "evidence": getattr(task, f"result_{ctx.lang}", "") or "", "lines": [], "_keys": {}}
            by_task[task.id] = a
            out.append(a)
        if i["kind"] in ("target_value", "target_no_data"):
            key = (i["kind"], str(i["what"]), str(i["threshold"]))
            line = a["_keys"].get(key)
            if line is None:
                line = {"kind": i["kind"], "what": i["what"], "threshold": i["threshold"], "units": []}
                a["_keys"][key] = line
                a["lines"].append(line)
            unit = {"who": i["who"], **{k: i.get(k) for k in LINE_FIELDS}}
            if unit not in line["units"]:
                line["units"].append(unit)
        else:
            line = {k: v for k, v in i.items() if k not in ("tier", "status", "task_id", "short", "text")}
            if line not in a["lines"]:
                a["lines"].append(line)
    for a in out:
        a.pop("_keys", None)
    return out


def next_actions_view(ctx: ScorecardContext) -> dict[str, Any]:
    """'Việc cần làm tiếp' as actions: overdue and off-track first, then at risk, then no report / no data; each
    task once, with its deadline, what is missing and the evidence expected."""
    return {"actions": actions(action_items(ctx), ctx), "method_page": ctx.method_page}


def task_statuses(ctx: ScorecardContext) -> dict[str, str]:
    """View of the tasks table's overall column: each led task's status as task_progress.parquet has it (absent:
    no row)."""
    overall = ctx.tasks.set_index("task_id")["status"].to_dict() if len(ctx.tasks) else {}
    return {t.id: str(overall[t.id]) for t in ctx.led_tasks() if t.id in overall}


def task_rows(ctx: ScorecardContext) -> list[dict[str, Any]]:
    """One row per task this agency leads: the task, its due date, its overall status (task_progress; None without
    a row), this agency's own status from its latest report, the quarter of that report, the evidence document and
    the agency's note as the agency typed them."""
    overall = task_statuses(ctx)
    reps = ctx.reports.set_index("task_id") if len(ctx.reports) else None
    rows = []
    for task in ctx.led_tasks():
        status, _ = ctx.report_status(task)
        row = {**_task(task.id, ctx), **_due(task), "overall": overall.get(task.id), "report": status,
               "report_quarter": None, "evidence": None, "evidence_date": None, "note": None}
        if reps is not None and task.id in reps.index:
            r = reps.loc[task.id]
            doc, day, note = r.get("evidence_doc_no"), r.get("evidence_doc_date"), r.get("note")
            row.update(evidence=None if _nan(doc) else str(doc), note=None if _nan(note) or not str(note) else str(note),
                       evidence_date=None if _nan(doc) or _nan(day) else pd.Timestamp(day).date().isoformat(),
                       report_quarter=Quarter.parse(r["quarter"]).label(ctx.lang))  # the column is text
        rows.append(row)
    return rows


def tasks_view(ctx: ScorecardContext) -> dict[str, Any]:
    """Tasks whose lead expands to this agency (task_rows), with the link to how a status is decided."""
    return {"rows": by_urgency(task_rows(ctx), "overall"), "method_page": ctx.method_page}


def target_view(ctx: ScorecardContext) -> list[dict[str, Any]]:
    """View of the targets table, one dict per row of target_rows(): the task, the measure, the unit, the value
    (numbers), the threshold, the unit's own verdict (`own`: progress.parquet's status; None for a figure beside an
    aggregate target or a context row) and the target's verdict for the whole province (`province`:
    progress.target_verdicts; None without one), with n_ok / n_units of an each-unit target, and the trend: the
    year-to-date value at the end of each quarter with data."""
    rows_df = ctx.target_rows()
    if rows_df.empty:
        return []
    p = ctx.progress  # the verdicts of the targets this unit has rows in (a target's verdict needs all its rows)
    verdicts = target_verdicts(p[p["task_id"].isin(set(rows_df["task_id"]))]).set_index(["task_id", "metric", "scope"])
    out = []
    for r in rows_df.itertuples():
        k = (r.task_id, r.metric, r.scope)
        v = verdicts.loc[k] if k in verdicts.index and verdicts.loc[k, "status"] else None
        tg = _target_of(ctx, r.task_id, r.metric, r.scope)
        key = _key(tg) if tg else r.metric
        caution = getattr(r, f"caution_{ctx.lang}", "")
        trend = _trend_values(ctx, key, r.agency)
        out.append({**_task(r.task_id, ctx), "metric": r.metric, "scope": r.scope, "agency": r.agency,
                    "role": r.role, "measure": _metric_name(ctx, key, tg), "unit_name": ctx.name(r.agency),
                    **_value(r), "shown": r.status != "not_yet_due", "caution": caution or None,
                    "threshold": _threshold(tg, r, ctx.lang),
                    "own": r.status if r.role == "target" else None,
                    "province": None if v is None else str(v["status"]),
                    "n_ok": None if v is None or v["judge"] != "each" else int(v["n_ok"]),
                    "n_units": None if v is None or v["judge"] != "each" else int(v["n_units"]),
                    "trend": [_num(trend[x]) for x in ctx.trend]})
    return out


def targets_view(ctx: ScorecardContext) -> dict[str, Any]:
    """Targets covering this agency (its commune group too, for a district): the rows (target_view), the quarters
    of the trend columns, the quarters left out of it, and the on-time chart (charts.figure data, or None)."""
    return {"rows": by_urgency(target_view(ctx), "own"), "quarters": [x.short_label(ctx.lang) for x in ctx.trend],
            "skipped": [x.label(ctx.lang) for x in ctx.skipped], "chart": ontime_chart(ctx),
            "method_page": ctx.method_page}


def _trend_values(ctx: ScorecardContext, key: str, code: str) -> dict[Quarter, float]:
    out = {}
    for x, ind in ctx.trend.items():
        r = ind[(ind["metric"] == key) & (ind["agency"] == code)]
        out[x] = float(r["value"].iloc[0]) if len(r) else math.nan
    return out


# ---------------------------------------------------------------- the on-time chart
def _sparkline(panels: list[dict[str, Any]], lang: str):
    """Small line charts, one panel per unit stacked (readable at phone width): YTD on-time rate per quarter on a
    0–100 % axis against the dashed target line; the line's colour and marker from the unit's own status, named in
    the panel's title and legend; a quarter without a value says so where its point would be."""
    import matplotlib.pyplot as plt  # charts has set the Agg backend
    from matplotlib.lines import Line2D

    with plt.rc_context(charts.STYLE):
        fig, axes = plt.subplots(len(panels), 1, figsize=(charts.WIDTH, 2.2 * len(panels) + 0.3), squeeze=False,
                                 layout="constrained")
        for ax, p in zip(axes[:, 0], panels, strict=True):
            xs = list(range(len(p["labels"])))
            vals = [math.nan if _nan(v) else v * 100 for v in p["values"]]
            kind = charts.status_kind(p["status"])
            colour = _line_colour(p["status"])
            ax.plot(xs, vals, marker=charts.MARKERS[kind], color=colour, linewidth=1.8)
            for x, v in zip(xs, vals, strict=True):
                if v == v:
                    ax.annotate(fmt.pct(v / 100, lang), (x, v), textcoords="offset points", xytext=(0, -16),
                                ha="center", fontsize=charts.SMALL, color=charts.COLOURS["text"],
                                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
                else:
                    ax.text(x, 50, i18n.t("charts.no_data", lang), ha="center", va="center", fontsize=charts.SMALL,
                            style="italic", color=charts.COLOURS["text"])
            ax.axhline(p["target"].value * 100, color=charts.COLOURS["target"], linestyle="--", linewidth=1)
            ax.set_ylim(0, 105)  # a share: from 0
            ax.set_xlim(-0.5, max(len(xs) - 0.5, 1.5))
            ax.set_xticks(xs, p["labels"])
            ax.set_ylabel(i18n.t("charts.ontime_y", lang))
            ax.set_title(charts.wrap(i18n.t("charts.panel_title", lang, unit=p["title"],
                                            status=i18n.t(f"status.{p['status'] or 'no_data'}", lang).lower())),
                         loc="left")
            ax.legend(handles=[Line2D([], [], marker=charts.MARKERS[kind], color=colour,
                                      label=i18n.t("charts.ontime_line", lang)),
                               Line2D([], [], color=charts.COLOURS["target"], linestyle="--", linewidth=1,
                                      label=p["threshold_label"])], loc="lower left", frameon=False)
    return fig


def _line_colour(status: str) -> str:
    """Line colour from the unit's own status (progress.parquet, charts.status_kind), never a verdict of the
    chart's own."""
    return charts.COLOURS[charts.status_kind(status)]


def ontime_chart(ctx: ScorecardContext) -> dict[str, str] | None:
    """The on-time sparklines of the agency (and its communes): charts.figure data (image, alt text, caption), or
    None when no unit has a value."""
    lang = ctx.lang
    quarters = list(ctx.trend)
    if not quarters:
        return None
    panels, alts = [], []
    labels = [x.short_label(lang) for x in quarters]
    for code in ctx.codes:
        target = level_target(ctx.plan, "ontime_rate", ctx.plan.agencies[code].kind)  # the unit's level's target
        if target is None:
            continue
        vals = _trend_values(ctx, "ontime_rate", code)
        if all(_nan(v) for v in vals.values()):
            continue
        threshold = i18n.t("scorecard.chart.target", lang, threshold=target.describe(lang))
        panels.append({"labels": labels, "values": [vals[x] for x in quarters], "target": target, "title": ctx.name(code),
                       "status": ctx.own_status(target.task_id, code), "threshold_label": threshold})
        values = i18n.t("scorecard.chart.list_sep", lang).join(
            i18n.t("scorecard.chart.point", lang, quarter=lb, value=fmt.pct(vals[x], lang))
            for lb, x in zip(labels, quarters, strict=True))
        alts.append(i18n.t("scorecard.chart.alt_unit", lang, unit=ctx.name(code), values=values, threshold=threshold))
    if not panels:
        return None
    alt = i18n.t("scorecard.chart.alt", lang, units="; ".join(alts))
    return charts.figure(_sparkline(panels, lang), alt, i18n.t("charts.sparkline_caption", lang))


# ---------------------------------------------------------------- rank and data quality
def rank_view(ctx: ScorecardContext) -> dict[str, Any]:
    """Rank among peers of the same kind on the headline rates where the agency has data (rankings.rank): the
    measure, the value (numerator/denominator), the rank of how many peers, and the best peer's value and name."""
    rows = []
    for metric in RANK_METRICS:
        rk = rank_metric(ctx.indicators, ctx.plan, metric)
        mine = rk[rk["agency"] == ctx.agency]
        if mine.empty:
            continue
        r = mine.iloc[0]
        best = rk[rk["kind"] == ctx.kind].iloc[0]
        rows.append({"measure": _metric_name(ctx, metric), "value": _num(r["value"]),
                     "numerator": _num(r["numerator"]), "denominator": _num(r["denominator"]),
                     "rank": int(r["rank"]), "peers": int(r["peers"]), "best_value": _num(best["value"]),
                     "best_name": ctx.name(str(best["agency"]))})
    return {"rows": rows, "kind": ctx.kind}


def data_quality_view(ctx: ScorecardContext) -> dict[str, Any]:
    """This agency's files this quarter (dataset, verdict, rows read, issues and errors), their first issues (row,
    column and value as in the file, message as the data-quality page's pieces) and the datasets it has not sent; the link to the data-quality page."""
    from .quality import _message  # a finding's message as pieces, as the data-quality page shows it

    lang = ctx.lang
    files, details = [], []
    for ds, f in _own_files(ctx):
        shown = [i for i in f["issues"] if i.get("severity") != "info"]
        name = dataset_name(ds["dataset"], lang)
        files.append({"dataset": name, "verdict": f["verdict"], "rows": _num(f.get("rows_read")),
                      "issues": len(shown), "errors": sum(1 for i in shown if i.get("severity") == "reject")})
        details += [{"dataset": name, "row": i.get("row"), "column": i.get("column") or None,
                     "value": None if i.get("value") is None else str(i["value"]), "message": _message(i, lang),
                     "more": None} for i in shown[:MAX_ISSUES_SHOWN]]
        if len(shown) > MAX_ISSUES_SHOWN:
            details.append({"dataset": name, "row": None, "column": None, "value": None, "message": None,
                            "more": len(shown) - MAX_ISSUES_SHOWN})
    return {"quarter": ctx.quarter.label(lang), "files": files, "details": details,
            "missing": [dataset_name(d, lang) for d in _missing_datasets(ctx)],
            "dq_link": f"{ctx.dq_page}#{ctx.agency}"}


VIEWS = {"header": header_view, "next_actions": next_actions_view, "tasks": tasks_view, "targets": targets_view,
         "rank": rank_view, "data_quality": data_quality_view}


def render_section(ctx: ScorecardContext, section: str) -> Markup:
    """One section of the page: its view rendered through its template (`scorecard/<section>.html.j2`)."""
    return layout.render(f"scorecard/{section}.html.j2", ctx.lang, **VIEWS[section](ctx))


def render_page(ctx: ScorecardContext) -> Markup:
    """Every section, in order (what the notebook shows cell by cell)."""
    return Markup("\n").join(render_section(ctx, s) for s in SECTIONS)
