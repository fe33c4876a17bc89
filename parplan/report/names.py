"""What pages call things by: units, datasets and the self-reported mark, in the page's language (never codes)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from . import i18n

if TYPE_CHECKING:
    from ..catalogue import Plan

SELF_REPORTED_SOURCES = ("self_reported", "mixed")
SCORECARDS = "agencies"  # the scorecards' folder inside a quarter's report folder (reports/<Q>/agencies/<CODE>.html)


class UnitName(str):
    """A unit's display name: plain text everywhere (sentences, charts, the .docx, comparisons), and in a page a
    link to the unit's scorecard where it has one (jinja2 autoescape renders `__html__`)."""

    href: str | None

    def __new__(cls, text: str, href: str | None = None) -> UnitName:
        obj = super().__new__(cls, text)
        obj.href = href
        return obj

    def __html__(self) -> Markup:
        """The name as HTML: a link to its scorecard, or the escaped text."""
        text = escape(str.__str__(self))
        return Markup('<a class="unit-link" href="{}">{}</a>').format(self.href, text) if self.href else text

    def __reduce__(self) -> tuple:
        return UnitName, (str.__str__(self), self.href)


def scorecard_href(plan: Plan, code: str, home: str = "") -> str | None:
    """The link from a page to a unit's scorecard, None for a unit without one (scorecard.agencies_to_render:
    departments and districts). `home` is the page's way to the quarter's folder, as `layout.page` takes it: '' for
    the quarter's pages (-> 'agencies/TAM_KY.html'), '../' for a scorecard (-> 'TAM_KY.html')."""
    from .scorecard import agencies_to_render  # the one list of units with a scorecard

    if code not in agencies_to_render(plan):
        return None
    return f"{code}.html" if home == "../" else f"{home}{SCORECARDS}/{code}.html"


def linked(text: str, plan: Plan, code: str, home: str = "") -> UnitName:
    """Any display text of a unit (its name, 'UBND thành phố Tam Kỳ') as a name that links to its scorecard."""
    return UnitName(text, scorecard_href(plan, code, home))
# a commune's name in the page's language ('xã Tam Đàn', 'Tam Đàn commune'): catalogue keys <COMMUNE_KEYS>.name and
# <COMMUNE_KEYS>.types.<unit type of the commune list>; kept in the overview's section until the lead moves them
COMMUNE_KEYS = "overview.shared.commune"


def unit_name(plan: Plan, code: str, lang: str, home: str = "") -> str:
    """A unit's display name: the plan registry's (a UnitName: in a page a link to the unit's scorecard, relative to
    the page through `home`, see scorecard_href), or for a commune of its list 'xã Tam Đàn (Phú Ninh)'; a code the
    plan does not know is shown as the catalogue's 'unknown unit' with the code (never silently dropped)."""
    a = plan.agencies.get(code)
    if a:
        return linked(a.name(lang), plan, code, home)
    if code.startswith("XA_") and "__" in code and plan.folder is not None:
        from .. import communes

        c = communes.load(plan)
        hit = c[c["unit"] == code]
        if len(hit):
            d = plan.agencies.get(str(hit["district_code"].iloc[0]))
            kind, name = str(hit["unit_type"].iloc[0]), str(hit["commune_vi"].iloc[0])
            if i18n.has(f"{COMMUNE_KEYS}.types.{kind}", lang):  # the unit type in the page's language
                return i18n.t(f"{COMMUNE_KEYS}.name", lang, kind=i18n.t(f"{COMMUNE_KEYS}.types.{kind}", lang),
                              name=name) + (f" ({d.name(lang)})" if d else "")
            return f"{kind} {name}" + (f" ({d.name(lang)})" if d else "")
    return i18n.t("names.unknown_unit", lang, code=code)


def dataset_name(dataset: str, lang: str) -> str:
    """A dataset as reviewers read it: its contract's title in the page's language."""
    from ..contracts import load_contract

    try:
        c = load_contract(dataset)
    except Exception:  # a folder without a contract: the catalogue's 'unknown dataset' with its folder name
        return i18n.t("names.unknown_dataset", lang, name=dataset)
    return c.title_vi if lang == "vi" else c.title_en


def is_self_reported(source: str) -> bool:
    """Whether a value (or a set of values, 'mixed') was reported by the agency itself rather than measured."""
    return source in SELF_REPORTED_SOURCES


def self_mark(source: str) -> str:
    """' ◆' after a value the agency reported itself (or a set of values some of which it did)."""
    return " " + i18n.t("names.self_mark", "vi") if is_self_reported(source) else ""
