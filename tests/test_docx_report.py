"""The department's quarterly report (.docx, parplan/report/docx_report.py): it opens with python-docx, has the form of
an administrative report and its three sections, its figures are those worked out here from the processed data (the
overview's), it names tasks and agencies (never codes), and two generations give the same bytes."""
from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest

from parplan import scoring
from parplan.catalogue import load_plan
from parplan.periods import Quarter
from parplan.report import docx_report, i18n, index_page, language_check
from parplan.store import Store

Q = Quarter(2023, 2)


@pytest.fixture(scope="module")
def generated(prepared_2023, tmp_path_factory):
    """The 2023Q2 report in Vietnamese written twice (two separate generations) and in English once."""
    out = tmp_path_factory.mktemp("docx")
    first = docx_report.write_report(str(Q), out / "a", "vi", prepared_2023, True)
    second = docx_report.write_report(str(Q), out / "b", "vi", prepared_2023, True)
    english = docx_report.write_report(str(Q), out / "en", "en", prepared_2023, True)
    return {"vi": first, "vi_again": second, "en": english, "data": prepared_2023}


def paragraphs(path: Path) -> list[str]:
    """Every paragraph's text: the body's, then the tables' cells (header block, Nơi nhận, signature)."""
    d = docx.Document(str(path))
    cells = [p.text for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return [p.text for p in d.paragraphs] + cells


def body(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def section(lines: list[str], lang: str, start: str, end: str | None) -> list[str]:
    """The body's lines from one top-level heading to the next."""
    a = lines.index(i18n.t(f"docx.{start}.heading", lang))
    b = lines.index(i18n.t(f"docx.{end}.heading", lang)) if end else len(lines)
    return lines[a + 1:b]


def processed(data: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(Store.for_data(data).processed(Q, name))


def vi_pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",") + " %"


def vi_count(n: float) -> str:
    return f"{int(n):,}".replace(",", ".")


def vi_points(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


# ---------------------------------------------------------------- the form
def test_the_docx_opens_and_has_its_three_sections_in_order(generated):
    for lang in ("vi", "en"):
        lines = body(generated[lang])
        heads = [i18n.t(f"docx.{s}.heading", lang) for s in ("results", "problems", "actions")]
        at = [lines.index(h) for h in heads]
        assert at == sorted(at), at
        styles = {p.text: p.style.name for p in docx.Document(str(generated[lang])).paragraphs}
        assert all(styles[h] == "Heading 1" for h in heads)
    vi = body(generated["vi"])
    assert "I. KẾT QUẢ THỰC HIỆN" in vi and "II. TỒN TẠI, HẠN CHẾ" in vi and "III. NHIỆM VỤ, GIẢI PHÁP QUÝ TỚI" in vi


def test_the_administrative_form_header_title_recipients_and_signature(generated):
    lines = paragraphs(generated["vi"])
    for text in ("UBND TỈNH QUẢNG NAM", "SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Số: …/BC-SNV", "BÁO CÁO", "Kính gửi: Ủy ban nhân dân tỉnh.", "Nơi nhận:", "GIÁM ĐỐC"):
        assert text in lines, text
    # the place and date line is left for the officer: no day, month or year filled in (never today's date)
    place = next(x for x in lines if x.startswith("Quảng Nam, ngày"))
    assert not re.search(r"\d", place), place
    plan = load_plan(2023)
    assert f"Kết quả thực hiện {plan.title('vi')}, Quý II/2023" in lines
    d = docx.Document(str(generated["vi"]))
    left, right = d.tables[-1].rows[0].cells  # Nơi nhận on the left, the signature block on the right
    assert left.paragraphs[0].text == "Nơi nhận:" and right.paragraphs[0].text == "GIÁM ĐỐC"
    assert right.paragraphs[-1].text.strip("…") == ""  # a blank for the director's name


def test_sample_data_carries_a_visible_note_at_the_top(generated, prepared_2023):
    first = docx.Document(str(generated["vi"])).paragraphs[0]
    assert first.text == i18n.t("docx.sample_note", "vi") and first.runs[0].bold
    assert "DỮ LIỆU MẪU" in first.text
    v = docx_report.view(str(Q), "vi", prepared_2023, sample_data=False)
    real = docx_report.document(v)
    assert all(i18n.t("docx.sample_note", "vi") != p.text for p in real.paragraphs)


# ---------------------------------------------------------------- the figures, worked out from the processed data
def test_task_counts_per_status_are_those_of_task_progress(generated):
    tasks = processed(generated["data"], "task_progress")
    counts = tasks["status"].value_counts()
    lines = section(body(generated["vi"]), "vi", "results", "problems")
    total = next(x for x in lines if x.startswith("Kế hoạch có "))
    assert total.startswith(f"Kế hoạch có {len(tasks)} nhiệm vụ; đến ngày 30/06/2023: ")
    for status, n in counts.items():
        assert f"{n} nhiệm vụ {i18n.t(f'status.{status}', 'vi').lower()}" in total, (status, n, total)
    assert sum(int(m) for m in re.findall(r"(\d+) nhiệm vụ", total.split(": ", 1)[1])) == len(tasks)
    # by section of the plan: every section's own count
    plan = load_plan(2023)
    for sec in (x for x in plan.tasks if x.parent in ("A", "B")):
        n = int(((tasks["index"] == sec.index) & (tasks["field"] == sec.field)).sum())
        assert any(x.startswith(f"{sec.short('vi')}: {n} nhiệm vụ") for x in lines), sec.id


def test_headline_figures_are_the_indicators(generated):
    ind = processed(generated["data"], "indicators")
    lines = section(body(generated["vi"]), "vi", "results", "problems")

    def ytd(metric: str) -> pd.Series:
        return ind[(ind["metric"] == metric) & (ind["period"] == "YTD") & (ind["agency"] == "PROVINCE")].iloc[0]

    for metric, name in (("ontime_rate", "Hồ sơ giải quyết đúng hạn (toàn tỉnh)"),
                         ("online_dossier_share", "Hồ sơ giải quyết trực tuyến"),
                         ("online_payment_rate", "Thanh toán trực tuyến")):
        r = ytd(metric)
        want = f"{name}: {vi_pct(r.value)} ({vi_count(r.numerator)}/{vi_count(r.denominator)})"
        assert any(x.startswith(want) for x in lines), (want, lines)
    # the on-time rate of each level: the aggregate figure of the level's task in progress.parquet
    prog = processed(generated["data"], "progress")
    agg = prog[(prog["metric"] == "ontime_rate") & (prog["role"] == "aggregate_figure")]
    assert len(agg) == 3
    for r in agg.itertuples():
        rate = f"tỷ lệ chung {vi_pct(r.value)} ({vi_count(r.numerator)}/{vi_count(r.denominator)})"
        assert sum(rate in x for x in lines) >= 1, rate
        units = prog[(prog["task_id"] == r.task_id) & (prog["role"] == "target")]
        ok = int(units["status"].isin(["met", "on_course"]).sum())
        assert any(rate in x and f"{ok}/{len(units)} " in x for x in lines), (r.task_id, ok, len(units))


def test_par_index_projection_and_the_goal_rank_range(generated):
    plan = load_plan(2023)
    tasks = processed(generated["data"], "task_progress")
    day = scoring.as_of_date(Q, plan)
    tr = scoring.total_range(scoring.project(tasks, plan, day))
    th = scoring.rank25_outlook(day, plan)
    verdict = scoring.verdict(tr, th)["verdict"]
    lines = section(body(generated["vi"]), "vi", "results", "problems")
    rng = " – ".join(vi_points(tr[s]) for s in ("pessimistic", "expected", "optimistic"))
    assert any(rng in x for x in lines), rng
    assert any(f"{vi_points(th['low'])}–{vi_points(th['high'])} điểm" in x and "xếp thứ 25" in x for x in lines)
    word = i18n.t(f"outlook.verdict.word.{verdict}", "vi")
    assert any(x.startswith("Vào nhóm 25 tỉnh dẫn đầu năm 2023: " + word) for x in lines), word


# ---------------------------------------------------------------- II and III
def test_shortcomings_list_failing_tasks_with_lead_agencies_and_rejected_files(generated):
    plan = load_plan(2023)
    tasks = processed(generated["data"], "task_progress")
    lines = section(body(generated["vi"]), "vi", "problems", "actions")
    failing = tasks[tasks["status"].isin(["off_track", "overdue", "not_met"])]
    assert len(failing)
    for r in failing.itertuples():
        t = plan.task(r.task_id)
        line = next((x for x in lines if x.startswith(f"– {t.short('vi')} (")), None)
        assert line is not None, r.task_id
        assert i18n.t(f"status.{r.status}", "vi").lower() in line
        assert all(plan.agencies[c].name("vi") in line for c in t.lead), (line, t.lead)
    not_failing = tasks[~tasks["status"].isin(["off_track", "overdue", "not_met"])]
    assert not any(x.startswith(f"– {plan.task(t).short('vi')} (") for t in not_failing["task_id"] for x in lines)
    manifest = json.loads(Store.for_data(generated["data"]).manifest(Q).read_text(encoding="utf-8"))
    rejected = [(ds["dataset"], f["agency"]) for ds in manifest["datasets"] for f in ds["files"]
                if f["verdict"] == "rejected"]
    missing = [(ds["dataset"], c) for ds in manifest["datasets"] for c in ds["missing_submitters"]]
    assert rejected or missing
    for _, code in rejected:
        assert any("tệp bị từ chối" in x and plan.agencies[code].name("vi") in x for x in lines), code
    for _, code in missing:
        assert any("chưa gửi" in x and plan.agencies[code].name("vi") in x for x in lines), code


def test_next_actions_are_the_what_if_tasks_with_lead_and_deadline(generated):
    plan = load_plan(2023)
    tasks = processed(generated["data"], "task_progress")
    w = scoring.what_if(tasks, plan, top=docx_report.N_ACTIONS)
    assert len(w)
    lines = section(body(generated["vi"]), "vi", "actions", None)
    for tid in w["task_id"]:
        t = plan.task(tid)
        line = next((x for x in lines if x.startswith(f"– {t.short('vi')} — cơ quan chủ trì: ")), None)
        assert line is not None, tid
        assert all(plan.agencies[c].name("vi") in line for c in t.lead)
        due = t.schedule.get("due")
        assert (f"thời hạn: {due[8:10]}/{due[5:7]}/{due[:4]}" if due else "thời hạn: ") in line


# ---------------------------------------------------------------- names, not codes; one language
def _as_html(lines: list[str], lang: str) -> str:
    """The document's texts as a page for the language check; the document number ('Số: …/BC-SNV', the issuing
    body's registered abbreviation in the decree's form) is exempt, as a page's exempt markup is."""
    number = i18n.t("docx.header.number", lang)
    ps = "".join(f"<p data-lang-exempt>{html.escape(x)}</p>" if x == number else f"<p>{html.escape(x)}</p>"
                 for x in lines if x)
    return f'<html lang="{lang}"><body>{ps}</body></html>'


def test_names_not_codes_and_the_page_language(generated):
    plan = load_plan(2023)
    vocab = language_check.vocabulary(plan)
    for lang in ("vi", "en"):
        lines = paragraphs(generated[lang])
        hits = language_check.scan_html(_as_html(lines, lang), vocab, docx_report.FILE_NAME, lang)
        assert hits == [], (lang, hits[:5])
        text = "\n".join(x for x in lines if x != i18n.t("docx.header.number", lang))
        ids = re.findall(r"\b[AB](?:\.[IVX]+)(?:\.\d+)*\b", text)
        assert ids == [], ids
        codes = [c for c in plan.agencies if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
        assert codes == [], codes


def test_english_report_reads_in_english(generated):
    lines = paragraphs(generated["en"])
    assert "I. RESULTS" in lines and "II. SHORTCOMINGS" in lines and "DIRECTOR" in lines
    assert not any("Kính gửi" in x or "nhiệm vụ" in x for x in lines)


# ---------------------------------------------------------------- the same bytes
def test_two_generations_are_byte_identical_with_fixed_times(generated):
    a, b = generated["vi"].read_bytes(), generated["vi_again"].read_bytes()
    assert a == b
    with zipfile.ZipFile(generated["vi"]) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    cp = docx.Document(str(generated["vi"])).core_properties
    assert cp.created.replace(tzinfo=None) == cp.modified.replace(tzinfo=None) == docx_report.FIXED_TIME
    assert cp.revision == 1


def test_the_index_links_the_report_when_it_exists(tmp_path, plan):
    summary = {"files": {}, "task_statuses": {}, "agencies": []}
    hrefs = [r["href"] for r in index_page.view(Q, tmp_path, "vi", summary, plan, [])["reports"]]
    assert docx_report.FILE_NAME not in hrefs
    (tmp_path / docx_report.FILE_NAME).write_bytes(b"")
    reports = index_page.view(Q, tmp_path, "vi", summary, plan, [])["reports"]
    assert {"href": docx_report.FILE_NAME, "key": "index.link_docx"} in reports
    assert i18n.t("index.link_docx", "vi") and i18n.t("index.link_docx", "en")
