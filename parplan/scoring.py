"""PAR INDEX outlook (baseline, projected field points, the goal-rank score of the assessment year) and SIPAS.

Pure functions over one plan (parplan.catalogue.Plan, passed explicitly): its indices.yaml (baselines keyed by the
plan's baseline year), par_scoring.yaml (scheme, section → field map, projection assumptions), plan.yaml (year,
issue date, the goal rank) and the published figures in its references/*.csv. Every reference lookup takes an as-of
date and sees only the figures published by then (column `published`); every figure says its year and whether it is
sourced or derived. The projection never gives a single number: always three scenarios, and a range for the threshold.
No year, date, threshold or published figure lives here: they all come from the plan.
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
from .catalogue import Plan
from .metrics import wilson_interval
from .periods import Quarter
from .progress import SEVERITY

SCORING_FILE = "par_scoring.yaml"   # in the plan's folder
SCENARIOS = ("pessimistic", "expected", "optimistic")
PROVINCE = "Quảng Nam"
PAR_PROVINCES = "PAR INDEX provinces"
OVERALL_METHODS = ("pooled", "mean_of_factors")
TASK_COLUMNS = ("task_id", "index", "field", "status")
VERDICTS = ("likely", "possible", "unlikely")
LEVEL_RULES = {"field_pct_times_survey_part": "each field's {year} % × its survey part",
               "field_8_minus_sipas": "field {field} points − SIPAS"}
COMPONENT_NAMES = {"sipas": ("Chỉ số SIPAS", "SIPAS"),
                   "leaders_survey": ("Khảo sát lãnh đạo, quản lý", "Leaders' and managers' survey"),
                   "socio_economic": ("Tác động đến phát triển kinh tế - xã hội", "Impact on socio-economic development")}

DateLike = dt.date | str


# ---------------------------------------------------------------- loading
@functools.lru_cache(maxsize=16)
def _read_yaml(path: Path) -> dict[str, Any]:
    return yamlfile.load(path)


def _folder(plan: Plan) -> Path:
    """The plan's folder (a Plan built in memory, without one, cannot be scored)."""
    if plan.folder is None:
        raise ValueError("kế hoạch không có thư mục (plans/<năm>/) / the plan has no folder (plans/<year>/): "
                         "load it with load_plan(year)")
    return Path(plan.folder)


def _cfg(plan: Plan, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The scoring configuration given, else the plan's par_scoring.yaml (cached, not to be edited in place)."""
    return config if config is not None else _read_yaml(_folder(plan) / SCORING_FILE)


def scoring_config(plan: Plan) -> dict[str, Any]:
    """A fresh copy of the plan's par_scoring.yaml (edit it to try other assumptions)."""
    return copy.deepcopy(_cfg(plan))


def indices(plan: Plan) -> dict[str, Any]:
    """A fresh copy of the plan's indices.yaml (baselines, fields, SIPAS factors, laggards)."""
    return copy.deepcopy(plan.indices)


@functools.lru_cache(maxsize=64)
def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


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


def reference_table(name: str, as_of: DateLike, plan: Plan) -> pd.DataFrame:
    """One reference CSV of the plan (references/<name>.csv), only the rows published on or before `as_of` (text)."""
    t = _read_csv(_folder(plan) / "references" / f"{name}.csv").copy()
    if "published" not in t.columns:
        return t
    bad = t[~t["published"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")]
    if len(bad):
        r = bad.index[0]
        raise ValueError(f"references/{name}.csv row {r + 2}, column 'published': {t.at[r, 'published']!r} is not an "
                         "ISO date (YYYY-MM-DD expected) / cột 'published' phải là ngày dạng YYYY-MM-DD")
    return t[t["published"] <= to_date(as_of).isoformat()].reset_index(drop=True)


def _number(text: str) -> float:
    """The figure in a reference cell, NaN for NOT FOUND, ranges or text."""
    try:
        return float(str(text).strip())
    except ValueError:
        return math.nan


def _sources(text: str) -> list[str]:
    return [s.strip() for s in str(text).split(";") if s.strip()]


def _ref_value(index: str, year: int | str, metric: str, as_of: DateLike, plan: Plan) -> dict[str, Any]:
    """One figure of par_sipas_aggregates visible as of a date: value, status, sources, published."""
    agg = reference_table("par_sipas_aggregates", as_of, plan)
    row = agg[(agg["index"] == index) & (agg["year"] == str(year)) & (agg["metric"] == metric)]
    if len(row) != 1:
        raise KeyError(f"references/par_sipas_aggregates.csv: no single row {index}/{year}/{metric} published by "
                       f"{to_date(as_of).isoformat()}")
    r = row.iloc[0]
    return {"value": _number(r["value"]), "year": int(year), "status": r["status"], "published": r["published"],
            "sources": _sources(r["source_url"])}


def national_best(year: int, as_of: DateLike, plan: Plan) -> dict[str, Any]:
    """The best provincial PAR INDEX score of a year (par_sipas_aggregates metric 'max …'), NaN if not published."""
    agg = reference_table("par_sipas_aggregates", as_of, plan)
    row = agg[(agg["index"] == PAR_PROVINCES) & (agg["year"] == str(year)) & agg["metric"].str.startswith("max")]
    if row.empty:
        return {"value": math.nan, "year": int(year), "metric": "", "status": "NOT FOUND"}
    r = row.iloc[0]
    return {"value": _number(r["value"]), "year": int(year), "metric": r["metric"], "status": r["status"]}


# ---------------------------------------------------------------- dates: plan, quarter, as-of
def plan_issued(plan: Plan) -> dt.date:
    """The plan's issue date (plan.yaml issued.date)."""
    return to_date(plan.meta["issued"]["date"])


def as_of_date(quarter: Quarter, plan: Plan) -> dt.date:
    """The date a quarter's report could first be produced: the later of the quarter's end and the plan's issue date."""
    return max(quarter.end, plan_issued(plan))


def goal_rank(plan: Plan, config: dict[str, Any] | None = None) -> int:
    """The rank the plan aims at (plan.yaml goal.rank_at_most); par_scoring.yaml threshold.rank, if set, must agree."""
    rank = int(plan.meta["goal"]["rank_at_most"])
    th = _cfg(plan, config)["projection"]["threshold"].get("rank")
    if th is not None and int(th) != rank:
        raise ValueError(f"par_scoring.yaml projection.threshold.rank = {th} nhưng mục tiêu của kế hoạch là hạng {rank} "
                         f"/ but the plan's goal (plan.yaml goal.rank_at_most) is rank {rank}")
    return rank


def publications(as_of: DateLike, plan: Plan) -> pd.DataFrame:
    """Which results had been published by `as_of`: index, result year, date, scheme (references/publications.csv)."""
    p = reference_table("publications", as_of, plan)
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
def _baseline_of(plan: Plan, block: dict[str, Any], where: str) -> dict[str, Any]:
    """A `baseline: {year, ...}` block of indices.yaml, checked to be the plan's baseline year."""
    b = block["baseline"]
    if int(b["year"]) != plan.baseline_year:
        raise ValueError(f"indices.yaml {where}: baseline năm {b['year']}, kế hoạch ghi baseline_year "
                         f"{plan.baseline_year} / baseline year {b['year']}, plan.yaml says {plan.baseline_year}")
    return b


def par_baseline(plan: Plan) -> dict[str, Any]:
    """The plan's published PAR INDEX baseline (indices.yaml par_index.baseline)."""
    return _baseline_of(plan, plan.indices["par_index"], "par_index")


def sipas_baseline(plan: Plan) -> dict[str, Any]:
    """The plan's published SIPAS baseline (indices.yaml sipas.baseline)."""
    return _baseline_of(plan, plan.indices["sipas"], "sipas")


def baseline(plan: Plan) -> pd.DataFrame:
    """Per PAR field: baseline-year % (its status in the plan: sourced unless it says derived), max points (derived),
    points = % × max (derived); plus the total row."""
    by = plan.baseline_year
    rows = []
    for f in plan.indices["par_fields"]:
        base = _baseline_of(plan, f, f"par_fields {f['number']}")
        pct = float(base["pct"])
        pts = pct * float(f["max_points"])
        rows.append({"level": "field", "field": int(f["number"]), "section": f["section"], "name_vi": f["name_vi"],
                     "name_en": f["name_en"], "baseline_year": by, "baseline_pct": pct, "pct_status": base.get("status", "sourced"),
                     "max_points": float(f["max_points"]), "max_status": f.get("max_status", "derived"),
                     "baseline_points": pts, "points_status": "derived",
                     "baseline_lost_points": float(f["max_points"]) - pts, "published_points": math.nan,
                     "published_status": ""})
    out = pd.DataFrame(rows)
    tot = par_baseline(plan)["total_points"]
    total = {"level": "total", "field": pd.NA, "section": "", "name_vi": "Tổng điểm PAR INDEX",
             "name_en": "PAR INDEX total", "baseline_year": by,
             "baseline_pct": out["baseline_points"].sum() / out["max_points"].sum(), "pct_status": "derived",
             "max_points": out["max_points"].sum(), "max_status": "derived",
             "baseline_points": out["baseline_points"].sum(), "points_status": "derived",
             "baseline_lost_points": out["baseline_lost_points"].sum(),
             "published_points": float(tot["value"]), "published_status": tot["status"]}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["field"] = out["field"].astype("Int64")
    out.attrs["baseline_year"] = by
    return out


def _scheme_max(cfg: dict[str, Any], component: str) -> float:
    return float({c["id"]: c for c in cfg["scheme"]["components"]}[component]["max_points"])


def _survey_component(cfg: dict[str, Any], cid: str) -> dict[str, Any]:
    for c in cfg["projection"]["survey_components"]:
        if c["id"] == cid:
            return c
    raise KeyError(f"par_scoring.yaml projection.survey_components has no {cid!r}")


def survey_fields(config: dict[str, Any]) -> list[int]:
    """The fields holding appraisal points and a part of the leaders' survey (its survey component's fields)."""
    return [int(f) for f in _survey_component(config, "leaders_survey")["fields"]]


def impact_field(config: dict[str, Any]) -> int:
    """The field made of SIPAS and the socio-economic points only (no appraisal part)."""
    fields = {int(f) for c in ("sipas", "socio_economic") for f in _survey_component(config, c)["fields"]}
    if len(fields) != 1:
        raise ValueError(f"par_scoring.yaml: sipas and socio_economic must share one field, found {sorted(fields)}")
    return fields.pop()


def _survey_fields_max(cfg: dict[str, Any]) -> float:
    """Appraisal + leaders' survey maxima: what the survey fields add up to (par_scoring.yaml scheme)."""
    return _scheme_max(cfg, "appraisal") + _scheme_max(cfg, "leaders_survey")


def field_parts(plan: Plan, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per field: appraisal and survey parts of the maximum and of the baseline points (the split is an assumption)."""
    cfg = _cfg(plan, config)
    base = baseline(plan).query("level == 'field'").set_index("field")
    leaders = _scheme_max(cfg, "leaders_survey")
    sfields, impact = survey_fields(cfg), impact_field(cfg)
    survey_max = _survey_fields_max(cfg)
    total = float(base.loc[sfields, "max_points"].sum())
    if abs(total - survey_max) > 1e-9:
        raise ValueError(f"fields {field_list(sfields)} add up to {total:g}, not {survey_max:g} "
                         f"({_scheme_max(cfg, 'appraisal'):g} appraisal + {leaders:g} survey)")
    sipas_level = _component_level("sipas", plan, cfg)
    rows = []
    for f, r in base.iterrows():
        m, pct = float(r["max_points"]), float(r["baseline_pct"])
        if f == impact:
            rows.append({"field": int(f), "max_points": m, "appraisal_max": 0.0, "survey_max": m,
                         "appraisal_baseline": 0.0, "survey_baseline": m * pct, "sipas_baseline": sipas_level,
                         "socio_economic_baseline": m * pct - sipas_level})
            continue
        s_max = m * leaders / survey_max
        rows.append({"field": int(f), "max_points": m, "appraisal_max": m - s_max, "survey_max": s_max,
                     "appraisal_baseline": pct * (m - s_max), "survey_baseline": pct * s_max, "sipas_baseline": 0.0,
                     "socio_economic_baseline": 0.0})
    return pd.DataFrame(rows).set_index("field")


def _component_level(component: str, plan: Plan, cfg: dict[str, Any]) -> float:
    """Baseline-year points of a survey component from the plan's figures (used when no figure is published)."""
    base = baseline(plan).query("level == 'field'").set_index("field")
    if component == "sipas":
        return float(sipas_baseline(plan)["score_10"]["value"])
    if component == "socio_economic":
        return float(base.at[impact_field(cfg), "baseline_points"]) - _component_level("sipas", plan, cfg)
    if component == "leaders_survey":
        share = _scheme_max(cfg, "leaders_survey") / _survey_fields_max(cfg)
        return float(sum(base.at[f, "baseline_pct"] * base.at[f, "max_points"] * share for f in survey_fields(cfg)))
    raise KeyError(f"unknown survey component {component!r}")


def field_list(fields: Iterable[int]) -> str:
    """1, 2, …, 7 as '1–7' when consecutive, else '1, 3'."""
    fs = sorted(int(f) for f in fields)
    if len(fs) > 2 and fs == list(range(fs[0], fs[-1] + 1)):
        return f"{fs[0]}–{fs[-1]}"
    return ", ".join(str(f) for f in fs)


# ---------------------------------------------------------------- statuses
def status_mapping(statuses: Iterable[str], plan: Plan,
                   config: dict[str, Any] | None = None) -> dict[str, dict[str, str]]:
    """How each status code found counts in the projection: itself, an alias (status_as) or unknown_status_as."""
    proj = _cfg(plan, config)["projection"]
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
def levers(plan: Plan, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per lever (the appraisal part of a field): max, baseline points, lost points, share, influenceable points."""
    cfg = _cfg(plan, config)
    _check_config(cfg)
    parts = field_parts(plan, cfg)
    basis = (f"appraisal part: field max × {_scheme_max(cfg, 'appraisal'):g}/{_survey_fields_max(cfg):g}; "
             f"{plan.baseline_year} = field % × that part")
    rows = []
    for lv in cfg["projection"]["levers"]:
        field = int(lv["field"])
        mx, pb = float(parts.at[field, "appraisal_max"]), float(parts.at[field, "appraisal_baseline"])
        gap = max(0.0, mx - pb)
        share = float(lv["share"])
        rows.append({"lever": lv["id"], "field": field, "index": lv["index"], "sections": ",".join(lv["sections"]),
                     "max_points": mx, "baseline_points": pb, "baseline_lost_points": gap, "share": share,
                     "influenceable_points": share * gap, "basis": basis, "status": "derived"})
    return pd.DataFrame(rows)


def _slices(task_progress: pd.DataFrame, plan: Plan,
            cfg: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Each task matched to its lever with its slice of the influenceable points and its status multipliers."""
    missing = [c for c in TASK_COLUMNS if c not in task_progress.columns]
    if missing:
        raise ValueError(f"task_progress lacks column(s) {missing}")
    if task_progress["task_id"].duplicated().any():
        raise ValueError("task_progress has more than one row for a task")
    lev = levers(plan, cfg)
    proj = cfg["projection"]
    where = {(lv["index"], s): lv["id"] for lv in proj["levers"] for s in lv["sections"]}
    not_scored = {(n["index"], s): n["component"] for n in proj.get("not_scored", []) for s in n["sections"]}
    mapping = status_mapping(task_progress["status"], plan, cfg)
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
def component_history(as_of: DateLike, plan: Plan) -> pd.DataFrame:
    """Quảng Nam's published points per component and year (references/quangnam_components.csv) as of a date."""
    h = reference_table("quangnam_components", as_of, plan)
    h["year"] = h["year"].astype(int)
    h["points_value"] = h["points"].map(_number)
    h["max_value"] = h["max_points"].map(_number)
    return h


def _moves(h: pd.DataFrame) -> list[dict[str, Any]]:
    h = h[h["points_value"].notna()].sort_values("year")
    ys = list(zip(h["year"], h["points_value"], h["status"], strict=True))
    return [{"from": a, "to": b, "change": vb - va, "derived": "derived" in (sa + sb)}
            for (a, va, sa), (b, vb, sb) in zip(ys, ys[1:], strict=False) if b == a + 1]


def survey_ranges(as_of: DateLike, plan: Plan, config: dict[str, Any] | None = None,
                  history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per survey-based component: baseline level, band from Quảng Nam's own year-on-year changes, low–expected–high."""
    cfg = _cfg(plan, config)
    h = component_history(as_of, plan) if history is None else history
    by = plan.baseline_year
    rows = []
    for c in cfg["projection"]["survey_components"]:
        cid = c["id"]
        mx = _scheme_max(cfg, c["scheme_component"])
        hc = h[h["component"] == cid]
        mv = _moves(hc)
        at_base = hc[(hc["year"] == by) & hc["points_value"].notna()]
        own = _plan_level(cid, plan)
        if len(at_base):
            level, level_status = float(at_base["points_value"].iloc[0]), at_base["status"].iloc[0]
        elif own is not None:  # not in the references by this date, but printed in the plan (issued by then)
            level, level_status = own
        elif c.get("level_when_not_published", "none") != "none":
            rule = c["level_when_not_published"]
            why = LEVEL_RULES.get(rule, rule).format(year=by, field=impact_field(cfg))
            level, level_status = _component_level(cid, plan, cfg), f"derived ({why})"
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


def _plan_level(component: str, plan: Plan) -> tuple[float, str] | None:
    """A component's baseline-year points as the plan itself prints them (only SIPAS has one), with its status."""
    if component != "sipas":
        return None
    s = sipas_baseline(plan)["score_10"]
    return float(s["value"]), f"{s['status']} (plan)"


def _survey_value(ranges: pd.DataFrame, component: str, scenario: str) -> tuple[float, float]:
    r = ranges.set_index("component").loc[component]
    col = {"pessimistic": "low", "expected": "expected", "optimistic": "high"}[scenario]
    return float(r[col]), float(r["level"])


# ---------------------------------------------------------------- projection
def _as_of_of(task_progress: pd.DataFrame, plan: Plan) -> dt.date:
    """The as-of date of a task_progress table: that of its (single) quarter."""
    qs = sorted(set(task_progress["quarter"].astype(str))) if "quarter" in task_progress.columns else []
    if len(qs) != 1:
        raise ValueError(f"task_progress: give an as-of date, or a single quarter in column 'quarter' (found {qs})")
    return as_of_date(Quarter.parse(qs[0]), plan)  # the table's 'quarter' column: text, as in the parquet file


def project(task_progress: pd.DataFrame, plan: Plan, as_of: DateLike | None = None,
            config: dict[str, Any] | None = None, survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per field and scenario the projected points (appraisal from task statuses, survey parts from their ranges).

    as_of defaults to the as-of date of the table's quarter (as_of_date)."""
    cfg = _cfg(plan, config)
    as_of = _as_of_of(task_progress, plan) if as_of is None else as_of
    t, lev, info = _slices(task_progress, plan, cfg)
    ranges = survey_ranges(as_of, plan, cfg) if survey is None else survey
    parts = field_parts(plan, cfg)
    base = baseline(plan).query("level == 'field'").set_index("field")
    leaders_max = _scheme_max(cfg, "leaders_survey")
    impact = impact_field(cfg)
    appraisal: dict[tuple[int, str], float] = {}
    for _, lv in lev.iterrows():
        tl = t[t["lever"] == lv["lever"]]
        for sc in SCENARIOS:
            move = float((tl["slice_points"] * tl[f"mult_{sc}"]).sum())
            appraisal[(int(lv["field"]), sc)] = min(lv["max_points"], max(0.0, lv["baseline_points"] + move))
    rows = []
    for f, pr in parts.iterrows():
        n_tasks = int(t["par_field"].eq(f).sum())
        b_pts = float(base.at[f, "baseline_points"])
        for sc in SCENARIOS:
            if f == impact:
                sip, _ = _survey_value(ranges, "sipas", sc)
                soc, _ = _survey_value(ranges, "socio_economic", sc)
                app, sur = 0.0, min(pr["survey_max"], sip + soc)
            else:
                app = appraisal.get((int(f), sc), float(pr["appraisal_baseline"]))
                val, lvl = _survey_value(ranges, "leaders_survey", sc)
                sur = min(pr["survey_max"],
                          max(0.0, pr["survey_baseline"] + (val - lvl) * pr["survey_max"] / leaders_max))
            pts = app + sur
            rows.append({"level": "field", "field": int(f), "name_vi": base.at[f, "name_vi"],
                         "name_en": base.at[f, "name_en"], "scenario": sc, "max_points": float(pr["max_points"]),
                         "baseline_points": b_pts, "appraisal_points": app,
                         "survey_points": sur, "projected_points": pts, "projected_pct": pts / pr["max_points"],
                         "change_points": pts - b_pts, "available_points": float(pr["max_points"]) - pts,
                         "n_tasks": n_tasks, "status": "derived"})
    out = pd.DataFrame(rows)
    for sc in SCENARIOS:
        s = out[out["scenario"] == sc]
        pts, mx, pb = float(s["projected_points"].sum()), float(s["max_points"].sum()), float(s["baseline_points"].sum())
        rows.append({"level": "total", "field": pd.NA, "name_vi": "Tổng điểm PAR INDEX", "name_en": "PAR INDEX total",
                     "scenario": sc, "max_points": mx, "baseline_points": pb,
                     "appraisal_points": float(s["appraisal_points"].sum()),
                     "survey_points": float(s["survey_points"].sum()), "projected_points": pts,
                     "projected_pct": pts / mx, "change_points": pts - pb, "available_points": mx - pts,
                     "n_tasks": int(len(t)), "status": "derived"})
    out = pd.DataFrame(rows)
    out["field"] = out["field"].astype("Int64")
    out.attrs.update(info)
    out.attrs["survey_ranges"] = ranges
    out.attrs["as_of"] = to_date(as_of).isoformat()
    out.attrs["baseline_year"] = plan.baseline_year
    out.attrs["assessment_year"] = plan.year
    return out


def total_range(projection: pd.DataFrame) -> dict[str, float]:
    """The projected total per scenario, e.g. {'pessimistic': 82.1, 'expected': 84.0, 'optimistic': 86.3}."""
    tot = projection[projection["level"] == "total"].set_index("scenario")["projected_points"]
    return {sc: float(tot[sc]) for sc in SCENARIOS}


# ---------------------------------------------------------------- the goal rank's score (e.g. the 25th place)
def rank25_bracket(year: int, as_of: DateLike, plan: Plan, rank: int | None = None,
                   provinces: pd.DataFrame | None = None) -> dict[str, Any]:
    """Bounds of the `rank`-th score (default: the plan's goal rank) of a year from provinces with score and rank.

    A province ranked at or above `rank` scored at least the rank-th score; one ranked at or below scored at most it:
    low = the best score among known ranks ≥ rank, high = the worst score among known ranks ≤ rank.
    """
    rank = goal_rank(plan) if rank is None else int(rank)
    p = reference_table("par_index_provinces", as_of, plan) if provinces is None else provinces
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


def threshold_history(as_of: DateLike, plan: Plan, rank: int | None = None) -> pd.DataFrame:
    """Per published year: scheme, publication date, national mean and the goal-rank bracket, as of a date."""
    rank = goal_rank(plan) if rank is None else int(rank)
    pub = publications(as_of, plan)
    pub = pub[pub["index"] == PAR_PROVINCES]
    agg = reference_table("par_sipas_aggregates", as_of, plan)
    provinces = reference_table("par_index_provinces", as_of, plan)
    rows = []
    for _, r in pub.sort_values("result_year").iterrows():
        y = int(r["result_year"])
        m = agg[(agg["index"] == PAR_PROVINCES) & (agg["year"] == str(y)) & (agg["metric"] == "mean")]
        b = rank25_bracket(y, as_of, plan, rank, provinces)
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
    out.attrs["rank"] = rank
    return out


def project_rank25(history: pd.DataFrame, assessment_year: int, plan: Plan,
                   config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The goal-rank score of `assessment_year`: published bracket if out, else last bracket + range of mean moves.

    low = last low + steps × smallest year-on-year change of the mean; high = last high + steps × largest change,
    over consecutive published years (moves across a method change included unless the config says otherwise).
    """
    th = _cfg(plan, config)["projection"]["threshold"]
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
        raise ValueError(f"no published bracket before {assessment_year}: the threshold cannot be projected")
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


def rank25_outlook(as_of: DateLike, plan: Plan, assessment_year: int | None = None,
                   config: dict[str, Any] | None = None) -> dict[str, Any]:
    """project_rank25 for the plan's year (and goal rank) over the published history as of a date, history attached."""
    cfg = _cfg(plan, config)
    year = assessment_year or plan.year
    rank = goal_rank(plan, cfg)
    hist = threshold_history(as_of, plan, rank)
    out = project_rank25(hist, year, plan, cfg)
    out["history"] = hist
    out["rank"] = rank
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


def neighbours(as_of: DateLike, plan: Plan, province: str = PROVINCE, window: int = 5,
               year: int | None = None) -> pd.DataFrame:
    """Provinces with a numeric PAR INDEX score around `province` in the latest year published by `as_of`."""
    p = reference_table("par_index_provinces", as_of, plan)
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


TOP_DISTINCT = 3   # the first actions come from different fields (issue 17): at most one per field among them
ACTION_COLUMNS = ["rank", "task_id", "index", "section", "field", "lever", "current_status", "counts_as", "severity",
                  "due", "scored", "multiplier_expected", "lever_share", "lever_influenceable_points",
                  "n_tasks_in_lever", "task_share", "slice_points", "points_added", "shared_equally", "status"]


def _spread(rows: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The first n rows taken from different fields (the best of each, in order), then the rest in order."""
    first, seen = [], set()
    for r in rows:
        if len(first) < n and r["_group"] not in seen:
            first.append(r)
            seen.add(r["_group"])
    ids = {id(r) for r in first}
    return first + [r for r in rows if id(r) not in ids]


def rank_actions(task_progress: pd.DataFrame, plan: Plan, index: str | None = None,
                 config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Every task not yet met/done, as the action list: the appraisal points its completion would add first
    (expected scenario), ties broken by urgency (worst status, then nearest deadline), the first TOP_DISTINCT from
    different fields; tasks whose part carries no projected points (scored=False) come after, by urgency alone.

    A task's points are its lever's influenceable points shared equally among the lever's tasks (shared_equally):
    neither the plan nor the scheme's text in the repository says which criterion each task serves."""
    cfg = _cfg(plan, config)
    t, _, _ = _slices(task_progress, plan, cfg)
    credited = set(cfg["projection"].get("credited", ["met", "done"]))
    mapping = status_mapping(task_progress["status"], plan, cfg)
    scored = {r.task_id: r for r in t.itertuples()}
    in_plan = {x.id: x for x in plan.tasks}
    rows = []
    for r in task_progress[list(TASK_COLUMNS)].itertuples():
        if (index is not None and r.index != index) or mapping[str(r.status)]["counts_as"] in credited:
            continue
        due = in_plan[r.task_id].schedule.get("due") if r.task_id in in_plan else None
        s = scored.get(r.task_id)
        row = {"task_id": r.task_id, "index": r.index, "section": r.field, "current_status": r.status,
               "counts_as": mapping[str(r.status)]["counts_as"], "due": due or "", "scored": s is not None,
               "status": "derived"}
        if s is not None:
            added = float(s.slice_points) * (1.0 - float(s.mult_expected))
            if added <= 0:
                continue
            row.update(field=int(s.par_field), lever=s.lever, multiplier_expected=float(s.mult_expected),
                       lever_share=float(s.share), lever_influenceable_points=float(s.influenceable_points),
                       n_tasks_in_lever=int(s.n_tasks_in_lever), task_share=float(s.task_share),
                       slice_points=float(s.slice_points), points_added=added,
                       shared_equally=int(s.n_tasks_in_lever) > 1, _group=("field", int(s.par_field)))
        else:
            row.update(field=None, lever=None, multiplier_expected=math.nan, lever_share=math.nan,
                       lever_influenceable_points=math.nan, n_tasks_in_lever=0, task_share=math.nan,
                       slice_points=math.nan, points_added=math.nan, shared_equally=False,
                       _group=("section", r.index, r.field))
        row["severity"] = SEVERITY.get(str(r.status), 4)
        rows.append(row)
    # most points first (unscored: none), then urgency: worst status (progress.SEVERITY), the nearest deadline
    rows.sort(key=lambda x: (-round(x["points_added"], 9) if x["scored"] else 0.0, -x["severity"],
                             x["due"] or "9999-12-31", str(x["task_id"])))
    on, off = [x for x in rows if x["scored"]], [x for x in rows if not x["scored"]]
    rows = _spread(on, TOP_DISTINCT) + _spread(off, TOP_DISTINCT)
    for i, x in enumerate(rows, 1):
        x["rank"] = i
        x.pop("_group")
    out = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    out["field"] = out["field"].astype("Int64")
    return out


def what_if(task_progress: pd.DataFrame, plan: Plan, top: int = 5,
            config: dict[str, Any] | None = None) -> pd.DataFrame:
    """The `top` tasks of rank_actions that carry points: not yet met/done, most appraisal points added first
    (expected scenario), ties by urgency, the first three from different fields."""
    a = rank_actions(task_progress, plan, None, config)
    a = a[a["scored"].astype(bool)].head(max(0, int(top)))
    return a.drop(columns=["rank", "scored"]).reset_index(drop=True)


# ---------------------------------------------------------------- assumptions
def assumptions(as_of: DateLike, plan: Plan, config: dict[str, Any] | None = None,
                statuses: Iterable[str] = ()) -> dict[str, Any]:
    """The projection's assumptions as data: levers, survey ranges, multipliers, status mapping, threshold method."""
    cfg = _cfg(plan, config)
    proj = cfg["projection"]
    found = set(statuses)
    return {"levers": levers(plan, cfg).to_dict("records"), "multipliers": copy.deepcopy(proj["multipliers"]),
            "status_as": copy.deepcopy(proj.get("status_as", {})), "unknown_status_as": proj["unknown_status_as"],
            "status_mapping": status_mapping(found | set(proj.get("status_as", {})), plan, cfg),
            "survey_ranges": survey_ranges(as_of, plan, cfg).drop(columns=["moves", "sources"]).to_dict("records"),
            "not_scored": copy.deepcopy(proj.get("not_scored", [])),
            "credited": list(proj.get("credited", ["met", "done"])), "scenarios": list(SCENARIOS),
            "threshold": {**copy.deepcopy(proj["threshold"]), "rank": goal_rank(plan, cfg)},
            "status": proj.get("status", "assumption"), "baseline_year": plan.baseline_year,
            "assessment_year": plan.year, "as_of": to_date(as_of).isoformat()}


def part_letter(plan: Plan, index: str) -> str:
    """The appendix part of an index (the id of its top task row: 'A' for PAR, 'B' for SIPAS in the plan)."""
    for t in plan.tasks:
        if t.index == index and "." not in t.id:
            return t.id
    return index


def all_met_total(plan: Plan, config: dict[str, Any] | None = None) -> float:
    """The expected total if every task were met and the survey parts stayed at their baseline level."""
    lev = levers(plan, config)
    return float(baseline(plan).query("level == 'field'")["baseline_points"].sum() + lev["influenceable_points"].sum())


# ---------------------------------------------------------------- SIPAS
def _sipas_refs(as_of: DateLike, plan: Plan) -> dict[str, Any]:
    s = sipas_baseline(plan)
    try:
        nat = _ref_value("SIPAS", plan.baseline_year, "national", as_of, plan)
    except KeyError:  # the baseline year's national SIPAS not yet published by this date
        nat = {"value": math.nan, "status": f"NOT FOUND (not published by {to_date(as_of).isoformat()})",
               "sources": []}
    below = s.get("factors_below_pct", {}).get("value")
    return {"baseline_year": plan.baseline_year, "qn_score_10": float(s["score_10"]["value"]),
            "qn_status": s["score_10"]["status"], "factors_below_pct": below,
            "national_share": nat["value"] / 100.0, "national_status": nat["status"],
            "national_source": "; ".join(nat["sources"])}


def sipas_factor_mark(plan: Plan) -> float | None:
    """The percentage every SIPAS factor stayed below in the baseline year (indices.yaml), None if not given."""
    v = sipas_baseline(plan).get("factors_below_pct", {}).get("value")
    return None if v is None else float(v)


def _share_row(k: float, n: float) -> dict[str, float]:
    share = k / n if n else math.nan
    lo, hi = wilson_interval(k, n)
    return {"share": share, "lower": lo, "upper": hi}


def sipas(survey: pd.DataFrame, as_of: DateLike, plan: Plan, by: str | None = None,
          scale_satisfied: Iterable[int] = (4, 5), overall: str = "pooled") -> pd.DataFrame:
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
    refs = _sipas_refs(as_of, plan)
    factor_names = {int(f["number"]): (f["name_vi"], f["name_en"]) for f in plan.indices["sipas_factors"]}
    factors = sorted(factor_names)
    groups = [(None, d)] if by is None else list(d.groupby(by, sort=True, observed=True))
    rows = []
    for key, g in groups:
        head = {by: key} if by else {}
        frows = []
        for f in factors:
            gf = g[g["factor"] == f]
            k, n = float(gf["satisfied"].sum()), float(len(gf))
            r = {**head, "level": "factor", "factor": f, "name_vi": factor_names[f][0], "name_en": factor_names[f][1],
                 "n_respondents": int(gf["respondent_id"].nunique()), "n_answers": int(n), "n_satisfied": int(k),
                 **_share_row(k, n), "method": "satisfied answers ÷ answers"}
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
        rows.append({**head, "level": "overall", "factor": pd.NA, "name_vi": f"Chung ({len(factors)} yếu tố)",
                     "name_en": f"Overall ({len(factors)} factors)", "n_respondents": int(g["respondent_id"].nunique()),
                     "n_answers": int(n), "n_satisfied": int(k), **o, "method": method})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["factor"] = out["factor"].astype("Int64")
    for c in ("share", "lower", "upper"):
        out[f"score_10{'' if c == 'share' else '_' + c}"] = out[c] * 10.0
    is_overall = out["level"] == "overall"
    below = refs["factors_below_pct"]
    out["share_status"] = "derived"
    out["baseline_year"] = refs["baseline_year"]
    out["baseline_score_10"] = refs["qn_score_10"]
    out.loc[~is_overall, "baseline_score_10"] = math.nan
    out["baseline_status"] = out["level"].map({
        "overall": refs["qn_status"],
        "factor": "NOT FOUND" + (f" (plan: every factor below {below:g} %)" if below is not None else "")})
    out["change_vs_baseline_score_10"] = out["score_10"] - out["baseline_score_10"]
    # baseline figures are whole-index values: shown on the overall rows only (per-factor values are NOT FOUND)
    out["national_baseline_share"] = refs["national_share"]
    out.loc[~is_overall, "national_baseline_share"] = math.nan
    out["national_baseline_status"] = out["level"].map({"overall": refs["national_status"], "factor": "NOT FOUND"})
    out["national_baseline_score_10"] = out["national_baseline_share"] * 10.0
    out["national_baseline_score_10_status"] = out["level"].map({"overall": "derived", "factor": ""})
    out["scale_satisfied"] = ",".join(str(x) for x in sorted(sat))
    out.attrs["method"] = {"scale_satisfied": sorted(sat), "overall": overall, "by": by,
                           "baseline_year": refs["baseline_year"], "national_baseline_source": refs["national_source"]}
    return out




def sipas_outlook(survey: pd.DataFrame, as_of: DateLike, plan: Plan, rank: int | None = None) -> dict[str, Any]:
    """The province's own survey (overall satisfied share, Wilson 95 % bounds) against the goal-rank bracket of the
    latest SIPAS published by `as_of` (sipas_provinces.csv, rank25_bracket): likely / possible / unlikely as verdict()
    says, with the lower bound, the share and the upper bound as the three cases. The survey is the province's, not
    the ministry's: the verdict says how the province's own measure compares, never a forecast of the published rank.
    Verdict None when there is no survey yet or no bracket can be formed from what is published."""
    rank = goal_rank(plan) if rank is None else int(rank)
    p = reference_table("sipas_provinces", as_of, plan)
    years = sorted({int(y) for y in p["year"]}) if len(p) else []
    year = years[-1] if years else None
    bracket = rank25_bracket(year, as_of, plan, rank, provinces=p) if year is not None else None
    out: dict[str, Any] = {"rank": rank, "bracket_year": year, "bracket": bracket, "verdict": None, "survey": None}
    if survey is None or survey.empty:
        return out
    s = sipas(survey, as_of, plan)
    o = s[s["level"] == "overall"].iloc[0]
    out["survey"] = {"share": float(o["share"]), "lower": float(o["lower"]), "upper": float(o["upper"]),
                     "n_respondents": int(o["n_respondents"]), "score_10": float(o["score_10"]),
                     "baseline_score_10": float(o["baseline_score_10"]), "baseline_year": int(o["baseline_year"])}
    if bracket is not None and not (math.isnan(bracket["low"]) or math.isnan(bracket["high"])):
        cases = {"pessimistic": 100 * out["survey"]["lower"], "expected": 100 * out["survey"]["share"],
                 "optimistic": 100 * out["survey"]["upper"]}
        out["verdict"] = verdict(cases, bracket)
    return out
