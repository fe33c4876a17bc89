"""Deterministic sample data (fixed seed) for every dataset except tthc_dossiers (which parplan/sample.py writes).

One file per submitting agency and quarter, data/raw/<Q>/<dataset>/<AGENCY>.csv (a few .xlsx), written the way
offices send them: the contract's Vietnamese headers, Vietnamese category labels, dd/mm/yyyy dates, Có/Không, and in
some files Vietnamese number formatting ('1.234', '12,5'). tthc_summary is aggregated from exactly the dossiers
parplan/sample.py generates, so the two sources reconcile (one documented difference). A handful of deliberately
faulty submissions (FAULTS below) give the data-quality section real content; all are documented in
data/raw/README.md and checked by tests/test_sample_datasets.py. Not real data.
"""
from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import catalogue, sample
from .contracts import Column, load_contract
from .io import atomic_write
from .periods import Quarter

SEED = 20230915
QUARTERS = sample.QUARTERS
YEAR = 2023

# Deliberate faults and documented warnings: (quarter, dataset, agency) -> (expected verdict, rule id, what).
FAULTS: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("2023Q1", "tthc_summary", "NONG_SON"): (
        "rejected", "resolved_parts", "first 'Huyện' row: 'Đã giải quyết - Đúng hạn' typed 10 too high"),
    ("2023Q3", "online_services", "STNMT"): (
        "rejected", "paid_le_transactions", "portal transactions and transactions paid online swapped"),
    ("2023Q2", "pakn", "THANG_BINH"): ("rejected", "in_set", "one row's channel typed 'Zalo'"),
    ("2023Q4", "task_status", "SCT"): ("rejected", "in_set", "an extra row for task 'A.X.9' (no such task)"),
    ("2023Q3", "e_documents", "QUE_SON"): ("rejected", "min_value", "one office's 'Số văn bản gửi điện tử' is -12"),
    ("2023Q1", "organisation", "SGDDT"): ("rejected", "wrong_quarter", "column 'Quý' says 2023Q2"),
    ("2023Q2", "task_status", "DUY_XUYEN"): (
        "accepted_with_warnings", "done_has_evidence", "a task 'Đã hoàn thành' without evidence document"),
}
# The reconciliation example: SNV's 2023Q2 summary reports its late dossiers as on time. The brief asked for 3,
# but SNV has only 2 late dossiers in 2023Q2 (3 fewer would be -1 and the file rejected), so all 2 are moved.
RECONCILIATION = ("2023Q2", "SNV", 2)

XLSX = {("task_status", "SYT"), ("e_documents", "DIEN_BAN")}
TTHC_PUBLICATION_PER_QUARTER = 8


def _rng(*keys: str) -> np.random.Generator:
    return np.random.default_rng([SEED] + [zlib.crc32(k.encode()) for k in keys])


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _workday(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 5] or days
    return days[int(rng.integers(len(days)))]


def _next_workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _quarters() -> list[Quarter]:
    return [Quarter.parse(q) for q in QUARTERS]


# ------------------------------------------------------------------ cell formatting
def vn_int(n: int) -> str:
    """1234567 -> '1.234.567' (Vietnamese thousands separator)."""
    return f"{int(n):,}".replace(",", ".")


def vn_float(x: float, decimals: int = 1) -> str:
    """1234.5 -> '1.234,5'; whole numbers without decimals ('1.234')."""
    if float(x).is_integer():
        return vn_int(int(x))
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _cell(c: Column, v: Any, style: str, excel: bool) -> Any:
    if v is None or v == "":
        return None if excel else ""
    if c.type == "category" and isinstance(v, str):
        return c.values.get(v, v)  # codes -> Vietnamese labels; catalogue codes and deliberate faults as typed
    if isinstance(v, str):
        return v
    if c.type == "date":
        return dt.datetime.combine(v, dt.time()) if excel else v.strftime("%d/%m/%Y")
    if c.type == "bool":
        return "Có" if v else "Không"
    if c.type == "int":
        if excel:
            return int(v)
        return vn_int(v) if style == "vn" else str(int(v))
    if c.type == "float":
        x = round(float(v), 1)
        if excel:
            return x
        if style == "vn":
            return vn_float(x)
        return str(int(x)) if x.is_integer() else f"{x:.1f}"
    return str(v)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """UTF-8 CSV, written atomically (the dossier generator's writer)."""
    sample.write_csv(path, header, rows)


def write_xlsx(path: Path, title: str, sheet: str, header: list[str], rows: list[list[Any]],
               total: list[Any] | None = None) -> None:
    """A workbook as offices type them: title row, blank row, header on row 3, data, optional total row."""
    import openpyxl

    def w(p: Path) -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
        ws.append([title])
        ws.append([])
        ws.append(header)
        for r in rows:
            ws.append(r)
        if total:
            ws.append(total)
        for col in ws.iter_cols(min_row=4):
            for cell in col:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "DD/MM/YYYY"
        fixed = dt.datetime(2023, 1, 1)
        wb.properties.created = fixed
        wb.properties.modified = fixed
        wb.properties.creator = "parplan sample"
        wb.save(p)
    atomic_write(path, w)


class _Out:
    """Collects the written paths; formats rows (dicts of canonical name -> value) into the contract's cells."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.written: list[Path] = []
        self.cat = catalogue.load()
        self._dossiers: dict[str, list[dict]] = {}

    def dossiers(self, code: str, kind: str, levels: list[tuple[str, str | None]]) -> list[dict]:
        """sample.dossiers_for with the arguments sample.generate uses (computed once per run)."""
        if code not in self._dossiers:
            self._dossiers[code] = sample.dossiers_for(code, kind, levels)
        return self._dossiers[code]

    def emit(self, q: Quarter, dataset: str, agency: str, rows: list[dict[str, Any]], style: str = "plain",
             title: str = "", sheet: str = "Báo cáo", total: Callable[[list[dict]], dict] | None = None) -> Path:
        contract = load_contract(dataset)
        header = [c.header_vi for c in contract.columns]
        excel = (dataset, agency) in XLSX
        cells = [[_cell(c, r.get(c.name), style, excel) for c in contract.columns] for r in rows]
        folder = self.root / str(q) / dataset
        if excel:
            path = folder / f"{agency}.xlsx"
            tot = None
            if total is not None:
                t = total(rows)
                tot = [t.get(c.name) if isinstance(t.get(c.name), str) else _cell(c, t.get(c.name), style, True)
                       for c in contract.columns]
            full = f"{title or contract.title_vi.upper()} — {self.cat.agencies[agency].name_vi} — {q.label('vi')}"
            write_xlsx(path, full, sheet, header, cells, tot)
        else:
            path = folder / f"{agency}.csv"
            write_csv(path, header, cells)
        self.written.append(path)
        return path


def _style(dataset: str, agency: str, share_vn: float = 0.5) -> str:
    """Some agencies type numbers the Vietnamese way ('1.234', '12,5'); fixed per agency and dataset."""
    return "vn" if _rng("style", dataset, agency).random() < share_vn else "plain"


def _departments() -> list[str]:
    return [a.code for a in catalogue.load().by_kind("department")]


def _districts() -> list[str]:
    return [a.code for a in catalogue.load().by_kind("district")]


# ------------------------------------------------------------------ tthc_summary (from the dossiers)
DEPT_AREAS = {
    "VPUBND": ["Thi đua, khen thưởng", "Hành chính công", "Tổ chức hành chính"],
    "SNV": ["Tổ chức hành chính", "Công chức, viên chức", "Tôn giáo", "Thi đua, khen thưởng", "Văn thư, lưu trữ"],
    "STP": ["Lý lịch tư pháp", "Công chứng", "Luật sư", "Quốc tịch", "Đấu giá tài sản"],
    "SKHDT": ["Thành lập và hoạt động doanh nghiệp", "Đầu tư tại Việt Nam", "Hợp tác xã", "Đấu thầu"],
    "STC": ["Quản lý giá", "Quản lý công sản", "Tin học - Thống kê", "Tài chính doanh nghiệp"],
    "SCT": ["Lưu thông hàng hóa trong nước", "An toàn thực phẩm", "Điện", "Xúc tiến thương mại"],
    "SNNPTNT": ["Trồng trọt và bảo vệ thực vật", "Thú y", "Lâm nghiệp", "Thủy sản", "Thủy lợi"],
    "SGTVT": ["Đường bộ", "Đường thủy nội địa", "Đăng kiểm"],
    "SXD": ["Hoạt động xây dựng", "Quy hoạch xây dựng, kiến trúc", "Nhà ở", "Kinh doanh bất động sản"],
    "STNMT": ["Đất đai", "Môi trường", "Tài nguyên nước", "Khoáng sản"],
    "STTTT": ["Báo chí", "Xuất bản, in và phát hành", "Viễn thông và Internet"],
    "SLDTBXH": ["Việc làm", "Giáo dục nghề nghiệp", "Người có công", "Bảo trợ xã hội", "An toàn, vệ sinh lao động"],
    "SVHTTDL": ["Văn hóa", "Du lịch", "Thể dục thể thao", "Gia đình"],
    "SKHCN": ["Hoạt động khoa học và công nghệ", "Tiêu chuẩn đo lường chất lượng", "Sở hữu trí tuệ",
              "An toàn bức xạ và hạt nhân"],
    "SGDDT": ["Giáo dục trung học", "Văn bằng, chứng chỉ", "Quy chế thi, tuyển sinh", "Giáo dục thường xuyên"],
    "SYT": ["Khám bệnh, chữa bệnh", "Dược phẩm", "An toàn thực phẩm và dinh dưỡng", "Y tế dự phòng",
            "Trang thiết bị y tế"],
    "TTT": ["Giải quyết khiếu nại", "Giải quyết tố cáo", "Tiếp công dân", "Phòng, chống tham nhũng"],
    "SNGV": ["Lãnh sự", "Hợp tác quốc tế"],
    "BDT": ["Công tác dân tộc", "Chính sách dân tộc"],
}
DISTRICT_AREAS = ["Đất đai", "Hộ tịch", "Hoạt động xây dựng", "Thành lập và hoạt động của hộ kinh doanh",
                  "Lao động, thương binh và xã hội", "Giáo dục và Đào tạo", "Chứng thực"]
COMMUNE_AREAS = ["Hộ tịch", "Chứng thực", "Bảo trợ xã hội", "Đất đai", "Người có công"]
SUMMARY_COUNTS = ["received_online", "received_direct", "received_postal", "carried_over", "resolved_early",
                  "resolved_on_time", "resolved_late", "pending_within", "pending_overdue", "withdrawn"]


def dossier_units() -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """The agencies and levels exactly as sample.generate passes them to sample.dossiers_for."""
    cat = catalogue.load()
    units = [(a.code, "department", [("province", None)]) for a in cat.by_kind("department")]
    units += [(a.code, "district", [("district", None), ("commune", None)]) for a in cat.by_kind("district")]
    return units


def summary_areas(agency: str, level: str) -> list[str]:
    """The 2–5 procedure areas an agency reports at one level (fixed for the year)."""
    rng = _rng("tthc_summary", "areas", agency, level)
    if level == "province":
        pool = DEPT_AREAS[agency]
        return pool[: int(rng.integers(2, min(5, len(pool)) + 1))]
    pool = DISTRICT_AREAS if level == "district" else COMMUNE_AREAS
    k = int(rng.integers(3, 6)) if level == "district" else int(rng.integers(2, 5))
    picked = set(rng.choice(len(pool), size=k, replace=False).tolist())
    return [a for i, a in enumerate(pool) if i in picked]


def area_of(agency: str, level: str, procedure_code: str, areas: list[str]) -> str:
    """Deterministic procedure -> area mapping (a procedure always falls in the same area); first areas biggest."""
    u = zlib.crc32(f"{agency}|{level}|{procedure_code}".encode()) / 2**32
    weights = [1 / (i + 1) for i in range(len(areas))]
    acc, total = 0.0, sum(weights)
    for area, w in zip(areas, weights, strict=True):
        acc += w / total
        if u < acc:
            return area
    return areas[-1]


def summary_counts(view: list[dict], q: Quarter) -> dict[str, int]:
    """Counts of one set of dossiers (a quarter_view subset) in the summary table's terms.

    Withdrawn dossiers are counted as received (new or carried over), as in parplan.reconcile, and in their own
    column 'Rút hồ sơ, trả lại', so received = resolved + pending + withdrawn.
    """
    c = dict.fromkeys(SUMMARY_COUNTS, 0)
    for r in view:
        if r["received_date"] >= q.start:
            c["received_" + r["channel"]] += 1
        else:
            c["carried_over"] += 1
        if r["status"] == "resolved":
            done, due = r["completed_date"], r["due_date"]
            c["resolved_early" if done < due else "resolved_on_time" if done == due else "resolved_late"] += 1
        elif r["status"] == "pending":
            c["pending_within" if r["due_date"] >= q.end else "pending_overdue"] += 1
        elif r["status"] == "withdrawn":
            c["withdrawn"] += 1
    return c


def _summary_row(q: Quarter, agency: str, level: str, area: str, c: dict[str, int]) -> dict[str, Any]:
    return {
        "quarter": str(q), "agency_code": agency, "level": level, "area": area, **c,
        "received_new": c["received_online"] + c["received_direct"] + c["received_postal"],
        "received_total": c["received_online"] + c["received_direct"] + c["received_postal"] + c["carried_over"],
        "resolved_total": c["resolved_early"] + c["resolved_on_time"] + c["resolved_late"],
        "pending_total": c["pending_within"] + c["pending_overdue"],
    }


def gen_tthc_summary(out: _Out) -> None:
    for code, kind, levels in dossier_units():
        rows_all = out.dossiers(code, kind, levels)
        areas = {level: summary_areas(code, level) for level, _ in levels}
        area = {r["dossier_id"]: area_of(code, r["level"], r["procedure_code"], areas[r["level"]]) for r in rows_all}
        for q in _quarters():
            view = sample.quarter_view(rows_all, q)
            rows = []
            for level, _ in levels:
                for a in areas[level]:
                    part = [r for r in view if r["level"] == level and area[r["dossier_id"]] == a]
                    rows.append(_summary_row(q, code, level, a, summary_counts(part, q)))
            if (str(q), code) == RECONCILIATION[:2]:
                shift = RECONCILIATION[2]
                assert sum(r["resolved_late"] for r in rows) >= shift, "reconciliation example needs late dossiers"
                for r in rows:
                    m = min(shift, r["resolved_late"])
                    r["resolved_late"] -= m
                    r["resolved_on_time"] += m
                    shift -= m
            if (str(q), code) == ("2023Q1", "NONG_SON"):
                first = next(r for r in rows if r["level"] == "district")
                first["resolved_on_time"] += 10  # parts no longer add up to 'Đã giải quyết - Tổng số'
            out.emit(q, "tthc_summary", code, rows, style=_style("tthc_summary", code, 0.3))


# ------------------------------------------------------------------ tthc_publication
MINISTRY = {
    "VPUBND": "NĐ-CP", "SNV": "TT-BNV", "STP": "TT-BTP", "SKHDT": "TT-BKHĐT", "STC": "TT-BTC", "SCT": "TT-BCT",
    "SNNPTNT": "TT-BNNPTNT", "SGTVT": "TT-BGTVT", "SXD": "TT-BXD", "STNMT": "TT-BTNMT", "STTTT": "TT-BTTTT",
    "SLDTBXH": "TT-BLĐTBXH", "SVHTTDL": "TT-BVHTTDL", "SKHCN": "TT-BKHCN", "SGDDT": "TT-BGDĐT", "SYT": "TT-BYT",
    "TTT": "TT-TTCP", "SNGV": "TT-BNG", "BDT": "TT-UBDT",
}


def gen_tthc_publication(out: _Out) -> None:
    depts = [d for d in _departments() if d != "VPUBND"]
    decision_no = 100
    for q in _quarters():
        rng = _rng("tthc_publication", str(q))
        chosen = sorted(rng.choice(len(depts), size=TTHC_PUBLICATION_PER_QUARTER, replace=False).tolist())
        for i in chosen:
            code = depts[i]
            r2 = _rng("tthc_publication", str(q), code)
            rows = []
            for _ in range(int(r2.integers(1, 5))):
                decision_no += int(r2.integers(15, 90))
                decision = _workday(r2, q.start, q.end)
                shortened = r2.random() < 0.15
                if shortened:
                    effective = decision - dt.timedelta(days=int(r2.integers(0, 6)))
                elif r2.random() < 0.2:  # published late: after the legal document took effect
                    effective = decision - dt.timedelta(days=int(r2.integers(1, 21)))
                else:
                    effective = decision + dt.timedelta(days=int(r2.integers(7, 31)))
                nat = _next_workday(decision + dt.timedelta(days=int(r2.integers(1, 9))))
                prov = _next_workday(decision + dt.timedelta(days=int(r2.integers(0, 6))))
                doc = (f"Nghị định số {int(r2.integers(10, 120))}/{effective.year}/NĐ-CP" if r2.random() < 0.25
                       else f"Thông tư số {int(r2.integers(1, 40)):02d}/{YEAR if effective.year >= YEAR else 2022}/"
                            f"{MINISTRY[code]}")
                rows.append({
                    "decision_no": f"{decision_no}/QĐ-UBND", "agency_code": code, "legal_document": doc,
                    "effective_date": effective, "shortened_procedure": shortened, "decision_date": decision,
                    "national_portal_date": nat if nat <= q.end else None,
                    "provincial_portal_date": prov if prov <= q.end else None,
                    "one_stop_published": bool(r2.random() < 0.9), "procedures_count": int(r2.integers(1, 31)),
                })
            rows.sort(key=lambda r: r["decision_date"])
            out.emit(q, "tthc_publication", code, rows)


# ------------------------------------------------------------------ task_status
NOTES = {
    "done": ["Đã ban hành văn bản triển khai và báo cáo kết quả", "Hoàn thành theo đúng tiến độ kế hoạch",
             "Đã tổ chức hội nghị quán triệt, triển khai", "Kết quả được tổng hợp trong báo cáo CCHC quý"],
    "in_progress": ["Đang hoàn thiện dự thảo, trình UBND tỉnh trong quý tới", "Lồng ghép trong kế hoạch công tác năm",
                    "Phối hợp với Sở Nội vụ tiếp tục thực hiện", "Đã ban hành kế hoạch, đang triển khai",
                    "Chậm do chờ hướng dẫn của Bộ, ngành Trung ương"],
    "not_started": ["Chưa bố trí được kinh phí", "Dự kiến triển khai trong quý III", "Chờ ý kiến chỉ đạo của UBND tỉnh"],
}
DOC_TYPES = ["QĐ", "KH", "BC", "CV"]


def led_tasks(agency: str) -> list[catalogue.Task]:
    """Tasks (kind 'task') whose lead expands (catalogue.members) to include the agency, in plan order."""
    cat = catalogue.load()
    return [t for t in cat.tasks if t.kind == "task"
            and any(agency in cat.members(code) for code in t.lead)]


def _task_path(agency: str, t: catalogue.Task) -> dict[str, Any]:
    """One agency's progress on one task over the year: start and done quarter, dates, evidence."""
    rng = _rng("task_status", agency, t.id)
    due = t.schedule.get("due")
    kind = t.schedule.get("kind")
    if due == "2023-06-30":
        p = [0.25, 0.55, 0.12, 0.05, 0.03]
    elif kind in ("recurring", "external"):
        p = [0.0, 0.1, 0.15, 0.45, 0.30]
    else:
        p = [0.05, 0.15, 0.25, 0.40, 0.15]
    done_q = int(rng.choice(5, p=p)) + 1  # 5 = not done in 2023
    start_q = 1 if rng.random() < 0.75 else int(rng.integers(1, min(done_q, 4) + 1))
    start_q = min(start_q, done_q)
    dq = Quarter(YEAR, min(done_q, 4))
    completed = _workday(rng, dq.start, dq.end)
    evidence_date = completed - dt.timedelta(days=int(rng.integers(0, 8)))
    kind_doc = DOC_TYPES[int(rng.integers(len(DOC_TYPES)))]
    issuer = "UBND" if (agency in _districts() or rng.random() < 0.5) else agency
    target = t.targets[0] if t.targets else None
    achieved: Any = None
    if target is not None:
        if target.unit == "fraction":
            base = target.value if target.value > 0 else 0.1
            achieved = min(1.0, max(0.0, base * _u(rng, 0.85, 1.08)))
        elif target.unit == "count":
            achieved = int(max(0, round(target.value * _u(rng, 0.5, 1.6))))
        elif target.unit in ("working_days", "days"):
            achieved = int(rng.integers(1, int(target.value) + 3))
        else:
            achieved = round(_u(rng, -0.5, 2.5), 1)
    return {
        "start_q": start_q, "done_q": done_q, "completed": completed,
        "evidence_no": f"{int(rng.integers(12, 980))}/{kind_doc}-{issuer}", "evidence_date": evidence_date,
        "achieved": achieved, "note_u": float(rng.random()), "note_i": int(rng.integers(0, 100)),
    }


def _achieved_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2f}".replace(".", ",")  # as the contract asks: '0,95'
    return str(v)


def gen_task_status(out: _Out) -> None:
    for code in _departments() + _districts():
        tasks = led_tasks(code)
        paths = {t.id: _task_path(code, t) for t in tasks}
        for q in _quarters():
            rows = []
            for t in tasks:
                p = paths[t.id]
                status = "done" if q.q >= p["done_q"] else "in_progress" if q.q >= p["start_q"] else "not_started"
                row: dict[str, Any] = {"task_id": t.id, "agency_code": code, "status": status}
                if status == "done":
                    row.update(completion_date=p["completed"], evidence_doc_no=p["evidence_no"],
                               evidence_doc_date=p["evidence_date"], achieved_value=_achieved_text(p["achieved"]))
                elif status == "in_progress" and p["achieved"] is not None and p["note_u"] < 0.5:
                    row["achieved_value"] = _achieved_text(p["achieved"])
                if p["note_u"] < 0.25 or (status == "not_started" and p["note_u"] < 0.6):
                    notes = NOTES[status]
                    row["note"] = notes[(p["note_i"] + q.q) % len(notes)]
                rows.append(row)
            if (str(q), code) == ("2023Q2", "DUY_XUYEN"):
                r = next(r for r in rows if r["status"] == "done")
                r["evidence_doc_no"] = r["evidence_doc_date"] = None  # done, but no evidence cited -> warning
            if (str(q), code) == ("2023Q4", "SCT"):
                rows.append({"task_id": "A.X.9", "agency_code": code, "status": "in_progress",
                             "note": "Nhiệm vụ phát sinh theo chỉ đạo của UBND tỉnh"})
            out.emit(q, "task_status", code, rows, title="BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CCHC",
                     sheet="Tiến độ")


# ------------------------------------------------------------------ sipas_survey
SIPAS_ITEMS = [(f"C{i + 1:02d}", i // 3 + 1) for i in range(15)]  # 3 items per factor 1..5
SIPAS_SATISFIED = {"2023Q2": [0.80, 0.76, 0.83, 0.79, 0.74], "2023Q4": [0.82, 0.79, 0.84, 0.81, 0.77]}


def gen_sipas_survey(out: _Out) -> None:
    cat = catalogue.load()
    districts, depts = _districts(), _departments()
    for q in _quarters():
        if str(q) not in SIPAS_SATISFIED:
            continue
        rng = _rng("sipas_survey", str(q))
        n = int(rng.integers(320, 401))
        rows = []
        for i in range(n):
            d = districts[i] if i < len(districts) else districts[int(rng.integers(len(districts)))]
            served = d if rng.random() < 0.55 else depts[int(rng.integers(len(depts)))]
            channel = str(rng.choice(["direct", "online", "postal"], p=[0.6, 0.35, 0.05]))
            proc = "" if rng.random() < 0.1 else f"1.{int(rng.integers(1000, 12000)):06d}"
            gender = str(rng.choice(["female", "male", "other", ""], p=[0.47, 0.48, 0.01, 0.04]))
            age = str(rng.choice(["u30", "30_44", "45_59", "60p"], p=[0.2, 0.4, 0.28, 0.12]))
            mood = _u(rng, -0.12, 0.12)  # some respondents are happier than others
            for item, factor in SIPAS_ITEMS:
                p_sat = min(0.99, max(0.3, SIPAS_SATISFIED[str(q)][factor - 1] + mood))
                if rng.random() < p_sat:
                    ans = 5 if rng.random() < 0.4 else 4
                else:
                    ans = int(rng.choice([3, 2, 1], p=[0.7, 0.25, 0.05]))
                rows.append({"respondent_id": f"KS{q.year % 100}Q{q.q}-{i + 1:04d}",
                             "district": cat.agencies[d].name_vi, "agency_served": served,
                             "procedure_code": proc, "channel": channel, "item_id": item, "factor": factor,
                             "answer": ans, "gender": gender, "age_group": age})
        out.emit(q, "sipas_survey", "SNV", rows)


# ------------------------------------------------------------------ inspections
def _inspection_plan(code: str, prefix: str, topic: str, n_planned: int, n_unplanned: int,
                     targets: list[str]) -> list[dict[str, Any]]:
    rng = _rng("inspections", code, topic)
    year_start, year_end = dt.date(YEAR, 3, 1), dt.date(YEAR, 11, 30)
    planned_dates = sorted(_workday(rng, year_start, year_end) for _ in range(n_planned))
    agencies = [targets[i] for i in rng.choice(len(targets), size=n_planned + n_unplanned, replace=False)]
    items = []
    for i, pd_ in enumerate(planned_dates):
        done = None if rng.random() < 0.1 else _next_workday(pd_ + dt.timedelta(days=int(rng.integers(-5, 12))))
        items.append({"planned": True, "planned_date": pd_, "done_date": done, "agency": agencies[i]})
    for j in range(n_unplanned):
        items.append({"planned": False, "planned_date": None,
                      "done_date": _workday(rng, dt.date(YEAR, 4, 1), dt.date(YEAR, 11, 30)),
                      "agency": agencies[n_planned + j]})
    items.sort(key=lambda x: (not x["planned"], x["planned_date"] or x["done_date"]))
    for k, it in enumerate(items, 1):  # the plan's inspections first, unplanned ones numbered after them
        it["id"] = f"{prefix}-{YEAR}-{k:02d}"
        n_issues = 0 if rng.random() < 0.3 else int(rng.integers(1, 7))
        it["handled_dates"] = []
        if it["done_date"]:
            for _ in range(n_issues):
                it["handled_dates"].append(
                    None if rng.random() < 0.12 else it["done_date"] + dt.timedelta(days=int(rng.integers(10, 150))))
        it["issues"] = n_issues if it["done_date"] else 0
        it["topic"] = topic
    return items


def gen_inspections(out: _Out) -> None:
    targets = _departments() + _districts()
    plans = {
        "SNV": _inspection_plan("SNV", "KT-CCHC", "cchc", 14, 2, [t for t in targets if t != "SNV"]),
        "STC": (_inspection_plan("STC", "STC-TSC", "public_assets", 5, 1, [t for t in targets if t != "STC"])
                + _inspection_plan("STC", "STC-KL", "audit", 4, 0, [t for t in targets if t != "STC"])),
    }
    for q in _quarters():
        for code, items in plans.items():
            rows = []
            for it in items:
                done = it["done_date"] if it["done_date"] and it["done_date"] <= q.end else None
                if not it["planned"] and done is None:
                    continue
                found = it["issues"] if done else 0
                handled = sum(1 for d in it["handled_dates"] if d is not None and d <= q.end) if done else 0
                rows.append({"inspection_id": it["id"], "agency_code": code, "topic": it["topic"],
                             "inspected_agency": it["agency"], "planned": it["planned"],
                             "planned_date": it["planned_date"], "done_date": done,
                             "issues_found": found, "issues_handled": handled})
            out.emit(q, "inspections", code, rows)


# ------------------------------------------------------------------ legal_docs
LEGAL_SUBJECTS = {
    "monitoring_activity": [
        "Theo dõi tình hình thi hành pháp luật về xử lý vi phạm hành chính",
        "Theo dõi tình hình thi hành pháp luật về bảo vệ môi trường",
        "Theo dõi tình hình thi hành pháp luật về đất đai (cấp giấy chứng nhận quyền sử dụng đất)",
        "Theo dõi tình hình thi hành pháp luật về trợ giúp pháp lý",
    ],
    "illegal_document": [
        "Quyết định số 15/2022/QĐ-UBND của UBND huyện Quế Sơn (thẩm quyền ban hành)",
        "Nghị quyết số 08/2022/NQ-HĐND của HĐND huyện Nông Sơn (nội dung trái luật)",
        "Quyết định số 21/2022/QĐ-UBND của UBND thị xã Điện Bàn (căn cứ pháp lý hết hiệu lực)",
    ],
    "review": [
        "Rà soát VBQPPL về quản lý, sử dụng tài sản công", "Rà soát VBQPPL về phí, lệ phí",
        "Rà soát VBQPPL về đầu tư công", "Rà soát VBQPPL về giáo dục và đào tạo", "Rà soát VBQPPL về y tế",
        "Rà soát VBQPPL về tổ chức bộ máy",
    ],
    "tthc_reform_proposal": [
        "Kiến nghị đơn giản hóa thành phần hồ sơ cấp giấy phép xây dựng",
        "Kiến nghị cắt giảm thời hạn giải quyết thủ tục đăng ký biến động đất đai",
        "Kiến nghị bãi bỏ yêu cầu nộp bản sao giấy tờ đã có trong cơ sở dữ liệu quốc gia",
        "Kiến nghị liên thông thủ tục đăng ký khai tử, xóa đăng ký thường trú, hưởng mai táng phí",
    ],
    "tthc_ultra_vires": ["Quyết định của UBND huyện quy định thêm thành phần hồ sơ ngoài quy định của Bộ"],
}
LEGAL_PLAN = {
    "STP": [("monitoring_activity", 4, (20, 45)), ("illegal_document", 3, (20, 100)), ("review", 6, (15, 60))],
    "VPUBND": [("tthc_reform_proposal", 4, (5, 30)), ("tthc_ultra_vires", 1, (10, 40))],
}


def gen_legal_docs(out: _Out) -> None:
    for code, plan in LEGAL_PLAN.items():
        rng = _rng("legal_docs", code)
        records = []
        for rtype, n, (lo, hi) in plan:
            lo_d = dt.date(YEAR, 6, 1) if rtype == "tthc_ultra_vires" else dt.date(YEAR, 1, 9)
            for i in range(n):
                flagged = _workday(rng, lo_d, dt.date(YEAR, 11, 30))
                handled = None if (rtype == "illegal_document" and i == n - 1) else _next_workday(
                    flagged + dt.timedelta(days=int(rng.integers(lo, hi))))
                records.append({"record_type": rtype, "subject": LEGAL_SUBJECTS[rtype][i % len(LEGAL_SUBJECTS[rtype])],
                                "flagged_date": flagged, "handled_at": handled})
        records.sort(key=lambda r: r["flagged_date"])
        for k, r in enumerate(records, 1):
            r["record_id"] = f"{code}-{YEAR % 100}-{k:03d}"
        for q in _quarters():
            rows = []
            for r in records:
                if r["flagged_date"] > q.end or (r["handled_at"] is not None and r["handled_at"] < q.start):
                    continue
                handled = r["handled_at"] is not None and r["handled_at"] <= q.end
                rows.append({"record_id": r["record_id"], "agency_code": code, "record_type": r["record_type"],
                             "subject": r["subject"], "flagged_date": r["flagged_date"], "handled": handled,
                             "handled_date": r["handled_at"] if handled else None})
            out.emit(q, "legal_docs", code, rows)


# ------------------------------------------------------------------ economy
# Year-to-date values (2022Q1..Q4, 2023Q1..Q4) and full-year baselines; GRDP in billion VND (comparable prices).
ECONOMY = {
    "SKHDT": {
        "grdp": {"2021": 110850.4, "2022": 119720.6, "2022Q1": 26310.2, "2022Q2": 55870.9, "2022Q3": 87240.3,
                 "2022Q4": 119720.6, "2023Q1": 27050.8, "2023Q2": 57120.4, "2023Q3": 89060.7, "2023Q4": 123410.2},
        "new_enterprises": {"2021": 1012, "2022": 1186, "2022Q1": 268, "2022Q2": 603, "2022Q3": 905,
                            "2022Q4": 1186, "2023Q1": 251, "2023Q2": 587, "2023Q3": 912, "2023Q4": 1274},
        "investment_capital": {"2021": 21540.0, "2022": 16830.5, "2022Q1": 3120.4, "2022Q2": 7860.2,
                               "2022Q3": 11950.7, "2022Q4": 16830.5, "2023Q1": 2480.6, "2023Q2": 8120.3,
                               "2023Q3": 12640.9, "2023Q4": 18350.2},
        "socioeconomic_targets_met": {"2021": 17, "2022": 19, "2023Q1": 15, "2023Q2": 16, "2023Q3": 17,
                                      "2023Q4": 18},  # 2023: targets estimated to be met ('ước đạt')
        "socioeconomic_targets_total": {"2021": 22, "2022": 22, "2023Q1": 22, "2023Q2": 22, "2023Q3": 22,
                                        "2023Q4": 22},
    },
    "STC": {
        "enterprise_budget_share": {"2021": 48.6, "2022": 51.3, "2022Q1": 47.9, "2022Q2": 49.8, "2022Q3": 50.6,
                                    "2022Q4": 51.3, "2023Q1": 49.2, "2023Q2": 50.9, "2023Q3": 51.8, "2023Q4": 52.4},
    },
}
ECONOMY_SOURCE = {"SKHDT": "Cục Thống kê tỉnh; Sở Kế hoạch và Đầu tư", "STC": "Sở Tài chính; Cục Thuế tỉnh"}


def gen_economy(out: _Out) -> None:
    baselines = ["2021", "2022", "2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    for q in _quarters():
        for code, indicators in ECONOMY.items():
            rows = []
            for ind, values in indicators.items():
                for period in baselines + [str(q)]:
                    if period in values:
                        rows.append({"indicator": ind, "period": period, "value": float(values[period]),
                                     "source": ECONOMY_SOURCE[code] + (" (ước tính)" if period == str(q) else "")})
            out.emit(q, "economy", code, rows, style="vn" if code == "SKHDT" else "plain")


# ------------------------------------------------------------------ disbursement
def disbursement_laggards() -> set[str]:
    """Agencies the plan names as below 20 % disbursed at 30/04/2023 (indices.yaml, A.VII.1.1)."""
    lag = next(x for x in catalogue.load().indices["laggards"] if x["task_id"] == "A.VII.1.1")
    return set(lag["departments"]) | set(lag["districts"])


BIG_DEPARTMENTS = {"SGTVT", "SNNPTNT", "SYT", "SGDDT", "SVHTTDL", "STTTT", "SXD"}


def _disbursement_path(code: str, kind: str, lagging: bool) -> dict[str, Any]:
    rng = _rng("disbursement", code)
    if code.startswith("BQLDA_"):
        plan = _u(rng, 600_000, 1_800_000)
    elif kind == "district":
        plan = _u(rng, 120_000, 650_000)
    elif code in BIG_DEPARTMENTS:
        plan = _u(rng, 40_000, 300_000)
    else:
        plan = _u(rng, 3_000, 60_000)
    plan = float(round(plan))
    apr = _u(rng, 0.03, 0.18) if lagging else _u(rng, 0.21, 0.38)
    mar = apr * _u(rng, 0.4, 0.8) if lagging else apr * _u(rng, 0.55, 0.85)
    jun = apr + (_u(rng, 0.08, 0.2) if lagging else _u(rng, 0.12, 0.25))
    sep = jun + _u(rng, 0.15, 0.25)
    dec = min(0.99, sep + _u(rng, 0.18, 0.32))
    rates = {dt.date(YEAR, 3, 31): mar, dt.date(YEAR, 4, 30): apr, dt.date(YEAR, 6, 30): jun,
             dt.date(YEAR, 9, 30): sep, dt.date(YEAR, 12, 31): dec}
    return {"plan": plan, "rates": rates}


def gen_disbursement(out: _Out) -> None:
    cat = catalogue.load()
    lag = disbursement_laggards()
    bodies = [a.code for a in cat.by_kind("provincial_body") if a.code in lag]
    units = [(c, "department") for c in _departments()] + [(c, "provincial_body") for c in bodies]
    units += [(c, "district") for c in _districts()]
    paths = {c: _disbursement_path(c, k, c in lag) for c, k in units}
    for q in _quarters():
        cutoffs = [d for d in paths[units[0][0]]["rates"] if q.contains(d)]
        rows = []
        for cutoff in cutoffs:
            for c, _ in units:
                p = paths[c]
                rows.append({"agency_code": c, "cutoff_date": cutoff, "plan_amount": p["plan"],
                             "disbursed_amount": round(p["plan"] * p["rates"][cutoff], 1)})
        out.emit(q, "disbursement", "SKHDT", rows, style="vn")


# ------------------------------------------------------------------ organisation
DEPT_PSU_2021 = {"VPUBND": 3, "SNV": 3, "STP": 4, "SKHDT": 2, "STC": 1, "SCT": 3, "SNNPTNT": 14, "SGTVT": 3,
                 "SXD": 3, "STNMT": 5, "STTTT": 3, "SLDTBXH": 12, "SVHTTDL": 9, "SKHCN": 3, "SGDDT": 34, "SYT": 38,
                 "TTT": 0, "SNGV": 1, "BDT": 0}
PROGRESS = (0.7, 0.85, 0.95, 1.0)  # share of the 2023 reduction in public service units reached by quarter end


def _org_path(code: str, kind: str) -> dict[str, Any]:
    rng = _rng("organisation", code)
    psu21 = DEPT_PSU_2021[code] if kind == "department" else int(rng.integers(45, 96))
    cut = round(psu21 * _u(rng, 0.05, 0.15))
    quota21 = int(rng.integers(18, 91)) if kind == "department" else int(rng.integers(85, 131))
    per_unit = _u(rng, 15, 60) if kind == "department" else _u(rng, 25, 45)
    budget22 = round(psu21 * _u(rng, 2_000, 9_000), 1) if psu21 else None
    return {
        "psu21": psu21, "cut": cut, "quota21": quota21, "quota_now": quota21 - int(rng.integers(0, 6)),
        "per_unit": per_unit, "placed": _u(rng, 0.93, 0.99), "jd_q": int(rng.choice([1, 2, 3, 4, 5],
                                                                                    p=[0.55, 0.2, 0.12, 0.08, 0.05])),
        "communes": int(rng.integers(180, 421)), "std": _u(rng, 0.88, 0.97),
        "full_new": int(rng.choice([0, 0, 0, 1, 1, 2])), "partial_new": int(rng.choice([0, 0, 1, 1, 2, 3])),
        "new_q": int(rng.integers(1, 5)), "budget22": budget22, "spend": _u(rng, 0.88, 1.0),
    }


def gen_organisation(out: _Out) -> None:
    units = [(c, "department") for c in _departments()] + [(c, "district") for c in _districts()]
    rng = _rng("organisation", "leadership")
    non_compliant = [units[i][0] for i in rng.choice(len(units), size=4, replace=False)]
    fixed_by = dict(zip(non_compliant, (3, 3, 5, 5), strict=True))  # two fixed in Q3, two still not compliant
    for code, kind in units:
        p = _org_path(code, kind)
        for q in _quarters():
            psu_now = p["psu21"] - round(p["cut"] * PROGRESS[q.q - 1])
            staff = p["quota_now"] + int(round(psu_now * p["per_unit"]))
            placed = min(staff, int(staff * min(1.0, p["placed"] + 0.01 * q.q)))
            row: dict[str, Any] = {
                "quarter": "2023Q2" if (str(q), code) == ("2023Q1", "SGDDT") else str(q),
                "agency_code": code, "psu_count_2021": p["psu21"], "psu_count_now": psu_now,
                "staff_quota_2021": p["quota21"], "staff_quota_now": p["quota_now"],
                "leadership_compliant": not (code in fixed_by and q.q < fixed_by[code]),
                "job_descriptions_complete": q.q >= p["jd_q"], "staff_total": staff,
                "staff_in_approved_position": placed,
                "psu_full_self_financing_new": p["full_new"] if q.q >= p["new_q"] else 0,
                "psu_partial_self_financing_new": p["partial_new"] if q.q >= p["new_q"] else 0,
            }
            if kind == "district":
                row["commune_officials_total"] = p["communes"]
                row["commune_officials_meeting_standards"] = int(p["communes"] * min(1.0, p["std"] + 0.005 * q.q))
            if p["budget22"]:
                row["direct_budget_psu_2022"] = p["budget22"]
                row["direct_budget_psu_now"] = round(p["budget22"] * q.q / 4 * p["spend"], 1)
            out.emit(q, "organisation", code, [row], style=_style("organisation", code))


# ------------------------------------------------------------------ e_documents
DISTRICT_OFFICES = ["Văn phòng HĐND và UBND", "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch", "Phòng Tài nguyên và Môi trường",
                    "Phòng Giáo dục và Đào tạo", "Phòng Kinh tế và Hạ tầng", "Phòng Tư pháp",
                    "Phòng Lao động - Thương binh và Xã hội", "Phòng Văn hóa và Thông tin", "Phòng Y tế"]


def _e_documents_total(rows: list[dict]) -> dict:
    """The 'Tổng cộng' row an office adds under its table (the reader drops it)."""
    keys = ("docs_handled", "docs_handled_online", "docs_sent_electronic", "docs_received_electronic")
    return {"quarter": "Tổng cộng", **{k: sum(r[k] for r in rows) for k in keys}}


def gen_e_documents(out: _Out) -> None:
    for code in _departments() + _districts():
        rng = _rng("e_documents", code)
        if code in _departments():
            units = [("Toàn cơ quan", _u(rng, 600, 4000), _u(rng, 0.78, 0.93), True)]
        else:
            k = int(rng.integers(3, 7))
            picked = sorted(rng.choice(len(DISTRICT_OFFICES), size=k, replace=False).tolist())
            units = [(DISTRICT_OFFICES[i], _u(rng, 120, 1200), _u(rng, 0.40, 0.70), rng.random() > 0.12)
                     for i in picked]
        style = _style("e_documents", code)
        for q in _quarters():
            rq = _rng("e_documents", code, str(q))
            rows = []
            for name, size, rate, connected in units:
                handled = int(size * _u(rq, 0.85, 1.15))
                rows.append({"quarter": str(q), "agency_code": code, "unit": name, "docs_handled": handled,
                             "docs_handled_online": int(handled * min(0.99, rate + 0.01 * q.q + _u(rq, -0.03, 0.03))),
                             "docs_sent_electronic": int(handled * _u(rq, 0.3, 0.5)),
                             "docs_received_electronic": int(handled * _u(rq, 0.5, 0.8)),
                             "connected_4level": connected or q.q >= 3})
            if (str(q), code) == ("2023Q3", "QUE_SON"):
                rows[-1]["docs_sent_electronic"] = -12
            out.emit(q, "e_documents", code, rows, style=style, title="TÌNH HÌNH XỬ LÝ VĂN BẢN TRÊN MÔI TRƯỜNG MẠNG",
                     sheet="VBĐT", total=_e_documents_total)


# ------------------------------------------------------------------ online_services
def gen_online_services(out: _Out) -> None:
    for code, kind, levels in dossier_units():
        rng = _rng("online_services", code)
        scope = int(rng.integers(30, 251)) if kind == "department" else int(rng.integers(240, 321))
        online0 = _u(rng, 0.42, 0.55) if kind == "department" else _u(rng, 0.32, 0.45)
        fee_share = _u(rng, 0.18, 0.35)
        payable0 = _u(rng, 0.65, 0.85)
        dossiers = out.dossiers(code, kind, levels)
        for q in _quarters():
            rq = _rng("online_services", code, str(q))
            view = sample.quarter_view(dossiers, q)
            received = [r for r in view if r["received_date"] >= q.start]
            fee = [r for r in received if r["fee_required"]]
            paid = sum(1 for r in fee if r["paid_online"])
            with_fee = int(scope * fee_share)
            total = len(received)  # a flow: dossiers received in the quarter (quarters add up to the year)
            row = {
                "quarter": str(q), "agency_code": code, "procedures_in_scope": scope,
                "procedures_fully_online": int(scope * min(0.9, online0 + 0.03 * q.q)),
                "procedures_via_one_stop": scope - int(rq.integers(0, 4)),
                "procedures_with_fee": with_fee,
                "procedures_fee_payable_online": int(with_fee * min(1.0, payable0 + 0.04 * q.q)),
                "portal_transactions": len(fee), "portal_transactions_paid_online": paid,
                "dossiers_total": total, "dossiers_synced_national": total - int(total * _u(rq, 0, 0.05)),
                "dossiers_published_provincial": total - int(total * _u(rq, 0, 0.03)),
            }
            if (str(q), code) == ("2023Q3", "STNMT"):
                assert len(fee) > paid, "the swap must break paid_le_transactions"
                row["portal_transactions"], row["portal_transactions_paid_online"] = paid, len(fee)
            out.emit(q, "online_services", code, [row])


# ------------------------------------------------------------------ pakn
PAKN_SUMMARIES = [
    "Phản ánh chậm cấp giấy chứng nhận quyền sử dụng đất", "Hỏi thủ tục đăng ký khai sinh trực tuyến",
    "Phản ánh thái độ công chức tại Bộ phận Một cửa", "Phản ánh lỗi thanh toán trực tuyến trên Cổng DVC",
    "Kiến nghị giảm thành phần hồ sơ cấp giấy phép xây dựng", "Phản ánh hồ sơ đất đai quá hạn chưa có kết quả",
    "Hỏi thủ tục chứng thực bản sao điện tử từ bản chính", "Phản ánh chậm chi trả trợ cấp xã hội hằng tháng",
    "Kiến nghị hướng dẫn nộp hồ sơ qua dịch vụ bưu chính công ích", "Phản ánh yêu cầu nộp thêm giấy tờ không đúng quy định",
    "Hỏi về lệ phí cấp bản sao trích lục hộ tịch", "Phản ánh không nhận được tin nhắn báo kết quả hồ sơ",
]
PAKN_CHANNELS = ["hotline_1022", "portal", "direct", "letter", "email"]


def _pakn_year(code: str, kind: str) -> list[dict[str, Any]]:
    rng = _rng("pakn", code)
    per_q = (25, 46) if kind == "department" else (6, 21)
    p_ch = [0.45, 0.30, 0.05, 0.10, 0.10] if kind == "department" else [0.35, 0.20, 0.25, 0.15, 0.05]
    items = []
    for q in _quarters():
        for _ in range(int(rng.integers(*per_q))):
            rec = _workday(rng, q.start, q.end)
            deadline = rec + dt.timedelta(days=int(rng.choice([10, 15])))
            u = rng.random()
            if u < 0.82:
                handled = rec + dt.timedelta(days=int(rng.integers(1, (deadline - rec).days + 1)))
            elif u < 0.95:
                handled = deadline + dt.timedelta(days=int(rng.integers(1, 25)))
            else:
                handled = None
            items.append({
                "received_date": rec, "deadline": deadline, "handled_at": handled,
                "level": "province" if kind == "department" else ("district" if rng.random() < 0.6 else "commune"),
                "channel": PAKN_CHANNELS[int(rng.choice(5, p=p_ch))], "published": bool(rng.random() < 0.9),
                "summary": PAKN_SUMMARIES[int(rng.integers(len(PAKN_SUMMARIES)))],
            })
    items.sort(key=lambda r: r["received_date"])
    for k, it in enumerate(items, 1):
        it["pakn_id"] = f"PA-{code}-{YEAR % 100}{k:04d}"
    return items


def gen_pakn(out: _Out) -> None:
    units = [("VPUBND", "department")] + [(c, "district") for c in _districts()]
    for code, kind in units:
        items = _pakn_year(code, kind)
        for q in _quarters():
            rows = []
            for it in items:
                if it["received_date"] > q.end or (it["handled_at"] is not None and it["handled_at"] < q.start):
                    continue
                handled = it["handled_at"] if it["handled_at"] is not None and it["handled_at"] <= q.end else None
                rows.append({"pakn_id": it["pakn_id"], "agency_code": code, "level": it["level"],
                             "channel": it["channel"], "received_date": it["received_date"],
                             "deadline": it["deadline"], "handled_date": handled,
                             "answer_published": bool(handled and it["published"]), "summary": it["summary"]})
            if (str(q), code) == ("2023Q2", "THANG_BINH"):
                rows[len(rows) // 2]["channel"] = "Zalo"  # not an allowed channel label
            out.emit(q, "pakn", code, rows)


# ------------------------------------------------------------------ entry point
GENERATORS: dict[str, Callable[[_Out], None]] = {
    "tthc_summary": gen_tthc_summary, "tthc_publication": gen_tthc_publication, "task_status": gen_task_status,
    "sipas_survey": gen_sipas_survey, "inspections": gen_inspections, "legal_docs": gen_legal_docs,
    "economy": gen_economy, "disbursement": gen_disbursement, "organisation": gen_organisation,
    "e_documents": gen_e_documents, "online_services": gen_online_services, "pakn": gen_pakn,
}


def generate_datasets(root: Path) -> list[Path]:
    """Write every dataset except tthc_dossiers for 2023Q1–2023Q4 under root (data/raw); returns the files written."""
    out = _Out(Path(root))
    for gen in GENERATORS.values():
        gen(out)
    return out.written

