"""`python -m parplan catalogue` exports exactly what docs/design.md §4 promises."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from parplan import catalogue
from parplan.cli import main

REPO = Path(__file__).resolve().parents[1]
TASK_COLS = ["id", "index", "field", "stt", "kind", "task_vi", "schedule_vi", "lead", "coordinating", "result_vi",
             "n_targets"]
TARGET_COLS = ["task_id", "metric", "scope", "op", "value", "unit", "baseline_year", "direction"]


def run(capsys, *args) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_catalogue_csv_lists_every_row(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys, "catalogue", "--format", "csv"))))
    cat = catalogue.load_plan(2023)
    assert len(rows) == len(cat.tasks) == 122
    assert set(TASK_COLS) <= set(rows[0])
    assert [r["id"] for r in rows] == [t.id for t in cat.tasks]
    assert {r["index"] for r in rows} == {"PAR", "SIPAS"}
    assert sum(int(r["n_targets"]) for r in rows) == len(cat.targets)
    r = next(r for r in rows if r["id"] == "A.IV.4.1")
    assert r["field"] == "IV" and r["kind"] == "task" and r["n_targets"] == "1" and "99%" in r["result_vi"]


def test_catalogue_targets_csv(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys, "catalogue", "--format", "csv", "--targets"))))
    assert len(rows) == len(catalogue.load_plan(2023).targets)
    assert set(TARGET_COLS) <= set(rows[0])
    by = {(r["task_id"], r["metric"], r["scope"]): r for r in rows}
    assert by[("A.IV.4.1", "ontime_rate", "each_department")]["op"] == ">"
    assert float(by[("A.IV.4.1", "ontime_rate", "each_department")]["value"]) == 0.99
    assert float(by[("A.VIII.3.4.b", "online_dossier_share", "province")]["value"]) == 0.70
    assert by[("A.V.3", "public_service_units_change", "province")]["baseline_year"] == "2021"
    assert all(r["value"] != "" and r["op"] for r in rows)


def test_catalogue_json(capsys):
    data = json.loads(run(capsys, "catalogue", "--format", "json"))
    assert len(data) == 122 and data[0]["id"] == "A"


def test_bad_quarter_exit_code(capsys):
    assert main(["ingest", "--quarter", "2023Q5"]) == 2
    assert "2023Q5" in capsys.readouterr().err


def test_templates_command_writes_one_per_dataset(tmp_path, capsys):
    from parplan.contracts import available

    assert main(["templates", "--out", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.xlsx")) == available()


def test_coverage_lists_every_target_and_the_unmeasurable_with_reasons(capsys):
    out = run(capsys, "coverage")
    cat = catalogue.load_plan(2023)
    for tg in cat.targets:
        assert f"{tg.task_id} " in out and tg.metric in out
    declared = {k for k, m in cat.metrics.items() if "numerator" in m or "custom" in m}  # metrics.yaml declarations
    unmeasurable = [m for k, m in cat.metrics.items() if k not in declared]
    n_bad = sum(1 for tg in cat.targets if tg.metric not in declared)
    assert f"{len(cat.targets)} chỉ tiêu / targets; {len(cat.targets) - n_bad} đo được / measurable; {n_bad} chưa đo" in out
    for m in unmeasurable:
        assert m["unmeasurable_reason"] in out
    rows = list(csv.DictReader(io.StringIO(run(capsys, "coverage", "--format", "csv"))))
    assert len(rows) == len(cat.targets)
    assert all(r["reason"] for r in rows if r["measurable"] == "False")


def test_ingest_ends_with_the_rejected_and_warned_files_and_the_page(tmp_path, monkeypatch, capsys):
    """`python -m parplan ingest` lists the quarter's rejected and warned files, then the data-quality page."""
    from parplan.contracts import load_contract

    raw = tmp_path / "data" / "raw" / "2023Q2" / "online_services"
    raw.mkdir(parents=True)
    h = ",".join(c.header_vi for c in load_contract("online_services").columns)
    (raw / "SNV.csv").write_text(h + "\n2023Q2,SNV,120,80,120,40,30,1500,600,2000,1990,2000\n", encoding="utf-8")
    (raw / "STP.csv").write_text(h + "\n2023Q2,STP,120,80,120,40,30,1500,1600,2000,1990,2000\n", encoding="utf-8")
    shutil.copytree(REPO / "params", tmp_path / "params")  # a project of its own (store.find_root: $PARPLAN_ROOT)
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    monkeypatch.setenv("PARPLAN_ROOT", str(tmp_path))
    out = run(capsys, "ingest", "--quarter", "2023Q2", "--force")
    tail = out[out.index("2023Q2: 2 tệp — 1 hợp lệ, 1 tệp bị từ chối, 0 tệp có cảnh báo"):]  # both files counted
    assert "TỪ CHỐI / REJECTED: data/raw/2023Q2/online_services/STP.csv" in tail
    assert "SNV.csv" not in tail  # accepted: not listed
    assert tail.rstrip().endswith("reports/2023Q2/data-quality.html (make quarterly)")


def test_catalogue_of_another_year(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys, "catalogue", "--format", "csv", "--year", "2024"))))
    plan = catalogue.load_plan(2024)
    assert [r["id"] for r in rows] == [t.id for t in plan.tasks]
    assert {r["due"] for r in rows} == {t.schedule.get("due") or "" for t in plan.tasks}
    assert all(r["due"] == "" or r["due"] >= "2024-01-01" for r in rows)
    assert main(["catalogue", "--year", "2026"]) == 2
    assert "No plan for 2026" in capsys.readouterr().err
