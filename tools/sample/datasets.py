"""Deterministic sample data for every dataset except tthc_dossiers (which dossiers.py writes), from a plan.

The seed, the dates, the agencies, the tasks, the laggards and the quarters with a SIPAS survey come from the plan
passed in (its year, baseline year, agencies.yaml, tasks.yaml, indices.yaml, plan.yaml `expected`). Every quarter of
the plan's year is computed (some numbering runs on from quarter to quarter), only the quarters asked for are written,
and only the datasets the plan expects in that quarter. One file per submitting agency and quarter, data/raw/<Q>/<dataset>/<AGENCY>.csv (a few .xlsx), written the way
offices send them: the contract's Vietnamese headers, Vietnamese category labels, dd/mm/yyyy dates, Có/Không, and in
some files Vietnamese number formatting ('1.234', '12,5'). tthc_summary is aggregated from exactly the dossiers
dossiers.py generates, so the two sources reconcile (one declared difference). A handful of deliberately faulty
submissions give the data-quality section real content: they are declared in tools/sample/faults.yaml, planted by
`_Out.emit` just before a file is written, described in data/raw/README.md and checked by
tests/test_sample_datasets.py. Not real data.
"""
from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from parplan.catalogue import Plan, Task
from parplan.contracts import Column, load_contract
from parplan.io import atomic_write
from parplan.periods import Quarter
from parplan.templates import save_workbook

from . import dossiers as sample
from . import faults as planted

XLSX = {("task_status", "SYT"), ("e_documents", "DIEN_BAN")}
TTHC_PUBLICATION_PER_QUARTER = 8


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
               total: list[Any] | None, when: dt.datetime) -> None:
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
        save_workbook(wb, p, when, "parplan sample")
    atomic_write(path, w)


class _Out:
    """One run for one plan: its seed and quarters; collects the written paths and formats rows (dicts of canonical
    name -> value) into the contract's cells."""

    def __init__(self, root: Path, plan: Plan, quarters: Iterable[Quarter | str] | None = None) -> None:
        self.root = Path(root)
        self.plan = plan
        self.year = plan.year
        self.seed = sample.seed(plan, "other_datasets")
        self.quarters = sample.plan_quarters(plan)  # all four are computed: some numbering runs on between quarters
        self.wanted = set(sample.plan_quarters(plan, quarters))
        self.written: list[Path] = []
        self._dossiers: dict[str, list[dict]] = {}

    def rng(self, *keys: str) -> np.random.Generator:
        """The generator of one stream (dataset, agency, quarter ...) of this plan's sample."""
        return sample.rng_for(self.seed, *keys)

    def departments(self) -> list[str]:
        """The plan's department codes, in registry order."""
        return [a.code for a in self.plan.by_kind("department")]

    def districts(self) -> list[str]:
        """The plan's district codes, in registry order."""
        return [a.code for a in self.plan.by_kind("district")]

    def dossiers(self, code: str, kind: str, levels: list[tuple[str, str | None]]) -> list[dict]:
        """sample.dossiers_for with the arguments sample.generate uses (computed once per run)."""
        if code not in self._dossiers:
            self._dossiers[code] = sample.dossiers_for(self.plan, code, kind, levels)
        return self._dossiers[code]

    def emit(self, q: Quarter, dataset: str, agency: str, rows: list[dict[str, Any]], style: str = "plain",
             title: str = "", sheet: str = "Báo cáo", total: Callable[[list[dict]], dict] | None = None) -> Path | None:
        """Write one agency's file of one quarter, with the faults faults.yaml declares for it (nothing when the
        quarter is not asked for or the plan does not expect the dataset in it)."""
        if q not in self.wanted or dataset not in self.plan.expected(q.q):
            return None
        rows = planted.plant(q, dataset, agency, rows)
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
            full = f"{title or contract.title_vi.upper()} — {self.plan.agencies[agency].name_vi} — {q.label('vi')}"
            write_xlsx(path, full, sheet, header, cells, tot, sample.file_time(self.plan))
        else:
            path = folder / f"{agency}.csv"
            write_csv(path, header, cells)
        self.written.append(path)
        return path


def _style(out: _Out, dataset: str, agency: str, share_vn: float = 0.5) -> str:
    """Some agencies type numbers the Vietnamese way ('1.234', '12,5'); fixed per agency and dataset."""
    return "vn" if out.rng("style", dataset, agency).random() < share_vn else "plain"


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


def summary_areas(out: _Out, agency: str, level: str) -> list[str]:
    """The 2–5 procedure areas an agency reports at one level (fixed for the year)."""
    rng = out.rng("tthc_summary", "areas", agency, level)
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
    for code, kind, levels in sample.dossier_units(out.plan):
        rows_all = out.dossiers(code, kind, levels)
        areas = {level: summary_areas(out, code, level) for level, _ in levels}
        area = {r["dossier_id"]: area_of(code, r["level"], r["procedure_code"], areas[r["level"]]) for r in rows_all}
        for q in out.quarters:
            view = sample.quarter_view(rows_all, q)
            rows = []
            for level, _ in levels:
                for a in areas[level]:
                    part = [r for r in view if r["level"] == level and area[r["dossier_id"]] == a]
                    rows.append(_summary_row(q, code, level, a, summary_counts(part, q)))
            out.emit(q, "tthc_summary", code, rows, style=_style(out, "tthc_summary", code, 0.3))


# ------------------------------------------------------------------ tthc_publication
MINISTRY = {
    "VPUBND": "NĐ-CP", "SNV": "TT-BNV", "STP": "TT-BTP", "SKHDT": "TT-BKHĐT", "STC": "TT-BTC", "SCT": "TT-BCT",
    "SNNPTNT": "TT-BNNPTNT", "SGTVT": "TT-BGTVT", "SXD": "TT-BXD", "STNMT": "TT-BTNMT", "STTTT": "TT-BTTTT",
    "SLDTBXH": "TT-BLĐTBXH", "SVHTTDL": "TT-BVHTTDL", "SKHCN": "TT-BKHCN", "SGDDT": "TT-BGDĐT", "SYT": "TT-BYT",
    "TTT": "TT-TTCP", "SNGV": "TT-BNG", "BDT": "TT-UBDT",
}


def gen_tthc_publication(out: _Out) -> None:
    depts = [d for d in out.departments() if d != "VPUBND"]
    decision_no = 100
    for q in out.quarters:
        rng = out.rng("tthc_publication", str(q))
        chosen = sorted(rng.choice(len(depts), size=TTHC_PUBLICATION_PER_QUARTER, replace=False).tolist())
        for i in chosen:
            code = depts[i]
            r2 = out.rng("tthc_publication", str(q), code)
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
                circular_year = out.year if effective.year >= out.year else out.year - 1  # a circular's year
                doc = (f"Nghị định số {int(r2.integers(10, 120))}/{effective.year}/NĐ-CP" if r2.random() < 0.25
                       else f"Thông tư số {int(r2.integers(1, 40)):02d}/{circular_year}/{MINISTRY[code]}")
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


def led_tasks(plan: Plan, agency: str) -> list[Task]:
    """Tasks (kind 'task') whose lead expands (Plan.members) to include the agency, in plan order."""
    return [t for t in plan.tasks if t.kind == "task"
            and any(agency in plan.members(code) for code in t.lead)]


def _task_path(out: _Out, agency: str, t: Task) -> dict[str, Any]:
    """One agency's progress on one task over the year: start and done quarter, dates, evidence."""
    rng = out.rng("task_status", agency, t.id)
    due = t.schedule.get("due")
    kind = t.schedule.get("kind")
    if due == Quarter(out.year, 2).end.isoformat():  # due by mid-year: mostly done in Q1-Q2
        p = [0.25, 0.55, 0.12, 0.05, 0.03]
    elif kind in ("recurring", "external"):
        p = [0.0, 0.1, 0.15, 0.45, 0.30]
    else:
        p = [0.05, 0.15, 0.25, 0.40, 0.15]
    done_q = int(rng.choice(5, p=p)) + 1  # 5 = not done in the plan's year
    start_q = 1 if rng.random() < 0.75 else int(rng.integers(1, min(done_q, 4) + 1))
    start_q = min(start_q, done_q)
    dq = Quarter(out.year, min(done_q, 4))
    completed = _workday(rng, dq.start, dq.end)
    evidence_date = completed - dt.timedelta(days=int(rng.integers(0, 8)))
    kind_doc = DOC_TYPES[int(rng.integers(len(DOC_TYPES)))]
    issuer = "UBND" if (agency in out.districts() or rng.random() < 0.5) else agency
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
    for code in out.departments() + out.districts():
        tasks = led_tasks(out.plan, code)
        paths = {t.id: _task_path(out, code, t) for t in tasks}
        for q in out.quarters:
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
            out.emit(q, "task_status", code, rows, title="BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CCHC",
                     sheet="Tiến độ")


# ------------------------------------------------------------------ sipas_survey
SIPAS_ITEMS = [(f"C{i + 1:02d}", i // 3 + 1) for i in range(15)]  # 3 items per factor 1..5
# Share satisfied per factor 1..5 in the year's first and second survey (the quarters the plan expects one).
SIPAS_SATISFIED = ([0.80, 0.76, 0.83, 0.79, 0.74], [0.82, 0.79, 0.84, 0.81, 0.77])


def survey_quarters(plan: Plan) -> list[Quarter]:
    """The quarters of the plan's year in which the plan expects the SIPAS survey from someone."""
    return [q for q in sample.plan_quarters(plan) if plan.expected(q.q).get("sipas_survey")]


def gen_sipas_survey(out: _Out) -> None:
    districts, depts = out.districts(), out.departments()
    for k, q in enumerate(survey_quarters(out.plan)):
        satisfied = SIPAS_SATISFIED[min(k, len(SIPAS_SATISFIED) - 1)]
        rng = out.rng("sipas_survey", str(q))
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
                p_sat = min(0.99, max(0.3, satisfied[factor - 1] + mood))
                if rng.random() < p_sat:
                    ans = 5 if rng.random() < 0.4 else 4
                else:
                    ans = int(rng.choice([3, 2, 1], p=[0.7, 0.25, 0.05]))
                rows.append({"respondent_id": f"KS{q.year % 100}Q{q.q}-{i + 1:04d}",
                             "district": out.plan.agencies[d].name_vi, "agency_served": served,
                             "procedure_code": proc, "channel": channel, "item_id": item, "factor": factor,
                             "answer": ans, "gender": gender, "age_group": age})
        out.emit(q, "sipas_survey", out.plan.expected(q.q)["sipas_survey"][0], rows)


# ------------------------------------------------------------------ inspections
def _inspection_plan(out: _Out, code: str, prefix: str, topic: str, n_planned: int, n_unplanned: int,
                     targets: list[str]) -> list[dict[str, Any]]:
    rng = out.rng("inspections", code, topic)
    year = out.year
    year_start, year_end = dt.date(year, 3, 1), dt.date(year, 11, 30)
    planned_dates = sorted(_workday(rng, year_start, year_end) for _ in range(n_planned))
    agencies = [targets[i] for i in rng.choice(len(targets), size=n_planned + n_unplanned, replace=False)]
    items = []
    for i, pd_ in enumerate(planned_dates):
        done = None if rng.random() < 0.1 else _next_workday(pd_ + dt.timedelta(days=int(rng.integers(-5, 12))))
        items.append({"planned": True, "planned_date": pd_, "done_date": done, "agency": agencies[i]})
    for j in range(n_unplanned):
        items.append({"planned": False, "planned_date": None,
                      "done_date": _workday(rng, dt.date(year, 4, 1), year_end),
                      "agency": agencies[n_planned + j]})
    items.sort(key=lambda x: (not x["planned"], x["planned_date"] or x["done_date"]))
    for k, it in enumerate(items, 1):  # the plan's inspections first, unplanned ones numbered after them
        it["id"] = f"{prefix}-{year}-{k:02d}"
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
    targets = out.departments() + out.districts()
    plans = {
        "SNV": _inspection_plan(out, "SNV", "KT-CCHC", "cchc", 14, 2, [t for t in targets if t != "SNV"]),
        "STC": (_inspection_plan(out, "STC", "STC-TSC", "public_assets", 5, 1, [t for t in targets if t != "STC"])
                + _inspection_plan(out, "STC", "STC-KL", "audit", 4, 0, [t for t in targets if t != "STC"])),
    }
    for q in out.quarters:
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
        "Quyết định số 15/{prev}/QĐ-UBND của UBND huyện Quế Sơn (thẩm quyền ban hành)",
        "Nghị quyết số 08/{prev}/NQ-HĐND của HĐND huyện Nông Sơn (nội dung trái luật)",
        "Quyết định số 21/{prev}/QĐ-UBND của UBND thị xã Điện Bàn (căn cứ pháp lý hết hiệu lực)",
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
# '{prev}' in a subject is the year before the plan's (documents issued the year before, found this year).
LEGAL_PLAN = {
    "STP": [("monitoring_activity", 4, (20, 45)), ("illegal_document", 3, (20, 100)), ("review", 6, (15, 60))],
    "VPUBND": [("tthc_reform_proposal", 4, (5, 30)), ("tthc_ultra_vires", 1, (10, 40))],
}


def _open_in(r: dict[str, Any], q: Quarter) -> bool:
    """Whether a record belongs in quarter q's file: flagged by its end and not handled before its start."""
    return r["flagged_date"] <= q.end and (r["handled_at"] is None or r["handled_at"] >= q.start)


def _no_empty_quarter(out: _Out, code: str, records: list[dict[str, Any]]) -> None:
    """An office reports every quarter: a quarter with no record open in it gets the next record flagged after it,
    moved into it with its handling delay kept (a file without rows would be rejected)."""
    for q in out.quarters:
        later = [r for r in records if r["flagged_date"] > q.end]
        if any(_open_in(r, q) for r in records) or not later:
            continue
        r = min(later, key=lambda x: x["flagged_date"])
        delay = r["handled_at"] - r["flagged_date"] if r["handled_at"] else None
        r["flagged_date"] = _workday(out.rng("legal_docs", code, "moved", str(q)), q.start + dt.timedelta(days=8), q.end)
        if delay is not None:
            r["handled_at"] = _next_workday(r["flagged_date"] + delay)


def gen_legal_docs(out: _Out) -> None:
    for code, plan in LEGAL_PLAN.items():
        rng = out.rng("legal_docs", code)
        year = out.year
        records = []
        for rtype, n, (lo, hi) in plan:
            lo_d = dt.date(year, 6, 1) if rtype == "tthc_ultra_vires" else dt.date(year, 1, 9)
            for i in range(n):
                flagged = _workday(rng, lo_d, dt.date(year, 11, 30))
                handled = None if (rtype == "illegal_document" and i == n - 1) else _next_workday(
                    flagged + dt.timedelta(days=int(rng.integers(lo, hi))))
                subject = LEGAL_SUBJECTS[rtype][i % len(LEGAL_SUBJECTS[rtype])].format(prev=year - 1)
                records.append({"record_type": rtype, "subject": subject,
                                "flagged_date": flagged, "handled_at": handled})
        _no_empty_quarter(out, code, records)
        records.sort(key=lambda r: r["flagged_date"])
        for k, r in enumerate(records, 1):
            r["record_id"] = f"{code}-{year % 100}-{k:03d}"
        for q in out.quarters:
            rows = []
            for r in records:
                if not _open_in(r, q):
                    continue
                handled = r["handled_at"] is not None and r["handled_at"] <= q.end
                rows.append({"record_id": r["record_id"], "agency_code": code, "record_type": r["record_type"],
                             "subject": r["subject"], "flagged_date": r["flagged_date"], "handled": handled,
                             "handled_date": r["handled_at"] if handled else None})
            out.emit(q, "legal_docs", code, rows)


# ------------------------------------------------------------------ economy
# Seeded sample values, not real figures; GRDP in billion VND (comparable prices). Per indicator: the full years
# before the baseline year and the baseline year, the baseline year's quarters (year to date, or () when the
# indicator has none) and the plan year's quarters (year to date, the current estimate). The periods they are written
# under are computed from the plan (gen_economy); the same numbers serve every plan year.
ECONOMY: dict[str, dict[str, tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]]] = {
    "SKHDT": {
        "grdp": ((110850.4, 119720.6), (26310.2, 55870.9, 87240.3, 119720.6), (27050.8, 57120.4, 89060.7, 123410.2)),
        "new_enterprises": ((1012, 1186), (268, 603, 905, 1186), (251, 587, 912, 1274)),
        "investment_capital": ((21540.0, 16830.5), (3120.4, 7860.2, 11950.7, 16830.5),
                               (2480.6, 8120.3, 12640.9, 18350.2)),
        "socioeconomic_targets_met": ((17, 19), (), (15, 16, 17, 18)),  # the plan year: estimated to be met ('ước đạt')
        "socioeconomic_targets_total": ((22, 22), (), (22, 22, 22, 22)),
    },
    "STC": {
        "enterprise_budget_share": ((48.6, 51.3), (47.9, 49.8, 50.6, 51.3), (49.2, 50.9, 51.8, 52.4)),
    },
}
ECONOMY_SOURCE = {"SKHDT": "Cục Thống kê tỉnh; Sở Kế hoạch và Đầu tư", "STC": "Sở Tài chính; Cục Thuế tỉnh"}


def economy_periods(plan: Plan, q: Quarter, values: tuple[tuple[float, ...], ...]) -> list[tuple[str, float]]:
    """(period, value) rows of one indicator in quarter q's file: the baseline year and the one before it, the
    baseline year's quarters (year to date), then q's year-to-date estimate."""
    years, base_quarters, quarters = values
    by = plan.baseline_year
    rows = [(str(by - len(years) + 1 + i), v) for i, v in enumerate(years)]
    rows += [(str(Quarter(by, i + 1)), v) for i, v in enumerate(base_quarters)]
    return rows + [(str(q), quarters[q.q - 1])]


def gen_economy(out: _Out) -> None:
    for q in out.quarters:
        for code, indicators in ECONOMY.items():
            rows = []
            for ind, values in indicators.items():
                for period, value in economy_periods(out.plan, q, values):
                    rows.append({"indicator": ind, "period": period, "value": float(value),
                                 "source": ECONOMY_SOURCE[code] + (" (ước tính)" if period == str(q) else "")})
            out.emit(q, "economy", code, rows, style="vn" if code == "SKHDT" else "plain")


# ------------------------------------------------------------------ disbursement
def disbursement_laggards(plan: Plan) -> tuple[set[str], dt.date | None]:
    """Agencies the plan names as slow to disburse (indices.yaml laggards on disbursement_rate) and the date the
    plan names them at; none and None when the plan names none."""
    units: set[str] = set()
    as_of = None
    for lag in sample.laggards(plan, "disbursement_rate"):
        units |= set(lag.get("departments") or ()) | set(lag.get("districts") or ())
        as_of = as_of or (dt.date.fromisoformat(lag["as_of"]) if lag.get("as_of") else None)
    return units, as_of


BIG_DEPARTMENTS = {"SGTVT", "SNNPTNT", "SYT", "SGDDT", "SVHTTDL", "STTTT", "SXD"}


def _disbursement_path(out: _Out, code: str, kind: str, lagging: bool, as_of: dt.date | None) -> dict[str, Any]:
    """Plan amount and disbursed share at each quarter's end and at the laggards' date (when the plan names one)."""
    rng = out.rng("disbursement", code)
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
    ends = [q.end for q in out.quarters]
    rates = dict(zip(ends, (mar, jun, sep, dec), strict=True)) | ({as_of: apr} if as_of else {})
    return {"plan": plan, "rates": dict(sorted(rates.items()))}


def gen_disbursement(out: _Out) -> None:
    lag, as_of = disbursement_laggards(out.plan)
    bodies = [a.code for a in out.plan.by_kind("provincial_body") if a.code in lag]
    units = [(c, "department") for c in out.departments()] + [(c, "provincial_body") for c in bodies]
    units += [(c, "district") for c in out.districts()]
    paths = {c: _disbursement_path(out, c, k, c in lag, as_of) for c, k in units}
    for q in out.quarters:
        cutoffs = [d for d in paths[units[0][0]]["rates"] if q.contains(d)]
        rows = []
        for cutoff in cutoffs:
            for c, _ in units:
                p = paths[c]
                rows.append({"agency_code": c, "cutoff_date": cutoff, "plan_amount": p["plan"],
                             "disbursed_amount": round(p["plan"] * p["rates"][cutoff], 1)})
        out.emit(q, "disbursement", "SKHDT", rows, style="vn")


# ------------------------------------------------------------------ organisation
# Public service units per department in the base year of the organisation contract (its column psu_count_2021).
DEPT_PSU_BASE = {"VPUBND": 3, "SNV": 3, "STP": 4, "SKHDT": 2, "STC": 1, "SCT": 3, "SNNPTNT": 14, "SGTVT": 3,
                 "SXD": 3, "STNMT": 5, "STTTT": 3, "SLDTBXH": 12, "SVHTTDL": 9, "SKHCN": 3, "SGDDT": 34, "SYT": 38,
                 "TTT": 0, "SNGV": 1, "BDT": 0}
PROGRESS = (0.7, 0.85, 0.95, 1.0)  # share of the year's reduction in public service units reached by quarter end


def _org_path(out: _Out, code: str, kind: str) -> dict[str, Any]:
    rng = out.rng("organisation", code)
    psu21 = DEPT_PSU_BASE[code] if kind == "department" else int(rng.integers(45, 96))
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
    units = [(c, "department") for c in out.departments()] + [(c, "district") for c in out.districts()]
    rng = out.rng("organisation", "leadership")
    non_compliant = [units[i][0] for i in rng.choice(len(units), size=4, replace=False)]
    fixed_by = dict(zip(non_compliant, (3, 3, 5, 5), strict=True))  # two fixed in Q3, two still not compliant
    for code, kind in units:
        p = _org_path(out, code, kind)
        for q in out.quarters:
            psu_now = p["psu21"] - round(p["cut"] * PROGRESS[q.q - 1])
            staff = p["quota_now"] + int(round(psu_now * p["per_unit"]))
            placed = min(staff, int(staff * min(1.0, p["placed"] + 0.01 * q.q)))
            row: dict[str, Any] = {
                "quarter": str(q),
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
            out.emit(q, "organisation", code, [row], style=_style(out, "organisation", code))


# ------------------------------------------------------------------ e_documents
DISTRICT_OFFICES = ["Văn phòng HĐND và UBND", "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch", "Phòng Tài nguyên và Môi trường",
                    "Phòng Giáo dục và Đào tạo", "Phòng Kinh tế và Hạ tầng", "Phòng Tư pháp",
                    "Phòng Lao động - Thương binh và Xã hội", "Phòng Văn hóa và Thông tin", "Phòng Y tế"]


def _e_documents_total(rows: list[dict]) -> dict:
    """The 'Tổng cộng' row an office adds under its table (the reader drops it)."""
    keys = ("docs_handled", "docs_handled_online", "docs_sent_electronic", "docs_received_electronic")
    return {"quarter": "Tổng cộng", **{k: sum(r[k] for r in rows) for k in keys}}


def gen_e_documents(out: _Out) -> None:
    for code in out.departments() + out.districts():
        rng = out.rng("e_documents", code)
        if code in out.departments():
            units = [("Toàn cơ quan", _u(rng, 600, 4000), _u(rng, 0.78, 0.93), True)]
        else:
            k = int(rng.integers(3, 7))
            picked = sorted(rng.choice(len(DISTRICT_OFFICES), size=k, replace=False).tolist())
            units = [(DISTRICT_OFFICES[i], _u(rng, 120, 1200), _u(rng, 0.40, 0.70), rng.random() > 0.12)
                     for i in picked]
        style = _style(out, "e_documents", code)
        for q in out.quarters:
            rq = out.rng("e_documents", code, str(q))
            rows = []
            for name, size, rate, connected in units:
                handled = int(size * _u(rq, 0.85, 1.15))
                rows.append({"quarter": str(q), "agency_code": code, "unit": name, "docs_handled": handled,
                             "docs_handled_online": int(handled * min(0.99, rate + 0.01 * q.q + _u(rq, -0.03, 0.03))),
                             "docs_sent_electronic": int(handled * _u(rq, 0.3, 0.5)),
                             "docs_received_electronic": int(handled * _u(rq, 0.5, 0.8)),
                             "connected_4level": connected or q.q >= 3})
            out.emit(q, "e_documents", code, rows, style=style, title="TÌNH HÌNH XỬ LÝ VĂN BẢN TRÊN MÔI TRƯỜNG MẠNG",
                     sheet="VBĐT", total=_e_documents_total)


# ------------------------------------------------------------------ online_services
def gen_online_services(out: _Out) -> None:
    for code, kind, levels in sample.dossier_units(out.plan):
        rng = out.rng("online_services", code)
        scope = int(rng.integers(30, 251)) if kind == "department" else int(rng.integers(240, 321))
        online0 = _u(rng, 0.42, 0.55) if kind == "department" else _u(rng, 0.32, 0.45)
        fee_share = _u(rng, 0.18, 0.35)
        payable0 = _u(rng, 0.65, 0.85)
        dossiers = out.dossiers(code, kind, levels)
        for q in out.quarters:
            rq = out.rng("online_services", code, str(q))
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


def _pakn_year(out: _Out, code: str, kind: str) -> list[dict[str, Any]]:
    rng = out.rng("pakn", code)
    per_q = (25, 46) if kind == "department" else (6, 21)
    p_ch = [0.45, 0.30, 0.05, 0.10, 0.10] if kind == "department" else [0.35, 0.20, 0.25, 0.15, 0.05]
    items = []
    for q in out.quarters:
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
        it["pakn_id"] = f"PA-{code}-{out.year % 100}{k:04d}"
    return items


def gen_pakn(out: _Out) -> None:
    units = [("VPUBND", "department")] + [(c, "district") for c in out.districts()]
    for code, kind in units:
        items = _pakn_year(out, code, kind)
        for q in out.quarters:
            rows = []
            for it in items:
                if it["received_date"] > q.end or (it["handled_at"] is not None and it["handled_at"] < q.start):
                    continue
                handled = it["handled_at"] if it["handled_at"] is not None and it["handled_at"] <= q.end else None
                rows.append({"pakn_id": it["pakn_id"], "agency_code": code, "level": it["level"],
                             "channel": it["channel"], "received_date": it["received_date"],
                             "deadline": it["deadline"], "handled_date": handled,
                             "answer_published": bool(handled and it["published"]), "summary": it["summary"]})
            out.emit(q, "pakn", code, rows)


# ------------------------------------------------------------------ entry point
GENERATORS: dict[str, Callable[[_Out], None]] = {
    "tthc_summary": gen_tthc_summary, "tthc_publication": gen_tthc_publication, "task_status": gen_task_status,
    "sipas_survey": gen_sipas_survey, "inspections": gen_inspections, "legal_docs": gen_legal_docs,
    "economy": gen_economy, "disbursement": gen_disbursement, "organisation": gen_organisation,
    "e_documents": gen_e_documents, "online_services": gen_online_services, "pakn": gen_pakn,
}


def generate_datasets(root: Path, plan: Plan, quarters: Iterable[Quarter | str] | None = None) -> list[Path]:
    """Write every dataset except tthc_dossiers for the quarters asked for (default: the plan's four) under root
    (data/raw), each only where the plan expects it; returns the files written."""
    out = _Out(Path(root), plan, quarters)
    for gen in GENERATORS.values():
        gen(out)
    return out.written

