"""Sections of the quarterly overview report, built from processed data (the notebook only calls these)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalogue import Plan, Target, Task, quarter_plan
from ..ingest import load_manifest
from ..periods import Quarter
from ..privacy import mask_manifest
from ..progress import (
    SCOPE_GROUP,
    SCOPE_KIND,
    at_level,
    context_below,
    forecast_misses,
    label,
    level_target,
    status_counts,
    target_verdicts,
)
from ..store import Store
from . import charts, fmt
from .html import VERDICT, badge, esc, table
from .page import check_lang, read_table

L = {
    "province": {"vi": "tỉnh Quảng Nam", "en": "Quảng Nam province"},
    "agency": {"vi": "Cơ quan, đơn vị", "en": "Agency"},
    "quarter": {"vi": "Trong quý", "en": "In the quarter"},
    "target": {"vi": "Chỉ tiêu", "en": "Target"},
    "status": {"vi": "Đánh giá (lũy kế)", "en": "Assessment (year to date)"},
    "met": {"vi": "Đạt", "en": "Met"}, "not_met": {"vi": "Chưa đạt", "en": "Not met"},
    "no_data": {"vi": "Không có dữ liệu", "en": "No data"},
    "rejected": {"vi": "Tệp bị từ chối", "en": "File rejected"},
    "missing": {"vi": "Chưa nộp", "en": "Not submitted"},
    "group_total": {"vi": "Chung (tỷ lệ của tổng)", "en": "All (ratio of sums)"},
}


def t(key: str, lang: str) -> str:
    """Label in the report language."""
    return L[key][lang]


def title(plan: Plan, lang: str) -> str:
    """The report's title, naming the plan as the plan data does."""
    short = plan.title(lang, short=True)
    return f"Báo cáo tiến độ {short}" if lang == "vi" else f"Progress report: {short}"


@dataclass
class Context:
    """Everything one overview report needs, loaded once."""

    quarter: Quarter
    lang: str
    data_root: Path  # the `data_root` parameter as given (shown in the provenance line)
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
            if ds["dataset"] != "tthc_dossiers":
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



def _figure(baseline: dict[str, Any], key: str) -> Any:
    """The value of one baseline figure (None when the plan does not give it)."""
    return (baseline.get(key) or {}).get("value")


def _rank(baseline: dict[str, Any], lang: str) -> str:
    """'57/63', or '—' when the plan gives no rank."""
    r = baseline.get("rank") or {}
    return "—" if r.get("value") is None else f"{fmt.number(r['value'], lang)}/{fmt.number(r.get('of'), lang)}"


def baseline_line(plan: Plan, lang: str) -> str:
    """'Năm <baseline>: PAR INDEX … điểm, xếp hạng …; SIPAS …/10. Mục tiêu năm <plan>: …' from the plan's data."""
    par, sip = plan.indices["par_index"]["baseline"], plan.indices["sipas"]["baseline"]
    goal = plan.meta["goal"]
    points, score = fmt.number(_figure(par, "total_points"), lang, 2), fmt.number(_figure(sip, "score_10"), lang, 2)
    if lang == "vi":
        return (f"Năm {par['year']}: PAR INDEX {points} điểm, xếp hạng {_rank(par, lang)}; SIPAS {score}/10. "
                f"Mục tiêu năm {plan.year}: nằm trong nhóm {goal['rank_at_most']} tỉnh, thành phố dẫn đầu.")
    return (f"{par['year']}: PAR INDEX {points} points, rank {_rank(par, lang)}; SIPAS {score}/10. "
            f"{plan.year} goal: top {goal['rank_at_most']} of {goal['of']} provinces.")


def header(ctx: Context) -> str:
    """Title, quarter and the baseline the plan starts from, as the plan gives them."""
    lang = ctx.lang
    base = baseline_line(ctx.plan, lang)
    if lang == "vi":
        sub = f"{ctx.quarter.label(lang)} — {ctx.quarter.ytd_label(lang)} (đến {fmt.date(ctx.quarter.end)})"
    else:
        sub = f"{ctx.quarter.label(lang)} — {ctx.quarter.ytd_label(lang)} (to {fmt.date(ctx.quarter.end)})"
    return (f"<h1>{esc(title(ctx.plan, lang))} — {esc(t('province', lang))}</h1>"
            f"<p><strong>{esc(sub)}</strong></p><p class=\"note\">{esc(base)}</p>")


def province_target(plan: Plan, metric: str) -> Target | None:
    """The plan's province-wide target on a metric (the first in plan order), None when the plan sets none."""
    return next((tg for tg in plan.targets if tg.metric == metric and tg.scope == "province" and tg.role == "target"
                 and not tg.from_date and not tg.as_of), None)


KPIS = (("ontime_rate", "Hồ sơ giải quyết đúng hạn (toàn tỉnh)", "Dossiers resolved on time (province)"),
        ("online_dossier_share", "Hồ sơ giải quyết trực tuyến", "Dossiers resolved online"),
        ("online_payment_rate", "Thanh toán trực tuyến", "Online payment"))


def kpis(ctx: Context) -> str:
    """Headline figures for the province, year to date, with the plan's province-wide target where it sets one."""
    lang = ctx.lang
    items = []
    for metric, vi, en in KPIS:
        tg = province_target(ctx.plan, metric) if metric != "ontime_rate" else None
        task_id = tg.task_id if tg else None
        name = vi if lang == "vi" else en
        if tg:
            name += f" ({'chỉ tiêu' if lang == 'vi' else 'target'} {tg.describe(lang)})"
        d = ctx.ind(metric, "YTD")
        if "PROVINCE" not in d.index:
            continue
        r = d.loc["PROVINCE"]
        if not r.denominator > 0:  # nothing to divide by (e.g. the column is not in this quarter's exports)
            continue
        sub = f"{fmt.number(r.numerator, lang)} / {fmt.number(r.denominator, lang)}"
        mark = ""
        p = ctx.progress
        if task_id and len(p):  # the target's own verdict from progress.parquet, never a second one
            v = p[(p["task_id"] == task_id) & (p["metric"] == metric) & (p["role"] == "target")]
            if len(v):
                mark = " " + status_badge(str(v["status"].iloc[0]), lang)
        items.append(f'<div class="kpi"><div class="v">{esc(fmt.pct(r.value, lang))}{mark}</div>'
                     f'<div class="l">{esc(name)}</div><div class="l">{esc(sub)}</div></div>')
    return '<div class="kpis">' + "".join(items) + "</div>"


# the name of each level of unit (its scope and kind: progress.SCOPE_KIND; its group: progress.SCOPE_GROUP)
LEVEL_NAMES = {"each_department": ("Sở, ban, ngành (CQCM cấp tỉnh)", "Provincial departments"),
               "each_district": ("UBND cấp huyện", "District-level People's Committees"),
               "each_commune": ("UBND cấp xã (theo huyện)", "Commune-level People's Committees (by district)")}


def ontime_target(plan: Plan, kind: str) -> Target | None:
    """The plan's on-time target that binds each unit of one kind (department, district, commune_group)."""
    return level_target(plan, "ontime_rate", kind)


def ontime_levels(plan: Plan) -> list[tuple[str, str, str, str, str]]:
    """(task id, kind, group, name vi, name en) of every level the plan sets an on-time target for, in level order."""
    return [(tg.task_id, kind, SCOPE_GROUP[scope], *LEVEL_NAMES[scope]) for scope, kind in SCOPE_KIND.items()
            if (tg := ontime_target(plan, kind)) is not None]


def unit_name(plan: Plan, code: str, lang: str) -> str:
    """Display name of a unit: the plan's registry's, or for a commune of its list 'xã Tam Đàn (Phú Ninh)'."""
    a = plan.agencies.get(code)
    if a:
        return a.name(lang)
    if code.startswith("XA_") and "__" in code and plan.folder is not None:
        from .. import communes

        c = communes.load(plan)
        hit = c[c["unit"] == code]
        if len(hit):
            d = plan.agencies.get(str(hit["district_code"].iloc[0]))
            return f"{hit['unit_type'].iloc[0]} {hit['commune_vi'].iloc[0]}" + (f" ({d.name(lang)})" if d else "")
    return code


def dataset_title(dataset: str, lang: str) -> str:
    """A dataset as reviewers read it: its contract's title in the page's language (the name if it has none)."""
    from ..contracts import load_contract

    try:
        c = load_contract(dataset)
    except Exception:  # a folder with no contract: shown by its name, which is all there is
        return dataset
    return c.title_vi if lang == "vi" else c.title_en


def _agency_name(ctx: Context, code: str) -> str:
    return unit_name(ctx.plan, code, ctx.lang)


SELF_MARK = "◆"
LEGEND = {"vi": "◆ tự báo cáo — số liệu do cơ quan tự báo cáo, chưa đối chiếu với hồ sơ",
          "en": "◆ self-reported — figure reported by the agency itself, not checked against records"}


def self_mark(source: str) -> str:
    """' ◆' after a value the agency reported itself (or a set of values some of which it did)."""
    return f" {SELF_MARK}" if source in ("self_reported", "mixed") else ""


def legend(lang: str) -> str:
    """The one-line legend of the self-reported mark."""
    return f'<p class="note legend">{esc(LEGEND[lang])}</p>'


UNIT_NOUN = {"each_department": ("sở, ban, ngành", "departments"),
             "each_district": ("huyện, thị xã, thành phố", "districts"),
             "each_commune": ("xã (hoặc nhóm xã của huyện)", "communes (or a district's communes together)"),
             "each_agency": ("cơ quan, đơn vị", "agencies")}


def units_line(plan: Plan, verdict: Any, lang: str, max_names: int = 40) -> str:
    """'17/19 sở, ban, ngành đạt; chưa đạt: …; không có dữ liệu: …' for an each-unit target's verdict row."""
    vi = lang == "vi"
    noun = UNIT_NOUN.get(verdict.scope, ("đơn vị", "units"))[0 if vi else 1]
    word = ("đạt" if verdict.final else "đang đạt") if vi else ("meet it" if verdict.final else "on course")

    def names(codes: str) -> str:
        cs = [c for c in codes.split(";") if c]
        shown = ", ".join(unit_name(plan, c, lang) for c in cs[:max_names])
        return shown + (f" (+{len(cs) - max_names})" if len(cs) > max_names else "")
    out = f"{verdict.n_ok}/{verdict.n_units} {noun} {word}"
    if verdict.missing:
        out += ("; chưa đạt: " if vi else "; missing it: ") + names(verdict.missing)
    if verdict.no_data:
        out += ("; chưa có số liệu: " if vi else "; no data: ") + names(verdict.no_data)
    return out


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


def ontime_rows(ctx: Context, task_id: str, kind: str, group: str) -> tuple[list[list[str]], list[dict]]:
    """Rows of the on-time table for one level: every unit with its own status (progress.parquet), then the
    aggregate as a figure without a verdict of its own; plus chart data."""
    lang = ctx.lang
    target = ctx.plan.task(task_id).targets[0]
    q_ind = ctx.ind("ontime_rate", "Q")
    rows, chart = [], []
    for r in level_rows(ctx, task_id).itertuples():
        code = r.agency
        a = ctx.plan.agencies.get(code)
        district = a.district if a is not None and a.kind == "commune_group" else \
            code[3:].split("__")[0] if code.startswith("XA_") and "__" in code else code
        file_status = ctx.file_status(district) if r.role == "target" else "accepted"
        if code in q_ind.index and file_status != "rejected":
            qr = q_ind.loc[code]
            q_cell = f"{fmt.pct(qr.value, lang)} ({fmt.number(qr.numerator, lang)}/{fmt.number(qr.denominator, lang)})"
        else:
            q_cell = t("rejected", lang) if file_status == "rejected" else t("missing", lang) \
                if file_status == "missing" else "—"
        if r.value == r.value:
            y_cell = f"{fmt.pct(r.value, lang)} ({fmt.number(r.numerator, lang)}/{fmt.number(r.denominator, lang)})"
            caution = r.caution_vi if lang == "vi" else r.caution_en
            if caution:
                y_cell += f" — {caution}"
            if file_status in ("rejected", "missing"):
                # never overstate: without this quarter's data the year-to-date figure is incomplete
                y_cell += " — " + ("chỉ gồm các quý đã nộp hợp lệ" if lang == "vi" else "valid quarters only")
        else:
            y_cell = "—"
        if not isinstance(r.verdict, str):  # the aggregate: a figure without a verdict of its own
            st = badge("neutral", "Số chung, không đánh giá riêng" if lang == "vi" else "Figure only, no verdict")
        else:
            st = status_badge(r.verdict, lang)
        name = t("group_total", lang) if r.role == "aggregate_figure" else _agency_name(ctx, code)
        rows.append([name, q_cell, y_cell, target.describe(lang), st])
        if r.role == "target":
            chart.append({"label": name, "value": r.value, "met": at_level(r.status)})
    return rows, chart


def ontime_section(ctx: Context) -> str:
    """On-time resolution per agency by level against the plan's targets (e.g. A.IV.4.1–4.3), with charts."""
    lang = ctx.lang
    ytd = ctx.quarter.ytd_label(lang)
    from ..metrics import formula_text  # the definition as metrics.yaml states it

    formula = formula_text(ctx.plan.metrics["ontime_rate"], lang)
    out = [f"<h2>{'Tỷ lệ hồ sơ giải quyết đúng hạn' if lang == 'vi' else 'Dossiers resolved on time'}</h2>",
           "<p class=\"note\">" + esc(
               f"Công thức: {formula} (dòng chung: tỷ lệ của tổng, chỉ là số liệu, không đánh giá riêng). Chỉ tiêu áp "
               "dụng cho từng đơn vị và là chỉ tiêu cả năm: đánh giá dựa trên số lũy kế đến hết quý ('Đang đạt' trước "
               "thời hạn), chốt 'Đạt' / 'Không đạt' khi có số liệu cả năm."
               if lang == "vi" else
               f"Formula: {formula} (the 'all' row: ratio of sums, a figure without a verdict of its own). The targets "
               "bind each unit and are annual: the assessment uses the year-to-date figure ('On course' before the due "
               "date) and settles as 'Met' / 'Not met' once the year's data are in.") + "</p>"]
    headers = [t("agency", lang), f"{t('quarter', lang)} ({ctx.quarter.label(lang)})", ytd, t("target", lang), t("status", lang)]
    for task_id, kind, group, vi, en in ontime_levels(ctx.plan):
        rows, chart = ontime_rows(ctx, task_id, kind, group)
        target = ctx.plan.task(task_id).targets[0]
        title = f"{vi if lang == 'vi' else en} — {task_id}"
        out.append(f"<h3>{esc(title)}</h3>")
        v = level_verdict(ctx, task_id)
        if v is not None:
            out.append(f"<p>{status_badge(str(v['status']), lang)} "
                       f"<strong>{esc(units_line(ctx.plan, v, lang))}</strong></p>")
        out.append(forecast_sentence(ctx, task_id, kind))
        out.append(table(headers, rows, raw_cols=[4], numeric_cols=[1, 2]))
        if kind in ("district", "department"):
            fig = charts.threshold_bars(
                [c["label"] for c in chart], [c["value"] for c in chart], target.value, [c["met"] for c in chart],
                title=f"{vi if lang == 'vi' else en}: {ytd}", xlabel="%",
                threshold_label=f"{'chỉ tiêu' if lang == 'vi' else 'target'} {target.describe(lang)}", lang=lang)
            alt = ("Biểu đồ thanh: tỷ lệ đúng hạn lũy kế của từng đơn vị so với chỉ tiêu " if lang == "vi" else
                   "Bar chart: year-to-date on-time rate of each unit against the target ") + target.describe(lang)
            out.append(charts.figure_html(fig, alt))
    return "\n".join(out)


def forecast_sentence(ctx: Context, task_id: str, kind: str) -> str:
    """'On this course, X of N departments will miss > 99 %', from the year-end forecasts in progress.parquet."""
    lang = ctx.lang
    p = ctx.progress
    if p.empty:
        return ""
    target = ctx.plan.task(task_id).targets[0]
    n, miss, sure = forecast_misses(p[(p["task_id"] == task_id) & (p["role"] == "target")], target)
    if not n:
        return ""
    unit = UNIT_NOUN[target.scope]
    if lang == "vi":
        text = (f"Dự báo cuối năm theo tiến độ hiện nay: {miss}/{n} {unit[0]} sẽ không đạt "
                f"{target.describe(lang)} (trong đó {sure} không đạt ngay cả khi các quý còn lại tốt bằng "
                f"quý tốt nhất từ đầu năm). Dự báo: mức lũy kế cộng xu hướng theo quý kéo dài đến cuối năm.")
    else:
        text = (f"Year-end forecast on the current course: {miss} of {n} {unit[1]} will miss "
                f"{target.describe(lang)} ({sure} miss it even if the remaining quarters match their best "
                f"quarter so far). Forecast: the year-to-date level plus the quarterly trend carried to year end.")
    return f"<p><strong>{esc(text)}</strong></p>"


def online_targets_text(plan: Plan, lang: str) -> str:
    """'Chỉ tiêu của tỉnh (A.VIII.3.4.b, A.VIII.3.4.c): hồ sơ trực tuyến ≥ 70 %, …. ' from the plan's targets."""
    words = {"online_dossier_share": ("hồ sơ trực tuyến", "online dossiers"),
             "online_payment_rate": ("thanh toán trực tuyến", "online payment")}
    found = [(tg, words[m][0 if lang == "vi" else 1]) for m in words if (tg := province_target(plan, m))]
    if not found:
        return ""
    ids = ", ".join(tg.task_id for tg, _ in found)
    what = ", ".join(f"{w} {tg.describe(lang)}" for tg, w in found)
    return (f"Chỉ tiêu của tỉnh ({ids}): {what}. " if lang == "vi" else f"Province targets ({ids}): {what}. ")


def online_section(ctx: Context) -> str:
    """Share of dossiers resolved online and online payment, per agency, year to date (A.VIII.3.4)."""
    lang = ctx.lang
    share, pay = ctx.ind("online_dossier_share", "YTD"), ctx.ind("online_payment_rate", "YTD")
    rows = []
    order = [a.code for a in ctx.plan.by_kind("department")] + [a.code for a in ctx.plan.by_kind("district")] + \
            [a.code for a in ctx.plan.by_kind("commune_group")] + ["ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES", "PROVINCE"]
    for code in order:
        if code not in share.index:
            continue
        s = share.loc[code]
        p = pay.loc[code] if code in pay.index else None
        rows.append([_agency_name(ctx, code),
                     f"{fmt.pct(s.value, lang)} ({fmt.number(s.numerator, lang)}/{fmt.number(s.denominator, lang)})",
                     "—" if p is None or not p.denominator > 0 else
                     f"{fmt.pct(p.value, lang)} ({fmt.number(p.numerator, lang)}/{fmt.number(p.denominator, lang)})"])
    h = ("Hồ sơ giải quyết trực tuyến và thanh toán trực tuyến (lũy kế)" if lang == "vi"
         else "Dossiers resolved online and online payment (year to date)")
    from ..metrics import formula_text  # the definition as metrics.yaml states it: one definition per metric

    share_def, pay_def = (formula_text(ctx.plan.metrics[m], lang) for m in ("online_dossier_share", "online_payment_rate"))
    note = online_targets_text(ctx.plan, lang) + (
        f"Trực tuyến = {share_def}. Thanh toán trực tuyến = {pay_def}." if lang == "vi" else
        f"Online = {share_def}. Online payment = {pay_def}.")
    headers = [t("agency", lang), "Trực tuyến" if lang == "vi" else "Online",
               "Thanh toán trực tuyến" if lang == "vi" else "Paid online"]
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[1, 2])




def data_quality_section(ctx: Context) -> str:
    """Files accepted / rejected per quarter of the year to date, every finding with file, row, column, value, rule."""
    lang = ctx.lang
    out = [f"<h2>{'Chất lượng dữ liệu' if lang == 'vi' else 'Data quality'}</h2>",
           "<p class=\"note\">" + ("Chi tiết từng cơ quan, từng quy tắc: " if lang == "vi" else "Per agency and rule: ")
           + f'<a href="data-quality.html">{"Chất lượng dữ liệu" if lang == "vi" else "Data quality"}</a></p>']
    for x, m in ctx.manifests.items():
        for ds in m["datasets"]:
            files = ds["files"]
            counts = {k: sum(1 for f in files if f["verdict"] == k) for k in VERDICT}
            summary = (f"{x.label(lang)} — {dataset_title(ds['dataset'], lang)}: {len(files)} "
                       + ("tệp" if lang == "vi" else "files") + "; "
                       + "; ".join(f"{VERDICT[k][1 if lang == 'vi' else 2]}: {v}" for k, v in counts.items())
                       + (f"; {'chưa nộp' if lang == 'vi' else 'missing'}: {len(ds['missing_submitters'])}"))
            out.append(f"<h3>{esc(summary)}</h3>")
            rows = []
            for f in files:
                if f["verdict"] == "accepted":
                    continue
                cls, vi, en = VERDICT[f["verdict"]]
                shown = [i for i in f["issues"] if i.get("severity") != "info"][:5] or [{}]
                for i in shown:
                    where = i.get("column", "")
                    rows.append([f["path"], badge(cls, vi if lang == "vi" else en),
                                 "" if i.get("row") is None else str(i["row"]), where, i.get("value", ""),
                                 i.get("vi" if lang == "vi" else "en", "")])
                if len([i for i in f["issues"] if i.get("severity") != "info"]) > len(shown):
                    rows.append([f["path"], "", "", "", "", "… " + ("xem trang Chất lượng dữ liệu" if lang == "vi"
                                                                   else "see the data-quality page")])
            for code in ds["missing_submitters"]:
                rows.append([_agency_name(ctx, code), badge("no_data", t("missing", lang)), "", "", "", ""])
            if rows:
                headers = (["Tệp", "Kết quả", "Dòng", "Cột", "Giá trị", "Lỗi"] if lang == "vi"
                           else ["File", "Verdict", "Row", "Column", "Value", "Rule"])
                out.append(table(headers, rows, raw_cols=[1]))
            else:
                out.append("<p>" + esc("Tất cả các tệp hợp lệ." if lang == "vi" else "All files accepted.") + "</p>")
    return "\n".join(out)


def provenance(ctx: Context) -> str:
    """Footer: git commit, parameters, input-file hashes, package versions: every figure is traceable."""
    lang = ctx.lang
    from .provenance import git_commit, versions

    files = []
    for x, m in ctx.manifests.items():
        for ds in m["datasets"]:
            for f in ds["files"]:
                files.append([str(x), f["path"], f["verdict"], str(f["rows_read"]), f["sha256"][:16] + "…"])
    params = json.dumps({"quarter": str(ctx.quarter), "lang": lang, "data_root": str(ctx.data_root),
                         "sample_data": ctx.sample, **ctx.params}, ensure_ascii=False, sort_keys=True)
    trace = ("Mỗi số liệu truy được về tệp gốc: data/processed/<quý>/tthc_dossiers.parquet giữ cột source_file và "
             "source_row (dòng trong tệp của cơ quan); data/processed/<quý>/indicators.parquet giữ tử số, mẫu số."
             if lang == "vi" else
             "Every figure traces back to its source: data/processed/<quarter>/tthc_dossiers.parquet keeps source_file "
             "and source_row (the row in the agency's file); data/processed/<quarter>/indicators.parquet keeps numerators "
             "and denominators.")
    details = table(["Quý" if lang == "vi" else "Quarter", "Tệp" if lang == "vi" else "File",
                     "Kết quả" if lang == "vi" else "Verdict", "Dòng" if lang == "vi" else "Rows", "SHA-256"], files)
    return (f"<footer><h2>{'Nguồn gốc số liệu' if lang == 'vi' else 'Provenance'}</h2><p>{esc(trace)}</p>"
            f"<p>Git commit: <code>{esc(git_commit())}</code><br>"
            f"{'Tham số' if lang == 'vi' else 'Parameters'}: <code>{esc(params)}</code><br>"
            f"{esc(versions())}</p>"
            f"<details><summary>{'Tệp đầu vào và mã băm' if lang == 'vi' else 'Input files and hashes'}</summary>{details}</details>"
            "</footer>")


STATUS_BADGE = {"met": "met", "done": "met", "on_course": "ok", "on_track": "ok", "in_progress": "warn",
                "at_risk": "warn", "done_no_evidence": "warn", "not_yet_due": "neutral", "off_track": "not_met",
                "not_met": "not_met", "overdue": "not_met", "not_started": "not_met", "no_report": "no_data",
                "no_data": "no_data", "not_measurable": "neutral"}


def status_badge(status: str, lang: str) -> str:
    """A status pill with the reviewer label."""
    return badge(STATUS_BADGE.get(status, "neutral"), label(status, lang))


ACRONYMS = {"CCHC", "TTHC", "PAR", "INDEX", "SIPAS", "KT-XH", "(TTHC)", "(PAR", "INDEX)"}


def _sentence_case(title: str) -> str:
    """'CẢI CÁCH THỂ CHẾ' -> 'Cải cách thể chế', keeping acronyms such as CCHC and TTHC."""
    if not title.isupper():
        return title
    words = title.split()
    out = [w if w.strip("“”\"(),") in ACRONYMS or w in ACRONYMS else w.lower() for w in words]
    first = out[0]
    out[0] = first[:1].upper() + first[1:]
    return " ".join(out)


def progress_by_field(ctx: Context) -> str:
    """How many tasks of each section (A.I–A.IX, B.I–B.V) are in each status."""
    lang = ctx.lang
    if ctx.tasks.empty:
        return ""
    total = status_counts(ctx.tasks["status"])
    present = list(total)
    rows = []
    for sec in [t for t in ctx.plan.tasks if t.parent in ("A", "B")]:
        g = ctx.tasks[(ctx.tasks["index"] == sec.index) & (ctx.tasks["field"] == sec.field)]
        title = sec.task_vi if lang == "vi" else (sec.task_en or sec.task_vi)
        counts = status_counts(g["status"])
        rows.append([f"{sec.id} {_sentence_case(title)}"] + [str(counts.get(s, 0)) for s in present] + [str(len(g))])
    totals = ["Tổng" if lang == "vi" else "Total"] + [str(total[s]) for s in present] + [str(len(ctx.tasks))]
    rows.append(totals)
    h = "Tiến độ theo lĩnh vực (số nhiệm vụ)" if lang == "vi" else "Progress by section (number of tasks)"
    note = ("Trạng thái mỗi nhiệm vụ lấy từ các chỉ tiêu định lượng của nhiệm vụ (số liệu lũy kế) hoặc, nếu không có "
            "chỉ tiêu, từ báo cáo của cơ quan chủ trì. Phương pháp: docs/method.md." if lang == "vi" else
            "Each task's status comes from its quantitative targets (year-to-date data) or, where it has none, from "
            "the lead agencies' reports. Method: docs/method.md.")
    headers = ["Lĩnh vực" if lang == "vi" else "Section"] + [label(s, lang) for s in present] + \
        ["Tổng" if lang == "vi" else "Total"]
    return (f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" +
            table(headers, rows, numeric_cols=list(range(1, len(present) + 2))))


def target_evidence(ctx: Context, task: Task, verdicts: pd.DataFrame) -> list[str]:
    """One line per target of a task: the number that decides it (each unit: '17/19 sở đạt; chưa đạt: …'),
    the aggregate as a figure, a small-denominator caution, the self-reported mark; context and unmeasurable said so."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    prog = ctx.progress
    out = []
    for tg in task.targets:
        rows = prog[(prog["task_id"] == task.id) & (prog["metric"] == tg.metric) & (prog["scope"] == tg.scope)]
        v = verdicts[(verdicts["task_id"] == task.id) & (verdicts["metric"] == tg.metric)
                     & (verdicts["scope"] == tg.scope)]
        if rows.empty or v.empty:
            continue
        v = v.iloc[0]
        head = tg.describe(lang)
        if v["role"] == "context":
            what = ("bối cảnh trước khi ban hành Kế hoạch, không chấm điểm" if vi else
                    "context from before the plan was issued, not scored")
            n, below = context_below(rows, tg)
            out.append(f"{head}: {what}; " + (f"{below}/{n} đơn vị dưới ngưỡng tại "
                                               if vi else f"{below} of {n} units below it at ")
                       + fmt.date(tg.as_of or ctx.quarter.end))
            continue
        if v["status"] == "not_measurable":
            m = ctx.plan.metrics.get(tg.metric, {})
            why = (m.get("unmeasurable_reason_vi") or "") if vi else (tg.reason or m.get("unmeasurable_reason", ""))
            out.append(f"{head}: {label('not_measurable', lang)}" + (f" — {why}" if why else ""))
            continue
        if v["judge"] == "each" and tg.scope != "each_record":
            line = f"{head}: {units_line(ctx.plan, v, lang)}{self_mark(v['source'])}"
            agg = rows[rows["role"] == "aggregate_figure"]
            if len(agg) and agg["value"].iloc[0] == agg["value"].iloc[0]:
                a = agg.iloc[0]
                line += (f" (chung: {fmt.pct(a.value, lang)}, không đánh giá riêng)" if vi else
                         f" (all together: {fmt.pct(a.value, lang)}, figure only)")
            out.append(line)
            continue
        d = rows[rows["role"] == "target"].iloc[0]
        if d["value"] == d["value"]:
            shown = fmt.pct(d["value"], lang) if d["unit"] == "fraction" else fmt.number(d["value"], lang, 1)
            if d["denominator"] == d["denominator"] and d["unit"] == "fraction":
                shown += f" ({fmt.number(d['numerator'], lang)}/{fmt.number(d['denominator'], lang)})"
            caution = d["caution_vi"] if vi else d["caution_en"]
            shown += (f" — {caution}" if caution else "") + self_mark(d["source"])
        else:
            shown = "—"
        out.append(f"{head}: {shown} ({_agency_name(ctx, d['agency'])})")
    return out


def each_unit_view(ctx: Context) -> pd.DataFrame:
    """View of the each-unit section: the verdict row (progress.target_verdicts) of every measurable target that
    binds each unit."""
    if ctx.progress.empty:
        return pd.DataFrame()
    v = target_verdicts(ctx.progress)
    return v[(v["judge"] == "each") & (v["role"] == "target") & (v["scope"] != "each_record")
             & (v["status"] != "not_measurable")]


def each_unit_section(ctx: Context) -> str:
    """Every target that binds each unit: its verdict, how many units meet it, who misses it, who has no data."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    v = each_unit_view(ctx)
    if v.empty:
        return ""
    rows = []
    for r in v.itertuples():
        tg = next(x for x in ctx.plan.task(r.task_id).targets if x.metric == r.metric and x.scope == r.scope)
        what = (tg.text_vi or tg.metric) if vi else (ctx.plan.metrics.get(tg.metric, {}).get("name_en") or tg.metric)

        def names(codes: str) -> str:
            return ", ".join(unit_name(ctx.plan, c, lang) for c in codes.split(";") if c) or "—"
        noun = UNIT_NOUN.get(r.scope, ("đơn vị", "units"))[0 if vi else 1]
        rows.append([r.task_id, f"{what} ({tg.describe(lang)})", status_badge(r.status, lang) + esc(self_mark(r.source)),
                     f"{r.n_ok}/{r.n_units} {noun}", names(r.missing), names(r.no_data)])
    h = "Chỉ tiêu áp dụng cho từng đơn vị" if vi else "Targets that bind each unit"
    note = ("Chỉ tiêu chỉ đạt khi mọi đơn vị trong phạm vi đạt; đơn vị chưa có số liệu không được coi là đạt." if vi else
            "A target is met only when every unit in its scope meets it; a unit without data does not count as meeting it.")
    headers = (["Mã", "Chỉ tiêu", "Đánh giá", "Số đơn vị đạt", "Chưa đạt", "Chưa có số liệu"] if vi else
               ["ID", "Target", "Status", "Units at its level", "Missing it", "No data"])
    return (f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + legend(lang)
            + table(headers, rows, raw_cols=[2]))


def _report_text(r: Any, lang: str) -> str:
    """The lead agencies' reports in words of the page's language."""
    if lang == "vi":
        return f"Báo cáo: {label(r.report_status, 'vi').lower()} ({r.n_reports} báo cáo của cơ quan chủ trì)"
    return f"Reports: {r.report_basis}"


def task_rows(ctx: Context) -> list[dict[str, Any]]:
    """View of the task table: every task with its status as task_progress.parquet has it, text, lead, due date and
    the numbers behind the status."""
    lang = ctx.lang
    out: list[dict[str, Any]] = []
    verdicts = target_verdicts(ctx.progress) if len(ctx.progress) else pd.DataFrame()
    for r in ctx.tasks.itertuples():
        task = ctx.plan.task(r.task_id)
        evidence = target_evidence(ctx, task, verdicts) if len(verdicts) else []
        if r.status_from == "reports" or not evidence:
            evidence.append(_report_text(r, lang))
        due = fmt.date(r.due) if r.due else {"recurring": "Thường xuyên" if lang == "vi" else "Recurring",
                                              "external": "Theo kế hoạch cấp trên" if lang == "vi" else "External schedule",
                                              "none": "—"}[r.schedule_kind]
        out.append({"task_id": r.task_id, "text": task.task_vi if lang == "vi" else (task.task_en or task.task_vi),
                    "lead": ", ".join(_agency_name(ctx, c) for c in task.lead), "due": due, "status": r.status,
                    "source": r.source, "evidence": evidence})
    return out


def progress_tasks(ctx: Context) -> str:
    """Every task of the plan with its status, due date, lead agencies and the numbers behind the status."""
    lang = ctx.lang
    if ctx.tasks.empty:
        return ""
    rows = [[r["task_id"], r["text"], r["lead"], r["due"], status_badge(r["status"], lang) + esc(self_mark(r["source"])),
             "; ".join(r["evidence"])] for r in task_rows(ctx)]
    h = "Tiến độ từng nhiệm vụ" if lang == "vi" else "Progress of every task"
    note = ("Chỉ tiêu áp dụng cho từng đơn vị: chỉ đạt khi mọi đơn vị trong phạm vi đạt; đơn vị chưa có số liệu được "
            "nêu tên. Tỷ lệ đếm đủ mọi hồ sơ, không phải mẫu: không có khoảng tin cậy. Trước thời hạn, chỉ tiêu đang ở "
            "mức yêu cầu ghi 'Đang đạt', chưa ghi 'Đạt'." if lang == "vi" else
            "A target that binds each unit is met only when every unit in scope meets it; units without data are "
            "named. Rates count every dossier, not a sample: no confidence interval. Before the due date a target at "
            "its level reads 'On course', not 'Met'.")
    headers = (["Mã", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Trạng thái", "Căn cứ"] if lang == "vi" else
               ["ID", "Task", "Lead", "Due", "Status", "Basis"])
    return (f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + legend(lang)
            + table(headers, rows, raw_cols=[4]))


LAGGARD_MEASURE = {"ontime_rate": ("đúng hạn lũy kế", "on time (YTD)"), "disbursement_rate": ("giải ngân", "disbursed")}


def laggard_measure(key: str, lang: str) -> str:
    """'đúng hạn lũy kế', or for a list taken at a date 'giải ngân tại 30/04/2023' (the date from the key)."""
    metric, _, day = key.partition("@")
    vi, en = LAGGARD_MEASURE.get(metric, (metric, metric))
    word = vi if lang == "vi" else en
    return f"{word} {'tại' if lang == 'vi' else 'at'} {fmt.date(day)}" if day else word


def context_laggard_targets(plan: Plan) -> list[Target]:
    """The context targets behind the plan's laggard lists (lists the plan took from before it was issued)."""
    out = []
    for lag in plan.indices.get("laggards") or ():
        task = plan.task(lag["task_id"])
        out += [tg for tg in task.targets if tg.metric == lag["metric"] and tg.role == "context" and tg not in out]
    return out


def context_list_text(tg: Target, lang: str) -> str:
    """'Danh sách giải ngân dưới 20 % tại 30/04/2023 có trước khi ban hành Kế hoạch: …' for one context target."""
    measure = laggard_measure(tg.metric, lang)
    side = ("dưới", "below") if tg.direction == "higher" else ("trên", "above")
    level = fmt.pct(tg.value, lang, 0) if tg.unit == "fraction" else fmt.number(tg.value, lang)
    day = fmt.date(tg.as_of or tg.from_date) if (tg.as_of or tg.from_date) else ""
    if lang == "vi":
        return (f"Danh sách {measure} {side[0]} {level}" + (f" tại {day}" if day else "")
                + " có trước khi ban hành Kế hoạch: chỉ để tham khảo, không chấm điểm.")
    return (f"The list of units {side[1]} {level} {measure}" + (f" at {day}" if day else "")
            + " predates the plan: context, not scored.")


def laggards_section(ctx: Context) -> str:
    """The agencies the plan names as lagging (A.IV.4.4, A.VII.1.1): where they stand now, rank among peers."""
    from ..rankings import laggards_now

    lang = ctx.lang
    if not ctx.plan.indices.get("laggards"):  # a plan may name no laggards
        return ""
    lag = laggards_now(ctx.indicators, ctx.plan)
    if lag.empty:
        return ""
    rows = []
    vi = lang == "vi"
    p = ctx.progress
    own = {}  # the unit's own status on the on-time target of its level: the same verdict as everywhere else
    if len(p):
        for task_id, _kind, _group, _vi, _en in ontime_levels(ctx.plan):
            for x in p[(p["task_id"] == task_id) & (p["role"] == "target")].itertuples():
                own[x.agency] = x.status
    for r in lag.itertuples():
        if bool(r.context):
            val = fmt.pct(r.value, lang) if r.value == r.value else "—"
            if r.value_now == r.value_now:
                val += (f"; nay {fmt.pct(r.value_now, lang)}" if vi else f"; now {fmt.pct(r.value_now, lang)}")
            rk = f"{r.rank}/{r.peers}" if r.value == r.value else "—"
            st = badge("neutral", "Bối cảnh, không chấm điểm" if vi else "Context, not scored")
        elif r.value == r.value:
            val = fmt.pct(r.value, lang)
            rk = f"{r.rank}/{r.peers}"
            st = status_badge(own[r.agency], lang) if r.agency in own else \
                badge("neutral", "Đánh giá theo từng xã" if vi else "Judged per commune")
        else:
            val, rk, st = "—", "—", status_badge(own.get(r.agency, "no_data"), lang)
        rows.append([r.task_id, _agency_name(ctx, r.agency), laggard_measure(r.metric, lang), val, rk, st])
    h = "Các đơn vị Kế hoạch nêu tên là chậm: nay ra sao?" if lang == "vi" else "Units the plan names as lagging: where are they now?"
    ids = ", ".join(x[0] for x in ontime_levels(ctx.plan))
    note = ("Hạng: thứ hạng trong nhóm cùng loại (sở; huyện; xã theo huyện), 1 = tốt nhất. Đánh giá: trạng thái của "
            f"chính đơn vị ở chỉ tiêu đúng hạn của cấp mình ({ids})." if vi else
            "Rank: among peers of the same kind (departments; districts; communes by district), 1 = best. "
            f"Assessment: the unit's own status on its level's on-time target ({ids}).")
    note = " ".join([note] + [context_list_text(tg, lang) for tg in context_laggard_targets(ctx.plan)])
    headers = (["Nhiệm vụ", "Đơn vị", "Chỉ số", "Giá trị", "Hạng", "Đánh giá"] if lang == "vi" else
               ["Task", "Unit", "Measure", "Value", "Rank", "Assessment"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, raw_cols=[5], numeric_cols=[3, 4])
