"""Resubmissions (<AGENCY>.v2.csv) and reviewers' decisions (data/decisions.yaml): issue 13 items 9 and 10."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from parplan.catalogue import plan_for
from parplan.contracts import load_contract
from parplan.decisions import DecisionError, load_decisions
from parplan.ingest import file_version, ingest_quarter
from parplan.render import strip_tags

DOSSIERS = load_contract("tthc_dossiers")


def dossier(did: str, agency: str = "SNV", **over: str) -> dict[str, str]:
    r = {"dossier_id": did, "agency_code": agency, "level": "Tỉnh", "procedure_code": "1.001234",
         "received_date": "03/04/2023", "due_date": "20/04/2023", "completed_date": "10/04/2023",
         "status": "Đã giải quyết", "channel": "Trực tiếp", "fully_online": "Không", "fee_required": "Không",
         "paid_online": "Không", "digitised": "Có", "apology_letter": "Không"}
    r.update(over)
    return r


def write(path: Path, dataset: str, rows: list[dict[str, str]]) -> Path:
    cols = load_contract(dataset).columns
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([c.header_vi for c in cols])
        w.writerows([[r.get(c.name, "") for c in cols] for r in rows])
    return path


def files_of(m: dict) -> dict[str, dict]:
    return {Path(f["path"]).name: f for d in m["datasets"] for f in d["files"]}


# ------------------------------------------------------------------ resubmissions
def test_version_naming_rule():
    assert file_version(Path("SNV.csv")) == ("SNV", 1)
    assert file_version(Path("SNV.v2.xlsx")) == ("SNV", 2)
    assert file_version(Path("TAM_KY.v12.csv")) == ("TAM_KY", 12)
    assert file_version(Path("SNV.v1.csv")) == ("SNV.v1", 1)  # v1 is the plain name: not a version mark
    assert file_version(Path("SNV.final.csv")) == ("SNV.final", 1)  # not a registry code: reported as such


def test_resubmitted_file_counts_and_the_old_one_is_listed(tmp_path):
    from parplan.report import quality

    data = tmp_path / "data"
    raw = data / "raw" / "2023Q2" / "tthc_dossiers"
    old = write(raw / "SNV.csv", "tthc_dossiers", [dossier("SNV-1"), dossier("SNV-2", channel="Qua mạng")])
    before = old.read_bytes()
    write(raw / "SNV.v2.csv", "tthc_dossiers", [dossier("SNV-1"), dossier("SNV-2"), dossier("SNV-3")])
    m = ingest_quarter("2023Q2", data, {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    f = files_of(m)
    assert old.read_bytes() == before  # kept untouched
    assert (f["SNV.csv"]["verdict"], f["SNV.csv"]["rows_accepted"]) == ("rejected", 0)  # its own verdict, listed
    assert f["SNV.csv"]["superseded_by"] == "data/raw/2023Q2/tthc_dossiers/SNV.v2.csv"
    assert (f["SNV.v2.csv"]["verdict"], f["SNV.v2.csv"]["rows_accepted"]) == ("accepted", 3)
    assert f["SNV.v2.csv"]["agency"] == "SNV"
    t = pd.read_parquet(data / "processed" / "2023Q2" / "tthc_dossiers.parquet")
    assert sorted(t["dossier_id"]) == ["SNV-1", "SNV-2", "SNV-3"]  # the latest version only, no id twice
    assert set(t["source_file"]) == {"data/raw/2023Q2/tthc_dossiers/SNV.v2.csv"}
    assert m["datasets"][0]["accepted_agencies"] == ["SNV"]
    page = " ".join(strip_tags(str(quality.section(quality.load_quality_context("2023Q2", "vi", str(data)),
                                                  "agencies"))).split())
    assert "SNV.csv" in page and "đã thay bằng SNV.v2.csv" in page


def test_latest_of_three_versions_counts(tmp_path):
    data = tmp_path / "data"
    raw = data / "raw" / "2023Q2" / "tthc_dossiers"
    write(raw / "SNV.csv", "tthc_dossiers", [dossier("SNV-1")])
    write(raw / "SNV.v2.csv", "tthc_dossiers", [dossier("SNV-1"), dossier("SNV-2")])
    write(raw / "SNV.v3.csv", "tthc_dossiers", [dossier("SNV-1"), dossier("SNV-2"), dossier("SNV-3")])
    m = ingest_quarter("2023Q2", data, {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    f = files_of(m)
    assert [f[n]["rows_accepted"] for n in ("SNV.csv", "SNV.v2.csv", "SNV.v3.csv")] == [0, 0, 3]
    assert f["SNV.csv"]["verdict"] == f["SNV.v2.csv"]["verdict"] == "accepted"  # judged, listed, not counted
    assert f["SNV.csv"]["superseded_by"].endswith("SNV.v3.csv") and f["SNV.v2.csv"]["superseded_by"].endswith("v3.csv")
    assert m["datasets"][0]["output_rows"] == 3


def test_two_files_of_the_same_version_count_neither(tmp_path):
    data = tmp_path / "data"
    raw = data / "raw" / "2023Q2" / "tthc_dossiers"
    write(raw / "SNV.csv", "tthc_dossiers", [dossier("SNV-1")])
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append([c.header_vi for c in DOSSIERS.columns])
    wb.active.append([dossier("SNV-9").get(c.name, "") for c in DOSSIERS.columns])
    wb.save(raw / "SNV.xlsx")
    m = ingest_quarter("2023Q2", data, {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    f = files_of(m)
    for name, other in (("SNV.csv", "SNV.xlsx"), ("SNV.xlsx", "SNV.csv")):
        (i,) = [i for i in f[name]["issues"] if i["rule"] == "version_clash"]
        assert i["severity"] == "reject" and other in i["vi"]
        assert f[name]["verdict"] == "rejected"
    assert m["datasets"][0]["output_rows"] == 0


# ------------------------------------------------------------------ decisions
def _org(agency: str, quarter: str, psu_now: str) -> dict[str, str]:
    return {"quarter": quarter, "agency_code": agency, "psu_count_2021": "8", "psu_count_now": psu_now,
            "staff_quota_2021": "60", "staff_quota_now": "55", "leadership_compliant": "Có",
            "job_descriptions_complete": "Có", "staff_total": "58", "staff_in_approved_position": "56",
            "psu_full_self_financing_new": "0", "psu_partial_self_financing_new": "1"}


@pytest.fixture()
def flagged(tmp_path):
    """SNV's public service units rise from 5 to 7 (a plausibility warning), STP's file is rejected."""
    data = tmp_path / "data"
    write(data / "raw" / "2023Q1" / "organisation" / "SNV.csv", "organisation", [_org("SNV", "2023Q1", "5")])
    write(data / "raw" / "2023Q2" / "organisation" / "SNV.csv", "organisation", [_org("SNV", "2023Q2", "7")])
    write(data / "raw" / "2023Q2" / "organisation" / "STP.csv", "organisation", [_org("STP", "2023Q1", "3")])
    ingest_quarter("2023Q1", data, {"organisation": []}, plan_for("2023Q1"), force=True, say=lambda s: None)
    return data


DECISION = """decisions:
  - {quarter: 2023Q2, file: data/raw/2023Q2/organisation/SNV.csv, rule: plausibility_direction,
     decision: accept, who: "Nguyễn Văn A (SNV)", why: "2 đơn vị mới theo Quyết định 123/QĐ-UBND", date: 2023-07-10}
  - {quarter: 2023Q2, file: data/raw/2023Q2/organisation/STP.csv, rule: wrong_quarter, row: 2,
     decision: overrule, who: "Trần Thị B", why: "nhầm", date: 2023-07-11}
  - {quarter: 2023Q1, file: data/raw/2023Q1/organisation/SNV.csv, rule: plausibility_direction,
     decision: accept, who: "C", why: "quý khác", date: 2023-04-10}
"""


def test_decision_is_shown_as_decided_with_its_reason(flagged):
    from parplan.report import quality

    data = flagged
    (data / "decisions.yaml").write_text(DECISION, encoding="utf-8")
    m = ingest_quarter("2023Q2", data, {"organisation": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    f = files_of(m)
    (i,) = [i for i in f["SNV.csv"]["issues"] if i["rule"] == "plausibility_direction"]
    assert i["decision"] == {"decision": "accept", "who": "Nguyễn Văn A (SNV)",
                             "why": "2 đơn vị mới theo Quyết định 123/QĐ-UBND", "date": "2023-07-10"}
    # a rejected file cannot be decided away: listed as not applied, the file stays rejected
    assert f["STP.csv"]["verdict"] == "rejected" and "decision" not in f["STP.csv"]["issues"][0]
    (u,) = m["unmatched_decisions"]
    assert u["file"].endswith("STP.csv") and "gửi lại" in u["reason_vi"]
    ctx = quality.load_quality_context("2023Q2", "vi", str(data))
    page = str(quality.section(ctx, "agencies"))
    assert "Đã quyết định" in page and "2 đơn vị mới theo Quyết định 123/QĐ-UBND" in page
    section = str(quality.section(ctx, "decisions"))
    assert "Nguyễn Văn A (SNV)" in section and "10/07/2023" in section and "không áp dụng" in section
    assert "quý khác" not in section  # another quarter's decision
    assert "Đã quyết định" in quality.section(ctx, "review")


def test_changed_decision_reaches_the_manifest_without_force(flagged):
    data = flagged
    ingest_quarter("2023Q2", data, {"organisation": []}, plan_for("2023Q2"), say=lambda s: None)
    (data / "decisions.yaml").write_text(DECISION, encoding="utf-8")
    m = ingest_quarter("2023Q2", data, {"organisation": []}, plan_for("2023Q2"), say=lambda s: None)
    assert any(i.get("decision") for i in files_of(m)["SNV.csv"]["issues"])


@pytest.mark.parametrize("entry, message", [
    ("{quarter: 2023Q2, file: a.csv, rule: x, decision: accept, who: A, date: 2023-07-10}", "why"),
    ("{quarter: 2023Q2, file: a.csv, rule: x, decision: approve, who: A, why: b, date: 2023-07-10}", "approve"),
    ("{quarter: 2023Q2, file: a.csv, rule: x, decision: accept, who: A, why: b, date: 10/07/2023}", "YYYY-MM-DD"),
    ("{quarter: 2023Q5, file: a.csv, rule: x, decision: accept, who: A, why: b, date: 2023-07-10}", "quarter"),
    ("{quarter: 2023Q2, file: a.csv, rule: x, row: two, decision: accept, who: A, why: b, date: 2023-07-10}", "row"),
    ("{quarter: 2023Q2, file: a.csv, rule: x, decision: accept, who: A, why: b, date: 2023-07-10, by: z}", "by"),
])
def test_decisions_file_is_validated_on_load(tmp_path, entry, message):
    p = tmp_path / "decisions.yaml"
    p.write_text(f"decisions:\n  - {{quarter: 2023Q2, file: ok.csv, rule: r, decision: accept, who: A, why: b, "
                 f"date: 2023-07-10}}\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(DecisionError) as e:
        load_decisions(p)
    assert "decision 2" in str(e.value) and message in str(e.value)


def test_broken_decisions_file_stops_the_run_before_any_work(flagged):
    (flagged / "decisions.yaml").write_text("decisions: {not: a list}\n", encoding="utf-8")
    with pytest.raises(DecisionError, match="decisions"):
        ingest_quarter("2023Q2", flagged, {"organisation": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    assert not (flagged / "processed" / "2023Q2").exists()
