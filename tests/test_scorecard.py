"""Per-agency scorecards (parplan/report/scorecard.py) on the shipped sample, ingested into a temp data root."""
from __future__ import annotations

import csv
import functools
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import Markup, escape

from parplan.ingest import expected_submitters, ingest_dataset, ingest_quarter
from parplan.periods import Quarter
from parplan.pipeline import compute_indicators, compute_progress, expected_datasets, load_params
from parplan.progress import label
from parplan.rankings import rank as rank_metric
from parplan.render import render_notebook, strip_tags
from parplan.report import fmt
from parplan.report import scorecard as sc
from parplan.report.names import dataset_name
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
def section(ctx: sc.ScorecardContext, name: str) -> str:
    """One section rendered through its template."""
    return str(sc.render_section(ctx, name))


def row_of(html: str, task_id: str) -> str:
    """The table row of a task (the templates mark it data-task)."""
    return re.search(rf'<tr data-task="{re.escape(task_id)}">(.*?)</tr>', html, flags=re.S).group(1)


@slow
@pytest.mark.parametrize("agency", ["TAM_KY", "SNV"])
def test_tasks_led_lists_every_task_the_agency_leads(root, agency, plan):
    cat = plan
    expected = [t.id for t in cat.tasks if t.kind == "task" and any(agency in cat.members(code) for code in t.lead)]
    assert expected, "the sample plan gives every unit some task"
    ctx = ctx_for(root, agency)
    assert [r["task_id"] for r in sc.task_rows(ctx)] == expected
    html = section(ctx, "tasks")
    for tid in expected:  # each task named by its id beside its hand-written short text
        assert f'<span class="task-id">{tid}</span> — {escape(cat.task(tid).short("vi"))}</span>' in row_of(html, tid)


@slow
def test_tasks_led_shows_evidence_and_the_agencys_own_report(root, plan):
    ctx = ctx_for(root)
    rows = {r["task_id"]: r for r in sc.task_rows(ctx)}
    # TAM_KY's report of A.IV.4.4 in its 2023Q2 task_status file: done, evidence 60/KH-UBND of 21/05/2023
    assert (rows["A.IV.4.4"]["report"], rows["A.IV.4.4"]["evidence"], rows["A.IV.4.4"]["evidence_date"]) == (
        "done", "60/KH-UBND", "2023-05-21")
    assert rows["A.IV.4.2"]["note"] == "Dự kiến triển khai trong quý III"
    html = section(ctx, "tasks")
    row = row_of(html, "A.IV.4.4")
    assert '<span class="agency-text">60/KH-UBND</span>, 21/05/2023' in row   # typed by the agency: exempt
    assert label("done", "vi") in row and "(Quý II/2023)" in row
    assert '<span class="agency-text">Dự kiến triển khai trong quý III</span>' in row_of(html, "A.IV.4.2")
    recurring = next(t for t in plan.tasks if t.schedule["kind"] == "recurring"
                     and any("TAM_KY" in plan.members(c) for c in t.lead))
    assert rows[recurring.id]["schedule"] == "recurring" and rows[recurring.id]["due"] is None
    assert "Thường xuyên" in row_of(html, recurring.id)
    assert 'href="../method.html#status"' in html


@slow
def test_targets_show_the_ontime_value_from_progress_and_the_trend_of_both_quarters(root):
    ctx = ctx_for(root)
    prog = pd.read_parquet(Store(root).processed(Quarter(2023, 2), "progress"))
    p = prog[(prog["task_id"] == "A.IV.4.2") & (prog["agency"] == "TAM_KY")].iloc[0]
    view = next(r for r in sc.target_view(ctx) if r["task_id"] == "A.IV.4.2" and r["agency"] == "TAM_KY")
    assert (view["numerator"], view["denominator"]) == (p.numerator, p.denominator)
    assert view["value"] == pytest.approx(p.numerator / p.denominator)
    # trend: the year-to-date value at the end of Q1 and of Q2, from each quarter's indicators.parquet
    ytd = []
    for q in QUARTERS:
        ind = pd.read_parquet(Store(root).processed(Quarter.parse(q), "indicators"))
        ytd.append(ind[(ind["period"] == "YTD") & (ind["metric"] == "ontime_rate") & (ind["agency"] == "TAM_KY")
                       ].iloc[0].value)
    assert view["trend"] == pytest.approx(ytd)
    html = section(ctx, "targets")
    cells = cells_of(row_of(html, "A.IV.4.2"))
    assert cells[5] == (f"{fmt.pct(p.numerator / p.denominator, 'vi')} "
                        f"({fmt.number(p.numerator, 'vi')}/{fmt.number(p.denominator, 'vi')})")
    assert cells[7:9] == [fmt.pct(v, "vi") for v in ytd]
    assert "Quý I (lũy kế)" in html and "Quý II (lũy kế)" in html
    # the district's communes (XA_TAM_KY) for the commune-level target
    assert any(r["task_id"] == "A.IV.4.3" and r["unit_name"] == "Các xã thuộc thành phố Tam Kỳ"
               for r in sc.target_view(ctx))
    # the sparkline, embedded with alt text naming both quarters' values
    m = re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', html)
    assert m and "Quý I" in m.group(1) and fmt.pct(p.numerator / p.denominator, "vi") in m.group(1)
    assert 'href="../method.html#status"' in html


@slow
def test_targets_show_the_units_own_status_next_to_the_provinces(root):
    from parplan.progress import target_verdicts

    ctx = ctx_for(root)
    html = section(ctx, "targets")
    assert "Đánh giá của đơn vị" in html and "Đánh giá chỉ tiêu toàn tỉnh" in html
    prog = pd.read_parquet(Store(root).processed(Quarter(2023, 2), "progress"))
    own = prog[(prog["task_id"] == "A.IV.4.2") & (prog["agency"] == "TAM_KY")].iloc[0]
    v = target_verdicts(prog).set_index("task_id").loc["A.IV.4.2"]
    cells = cells_of(row_of(html, "A.IV.4.2"))
    assert label(own.status, "vi") in cells[3]                           # Tam Kỳ's own status
    assert label(v["status"], "vi") in cells[4] and f"({v['n_ok']}/18)" in cells[4]   # the province's, with 18 units
    # self-reported values carry the mark, and the legend says what it means
    for r in sc.target_view(ctx):
        assert r["self_reported"] == (prog.loc[(prog["task_id"] == r["task_id"]) & (prog["metric"] == r["metric"])
                                               & (prog["scope"] == r["scope"]) & (prog["agency"] == r["agency"]),
                                               "source"].iloc[0] in ("self_reported", "mixed"))
    mine = prog[prog["agency"] == "TAM_KY"]
    if (mine["source"] == "self_reported").any():
        tid = mine[mine["source"] == "self_reported"]["task_id"].iloc[0]
        assert "◆" in cells_of(row_of(html, tid))[3]
    assert "◆ tự báo cáo — số liệu do cơ quan tự báo cáo, chưa đối chiếu với hồ sơ" in html
    assert "khoảng tin cậy" not in html and "khoảng tin cậy" not in section(ctx, "next_actions")


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
    html = section(ctx, "targets")
    assert "Quý I (lũy kế)" not in html and "Quý II (lũy kế)" in html
    assert "Chưa có số liệu đã xử lý của Quý I/2023" in html
    assert all(section(ctx, s) for s in sc.SECTIONS)
    survey = dataset_name("sipas_survey", "vi")
    assert survey in sc.data_quality_view(ctx)["missing"]              # the dataset it was expected to send
    assert {"status": "missing", "dataset": survey} in [{k: i[k] for k in ("status", "dataset")}
                                                        for i in sc.action_items(ctx)]
    assert "Chưa nộp dữ liệu quý này" in section(ctx, "next_actions")


@slow
def test_next_actions_put_off_track_before_at_risk(root, plan):
    prog = pd.read_parquet(Store(root).processed(Quarter(2023, 2), "progress"))
    both = [a for a in sc.agencies_to_render(plan)
            if {"off_track", "at_risk"} <= set(prog.loc[prog["agency"] == a, "status"])]
    assert both, "the sample has units with both off-track and at-risk targets"
    off, risk = label("off_track", "vi"), label("at_risk", "vi")
    for agency in both[:4] + ["TAM_KY"]:
        ctx = ctx_for(root, agency)
        items = sc.action_items(ctx)
        tiers = [i["tier"] for i in items]
        assert tiers == sorted(tiers), agency
        acts = sc.actions(items, ctx)
        # one action per task, at the tier of its most urgent item, in tier order
        ids = [a["task_id"] for a in acts if a["task_id"]]
        assert len(ids) == len(set(ids)) == len({i["task_id"] for i in items if i.get("task_id")}), agency
        assert all(a["tier"] == min(i["tier"] for i in items if i.get("task_id") == a["task_id"])
                   for a in acts if a["task_id"]), agency
        html = section(ctx, "next_actions")
        assert [int(t) for t in re.findall(r'<li data-tier="(\d)">', html)] == [a["tier"] for a in acts], agency
        for a in acts:  # a measurement missed by several units is one line naming them all
            keys = [(x["kind"], str(x["what"]), str(x["threshold"])) for x in a["lines"] if "units" in x]
            assert len(keys) == len(set(keys)), agency
        if agency in both:
            assert html.rindex(off) < html.index(risk), agency
    html = section(ctx_for(root), "next_actions")
    assert "Việc cần làm tiếp" in html
    p = prog[(prog["task_id"] == "A.IV.4.2") & (prog["agency"] == "TAM_KY")].iloc[0]
    line = next(li for li in re.findall(r"<li[^>]*>(.*?)</li>", html, flags=re.S)
                if '"task-id">A.IV.4.2<' in li and "%" in li)
    assert fmt.pct(p.value, "vi") in line and off in line     # the number behind it
    assert plan.task("A.IV.4.2").short("vi") in line          # the task by its short text


@slow
def test_header_counts(root, plan):
    ctx = ctx_for(root)
    view = sc.header_view(ctx)
    items = sc.action_items(ctx)
    assert (view["n_tasks"], view["n_targets"]) == (len(ctx.led_tasks()), len(ctx.target_rows()))
    assert (view["n_bad"], view["n_risk"]) == (sum(i["tier"] == 0 for i in items), sum(i["tier"] == 1 for i in items))
    text = " ".join(strip_tags(section(ctx, "header")).split())
    assert "UBND thành phố Tam Kỳ" in text and "Quý II/2023" in text and "UBND cấp huyện" in text
    assert f"Kết quả thực hiện {plan.meta['short_title_vi']}" in text      # the plan's own title
    assert "TAM_KY" not in text                                             # no registry code
    assert f"Chủ trì {len(ctx.led_tasks())} nhiệm vụ" in text
    assert f"{len(ctx.target_rows())} chỉ tiêu áp dụng" in text
    assert f"{sum(i['tier'] == 0 for i in items)} việc quá hạn hoặc không đạt" in text
    en = " ".join(strip_tags(section(ctx_for(root, lang="en"), "header")).split())
    assert "Tam Kỳ city" in en and "District-level People's Committee" in en and "TAM_KY" not in en


@slow
def test_rank_matches_rankings(root):
    ctx = ctx_for(root)
    r = rank_metric(ctx.indicators, ctx.plan, "ontime_rate").set_index("agency").loc["TAM_KY"]
    row = next(x for x in sc.rank_view(ctx)["rows"] if x["measure"] == ctx.plan.metrics["ontime_rate"]["name_vi"])
    assert (row["rank"], row["peers"]) == (int(r["rank"]), int(r["peers"])) and row["peers"] == 18
    assert f"hạng {int(r['rank'])}/{int(r['peers'])}" in section(ctx, "rank")


@slow
def test_data_quality_lists_files_issues_and_links(root, plan):
    cat = plan
    m = json.loads((root / "data" / "processed" / "2023Q1" / "manifest.json").read_text(encoding="utf-8"))
    ds, rejected = next((d, f) for d in m["datasets"] for f in d["files"]
                        if f["verdict"] == "rejected" and cat.agencies.get(f["agency"]) and
                        cat.agencies[f["agency"]].kind in ("department", "district"))
    ctx = ctx_for(root, rejected["agency"], "2023Q1")
    view = sc.data_quality_view(ctx)
    name = dataset_name(ds["dataset"], "vi")
    f = next(x for x in view["files"] if x["dataset"] == name and x["verdict"] == "rejected")
    shown = [i for i in rejected["issues"] if i["severity"] != "info"]
    assert (f["issues"], f["errors"]) == (len(shown), sum(i["severity"] == "reject" for i in shown))
    html = section(ctx, "data_quality")
    assert "Bị từ chối" in html and name in html
    assert f'href="../data-quality.html#{rejected["agency"]}"' in html
    issue = next(i for i in rejected["issues"] if i["severity"] == "reject")
    if issue.get("row") is not None:
        assert any(d["row"] == issue["row"] for d in view["details"])
    assert Path(rejected["path"]).name not in strip_tags(html)          # the dataset's name, not the file's
    item = next(i for i in sc.action_items(ctx) if i["status"] == "rejected" and i["dataset"] == name)
    assert item["errors"] == sum(i["severity"] == "reject" for i in rejected["issues"])
    assert "bị từ chối" in section(ctx, "next_actions")


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
    html = section(ctx, "tasks")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    everything = str(sc.render_page(ctx))
    assert "<script" not in everything.lower()
    assert not re.search(r"<[^>]*onerror=", everything)


@slow
def test_english_context_has_english_headers(root):
    ctx = ctx_for(root, lang="en")
    out = {s: section(ctx, s) for s in sc.SECTIONS}
    assert "<h2>Next actions</h2>" in out["next_actions"]
    assert "<h2>Tasks led</h2>" in out["tasks"]
    assert "Targets that apply to this unit" in out["targets"] and "Q1 (year to date)" in out["targets"]
    assert "<h2>Rank among peers</h2>" in out["rank"] and re.search(r"rank \d+/18", out["rank"])
    assert "Data quality of submissions" in out["data_quality"]
    assert "Tam Kỳ city" in out["header"] and "District-level People's Committee" in strip_tags(out["header"])
    for vi in ("Việc cần làm tiếp", "Nhiệm vụ chủ trì", "Chỉ tiêu áp dụng", "Xếp hạng", "Thường xuyên", "lũy kế"):
        assert all(vi not in h for h in out.values()), vi


def _strings(x: object) -> list[str]:
    """Every string inside a view (dicts, lists, tuples), the chart's image data left out."""
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return [s for k, v in x.items() if k != "src" for s in _strings(v)]
    if isinstance(x, list | tuple):
        return [s for v in x for s in _strings(v)]
    return []


@slow
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_views_hold_no_html(root, lang):
    ctx = ctx_for(root, lang=lang)
    for name in sc.SECTIONS:
        view = sc.VIEWS[name](ctx)
        assert not isinstance(view, Markup) and not any(isinstance(s, Markup) for s in _strings(view)), name
        assert [s for s in _strings(view) if "<" in s] == [], name


@slow
def test_notebook_renders_a_scorecard(root, tmp_path, plan):
    from parplan.report import language_check as lc

    out = tmp_path / "reports" / "2023Q2" / "agencies" / "TAM_KY.html"
    params = {"quarter": "2023Q2", "agency": "TAM_KY", "lang": "vi", "data_root": "data", "sample_data": True}
    render_notebook(REPO / "notebooks" / "agency_scorecard.ipynb", out, params, "Phiếu đánh giá — UBND thành phố Tam Kỳ",
                    "vi", sample=True, cwd=root)
    text = out.read_text(encoding="utf-8")
    assert plan.agencies["TAM_KY"].name_vi in text and "UBND thành phố Tam Kỳ" in text
    assert "Traceback" not in text and "injected-parameters" not in text
    assert "Việc cần làm tiếp" in text and "data:image/png;base64," in text
    assert "DỮ LIỆU MẪU — SAMPLE DATA" in text
    assert text.count('class="provenance"') == 1                 # the base layout's one provenance block
    assert 'href="../index.html"' in text and 'href="../method.html#status"' in text
    assert lc.scan_html(text, lc.vocabulary(plan), "agencies/TAM_KY.html", "vi") == []


def test_notebook_committed_thin():
    nb = json.loads((REPO / "notebooks" / "agency_scorecard.ipynb").read_text(encoding="utf-8"))
    assert "remove-cell" in nb["cells"][0]["metadata"]["tags"]
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    for name in ("quarter", "agency", "lang", "data_root", "sample_data"):
        assert f"{name} =" in src
    assert nb["metadata"]["kernelspec"]["name"] == "parplan"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for c in code:
        assert c["outputs"] == [] and c["execution_count"] is None
    # one cell per section, in the page's order, each rendering its view through its template
    shown = [re.findall(r'show\("(\w+)", sc\.(\w+)_view\(ctx\)\)', "".join(c["source"])) for c in code]
    assert [s for cell in shown for s, _ in cell] == list(sc.SECTIONS)
    assert all(len(cell) <= 1 for cell in shown) and all(s == v for cell in shown for s, v in cell)
    assert "footer" not in json.dumps(nb)


# ---------------------------------------------------------------- language check (issue 16 item 7)
LANG_CHECK_AGENCIES = ("TAM_KY", "SNV", "SGTVT", "THANG_BINH", "TAY_GIANG")  # a city, departments, districts with
# communes judged one by one and files with rejected values


@functools.cache
def _quarter_data(q: str):
    from parplan import data

    return data.load(q, say=lambda s: None)


@slow
@pytest.mark.parametrize("q", ["2023Q2", "2023Q4"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_scorecards_pass_the_language_check(q, lang):
    from parplan.report import language_check as lc
    from parplan.report.layout import page

    d = _quarter_data(q)
    vocab = lc.vocabulary(d.plan)
    hits = []
    for code in LANG_CHECK_AGENCIES:
        ctx = sc.load_scorecard_context(q, code, lang, data_root=str(d.store.data_root), plan=d.plan)
        html = page(ctx.name(), str(sc.render_page(ctx)), lang, sample=True, home="../")
        hits += lc.scan_html(html, vocab, f"agencies/{code}.html", lang)
    assert hits == []


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
