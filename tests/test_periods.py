"""Quarter parsing, dates, navigation and labels (parplan.periods)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parplan.periods import Quarter, QuarterError, parse_quarter


def test_parse_fields():
    q = Quarter.parse("2023Q2")
    assert (q.year, q.q) == (2023, 2)
    assert q == Quarter(2023, 2)
    assert str(q) == "2023Q2"
    assert parse_quarter("2023Q2") == q


def test_parse_strips_surrounding_whitespace():
    # The implementation strips before matching ^(\d{4})Q([1-4])$.
    assert Quarter.parse("  2023Q3\n") == Quarter(2023, 3)


def test_parse_accepts_a_quarter_instance():
    q = Quarter(2024, 1)
    assert Quarter.parse(q) is q


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2023Q1", dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
        ("2023Q2", dt.date(2023, 4, 1), dt.date(2023, 6, 30)),
        ("2023Q3", dt.date(2023, 7, 1), dt.date(2023, 9, 30)),
        ("2023Q4", dt.date(2023, 10, 1), dt.date(2023, 12, 31)),
        ("2024Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ],
)
def test_start_and_end(text, start, end):
    q = Quarter.parse(text)
    assert q.start == start
    assert q.end == end
    assert q.ytd_start == dt.date(q.year, 1, 1)
    assert q.contains(start) and q.contains(end)
    assert not q.contains(start - dt.timedelta(days=1))
    assert not q.contains(end + dt.timedelta(days=1))


def test_previous_across_year_boundary():
    assert Quarter.parse("2023Q1").previous() == Quarter(2022, 4)
    assert Quarter.parse("2023Q3").previous() == Quarter(2023, 2)


def test_next_across_year_boundary():
    assert Quarter.parse("2023Q4").next() == Quarter(2024, 1)
    assert Quarter.parse("2023Q2").next() == Quarter(2023, 3)


def test_quarters_to_date():
    assert Quarter(2023, 3).quarters_to_date() == [Quarter(2023, 1), Quarter(2023, 2), Quarter(2023, 3)]
    assert Quarter(2023, 1).quarters_to_date() == [Quarter(2023, 1)]
    assert len(Quarter(2022, 4).quarters_to_date()) == 4


def test_labels():
    q = Quarter.parse("2023Q2")
    assert q.label("vi") == "Quý II/2023"
    assert q.label() == "Quý II/2023"
    assert q.label("en") == "Q2 2023"
    assert Quarter(2023, 4).label("vi") == "Quý IV/2023"
    assert Quarter(2023, 3).label("vi") == "Quý III/2023"


@pytest.mark.parametrize("q, share", [(1, 0.25), (2, 0.5), (3, 0.75), (4, 1.0)])
def test_elapsed_share(q, share):
    assert Quarter(2023, q).elapsed_share() == pytest.approx(share)


@pytest.mark.parametrize("bad", ["2023Q5", "2023Q0", "2023-Q2", "23Q1", "", None, "2023q2 ", "2023 Q2", "Q2 2023"])
def test_invalid_quarters_raise_bilingual_error(bad):
    with pytest.raises(QuarterError) as exc:
        Quarter.parse(bad)
    msg = str(exc.value)
    assert "Quý không hợp lệ" in msg
    assert "Invalid quarter" in msg
    # the example the message gives is itself a valid quarter (the current year's second quarter)
    example = re.search(r"ví dụ (\S+)\)", msg).group(1)
    assert Quarter.parse(example) == Quarter(dt.date.today().year, 2) and f"(e.g. {example})" in msg


def test_quarter_error_is_a_value_error():
    with pytest.raises(ValueError):
        Quarter.parse("2023Q5")


@pytest.mark.parametrize("bad", ["1999Q4", "2101Q1"])
def test_year_out_of_range(bad):
    with pytest.raises(QuarterError, match="2000–2100"):
        Quarter.parse(bad)


@given(year=st.integers(min_value=2000, max_value=2100), q=st.integers(min_value=1, max_value=4))
def test_round_trip_and_navigation_property(year, q):
    quarter = Quarter(year, q)
    parsed = Quarter.parse(str(quarter))
    assert parsed == quarter
    assert parsed.start <= parsed.end
    assert parsed.start.month == 3 * q - 2
    assert quarter.next().previous() == quarter
    assert quarter.previous().next() == quarter
    # Quarters tile the calendar: the next quarter starts the day after this one ends.
    assert quarter.next().start == quarter.end + dt.timedelta(days=1)


def test_year_bounds_are_method_data_not_code():
    from parplan import yamlfile
    from parplan.catalogue import HERE
    from parplan.periods import year_bounds

    b = yamlfile.load(HERE / "method.yaml")["quarter_years"]
    assert year_bounds() == (b["min"], b["max"]) == (2000, 2100)
    assert Quarter.parse(f"{b['min']}Q1") == Quarter(b["min"], 1) and Quarter.parse(f"{b['max']}Q4").year == b["max"]
    with pytest.raises(QuarterError, match=f"{b['min']}–{b['max']}"):
        Quarter.parse(f"{b['max'] + 1}Q1")


@pytest.mark.parametrize("day, quarter", [
    (dt.date(2023, 1, 1), Quarter(2023, 1)), (dt.date(2023, 3, 31), Quarter(2023, 1)),
    (dt.date(2023, 4, 1), Quarter(2023, 2)), (dt.date(2023, 9, 30), Quarter(2023, 3)),
    (dt.date(2023, 10, 1), Quarter(2023, 4)), (dt.date(2024, 12, 31), Quarter(2024, 4)),
])
def test_the_quarter_containing_a_date(day, quarter):
    assert Quarter.containing(day) == quarter
    assert quarter.contains(day)


def test_the_four_quarters_of_a_year():
    assert Quarter.of_year(2024) == [Quarter(2024, 1), Quarter(2024, 2), Quarter(2024, 3), Quarter(2024, 4)]


def test_the_same_quarter_in_another_year():
    assert Quarter(2023, 3).in_year(2021) == Quarter(2021, 3)
    assert Quarter(2023, 1).same_quarter_last_year() == Quarter(2022, 1)
    assert str(Quarter(2024, 4).same_quarter_last_year()) == "2023Q4"


def test_quarters_until_counts_across_years():
    q = Quarter(2023, 3)
    assert q.quarters_until(Quarter(2023, 3)) == 0
    assert q.quarters_until(Quarter(2023, 4)) == 1
    assert q.quarters_until(Quarter(2024, 2)) == 3   # 2023Q4, 2024Q1, 2024Q2
    assert q.quarters_until(Quarter(2023, 1)) == -2
