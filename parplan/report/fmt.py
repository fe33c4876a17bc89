"""Numbers, percentages, counts and dates of a page, formatted by babel in the language's locale.

The patterns come from the language's catalogue (`format.*`), the locale from `meta.locale`; a missing value is
shown as the catalogue's `format.missing` (an em dash).
"""
from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from . import i18n


def _isnan(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def missing(lang: str = "vi") -> str:
    """What a page shows where a value is missing."""
    return i18n.t("format.missing", lang)


def number(x: float | int | None, lang: str = "vi", decimals: int = 0) -> str:
    """1234567 -> '1.234.567' (vi) or '1,234,567' (en), with the given number of decimals."""
    if _isnan(x):
        return missing(lang)
    return format_decimal(x, _pattern(decimals), locale=i18n.locale(lang))


def signed(x: float | int | None, lang: str = "vi", decimals: int = 0) -> str:
    """A change with its sign: +1,25 / -0,50 / 0,00 (babel pattern with an explicit plus; what rounds to zero has no
    sign)."""
    if _isnan(x):
        return missing(lang)
    if round(float(x), decimals) == 0:
        return format_decimal(0, _pattern(decimals), locale=i18n.locale(lang))
    pattern = _pattern(decimals)
    return format_decimal(x, f"+{pattern};-{pattern}", locale=i18n.locale(lang))


def count(n: float | int | None, lang: str = "vi") -> str:
    """A count: a whole number without decimals (118.0 -> '118'); a fractional count is an error, never rounded."""
    if _isnan(n):
        return missing(lang)
    if float(n) != int(n):
        raise ValueError(f"Số đếm phải là số nguyên / a count must be a whole number: {n!r}")
    return format_decimal(int(n), "#,##0", locale=i18n.locale(lang))


def pct(x: float | None, lang: str = "vi", decimals: int = 1) -> str:
    """0.992 -> '99,2 %' (vi) or '99.2 %' (en); fractions in, percentages out."""
    if _isnan(x):
        return missing(lang)
    pattern = i18n.t("format.percent", lang).replace("#,##0", _pattern(decimals), 1)
    return format_percent(x, pattern, locale=i18n.locale(lang))


def date(d: dt.date | str | None, lang: str = "vi") -> str:
    """ISO date -> the language's date pattern ('30/06/2023')."""
    if d is None or d == "" or _isnan(d):
        return missing(lang)
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return format_date(d, i18n.t("format.date", lang), locale=i18n.locale(lang))
