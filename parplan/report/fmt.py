"""Number, percentage and date formats for Vietnamese (default) and English reports."""
from __future__ import annotations

import datetime as dt
import math


def _isnan(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: float | int | None, lang: str = "vi", decimals: int = 0) -> str:
    """1234567 -> '1.234.567' (vi) or '1,234,567' (en)."""
    if _isnan(x):
        return "—"
    s = f"{x:,.{decimals}f}"
    if lang == "vi":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def pct(x: float | None, lang: str = "vi", decimals: int = 1) -> str:
    """0.992 -> '99,2 %' (vi) or '99.2 %' (en); fractions in, percentages out."""
    if _isnan(x):
        return "—"
    return f"{number(x * 100, lang, decimals)} %"


def date(d: dt.date | str | None, lang: str = "vi") -> str:
    """ISO date -> '30/06/2023' (both languages use day/month/year)."""
    if d is None or d == "":
        return "—"
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return d.strftime("%d/%m/%Y")
