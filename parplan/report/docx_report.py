"""The report the department signs: the Department of Home Affairs' quarterly report to the Provincial People's
Committee (Sở Nội vụ → UBND tỉnh), as a .docx an officer edits, numbers, dates and signs.

One job: the pages' own views (report/overview.py, report/outlook.py: the same figures, the same verdicts) to a
document in the standard form of a Vietnamese administrative report (Nghị định 30/2020/NĐ-CP): header block
(issuing body, national motto), number placeholder, place and date line left for the officer to fill (never
today's date), title, *Kính gửi*, I. results by section of the plan with the headline figures and the PAR INDEX
outlook, II. shortcomings (off-track, overdue and unmet tasks with their lead agencies; units that miss a target;
agencies whose files were rejected or missing), III. next quarter's actions, *Nơi nhận*, signature block.

`view(...)` gathers plain data (numbers stay numbers, statuses stay keys, names not codes); `document(v)` lays it
out with python-docx, every text from the catalogue's `docx.*` (or `status.*`, and the outlook's verdict sentence),
every number through report/fmt.py; `write(path, v)` saves it with fixed core properties and zip entry times, so the
same inputs give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io as _io
import zipfile
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import scoring
from ..catalogue import Plan
from ..io import atomic_write, fixed_zip
from . import answer, fmt, i18n
from . import outlook as ol
from . import overview as ov
from .answer import task_brief
from .names import dataset_name, unit_name

FILE_NAME = "bao-cao-quy.docx"  # reports/<Q>/[<lang>/]bao-cao-quy.docx: a fixed ascii name in every language
# the tasks section II lists: behind schedule, past their deadline, or judged and missed
FAILING = ("off_track", "overdue", "not_met")
# each-unit targets whose missing units section II names
UNIT_FAILING = ("off_track", "not_met", "at_risk")
N_ACTIONS = 5  # next actions listed in section III
MAX_NAMES = 15  # units named in one line; the rest counted ("and 12 more")
# Nơi nhận, in order (docx.recipients.<key>)
RECIPIENTS = ("above", "chair", "office", "director", "archive")
# core properties and zip entry times are fixed (the zip format's epoch, as parplan/templates.py does for workbooks)
ZIP_TIME = zipfile.ZipInfo().date_time
FIXED_TIME = dt.datetime(*ZIP_TIME)
FONT = "Times New Roman"


def _t(key: str, lang: str, **fields: Any) -> str:
    """A catalogue text (the report's own are under `docx.`)."""
    return i18n.t(key, lang, **fields)


def _plain(html: Any) -> str:
    """Text of a fragment our own templates rendered (the outlook's verdict sentence), without its markup."""
    return Markup(str(html)).striptags()


# ---------------------------------------------------------------- the view
_task = task_brief  # a task as the report names it: short text, lead agencies' names, deadline (report/answer.py)


def _sections(ctx: ov.Context) -> list[dict[str, Any]]:
    """The plan's parts (PAR INDEX, SIPAS), each with its sections' task counts by status (overview.by_section)."""
    v = ov.by_section_view(ctx)
    if v is None:
        return []
    parts: dict[str, dict[str, Any]] = {}
    for r in v["rows"]:
        letter = ctx.plan.task(r["id"]).parent
        part = parts.setdefault(letter, {"name": ctx.plan.task(letter).short(ctx.lang), "sections": []})
        part["sections"].append({"name": r["short"], "total": r["total"],
                                 "counts": [(s, n) for s, n in zip(v["statuses"], r["counts"], strict=True) if n]})
    return list(parts.values())


def _levels(ctx: ov.Context, each_unit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """On-time resolution by level as the overview shows it: the level's verdict (how many units meet the target;
    its row of the overview's each-unit view) and its aggregate year-to-date rate (progress.parquet's figure)."""
    out = []
    for task_id, scope, _ in ov.ontime_levels(ctx.plan):
        verdict = next((r for r in each_unit if r["task"]["id"] == task_id), None)
        agg = ov.level_rows(ctx, task_id).query("role == 'aggregate_figure'")
        ytd = None
        if len(agg) and agg["value"].iloc[0] == agg["value"].iloc[0]:
            a = agg.iloc[0]
            ytd = {"value": float(a["value"]), "numerator": _number(a["numerator"]),
                   "denominator": _number(a["denominator"])}
            if ytd["denominator"] is None:
                ytd["numerator"] = None
        units = verdict["units"] if verdict else None
        out.append({"scope": scope, "threshold": ctx.plan.task(task_id).targets[0].describe(ctx.lang),
                    "status": verdict["status"] if verdict else None, "final": bool(units and units["final"]),
                    "n_ok": units["n_ok"] if units else 0, "n_units": units["n_units"] if units else 0, "ytd": ytd})
    return out


def _number(x: Any) -> float | None:
    return None if x is None or x != x else float(x)


def _failing_tasks(ctx: ov.Context) -> list[dict[str, Any]]:
    """Tasks off track, overdue or not met (task_progress.parquet), worst first, then in plan order."""
    if ctx.tasks.empty:
        return []
    rows = [r for r in ctx.tasks.itertuples() if r.status in FAILING]
    order = {s: i for i, s in enumerate(reversed(FAILING))}  # overdue, not met, then off track
    rows.sort(key=lambda r: order[r.status])
    return [{**_task(ctx.plan, r.task_id, ctx.lang, r.due), "status": str(r.status)} for r in rows]


def _unit_misses(each_unit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each-unit targets missed or at risk, with the names of the units that miss them (overview.each_unit)."""
    return [{"what": r["what"], "threshold": r["threshold"], "status": r["status"], "missing": r["units"]["missing"],
             "n_ok": r["units"]["n_ok"], "n_units": r["units"]["n_units"]}
            for r in each_unit if r["status"] in UNIT_FAILING and r["units"]["missing"]]


def _files(ctx: ov.Context) -> list[dict[str, Any]]:
    """The quarter's datasets with rejected files or agencies that sent nothing: dataset name, units' names."""
    m = ctx.manifests.get(ctx.quarter) or {"datasets": []}
    out = []
    for ds in m["datasets"]:
        rejected = [unit_name(ctx.plan, f["agency"], ctx.lang) for f in ds["files"] if f["verdict"] == "rejected"]
        missing = [unit_name(ctx.plan, c, ctx.lang) for c in ds["missing_submitters"]]
        if rejected or missing:
            out.append({"dataset": dataset_name(ds["dataset"], ctx.lang), "rejected": rejected, "missing": missing})
    return out


def _outlook(octx: ol.OutlookContext) -> dict[str, Any]:
    """The PAR INDEX projection and the goal-rank range (the outlook's own views), the verdict as its sentence."""
    tr = scoring.total_range(octx.projection)
    v = ol.verdict_view(octx)["verdict"]
    s = ol.sipas_view(octx, chart=False)
    return {"year": octx.assessment_year, "rank": octx.rank, "verdict": v["verdict"],
            "projected": [float(tr[sc]) for sc in ol.SCENARIOS], "low": float(octx.threshold["low"]),
            "high": float(octx.threshold["high"]), "threshold_projected": octx.threshold["basis"] == "projected",
            "sentence": _plain(ol.verdict_sentence(octx.verdict, octx.assessment_year, v["projected"], octx.lang,
                                                   rank=octx.rank)),
            "sipas": None if s["empty"] else {"quarter": s["survey_quarter"], "score_10": s["score_10"],
                                              "baseline": s["baseline_score_10"], "baseline_year": octx.baseline_year}}


def _actions(octx: ol.OutlookContext) -> list[dict[str, Any]]:
    """Next quarter's actions: the answer box's ranking (report/answer.py, scoring.rank_actions: points at stake,
    ties by urgency, one per field among the first three), each with its short text, lead agencies and deadline."""
    return answer.actions(octx, "PAR", N_ACTIONS)


def view(quarter: str, lang: str = "vi", data_root: str | Path = "data", sample_data: bool = True,
         plan: Plan | None = None, plans_root: Path | str | None = None) -> dict[str, Any]:
    """Everything the report says, as plain data, from the processed data of the quarter (the pages' views)."""
    ctx = ov.load_context(quarter, lang=lang, data_root=str(data_root), sample_data=sample_data, plan=plan,
                          plans_root=plans_root)
    octx = ol.load_outlook_context(quarter, lang=lang, data_root=str(data_root), plan=ctx.plan)
    q = ctx.quarter
    each_unit = (ov.each_unit_section_view(ctx) or {"rows": []})["rows"]
    return {"lang": lang, "sample": bool(sample_data), "quarter": q.label(lang), "ytd": q.ytd_label(lang),
            "end": q.end, "plan": ctx.plan.title(lang), "year": ctx.plan.year,
            "task_total": len(ctx.tasks), "task_counts": list(ov.status_counts(ctx.tasks["status"]).items())
            if len(ctx.tasks) else [],
            "parts": _sections(ctx), "kpis": ov.kpis_view(ctx)["items"], "levels": _levels(ctx, each_unit),
            "outlook": _outlook(octx), "failing": _failing_tasks(ctx), "unit_misses": _unit_misses(each_unit),
            "files": _files(ctx), "actions": _actions(octx)}


# ---------------------------------------------------------------- texts of the view's pieces
def _names(names: list[str], lang: str, most: int | None = None) -> str:
    """Names joined by the catalogue's separator; past `most`, the rest counted."""
    if not names:
        return fmt.missing(lang)
    shown = names if most is None or len(names) <= most else names[:most]
    text = _t("docx.list_sep", lang).join(shown)
    return text + (_t("docx.more", lang, n=fmt.count(len(names) - len(shown), lang)) if len(shown) < len(names) else "")


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _status(status: str, lang: str) -> str:
    return i18n.t(f"status.{status}", lang).lower()


def _counts(counts: list[tuple[str, int]], lang: str) -> str:
    return _t("docx.list_sep", lang).join(_t("docx.results.count_item", lang, n=fmt.count(n, lang), status=_status(s, lang))
                                     for s, n in counts)


def _due(task: dict[str, Any], lang: str) -> str:
    if task["due"]:
        return fmt.date(task["due"], lang)
    kind = task["schedule"] if task["schedule"] in ("recurring", "external") else "none"
    return _t(f"docx.schedule.{kind}", lang)


def _ratio(r: dict[str, Any] | None, lang: str) -> str:
    """'98,7 % (12.345/12.500)' as the overview writes a rate with its counts."""
    if not r or r.get("value") is None:
        return fmt.missing(lang)
    text = fmt.pct(r["value"], lang)
    if r.get("denominator") is not None:
        text += " " + _t("docx.results.ratio_counts", lang, numerator=_amount(r["numerator"], lang),
                         denominator=_amount(r["denominator"], lang))
    return text


def _amount(x: float | None, lang: str) -> str:
    if x is None:
        return fmt.missing(lang)
    return fmt.count(x, lang) if float(x) == int(x) else fmt.number(x, lang, 1)


def _kpi(k: dict[str, Any], lang: str) -> str:
    text = _t("docx.results.kpi", lang, name=i18n.t(f"overview.kpis.{k['metric']}", lang), value=_ratio(k, lang))
    if k.get("target"):
        text += _t("docx.results.kpi_target", lang, threshold=k["target"])
        if k.get("status"):
            text += _t("docx.results.kpi_status", lang, status=_status(k["status"], lang))
    return text + "."


def _level(lv: dict[str, Any], lang: str) -> str:
    noun = i18n.t(f"overview.nouns.{lv['scope']}", lang)
    units = i18n.t("overview.units.final" if lv["final"] else "overview.units.on_course", lang,
                   ok=fmt.count(lv["n_ok"], lang), n=fmt.count(lv["n_units"], lang), noun=noun)
    return _t("docx.results.level", lang, level=i18n.t(f"overview.levels.{lv['scope']}", lang), threshold=lv["threshold"],
              units=units, rate=_ratio(lv["ytd"], lang),
              status=_status(lv["status"], lang) if lv["status"] else fmt.missing(lang))


def _task_line(key: str, task: dict[str, Any], lang: str) -> str:
    return _t(key, lang, task=task["short"], lead=_names(task["lead"], lang), due=_due(task, lang),
              status=_status(task["status"], lang))


def _range3(values: list[float], lang: str) -> str:
    return " – ".join(fmt.number(x, lang, 2) for x in values)


# ---------------------------------------------------------------- the document
def _style(doc: Any, lang: str) -> None:
    """A4, the decree's margins (top and bottom 20 mm, left 30 mm, right 15 mm), Times New Roman 13 pt, the
    document's language (for spelling)."""
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    for s in doc.sections:
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), _t("docx.language_tag", lang))
    normal.paragraph_format.space_after = Pt(6)


def _para(doc_or_cell: Any, text: str = "", *, bold: bool = False, italic: bool = False, size: float | None = None,
          align: str | None = None, indent: bool = False, color: str | None = None, after: float | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    p = doc_or_cell.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
                   None: None}[align]
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    return p


def _heading(doc: Any, text: str, level: int = 1) -> Any:
    """A numbered heading of the report (I., 1., a)) in the document's own heading styles, set in the body font."""
    from docx.shared import Pt, RGBColor

    h = doc.add_heading(text, level=level)
    for run in h.runs:
        run.font.name, run.font.size, run.font.color.rgb = FONT, Pt(13), RGBColor(0, 0, 0)
        run.italic = level == 3 or None
    return h


def _grid(doc: Any, widths_mm: tuple[float, float]) -> Any:
    """A borderless two-column table (the header block and the signature block are laid out in one)."""
    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    for cell, w in zip(table.rows[0].cells, widths_mm, strict=True):
        cell.width = Mm(w)
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)  # the cell's empty paragraph
    return table.rows[0].cells


def _header(doc: Any, v: dict[str, Any], lang: str) -> None:
    """Issuing body and number on the left, the national name, motto and place-and-date line on the right."""
    left, right = _grid(doc, (70, 95))
    _para(left, _t("docx.header.superior", lang), size=13, align="center", after=0)
    _para(left, _t("docx.header.issuer", lang), bold=True, size=13, align="center", after=0)
    _para(left, "———", align="center", after=6)
    _para(left, _t("docx.header.number", lang), size=13, align="center", after=0)
    _para(right, _t("docx.header.nation", lang), bold=True, size=12, align="center", after=0)
    _para(right, _t("docx.header.motto", lang), bold=True, size=13, align="center", after=0)
    _para(right, "———————", align="center", after=6)
    _para(right, _t("docx.header.place_date", lang), italic=True, size=13, align="center", after=0)


def document(v: dict[str, Any]) -> Any:
    """The report as a python-docx Document, laid out from the view `v` (every text from the catalogue)."""
    import docx

    lang = v["lang"]
    doc = docx.Document()
    _style(doc, lang)
    if v["sample"]:
        _para(doc, _t("docx.sample_note", lang), bold=True, color="B42318", align="center")
    _header(doc, v, lang)
    _para(doc, "", after=0)
    _para(doc, _t("docx.kind", lang), bold=True, size=14, align="center", after=0)
    _para(doc, _t("docx.title", lang, plan=v["plan"], quarter=v["quarter"]), bold=True, size=14, align="center")
    _para(doc, _t("docx.to", lang), align="center")
    _para(doc, _t("docx.opening", lang, plan=v["plan"], quarter=v["quarter"], ytd=v["ytd"], date=fmt.date(v["end"], lang)),
          indent=True, align="justify")
    _results(doc, v, lang)
    _problems(doc, v, lang)
    _next(doc, v, lang)
    _closing(doc, lang)
    doc.core_properties.title = _t("docx.kind", lang).capitalize() + " " + _t("docx.title", lang, plan=v["plan"],
                                                                          quarter=v["quarter"])
    return doc


def _results(doc: Any, v: dict[str, Any], lang: str) -> None:
    """I. Kết quả thực hiện: tasks by part and section, the headline figures, the PAR INDEX outlook."""
    _heading(doc, _t("docx.results.heading", lang), 1)
    _heading(doc, _t("docx.results.tasks_heading", lang), 2)
    if v["task_total"]:
        _para(doc, _t("docx.results.tasks_total", lang, n=fmt.count(v["task_total"], lang), date=fmt.date(v["end"], lang),
                      counts=_counts(v["task_counts"], lang)), indent=True, align="justify")
    else:
        _para(doc, _t("docx.results.no_tasks", lang), indent=True)
    for letter, part in zip("abcdefgh", v["parts"], strict=False):
        _heading(doc, f"{letter}) {part['name']}", 3)
        for s in part["sections"]:
            _para(doc, _t("docx.results.section", lang, name=s["name"], n=fmt.count(s["total"], lang),
                          counts=_counts(s["counts"], lang)), indent=True, align="justify")
    _heading(doc, _t("docx.results.figures_heading", lang, ytd=v["ytd"]), 2)
    for k in v["kpis"]:
        _para(doc, _kpi(k, lang), indent=True, align="justify")
    for lv in v["levels"]:
        _para(doc, _level(lv, lang), indent=True, align="justify")
    if not v["kpis"] and not v["levels"]:
        _para(doc, _t("docx.results.no_figures", lang), indent=True)
    o = v["outlook"]
    _heading(doc, _t("docx.results.outlook_heading", lang, year=o["year"]), 2)
    _para(doc, _t("docx.results.projection", lang, year=o["year"], range=_range3(o["projected"], lang)), indent=True,
          align="justify")
    _para(doc, _t("docx.results.threshold", lang, year=o["year"], rank=fmt.count(o["rank"], lang),
                  low=fmt.number(o["low"], lang, 2), high=fmt.number(o["high"], lang, 2),
                  how=_t("docx.results.threshold_" + ("projected" if o["threshold_projected"] else "published"),
                         lang)), indent=True, align="justify")
    _para(doc, o["sentence"], indent=True, align="justify", bold=True)
    s = o["sipas"]
    if s:
        _para(doc, _t("docx.results.sipas", lang, quarter=s["quarter"], score=fmt.number(s["score_10"], lang, 2),
                      year=s["baseline_year"], baseline=fmt.number(s["baseline"], lang, 2)), indent=True,
              align="justify")
    else:
        _para(doc, _t("docx.results.no_sipas", lang), indent=True)


def _problems(doc: Any, v: dict[str, Any], lang: str) -> None:
    """II. Tồn tại, hạn chế: failing tasks with their lead agencies, units missing a target, files."""
    _heading(doc, _t("docx.problems.heading", lang), 1)
    _heading(doc, _t("docx.problems.tasks_heading", lang), 2)
    for t in v["failing"]:
        _para(doc, "– " + _task_line("docx.problems.task", t, lang), indent=True, align="justify")
    if not v["failing"]:
        _para(doc, _t("docx.problems.no_tasks", lang), indent=True)
    _heading(doc, _t("docx.problems.units_heading", lang), 2)
    for u in v["unit_misses"]:
        _para(doc, "– " + _t("docx.problems.unit", lang, what=_first_upper(u["what"]), threshold=u["threshold"],
                             status=_status(u["status"], lang), ok=fmt.count(u["n_ok"], lang),
                             n=fmt.count(u["n_units"], lang), units=_names(u["missing"], lang, MAX_NAMES)),
              indent=True, align="justify")
    if not v["unit_misses"]:
        _para(doc, _t("docx.problems.no_units", lang), indent=True)
    _heading(doc, _t("docx.problems.files_heading", lang), 2)
    for f in v["files"]:
        if f["rejected"]:
            _para(doc, "– " + _t("docx.problems.rejected", lang, dataset=f["dataset"], units=_names(f["rejected"], lang)),
                  indent=True, align="justify")
        if f["missing"]:
            _para(doc, "– " + _t("docx.problems.missing", lang, dataset=f["dataset"], units=_names(f["missing"], lang)),
                  indent=True, align="justify")
    if not v["files"]:
        _para(doc, _t("docx.problems.no_files", lang), indent=True)


def _next(doc: Any, v: dict[str, Any], lang: str) -> None:
    """III. Nhiệm vụ, giải pháp quý tới: the actions that would add most points, then the overdue and the files."""
    _heading(doc, _t("docx.actions.heading", lang), 1)
    n = 0
    if v["actions"]:
        n += 1
        _para(doc, f"{n}. " + _t("docx.actions.points_intro", lang, year=v["outlook"]["year"]), indent=True,
              align="justify")
        for a in v["actions"]:
            _para(doc, "– " + _task_line("docx.actions.task", a, lang), indent=True, align="justify")
    if v["failing"]:
        n += 1
        _para(doc, f"{n}. " + _t("docx.actions.failing", lang), indent=True, align="justify")
    if v["files"]:
        n += 1
        _para(doc, f"{n}. " + _t("docx.actions.files", lang), indent=True, align="justify")
    n += 1
    _para(doc, f"{n}. " + _t("docx.actions.report", lang), indent=True, align="justify")


def _closing(doc: Any, lang: str) -> None:
    """Nơi nhận on the left, the signature block (GIÁM ĐỐC, room to sign, a blank for the name) on the right."""
    _para(doc, "", after=0)
    left, right = _grid(doc, (80, 85))
    _para(left, _t("docx.recipients.heading", lang), bold=True, italic=True, size=12, after=0)
    for key in RECIPIENTS:
        _para(left, _t(f"docx.recipients.{key}", lang), size=11, after=0)
    _para(right, _t("docx.signature.title", lang), bold=True, size=13, align="center", after=0)
    _para(right, _t("docx.signature.sign", lang), italic=True, size=12, align="center", after=0)
    for _ in range(4):
        _para(right, "", after=0)
    _para(right, _t("docx.signature.name", lang), bold=True, size=13, align="center", after=0)


# ---------------------------------------------------------------- the same bytes for the same inputs
def to_bytes(doc: Any, lang: str, when: dt.datetime = FIXED_TIME) -> bytes:
    """The document's bytes with fixed core properties (author, times, revision) and fixed zip entry times."""
    cp = doc.core_properties
    cp.author = cp.last_modified_by = _t("docx.author", lang)
    cp.created = cp.modified = cp.last_printed = when
    cp.revision = 1
    cp.language = _t("docx.language_tag", lang)
    cp.comments = cp.keywords = cp.subject = cp.category = ""
    buf = _io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue(), when)


def write(path: Path | str, v: dict[str, Any]) -> Path:
    """Write the report of view `v` to `path` atomically (the same view gives the same bytes)."""
    data = to_bytes(document(v), v["lang"])
    path = Path(path)
    atomic_write(path, lambda p: p.write_bytes(data))
    return path


def write_report(quarter: str, folder: Path | str, lang: str = "vi", data_root: str | Path = "data",
                 sample_data: bool = True, plan: Plan | None = None) -> Path:
    """<folder>/bao-cao-quy.docx for a quarter in one language, from its processed data."""
    return write(Path(folder) / FILE_NAME, view(quarter, lang, data_root, sample_data, plan))
