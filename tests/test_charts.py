"""Charts (parplan/report/charts.py and the pages' chart functions) and the links from agency names to scorecards
(parplan/report/names.py): no data is no bar, shares from 0, one colour-blind-safe palette, a legend on every chart,
status in text and hatch, the same bytes for the same inputs; every agency name in a table links to its scorecard."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from parplan.periods import Quarter
from parplan.progress import target_status, task_progress
from parplan.report import charts, fmt, i18n, layout, names
from parplan.report import outlook as ol
from parplan.report import overview as ov
from parplan.report import scorecard as sc

PALETTE = {to_hex(c) for c in charts.COLOURS.values()} | {"#ffffff"}  # white: hatch strokes and bar edges


# ---------------------------------------------------------------- helpers
def bars(ax) -> list[Rectangle]:
    """The bars of an Axes (its Rectangle patches other than the background)."""
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def texts(fig) -> list[str]:
    """Every text drawn on a figure: titles, labels, notes and legend entries."""
    out = [t.get_text() for ax in fig.axes for t in ax.texts]
    out += [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")]
    out += [ax.get_xlabel() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes]
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    out += [t.get_text() for lg in legends for t in lg.get_texts()] + [lg.get_title().get_text() for lg in legends]
    return out + ([fig._suptitle.get_text()] if fig._suptitle else [])


def legend_labels(fig) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def colours_drawn(fig) -> set[str]:
    """The colours of every bar, line and point drawn on the figure's axes (not axes furniture)."""
    out = set()
    for ax in fig.axes:
        for p in bars(ax):
            if p.get_facecolor()[3] > 0:
                out.add(to_hex(p.get_facecolor()))
        for line in ax.lines:
            if not line.get_transform().contains_branch(ax.transAxes):  # the axis-cut strokes are furniture
                out.add(to_hex(line.get_color()))
        for coll in ax.collections:
            out |= {to_hex(c) for c in coll.get_edgecolor()} | {to_hex(c) for c in coll.get_facecolor()}
    return out


@pytest.fixture
def captured(monkeypatch):
    """The figures the pages' chart functions hand to charts.figure, left open for inspection."""
    figs = []
    real = charts.figure

    def keep(fig, alt, caption=""):
        figs.append(fig)
        out = real(fig, alt, caption)
        return out

    monkeypatch.setattr(charts, "figure", keep)
    return figs


def three_units(lang="vi"):
    """On course at 99,5 %, without a value (no data), with a value but no verdict (its file rejected)."""
    return charts.threshold_bars(["Sở A", "Sở B", "Sở C"], [0.995, float("nan"), 0.97], 0.99,
                                 ["on_course", "no_data", "no_data"], title="Tiêu đề", xlabel="Tỷ lệ (%)",
                                 threshold_label="chỉ tiêu > 99 %", lang=lang, no_data=["", "", "tệp bị từ chối"])


# ---------------------------------------------------------------- the bar chart
def test_a_unit_without_data_gets_no_bar_and_a_label_where_the_bar_would_be():
    fig = three_units()
    ax = fig.axes[0]
    drawn = bars(ax)
    assert len(drawn) == 1  # only Sở A: no grey bar for B (no value) nor for C (a value but no verdict)
    assert drawn[0].get_y() + drawn[0].get_height() / 2 == pytest.approx(0)
    assert drawn[0].get_width() == pytest.approx(99.5)
    notes = {round(t.get_position()[1]): t.get_text() for t in ax.texts if t.get_style() == "italic"}
    assert notes == {1: "không có dữ liệu", 2: "tệp bị từ chối"}
    heads = [t.get_text() for t in ax.texts if t.get_style() != "italic"]
    assert heads == ["Sở A — 99,5 % (đang đạt)", "Sở B", "Sở C"]


def test_the_share_axis_starts_at_zero_and_says_its_unit():
    fig = three_units()
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 100)
    assert "%" in ax.get_xlabel() and "Tiêu đề" in texts(fig)  # the title heads the legend


def test_status_is_in_text_and_hatch_not_colour_alone():
    fig = charts.threshold_bars(["X", "Y", "Z"], [0.999, 0.995, 0.96], 0.99, ["on_course", "at_risk", "off_track"],
                                title="t", xlabel="%", threshold_label="chỉ tiêu > 99 %", lang="vi")
    ax = fig.axes[0]
    hatch = {round(p.get_y() + p.get_height() / 2): p.get_hatch() or "" for p in bars(ax)}
    assert hatch[0] == "" and hatch[1] == hatch[2] == charts.HATCHES["not_met"] != ""
    assert [t.get_text() for t in ax.texts] == ["X — 99,9 % (đang đạt)", "Y — 99,5 % (có nguy cơ)",
                                                "Z — 96,0 % (chậm tiến độ)"]
    # the legend names the statuses each colour stands for, and the target line
    assert legend_labels(fig) == ["Đang đạt", "Có nguy cơ / Chậm tiến độ", "chỉ tiêu > 99 %"]


def test_english_bars_speak_english():
    fig = three_units("en")
    assert [t.get_text() for t in fig.axes[0].texts if t.get_style() == "italic"] == ["no data", "tệp bị từ chối"]
    assert fig.axes[0].texts[0].get_text() == f"Sở A — {fmt.pct(0.995, 'en')} (on course)"


def test_the_palette_is_okabe_ito_and_the_one_every_chart_draws_with():
    okabe_ito = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
    assert {to_hex(v) for v in charts.OKABE_ITO.values()} == okabe_ito
    assert {to_hex(charts.COLOURS[k]) for k in ("met", "not_met", "target", "projection")} <= okabe_ito
    fig = charts.threshold_bars(["X", "Y"], [0.999, 0.9], 0.99, ["met", "not_met"], title="t", xlabel="%",
                                threshold_label="t")
    assert colours_drawn(fig) <= PALETTE
    assert {to_hex(p.get_facecolor()) for p in bars(fig.axes[0])} == {to_hex(charts.COLOURS["met"]),
                                                                     to_hex(charts.COLOURS["not_met"])}


def test_the_same_inputs_give_the_same_png_bytes():
    assert charts.figure(three_units(), "a")["src"] == charts.figure(three_units(), "a")["src"]


def test_text_stays_readable_at_phone_width():
    """A 390 px screen shows the image at 390 / its width: no text drawn smaller than 8.5 px there."""
    fig = three_units()
    width_px = charts.WIDTH * charts.DPI
    smallest = min(t.get_fontsize() for ax in fig.axes for t in ax.texts + ax.get_xticklabels())
    assert smallest * charts.DPI / 72 * 390 / width_px >= 8.5


# ---------------------------------------------------------------- the overview's on-time chart, on hand-built data
def _row(metric, agency, num, den, quarter="2023Q4"):
    return {"quarter": quarter, "period": "YTD", "metric": metric, "agency": agency, "numerator": float(num),
            "denominator": float(den), "value": num / den, "unit": "fraction", "source": "measured", "n_sources": 1,
            "self_reported": False, "provisional": False}


def overview_context(plan, rows, lang="vi", manifest=None) -> ov.Context:
    q = Quarter.parse("2023Q4")
    ind = pd.DataFrame(rows)
    ind = pd.concat([ind, ind.assign(period="Q")], ignore_index=True)
    prog = target_status(plan, ind, q)
    reps = pd.DataFrame(columns=["task_id", "agency_code", "status", "evidence_doc_no"])
    return ov.Context(q, lang, Path("."), True, ind, {q: manifest} if manifest else {}, plan, {}, prog,
                      task_progress(plan, prog, reps, q))


def departments(plan) -> list[str]:
    return [a.code for a in plan.by_kind("department")]


def test_the_overview_chart_draws_a_department_whose_file_was_rejected_as_no_bar(plan, captured):
    deps = departments(plan)
    rejected, low = deps[3], deps[5]
    rows = [_row("ontime_rate", d, 100, 100) for d in deps if d not in (rejected, low)]
    rows += [_row("ontime_rate", low, 90, 100), _row("ontime_rate", "ALL_DEPARTMENTS", 1790, 1800)]
    manifest = {"datasets": [{"dataset": ov.DOSSIERS, "files": [{"agency": rejected, "verdict": "rejected"}]}]}
    view = ov.ontime_view(overview_context(plan, rows, manifest=manifest))
    fig = captured[0]
    ax = fig.axes[0]
    assert len(bars(ax)) == len(deps) - 1          # every department but the rejected one
    heads = [t.get_text() for t in ax.texts if t.get_style() != "italic"]
    name = plan.agencies[rejected].name("vi")
    row_of = heads.index(name)                     # its name stands alone, no value, where its row is
    assert [t.get_text() for t in ax.texts if t.get_style() == "italic"] == ["không có dữ liệu (tệp bị từ chối)"]
    assert round(next(t for t in ax.texts if t.get_style() == "italic").get_position()[1]) == row_of
    assert not any(round(p.get_y() + p.get_height() / 2) == row_of for p in bars(ax))
    # worst first: the department at 90 % (not met) heads the chart; shares from 0; a legend
    assert heads[0] == f"{plan.agencies[low].name('vi')} — {fmt.pct(0.9, 'vi')} (không đạt)"
    assert ax.get_xlim()[0] == 0 and len(fig.legends) == 1
    assert view["levels"][0]["figure"]["src"].startswith("data:image/png;base64,")


# ---------------------------------------------------------------- the outlook's and the scorecard's charts
def test_the_sipas_chart_is_a_share_from_zero_with_a_legend_naming_the_mark(captured):
    f = pd.DataFrame({"share": [0.78, 0.83], "lower": [0.75, 0.80], "upper": [0.81, 0.86]})
    ol._sipas_chart(f, ["Tiếp cận dịch vụ", "Kết quả giải quyết TTHC"], "vi", 80.0)
    fig = captured[0]
    assert fig.axes[0].get_xlim() == (0, 100)
    assert legend_labels(fig) == [i18n.t("charts.sipas_share", "vi"), "Mốc 80 %"]
    assert not any("đỏ" in t for t in texts(fig))  # a colour named in text is no help to a colour-blind reader
    assert "Tiếp cận dịch vụ — 78,0 %" in texts(fig) and colours_drawn(fig) <= PALETTE


def test_the_field_and_distance_charts_have_legends_and_the_palette(plan, captured):
    tasks = pd.DataFrame([{"task_id": "A.IV.1", "index": "PAR", "field": "IV", "status": "met"}])
    ctx = ol.build_context(Quarter(2023, 2), tasks, plan, "vi")
    ol.projection_view(ctx)
    ol.top25_view(ctx)
    field, distance = captured
    assert field.axes[0].get_ylim()[0] == 0  # a share of the maximum points: from 0
    assert len(legend_labels(field)) == 3 and len(legend_labels(distance)) >= 3
    assert colours_drawn(field) <= PALETTE and colours_drawn(distance) <= PALETTE
    # PAR INDEX points are not a share: the axis may start near the scores, but says so and draws the break
    lo = distance.axes[0].get_xlim()[0]
    assert lo > 0 and f"trục bắt đầu từ {fmt.number(lo, 'vi', 0)}" in distance.axes[0].get_xlabel()
    assert any(line.get_transform().contains_branch(distance.axes[0].transAxes) for line in distance.axes[0].lines)


def test_the_scorecard_sparkline_is_from_zero_labelled_and_coloured_by_the_units_status():
    target = SimpleNamespace(value=0.95)
    panels = [{"labels": ["Quý I", "Quý II"], "values": [0.957, float("nan")], "target": target, "title": "Tam Kỳ",
               "status": "off_track", "threshold_label": "chỉ tiêu > 95 %"},
              {"labels": ["Quý I", "Quý II"], "values": [1.0, 0.985], "target": target, "title": "Các xã",
               "status": "on_course", "threshold_label": "chỉ tiêu > 95 %"}]
    fig = sc._sparkline(panels, "vi")
    first, second = fig.axes
    assert first.get_ylim()[0] == 0 == second.get_ylim()[0]
    assert first.get_title("left") == "Tam Kỳ — chậm tiến độ" and second.get_title("left") == "Các xã — đang đạt"
    assert [t.get_text() for t in first.texts] == ["95,7 %", "không có dữ liệu"]  # Quý II: no point, a label
    assert to_hex(first.lines[0].get_color()) == to_hex(charts.COLOURS["not_met"])
    assert to_hex(second.lines[0].get_color()) == to_hex(charts.COLOURS["met"])
    assert first.get_legend() and [t.get_text() for t in first.get_legend().get_texts()] == [
        i18n.t("charts.ontime_line", "vi"), "chỉ tiêu > 95 %"]
    assert charts.figure(sc._sparkline(panels, "vi"), "a") == charts.figure(sc._sparkline(panels, "vi"), "a")


def test_a_trend_line_is_from_zero_with_a_legend():
    fig = charts.trend_line(["Q1", "Q2"], [0.97, float("nan")], "t", "%", threshold=0.95, threshold_label="chỉ tiêu")
    assert fig.axes[0].get_ylim()[0] == 0 and legend_labels(fig) == ["chỉ tiêu"]
    assert "không có dữ liệu" in texts(fig)


# ---------------------------------------------------------------- agency names link to their scorecards
HREF = re.compile(r'<a class="unit-link" href="([^"]+)">([^<]+)</a>')


def test_agency_names_in_an_overview_table_link_to_the_scorecards_that_are_rendered(plan):
    """Pages in reports/<Q>/ link agencies/<CODE>.html for every unit the renderer writes a scorecard for."""
    deps = departments(plan)
    rows = [_row("ontime_rate", d, 100, 100) for d in deps] + [_row("ontime_rate", "ALL_DEPARTMENTS", 1900, 1900)]
    html = ov.section(overview_context(plan, rows), "ontime")
    links = dict((name, href) for href, name in HREF.findall(str(html)))
    by_name = {plan.agencies[c].name("vi"): c for c in sc.agencies_to_render(plan)}
    expected = {plan.agencies[d].name("vi"): f"agencies/{d}.html" for d in deps}
    assert {n: links.get(n) for n in expected} == expected
    assert all(by_name[n] in sc.agencies_to_render(plan) and h == f"agencies/{by_name[n]}.html"
               for n, h in links.items())


def test_a_unit_without_a_scorecard_is_plain_text_and_a_name_is_plain_outside_a_page(plan):
    commune_group = next(a.code for a in plan.by_kind("commune_group"))
    name = names.unit_name(plan, commune_group, "vi")
    assert names.scorecard_href(plan, commune_group) is None and "<a" not in str(name.__html__())
    snv = names.unit_name(plan, "SNV", "vi")
    assert snv == plan.agencies["SNV"].name("vi") and type(str.__str__(snv)) is str
    assert i18n.t("charts.bar_label", "vi", name=snv, value="1", status="x").startswith(str(snv))  # no tag in text
    assert "<a" not in i18n.t("charts.bar_label", "vi", name=snv, value="1", status="x")


def test_a_scorecard_links_other_units_relative_to_its_folder_and_not_itself(plan, tmp_path):
    ctx = sc.ScorecardContext(Quarter(2023, 2), "SNV", "vi", tmp_path, True, plan, pd.DataFrame(), pd.DataFrame(),
                              pd.DataFrame(), {})
    district = plan.by_kind("district")[0].code
    env = layout.environment()
    table = env.from_string('{% import "macros.html.j2" as m %}{{ m.table(["h"], rows) }}')
    html = table.render(lang="vi", rows=[[ctx.name("SNV")], [ctx.name("STC")], [ctx.name(district)]])
    found = HREF.findall(html)
    assert found == [("STC.html", plan.agencies["STC"].name("vi")), (f"{district}.html", ctx.name(district))]
    assert ctx.name(district).startswith("UBND")  # the district as its People's Committee, linked
    assert all((Path("reports/2023Q2/agencies") / href).parent.name == names.SCORECARDS for href, _ in found)


def test_the_index_and_names_agree_on_where_scorecards_are(plan):
    """The index links agencies/<CODE>.html (index_page); names.scorecard_href gives the same from a quarter page."""
    for code in sc.agencies_to_render(plan):
        assert names.scorecard_href(plan, code) == f"agencies/{code}.html"
        assert names.scorecard_href(plan, code, "../") == f"{code}.html"
