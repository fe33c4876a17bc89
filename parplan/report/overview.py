"""Sections of the quarterly overview report, built from processed data (the notebook only calls these)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import catalogue
from ..ingest import load_manifest, processed_dir
from ..periods import Quarter
from . import charts, fmt
from .html import VERDICT, badge, esc, table

L = {
    "title": {"vi": "Báo cáo tiến độ Kế hoạch cải thiện Chỉ số PAR INDEX và SIPAS năm 2023",
              "en": "Progress report: 2023 plan to improve the PAR INDEX and SIPAS"},
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


@dataclass
class Context:
    """Everything one overview report needs, loaded once."""

    quarter: Quarter
    lang: str
    data_root: Path
    sample: bool
    indicators: pd.DataFrame
    manifests: dict[str, dict[str, Any]]
    cat: catalogue.Catalogue
    params: dict[str, Any] = field(default_factory=dict)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)

    def ind(self, metric: str, period: str) -> pd.DataFrame:
        """Indicator rows of one metric and period, indexed by agency."""
        d = self.indicators
        return d[(d.metric == metric) & (d.period == period)].set_index("agency")

    def file_status(self, agency: str) -> str:
        """This quarter's submission status of an agency: accepted | accepted_with_warnings | rejected | missing."""
        m = self.manifests.get(str(self.quarter))
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
                 params: dict[str, Any] | None = None) -> Context:
    """Read the quarter's indicators and the manifests of every quarter of the year to date."""
    q = Quarter.parse(quarter)
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    root = Path(data_root)
    ind = pd.read_parquet(processed_dir(root, q) / "indicators.parquet")
    manifests = {str(x): load_manifest(x, root) for x in q.quarters_to_date()}
    folder = processed_dir(root, q)
    prog = pd.read_parquet(folder / "progress.parquet") if (folder / "progress.parquet").exists() else pd.DataFrame()
    tasks = pd.read_parquet(folder / "task_progress.parquet") if (folder / "task_progress.parquet").exists() \
        else pd.DataFrame()
    return Context(q, lang, root, sample_data, ind, manifests, catalogue.load(), params or {}, prog, tasks)


def header(ctx: Context) -> str:
    """Title, quarter and the 2022 baseline the plan starts from."""
    lang = ctx.lang
    ix = ctx.cat.indices
    par, sip, goal = ix["par_index_2022"], ix["sipas_2022"], ix["goal_2023"]
    if lang == "vi":
        base = (f"Năm 2022: PAR INDEX {fmt.number(par['total_points']['value'], lang, 2)} điểm, "
                f"xếp hạng {par['rank']['value']}/{par['rank']['of']}; SIPAS {fmt.number(sip['score_10']['value'], lang, 2)}/10. "
                f"Mục tiêu năm 2023: nằm trong nhóm {goal['rank_at_most']} tỉnh, thành phố dẫn đầu.")
        sub = f"{ctx.quarter.label(lang)} — {ctx.quarter.ytd_label(lang)} (đến {fmt.date(ctx.quarter.end)})"
    else:
        base = (f"2022: PAR INDEX {fmt.number(par['total_points']['value'], lang, 2)} points, rank "
                f"{par['rank']['value']}/{par['rank']['of']}; SIPAS {fmt.number(sip['score_10']['value'], lang, 2)}/10. "
                f"2023 goal: top {goal['rank_at_most']} of {goal['of']} provinces.")
        sub = f"{ctx.quarter.label(lang)} — {ctx.quarter.ytd_label(lang)} (to {fmt.date(ctx.quarter.end)})"
    return (f"<h1>{esc(t('title', lang))} — {esc(t('province', lang))}</h1>"
            f"<p><strong>{esc(sub)}</strong></p><p class=\"note\">{esc(base)}</p>")


def kpis(ctx: Context) -> str:
    """Headline figures for the province, year to date."""
    lang = ctx.lang
    items = []
    for metric, vi, en, target in (
        ("ontime_rate", "Hồ sơ giải quyết đúng hạn (toàn tỉnh)", "Dossiers resolved on time (province)", None),
        ("online_dossier_share", "Hồ sơ giải quyết trực tuyến (chỉ tiêu ≥ 70 %)", "Dossiers resolved online (target ≥ 70 %)", 0.70),
        ("online_payment_rate", "Thanh toán trực tuyến (chỉ tiêu ≥ 80 %)", "Online payment (target ≥ 80 %)", 0.80),
    ):
        d = ctx.ind(metric, "YTD")
        if "PROVINCE" not in d.index:
            continue
        r = d.loc["PROVINCE"]
        sub = f"{fmt.number(r.numerator, lang)} / {fmt.number(r.denominator, lang)}"
        mark = ""
        if target is not None and r.value == r.value:
            ok = r.value >= target
            mark = " " + badge("met" if ok else "not_met", t("met" if ok else "not_met", lang))
        items.append(f'<div class="kpi"><div class="v">{esc(fmt.pct(r.value, lang))}{mark}</div>'
                     f'<div class="l">{esc(vi if lang == "vi" else en)}</div><div class="l">{esc(sub)}</div></div>')
    return '<div class="kpis">' + "".join(items) + "</div>"


LEVELS = [
    ("A.IV.4.1", "department", "ALL_DEPARTMENTS", "Sở, ban, ngành (CQCM cấp tỉnh)", "Provincial departments"),
    ("A.IV.4.2", "district", "ALL_DISTRICTS", "UBND cấp huyện", "District-level People's Committees"),
    ("A.IV.4.3", "commune_group", "ALL_COMMUNES", "UBND cấp xã (theo huyện)", "Commune-level People's Committees (by district)"),
]


def _agency_name(ctx: Context, code: str) -> str:
    a = ctx.cat.agencies.get(code)
    return a.name(ctx.lang) if a else code


def ontime_rows(ctx: Context, task_id: str, kind: str, group: str) -> tuple[list[list[str]], list[dict]]:
    """Rows of the on-time table for one level (agencies in registry order, then the group), plus chart data."""
    lang = ctx.lang
    target = ctx.cat.task(task_id).targets[0]
    q_ind, y_ind = ctx.ind("ontime_rate", "Q"), ctx.ind("ontime_rate", "YTD")
    rows, chart = [], []
    codes = [a.code for a in ctx.cat.by_kind(kind)] + [group]
    for code in codes:
        fcode = ctx.cat.agencies[code].district if kind == "commune_group" and code != group else code
        status = ctx.file_status(fcode) if code != group else "accepted"
        if code in q_ind.index and status != "rejected":
            r = q_ind.loc[code]
            q_cell = f"{fmt.pct(r.value, lang)} ({fmt.number(r.numerator, lang)}/{fmt.number(r.denominator, lang)})"
        else:
            q_cell = t("rejected", lang) if status == "rejected" else t("missing", lang) if status == "missing" else "—"
        if code in y_ind.index and y_ind.loc[code].denominator > 0:
            r = y_ind.loc[code]
            y_cell = f"{fmt.pct(r.value, lang)} ({fmt.number(r.numerator, lang)}/{fmt.number(r.denominator, lang)})"
            met = target.is_met_by(r.value)
            st = badge("met" if met else "not_met", t("met" if met else "not_met", lang))
            if status in ("rejected", "missing"):
                # never overstate: without this quarter's data the year-to-date figure is incomplete
                note = "chỉ gồm các quý đã nộp hợp lệ" if lang == "vi" else "valid quarters only"
                y_cell += f" — {note}"
                met = None
                st = badge("warn", "Chưa đánh giá: thiếu dữ liệu quý" if lang == "vi" else "Not assessed: quarter missing")
            value = r.value
        else:
            y_cell, met, value = "—", None, float("nan")
            st = badge("no_data", t("no_data", lang))
        name = t("group_total", lang) if code == group else _agency_name(ctx, code)
        rows.append([name, q_cell, y_cell, target.describe(lang), st])
        if code != group:
            chart.append({"label": name, "value": value, "met": met})
    return rows, chart


def ontime_section(ctx: Context) -> str:
    """On-time resolution per agency by level against the plan's targets (A.IV.4.1–4.3), with charts."""
    lang = ctx.lang
    ytd = ctx.quarter.ytd_label(lang)
    out = [f"<h2>{'Tỷ lệ hồ sơ giải quyết đúng hạn' if lang == 'vi' else 'Dossiers resolved on time'}</h2>",
           "<p class=\"note\">" + esc(
               "Công thức: số hồ sơ giải quyết trước hoặc đúng ngày hẹn trả ÷ số hồ sơ đã giải quyết trong kỳ "
               "(nhóm: tỷ lệ của tổng). Chỉ tiêu là chỉ tiêu cả năm; đánh giá dựa trên số lũy kế đến hết quý, còn có thể thay đổi."
               if lang == "vi" else
               "Formula: dossiers resolved on or before the due date ÷ dossiers resolved in the period "
               "(groups: ratio of sums). Targets are annual; the assessment uses the year-to-date figure and may still change.") + "</p>"]
    headers = [t("agency", lang), f"{t('quarter', lang)} ({ctx.quarter.label(lang)})", ytd, t("target", lang), t("status", lang)]
    for task_id, kind, group, vi, en in LEVELS:
        rows, chart = ontime_rows(ctx, task_id, kind, group)
        target = ctx.cat.task(task_id).targets[0]
        title = f"{vi if lang == 'vi' else en} — {task_id}"
        out.append(f"<h3>{esc(title)}</h3>")
        out.append(forecast_sentence(ctx, task_id, kind))
        out.append(table(headers, rows, raw_cols=[4], numeric_cols=[1, 2]))
        if kind in ("district", "department"):
            fig = charts.threshold_bars(
                [c["label"] for c in chart], [c["value"] for c in chart], target.value, [c["met"] for c in chart],
                title=f"{vi if lang == 'vi' else en}: {ytd}", xlabel="%",
                threshold_label=f"{'chỉ tiêu' if lang == 'vi' else 'target'} {target.describe(lang)}")
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
    members = {a.code for a in ctx.cat.by_kind(kind)}
    rows = p[(p["task_id"] == task_id) & p["agency"].isin(members) & p["forecast"].notna()]
    if rows.empty:
        return ""
    target = ctx.cat.task(task_id).targets[0]
    miss = rows[~rows["forecast"].map(target.is_met_by)]
    sure = miss[~miss["forecast_upper"].map(target.is_met_by)]  # even the interval's best end misses
    unit = {"department": ("sở, ban, ngành", "departments"), "district": ("huyện", "districts"),
            "commune_group": ("nhóm xã (theo huyện)", "commune groups")}[kind]
    if lang == "vi":
        text = (f"Dự báo cuối năm theo tiến độ hiện nay: {len(miss)}/{len(rows)} {unit[0]} sẽ không đạt "
                f"{target.describe(lang)} (trong đó {len(sure)} không đạt ngay cả ở cận trên khoảng tin cậy 95 %).")
    else:
        text = (f"Year-end forecast on the current course: {len(miss)} of {len(rows)} {unit[1]} will miss "
                f"{target.describe(lang)} ({len(sure)} miss it even at the upper end of the 95 % interval).")
    return f"<p><strong>{esc(text)}</strong></p>"


def online_section(ctx: Context) -> str:
    """Share of dossiers resolved online and online payment, per agency, year to date (A.VIII.3.4)."""
    lang = ctx.lang
    share, pay = ctx.ind("online_dossier_share", "YTD"), ctx.ind("online_payment_rate", "YTD")
    rows = []
    order = [a.code for a in ctx.cat.by_kind("department")] + [a.code for a in ctx.cat.by_kind("district")] + \
            [a.code for a in ctx.cat.by_kind("commune_group")] + ["ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES", "PROVINCE"]
    for code in order:
        if code not in share.index:
            continue
        s = share.loc[code]
        p = pay.loc[code] if code in pay.index else None
        rows.append([_agency_name(ctx, code),
                     f"{fmt.pct(s.value, lang)} ({fmt.number(s.numerator, lang)}/{fmt.number(s.denominator, lang)})",
                     "—" if p is None else f"{fmt.pct(p.value, lang)} ({fmt.number(p.numerator, lang)}/{fmt.number(p.denominator, lang)})"])
    h = ("Hồ sơ giải quyết trực tuyến và thanh toán trực tuyến (lũy kế)" if lang == "vi"
         else "Dossiers resolved online and online payment (year to date)")
    note = ("Chỉ tiêu của tỉnh (A.VIII.3.4): hồ sơ trực tuyến ≥ 70 %, thanh toán trực tuyến ≥ 80 %. Thanh toán trực tuyến "
            "= hồ sơ có phí, lệ phí được thanh toán trực tuyến ÷ hồ sơ có phí, lệ phí." if lang == "vi" else
            "Province targets (A.VIII.3.4): online dossiers ≥ 70 %, online payment ≥ 80 %. Online payment = fee-bearing "
            "dossiers paid online ÷ fee-bearing dossiers.")
    headers = [t("agency", lang), "Trực tuyến" if lang == "vi" else "Online",
               "Thanh toán trực tuyến" if lang == "vi" else "Paid online"]
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[1, 2])




def data_quality_section(ctx: Context) -> str:
    """Files accepted / rejected per quarter of the year to date, every finding with file, row, column, value, rule."""
    lang = ctx.lang
    out = [f"<h2>{'Chất lượng dữ liệu' if lang == 'vi' else 'Data quality'}</h2>",
           "<p class=\"note\">" + ("Chi tiết từng cơ quan, từng quy tắc: " if lang == "vi" else "Per agency and rule: ")
           + '<a href="data-quality.html">data-quality.html</a></p>']
    for qs, m in ctx.manifests.items():
        for ds in m["datasets"]:
            files = ds["files"]
            counts = {k: sum(1 for f in files if f["verdict"] == k) for k in VERDICT}
            summary = (f"{Quarter.parse(qs).label(lang)} — {ds['dataset']}: {len(files)} "
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
    for qs, m in ctx.manifests.items():
        for ds in m["datasets"]:
            for f in ds["files"]:
                files.append([qs, f["path"], f["verdict"], str(f["rows_read"]), f["sha256"][:16] + "…"])
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


STATUS_BADGE = {"met": "met", "done": "met", "on_track": "ok", "in_progress": "warn", "at_risk": "warn",
                "done_no_evidence": "warn", "not_yet_due": "neutral", "off_track": "not_met", "overdue": "not_met",
                "not_started": "not_met", "no_report": "no_data", "no_data": "no_data"}
STATUS_ORDER = ["met", "done", "on_track", "in_progress", "done_no_evidence", "at_risk", "not_yet_due",
                "not_started", "off_track", "overdue", "no_report", "no_data"]


def status_badge(status: str, lang: str) -> str:
    """A status pill with the reviewer label."""
    from ..progress import label

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
    from ..progress import label

    lang = ctx.lang
    if ctx.tasks.empty:
        return ""
    present = [s for s in STATUS_ORDER if s in set(ctx.tasks["status"])]
    rows = []
    for sec in [t for t in ctx.cat.tasks if t.parent in ("A", "B")]:
        g = ctx.tasks[(ctx.tasks["index"] == sec.index) & (ctx.tasks["field"] == sec.field)]
        title = sec.task_vi if lang == "vi" else (sec.task_en or sec.task_vi)
        rows.append([f"{sec.id} {_sentence_case(title)}"] +
                    [str(int((g["status"] == s).sum())) or "0" for s in present] + [str(len(g))])
    totals = ["Tổng" if lang == "vi" else "Total"] + [str(int((ctx.tasks["status"] == s).sum())) for s in present] + \
        [str(len(ctx.tasks))]
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


def progress_tasks(ctx: Context) -> str:
    """Every task of the plan with its status, due date, lead agencies and the numbers behind the status."""
    lang = ctx.lang
    if ctx.tasks.empty:
        return ""
    rows = []
    prog = ctx.progress
    groups = {"PROVINCE", "ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES"}
    for r in ctx.tasks.itertuples():
        task = ctx.cat.task(r.task_id)
        text = task.task_vi if lang == "vi" else (task.task_en or task.task_vi)
        lead = ", ".join(_agency_name(ctx, c) for c in task.lead)
        evidence = []
        if len(prog):
            for p in prog[(prog["task_id"] == r.task_id) & prog["agency"].isin(groups)].itertuples():
                tg = next(t for t in task.targets if t.metric == p.metric and t.scope == p.scope)
                if p.value == p.value:
                    shown = fmt.pct(p.value, lang) if p.unit == "fraction" else fmt.number(p.value, lang, 1)
                    if p.denominator == p.denominator and p.unit == "fraction":
                        shown += f" ({fmt.number(p.numerator, lang)}/{fmt.number(p.denominator, lang)})"
                    if p.lower == p.lower and p.upper == p.upper and p.unit == "fraction" and p.lower != p.upper:
                        shown += f" [{fmt.pct(p.lower, lang)}–{fmt.pct(p.upper, lang)}]"
                else:
                    shown = "—"
                evidence.append(f"{tg.describe(lang)}: {shown} ({_agency_name(ctx, p.agency)})")
        if r.source == "reports" or not evidence:
            evidence.append(("Báo cáo: " if lang == "vi" else "Reports: ") + r.report_basis)
        due = fmt.date(r.due) if r.due else {"recurring": "Thường xuyên" if lang == "vi" else "Recurring",
                                              "external": "Theo kế hoạch cấp trên" if lang == "vi" else "External schedule",
                                              "none": "—"}[r.schedule_kind]
        rows.append([r.task_id, text, lead, due, status_badge(r.status, lang), "; ".join(evidence)])
    h = "Tiến độ từng nhiệm vụ" if lang == "vi" else "Progress of every task"
    headers = (["Mã", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Trạng thái", "Căn cứ"] if lang == "vi" else
               ["ID", "Task", "Lead", "Due", "Status", "Basis"])
    return f"<h2>{esc(h)}</h2>" + table(headers, rows, raw_cols=[4])


def laggards_section(ctx: Context) -> str:
    """The agencies the plan names as lagging (A.IV.4.4, A.VII.1.1): where they stand now, rank among peers."""
    from ..rankings import laggards_now

    lang = ctx.lang
    lag = laggards_now(ctx.indicators, ctx.cat)
    if lag.empty:
        return ""
    rows = []
    for r in lag.itertuples():
        if r.value == r.value:
            val = fmt.pct(r.value, lang)
            rk = f"{r.rank}/{r.peers}"
            st = badge("not_met", "Vẫn chậm" if lang == "vi" else "Still lagging") if r.still_lagging else \
                badge("met", "Đã cải thiện" if lang == "vi" else "Improved")
        else:
            val, rk, st = "—", "—", badge("no_data", t("no_data", lang))
        what = {"ontime_rate": "đúng hạn lũy kế" if lang == "vi" else "on time (YTD)"}.get(
            r.metric, "giải ngân tại 30/4/2023" if lang == "vi" else "disbursed at 30/4/2023")
        rows.append([r.task_id, _agency_name(ctx, r.agency), what, val, rk, st])
    h = "Các đơn vị Kế hoạch nêu tên là chậm: nay ra sao?" if lang == "vi" else "Units the plan names as lagging: where are they now?"
    note = ("Hạng: thứ hạng trong nhóm cùng loại (sở; huyện; xã theo huyện), 1 = tốt nhất. 'Vẫn chậm': chưa đạt ngưỡng "
            "của chỉ tiêu tương ứng." if lang == "vi" else
            "Rank: among peers of the same kind (departments; districts; communes by district), 1 = best. "
            "'Still lagging': the relevant threshold is not met.")
    headers = (["Nhiệm vụ", "Đơn vị", "Chỉ số", "Giá trị", "Hạng", "Đánh giá"] if lang == "vi" else
               ["Task", "Unit", "Measure", "Value", "Rank", "Assessment"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, raw_cols=[5], numeric_cols=[3, 4])
