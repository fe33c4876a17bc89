"""The quarter's main page (reports/<Q>/index.html) as plain data: the quarter switcher, the plan it is judged
against, where the tasks stand, the submitted files, the reports and the agencies' scorecards with their badges."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..catalogue import Plan
from ..periods import Quarter
from ..progress import SEVERITY
from . import i18n
from .answer import OFF_TRACK, OVERDUE
from .docx_report import FILE_NAME as DOCX_FILE
from .layout import badge_class

REPORTS = (("overview.html", "index.link_overview"), ("outlook.html", "index.link_outlook"),
           ("data-quality.html", "index.link_quality"), ("method.html", "index.link_method"),
           (DOCX_FILE, "index.link_docx"))  # the department's report to sign (report/docx_report.py)
SCORECARD_KINDS = ("department", "district")
FILE_COUNTS = ("accepted", "accepted_with_warnings", "rejected", "missing")
# what a scorecard's badge counts ('3 chậm · 2 nguy cơ'): catalogue key `index.badge.<name>` -> the statuses counted
# ('behind' is the answer box's off track or not met, and overdue: report/answer.py)
BADGE_COUNTS = (("behind", OFF_TRACK + OVERDUE), ("at_risk", ("at_risk",)), ("no_data", ("no_data",)))


def badge_counts(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The badge's counts of a unit's target rows, non-zero only, in BADGE_COUNTS order."""
    out = [{"key": key, "n": sum(int(counts.get(s, 0)) for s in statuses)} for key, statuses in BADGE_COUNTS]
    return [c for c in out if c["n"]]


def worst_first(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units worst first: by their status (progress.SEVERITY), then by their counts in BADGE_COUNTS order, then name."""
    def key(e: dict[str, Any]) -> tuple[Any, ...]:
        n = {c["key"]: c["n"] for c in e["counts"]}
        return (-SEVERITY.get(e["status"], 4), *(-n.get(k, 0) for k, _ in BADGE_COUNTS), e["name"])

    return sorted(entries, key=key)


def title(plan: Plan, quarter: Quarter, lang: str) -> str:
    """The page's title: the plan's short title and the quarter."""
    return i18n.t("index.title", lang, plan=plan.title(lang, short=True), quarter=quarter.label(lang))


def switcher(quarter: Quarter, links: list[tuple[Quarter, str]], lang: str) -> list[dict[str, Any]]:
    """The plan year's quarters that have data: label, link, whether it is this page's quarter."""
    return [{"label": x.label(lang), "href": href, "current": x == quarter} for x, href in links]


def plan_line(plan: Plan, lang: str) -> dict[str, Any]:
    """Which plan the quarter is judged against, and whether it is a skeleton rather than an issued text."""
    return {"title": plan.title(lang), "skeleton": plan.meta.get("status") == "skeleton"}


def view(quarter: Quarter, folder: Path, lang: str, summary: dict[str, Any], plan: Plan,
         links: list[tuple[Quarter, str]]) -> dict[str, Any]:
    """Everything the index template shows, as plain data (counts stay numbers; the template formats them)."""
    folder = Path(folder)
    files = summary.get("files", {})
    statuses = summary.get("task_statuses") or {}
    groups = []
    for kind in SCORECARD_KINDS:
        entries = worst_first([{"href": f"agencies/{a['code']}.html", "name": a["name"], "status": a["status"],
                                "badge": badge_class(a["status"]), "counts": badge_counts(a.get("counts") or {})}
                               for a in summary.get("agencies", []) if a["kind"] == kind
                               and (folder / "agencies" / f"{a['code']}.html").exists()])
        if entries:
            groups.append({"kind": kind, "entries": entries})
    return {"title": title(plan, quarter, lang), "switcher": switcher(quarter, links, lang),
            "plan": plan_line(plan, lang), "answer": summary.get("answer", ""),
            "task_statuses": [{"status": k, "count": v} for k, v in statuses.items()],
            "files_total": files.get("total", 0),
            "files": [{"status": k, "count": files.get(k, 0)} for k in FILE_COUNTS],
            "reports": [{"href": name, "key": key} for name, key in REPORTS if (folder / name).exists()],
            "scorecards": groups}


def placeholder_view(quarter: Quarter, lang: str, plan: Plan, links: list[tuple[Quarter, str]],
                     default_lang: str) -> dict[str, Any]:
    """A quarter with data but no rendered reports yet: the switcher and how to render them."""
    command = f"python -m parplan quarterly --quarter {quarter}" + ("" if lang == default_lang else f" --lang {lang}")
    return {"title": title(plan, quarter, lang), "switcher": switcher(quarter, links, lang), "quarter":
            quarter.label(lang), "command": command}
