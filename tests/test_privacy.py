"""Personal data (ND 13/2023/NĐ-CP): masked on every report page, expectations worked out by hand."""
from __future__ import annotations

import dataclasses
import json

import pytest

from parplan import privacy
from parplan.contracts import Column, available, load_contract


@pytest.mark.parametrize(("value", "kind", "shown"), [
    ("Nguyễn Văn A", "name", "N***** V** A"),
    ("Trần Thị Bích Ngọc", "name", "T*** T** B*** N***"),
    ("0905123412", "phone", "09******12"),
    ("0905 123 412", "phone", "09******12"),
    ("+84 905 123 412", "phone", "84*******12"),
    ("1234", "phone", "****"),
    ("049201001234", "id", "*********234"),
    ("12 Trần Phú, phường An Mỹ, Tam Kỳ", "address", "***, ***, Tam Kỳ"),
    ("thôn 3", "address", "***"),
    ("nva@quangnam.gov.vn", "email", "n***@quangnam.gov.vn"),
    ("", "name", ""),
])
def test_mask(value, kind, shown):
    assert privacy.mask(value, kind) == shown


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        privacy.mask("x", "salary")


def test_every_contract_names_a_known_kind():
    for name in available():
        for c in load_contract(name).columns:
            assert c.personal is None or c.personal in privacy.KINDS, (name, c.name, c.personal)


PHONE = Column(name="petitioner_phone", type="string", required=False, header_vi="Số điện thoại người phản ánh",
               header_en="Petitioner's phone", personal="phone")


@pytest.fixture
def pakn_with_phone(monkeypatch):
    """The pakn contract with a personal-data column (the shipped contracts have none yet)."""
    real = load_contract("pakn")
    contract = dataclasses.replace(real, columns=real.columns + (PHONE,))
    monkeypatch.setattr(privacy, "load_contract", lambda name: contract if name == "pakn" else load_contract(name))
    return contract


def test_finding_on_personal_column_is_masked_value_and_message(pakn_with_phone):
    issue = {"rule": "regex", "severity": "reject", "column": "Số điện thoại người phản ánh", "row": 3,
             "value": "0905123412", "vi": "Sai định dạng: '0905123412'", "en": "wrong format: '0905123412'"}
    out = privacy.mask_issue(pakn_with_phone, issue)
    assert out["value"] == "09******12" and out["vi"] == "Sai định dạng: '09******12'"
    assert issue["value"] == "0905123412"  # the manifest itself is not changed
    other = dict(issue, column="Mã PAKN", value="PA-1")
    assert privacy.mask_issue(pakn_with_phone, other) == other


def test_data_quality_page_masks_the_personal_column(pakn_with_phone, tmp_path):
    from parplan.report import quality

    manifest = {"quarter": "2023Q2", "datasets": [{
        "dataset": "pakn", "output_rows": 0, "missing_submitters": [], "expected_submitters": ["TAM_KY"],
        "accepted_agencies": [], "files": [{
            "path": "data/raw/2023Q2/pakn/TAM_KY.csv", "dataset": "pakn", "agency": "TAM_KY", "sha256": "0" * 64,
            "rows_read": 2, "rows_accepted": 0, "verdict": "rejected", "sheet": None, "checked": True, "absent": [],
            "issues": [
                {"file": "data/raw/2023Q2/pakn/TAM_KY.csv", "rule": "regex", "severity": "reject", "row": 3,
                 "column": "Số điện thoại người phản ánh", "value": "0905123412", "sheet": None, "count": 1,
                 "vi": "Sai định dạng", "en": "wrong format", "fix_vi": "", "fix_en": ""},
                {"file": "data/raw/2023Q2/pakn/TAM_KY.csv", "rule": "unique_key", "severity": "reject", "row": 2,
                 "column": "Mã PAKN", "value": "PAKN-001", "sheet": None, "count": 1,
                 "vi": "Mã trùng lặp", "en": "duplicate key", "fix_vi": "", "fix_en": ""}]}]}]}
    folder = tmp_path / "processed" / "2023Q2"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    ctx = quality.load_quality_context("2023Q2", "vi", str(tmp_path))
    page = str(quality.section(ctx, "agencies"))
    assert "09******12" in page and "0905123412" not in page
    assert "PAKN-001" in page  # not personal: shown as typed


def test_shipped_dossier_contract_marks_applicant_columns_personal():
    from parplan.contracts import load_contract

    c = load_contract("tthc_dossiers")
    assert {x.name: x.personal for x in c.columns if x.personal} == {
        "applicant_name": "name", "applicant_phone": "phone", "applicant_address": "address"}


def test_reader_note_on_legacy_text_masks_a_personal_column(tmp_path):
    """A TCVN3-typed applicant name is converted; the note that shows examples never prints the name itself."""
    import csv

    from parplan.contracts import load_contract
    from parplan.io import read_table

    contract = load_contract("tthc_dossiers")
    row = {"dossier_id": "TAM_KY-1", "agency_code": "TAM_KY", "level": "Huyện", "procedure_code": "1.000001",
           "received_date": "03/04/2023", "due_date": "10/04/2023", "completed_date": "07/04/2023",
           "status": "Đã giải quyết", "channel": "Trực tiếp", "fully_online": "Không", "fee_required": "Không",
           "paid_online": "Không", "digitised": "Có", "apology_letter": "Không",
           "applicant_name": "Lª Qu¶ng"}  # TCVN3: ª = ê, ¶ = ả -> 'Lê Quảng'
    path = tmp_path / "TAM_KY.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([c.header_vi for c in contract.columns])
        w.writerow([row.get(c.name, "") for c in contract.columns])
    rr = read_table(path, contract)
    assert rr.frame["applicant_name"].tolist() == ["Lê Quảng"]
    notes = [n for n in rr.notes if n["rule"].startswith("legacy_encoding")]
    assert notes, rr.notes
    text = " ".join(n["vi"] + " " + n["en"] for n in notes)
    assert "TCVN3" in text
    for plain in ("Lª Qu¶ng", "Lê Quảng", "Qu¶ng", "Quảng"):
        assert plain not in text, text
