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


def test_commune_names_are_the_2023_list_except_the_planted_faults():
    import pandas as pd

    from parplan import communes
    from parplan.sample import COMMUNE_FAULTS

    frames = []
    for p in sorted((REPO / "data/raw/2023Q4/tthc_dossiers").glob("*.csv")):
        d = pd.read_csv(p, dtype=str, keep_default_na=False)
        d = d[d["Cấp giải quyết"] == "Xã"]
        frames.append(pd.DataFrame({"agency_code": d["Mã cơ quan"], "level": "commune", "source_file": p.name,
                                    "commune": d["Xã/phường/thị trấn"], "source_row": range(2, len(d) + 2)}))
    m = communes.match_dossiers(pd.concat(frames, ignore_index=True), "2023Q4")
    matched = m[m.status.isin(communes.MATCHED)]
    assert matched.n_dossiers.sum() > 0.99 * m.n_dossiers.sum()
    assert not m.commune_text.str.startswith("Xã mẫu").any()
    bad = {(r.agency_code, r.commune_text): r.status for r in m[~m.status.isin(communes.MATCHED)].itertuples()}
    assert bad == {("PHU_NINH", "Tam Dan"): "ambiguous", ("DAI_LOC", "X. Đại Hiệp"): "unknown",
                   ("TAM_KY", "Cẩm An"): "other_district"}
    assert {(d, w) for d, _, _, w in COMMUNE_FAULTS} == set(bad)
    assert len(set(matched.unit)) > 200  # nearly every one of the 241 communes has dossiers


def test_online_payment_offered_column_and_the_older_exports_without_it():
    import csv

    def rows(q: str, code: str) -> list[dict]:
        return list(csv.DictReader(open(REPO / f"data/raw/{q}/tthc_dossiers/{code}.csv", encoding="utf-8")))

    col = "TTHC đã triển khai thanh toán trực tuyến"
    assert col not in rows("2023Q2", "TIEN_PHUOC")[0] and col in rows("2023Q3", "TIEN_PHUOC")[0]
    r = rows("2023Q3", "SNV")
    assert all(x[col] == "Có" for x in r if x["Thanh toán trực tuyến"] == "Có")   # paid online -> offered
    assert all(x[col] == "Không" for x in r if x["Có phí, lệ phí"] == "Không")    # no fee -> not applicable
    fee = [x for x in r if x["Có phí, lệ phí"] == "Có"]
    assert 0 < sum(x[col] == "Không" for x in fee) < len(fee)
