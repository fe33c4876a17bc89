"""One figure, one verdict: a task with an each-unit target shows the same status on the index, the overview and
every scorecard — task_progress's — and the aggregate figure beside an each-unit target carries no verdict.

Compared at the view level (the data each page is built from, by the page's own loader), on the pipeline's processed
data of the shipped sample (parplan.data.load computes what is missing or out of date), plus the rendered HTML of the
overview's task and on-time tables and of the index page, produced in-process.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from pathlib import Path

import pytest

from parplan import data, pipeline, render
from parplan.catalogue import load_plan
from parplan.periods import Quarter
from parplan.progress import SCOPE_GROUP, SEVERITY, label, level_target, target_verdicts
from parplan.render import strip_tags
from parplan.report import i18n
from parplan.report import overview as ov
from parplan.report import scorecard as sc

QUARTERS = ("2023Q2", "2023Q4")  # the middle of the year (forecasts, nothing final) and its end (everything final)


def each_unit_tasks(quarter: str) -> list[str]:
    """The tasks of the quarter's plan with a measurable target that binds each unit (one verdict per unit)."""
    plan = load_plan(Quarter.parse(quarter).year)
    return [t.id for t in plan.tasks if t.kind == "task" and any(
        tg.role == "target" and tg.judge == "each" and tg.scope != "each_record" and tg.measurable
        for tg in t.targets)]


CASES = [(q, task_id) for q in QUARTERS for task_id in each_unit_tasks(q)]


@functools.cache
def quarter(q: str) -> data.QuarterData:
    """The quarter's processed tables (computed on demand)."""
    return data.load(q, say=lambda s: None)


@functools.cache
def overview(q: str) -> ov.Context:
    """The overview's context, from the overview's own loader."""
    d = quarter(q)
    return ov.load_context(q, "vi", data_root=str(d.store.data_root), plan=d.plan)


@functools.cache
def scorecards(q: str) -> dict[str, sc.ScorecardContext]:
    """Every scorecard's context, from the scorecard's own loader."""
    d = quarter(q)
    return {code: sc.load_scorecard_context(q, code, "vi", data_root=str(d.store.data_root), plan=d.plan)
            for code in sc.agencies_to_render(d.plan)}


@functools.cache
def scorecard_views(q: str) -> dict[str, tuple[dict[str, str], list[dict]]]:
    """Every scorecard's views: the led tasks' overall statuses and the targets table."""
    return {code: (sc.task_statuses(ctx), sc.target_view(ctx)) for code, ctx in scorecards(q).items()}


@functools.cache
def all_verdicts(q: str):
    """progress.target_verdicts of the quarter's progress table."""
    return target_verdicts(quarter(q).progress)


def task_status(q: str, task_id: str) -> str:
    t = quarter(q).task_progress
    return str(t.loc[t["task_id"] == task_id, "status"].iloc[0])


def decided_by_targets(q: str, task_id: str) -> bool:
    t = quarter(q).task_progress
    return "targets" in str(t.loc[t["task_id"] == task_id, "status_from"].iloc[0])


def verdicts_of(q: str, task_id: str):
    v = target_verdicts(quarter(q).progress)
    return v[(v["task_id"] == task_id) & (v["role"] == "target") & (v["judge"] == "each")]


def test_every_quarter_has_each_unit_tasks_to_compare():
    """The on-time targets of the three levels bind each unit in the sample's plan: the comparison has cases."""
    for q in QUARTERS:
        assert {"A.IV.4.1", "A.IV.4.2", "A.IV.4.3"} <= set(each_unit_tasks(q))


@pytest.mark.parametrize(("q", "task_id"), CASES)
def test_index_overview_and_scorecards_show_the_status_of_task_progress(q, task_id):
    status = task_status(q, task_id)
    # index: its headline counts are the overview task table's statuses counted, the task's among them
    shown = {r["task_id"]: r["status"] for r in ov.task_rows(overview(q))}
    assert shown[task_id] == status
    counts = pipeline._task_status_counts(Quarter.parse(q), quarter(q).store)
    assert counts == dict(Counter(shown.values())) and counts[status] >= 1
    # overview: the each-unit section and the level headline give the target's verdict, and the task is never
    # better than it
    verdicts = verdicts_of(q, task_id)
    each = ov.each_unit_view(overview(q))
    for v in verdicts.itertuples():
        row = each[(each["task_id"] == task_id) & (each["metric"] == v.metric) & (each["scope"] == v.scope)]
        # a target that cannot be measured from the data is left out of the section, said so in the task table
        assert list(row["status"]) == ([] if v.status == "not_measurable" else [v.status])
        if decided_by_targets(q, task_id):  # else the lead agencies' reports decide (no target data)
            assert SEVERITY[status] >= SEVERITY[v.status]
    head = ov.level_verdict(overview(q), task_id)
    if head is not None:
        assert head["status"] == verdicts["status"].iloc[0]
    # scorecards: the overall status of a led task, the province's verdict and each unit's own status per row
    prog = quarter(q).progress
    seen = 0
    for code, (led, view) in scorecard_views(q).items():
        if task_id in led:
            assert led[task_id] == status, code
            seen += 1
        for row in (r for r in view if r["task_id"] == task_id):
            v = all_verdicts(q)
            v = v[(v["task_id"] == task_id) & (v["metric"] == row["metric"]) & (v["scope"] == row["scope"])]
            assert row["province"] == (v["status"].iloc[0] or None), code
            own = prog[(prog["task_id"] == task_id) & (prog["metric"] == row["metric"])
                       & (prog["scope"] == row["scope"]) & (prog["agency"] == row["agency"])]
            assert row["role"] != "aggregate_figure", code
            assert row["own"] == (own["status"].iloc[0] if row["role"] == "target" else None), code
            seen += 1
    assert seen, f"no scorecard shows {task_id}"


@pytest.mark.parametrize(("q", "task_id"), CASES)
def test_no_aggregate_figure_of_an_each_unit_target_carries_a_verdict(q, task_id):
    prog = quarter(q).progress
    agg = prog[(prog["task_id"] == task_id) & (prog["role"] == "aggregate_figure")]
    assert set(agg["status"]) <= {""}
    assert not agg["agency"].isin([c for ctx in scorecards(q).values() for c in ctx.codes]).any()
    rows = ov.level_rows(overview(q), task_id)
    figures = rows[rows["role"] == "aggregate_figure"]
    assert figures["verdict"].isna().all() and len(figures) == len(agg)
    units = rows[rows["role"] == "target"]
    assert list(units["verdict"]) == list(prog.loc[units.index, "status"])


@pytest.mark.parametrize("q", QUARTERS)
def test_departments_on_time_worked_out_from_the_indicators(q):
    """A.IV.4.1 from the indicators themselves: every department must be above the threshold; the departments'
    aggregate may be above it while some department is not, and then it is shown without a verdict."""
    d = quarter(q)
    tg = d.plan.task("A.IV.4.1").targets[0]
    ind = d.indicators[(d.indicators["metric"] == tg.metric) & (d.indicators["period"] == "YTD")].set_index("agency")
    deps = [a.code for a in d.plan.by_kind("department")]
    below = [c for c in deps if c not in ind.index or not tg.is_met_by(float(ind.loc[c, "value"]))]
    status = task_status(q, "A.IV.4.1")
    final = Quarter.parse(q).end >= dt.date.fromisoformat(d.plan.task("A.IV.4.1").schedule["due"])
    if final:
        assert status == ("not_met" if below else "met")
    else:
        assert status in (("at_risk", "off_track") if below else ("on_course", "at_risk"))
    group = SCOPE_GROUP[tg.scope]
    html = ov.section(overview(q), "ontime")
    agg_row = next(r for r in html.split("<tr>") if r.startswith(f"<td>{i18n.t('overview.ontime.group_total', 'vi')}</td>"))
    agg_row = agg_row.split("</tr>")[0]
    assert "Số chung, không đánh giá riêng" in agg_row
    assert not any(label(s, "vi") in strip_tags(agg_row) for s in ("met", "on_course", "at_risk", "off_track",
                                                                     "not_met"))
    assert group in set(d.progress.loc[d.progress["task_id"] == "A.IV.4.1", "agency"])
    # the task table's row shows the task's status and the aggregate as a figure only
    tasks = ov.section(overview(q), "tasks")
    row = next(r for r in tasks.split("<tr>") if '<span class="task-id">A.IV.4.1</span>' in r).split("</tr>")[0]
    assert label(status, "vi") in strip_tags(row) and "không đánh giá riêng" in strip_tags(row)


@pytest.mark.parametrize("q", QUARTERS)
def test_index_page_lists_the_counts_of_task_progress(q, tmp_path: Path):
    d = quarter(q)
    counts = pipeline._task_status_counts(Quarter.parse(q), d.store)
    out = render.write_index(Quarter.parse(q), tmp_path, "vi", True, {"task_statuses": counts}, d.plan, [], d.store.root)
    text = " ".join(strip_tags(out.read_text(encoding="utf-8")).split())
    by_hand = Counter(d.task_progress["status"])
    for status, n in by_hand.items():
        assert f"{label(status, 'vi')}: {n}" in text
    assert sum(counts.values()) == len(d.task_progress)


@pytest.mark.parametrize("q", QUARTERS)
def test_scorecard_trend_chart_is_coloured_by_the_units_own_status(q):
    """The sparkline's colour comes from the unit's verdict, not from the chart reading the figure again: a unit
    at the level now but at risk on its forecast is not drawn as met."""
    prog = quarter(q).progress
    checked = 0
    for ctx in scorecards(q).values():
        for code in ctx.codes:
            tg = level_target(ctx.plan, "ontime_rate", ctx.plan.agencies[code].kind)
            if tg is None:
                continue
            own = prog[(prog["task_id"] == tg.task_id) & (prog["role"] == "target") & (prog["agency"] == code)]
            if len(own):
                status = str(own["status"].iloc[0])
                assert ctx.own_status(tg.task_id, code) == status
                assert sc._line_colour(status) == sc.charts.COLOURS[
                    "met" if status in ("met", "on_course") else "no_data" if status == "no_data" else "not_met"]
                checked += 1
    assert checked >= len(quarter(q).plan.by_kind("department"))


@pytest.mark.parametrize("q", QUARTERS)
def test_index_badge_is_never_better_than_the_units_targets(q):
    """A unit's index badge: a target of the unit without data is not left out, so a unit 'met' on every target but
    one without data is not shown as met; a unit's at-risk or worse target always shows."""
    d = quarter(q)
    rows = d.progress[d.progress["role"] == "target"]
    badges = {a["code"]: a["status"] for a in pipeline._agency_summaries(d.quarter, d.store, "vi", d.plan)}
    checked = 0
    for code, status in badges.items():
        own = rows["agency"].isin([code, f"XA_{code}"]) | rows["agency"].astype(str).str.startswith(f"XA_{code}__")
        statuses = [s for s in rows[own]["status"] if s not in ("", "not_yet_due", "not_measurable")]
        if not statuses:
            assert status == "no_data", code
            continue
        # the badge is one of the unit's own statuses and none of them is worse
        assert status in statuses, (code, status, statuses)
        assert all(SEVERITY[s] <= SEVERITY[status] for s in statuses), (code, status, statuses)
        if "no_data" in statuses:
            checked += 1
            assert SEVERITY[status] >= SEVERITY["no_data"], (code, status)
    assert checked, "the sample has units with a target without data: the case this test is about"
