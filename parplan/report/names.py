"""What pages call things by: units, datasets and the self-reported mark, in the page's language (never codes)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import i18n

if TYPE_CHECKING:
    from ..catalogue import Plan

SELF_REPORTED_SOURCES = ("self_reported", "mixed")
# a commune's name in the page's language ('xã Tam Đàn', 'Tam Đàn commune'): catalogue keys <COMMUNE_KEYS>.name and
# <COMMUNE_KEYS>.types.<unit type of the commune list>; kept in the overview's section until the lead moves them
COMMUNE_KEYS = "overview.shared.commune"


def unit_name(plan: Plan, code: str, lang: str) -> str:
    """A unit's display name: the plan registry's, or for a commune of its list 'xã Tam Đàn (Phú Ninh)'; a code the
    plan does not know is shown as the catalogue's 'unknown unit' with the code (never silently dropped)."""
    a = plan.agencies.get(code)
    if a:
        return a.name(lang)
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
