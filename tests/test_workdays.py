"""Vietnam's working days (parplan/workdays.py): days off and make-up Saturdays, worked out from the calendar."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from parplan import metrics_datasets as md
from parplan.periods import Quarter
from parplan.workdays import CALENDAR_FILE, _file_rows, calendar, working_days

D = dt.date


def count(a: str, b: str) -> float:
    return float(working_days(pd.Series([pd.Timestamp(a)]), pd.Series([pd.Timestamp(b)])).iloc[0])


def test_tet_2023_is_not_counted():
    # Tết Quý Mão: public bodies were off Friday 20/1 to Thursday 26/1/2023 (weekend 21–22 inside).
    # [Mon 16/1, Mon 30/1): Mon 16, Tue 17, Wed 18, Thu 19, Fri 27 -> 5 working days (Mon–Fri alone would say 10)
    assert count("2023-01-16", "2023-01-30") == 5
    # one day later it is 4: a decision of 17/1 for a law in force on 30/1 misses '>= 5 working days'
    assert count("2023-01-17", "2023-01-30") == 4


def test_compensatory_days_of_2023():
    # 29/4 (Sat, Hùng Kings) and 30/4 (Sun) are made up on Tue 2/5 and Wed 3/5; 1/5 is Labour Day
    # [Fri 28/4, Fri 5/5): Fri 28/4, Thu 4/5 -> 2
    assert count("2023-04-28", "2023-05-05") == 2
    # National Day 2023: Fri 1/9 and Sat 2/9, made up on Mon 4/9. [Thu 31/8, Wed 6/9): Thu 31/8, Tue 5/9 -> 2
    assert count("2023-08-31", "2023-09-06") == 2


def test_make_up_saturday_and_swapped_day_2024():
    # 2024: Monday 29/4 off, made up on Saturday 4/5 (VPCP 2450/VPCP-KGVX)
    assert count("2024-04-29", "2024-05-02") == 0          # 29/4 swapped off, 30/4 and 1/5 holidays
    assert count("2024-05-03", "2024-05-06") == 2          # Fri 3/5 + make-up Sat 4/5
    assert count("2024-05-06", "2024-05-03") == -2         # the same span backwards, numpy's sign
    cal = calendar((2024,))
    assert cal.is_working_day(D(2024, 5, 4)) and not cal.is_working_day(D(2024, 4, 29))
    assert not cal.is_working_day(D(2024, 5, 5))           # an ordinary Sunday


def test_missing_dates_give_nan():
    got = working_days(pd.Series([pd.NaT, pd.Timestamp("2023-03-01")]), pd.Series([pd.Timestamp("2023-03-02"), pd.NaT]))
    assert got.isna().all()


def test_calendar_file_is_valid_and_sourced():
    rows = _file_rows(CALENDAR_FILE)
    assert rows, "the calendar file is empty"
    for r in rows:
        assert r["source_url"].startswith("http"), r
        day = D.fromisoformat(r["date"])
        if r["kind"] == "make_up_workday":
            assert day.weekday() >= 5, f"a make-up working day is a weekend day: {r}"
        else:
            assert day.weekday() < 5, f"a day off in the file is a weekday: {r}"


def test_bad_calendar_row_is_reported(tmp_path):
    p = tmp_path / "cal.csv"
    p.write_text("date,kind,note_vi,note_en,status,source_url\n2023-13-01,day_off,x,x,sourced,http://x\n",
                 encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        _file_rows(p)
    p.write_text("date,kind,note_vi,note_en,status,source_url\n2023-05-06,holiday,x,x,sourced,http://x\n",
                 encoding="utf-8")
    with pytest.raises(ValueError, match="kind"):
        _file_rows(p)


def test_publication_lead_uses_the_calendar(plan):
    # A.IV.2.1: publishing decision at least 5 working days before the legal document takes effect.
    # D1: decided Mon 16/1/2023, law in force Mon 30/1 -> 5 working days across Tết: meets the rule.
    # D2: decided Tue 17/1/2023, law in force Mon 30/1 -> 4: misses (Mon–Fri counting would have said 9).
    rows = []
    for i, (no, decision) in enumerate((("D1", "2023-01-16"), ("D2", "2023-01-17"))):
        rows.append({"decision_no": no, "quarter": "2023Q1", "agency_code": "SNV", "legal_document": "VB",
                     "effective_date": pd.Timestamp("2023-01-30"), "shortened_procedure": False,
                     "decision_date": pd.Timestamp(decision), "national_portal_date": pd.NaT,
                     "provincial_portal_date": pd.NaT, "one_stop_published": True, "procedures_count": 1,
                     "submitting_agency": "SNV", "source_file": "data/raw/2023Q1/tthc_publication/SNV.csv",
                     "source_row": i + 2})
    units = md.tthc_publication_lead_working_days({"tthc_publication": pd.DataFrame(rows)}, Quarter(2023, 1), "Q", plan)
    snv = units[units["agency"] == "SNV"].iloc[0]
    assert (snv["numerator"], snv["denominator"]) == (1.0, 2.0)
    assert not math.isnan(snv["denominator"])
