"""The honest outlook (issue 12 item 6): as-of filtering, the projected 25th place, survey ranges, the verdict.

Hand-built inputs with values worked out by hand in the comments; the as-of tests use the shipped reference data.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from parplan import scoring
from parplan.catalogue import load_plan
from parplan.periods import Quarter
from parplan.report import i18n, layout
from parplan.report import language_check as lc
from parplan.report import outlook as ol

PLAN_ISSUED = dt.date(2023, 6, 1)     # plan.yaml: June 2023, day blank in the plan text -> first of the month


def history(rows: list[tuple]) -> pd.DataFrame:
    """A threshold history: (year, mean, bracket_low, bracket_high, scheme_family)."""
    return pd.DataFrame([{"year": y, "mean": m, "bracket_low": lo, "bracket_high": hi, "scheme_family": f}
                         for y, m, lo, hi, f in rows])


NAN = float("nan")
MADE_UP = history([(2018, 80.0, NAN, NAN, "old"), (2019, 82.0, NAN, NAN, "old"), (2020, 81.0, NAN, NAN, "new"),
                   (2021, 84.0, 85.0, 86.0, "new")])


# ====================================================================== as of
def test_as_of_is_the_later_of_quarter_end_and_plan_issue(plan):
    assert scoring.plan_issued(plan) == PLAN_ISSUED == dt.date.fromisoformat(plan.meta["issued"]["date"])
    assert scoring.as_of_date(Quarter(2023, 1), plan) == PLAN_ISSUED                 # 31/03 is before the plan existed
    assert scoring.as_of_date(Quarter(2023, 2), plan) == dt.date(2023, 6, 30)
    assert scoring.as_of_date(Quarter(2023, 4), plan) == dt.date(2023, 12, 31)
    assert scoring.as_of_date(Quarter(2024, 2), plan) == dt.date(2024, 6, 30)
    earlier = dataclasses.replace(plan, meta={**plan.meta, "issued": {**plan.meta["issued"], "date": "2023-02-01"}})
    assert scoring.as_of_date(Quarter(2023, 1), earlier) == dt.date(2023, 3, 31)
    with pytest.raises(ValueError, match="ISO"):
        scoring.reference_table("par_index_provinces", "30/06/2023", plan)


def test_a_2023q1_report_cannot_see_2023_results_and_a_2024q2_report_can(plan):
    q1, q24 = scoring.as_of_date(Quarter(2023, 1), plan), scoring.as_of_date(Quarter(2024, 2), plan)
    for name in ("par_index_provinces", "sipas_provinces", "par_sipas_aggregates", "quangnam_components"):
        early = scoring.reference_table(name, q1, plan)
        late = scoring.reference_table(name, q24, plan)
        assert "2023" not in set(early["year"]), name
        assert "2023" in set(late["year"]), name
        assert (early["published"] <= "2023-06-01").all()
    qn = scoring.reference_table("par_index_provinces", q24, plan)
    assert qn[(qn["province"] == "Quảng Nam") & (qn["year"] == "2023")]["score_pct"].tolist() == ["84.6"]
    assert list(scoring.publications(q1, plan)["result_year"].unique()) == [2019, 2020, 2021, 2022]
    assert 2023 in set(scoring.publications(q24, plan)["result_year"])
    # the 2022 results themselves came out on 19/04/2023: a report as of the day before sees 2021 as the latest year
    assert scoring.publications("2023-04-18", plan)["result_year"].max() == 2021
    assert scoring.neighbours(q1, plan)["year"].iloc[0] == 2022 and scoring.neighbours(q24, plan)["year"].iloc[0] == 2023


def test_every_reference_figure_is_published_no_earlier_than_its_years_results(plan):
    pub = scoring.publications("2100-01-01", plan)
    first = {(r["index"], r["result_year"]): r["published"] for _, r in pub.iterrows()}
    idx = {"par_index_provinces": "PAR INDEX provinces", "sipas_provinces": "SIPAS"}
    for name in ("par_index_provinces", "sipas_provinces", "par_sipas_aggregates", "quangnam_components"):
        t = scoring.reference_table(name, "2100-01-01", plan)
        for _, r in t.iterrows():
            index = idx.get(name) or (r["index"] if "index" in t.columns else "PAR INDEX provinces")
            index = "PAR INDEX provinces" if index in ("PAR INDEX ministries", "PAR survey") else index
            assert r["published"] >= first[(index, int(r["year"]))], (name, dict(r))


def test_rank25_bracket_from_published_provinces_matches_the_recorded_2022_bracket(plan):
    b = scoring.rank25_bracket(2022, "2023-06-01", plan)
    # best score ranked >= 25: Ninh Thuận 85.78 (29); worst score ranked <= 25: Thừa Thiên Huế 86.56 (19)
    assert (b["low"], b["low_rank"], b["low_province"]) == (85.78, 29, "Ninh Thuận")
    assert (b["high"], b["high_rank"], b["high_province"]) == (86.56, 19, "Thừa Thiên Huế")
    rec = scoring.reference_table("par_sipas_aggregates", "2023-06-01", plan)
    text = rec[rec["metric"].str.startswith("rank-25")]["value"].iloc[0]
    assert text == "between 85.78 (rank 29) and 86.56 (rank 19)"
    # 2023 (published 17/04/2024): Nam Định 87.32 (29) and Ninh Bình 88.72 (11)
    assert (scoring.rank25_bracket(2023, "2024-06-30", plan)["low"], scoring.rank25_bracket(2023, "2024-06-30", plan)["high"]) \
        == (87.32, 88.72)
    assert scoring.rank25_bracket(2023, "2023-12-31", plan)["low"] != scoring.rank25_bracket(2023, "2023-12-31", plan)["low"]  # NaN


def test_threshold_as_of_the_plan_uses_2022_bracket_and_2019_2022_mean_moves(plan):
    th = scoring.rank25_outlook(scoring.as_of_date(Quarter(2023, 1), plan), plan)
    # means 81.15 (2019), 83.72 (2020, derived), 86.37 (2021), 84.79 (2022, derived): moves +2.57, +2.65, −1.58
    assert [m["change"] for m in th["moves"]] == pytest.approx([2.57, 2.65, -1.58])
    assert [m["scheme_change"] for m in th["moves"]] == [False, False, True]
    assert th["basis"] == "projected" and th["base_year"] == 2022 and th["steps"] == 1
    assert th["low"] == pytest.approx(85.78 - 1.58) and th["high"] == pytest.approx(86.56 + 2.65)   # 84.20, 89.21
    assert (th["low"], th["high"]) != (85.78, 86.56)                  # never last year's bar copied
    assert list(th["history"]["year"]) == [2019, 2020, 2021, 2022]
    # before the 2022 results: 2021 bracket 86.58 (Quảng Nam, 33) – 89.28 (Vĩnh Phúc, 5), two years ahead, moves
    # +2.57 and +2.65 only: 86.58 + 2 × 2.57 = 91.72, 89.28 + 2 × 2.65 = 94.58
    early = scoring.rank25_outlook("2023-04-18", plan)
    assert (early["base_year"], early["steps"]) == (2021, 2)
    assert early["low"] == pytest.approx(91.72) and early["high"] == pytest.approx(94.58)
    # a 2024Q2 report sees the 2023 results: the bracket is the published one, no projection
    late = scoring.rank25_outlook(scoring.as_of_date(Quarter(2024, 2), plan), plan)
    assert late["basis"] == "published" and (late["low"], late["high"]) == (87.32, 88.72)


# ====================================================================== threshold projection (made-up history)
def test_threshold_projection_from_a_made_up_history(plan):
    th = scoring.project_rank25(MADE_UP, 2022, plan)
    # moves: 2018->19 +2, 2019->20 −1 (method changed), 2020->21 +3; last bracket 2021 [85, 86]
    assert [m["change"] for m in th["moves"]] == [2.0, -1.0, 3.0]
    assert (th["low"], th["high"]) == (84.0, 89.0)                     # 85 − 1, 86 + 3
    assert th["central"] == pytest.approx(85.5 + 2.0)                  # mid 85.5 + median move 2
    two = scoring.project_rank25(MADE_UP, 2023, plan)                        # two years ahead: 85 − 2, 86 + 6
    assert (two["low"], two["high"], two["steps"]) == (83.0, 92.0, 2)
    cfg = scoring.scoring_config(plan)
    cfg["projection"]["threshold"]["include_scheme_changes"] = False
    assert (scoring.project_rank25(MADE_UP, 2022, plan, cfg)["low"], scoring.project_rank25(MADE_UP, 2022, plan, cfg)["high"]) \
        == (87.0, 89.0)                                                # moves +2, +3 only


def test_threshold_projection_pairs_only_consecutive_years_and_uses_a_published_bracket(plan):
    gap = history([(2018, 80.0, NAN, NAN, "a"), (2019, 81.0, NAN, NAN, "a"), (2021, 85.0, 86.0, 87.0, "a")])
    th = scoring.project_rank25(gap, 2022, plan)
    assert [m["change"] for m in th["moves"]] == [1.0]                 # 2019 -> 2021 is not a year-on-year move
    assert (th["low"], th["high"]) == (87.0, 88.0)
    out = history([(2020, 80.0, NAN, NAN, "a"), (2021, 81.0, 82.0, 83.0, "a"), (2022, 84.0, 85.5, 86.5, "a")])
    pub = scoring.project_rank25(out, 2022, plan)
    assert pub["basis"] == "published" and (pub["low"], pub["high"]) == (85.5, 86.5)
    with pytest.raises(ValueError, match="cannot be projected"):
        scoring.project_rank25(history([(2021, 81.0, 82.0, 83.0, "a")]), 2022, plan)


# ====================================================================== verdict
TH = {"low": 85.0, "high": 87.0}


@pytest.mark.parametrize(("pes", "opt", "word"), [
    (87.0, 90.0, "likely"),        # pessimistic exactly at the top of the range: likely
    (86.99, 90.0, "possible"),     # a hair below the top
    (80.0, 85.0, "possible"),      # optimistic exactly at the bottom: not below it
    (80.0, 84.99, "unlikely"),     # optimistic below the bottom
    (88.0, 89.0, "likely"),
    (86.996, 90.0, "likely"),      # compared at the two decimals published and printed: 87.00
    (80.0, 84.996, "possible"),    # 85.00 at two decimals
])
def test_verdict_at_each_boundary(pes, opt, word):
    totals = {"pessimistic": pes, "expected": (pes + opt) / 2, "optimistic": opt}
    assert scoring.verdict(totals, TH)["verdict"] == word


def test_verdict_points_short_and_sentences_in_each_language(plan):
    v = scoring.verdict({"pessimistic": 84.0, "expected": 86.0, "optimistic": 88.0}, TH)
    assert v["verdict"] == "possible"
    assert v["short"]["pessimistic"] == {"to_low": 1.0, "to_high": 3.0}
    assert v["short"]["expected"] == {"to_low": 0.0, "to_high": 1.0}
    assert v["short"]["optimistic"] == {"to_low": 0.0, "to_high": 0.0}
    vi = ol.verdict_sentence(v, 2023, projected=True, lang="vi", rank=25)
    en = ol.verdict_sentence(v, 2023, projected=True, lang="en", rank=25)
    assert vi.startswith("Vào nhóm 25 tỉnh dẫn đầu năm 2023: CÓ THỂ, CHƯA CHẮC")
    assert "85,00–87,00" in vi and "kịch bản bi quan (84,00) thiếu 1,00 điểm để đạt cận dưới và 3,00 điểm" in vi
    assert "kịch bản dự kiến (86,00) đã đạt cận dưới, thiếu 1,00 điểm" in vi and "lạc quan (88,00) đạt cả cận trên" in vi
    assert vi.count(".") == 1 and vi.endswith(".")                     # one sentence (decimal commas in vi)
    assert not re.search(r"\b(likely|possible|unlikely|pessimistic|expected|optimistic|points|range)\b", vi)
    assert en.startswith("Top 25 in 2023: POSSIBLE") and "pessimistic (84.00) is 1.00 points short" in en
    assert ol.verdict_sentence(scoring.verdict({"pessimistic": 88.0, "expected": 89.0, "optimistic": 90.0}, TH),
                               2023, True, "vi", rank=25).startswith("Vào nhóm 25 tỉnh dẫn đầu năm 2023: NHIỀU KHẢ NĂNG")
    lines = ol.expected_lines(plan, "vi")
    assert len(lines) == 2 and all("expected" not in x and "SIPAS" in lines[1] for x in lines)


# ====================================================================== survey-based components
def comp_history(rows: list[tuple]) -> pd.DataFrame:
    """A component history: (component, year, points, status)."""
    return pd.DataFrame([{"component": c, "year": y, "points_value": p, "status": s, "source_url": "https://x.example"}
                         for c, y, p, s in rows])


def test_survey_ranges_fall_as_well_as_rise_from_own_history(plan):
    h = comp_history([("sipas", 2020, 8.0, "sourced"), ("sipas", 2021, 8.6, "sourced"), ("sipas", 2022, 7.9, "sourced"),
                      ("socio_economic", 2021, 5.0, "sourced"), ("socio_economic", 2022, 5.62, "derived")])
    r = scoring.survey_ranges("2023-06-30", plan, history=h).set_index("component")
    # SIPAS: changes +0.6, −0.7 -> band 0.7 around the 2022 level 7.9
    assert r.at["sipas", "band"] == pytest.approx(0.7)
    assert (r.at["sipas", "low"], r.at["sipas", "expected"], r.at["sipas", "high"]) == \
        (pytest.approx(7.2), 7.9, pytest.approx(8.6))
    assert r.at["sipas", "low"] < r.at["sipas", "level"]               # a fall is inside the range
    # socio-economic: +0.62 -> 5.62 ± 0.62
    assert (r.at["socio_economic", "low"], r.at["socio_economic", "high"]) == (pytest.approx(5.0), pytest.approx(6.24))
    # leaders' survey has no history: the largest relative change (socio 0.62/6.5 = 0.0954 > SIPAS 0.07) × 22
    assert r.at["leaders_survey", "band"] == pytest.approx(0.62 / 6.5 * 22)          # 2.0985
    # its 2022 level is derived: 22 × (fields 1-7 points 67.585) / 83.5 = 17.8068
    assert r.at["leaders_survey", "level"] == pytest.approx(22 * 67.585 / 83.5)
    assert "derived" in r.at["leaders_survey", "level_status"]


def test_survey_ranges_as_of_the_plan_and_a_year_later(plan):
    r23 = scoring.survey_ranges(scoring.as_of_date(Quarter(2023, 1), plan), plan).set_index("component")
    # only SIPAS has two published years by mid-2023: 8.41 (2021, derived) -> 7.58 (2022): −0.83
    assert r23.at["sipas", "band"] == pytest.approx(0.83) and r23.at["sipas", "low"] == pytest.approx(6.75)
    assert r23.at["socio_economic", "band"] == pytest.approx(0.083 * 6.5)
    assert r23.at["socio_economic", "level"] == pytest.approx(0.80 * 16.5 - 7.58)    # 5.62
    r24 = scoring.survey_ranges(scoring.as_of_date(Quarter(2024, 2), plan), plan).set_index("component")
    # 2023 published: socio-economic 5.62 -> 3.61 (derived): band 2.01; SIPAS 7.58 -> 7.84: band stays 0.83
    assert r24.at["socio_economic", "band"] == pytest.approx(2.01)
    assert r24.at["sipas", "band"] == pytest.approx(0.83)


def test_survey_ranges_need_some_history(plan):
    with pytest.raises(ValueError, match="no range"):
        scoring.survey_ranges("2023-06-30", plan, history=comp_history([("sipas", 2022, 7.58, "sourced")]))


# ====================================================================== the page
def tasks_frame() -> pd.DataFrame:
    rows = [("A.IV.1", "PAR", "IV", "met"), ("A.VI.1", "PAR", "VI", "on_course"), ("A.VII.1", "PAR", "VII", "overdue"),
            ("B.I.1", "SIPAS", "I", "in_progress"), ("A.I.1", "PAR", "I", "strange_code")]
    return pd.DataFrame([{"task_id": t, "index": i, "field": f, "status": s} for t, i, f, s in rows])


def test_outlook_vietnamese_page_states_as_of_verdict_threshold_and_ranges_without_keys(plan):
    ctx = ol.build_context(Quarter(2023, 1), tasks_frame(), plan, "vi")
    assert ctx.as_of == PLAN_ISSUED and ctx.threshold["base_year"] == 2022
    page = (ol.header(ctx) + ol.threshold_section(ctx) + ol.survey_section(ctx) + ol.top25_section(ctx)
            + ol.overview_summary(ctx))
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", page))
    assert "01/06/2023" in text and "kết quả mới nhất là năm 2022" in text
    assert "Vào nhóm 25 tỉnh dẫn đầu năm 2023:" in text and "84,20–89,21" in text
    assert "2021→2022: −1,58 (đổi bộ chỉ số)" in text and "85,78 − 1,58 = 84,20" in text
    assert "6,75 – 7,58 – 8,41" in text                                 # SIPAS range, with a fall
    assert "A.I.1" in text                                              # the task with an unknown status is listed
    assert "85,78 (hạng 29) – 86,56 (hạng 19)" in text and "Kế hoạch của tỉnh" in text
    for word in (".txt", "plans/", ".0)", "strange_code", "on_course", "pessimistic", "expected", "derived", "sourced", "qd_876", "pre_876",
                 "NOT FOUND", "leaders_survey", "socio_economic"):
        assert word not in text, word


def test_outlook_english_page_and_overview_carry_the_same_verdict(plan):
    ctx = ol.build_context(Quarter(2023, 1), tasks_frame(), plan, "en")
    s = ol.overview_summary(ctx)
    assert "Top 25 in 2023:" in s and "84.20–89.21" in s
    assert ctx.verdict["verdict"] in scoring.VERDICTS


def test_projection_as_of_defaults_to_the_tables_quarter(plan):
    t = tasks_frame().assign(quarter="2023Q1")
    assert scoring.project(t, plan).attrs["as_of"] == "2023-06-01"
    assert scoring.total_range(scoring.project(t, plan)) == scoring.total_range(scoring.project(t, plan, "2023-06-01"))
    with pytest.raises(ValueError, match="single quarter"):
        scoring.project(pd.concat([t, t.assign(quarter="2023Q2", task_id=t["task_id"] + "x")]), plan)


def test_the_2023_plan_judged_as_of_mid_2024_uses_the_published_2023_bracket(plan):
    # the 2023 plan (assessment year 2023) passed explicitly with a quarter of 2024: as of 30/06/2024 its year's
    # results are out, so the bracket is the published one (Nam Định 87.32 at rank 29, Ninh Bình 88.72 at rank 11)
    ctx = ol.build_context(Quarter(2024, 2), tasks_frame(), plan, "vi")
    assert ctx.assessment_year == 2023
    assert ctx.as_of == dt.date(2024, 6, 30)
    assert ctx.threshold["basis"] == "published" and (ctx.verdict["low"], ctx.verdict["high"]) == (87.32, 88.72)
    text = re.sub(r"<[^>]+>", " ", ol.header(ctx) + ol.threshold_section(ctx))
    assert "kết quả mới nhất là năm 2023 (công bố 17/04/2024)" in text
    assert "theo kết quả đã công bố trong khoảng 87,32–88,72" in text
    assert "Đã công bố: 87,32 – 88,72" in text


# ====================================================================== a plan of another year
NEW_PCT = {1: 0.93, 2: 0.99, 3: 0.94, 4: 0.82, 5: 0.78, 6: 0.88, 7: 0.86, 8: 0.69}   # written into the new plan
NEW_TOTAL, NEW_SIPAS, NEW_BELOW, NEW_RANK = 84.6, 7.84, 85, 20


def _write_yaml(path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def plan_2024(tmp_path):
    """The 2023 plan copied to tmp_path as a 2024 plan: baseline year 2023, other baselines, goal rank 20."""
    src = Path(__file__).resolve().parents[1] / "plans" / "2023"
    dst = tmp_path / "plans" / "2024"
    shutil.copytree(src, dst)
    meta = yaml.safe_load((dst / "plan.yaml").read_text(encoding="utf-8"))
    meta.update({"year": 2024, "baseline_year": 2023})
    for k in ("title_vi", "title_en", "short_title_vi", "short_title_en"):
        meta[k] = meta[k].replace("2023", "2024")
    meta["issued"] = {**meta["issued"], "date": "2024-03-01"}
    meta["goal"] = {**meta["goal"], "rank_at_most": NEW_RANK}
    _write_yaml(dst / "plan.yaml", meta)
    ind = yaml.safe_load((dst / "indices.yaml").read_text(encoding="utf-8"))
    ind["par_index"]["baseline"] = {**ind["par_index"]["baseline"], "year": 2023,
                                    "total_points": {"value": NEW_TOTAL, "status": "sourced", "source": "test"}}
    sb = ind["sipas"]["baseline"]
    ind["sipas"]["baseline"] = {**sb, "year": 2023, "score_10": {"value": NEW_SIPAS, "status": "sourced", "source": "t"},
                                "factors_below_pct": {**sb["factors_below_pct"], "value": NEW_BELOW}}
    for f in ind["par_fields"]:
        f["baseline"] = {"year": 2023, "pct": NEW_PCT[f["number"]]}
    _write_yaml(dst / "indices.yaml", ind)
    cfg = yaml.safe_load((dst / "par_scoring.yaml").read_text(encoding="utf-8"))
    cfg["projection"]["threshold"]["rank"] = NEW_RANK
    _write_yaml(dst / "par_scoring.yaml", cfg)
    return load_plan(2024, root=tmp_path / "plans")


def _vi(x: float, nd: int = 2) -> str:
    return f"{x:.{nd}f}".replace(".", ",")


def _expected_threshold(ref: Path, last: int, as_of: str, steps: int) -> tuple[float, float]:
    """The goal-rank range worked out from the reference CSVs: year `last`'s bracket + steps × min / max mean move."""
    prov = pd.read_csv(ref / "par_index_provinces.csv", dtype=str)
    prov = prov[(prov["year"] == str(last)) & (prov["published"] <= as_of)]
    prov = prov[pd.to_numeric(prov["score_pct"], errors="coerce").notna()
                & pd.to_numeric(prov["rank_of_63"], errors="coerce").notna()]
    sc, rk = prov["score_pct"].astype(float), prov["rank_of_63"].astype(float)
    agg = pd.read_csv(ref / "par_sipas_aggregates.csv", dtype=str)
    means = agg[(agg["index"] == "PAR INDEX provinces") & (agg["metric"] == "mean") & (agg["published"] <= as_of)]
    by_year = dict(zip(means["year"].astype(int), means["value"].astype(float), strict=True))
    mv = [by_year[y + 1] - by_year[y] for y in by_year if y + 1 in by_year]
    return sc[rk >= NEW_RANK].max() + steps * min(mv), sc[rk <= NEW_RANK].min() + steps * max(mv)


def test_a_plan_with_another_baseline_year_says_its_years_and_uses_its_figures(plan_2024):
    p = plan_2024
    ref = p.references
    maxima = {f["number"]: f["max_points"] for f in p.indices["par_fields"]}
    points = {f: NEW_PCT[f] * maxima[f] for f in NEW_PCT}
    b = scoring.baseline(p)
    f = b[b["level"] == "field"].set_index("field")
    assert set(b["baseline_year"]) == {2023}
    assert [f.at[n, "baseline_points"] for n in NEW_PCT] == pytest.approx([points[n] for n in NEW_PCT])
    assert b[b["level"] == "total"]["published_points"].iloc[0] == NEW_TOTAL
    # all tasks met: the survey fields' appraisal parts (max × 61.5/83.5) win back 0.8 of what they lost
    all_met = sum(points.values()) + sum(0.8 * (1 - NEW_PCT[n]) * maxima[n] * 61.5 / 83.5 for n in range(1, 8))
    assert scoring.all_met_total(p) == pytest.approx(all_met)

    # the 20th-place score of 2024 as of 30/06/2024: the 2023 bracket (rank >= 20 best, rank <= 20 worst) moved by
    # the smallest / largest year-on-year change of the national mean (references written above, worked out here)
    low, high = _expected_threshold(ref, 2023, "2024-06-30", steps=1)
    agg = pd.read_csv(ref / "par_sipas_aggregates.csv", dtype=str)
    best = float(agg[(agg["index"] == "PAR INDEX provinces") & (agg["year"] == "2023")
                     & agg["metric"].str.startswith("max")]["value"].iloc[0])
    nat = float(agg[(agg["index"] == "SIPAS") & (agg["year"] == "2023") & (agg["metric"] == "national")]["value"].iloc[0])

    ctx = ol.build_context(Quarter(2024, 2), tasks_frame(), p, "vi")
    assert (ctx.assessment_year, ctx.baseline_year, ctx.rank, ctx.as_of) == (2024, 2023, NEW_RANK, dt.date(2024, 6, 30))
    assert (ctx.threshold["base_year"], ctx.threshold["year"]) == (2023, 2024)
    assert (ctx.threshold["low"], ctx.threshold["high"]) == (pytest.approx(low), pytest.approx(high))
    own = (ol.header(ctx) + ol.projection_section(ctx, chart=False) + ol.whatif_section(ctx)
           + ol.assumptions_section(ctx) + ol.overview_summary(ctx))
    text = re.sub(r"<[^>]+>", " ", own)
    assert f"Vào nhóm {NEW_RANK} tỉnh dẫn đầu năm 2024:" in text
    assert f"điểm của tỉnh xếp thứ {NEW_RANK} năm 2024 dự báo trong khoảng {_vi(low)}–{_vi(high)}" in text
    assert "Dự báo điểm PAR INDEX năm 2024 theo lĩnh vực" in text and "Tỷ lệ 2023" in text and "Điểm 2023*" in text
    assert "giữ như năm 2023" in text and f"{_vi(NEW_TOTAL)} (công bố)" in text
    assert f"5. {p.indices['par_fields'][4]['name_vi']}" in text and f"{_vi(points[5])}" in text
    assert "Điểm 2023 của mỗi lĩnh vực" in text and "= tỷ lệ % 2023 × điểm tối đa" in text
    assert f"tổng {_vi(sum(points.values()), 3)}" in text
    assert f"kịch bản dự kiến đạt {_vi(all_met)} (điểm cao nhất cả nước năm 2023: {_vi(best, 1)})" in text
    rows = {r["kind"]: r for r in ol.assumptions_view(ctx)["rows"]}
    assert rows["baseline"]["sum"] == pytest.approx(sum(points.values()))
    assert (rows["calibration"]["total"], rows["calibration"]["best"]) == (pytest.approx(all_met), best)
    assert "2022" not in text and " 25 " not in text and "hạng 25" not in text
    th = re.sub(r"<[^>]+>", " ", ol.threshold_section(ctx) + ol.survey_section(ctx))
    assert f"Điểm của tỉnh xếp thứ {NEW_RANK} năm 2024" in th and f"khoảng điểm hạng {NEW_RANK} năm 2023" in th
    assert f"{_vi(NEW_SIPAS)} (2023" in th                                   # SIPAS level of the new baseline year
    en = ol.build_context(Quarter(2024, 2), tasks_frame(), p, "en")
    assert f"Top {NEW_RANK} in 2024:" in ol.overview_summary(en) and "20th-place score 2024" in ol.overview_summary(en)

    survey = pd.DataFrame([{"respondent_id": "r1", "district": "TAM_KY", "factor": k, "answer": 5} for k in range(1, 6)])
    s = scoring.sipas(survey, ctx.as_of, p)
    o = s[s["level"] == "overall"].iloc[0]
    assert (o["baseline_year"], o["baseline_score_10"]) == (2023, NEW_SIPAS)
    assert o["change_vs_baseline_score_10"] == pytest.approx(10.0 - NEW_SIPAS)
    assert o["national_baseline_share"] == pytest.approx(nat / 100)
    assert set(s[s["level"] == "factor"]["baseline_status"]) == {f"NOT FOUND (plan: every factor below {NEW_BELOW} %)"}
    with_survey = ol.build_context(Quarter(2024, 2), tasks_frame(), p, "vi", survey=survey)
    m = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(ol.sipas_section(with_survey, chart=False))))
    assert _vi(NEW_SIPAS) in m and f"{_vi(nat)} %" in m, m  # the new baseline year's SIPAS levels, province and nation


def test_a_goal_rank_that_disagrees_with_par_scoring_is_refused(plan):
    other = dataclasses.replace(plan, meta={**plan.meta, "goal": {**plan.meta["goal"], "rank_at_most": 20}})
    with pytest.raises(ValueError, match="rank_at_most"):
        scoring.rank25_outlook("2023-06-30", other)


def test_verdict_sentence_names_the_goal_rank():
    v = scoring.verdict({"pessimistic": 84.0, "expected": 86.0, "optimistic": 88.0}, TH)
    assert ol.verdict_sentence(v, 2024, True, "en", rank=21).startswith("Top 21 in 2024: POSSIBLE")
    assert "21st-place score is projected at 85.00–87.00" in ol.verdict_sentence(v, 2024, True, "en", rank=21)
    assert ol.verdict_sentence(v, 2024, True, "vi", rank=12).startswith("Vào nhóm 12 tỉnh dẫn đầu năm 2024")


def test_before_its_baseline_results_are_in_the_references_a_plan_uses_its_own_figures(plan_2024):
    # 2024Q1 ends 31/03/2024, after the plan's issue (01/03/2024) but before the 2023 results (17/04/2024): the SIPAS
    # level is the plan's own 7.84, the national 2023 SIPAS is not shown, the range starts from 2022, two years ahead
    ref = plan_2024.references
    pub = pd.read_csv(ref / "publications.csv", dtype=str)
    assert (pub[pub["result_year"] == "2023"]["published"] > "2024-03-31").all()
    ctx = ol.build_context(Quarter(2024, 1), tasks_frame(), plan_2024, "vi")
    assert ctx.as_of == dt.date(2024, 3, 31)
    low, high = _expected_threshold(ref, 2022, "2024-03-31", steps=2)
    assert (ctx.threshold["base_year"], ctx.threshold["steps"]) == (2022, 2)
    assert (ctx.threshold["low"], ctx.threshold["high"]) == (pytest.approx(low), pytest.approx(high))
    r = ctx.projection.attrs["survey_ranges"].set_index("component")
    assert (r.at["sipas", "level"], r.at["sipas", "level_status"]) == (NEW_SIPAS, "sourced (plan)")
    survey = pd.DataFrame([{"respondent_id": "r1", "district": "TAM_KY", "factor": k, "answer": 4} for k in range(1, 6)])
    ctx = ol.build_context(Quarter(2024, 1), tasks_frame(), plan_2024, "vi", survey=survey, survey_quarter=Quarter(2024, 1))
    o = scoring.sipas(survey, ctx.as_of, plan_2024).iloc[-1]
    assert o["baseline_score_10"] == NEW_SIPAS and pd.isna(o["national_baseline_share"])
    assert o["national_baseline_status"].startswith("NOT FOUND")
    text = re.sub(r"<[^>]+>", " ", ol.sipas_section(ctx, chart=False))
    assert f"Năm 2023: {_vi(NEW_SIPAS)}/10 (công bố); trung bình cả nước 2023 chưa được công bố." in text
    assert "SIPAS cả nước chưa được công bố" in text and "nan" not in text


# ====================================================================== views, templates, catalogue (issue 16)
def survey_frame() -> pd.DataFrame:
    """Two respondents of two districts: every factor answered 5 by the first, 2 by the second."""
    return pd.DataFrame([{"respondent_id": rid, "district": d, "factor": k, "answer": a}
                         for rid, d, a in (("r1", "TAM_KY", 5), ("r2", "HOI_AN", 2)) for k in range(1, 6)])


def ctx_with_survey(plan, lang: str) -> ol.OutlookContext:
    return ol.build_context(Quarter(2023, 2), tasks_frame(), plan, lang, survey=survey_frame(),
                            survey_quarter=Quarter(2023, 2))


def strings(x) -> list[str]:
    if isinstance(x, dict):
        return [s for k, v in x.items() if k != "src" for s in strings(v)]   # src: the chart's PNG data URI
    if isinstance(x, list | tuple):
        return [s for v in x for s in strings(v)]
    return [x] if isinstance(x, str) else []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_views_hold_plain_data_without_html(plan, lang):
    ctx = ctx_with_survey(plan, lang)
    for name, view in ol.VIEWS.items():
        data = view(ctx)
        texts = strings(data)
        assert texts, name
        assert not [s for s in texts if "<" in s or ">" in s], name
    # numbers stay numbers: the projected total of the expected scenario is the scoring's own float
    assert ol.projection_view(ctx, chart=False)["total"]["projected"][1] == \
        scoring.total_range(ctx.projection)["expected"]


def test_sipas_view_counts_respondents_and_shares_from_the_answers(plan):
    v = ol.sipas_view(ctx_with_survey(plan, "vi"), chart=False)
    overall = v["rows"][-1]
    # 10 answers, 5 of them satisfied (5 ∈ {4, 5}), 2 respondents; each district: 1 respondent, all or none satisfied
    assert (overall["n"], overall["share"], overall["name"]) == (2, 0.5, "Chung")
    assert [(d["name"], d["n"], d["share"]) for d in v["districts"]] == [
        (plan.agencies["TAM_KY"].name("vi"), 1, 1.0), (plan.agencies["HOI_AN"].name("vi"), 1, 0.0)]
    assert v["scale"] == "4, 5" and v["pooled"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_assumptions_are_a_readable_table_not_monospace(plan, lang):
    ctx = ol.build_context(Quarter(2023, 2), tasks_frame(), plan, lang)
    html = str(ol.assumptions_section(ctx))
    assert "<pre" not in html and "monospace" not in html and "<table>" in html
    cfg = yaml.safe_load((plan.folder / "par_scoring.yaml").read_text(encoding="utf-8"))["projection"]
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows]
    sep = "," if lang == "vi" else "."
    for status, m in cfg["multipliers"].items():   # one row per status: its label and the three multipliers
        values = " / ".join(f"{x:.1f}".replace(".", sep) for x in m)
        assert any(i18n.t(f"status.{status}", lang) in r and values in r for r in text), (status, values)
    for code, alias in cfg.get("status_as", {}).items():   # the one vocabulary's label first, else the alias's name
        name = i18n.t(f"status.{code}", lang) if i18n.has(f"status.{code}", lang) else alias[lang]
        assert any(name in r and i18n.t(f"status.{alias['counts_as']}", lang) in r for r in text), code
    # the header row; one row per lever, multiplier, alias and section without a field; six fixed rows (baseline,
    # survey split, unknown statuses, survey parts, bounds, calibration) and one for the tasks not scored
    n = (len(scoring.levers(plan)) + len(cfg["multipliers"]) + len(cfg.get("status_as", {}))
         + len(plan.indices.get("par_sections_without_field", [])) + 6 + bool(cfg.get("not_scored")))
    assert len(rows) == 1 + n


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_tasks_are_shown_beside_their_short_text(plan, lang):
    ctx = ol.build_context(Quarter(2023, 2), tasks_frame(), plan, lang)
    html = str(ol.whatif_section(ctx)) + str(ol.header(ctx))
    ids = re.findall(r'<span class="task-id">([^<]+)</span> — ([^<]+)</span>', html)
    assert ids and all(plan.task(i).short(lang) == s.replace("&#39;", "'") for i, s in ids)
    assert ("A.I.1", plan.task("A.I.1").short(lang)) in ids              # the task with an unknown status


def test_overview_summary_links_the_page_and_the_method(plan):
    ctx = ol.build_context(Quarter(2023, 2), tasks_frame(), plan, "vi")
    s = ol.overview_summary(ctx)
    assert hasattr(s, "__html__") and 'href="outlook.html"' in s and 'href="method.html#projection"' in s
    assert "parplan" not in s and "docs/method" not in s


def test_ordinals_follow_the_language():
    assert [ol.ordinal(n, "en") for n in (1, 2, 3, 11, 12, 13, 21, 22, 25)] == \
        ["1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "22nd", "25th"]
    assert ol.ordinal(25, "vi") == "25"


@pytest.mark.parametrize("q", ["2023Q2", "2023Q4"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_language_check_finds_nothing_on_the_page(prepared_2023, plan, q, lang):
    """Issue 16 items 4 and 7: no code, id, module or file name or other-language word on the outlook page."""
    ctx = ol.load_outlook_context(q, lang, data_root=str(prepared_2023))
    assert not ctx.survey.empty
    body = "\n".join(str(ol.render(s, ctx)) for s in ol.SECTIONS)
    html = layout.page(i18n.t("outlook.title", lang, quarter=ctx.quarter.label(lang)), body, lang, sample=True)
    hits = lc.scan_html(html, lc.vocabulary(plan), "outlook.html", lang)
    assert not hits, "\n".join(lc.summary(hits, top=20))
    assert "<pre" not in html and "method.html#projection" in html and "method.html#sipas" in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_assumptions_table_counts_unknown_statuses_and_names_sections_without_a_field(plan, lang):
    """The 'strange_code' task of tasks_frame is an unknown status: the table says how many there are and what they
    count as; every plan section scored without a field of its own is named with its field."""
    ctx = ol.build_context(Quarter(2023, 2), tasks_frame(), plan, lang)
    rows = ol.assumptions_view(ctx)["rows"]
    unknown = next(r for r in rows if r["kind"] == "unknown")
    assert unknown["n_unknown"] == 1  # worked out from tasks_frame(): one status outside the multipliers and aliases
    cfg = yaml.safe_load((plan.folder / "par_scoring.yaml").read_text(encoding="utf-8"))
    assert unknown["counts_as"] == ol.status_label(cfg["projection"]["unknown_status_as"], plan, lang)
    without = [r for r in rows if r["kind"] == "without_field"]
    assert [r["field"] for r in without] == [int(cfg["sections"]["PAR"][x]["field"])
                                            for x in plan.indices.get("par_sections_without_field", [])]


def test_assumptions_say_whether_the_field_percentages_are_printed_or_derived():
    """2023's field percentages are printed in the plan; the 2024 skeleton's are derived from published points."""
    from parplan.catalogue import load_plan

    for year, printed in ((2023, True), (2024, False)):
        p = load_plan(year)
        ctx = ol.build_context(Quarter(year, 2), tasks_frame(), p, "vi")
        row = next(r for r in ol.assumptions_view(ctx)["rows"] if r["kind"] == "baseline")
        assert row["derived_pct"] is (not printed)
        text = re.sub(r"<[^>]+>", " ", str(ol.assumptions_section(ctx)))
        assert (i18n.t("outlook.assumptions.baseline.source_derived", "vi") in text) is (not printed), year


def test_sipas_section_says_the_official_aggregation_is_not_public(plan):
    survey = pd.DataFrame([{"respondent_id": "r1", "district": "TAM_KY", "factor": k, "answer": 4} for k in range(1, 6)])
    ctx = ol.build_context(Quarter(2023, 2), tasks_frame(), plan, "en", survey=survey)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(ol.sipas_section(ctx, chart=False))))
    assert i18n.t("outlook.sipas.method.not_official", "en").replace("'", "&#39;") in text
