"""Per-agency scorecard: one department's or district's tasks, targets, trend, rank and data quality (HTML sections).

Built from the processed data of `make quarterly` (progress.parquet, task_progress.parquet, indicators.parquet,
task_status.parquet, manifest.json); the notebook notebooks/agency_scorecard.ipynb only calls these functions.
Everything that comes from agencies (notes, document numbers, file names, cell values) is escaped.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..catalogue import Agency, Plan, Target, Task, quarter_plan
from ..ingest import load_manifest
from ..periods import Quarter
from ..privacy import mask_manifest
from ..progress import (
    at_level,
    label,
    qualitative_status,
    reports_counting,
    target_verdicts,
    worst,
)
from ..rankings import rank as rank_metric
from ..store import Store
from . import charts, fmt
from .html import VERDICT, badge, esc, table
from .overview import dataset_title, legend, ontime_target, self_mark, status_badge, unit_name
from .page import check_lang, read_table

KINDS = ("department", "district")
KIND_LABEL = {"department": ("Sở, ban, ngành (cơ quan chuyên môn cấp tỉnh)", "Provincial department"),
              "district": ("UBND cấp huyện", "District-level People's Committee")}
RANK_METRICS = ("ontime_rate", "online_dossier_share", "online_payment_rate", "edoc_online_handling_rate",
                "pakn_handled_on_time_share")
MAX_ISSUES_SHOWN = 5
# next-action tiers: 0 = overdue / off track, 1 = at risk, 2 = no report / no data / missing evidence or file
TIER_OF = {"off_track": 0, "not_met": 0, "overdue": 0, "at_risk": 1, "no_report": 2, "no_data": 2, "not_started": 2,
           "done_no_evidence": 2, "rejected": 2, "missing": 2}

L = {
    "next": ("Việc cần làm tiếp", "Next actions"),
    "tasks": ("Nhiệm vụ chủ trì", "Tasks led"),
    "targets": ("Chỉ tiêu áp dụng cho đơn vị", "Targets that apply to this unit"),
    "rank": ("Xếp hạng trong nhóm cùng loại", "Rank among peers"),
    "quality": ("Chất lượng dữ liệu nộp", "Data quality of submissions"),
    "quality_page": ("trang Chất lượng dữ liệu", "the data-quality page"),
    "provenance": ("Nguồn gốc số liệu", "Provenance"),
    "no_data": ("Không có dữ liệu", "No data"),
    "missing": ("Chưa nộp", "Not submitted"),
}


def _t(key: str, lang: str) -> str:
    vi, en = L[key]
    return vi if lang == "vi" else en


def title(plan: Plan, lang: str) -> str:
    """The scorecard's title, naming the plan as the plan data does."""
    short = plan.title(lang, short=True)
    return f"Kết quả thực hiện {short}" if lang == "vi" else f"{short}: agency scorecard"


def agencies_to_render(plan: Plan) -> list[str]:
    """The codes a scorecard is rendered for: the plan's departments, then its districts, in registry order."""
    return [a.code for a in plan.by_kind("department")] + [a.code for a in plan.by_kind("district")]


@dataclass
class ScorecardContext:
    """Everything one agency's scorecard needs, loaded once."""

    quarter: Quarter
    agency: str
    lang: str
    data_root: Path  # the `data_root` parameter as given (shown in the provenance line)
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
    dq_page: str = "../data-quality.html"  # scorecards live in reports/<Q>/agencies/

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
        """Display name: 'UBND thành phố Tam Kỳ' / 'Tam Kỳ city' for districts, the registry name otherwise."""
        code = code or self.agency
        a = self.plan.agencies.get(code)
        if a is None:
            return unit_name(self.plan, code, self.lang)
        if a.kind == "district" and self.lang == "vi":
            return f"UBND {a.unit_vi} {a.name_vi}" if a.unit_vi else a.name_vi
        return a.name(self.lang)

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


# ---------------------------------------------------------------- formatting helpers
def _nan(x: object) -> bool:
    """None, NaN, NA or NaT."""
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def _value(v: float, unit: str, lang: str) -> str:
    """A value in its unit: fraction -> '92,4 %', count -> '6', days -> '3,5 ngày'."""
    if _nan(v):
        return "—"
    if unit == "fraction":
        return fmt.pct(v, lang)
    if unit == "count":
        return fmt.number(v, lang)
    suffix = {"working_days": (" ngày làm việc", " working days"), "days": (" ngày", " days"),
              "percentage_points": (" đ.p.t", " pp")}.get(unit, ("", ""))
    return fmt.number(v, lang, 1) + suffix[0 if lang == "vi" else 1]


def _value_with_ratio(r: Any, lang: str) -> str:
    shown = _value(r.value, r.unit, lang)
    if r.unit == "fraction" and not _nan(r.numerator) and not _nan(r.denominator):
        shown += f" ({fmt.number(r.numerator, lang)}/{fmt.number(r.denominator, lang)})"
    return shown


def _target_of(ctx: ScorecardContext, task_id: str, metric: str, scope: str) -> Target | None:
    task = ctx.plan.task(task_id)
    return next((t for t in task.targets if t.metric == metric and t.scope == scope), None)


def _key(tg: Target) -> str:
    """The indicator id a target is measured on (targets from or at a date have their own)."""
    return tg.metric + (f"@{tg.from_date}" if tg.from_date else f"@{tg.as_of}" if tg.as_of else "")


def _metric_name(ctx: ScorecardContext, metric: str, tg: Target | None = None) -> str:
    """Reviewer name of a metric; a target measured from or at a date says which ('từ 01/06/2023')."""
    vi = ctx.lang == "vi"
    base, _, day = metric.partition("@")
    m = ctx.plan.metrics.get(base, {})
    name = m.get("name_vi" if vi else "name_en") or base
    if day:
        word = ("tính từ" if vi else "from") if tg is not None and tg.from_date else \
            ("tại ngày" if vi else "at") if tg is not None and tg.as_of else ("từ/tại" if vi else "from/at")
        name += f" ({word} {fmt.date(day)})"
    return name


def _quarter_short(x: Quarter, lang: str) -> str:
    return f"Quý {('I', 'II', 'III', 'IV')[x.q - 1]}" if lang == "vi" else f"Q{x.q}"


def _due_text(task: Task, lang: str) -> str:
    due = task.schedule.get("due")
    if due:
        return fmt.date(due)
    vi = lang == "vi"
    return {"recurring": "Thường xuyên" if vi else "Recurring",
            "external": "Theo kế hoạch cấp trên" if vi else "External schedule"}.get(task.schedule["kind"], "—")


def _task_text(task: Task, lang: str) -> str:
    return task.task_vi if lang == "vi" else (task.task_en or task.task_vi)


# ---------------------------------------------------------------- next actions (shared by header and next_actions)
def action_items(ctx: ScorecardContext) -> list[dict[str, Any]]:
    """What this agency has to act on, worst first: tier 0 overdue / off track, 1 at risk, 2 no report / no data.

    Each item: tier, status, task_id (or dataset), text (with the number behind it).
    """
    lang, vi = ctx.lang, ctx.lang == "vi"
    order = {t.id: i for i, t in enumerate(ctx.plan.tasks)}
    items: list[dict[str, Any]] = []
    for r in ctx.target_rows().itertuples():
        if r.role != "target" or r.status not in ("off_track", "not_met", "at_risk", "no_data"):
            continue
        tg = _target_of(ctx, r.task_id, r.metric, r.scope)
        threshold = tg.describe(lang) if tg else f"{r.op} {r.threshold:g}"
        who = ctx.name(r.agency)
        what = _metric_name(ctx, _key(tg) if tg else r.metric, tg)
        if r.status == "no_data":
            text = (f"{what} ({who}): không có số liệu lũy kế để đánh giá chỉ tiêu {threshold} — cần nộp dữ liệu"
                    if vi else f"{what} ({who}): no year-to-date data to assess the target {threshold} — data needed")
        else:
            text = (f"{what} ({who}): {_value_with_ratio(r, lang)}{self_mark(r.source)}; "
                    f"{'chỉ tiêu' if vi else 'target'} {threshold}")
            if r.unit == "fraction" and tg and tg.value >= 1.0 and not _nan(r.denominator):
                miss = r.denominator - r.numerator
                if miss > 0:
                    text += f"; {fmt.number(miss, lang)} {'trường hợp không đạt' if vi else 'cases missed it'}"
            if bool(r.final):
                text += f" ({'đã hết hạn' if vi else 'past the due date'} {fmt.date(r.due)})"
        items.append({"tier": TIER_OF[r.status], "status": r.status, "task_id": r.task_id, "text": text,
                      "_o": order.get(r.task_id, 10_000)})
    for task in ctx.led_tasks():
        status, _ = ctx.report_status(task)
        if status not in TIER_OF:
            continue
        rep = ctx.reports[ctx.reports["task_id"] == task.id] if len(ctx.reports) else ctx.reports
        reported = label(str(rep.iloc[0]["status"]), lang) if len(rep) else ("chưa báo cáo" if vi else "not reported")
        due = _due_text(task, lang)
        if status == "overdue":
            text = (f"Quá hạn {due}, đơn vị chưa hoàn thành (báo cáo: {reported})" if vi else
                    f"Due {due}, not done by this unit (report: {reported})")
        elif status == "no_report":
            text = (f"Chưa có báo cáo tiến độ của đơn vị (thời hạn: {due})" if vi else
                    f"No progress report from this unit (due: {due})")
        elif status == "not_started":
            text = (f"Báo cáo: chưa thực hiện (thời hạn: {due})" if vi else f"Reported as not started (due: {due})")
        else:  # done_no_evidence
            text = ("Báo cáo hoàn thành nhưng thiếu số văn bản kiểm chứng" if vi else
                    "Reported done but without an evidence document number")
        items.append({"tier": TIER_OF[status], "status": status, "task_id": task.id, "text": text,
                      "_o": order.get(task.id, 10_000)})
    for ds in ctx.manifest.get("datasets", []):
        for f in ds["files"]:
            if f["agency"] == ctx.agency and f["verdict"] == "rejected":
                n = sum(1 for i in f["issues"] if i.get("severity") == "reject")
                text = (f"Tệp {Path(f['path']).name} bị từ chối ({n} lỗi): sửa và gửi lại" if vi else
                        f"File {Path(f['path']).name} rejected ({n} errors): correct and resend")
                items.append({"tier": 2, "status": "rejected", "task_id": dataset_title(ds["dataset"], lang),
                              "text": text, "_o": 20_000})
        if ctx.agency in ds.get("missing_submitters", []):
            text = ("Chưa nộp dữ liệu quý này" if vi else "Not submitted this quarter")
            items.append({"tier": 2, "status": "missing", "task_id": dataset_title(ds["dataset"], lang), "text": text,
                          "_o": 20_000})
    items.sort(key=lambda i: (i["tier"], i["_o"]))
    for i in items:
        del i["_o"]
    return items


def _item_badge(status: str, lang: str) -> str:
    if status == "rejected":
        return badge("rejected", VERDICT["rejected"][1 if lang == "vi" else 2])
    if status == "missing":
        return badge("no_data", _t("missing", lang))
    return status_badge(status, lang)


# ---------------------------------------------------------------- sections
def header(ctx: ScorecardContext) -> str:
    """Agency name, kind, quarter, and the counts: tasks led, targets applying, overdue / at risk."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    items = action_items(ctx)
    bad = sum(1 for i in items if i["tier"] == 0)
    risk = sum(1 for i in items if i["tier"] == 1)
    kind = KIND_LABEL[ctx.kind][0 if vi else 1]
    code = "" if vi else f" ({ctx.agency})"  # no registry codes on a Vietnamese page
    sub = f"{kind}{code} — {ctx.quarter.label(lang)}, {ctx.quarter.ytd_label(lang)}"
    if vi:
        counts = (f"Chủ trì {len(ctx.led_tasks())} nhiệm vụ; {len(ctx.target_rows())} chỉ tiêu áp dụng; "
                  f"{bad} việc quá hạn hoặc không đạt; {risk} việc có nguy cơ.")
    else:
        counts = (f"Leads {len(ctx.led_tasks())} tasks; {len(ctx.target_rows())} targets apply; "
                  f"{bad} overdue or off track; {risk} at risk.")
    return (f"<h1>{esc(ctx.name())}</h1><p><strong>{esc(title(ctx.plan, lang))}</strong></p>"
            f"<p>{esc(sub)}</p><p><strong>{esc(counts)}</strong></p>")


def next_actions(ctx: ScorecardContext) -> str:
    """'Việc cần làm tiếp': overdue and off-track items first, then at risk, then no report / no data."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    items = action_items(ctx)
    h = f"<h2>{esc(_t('next', lang))}</h2>"
    note = ("Thứ tự: quá hạn hoặc không đạt; có nguy cơ; chưa báo cáo, chưa có số liệu. Số liệu là số lũy kế đến hết quý."
            if vi else "Order: overdue or off track; at risk; no report or no data. Figures are year to date.")
    if not items:
        return h + f"<p>{esc('Không có việc tồn đọng.' if vi else 'Nothing outstanding.')}</p>"
    lines = [f'<li data-tier="{i["tier"]}">{_item_badge(i["status"], lang)} <strong>{esc(i["task_id"])}</strong>: '
             f'{esc(i["text"])}</li>' for i in items]
    return h + f'<p class="note">{esc(note)}</p><ol>' + "".join(lines) + "</ol>"


def task_statuses(ctx: ScorecardContext) -> dict[str, str]:
    """View of the tasks table's overall column: each led task's status as task_progress.parquet has it (absent:
    no row)."""
    overall = ctx.tasks.set_index("task_id")["status"].to_dict() if len(ctx.tasks) else {}
    return {t.id: str(overall[t.id]) for t in ctx.led_tasks() if t.id in overall}


def tasks_led(ctx: ScorecardContext) -> str:
    """Tasks whose lead expands to this agency: due, overall status, evidence and this agency's own report."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    overall = task_statuses(ctx)
    reps = ctx.reports.set_index("task_id") if len(ctx.reports) else None
    rows = []
    for task in ctx.led_tasks():
        st = overall.get(task.id)
        evidence, note, own = "—", "", ""
        status, _ = ctx.report_status(task)
        if reps is not None and task.id in reps.index:
            r = reps.loc[task.id]
            doc, day = r.get("evidence_doc_no"), r.get("evidence_doc_date")
            if not _nan(doc):
                evidence = str(doc) + ("" if _nan(day) else f", {fmt.date(pd.Timestamp(day).date())}")
            note = "" if _nan(r.get("note")) else str(r.get("note"))
            made = Quarter.parse(r["quarter"])  # the reports table's column is text, as in task_status.parquet
            own = f" <span class=\"note\">({esc(made.label(lang))})</span>"
        rows.append([task.id, _task_text(task, lang), _due_text(task, lang),
                     status_badge(st, lang) if st else badge("no_data", _t("no_data", lang)),
                     status_badge(status, lang) + own, evidence, note])
    h = f"<h2>{esc(_t('tasks', lang))}</h2>"
    expl = ("Trạng thái chung: của cả nhiệm vụ (mọi cơ quan chủ trì, các chỉ tiêu định lượng). Báo cáo của đơn vị: "
            "theo báo cáo gần nhất của đơn vị trong năm (nhiệm vụ thường xuyên: báo cáo của quý này)." if vi else
            "Overall status: the whole task (every lead agency, its quantitative targets). This unit's report: its "
            "latest report of the year (recurring tasks: this quarter's report).")
    if not rows:
        return h + f"<p>{esc('Đơn vị không chủ trì nhiệm vụ nào.' if vi else 'This unit leads no task.')}</p>"
    headers = (["Mã", "Nhiệm vụ", "Thời hạn", "Trạng thái chung", "Báo cáo của đơn vị", "Văn bản kiểm chứng", "Ghi chú"]
               if vi else ["ID", "Task", "Due", "Overall status", "This unit's report", "Evidence document", "Note"])
    return h + f'<p class="note">{esc(expl)}</p>' + table(headers, rows, raw_cols=[3, 4])


def _trend_values(ctx: ScorecardContext, key: str, code: str) -> dict[Quarter, float]:
    out = {}
    for x, ind in ctx.trend.items():
        r = ind[(ind["metric"] == key) & (ind["agency"] == code)]
        out[x] = float(r["value"].iloc[0]) if len(r) else math.nan
    return out


def _sparkline(panels: list[dict[str, Any]]):
    """Small line charts (one panel per unit): YTD on-time rate per quarter against the threshold line."""
    import matplotlib.pyplot as plt  # charts has set the Agg backend

    with plt.rc_context(charts.STYLE):
        fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 1.9), squeeze=False)
        for ax, p in zip(axes[0], panels, strict=True):
            xs = list(range(len(p["labels"])))
            vals = [math.nan if _nan(v) else v * 100 for v in p["values"]]
            colour = _line_colour(p["status"])
            ax.plot(xs, vals, marker="o", color=colour, linewidth=1.5)
            for x, v in zip(xs, vals, strict=True):
                if v == v:
                    ax.annotate(fmt.pct(v / 100, p["lang"]), (x, v), textcoords="offset points", xytext=(0, 6),
                                ha="center", fontsize=7, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
            ax.axhline(p["target"].value * 100, color=charts.COLOURS["target"], linestyle="--", linewidth=1)
            ax.text(xs[-1] + 0.45 if xs else 0, p["target"].value * 100, p["threshold_label"], va="bottom", ha="left",
                    fontsize=7, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
            finite = [v for v in vals if v == v] + [p["target"].value * 100]
            lo = max(0.0, min(finite) - 3)
            ax.set_ylim(lo, 101)
            ax.set_xlim(-0.5, len(xs) + 0.6)
            ax.set_xticks(xs, p["labels"])
            ax.tick_params(axis="y", labelsize=7)
            cut = (f" (trục từ {lo:.0f})" if p["lang"] == "vi" else f" (axis from {lo:.0f})") if lo > 0 else ""
            ax.set_ylabel("%" + cut, fontsize=7)
            ax.set_title(p["title"], loc="left", fontsize=8)
        fig.tight_layout()
    return fig


def _line_colour(status: str) -> str:
    """Line colour from the unit's own status (progress.parquet), never a verdict of the chart's own."""
    ok = at_level(status)
    return charts.COLOURS["no_data" if ok is None else "met" if ok else "not_met"]


def _ontime_chart(ctx: ScorecardContext) -> str:
    lang, vi = ctx.lang, ctx.lang == "vi"
    quarters = list(ctx.trend)
    if not quarters:
        return ""
    panels, alts = [], []
    for code in ctx.codes:
        kind = ctx.plan.agencies[code].kind
        target = ontime_target(ctx.plan, kind)  # the threshold the sparkline draws: the target of the unit's level
        if target is None:
            continue
        vals = _trend_values(ctx, "ontime_rate", code)
        if all(_nan(v) for v in vals.values()):
            continue
        labels = [_quarter_short(x, lang) for x in quarters]
        panels.append({"labels": labels, "values": [vals[x] for x in quarters], "target": target, "lang": lang,
                       "title": ctx.name(code), "status": ctx.own_status(target.task_id, code),
                       "threshold_label": f"{'chỉ tiêu' if vi else 'target'} {target.describe(lang)}"})
        alts.append(f"{ctx.name(code)}: " + ", ".join(f"{lb} {fmt.pct(vals[x], lang)}" for lb, x in zip(labels, quarters,
                                                                                                          strict=True))
                    + f" ({'chỉ tiêu' if vi else 'target'} {target.describe(lang)})")
    if not panels:
        return ""
    alt = (("Biểu đồ đường nhỏ: tỷ lệ hồ sơ giải quyết đúng hạn lũy kế theo quý, đường đứt nét là chỉ tiêu. " if vi else
            "Small line chart: year-to-date on-time resolution rate by quarter; the dashed line is the target. ")
           + "; ".join(alts))
    cap = ("Tỷ lệ đúng hạn lũy kế đến hết từng quý (trục dọc có thể không bắt đầu từ 0)." if vi else
           "Year-to-date on-time rate at the end of each quarter (the vertical axis may not start at 0).")
    return charts.figure_html(_sparkline(panels), alt, cap)


def targets(ctx: ScorecardContext) -> str:
    """Targets covering this agency (its commune group too, for a district): value, threshold, status, trend."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    h = f"<h2>{esc(_t('targets', lang))}</h2>"
    rows_df = ctx.target_rows()
    if rows_df.empty:
        return h + f"<p>{esc('Không có chỉ tiêu định lượng nào áp dụng riêng cho đơn vị.' if vi else 'No quantitative target applies to this unit.')}</p>"
    quarters = list(ctx.trend)
    rows = []
    for r, view in zip(rows_df.itertuples(), target_view(ctx), strict=True):
        tg = _target_of(ctx, r.task_id, r.metric, r.scope)
        key = _key(tg) if tg else r.metric
        threshold = tg.describe(lang) if tg else f"{r.op} {r.threshold:g}"
        if r.status == "not_yet_due":
            shown = "—"
        else:
            shown = _value_with_ratio(r, lang)
            caution = r.caution_vi if vi else r.caution_en
            shown += (f" — {caution}" if caution else "") + self_mark(r.source)
        trend = _trend_values(ctx, key, r.agency)
        rows.append([r.task_id, _metric_name(ctx, key, tg), ctx.name(r.agency), shown, threshold,
                     _own_badge(r, lang), _province_badge(view, r, lang)]
                    + [_value(trend[x], r.unit, lang) for x in quarters])
    headers = (["Nhiệm vụ", "Chỉ tiêu", "Đơn vị", "Giá trị lũy kế", "Ngưỡng", "Đánh giá của đơn vị",
                "Đánh giá chỉ tiêu toàn tỉnh"] if vi else
               ["Task", "Measure", "Unit", "Year to date", "Threshold", "This unit's status",
                "Province-wide target status"])
    headers += [f"{_quarter_short(x, lang)} ({'lũy kế' if vi else 'YTD'})" for x in quarters]
    note = ("Giá trị lũy kế từ đầu năm đến hết quý, kèm tử số/mẫu số. 'Đánh giá của đơn vị': chính đơn vị này so với "
            "ngưỡng. 'Đánh giá chỉ tiêu toàn tỉnh': chỉ tiêu của Kế hoạch — chỉ tiêu áp dụng cho từng đơn vị chỉ đạt "
            "khi mọi đơn vị đạt (số đơn vị đạt trong ngoặc); chỉ tiêu chung tính trên số chung của tỉnh. Các cột theo "
            "quý: giá trị lũy kế tại cuối từng quý (xu hướng trong năm)." if vi else
            "Year-to-date values with numerator/denominator. 'This unit's status': this unit against the threshold. "
            "'Province-wide target status': the plan's target — a target for each unit is met only when every unit "
            "meets it (units at its level in brackets); a province-wide target is judged on the province's figure. "
            "Quarter columns: the year-to-date value at the end of each quarter (the trend over the year).")
    if ctx.skipped:
        miss = ", ".join(x.label(lang) for x in ctx.skipped)
        note += (f" Chưa có số liệu đã xử lý của {miss}: không đưa vào xu hướng." if vi else
                 f" No processed figures for {miss}: left out of the trend.")
    return (h + f'<p class="note">{esc(note)}</p>' + legend(lang)
            + table(headers, rows, raw_cols=[5, 6], numeric_cols=[3] + list(range(7, 7 + len(quarters))))
            + _ontime_chart(ctx))


def target_view(ctx: ScorecardContext) -> list[dict[str, Any]]:
    """View of the targets table, one dict per row of target_rows(): the unit's own verdict (`own`: progress.parquet's
    status; None for a figure beside an aggregate target or a context row) and the target's verdict for the whole
    province (`province`: progress.target_verdicts; None without one), with n_ok / n_units of an each-unit target."""
    rows_df = ctx.target_rows()
    if rows_df.empty:
        return []
    p = ctx.progress  # the verdicts of the targets this unit has rows in (a target's verdict needs all its rows)
    verdicts = target_verdicts(p[p["task_id"].isin(set(rows_df["task_id"]))]).set_index(["task_id", "metric", "scope"])
    out = []
    for r in rows_df.itertuples():
        k = (r.task_id, r.metric, r.scope)
        v = verdicts.loc[k] if k in verdicts.index and verdicts.loc[k, "status"] else None
        out.append({"task_id": r.task_id, "metric": r.metric, "scope": r.scope, "agency": r.agency, "role": r.role,
                    "own": r.status if r.role == "target" else None,
                    "province": None if v is None else str(v["status"]),
                    "n_ok": None if v is None or v["judge"] != "each" else int(v["n_ok"]),
                    "n_units": None if v is None or v["judge"] != "each" else int(v["n_units"])})
    return out


def _own_badge(r: Any, lang: str) -> str:
    """The unit's own status; a figure beside an aggregate target or a context row has none."""
    vi = lang == "vi"
    if r.role == "unit_figure":
        return badge("neutral", "Không đánh giá riêng (chỉ tiêu tính chung)" if vi else "Not judged per unit")
    if r.role == "context":
        return badge("neutral", "Bối cảnh, không chấm điểm" if vi else "Context, not scored")
    return status_badge(r.status, lang)


def _province_badge(view: dict[str, Any], r: Any, lang: str) -> str:
    """The target's own verdict for the whole province, with how many units meet it when it binds each unit."""
    if view["province"] is None:
        return _own_badge(r, lang) if r.role == "context" else "—"
    out = status_badge(view["province"], lang)
    if view["n_units"] is not None and view["n_units"] > 1:
        out += f" ({view['n_ok']}/{view['n_units']})"
    return out


def rank(ctx: ScorecardContext) -> str:
    """Rank among peers of the same kind on the headline rates where the agency has data: 'hạng 3/19'."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    h = f"<h2>{esc(_t('rank', lang))}</h2>"
    rows = []
    for metric in RANK_METRICS:
        rk = rank_metric(ctx.indicators, ctx.plan, metric)
        mine = rk[rk["agency"] == ctx.agency]
        if mine.empty:
            continue
        r = mine.iloc[0]
        peers = rk[rk["kind"] == ctx.kind]
        best = peers.iloc[0]
        shown = fmt.pct(r["value"], lang)
        if not _nan(r["denominator"]):
            shown += f" ({fmt.number(r['numerator'], lang)}/{fmt.number(r['denominator'], lang)})"
        place = f"{'hạng' if vi else 'rank'} {int(r['rank'])}/{int(r['peers'])}"
        rows.append([_metric_name(ctx, metric), shown, place,
                     f"{fmt.pct(best['value'], lang)} ({ctx.name(str(best['agency']))})"])
    if not rows:
        return h + f"<p>{esc(_t('no_data', lang))}</p>"
    peers_txt = ("các sở, ban, ngành" if ctx.kind == "department" else "các huyện, thị xã, thành phố") if vi else \
        ("departments" if ctx.kind == "department" else "districts")
    note = (f"Xếp hạng trong {peers_txt} theo số lũy kế, 1 = tốt nhất; bằng nhau cùng hạng." if vi else
            f"Rank among {peers_txt} on year-to-date figures, 1 = best; ties share the better rank.")
    headers = (["Chỉ số", "Giá trị lũy kế", "Hạng", "Tốt nhất trong nhóm"] if vi else
               ["Measure", "Year to date", "Rank", "Best among peers"])
    return h + f'<p class="note">{esc(note)}</p>' + table(headers, rows, numeric_cols=[1, 2])


def data_quality(ctx: ScorecardContext) -> str:
    """This agency's files this quarter (verdict, issues with row/column/value) and the datasets it has not sent."""
    lang, vi = ctx.lang, ctx.lang == "vi"

    def title(ds: str) -> str:
        return dataset_title(ds, lang)

    h = f"<h2>{esc(_t('quality', lang))} — {esc(ctx.quarter.label(lang))}</h2>"
    files, details, missing = [], [], []
    for ds in ctx.manifest.get("datasets", []):
        for f in ds["files"]:
            if f["agency"] != ctx.agency:
                continue
            cls, v_vi, v_en = VERDICT.get(f["verdict"], ("neutral", f["verdict"], f["verdict"]))
            shown = [i for i in f["issues"] if i.get("severity") != "info"]
            n_rej = sum(1 for i in shown if i.get("severity") == "reject")
            files.append([title(ds["dataset"]), Path(f["path"]).name, badge(cls, v_vi if vi else v_en),
                          str(f.get("rows_read", "")), f"{len(shown)} ({n_rej} {'lỗi' if vi else 'errors'})"])
            for i in shown[:MAX_ISSUES_SHOWN]:
                details.append([Path(f["path"]).name, "" if i.get("row") is None else str(i["row"]),
                                i.get("column", "") or "", "" if i.get("value") is None else str(i["value"]),
                                i.get("vi" if vi else "en", "")])
            if len(shown) > MAX_ISSUES_SHOWN:
                details.append([Path(f["path"]).name, "", "", "",
                                f"… {len(shown) - MAX_ISSUES_SHOWN} {'vấn đề khác' if vi else 'more'}"])
        if ctx.agency in ds.get("missing_submitters", []):
            missing.append([title(ds["dataset"]), badge("no_data", _t("missing", lang))])
    out = [h]
    if files:
        out.append(table(["Bộ dữ liệu", "Tệp", "Kết quả", "Số dòng", "Số vấn đề"] if vi else
                         ["Dataset", "File", "Verdict", "Rows", "Issues"], files, raw_cols=[2], numeric_cols=[3, 4]))
    else:
        out.append(f"<p>{esc('Đơn vị không nộp tệp nào trong quý.' if vi else 'No file from this unit this quarter.')}</p>")
    if details:
        out.append(table(["Tệp", "Dòng", "Cột", "Giá trị", "Nội dung"] if vi else
                         ["File", "Row", "Column", "Value", "Message"], details,
                         caption="Các vấn đề đầu tiên" if vi else "First issues"))
    if missing:
        out.append(table(["Bộ dữ liệu phải nộp" if vi else "Expected dataset", "Kết quả" if vi else "Status"],
                         missing, raw_cols=[1]))
    href = f"{ctx.dq_page}#{ctx.agency}"
    out.append(f'<p class="note">{esc("Chi tiết từng quy tắc: " if vi else "Every rule in detail: ")}'
               f'<a href="{esc(href)}">{esc(_t("quality_page", lang))}</a></p>')
    return "\n".join(out)


def footer(ctx: ScorecardContext) -> str:
    """Provenance: this agency's input files of the year to date with SHA-256 prefixes, and the parameters."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    files = []
    for x, m in ctx.manifests.items():
        for ds in m.get("datasets", []):
            for f in ds["files"]:
                if f["agency"] == ctx.agency:
                    files.append(f"{x} {f['path']} (SHA-256 {f['sha256'][:12]}…)")
    params = json.dumps({"quarter": str(ctx.quarter), "agency": ctx.agency, "lang": lang, "data_root": str(ctx.data_root),
                         "sample_data": ctx.sample, "parplan": __version__}, ensure_ascii=False, sort_keys=True)
    text = ("Số liệu lấy từ data/processed/<quý>/ (progress, task_progress, indicators, task_status, manifest). "
            "Một số chỉ số của đơn vị được tính từ tệp của cơ quan khác (ví dụ giải ngân do Sở Kế hoạch và Đầu tư nộp)."
            if vi else
            "Figures come from data/processed/<quarter>/ (progress, task_progress, indicators, task_status, manifest). "
            "Some of the unit's figures come from other agencies' files (e.g. disbursement, sent by Planning and "
            "Investment).")
    listed = "; ".join(files) if files else ("không có tệp" if vi else "no files")
    return (f"<footer><h2>{esc(_t('provenance', lang))}</h2><p>{esc(text)}</p>"
            f"<p>{'Tệp của đơn vị' if vi else 'Files of this unit'}: <code>{esc(listed)}</code><br>"
            f"{'Tham số' if vi else 'Parameters'}: <code>{esc(params)}</code></p></footer>")
