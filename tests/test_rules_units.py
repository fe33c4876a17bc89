"""Unit tests of the rules over typed tables: wrong quarter by dates, as at the quarter's end, plausibility bounds."""
from __future__ import annotations

import pandas as pd

from parplan.contracts import load_contract
from parplan.periods import Quarter
from parplan.plausibility import defaults, plausibility_issues
from parplan.validation import FILE, activity_issues, as_at_quarter_end

Q2 = Quarter.parse("2023Q2")
DOSSIERS = load_contract("tthc_dossiers")


def dossiers(spans: list[tuple[str, str | None]], file: str = "SNV.csv") -> pd.DataFrame:
    return pd.DataFrame({FILE: file, "received_date": pd.to_datetime([a for a, _ in spans]),
                         "completed_date": pd.to_datetime([b for _, b in spans]),
                         "status": ["resolved" if b else "pending" for _, b in spans]})


def test_half_outside_is_not_wrong_quarter_more_than_half_is():
    half = dossiers([("2023-02-01", "2023-02-10"), ("2023-02-02", "2023-03-01"), ("2023-04-03", "2023-04-05"),
                     ("2023-03-20", None)])  # 2 of 4 without activity in Q2 (the open one from March is active)
    assert activity_issues(half, DOSSIERS, Q2, {}) == []
    more = dossiers([("2023-02-01", "2023-02-10"), ("2023-02-02", "2023-03-01"), ("2023-01-05", "2023-03-31"),
                     ("2023-04-03", "2023-04-05")])
    (i,) = activity_issues(more, DOSSIERS, Q2, {})
    assert (i.rule, i.severity, i.value, i.count, i.column) == ("wrong_quarter", "reject", "2023Q1", 3, "Ngày tiếp nhận")
    assert "3/4" in i.vi and "2023Q1" in i.fix_vi


def test_a_next_quarter_file_points_to_that_quarter():
    f = dossiers([("2023-07-03", "2023-07-10"), ("2023-07-04", None)])
    (i,) = activity_issues(f, DOSSIERS, Q2, {})
    assert i.value == "2023Q3"


def test_as_at_quarter_end_drops_future_records_and_reopens_late_completions():
    t = dossiers([("2023-04-03", "2023-04-05"), ("2023-06-20", "2023-07-05"), ("2023-07-01", None)])
    out = as_at_quarter_end(t, DOSSIERS, Q2)
    assert out["received_date"].tolist() == [pd.Timestamp("2023-04-03"), pd.Timestamp("2023-06-20")]
    assert out["status"].tolist() == ["resolved", "pending"]
    assert out["completed_date"].iloc[0] == pd.Timestamp("2023-04-05") and pd.isna(out["completed_date"].iloc[1])
    assert t["status"].tolist() == ["resolved", "resolved", "pending"]  # the input is not modified


def _org(agency: str, psu_now: int, staff: int = 55) -> dict:
    return {"source_file": f"{agency}.csv", "submitting_agency": agency, "psu_count_now": psu_now,
            "staff_quota_now": staff}


def test_direction_against_the_plan_is_flagged_only_when_it_moves_the_wrong_way():
    c = load_contract("organisation")
    before = pd.DataFrame([_org("SNV", 5), _org("STP", 5), _org("SYT", 5, 60)])
    now = pd.DataFrame([_org("SNV", 7), _org("STP", 4), _org("SYT", 5, 61), _org("SXD", 9)])  # SXD: no history
    got = sorted((i.file, i.rule, i.column, i.value) for i in plausibility_issues(now, before, c))
    assert got == [("SNV.csv", "plausibility_direction", "Số ĐVSNCL hiện nay", "5 → 7"),
                   ("SYT.csv", "plausibility_direction", "Biên chế giao hiện nay", "60 → 61")]


def test_row_count_bound_and_minimum_from_the_contract_and_the_defaults():
    c = load_contract("tthc_dossiers")  # contract: max_change 0.5, min_rows 20; defaults: rates ±0.2, ≥ 10 units
    assert defaults()["rates"]["min_denominator"] == 10

    def rows(agency: str, n: int, online: int = 0) -> pd.DataFrame:
        return pd.DataFrame({"source_file": f"{agency}.csv", "submitting_agency": agency,
                             "channel": ["online"] * online + ["direct"] * (n - online),
                             "status": "resolved"})

    before = pd.concat([rows("SNV", 40), rows("STP", 10), rows("SYT", 40)])
    now = pd.concat([rows("SNV", 61), rows("STP", 3), rows("SYT", 40, online=9)])
    got = sorted((i.file, i.rule, i.value) for i in plausibility_issues(now, before, c))
    # SNV +52.5 % > 50 %; STP 10 → 3 is below min_rows on both sides; SYT online 0 % → 22,5 % > 20 points
    assert got == [("SNV.csv", "plausibility_rows", "40 → 61"), ("SYT.csv", "plausibility_rate", "0,0 % → 22,5 %")]
    assert plausibility_issues(now, None, c) == []
