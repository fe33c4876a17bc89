"""The method page (reports/<Q>/method.html) as plain data: its sections in the page's language, with the method's
numbers filled in from the method's settings (catalogue/method.yaml), and the table of statuses."""
from __future__ import annotations

from typing import Any

import mistune
from markupsafe import Markup

from .. import progress
from . import fmt, i18n

# the sections, in reading order; each id is an anchor other pages link to (method.html#status, #forecast, ...)
SECTIONS = ("status", "units", "forecast", "tasks", "projection", "sipas", "data-quality", "provenance")
STATUS_ORDER = ("met", "not_met", "on_course", "on_track", "at_risk", "off_track", "not_yet_due", "no_data",
                "not_measurable", "done", "done_no_evidence", "in_progress", "not_started", "overdue", "no_report")

_markdown = mistune.create_markdown(escape=True)


def method_numbers(lang: str) -> dict[str, str]:
    """The method's numbers (from progress.method(), never written in the text) and the status labels (the
    catalogue's one vocabulary) as the page's texts quote them."""
    m = progress.method()
    labels = {f"status_{k.split('.', 1)[1]}": v for k, v in i18n.catalogue(lang).items() if k.startswith("status.")}
    return {**labels, "on_track": fmt.pct(m["bands"]["on_track"], lang, 0), "at_risk": fmt.pct(m["bands"]["at_risk"], lang, 0),
            "late_share": fmt.pct(m["pace"]["late_share"], lang, 0),
            "small_denominator": fmt.count(m["small_denominator"], lang)}


def view(lang: str) -> dict[str, Any]:
    """Title, introduction, sections (id, title, body as HTML from the catalogue's text) and the statuses table."""
    numbers = method_numbers(lang)
    sections = [{"id": s, "title": i18n.t(f"method.sections.{s}.title", lang),
                 "body": Markup(_markdown(i18n.t(f"method.sections.{s}.body", lang, **numbers)))} for s in SECTIONS]
    statuses = [{"status": s, "meaning": i18n.t(f"method.meaning.{s}", lang)} for s in STATUS_ORDER]
    return {"title": i18n.t("method.title", lang), "intro": i18n.t("method.intro", lang), "sections": sections,
            "statuses": statuses}
