"""The sample dossiers (tthc_dossiers), generated deterministically from a plan (seeds computed from its year).

Everything year-dependent comes from the plan passed in: its year, its agencies, its commune list, its laggards.
Volumes are a scaled-down sample (about 1:10 of a real province's dossier flow) so the repository stays small;
dossiers are generated for the whole plan year (plus a December carry-in from the year before) and each quarter's
file is the view at that quarter's end. Plausible rates, all documented in data/raw/README.md: departments resolve
~99.3 % on time, districts ~97 %, communes ~97 %; the units the plan names as laggards for the on-time rate are
clearly worse. Online share: departments ~70 %, districts ~45 %, communes ~35 %. Every generated quarter gets a
marker file (parplan.ingest.SAMPLE_MARKER) saying that it is sample data. The deliberate faults (impossible dates,
wrong labels, a late typing slip, older exports without a column, wrong commune names) are declared in
tools/sample/faults.yaml and planted by tools/sample/faults.py.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from parplan import communes
from parplan.catalogue import Plan
from parplan.contracts import load_contract
from parplan.ingest import SAMPLE_MARKER
from parplan.io import atomic_write, atomic_write_text
from parplan.periods import Quarter
from parplan.templates import save_workbook

from . import faults as planted

# Seeds: a day of the plan's year written YYYYMMDD (the plan year's 1 June for the dossiers, 15 September for the
# other datasets), so every plan year has its own sample and the same plan always gives the same bytes.
SEED_DAYS = {"tthc_dossiers": (6, 1), "other_datasets": (9, 15)}
CARRY_IN_MONTH = 12  # dossiers received from 1 December of the year before are carried over into Q1
MARKER = SAMPLE_MARKER
GENERATOR = "parplan sample"  # the name the marker records (unchanged since the generator left the package)
NOTE_VI = "Dữ liệu mẫu do parplan tạo, không phải số liệu thật"
NOTE_EN = "Generated sample data, not real figures"
XLSX_AGENCIES = {"SYT", "SXD"}  # a few agencies send Excel workbooks, the others CSV exports

# Yearly volumes (received Jan-Dec) and on-time / online probabilities.
DEPT_VOLUME = (160, 1400)
DISTRICT_VOLUME = (300, 1000)
COMMUNE_VOLUME = (400, 1200)
ONTIME = {"department": 0.993, "district": 0.972, "commune": 0.970}
ONTIME_LAGGARD = {"department": 0.955, "district": 0.925, "commune": 0.905}
ONLINE = {"department": 0.70, "district": 0.45, "commune": 0.35}
PAYMENT_OFFERED = 85  # % of fee-bearing procedures for which online payment is deployed (fixed hash of the code)
DATASET = "tthc_dossiers"


def seed(plan: Plan, stream: str = "tthc_dossiers") -> int:
    """The seed of one generator for the plan's year: a day of that year written YYYYMMDD (SEED_DAYS)."""
    month, day = SEED_DAYS[stream]
    return int(dt.date(plan.year, month, day).strftime("%Y%m%d"))


def rng_for(base: int, *keys: str) -> np.random.Generator:
    """A numpy generator from a base seed and string keys (each key hashed with crc32)."""
    return np.random.default_rng([base] + [zlib.crc32(k.encode()) for k in keys])


def plan_quarters(plan: Plan, quarters: Iterable[Quarter | str] | None = None) -> list[Quarter]:
    """The quarters asked for (default: all four of the plan's year); a quarter of another year is an error."""
    qs = [Quarter.parse(q) for q in quarters] if quarters is not None else [Quarter(plan.year, i) for i in range(1, 5)]
    wrong = [str(q) for q in qs if q.year != plan.year]
    if wrong:
        raise ValueError(f"quý {', '.join(wrong)} không thuộc kế hoạch năm {plan.year} / quarters {', '.join(wrong)} "
                         f"are not in the {plan.year} plan")
    return sorted(set(qs))


def laggards(plan: Plan, metric: str) -> list[dict]:
    """The plan's laggard lists (indices.yaml `laggards`) for one metric; none when the plan names none."""
    return [x for x in plan.indices.get("laggards") or () if x.get("metric") == metric]


def _ontime_laggards(plan: Plan) -> tuple[set[str], set[str]]:
    units: set[str] = set()
    groups: set[str] = set()
    for lag in laggards(plan, "ontime_rate"):
        units |= set(lag.get("departments") or ()) | set(lag.get("districts") or ())
        groups |= {c.removeprefix("XA_") for c in lag.get("commune_groups") or ()}
    return units, groups


def payment_offered(procedure_code: str) -> bool:
    """Whether online payment is deployed for a procedure (sample: a fixed hash of its code, ~85 %)."""
    return zlib.crc32(procedure_code.encode()) % 100 < PAYMENT_OFFERED


def commune_list(plan: Plan) -> pd.DataFrame:
    """The plan's commune list (plans/<year>/communes.csv)."""
    return communes.load(plan)


def commune_name(c: pd.DataFrame, district: str, rng: np.random.Generator) -> str:
    """One commune of the district as its one-stop export names it: mostly the official name of the plan's list
    (with or without 'Xã'/'Phường'/'Thị trấn'), Hội An's sometimes without diacritics (unique there, so they match),
    and the wrong names of faults.yaml (kind commune_name) for a share of one commune's dossiers."""
    mine = c[c["district_code"] == district]
    r = mine.iloc[int(rng.integers(0, len(mine)))]
    style = rng.random()
    for f in planted.commune_faults():
        if (f.agency, f.params["commune"]) == (district, r["commune_vi"]) and rng.random() < f.params["share"]:
            return f.params["written"]
    if district == "HOI_AN" and style < 0.15:
        return communes.fold(r["commune_vi"]).title()
    if style < 0.70:
        return f"{r['unit_type'].capitalize()} {r['commune_vi']}"
    return r["commune_vi"]


def year_window(plan: Plan) -> tuple[dt.date, dt.date]:
    """First and last day a dossier of the plan's sample can be received: the carry-in month before, the year."""
    return dt.date(plan.year - 1, CARRY_IN_MONTH, 1), dt.date(plan.year, 12, 31)


def dossiers_for(plan: Plan, agency: str, kind: str, levels: list[tuple[str, str | None]]) -> list[dict]:
    """All dossiers of one agency received in the plan's year (and its carry-in month) with their true outcomes."""
    lag_units, lag_communes = _ontime_laggards(plan)
    first, last = year_window(plan)
    names = commune_list(plan)
    base = seed(plan)
    out: list[dict] = []
    for level, _ in levels:
        rng = rng_for(base, agency, level)
        crng = rng_for(base, agency, level, "commune")  # its own stream: the other fields are as before communes had names
        lo, hi = {"province": DEPT_VOLUME, "district": DISTRICT_VOLUME, "commune": COMMUNE_VOLUME}[level]
        n = int(rng.integers(lo, hi)) * 13 // 12  # + the carry-in month
        key = {"province": "department"}.get(level, level)
        lagging = (level == "commune" and agency in lag_communes) or (level != "commune" and agency in lag_units)
        p_on = (ONTIME_LAGGARD if lagging else ONTIME)[key]
        span = (last - first).days + 1
        received = sorted(first + dt.timedelta(days=int(d)) for d in rng.integers(0, span, n))
        for i, rec in enumerate(received):
            rec = rec if rec.weekday() < 5 else rec - dt.timedelta(days=rec.weekday() - 4)  # weekend -> Friday
            allowed = int(rng.choice([1, 3, 5, 7, 10, 15, 20]))
            due = rec + dt.timedelta(days=allowed)
            if rng.random() < 0.004:
                status, done = "withdrawn", rec + dt.timedelta(days=int(rng.integers(0, allowed + 1)))
            elif rng.random() < p_on:
                status, done = "resolved", rec + dt.timedelta(days=int(rng.integers(0, allowed + 1)))
            else:
                status, done = "resolved", due + dt.timedelta(days=int(rng.integers(1, 20)))
            online = rng.random() < ONLINE[key]
            fee = rng.random() < 0.4
            late = done > due and status == "resolved"
            # the draws in the order they always had, so every field but the new ones is as before
            if level == "commune":
                rng.integers(1, 15)  # this draw once numbered a placeholder commune ('Xã mẫu NN')
            procedure = f"1.{int(rng.integers(1000, 12000)):06d}"
            channel = "online" if online else ("postal" if rng.random() < 0.05 else "direct")
            fully_online = bool(online and rng.random() < 0.6)
            paid = bool(fee and online and rng.random() < 0.75)
            out.append({
                "dossier_id": f"{agency}-{level[0].upper()}{rec:%y%m%d}-{i:05d}",
                "agency_code": agency,
                "level": level,
                "commune": commune_name(names, agency, crng) if level == "commune" else "",
                "procedure_code": procedure,
                "received_date": rec,
                "due_date": due,
                "true_done": done,
                "true_status": status,
                "channel": channel,
                "fully_online": fully_online,
                "fee_required": bool(fee),
                "paid_online": paid,
                "online_payment_offered": bool(fee and (paid or payment_offered(procedure))),
                "digitised": bool(rng.random() < (0.7 if level == "province" else 0.5)),
                "apology_letter": bool(late and rng.random() < 0.6),
            })
    return out


GENERATED = ("dossier_id", "agency_code", "level", "commune", "procedure_code", "received_date", "due_date",
             "completed_date", "status", "channel", "fully_online", "fee_required", "paid_online",
             "online_payment_offered", "digitised", "apology_letter")


def dossier_units(plan: Plan) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """The plan's departments (province level) and districts (district and commune level) that send dossiers."""
    units = [(a.code, "department", [("province", None)]) for a in plan.by_kind("department")]
    units += [(a.code, "district", [("district", None), ("commune", None)]) for a in plan.by_kind("district")]
    return units


def quarter_view(rows: list[dict], q: Quarter) -> list[dict]:
    """The dossiers handled in quarter q (received by its end and not finished before its start), as at its end."""
    out = []
    for r in rows:
        if r["received_date"] > q.end or r["true_done"] < q.start:
            continue
        finished = r["true_done"] <= q.end
        out.append({**r, "status": r["true_status"] if finished else "pending",
                    "completed_date": r["true_done"] if finished else None})
    return out


def columns_written(contract, q: Quarter, agency: str) -> list:
    """The contract columns a sample file carries: those the generator fills (a column added to the contract later
    appears once the generator makes it), without those an older export leaves out (faults.yaml without_column)."""
    skip = planted.missing_columns(q, DATASET, agency)
    return [c for c in contract.columns if c.name in GENERATED and c.name not in skip]


def _cells(r: dict, columns: list) -> list[str]:
    vals = []
    for c in columns:
        v = r.get(c.name)
        if c.type == "date":
            vals.append(v if isinstance(v, str) else v.strftime("%d/%m/%Y") if v else "")  # a planted text as typed
        elif c.type == "bool":
            vals.append("Có" if v else "Không")
        elif c.type == "category":
            vals.append(c.values.get(v, v))  # codes -> Vietnamese labels; a planted label as typed
        else:
            vals.append(v or "")
    return vals


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write a UTF-8 CSV (as the one-stop system exports it) atomically."""
    def w(p: Path) -> None:
        with open(p, "w", encoding="utf-8", newline="") as fh:
            wr = csv.writer(fh, lineterminator="\n")
            wr.writerow(header)
            wr.writerows(rows)
    atomic_write(path, w)


def file_time(plan: Plan) -> dt.datetime:
    """The fixed time stamped into a sample workbook: the first day of the plan's year."""
    return dt.datetime(plan.year, 1, 1)


def write_xlsx(path: Path, title: str, header: list[str], rows: list[list[str]], when: dt.datetime) -> None:
    """Write an Excel workbook the way offices type them: a title row, the header, data, a total row."""
    import openpyxl

    def w(p: Path) -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Hồ sơ"
        ws.append([title])
        ws.append([])
        ws.append(header)
        for r in rows:
            ws.append(r)
        ws.append(["Tổng cộng", f"{len(rows)} hồ sơ"])
        save_workbook(wb, p, when, "parplan")
    atomic_write(path, w)


def marker_text(plan: Plan) -> str:
    """The marker file's text (YAML, no timestamps): sample data, by which generator, for which plan, seeds."""
    s = json.dumps
    seeds = ", ".join(f"{k}: {seed(plan, k)}" for k in SEED_DAYS)
    return (f"# {NOTE_VI} / {NOTE_EN}\n"
            f"sample_data: true\n"
            f"generator: {s(GENERATOR)}\n"
            f"plan_year: {plan.year}\n"
            f"seeds: {{{seeds}}}\n"
            f"note_vi: {s(NOTE_VI, ensure_ascii=False)}\n"
            f"note_en: {s(NOTE_EN)}\n")


def write_marker(root: Path, plan: Plan, q: Quarter) -> Path:
    """Write data/raw/<Q>/SAMPLE_DATA.yaml, the record that the quarter's data is generated sample data."""
    path = Path(root) / str(q) / MARKER
    atomic_write_text(path, marker_text(plan))
    return path


def is_sample(folder: Path) -> bool:
    """Whether a quarter folder holds generated sample data (it has the marker file)."""
    return (Path(folder) / MARKER).is_file()


def sample_quarters(raw: Path) -> list[Quarter]:
    """The quarters under raw (data/raw) whose folder carries the sample marker, in order."""
    out = []
    for marker in Path(raw).glob(f"*/{MARKER}"):
        try:
            out.append(Quarter.parse(marker.parent.name))
        except ValueError:
            continue
    return sorted(out)


def refuse_real_data(root: Path, quarters: Iterable[Quarter]) -> None:
    """Stop (ValueError) before writing sample files into a quarter folder that holds data without the marker."""
    for q in quarters:
        folder = Path(root) / str(q)
        if folder.is_dir() and any(folder.iterdir()) and not is_sample(folder):
            raise ValueError(f"{folder} đã có dữ liệu không phải dữ liệu mẫu (không có {MARKER}); không ghi đè / "
                             f"{folder} holds data that is not sample data (no {MARKER}); not overwritten")


def generate(root: Path, plan: Plan, quarters: Iterable[Quarter | str] | None = None) -> list[Path]:
    """Write the sample dossiers and the marker of each quarter (default: the plan's four) under root (data/raw)."""
    qs = [q for q in plan_quarters(plan, quarters) if DATASET in plan.expected(q.q)]
    contract = load_contract(DATASET)
    when = file_time(plan)
    written = []
    for code, kind, levels in dossier_units(plan):
        rows = dossiers_for(plan, code, kind, levels)
        for q in qs:
            view = planted.plant(q, DATASET, code, quarter_view(rows, q))
            columns = columns_written(contract, q, code)
            header = [c.header_vi for c in columns]
            cells = [_cells(r, columns) for r in view]
            folder = Path(root) / str(q) / DATASET
            if code in XLSX_AGENCIES:
                path = folder / f"{code}.xlsx"
                title = f"DANH SÁCH HỒ SƠ TTHC — {plan.agencies[code].name_vi} — {q.label('vi')}"
                write_xlsx(path, title, header, cells, when)
            else:
                path = folder / f"{code}.csv"
                write_csv(path, header, cells)
            written.append(path)
    return written + [write_marker(root, plan, q) for q in plan_quarters(plan, quarters)]
