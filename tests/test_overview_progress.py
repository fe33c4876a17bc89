"""The overview's progress sections on hand-built indicators: one figure, one verdict; every unit named."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from parplan.metric_formulas import is_implemented
from parplan.periods import Quarter
from parplan.progress import target_status, task_progress
from parplan.render import strip_tags
from parplan.report import i18n, layout
from parplan.report import language_check as lc
from parplan.report import overview as ov


def row(metric, agency, num, den, value=None, unit="fraction", source="measured", quarter="2023Q4", period="YTD"):
    value = (num / den if unit == "fraction" else num) if value is None else value
    return {"quarter": quarter, "period": period, "metric": metric, "agency": agency, "numerator": float(num),
            "denominator": float(den), "value": float(value), "unit": unit, "source": source, "n_sources": 1,
            "self_reported": source == "self_reported", "provisional": False}


@pytest.fixture(scope="module")
def cat(plan):
    """The 2023 plan (the session fixture), under the name these tests use."""
    return plan


def context(cat, rows, quarter="2023Q4", lang="vi") -> ov.Context:
    q = Quarter.parse(quarter)
    ind = pd.DataFrame(rows)
    ind = pd.concat([ind, ind.assign(period="Q")], ignore_index=True)
    prog = target_status(cat, ind, q)
    reps = pd.DataFrame(columns=["task_id", "agency_code", "status", "evidence_doc_no"])
    tasks = task_progress(cat, prog, reps, q)
    return ov.Context(q, lang, Path("."), True, ind, {}, cat, {}, prog, tasks)


def departments_rows(cat):
    deps = [a.code for a in cat.by_kind("department")]
    rows = [row("ontime_rate", d, 100, 100) for d in deps if d != "STNMT"]
    return rows + [row("ontime_rate", "STNMT", 94, 100), row("ontime_rate", "ALL_DEPARTMENTS", 1894, 1900)]


def test_on_time_section_one_verdict_per_unit_and_the_aggregate_as_a_figure(cat):
    ctx = context(cat, departments_rows(cat))
    html = ov.section(ctx, "ontime")
    text = " ".join(strip_tags(html).split())
    assert "18/19 sở, ban, ngành đạt; chưa đạt: Sở Tài nguyên và Môi trường" in text
    rows = ov.ontime_rows(ctx, "A.IV.4.1")
    assert len(rows) == 20 and sum(not r["aggregate"] for r in rows) == 19
    stnmt = next(r for r in rows if r["unit"] == "Sở Tài nguyên và Môi trường")
    assert (stnmt["ytd"]["numerator"], stnmt["ytd"]["denominator"]) == (94, 100) and stnmt["status"] == "not_met"
    agg = rows[-1]
    assert agg["aggregate"] and agg["status"] is None and agg["ytd"]["value"] == pytest.approx(1894 / 1900)
    stnmt_row = next(r for r in html.split("<tr>") if "Sở Tài nguyên và Môi trường</a></td>" in r)
    assert 'href="agencies/STNMT.html"' in stnmt_row  # the unit's name links to its scorecard
    assert "94,0 % (94/100)" in stnmt_row and "Không đạt" in stnmt_row
    agg_row = next(r for r in html.split("<tr>") if r.startswith("<td>Chung (tỷ lệ của tổng)</td>"))
    assert "99,7 %" in agg_row and "Số chung, không đánh giá riêng" in agg_row
    assert "Đạt" not in strip_tags(agg_row).replace("Đạt", "", 0).split("không đánh giá riêng")[1]  # no second verdict
    assert "khoảng tin cậy" not in text


def test_task_table_names_the_units_and_marks_self_reported_values(cat):
    rows = departments_rows(cat) + [
        row("cchc_initiatives_count", "SNV", 1, math.nan, unit="count", source="self_reported"),
        row("cchc_plan_tasks_completed_share", "PROVINCE", 0.9, math.nan, value=0.9, source="self_reported"),
    ]
    ctx = context(cat, rows)
    text = " ".join(strip_tags(ov.section(ctx, "tasks")).split())
    assert "◆ tự báo cáo — số liệu do cơ quan tự báo cáo, chưa đối chiếu với hồ sơ" in text
    a_i_4 = text[text.index("A.I.4 "):text.index("A.I.5 ")]
    assert "1/37 cơ quan, đơn vị đạt; chưa có số liệu:" in a_i_4 and "Sở Tư pháp" in a_i_4 and "Phú Ninh" in a_i_4
    assert "◆" in a_i_4 and "Không đạt" in a_i_4
    a_iv_4_1 = text[text.index("A.IV.4.1 "):text.index("A.IV.4.2 ")]
    assert "18/19" in a_iv_4_1 and "(chung: 99,7 %, không đánh giá riêng)" in a_iv_4_1
    assert "◆" not in a_iv_4_1                                           # counted from records
    a_i_1 = text[text.index("A.I.1 "):text.index("A.I.2 ")]
    assert "90,0 % ◆" in a_i_1
    # the pre-plan disbursement list: shown as context, and the unmeasurable A.IV.4.4 says why in Vietnamese
    assert "bối cảnh trước khi ban hành Kế hoạch, không chấm điểm" in text
    a_iv_4_4 = text[text.index("A.IV.4.4 "):text.index("A.IV.4.5 ")]
    assert "Không đo được từ dữ liệu" in a_iv_4_4


def test_english_task_table_speaks_english(cat):
    ctx = context(cat, departments_rows(cat), lang="en")
    text = " ".join(strip_tags(ov.section(ctx, "tasks")).split())
    assert "◆ self-reported — figure reported by the agency itself, not checked against records" in text
    assert "18/19 departments meet it; missing it: Department of Natural Resources and Environment" in text
    for vi in ("Đạt", "chưa có", "tự báo cáo", "không đánh giá"):
        assert vi not in text, vi


def test_no_met_badge_before_the_due_date(cat):
    rows = [row("ontime_rate", a.code, 100, 100, quarter="2023Q2") for a in cat.by_kind("department")]
    ctx = context(cat, rows, quarter="2023Q2")
    text = " ".join(strip_tags(ov.section(ctx, "ontime")).split())
    assert "19/19 sở, ban, ngành đang đạt" in text and "Đang đạt" in text
    assert " Đạt " not in text


def test_each_unit_section_lists_every_each_unit_target(cat):
    rows = departments_rows(cat) + [row("cchc_initiatives_count", "SNV", 1, math.nan, unit="count",
                                        source="self_reported")]
    ctx = context(cat, rows)
    html = ov.section(ctx, "each_unit")
    text = " ".join(strip_tags(html).split())
    assert "Chỉ tiêu áp dụng cho từng đơn vị" in text
    ids = [tg.task_id for tg in cat.targets if tg.judge == "each" and tg.role == "target" and tg.measurable
           and tg.scope != "each_record" and is_implemented(cat.metrics[tg.metric])]
    for task_id in ids:
        assert f"{task_id} — {cat.task(task_id).short('vi')}" in text, task_id
    a_iv_4_1 = text[text.index("A.IV.4.1 "):text.index("A.IV.4.2 ")]
    assert "18/19 sở, ban, ngành" in a_iv_4_1 and "Sở Tài nguyên và Môi trường" in a_iv_4_1
    a_i_4 = text[text.index("A.I.4 "):text.index("A.I.5 ")]
    assert "1/37 cơ quan, đơn vị" in a_i_4 and "◆" in a_i_4 and "Ban Dân tộc tỉnh" in a_i_4
    assert "A.IV.4.4 " not in text                        # cannot be measured: not listed as if judged


# ---------------------------------------------------------------- the pages read the plan they are given
REPO = Path(__file__).resolve().parents[1]
OTHER_YEAR, OTHER_BASELINE = 2031, 2030   # a plan no real data has: anything the pages show of it comes from it


def _rewrite(path: Path, change) -> None:
    """Load a YAML file, let `change` edit the dict, write it back."""
    import yaml

    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(d)
    path.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> dict:
    """A copy of plans/2023 moved to another year, with other titles, baseline, goal, online target and laggard date;
    and a data root with that year's first two quarters (manifests, a few indicators, a commune match)."""
    import shutil

    base = tmp_path_factory.mktemp("plans")
    folder = base / str(OTHER_YEAR)
    shutil.copytree(REPO / "plans" / "2023", folder)
    w = {"short_vi": f"Kế hoạch thử nghiệm chỉ số năm {OTHER_YEAR}", "short_en": f"Trial {OTHER_YEAR} index plan",
         "points": 77.77, "rank": 41, "sipas": 8.12, "goal": 17, "online": 0.85, "lag_day": f"{OTHER_YEAR}-03-31",
         "lag_value": 0.25}

    def plan_yaml(d):
        d.update(year=OTHER_YEAR, baseline_year=OTHER_BASELINE, short_title_vi=w["short_vi"],
                 short_title_en=w["short_en"], title_vi=w["short_vi"], title_en=w["short_en"])
        d["goal"]["rank_at_most"] = w["goal"]

    def indices_yaml(d):
        par, sip = d["par_index"]["baseline"], d["sipas"]["baseline"]
        par["year"] = sip["year"] = OTHER_BASELINE
        par["total_points"]["value"], par["rank"]["value"], sip["score_10"]["value"] = w["points"], w["rank"], w["sipas"]
        for lag in d["laggards"]:
            if lag.get("as_of"):
                lag["as_of"] = w["lag_day"]

    def tasks_yaml(d):
        for t in d["tasks"]:
            for tg in t.get("targets", []):
                if tg["metric"] == "online_dossier_share" and tg["scope"] == "province":
                    tg["value"] = w["online"]
                if tg.get("role") == "context" and tg.get("as_of"):
                    tg["as_of"], tg["value"] = w["lag_day"], w["lag_value"]

    _rewrite(folder / "plan.yaml", plan_yaml)
    _rewrite(folder / "indices.yaml", indices_yaml)
    _rewrite(folder / "tasks.yaml", tasks_yaml)
    data = tmp_path_factory.mktemp("data")
    for q in (f"{OTHER_YEAR}Q1", f"{OTHER_YEAR}Q2"):
        (data / "processed" / q).mkdir(parents=True)
        (data / "processed" / q / "manifest.json").write_text(json.dumps({"quarter": q, "datasets": []}),
                                                                 encoding="utf-8")
    q2 = data / "processed" / f"{OTHER_YEAR}Q2"
    pd.DataFrame([row("online_dossier_share", "PROVINCE", 600, 1000, quarter=f"{OTHER_YEAR}Q2")]).to_parquet(
        q2 / "indicators.parquet")
    pd.DataFrame([{"quarter": f"{OTHER_YEAR}Q2", "agency_code": "PHU_NINH", "status": "exact"}]).to_parquet(
        q2 / "commune_matches.parquet")
    return {"root": base, "data": data, "quarter": f"{OTHER_YEAR}Q2", **w}


def _vi(x: float, decimals: int) -> str:
    """A number as the Vietnamese pages write it: decimal comma."""
    return f"{x:.{decimals}f}".replace(".", ",")


def test_overview_shows_the_title_baseline_and_goal_of_the_plan_it_is_given(other):
    ctx = ov.load_context(other["quarter"], data_root=str(other["data"]), plans_root=other["root"])
    assert ctx.plan.year == OTHER_YEAR and ctx.plan.folder == (other["root"] / str(OTHER_YEAR)).resolve()
    text = " ".join(strip_tags(ov.section(ctx, "header")).split())
    assert f"Báo cáo tiến độ {other['short_vi']} — tỉnh Quảng Nam" in text
    assert (f"Năm {OTHER_BASELINE}: PAR INDEX {_vi(other['points'], 2)} điểm, xếp hạng {other['rank']}/63; "
            f"SIPAS {_vi(other['sipas'], 2)}/10. Mục tiêu năm {OTHER_YEAR}: nằm trong nhóm {other['goal']} tỉnh") in text
    for old in ("2022", "2023", "80,91", "57/63", "7,58"):      # nothing of the 2023 plan's own figures is left
        assert old not in text, old
    en = " ".join(strip_tags(ov.section(ov.load_context(other["quarter"], "en", str(other["data"]),
                                                         plans_root=other["root"]), "header")).split())
    assert f"Progress report: {other['short_en']}" in en and f"{OTHER_BASELINE}: PAR INDEX {other['points']:.2f}" in en
    assert f"{OTHER_YEAR} goal: top {other['goal']} of 63" in en


def test_overview_targets_and_laggard_dates_come_from_the_plan(other):
    ctx = ov.load_context(other["quarter"], data_root=str(other["data"]), plans_root=other["root"])
    kpis = " ".join(strip_tags(ov.section(ctx, "kpis")).split())
    assert f"Hồ sơ giải quyết trực tuyến (chỉ tiêu ≥ {other['online'] * 100:g} %)" in kpis and "60,0 %" in kpis
    assert "70 %" not in kpis
    assert f"hồ sơ trực tuyến ≥ {other['online'] * 100:g} %" in strip_tags(ov.section(ctx, "online"))
    lag = " ".join(strip_tags(ov.section(ctx, "laggards")).split())
    day = "/".join(reversed(other["lag_day"].split("-")))           # 31/03/2031
    assert f"Tỷ lệ giải ngân vốn đầu tư công tại {day}" in lag
    assert f"Danh sách Tỷ lệ giải ngân vốn đầu tư công dưới {other['lag_value'] * 100:g} % tại {day} có trước khi ban hành Kế hoạch" in lag
    assert "2023" not in lag and "20 %" not in lag


def test_a_quarter_outside_the_plan_given_is_refused(other, plan):
    with pytest.raises(ValueError, match=f"{plan.year}"):
        ov.load_context(other["quarter"], data_root=str(other["data"]), plan=plan)


def test_scorecard_and_quality_pages_name_the_plan_they_are_given(other):
    from parplan.report import quality as dq
    from parplan.report import scorecard as sc

    card = sc.load_scorecard_context(other["quarter"], "TAM_KY", data_root=str(other["data"]),
                                     plans_root=other["root"])
    assert card.plan.year == OTHER_YEAR
    text = strip_tags(sc.render_section(card, "header"))
    assert other["short_vi"] in text and "2023" not in text
    assert other["short_en"] in strip_tags(sc.render_section(
        sc.load_scorecard_context(other["quarter"], "TAM_KY", "en", str(other["data"]), plans_root=other["root"]),
        "header"))
    q = dq.load_quality_context(other["quarter"], data_root=str(other["data"]), plans_root=other["root"])
    assert q.plan.year == OTHER_YEAR
    view = dq.communes_view(q)
    assert (view["year"], view["matched"], view["rows"]) == (OTHER_YEAR, 1, [])


def test_a_plan_without_laggard_lists_has_no_laggards_section(cat):
    import dataclasses

    bare = dataclasses.replace(cat, indices={k: v for k, v in cat.indices.items() if k != "laggards"})
    assert ov.laggards_view(context(bare, departments_rows(bare))) is None
    assert ov.section(context(bare, departments_rows(bare)), "laggards") == ""
    assert "Các đơn vị Kế hoạch nêu tên là chậm" in ov.section(context(cat, departments_rows(cat)), "laggards")


def test_quality_page_names_datasets_by_their_title_not_their_id(cat):
    from parplan.contracts import load_contract
    from parplan.report import quality as dq

    issue = {"rule": "not_null", "severity": "warn", "row": 7, "column": "Ngày hẹn trả", "value": "", "vi": "Ô trống",
             "en": "Empty cell"}
    f = {"agency": "SNV", "path": "data/raw/2023Q2/tthc_dossiers/SNV.csv", "verdict": "accepted_with_warnings",
         "rows_read": 9, "issues": [issue] * (dq.MAX_ROWS_SHOWN + 3), "sha256": "0" * 64}
    manifest = {"datasets": [{"dataset": "tthc_dossiers", "files": [f], "missing_submitters": ["STP"],
                              "output_rows": 9}]}
    ctx = dq.QualityContext(Quarter.parse("2023Q2"), "vi", manifest, pd.DataFrame(), cat, None)
    title = load_contract("tthc_dossiers").title_vi
    for section in ("agencies", "missing"):
        text = strip_tags(dq.section(ctx, section))
        assert title in text and "tthc_dossiers" not in text and "manifest" not in text, section
    en = dq.QualityContext(Quarter.parse("2023Q2"), "en", manifest, pd.DataFrame(), cat, None)
    assert load_contract("tthc_dossiers").title_en in strip_tags(dq.section(en, "missing"))


# ---------------------------------------------------------------- the view holds no HTML; the page passes the check
def _strings(x):
    """Every string inside a view (dicts, lists, tuples), figures' image data left out."""
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for k, v in x.items():
            if k != "src":
                yield from _strings(v)
    elif isinstance(x, list | tuple):
        for v in x:
            yield from _strings(v)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_views_hold_no_html(cat, lang):
    rows = departments_rows(cat) + [row("cchc_initiatives_count", "SNV", 1, math.nan, unit="count",
                                        source="self_reported")]
    ctx = context(cat, rows, lang=lang)
    for name, view in ov.VIEWS.items():
        bad = [x for x in _strings(view(ctx)) if re.search(r"<[A-Za-z/!]|&[a-z]+;", x)]  # a tag or an entity;
        # a threshold such as '< 0 %' is text
        assert bad == [], (name, bad[:3])


def test_a_catalogue_label_shows_on_the_page(cat, tmp_path, monkeypatch):
    """The section headings come from the catalogue: a changed label is what the page shows."""
    import shutil

    folder = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES, folder)
    vi = folder / "vi.yaml"
    vi.write_text(vi.read_text(encoding="utf-8").replace("    title: Tiến độ từng nhiệm vụ\n",
                                                         "    title: Nhiệm vụ và tiến độ (thử)\n", 1), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", folder)
    i18n.reload()
    try:
        assert "Nhiệm vụ và tiến độ (thử)" in ov.section(context(cat, departments_rows(cat)), "tasks")
    finally:
        monkeypatch.undo()
        i18n.reload()


@pytest.mark.parametrize("q", ["2023Q2", "2023Q4"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_overview_page_passes_the_language_check(q, lang):
    """Every section of the real overview (the shipped sample's processed data, prepared on demand), in the base
    layout, has no forbidden token: no code, file name, status key or word of the other language."""
    from parplan import data
    from parplan.report import outlook as ol

    d = data.load(q, say=lambda s: None)
    ctx = ov.load_context(q, lang, data_root=str(d.store.data_root), plan=d.plan)
    body = "".join(str(ov.section(ctx, name)) for name in ov.VIEWS)
    body += str(ol.overview_summary(ol.load_outlook_context(q, lang=lang, data_root=str(d.store.data_root))))
    page = layout.page(ov.title(d.plan, lang), body, lang, sample=True)
    hits = lc.scan_html(page, lc.vocabulary(d.plan), "overview.html", lang)
    assert [(h.kind, h.token, h.context) for h in hits] == []
