"""Quarters written `YYYYQn` (e.g. 2023Q2): parsing, dates, year-to-date range, labels."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from . import yamlfile

_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
METHOD_FILE = Path(__file__).parent / "catalogue" / "method.yaml"


@functools.lru_cache(maxsize=1)
def year_bounds() -> tuple[int, int]:
    """The plausible years of a quarter, (min, max) inclusive: method.yaml `quarter_years`."""
    b = yamlfile.load(METHOD_FILE)["quarter_years"]
    return int(b["min"]), int(b["max"])


class QuarterError(ValueError):
    """A quarter string that is not `YYYYQn`."""


@dataclass(frozen=True, order=True)
class Quarter:
    """One calendar quarter."""

    year: int
    q: int

    @classmethod
    def parse(cls, text: object) -> Quarter:
        """Parse `YYYYQn` (n = 1..4); anything else raises QuarterError with a bilingual message."""
        if isinstance(text, Quarter):
            return text
        s = str(text).strip() if text is not None else ""
        m = _QUARTER_RE.match(s)
        if not m:
            example = f"{dt.date.today().year}Q2"  # an example in this year, never a fixed one
            raise QuarterError(
                f"Quý không hợp lệ: {s!r} — phải viết dạng YYYYQn, n từ 1 đến 4 (ví dụ {example}). / "
                f"Invalid quarter {s!r}: expected YYYYQn with n in 1..4 (e.g. {example})."
            )
        year = int(m.group(1))
        lo, hi = year_bounds()
        if not lo <= year <= hi:
            raise QuarterError(
                f"Năm ngoài phạm vi {lo}–{hi}: {s!r}. / Year out of range {lo}–{hi}: {s!r}."
            )
        return cls(year, int(m.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def of_year(cls, year: int) -> list[Quarter]:
        """The four quarters of a year, in order."""
        return [cls(year, i) for i in range(1, 5)]

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> dt.date:
        """First day of the quarter."""
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        nxt = dt.date(self.year + 1, 1, 1) if self.q == 4 else dt.date(self.year, 3 * self.q + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def ytd_start(self) -> dt.date:
        """First day of the year (start of the year-to-date range)."""
        return dt.date(self.year, 1, 1)

    def previous(self) -> Quarter:
        """The quarter before this one."""
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def next(self) -> Quarter:
        """The quarter after this one."""
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def in_year(self, year: int) -> Quarter:
        """The same quarter of another year (Q2 of `year` for a Q2)."""
        return Quarter(year, self.q)

    def same_quarter_last_year(self) -> Quarter:
        """The same quarter one year earlier (2022Q3 for 2023Q3)."""
        return self.in_year(self.year - 1)

    def quarters_until(self, later: Quarter) -> int:
        """How many quarters from this one to `later` (0 for the same quarter, negative when `later` is earlier)."""
        return (later.year - self.year) * 4 + (later.q - self.q)

    def quarters_to_date(self) -> list[Quarter]:
        """The quarters of this year up to and including this one."""
        return [Quarter(self.year, i) for i in range(1, self.q + 1)]

    def contains(self, day: dt.date) -> bool:
        """True when the day falls inside this quarter."""
        return self.start <= day <= self.end

    def elapsed_share(self) -> float:
        """Share of the year elapsed at the end of this quarter (0.25, 0.5, 0.75, 1.0)."""
        return self.q / 4

    def label(self, lang: str = "vi") -> str:
        """Human label from the UI catalogue (`format.quarter`): 'Quý II/2023' (vi) or 'Q2 2023' (en)."""
        from .report import i18n

        return i18n.t("format.quarter", lang, roman=_ROMAN[self.q], q=self.q, year=self.year)

    def short_label(self, lang: str = "vi") -> str:
        """The quarter without its year, for a year's axis (`format.quarter_short`): 'Quý II' / 'Q2'."""
        from .report import i18n

        return i18n.t("format.quarter_short", lang, roman=_ROMAN[self.q], q=self.q, year=self.year)

    def ytd_label(self, lang: str = "vi") -> str:
        """Year-to-date label from the UI catalogue: 'Lũy kế 6 tháng năm 2023' / 'Jan–Jun 2023 (year to date)'."""
        from babel.dates import format_date

        from .report import i18n

        if self.q == 4:
            return i18n.t("format.full_year", lang, year=self.year)
        return i18n.t("format.year_to_date", lang, months=3 * self.q, year=self.year,
                      first=format_date(self.start.replace(month=1, day=1), "MMM", locale=i18n.locale(lang)),
                      last=format_date(self.end, "MMM", locale=i18n.locale(lang)))


def parse_quarter(text: object) -> Quarter:
    """Shorthand for Quarter.parse."""
    return Quarter.parse(text)
