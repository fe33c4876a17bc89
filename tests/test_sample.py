"""The shipped sample data is exactly what the deterministic generator writes."""
from __future__ import annotations

from pathlib import Path

from parplan.contracts import load_contract
from parplan.io import read_table
from parplan.sample import generate

REPO = Path(__file__).resolve().parents[1]


def test_generator_reproduces_the_committed_sample(tmp_path):
    written = generate(tmp_path)
    from parplan.sample import QUARTERS

    assert len(written) == len(QUARTERS) * (19 + 18)
    contract = load_contract("tthc_dossiers")
    for p in written:
        committed = REPO / "data" / "raw" / p.relative_to(tmp_path)
        assert committed.exists(), committed
        if p.suffix == ".csv":
            assert p.read_bytes() == committed.read_bytes(), p.name
        else:  # xlsx zip entries carry write times: compare the cells
            a, b = read_table(p, contract).frame, read_table(committed, contract).frame
            assert a.equals(b), p.name


def test_laggard_districts_are_worse(tmp_path):
    import csv

    def rate(code: str) -> float:
        rows = list(csv.DictReader(open(REPO / "data/raw/2023Q1/tthc_dossiers" / f"{code}.csv", encoding="utf-8")))
        done = [r for r in rows if r["Trạng thái"] == "Đã giải quyết" and r["Cấp giải quyết"] == "Huyện"]
        late = [r for r in done if r["Ngày hoàn thành"].split("/")[::-1] > r["Ngày hẹn trả"].split("/")[::-1]]
        return 1 - len(late) / len(done)

    laggards = ["DAI_LOC", "NUI_THANH", "PHU_NINH", "QUE_SON", "DIEN_BAN"]
    others = ["TAY_GIANG", "PHUOC_SON", "BAC_TRA_MY", "NONG_SON"]
    assert max(rate(c) for c in laggards) < min(rate(c) for c in others)


def test_repository_stays_small():
    total = sum(p.stat().st_size for p in (REPO / "data" / "raw").rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024
