"""PAR INDEX outlook and SIPAS (parplan/scoring.py) against numbers worked out by hand in this file."""
from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from parplan import scoring
from parplan.scoring import (
    SCENARIOS,
    baseline,
    distance_to_top25,
    project,
    sipas,
    total_range,
    what_if,
)

REPO = Path(__file__).resolve().parents[1]
PLAN_DIR = REPO / "plans" / "2023"
REF_FILES = ["par_index_structure", "par_index_fields", "par_index_provinces", "par_sipas_aggregates",
             "sipas_provinces", "publications", "quangnam_components"]
INDICES = yaml.safe_load((PLAN_DIR / "indices.yaml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((PLAN_DIR / "par_scoring.yaml").read_text(encoding="utf-8"))
Z = 1.96
ALL_STATUSES = ["met", "on_track", "at_risk", "off_track", "not_yet_due", "no_data", "done", "done_no_evidence",
                "in_progress", "not_started", "overdue", "no_report"]

# one or two hand-made tasks per appendix section (index, roman numeral of the section)
SECTIONS = [("PAR", "I"), ("PAR", "II"), ("PAR", "III"), ("PAR", "IV"), ("PAR", "V"), ("PAR", "VI"), ("PAR", "VII"),
            ("PAR", "VIII"), ("PAR", "IX"), ("SIPAS", "I"), ("SIPAS", "II"), ("SIPAS", "III"), ("SIPAS", "IV"),
            ("SIPAS", "V")]
TASKS = [(f"{'A' if i == 'PAR' else 'B'}.{s}.{n}", i, s) for i, s in SECTIONS for n in (1, 2)]

# hand-worked 2022 numbers of the 2023 plan (plan %, derived maxima from references/par_index_fields.csv)
PCT = {1: 0.90, 2: 0.89, 3: 0.88, 4: 0.74, 5: 0.73, 6: 0.77, 7: 0.82, 8: 0.80}
MAX = {1: 10.5, 2: 9.5, 3: 10.0, 4: 13.0, 5: 15.0, 6: 12.0, 7: 13.5, 8: 16.5}
BASELINE = sum(PCT[f] * MAX[f] for f in PCT)        # 80.785
SIPAS_2022 = 7.58                                   # plan, /10


def frame(status: str | dict[str, str], tasks=TASKS) -> pd.DataFrame:
    """A task_progress-shaped frame: one status for all tasks, or per task id."""
    get = (lambda t: status) if isinstance(status, str) else (lambda t: status[t])
    return pd.DataFrame([{"quarter": "2023Q3", "task_id": t, "index": i, "field": s, "status": get(t)}
                         for t, i, s in tasks])


def fields(proj: pd.DataFrame, scenario: str) -> pd.Series:
    p = proj[(proj["level"] == "field") & (proj["scenario"] == scenario)]
    return p.set_index("field")["projected_points"]


def wilson(k: float, n: float) -> tuple[float, float]:
    """Wilson score 95 % interval, written out independently of parplan.metrics."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


# ====================================================================== reference data and the scheme
def test_reference_csvs_are_the_plans_own_and_are_read_from_there(plan):
    assert plan.references == PLAN_DIR / "references"
    for name in REF_FILES:
        assert (PLAN_DIR / "references" / f"{name}.csv").is_file()
        on_disk = pd.read_csv(PLAN_DIR / "references" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(scoring.reference_table(name, "2100-01-01", plan)) == len(on_disk)
    text = Path(scoring.__file__).read_text(encoding="utf-8")
    assert "../" + "shared" not in text and "shared" + "/reference" not in text  # the repo stands alone
    assert "catalogue" + "/reference" not in text and "CATALOGUE_DIR" not in text


def test_scheme_adds_up_and_every_figure_has_source_and_status():
    comps = {c["id"]: c for c in CONFIG["scheme"]["components"]}
    assert comps["appraisal"]["max_points"] + comps["impact"]["max_points"] == 100
    assert comps["sipas"]["max_points"] + comps["leaders_survey"]["max_points"] + comps["socio_economic"]["max_points"] \
        == pytest.approx(comps["impact"]["max_points"])
    assert MAX[8] == pytest.approx(comps["sipas"]["max_points"] + comps["socio_economic"]["max_points"])
    assert sum(MAX[f] for f in range(1, 8)) == pytest.approx(comps["appraisal"]["max_points"]
                                                             + comps["leaders_survey"]["max_points"])
    for c in comps.values():
        assert c["status"] and c["source"]


def test_field_maxima_match_the_reference_table_and_are_derived(plan):
    ref = scoring.reference_table("par_index_fields", "2023-06-30", plan)
    ref = ref[ref["scheme"].str.startswith("QD 876") & ref["applies_to"].str.startswith("PAR INDEX 2022")]
    by_no = {int(r["field_no_plan_order"]): (float(r["max_points"]), r["status"]) for _, r in ref.iterrows()}
    for f in INDICES["par_fields"]:
        assert by_no[f["number"]] == (pytest.approx(f["max_points"]), "derived")
        assert MAX[f["number"]] == f["max_points"] and PCT[f["number"]] == f["baseline"]["pct"]
        assert f["baseline"]["year"] == plan.baseline_year == 2022


def test_section_map_agrees_with_indices_yaml_and_communication_feeds_field_2():
    par = CONFIG["sections"]["PAR"]
    for f in INDICES["par_fields"]:
        assert par[f["section"]]["field"] == f["number"]
    assert par["II"]["field"] == 2 and "Chỉ đạo, điều hành" in par["II"]["note"]
    for f in INDICES["sipas_factors"]:
        s = CONFIG["sections"]["SIPAS"][f["section"]]
        assert (s["factor"], s["field"], s["component"]) == (f["number"], 8, "sipas")
    # every lever's sections are mapped to its field
    for lv in CONFIG["projection"]["levers"]:
        for s in lv["sections"]:
            assert CONFIG["sections"][lv["index"]][s]["field"] == lv["field"]


def test_every_progress_status_code_has_a_multiplier_or_a_mapping():
    from parplan import progress

    proj = CONFIG["projection"]
    known = set(proj["multipliers"]) | set(proj["status_as"])
    assert set(progress.STATUSES) | set(progress.SEVERITY) <= known
    assert all(a["counts_as"] in proj["multipliers"] and a["vi"] and a["en"] for a in proj["status_as"].values())
    assert proj["unknown_status_as"] == "no_data"


def test_every_task_status_has_a_multiplier_and_scenarios_are_ordered():
    mult = CONFIG["projection"]["multipliers"]
    assert set(ALL_STATUSES) <= set(mult)
    for m in mult.values():
        assert m[0] <= m[1] <= m[2]
    assert mult["met"] == mult["done"] == [1.0, 1.0, 1.0]


# ====================================================================== baseline
def test_baseline_sums_to_the_published_total(plan):
    total = sum(PCT[f] * MAX[f] for f in PCT)
    assert total == pytest.approx(80.91, abs=0.2)
    b = baseline(plan)
    assert not [c for c in b.columns if any(y in c for y in ("2021", "2022", "2023"))]   # no year-named columns
    assert set(b["baseline_year"]) == {2022} and b.attrs["baseline_year"] == 2022
    f = b[b["level"] == "field"].set_index("field")
    for n in PCT:
        assert f.at[n, "baseline_pct"] == PCT[n]
        assert f.at[n, "baseline_points"] == pytest.approx(PCT[n] * MAX[n])
        assert f.at[n, "max_status"] == "derived" and f.at[n, "points_status"] == "derived"
        assert f.at[n, "baseline_lost_points"] == pytest.approx(MAX[n] - PCT[n] * MAX[n])
    t = b[b["level"] == "total"].iloc[0]
    assert t["baseline_points"] == pytest.approx(total) and t["max_points"] == pytest.approx(100)
    assert t["published_points"] == 80.91 and t["published_status"] == "sourced"
    assert list(f["name_vi"])[0] == INDICES["par_fields"][0]["name_vi"]


def test_a_baseline_of_another_year_than_the_plans_is_refused(plan):
    import dataclasses

    wrong = dataclasses.replace(plan, meta={**plan.meta, "baseline_year": 2021})
    with pytest.raises(ValueError, match="baseline_year"):
        baseline(wrong)


# ====================================================================== projection
# Hand-worked split of fields 1-7 (par_scoring.yaml): appraisal part = max × 61.5/83.5, survey part = max × 22/83.5.
APP = {f: MAX[f] * 61.5 / 83.5 for f in range(1, 8)}
SUR = {f: MAX[f] * 22 / 83.5 for f in range(1, 8)}
SHARE = 0.8
LOST_APP = sum((1 - PCT[f]) * APP[f] for f in APP)     # 15.915 × 61.5/83.5 = 11.7218...
FLAT = pd.DataFrame([  # survey ranges that do not move: isolates the task part of the model
    {"component": "sipas", "level": 7.58, "low": 7.58, "expected": 7.58, "high": 7.58},
    {"component": "leaders_survey", "level": 17.8068, "low": 17.8068, "expected": 17.8068, "high": 17.8068},
    {"component": "socio_economic", "level": 5.62, "low": 5.62, "expected": 5.62, "high": 5.62}])
AS_OF_2023 = "2023-06-30"


def test_projection_always_has_three_scenarios_per_field_and_total(plan):
    p = project(frame("in_progress"), plan, AS_OF_2023)
    assert set(p["scenario"]) == set(SCENARIOS)
    assert len(p[p["level"] == "field"]) == 8 * 3 and len(p[p["level"] == "total"]) == 3
    assert set(p["status"]) == {"derived"}
    assert set(total_range(p)) == set(SCENARIOS)
    assert p.attrs["as_of"] == AS_OF_2023


def test_all_tasks_met_wins_back_share_of_the_appraisal_points_only(plan):
    p = project(frame("met"), plan, AS_OF_2023, survey=FLAT)
    tr = total_range(p)
    assert LOST_APP == pytest.approx(15.915 * 61.5 / 83.5)
    assert tr["expected"] == pytest.approx(BASELINE + SHARE * LOST_APP)      # 80.785 + 9.3775 = 90.1625
    assert tr["expected"] == pytest.approx(90.1625, abs=1e-3)                # calibration: near the 2022 best (90.1)
    assert tr["pessimistic"] == tr["expected"] == tr["optimistic"]           # met is met; survey held flat here
    # field 5: appraisal 0.73 × 11.048 + 0.8 × 0.27 × 11.048, survey part unchanged 0.73 × 3.952
    f5 = fields(p, "expected")[5]
    assert f5 == pytest.approx(PCT[5] * APP[5] + SHARE * (1 - PCT[5]) * APP[5] + PCT[5] * SUR[5])
    # field 8 is survey and socio-economic only: no task moves it
    assert fields(p, "expected")[8] == pytest.approx(7.58 + 5.62)


def test_survey_ranges_make_the_pessimistic_total_fall_even_when_every_task_is_met(plan):
    p = project(frame("met"), plan, AS_OF_2023)          # real ranges as of mid-2023: SIPAS ±0.83, others by fallback
    tr = total_range(p)
    drop = 0.83 + 22 * 0.083 + 6.5 * 0.083         # 3.1955: SIPAS, leaders' survey, socio-economic bands
    assert tr["expected"] == pytest.approx(BASELINE + SHARE * LOST_APP)
    assert tr["pessimistic"] == pytest.approx(tr["expected"] - drop)
    assert tr["optimistic"] == pytest.approx(tr["expected"] + drop)
    assert fields(p, "pessimistic")[8] == pytest.approx(7.58 - 0.83 + 5.62 - 6.5 * 0.083)


def test_all_tasks_off_track_lose_appraisal_points_in_the_pessimistic_scenario(plan):
    p = project(frame("off_track"), plan, AS_OF_2023, survey=FLAT)
    tr = total_range(p)
    assert tr["pessimistic"] == pytest.approx(BASELINE - 0.2 * SHARE * LOST_APP)
    assert tr["expected"] == pytest.approx(BASELINE)                   # multiplier 0: no movement
    assert tr["optimistic"] == pytest.approx(BASELINE + 0.3 * SHARE * LOST_APP)
    # field 4 (two tasks): appraisal 0.74 × 9.575 − 0.2 × 0.8 × 0.26 × 9.575; survey part 0.74 × 3.425
    assert fields(p, "pessimistic")[4] == pytest.approx(PCT[4] * MAX[4] - 0.2 * SHARE * (1 - PCT[4]) * APP[4])


def test_sipas_and_socio_economic_tasks_move_no_points(plan):
    met = project(frame("met", [("B.IV.1", "SIPAS", "IV"), ("A.IX.1", "PAR", "IX")]), plan, AS_OF_2023, survey=FLAT)
    late = project(frame("overdue", [("B.IV.1", "SIPAS", "IV"), ("A.IX.1", "PAR", "IX")]), plan, AS_OF_2023, survey=FLAT)
    assert total_range(met) == total_range(late) == {sc: pytest.approx(BASELINE) for sc in SCENARIOS}
    assert met.attrs["not_scored_tasks"] == ["A.IX.1", "B.IV.1"] and met.attrs["unmapped_tasks"] == []


def test_scenarios_are_ordered_for_every_field_and_the_total(plan):
    statuses = {t: ALL_STATUSES[i % len(ALL_STATUSES)] for i, (t, _, _) in enumerate(TASKS)}
    p = project(frame(statuses), plan, AS_OF_2023)
    pes, exp, opt = (fields(p, sc) for sc in SCENARIOS)
    assert (opt >= exp - 1e-12).all() and (exp >= pes - 1e-12).all()
    tr = total_range(p)
    assert tr["optimistic"] >= tr["expected"] >= tr["pessimistic"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ALL_STATUSES + ["on_course", "not_measurable", "unheard_of"]),
                min_size=len(TASKS), max_size=len(TASKS)),
       st.floats(min_value=0.0, max_value=1.0))
def test_field_percentages_stay_within_0_and_100(plan, statuses, share):
    cfg = copy.deepcopy(CONFIG)
    for lv in cfg["projection"]["levers"]:
        lv["share"] = share
    p = project(frame({t: s for (t, _, _), s in zip(TASKS, statuses, strict=True)}), plan, AS_OF_2023, config=cfg)
    assert (p["projected_pct"] <= 1.0 + 1e-12).all() and (p["projected_pct"] >= 0).all()
    assert (p["projected_points"] <= p["max_points"] + 1e-12).all()
    for sc in SCENARIOS:
        f = p[(p["level"] == "field") & (p["scenario"] == sc)]
        t = p[(p["level"] == "total") & (p["scenario"] == sc)].iloc[0]
        assert t["projected_points"] == pytest.approx(f["projected_points"].sum())
    pes, exp, opt = (fields(p, sc) for sc in SCENARIOS)
    assert (opt >= exp - 1e-12).all() and (exp >= pes - 1e-12).all()


def test_communication_section_moves_field_2_only(plan):
    p = project(frame("met", [("A.II.1", "PAR", "II")]), plan, AS_OF_2023, survey=FLAT)
    moved = fields(p, "expected") - pd.Series({f: PCT[f] * MAX[f] for f in PCT})
    assert moved[2] == pytest.approx(SHARE * (1 - PCT[2]) * APP[2])
    assert (moved.drop(2).abs() < 1e-12).all()


def test_status_codes_are_mapped_tolerantly_and_unknown_ones_are_listed(plan):
    assert total_range(project(frame("on_course"), plan, AS_OF_2023)) == \
        total_range(project(frame("on_track"), plan, AS_OF_2023))
    assert total_range(project(frame("not_measurable"), plan, AS_OF_2023)) == \
        total_range(project(frame("no_data"), plan, AS_OF_2023))
    odd = project(frame("finished"), plan, AS_OF_2023)          # not in the table: counts as no_data, listed
    assert total_range(odd) == total_range(project(frame("no_data"), plan, AS_OF_2023))
    assert odd.attrs["unknown_statuses"] == ["finished"]
    assert odd.attrs["status_mapping"]["finished"] == {"counts_as": "no_data", "why": "unknown"}
    with pytest.raises(ValueError, match="status"):
        project(frame("met").drop(columns="status"), plan, AS_OF_2023)
    with pytest.raises(ValueError, match="more than one row"):
        project(pd.concat([frame("met"), frame("met")]), plan, AS_OF_2023)


def test_task_without_a_section_is_listed_not_counted(plan):
    f = pd.concat([frame("met"), pd.DataFrame([{"task_id": "X.1", "index": "PAR", "field": None, "status": "met"}])])
    p = project(f, plan, AS_OF_2023)
    assert p.attrs["unmapped_tasks"] == ["X.1"]
    assert total_range(p) == total_range(project(frame("met"), plan, AS_OF_2023))


def test_distance_to_top25_arithmetic():
    totals = {"pessimistic": 84.0, "expected": 86.0, "optimistic": 87.0}
    rows = []
    for sc, tot in totals.items():
        rows.append({"level": "field", "field": 4, "name_vi": "TTHC", "name_en": "Procedures", "scenario": sc,
                     "max_points": 13.0, "projected_points": tot - 75.0})
        rows.append({"level": "total", "field": pd.NA, "name_vi": "Tổng", "name_en": "Total", "scenario": sc,
                     "max_points": 100.0, "projected_points": tot})
    d = distance_to_top25(pd.DataFrame(rows), {"low": 85.78, "high": 86.56, "status": "derived bracket"})
    t = d[d["level"] == "total"].set_index("scenario")
    # 85.78 − 84 = 1.78, 86.56 − 84 = 2.56; 86 is inside the range (0 to the bottom, 0.56 to the top)
    assert t.at["pessimistic", "needed_to_low"] == pytest.approx(1.78)
    assert t.at["pessimistic", "needed_to_high"] == pytest.approx(2.56)
    assert t.at["expected", "needed_to_low"] == 0 and t.at["expected", "gap_to_low"] == pytest.approx(-0.22)
    assert t.at["expected", "needed_to_high"] == pytest.approx(0.56)
    assert t.at["optimistic", "needed_to_high"] == 0 and t.at["optimistic", "gap_to_high"] == pytest.approx(-0.44)
    assert list(t["position"]) == ["below bracket", "inside bracket", "at or above bracket"]
    assert (t["threshold_status"] == "derived bracket").all()
    f = d[d["level"] == "field"].set_index("scenario")
    assert f.at["pessimistic", "available_points"] == pytest.approx(13.0 - 9.0)   # max − projected
    assert t.at["pessimistic", "available_points"] == pytest.approx(16.0)


# ====================================================================== what-if
def test_what_if_ranks_high_gap_fields_first_and_leaves_out_met_done_and_unscored(plan):
    tasks = [("A.VI.1", "PAR", "VI"), ("A.I.1", "PAR", "I"), ("A.IV.1", "PAR", "IV"), ("A.III.1", "PAR", "III"),
             ("A.V.1", "PAR", "V"), ("B.I.1", "SIPAS", "I")]
    st_ = {"A.VI.1": "in_progress", "A.I.1": "in_progress", "A.IV.1": "met", "A.III.1": "done",
           "A.V.1": "in_progress", "B.I.1": "in_progress"}
    w = what_if(frame(st_, tasks), plan, top=5)
    # appraisal lost points: field 5 0.27 × 11.048 = 2.983 > field 1 0.10 × 7.734 = 0.773 > field 2 0.11 × 6.997 = 0.770
    assert list(w["task_id"]) == ["A.VI.1", "A.V.1", "A.I.1"]
    assert w.iloc[0]["points_added"] == pytest.approx(SHARE * (1 - PCT[5]) * APP[5] * (1 - 0.6))
    assert w.iloc[2]["points_added"] == pytest.approx(SHARE * (1 - PCT[2]) * APP[2] * (1 - 0.6))
    r = w.iloc[0]
    assert (r["field"], r["section"], r["current_status"], r["task_share"], r["lever_share"]) == \
        (5, "VI", "in_progress", 1.0, SHARE)
    assert set(w["status"]) == {"derived"}


def test_what_if_returns_at_most_top_rows_and_splits_the_slice_among_section_tasks(plan):
    w = what_if(frame("off_track"), plan, top=3)
    assert len(w) == 3
    assert list(w["points_added"]) == sorted(w["points_added"], reverse=True)
    # two tasks in section VI: each gets half of 0.8 × 2.983; off_track expected credit 0 → adds the whole slice
    assert w.iloc[0]["section"] == "VI" and w.iloc[0]["n_tasks_in_lever"] == 2
    assert w.iloc[0]["points_added"] == pytest.approx(SHARE * (1 - PCT[5]) * APP[5] / 2)
    assert what_if(frame("met"), plan, top=5).empty


# ====================================================================== SIPAS
# 3 respondents × 5 factors; factor 1 has two items, so pooled ≠ mean of factors.
SURVEY_ANSWERS = {  # respondent: (district, {factor: answers})
    "r1": ("TAM_KY", {1: [5, 4], 2: [5], 3: [3], 4: [2], 5: [4]}),
    "r2": ("TAM_KY", {1: [4, 2], 2: [4], 3: [4], 4: [1], 5: [1]}),
    "r3": ("HOI_AN", {1: [1, 1], 2: [2], 3: [5], 4: [5], 5: [4]}),
}


@pytest.fixture
def survey() -> pd.DataFrame:
    rows = []
    for rid, (district, by_factor) in SURVEY_ANSWERS.items():
        for f, answers in by_factor.items():
            for j, a in enumerate(answers):
                rows.append({"respondent_id": rid, "district": district, "agency_served": "SNV",
                             "procedure_code": "", "channel": "direct", "item_id": f"Q{f}.{j + 1}", "factor": f,
                             "answer": a, "source_file": "x.csv", "source_row": len(rows) + 2})
    return pd.DataFrame(rows)


def test_sipas_factor_shares_and_wilson_bounds(survey, plan):
    s = sipas(survey, AS_OF_2023, plan)
    f = s[s["level"] == "factor"].set_index("factor")
    expected = {1: (3, 6), 2: (2, 3), 3: (2, 3), 4: (1, 3), 5: (2, 3)}    # satisfied (4 or 5) / answers
    for k, (num, den) in expected.items():
        lo, hi = wilson(num, den)
        assert f.at[k, "share"] == pytest.approx(num / den)
        assert (f.at[k, "n_satisfied"], f.at[k, "n_answers"], f.at[k, "n_respondents"]) == (num, den, 3)
        assert f.at[k, "lower"] == pytest.approx(lo) and f.at[k, "upper"] == pytest.approx(hi)
        assert f.at[k, "score_10"] == pytest.approx(10 * num / den)
        assert f.at[k, "score_10_lower"] == pytest.approx(10 * lo)
    o = s[s["level"] == "overall"].iloc[0]
    lo, hi = wilson(10, 18)
    assert (o["n_satisfied"], o["n_answers"], o["n_respondents"]) == (10, 18, 3)
    assert o["share"] == pytest.approx(10 / 18) and o["lower"] == pytest.approx(lo) and o["upper"] == pytest.approx(hi)
    assert set(s["share_status"]) == {"derived"}


def test_sipas_overall_pooled_versus_mean_of_factors(survey, plan):
    pooled = sipas(survey, AS_OF_2023, plan, overall="pooled")
    mean = sipas(survey, AS_OF_2023, plan, overall="mean_of_factors")
    po = pooled[pooled["level"] == "overall"].iloc[0]
    mo = mean[mean["level"] == "overall"].iloc[0]
    shares = [3 / 6, 2 / 3, 2 / 3, 1 / 3, 2 / 3]
    assert po["share"] == pytest.approx(10 / 18)
    assert mo["share"] == pytest.approx(sum(shares) / 5) == pytest.approx(17 / 30)
    bounds = [wilson(3, 6), wilson(2, 3), wilson(2, 3), wilson(1, 3), wilson(2, 3)]
    assert mo["lower"] == pytest.approx(sum(b[0] for b in bounds) / 5)
    assert mo["upper"] == pytest.approx(sum(b[1] for b in bounds) / 5)
    # factor rows do not depend on the overall method
    pd.testing.assert_frame_equal(pooled[pooled["level"] == "factor"].drop(columns="method"),
                                  mean[mean["level"] == "factor"].drop(columns="method"))
    with pytest.raises(ValueError):
        sipas(survey, AS_OF_2023, plan, overall="median")


def test_sipas_per_district(survey, plan):
    s = sipas(survey, AS_OF_2023, plan, by="district")
    assert set(s["district"]) == {"TAM_KY", "HOI_AN"}
    tk = s[(s["district"] == "TAM_KY") & (s["level"] == "factor")].set_index("factor")
    assert [tk.at[k, "share"] for k in range(1, 6)] == pytest.approx([3 / 4, 1.0, 1 / 2, 0.0, 1 / 2])
    assert set(tk["n_respondents"]) == {2}
    assert tk.at[1, "n_answers"] == 4
    ha = s[(s["district"] == "HOI_AN") & (s["level"] == "factor")].set_index("factor")
    assert [ha.at[k, "share"] for k in range(1, 6)] == pytest.approx([0.0, 0.0, 1.0, 1.0, 1.0])
    assert set(ha["n_respondents"]) == {1}
    tko = s[(s["district"] == "TAM_KY") & (s["level"] == "overall")].iloc[0]
    hao = s[(s["district"] == "HOI_AN") & (s["level"] == "overall")].iloc[0]
    assert (tko["n_satisfied"], tko["n_answers"], tko["n_respondents"]) == (7, 12, 2)
    assert (hao["n_satisfied"], hao["n_answers"], hao["n_respondents"]) == (3, 6, 1)
    assert tko["lower"] == pytest.approx(wilson(7, 12)[0])
    assert tk.at[4, "upper"] == pytest.approx(wilson(0, 2)[1])        # 0 % still gets an upper bound


def test_sipas_scale_and_baseline_comparisons(survey, plan):
    s = sipas(survey, AS_OF_2023, plan, scale_satisfied=(3, 4, 5))
    f1 = s[(s["level"] == "factor") & (s["factor"] == 3)].iloc[0]
    assert f1["share"] == pytest.approx(1.0)                           # 3, 4, 5 all count now
    o = s[s["level"] == "overall"].iloc[0]
    assert o["n_satisfied"] == 11                                      # the one '3' joins the 10
    # the plan's 2022 SIPAS 7.58/10 (indices.yaml) and the national 2022 SIPAS 80.08 % (references)
    assert o["baseline_year"] == 2022
    assert o["baseline_score_10"] == SIPAS_2022 and o["baseline_status"] == "sourced"
    assert o["change_vs_baseline_score_10"] == pytest.approx(10 * 11 / 18 - SIPAS_2022)
    assert o["national_baseline_share"] == pytest.approx(0.8008) and o["national_baseline_status"] == "sourced"
    assert o["national_baseline_score_10"] == pytest.approx(8.008)
    assert o["national_baseline_score_10_status"] == "derived"
    f = s[s["level"] == "factor"]
    assert f["baseline_score_10"].isna().all() and f["national_baseline_share"].isna().all()
    assert set(f["baseline_status"]) == {"NOT FOUND (plan: every factor below 80 %)"}
    assert not [c for c in s.columns if "2022" in c or "2023" in c]


def test_field_baseline_status_is_the_plans():
    """2023's field percentages are printed in the plan (sourced); the 2024 skeleton's are derived from points."""
    from parplan.catalogue import load_plan

    for year in (2023, 2024):
        plan = load_plan(year)
        want = [f["baseline"].get("status", "sourced") for f in plan.indices["par_fields"]]
        got = scoring.baseline(plan)
        assert list(got[got["level"] == "field"]["pct_status"]) == want
    assert set(want) == {"derived"}
