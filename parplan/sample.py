"""Deterministic sample-data generator (fixed seed) for the shipped data under data/raw/.

Volumes are a scaled-down sample (about 1:10 of a real province's dossier flow) so the repository stays small;
dossiers are generated for the whole of 2023 and each quarter's file is the view at that quarter's end.
Plausible rates, all documented in data/raw/README.md: departments resolve ~99.3 % on time, districts ~97 %,
communes ~97 %; the units the plan names as laggards (A.IV.4.4) are clearly worse. Online share: departments
~70 %, districts ~45 %, communes ~35 %. The generated reports carry the sample-data banner.
"""
from __future__ import annotations

import csv
import datetime as dt
import zlib
from pathlib import Path

import numpy as np

from . import catalogue, communes
from .contracts import load_contract
from .io import atomic_write
from .periods import Quarter

SEED = 20230601
YEAR_START = dt.date(2022, 12, 1)  # some dossiers received in December 2022 are carried over into Q1
QUARTERS = ("2023Q1", "2023Q2", "2023Q3", "2023Q4")
LAST_DAY = dt.date(2023, 12, 31)
XLSX_AGENCIES = {"SYT", "SXD"}  # a few agencies send Excel workbooks, the others CSV exports

# Yearly volumes (received Jan-Dec) and on-time / online probabilities.
DEPT_VOLUME = (160, 1400)
DISTRICT_VOLUME = (300, 1000)
COMMUNE_VOLUME = (400, 1200)
ONTIME = {"department": 0.993, "district": 0.972, "commune": 0.970}
ONTIME_LAGGARD = {"department": 0.955, "district": 0.925, "commune": 0.905}
ONLINE = {"department": 0.70, "district": 0.45, "commune": 0.35}
PAYMENT_OFFERED = 85  # % of fee-bearing procedures for which online payment is deployed (fixed hash of the code)
OLD_EXPORT = {("2023Q1", "TIEN_PHUOC"), ("2023Q2", "TIEN_PHUOC")}  # files without 'TTHC đã triển khai thanh toán…'
# Commune names as districts type them: mostly the official name (with or without 'Xã'/'Phường'/'Thị trấn'),
# Hội An's sometimes without diacritics (unique there, so they match), and a few deliberate faults that cannot be
# matched (data/raw/README.md): (district, commune of the 2023 list, share of its rows, name written instead)
COMMUNE_FAULTS = (
    ("PHU_NINH", "Tam Đàn", 0.40, "Tam Dan"),     # without diacritics: Tam Đàn or Tam Dân? ambiguous
    ("DAI_LOC", "Đại Hiệp", 0.40, "X. Đại Hiệp"),  # abbreviated prefix: not guessed, a finding
    ("TAM_KY", "An Phú", 0.40, "Cẩm An"),         # a ward of Hội An typed in Tam Kỳ's file
)


def _rng(*keys: str) -> np.random.Generator:
    return np.random.default_rng([SEED] + [zlib.crc32(k.encode()) for k in keys])


def _laggards() -> tuple[set[str], set[str]]:
    cat = catalogue.load()
    lag = next(x for x in cat.indices["laggards"] if x["task_id"] == "A.IV.4.4")
    units = set(lag["departments"]) | set(lag["districts"])
    communes = {c.removeprefix("XA_") for c in lag["commune_groups"]}
    return units, communes


def payment_offered(procedure_code: str) -> bool:
    """Whether online payment is deployed for a procedure (sample: a fixed hash of its code, ~85 %)."""
    return zlib.crc32(procedure_code.encode()) % 100 < PAYMENT_OFFERED


def commune_name(district: str, rng: np.random.Generator) -> str:
    """One commune of the district as its one-stop export names it (real names of 2023, a few planted faults)."""
    c = communes.load()
    mine = c[c["district_code"] == district]
    r = mine.iloc[int(rng.integers(0, len(mine)))]
    style = rng.random()
    for d, name, share, written in COMMUNE_FAULTS:
        if (d, name) == (district, r["commune_vi"]) and rng.random() < share:
            return written
    if district == "HOI_AN" and style < 0.15:
        return communes.fold(r["commune_vi"]).title()
    if style < 0.70:
        return f"{r['unit_type'].capitalize()} {r['commune_vi']}"
    return r["commune_vi"]


def dossiers_for(agency: str, kind: str, levels: list[tuple[str, str | None]]) -> list[dict]:
    """All dossiers of one agency received 2022-12-01..2023-12-31 with their true completion dates."""
    lag_units, lag_communes = _laggards()
    out: list[dict] = []
    for level, _ in levels:
        rng = _rng(agency, level)
        crng = _rng(agency, level, "commune")  # its own stream: the other fields are as before communes had names
        lo, hi = {"province": DEPT_VOLUME, "district": DISTRICT_VOLUME, "commune": COMMUNE_VOLUME}[level]
        n = int(rng.integers(lo, hi)) * 13 // 12  # + December 2022 carry-in
        key = {"province": "department"}.get(level, level)
        lagging = (level == "commune" and agency in lag_communes) or (level != "commune" and agency in lag_units)
        p_on = (ONTIME_LAGGARD if lagging else ONTIME)[key]
        span = (LAST_DAY - YEAR_START).days + 1
        received = sorted(YEAR_START + dt.timedelta(days=int(d)) for d in rng.integers(0, span, n))
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
                "commune": commune_name(agency, crng) if level == "commune" else "",
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
    appears once the generator makes it), without 'online payment offered' in the older exports of OLD_EXPORT."""
    skip = {"online_payment_offered"} if (str(q), agency) in OLD_EXPORT else set()
    return [c for c in contract.columns if c.name in GENERATED and c.name not in skip]


def _cells(r: dict, columns: list) -> list[str]:
    vals = []
    for c in columns:
        v = r.get(c.name)
        if c.type == "date":
            vals.append(v.strftime("%d/%m/%Y") if v else "")
        elif c.type == "bool":
            vals.append("Có" if v else "Không")
        elif c.type == "category":
            vals.append(c.values[v])
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


def write_xlsx(path: Path, title: str, header: list[str], rows: list[list[str]]) -> None:
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
        from .templates import _save

        _save(wb, p)  # fixed properties and zip times: the same sample gives the same bytes
    atomic_write(path, w)


def faults(q: Quarter, agency: str, rows: list[list[str]], header: list[str]) -> list[list[str]]:
    """Deliberate faults documented in data/raw/README.md."""
    if str(q) == "2023Q2" and agency == "SGTVT":
        i_due, i_ch = header.index("Ngày hẹn trả"), header.index("Hình thức nộp")
        rows[56][i_due] = "31/06/2023"   # data row 57 -> CSV line 58: an impossible date
        rows[120][i_ch] = "Qua mạng"     # data row 121 -> CSV line 122: not an allowed channel label
    if str(q) == "2023Q2" and agency == "HIEP_DUC":
        i_rec, i_due = header.index("Ngày tiếp nhận"), header.index("Ngày hẹn trả")
        i_done, i_st = header.index("Ngày hoàn thành"), header.index("Trạng thái")
        # last row: received after the quarter's end (a typing slip) -> accepted with a warning
        rows[-1][i_rec], rows[-1][i_due], rows[-1][i_done], rows[-1][i_st] = "03/07/2023", "10/07/2023", "", "Đang giải quyết"
    return rows


def generate(root: Path) -> list[Path]:
    """Write the sample submissions for every quarter under root (data/raw); returns the files written."""
    cat = catalogue.load()
    contract = load_contract("tthc_dossiers")
    written = []
    units = [(a.code, "department", [("province", None)]) for a in cat.by_kind("department")]
    units += [(a.code, "district", [("district", None), ("commune", None)]) for a in cat.by_kind("district")]
    for code, kind, levels in units:
        rows = dossiers_for(code, kind, levels)
        for qs in QUARTERS:
            q = Quarter.parse(qs)
            view = quarter_view(rows, q)
            columns = columns_written(contract, q, code)
            header = [c.header_vi for c in columns]
            cells = faults(q, code, [_cells(r, columns) for r in view], header)
            folder = root / qs / "tthc_dossiers"
            if code in XLSX_AGENCIES:
                path = folder / f"{code}.xlsx"
                write_xlsx(path, f"DANH SÁCH HỒ SƠ TTHC — {cat.agencies[code].name_vi} — {q.label('vi')}", header, cells)
            else:
                path = folder / f"{code}.csv"
                write_csv(path, header, cells)
            written.append(path)
    return written
