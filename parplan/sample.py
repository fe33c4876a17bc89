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

from . import catalogue
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


def _rng(*keys: str) -> np.random.Generator:
    return np.random.default_rng([SEED] + [zlib.crc32(k.encode()) for k in keys])


def _laggards() -> tuple[set[str], set[str]]:
    cat = catalogue.load()
    lag = next(x for x in cat.indices["laggards"] if x["task_id"] == "A.IV.4.4")
    units = set(lag["departments"]) | set(lag["districts"])
    communes = {c.removeprefix("XA_") for c in lag["commune_groups"]}
    return units, communes


def dossiers_for(agency: str, kind: str, levels: list[tuple[str, str | None]]) -> list[dict]:
    """All dossiers of one agency received 2022-12-01..2023-12-31 with their true completion dates."""
    lag_units, lag_communes = _laggards()
    out: list[dict] = []
    for level, _ in levels:
        rng = _rng(agency, level)
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
            out.append({
                "dossier_id": f"{agency}-{level[0].upper()}{rec:%y%m%d}-{i:05d}",
                "agency_code": agency,
                "level": level,
                "commune": f"Xã mẫu {int(rng.integers(1, 15)):02d}" if level == "commune" else "",
                "procedure_code": f"1.{int(rng.integers(1000, 12000)):06d}",
                "received_date": rec,
                "due_date": due,
                "true_done": done,
                "true_status": status,
                "channel": "online" if online else ("postal" if rng.random() < 0.05 else "direct"),
                "fully_online": bool(online and rng.random() < 0.6),
                "fee_required": bool(fee),
                "paid_online": bool(fee and online and rng.random() < 0.75),
                "digitised": bool(rng.random() < (0.7 if level == "province" else 0.5)),
                "apology_letter": bool(late and rng.random() < 0.6),
            })
    return out


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


def _cells(r: dict, contract) -> list[str]:
    vals = []
    for c in contract.columns:
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
    header = [c.header_vi for c in contract.columns]
    written = []
    units = [(a.code, "department", [("province", None)]) for a in cat.by_kind("department")]
    units += [(a.code, "district", [("district", None), ("commune", None)]) for a in cat.by_kind("district")]
    for code, kind, levels in units:
        rows = dossiers_for(code, kind, levels)
        for qs in QUARTERS:
            q = Quarter.parse(qs)
            view = quarter_view(rows, q)
            cells = faults(q, code, [_cells(r, contract) for r in view], header)
            folder = root / qs / "tthc_dossiers"
            if code in XLSX_AGENCIES:
                path = folder / f"{code}.xlsx"
                write_xlsx(path, f"DANH SÁCH HỒ SƠ TTHC — {cat.agencies[code].name_vi} — {q.label('vi')}", header, cells)
            else:
                path = folder / f"{code}.csv"
                write_csv(path, header, cells)
            written.append(path)
    return written
