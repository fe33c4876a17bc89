"""The shipped sample of every dataset except tthc_dossiers: deterministic, valid except the documented faults,
and the tthc_summary tables add up to the dossiers (one documented reconciliation difference)."""
from __future__ import annotations

import csv
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import pytest

from parplan.catalogue import load_plan
from parplan.contracts import load_contract, parse_number
from parplan.periods import Quarter

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # tools/ is a folder of the repository, not an installed package

from tools.sample import faults as planted  # noqa: E402
from tools.sample.datasets import generate_datasets  # noqa: E402

QUARTERS = ("2023Q1", "2023Q2", "2023Q3", "2023Q4")
NEW_QUARTER = "2024Q1"  # generated from plans/2024/ (tests/test_sample.py checks its bytes)
DATASETS = ("tthc_summary", "tthc_publication", "task_status", "sipas_survey", "inspections", "legal_docs",
            "economy", "disbursement", "organisation", "e_documents", "online_services", "pakn")

# The deliberately faulty submissions are declared in tools/sample/faults.yaml (planted in the same quarter of every
# generated year; described in data/raw/README.md): planted.expected gives a file's verdict and rules from there.


# ------------------------------------------------------------------ helpers (csv module only for the dossiers)
def _d(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


LEVEL = {"Tỉnh": "province", "Huyện": "district", "Xã": "commune"}
CHANNEL = {"Trực tuyến": "online", "Trực tiếp": "direct", "Bưu chính": "postal"}


def dossier_aggregates(q: str, agency: str) -> dict[str, Counter]:
    """The summary table's counts per level, worked out from the raw dossier CSV."""
    quarter = Quarter.parse(q)
    out: dict[str, Counter] = {}
    for r in _csv(RAW / q / "tthc_dossiers" / f"{agency}.csv"):
        c = out.setdefault(LEVEL[r["Cấp giải quyết"]], Counter())
        received, due, done = _d(r["Ngày tiếp nhận"]), _d(r["Ngày hẹn trả"]), _d(r["Ngày hoàn thành"])
        if received >= quarter.start:
            c["received_" + CHANNEL[r["Hình thức nộp"]]] += 1
        else:
            c["carried_over"] += 1
        c["received_total"] += 1
        if r["Trạng thái"] == "Đã giải quyết":
            c["resolved_total"] += 1
            c["resolved_early" if done < due else "resolved_on_time" if done == due else "resolved_late"] += 1
        elif r["Trạng thái"] == "Đang giải quyết":
            c["pending_total"] += 1
            c["pending_within" if due >= quarter.end else "pending_overdue"] += 1
        else:
            c["withdrawn"] += 1
    return out


SUMMARY_COLUMNS = {
    "Tiếp nhận - Tổng số": "received_total", "Tiếp nhận - Trực tuyến": "received_online",
    "Tiếp nhận - Trực tiếp": "received_direct", "Tiếp nhận - Bưu chính": "received_postal",
    "Tiếp nhận - Kỳ trước chuyển qua": "carried_over", "Đã giải quyết - Tổng số": "resolved_total",
    "Đã giải quyết - Trước hạn": "resolved_early", "Đã giải quyết - Đúng hạn": "resolved_on_time",
    "Đã giải quyết - Quá hạn": "resolved_late", "Đang giải quyết - Tổng số": "pending_total",
    "Đang giải quyết - Trong hạn": "pending_within", "Đang giải quyết - Quá hạn": "pending_overdue",
    "Rút hồ sơ, trả lại": "withdrawn",
}


def summary_totals(q: str, agency: str) -> dict[str, Counter]:
    """The agency's summary table added up over procedure areas, per level (numbers as typed, '1.234' allowed)."""
    out: dict[str, Counter] = {}
    for r in _csv(RAW / q / "tthc_summary" / f"{agency}.csv"):
        assert r["Quý"] == q and r["Mã cơ quan"] == agency
        c = out.setdefault(LEVEL[r["Cấp giải quyết"]], Counter())
        for header, key in SUMMARY_COLUMNS.items():
            c[key] += int(r[header].replace(".", ""))
    return out


# ------------------------------------------------------------------ (1) determinism and the committed files
@pytest.fixture(scope="module")
def generated(tmp_path_factory, plan):
    """The 2023 plan's four quarters, and its third quarter alone (a quarter asked for by itself)."""
    a, b = tmp_path_factory.mktemp("run_a"), tmp_path_factory.mktemp("run_b")
    return a, generate_datasets(a, plan), b, generate_datasets(b, plan, ["2023Q3"])


def test_generator_is_deterministic_and_reproduces_the_committed_files(generated):
    a, written_a, b, written_b = generated
    rel_a = [p.relative_to(a) for p in written_a]
    assert len(set(rel_a)) == len(rel_a)
    assert not any(p.parts[1] == "tthc_dossiers" for p in rel_a)  # sample.py's folders are not touched
    committed = {p.relative_to(RAW) for p in RAW.glob("2023Q*/*/*")
                 if p.is_file() and p.parts[-2] != "tthc_dossiers"}
    assert committed == set(rel_a), "data/raw holds files the generator does not write, or misses some"
    for rel in rel_a:  # .xlsx too: fixed properties and zip entry times
        assert (a / rel).read_bytes() == (RAW / rel).read_bytes(), rel
    rel_b = [p.relative_to(b) for p in written_b]
    assert rel_b == [r for r in rel_a if r.parts[0] == "2023Q3"]
    assert all((b / r).read_bytes() == (a / r).read_bytes() for r in rel_b)  # same bytes as within the whole year


def _agencies(q: str, ds: str) -> set[str]:
    return {p.stem for p in (RAW / q / ds).iterdir()} if (RAW / q / ds).is_dir() else set()


@pytest.mark.parametrize("q", QUARTERS + (NEW_QUARTER,))
def test_who_submits_what(q):
    plan = load_plan(Quarter.parse(q).year)
    depts = {a.code for a in plan.by_kind("department")}
    districts = {a.code for a in plan.by_kind("district")}
    for ds in ("tthc_summary", "task_status", "online_services", "e_documents", "organisation"):
        assert _agencies(q, ds) == depts | districts, (q, ds)
    assert _agencies(q, "pakn") == {"VPUBND"} | districts
    assert _agencies(q, "inspections") == {"SNV", "STC"}
    assert _agencies(q, "legal_docs") == {"STP", "VPUBND"}
    assert _agencies(q, "economy") == {"SKHDT", "STC"}
    assert _agencies(q, "disbursement") == {"SKHDT"}
    assert len(_agencies(q, "tthc_publication")) == 8 and _agencies(q, "tthc_publication") <= depts
    survey = set(plan.expected(Quarter.parse(q).q)["sipas_survey"])
    assert _agencies(q, "sipas_survey") == survey
    assert {p.suffix for p in RAW.glob(f"{q}/task_status/SYT.*")} == {".xlsx"}
    assert {p.suffix for p in RAW.glob(f"{q}/e_documents/DIEN_BAN.*")} == {".xlsx"}


def test_the_survey_quarters_are_the_plans():
    assert {q for q in QUARTERS if _agencies(q, "sipas_survey")} == {"2023Q2", "2023Q4"}  # plans/2023/plan.yaml


@pytest.mark.parametrize("q", QUARTERS + (NEW_QUARTER,))
def test_every_expected_submitter_has_a_file(q):
    """Each dataset the quarter's plan expects from someone has a file from every member of its submitters."""
    plan = load_plan(Quarter.parse(q).year)
    for ds, who in plan.expected(Quarter.parse(q).q).items():
        members = {m for code in who for m in plan.members(code)}
        assert members <= _agencies(q, ds), (q, ds, sorted(members - _agencies(q, ds)))


# ------------------------------------------------------------------ (2) validation verdicts
def _expected(rel: str) -> tuple[str, set[str]]:
    """Expected verdict and warning/reject rules of one committed file ('2023Q1/tthc_summary/NONG_SON.csv'), as
    tools/sample/faults.yaml declares them (accepted without findings when it declares none)."""
    q, ds, name = rel.split("/")
    return planted.expected(Quarter.parse(q), ds, Path(name).stem)


def test_the_declared_faults_of_the_other_datasets():
    """faults.yaml declares, for the datasets other than the dossiers, the faults data/raw/README.md lists."""
    got = {(f.quarter, f.dataset, f.agency): (f.expect["verdict"], f.expect.get("rule"))
           for f in planted.load_faults() if f.dataset != "tthc_dossiers"}
    assert got == {
        (1, "tthc_summary", "NONG_SON"): ("rejected", "resolved_parts"),
        (2, "tthc_summary", "SNV"): ("accepted", None),  # the reconciliation example
        (3, "online_services", "STNMT"): ("rejected", "paid_le_transactions"),
        (2, "pakn", "THANG_BINH"): ("rejected", "in_set"),
        (4, "task_status", "SCT"): ("rejected", "in_set"),
        (3, "e_documents", "QUE_SON"): ("rejected", "min_value"),
        (1, "organisation", "SGDDT"): ("rejected", "wrong_quarter"),
        (2, "task_status", "DUY_XUYEN"): ("accepted_with_warnings", "done_has_evidence"),
    }
    assert {f.dataset for f in planted.load_faults()} - {"tthc_dossiers"} <= set(DATASETS)


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("q", QUARTERS + (NEW_QUARTER,))
def test_committed_files_validate_as_documented(q, dataset):
    from parplan.validation import validate_files

    folder = RAW / q / dataset
    plan = load_plan(Quarter.parse(q).year)
    if not folder.is_dir():
        assert dataset == "sipas_survey" and not plan.expected(Quarter.parse(q).q)["sipas_survey"]
        return
    items = [(p, p.stem, plan.agencies[p.stem].kind) for p in sorted(folder.iterdir())]
    results = validate_files(items, load_contract(dataset, plan), Quarter.parse(q), root=RAW)
    assert len(results) == len(items)
    for verdict, _ in results:
        want, rules = _expected(verdict.path)
        found = {i.rule for i in verdict.issues if i.severity in ("warn", "reject")}
        assert verdict.verdict == want, (verdict.path, [i.message() for i in verdict.issues][:5])
        if want == "rejected":
            assert rules <= found, (verdict.path, found)
        else:
            assert found == rules, (verdict.path, [i.message() for i in verdict.issues][:5])


def test_balance_holds_with_the_withdrawn_column():
    """received = resolved + pending + withdrawn, level by level; withdrawn comes from the dossiers."""
    for q, agency in (("2023Q1", "SKHDT"), ("2023Q3", "TAM_KY"), ("2023Q4", "TIEN_PHUOC")):
        dossiers, summary = dossier_aggregates(q, agency), summary_totals(q, agency)
        for level, s in summary.items():
            gap = s["received_total"] - s["resolved_total"] - s["pending_total"]
            assert gap == dossiers[level]["withdrawn"] == s["withdrawn"], (q, agency, level)
    assert dossier_aggregates("2023Q1", "SKHDT")["province"]["withdrawn"] == 4


# ------------------------------------------------------------------ (3) tthc_summary = dossier aggregates
@pytest.mark.parametrize("q,agency", [("2023Q3", "TAM_KY"), ("2023Q1", "SKHDT"), ("2023Q4", "NUI_THANH"),
                                      ("2023Q2", "VPUBND")])
def test_summary_totals_equal_dossier_aggregates(q, agency):
    dossiers, summary = dossier_aggregates(q, agency), summary_totals(q, agency)
    assert set(summary) == set(dossiers)
    for level, s in summary.items():
        d = dossiers[level]
        for key in SUMMARY_COLUMNS.values():
            assert s[key] == d[key], (q, agency, level, key, s[key], d[key])


def test_snv_2023q2_reconciliation_example():
    """The one deliberate difference: SNV reports its 2 late dossiers of 2023Q2 as on time (README, faults.yaml)."""
    d = dossier_aggregates("2023Q2", "SNV")["province"]
    s = summary_totals("2023Q2", "SNV")["province"]
    diff = {k: s[k] - d[k] for k in SUMMARY_COLUMNS.values() if s[k] != d[k]}
    assert diff == {"resolved_on_time": 2, "resolved_late": -2}
    declared = next(f for f in planted.faults_for(Quarter.parse("2023Q2"), "tthc_summary", "SNV") if f.kind == "move")
    assert declared.expect["reconciliation"] == diff
    assert d["resolved_late"] == 2 and s["resolved_late"] == 0
    for q in ("2023Q1", "2023Q3", "2023Q4"):  # the other quarters of SNV reconcile
        d, s = dossier_aggregates(q, "SNV")["province"], summary_totals(q, "SNV")["province"]
        assert all(s[k] == d[k] for k in SUMMARY_COLUMNS.values()), q


# ------------------------------------------------------------------ plausibility of the other datasets
def _disbursed(q: str, cutoff: str) -> dict[str, float]:
    rows = [r for r in _csv(RAW / q / "disbursement" / "SKHDT.csv") if r["Số liệu đến ngày"] == cutoff]
    return {r["Mã cơ quan, địa phương"]: parse_number(r["Đã giải ngân (triệu đồng)"])
            / parse_number(r["Kế hoạch vốn giao (triệu đồng)"]) for r in rows}


def test_disbursement_laggards_below_20_percent_at_30_april(plan):
    lag = next(x for x in plan.indices["laggards"] if x["metric"] == "disbursement_rate")
    assert lag["as_of"] == "2023-04-30"
    laggards = set(lag["departments"]) | set(lag["districts"])
    rate = _disbursed("2023Q2", "30/04/2023")
    assert laggards <= set(rate)
    assert {a.code for a in plan.by_kind("department") + plan.by_kind("district")} <= set(rate)
    assert all(rate[c] < 0.20 for c in laggards)
    assert all(v >= 0.20 for c, v in rate.items() if c not in laggards)
    assert {r["Số liệu đến ngày"] for r in _csv(RAW / "2023Q2" / "disbursement" / "SKHDT.csv")} == {
        "30/04/2023", "30/06/2023"}


def test_a_plan_without_laggards_has_only_quarter_end_cutoffs_and_no_laggard_bodies():
    """plans/2024 names no slow disbursers: 2024Q1 has the quarter-end cut-off only, for departments and districts."""
    plan = load_plan(Quarter.parse(NEW_QUARTER).year)
    assert plan.indices["laggards"] == []
    rows = _csv(RAW / NEW_QUARTER / "disbursement" / "SKHDT.csv")
    assert {r["Số liệu đến ngày"] for r in rows} == {"31/03/2024"}
    rate = _disbursed(NEW_QUARTER, "31/03/2024")
    assert set(rate) == {a.code for a in plan.by_kind("department") + plan.by_kind("district")}
    assert all(0.1 < v < 0.4 for v in rate.values())


@pytest.mark.parametrize("q", ("2023Q3", NEW_QUARTER))
def test_economy_periods_follow_the_plans_baseline_year(q):
    """Each economy file repeats the baseline year and the year before it, the baseline year's quarters (year to
    date) and the file's own quarter; the years are the plan's, e.g. 2023 for the 2024 plan."""
    plan = load_plan(Quarter.parse(q).year)
    by = plan.baseline_year
    assert by == Quarter.parse(q).year - 1
    for code in ("SKHDT", "STC"):
        rows = _csv(RAW / q / "economy" / f"{code}.csv")
        periods = {r["Kỳ số liệu"] for r in rows}
        assert periods == {str(by - 1), str(by), q} | {f"{by}Q{i}" for i in range(1, 5)}, (q, code)
        assert all(r["Nguồn số liệu"].endswith("(ước tính)") == (r["Kỳ số liệu"] == q) for r in rows)


def test_sipas_survey_shape_and_satisfaction():
    for q in ("2023Q2", "2023Q4"):
        rows = _csv(RAW / q / "sipas_survey" / "SNV.csv")
        respondents = {r["Mã phiếu"] for r in rows}
        assert 300 <= len(respondents) <= 400 and len(rows) == 15 * len(respondents)
        assert len({r["Huyện nơi khảo sát"] for r in rows}) == 18
        assert Counter(r["Yếu tố SIPAS (1-5)"] for r in rows) == {str(f): 3 * len(respondents) for f in range(1, 6)}
        satisfied = sum(int(r["Điểm trả lời (1-5)"]) >= 4 for r in rows) / len(rows)
        assert 0.75 <= satisfied <= 0.85, (q, satisfied)


def test_task_status_progresses_over_the_year():
    def done_share(q: str) -> float:
        rows = [r for p in (RAW / q / "task_status").glob("*.csv") for r in _csv(p)]
        return sum(r["Tình trạng"] == "Đã hoàn thành" for r in rows) / len(rows)

    shares = [done_share(q) for q in QUARTERS]
    assert shares == sorted(shares) and shares[0] < 0.15 and shares[-1] > 0.7
