"""Keys across files (issue 13 item 5): nothing counted twice in the province totals; liên thông counted once."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from parplan.catalogue import plan_for
from parplan.contracts import load_contract
from parplan.ingest import ingest_quarter

CONTRACT = load_contract("tthc_dossiers")


def dossier(did: str, agency: str, level: str = "Tỉnh", received: str = "03/04/2023", **over: str) -> dict[str, str]:
    r = {"dossier_id": did, "agency_code": agency, "level": level, "procedure_code": "1.001234",
         "received_date": received, "due_date": "20/04/2023", "completed_date": "10/04/2023",
         "status": "Đã giải quyết", "channel": "Trực tiếp", "fully_online": "Không", "fee_required": "Không",
         "paid_online": "Không", "digitised": "Có", "apology_letter": "Không", "inter_agency": "Không"}
    r.update(over)
    return r


def write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([c.header_vi for c in CONTRACT.columns])
        w.writerows([[r.get(c.name, "") for c in CONTRACT.columns] for r in rows])


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data = tmp_path_factory.mktemp("xfile") / "data"
    raw = data / "raw" / "2023Q2" / "tthc_dossiers"
    # CSV line 2, 3, 4 of each file
    write(raw / "SNV.csv", [dossier("SNV-001", "SNV"), dossier("DUP-1", "SNV"),
                            dossier("LT-1", "SNV", received="03/04/2023", inter_agency="Có")])
    write(raw / "STP.csv", [dossier("STP-001", "STP"), dossier("DUP-1", "STP")])
    write(raw / "TAM_KY.csv", [dossier("TK-001", "TAM_KY", "Huyện"),
                               dossier("LT-1", "TAM_KY", "Huyện", received="05/04/2023", inter_agency="Có")])
    m = ingest_quarter("2023Q2", data, {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    files = {Path(f["path"]).name: f for f in m["datasets"][0]["files"]}
    table = pd.read_parquet(data / "processed" / "2023Q2" / "tthc_dossiers.parquet")
    return files, table


def test_each_dossier_once_in_processed_data(run):
    _, table = run
    assert not table["dossier_id"].duplicated().any()
    # DUP-1 (in SNV and STP, not liên thông) is counted in neither; LT-1 once, in the receiving agency's file
    assert sorted(zip(table["dossier_id"], table["submitting_agency"], strict=True)) == [
        ("LT-1", "SNV"), ("SNV-001", "SNV"), ("STP-001", "STP"), ("TK-001", "TAM_KY")]


def test_province_totals_count_no_record_twice(run):
    from parplan.metrics import dossier_indicators

    _, table = run
    ind = dossier_indicators(table, "2023Q2", plan_for("2023Q2"))
    prov = ind[(ind["agency"] == "PROVINCE") & (ind["period"] == "Q")].set_index("metric")
    # 7 rows were submitted, all resolved on time in the quarter; 4 distinct dossiers are counted
    assert prov.loc["ontime_rate", "denominator"] == 4
    assert prov.loc["resolved_count", "value"] == 4


def test_duplicate_across_files_is_flagged_in_both_files(run):
    files, _ = run
    for name, other in (("SNV.csv", "STP.csv"), ("STP.csv", "SNV.csv")):
        f = files[name]
        hits = [i for i in f["issues"] if i["rule"] == "duplicate_across_files"]
        assert [(i["severity"], i["row"], i["column"], i["value"]) for i in hits] == [("warn", 3, "Mã hồ sơ", "DUP-1")]
        assert other in hits[0]["vi"] and "không được tính" in hits[0]["vi"] and "counted in no file" in hits[0]["en"]
        assert "Liên thông" in hits[0]["fix_vi"]
        assert f["verdict"] == "accepted_with_warnings"
    assert (files["SNV.csv"]["rows_read"], files["SNV.csv"]["rows_accepted"]) == (3, 2)
    assert (files["STP.csv"]["rows_read"], files["STP.csv"]["rows_accepted"]) == (2, 1)


def test_inter_agency_dossier_counted_at_the_receiving_agency(run):
    files, _ = run
    snv = [i for i in files["SNV.csv"]["issues"] if i["rule"] == "inter_agency_counted"]
    tk = [i for i in files["TAM_KY.csv"]["issues"] if i["rule"] == "inter_agency_counted"]
    assert [(i["severity"], i["row"], i["value"]) for i in snv] == [("info", 4, "LT-1")]
    assert [(i["severity"], i["row"], i["value"]) for i in tk] == [("info", 3, "LT-1")]
    assert "03/04/2023" in tk[0]["vi"] and "SNV.csv" in tk[0]["vi"]
    assert files["TAM_KY.csv"]["verdict"] == "accepted" and files["TAM_KY.csv"]["rows_accepted"] == 1


def test_same_received_date_is_left_to_a_person(tmp_path):
    raw = tmp_path / "data" / "raw" / "2023Q2" / "tthc_dossiers"
    write(raw / "SNV.csv", [dossier("LT-9", "SNV", inter_agency="Có")])
    write(raw / "STP.csv", [dossier("LT-9", "STP", inter_agency="Có")])
    m = ingest_quarter("2023Q2", tmp_path / "data", {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    files = {Path(f["path"]).name: f for f in m["datasets"][0]["files"]}
    assert m["datasets"][0]["output_rows"] == 1  # still counted once (in the first file by name)
    for name in ("SNV.csv", "STP.csv"):
        (i,) = [i for i in files[name]["issues"] if i["rule"] == "inter_agency_counted"]
        assert i["severity"] == "warn" and "xem lại" in i["vi"]


def test_keys_of_per_agency_datasets_may_repeat_across_files(tmp_path):
    """online_services' key is the quarter: one row per agency file, the same key in every file is expected."""
    h = [c.header_vi for c in load_contract("online_services").columns]
    raw = tmp_path / "data" / "raw" / "2023Q2" / "online_services"
    raw.mkdir(parents=True)
    for a in ("SNV", "STP"):
        (raw / f"{a}.csv").write_text(",".join(h) + f"\n2023Q2,{a},120,80,120,40,30,1500,600,2000,1990,2000\n",
                                      encoding="utf-8")
    m = ingest_quarter("2023Q2", tmp_path / "data", {"online_services": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    assert [f["verdict"] for f in m["datasets"][0]["files"]] == ["accepted", "accepted"]
    assert m["datasets"][0]["output_rows"] == 2
