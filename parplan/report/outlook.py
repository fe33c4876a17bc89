"""Index outlook: projected PAR INDEX (a range), the goal-rank score of the assessment year, the verdict, SIPAS.

Every figure is the one published by the report's as-of date (scoring.as_of_date) and is shown with its year. The
plan (parplan.catalogue.Plan) gives the years, the goal rank and the baselines; load_outlook_context gets it with
plan_for(quarter), build_context takes it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import scoring
from ..catalogue import Plan, quarter_plan
from ..periods import Quarter
from ..store import Store
from . import charts, fmt
from .html import esc, table

SCEN = {"pessimistic": ("Bi quan", "Pessimistic"), "expected": ("Dự kiến", "Expected"),
        "optimistic": ("Lạc quan", "Optimistic")}
DERIVED = {"vi": " (ước tính, suy ra)", "en": " (derived)"}
VERDICT_WORDS = {"likely": ("NHIỀU KHẢ NĂNG", "LIKELY"), "possible": ("CÓ THỂ, CHƯA CHẮC", "POSSIBLE"),
                 "unlikely": ("ÍT KHẢ NĂNG", "UNLIKELY")}


@dataclass
class OutlookContext:
    """The quarter's task statuses, projection, threshold, verdict and (latest) survey, computed once."""

    quarter: Quarter
    lang: str
    as_of: dt.date
    tasks: pd.DataFrame
    projection: pd.DataFrame
    threshold: dict[str, Any]
    verdict: dict[str, Any]
    survey: pd.DataFrame
    survey_quarter: Quarter | None
    plan: Plan = field(repr=False)
    assessment_year: int

    @property
    def baseline_year(self) -> int:
        """The year of the published results the plan starts from."""
        return self.plan.baseline_year

    @property
    def rank(self) -> int:
        """The rank the plan aims at (its goal: among the top `rank` provinces)."""
        return int(self.threshold["rank"])


def build_context(q: Quarter, tasks: pd.DataFrame, plan: Plan, lang: str = "vi",
                  survey: pd.DataFrame | None = None, survey_quarter: Quarter | None = None,
                  as_of: dt.date | str | None = None) -> OutlookContext:
    """Projection, threshold and verdict for a quarter's task statuses under a plan, as of the report's date (pure)."""
    day = scoring.to_date(as_of) if as_of is not None else scoring.as_of_date(q, plan)
    proj = scoring.project(tasks, plan, day)
    th = scoring.rank25_outlook(day, plan)
    v = scoring.verdict(scoring.total_range(proj), th)
    return OutlookContext(q, lang, day, tasks, proj, th, v, survey if survey is not None else pd.DataFrame(),
                          survey_quarter, plan, plan.year)


def load_outlook_context(quarter: str, lang: str = "vi", data_root: str = "data", plan: Plan | None = None,
                         plans_root: str | Path | None = None) -> OutlookContext:
    """Read task_progress.parquet and the latest sipas_survey up to the quarter; the outlook under the quarter's plan
    (or the plan given, which must be of the quarter's year)."""
    q = Quarter.parse(quarter)
    plan = quarter_plan(q, plan, plans_root)
    store = Store.for_data(data_root)  # papermill's data_root: relative to the run's folder
    tasks = pd.read_parquet(store.processed(q, "task_progress"))
    survey, sq = pd.DataFrame(), None
    for x in reversed(q.quarters_to_date()):
        p = store.processed(x, "sipas_survey")
        if p.exists():
            f = pd.read_parquet(p)
            if len(f):
                survey, sq = f, x
                break
    return build_context(q, tasks, plan, lang, survey, sq)


def _n(x: float, lang: str, nd: int = 2) -> str:
    return fmt.number(x, lang, nd)


def _status_word(status: str, lang: str) -> str:
    s = str(status)
    if lang != "vi":
        return s
    if "NOT FOUND" in s:
        return "không tìm thấy"
    if "derived" in s.lower():
        return "suy ra"
    return "có nguồn" if "sourced" in s else ("giả định" if "assum" in s else s)


def status_label(code: str, plan: Plan, lang: str = "vi") -> str:
    """A task status for readers: the progress label, else the par_scoring.yaml alias name, else 'unknown' in vi."""
    from ..progress import label

    text = label(code, lang)
    if text != code:
        return text
    alias = scoring.scoring_config(plan)["projection"].get("status_as", {}).get(code)
    if alias:
        return alias[lang] if lang in alias else code
    return "trạng thái chưa xác định" if lang == "vi" else code


def _source_list(sources: list[str] | set[str], lang: str) -> str:
    """Web sources as printed; anything else (the plan text) named in words, not as a file."""
    web = sorted(s for s in sources if s.startswith("http"))
    if any(not s.startswith("http") for s in sources):
        web.append("Kế hoạch của tỉnh" if lang == "vi" else "the province's plan")
    return "; ".join(web)


def _rank(r: object) -> str:
    return "—" if r is None or pd.isna(r) else str(int(r))


def _ordinal(n: int) -> str:
    """25 -> '25th', 21 -> '21st' (English)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _scheme(family: str, plan: Plan, lang: str) -> str:
    names = scoring.scoring_config(plan).get("scheme_families", {}).get(family, {})
    return names.get(lang, family) if names else family


def _as_of_note(ctx: OutlookContext) -> str:
    vi = ctx.lang == "vi"
    pub = scoring.publications(ctx.as_of, ctx.plan)
    pub = pub[pub["index"] == scoring.PAR_PROVINCES]
    latest = pub.loc[pub["result_year"].idxmax()] if len(pub) else None
    issued = scoring.plan_issued(ctx.plan)
    why = ((" (ngày ban hành Kế hoạch, muộn hơn ngày cuối quý)" if vi else
            " (the plan's issue date, later than the quarter's end)") if ctx.as_of == issued and ctx.quarter.end < issued
           else (" (ngày cuối quý)" if vi else " (the quarter's end)"))
    if latest is None:
        last = "chưa có kết quả năm nào được công bố" if vi else "no year's results published yet"
    else:
        last = ((f"kết quả mới nhất là năm {latest['result_year']} (công bố {fmt.date(latest['published'])})") if vi else
                f"the latest results are those of {latest['result_year']} (published {fmt.date(latest['published'])})")
    return ((f"Số liệu dùng trong trang: chỉ những số đã công bố đến ngày {fmt.date(ctx.as_of)}{why}; {last}. "
             "Mỗi số ghi rõ năm của nó.") if vi else
            f"Figures on this page: only those published by {fmt.date(ctx.as_of)}{why}; {last}. Each figure shows its year.")


def header(ctx: OutlookContext) -> str:
    """Title, the warning that this is a model, the as-of date and the verdict."""
    vi = ctx.lang == "vi"
    title = ("Triển vọng chỉ số PAR INDEX và SIPAS — " if vi else "PAR INDEX and SIPAS outlook — ") + ctx.quarter.label(ctx.lang)
    warn = ("Đây là mô hình ước tính từ tiến độ các nhiệm vụ và lịch sử điểm của tỉnh, không phải điểm do Bộ Nội vụ công "
            "bố. Điểm tối đa từng lĩnh vực không được công bố: các giá trị dùng ở đây được suy ra (ghi 'ước tính, suy ra'). "
            "Kết quả luôn là một khoảng (bi quan – dự kiến – lạc quan) với các giả định in ở cuối trang." if vi else
            "This is a model built on the tasks' progress and the province's own score history, not a score published by "
            "the Ministry of Home Affairs. Field maxima are not published: the values used are derived (marked "
            "'derived'). Results are always a range (pessimistic – expected – optimistic) under the assumptions printed "
            "at the end.")
    return (f"<h1>{esc(title)}</h1><p class=\"note\"><strong>{esc(warn)}</strong></p>"
            f"<p class=\"note\">{esc(_as_of_note(ctx))}</p>" + verdict_block(ctx))


def _scenario_gap(sc: str, short: dict[str, float], total: float, lang: str) -> str:
    vi = lang == "vi"
    name = SCEN[sc][0 if vi else 1].lower()
    if short["to_low"] > 0:
        return (f"kịch bản {name} ({_n(total, lang)}) thiếu {_n(short['to_low'], lang)} điểm để đạt cận dưới và "
                f"{_n(short['to_high'], lang)} điểm để đạt cận trên" if vi else
                f"{name} ({_n(total, lang)}) is {_n(short['to_low'], lang)} points short of the bottom and "
                f"{_n(short['to_high'], lang)} of the top")
    if short["to_high"] > 0:
        return (f"kịch bản {name} ({_n(total, lang)}) đã đạt cận dưới, thiếu {_n(short['to_high'], lang)} điểm để đạt "
                "cận trên" if vi else
                f"{name} ({_n(total, lang)}) reaches the bottom and is {_n(short['to_high'], lang)} short of the top")
    return (f"kịch bản {name} ({_n(total, lang)}) đạt cả cận trên" if vi else
            f"{name} ({_n(total, lang)}) reaches the top as well")


def verdict_sentence(v: dict[str, Any], year: int, projected: bool, lang: str = "vi", *, rank: int) -> str:
    """One sentence: likely / possible / unlikely to be in the top `rank`, and why (points short in each scenario)."""
    vi = lang == "vi"
    word = VERDICT_WORDS[v["verdict"]][0 if vi else 1]
    reason = {"likely": (f"ngay cả kịch bản bi quan cũng đạt cận trên của khoảng điểm hạng {rank}",
                         f"even the pessimistic total reaches the top of the {_ordinal(rank)}-place range"),
              "unlikely": (f"ngay cả kịch bản lạc quan vẫn dưới cận dưới của khoảng điểm hạng {rank}",
                           f"even the optimistic total stays below the bottom of the {_ordinal(rank)}-place range"),
              "possible": ("kịch bản bi quan chưa đạt cận trên và kịch bản lạc quan không nằm dưới cận dưới của "
                           f"khoảng điểm hạng {rank}",
                           "the outcome depends on the scenario: the pessimistic total does not reach the top of the "
                           "range and the optimistic one does not stay below its bottom")}[v["verdict"]][0 if vi else 1]
    rng = f"{_n(v['low'], lang)}–{_n(v['high'], lang)}"
    gaps = "; ".join(_scenario_gap(sc, v["short"][sc], v["totals"][sc], lang) for sc in scoring.SCENARIOS)
    if vi:
        how = "dự báo" if projected else "theo kết quả đã công bố"
        return (f"Vào nhóm {rank} tỉnh dẫn đầu năm {year}: {word}, vì {reason} — điểm của tỉnh xếp thứ {rank} năm "
                f"{year} {how} trong khoảng {rng}; {gaps}.")
    how = "projected at" if projected else "published at"
    return (f"Top {rank} in {year}: {word}, because {reason} — the {year} {_ordinal(rank)}-place score is {how} {rng}; "
            f"{gaps}.")


def expected_lines(plan: Plan, lang: str = "vi") -> list[str]:
    """The expected scenario in two lines a leader can follow."""
    by = plan.baseline_year
    if lang == "vi":
        return ["Kịch bản dự kiến: điểm thẩm định của mỗi lĩnh vực tăng theo tiến độ hiện nay của các nhiệm vụ — nhiệm "
                "vụ đã đạt được tính đủ phần điểm có thể gỡ lại, nhiệm vụ đang làm được tính một phần, nhiệm vụ chậm "
                "không được tính.",
                f"Điểm khảo sát (SIPAS, khảo sát lãnh đạo, quản lý) và điểm tác động kinh tế - xã hội giữ như năm {by}; "
                "hai kịch bản còn lại cho các phần này giảm hoặc tăng bằng mức dao động lớn nhất tỉnh đã có."]
    return ["Expected scenario: each field's appraisal points rise with the tasks' current progress — a met task earns "
            "its full share of the recoverable points, a task under way part of it, a late task nothing.",
            f"Survey points (SIPAS, leaders' survey) and the socio-economic points stay at their {by} level; the other "
            "two scenarios move them down or up by the largest swing the province has seen."]


def verdict_block(ctx: OutlookContext) -> str:
    """The verdict sentence and the two-line explanation of the expected scenario."""
    s = verdict_sentence(ctx.verdict, ctx.assessment_year, ctx.threshold["basis"] == "projected", ctx.lang,
                         rank=ctx.rank)
    lines = "".join(f"<p>{esc(x)}</p>" for x in expected_lines(ctx.plan, ctx.lang))
    unknown = ctx.projection.attrs.get("unknown_statuses", [])
    warn = ""
    if unknown:
        ids = sorted(ctx.tasks.loc[ctx.tasks["status"].isin(unknown), "task_id"])
        warn = ("<p class=\"note\">" + esc(
            (f"Cần kiểm tra: {len(ids)} nhiệm vụ mang trạng thái không có trong bảng quy đổi, được tính như "
             f"'không có dữ liệu': {', '.join(ids)}.") if ctx.lang == "vi" else
            (f"To check: {len(ids)} task(s) carry a status code missing from the mapping ({', '.join(unknown)}), "
             f"counted as no data: {', '.join(ids)}.")) + "</p>")
    return f"<p><strong>{esc(s)}</strong></p>{lines}{warn}"


def projection_section(ctx: OutlookContext, chart: bool = True) -> str:
    """Per field: baseline %, derived maximum and points, projected points in three scenarios; the total as a range."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    p = ctx.projection
    base = scoring.baseline(ctx.plan)
    year, by = ctx.assessment_year, ctx.baseline_year
    cfg = scoring.scoring_config(ctx.plan)
    sf, impact = scoring.field_list(scoring.survey_fields(cfg)), scoring.impact_field(cfg)
    rows = []
    fields = base[base["level"] == "field"]
    for f in fields.itertuples():
        sc = {r.scenario: r for r in p[(p["level"] == "field") & (p["field"] == f.field)].itertuples()}
        rows.append([f"{f.field}. {f.name_vi if vi else f.name_en}", fmt.pct(f.baseline_pct, lang, 0),
                     _n(f.max_points, lang, 1) + "*", _n(f.baseline_points, lang),
                     " – ".join(_n(sc[s].projected_points, lang) for s in SCEN)])
    tr = scoring.total_range(p)
    total = base[base["level"] == "total"].iloc[0]
    published = float(total["published_points"])
    rows.append(["Tổng" if vi else "Total", "", _n(float(total["max_points"]), lang, 0),
                 f"{_n(published, lang)} ({'công bố' if vi else 'published'})",
                 " – ".join(_n(tr[s], lang) for s in SCEN)])
    h = f"Dự báo điểm PAR INDEX năm {year} theo lĩnh vực" if vi else f"Projected {year} PAR INDEX by field"
    headers = (["Lĩnh vực", f"Tỷ lệ {by}", "Điểm tối đa*", f"Điểm {by}*", f"Dự báo {year}: bi quan – dự kiến – lạc quan"]
               if vi else ["Field", f"{by} %", "Maximum*", f"{by} points*",
                           f"{year} projection: pessimistic – expected – optimistic"])
    fsum = _n(float(fields["baseline_points"].sum()), lang)
    note = (f"* ước tính, suy ra (không công bố): điểm tối đa = điểm {by} của tỉnh ÷ tỷ lệ in trong Kế hoạch; điểm {by} = "
            f"tỷ lệ × tối đa (tổng {fsum} so với {_n(published, lang)} công bố, chênh do tỷ lệ làm tròn). "
            f"Lĩnh vực {sf}: điểm thẩm định theo tiến độ nhiệm vụ cộng phần khảo sát lãnh đạo, quản lý; lĩnh vực "
            f"{impact}: SIPAS cộng tác động kinh tế - xã hội, theo khoảng của từng phần (bảng dưới)." if vi else
            f"* derived (not published): maximum = the province's {by} points ÷ the plan's percentage; {by} points = "
            f"% × maximum (sum {fsum} vs {_n(published, lang)} published; rounding of the percentages). "
            f"Fields {sf}: appraisal points from task progress plus their part of the leaders' survey; field {impact}: "
            "SIPAS plus socio-economic impact, each from its range (table below).")
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
    year, by = ctx.assessment_year, ctx.baseline_year

    def pct(f: int, sc: str) -> float:
        return float(p[(p.level == "field") & (p.field == f) & (p.scenario == sc)]["projected_pct"].iloc[0]) * 100

    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        xs = list(range(len(fields)))
        exp = [pct(f, "expected") for f in fields["field"]]
        lo = [pct(f, "pessimistic") for f in fields["field"]]
        hi = [pct(f, "optimistic") for f in fields["field"]]
        base = list(fields["baseline_pct"] * 100)
        floor = int(min([50.0, *base, *lo]) // 10 * 10)
        ax.bar([x - 0.2 for x in xs], base, width=0.4, color="#8c959f",
               label=str(by) if not vi else f"Năm {by}")
        ax.bar([x + 0.2 for x in xs], exp, width=0.4, color="#0b5394",
               yerr=[[e - a for e, a in zip(exp, lo, strict=True)], [b - e for e, b in zip(exp, hi, strict=True)]],
               capsize=3, label=f"Dự báo {year} (khoảng bi quan–lạc quan)" if vi
               else f"{year} projection (pessimistic–optimistic)")
        ax.axhline(100, color="#1b1f24", linewidth=0.8, linestyle=":")
        ax.set_xticks(xs, [str(f) for f in fields["field"]])
        ax.set_xlabel("Lĩnh vực" if vi else "Field")
        ax.set_ylabel("% điểm tối đa (ước tính)" if vi else "% of the (derived) maximum")
        ax.set_ylim(floor, 102)
        ax.set_title(f"Tỷ lệ điểm theo lĩnh vực: {by} và dự báo {year}" if vi
                     else f"Field scores: {by} and {year} projection", loc="left", fontsize=10)
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
    n = len(fields)
    alt = (f"Biểu đồ cột: tỷ lệ điểm {n} lĩnh vực năm {by} và dự báo {year} với khoảng bi quan–lạc quan; trục tung từ "
           f"{floor} %" if vi else f"Bar chart: the {n} fields' {by} score share and the {year} projection with its "
           f"pessimistic–optimistic range; axis starts at {floor} %")
    return charts.figure_html(fig, alt)


def survey_section(ctx: OutlookContext) -> str:
    """The survey-based components: level, band from the province's own history, low – expected – high, sources."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    r = ctx.projection.attrs["survey_ranges"]
    rows = []
    for c in r.itertuples():
        if c.moves:
            basis = "; ".join(f"{m['from']}→{m['to']}: {'+' if m['change'] >= 0 else '−'}{_n(abs(m['change']), lang)}"
                              + (" (suy ra)" if vi and m["derived"] else " (derived)" if m["derived"] else "")
                              for m in c.moves)
            basis = (f"lịch sử của tỉnh: {basis}" if vi else f"own history: {basis}")
        else:
            basis = (f"chưa có lịch sử công bố: dùng mức dao động tương đối lớn nhất của phần khác "
                     f"({fmt.pct(c.relative_band, lang)} điểm tối đa)" if vi else
                     f"no published history: the largest relative swing of another component "
                     f"({fmt.pct(c.relative_band, lang)} of its maximum)")
        rows.append([scoring.component_name(c.component, ctx.plan, lang),
                     f"{_n(c.level, lang)} ({c.baseline_year}, {_status_word(c.level_status, lang)})",
                     f"±{_n(c.band, lang)}", basis, f"{_n(c.low, lang)} – {_n(c.expected, lang)} – {_n(c.high, lang)}"])
    h = "Các phần điểm khảo sát và tác động: khoảng có thể giảm hoặc tăng" if vi else \
        "Survey-based components: ranges that can fall as well as rise"
    headers = (["Phần điểm", "Mức gốc (năm)", "Biên dao động", "Căn cứ", "Bi quan – dự kiến – lạc quan"] if vi else
               ["Component", "Level (year)", "Band", "Basis", "Pessimistic – expected – optimistic"])
    srcs = {s for x in r["sources"] for s in x} | {"plan"}
    note = ("Tiến độ nhiệm vụ không làm thay đổi các phần này: chúng phụ thuộc cảm nhận của người dân, cán bộ quản lý và "
            "tình hình kinh tế. Nguồn: " if vi else
            "Task progress does not move these parts: they depend on how people, managers and the economy respond. "
            "Sources: ") + _source_list(srcs, lang) + "."
    return f"<h2>{esc(h)}</h2>" + table(headers, rows, numeric_cols=[1, 2, 4]) + f"<p class=\"note\">{esc(note)}</p>"


def threshold_section(ctx: OutlookContext) -> str:
    """The published distribution by year, how the goal-rank score of the assessment year is derived, sources."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    th = ctx.threshold
    k, kth = ctx.rank, _ordinal(ctx.rank)
    hist = th["history"]
    rows = []
    for r in hist.itertuples():
        br = ("—" if pd.isna(r.bracket_low) or pd.isna(r.bracket_high) else
              f"{_n(r.bracket_low, lang)} ({'hạng' if vi else 'rank'} {_rank(r.bracket_low_rank)}) – "
              f"{_n(r.bracket_high, lang)} ({'hạng' if vi else 'rank'} {_rank(r.bracket_high_rank)})")
        rows.append([str(r.year), _scheme(r.scheme_family, ctx.plan, lang), fmt.date(r.published),
                     "—" if pd.isna(r.mean) else f"{_n(r.mean, lang)} ({_status_word(r.mean_status, lang)})", br,
                     _source_list(set(r.mean_sources) | set(r.bracket_sources), lang)])
    y = th["year"]
    h = f"Điểm của tỉnh xếp thứ {k} năm {y}" if vi else f"The {kth}-place score of {y}"
    headers = (["Năm kết quả", "Bộ chỉ số", "Ngày công bố", "Trung bình cả nước", f"Khoảng điểm hạng {k} (suy ra)",
                "Nguồn"] if vi else ["Results year", "Index method", "Published", "National mean",
                                     f"{kth}-place bracket (derived)", "Sources"])
    if th["basis"] == "published":
        how = ((f"Kết quả năm {y} đã công bố: khoảng điểm hạng {k} lấy trực tiếp từ các tỉnh có công bố điểm và hạng "
                f"({_n(th['low'], lang)}–{_n(th['high'], lang)}).") if vi else
               f"The {y} results are published: the {kth}-place bracket comes from provinces with published score and "
               f"rank ({_n(th['low'], lang)}–{_n(th['high'], lang)}).")
    else:
        mv = "; ".join(f"{m['from']}→{m['to']}: {'+' if m['change'] >= 0 else '−'}{_n(abs(m['change']), lang)}"
                       + ((" (đổi bộ chỉ số)" if vi else " (method changed)") if m["scheme_change"] else "")
                       for m in th["moves"])
        n = th["steps"]
        how = ((f"Cách tính: khoảng điểm hạng {k} năm {th['base_year']} ({_n(th['base_low'], lang)}–"
                f"{_n(th['base_high'], lang)}) cộng mức thay đổi nhỏ nhất và lớn nhất của điểm trung bình cả nước giữa "
                f"hai năm liền nhau ({mv})"
                + (f", nhân {n} năm" if n > 1 else "") +
                f": cận dưới {_n(th['base_low'], lang)} {'+' if th['min_move'] >= 0 else '−'} {_n(abs(n * th['min_move']), lang)}"
                f" = {_n(th['low'], lang)}, cận trên {_n(th['base_high'], lang)} "
                f"{'+' if th['max_move'] >= 0 else '−'} {_n(abs(n * th['max_move']), lang)} = {_n(th['high'], lang)}. "
                "Không dùng lại ngưỡng của năm trước: ngưỡng dịch chuyển theo cả phân bố điểm. Mức thay đổi khi đổi bộ "
                "chỉ số vẫn được tính vì đó là bằng chứng duy nhất cho thấy ngưỡng có thể giảm.") if vi else
               (f"How: the {th['base_year']} {kth}-place bracket ({_n(th['base_low'], lang)}–{_n(th['base_high'], lang)}) "
                f"plus the smallest and the largest change of the national mean between consecutive years ({mv})"
                + (f", times {n} years" if n > 1 else "") +
                f": bottom {_n(th['base_low'], lang)} {'+' if th['min_move'] >= 0 else '−'} "
                f"{_n(abs(n * th['min_move']), lang)} = {_n(th['low'], lang)}, top {_n(th['base_high'], lang)} "
                f"{'+' if th['max_move'] >= 0 else '−'} {_n(abs(n * th['max_move']), lang)} = {_n(th['high'], lang)}. "
                "Last year's threshold is not reused: the bar moves with the whole distribution. Moves across a change "
                "of method are kept: they are the only evidence that the bar can fall."))
    lead = (f"Dự báo: {_n(th['low'], lang)} – {_n(th['high'], lang)}{DERIVED['vi']}" if vi else
            f"Projection: {_n(th['low'], lang)} – {_n(th['high'], lang)}{DERIVED['en']}") if th["basis"] == "projected" \
        else (f"Đã công bố: {_n(th['low'], lang)} – {_n(th['high'], lang)}" if vi else
              f"Published: {_n(th['low'], lang)} – {_n(th['high'], lang)}")
    bracket_note = (f"Khoảng điểm hạng {k} của một năm: cận dưới = điểm cao nhất của các tỉnh có hạng từ {k} trở xuống, "
                    f"cận trên = điểm thấp nhất của các tỉnh có hạng từ {k} trở lên (chỉ các tỉnh có công bố cả điểm và "
                    "hạng)." if vi else f"A year's {kth}-place bracket: bottom = best score among provinces ranked {k} "
                    f"or lower, top = worst score among provinces ranked {k} or higher (provinces with both score and "
                    "rank published).")
    return (f"<h2>{esc(h)}</h2><p><strong>{esc(lead)}</strong></p><p>{esc(how)}</p>"
            + table(headers, rows, numeric_cols=[0]) + f"<p class=\"note\">{esc(bracket_note)}</p>")


def top25_section(ctx: OutlookContext) -> str:
    """Distance from the projection to the goal-rank range of the assessment year, and the neighbours."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    th = ctx.threshold
    k = ctx.rank
    d = scoring.distance_to_top25(ctx.projection, th)
    tot = d[d["level"] == "total"]
    rows = []
    for r in tot.itertuples():
        pos = {"below bracket": f"Dưới khoảng điểm hạng {k}", "inside bracket": f"Trong khoảng điểm hạng {k}",
               "at or above bracket": f"Bằng hoặc trên khoảng điểm hạng {k}"}.get(r.position, r.position) if vi \
            else r.position
        rows.append([SCEN[r.scenario][0 if vi else 1], _n(r.projected_points, lang),
                     _n(max(0.0, r.needed_to_low), lang), _n(max(0.0, r.needed_to_high), lang), pos])
    h = f"Khoảng cách đến nhóm {k} tỉnh dẫn đầu" if vi else f"Distance to the top {k}"
    headers = (["Kịch bản", "Tổng dự báo", "Cần thêm để đạt cận dưới", "Cần thêm để đạt cận trên", "Vị trí"] if vi else
               ["Scenario", "Projected total", "Points needed (bottom)", "Points needed (top)", "Position"])
    nb = scoring.neighbours(ctx.as_of, ctx.plan)
    ny = int(nb["year"].iloc[0])
    nrows = [[r.province, str(r.year), _n(float(r.score), lang), "—" if pd.isna(r.rank_of_63) else str(r.rank_of_63),
              _status_word(r.status, lang)] for r in nb.itertuples()]
    nh = (["Tỉnh", "Năm", "Điểm", "Hạng", "Nguồn"] if vi else ["Province", "Year", "Score", "Rank", "Status"])
    return (f"<h2>{esc(h)}</h2>" + table(headers, rows, numeric_cols=[1, 2, 3]) + _distance_chart(ctx, th, nb) +
            f"<h3>{esc(f'Các tỉnh quanh Quảng Nam (điểm {ny} có công bố)' if vi else f'Provinces around Quảng Nam (published {ny} scores)')}</h3>"
            + table(nh, nrows, numeric_cols=[2, 3]))


def _distance_chart(ctx: OutlookContext, th: dict, nb: pd.DataFrame) -> str:
    """Neighbours' published scores, the projected goal-rank range and Quảng Nam's projected range on one axis."""
    import matplotlib.pyplot as plt

    vi = ctx.lang == "vi"
    y = ctx.assessment_year
    k, kth = ctx.rank, _ordinal(ctx.rank)
    tr = scoring.total_range(ctx.projection)
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.32 * (len(nb) + 1) + 1.4))
        ax.axvspan(th["low"], th["high"], color="#d0d7de", alpha=0.8,
                   label=(f"Khoảng điểm hạng {k} năm {y} (suy ra)" if vi else f"{y} {kth}-place range (derived)"))
        names = [f"{r.province} ({r.year})" for r in nb.itertuples()]
        ax.barh(names, [float(x) for x in nb["score"]], color="#8c959f")
        label = f"Quảng Nam {y} (dự báo)" if vi else f"Quảng Nam {y} (projected)"
        ax.errorbar([tr["expected"]], [label], xerr=[[tr["expected"] - tr["pessimistic"]], [tr["optimistic"] - tr["expected"]]],
                    fmt="o", color="#0b5394", capsize=4)
        ax.invert_yaxis()
        lo = min([float(x) for x in nb["score"]] + [tr["pessimistic"], th["low"]]) - 1
        ax.set_xlim(lo, max([float(x) for x in nb["score"]] + [tr["optimistic"], th["high"]]) + 1)
        ax.set_xlabel(f"{'Điểm PAR INDEX' if vi else 'PAR INDEX score'} ({'trục bắt đầu từ' if vi else 'axis starts at'} {lo:.0f})")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
        fig.tight_layout()
    alt = (f"Biểu đồ thanh: điểm đã công bố của các tỉnh quanh Quảng Nam, khoảng điểm hạng {k} năm {y} và khoảng dự báo "
           "của tỉnh" if vi else "Bar chart: published scores of the provinces around Quảng Nam, the projected "
           f"{y} {kth}-place range and the province's projected range")
    return charts.figure_html(fig, alt)


def whatif_section(ctx: OutlookContext, top: int = 5) -> str:
    """The tasks whose completion would add most appraisal points under the expected scenario."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    w = scoring.what_if(ctx.tasks, ctx.plan, top=top)
    skipped = scoring.not_scored_text(ctx.plan, lang)
    rows = [[r.task_id, str(r.field), status_label(r.current_status, ctx.plan, lang), _n(r.points_added, lang, 3)]
            for r in w.itertuples()]
    h = (f"{top} nhiệm vụ nếu hoàn thành sẽ thêm nhiều điểm nhất" if vi else f"The {top} tasks whose completion adds most points")
    note = ("Điểm thêm = phần điểm thẩm định của lĩnh vực có thể gỡ lại (theo giả định) chia đều cho các nhiệm vụ của mục đó "
            "× phần chưa được tính theo trạng thái hiện nay (kịch bản dự kiến)."
            + (f" Nhiệm vụ {skipped} không cộng điểm dự báo." if skipped else "") if vi else
            "Points added = the field's recoverable appraisal points (as assumed) shared equally among the section's "
            "tasks × the credit not yet counted at the current status (expected scenario)."
            + (f" Tasks of {skipped} add no projected points." if skipped else ""))
    headers = (["Nhiệm vụ", "Lĩnh vực", "Trạng thái hiện nay", "Điểm thêm (ước tính)"] if vi else
               ["Task", "Field", "Current status", "Points added (derived)"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[3])


def sipas_section(ctx: OutlookContext, chart: bool = True) -> str:
    """SIPAS per factor and overall from the latest survey, with Wilson 95 % intervals and respondent counts."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    h = "Chỉ số hài lòng SIPAS từ khảo sát của tỉnh" if vi else "SIPAS from the province's survey"
    if ctx.survey.empty:
        return f"<h2>{esc(h)}</h2><p>{esc('Chưa có dữ liệu khảo sát đến quý này.' if vi else 'No survey data up to this quarter.')}</p>"
    s = scoring.sipas(ctx.survey, ctx.as_of, ctx.plan)
    rows = []
    for r in s.itertuples():
        name = (r.name_vi if vi else r.name_en) if r.level == "factor" else ("Chung" if vi else "Overall")
        rows.append([name, str(r.n_respondents), fmt.pct(r.share, lang),
                     f"{fmt.pct(r.lower, lang)} – {fmt.pct(r.upper, lang)}", _n(r.score_10, lang)])
    overall = s[s["level"] != "factor"].iloc[0]
    by = ctx.baseline_year
    nat = float(overall.national_baseline_share)
    cmp = (f"Năm {by}: {_n(float(overall.baseline_score_10), lang)}/10 (công bố); "
           + (f"trung bình cả nước {by}: {fmt.pct(nat, lang)} (công bố)." if not pd.isna(nat) else
              f"trung bình cả nước {by} chưa được công bố.") if vi else
           f"{by}: {_n(float(overall.baseline_score_10), lang)}/10 (published); "
           + (f"national {by} average: {fmt.pct(nat, lang)} (published)." if not pd.isna(nat) else
              f"national {by} average not yet published."))
    headers = (["Yếu tố", "Số người trả lời", "Tỷ lệ hài lòng", "Khoảng tin cậy 95 %", "Quy đổi thang 10"] if vi else
               ["Factor", "Respondents", "Satisfied", "95 % interval", "10-point form"])
    out = [f"<h2>{esc(h)}</h2>",
           f"<p>{esc(('Khảo sát ' if vi else 'Survey of ') + ctx.survey_quarter.label(lang))}: "
           f"<strong>{esc(_n(float(overall.score_10), lang))}/10</strong>. {esc(cmp)}</p>",
           table(headers, rows, numeric_cols=[1, 2, 3, 4]),
           f"<p class=\"note\">{esc(scoring.sipas_method_text(ctx.as_of, ctx.plan, lang))}</p>"]
    if chart:
        out.append(_sipas_chart(s, lang, scoring.sipas_factor_mark(ctx.plan)))
    out.append(_sipas_by_district(ctx))
    return "\n".join(out)


def _sipas_by_district(ctx: OutlookContext) -> str:
    """Overall satisfied share per district surveyed, with its interval and respondent count."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    d = scoring.sipas(ctx.survey, ctx.as_of, ctx.plan, by="district")
    d = d[d["level"] != "factor"] if "level" in d.columns else d
    rows = []
    for r in d.sort_values("share", ascending=False).itertuples():
        a = ctx.plan.agencies.get(str(r.district))
        rows.append([a.name(lang) if a else str(r.district), str(r.n_respondents), fmt.pct(r.share, lang),
                     f"{fmt.pct(r.lower, lang)} – {fmt.pct(r.upper, lang)}", _n(r.score_10, lang)])
    n = len(ctx.plan.indices["sipas_factors"])
    h = f"Theo huyện nơi khảo sát (chung {n} yếu tố)" if vi else f"By district surveyed (all {n} factors)"
    headers = (["Huyện", "Số người trả lời", "Tỷ lệ hài lòng", "Khoảng tin cậy 95 %", "Quy đổi thang 10"] if vi else
               ["District", "Respondents", "Satisfied", "95 % interval", "10-point form"])
    note = ("Số người trả lời mỗi huyện nhỏ: khoảng tin cậy rộng, không nên xếp hạng theo điểm giữa." if vi else
            "Few respondents per district: wide intervals; do not rank on the point estimates.")
    return f"<h3>{esc(h)}</h3><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[1, 2, 3, 4])


def _sipas_chart(s: pd.DataFrame, lang: str, mark: float | None) -> str:
    import matplotlib.pyplot as plt

    vi = lang == "vi"
    f = s[s["level"] == "factor"]
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 2.8))
        ys = list(range(len(f)))
        share = list(f["share"] * 100)
        ax.errorbar(share, ys, xerr=[list((f["share"] - f["lower"]) * 100), list((f["upper"] - f["share"]) * 100)],
                    fmt="o", color="#0b5394", capsize=3)
        m = "" if mark is None else f"{mark:g}"
        if mark is not None:
            ax.axvline(mark, color="#b42318", linestyle="--", linewidth=1)
        ax.set_yticks(ys, [r.name_vi if vi else r.name_en for r in f.itertuples()])
        ax.invert_yaxis()
        ax.set_xlabel("% hài lòng (khoảng tin cậy 95 %)" if vi else "% satisfied (95 % interval)")
        title = ("SIPAS theo yếu tố" + (f"; vạch đỏ: {m} %" if m else "") if vi else
                 "SIPAS by factor" + (f"; red line: {m} %" if m else ""))
        ax.set_title(title, loc="left", fontsize=10)
        fig.tight_layout()
    alt = (f"Biểu đồ điểm: tỷ lệ hài lòng {len(f)} yếu tố SIPAS với khoảng tin cậy 95 %"
           + (f", so với mốc {m} %" if m else "") if vi else
           f"Dot chart: satisfied share for the {len(f)} SIPAS factors with 95 % intervals"
           + (f", against {m} %" if m else ""))
    return charts.figure_html(fig, alt)


def assumptions_section(ctx: OutlookContext) -> str:
    """The projection's assumptions, printed in full (status mapping included)."""
    vi = ctx.lang == "vi"
    text = scoring.assumptions_text(ctx.as_of, ctx.plan, ctx.lang, statuses=ctx.tasks["status"])
    return (f"<h2>{esc('Giả định của mô hình' if vi else 'Model assumptions')}</h2>"
            f"<pre style=\"white-space: pre-wrap\">{esc(text)}</pre>")


def overview_summary(ctx: OutlookContext) -> str:
    """Short outlook block for the overview: the verdict sentence, total and threshold ranges, top 5 what-if, link."""
    lang, vi = ctx.lang, ctx.lang == "vi"
    tr = scoring.total_range(ctx.projection)
    th = ctx.threshold
    y, k = ctx.assessment_year, ctx.rank
    rng = " – ".join(_n(tr[sc], lang) for sc in SCEN)
    text = (f"Tổng điểm PAR INDEX {y} dự báo{DERIVED['vi']}: {rng} (bi quan – dự kiến – lạc quan). Điểm hạng {k} năm "
            f"{y}: {_n(th['low'], lang)} – {_n(th['high'], lang)}{DERIVED['vi']}." if vi else
            f"Projected {y} PAR INDEX{DERIVED['en']}: {rng} (pessimistic – expected – optimistic). "
            f"{_ordinal(k)}-place score {y}: {_n(th['low'], lang)} – {_n(th['high'], lang)}{DERIVED['en']}.")
    link = '<p class="note"><a href="outlook.html">' + esc("Xem trang triển vọng đầy đủ" if vi else "Full outlook page")
    return ("<h2>" + esc("Triển vọng chỉ số (tóm tắt)" if vi else "Index outlook (summary)") + "</h2>"
            + verdict_block(ctx) + f"<p>{esc(text)}</p><p class=\"note\">{esc(_as_of_note(ctx))}</p>"
            + whatif_section(ctx).replace("<h2>", "<h3>").replace("</h2>", "</h3>") + link + "</a></p>")
