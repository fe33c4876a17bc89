"""The answer first (issue 17 items 1–3): the action ranking, the answer box, the index badges and the comparisons,
against figures worked out here from the inputs."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from parplan import scoring
from parplan.periods import Quarter
from parplan.progress import SEVERITY
from parplan.report import answer, compare, fmt, i18n, index_page, layout
from parplan.report import language_check as lc
from parplan.report import outlook as ol
from parplan.store import Store

Q = Quarter(2023, 2)


def frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """task_progress-shaped rows: (task id, index, section, status)."""
    return pd.DataFrame([{"quarter": "2023Q3", "task_id": t, "index": i, "field": s, "status": st}
                         for t, i, s, st in rows])


# ====================================================================== scoring.rank_actions
def test_equal_points_are_broken_by_the_worse_status_then_the_nearer_deadline(plan):
    # A.VI.1 and A.VI.2 share field 5's slice; off_track and not_met both count as off track (no expected credit):
    # equal points, and not_met (final) is the more urgent. A.IV.4.4 (due 30/06) and A.IV.4.1 (due 31/12) share field
    # 4's slice with the same status: the nearer deadline first.
    a = scoring.rank_actions(frame([("A.VI.1", "PAR", "VI", "off_track"), ("A.VI.2", "PAR", "VI", "not_met"),
                                    ("A.IV.4.1", "PAR", "IV", "off_track"), ("A.IV.4.4", "PAR", "IV", "off_track")]),
                             plan)
    by = a.set_index("task_id")
    assert by.at["A.VI.1", "points_added"] == pytest.approx(by.at["A.VI.2", "points_added"])
    assert by.at["A.IV.4.1", "points_added"] == pytest.approx(by.at["A.IV.4.4", "points_added"])
    assert by.at["A.VI.2", "rank"] < by.at["A.VI.1", "rank"]
    assert by.at["A.IV.4.4", "rank"] < by.at["A.IV.4.1", "rank"]
    assert by.at["A.IV.4.4", "due"] == "2023-06-30" and bool(by.at["A.VI.1", "shared_equally"])
    assert SEVERITY["not_met"] > SEVERITY["off_track"]


def test_the_first_three_actions_come_from_three_fields_and_the_rest_follow_by_points(plan):
    rows = [(f"A.{s}.{n}", "PAR", s, "off_track") for s in ("I", "III", "IV", "V", "VI", "VII", "VIII") for n in (1, 2)]
    a = scoring.rank_actions(frame(rows), plan)
    pts = a.groupby("field")["points_added"].max().sort_values(ascending=False)
    top = a.head(3)
    assert list(top["field"]) == list(pts.index[:3])                 # the best of the three richest fields
    assert top["field"].is_unique
    rest = list(a["points_added"].iloc[3:])
    assert rest == sorted(rest, reverse=True)
    assert len(a) == len(rows) and list(a["rank"]) == list(range(1, len(rows) + 1))


def test_parts_without_points_are_ranked_by_urgency_alone_and_met_tasks_are_left_out(plan):
    a = scoring.rank_actions(frame([("B.I.1", "SIPAS", "I", "at_risk"), ("B.II.1", "SIPAS", "II", "overdue"),
                                    ("B.III.1", "SIPAS", "III", "met"), ("B.IV.1", "SIPAS", "IV", "in_progress")]),
                             plan, index="SIPAS")
    assert list(a["task_id"]) == ["B.II.1", "B.I.1", "B.IV.1"]        # severity 6 > 5 > 3; met is done
    assert not a["scored"].any() and a["points_added"].isna().all()


def test_what_if_is_the_scored_head_of_the_ranking(plan):
    rows = [(f"A.{s}.{n}", "PAR", s, "at_risk") for s in ("I", "IV", "VI") for n in (1, 2)]
    rows += [("B.I.1", "SIPAS", "I", "off_track")]
    w = scoring.what_if(frame(rows), plan, top=4)
    a = scoring.rank_actions(frame(rows), plan)
    assert list(w["task_id"]) == list(a[a["scored"]]["task_id"].head(4))
    assert "B.I.1" not in set(w["task_id"])


# ====================================================================== SIPAS against the goal rank
def _survey(answer_value: int, n: int = 200) -> pd.DataFrame:
    return pd.DataFrame([{"respondent_id": f"r{i}", "factor": f, "answer": answer_value, "district": "TAM_KY"}
                         for i in range(n) for f in range(1, 6)])


def test_sipas_outlook_compares_the_survey_interval_with_the_published_bracket(plan):
    p = scoring.reference_table("sipas_provinces", "2023-06-30", plan)
    p = p[p["year"] == "2022"].copy()
    p["s"], p["r"] = pd.to_numeric(p["score_pct"], errors="coerce"), pd.to_numeric(p["rank_of_63"], errors="coerce")
    known = p[p["s"].notna() & p["r"].notna()]
    low, high = known[known["r"] >= 25]["s"].max(), known[known["r"] <= 25]["s"].min()   # 74.56 and 82.52
    none = scoring.sipas_outlook(pd.DataFrame(), "2023-06-30", plan)
    assert none["verdict"] is None and none["bracket"]["low"] == low and none["bracket"]["high"] == high
    good = scoring.sipas_outlook(_survey(5), "2023-06-30", plan)
    assert good["survey"]["share"] == 1.0 and good["survey"]["lower"] * 100 >= high
    assert good["verdict"]["verdict"] == "likely"
    assert scoring.sipas_outlook(_survey(1), "2023-06-30", plan)["verdict"]["verdict"] == "unlikely"


# ====================================================================== the answer box on the sample
@pytest.fixture(scope="module")
def ctx(prepared_2023):
    return ol.load_outlook_context(str(Q), "vi", data_root=str(prepared_2023))


def test_the_box_counts_and_ranks_what_task_progress_says(ctx, prepared_2023):
    tasks = pd.read_parquet(Store.for_data(prepared_2023).processed(Q, "task_progress"))
    par = tasks[tasks["index"] == "PAR"]
    v = answer.view(ctx)
    assert v["par"]["counts"] == {"off_track": int(par["status"].isin(["off_track", "not_met"]).sum()),
                                  "overdue": int((par["status"] == "overdue").sum()), "total": len(par)}
    assert v["par"]["verdict"] == ctx.verdict["verdict"]
    ranked = scoring.rank_actions(tasks, ctx.plan, "PAR")
    assert [a["id"] for a in v["par"]["actions"]] == list(ranked["task_id"].head(3))
    assert len({a["field"] for a in v["par"]["actions"]}) == len(v["par"]["actions"])
    assert [a["id"] for a in v["sipas"]["actions"]] == list(scoring.rank_actions(tasks, ctx.plan, "SIPAS")
                                                            ["task_id"].head(3))


def test_the_box_names_each_action_its_lead_and_deadline_in_words(ctx):
    html = str(answer.render(ctx))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for a in answer.view(ctx)["par"]["actions"]:
        task = ctx.plan.task(a["id"])
        assert task.short("vi") in text
        assert all(name in text for name in answer.lead_names(ctx.plan, task.lead, "vi"))
        assert a["id"] not in text                                      # no task ids on a reviewer's page
        if task.schedule.get("due"):
            assert fmt.date(task.schedule["due"], "vi") in text
    assert 'class="answer-box"' in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_box_has_no_code_id_or_other_language_word(prepared_2023, plan, lang):
    c = ol.load_outlook_context(str(Q), lang, data_root=str(prepared_2023))
    html = layout.page(i18n.t("index.title", lang, plan="", quarter=Q.label(lang)),
                       str(answer.box(str(Q), lang, prepared_2023)), lang)
    hits = lc.scan_html(html, lc.vocabulary(plan), "index.html", lang)
    assert not hits, "\n".join(lc.summary(hits, top=20))
    assert c.quarter.previous().label(lang) in html                    # the comparison names the quarter


# ====================================================================== comparisons
@pytest.fixture(scope="module")
def with_2024(prepared_2023):
    from parplan.pipeline import prepare
    from parplan.store import Params

    root = prepared_2023.parent
    q = Quarter(2024, 1)
    prepare(q, Params.load(root / "params", q).store(root), say=lambda s: None)
    return prepared_2023


def _ytd(store: Store, q: Quarter, metric: str) -> float:
    ind = pd.read_parquet(store.processed(q, "indicators"))
    r = ind[(ind["period"] == "YTD") & (ind["agency"] == "PROVINCE") & (ind["metric"] == metric)]
    return float(r["numerator"].iloc[0]) / float(r["denominator"].iloc[0])


def test_2024q1_figures_sit_beside_2023q4_and_2023q1(with_2024):
    store = Store.for_data(with_2024)
    q = Quarter(2024, 1)
    now = _ytd(store, q, "ontime_rate")
    c = compare.kpi_comparisons(store, q, {"ontime_rate": now}, "vi")["ontime_rate"]
    assert [(x["kind"], x["code"]) for x in c] == [("previous", "2023Q4"), ("last_year", "2023Q1")]
    then = _ytd(store, Quarter(2023, 1), "ontime_rate")
    assert c[1]["available"] and c[1]["value"] == pytest.approx(then)
    assert c[1]["change"] == pytest.approx(now - then)
    a = compare.answer_comparisons(q, with_2024, {"off_track": 0.0}, "vi")
    old = pd.read_parquet(store.processed(Quarter(2023, 1), "task_progress"))
    old = old[old["index"] == "PAR"]
    assert a[1]["plan_year"] == 2023
    assert a[1]["figures"]["off_track"]["value"] == old["status"].isin(["off_track", "not_met"]).sum()


def test_a_quarter_without_data_is_listed_as_missing(prepared_2023):
    c = compare.kpi_comparisons(Store.for_data(prepared_2023), Q, {"ontime_rate": 0.9}, "vi")["ontime_rate"]
    assert c[1]["code"] == "2022Q2" and not c[1]["available"] and c[1]["change"] is None
    assert c[0]["code"] == "2023Q1" and c[0]["available"]


# ====================================================================== index badges
def test_badges_count_behind_at_risk_and_no_data_and_units_are_listed_worst_first():
    assert index_page.badge_counts({"off_track": 2, "overdue": 1, "at_risk": 2, "met": 5}) == [
        {"key": "behind", "n": 3}, {"key": "at_risk", "n": 2}]
    units = [{"name": "Phú Ninh", "status": "off_track", "counts": index_page.badge_counts({"off_track": 9})},
             {"name": "Tây Giang", "status": "off_track", "counts": index_page.badge_counts({"off_track": 3})},
             {"name": "Sở Y tế", "status": "met", "counts": []},
             {"name": "Sở Tư pháp", "status": "not_met", "counts": index_page.badge_counts({"not_met": 1})}]
    assert [u["name"] for u in index_page.worst_first(units)] == ["Sở Tư pháp", "Phú Ninh", "Tây Giang", "Sở Y tế"]


def test_signed_changes_carry_their_sign():
    assert fmt.signed(1.254, "vi", 2) == "+1,25" and fmt.signed(0.001, "vi", 2) == "0,00"
    assert fmt.signed(-0.5, "en", 1).endswith("0.5") and not fmt.signed(-0.5, "en", 1).startswith("+")
    assert math.isclose(float(fmt.signed(3, "en").lstrip("+")), 3)
