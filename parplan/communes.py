"""Communes of the plan's year: the official list, and dossiers' free-text commune names matched to it.

The list belongs to the plan: `plans/<year>/communes.csv` (for 2023: 241 xã/phường/thị trấn of Quảng Nam, from the
General Statistics Office's code list; source in every row). Every function takes the plan whose list it uses. Each commune gets a unit code `XA_<DISTRICT>__<GSO code>`
(e.g. `XA_PHU_NINH__20374` for xã Tam Đàn): ASCII, upper-case, generated from the CSV, never typed by hand.

A dossier file names the commune as free text. A name matches a commune of the *file's district* when, after
NFC, lower-casing, single spaces and dropping a leading `xã` / `phường` / `thị trấn`, it equals the commune's
name; failing that, when it equals it with diacritics removed and exactly one commune of the district has that
spelling (`Tam Dan` is ambiguous in Phú Ninh: Tam Đàn or Tam Dân). Anything else is unmatched and becomes a
finding for a person (`commune_matches.parquet`); those dossiers are judged with their district's commune group.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .catalogue import Plan
    from .periods import Quarter
    from .store import Store

COMMUNES_FILE = "communes.csv"  # in the plan's folder: plans/<year>/communes.csv
PREFIX_RE = re.compile(r"^(xã|phường|thị trấn)\s+")
UNIT_SEP = "__"
MATCH_COLUMNS = ["quarter", "agency_code", "source_file", "commune_text", "n_dossiers", "first_row", "status",
                 "unit", "gso_code", "commune_vi", "unit_type", "reason_vi", "reason_en"]


def key(name: object) -> str:
    """Matching key: NFC, lower case, single spaces, no leading 'xã' / 'phường' / 'thị trấn'."""
    t = unicodedata.normalize("NFC", str(name or "")).strip().lower()
    t = re.sub(r"\s+", " ", t)
    return PREFIX_RE.sub("", t).strip()


def fold(name: object) -> str:
    """The matching key without diacritics ('Tam Đàn' -> 'tam dan')."""
    t = unicodedata.normalize("NFD", key(name).replace("đ", "d"))
    return "".join(ch for ch in t if unicodedata.category(ch) != "Mn")


def unit_code(district: str, gso_code: str) -> str:
    """The commune's unit code, e.g. XA_PHU_NINH__20374."""
    return f"XA_{district}{UNIT_SEP}{gso_code}"


def district_of(unit: str) -> str | None:
    """The district code of a commune unit or commune group code (XA_<D>__<gso> or XA_<D>), else None."""
    if not unit.startswith("XA_"):
        return None
    return unit[3:].split(UNIT_SEP)[0]


def communes_csv(plan: Plan) -> Path:
    """The plan's commune list: plans/<year>/communes.csv."""
    if plan.folder is None:
        raise ValueError(f"Kế hoạch {plan.year} không có thư mục nên không có danh mục xã / plan {plan.year} has no "
                         f"folder, so no commune list")
    return Path(plan.folder) / COMMUNES_FILE


def load(plan: Plan) -> pd.DataFrame:
    """The plan's commune list with its unit codes (one row per commune; columns of the CSV + unit)."""
    path = communes_csv(plan)
    return _read(path, path.stat().st_mtime_ns).copy()


@functools.lru_cache(maxsize=8)
def _read(path: Path, mtime_ns: int) -> pd.DataFrame:
    """One commune CSV, read once per file and version (the modification time is part of the key)."""
    c = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("commune_vi", "unit_type"):
        c[col] = c[col].map(lambda s: unicodedata.normalize("NFC", s))
    c["unit"] = [unit_code(d, g) for d, g in zip(c["district_code"], c["gso_code"], strict=True)]
    return c


def display_name(unit: str, plan: Plan, lang: str = "vi") -> str:
    """'xã Tam Đàn (huyện Phú Ninh)' / 'Tam Đàn commune (Phú Ninh district)' for a commune unit code."""
    c = load(plan)
    hit = c[c["unit"] == unit]
    if hit.empty:
        raise KeyError(unit)
    r = hit.iloc[0]
    if lang == "vi":
        return f"{r['unit_type']} {r['commune_vi']} ({_district_name(plan, r['district_code'], 'vi')})"
    return f"{r['commune_vi']} {UNIT_TYPE_EN[r['unit_type']]} ({_district_name(plan, r['district_code'], 'en')})"


def units(plan: Plan, district: str | None = None) -> list[str]:
    """Unit codes of every commune of the plan's list (of one district when given), in list order."""
    c = load(plan)
    return list(c["unit"] if district is None else c.loc[c["district_code"] == district, "unit"])


def match_name(district: str, text: object, plan: Plan, communes: pd.DataFrame | None = None) -> dict:
    """Match one free-text commune name within one district of the plan's list: status 'exact' | 'no_diacritics' |
    'ambiguous' | 'other_district' | 'unknown' | 'empty', the commune's fields when matched, a reason (vi, en) else.

    `communes`: the plan's list already loaded (load(plan)), to match many names without reading it each time.
    """
    c = load(plan) if communes is None else communes
    mine = c[c["district_code"] == district]
    k = key(text)
    out = {"status": "", "unit": "", "gso_code": "", "commune_vi": "", "unit_type": "", "reason_vi": "", "reason_en": ""}
    if not k:
        return {**out, "status": "empty", "reason_vi": "Hồ sơ cấp xã không ghi tên xã/phường/thị trấn",
                "reason_en": "commune-level dossier without a commune name"}
    hit = mine[mine["commune_vi"].map(key) == k]
    status = "exact"
    if hit.empty:
        hit = mine[mine["commune_vi"].map(fold) == fold(k)]
        status = "no_diacritics"
    if len(hit) == 1:
        r = hit.iloc[0]
        return {**out, "status": status, "unit": r["unit"], "gso_code": r["gso_code"], "commune_vi": r["commune_vi"],
                "unit_type": r["unit_type"]}
    shown = unicodedata.normalize("NFC", str(text)).strip()
    if len(hit) > 1:
        pairs = list(zip(hit["unit_type"], hit["commune_vi"], strict=True))
        names = ", ".join(f"{t} {n}" for t, n in pairs)
        names_en = ", ".join(f"{n} {UNIT_TYPE_EN.get(t, t)}" for t, n in pairs)  # 'Tam Đàn commune', no 'xã' in English
        return {**out, "status": "ambiguous",
                "reason_vi": f"'{shown}' không dấu khớp với nhiều xã của huyện: {names}; hãy ghi tên có dấu",
                "reason_en": f"'{shown}' without diacritics fits several communes of the district: {names_en}; "
                             "write the name with its diacritics"}
    elsewhere = c[(c["district_code"] != district) & (c["commune_vi"].map(key) == k)]
    if len(elsewhere):
        codes = sorted(set(elsewhere["district_code"]))
        return {**out, "status": "other_district",
                "reason_vi": f"'{shown}' không thuộc {_district_name(plan, district, 'vi')} mà thuộc "
                             f"{', '.join(_district_name(plan, x, 'vi') for x in codes)} (danh mục {plan.year})",
                "reason_en": f"'{shown}' is not a commune of {_district_name(plan, district, 'en')} but of "
                             f"{', '.join(_district_name(plan, x, 'en') for x in codes)} ({plan.year} list)"}
    return {**out, "status": "unknown",
            "reason_vi": f"'{shown}' không có trong danh mục xã/phường/thị trấn {plan.year} của "
                         f"{_district_name(plan, district, 'vi')}",
            "reason_en": f"'{shown}' is not in the {plan.year} list of communes of "
                         f"{_district_name(plan, district, 'en')}"}


def _district_name(plan: Plan, code: str, lang: str) -> str:
    """'huyện Đại Lộc' / 'Đại Lộc district' from the plan's registry (the code itself if unknown)."""
    a = plan.agencies.get(code)
    if a is None:
        return code
    return f"{a.unit_vi} {a.name_vi}" if lang == "vi" and a.unit_vi else a.name(lang)


MATCHED = ("exact", "no_diacritics")
UNIT_TYPE_EN = {"xã": "commune", "phường": "ward", "thị trấn": "township"}  # a unit type in English


def match_dossiers(dossiers: pd.DataFrame, q: Quarter, plan: Plan) -> pd.DataFrame:
    """One row per distinct (file, commune text) of the commune-level dossiers: how it matched the plan's list."""
    d = dossiers[dossiers["level"] == "commune"] if len(dossiers) else dossiers
    if d.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    text = d["commune"].astype("string").fillna("")
    g = (pd.DataFrame({"agency_code": d["agency_code"].astype(str), "source_file": d["source_file"].astype(str),
                       "commune_text": text, "row": d["source_row"]})
         .groupby(["agency_code", "source_file", "commune_text"], sort=True)
         .agg(n_dossiers=("row", "size"), first_row=("row", "min")).reset_index())
    c = load(plan)
    found = pd.DataFrame([match_name(a, t, plan, c) for a, t in zip(g["agency_code"], g["commune_text"], strict=True)],
                         index=g.index)
    out = pd.concat([g, found], axis=1)
    out.insert(0, "quarter", str(q))  # a table column: text, as in every processed file
    return out[MATCH_COLUMNS].reset_index(drop=True)


def commune_units(dossiers: pd.DataFrame, plan: Plan) -> pd.Series:
    """Per dossier: the matched commune's unit code in the plan's list, or <NA> (not commune level, or no match)."""
    out = pd.Series(pd.NA, index=dossiers.index, dtype="string")
    if dossiers.empty or "commune" not in dossiers.columns:
        return out
    com = dossiers["level"] == "commune"
    pairs = pd.DataFrame({"a": dossiers.loc[com, "agency_code"].astype(str),
                          "t": dossiers.loc[com, "commune"].astype("string").fillna("")})
    c = load(plan)
    lookup = {p: match_name(p[0], p[1], plan, c) for p in set(zip(pairs["a"], pairs["t"], strict=True))}
    got = [lookup[p]["unit"] if lookup[p]["status"] in MATCHED else pd.NA
           for p in zip(pairs["a"], pairs["t"], strict=True)]
    out.loc[pairs.index] = got
    return out


def write_matches(q: Quarter, store: Store, plan: Plan) -> Path:
    """data/processed/<Q>/commune_matches.parquet from the quarter's processed dossiers (pipeline step)."""
    from .io import atomic_write

    src = store.processed(q, "tthc_dossiers")
    d = pd.read_parquet(src) if src.exists() else pd.DataFrame()
    m = match_dossiers(d, q, plan) if len(d) else pd.DataFrame(columns=MATCH_COLUMNS)
    out = store.processed(q, "commune_matches")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda p: m.to_parquet(p, index=False))
    return out
