"""The shipped sample data is exactly what the deterministic generator writes, from the plan of its year."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from parplan import yamlfile
from parplan.catalogue import load_plan
from parplan.contracts import load_contract
from parplan.io import parse_date, read_table
from parplan.periods import Quarter
from parplan.sample import MARKER, generate, sample_quarters
from parplan.sample_datasets import generate_datasets

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
NEW_QUARTER = "2024Q1"  # the sample quarter of the second plan (plans/2024/)


def _same_bytes(written: list[Path], out: Path) -> None:
    """Every file written under out is byte for byte the committed file at the same place under data/raw."""
    for p in written:
        committed = RAW / p.relative_to(out)
        assert committed.exists(), committed
        assert p.read_bytes() == committed.read_bytes(), p.relative_to(out)


def test_generator_reproduces_the_committed_sample(tmp_path, plan):
    written = generate(tmp_path, plan)
    dossiers = [p for p in written if p.name != MARKER]
    n_units = len(plan.by_kind("department")) + len(plan.by_kind("district"))
    assert n_units == 19 + 18
    assert len(dossiers) == 4 * n_units
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written if p.name == MARKER) == [
        f"2023Q{i}/{MARKER}" for i in range(1, 5)]
    _same_bytes(written, tmp_path)  # .xlsx too: fixed properties and zip entry times


@pytest.fixture(scope="module")
def new_quarter(tmp_path_factory) -> tuple[Path, list[Path]]:
    """The 2024Q1 sample regenerated from plans/2024/ into a temporary folder."""
    out = tmp_path_factory.mktemp("sample_2024")
    plan = load_plan(Quarter.parse(NEW_QUARTER).year)
    return out, generate(out, plan, [NEW_QUARTER]) + generate_datasets(out, plan, [NEW_QUARTER])


def test_new_quarter_regenerates_byte_for_byte(new_quarter):
    out, written = new_quarter
    committed = {p.relative_to(RAW) for p in (RAW / NEW_QUARTER).rglob("*") if p.is_file()}
    assert {p.relative_to(out) for p in written} == committed  # nothing more, nothing less
    _same_bytes(written, out)


def test_new_quarter_has_the_datasets_of_a_first_quarter():
    """2024Q1 holds the datasets the 2024 plan expects in Q1 from someone, plus the optional tthc_publication, as
    2023Q1 does from the 2023 plan (the SIPAS survey is expected in no first quarter)."""
    def folders(q: str) -> set[str]:
        return {p.name for p in (RAW / q).iterdir() if p.is_dir()}

    for q in ("2023Q1", NEW_QUARTER):
        exp = load_plan(Quarter.parse(q).year).expected(1)
        assert folders(q) == {d for d, who in exp.items() if who} | {"tthc_publication"}, q
    assert folders("2023Q1") == folders(NEW_QUARTER)


def _dates(path: Path) -> list[tuple[str, dt.date]]:
    """(column, date) for every filled date cell of a sample file, read with its contract and its year's plan."""
    contract = load_contract(path.parent.name, load_plan(Quarter.parse(path.parts[-3]).year))
    frame = read_table(path, contract).frame
    out = []
    for c in contract.columns:
        if c.type == "date" and c.name in frame:
            out += [(c.name, parse_date(v)) for v in frame[c.name] if v]
    return out


# Date columns that record something that has happened by the quarter's end (the others are deadlines, planned dates
# or a legal document's entry into force, which may lie later in the year).
HAPPENED = {"received_date", "completed_date", "handled_date", "done_date", "completion_date", "evidence_doc_date",
            "cutoff_date", "decision_date", "national_portal_date", "provincial_portal_date", "flagged_date"}


def test_new_quarter_dates_lie_in_its_year_and_quarter():
    """Every date of the 2024Q1 sample lies between 1 December of the year before (the dossiers' carry-in month,
    data/raw/README.md) and 31 December of the plan's year; dates of things that happened lie by 31 March."""
    q = Quarter.parse(NEW_QUARTER)
    first, year_end = dt.date(q.year - 1, 12, 1), dt.date(q.year, 12, 31)
    seen: set[str] = set()
    for path in sorted((RAW / NEW_QUARTER).glob("*/*")):
        for col, day in _dates(path):
            seen.add(col)
            assert day is not None, (path.relative_to(RAW), col)
            assert first <= day <= year_end, (path.relative_to(RAW), col, day)
            if col in HAPPENED:
                assert day <= q.end, (path.relative_to(RAW), col, day)
    assert {"received_date", "due_date", "completed_date", "cutoff_date", "planned_date"} <= seen


def test_new_quarter_dossiers_are_received_in_the_quarter_or_carried_in():
    q = Quarter.parse(NEW_QUARTER)
    received = [day for p in (RAW / NEW_QUARTER / "tthc_dossiers").iterdir()
                for col, day in _dates(p) if col == "received_date"]
    carried = [d for d in received if d < q.start]
    assert carried and all(d >= dt.date(q.year - 1, 12, 1) for d in carried)
    assert len(carried) < 0.25 * len(received)
    assert sum(1 for d in received if q.contains(d)) > 0.75 * len(received)


def test_every_generated_quarter_has_its_marker():
    """Every quarter folder under data/raw is generated sample data and says so: the marker names the plan of the
    folder's year and the seeds, which are that year's 1 June and 15 September written YYYYMMDD."""
    folders = sorted(p.name for p in RAW.iterdir() if p.is_dir())
    assert folders == [str(q) for q in sample_quarters(RAW)]
    assert {"2023Q1", "2023Q2", "2023Q3", "2023Q4", NEW_QUARTER} <= set(folders)
    for name in folders:
        year = Quarter.parse(name).year
        text = (RAW / name / MARKER).read_bytes().decode("utf-8")
        assert yamlfile.loads(text) == {
            "sample_data": True, "generator": "parplan sample", "plan_year": year,
            "seeds": {"tthc_dossiers": year * 10000 + 601, "other_datasets": year * 10000 + 915},
            "note_vi": "Dữ liệu mẫu do parplan tạo, không phải số liệu thật",
            "note_en": "Generated sample data, not real figures"}, name
        assert len(text) < 400


def test_laggard_districts_are_worse(plan):
    def rate(code: str) -> float:
        rows = list(csv.DictReader(open(RAW / "2023Q1/tthc_dossiers" / f"{code}.csv", encoding="utf-8")))
        done = [r for r in rows if r["Trạng thái"] == "Đã giải quyết" and r["Cấp giải quyết"] == "Huyện"]
        late = [r for r in done if r["Ngày hoàn thành"].split("/")[::-1] > r["Ngày hẹn trả"].split("/")[::-1]]
        return 1 - len(late) / len(done)

    named = {d for x in plan.indices["laggards"] if x["metric"] == "ontime_rate" for d in x["districts"]}
    laggards = ["DAI_LOC", "NUI_THANH", "PHU_NINH", "QUE_SON", "DIEN_BAN"]
    others = ["TAY_GIANG", "PHUOC_SON", "BAC_TRA_MY", "NONG_SON"]
    assert set(laggards) <= named and not set(others) & named
    assert max(rate(c) for c in laggards) < min(rate(c) for c in others)


def test_repository_stays_small():
    """About 2 MB a generated quarter (data/raw/README.md); the shipped five quarters stay under 12 MB."""
    def size(folder: Path) -> int:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

    for q in sample_quarters(RAW):
        assert size(RAW / str(q)) < 2.5 * 1024 * 1024, q
    assert size(RAW) < 12 * 1024 * 1024


def test_commune_names_are_the_plan_list_except_the_planted_faults(plan):
    import pandas as pd

    from parplan import communes
    from parplan.sample import COMMUNE_FAULTS

    frames = []
    for p in sorted((RAW / "2023Q4/tthc_dossiers").glob("*.csv")):
        d = pd.read_csv(p, dtype=str, keep_default_na=False)
        d = d[d["Cấp giải quyết"] == "Xã"]
        frames.append(pd.DataFrame({"agency_code": d["Mã cơ quan"], "level": "commune", "source_file": p.name,
                                    "commune": d["Xã/phường/thị trấn"], "source_row": range(2, len(d) + 2)}))
    m = communes.match_dossiers(pd.concat(frames, ignore_index=True), "2023Q4", plan)
    matched = m[m.status.isin(communes.MATCHED)]
    assert matched.n_dossiers.sum() > 0.99 * m.n_dossiers.sum()
    assert not m.commune_text.str.startswith("Xã mẫu").any()
    bad = {(r.agency_code, r.commune_text): r.status for r in m[~m.status.isin(communes.MATCHED)].itertuples()}
    assert bad == {("PHU_NINH", "Tam Dan"): "ambiguous", ("DAI_LOC", "X. Đại Hiệp"): "unknown",
                   ("TAM_KY", "Cẩm An"): "other_district"}
    assert {(d, w) for d, _, _, w in COMMUNE_FAULTS} == set(bad)
    assert len(set(matched.unit)) > 200  # nearly every one of the 241 communes has dossiers


def test_online_payment_offered_column_and_the_older_exports_without_it():
    def rows(q: str, code: str) -> list[dict]:
        return list(csv.DictReader(open(RAW / f"{q}/tthc_dossiers/{code}.csv", encoding="utf-8")))

    col = "TTHC đã triển khai thanh toán trực tuyến"
    assert col not in rows("2023Q2", "TIEN_PHUOC")[0] and col in rows("2023Q3", "TIEN_PHUOC")[0]
    r = rows("2023Q3", "SNV")
    assert all(x[col] == "Có" for x in r if x["Thanh toán trực tuyến"] == "Có")   # paid online -> offered
    assert all(x[col] == "Không" for x in r if x["Có phí, lệ phí"] == "Không")    # no fee -> not applicable
    fee = [x for x in r if x["Có phí, lệ phí"] == "Có"]
    assert 0 < sum(x[col] == "Không" for x in fee) < len(fee)


def test_a_quarter_of_another_year_is_refused(plan, tmp_path):
    with pytest.raises(ValueError, match="2024Q1"):
        generate(tmp_path, plan, ["2024Q1"])
    assert not any(tmp_path.iterdir())


def test_the_command_will_not_overwrite_real_data(tmp_path):
    from parplan.cli import main

    (tmp_path / "2024Q2" / "tthc_dossiers").mkdir(parents=True)
    real = tmp_path / "2024Q2" / "tthc_dossiers" / "SNV.csv"
    real.write_text("real data\n", encoding="utf-8")
    assert main(["sample", "--quarter", "2024Q2", "--out", str(tmp_path)]) == 2
    assert real.read_text(encoding="utf-8") == "real data\n" and not (tmp_path / "2024Q2" / MARKER).exists()
    assert main(["sample", "--quarter", "2099Q1", "--out", str(tmp_path / "none")]) == 2  # no plan for 2099
