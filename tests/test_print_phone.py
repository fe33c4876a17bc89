"""Phone and paper (issue 17 items 4 and 5) on rendered HTML and on report.css, without a browser.

The browser checks (browser_tests/) measure the real pages in Chromium; these tests pin the rules that make them
pass: the print-only header of a Vietnamese administrative report (Nghị định 30/2020/NĐ-CP) in the base layout, long
tables folded into closed <details> with what and how many, status cells marked, rows worst status first, and the
CSS that hides a closed <details> on paper, keeps rows whole and lays a table row out as a card on a phone.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from parplan.report import i18n, layout
from parplan.report import overview as ov

CSS = layout.CSS_FILE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- a small CSS reader (rules by media context)
def _blocks(text: str) -> list[tuple[str, str]]:
    """Top-level (prelude, body) pairs of a style sheet or of a block's body; comments dropped."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out, depth, start, prelude = [], 0, 0, ""
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                prelude, start = text[start:i].strip(), i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                out.append((prelude.split(";")[-1].strip(), text[start:i]))
                start = i + 1
    return out


def rules(media: str | None) -> list[tuple[str, str]]:
    """(selector, declarations) of the style sheet outside any @media (media None) or inside `@media <media>`."""
    out = []
    for prelude, body in _blocks(CSS):
        if prelude.startswith("@media"):
            if media is not None and prelude == f"@media {media}":
                out += [(s, b) for s, b in _blocks(body) if not s.startswith("@")]
        elif media is None and not prelude.startswith("@"):
            out.append((prelude, body))
    return out


def declared(media: str | None, selector: str, prop: str) -> list[str]:
    """The values `prop` is given by the rules whose selector list names `selector` exactly."""
    vals = []
    for sel, body in rules(media):
        if selector in [s.strip() for s in sel.split(",")]:
            vals += [v.strip() for p, v in re.findall(r"([-\w]+)\s*:\s*([^;]+)", body) if p == prop]
    return vals


PHONE = "(max-width: 480px)"


def test_css_reader_reads_a_known_sheet():
    """The reader itself: a rule outside, the same selector inside @media print, a nested @page block."""
    sheet = "a { color: red; } @media print { @page { size: A4; } a, b { color: blue } }"
    assert _blocks(sheet)[0] == ("a", " color: red; ")
    assert [p for p, _ in _blocks(sheet)] == ["a", "@media print"]
    assert [s for s, _ in _blocks(_blocks(sheet)[1][1])] == ["@page", "a, b"]


# ---------------------------------------------------------------- paper
def test_print_css_hides_closed_details_and_keeps_rows_whole():
    assert "none !important" in declared("print", "details:not([open]) > :not(summary)", "display")
    assert "avoid" in declared("print", "tr", "break-inside")
    assert "table-header-group" in declared("print", "thead", "display")  # a table's header on every page
    # a badge wraps inside its cell instead of running past it
    assert declared(None, ".badge", "white-space") == ["nowrap"]
    assert "normal" in declared("print", ".badge", "white-space")
    assert "none" in declared("print", ".site-header", "display")


def test_print_header_only_on_paper():
    assert declared(None, ".print-header", "display") == ["none"]
    assert declared("print", ".print-header", "display") == ["flex"]


def test_page_numbers_in_a_page_margin_box():
    page = next(body for prelude, body in _blocks(next(b for p, b in _blocks(CSS) if p == "@media print"))
                if prelude == "@page")
    assert "A4" in page
    bottom = dict(_blocks(page))["@bottom-center"]
    assert "counter(page)" in bottom


# the header of a report under Nghị định 30/2020/NĐ-CP (Phụ lục I): issuing body over its superior on the left with
# the number, the national name and motto on the right with the place-and-date line
ND30_VI = ["UBND TỈNH QUẢNG NAM", "SỞ NỘI VỤ", "Số: …/BC-SNV", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
           "Độc lập - Tự do - Hạnh phúc", "Quảng Nam, ngày … tháng … năm …"]
ND30_EN = ["QUẢNG NAM PROVINCIAL PEOPLE'S COMMITTEE", "DEPARTMENT OF HOME AFFAIRS", "No.: …/BC-SNV",
           "SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness"]


class _Header(HTMLParser):
    """Texts of the print header's two blocks, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.block: str | None = None
        self.depth = 0
        self.texts: dict[str, list[str]] = {"issuer": [], "nation": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = (dict(attrs).get("class") or "").split()
        if self.block:
            self.depth += 1
        elif "issuer" in cls or "nation" in cls:
            self.block, self.depth = ("issuer" if "issuer" in cls else "nation"), 0

    def handle_endtag(self, tag: str) -> None:
        if self.block:
            if self.depth == 0:
                self.block = None
            else:
                self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.block and data.strip():
            self.texts[self.block].append(data.strip())


@pytest.mark.parametrize("lang, expected", [("vi", ND30_VI), ("en", ND30_EN)])
def test_every_page_carries_the_administrative_header(lang, expected):
    html = layout.page("T", "<p>x</p>", lang, nav=True)
    head = html[html.index("<body>"):html.index("<main>")]
    assert 'class="print-header"' in head and head.index("print-header") < head.index("site-header")
    p = _Header()
    p.feed(head)
    assert p.texts["issuer"] == expected[:3]
    assert p.texts["nation"][:2] == expected[3:5]
    if lang == "vi":
        assert p.texts["nation"][2] == expected[5]
    # one place for the texts: the .docx report's header keys
    keys = ("superior", "issuer", "number", "nation", "motto", "place_date")
    assert p.texts["issuer"] + p.texts["nation"] == [i18n.t(f"docx.header.{k}", lang) for k in keys]
    assert "<h" not in head.split('class="print-header"')[1].split("</div>\n</div>")[0]  # no heading: order intact


# ---------------------------------------------------------------- long tables, status cells, urgency
def _table(n_rows: int, fold: str | None = "Danh sách") -> str:
    tpl = layout.environment().from_string(
        '{% import "macros.html.j2" as m %}{{ m.table(["Tên", "Giá trị", "Trạng thái"], rows, numeric=(1,), '
        'status=(2,), fold=fold) }}')
    rows = [[f"Đơn vị {i}", str(i), Markup('<span class="badge met">Đạt</span>')] for i in range(n_rows)]
    token = layout._page_lang.set("vi")
    try:
        return tpl.render(lang="vi", rows=rows, fold=fold)
    finally:
        layout._page_lang.reset(token)


def test_table_marks_status_cells_and_labels_every_cell():
    html = _table(3)
    assert html.count('<th scope="col" class="status">Trạng thái</th>') == 1
    assert html.count('<td data-label="Trạng thái" class="status">') == 3
    assert html.count('<td data-label="Giá trị" class="num">') == 3
    assert '<div class="table-wrap stack"><table>' in html and "<details" not in html


def test_a_long_table_folds_into_closed_details_saying_what_and_how_many():
    assert "<details" not in _table(10)                                   # ten rows: as they are
    html = _table(11)
    assert re.search(r'<details class="fold"><summary>Danh sách \(11\) — bấm để xem</summary>', html)
    assert "<details open" not in html and html.index("<table") > html.index("<summary>")
    assert "<details" not in _table(11, fold=None)                       # nothing said what the rows are


def test_rows_worst_status_first():
    rows = [{"k": s} for s in ("met", "off_track", None, "in_progress", "not_met", "overdue", "no_data")]
    # progress.SEVERITY: not_met 7, off_track = overdue 6 (in their order), no_data 4, in_progress 3, met 0, no status
    assert [r["k"] for r in ov.by_urgency(rows, "k")] == ["not_met", "off_track", "overdue", "no_data",
                                                         "in_progress", "met", None]


def _task(tid: str, status: str) -> dict:
    return {"task_id": tid, "short": f"Việc {tid}", "text": "Nội dung", "lead": ["Sở Nội vụ"], "due": None,
            "schedule": "recurring", "status": status, "self_reported": False,
            "evidence": [{"kind": "reports", "status": status, "n": 1}]}


def test_overview_tasks_print_the_failing_and_fold_the_rest():
    rows = [_task("A.I.1", "not_met"), _task("A.I.2", "overdue"), _task("A.I.3", "off_track"),
            _task("A.I.4", "in_progress"), _task("A.I.5", "met")]
    html = str(layout.render("overview/tasks.html.j2", "vi", rows=rows))
    open_part, folded = html.split("<details", 1)
    assert "<h3>Không đạt, Quá hạn, Chậm tiến độ: 3 nhiệm vụ</h3>" in open_part
    for tid in ("A.I.1", "A.I.2", "A.I.3"):
        assert tid in open_part and tid not in folded
    assert "A.I.4" in folded and "A.I.5" in folded and "A.I.4" not in open_part
    assert "<summary>Các nhiệm vụ còn lại (2) — bấm để xem</summary>" in folded
    assert open_part.count('<td class="status" data-label="Trạng thái">') == 3


# ---------------------------------------------------------------- phone
def test_phone_layout_keeps_name_and_status_first_and_nothing_wider_than_the_screen():
    assert declared(PHONE, ".stack td:first-child", "order") == ["-2"]
    assert declared(PHONE, ".stack td.status", "order") == ["-1"]
    assert "flex" in declared(PHONE, ".stack tr", "display")
    assert "100%" in declared(PHONE, ".stack td", "max-width")
    assert "attr(data-label)" in declared(PHONE, ".stack td[data-label]::before", "content")
    assert declared(None, "figure img", "max-width") == ["100%"]
    # cards never hide a cell: no display:none on cells that hold something
    assert not [s for s, b in rules(PHONE) if "td" in s and ":empty" not in s and "::before" not in s
                and re.search(r"display\s*:\s*none", b)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_header_passes_the_language_check(plan, lang):
    from parplan.report import language_check as lc

    html = layout.page("T", "<p>x</p>", lang, nav=True)
    assert lc.scan_html(html, lc.vocabulary(plan), "p.html", lang) == []
    # the check does see the header: the document symbol is notation, the agency code alone would be a hit
    assert "/BC-SNV" in html
    bare = html.replace("/BC-SNV", " SNV")
    assert [h.token for h in lc.scan_html(bare, lc.vocabulary(plan), "p.html", lang)] == ["SNV"]
