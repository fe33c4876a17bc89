"""Per-agency scorecards (parplan/report/scorecard.py) on the shipped sample, ingested into a temp data root."""
from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from parplan.ingest import expected_submitters, ingest_dataset, ingest_quarter
from parplan.periods import Quarter
from parplan.pipeline import compute_indicators, compute_progress, expected_datasets, load_params
from parplan.progress import label
from parplan.rankings import rank as rank_metric
from parplan.render import render_notebook, strip_tags
from parplan.report import fmt
from parplan.report import scorecard as sc
from parplan.store import Store

REPO = Path(__file__).resolve().parents[1]
QUARTERS = ("2023Q1", "2023Q2")
slow = pytest.mark.slow
XSS_NOTE = "Ghi chú <script>alert(1)</script> <img src=x onerror=alert(1)>"
XSS_DOC = '60/KH-UBND"><script>alert(2)</script>'


@pytest.fixture(scope="module")
def root(tmp_path_factory, plan) -> Path:
    """A temp project root whose data/ holds the sample's Q1 and Q2, ingested, with indicators and progress."""
    if not all((REPO / "data" / "raw" / q).is_dir() for q in QUARTERS):
        pytest.fail("the shipped sample data/raw/2023Q1 and data/raw/2023Q2 are missing")
    root = tmp_path_factory.mktemp("scorecard")
    data = root / "data"
    for q in QUARTERS:
        shutil.copytree(REPO / "data" / "raw" / q, data / "raw" / q)
    for q in QUARTERS:
        ingest_quarter(q, data, expected_datasets(load_params(q), plan), plan, say=lambda s: None)
        compute_indicators(Quarter.parse(q), data, plan)
        compute_progress(Quarter.parse(q), data, plan)
    return root


def ctx_for(root: Path, agency: str = "TAM_KY", quarter: str = "2023Q2", lang: str = "vi") -> sc.ScorecardContext:
    return sc.load_scorecard_context(quarter, agency, lang=lang, data_root=str(root / "data"))


def rows_of(html: str) -> list[str]:
    """The body rows (with <td> cells) of every table in an HTML fragment."""
    return [r for r in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S) if "<td" in r]


def cells_of(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)


# ---------------------------------------------------------------- without data
def test_agencies_to_render_departments_then_districts(plan):
    cat = plan
    codes = sc.agencies_to_render(plan)
    assert codes == [a.code for a in cat.by_kind("department")] + [a.code for a in cat.by_kind("district")]
    assert len(codes) == 37 and codes[:1] == ["VPUBND"] and codes[19] == "TAM_KY"


@pytest.mark.parametrize("code", ["NOPE", "XA_TAM_KY", "TTPVHCC", "ALL_DISTRICTS", ""])
def test_unknown_or_wrong_kind_agency_raises_naming_it(tmp_path, code):
    with pytest.raises(ValueError) as e:
        sc.load_scorecard_context("2023Q2", code, data_root=str(tmp_path))
    msg = str(e.value)
    assert repr(code) in msg
    assert "Mã cơ quan không hợp lệ" in msg and "Unknown agency" in msg  # bilingual


def test_bad_lang_raises(tmp_path):
    with pytest.raises(ValueError, match="lang"):
        sc.load_scorecard_context("2023Q2", "TAM_KY", lang="fr", data_root=str(tmp_path))


# ---------------------------------------------------------------- sections on the sample
@slow
@pytest.mark.parametrize("agency", ["TAM_KY", "SNV"])
def test_tasks_led_lists_every_task_the_agency_leads(root, agency, plan):
    cat = plan
    expected = [t.id for t in cat.tasks if any(agency in cat.members(code) for code in t.lead)]
    assert expected, "the sample plan gives every unit some task"
    html = sc.tasks_led(ctx_for(root, agency))
    ids = [cells_of(r)[0] for r in rows_of(html)]
    assert ids == expected


@slow
def test_tasks_led_shows_evidence_and_the_agencys_own_report(root, plan):
    html = sc.tasks_led(ctx_for(root))
    row = next(r for r in rows_of(html) if cells_of(r)[0] == "A.IV.4.4")
    assert "60/KH-UBND, 21/05/2023" in row          # TAM_KY's evidence document number and date
    assert label("done", "vi") in row                # its own report: done
    plain = next(r for r in rows_of(html) if cells_of(r)[0] == "A.IV.4.2")
    assert "Dự kiến triển khai trong quý III" in plain  # its note
    recurring = next(t for t in plan.tasks if t.schedule["kind"] == "recurring"
                     and any("TAM_KY" in plan.members(c) for c in t.lead))
    rec_row = next(r for r in rows_of(html) if cells_of(r)[0] == recurring.id)
    assert "Thường xuyên" in rec_row


@slow
def test_targets_show_the_ontime_value_from_progress_and_the_trend_of_both_quarters(root):
    ctx = ctx_for(root)
    html = sc.targets(ctx)
    prog = pd.read_parquet(Store(root).processed(Quarter(2023, 2), "progress"))
    p = prog[(prog["task_id"] == "A.IV.4.2") & (prog["agency"] == "TAM_KY")].iloc[0]
    row = next(r for r in rows_of(html) if cells_of(r)[0] == "A.IV.4.2")
    cells = cells_of(row)
    assert cells[3] == (f"{fmt.pct(p.numerator / p.denominator, 'vi')} "
                        f"({fmt.number(p.numerator, 'vi')}/{fmt.number(p.denominator, 'vi')})")
    # trend: the year-to-date value at the end of Q1 and of Q2, from each quarter's indicators.parquet
    for i, q in enumerate(QUARTERS):
        ind = pd.read_parquet(Store(root).processed(Quarter.parse(q), "indicators"))
        r = ind[(ind["period"] == "YTD") & (ind["metric"] == "ontime_rate") & (ind["agency"] == "TAM_KY")].iloc[0]
        assert cells[7 + i] == fmt.pct(r.value, "vi"), q
    assert "Quý I (lũy kế)" in html and "Quý II (lũy kế)" in html
    # the district's communes (XA_TAM_KY) for the commune-level target
    assert any(cells_of(r)[0] == "A.IV.4.3" and "Các xã thuộc thành phố Tam Kỳ" in r for r in rows_of(html))
    # the sparkline, embedded with alt text naming both quarters' values
    m = re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', html)
    assert m and "Quý I" in m.group(1) and fmt.pct(p.numerator / p.denominator, "vi") in m.group(1)


@slow
def test_targets_show_the_units_own_status_next_to_the_provinces(root):
    from parplan.progress import target_verdicts

    ctx = ctx_for(root)
    html = sc.targets(ctx)
    assert "Đánh giá của đơn vị" in html and "Đánh giá chỉ tiêu toàn tỉnh" in html
    prog = pd.read_parquet(Store(root).processed(Quarter(2023, 2), "progress"))
    own = prog[(prog["task_id"] == "A.IV.4.2") & (prog["agency"] == "TAM_KY")].iloc[0]
    v = target_verdicts(prog).set_index("task_id").loc["A.IV.4.2"]
    cells = cells_of(next(r for r in rows_of(html) if cells_of(r)[0] == "A.IV.4.2"))
    assert label(own.status, "vi") in cells[5]                           # Tam Kỳ's own status
    assert label(v["status"], "vi") in cells[6] and f"({v['n_ok']}/18)" in cells[6]   # the province's, with 18 units
    # self-reported values carry the mark, and the legend says what it means
    mine = prog[prog["agency"] == "TAM_KY"]
    if (mine["source"] == "self_reported").any():
        tid = mine[mine["source"] == "self_reported"]["task_id"].iloc[0]
        assert "◆" in cells_of(next(r for r in rows_of(html) if cells_of(r)[0] == tid))[3]
    assert "◆ tự báo cáo — số liệu do cơ quan tự báo cáo, chưa đối chiếu với hồ sơ" in html
    assert "khoảng tin cậy" not in html and "khoảng tin cậy" not in sc.next_actions(ctx)


@slow
def test_trend_skips_a_quarter_without_processed_files(root, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(root / "data" / "processed" / "2023Q2", data / "processed" / "2023Q2")  # no 2023Q1 at all
    mpath = data / "processed" / "2023Q2" / "manifest.json"
    m = json.loads(mpath.read_text(encoding="utf-8"))
    next(d for d in m["datasets"] if d["dataset"] == "sipas_survey")["missing_submitters"].append("TAM_KY")
    mpath.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    ctx = sc.load_scorecard_context("2023Q2", "TAM_KY", data_root=str(data))
    assert ctx.skipped == [Quarter(2023, 1)] and list(ctx.trend) == [Quarter(2023, 2)]
    html = sc.targets(ctx)
    assert "Quý I (lũy kế)" not in html and "Quý II (lũy kế)" in html
    assert "Chưa có số liệu đã xử lý của Quý I/2023" in html
    for section in (sc.header, sc.next_actions, sc.tasks_led, sc.rank, sc.footer):
        assert section(ctx)
    dq = sc.data_quality(ctx)
    assert "Chưa nộp" in dq                            # the dataset it was expected to send
    assert "Chưa nộp dữ liệu quý này" in sc.next_actions(ctx)


@slow
def test_next_actions_put_off_track_before_at_risk(root, plan):
    prog = pd.read_parquet(Store(root).processed(Quarter(2023, 2), "progress"))
    both = [a for a in sc.agencies_to_render(plan)
            if {"off_track", "at_risk"} <= set(prog.loc[prog["agency"] == a, "status"])]
    assert both, "the sample has units with both off-track and at-risk targets"
    off, risk = label("off_track", "vi"), label("at_risk", "vi")
    for agency in both[:4] + ["TAM_KY"]:
        html = sc.next_actions(ctx_for(root, agency))
        tiers = [int(t) for t in re.findall(r'<li data-tier="(\d)">', html)]
        assert tiers == sorted(tiers), agency
        if agency in both:
            assert html.rindex(off) < html.index(risk), agency
    html = sc.next_actions(ctx_for(root))
    assert "Việc cần làm tiếp" in html
    prog_tk = prog[(prog["task_id"] == "A.IV.4.2") & (prog["agency"] == "TAM_KY")].iloc[0]
    line = next(li for li in re.findall(r"<li[^>]*>(.*?)</li>", html) if "A.IV.4.2" in li and "%" in li)
    assert fmt.pct(prog_tk.value, "vi") in line and off in line     # the number behind it


@slow
def test_header_counts(root, plan):
    ctx = ctx_for(root)
    html = sc.header(ctx)
    items = sc.action_items(ctx)
    text = strip_tags(html)
    assert "UBND thành phố Tam Kỳ" in text and "Quý II/2023" in text and "UBND cấp huyện" in text
    assert f"Kết quả thực hiện {plan.meta['short_title_vi']}" in text      # the plan's own title
    assert "TAM_KY" not in text                                             # no registry code on a Vietnamese page
    assert f"Chủ trì {len(ctx.led_tasks())} nhiệm vụ" in text
    assert f"{len(ctx.target_rows())} chỉ tiêu áp dụng" in text
    assert f"{sum(i['tier'] == 0 for i in items)} việc quá hạn hoặc không đạt" in text


@slow
def test_rank_matches_rankings(root):
    ctx = ctx_for(root)
    html = sc.rank(ctx)
    r = rank_metric(ctx.indicators, ctx.plan, "ontime_rate").set_index("agency").loc["TAM_KY"]
    assert f"hạng {int(r['rank'])}/{int(r['peers'])}" in html
    assert int(r["peers"]) == 18


@slow
def test_data_quality_lists_files_issues_and_links(root, plan):
    cat = plan
    m = json.loads((root / "data" / "processed" / "2023Q1" / "manifest.json").read_text(encoding="utf-8"))
    rejected = next(f for d in m["datasets"] for f in d["files"]
                    if f["verdict"] == "rejected" and cat.agencies.get(f["agency"]) and
                    cat.agencies[f["agency"]].kind in ("department", "district"))
    ctx = ctx_for(root, rejected["agency"], "2023Q1")
    html = sc.data_quality(ctx)
    assert "Bị từ chối" in html
    assert f'href="../data-quality.html#{rejected["agency"]}"' in html
    issue = next(i for i in rejected["issues"] if i["severity"] == "reject")
    if issue.get("row") is not None:
        assert f"<td>{issue['row']}</td>" in html
    assert "bị từ chối" in sc.next_actions(ctx)
    foot = sc.footer(ctx)
    assert rejected["sha256"][:12] in foot and '"agency": "' + rejected["agency"] in foot.replace("&quot;", '"')


@slow
def test_agency_note_and_evidence_are_escaped(root, tmp_path, plan):
    data = tmp_path / "data"
    shutil.copytree(root / "data", data)
    path = data / "raw" / "2023Q2" / "task_status" / "TAM_KY.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    tid, note, doc = head.index("Mã nhiệm vụ"), head.index("Ghi chú"), head.index("Số văn bản kiểm chứng")
    for r in rows[1:]:
        if r[tid] == "A.IV.4.2":
            r[note] = XSS_NOTE
        if r[tid] == "A.IV.4.4":
            r[doc] = XSS_DOC
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    q = Quarter.parse("2023Q2")
    expected = expected_submitters("task_status", expected_datasets(load_params(q), plan)["task_status"], plan)
    entry = ingest_dataset(data, q, "task_status", expected, plan)
    mpath = Store(tmp_path).manifest(q)
    m = json.loads(mpath.read_text(encoding="utf-8"))
    m["datasets"] = [entry if d["dataset"] == "task_status" else d for d in m["datasets"]]
    mpath.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    assert entry["files"][[f["agency"] for f in entry["files"]].index("TAM_KY")]["verdict"] != "rejected"

    ctx = sc.load_scorecard_context("2023Q2", "TAM_KY", data_root=str(data))
    html = sc.tasks_led(ctx)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    everything = "".join(f(ctx) for f in (sc.header, sc.next_actions, sc.tasks_led, sc.targets, sc.rank,
                                          sc.data_quality, sc.footer))
    assert "<script" not in everything.lower()
    assert not re.search(r"<[^>]*onerror=", everything)


@slow
def test_english_context_has_english_headers(root):
    ctx = ctx_for(root, lang="en")
    out = {f.__name__: f(ctx) for f in (sc.header, sc.next_actions, sc.tasks_led, sc.targets, sc.rank,
                                        sc.data_quality, sc.footer)}
    assert "<h2>Next actions</h2>" in out["next_actions"]
    assert "<h2>Tasks led</h2>" in out["tasks_led"]
    assert "Targets that apply to this unit" in out["targets"] and "Q1 (YTD)" in out["targets"]
    assert "<h2>Rank among peers</h2>" in out["rank"] and re.search(r"rank \d+/18", out["rank"])
    assert "Data quality of submissions" in out["data_quality"]
    assert "Provenance" in out["footer"]
    assert "Tam Kỳ city" in out["header"] and "District-level People's Committee" in strip_tags(out["header"])
    for vi in ("Việc cần làm tiếp", "Nhiệm vụ chủ trì", "Chỉ tiêu áp dụng", "Xếp hạng", "Thường xuyên", "lũy kế"):
        assert all(vi not in h for h in out.values()), vi


@slow
def test_notebook_renders_a_scorecard(root, tmp_path, plan):
    out = tmp_path / "reports" / "2023Q2" / "scorecards" / "TAM_KY.html"
    params = {"quarter": "2023Q2", "agency": "TAM_KY", "lang": "vi", "data_root": "data", "sample_data": True}
    render_notebook(REPO / "notebooks" / "agency_scorecard.ipynb", out, params, "Thẻ điểm — UBND thành phố Tam Kỳ",
                    "vi", sample=True, cwd=root)
    text = out.read_text(encoding="utf-8")
    assert plan.agencies["TAM_KY"].name_vi in text and "UBND thành phố Tam Kỳ" in text
    assert "Traceback" not in text and "injected-parameters" not in text
    assert "Việc cần làm tiếp" in text and "data:image/png;base64," in text
    assert "DỮ LIỆU MẪU — SAMPLE DATA" in text


def test_notebook_committed_thin():
    nb = json.loads((REPO / "notebooks" / "agency_scorecard.ipynb").read_text(encoding="utf-8"))
    assert "remove-cell" in nb["cells"][0]["metadata"]["tags"]
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    for name in ("quarter", "agency", "lang", "data_root", "sample_data"):
        assert f"{name} =" in src
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None


@slow
def test_sample_no_task_better_than_its_units_and_no_interval_on_counts_or_money(root):
    store, q = Store(root), Quarter(2023, 2)
    prog = pd.read_parquet(store.processed(q, "progress"))
    tasks = pd.read_parquet(store.processed(q, "task_progress"))
    for t in tasks[tasks["status"].isin(["met", "on_course"])].itertuples():
        units = prog[(prog["task_id"] == t.task_id) & (prog["role"] == "target")]
        assert units["status"].isin(["met", "on_course"]).all(), t.task_id
    assert not {"lower", "upper"} & set(prog.columns)                 # no sampling interval on full counts
    money = prog[prog["metric"].isin(["disbursement_rate", "direct_budget_to_psu_change"])]
    assert money["forecast_lower"].isna().all() and money["forecast_upper"].isna().all()
    assert set(prog["source"]) <= {"measured", "self_reported", ""}
