"""PAR INDEX outlook (baseline, projected field points, the 25th-place score of the assessment year) and SIPAS.

Pure functions over catalogue/indices.yaml, catalogue/par_scoring.yaml (scheme, section → field map, projection
assumptions) and the published figures in catalogue/reference/*.csv. Every reference lookup takes an as-of date and
sees only the figures published by then (column `published`); every figure says its year and whether it is sourced
or derived. The projection never gives a single number: always three scenarios, and a range for the threshold.
Method: docs/method.md, section "Index outlook".
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import yamlfile
from .metrics import wilson_interval
from .periods import Quarter

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
REFERENCE_DIR = CATALOGUE_DIR / "reference"
SCENARIOS = ("pessimistic", "expected", "optimistic")
SIPAS_FACTORS = (1, 2, 3, 4, 5)
PROVINCE = "Quảng Nam"
PAR_PROVINCES = "PAR INDEX provinces"
OVERALL_METHODS = ("pooled", "mean_of_factors")
TASK_COLUMNS = ("task_id", "index", "field", "status")
VERDICTS = ("likely", "possible", "unlikely")
LEVEL_RULES = {"field_pct_times_survey_part": "each field's 2022 % × its survey part",
               "field_8_minus_sipas": "field 8 points − SIPAS"}
SURVEY_FIELDS_MAX = 83.5  # fields 1-7: 61.5 appraisal + 22 leaders' survey (par_scoring.yaml, scheme)

DateLike = dt.date | str


# ---------------------------------------------------------------- loading
@functools.cache
def _yaml(name: str) -> dict[str, Any]:
    return yamlfile.load(CATALOGUE_DIR / name)


def scoring_config() -> dict[str, Any]:
    """A fresh copy of catalogue/par_scoring.yaml (edit it to try other assumptions)."""
    return copy.deepcopy(_yaml("par_scoring.yaml"))


def indices() -> dict[str, Any]:
    """A fresh copy of catalogue/indices.yaml (2022 figures, fields, SIPAS factors, plan dates)."""
    return copy.deepcopy(_yaml("indices.yaml"))


@functools.cache
def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")


def to_date(d: DateLike) -> dt.date:
    """An as-of date from a date or an ISO string (YYYY-MM-DD); anything else is rejected with a message."""
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    try:
        return dt.date.fromisoformat(str(d)[:10])
    except ValueError:
        raise ValueError(f"as-of date {d!r} is not an ISO date (YYYY-MM-DD) / ngày {d!r} không đúng dạng "
                         "YYYY-MM-DD") from None


def reference_table(name: str, as_of: DateLike) -> pd.DataFrame:
    """One reference CSV from catalogue/reference, only the rows published on or before `as_of` (text columns)."""
    t = _csv(name).copy()
    if "published" not in t.columns:
        return t
    bad = t[~t["published"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")]
    if len(bad):
        r = bad.index[0]
        raise ValueError(f"reference/{name}.csv row {r + 2}, column 'published': {t.at[r, 'published']!r} is not an "
                         "ISO date (YYYY-MM-DD expected)")
    return t[t["published"] <= to_date(as_of).isoformat()].reset_index(drop=True)


def _number(text: str) -> float:
    """The figure in a reference cell, NaN for NOT FOUND, ranges or text."""
    try:
        return float(str(text).strip())
    except ValueError:
        return math.nan


def _sources(text: str) -> list[str]:
    return [s.strip() for s in str(text).split(";") if s.strip()]


def _ref_value(index: str, year: int | str, metric: str, as_of: DateLike) -> dict[str, Any]:
    """One figure of par_sipas_aggregates visible as of a date: value, status, sources, published."""
    agg = reference_table("par_sipas_aggregates", as_of)
    row = agg[(agg["index"] == index) & (agg["year"] == str(year)) & (agg["metric"] == metric)]
    if len(row) != 1:
        raise KeyError(f"reference/par_sipas_aggregates.csv: no single row {index}/{year}/{metric} published by "
                       f"{to_date(as_of).isoformat()}")
    r = row.iloc[0]
    return {"value": _number(r["value"]), "year": int(year), "status": r["status"], "published": r["published"],
            "sources": _sources(r["source_url"])}


# ---------------------------------------------------------------- dates: plan, quarter, as-of
def plan_dates() -> dict[str, Any]:
    """Assessment year, baseline year and issue date of the plan (indices.yaml)."""
    ind = _yaml("indices.yaml")
    return {"assessment_year": int(ind["assessment_year"]), "baseline_year": int(ind["baseline_year"]),
            "plan_issued": to_date(ind["plan_issued"]["date"]), "plan_issued_status": ind["plan_issued"]["status"]}


def as_of_date(quarter: Quarter | str, plan_issued: DateLike | None = None) -> dt.date:
    """The date a quarter's report could first be produced: the later of the quarter's end and the plan's issue date."""
    q = Quarter.parse(quarter)
    issued = to_date(plan_issued) if plan_issued is not None else plan_dates()["plan_issued"]
    return max(q.end, issued)


def publications(as_of: DateLike) -> pd.DataFrame:
    """Which results had been published by `as_of`: index, result year, date, scheme (reference/publications.csv)."""
    p = reference_table("publications", as_of)
    p["result_year"] = p["result_year"].astype(int)
    return p


def _check_config(cfg: dict[str, Any]) -> None:
    proj = cfg["projection"]
    if tuple(proj["scenarios"]) != SCENARIOS:
        raise ValueError(f"projection.scenarios must be {list(SCENARIOS)}")
    for status, m in proj["multipliers"].items():
        if len(m) != 3 or not (-1 <= m[0] <= m[1] <= m[2] <= 1):
            raise ValueError(f"multiplier of {status!r} must be 3 numbers in [-1, 1], pessimistic ≤ expected ≤ optimistic")
    for code, alias in proj.get("status_as", {}).items():
        as_code = alias.get("counts_as") if isinstance(alias, dict) else None
        if as_code not in proj["multipliers"]:
            raise ValueError(f"status_as: {code!r} counts as {as_code!r}, which has no multiplier")
    if proj.get("unknown_status_as") not in proj["multipliers"]:
        raise ValueError("unknown_status_as must name a status with a multiplier")
    for lv in proj["levers"]:
        if not 0 <= float(lv["share"]) <= 1:
            raise ValueError(f"lever {lv['id']}: share must be in [0, 1]")


# ---------------------------------------------------------------- baseline
def baseline_2022() -> pd.DataFrame:
    """Per PAR field: 2022 % (sourced), max points (derived), points = % × max (derived); plus the total row."""
    ind = _yaml("indices.yaml")
    rows = []
    for f in ind["par_fields"]:
        pts = float(f["pct_2022"]) * float(f["max_points"])
        rows.append({"level": "field", "field": int(f["number"]), "section": f["section"], "name_vi": f["name_vi"],
                     "name_en": f["name_en"], "pct_2022": float(f["pct_2022"]), "pct_status": "sourced",
                     "max_points": float(f["max_points"]), "max_status": f.get("max_status", "derived"),
                     "points_2022": pts, "points_status": "derived",
                     "lost_points_2022": float(f["max_points"]) - pts, "published_points_2022": math.nan,
                     "published_status": ""})
    out = pd.DataFrame(rows)
    tot = ind["par_index_2022"]["total_points"]
    total = {"level": "total", "field": pd.NA, "section": "", "name_vi": "Tổng điểm PAR INDEX", "name_en": "PAR INDEX total",
             "pct_2022": out["points_2022"].sum() / 100.0, "pct_status": "derived",
             "max_points": out["max_points"].sum(), "max_status": "derived",
             "points_2022": out["points_2022"].sum(), "points_status": "derived",
             "lost_points_2022": out["lost_points_2022"].sum(),
             "published_points_2022": float(tot["value"]), "published_status": tot["status"]}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["field"] = out["field"].astype("Int64")
    return out


def _scheme_max(cfg: dict[str, Any], component: str) -> float:
    return float({c["id"]: c for c in cfg["scheme"]["components"]}[component]["max_points"])


def field_parts(config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per field: appraisal and survey parts of the maximum and of the 2022 points (the split is an assumption)."""
    cfg = config or _yaml("par_scoring.yaml")
    base = baseline_2022().query("level == 'field'").set_index("field")
    leaders = _scheme_max(cfg, "leaders_survey")
    survey_fields = [f for f in base.index if f != 8]
    total = float(base.loc[survey_fields, "max_points"].sum())
    if abs(total - SURVEY_FIELDS_MAX) > 1e-9:
        raise ValueError(f"fields 1-7 add up to {total:g}, not {SURVEY_FIELDS_MAX:g} (61.5 appraisal + 22 survey)")
    sipas_22 = _component_level("sipas", cfg)
    rows = []
    for f, r in base.iterrows():
        m, pct = float(r["max_points"]), float(r["pct_2022"])
        if f == 8:
            rows.append({"field": int(f), "max_points": m, "appraisal_max": 0.0, "survey_max": m,
                         "appraisal_2022": 0.0, "survey_2022": m * pct, "sipas_2022": sipas_22,
                         "socio_economic_2022": m * pct - sipas_22})
            continue
        s_max = m * leaders / SURVEY_FIELDS_MAX
        rows.append({"field": int(f), "max_points": m, "appraisal_max": m - s_max, "survey_max": s_max,
                     "appraisal_2022": pct * (m - s_max), "survey_2022": pct * s_max, "sipas_2022": 0.0,
                     "socio_economic_2022": 0.0})
    return pd.DataFrame(rows).set_index("field")


def _component_level(component: str, cfg: dict[str, Any]) -> float:
    """Baseline-year points of a survey component from the plan's figures (used when no figure is published)."""
    base = baseline_2022().query("level == 'field'").set_index("field")
    if component == "sipas":
        return float(_yaml("indices.yaml")["sipas_2022"]["score_10"]["value"])
    if component == "socio_economic":
        return float(base.at[8, "points_2022"]) - _component_level("sipas", cfg)
    if component == "leaders_survey":
        leaders = _scheme_max(cfg, "leaders_survey")
        return float(sum(base.at[f, "pct_2022"] * base.at[f, "max_points"] * leaders / SURVEY_FIELDS_MAX
                         for f in base.index if f != 8))
    raise KeyError(f"unknown survey component {component!r}")


# ---------------------------------------------------------------- statuses
def status_mapping(statuses: Iterable[str], config: dict[str, Any] | None = None) -> dict[str, dict[str, str]]:
    """How each status code found counts in the projection: itself, an alias (status_as) or unknown_status_as."""
    cfg = config or _yaml("par_scoring.yaml")
    proj = cfg["projection"]
    out = {}
    for s in sorted({str(x) for x in statuses}):
        if s in proj["multipliers"]:
            out[s] = {"counts_as": s, "why": "own"}
        elif s in proj.get("status_as", {}):
            out[s] = {"counts_as": proj["status_as"][s]["counts_as"], "why": "status_as"}
        else:
            out[s] = {"counts_as": proj["unknown_status_as"], "why": "unknown"}
    return out


# ---------------------------------------------------------------- levers and task slices
def levers(config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per lever (the appraisal part of a field): max, 2022 points, lost points, share, influenceable points."""
    cfg = config or _yaml("par_scoring.yaml")
    _check_config(cfg)
    parts = field_parts(cfg)
    rows = []
    for lv in cfg["projection"]["levers"]:
        field = int(lv["field"])
        mx, p22 = float(parts.at[field, "appraisal_max"]), float(parts.at[field, "appraisal_2022"])
        gap = max(0.0, mx - p22)
        share = float(lv["share"])
        rows.append({"lever": lv["id"], "field": field, "index": lv["index"], "sections": ",".join(lv["sections"]),
                     "max_points": mx, "points_2022": p22, "lost_points_2022": gap, "share": share,
                     "influenceable_points": share * gap,
                     "basis": "appraisal part: field max × 61.5/83.5; 2022 = field % × that part", "status": "derived"})
    return pd.DataFrame(rows)


def _slices(task_progress: pd.DataFrame, cfg: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Each task matched to its lever with its slice of the influenceable points and its status multipliers."""
    missing = [c for c in TASK_COLUMNS if c not in task_progress.columns]
    if missing:
        raise ValueError(f"task_progress lacks column(s) {missing}")
    if task_progress["task_id"].duplicated().any():
        raise ValueError("task_progress has more than one row for a task")
    lev = levers(cfg)
    proj = cfg["projection"]
    where = {(lv["index"], s): lv["id"] for lv in proj["levers"] for s in lv["sections"]}
    not_scored = {(n["index"], s): n["component"] for n in proj.get("not_scored", []) for s in n["sections"]}
    mapping = status_mapping(task_progress["status"], cfg)
    t = task_progress[list(TASK_COLUMNS)].copy()
    t["counts_as"] = t["status"].map(lambda s: mapping[str(s)]["counts_as"])
    keys = list(zip(t["index"], t["field"], strict=True))
    t["lever"] = [where.get(k) for k in keys]
    t["not_scored"] = [not_scored.get(k) for k in keys]
    info = {"unmapped_tasks": sorted(t.loc[t["lever"].isna() & t["not_scored"].isna(), "task_id"]),
            "not_scored_tasks": sorted(t.loc[t["not_scored"].notna(), "task_id"]),
            "status_mapping": mapping,
            "unknown_statuses": sorted(s for s, m in mapping.items() if m["why"] == "unknown")}
    t = t[t["lever"].notna()].merge(lev[["lever", "field", "influenceable_points", "share"]].rename(
        columns={"field": "par_field"}), on="lever", how="left")
    t["influenceable_points"] = t["influenceable_points"].astype(float)
    t["n_tasks_in_lever"] = t.groupby("lever")["task_id"].transform("count").astype(int)
    t["task_share"] = 1.0 / t["n_tasks_in_lever"].astype(float)
    t["slice_points"] = t["influenceable_points"] * t["task_share"]
    mult = proj["multipliers"]
    for i, sc in enumerate(SCENARIOS):
        t[f"mult_{sc}"] = t["counts_as"].map(lambda s, i=i: float(mult[s][i])).astype(float)
    return t, lev, info


# ---------------------------------------------------------------- survey-based components
def component_history(as_of: DateLike) -> pd.DataFrame:
    """Quảng Nam's published points per component and year (reference/quangnam_components.csv) as of a date."""
    h = reference_table("quangnam_components", as_of)
    h["year"] = h["year"].astype(int)
    h["points_value"] = h["points"].map(_number)
    h["max_value"] = h["max_points"].map(_number)
    return h


def _moves(h: pd.DataFrame) -> list[dict[str, Any]]:
    h = h[h["points_value"].notna()].sort_values("year")
    ys = list(zip(h["year"], h["points_value"], h["status"], strict=True))
    return [{"from": a, "to": b, "change": vb - va, "derived": "derived" in (sa + sb)}
            for (a, va, sa), (b, vb, sb) in zip(ys, ys[1:], strict=False) if b == a + 1]


def survey_ranges(as_of: DateLike, config: dict[str, Any] | None = None,
                  history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per survey-based component: baseline level, band from Quảng Nam's own year-on-year changes, low–expected–high."""
    cfg = config or _yaml("par_scoring.yaml")
    h = component_history(as_of) if history is None else history
    by = plan_dates()["baseline_year"]
    rows = []
    for c in cfg["projection"]["survey_components"]:
        cid = c["id"]
        mx = _scheme_max(cfg, c["scheme_component"])
        hc = h[h["component"] == cid]
        mv = _moves(hc)
        at_base = hc[(hc["year"] == by) & hc["points_value"].notna()]
        if len(at_base):
            level, level_status = float(at_base["points_value"].iloc[0]), at_base["status"].iloc[0]
        elif c.get("level_when_not_published", "none") != "none":
            rule = c["level_when_not_published"]
            level, level_status = _component_level(cid, cfg), f"derived ({LEVEL_RULES.get(rule, rule)})"
        else:
            raise ValueError(f"survey component {cid!r}: no published {by} figure and no derivation rule")
        band = max((abs(m["change"]) for m in mv), default=math.nan)
        rows.append({"component": cid, "fields": ",".join(str(f) for f in c["fields"]), "max_points": mx,
                     "baseline_year": by, "level": level, "level_status": level_status, "moves": mv,
                     "band": band, "band_basis": "own history" if mv else "", "relative_band": band / mx,
                     "sources": sorted({s for x in hc["source_url"] for s in _sources(x) if s.startswith("http")})})
    have = [r for r in rows if r["moves"]]
    if not have:
        raise ValueError(f"no survey component has two consecutive published years by {to_date(as_of).isoformat()}: "
                         "no range can be derived")
    rel = max(r["relative_band"] for r in have)
    donor = max(have, key=lambda r: r["relative_band"])["component"]
    for r in rows:
        if not r["moves"]:
            r["band"], r["relative_band"] = rel * r["max_points"], rel
            r["band_basis"] = f"no own history: {donor}'s largest relative change ({rel:.4f} of its max)"
        r["low"] = max(0.0, r["level"] - r["band"])
        r["expected"] = r["level"]
        r["high"] = min(r["max_points"], r["level"] + r["band"])
        r["status"] = "derived"
    out = pd.DataFrame(rows)
    out.attrs["as_of"] = to_date(as_of).isoformat()
    return out


def _survey_value(ranges: pd.DataFrame, component: str, scenario: str) -> tuple[float, float]:
    r = ranges.set_index("component").loc[component]
    col = {"pessimistic": "low", "expected": "expected", "optimistic": "high"}[scenario]
    return float(r[col]), float(r["level"])


# ---------------------------------------------------------------- projection
def _as_of_of(task_progress: pd.DataFrame) -> dt.date:
    """The as-of date of a task_progress table: that of its (single) quarter."""
    qs = sorted(set(task_progress["quarter"].astype(str))) if "quarter" in task_progress.columns else []
    if len(qs) != 1:
        raise ValueError(f"task_progress: give an as-of date, or a single quarter in column 'quarter' (found {qs})")
    return as_of_date(qs[0])


def project(task_progress: pd.DataFrame, as_of: DateLike | None = None, config: dict[str, Any] | None = None,
            survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per field and scenario the projected points (appraisal from task statuses, survey parts from their ranges).

    as_of defaults to the as-of date of the table's quarter (as_of_date)."""
    cfg = config or _yaml("par_scoring.yaml")
    as_of = _as_of_of(task_progress) if as_of is None else as_of
    t, lev, info = _slices(task_progress, cfg)
    ranges = survey_ranges(as_of, cfg) if survey is None else survey
    parts = field_parts(cfg)
    base = baseline_2022().query("level == 'field'").set_index("field")
    leaders_max = _scheme_max(cfg, "leaders_survey")
    appraisal: dict[tuple[int, str], float] = {}
    for _, lv in lev.iterrows():
        tl = t[t["lever"] == lv["lever"]]
        for sc in SCENARIOS:
            move = float((tl["slice_points"] * tl[f"mult_{sc}"]).sum())
            appraisal[(int(lv["field"]), sc)] = min(lv["max_points"], max(0.0, lv["points_2022"] + move))
    rows = []
    for f, pr in parts.iterrows():
        n_tasks = int(t["par_field"].eq(f).sum())
        for sc in SCENARIOS:
            if f == 8:
                sip, _ = _survey_value(ranges, "sipas", sc)
                soc, _ = _survey_value(ranges, "socio_economic", sc)
                app, sur = 0.0, min(pr["survey_max"], sip + soc)
            else:
                app = appraisal.get((int(f), sc), float(pr["appraisal_2022"]))
                val, lvl = _survey_value(ranges, "leaders_survey", sc)
                sur = min(pr["survey_max"], max(0.0, pr["survey_2022"] + (val - lvl) * pr["survey_max"] / leaders_max))
            pts = app + sur
            rows.append({"level": "field", "field": int(f), "name_vi": base.at[f, "name_vi"],
                         "name_en": base.at[f, "name_en"], "scenario": sc, "max_points": float(pr["max_points"]),
                         "points_2022": float(base.at[f, "points_2022"]), "appraisal_points": app,
                         "survey_points": sur, "projected_points": pts, "projected_pct": pts / pr["max_points"],
                         "change_points": pts - float(base.at[f, "points_2022"]),
                         "available_points": float(pr["max_points"]) - pts, "n_tasks": n_tasks, "status": "derived"})
    out = pd.DataFrame(rows)
    for sc in SCENARIOS:
        s = out[out["scenario"] == sc]
        pts, mx, p22 = float(s["projected_points"].sum()), float(s["max_points"].sum()), float(s["points_2022"].sum())
        rows.append({"level": "total", "field": pd.NA, "name_vi": "Tổng điểm PAR INDEX", "name_en": "PAR INDEX total",
                     "scenario": sc, "max_points": mx, "points_2022": p22,
                     "appraisal_points": float(s["appraisal_points"].sum()),
                     "survey_points": float(s["survey_points"].sum()), "projected_points": pts,
                     "projected_pct": pts / mx, "change_points": pts - p22, "available_points": mx - pts,
                     "n_tasks": int(len(t)), "status": "derived"})
    out = pd.DataFrame(rows)
    out["field"] = out["field"].astype("Int64")
    out.attrs.update(info)
    out.attrs["survey_ranges"] = ranges
    out.attrs["as_of"] = to_date(as_of).isoformat()
    return out


def total_range(projection: pd.DataFrame) -> dict[str, float]:
    """The projected total per scenario, e.g. {'pessimistic': 82.1, 'expected': 84.0, 'optimistic': 86.3}."""
    tot = projection[projection["level"] == "total"].set_index("scenario")["projected_points"]
    return {sc: float(tot[sc]) for sc in SCENARIOS}


# ---------------------------------------------------------------- the 25th place
def rank25_bracket(year: int, as_of: DateLike, rank: int = 25, provinces: pd.DataFrame | None = None) -> dict[str, Any]:
    """Bounds of the `rank`-th score of a year from provinces with a published score and rank (NaN where unknown).

    A province ranked at or above `rank` scored at least the rank-th score; one ranked at or below scored at most it:
    low = the best score among known ranks ≥ rank, high = the worst score among known ranks ≤ rank.
    """
    p = reference_table("par_index_provinces", as_of) if provinces is None else provinces
    p = p[p["year"].astype(str) == str(year)].copy()
    p["score"] = p["score_pct"].map(_number)
    p["rk"] = pd.to_numeric(p["rank_of_63"], errors="coerce")
    p = p[p["score"].notna() & p["rk"].notna()]
    below, above = p[p["rk"] >= rank], p[p["rk"] <= rank]
    lo = below.loc[below["score"].idxmax()] if len(below) else None
    hi = above.loc[above["score"].idxmin()] if len(above) else None
    used = [r for r in (lo, hi) if r is not None]
    return {"year": int(year), "rank": rank,
            "low": float(lo["score"]) if lo is not None else math.nan,
            "low_rank": int(lo["rk"]) if lo is not None else None, "low_province": lo["province"] if lo is not None else "",
            "high": float(hi["score"]) if hi is not None else math.nan,
            "high_rank": int(hi["rk"]) if hi is not None else None,
            "high_province": hi["province"] if hi is not None else "",
            "status": "derived bracket", "sources": sorted({s for r in used for s in _sources(r["source_url"])}),
            "published": max((r["published"] for r in used), default="")}


def threshold_history(as_of: DateLike, rank: int = 25) -> pd.DataFrame:
    """Per published year: scheme, publication date, national mean and the rank-25 bracket, as of a date."""
    pub = publications(as_of)
    pub = pub[pub["index"] == PAR_PROVINCES]
    agg = reference_table("par_sipas_aggregates", as_of)
    provinces = reference_table("par_index_provinces", as_of)
    rows = []
    for _, r in pub.sort_values("result_year").iterrows():
        y = int(r["result_year"])
        m = agg[(agg["index"] == PAR_PROVINCES) & (agg["year"] == str(y)) & (agg["metric"] == "mean")]
        b = rank25_bracket(y, as_of, rank, provinces)
        rows.append({"year": y, "published": r["published"], "scheme": r["scheme"], "scheme_family": r["scheme_family"],
                     "mean": _number(m["value"].iloc[0]) if len(m) else math.nan,
                     "mean_status": m["status"].iloc[0] if len(m) else "NOT FOUND",
                     "mean_sources": _sources(m["source_url"].iloc[0]) if len(m) else [],
                     "bracket_low": b["low"], "bracket_low_rank": b["low_rank"], "bracket_low_province": b["low_province"],
                     "bracket_high": b["high"], "bracket_high_rank": b["high_rank"],
                     "bracket_high_province": b["high_province"], "bracket_sources": b["sources"],
                     "publication_sources": _sources(r["source_url"])})
    out = pd.DataFrame(rows)
    out.attrs["as_of"] = to_date(as_of).isoformat()
    return out


def project_rank25(history: pd.DataFrame, assessment_year: int, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rank-25 score of `assessment_year`: published bracket if out, else last bracket + range of mean moves.

    low = last low + steps × smallest year-on-year change of the mean; high = last high + steps × largest change,
    over consecutive published years (moves across a method change included unless the config says otherwise).
    """
    cfg = config or _yaml("par_scoring.yaml")
    th = cfg["projection"]["threshold"]
    h = history.sort_values("year")
    own = h[(h["year"] == assessment_year) & h["bracket_low"].notna() & h["bracket_high"].notna()]
    if len(own):
        r = own.iloc[0]
        return {"year": assessment_year, "basis": "published", "low": float(r["bracket_low"]),
                "high": float(r["bracket_high"]), "central": (float(r["bracket_low"]) + float(r["bracket_high"])) / 2,
                "base_year": assessment_year, "base_low": float(r["bracket_low"]), "base_high": float(r["bracket_high"]),
                "base_row": r.to_dict(), "moves": [], "steps": 0, "min_move": 0.0, "max_move": 0.0,
                "median_move": 0.0, "status": "derived bracket (published figures)"}
    known = h[(h["year"] < assessment_year) & h["bracket_low"].notna() & h["bracket_high"].notna()]
    if known.empty:
        raise ValueError(f"no published 25th-place bracket before {assessment_year}: the threshold cannot be projected")
    last = known.iloc[-1]
    series = h[h[th.get("series", "mean")].notna()][["year", th.get("series", "mean"), "scheme_family"]].values.tolist()
    moves = [{"from": int(a), "to": int(b), "change": float(vb) - float(va), "scheme_change": fa != fb}
             for (a, va, fa), (b, vb, fb) in zip(series, series[1:], strict=False) if int(b) == int(a) + 1]
    if not th.get("include_scheme_changes", True):
        moves = [m for m in moves if not m["scheme_change"]]
    if not moves:
        raise ValueError("no two consecutive published years of the national mean: the threshold cannot be projected")
    steps = assessment_year - int(last["year"])
    ch = sorted(m["change"] for m in moves)
    mn, mx = ch[0], ch[-1]
    med = float(pd.Series(ch).median())
    lo, hi = float(last["bracket_low"]) + steps * mn, float(last["bracket_high"]) + steps * mx
    return {"year": assessment_year, "basis": "projected", "low": lo, "high": hi,
            "central": (float(last["bracket_low"]) + float(last["bracket_high"])) / 2 + steps * med,
            "base_year": int(last["year"]), "base_low": float(last["bracket_low"]),
            "base_high": float(last["bracket_high"]), "base_row": last.to_dict(), "moves": moves, "steps": steps,
            "min_move": mn, "max_move": mx, "median_move": med, "status": "derived (projection)"}


def rank25_outlook(as_of: DateLike, assessment_year: int | None = None,
                   config: dict[str, Any] | None = None) -> dict[str, Any]:
    """project_rank25 over the published history as of a date, with that history attached."""
    cfg = config or _yaml("par_scoring.yaml")
    year = assessment_year or plan_dates()["assessment_year"]
    hist = threshold_history(as_of, int(cfg["projection"]["threshold"].get("rank", 25)))
    out = project_rank25(hist, year, cfg)
    out["history"] = hist
    out["as_of"] = to_date(as_of).isoformat()
    return out


def verdict(totals: Mapping[str, float], threshold: Mapping[str, Any]) -> dict[str, Any]:
    """likely (pessimistic ≥ top of the range) / unlikely (optimistic < bottom) / possible, with the points short.

    Scores are compared at two decimals, the precision MoHA publishes (and the report prints)."""
    lo, hi = round(float(threshold["low"]), 2), round(float(threshold["high"]), 2)
    tot = {sc: round(float(totals[sc]), 2) for sc in SCENARIOS}
    word = ("likely" if tot["pessimistic"] >= hi else "unlikely" if tot["optimistic"] < lo else "possible")
    short = {sc: {"to_low": round(max(0.0, lo - tot[sc]), 2), "to_high": round(max(0.0, hi - tot[sc]), 2)}
             for sc in SCENARIOS}
    return {"verdict": word, "low": lo, "high": hi, "totals": tot, "short": short}


def distance_to_top25(projection: pd.DataFrame, threshold: Mapping[str, Any]) -> pd.DataFrame:
    """Per scenario: projected total and the points needed to reach each end of the range; per field: points left."""
    th = threshold
    rows = []
    for sc in SCENARIOS:
        tot = projection[(projection["level"] == "total") & (projection["scenario"] == sc)].iloc[0]
        total = float(tot["projected_points"])
        rows.append({"scenario": sc, "level": "total", "field": pd.NA, "name_vi": tot["name_vi"], "name_en": tot["name_en"],
                     "projected_points": total, "max_points": float(tot["max_points"]),
                     "available_points": float(tot["max_points"]) - total,
                     "bracket_low": th["low"], "bracket_high": th["high"],
                     "gap_to_low": th["low"] - total, "gap_to_high": th["high"] - total,
                     "needed_to_low": max(0.0, th["low"] - total), "needed_to_high": max(0.0, th["high"] - total),
                     "position": ("below bracket" if total < th["low"] else
                                  "inside bracket" if total < th["high"] else "at or above bracket"),
                     "status": "derived", "threshold_status": th["status"]})
        for _, f in projection[(projection["level"] == "field") & (projection["scenario"] == sc)].iterrows():
            rows.append({"scenario": sc, "level": "field", "field": f["field"], "name_vi": f["name_vi"],
                         "name_en": f["name_en"], "projected_points": float(f["projected_points"]),
                         "max_points": float(f["max_points"]),
                         "available_points": float(f["max_points"]) - float(f["projected_points"]),
                         "bracket_low": math.nan, "bracket_high": math.nan, "gap_to_low": math.nan,
                         "gap_to_high": math.nan, "needed_to_low": math.nan, "needed_to_high": math.nan,
                         "position": "", "status": "derived", "threshold_status": ""})
    out = pd.DataFrame(rows)
    out["field"] = out["field"].astype("Int64")
    out.attrs["threshold"] = dict(th)
    return out


def neighbours(as_of: DateLike, province: str = PROVINCE, window: int = 5, year: int | None = None) -> pd.DataFrame:
    """Provinces with a numeric PAR INDEX score around `province` in the latest year published by `as_of`."""
    p = reference_table("par_index_provinces", as_of)
    have = p[(p["province"] == province) & p["score_pct"].map(_number).notna()]
    if have.empty:
        raise KeyError(f"{province} has no numeric score published by {to_date(as_of).isoformat()}")
    year = year or int(have["year"].astype(int).max())
    p = p[p["year"].astype(int) == year].copy()
    p["score"] = p["score_pct"].map(_number)
    p = p[p["score"].notna()].sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    if province not in set(p["province"]):
        raise KeyError(f"{province} has no numeric score in {year}")
    i = int(p.index[p["province"] == province][0])
    p = p.iloc[max(0, i - window): i + window + 1].copy()
    own = float(p.loc[p["province"] == province, "score"].iloc[0])
    p["rank_of_63"] = pd.to_numeric(p["rank_of_63"], errors="coerce").astype("Int64")
    p["diff_vs_province"] = p["score"] - own
    p["is_province"] = p["province"] == province
    p["year"] = year
    return p[["province", "year", "score", "rank_of_63", "diff_vs_province", "is_province", "status", "published",
              "source_url", "note"]].reset_index(drop=True)


def what_if(task_progress: pd.DataFrame, top: int = 5, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Tasks not yet met/done ranked by the appraisal points their completion would add (expected scenario)."""
    cfg = config or _yaml("par_scoring.yaml")
    t, _, _ = _slices(task_progress, cfg)
    credited = set(cfg["projection"].get("credited", ["met", "done"]))
    t = t[~t["counts_as"].isin(credited)].copy()
    t["points_added"] = t["slice_points"] * (1.0 - t["mult_expected"])
    t = t[t["points_added"] > 0]
    t = t.sort_values(["points_added", "task_id"], ascending=[False, True], kind="stable").head(max(0, int(top)))
    out = pd.DataFrame({
        "task_id": t["task_id"], "index": t["index"], "section": t["field"], "lever": t["lever"],
        "field": t["par_field"].astype("Int64"), "current_status": t["status"], "counts_as": t["counts_as"],
        "multiplier_expected": t["mult_expected"], "lever_share": t["share"],
        "lever_influenceable_points": t["influenceable_points"], "n_tasks_in_lever": t["n_tasks_in_lever"],
        "task_share": t["task_share"], "slice_points": t["slice_points"], "points_added": t["points_added"],
        "status": "derived"})
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- assumptions
def assumptions(as_of: DateLike, config: dict[str, Any] | None = None,
                statuses: Iterable[str] = ()) -> dict[str, Any]:
    """The projection's assumptions as data: levers, survey ranges, multipliers, status mapping, threshold method."""
    cfg = config or _yaml("par_scoring.yaml")
    proj = cfg["projection"]
    found = set(statuses)
    return {"levers": levers(cfg).to_dict("records"), "multipliers": copy.deepcopy(proj["multipliers"]),
            "status_as": copy.deepcopy(proj.get("status_as", {})), "unknown_status_as": proj["unknown_status_as"],
            "status_mapping": status_mapping(found | set(proj.get("status_as", {})), cfg),
            "survey_ranges": survey_ranges(as_of, cfg).drop(columns=["moves", "sources"]).to_dict("records"),
            "not_scored": copy.deepcopy(proj.get("not_scored", [])),
            "credited": list(proj.get("credited", ["met", "done"])), "scenarios": list(SCENARIOS),
            "threshold": copy.deepcopy(proj["threshold"]), "status": proj.get("status", "assumption"),
            "as_of": to_date(as_of).isoformat()}


def _fmt(x: float, lang: str, nd: int = 2) -> str:
    s = f"{x:.{nd}f}"
    return s.replace(".", ",") if lang == "vi" else s


COMPONENT_NAMES = {"sipas": ("Chỉ số SIPAS (10 điểm)", "SIPAS (10 points)"),
                   "leaders_survey": ("Khảo sát lãnh đạo, quản lý (22 điểm, trong lĩnh vực 1–7)",
                                      "Leaders' and managers' survey (22 points, within fields 1–7)"),
                   "socio_economic": ("Tác động đến phát triển kinh tế - xã hội (6,5 điểm, lĩnh vực 8)",
                                      "Impact on socio-economic development (6.5 points, field 8)")}


def component_name(component: str, lang: str = "vi") -> str:
    """Reviewer name of a survey-based component."""
    vi, en = COMPONENT_NAMES.get(component, (component, component))
    return vi if lang == "vi" else en


def assumptions_text(as_of: DateLike, lang: str = "vi", config: dict[str, Any] | None = None,
                     statuses: Iterable[str] = ()) -> str:
    """The projection method and its assumptions as plain text (Vietnamese 'vi' or English 'en')."""
    from .progress import label

    a = assumptions(as_of, config, statuses)
    vi = lang == "vi"
    base = baseline_2022()
    names = base[base["level"] == "field"].set_index("field")
    tot = base[base["level"] == "total"].iloc[0]
    L = []
    if vi:
        L += ["Dự báo Chỉ số PAR INDEX — giả định (do nhóm phân tích đặt ra, không phải số liệu công bố):",
              f"- Điểm 2022 của mỗi lĩnh vực = tỷ lệ % 2022 (Kế hoạch) × điểm tối đa (SUY RA, QĐ 876/QĐ-BNV); tổng "
              f"{_fmt(tot['points_2022'], lang, 3)} so với {_fmt(tot['published_points_2022'], lang)} công bố "
              "(chênh lệch do tỷ lệ % được làm tròn).",
              "- Lĩnh vực 1–7 gồm điểm thẩm định (61,5) và điểm khảo sát lãnh đạo, quản lý (22); cách Bộ Nội vụ chia 22 "
              "điểm khảo sát cho các lĩnh vực không được công bố: giả định chia theo tỷ lệ điểm tối đa của lĩnh vực, "
              "và năm 2022 cả hai phần đều đạt tỷ lệ % của lĩnh vực.",
              "- Tiến độ nhiệm vụ chỉ làm thay đổi điểm thẩm định: phần có thể gỡ lại = (tối đa − điểm 2022 của phần "
              "thẩm định) × tỷ lệ tác động, chia đều cho các nhiệm vụ của các mục phụ lục tương ứng, mỗi nhiệm vụ nhân "
              "với hệ số theo trạng thái và kịch bản.",
              "- Điểm khảo sát (SIPAS, khảo sát lãnh đạo, quản lý) và điểm tác động kinh tế - xã hội không phụ thuộc "
              "tiến độ nhiệm vụ: mỗi phần lấy mức năm 2022 và một khoảng có thể giảm hoặc tăng theo lịch sử của "
              "tỉnh (bảng dưới). Nhiệm vụ mục IX phần A và phần B (SIPAS) được theo dõi nhưng không cộng điểm dự báo.",
              "- Mục II phần A (thông tin, tuyên truyền) được tính vào lĩnh vực 2 'Chỉ đạo, điều hành'.",
              "Lĩnh vực | mục | tối đa phần thẩm định | điểm 2022 | điểm mất | tỷ lệ tác động | có thể gỡ"]
    else:
        L += ["PAR INDEX outlook — assumptions (set by the analysts, not published figures):",
              f"- 2022 points of a field = the plan's 2022 % × the field maximum (DERIVED, Decision 876/QĐ-BNV); total "
              f"{_fmt(tot['points_2022'], lang, 3)} vs {_fmt(tot['published_points_2022'], lang)} published "
              "(the difference comes from the rounded percentages).",
              "- Fields 1–7 hold the appraisal points (61.5) and the leaders' survey (22); how MoHA spreads the 22 "
              "survey points over the fields is not published: assumed proportional to each field's maximum, both "
              "parts scoring the field's 2022 % in 2022.",
              "- Task progress moves only the appraisal points: points a lever can win back = (appraisal max − 2022 "
              "appraisal points) × share, split equally between the tasks of its appendix sections, each task's slice "
              "multiplied by the multiplier of its status in the scenario.",
              "- Survey points (SIPAS, leaders' survey) and the socio-economic points do not follow task progress: each "
              "keeps its 2022 level with a range that can fall as well as rise, from the province's own history "
              "(table below). Tasks of section A.IX and part B (SIPAS) are tracked but add no projected points.",
              "- Section A.II (communication) counts towards field 2 'Direction and steering'.",
              "Field | sections | appraisal max | 2022 | lost | share | influenceable"]
    for lv in a["levers"]:
        name = names.at[lv["field"], "name_vi" if vi else "name_en"]
        where = (f"mục {lv['sections'].replace(',', ', ')} phần {'A' if lv['index'] == 'PAR' else 'B'}" if vi
                 else f"{'A' if lv['index'] == 'PAR' else 'B'}.{lv['sections'].replace(',', ', ')}")
        L.append(f"{lv['field']}. {name} | {where} | {_fmt(lv['max_points'], lang)} | "
                 f"{_fmt(lv['points_2022'], lang, 3)} | {_fmt(lv['lost_points_2022'], lang, 3)} | "
                 f"{_fmt(lv['share'], lang)} | {_fmt(lv['influenceable_points'], lang, 3)}")
    L.append("Hệ số theo trạng thái (bi quan / dự kiến / lạc quan):" if vi
             else "Multiplier per status (pessimistic / expected / optimistic):")
    for status, m in a["multipliers"].items():
        L.append(f"- {label(status, lang) if vi else status}: " + " / ".join(_fmt(x, lang, 1) for x in m))
    L.append("Trạng thái khác được tính như:" if vi else "Other status codes count as:")
    for code, alias in a["status_as"].items():
        L.append(f"- {alias['vi']} → {label(alias['counts_as'], lang)}" if vi else f"- {code} → {alias['counts_as']}")
    unknown = [c for c, m in a["status_mapping"].items() if m["why"] == "unknown"]
    L.append((f"- Mọi trạng thái chưa có trong bảng được tính như '{label(a['unknown_status_as'], lang)}'; các nhiệm "
              "vụ mang trạng thái đó được liệt kê trên trang để người phụ trách xem xét"
              + (f" (hiện có {len(unknown)} mã trạng thái như vậy)." if unknown else ".")) if vi else
             f"- Any code not in the table counts as '{a['unknown_status_as']}'; its tasks are listed on the page "
             "for a person" + (f" (found now: {', '.join(unknown)})." if unknown else "."))
    L.append("- Hệ số âm: nhiệm vụ chậm, quá hạn có thể làm mất điểm so với 2022. Mỗi phần điểm giữ trong [0, tối đa]."
             if vi else "- A negative multiplier: a late or overdue task may lose points against 2022. "
             "Every part stays within [0, max].")
    L.append("- Tỷ lệ tác động được hiệu chỉnh để khi mọi nhiệm vụ đạt và điểm khảo sát giữ nguyên, kịch bản dự kiến "
             "gần điểm cao nhất cả nước năm 2022 (90,1); đây là giả định, không phải kết quả đo." if vi else
             "- The shares are calibrated so that with every task met and the survey parts unchanged the expected "
             "total lands near the 2022 national best (90.1); this is an assumption, not a measurement.")
    return "\n".join(L)


# ---------------------------------------------------------------- SIPAS
def _sipas_refs(as_of: DateLike) -> dict[str, Any]:
    s22 = _yaml("indices.yaml")["sipas_2022"]["score_10"]
    nat = _ref_value("SIPAS", plan_dates()["baseline_year"], "national", as_of)
    return {"qn_2022_score_10": float(s22["value"]), "qn_2022_status": s22["status"],
            "national_2022_share": nat["value"] / 100.0, "national_2022_status": nat["status"],
            "national_2022_source": "; ".join(nat["sources"])}


def _share_row(k: float, n: float) -> dict[str, float]:
    share = k / n if n else math.nan
    lo, hi = wilson_interval(k, n)
    return {"share": share, "lower": lo, "upper": hi}


def sipas(survey: pd.DataFrame, as_of: DateLike, by: str | None = None, scale_satisfied: Iterable[int] = (4, 5),
          overall: str = "pooled") -> pd.DataFrame:
    """Share of satisfied answers per SIPAS factor and overall (optionally per `by`), with Wilson 95 % bounds."""
    if overall not in OVERALL_METHODS:
        raise ValueError(f"overall must be one of {OVERALL_METHODS}")
    need = ["respondent_id", "factor", "answer"] + ([by] if by else [])
    missing = [c for c in need if c not in survey.columns]
    if missing:
        raise ValueError(f"survey lacks column(s) {missing}")
    sat = {int(x) for x in scale_satisfied}
    d = survey[need].copy()
    d["factor"] = pd.to_numeric(d["factor"], errors="coerce")
    d["answer"] = pd.to_numeric(d["answer"], errors="coerce")
    d = d[d["factor"].notna() & d["answer"].notna()]
    d["satisfied"] = d["answer"].astype(int).isin(sat)
    refs = _sipas_refs(as_of)
    factor_names = {int(f["number"]): (f["name_vi"], f["name_en"]) for f in _yaml("indices.yaml")["sipas_factors"]}
    groups = [(None, d)] if by is None else list(d.groupby(by, sort=True, observed=True))
    rows = []
    for key, g in groups:
        head = {by: key} if by else {}
        frows = []
        for f in SIPAS_FACTORS:
            gf = g[g["factor"] == f]
            k, n = float(gf["satisfied"].sum()), float(len(gf))
            r = {**head, "level": "factor", "factor": f, "name_vi": factor_names.get(f, ("", ""))[0],
                 "name_en": factor_names.get(f, ("", ""))[1], "n_respondents": int(gf["respondent_id"].nunique()),
                 "n_answers": int(n), "n_satisfied": int(k), **_share_row(k, n), "method": "satisfied answers ÷ answers"}
            frows.append(r)
        k, n = float(g["satisfied"].sum()), float(len(g))
        if overall == "pooled":
            o = _share_row(k, n)
            method = "pooled: all satisfied answers ÷ all answers"
        else:
            have = [r for r in frows if r["n_answers"] > 0]
            o = {c: (sum(r[c] for r in have) / len(have) if have else math.nan) for c in ("share", "lower", "upper")}
            method = f"mean of {len(have)} factor shares (bounds: mean of the factor Wilson bounds, approximate)"
        rows += frows
        rows.append({**head, "level": "overall", "factor": pd.NA, "name_vi": "Chung (5 yếu tố)",
                     "name_en": "Overall (5 factors)", "n_respondents": int(g["respondent_id"].nunique()),
                     "n_answers": int(n), "n_satisfied": int(k), **o, "method": method})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["factor"] = out["factor"].astype("Int64")
    for c in ("share", "lower", "upper"):
        out[f"score_10{'' if c == 'share' else '_' + c}"] = out[c] * 10.0
    is_overall = out["level"] == "overall"
    out["share_status"] = "derived"
    out["qn_2022_score_10"] = refs["qn_2022_score_10"]
    out.loc[~is_overall, "qn_2022_score_10"] = math.nan
    out["qn_2022_status"] = out["level"].map({"overall": refs["qn_2022_status"],
                                              "factor": "NOT FOUND (plan: every factor below 80 %)"})
    out["change_vs_2022_score_10"] = out["score_10"] - out["qn_2022_score_10"]
    # 2022 figures are whole-index values: shown on the overall rows only (per-factor 2022 values are NOT FOUND)
    out["national_2022_share"] = refs["national_2022_share"]
    out.loc[~is_overall, "national_2022_share"] = math.nan
    out["national_2022_status"] = out["level"].map({"overall": refs["national_2022_status"], "factor": "NOT FOUND"})
    out["national_2022_score_10"] = out["national_2022_share"] * 10.0
    out["national_2022_score_10_status"] = out["level"].map({"overall": "derived", "factor": ""})
    out["scale_satisfied"] = ",".join(str(x) for x in sorted(sat))
    out.attrs["method"] = {"scale_satisfied": sorted(sat), "overall": overall, "by": by,
                           "national_2022_source": refs["national_2022_source"]}
    return out


def sipas_method_text(as_of: DateLike, lang: str = "vi", scale_satisfied: Iterable[int] = (4, 5),
                      overall: str = "pooled") -> str:
    """How sipas() computes its shares, and what it cannot claim (Vietnamese 'vi' or English 'en')."""
    sat = ", ".join(str(x) for x in sorted(int(x) for x in scale_satisfied))
    refs = _sipas_refs(as_of)
    nat = _fmt(refs["national_2022_share"] * 100, lang)
    qn = _fmt(refs["qn_2022_score_10"], lang)
    if lang == "vi":
        how = ("gộp: mọi câu trả lời hài lòng ÷ mọi câu trả lời (yếu tố có nhiều câu hỏi có trọng số lớn hơn)"
               if overall == "pooled" else "trung bình cộng tỷ lệ của 5 yếu tố (trọng số bằng nhau)")
        return "\n".join([
            "Cách tính SIPAS từ phiếu khảo sát của tỉnh:",
            f"- Câu trả lời thang 1–5; 'hài lòng' = câu trả lời thuộc {{{sat}}} (có thể đổi trong cấu hình).",
            "- Tỷ lệ của một yếu tố = số câu trả lời hài lòng ÷ số câu trả lời các câu hỏi của yếu tố đó.",
            f"- Chỉ số chung: {how} (có thể chọn gộp hoặc trung bình cộng các yếu tố).",
            "- Điểm quy đổi 10 = tỷ lệ × 10. Khoảng tin cậy Wilson 95 % tính trên số câu trả lời; câu trả lời của "
            "cùng một người có tương quan nên khoảng thực tế rộng hơn — vì vậy báo cáo kèm số người trả lời.",
            "- Cách tổng hợp chính xác của Bộ Nội vụ (trọng số câu hỏi, yếu tố, mẫu; cách quy đổi ra 10 điểm) KHÔNG "
            "được công bố trong tài liệu chúng tôi có; kết quả ở đây là chỉ báo xu hướng, không tái tạo Chỉ số SIPAS "
            "chính thức. Mọi tỷ lệ đều là số SUY RA.",
            f"- So sánh: Quảng Nam 2022 đạt {qn}/10 (Kế hoạch, có nguồn); SIPAS cả nước 2022 {nat} % (có nguồn).",
        ])
    how = ("pooled: all satisfied answers ÷ all answers (factors with more items weigh more)"
           if overall == "pooled" else "mean of the 5 factor shares (equal weights)")
    return "\n".join([
        "How SIPAS is computed from the survey answers (parplan.scoring.sipas):",
        f"- Answers on a 1–5 scale; 'satisfied' = an answer in {{{sat}}} (parameter scale_satisfied).",
        "- Factor share = satisfied answers ÷ answers to that factor's items.",
        f"- Overall: {how} (parameter overall = 'pooled' | 'mean_of_factors').",
        "- 10-point form = share × 10. Wilson 95 % interval over answers; answers of one respondent are correlated, "
        "so the real interval is wider — the respondent count is reported for that reason.",
        "- The exact MoHA aggregation (item, factor and sample weights; conversion to 10 points) is NOT public in our "
        "material; this is an indicator of direction, not a replica of the official SIPAS. Every share is DERIVED.",
        f"- Comparison: Quảng Nam 2022 scored {qn}/10 (plan, sourced); national SIPAS 2022 {nat} % (sourced).",
    ])
