"""Index outlook page, as a view: projected PAR INDEX (a range), the goal-rank score of the assessment year, the
verdict, SIPAS — plain data for the templates in `report/templates/outlook/`.

Every figure is the one published by the report's as-of date (scoring.as_of_date) and is shown with its year. The
plan (parplan.catalogue.Plan) gives the years, the goal rank and the baselines; load_outlook_context gets it with
plan_for(quarter), build_context takes it. The projection, the threshold, the verdict and SIPAS are computed by
parplan.scoring; this module only arranges their results: `<section>_view(ctx)` returns the section's data
(numbers stay numbers, statuses stay keys; texts come from the catalogue `outlook.*` or from the plan in the page's
language), `render(section, ctx)` / the `<section>_section(ctx)` functions turn it into HTML through the section's
template.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from babel import Locale
from markupsafe import Markup

from .. import scoring
from ..catalogue import Plan, quarter_plan
from ..periods import Quarter
from ..store import Store
from . import charts, fmt, i18n, layout

SCENARIOS = scoring.SCENARIOS
POSITIONS = {"below bracket": "below", "inside bracket": "inside", "at or above bracket": "above"}
METHOD_LINKS = {"projection": "method.html#projection", "sipas": "method.html#sipas", "status": "method.html#status"}


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


# ---------------------------------------------------------------- small pieces of data
def _num(x: object) -> float | None:
    """A float, or None where the value is missing (the templates show the catalogue's dash)."""
    return None if x is None or pd.isna(x) else float(x)


def _source_kind(status: object) -> str:
    """A reference figure's status ('sourced', 'derived (…)', 'NOT FOUND …', 'assumption') -> a catalogue key of
    `outlook.source_status`."""
    s = str(status)
    if "NOT FOUND" in s:
        return "not_found"
    if "derived" in s.lower():
        return "derived"
    return "sourced" if "sourced" in s else ("assumed" if "assum" in s else "other")


def _sources(sources: Any) -> dict[str, Any]:
    """Web sources as printed; anything else (the plan's text, a file of it) is 'the province's plan'."""
    items = [str(s) for s in sources]
    return {"urls": sorted({s for s in items if s.startswith("http")}), "plan": any(not s.startswith("http") for s in items)}


def ordinal(n: int, lang: str) -> str:
    """25 -> '25th', 21 -> '21st' in English, '25' in Vietnamese: the catalogue's `outlook.ordinal.<form>`, the form
    from the language's plural rules (babel)."""
    form = Locale.parse(i18n.locale(lang)).ordinal_form(int(n))
    key = f"outlook.ordinal.{form}"
    return i18n.t(key if i18n.has(key, lang) else "outlook.ordinal.other", lang, n=int(n))


def task_ref(plan: Plan, task_id: str, lang: str) -> dict[str, str]:
    """A task as the pages show it: its id beside its short text (the catalogue's 'not in the plan' if unknown)."""
    try:
        short = plan.task(task_id).short(lang)
    except KeyError:
        short = i18n.t("outlook.task_not_in_plan", lang)
    return {"id": task_id, "short": short}


def status_label(code: str, plan: Plan, lang: str = "vi") -> str:
    """A task status for readers: the catalogue's `status.*`, else the par_scoring.yaml alias name in the page's
    language, else the catalogue's 'status not known'."""
    if i18n.has(f"status.{code}", lang):
        return i18n.t(f"status.{code}", lang)
    alias = scoring.scoring_config(plan)["projection"].get("status_as", {}).get(code)
    if alias and lang in alias:
        return str(alias[lang])
    return i18n.t("outlook.status_unknown", lang)


def _common(ctx: OutlookContext) -> dict[str, Any]:
    """What every section's template may name: years, the goal rank (and its ordinal), the method links."""
    return {"year": ctx.assessment_year, "baseline_year": ctx.baseline_year, "rank": ctx.rank,
            "kth": ordinal(ctx.rank, ctx.lang), "links": METHOD_LINKS}


def _field_names(plan: Plan, lang: str) -> dict[int, str]:
    return {int(f["number"]): str(f.get(f"name_{lang}") or f["name_vi"]) for f in plan.indices["par_fields"]}


# ---------------------------------------------------------------- header and verdict
def as_of_view(ctx: OutlookContext) -> dict[str, Any]:
    """The as-of date, why it is that date, and the latest PAR INDEX results published by then."""
    pub = scoring.publications(ctx.as_of, ctx.plan)
    pub = pub[pub["index"] == scoring.PAR_PROVINCES]
    latest = pub.loc[pub["result_year"].idxmax()] if len(pub) else None
    issued = scoring.plan_issued(ctx.plan)
    return {"as_of": ctx.as_of,
            "why": "plan_issued" if ctx.as_of == issued and ctx.quarter.end < issued else "quarter_end",
            "latest_year": None if latest is None else int(latest["result_year"]),
            "latest_published": None if latest is None else latest["published"]}


def verdict_data(v: dict[str, Any], year: int, projected: bool, lang: str, *, rank: int) -> dict[str, Any]:
    """The verdict sentence's data: likely / possible / unlikely to be in the top `rank`, the goal-rank range and
    the points each scenario is short of its bottom and top."""
    return {"verdict": v["verdict"], "year": year, "rank": rank, "kth": ordinal(rank, lang), "projected": projected,
            "low": float(v["low"]), "high": float(v["high"]),
            "scenarios": [{"scenario": sc, "total": float(v["totals"][sc]), "to_low": float(v["short"][sc]["to_low"]),
                           "to_high": float(v["short"][sc]["to_high"])} for sc in SCENARIOS]}


def verdict_view(ctx: OutlookContext) -> dict[str, Any]:
    """The verdict, the two-line reading of the expected scenario, and the tasks whose status the projection's
    mapping does not know (counted as no data, listed for a person to check)."""
    unknown = ctx.projection.attrs.get("unknown_statuses", [])
    ids = sorted(ctx.tasks.loc[ctx.tasks["status"].isin(unknown), "task_id"]) if unknown else []
    return {**_common(ctx),
            "verdict": verdict_data(ctx.verdict, ctx.assessment_year, ctx.threshold["basis"] == "projected", ctx.lang,
                                    rank=ctx.rank),
            "unknown_tasks": [task_ref(ctx.plan, str(t), ctx.lang) for t in ids]}


def header_view(ctx: OutlookContext) -> dict[str, Any]:
    """Title, the warning that this is a model, the as-of date and the verdict."""
    return {**verdict_view(ctx), "quarter": ctx.quarter.label(ctx.lang), "as_of": as_of_view(ctx)}


# ---------------------------------------------------------------- projection by field
def projection_view(ctx: OutlookContext, chart: bool = True) -> dict[str, Any]:
    """Per field: baseline %, derived maximum and points, projected points in three scenarios; the total as a range."""
    p = ctx.projection
    base = scoring.baseline(ctx.plan)
    cfg = scoring.scoring_config(ctx.plan)
    fields = base[base["level"] == "field"]
    rows = []
    for f in fields.itertuples():
        sc = {r.scenario: r for r in p[(p["level"] == "field") & (p["field"] == f.field)].itertuples()}
        rows.append({"field": int(f.field), "name": _field_names(ctx.plan, ctx.lang)[int(f.field)],
                     "baseline_pct": float(f.baseline_pct), "max_points": float(f.max_points),
                     "baseline_points": float(f.baseline_points),
                     "projected": [float(sc[s].projected_points) for s in SCENARIOS]})
    tr = scoring.total_range(p)
    total = base[base["level"] == "total"].iloc[0]
    return {**_common(ctx), "rows": rows,
            "total": {"max_points": float(total["max_points"]), "published": float(total["published_points"]),
                      "projected": [float(tr[s]) for s in SCENARIOS]},
            "fields_sum": float(fields["baseline_points"].sum()),
            "survey_fields": scoring.field_list(scoring.survey_fields(cfg)), "impact_field": scoring.impact_field(cfg),
            "figure": _field_chart(ctx, fields) if chart else None}


def _field_chart(ctx: OutlookContext, fields: pd.DataFrame) -> dict[str, str]:
    """Per field, the baseline year's share of the maximum points beside the projection with its pessimistic–
    optimistic range, on a 0–100 % axis (charts' palette; the legend above the chart)."""
    import matplotlib.pyplot as plt

    lang, p = ctx.lang, ctx.projection
    year, by = ctx.assessment_year, ctx.baseline_year

    def pct(f: int, sc: str) -> float:
        return float(p[(p.level == "field") & (p.field == f) & (p.scenario == sc)]["projected_pct"].iloc[0]) * 100

    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(charts.WIDTH, 4.3), layout="constrained")
        xs = list(range(len(fields)))
        exp = [pct(f, "expected") for f in fields["field"]]
        lo = [pct(f, "pessimistic") for f in fields["field"]]
        hi = [pct(f, "optimistic") for f in fields["field"]]
        base = list(fields["baseline_pct"] * 100)
        ax.bar([x - 0.2 for x in xs], base, width=0.4, color=charts.COLOURS["baseline"],
               label=i18n.t("outlook.chart.fields_baseline", lang, year=by))
        ax.bar([x + 0.2 for x in xs], exp, width=0.4, color=charts.COLOURS["projection"],
               yerr=[[e - a for e, a in zip(exp, lo, strict=True)], [b - e for e, b in zip(exp, hi, strict=True)]],
               capsize=3, ecolor=charts.COLOURS["target"], label=i18n.t("outlook.chart.fields_projection", lang, year=year))
        ax.axhline(100, color=charts.COLOURS["target"], linewidth=0.8, linestyle=":",
                   label=i18n.t("charts.fields_max", lang))
        ax.set_xticks(xs, [str(f) for f in fields["field"]])
        ax.set_xlabel(i18n.t("outlook.chart.fields_x", lang))
        ax.set_ylabel(i18n.t("charts.fields_y", lang))
        ax.set_ylim(0, 105)  # a share: from 0
        charts.title_and_legend(fig, ax, i18n.t("outlook.chart.fields_title", lang, baseline_year=by, year=year),
                    ax.get_legend_handles_labels()[0])
    alt = i18n.t("outlook.chart.fields_alt", lang, n=len(fields), baseline_year=by, year=year,
                 start=fmt.pct(0, lang, 0))
    return charts.figure(fig, alt)


# ---------------------------------------------------------------- survey-based components
def _component(c: Any, plan: Plan, lang: str) -> dict[str, Any]:
    return {"name": i18n.t(f"outlook.component.{c.component}", lang), "max_points": float(c.max_points),
            "fields": scoring.field_list(str(c.fields).split(",")), "n_fields": len(str(c.fields).split(","))}


def survey_view(ctx: OutlookContext) -> dict[str, Any]:
    """The survey-based components: level, band from the province's own history, low – expected – high, sources."""
    r = ctx.projection.attrs["survey_ranges"]
    rows = [{**_component(c, ctx.plan, ctx.lang), "level": float(c.level), "level_year": int(c.baseline_year),
             "level_status": _source_kind(c.level_status), "band": float(c.band),
             "moves": [{"from": m["from"], "to": m["to"], "change": float(m["change"]), "derived": bool(m["derived"])}
                       for m in c.moves],
             "relative_band": float(c.relative_band),
             "range": [float(c.low), float(c.expected), float(c.high)]} for c in r.itertuples()]
    return {**_common(ctx), "rows": rows, "sources": _sources([s for x in r["sources"] for s in x] + ["plan"])}


# ---------------------------------------------------------------- the goal-rank score
def threshold_view(ctx: OutlookContext) -> dict[str, Any]:
    """The published distribution by year, how the goal-rank score of the assessment year is derived, sources."""
    th = ctx.threshold
    families = scoring.scoring_config(ctx.plan).get("scheme_families", {})
    rows = []
    for r in th["history"].itertuples():
        names = families.get(r.scheme_family, {})
        rows.append({"year": int(r.year), "scheme": names.get(ctx.lang, r.scheme_family) if names else r.scheme_family,
                     "published": r.published, "mean": _num(r.mean), "mean_status": _source_kind(r.mean_status),
                     "bracket": None if pd.isna(r.bracket_low) or pd.isna(r.bracket_high) else
                     {"low": float(r.bracket_low), "low_rank": _num(r.bracket_low_rank),
                      "high": float(r.bracket_high), "high_rank": _num(r.bracket_high_rank)},
                     "sources": _sources(list(r.mean_sources) + list(r.bracket_sources))})
    out = {**_common(ctx), "rows": rows, "basis": th["basis"], "threshold_year": int(th["year"]),
           "low": float(th["low"]), "high": float(th["high"])}
    if th["basis"] != "published":
        n = int(th["steps"])
        out.update(base_year=int(th["base_year"]), base_low=float(th["base_low"]), base_high=float(th["base_high"]),
                   steps=n, min_move=n * float(th["min_move"]), max_move=n * float(th["max_move"]),
                   moves=[{"from": m["from"], "to": m["to"], "change": float(m["change"]),
                           "scheme_change": bool(m["scheme_change"])} for m in th["moves"]])
    return out


def top25_view(ctx: OutlookContext, chart: bool = True) -> dict[str, Any]:
    """Distance from the projection to the goal-rank range of the assessment year, and the neighbours."""
    d = scoring.distance_to_top25(ctx.projection, ctx.threshold)
    rows = [{"scenario": r.scenario, "total": float(r.projected_points), "to_low": max(0.0, float(r.needed_to_low)),
             "to_high": max(0.0, float(r.needed_to_high)), "position": POSITIONS.get(r.position, "inside")}
            for r in d[d["level"] == "total"].itertuples()]
    nb = scoring.neighbours(ctx.as_of, ctx.plan)
    neighbours = [{"province": r.province, "year": int(r.year), "score": float(r.score), "rank": _num(r.rank_of_63),
                   "status": _source_kind(r.status), "own": bool(r.is_province)} for r in nb.itertuples()]
    return {**_common(ctx), "rows": rows, "neighbours": neighbours, "neighbours_year": int(nb["year"].iloc[0]),
            "figure": _distance_chart(ctx, nb) if chart else None}


def _distance_chart(ctx: OutlookContext, nb: pd.DataFrame) -> dict[str, str]:
    """Neighbours' published scores, the projected goal-rank range and Quảng Nam's projected range on one axis (PAR
    INDEX points, not a share: the axis starts near the lowest score, said in its label and drawn as a break)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lang, th = ctx.lang, ctx.threshold
    y, k = ctx.assessment_year, ctx.rank
    kth = ordinal(k, lang)
    tr = scoring.total_range(ctx.projection)
    scores = [float(x) for x in nb["score"]]
    own_bar = [bool(x) for x in nb["is_province"]]
    colours = [charts.COLOURS["own"] if o else charts.COLOURS["published"] for o in own_bar]
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(charts.WIDTH, 0.36 * (len(nb) + 1) + 1.9), layout="constrained")
        ax.axvspan(th["low"], th["high"], color=charts.COLOURS["range"])
        ax.barh([f"{r.province} ({r.year})" for r in nb.itertuples()], scores, color=colours,
                hatch=["" if o else "//" for o in own_bar], edgecolor="white", linewidth=0)
        own = i18n.t("outlook.chart.distance_own", lang, province=scoring.PROVINCE, year=y)
        ax.errorbar([tr["expected"]], [own], xerr=[[tr["expected"] - tr["pessimistic"]],
                                                   [tr["optimistic"] - tr["expected"]]],
                    fmt="o", color=charts.COLOURS["projection"], capsize=4)
        ax.invert_yaxis()
        lo = min([*scores, tr["pessimistic"], th["low"]]) - 1
        ax.set_xlim(lo, max([*scores, tr["optimistic"], th["high"]]) + 1)
        charts.mark_axis_cut(ax, "x")
        ax.set_xlabel(i18n.t("outlook.chart.distance_x", lang, start=fmt.number(lo, lang, 0)))
        handles = [Patch(color=charts.COLOURS["range"],
                         label=i18n.t("outlook.chart.distance_range", lang, rank=k, kth=kth, year=y)),
                   Patch(facecolor=charts.COLOURS["published"], hatch="//", edgecolor="white",
                         label=i18n.t("charts.distance_published", lang))]
        if any(own_bar):
            handles.append(Patch(color=charts.COLOURS["own"],
                                 label=i18n.t("charts.distance_own_published", lang, province=scoring.PROVINCE)))
        handles.append(Line2D([], [], marker="o", color=charts.COLOURS["projection"],
                              label=i18n.t("charts.distance_projected", lang, province=scoring.PROVINCE, year=y)))
        charts.title_and_legend(fig, ax, "", handles)
    return charts.figure(fig, i18n.t("outlook.chart.distance_alt", lang, rank=k, kth=kth, year=y,
                                     province=scoring.PROVINCE))


# ---------------------------------------------------------------- what if
def not_scored_tasks(plan: Plan, lang: str) -> list[dict[str, str]]:
    """The plan rows (a whole part, or sections of a part) whose tasks add no projected points, as tasks."""
    cfg = scoring.scoring_config(plan)
    out = []
    for n in cfg["projection"].get("not_scored", []):
        letter, secs = scoring.part_letter(plan, n["index"]), list(n["sections"])
        whole = set(secs) == set(cfg["sections"].get(n["index"], {}))
        out += [task_ref(plan, letter, lang)] if whole else [task_ref(plan, f"{letter}.{s}", lang) for s in secs]
    return out


def whatif_view(ctx: OutlookContext, top: int = 5) -> dict[str, Any]:
    """The tasks whose completion would add most appraisal points under the expected scenario."""
    from .answer import task_brief

    w = scoring.what_if(ctx.tasks, ctx.plan, top=top)
    rows = [{"task": task_ref(ctx.plan, str(r.task_id), ctx.lang), "field": int(r.field),
             "status": status_label(str(r.current_status), ctx.plan, ctx.lang), "points": float(r.points_added),
             **{k: v for k, v in task_brief(ctx.plan, str(r.task_id), ctx.lang).items() if k in ("lead", "due",
                                                                                                 "schedule")}}
            for r in w.itertuples()]
    return {**_common(ctx), "top": top, "rows": rows, "not_scored": not_scored_tasks(ctx.plan, ctx.lang)}


# ---------------------------------------------------------------- SIPAS
def _share_rows(s: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"n": int(r.n_respondents), "share": _num(r.share), "lower": _num(r.lower), "upper": _num(r.upper),
             "score_10": _num(r.score_10)} for r in s.itertuples()]


def sipas_view(ctx: OutlookContext, chart: bool = True) -> dict[str, Any]:
    """SIPAS per factor and overall from the latest survey, with Wilson 95 % intervals and respondent counts; the
    same overall per district surveyed; how it is computed."""
    if ctx.survey.empty:
        return {**_common(ctx), "empty": True}
    lang = ctx.lang
    s = scoring.sipas(ctx.survey, ctx.as_of, ctx.plan)
    factors = s[s["level"] == "factor"]
    overall = s[s["level"] != "factor"].iloc[0]
    names = [str(getattr(r, f"name_{lang}", r.name_vi)) for r in factors.itertuples()]
    n_factors = len(ctx.plan.indices["sipas_factors"])
    rows = [{**x, "name": nm} for x, nm in zip(_share_rows(s), [*names, i18n.t("outlook.sipas.overall", lang)],
                                                strict=False)]
    d = scoring.sipas(ctx.survey, ctx.as_of, ctx.plan, by="district")
    d = d[d["level"] != "factor"].sort_values("share", ascending=False)
    from .names import unit_name

    districts = [{**x, "name": unit_name(ctx.plan, str(code), lang)}
                 for x, code in zip(_share_rows(d), d["district"], strict=True)]
    method = s.attrs.get("method", {})
    return {**_common(ctx), "empty": False, "survey_quarter": ctx.survey_quarter.label(lang) if ctx.survey_quarter
            else "", "score_10": float(overall.score_10), "baseline_score_10": _num(overall.baseline_score_10),
            "national_share": _num(overall.national_baseline_share), "rows": rows, "districts": districts,
            "n_factors": n_factors, "scale": ", ".join(str(x) for x in method.get("scale_satisfied", [4, 5])),
            "pooled": method.get("overall", "pooled") == "pooled",
            "figure": _sipas_chart(factors, names, lang, scoring.sipas_factor_mark(ctx.plan)) if chart else None}


def _sipas_chart(f: pd.DataFrame, names: list[str], lang: str, mark: float | None) -> dict[str, str]:
    """Each factor's share satisfied with its 95 % interval on a 0–100 % axis, its name and value written above its
    row, the plan's mark as a dashed line named in the legend."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    shares = [float(x) * 100 for x in f["share"]]
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(charts.WIDTH, 0.62 * len(f) + 1.7), layout="constrained")
        ys = list(range(len(f)))
        ax.errorbar(shares, ys, xerr=[list((f["share"] - f["lower"]) * 100), list((f["upper"] - f["share"]) * 100)],
                    fmt="o", color=charts.COLOURS["projection"], capsize=3)
        for yy, name, s in zip(ys, names, shares, strict=True):
            ax.text(0, yy - 0.3, f"{name} — {fmt.pct(s / 100, lang)}", va="bottom", ha="left", fontsize=charts.SMALL,
                    color=charts.COLOURS["text"], bbox=charts.LABEL_BOX)
        handles = [Line2D([], [], marker="o", color=charts.COLOURS["projection"], label=i18n.t("charts.sipas_share", lang))]
        m = "" if mark is None else fmt.pct(mark / 100, lang, 0)
        if mark is not None:
            ax.axvline(mark, color=charts.COLOURS["mark"], linestyle="--", linewidth=1.2)
            handles.append(Line2D([], [], color=charts.COLOURS["mark"], linestyle="--", linewidth=1.2,
                                  label=i18n.t("charts.sipas_mark", lang, mark=m)))
        ax.set_xlim(0, 100)  # a share: from 0
        ax.set_ylim(len(f) - 0.5, -0.8)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(i18n.t("charts.sipas_x", lang))
        charts.title_and_legend(fig, ax, i18n.t("outlook.chart.sipas_title", lang), handles)
    return charts.figure(fig, i18n.t("outlook.chart.sipas_alt", lang, n=len(f))
                         + (i18n.t("outlook.chart.sipas_alt_mark", lang, mark=m) if m else ""))


# ---------------------------------------------------------------- assumptions
def assumptions_view(ctx: OutlookContext) -> dict[str, Any]:
    """The projection's assumptions as the rows of a table (what is assumed, its value, where it comes from), from
    scoring.assumptions and the plan; each row's `kind` names its catalogue texts (`outlook.assumptions.<kind>`)."""
    lang, plan, by = ctx.lang, ctx.plan, ctx.baseline_year
    cfg = scoring.scoring_config(plan)
    a = scoring.assumptions(ctx.as_of, plan, cfg, ctx.tasks["status"])
    base = scoring.baseline(plan)
    fields = base[base["level"] == "field"]
    tot = base[base["level"] == "total"].iloc[0]
    maxima = {c["id"]: float(c["max_points"]) for c in cfg["scheme"]["components"]}
    names = _field_names(plan, lang)
    letter = scoring.part_letter(plan, "PAR")
    rows: list[dict[str, Any]] = [
        {"kind": "baseline", "derived_pct": bool((fields["pct_status"] == "derived").all()),
         "decision": cfg["scheme"].get("decision", ""), "sum": float(tot["baseline_points"]),
         "published": float(tot["published_points"])},
        {"kind": "survey_split", "fields": scoring.field_list(scoring.survey_fields(cfg)),
         "appraisal": maxima.get("appraisal"), "leaders": maxima.get("leaders_survey")}]
    for lv in a["levers"]:
        rows.append({"kind": "lever", "field": int(lv["field"]), "name": names[int(lv["field"])],
                     "sections": [task_ref(plan, f"{scoring.part_letter(plan, lv['index'])}.{s.strip()}", lang)
                                  for s in str(lv["sections"]).split(",")],
                     "max": float(lv["max_points"]), "baseline": float(lv["baseline_points"]),
                     "lost": float(lv["baseline_lost_points"]), "share": float(lv["share"]),
                     "influenceable": float(lv["influenceable_points"])})
    for s in plan.indices.get("par_sections_without_field", []):
        f = int(cfg["sections"]["PAR"][s]["field"])
        rows.append({"kind": "without_field", "section": task_ref(plan, f"{letter}.{s}", lang), "field": f,
                     "name": names[f]})
    rows += [{"kind": "multiplier", "status": status_label(st, plan, lang), "values": [float(x) for x in m]}
             for st, m in a["multipliers"].items()]
    rows += [{"kind": "alias", "status": status_label(code, plan, lang),
              "counts_as": status_label(alias["counts_as"], plan, lang)} for code, alias in a["status_as"].items()]
    unknown = [c for c, m in a["status_mapping"].items() if m["why"] == "unknown"]
    rows.append({"kind": "unknown", "counts_as": status_label(a["unknown_status_as"], plan, lang),
                 "n_unknown": len(unknown)})
    rows.append({"kind": "survey_parts"})
    not_scored = not_scored_tasks(plan, lang)
    if not_scored:
        rows.append({"kind": "not_scored", "tasks": not_scored})
    rows.append({"kind": "bounds"})
    best = scoring.national_best(by, ctx.as_of, plan)["value"]
    rows.append({"kind": "calibration", "total": scoring.all_met_total(plan, cfg), "best": _num(best)})
    return {**_common(ctx), "rows": rows}


# ---------------------------------------------------------------- overview block
def overview_view(ctx: OutlookContext) -> dict[str, Any]:
    """The overview's outlook block: the verdict, the total and goal-rank ranges, the as-of note, top 5 what-if."""
    tr = scoring.total_range(ctx.projection)
    return {**verdict_view(ctx), "projected": [float(tr[s]) for s in SCENARIOS],
            "low": float(ctx.threshold["low"]), "high": float(ctx.threshold["high"]),
            "threshold_projected": ctx.threshold["basis"] == "projected", "as_of": as_of_view(ctx),
            "whatif": whatif_view(ctx), "page": "outlook.html"}


# ---------------------------------------------------------------- rendering
VIEWS = {"header": header_view, "projection": projection_view, "threshold": threshold_view, "survey": survey_view,
         "top25": top25_view, "whatif": whatif_view, "sipas": sipas_view, "assumptions": assumptions_view,
         "overview_summary": overview_view}
SECTIONS = ("header", "projection", "threshold", "survey", "top25", "whatif", "sipas", "assumptions")


def render(section: str, ctx: OutlookContext, **options: Any) -> Markup:
    """One section of the page: its view rendered through `outlook/<section>.html.j2` in the context's language."""
    return layout.render(f"outlook/{section}.html.j2", ctx.lang, **VIEWS[section](ctx, **options))


def _section(name: str, doc: str) -> Any:
    """A function rendering one section (`render(name, ctx, **options)`), under the page's older section names."""
    def section(ctx: OutlookContext, **options: Any) -> Markup:
        return render(name, ctx, **options)

    section.__name__, section.__doc__ = f"{name}_section", doc
    return section


header = _section("header", "Title, the warning that this is a model, the as-of date and the verdict.")
projection_section = _section("projection", "Per field: baseline %, derived maximum and points, projected points in "
                              "three scenarios; the total as a range (chart=False leaves the chart out).")
threshold_section = _section("threshold", "The published distribution by year and how the goal-rank score is derived.")
survey_section = _section("survey", "The survey-based components and their ranges.")
top25_section = _section("top25", "Distance to the goal-rank range and the neighbouring provinces.")
whatif_section = _section("whatif", "The tasks whose completion would add most points (top=5).")
sipas_section = _section("sipas", "SIPAS from the province's survey (chart=False leaves the chart out).")
assumptions_section = _section("assumptions", "The model's assumptions as a table.")


def overview_summary(ctx: OutlookContext) -> Markup:
    """Short outlook block for the overview: the verdict sentence, total and threshold ranges, top 5 what-if, link."""
    return render("overview_summary", ctx)


def verdict_sentence(v: dict[str, Any], year: int, projected: bool, lang: str = "vi", *, rank: int) -> str:
    """One sentence: likely / possible / unlikely to be in the top `rank`, and why (points short in each scenario)."""
    return str(layout.render("outlook/verdict_sentence.html.j2", lang,
                             verdict=verdict_data(v, year, projected, lang, rank=rank))).strip()


def expected_lines(plan: Plan, lang: str = "vi") -> list[str]:
    """The expected scenario in two lines a leader can follow."""
    return [i18n.t("outlook.expected.tasks", lang), i18n.t("outlook.expected.surveys", lang, year=plan.baseline_year)]
