"""The language check of rendered pages (parplan.report.language_check) on small hand-made pages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from parplan.periods import Quarter
from parplan.report import language_check as lc
from parplan.store import Store

TASK_VI = "Tỷ lệ hồ sơ giải quyết đúng hạn"      # a short text: all of it must stand before or after the id
TASK_EN = "On-time rate of department dossiers"
VOCAB = lc.Vocabulary(
    tasks={"A.IV.4.1": {"vi": (TASK_VI,), "en": (TASK_EN,)}, "A.IV.4.2": {"vi": ("Tỷ lệ của huyện",), "en": ()}},
    ids={"agency_code": frozenset({"TAM_KY", "SNV"}), "dataset_id": frozenset({"tthc_dossiers", "economy"}),
         "metric_id": frozenset({"ontime_rate"}), "status_key": frozenset({"on_track", "met"}),
         "rule_id": frozenset({"date_format"})},
    english_words=("lead agencies", "data"), proper_names=("PAR INDEX",), vietnamese_allowed=frozenset({"kỳ"}),
    text_attributes=("title", "alt"),
)


def vi(body: str) -> str:
    return f'<!DOCTYPE html><html lang="vi"><head><title>Báo cáo</title><style>.on_track {{}}</style></head><body>{body}</body></html>'


def en(body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><title>Report</title></head><body>{body}</body></html>'


def hits(html: str, lang: str = "vi") -> list[tuple[str, str]]:
    return [(h.kind, h.token) for h in lc.scan_html(html, VOCAB, "p.html", lang)]


@pytest.mark.parametrize("body, kind, token", [
    ("<p>Nhiệm vụ A.IV.4.1 chậm tiến độ</p>", "task_id", "A.IV.4.1"),
    ("<h2>Sở Nội vụ (SNV)</h2>", "agency_code", "SNV"),
    ("<h2>Thành phố Tam Kỳ — TAM_KY</h2>", "agency_code", "TAM_KY"),      # a code, not just a snake_case word
    ("<td>Bộ dữ liệu tthc_dossiers</td>", "dataset_id", "tthc_dossiers"),
    ("<td>Bộ dữ liệu economy</td>", "dataset_id", "economy"),              # a plain-word id, on a Vietnamese page
    ("<td>Chỉ số ontime_rate</td>", "metric_id", "ontime_rate"),
    ("<td>Trạng thái: on_track</td>", "status_key", "on_track"),
    ("<td>Kết quả: met</td>", "status_key", "met"),
    ("<li>Quy tắc date_format</li>", "rule_id", "date_format"),
    ("<li>Cột completed_date trống</li>", "snake_case", "completed_date"),
    ("<p>Phương pháp: docs/method.md.</p>", "file_name", "docs/method.md"),
    ("<p>Tệp data/raw/2023Q2/tthc_dossiers/TAM_KY.xlsx bị từ chối</p>", "file_name",
     "data/raw/2023Q2/tthc_dossiers/TAM_KY.xlsx"),                          # one hit for the whole path
    ("<p>Tính bởi parplan.scoring.sipas</p>", "module_name", "parplan.scoring.sipas"),
    ("<th>Lead agencies</th>", "english_word", "Lead agencies"),
    ("<p>Nguồn: DATA</p>", "english_word", "DATA"),
])
def test_each_kind_is_caught_once_on_a_vietnamese_page(body: str, kind: str, token: str) -> None:
    assert hits(vi(body)) == [(kind, token)]


def test_a_hit_names_its_page_and_shows_its_context() -> None:
    [h] = lc.scan_html(vi("<h2>Báo cáo quý</h2><p>Sở Nội vụ (SNV) chưa nộp</p>"), VOCAB, "agencies/SNV.html")
    assert (h.page, h.kind, h.token) == ("agencies/SNV.html", "agency_code", "SNV")
    assert "Sở Nội vụ (SNV) chưa nộp" in h.context and "Báo cáo quý" in h.context   # text of the element before too


def test_every_occurrence_counts() -> None:
    assert hits(vi("<td>SNV</td><td>SNV</td><td>tthc_dossiers, tthc_dossiers</td>")) == [
        ("agency_code", "SNV"), ("agency_code", "SNV"), ("dataset_id", "tthc_dossiers"), ("dataset_id", "tthc_dossiers")]


def test_tokens_inside_longer_words_or_names_are_not_hits() -> None:
    # SNVX is not the code SNV; 'metal' is not 'met'; A.IV.4.10 is not A.IV.4.1; 'database' is not 'data'
    assert hits(vi("<p>SNVX metal database</p>")) == []
    assert hits(vi("<p>A.IV.4.10</p>")) == []


def test_a_task_id_beside_its_own_text_is_allowed() -> None:
    assert hits(vi(f"<tr><td>A.IV.4.1</td><td>{TASK_VI}</td></tr>")) == []          # followed, next cell
    assert hits(vi(f"<p>A.IV.4.1 — {TASK_VI.upper()}</p>")) == []                     # any case, a dash between
    assert hits(vi(f"<p>{TASK_VI} (A.IV.4.1)</p>")) == []                               # preceded
    assert hits(en(f"<p>A.IV.4.1: {TASK_EN}</p>"), "en") == []                         # the page language's text


def test_a_task_id_beside_other_text_is_a_hit() -> None:
    assert hits(vi("<p>A.IV.4.1 — Tỷ lệ của huyện</p>")) == [("task_id", "A.IV.4.1")]  # A.IV.4.2's text
    got = hits(en(f"<p>A.IV.4.1 {TASK_VI}</p>"), "en")                                  # the other language's text
    assert ("task_id", "A.IV.4.1") in got


def test_the_start_of_the_text_is_not_enough() -> None:
    # many tasks start 'Tỷ lệ hồ sơ…': seven of the eight words do not make the id readable
    assert hits(vi("<p>A.IV.4.1 Tỷ lệ hồ sơ giải quyết đúng</p>")) == [("task_id", "A.IV.4.1")]
    assert hits(vi("<p>lệ hồ sơ giải quyết đúng hạn A.IV.4.1</p>")) == [("task_id", "A.IV.4.1")]


def test_english_page_vietnamese_words_and_plain_word_ids() -> None:
    assert hits(en("<td>Status: Đạt</td>"), "en") == [("vietnamese_word", "Đạt")]
    assert hits(en("<td>đang</td>"), "en") == [("vietnamese_word", "đang")]             # đ alone marks it
    # allowed names from the data; a plain-word id is an ordinary English word on an English page
    assert hits(en("<h1>Tam Kỳ city</h1><p>The economy met its target</p>"), "en") == []
    assert hits(en("<p>SNV on_track</p>"), "en") == [("agency_code", "SNV"), ("status_key", "on_track")]


def test_the_page_language_comes_from_the_html_element() -> None:
    assert hits(vi("<td>Đạt</td>"), "en") == []                      # <html lang="vi"> wins over the caller's guess
    assert hits(en("<td>Đạt</td>"), "vi") == [("vietnamese_word", "Đạt")]


def test_visible_attributes_are_text_and_others_are_not() -> None:
    assert hits(vi('<img src="x.png" alt="Biểu đồ tthc_dossiers"><span title="SNV">Sở Nội vụ</span>')) == [
        ("dataset_id", "tthc_dossiers"), ("agency_code", "SNV")]
    assert hits(vi('<a href="docs/method.md" class="on_track" id="TAM_KY">Phương pháp</a>')) == []


def test_script_style_and_comments_are_not_text() -> None:
    assert hits(vi("<script>var on_track = 'SNV';</script><!-- tthc_dossiers --><p>Đạt</p>")) == []


def test_exempt_markup_is_respected() -> None:
    banner = '<div class="sample-banner" role="note">DỮ LIỆU MẪU — SAMPLE DATA: generated test data</div>'
    agency = '<td class="note agency-text">đã gửi file tthc_dossiers.xlsx cho SNV</td>'
    marked = "<div data-lang-exempt><p><b>TAM_KY</b> lead agencies</p></div>"
    assert hits(vi(banner + agency + marked)) == []
    assert hits(en(banner + '<td class="agency-text">Đã nộp</td>'), "en") == []


def test_exemption_ends_with_its_element() -> None:
    assert hits(vi('<div class="agency-text"><p>SNV</p></div><p>TAM_KY</p>')) == [("agency_code", "TAM_KY")]
    assert hits(vi('<div data-lang-exempt>SNV<br><img alt="x">SNV</div>SNV')) == [("agency_code", "SNV")]


def test_a_lang_attribute_allows_that_language_but_not_codes() -> None:
    assert hits(en('<p>Rating: <span lang="vi">Đạt</span></p>'), "en") == []
    assert hits(vi('<p><span lang="en">Lead agencies</span></p>')) == []
    assert hits(en('<p><span lang="vi">TAM_KY</span></p>'), "en") == [("agency_code", "TAM_KY")]


def test_urls_and_proper_names_are_not_hits() -> None:
    assert hits(vi("<p>Nguồn: https://example.org/data/some_file.json — PAR INDEX</p>")) == []


def test_an_agency_in_a_document_number_is_notation_not_a_code() -> None:
    # Nghị định 30/2020/NĐ-CP: number / document type - issuing body ('…/BC-SNV', '538/SNV-NS')
    assert hits(vi("<p>Số: …/BC-SNV; theo Công văn số 538/SNV-NS ngày 01/3/2023</p>")) == []
    assert hits(vi("<p>Số 12/2023/BC-SNV</p>")) == []
    assert hits(vi("<p>do SNV chủ trì; mẫu BC/SNV</p>")) == [("agency_code", "SNV"), ("agency_code", "SNV")]


def test_a_clean_page_passes() -> None:
    page = vi('<div class="sample-banner">DỮ LIỆU MẪU — SAMPLE DATA</div><main><h1>Tổng quan quý IV/2023</h1>'
              f'<table><tr><th>Nhiệm vụ</th><th>Cơ quan chủ trì</th><th>Tình trạng</th></tr><tr><td>A.IV.4.1</td>'
              f'<td>{TASK_VI}</td><td>Sở Nội vụ</td><td>Đạt 99,2 %</td></tr></table></main>')
    assert hits(page) == []


def test_is_vietnamese() -> None:
    assert [lc.is_vietnamese(w) for w in ("Đạt", "đi", "Quảng", "ư", "Quang", "data", "2023")] == [
        True, True, True, True, False, False, False]


def test_summary_counts_by_page_and_kind() -> None:
    hs = [lc.Hit("a.html", "agency_code", "SNV", ""), lc.Hit("a.html", "agency_code", "SNV", ""),
          lc.Hit("a.html", "file_name", "x.py", ""), lc.Hit("b.html", "english_word", "data", "")]
    lines = lc.summary(hs)
    assert lines[0] == "a.html: 3 — file_name 1, agency_code 2"
    assert lines[1] == "    SNV ×2 (agency_code); x.py ×1 (file_name)"
    assert lines[2] == "b.html: 1 — english_word 1"
    assert lines[-1] == "Tổng / total: 4 — file_name 1, agency_code 2, english_word 1"


# ---------------------------------------------------------------- from the data
def test_vocabulary_comes_from_the_data(plan) -> None:
    v = lc.vocabulary(plan)
    assert {"TAM_KY", "SNV", "ALL_DEPARTMENTS"} <= v.ids["agency_code"]               # agencies and groups
    assert {"tthc_dossiers", "task_status"} <= v.ids["dataset_id"]
    assert "ontime_rate" in v.ids["metric_id"]
    assert {"on_track", "not_yet_due", "done"} <= v.ids["status_key"]
    assert {"date_format", "in_set", "due_after_received", "pair_ge"} <= v.ids["rule_id"]  # generic, contract id, kind
    assert v.tasks["A.IV.4.1"] == {"vi": (plan.task("A.IV.4.1").short_vi,), "en": (plan.task("A.IV.4.1").short_en,)}
    assert plan.task("A.IV.4.1").short_vi                                               # the plan has one
    assert "A" not in v.tasks and "A.IV" in v.tasks                                      # ids without a dot are words
    assert "kỳ" in v.vietnamese_allowed                                                   # from 'Tam Kỳ city'
    assert "đạt" not in v.vietnamese_allowed


def test_only_a_tasks_short_text_counts_when_it_has_one() -> None:
    class Task:
        task_vi, task_en = "Văn bản đầy đủ của nhiệm vụ", "The full text"

        def short(self, lang: str) -> str:
            return {"vi": "Hồ sơ đúng hạn", "en": "On-time dossiers"}[lang]

    class Row:  # a task without Task.short: its short_<lang> field, else its full text
        short_vi, task_vi, short_en, task_en = "", "Văn bản đầy đủ", "Short", "Full"

    assert lc._task_texts(Task(), "vi") == ("Hồ sơ đúng hạn",)
    assert (lc._task_texts(Row(), "vi"), lc._task_texts(Row(), "en")) == (("Văn bản đầy đủ",), ("Short",))


def test_english_words_are_no_vietnamese_words_of_the_plan(plan) -> None:
    cfg = lc.load_config()
    texts = [x for t in plan.tasks for x in (t.task_vi, t.lead_vi, t.coordinating_vi, t.schedule_vi, t.result_vi)]
    texts += [a.name_vi for a in plan.agencies.values()]
    vi_text = " " + " ".join(" ".join(t.casefold().split()) for t in texts) + " "
    for e in cfg["english_words"]:
        assert e.get("why"), f"language_check.yaml: {e['word']!r} has no reason"
        assert not re.search(rf"(?<!\w){re.escape(e['word'].casefold())}(?!\w)", vi_text), e["word"]


def test_the_real_banner_is_exempt(plan) -> None:
    """The base layout's bilingual sample-data banner (both languages in one text) is never a hit; nor is its
    printed header (the province's name on an English page is one of the plan's names)."""
    from parplan.report.layout import page

    vocab = lc.vocabulary(plan)
    for lang in ("vi", "en"):
        html = page("x", "", lang, sample=True, nav=False)
        assert 'class="sample-banner"' in html and "SAMPLE DATA" in html and "DỮ LIỆU MẪU" in html
        assert lc.scan_html(html, vocab, "p.html", lang) == []


# ---------------------------------------------------------------- pages of a quarter
def project(tmp_path: Path) -> Store:
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "defaults.yaml").write_text("quarter: 2023Q2\n", encoding="utf-8")
    (tmp_path / "plans").mkdir()
    return Store.at(root=tmp_path)


def write(path: Path, html: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def test_pages_of_a_language_leave_out_the_other_languages(tmp_path: Path) -> None:
    for name in ("index.html", "agencies/SNV.html", "en/index.html", "render.log"):
        write(tmp_path / name, "")
    assert [p.relative_to(tmp_path).as_posix() for p in lc.pages(tmp_path, ["en"])] == ["agencies/SNV.html",
                                                                                         "index.html"]
    assert lc.pages(tmp_path / "missing") == []


def test_check_quarter_reports_hits_and_its_exit_code(tmp_path: Path, plan, monkeypatch) -> None:
    store, q = project(tmp_path), Quarter(2023, 2)
    monkeypatch.setattr(lc, "vocabulary", lambda plan: VOCAB)
    lines, code = lc.check_quarter(q, ["vi", "en"], store, plan)
    assert code == 2 and all("no pages" in line for line in lines)
    write(store.report_dir(q, "vi") / "index.html", vi("<p>Đạt</p>"))
    write(store.report_dir(q, "en") / "index.html", en("<p>Met</p>"))
    assert lc.check_quarter(q, ["vi", "en"], store, plan)[1] == 0
    write(store.report_dir(q, "vi") / "agencies" / "SNV.html", vi("<h1>SNV</h1>"))
    lines, code = lc.check_quarter(q, ["vi"], store, plan)
    assert code == 1
    assert lines[0] == "[vi] reports/2023Q2: 2 trang / pages, 1 lỗi ngôn ngữ / language hits"
    assert lines[1] == "agencies/SNV.html: 1 — agency_code 1"


def test_the_command_scans_the_pages_and_fails_on_a_hit(tmp_path: Path, plan, monkeypatch, capsys) -> None:
    from parplan import cli
    from parplan.store import ROOT_ENV

    store, q = project(tmp_path), Quarter(2023, 2)
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    monkeypatch.setattr(cli, "_plan", lambda args: plan)
    write(store.report_dir(q, "vi") / "index.html", vi("<h1>Sở Nội vụ</h1>"))
    assert cli.main(["language-check", "--quarter", "2023Q2", "--lang", "vi"]) == 0
    assert capsys.readouterr().out == "[vi] reports/2023Q2: 1 trang / pages, 0 lỗi ngôn ngữ / language hits\n"
    write(store.report_dir(q, "vi") / "overview.html", vi("<h1>Sở Nội vụ (SNV)</h1><p>TAM_KY</p>"))
    assert cli.main(["language-check", "--quarter", "2023Q2", "--lang", "vi"]) == 1
    out = capsys.readouterr().out
    assert "overview.html: 2 — agency_code 2" in out and "index.html:" not in out   # a clean page has no line
    assert cli.main(["language-check", "--quarter", "2023Q5"]) == 2          # a bad quarter: the CLI's error
