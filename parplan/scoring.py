"""PAR INDEX outlook (2022 baseline, projected field points, distance to the top 25) and SIPAS from survey answers.

Pure functions over catalogue/indices.yaml, catalogue/par_scoring.yaml (scheme, section → field map, projection
assumptions) and the published figures in catalogue/reference/*.csv. Every figure in a returned frame says whether it
is sourced or derived; the projection never gives a single number, always three scenarios.
"""
from __future__ import annotations

import copy
import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from . import yamlfile
from .metrics import wilson_interval

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
REFERENCE_DIR = CATALOGUE_DIR / "reference"
SCENARIOS = ("pessimistic", "expected", "optimistic")
SIPAS_FACTORS = (1, 2, 3, 4, 5)
PROVINCE = "Quảng Nam"
OVERALL_METHODS = ("pooled", "mean_of_factors")
TASK_COLUMNS = ("task_id", "index", "field", "status")


# ---------------------------------------------------------------- loading
@functools.cache
def _yaml(name: str) -> dict[str, Any]:
    return yamlfile.load(CATALOGUE_DIR / name)


def scoring_config() -> dict[str, Any]:
    """A fresh copy of catalogue/par_scoring.yaml (edit it to try other assumptions)."""
    return copy.deepcopy(_yaml("par_scoring.yaml"))


def indices() -> dict[str, Any]:
    """A fresh copy of catalogue/indices.yaml (2022 figures, fields, SIPAS factors)."""
    return copy.deepcopy(_yaml("indices.yaml"))


@functools.cache
def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")


def reference_table(name: str) -> pd.DataFrame:
    """One reference CSV from catalogue/reference (all columns as text, exactly as published)."""
    return _csv(name).copy()


def _number(text: str) -> float:
    """The figure in a reference cell, NaN for NOT FOUND, ranges or text."""
    try:
        return float(str(text).strip())
    except ValueError:
        return math.nan


def _ref_value(index: str, year: str, metric: str, prefix: bool = False) -> tuple[float, str, str]:
    agg = _csv("par_sipas_aggregates")
    hit = agg["metric"].str.startswith(metric) if prefix else agg["metric"] == metric
    row = agg[(agg["index"] == index) & (agg["year"] == year) & hit]
    if len(row) != 1:
        raise KeyError(f"reference par_sipas_aggregates: no single row {index}/{year}/{metric}")
    r = row.iloc[0]
    return _number(r["value"]), r["status"], r["source_url"]


def _check_config(cfg: dict[str, Any]) -> None:
    proj = cfg["projection"]
    if tuple(proj["scenarios"]) != SCENARIOS:
        raise ValueError(f"projection.scenarios must be {list(SCENARIOS)}")
    for status, m in proj["multipliers"].items():
        if len(m) != 3 or not (-1 <= m[0] <= m[1] <= m[2] <= 1):
            raise ValueError(f"multiplier of {status!r} must be 3 numbers in [-1, 1], pessimistic ≤ expected ≤ optimistic")
    for lv in proj["levers"]:
        if not 0 <= float(lv["share"]) <= 1:
            raise ValueError(f"lever {lv['id']}: share must be in [0, 1]")


# ---------------------------------------------------------------- 2022 baseline
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


# ---------------------------------------------------------------- levers and task slices
def levers(config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per lever (a field, or a component of field 8): max, 2022 points, lost points, share, influenceable points."""
    cfg = config or _yaml("par_scoring.yaml")
    _check_config(cfg)
    base = baseline_2022().query("level == 'field'").set_index("field")
    comps = {c["id"]: c for c in cfg["scheme"]["components"]}
    sipas_2022 = float(_yaml("indices.yaml")["sipas_2022"]["score_10"]["value"])
    field8_comp = [lv for lv in cfg["projection"]["levers"] if lv.get("component")]
    rows = []
    for lv in cfg["projection"]["levers"]:
        field = int(lv["field"])
        comp = lv.get("component")
        if comp is None:
            mx, p22, basis = base.at[field, "max_points"], base.at[field, "points_2022"], "field: pct_2022 × max"
        elif comp == "sipas":
            w = float(lv.get("component_weight", 1.0))
            mx, p22 = float(comps["sipas"]["max_points"]) * w, sipas_2022 * w
            basis = f"SIPAS {comps['sipas']['max_points']:g} × {w:g}; 2022: {sipas_2022:g} × {w:g} (plan)"
        else:
            others = sum(float(comps["sipas"]["max_points"]) * float(o.get("component_weight", 1.0))
                         for o in field8_comp if o.get("component") == "sipas" and int(o["field"]) == field)
            sip22 = sum(sipas_2022 * float(o.get("component_weight", 1.0))
                        for o in field8_comp if o.get("component") == "sipas" and int(o["field"]) == field)
            mx = float(comps[comp]["max_points"])
            p22 = base.at[field, "points_2022"] - sip22
            basis = f"field {field} 2022 points − SIPAS 2022 points in it ({sip22:g}); max {mx:g} sourced"
            if abs(others + mx - base.at[field, "max_points"]) > 1e-9:
                raise ValueError(f"components of field {field} do not add up to its max")
        gap = max(0.0, mx - p22)
        share = float(lv["share"])
        rows.append({"lever": lv["id"], "field": field, "index": lv["index"], "sections": ",".join(lv["sections"]),
                     "component": comp or "", "factor": lv.get("factor", pd.NA), "max_points": float(mx),
                     "points_2022": float(p22), "lost_points_2022": gap, "share": share,
                     "influenceable_points": share * gap, "basis": basis, "status": "derived"})
    out = pd.DataFrame(rows)
    out["factor"] = out["factor"].astype("Int64")
    return out


def _slices(task_progress: pd.DataFrame, cfg: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Each task matched to its lever with its slice of the influenceable points and its status multipliers."""
    missing = [c for c in TASK_COLUMNS if c not in task_progress.columns]
    if missing:
        raise ValueError(f"task_progress lacks column(s) {missing}")
    if task_progress["task_id"].duplicated().any():
        raise ValueError("task_progress has more than one row for a task")
    lev = levers(cfg)
    where = {(lv["index"], s): lv["id"] for lv in cfg["projection"]["levers"] for s in lv["sections"]}
    mult = cfg["projection"]["multipliers"]
    unknown = sorted(set(task_progress["status"]) - set(mult))
    if unknown:
        raise ValueError(f"status(es) without a multiplier in par_scoring.yaml: {unknown}")
    t = task_progress[list(TASK_COLUMNS)].copy()
    t["lever"] = [where.get((i, f)) for i, f in zip(t["index"], t["field"], strict=True)]
    unmapped = sorted(t.loc[t["lever"].isna(), "task_id"])
    t = t[t["lever"].notna()].merge(lev[["lever", "field", "influenceable_points", "share"]].rename(
        columns={"field": "par_field"}), on="lever", how="left")
    t["n_tasks_in_lever"] = t.groupby("lever")["task_id"].transform("count")
    t["task_share"] = 1.0 / t["n_tasks_in_lever"]
    t["slice_points"] = t["influenceable_points"] * t["task_share"]
    for i, sc in enumerate(SCENARIOS):
        t[f"mult_{sc}"] = t["status"].map(lambda s, i=i: float(mult[s][i]))
    return t, lev, unmapped


# ---------------------------------------------------------------- projection
def project(task_progress: pd.DataFrame, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per field and scenario the projected points and % (and the total rows): derived from the task statuses."""
    cfg = config or _yaml("par_scoring.yaml")
    t, lev, unmapped = _slices(task_progress, cfg)
    base = baseline_2022()
    fields = base[base["level"] == "field"]
    rows = []
    lever_points: dict[tuple[str, str], float] = {}
    for _, lv in lev.iterrows():
        tl = t[t["lever"] == lv["lever"]]
        for sc in SCENARIOS:
            move = float((tl["slice_points"] * tl[f"mult_{sc}"]).sum())
            lever_points[(lv["lever"], sc)] = min(lv["max_points"], max(0.0, lv["points_2022"] + move))
    for _, f in fields.iterrows():
        fl = lev[lev["field"] == f["field"]]
        n_tasks = int(t["par_field"].eq(f["field"]).sum())
        for sc in SCENARIOS:
            if len(fl):
                pts = sum(lever_points[(lid, sc)] for lid in fl["lever"])
                pts += f["points_2022"] - fl["points_2022"].sum()  # part of the field no lever covers: kept at 2022
            else:
                pts = f["points_2022"]
            rows.append({"level": "field", "field": int(f["field"]), "name_vi": f["name_vi"], "name_en": f["name_en"],
                         "scenario": sc, "max_points": f["max_points"], "points_2022": f["points_2022"],
                         "projected_points": pts, "projected_pct": pts / f["max_points"],
                         "change_points": pts - f["points_2022"], "available_points": f["max_points"] - pts,
                         "n_tasks": n_tasks, "status": "derived"})
    out = pd.DataFrame(rows)
    for sc in SCENARIOS:
        s = out[out["scenario"] == sc]
        pts = float(s["projected_points"].sum())
        rows.append({"level": "total", "field": pd.NA, "name_vi": "Tổng điểm PAR INDEX", "name_en": "PAR INDEX total",
                     "scenario": sc, "max_points": float(s["max_points"].sum()), "points_2022": float(s["points_2022"].sum()),
                     "projected_points": pts, "projected_pct": pts / float(s["max_points"].sum()),
                     "change_points": pts - float(s["points_2022"].sum()),
                     "available_points": float(s["max_points"].sum()) - pts, "n_tasks": int(len(t)), "status": "derived"})
    out = pd.DataFrame(rows)
    out["field"] = out["field"].astype("Int64")
    out.attrs["assumptions"] = assumptions(cfg)
    out.attrs["unmapped_tasks"] = unmapped
    return out


def total_range(projection: pd.DataFrame) -> dict[str, float]:
    """The projected total per scenario, e.g. {'pessimistic': 82.1, 'expected': 84.0, 'optimistic': 86.3}."""
    tot = projection[projection["level"] == "total"].set_index("scenario")["projected_points"]
    return {sc: float(tot[sc]) for sc in SCENARIOS}


def assumptions(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The projection's assumptions as data: levers with their numbers, multipliers per status, threshold note."""
    cfg = config or _yaml("par_scoring.yaml")
    proj = cfg["projection"]
    return {"levers": levers(cfg).to_dict("records"), "multipliers": copy.deepcopy(proj["multipliers"]),
            "credited": list(proj.get("credited", ["met", "done"])), "scenarios": list(SCENARIOS),
            "threshold_note": proj.get("threshold", {}).get("note", ""), "status": proj.get("status", "assumption")}


def _fmt(x: float, lang: str, nd: int = 2) -> str:
    s = f"{x:.{nd}f}"
    return s.replace(".", ",") if lang == "vi" else s


def assumptions_text(lang: str = "vi", config: dict[str, Any] | None = None) -> str:
    """The projection method and its assumptions as plain text (Vietnamese 'vi' or English 'en')."""
    a = assumptions(config)
    vi = lang == "vi"
    base = baseline_2022()
    tot = base[base["level"] == "total"].iloc[0]
    L = []
    if vi:
        L += ["Dự báo Chỉ số PAR INDEX — giả định (do nhóm phân tích đặt ra, không phải số liệu công bố):",
              f"- Điểm 2022 của mỗi lĩnh vực = tỷ lệ % 2022 (Kế hoạch) × điểm tối đa (SUY RA, QĐ 876/QĐ-BNV); tổng "
              f"{_fmt(tot['points_2022'], lang, 3)} so với {_fmt(tot['published_points_2022'], lang)} công bố "
              "(chênh lệch do tỷ lệ % được làm tròn).",
              "- Điểm có thể gỡ lại của một cấu phần = (điểm tối đa − điểm 2022) × tỷ lệ tác động; chia đều cho các "
              "nhiệm vụ của các mục phụ lục tương ứng; mỗi nhiệm vụ được nhân với hệ số theo trạng thái và kịch bản.",
              "- Mục A.II (thông tin, tuyên truyền) được tính vào lĩnh vực 2 'Chỉ đạo, điều hành'; mục B.I–B.V (SIPAS) "
              "vào lĩnh vực 8 qua cấu phần SIPAS 10 điểm, chia đều 5 yếu tố (trọng số của Bộ Nội vụ không công bố).",
              "Cấu phần | lĩnh vực | mục | tối đa | 2022 | điểm mất | tỷ lệ tác động | có thể gỡ"]
    else:
        L += ["PAR INDEX outlook — assumptions (set by the analysts, not published figures):",
              f"- 2022 points of a field = the plan's 2022 % × the field maximum (DERIVED, Decision 876/QĐ-BNV); total "
              f"{_fmt(tot['points_2022'], lang, 3)} vs {_fmt(tot['published_points_2022'], lang)} published "
              "(the difference comes from the rounded percentages).",
              "- Points a lever can win back = (max − 2022 points) × share; split equally between the tasks of its "
              "appendix sections; each task's slice is multiplied by the multiplier of its status in the scenario.",
              "- Section A.II (communication) counts towards field 2 'Direction and steering'; sections B.I–B.V (SIPAS) "
              "feed field 8 through the 10-point SIPAS component, split equally between the 5 factors (MoHA weights "
              "are not public).",
              "Lever | field | sections | max | 2022 | lost | share | influenceable"]
    for lv in a["levers"]:
        L.append(f"{lv['lever']} | {lv['field']} | {lv['index']} {lv['sections']} | {_fmt(lv['max_points'], lang)} | "
                 f"{_fmt(lv['points_2022'], lang, 3)} | {_fmt(lv['lost_points_2022'], lang, 3)} | "
                 f"{_fmt(lv['share'], lang)} | {_fmt(lv['influenceable_points'], lang, 3)}")
    L.append("Hệ số theo trạng thái (bi quan / cơ sở / lạc quan):" if vi
             else "Multiplier per status (pessimistic / expected / optimistic):")
    for status, m in a["multipliers"].items():
        L.append(f"- {status}: " + " / ".join(_fmt(x, lang, 1) for x in m))
    L.append("- Hệ số âm: nhiệm vụ chậm, quá hạn có thể làm mất điểm so với 2022. Mỗi cấu phần giữ trong [0, tối đa]."
              if vi else "- A negative multiplier: a late or overdue task may lose points against 2022. "
              "Every lever stays within [0, max].")
    th = top25_threshold()
    br = f"{_fmt(th['low'], lang)}–{_fmt(th['high'], lang)}"
    best, _, _ = _ref_value("PAR INDEX provinces", str(th["year"]), "max (", prefix=True)
    L.append(f"- Ngưỡng top 25: khoảng điểm hạng 25 năm {th['year']} ({br}, SUY RA: hạng {th['high_rank']} và hạng "
              f"{th['low_rank']}); ngưỡng của năm đánh giá chưa biết và thay đổi hằng năm." if vi else
              f"- Top-25 threshold: the {th['year']} 25th-place bracket ({br}, DERIVED from ranks {th['high_rank']} and "
              f"{th['low_rank']}); the threshold of the year assessed is unknown and moves every year.")
    L.append(f"- Tỷ lệ tác động được hiệu chỉnh để khi mọi nhiệm vụ đạt, kịch bản cơ sở gần điểm cao nhất cả nước "
              f"năm {th['year']} ({_fmt(best, lang, 1)}); đây là giả định, không phải kết quả đo." if vi else
              f"- The shares are calibrated so that with every task met the expected total lands near the {th['year']} "
              f"national best ({_fmt(best, lang, 1)}); this is an assumption, not a measurement.")
    return "\n".join(L)


# ---------------------------------------------------------------- top 25
def top25_threshold(index: str = "PAR INDEX provinces") -> dict[str, Any]:
    """The 25th-place score bracket of the latest published year (2022: 85.78 at rank 29 … 86.56 at rank 19)."""
    agg = _csv("par_sipas_aggregates")
    rows = agg[(agg["index"] == index) & agg["metric"].str.startswith("rank-25 score")]
    if rows.empty:
        raise KeyError(f"no 25th-place bracket for {index!r} in the reference data")
    r = rows.loc[rows["year"].astype(int).idxmax()]
    m = re.search(r"between\s+([\d.]+)\s*\(rank\s*(\d+)\)\s*and\s+([\d.]+)\s*\(rank\s*(\d+)\)", r["value"])
    if not m:
        raise ValueError(f"unreadable bracket {r['value']!r}")
    return {"index": index, "year": int(r["year"]), "low": float(m.group(1)), "low_rank": int(m.group(2)),
            "high": float(m.group(3)), "high_rank": int(m.group(4)), "status": r["status"],
            "sources": [s.strip() for s in r["source_url"].split(";") if s.strip()], "note": r["note"],
            "text": r["value"]}


def neighbours(province: str = PROVINCE, window: int = 5, year: int | None = None) -> pd.DataFrame:
    """Provinces with a numeric PAR INDEX score around `province` (NOT FOUND and '<80' rows skipped)."""
    p = _csv("par_index_provinces").copy()
    year = year or int(p.loc[p["province"] == province, "year"].astype(int).max())
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
    return p[["province", "year", "score", "rank_of_63", "diff_vs_province", "is_province", "status", "source_url",
              "note"]].reset_index(drop=True)


def distance_to_top25(projection: pd.DataFrame, threshold: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per scenario: projected total and the points needed to reach each end of the bracket; per field: points left."""
    th = threshold or top25_threshold()
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
    out.attrs["threshold"] = th
    return out


def what_if(task_progress: pd.DataFrame, top: int = 5, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Tasks not yet met/done ranked by the points their completion would add under the expected scenario."""
    cfg = config or _yaml("par_scoring.yaml")
    t, _, _ = _slices(task_progress, cfg)
    credited = set(cfg["projection"].get("credited", ["met", "done"]))
    t = t[~t["status"].isin(credited)].copy()
    t["points_added"] = t["slice_points"] * (1.0 - t["mult_expected"])
    t = t.sort_values(["points_added", "task_id"], ascending=[False, True], kind="stable").head(max(0, int(top)))
    out = pd.DataFrame({
        "task_id": t["task_id"], "index": t["index"], "section": t["field"], "lever": t["lever"],
        "field": t["par_field"].astype("Int64"), "current_status": t["status"],
        "multiplier_expected": t["mult_expected"], "lever_share": t["share"],
        "lever_influenceable_points": t["influenceable_points"], "n_tasks_in_lever": t["n_tasks_in_lever"],
        "task_share": t["task_share"], "slice_points": t["slice_points"], "points_added": t["points_added"],
        "status": "derived"})
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- SIPAS
def _sipas_refs() -> dict[str, Any]:
    s22 = _yaml("indices.yaml")["sipas_2022"]["score_10"]
    nat, nat_status, nat_src = _ref_value("SIPAS", "2022", "national")
    return {"qn_2022_score_10": float(s22["value"]), "qn_2022_status": s22["status"],
            "national_2022_share": nat / 100.0, "national_2022_status": nat_status, "national_2022_source": nat_src}


def _share_row(k: float, n: float) -> dict[str, float]:
    share = k / n if n else math.nan
    lo, hi = wilson_interval(k, n)
    return {"share": share, "lower": lo, "upper": hi}


def sipas(survey: pd.DataFrame, by: str | None = None, scale_satisfied: Iterable[int] = (4, 5),
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
    refs = _sipas_refs()
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


def sipas_method_text(lang: str = "vi", scale_satisfied: Iterable[int] = (4, 5), overall: str = "pooled") -> str:
    """How sipas() computes its shares, and what it cannot claim (Vietnamese 'vi' or English 'en')."""
    sat = ", ".join(str(x) for x in sorted(int(x) for x in scale_satisfied))
    refs = _sipas_refs()
    nat = _fmt(refs["national_2022_share"] * 100, lang)
    qn = _fmt(refs["qn_2022_score_10"], lang)
    if lang == "vi":
        how = ("gộp: mọi câu trả lời hài lòng ÷ mọi câu trả lời (yếu tố có nhiều câu hỏi có trọng số lớn hơn)"
               if overall == "pooled" else "trung bình cộng tỷ lệ của 5 yếu tố (trọng số bằng nhau)")
        return "\n".join([
            "Cách tính SIPAS từ phiếu khảo sát (parplan.scoring.sipas):",
            f"- Câu trả lời thang 1–5; 'hài lòng' = câu trả lời thuộc {{{sat}}} (tham số scale_satisfied).",
            "- Tỷ lệ của một yếu tố = số câu trả lời hài lòng ÷ số câu trả lời các câu hỏi của yếu tố đó.",
            f"- Chỉ số chung: {how} (tham số overall = 'pooled' | 'mean_of_factors').",
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
