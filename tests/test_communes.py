"""The plan's commune list (plans/<year>/communes.csv) and the matching of dossiers' free-text commune names (parplan/communes.py)."""
from __future__ import annotations

import shutil

import pandas as pd

from parplan import catalogue, communes
from parplan.catalogue import load_plan
from parplan.metrics import dossier_indicators, mark_commune_groups
from parplan.periods import Quarter
from parplan.store import Store

D = pd.Timestamp


def test_list_has_the_241_communes_of_2023_with_sources(plan):
    c = communes.load(plan)
    assert communes.communes_csv(plan) == plan.folder / "communes.csv"
    assert len(c) == 241 and c["gso_code"].is_unique and c["unit"].is_unique
    assert set(c["district_code"]) == {a.code for a in plan.by_kind("district")}
    assert set(c["unit_type"]) == {"xã", "phường", "thị trấn"}
    assert c["source_url"].str.startswith("https://").all() and (c["status"] == "sourced").all()
    # counts per district as in the GSO list (e.g. Thăng Bình 22, Nông Sơn 6, Điện Bàn 20)
    n = c.groupby("district_code").size()
    assert (n["THANG_BINH"], n["NONG_SON"], n["DIEN_BAN"], n["TAM_KY"]) == (22, 6, 20, 13)
    assert all(catalogue.AGENCY_CODE_RE.match(u) for u in c["unit"])
    assert communes.unit_code("PHU_NINH", "20374") == "XA_PHU_NINH__20374"
    assert communes.district_of("XA_PHU_NINH__20374") == communes.district_of("XA_PHU_NINH") == "PHU_NINH"
    assert communes.district_of("SNV") is None
    assert communes.display_name("XA_PHU_NINH__20374", plan) == "xã Tam Đàn (huyện Phú Ninh)"
    assert communes.display_name("XA_TAM_KY__20335", plan, "en") == "Tân Thạnh ward (Tam Kỳ city)"
    assert len(communes.units(plan, "NONG_SON")) == 6 and len(communes.units(plan)) == 241


def test_match_rules(plan):
    def m(district, text):
        return communes.match_name(district, text, plan)

    tan_thanh = m("TAM_KY", "Phường Tân Thạnh")
    assert (tan_thanh["status"], tan_thanh["unit"]) == ("exact", "XA_TAM_KY__20335")
    assert m("TAM_KY", "  phường   TÂN THẠNH ")["unit"] == "XA_TAM_KY__20335"         # case, spaces, prefix
    assert m("TAM_KY", "Tân Thạnh")["status"] == "exact"                              # no prefix
    decomposed = "T\u00e2n Tha\u0323nh"                                                # NFD input
    assert m("TAM_KY", decomposed)["unit"] == "XA_TAM_KY__20335"
    plain = m("TAM_KY", "xa Tan Thanh")                                               # 'xa' is not a prefix
    assert plain["status"] == "unknown"
    assert m("TAM_KY", "Tan Thanh")["status"] == "no_diacritics"
    # Phú Ninh has both Tam Đàn and Tam Dân: without diacritics it is ambiguous, with them exact
    amb = m("PHU_NINH", "Tam Dan")
    assert amb["status"] == "ambiguous" and amb["unit"] == "" and "Tam Đàn" in amb["reason_vi"] and "Tam Dân" in amb["reason_en"]
    assert "xã Tam Đàn" in amb["reason_vi"] and "Tam Đàn commune, Tam Dân commune" in amb["reason_en"]  # no 'xã' in English
    assert m("PHU_NINH", "xã Tam Đàn")["unit"] == "XA_PHU_NINH__20374"
    assert m("PHU_NINH", "Tam Dân")["unit"] == "XA_PHU_NINH__20392"
    other = m("TAM_KY", "Cẩm An")                                                     # a ward of Hội An
    assert other["status"] == "other_district"
    assert other["reason_vi"] == "'Cẩm An' không thuộc thành phố Tam Kỳ mà thuộc thành phố Hội An (danh mục 2023)"
    assert other["reason_en"] == "'Cẩm An' is not a commune of Tam Kỳ city but of Hội An city (2023 list)"
    unknown = m("DAI_LOC", "X. Đại Hiệp")
    assert unknown["status"] == "unknown" and "của huyện Đại Lộc" in unknown["reason_vi"]
    assert m("TAM_KY", "Xã mẫu 01")["status"] == "unknown"
    assert m("TAM_KY", "")["status"] == m("TAM_KY", None)["status"] == "empty"


def dossier(i, district, commune, done="2023-04-05", due="2023-04-10", level="commune"):
    return {"dossier_id": f"C-{i}", "agency_code": district, "level": level, "commune": commune,
            "received_date": D("2023-04-01"), "due_date": D(due), "completed_date": D(done), "status": "resolved",
            "channel": "direct", "fee_required": False, "paid_online": False, "online_payment_offered": pd.NA,
            "source_file": f"{district}.csv", "source_row": i + 1, "quarter": "2023Q2"}


def frame():
    return pd.DataFrame([
        dossier(1, "PHU_NINH", "Xã Tam Đàn"),
        dossier(2, "PHU_NINH", "tam đàn", done="2023-04-12"),      # late
        dossier(3, "PHU_NINH", "Tam Dân"),
        dossier(4, "PHU_NINH", "Tam Dan"),                          # ambiguous: a finding, group only
        dossier(5, "TAM_KY", "Phường An Mỹ"),
        dossier(6, "TAM_KY", "An My"),                              # unique without diacritics in Tam Kỳ
        dossier(7, "TAM_KY", "", level="district"),                 # district level: not a commune dossier
    ])


def test_match_dossiers_lists_every_name_and_the_unmatched_as_findings(plan):
    m = communes.match_dossiers(frame(), Quarter(2023, 2), plan)
    assert list(m.columns) == communes.MATCH_COLUMNS
    assert len(m) == 6  # six distinct (file, commune text) pairs of commune-level dossiers
    row = m[m.commune_text == "Tam Dan"].iloc[0]
    assert (row.status, row.n_dossiers, row.first_row, row.unit) == ("ambiguous", 1, 5, "")
    assert set(m.loc[m.status.isin(communes.MATCHED), "commune_text"]) == {"Xã Tam Đàn", "tam đàn", "Tam Dân",
                                                                            "Phường An Mỹ", "An My"}


def test_per_commune_rows_and_the_district_group_flag(plan):
    f = frame()
    f["commune_unit"] = communes.commune_units(f, plan)
    assert f["commune_unit"].isna().sum() == 2  # 'Tam Dan' and the district-level dossier
    ind = dossier_indicators(f, "2023Q2", plan)
    q = ind[(ind.period == "Q") & (ind.metric == "ontime_rate")].set_index("agency")
    tam_dan = q.loc["XA_PHU_NINH__20374"]
    assert (tam_dan.numerator, tam_dan.denominator, tam_dan.commune_resolution) == (1, 2, "commune")
    assert q.loc["XA_PHU_NINH__20392"].value == 1.0
    # the group keeps every commune dossier (4), and says communes are judged per district (one name unmatched)
    grp = q.loc["XA_PHU_NINH"]
    assert (grp.numerator, grp.denominator, grp.commune_resolution) == (3, 4, "district_group")
    assert q.loc["XA_TAM_KY"].commune_resolution == "all_communes_matched"
    assert q.loc[communes.match_name("TAM_KY", "An Mỹ", plan)["unit"]].denominator == 2
    assert q.loc["TAM_KY"].commune_resolution == "" and q.loc["ALL_COMMUNES"].denominator == 6


def test_other_datasets_commune_groups_are_judged_per_district():
    ind = pd.DataFrame({"agency": ["XA_NUI_THANH", "XA_NUI_THANH__20500", "NUI_THANH"],
                        "commune_resolution": ["", "commune", ""]})
    assert list(mark_commune_groups(ind)["commune_resolution"]) == ["district_group", "commune", ""]


def test_write_matches_writes_the_findings_table(plan, tmp_path):
    store = Store(tmp_path)
    folder = tmp_path / "data" / "processed" / "2023Q2"
    folder.mkdir(parents=True)
    frame().to_parquet(folder / "tthc_dossiers.parquet")
    out = communes.write_matches(Quarter(2023, 2), store, plan)
    m = pd.read_parquet(out)
    assert out.name == "commune_matches.parquet" and len(m) == 6 and set(m.quarter) == {"2023Q2"}
    empty = communes.write_matches(Quarter(2023, 3), store, plan)  # no dossiers processed: an empty table, same columns
    assert list(pd.read_parquet(empty).columns) == communes.MATCH_COLUMNS


def test_compute_indicators_writes_per_commune_rows(plan, tmp_path):
    from parplan.pipeline import compute_indicators

    folder = tmp_path / "processed" / "2023Q1"
    folder.mkdir(parents=True)
    f = frame().assign(quarter="2023Q1", received_date=D("2023-03-01"), due_date=D("2023-03-10"),
                       completed_date=D("2023-03-05")).drop(columns="quarter")
    f.to_parquet(folder / "tthc_dossiers.parquet")
    ind = pd.read_parquet(compute_indicators(Quarter(2023, 1), tmp_path, plan))
    on = ind[(ind.metric == "ontime_rate") & (ind.period == "Q")].set_index("agency")
    assert on.loc["XA_PHU_NINH__20374"].denominator == 2 and on.loc["XA_PHU_NINH"].denominator == 4
    assert on.loc["XA_PHU_NINH"].commune_resolution == "district_group"
    assert on.loc["XA_TAM_KY"].commune_resolution == "all_communes_matched"
    assert set(ind.source) == {"measured"} and ind.self_reported.dtype == bool


def test_data_quality_page_lists_unmatched_commune_names(plan):
    from parplan.report import quality

    m = pd.DataFrame([
        {"agency_code": "PHU_NINH", "commune_text": "Tam Dan", "n_dossiers": 4, "first_row": 236, "status": "ambiguous",
         "reason_vi": "không dấu khớp nhiều xã", "reason_en": "fits several communes"},
        {"agency_code": "PHU_NINH", "commune_text": "Tam Đàn", "n_dossiers": 9, "first_row": 12, "status": "exact",
         "reason_vi": "", "reason_en": ""}])
    ctx = quality.QualityContext(Quarter(2023, 2), "vi", {"datasets": []}, pd.DataFrame(), plan, m)
    page = str(quality.section(ctx, "communes"))
    assert "1 tên khớp" in page and "1 tên không khớp" in page
    assert "Tam Dan" in page and "không dấu khớp nhiều xã" in page and "236" in page
    assert "Tam Đàn" not in page  # a matched name is not a finding
    none = quality.QualityContext(Quarter(2023, 2), "vi", {"datasets": []}, pd.DataFrame(), plan, None)
    assert "Chưa đối chiếu" in quality.section(none, "communes")


def plan_copy(tmp_path, year: int = 2023, edit=None):
    """A copy of plans/2023 under tmp_path/<year> (plan.yaml says that year), communes.csv passed through `edit`."""
    folder = tmp_path / str(year)
    shutil.copytree(load_plan(2023).folder, folder)
    meta = folder / "plan.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("year: 2023", f"year: {year}", 1), encoding="utf-8")
    if edit is not None:
        csv = folder / "communes.csv"
        edit(csv).to_csv(csv, index=False)
    return load_plan(year, root=tmp_path)


def test_communes_are_read_from_the_plans_own_folder(plan, tmp_path):
    # the copy's list drops Phú Ninh's Tam Dân: 'Tam Dan' then fits one commune only (Tam Đàn)
    other = plan_copy(tmp_path, edit=lambda p: (lambda c: c[c["commune_vi"] != "Tam Dân"])(
        pd.read_csv(p, dtype=str, keep_default_na=False)))
    assert other.folder == (tmp_path / "2023").resolve() and communes.communes_csv(other).parent == other.folder
    assert len(communes.load(other)) == 240 and len(communes.load(plan)) == 241
    assert communes.match_name("PHU_NINH", "Tam Dan", plan)["status"] == "ambiguous"
    mine = communes.match_name("PHU_NINH", "Tam Dan", other)
    assert (mine["status"], mine["unit"]) == ("no_diacritics", "XA_PHU_NINH__20374")
    f = frame()
    assert communes.commune_units(f, plan).isna().sum() == 2           # 'Tam Dan' and the district-level dossier
    units = communes.commune_units(f, other)
    assert units.isna().sum() == 1 and units[f["commune"] == "Tam Dan"].tolist() == ["XA_PHU_NINH__20374"]
    # Tam Dân itself is no longer on the copy's list: only its diacritic-free spelling fits, Tam Đàn's
    assert communes.match_name("PHU_NINH", "Tam Dân", plan)["unit"] == "XA_PHU_NINH__20392"
    dan = communes.match_name("PHU_NINH", "Tam Dân", other)
    assert (dan["status"], dan["unit"]) == ("no_diacritics", "XA_PHU_NINH__20374")


def test_the_lists_year_in_the_reasons_is_the_plans(tmp_path):
    other = plan_copy(tmp_path, year=2031)
    r = communes.match_name("TAM_KY", "Cẩm An", other)
    assert r["reason_vi"].endswith("(danh mục 2031)") and r["reason_en"].endswith("(2031 list)")
    assert "danh mục xã/phường/thị trấn 2031" in communes.match_name("DAI_LOC", "Đại Hiệp Mới", other)["reason_vi"]
