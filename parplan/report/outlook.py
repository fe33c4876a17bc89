"""Index outlook: projected PAR INDEX by field (as a range), distance to the top 25, what-if tasks, SIPAS from the survey."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import scoring
from ..ingest import processed_dir
from ..periods import Quarter
from . import charts, fmt
from .html import esc, table

SCEN = {"pessimistic": ("Bi quan", "Pessimistic"), "expected": ("Dự kiến", "Expected"),
        "optimistic": ("Lạc quan", "Optimistic")}
DERIVED = {"vi": " (ước tính, suy ra)", "en": " (derived)"}


@dataclass
class OutlookContext:
    """The quarter's task statuses, projection and (latest) survey, loaded once."""

    quarter: Quarter
    lang: str
    tasks: pd.DataFrame
    projection: pd.DataFrame
    survey: pd.DataFrame
    survey_quarter: str | None


def load_outlook_context(quarter: str, lang: str = "vi", data_root: str = "data") -> OutlookContext:
    """Read task_progress.parquet and the latest sipas_survey up to the quarter; compute the projection."""
    q = Quarter.parse(quarter)
    root = Path(data_root)
    tasks = pd.read_parquet(processed_dir(root, q) / "task_progress.parquet")
    survey, sq = pd.DataFrame(), None
    for x in reversed(q.quarters_to_date()):
        p = processed_dir(root, x) / "sipas_survey.parquet"
        if p.exists():
            f = pd.read_parquet(p)
            if len(f):
                survey, sq = f, str(x)
                break
    return OutlookContext(q, lang, tasks, scoring.project(tasks), survey, sq)


def _n(x: float, lang: str, nd: int = 2) -> str:
    return fmt.number(x, lang, nd)


def header(ctx: OutlookContext) -> str:
    """Title and the warning that this is a model, not a published score."""
    vi = ctx.lang == "vi"
    title = ("Triển vọng chỉ số PAR INDEX và SIPAS — " if vi else "PAR INDEX and SIPAS outlook — ") + ctx.quarter.label(ctx.lang)
    warn = ("Đây là mô hình ước tính từ tiến độ các nhiệm vụ, không phải điểm do Bộ Nội vụ công bố. Điểm tối đa từng lĩnh "
            "vực không được công bố: các giá trị dùng ở đây được suy ra từ điểm năm 2022 của tỉnh (ghi 'ước tính, suy ra'). "
            "Kết quả luôn là một khoảng (bi quan – dự kiến – lạc quan) với các giả định in ở cuối trang." if vi else
            "This is a model built on the tasks' progress, not a score published by the Ministry of Home Affairs. Field "
            "maxima are not published: the values used are derived from the province's 2022 points (marked 'derived'). "
            "Results are always a range (pessimistic – expected – optimistic) under the assumptions printed at the end.")
    return f"<h1>{esc(title)}</h1><p class=\"note\"><strong>{esc(warn)}</strong></p>"


def projection_section(ctx: OutlookContext, chart: bool = True) -> str:
    """Per field: 2022 %, derived maximum and points, projected points in three scenarios; the total as a range."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    p = ctx.projection
    base = scoring.baseline_2022()
    rows = []
    fields = base[base["level"] == "field"]
    for f in fields.itertuples():
        sc = {r.scenario: r for r in p[(p["level"] == "field") & (p["field"] == f.field)].itertuples()}
        rows.append([f"{f.field}. {f.name_vi if vi else f.name_en}", fmt.pct(f.pct_2022, lang, 0),
                     _n(f.max_points, lang, 1) + "*", _n(f.points_2022, lang),
                     " – ".join(_n(sc[s].projected_points, lang) for s in SCEN)])
    tr = scoring.total_range(p)
    total_2022 = float(base[base["level"] == "total"]["published_points_2022"].iloc[0])
    rows.append(["Tổng" if vi else "Total", "", "100", f"{_n(total_2022, lang)} ({'công bố' if vi else 'published'})",
                 " – ".join(_n(tr[s], lang) for s in SCEN)])
    h = "Dự báo điểm PAR INDEX năm 2023 theo lĩnh vực" if vi else "Projected 2023 PAR INDEX by field"
    headers = (["Lĩnh vực", "Tỷ lệ 2022", "Điểm tối đa*", "Điểm 2022*", "Dự báo 2023: bi quan – dự kiến – lạc quan"] if vi else
               ["Field", "2022 %", "Maximum*", "2022 points*", "2023 projection: pessimistic – expected – optimistic"])
    note = ("* ước tính, suy ra (không công bố): điểm tối đa = điểm 2022 của tỉnh ÷ tỷ lệ in trong Kế hoạch; điểm 2022 = tỷ lệ × tối đa "
            f"(tổng {_n(float(fields['points_2022'].sum()), lang)} so với {_n(total_2022, lang)} công bố, chênh do tỷ lệ làm tròn)."
            if vi else
            "* derived (not published): maximum = the province's 2022 points ÷ the plan's percentage; 2022 points = % × maximum "
            f"(sum {_n(float(fields['points_2022'].sum()), lang)} vs {_n(total_2022, lang)} published; rounding of the percentages).")
    out = [f"<h2>{esc(h)}</h2>",
           f"<p><strong>{esc(('Tổng điểm dự báo: ' if vi else 'Projected total: ') + ' – '.join(_n(tr[s], lang) for s in SCEN))}"
           f"{esc(' (bi quan – dự kiến – lạc quan)' if vi else ' (pessimistic – expected – optimistic)')}</strong></p>",
           table(headers, rows, numeric_cols=[1, 2, 3, 4]), f"<p class=\"note\">{esc(note)}</p>"]
    if chart:
        out.append(_field_chart(ctx, fields))
    return "\n".join(out)


def _field_chart(ctx: OutlookContext, fields: pd.DataFrame) -> str:
    import matplotlib.pyplot as plt

    vi = ctx.lang == "vi"
    p = ctx.projection
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        xs = list(range(len(fields)))
        exp = [float(p[(p.level == "field") & (p.field == f) & (p.scenario == "expected")]["projected_pct"].iloc[0]) * 100
               for f in fields["field"]]
        lo = [float(p[(p.level == "field") & (p.field == f) & (p.scenario == "pessimistic")]["projected_pct"].iloc[0]) * 100
              for f in fields["field"]]
        hi = [float(p[(p.level == "field") & (p.field == f) & (p.scenario == "optimistic")]["projected_pct"].iloc[0]) * 100
              for f in fields["field"]]
        ax.bar([x - 0.2 for x in xs], list(fields["pct_2022"] * 100), width=0.4, color="#8c959f",
               label="2022" if not vi else "Năm 2022")
        ax.bar([x + 0.2 for x in xs], exp, width=0.4, color="#0b5394",
               yerr=[[e - a for e, a in zip(exp, lo, strict=True)], [b - e for e, b in zip(exp, hi, strict=True)]],
               capsize=3, label="Dự báo 2023 (khoảng bi quan–lạc quan)" if vi else "2023 projection (pessimistic–optimistic)")
        ax.axhline(100, color="#1b1f24", linewidth=0.8, linestyle=":")
        ax.set_xticks(xs, [str(f) for f in fields["field"]])
        ax.set_xlabel("Lĩnh vực" if vi else "Field")
        ax.set_ylabel("% điểm tối đa (ước tính)" if vi else "% of the (derived) maximum")
        ax.set_ylim(50, 102)
        ax.set_title("Tỷ lệ điểm theo lĩnh vực: 2022 và dự báo 2023" if vi else "Field scores: 2022 and 2023 projection",
                     loc="left", fontsize=10)
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
    alt = ("Biểu đồ cột: tỷ lệ điểm 8 lĩnh vực năm 2022 và dự báo 2023 với khoảng bi quan–lạc quan; trục tung từ 50 %"
           if vi else "Bar chart: the 8 fields' 2022 score share and the 2023 projection with its pessimistic–optimistic range; "
           "axis starts at 50 %")
    return charts.figure_html(fig, alt)


def top25_section(ctx: OutlookContext) -> str:
    """Distance from the projection to the 25th-place score of the latest published year, and the neighbours."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    th = scoring.top25_threshold()
    d = scoring.distance_to_top25(ctx.projection)
    tot = d[d["level"] == "total"]
    rows = []
    for r in tot.itertuples():
        pos = {"below bracket": "Dưới khoảng hạng 25", "inside bracket": "Trong khoảng hạng 25",
               "at or above bracket": "Bằng hoặc trên khoảng hạng 25"}.get(r.position, r.position) if vi else r.position
        rows.append([SCEN[r.scenario][0 if vi else 1], _n(r.projected_points, lang),
                     _n(max(0.0, r.needed_to_low), lang), _n(max(0.0, r.needed_to_high), lang), pos])
    h = "Khoảng cách đến nhóm 25 tỉnh dẫn đầu" if vi else "Distance to the top 25"
    text = (f"Điểm của tỉnh xếp thứ 25 năm {th['year']}: trong khoảng {_n(th['low'], lang)} (hạng {th['low_rank']}) – "
            f"{_n(th['high'], lang)} (hạng {th['high_rank']}); khoảng suy ra từ các tỉnh có công bố điểm{DERIVED['vi']}. "
            "Ngưỡng năm 2023 chưa biết: dùng ngưỡng 2022 làm mốc." if vi else
            f"25th-place score in {th['year']}: between {_n(th['low'], lang)} (rank {th['low_rank']}) and "
            f"{_n(th['high'], lang)} (rank {th['high_rank']}); a bracket derived from provinces with published scores. "
            "The 2023 threshold is unknown: the 2022 one is used as the mark.")
    headers = (["Kịch bản", "Tổng dự báo", "Cần thêm để đạt cận dưới", "Cần thêm để đạt cận trên", "Vị trí"] if vi else
               ["Scenario", "Projected total", "Points needed (low end)", "Points needed (high end)", "Position"])
    nb = scoring.neighbours()
    nrows = [[r.province, str(r.year), _n(float(r.score), lang), "—" if pd.isna(r.rank_of_63) else str(r.rank_of_63),
              r.status] for r in nb.itertuples()]
    nh = (["Tỉnh", "Năm", "Điểm", "Hạng", "Nguồn"] if vi else ["Province", "Year", "Score", "Rank", "Status"])
    return (f"<h2>{esc(h)}</h2><p>{esc(text)}</p>" + table(headers, rows, numeric_cols=[1, 2, 3]) +
            _distance_chart(ctx, th, nb) +
            f"<h3>{esc('Các tỉnh quanh Quảng Nam (điểm 2022 có công bố)' if vi else 'Provinces around Quảng Nam (published 2022 scores)')}</h3>"
            + table(nh, nrows, numeric_cols=[2, 3]))


def _distance_chart(ctx: OutlookContext, th: dict, nb: pd.DataFrame) -> str:
    """Neighbours' published scores, the 25th-place bracket and Quảng Nam's projected range on one axis."""
    import matplotlib.pyplot as plt

    vi = ctx.lang == "vi"
    tr = scoring.total_range(ctx.projection)
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.32 * (len(nb) + 1) + 1.4))
        ax.axvspan(th["low"], th["high"], color="#d0d7de", alpha=0.8,
                   label=("Khoảng điểm hạng 25 (2022, suy ra)" if vi else "25th-place bracket (2022, derived)"))
        names = [f"{r.province} ({r.year})" for r in nb.itertuples()]
        ax.barh(names, [float(x) for x in nb["score"]], color="#8c959f")
        label = "Quảng Nam 2023 (dự báo)" if vi else "Quảng Nam 2023 (projected)"
        ax.errorbar([tr["expected"]], [label], xerr=[[tr["expected"] - tr["pessimistic"]], [tr["optimistic"] - tr["expected"]]],
                    fmt="o", color="#0b5394", capsize=4)
        ax.invert_yaxis()
        lo = min([float(x) for x in nb["score"]] + [tr["pessimistic"]]) - 1
        ax.set_xlim(lo, max([float(x) for x in nb["score"]] + [tr["optimistic"], th["high"]]) + 1)
        ax.set_xlabel(f"{'Điểm PAR INDEX' if vi else 'PAR INDEX score'} ({'trục bắt đầu từ' if vi else 'axis starts at'} {lo:.0f})")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
        fig.tight_layout()
    alt = ("Biểu đồ thanh: điểm 2022 các tỉnh quanh Quảng Nam, khoảng điểm hạng 25 và khoảng dự báo 2023 của tỉnh"
           if vi else "Bar chart: 2022 scores of the provinces around Quảng Nam, the 25th-place bracket and the province's "
           "2023 projected range")
    return charts.figure_html(fig, alt)


def whatif_section(ctx: OutlookContext, top: int = 5) -> str:
    """The tasks whose completion would add most points under the expected scenario."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    from ..progress import label

    w = scoring.what_if(ctx.tasks, top=top)
    rows = [[r.task_id, str(r.field), label(r.current_status, lang), _n(r.points_added, lang, 3)] for r in w.itertuples()]
    h = (f"{top} nhiệm vụ nếu hoàn thành sẽ thêm nhiều điểm nhất" if vi else f"The {top} tasks whose completion adds most points")
    note = ("Điểm thêm = phần điểm lĩnh vực có thể gỡ lại (theo giả định) chia đều cho các nhiệm vụ của mục đó × phần chưa "
            "được tính theo trạng thái hiện nay (kịch bản dự kiến)." if vi else
            "Points added = the field's recoverable points (as assumed) shared equally among the section's tasks × the "
            "credit not yet counted at the current status (expected scenario).")
    headers = (["Nhiệm vụ", "Lĩnh vực", "Trạng thái hiện nay", "Điểm thêm (ước tính)"] if vi else
               ["Task", "Field", "Current status", "Points added (derived)"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[3])


def sipas_section(ctx: OutlookContext, chart: bool = True) -> str:
    """SIPAS per factor and overall from the latest survey, with Wilson 95 % intervals and respondent counts."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    h = "Chỉ số hài lòng SIPAS từ khảo sát của tỉnh" if vi else "SIPAS from the province's survey"
    if ctx.survey.empty:
        return f"<h2>{esc(h)}</h2><p>{esc('Chưa có dữ liệu khảo sát đến quý này.' if vi else 'No survey data up to this quarter.')}</p>"
    s = scoring.sipas(ctx.survey)
    rows = []
    for r in s.itertuples():
        name = (r.name_vi if vi else r.name_en) if r.level == "factor" else ("Chung" if vi else "Overall")
        rows.append([name, str(r.n_respondents), fmt.pct(r.share, lang),
                     f"{fmt.pct(r.lower, lang)} – {fmt.pct(r.upper, lang)}", _n(r.score_10, lang)])
    overall = s[s["level"] != "factor"].iloc[0]
    cmp = (f"Năm 2022: {_n(7.58, lang)}/10 (công bố); trung bình cả nước 2022: {fmt.pct(0.8008, lang)} (công bố)."
           if vi else f"2022: {_n(7.58, lang)}/10 (published); national 2022 average: {fmt.pct(0.8008, lang)} (published).")
    headers = (["Yếu tố", "Số người trả lời", "Tỷ lệ hài lòng", "Khoảng tin cậy 95 %", "Quy đổi thang 10"] if vi else
               ["Factor", "Respondents", "Satisfied", "95 % interval", "10-point form"])
    out = [f"<h2>{esc(h)}</h2>",
           f"<p>{esc(('Khảo sát ' if vi else 'Survey of ') + Quarter.parse(ctx.survey_quarter).label(lang))}: "
           f"<strong>{esc(_n(float(overall.score_10), lang))}/10</strong>. {esc(cmp)}</p>",
           table(headers, rows, numeric_cols=[1, 2, 3, 4]),
           f"<p class=\"note\">{esc(scoring.sipas_method_text(lang))}</p>"]
    if chart:
        out.append(_sipas_chart(s, lang))
    out.append(_sipas_by_district(ctx))
    return "\n".join(out)


def _sipas_by_district(ctx: OutlookContext) -> str:
    """Overall satisfied share per district surveyed, with its interval and respondent count."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    from .. import catalogue

    cat = catalogue.load()
    d = scoring.sipas(ctx.survey, by="district")
    d = d[d["level"] != "factor"] if "level" in d.columns else d
    rows = []
    for r in d.sort_values("share", ascending=False).itertuples():
        a = cat.agencies.get(str(r.district))
        rows.append([a.name(lang) if a else str(r.district), str(r.n_respondents), fmt.pct(r.share, lang),
                     f"{fmt.pct(r.lower, lang)} – {fmt.pct(r.upper, lang)}", _n(r.score_10, lang)])
    h = "Theo huyện nơi khảo sát (chung 5 yếu tố)" if vi else "By district surveyed (all 5 factors)"
    headers = (["Huyện", "Số người trả lời", "Tỷ lệ hài lòng", "Khoảng tin cậy 95 %", "Quy đổi thang 10"] if vi else
               ["District", "Respondents", "Satisfied", "95 % interval", "10-point form"])
    note = ("Số người trả lời mỗi huyện nhỏ: khoảng tin cậy rộng, không nên xếp hạng theo điểm giữa." if vi else
            "Few respondents per district: wide intervals; do not rank on the point estimates.")
    return f"<h3>{esc(h)}</h3><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[1, 2, 3, 4])


def _sipas_chart(s: pd.DataFrame, lang: str) -> str:
    import matplotlib.pyplot as plt

    vi = lang == "vi"
    f = s[s["level"] == "factor"]
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 2.8))
        ys = list(range(len(f)))
        share = list(f["share"] * 100)
        ax.errorbar(share, ys, xerr=[list((f["share"] - f["lower"]) * 100), list((f["upper"] - f["share"]) * 100)],
                    fmt="o", color="#0b5394", capsize=3)
        ax.axvline(80, color="#b42318", linestyle="--", linewidth=1)
        ax.set_yticks(ys, [r.name_vi if vi else r.name_en for r in f.itertuples()])
        ax.invert_yaxis()
        ax.set_xlabel("% hài lòng (khoảng tin cậy 95 %)" if vi else "% satisfied (95 % interval)")
        ax.set_title("SIPAS theo yếu tố; vạch đỏ: 80 %" if vi else "SIPAS by factor; red line: 80 %", loc="left", fontsize=10)
        fig.tight_layout()
    alt = ("Biểu đồ điểm: tỷ lệ hài lòng 5 yếu tố SIPAS với khoảng tin cậy 95 %, so với mốc 80 %" if vi else
           "Dot chart: satisfied share for the 5 SIPAS factors with 95 % intervals, against 80 %")
    return charts.figure_html(fig, alt)


def assumptions_section(ctx: OutlookContext) -> str:
    """The projection's assumptions, printed in full."""
    vi = ctx.lang == "vi"
    text = scoring.assumptions_text(ctx.lang)
    return (f"<h2>{esc('Giả định của mô hình' if vi else 'Model assumptions')}</h2>"
            f"<pre style=\"white-space: pre-wrap\">{esc(text)}</pre>")


def overview_summary(ctx: OutlookContext) -> str:
    """Short outlook block for the overview: total range, 25th-place range, top 5 what-if, link to the full page."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    tr = scoring.total_range(ctx.projection)
    th = scoring.top25_threshold()
    rng = " – ".join(_n(tr[k], lang) for k in SCEN)
    text = (f"Tổng điểm PAR INDEX 2023 dự báo{DERIVED['vi']}: {rng} (bi quan – dự kiến – lạc quan). Điểm hạng 25 năm "
            f"{th['year']}: {_n(th['low'], lang)} – {_n(th['high'], lang)}{DERIVED['vi']}." if vi else
            f"Projected 2023 PAR INDEX{DERIVED['en']}: {rng} (pessimistic – expected – optimistic). 25th-place score "
            f"{th['year']}: {_n(th['low'], lang)} – {_n(th['high'], lang)}{DERIVED['en']}.")
    link = '<p class="note"><a href="outlook.html">' + esc("Xem trang triển vọng đầy đủ" if vi else "Full outlook page")
    return ("<h2>" + esc("Triển vọng chỉ số (tóm tắt)" if vi else "Index outlook (summary)") + "</h2>"
            f"<p><strong>{esc(text)}</strong></p>" + whatif_section(ctx).replace("<h2>", "<h3>").replace("</h2>", "</h3>")
            + link + "</a></p>")
