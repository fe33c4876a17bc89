"""Vietnam's working days for public bodies: Monday–Friday less public holidays and official days off, plus the
make-up working Saturdays (ngày làm bù).

Public holidays and compensatory days off come from the maintained `holidays` package (Vietnam); the official
swaps and make-up working days announced each year are data, in `catalogue/reference/vn_working_calendar.csv`
(with sources), joined to the package's own list. Every working-day rule of parplan counts with this calendar.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CALENDAR_FILE = Path(__file__).parent / "catalogue" / "reference" / "vn_working_calendar.csv"
KINDS = {"day_off", "make_up_workday"}


@dataclass(frozen=True)
class WorkCalendar:
    """Days off on weekdays and make-up working days on weekends, for a range of years."""

    days_off: tuple[dt.date, ...]
    make_up_workdays: tuple[dt.date, ...]

    def is_working_day(self, day: dt.date) -> bool:
        """True when public bodies work that day."""
        if day in self.make_up_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def count(self, start: Iterable, end: Iterable) -> np.ndarray:
        """Working days in [start, end) for each pair (negative when end is before start; NaN when either is missing).

        As numpy's busday_count: the start day counts, the end day does not, so a decision dated five working days
        before the day a law takes effect gives 5.
        """
        a = pd.to_datetime(pd.Series(list(start)), errors="coerce")
        b = pd.to_datetime(pd.Series(list(end)), errors="coerce")
        out = np.full(len(a), np.nan)
        ok = (a.notna() & b.notna()).to_numpy()
        if not ok.any():
            return out
        av = a[ok].to_numpy().astype("datetime64[D]")
        bv = b[ok].to_numpy().astype("datetime64[D]")
        off = np.array(self.days_off, dtype="datetime64[D]")
        n = np.busday_count(av, bv, holidays=off).astype(float)
        extra = np.array(self.make_up_workdays, dtype="datetime64[D]")
        if len(extra):  # a make-up Saturday inside [a, b) adds one; inside [b, a) removes one (busday_count's sign)
            lo, hi = np.minimum(av, bv), np.maximum(av, bv)
            inside = ((extra[None, :] >= lo[:, None]) & (extra[None, :] < hi[:, None])).sum(axis=1)
            n += np.where(bv >= av, inside, -inside)
        out[ok] = n
        return out


def _file_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, r in enumerate(rows, start=2):
        if r.get("kind") not in KINDS:
            raise ValueError(f"{path.name} dòng {i}: loại ngày '{r.get('kind')}' không hợp lệ (cần {sorted(KINDS)}) / "
                             f"line {i}: kind {r.get('kind')!r} is not one of {sorted(KINDS)}")
        try:
            dt.date.fromisoformat(r["date"])
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path.name} dòng {i}: ngày '{r.get('date')}' không đúng dạng YYYY-MM-DD / "
                             f"line {i}: date {r.get('date')!r} is not YYYY-MM-DD") from e
    return rows


@functools.lru_cache(maxsize=8)
def calendar(years: tuple[int, ...], path: Path = CALENDAR_FILE) -> WorkCalendar:
    """The working calendar of the given years: the holidays package for Vietnam joined with the data file."""
    import holidays

    vn = holidays.country_holidays("VN", years=list(years))
    off = {d for d in vn if d.weekday() < 5}
    make_up = {d for d in getattr(vn, "weekend_workdays", set()) if d.year in years}
    for r in _file_rows(path):
        d = dt.date.fromisoformat(r["date"])
        if d.year not in years:
            continue
        if r["kind"] == "day_off":
            off.add(d)
        else:
            make_up.add(d)
    return WorkCalendar(tuple(sorted(off - make_up)), tuple(sorted(make_up)))


def working_days(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days from each start date to each end date ([start, end)), with Vietnam's days off removed."""
    dates = pd.concat([pd.to_datetime(start, errors="coerce"), pd.to_datetime(end, errors="coerce")]).dropna()
    if dates.empty:
        return pd.Series(np.nan, index=start.index, dtype="float64")
    years = tuple(range(int(dates.dt.year.min()), int(dates.dt.year.max()) + 1))
    return pd.Series(calendar(years).count(start, end), index=start.index, dtype="float64")
