"""Pure functions: processed dossier tables -> the tidy indicator table of docs/design.md §4.

Columns: quarter, period ('Q'|'YTD'), metric, agency, numerator, denominator, value, unit, source
('measured'|'self_reported'), n_sources, and the flags self_reported (bool, kept for compatibility), provisional,
commune_resolution and note. Group values (all departments, all districts, all communes, province) follow the
metric's declared group rule: for dossier metrics a ratio of sums (a count: the sum), never a mean of ratios.

The dossier metrics are declared once, in catalogue/metrics.yaml, like every metric (parplan.metrics_engine): their
`filters` (the denominator) and `numerator: {count: [...]}` name per-dossier terms (TERMS below) whose conjunction
makes the denominator and the numerator; this module only evaluates them (with unknowns: an optional column a file
lacks makes the value provisional or no data).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .periods import Quarter

if TYPE_CHECKING:
    from .catalogue import Plan

COLUMNS = ["quarter", "period", "metric", "agency", "numerator", "denominator", "value", "unit", "source",
           "n_sources", "self_reported", "provisional", "commune_resolution", "note"]
GROUP_OF_LEVEL = {"province": "ALL_DEPARTMENTS", "district": "ALL_DISTRICTS", "commune": "ALL_COMMUNES"}

# The per-dossier terms a dossier metric of catalogue/metrics.yaml may name (its `terms:`); each is a boolean with
# <NA> where the file does not say (an optional column absent from an older export).
TERMS = ("resolved", "received_in_year", "early_or_on_time", "filed_online", "fee_required", "online_payment_offered",
         "paid_online")

# commune_resolution of a row: a matched commune's own row; a district's commune group where every commune-level
# dossier matched a commune of the list; a group where some did not (those communes are judged only per district)
COMMUNE = "commune"
ALL_MATCHED = "all_communes_matched"
DISTRICT_GROUP = "district_group"


def is_dossier_metric(spec: dict) -> bool:
    """Whether a metrics.yaml entry is a dossier metric this module computes (declared with dossier terms only)."""
    return (spec.get("dataset") == "tthc_dossiers" and isinstance(spec.get("numerator"), dict)
            and set(denominator_terms(spec)) | set(numerator_terms(spec)) <= set(TERMS))


def denominator_terms(spec: dict) -> list[str]:
    """The terms every dossier of the denominator meets (the declaration's `filters`)."""
    return list(spec.get("filters", []))


def numerator_terms(spec: dict) -> list[str]:
    """The terms a dossier of the denominator also meets to count in the numerator (`numerator: {count: [...]}`)."""
    c = (spec.get("numerator") or {}).get("count", [])
    return [] if c == "all" else list(c)


def dossier_metrics(plan: Plan) -> dict[str, dict]:
    """The declared dossier metrics of the plan (shared metrics.yaml plus its own): id -> its metrics.yaml entry."""
    return {k: m for k, m in plan.metrics.items() if is_dossier_metric(m)}


def combine_quarters(frames: Iterable[tuple[Quarter, pd.DataFrame]]) -> pd.DataFrame:
    """Stack quarterly dossier tables; a dossier in several quarters keeps its latest record."""
    parts = []
    for q, f in frames:
        f = f.copy()
        f["quarter"] = str(q)
        parts.append(f)
    if not parts:
        return pd.DataFrame()
    all_ = pd.concat(parts, ignore_index=True).sort_values(["quarter", "source_file", "source_row"], kind="stable")
    return all_.drop_duplicates("dossier_id", keep="last").reset_index(drop=True)


def unit_of(frame: pd.DataFrame) -> pd.Series:
    """The reporting unit of each dossier: the agency, or XA_<district> for commune-level dossiers."""
    code = frame["agency_code"].astype("string")
    return code.where(frame["level"] != "commune", "XA_" + code)


def _bool(frame: pd.DataFrame, col: str, missing_is_false: bool = True) -> pd.Series:
    """A bool column as pandas 'boolean' (<NA> = unknown); a required column's blanks read as False."""
    if col not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="boolean")
    s = frame[col]
    if s.dtype == object or str(s.dtype) == "string":
        s = s.map(lambda v: v if isinstance(v, bool) or pd.isna(v) else str(v).lower() in ("true", "1", "có"))
    s = s.astype("boolean")
    return s.fillna(False) if missing_is_false else s


def dossier_terms(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Every TERMS value per dossier for one period [start, end] (pandas 'boolean', <NA> = unknown)."""
    done = frame["completed_date"]
    year_start = pd.Timestamp(end.year, 1, 1)
    return pd.DataFrame({
        "resolved": ((frame["status"] == "resolved") & done.between(start, end)).astype("boolean"),
        "received_in_year": (frame["received_date"] >= year_start).astype("boolean"),
        "early_or_on_time": (done <= frame["due_date"]).astype("boolean"),
        "filed_online": (frame["channel"] == "online").astype("boolean"),
        "fee_required": _bool(frame, "fee_required"),
        "online_payment_offered": _bool(frame, "online_payment_offered", missing_is_false=False),
        "paid_online": _bool(frame, "paid_online"),
    }, index=frame.index)


def conjunction(terms: pd.DataFrame, names: list[str]) -> pd.Series:
    """AND of the named terms with Kleene logic (False wins over <NA>)."""
    out = pd.Series(True, index=terms.index, dtype="boolean")
    for n in names:
        out = out & terms[n]
    return out


def metric_flags(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                 metrics: dict[str, dict]) -> pd.DataFrame:
    """Per dossier and metric: '<m>.num', '<m>.den' (0/1) and '<m>.unknown' (1 where the denominator is unknown)."""
    t = dossier_terms(frame, start, end)
    out = {}
    for m, spec in metrics.items():
        den = conjunction(t, denominator_terms(spec))
        num = den & conjunction(t, numerator_terms(spec))
        out[f"{m}.den"] = den.fillna(False).astype(int)
        out[f"{m}.num"] = num.fillna(False).astype(int)
        out[f"{m}.unknown"] = den.isna().astype(int)
    return pd.DataFrame(out, index=frame.index)


def dossier_flags(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per-dossier 0/1 sums the scale benchmark compares with DuckDB: unit, resolved, ontime, online, fee, paid."""
    t = dossier_terms(frame, start, end).fillna(False).astype(int)
    resolved = t["resolved"]
    return pd.DataFrame({"unit": unit_of(frame), "level": frame["level"], "source_file": frame["source_file"],
                         "resolved": resolved, "ontime": resolved * t["early_or_on_time"],
                         "online": resolved * t["filed_online"], "fee": resolved * t["fee_required"],
                         "paid": resolved * t["fee_required"] * t["paid_online"]})


def _optional_headers(names: list[str]) -> tuple[str, str]:
    """Vietnamese and English headers of the optional contract columns behind the named terms."""
    from .contracts import load_contract

    cols = {c.name: c for c in load_contract("tthc_dossiers").columns}
    opt = [cols[n] for n in names if n in cols and not cols[n].required]
    return ", ".join(f"'{c.header_vi}'" for c in opt), ", ".join(f"'{c.header_en}'" for c in opt)


def unknown_note(unknown: int, known: int, terms: list[str]) -> tuple[bool, str]:
    """(provisional, note) when `unknown` dossiers lack an optional column the denominator needs (vi / en)."""
    if not unknown:
        return False, ""
    vi, en = _optional_headers(terms)
    if not known:
        return False, (f"Không có dữ liệu: {unknown} hồ sơ không có cột {vi} / "
                       f"no data: {unknown} dossiers without the column {en}")
    return True, (f"Tạm tính: {unknown} hồ sơ không có cột {vi}, tỷ lệ chỉ tính trên {known} hồ sơ có thông tin / "
                  f"provisional: {unknown} dossiers without the column {en}; the rate covers the {known} that have it")


def _rows(flags: pd.DataFrame, key: str, quarter: str, period: str, metrics: dict[str, dict]) -> list[dict]:
    out = []
    for agency, g in flags.groupby(key, sort=True):
        n_src = int(g["source_file"].nunique())
        for m, spec in metrics.items():
            num, den, unknown = (int(g[f"{m}.{x}"].sum()) for x in ("num", "den", "unknown"))
            unit = spec["unit"]
            if unit == "count":
                value, denominator = float(num), np.nan
            else:
                value, denominator = (num / den if den else np.nan), float(den)
            provisional, note = unknown_note(unknown, den, denominator_terms(spec))
            out.append({"quarter": quarter, "period": period, "metric": m, "agency": str(agency),
                        "numerator": float(num), "denominator": denominator, "value": value, "unit": unit,
                        "source": "measured", "n_sources": n_src, "self_reported": False,
                        "provisional": provisional, "commune_resolution": "", "note": note})
    return out


def dossier_indicators(dossiers: pd.DataFrame, quarter: Quarter | str, plan: Plan,
                       metrics: dict[str, dict] | None = None) -> pd.DataFrame:
    """Indicator rows for the quarter and year to date: per unit, per matched commune, per level group, province.

    The metrics are the plan's dossier metrics (`metrics` narrows them, e.g. in a test). A `commune_unit` column
    (parplan.communes.commune_units) adds one row per matched commune (XA_<DISTRICT>__<gso code>) beside the
    district's commune group XA_<DISTRICT>.
    """
    q = Quarter.parse(quarter)
    metrics = dossier_metrics(plan) if metrics is None else metrics
    if dossiers.empty:
        return pd.DataFrame(columns=COLUMNS)
    d = dossiers.copy()
    rows: list[dict] = []
    for period, start in (("Q", q.start), ("YTD", q.ytd_start)):
        f = metric_flags(d, pd.Timestamp(start), pd.Timestamp(q.end), metrics)
        f["unit"], f["level"], f["source_file"] = unit_of(d), d["level"], d["source_file"]
        rows += _rows(f, "unit", str(q), period, metrics)
        if "commune_unit" in d.columns and d["commune_unit"].notna().any():
            rows += _rows(f.assign(cu=d["commune_unit"]).dropna(subset=["cu"]), "cu", str(q), period, metrics)
        f["group"] = f["level"].map(GROUP_OF_LEVEL)
        rows += _rows(f, "group", str(q), period, metrics)
        f["province"] = "PROVINCE"
        rows += _rows(f, "province", str(q), period, metrics)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["commune_resolution"] = commune_resolution(d, out)
    return out.sort_values(["period", "metric", "agency"], kind="stable").reset_index(drop=True)


def commune_resolution(dossiers: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """Per indicator row: 'commune' (a matched commune), 'all_communes_matched' / 'district_group' (a district's
    commune group whose commune-level dossiers all / not all matched the commune list), '' otherwise."""
    agency = rows["agency"].astype(str)
    out = pd.Series("", index=rows.index, dtype=object)
    out[agency.str.contains("__", regex=False) & agency.str.startswith("XA_")] = COMMUNE
    group = agency.str.startswith("XA_") & (out != COMMUNE)
    if not group.any():
        return out
    com = dossiers[dossiers["level"] == "commune"] if len(dossiers) else dossiers
    all_matched: set[str] = set()
    if "commune_unit" in com.columns and len(com):
        ok = com.groupby(com["agency_code"].astype(str))["commune_unit"].apply(lambda s: bool(s.notna().all()))
        all_matched = {f"XA_{a}" for a, v in ok.items() if v}
    out[group] = [ALL_MATCHED if a in all_matched else DISTRICT_GROUP for a in agency[group]]
    return out


def ratio_of_sums(numerators: Iterable[float], denominators: Iterable[float]) -> float:
    """Group value = Σ numerators ÷ Σ denominators (NaN when the denominator sum is 0)."""
    n, d = float(sum(numerators)), float(sum(denominators))
    return n / d if d else float("nan")


def wilson_interval(successes: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion (sound near 0 % and 100 %)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def mark_commune_groups(ind: pd.DataFrame) -> pd.DataFrame:
    """Commune-group rows (XA_<DISTRICT>) not yet marked are judged per district: commune_resolution 'district_group'."""
    ind = ind.copy()
    if "commune_resolution" not in ind.columns:
        ind["commune_resolution"] = ""
    res = ind["commune_resolution"].fillna("").astype(str)
    agency = ind["agency"].astype(str)
    group = agency.str.startswith("XA_") & ~agency.str.contains("__", regex=False) & (res == "")
    ind["commune_resolution"] = res.where(~group, DISTRICT_GROUP)
    return ind


def formula_text(spec: dict, lang: str = "en") -> str:
    """A dossier metric's definition in words, generated from its terms (the YAML `dossier_terms` give each term's
    words per language, the UI catalogue the connectives: `format.formula_*`)."""
    from . import catalogue, yamlfile
    from .report import i18n

    words = yamlfile.load(catalogue.HERE / "metrics.yaml")["dossier_terms"]
    and_ = i18n.t("format.formula_and", lang)
    den = [words[t][lang] for t in denominator_terms(spec)]
    num = den + [words[t][lang] for t in numerator_terms(spec) if t not in denominator_terms(spec)]
    if spec["unit"] == "count":
        return i18n.t("format.formula_count", lang, terms=and_.join(num))
    return i18n.t("format.formula_ratio", lang, numerator=and_.join(num), denominator=and_.join(den))
