"""The answer first: the short box at the top of the index and the overview, as a view.

For each index (PAR INDEX, SIPAS): where the province is heading against the goal rank (likely / possible /
unlikely, from parplan.scoring), how many tasks are off track or overdue, and the three actions that would move it
most (scoring.rank_actions: points at stake, ties by urgency, one per field among the first three), each with the
task's short text, its lead agencies and its deadline. Plain data for `templates/answer/box.html.j2`; the pages'
comparisons with other quarters come from report/compare.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from .. import scoring
from ..catalogue import Plan
from . import layout
from .names import unit_name
from .outlook import OutlookContext, load_outlook_context, ordinal

N_ACTIONS = 3
OFF_TRACK = ("off_track", "not_met")   # behind, or finally missed
OVERDUE = ("overdue",)                 # past the task's deadline without the result


def lead_names(plan: Plan, codes: Any, lang: str) -> list[str]:
    """The lead agencies of a task by name, in the plan's order (groups by their registry name)."""
    return [unit_name(plan, c, lang) for c in codes if c]


def task_brief(plan: Plan, task_id: str, lang: str, due: Any = None) -> dict[str, Any]:
    """A task as a reader needs it to act: short text, lead agencies' names, deadline (or its schedule's kind)."""
    task = plan.task(task_id)
    due = due if isinstance(due, str) and due else task.schedule.get("due") or None
    return {"id": task_id, "short": task.short(lang), "lead": lead_names(plan, task.lead, lang), "due": due,
            "schedule": task.schedule.get("kind", "none")}


def counts(tasks: pd.DataFrame, index: str) -> dict[str, int]:
    """How many of an index's tasks are off track (or not met) and how many are overdue, of how many."""
    t = tasks[tasks["index"] == index] if len(tasks) else tasks
    st = t["status"].astype(str) if len(t) else pd.Series([], dtype=str)
    return {"off_track": int(st.isin(OFF_TRACK).sum()), "overdue": int(st.isin(OVERDUE).sum()), "total": int(len(t))}


def actions(ctx: OutlookContext, index: str, n: int = N_ACTIONS) -> list[dict[str, Any]]:
    """The first n actions of scoring.rank_actions for one index, as the box and the report name them."""
    a = scoring.rank_actions(ctx.tasks, ctx.plan, index).head(max(0, int(n)))
    out = []
    for r in a.itertuples():  # r.due: the plan's deadline, as the ranking used it
        out.append({**task_brief(ctx.plan, str(r.task_id), ctx.lang, r.due),
                    "status": str(r.current_status), "scored": bool(r.scored),
                    "points": float(r.points_added) if r.scored else None,
                    "shared_by": int(r.n_tasks_in_lever) if r.scored and r.shared_equally else None,
                    "field": None if pd.isna(r.field) else int(r.field)})
    return out


def par_view(ctx: OutlookContext) -> dict[str, Any]:
    """PAR INDEX: the projected range against the goal-rank range, the verdict, task counts, the three actions."""
    tr = scoring.total_range(ctx.projection)
    return {"verdict": ctx.verdict["verdict"], "projected": [float(tr[s]) for s in scoring.SCENARIOS],
            "low": float(ctx.threshold["low"]), "high": float(ctx.threshold["high"]),
            "threshold_projected": ctx.threshold["basis"] == "projected",
            "counts": counts(ctx.tasks, "PAR"), "actions": actions(ctx, "PAR")}


def sipas_view(ctx: OutlookContext) -> dict[str, Any]:
    """SIPAS: the province's own latest survey against the goal-rank bracket of the latest published SIPAS, the
    verdict (None without a survey or a bracket), task counts, the three most urgent actions."""
    o = scoring.sipas_outlook(ctx.survey, ctx.as_of, ctx.plan, ctx.rank)
    b = o["bracket"]
    bracket = None if b is None or b["low"] != b["low"] or b["high"] != b["high"] else \
        {"year": int(b["year"]), "low": float(b["low"]) / 100, "high": float(b["high"]) / 100}
    return {"verdict": o["verdict"]["verdict"] if o["verdict"] else None, "survey": o["survey"],
            "survey_quarter": ctx.survey_quarter.label(ctx.lang) if ctx.survey_quarter else None,
            "bracket": bracket, "counts": counts(ctx.tasks, "SIPAS"), "actions": actions(ctx, "SIPAS")}


def view(ctx: OutlookContext, comparisons: dict[str, Any] | None = None, outlook_href: str = "outlook.html",
         method_href: str = "method.html") -> dict[str, Any]:
    """Everything the answer box shows, as plain data (numbers stay numbers, statuses stay keys)."""
    return {"year": ctx.assessment_year, "rank": ctx.rank, "kth": ordinal(ctx.rank, ctx.lang),
            "quarter": ctx.quarter.label(ctx.lang), "par": par_view(ctx), "sipas": sipas_view(ctx),
            "comparisons": comparisons or {}, "outlook_href": outlook_href, "method_href": method_href}


def render(ctx: OutlookContext, comparisons: dict[str, Any] | None = None, **links: str) -> Markup:
    """The answer box in the context's language (templates/answer/box.html.j2)."""
    return layout.render("answer/box.html.j2", ctx.lang, **view(ctx, comparisons, **links))


def box(quarter: str, lang: str = "vi", data_root: str | Path = "data", plan: Plan | None = None,
        plans_root: str | Path | None = None, **links: str) -> Markup:
    """The quarter's answer box from its processed data, with the comparisons (report/compare.py): what the index
    and the overview open with."""
    from . import compare

    ctx = load_outlook_context(str(quarter), lang, data_root=str(data_root), plan=plan, plans_root=plans_root)
    now = compare.answer_figures(ctx.tasks, ctx.projection)
    cmp = {"answer": compare.answer_comparisons(ctx.quarter, data_root, now, lang, plans_root)}
    return render(ctx, cmp, **links)
