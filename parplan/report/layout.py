"""HTML from jinja2 templates (`report/templates/`): one base layout for every page, autoescape on.

Strings are escaped by jinja2; only fragments our own templates produced (`Markup`) pass unescaped, so there is no
hand escaping convention. Templates get `lang`, the catalogue function `t(key, **fields)` bound to it and the
filters `number`, `count`, `pct` and `date` (babel, `fmt`); a key the catalogue lacks raises `i18n.MissingKey`.
"""
from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import fmt, i18n

TEMPLATES = Path(__file__).with_name("templates")
CSS_FILE = Path(__file__).with_name("report.css")

# a status (progress, tasks, file verdicts, missing files) -> the badge's colour class; the label is the catalogue's
BADGE_CLASS = {"met": "met", "done": "met", "on_course": "ok", "on_track": "ok", "accepted": "ok",
               "in_progress": "warn", "at_risk": "warn", "done_no_evidence": "warn", "accepted_with_warnings": "warn",
               "not_yet_due": "neutral", "not_measurable": "neutral", "unjudged": "neutral", "context": "neutral",
               "off_track": "not_met", "not_met": "not_met", "overdue": "not_met", "not_started": "not_met",
               "rejected": "rejected", "no_report": "no_data", "no_data": "no_data", "missing": "no_data"}


# the language of the page being rendered: macros imported without context see it too
_page_lang: ContextVar[str] = ContextVar("page_lang")


def _in_page_language(fn: Any) -> Any:
    """A filter or global that takes the page's language from the template (fn(value, lang, *args))."""
    def call(ctx: Any, subject: Any, /, *args: Any, **kw: Any) -> Any:  # positional-only: a field may be 'value'
        return fn(subject, ctx.get("lang") or _page_lang.get(), *args, **kw)

    return jinja2.pass_context(call)


def _status_label(status: str, lang: str) -> str:
    return i18n.t(f"status.{status}", lang)


def badge_class(status: str) -> str:
    """The colour class of a status badge ('neutral' for a status without colour)."""
    return BADGE_CLASS.get(status, "neutral")


@lru_cache(maxsize=4)
def environment(folder: str = str(TEMPLATES)) -> jinja2.Environment:
    """The report templates' environment: autoescape, undefined names are errors, the catalogue and babel filters."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update({name: _in_page_language(fn) for name, fn in
                        (("number", fmt.number), ("signed", fmt.signed), ("count", fmt.count), ("pct", fmt.pct), ("date", fmt.date),
                         ("status", _status_label))})
    env.globals.update(t=_in_page_language(i18n.t), badge_class=badge_class)
    return env


def render(template: str, lang: str, **context: Any) -> Markup:
    """One template rendered in `lang` (the catalogue's language), as a safe HTML fragment."""
    if lang not in i18n.languages():
        raise i18n.UnknownLanguage(f"Không có bảng dịch cho {lang!r} / no catalogue for {lang!r}: "
                                   f"{', '.join(i18n.languages())}")
    token = _page_lang.set(lang)
    try:
        return Markup(environment().get_template(template).render(lang=lang, **context))
    finally:
        _page_lang.reset(token)


def page(title: str, body: str, lang: str, sample: bool = False, provenance: dict[str, Any] | None = None,
         home: str = "", nav: bool = True, revision: dict[str, Any] | None = None) -> str:
    """A complete self-contained page (inline CSS, no scripts, no external links) in the base layout; `home` is
    the relative path from the page to the quarter's report folder ('' or '../'); `revision` the issuing note near
    the top (parplan.issuing.notes: the page changed since the quarter was issued), none by default."""
    return str(render("base.html.j2", lang, title=title, body=Markup(body), sample=sample,
                      css=Markup(CSS_FILE.read_text(encoding="utf-8")), provenance=provenance, home=home, nav=nav,
                      revision=revision))


def revision_region(lang: str, revision: dict[str, Any] | None = None) -> str:
    """The base layout's revision region (between its marker comments) with this note, or empty: what `page` writes
    there, so a page written without a note gets one afterwards with the same bytes as if it had been given."""
    return str(render("issuing/region.html.j2", lang, revision=revision))
