"""Bad-input fixtures for the rules (issue 13 part 2): identities, keys across files, wrong quarter, dates after the
quarter's end, plausibility against the previous quarter. Called by tools/make_bad_inputs.py; deterministic.

Rows are written by column name (from the contract), so a column added to a contract leaves these files valid.
Agencies: department codes only (other helpers' fixtures use district codes and a few others).
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from parplan.contracts import load_contract  # noqa: E402

BASE = ROOT / "tests" / "bad_inputs"


def write(path: Path, dataset: str, rows: list[dict[str, str]]) -> None:
    """One CSV with the contract's Vietnamese headers; cells by column name, unnamed ones empty."""
    cols = load_contract(dataset).columns
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.header_vi for c in cols])
    w.writerows([[r.get(c.name, "") for c in cols] for r in rows])
    path.write_bytes(buf.getvalue().encode("utf-8"))


def dossier(did: str, agency: str, received: str = "03/04/2023", completed: str = "07/04/2023", **over: str) -> dict:
    """A valid province-level dossier resolved on time (cells as the one-stop system exports them)."""
    r = {"dossier_id": did, "agency_code": agency, "level": "Tỉnh", "procedure_code": "1.000123",
         "received_date": received, "due_date": "28/04/2023",
         "completed_date": completed, "status": "Đã giải quyết", "channel": "Trực tiếp", "fully_online": "Không",
         "fee_required": "Không", "paid_online": "Không", "digitised": "Có", "apology_letter": "Không"}
    r.update(over)
    return r


def summary(agency: str, area: str, **over: str) -> dict:
    """A summary row where every identity holds: received 12 = 5 + 4 + 1 + 2 (new 10 = 5 + 4 + 1), resolved
    9 = 3 + 5 + 1, pending 3 = 2 + 1, received 12 = resolved 9 + pending 3."""
    r = {"quarter": "2023Q2", "agency_code": agency, "level": "Tỉnh", "area": area, "received_total": "12",
         "received_online": "5", "received_direct": "4", "received_postal": "1", "carried_over": "2",
         "received_new": "10", "resolved_total": "9", "resolved_early": "3", "resolved_on_time": "5",
         "resolved_late": "1", "pending_total": "3", "pending_within": "2", "pending_overdue": "1"}
    r.update(over)
    return r


def organisation(agency: str, quarter: str, psu_now: str) -> dict:
    return {"quarter": quarter, "agency_code": agency, "psu_count_2021": "8", "psu_count_now": psu_now,
            "staff_quota_2021": "60", "staff_quota_now": "55", "leadership_compliant": "Có",
            "job_descriptions_complete": "Có", "staff_total": "58", "staff_in_approved_position": "56",
            "psu_full_self_financing_new": "0", "psu_partial_self_financing_new": "1"}


def main() -> None:
    q2, q1 = BASE / "2023Q2", BASE / "2023Q1"
    # keys across files: DUP id in two departments' files (a mistake: counted in neither), a liên thông dossier in
    # both (counted once, at SNNPTNT which received it first)
    write(q2 / "tthc_dossiers/SNNPTNT.csv", "tthc_dossiers", [
        dossier("SNNPTNT-2023-0001", "SNNPTNT"), dossier("DUP-2023-0001", "SNNPTNT"),
        dossier("LT-2023-0001", "SNNPTNT", received="03/04/2023", inter_agency="Có")])
    write(q2 / "tthc_dossiers/STNMT.csv", "tthc_dossiers", [
        dossier("STNMT-2023-0001", "STNMT"), dossier("DUP-2023-0001", "STNMT"),
        dossier("LT-2023-0001", "STNMT", received="06/04/2023", completed="12/04/2023", inter_agency="Có")])
    # wrong quarter: a first-quarter export put in the second quarter's folder
    write(q2 / "tthc_dossiers/SLDTBXH.csv", "tthc_dossiers", [
        dossier(f"SLDTBXH-2023-{i:04d}", "SLDTBXH", received=f"{6 + i:02d}/02/2023", completed=f"{10 + i:02d}/02/2023",
                due_date="28/02/2023") for i in range(1, 4)])
    # a completion after the quarter's end (line 3): judged as at 30/06/2023, the dossier was still pending
    write(q2 / "tthc_dossiers/SVHTTDL.csv", "tthc_dossiers", [
        dossier("SVHTTDL-2023-0001", "SVHTTDL"),
        dossier("SVHTTDL-2023-0002", "SVHTTDL", received="20/06/2023", completed="05/07/2023", due_date="10/07/2023"),
        dossier("SVHTTDL-2023-0003", "SVHTTDL")])
    # plausibility: 30 dossiers all filed directly last quarter, 10 all filed online this quarter
    write(q1 / "tthc_dossiers/SKHCN.csv", "tthc_dossiers", [
        dossier(f"SKHCN-2023-{i:04d}", "SKHCN", received="06/02/2023", completed="10/02/2023", due_date="28/02/2023")
        for i in range(1, 31)])
    write(q2 / "tthc_dossiers/SKHCN.csv", "tthc_dossiers", [
        dossier(f"SKHCN-2023-{i:04d}", "SKHCN", channel="Trực tuyến") for i in range(31, 41)])
    # identities of the summary form, one broken per line (lines 2-6), a negative count (7), counts not whole (8)
    write(q2 / "tthc_summary/SNNPTNT.csv", "tthc_summary", [
        summary("SNNPTNT", "Trồng trọt", carried_over="3"),              # received 12 ≠ 5 + 4 + 1 + 3
        summary("SNNPTNT", "Chăn nuôi", received_new="11"),              # new 11 ≠ 5 + 4 + 1
        summary("SNNPTNT", "Thủy sản", resolved_late="2"),               # resolved 9 ≠ 3 + 5 + 2
        summary("SNNPTNT", "Lâm nghiệp", pending_within="3"),            # pending 3 ≠ 3 + 1
        summary("SNNPTNT", "Thủy lợi", resolved_total="14", resolved_early="4", resolved_on_time="9"),  # 12 ≠ 14 + 3
        summary("SNNPTNT", "Nông thôn mới", received_online="-1", received_direct="10"),  # -1 < 0, sums hold
        summary("SNNPTNT", "Kinh tế hợp tác", received_online="4,5", received_direct="4,5"),  # not whole
    ])
    # the same file's good twin: every identity holds
    write(q2 / "tthc_summary/STNMT.csv", "tthc_summary", [summary("STNMT", "Đất đai"), summary("STNMT", "Môi trường")])
    # evidence and completion dated after the quarter's end (line 2): the task is judged in progress at 30/06/2023
    write(q2 / "task_status/SGDDT.csv", "task_status", [
        {"task_id": "A.IV.4.1", "agency_code": "SGDDT", "status": "Đã hoàn thành", "completion_date": "10/07/2023",
         "evidence_doc_no": "123/BC-SGDĐT", "evidence_doc_date": "12/07/2023"},
        {"task_id": "A.IV.4.2", "agency_code": "SGDDT", "status": "Đang thực hiện"}])
    # plausibility: public service units rise from 5 to 7 while the plan demands a cut
    write(q1 / "organisation/SNNPTNT.csv", "organisation", [organisation("SNNPTNT", "2023Q1", "5")])
    write(q2 / "organisation/SNNPTNT.csv", "organisation", [organisation("SNNPTNT", "2023Q2", "7")])
    print("rule fixtures written (tools/bad_inputs_rules.py)")


if __name__ == "__main__":
    main()
