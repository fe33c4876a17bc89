"""The shipped sample data is exactly what the deterministic generator (tools/sample/, outside the library) writes,
from the plan of its year."""
from __future__ import annotations

import ast
import csv
import datetime as dt
import sys
from pathlib import Path

import pytest
import yaml

from parplan import yamlfile
from parplan.catalogue import load_plan
from parplan.contracts import load_contract
from parplan.io import parse_date, read_table
from parplan.periods import Quarter

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # tools/ is a folder of the repository, not an installed package

from tools.sample import faults as planted  # noqa: E402
from tools.sample.datasets import generate_datasets  # noqa: E402
from tools.sample.dossiers import MARKER, generate, sample_quarters  # noqa: E402

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
    declared = {(f.agency, f.params["written"]): f.expect["commune_match"] for f in planted.commune_faults()}
    assert declared == bad  # faults.yaml says what each planted name gives
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
    from tools.sample.__main__ import main

    (tmp_path / "2024Q2" / "tthc_dossiers").mkdir(parents=True)
    real = tmp_path / "2024Q2" / "tthc_dossiers" / "SNV.csv"
    real.write_text("real data\n", encoding="utf-8")
    assert main(["--quarter", "2024Q2", "--out", str(tmp_path)]) == 2
    assert real.read_text(encoding="utf-8") == "real data\n" and not (tmp_path / "2024Q2" / MARKER).exists()
    assert main(["--quarter", "2099Q1", "--out", str(tmp_path / "none")]) == 2  # no plan for 2099
    assert not (tmp_path / "none").exists()


def test_parplan_sample_says_where_the_generator_went(tmp_path, capsys):
    from parplan.cli import main

    assert main(["sample", "--quarter", "2024Q2", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"python -m tools.sample --quarter 2024Q2 --out {tmp_path}" in err and "make sample" in err
    assert not any(tmp_path.iterdir())  # it writes nothing


# ------------------------------------------------------------------ the generator is not part of the library
GENERATOR_NAMES = {"generate_datasets", "generate_quarters", "dossiers_for", "quarter_view", "write_marker",
                   "refuse_real_data", "sample_quarters", "commune_faults", "load_faults"}  # tools/sample's own


def test_the_library_holds_no_sample_generator():
    """No module of parplan/ is a sample module, imports tools/ or defines the generator's functions; the package
    that is installed is parplan only."""
    import tomllib

    pkg = REPO / "parplan"
    assert not [p for p in pkg.rglob("*") if "sample" in p.name and "__pycache__" not in p.parts], "a sample module"
    for path in sorted(pkg.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.name for node in ast.walk(tree) if isinstance(node, ast.Import) for n in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in imported if m == "tools" or m.startswith("tools.")}, path
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        assert not defined & GENERATOR_NAMES, (path, defined & GENERATOR_NAMES)
    setup = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setup["packages"]["find"]["include"] == ["parplan*"]


def test_make_sample_runs_the_tool():
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\nsample:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/python -m tools.sample" in recipe and "parplan sample" not in recipe


def test_the_marker_name_is_the_one_ingest_reads():
    from parplan.ingest import SAMPLE_MARKER

    assert MARKER is SAMPLE_MARKER and MARKER == "SAMPLE_DATA.yaml"


# ------------------------------------------------------------------ the planted faults are data (faults.yaml)
def test_dossier_files_validate_as_faults_yaml_declares(plan):
    """Every dossier file a fault of faults.yaml names (a quarter of its own, in the 2023 sample) and a clean one get
    the verdict and rules the file declares: SGTVT 2023Q2 rejected (date_format, in_set), HIEP_DUC 2023Q2 a warning
    (received_in_quarter), TIEN_PHUOC's older exports 2023Q1/Q2 accepted without findings."""
    from parplan.validation import validate_files

    named = {(f.quarter, f.agency) for f in planted.load_faults() if f.dataset == "tthc_dossiers" and f.quarter}
    assert named == {(2, "SGTVT"), (2, "HIEP_DUC"), (1, "TIEN_PHUOC"), (2, "TIEN_PHUOC")}
    contract = load_contract("tthc_dossiers", plan)
    for n in (1, 2):
        q = Quarter(plan.year, n)
        codes = sorted({a for m, a in named if m == n} | {"SNV"})
        items = [(RAW / str(q) / "tthc_dossiers" / f"{c}.csv", c, plan.agencies[c].kind) for c in codes]
        for verdict, _ in validate_files(items, contract, q, root=RAW):
            agency = Path(verdict.path).stem
            want, rules = planted.expected(q, "tthc_dossiers", agency)
            found = {i.rule for i in verdict.issues if i.severity in ("warn", "reject")}
            assert (verdict.verdict, found) == (want, rules), verdict.path
    assert planted.expected(Quarter(plan.year, 2), "tthc_dossiers", "SGTVT") == ("rejected", {"date_format", "in_set"})
    assert planted.expected(Quarter(plan.year, 3), "tthc_dossiers", "SGTVT") == ("accepted", set())


def test_the_older_exports_are_the_declared_ones():
    """The files without 'TTHC đã triển khai thanh toán trực tuyến' are exactly faults.yaml's without_column ones."""
    col = "TTHC đã triển khai thanh toán trực tuyến"
    for q in sample_quarters(RAW):
        for p in sorted((RAW / str(q) / "tthc_dossiers").glob("*.csv")):
            with open(p, encoding="utf-8") as fh:
                header = next(csv.reader(fh))
            declared = "online_payment_offered" in planted.missing_columns(q, "tthc_dossiers", p.stem)
            assert (col not in header) == declared, p.relative_to(RAW)


def test_plant_does_what_each_kind_says():
    """Each kind on hand-made rows, values worked out by hand."""
    q = Quarter.parse("2023Q1")
    rows = [{"level": "province", "resolved_late": 1, "resolved_on_time": 0, "channel": "online"},
            {"level": "district", "resolved_late": 3, "resolved_on_time": 5, "channel": "direct"},
            {"level": "district", "resolved_late": 0, "resolved_on_time": 2, "channel": "postal"}]

    def fault(kind: str, **params) -> planted.Fault:
        return planted.Fault("t", 1, "tthc_summary", "X", kind, params, {"verdict": "rejected"})

    planted.PLANT["move"](fault("move", move={"from": "resolved_late", "to": "resolved_on_time", "count": 2}),
                          rows, q, "X")
    assert [(r["resolved_late"], r["resolved_on_time"]) for r in rows] == [(0, 1), (2, 6), (0, 2)]
    planted.PLANT["add"](fault("add", row={"where": {"level": "district"}}, add={"resolved_on_time": 10}), rows, q, "X")
    assert [r["resolved_on_time"] for r in rows] == [1, 16, 2]
    planted.PLANT["set"](fault("set", row="middle", set={"channel": "Zalo {next_quarter}/{year}"}), rows, q, "X")
    assert [r["channel"] for r in rows] == ["online", "Zalo 2023Q2/2023", "postal"]
    planted.PLANT["swap"](fault("swap", row=1, swap=["resolved_late", "resolved_on_time"]), rows, q, "X")
    assert (rows[0]["resolved_late"], rows[0]["resolved_on_time"]) == (1, 0)
    planted.PLANT["received_after_quarter_end"](fault("received_after_quarter_end", row="last", days=3, due_days=7),
                                                rows, q, "X")
    assert {k: rows[-1][k] for k in ("received_date", "due_date", "completed_date", "status")} == {
        "received_date": dt.date(2023, 4, 3), "due_date": dt.date(2023, 4, 10), "completed_date": None,
        "status": "pending"}
    planted.PLANT["extra_row"](fault("extra_row", values={"task_id": "A.X.9"}), rows, q, "X")
    assert rows[-1] == {"agency_code": "X", "task_id": "A.X.9"} and len(rows) == 4
    with pytest.raises(planted.FaultError, match="4 rows"):
        planted.PLANT["set"](fault("set", row=9, set={"channel": "x"}), rows, q, "X")
    with pytest.raises(planted.FaultError, match="fewer than 9"):  # 1 + 2 + 0 late in the first three rows
        planted.PLANT["move"](fault("move", move={"from": "resolved_late", "to": "resolved_on_time", "count": 9}),
                              rows[:3], q, "X")


@pytest.mark.parametrize("entry,message", [
    ({"kind": "typo"}, "unknown kind"),
    ({"quarter": 5}, "quarter 5"),
    ({"quarter": "every"}, "commune_name"),
    ({"expect": {"verdict": "maybe"}}, "expected a verdict"),
    ({"colour": "red"}, "not expected \\['colour'\\]"),
])
def test_a_fault_the_generator_cannot_plant_is_refused(tmp_path, entry, message):
    good = {"id": "x", "quarter": 2, "dataset": "pakn", "agency": "THANG_BINH", "kind": "set", "row": "middle",
            "set": {"channel": "Zalo"}, "expect": {"verdict": "rejected", "rule": "in_set"}}
    path = tmp_path / "faults.yaml"
    path.write_text(yaml.safe_dump({"faults": [good | entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(planted.FaultError, match=message):
        planted.read_faults(path)
    path.write_text(yaml.safe_dump({"faults": [good, good]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(planted.FaultError, match="duplicate"):
        planted.read_faults(path)
    path.write_text(yaml.safe_dump({"faults": [good]}, allow_unicode=True), encoding="utf-8")
    assert [(f.quarter, f.kind, f.params) for f in planted.read_faults(path)] == [
        (2, "set", {"row": "middle", "set": {"channel": "Zalo"}})]
