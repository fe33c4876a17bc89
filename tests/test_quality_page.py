"""The data-quality page (parplan/report/quality.py views, templates/quality/): plain-data views, names not codes,
every input file with its hash, and no language-check hit on the sample's 2023Q2 and 2023Q4 pages."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from parplan.contracts import load_contract
from parplan.io import READER_RULES
from parplan.periods import Quarter
from parplan.render import strip_tags
from parplan.report import i18n, layout
from parplan.report import language_check as lc
from parplan.report import quality as dq
from parplan.validation import RULE_TEXT

QUARTERS = ("2023Q2", "2023Q4")


@pytest.fixture(scope="module")
def data(prepared_2023) -> Path:
    """The shipped sample of 2023 prepared up to 2023Q4 (conftest)."""
    return prepared_2023


def page(ctx: dq.QualityContext) -> str:
    """The page as render.py wraps the notebook's sections: every section in the base layout."""
    body = "\n".join(str(dq.section(ctx, s)) for s in dq.SECTIONS)
    return layout.page(i18n.t("quality.title", ctx.lang, quarter=ctx.quarter.label(ctx.lang)), body, ctx.lang,
                       sample=True)


def strings(x) -> list[str]:
    if isinstance(x, dict):
        return [s for v in x.values() for s in strings(v)]
    if isinstance(x, list | tuple):
        return [s for v in x for s in strings(v)]
    return [x] if isinstance(x, str) else []


@pytest.mark.parametrize("q", QUARTERS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_language_check_finds_nothing_on_the_page(data, plan, q, lang):
    """Issue 16 items 4 and 7: no code, id, file name or other-language word a reader would see on the page."""
    ctx = dq.load_quality_context(q, lang, str(data))
    hits = lc.scan_html(page(ctx), lc.vocabulary(plan), "data-quality.html", lang)
    assert not hits, "\n".join(lc.summary(hits, top=20))


@pytest.mark.parametrize("q", QUARTERS)
def test_views_hold_plain_data_and_no_html(data, q):
    ctx = dq.load_quality_context(q, "vi", str(data))
    for s in dq.SECTIONS:
        view = getattr(dq, f"{s}_view")(ctx)
        assert isinstance(view, dict), s
        html = [x for x in strings(view) if "<" in x]
        assert not html, (s, html[:3])


def test_summary_counts_files_by_verdict_from_the_manifest(data):
    ctx = dq.load_quality_context("2023Q2", "en", str(data))
    rows = {r["dataset"]: r for r in dq.summary_view(ctx)["rows"]}
    for ds in ctx.manifest["datasets"]:
        r = rows[load_contract(ds["dataset"]).title_en]
        verdicts = [f["verdict"] for f in ds["files"]]
        assert r["files"] == len(ds["files"]) == r["accepted"] + r["accepted_with_warnings"] + r["rejected"]
        assert (r["rejected"], r["rows_used"]) == (verdicts.count("rejected"), ds["output_rows"])
    # the sample's two faulty dossier files of 2023Q2 (data/raw/README.md): SGTVT rejected, one warned
    dossiers = rows[load_contract("tthc_dossiers").title_en]
    assert (dossiers["rejected"], dossiers["accepted_with_warnings"]) == (1, 1)


def test_every_input_file_of_the_year_to_date_is_listed_with_its_hash(data, plan):
    """The provenance block says the input files and their SHA-256 are on this page: every file of 2023Q1-Q4."""
    import json

    ctx = dq.load_quality_context("2023Q4", "vi", str(data))
    html = str(dq.section(ctx, "inputs"))
    n = 0
    for q in ("2023Q1", "2023Q2", "2023Q3", "2023Q4"):
        m = json.loads((data / "processed" / q / "manifest.json").read_text(encoding="utf-8"))
        for ds in m["datasets"]:
            for f in ds["files"]:
                n += 1
                assert f'<span class="code" data-lang-exempt>{f["sha256"]}</span>' in html, f["path"]
                assert f'<span class="code" data-lang-exempt>{f["path"]}</span>' in html, f["path"]
    assert html.count("<tr>") == n + 1  # the header and one row per file
    assert "Mã băm SHA-256" in html and plan.agencies["TAM_KY"].name("vi") in html


def test_a_rejected_file_names_agency_dataset_rule_and_row_not_codes(data, plan):
    """2023Q2: SGTVT's dossier file has an impossible date on row 58 (data/raw/README.md)."""
    for lang in ("vi", "en"):
        ctx = dq.load_quality_context("2023Q2", lang, str(data))
        (a,) = [a for a in dq.agencies_view(ctx)["agencies"] if a["code"] == "SGTVT"]
        assert a["name"] == plan.agencies["SGTVT"].name(lang) and a["status"] == "rejected"
        (f,) = [f for f in a["files"] if f["verdict"] == "rejected"]
        c = load_contract("tthc_dossiers")
        title = c.title_vi if lang == "vi" else c.title_en
        assert f["dataset"] == title and f["file"] == "SGTVT.csv"
        assert i18n.t("quality.rules.date_format", lang) in f["failed"]
        (d,) = [d for d in a["details"] if d["row"] == 58]
        assert (d["level"], d["value"], d["file"]) == ("reject", "31/06/2023", None)  # one file of the dataset
        text = strip_tags(str(dq.section(ctx, "agencies")))
        assert "date_format" not in text and "SGTVT " not in text.replace("SGTVT.csv", "")


def test_quoted_values_and_allowed_lists_are_marked_for_the_check(data):
    """2023Q4: SCT's task file has task id A.X.9, not in the plan: the value is agency text, the list a code list."""
    ctx = dq.load_quality_context("2023Q4", "en", str(data))
    html = str(dq.section(ctx, "agencies"))
    assert '<span class="agency-text">A.X.9</span>' in html
    assert re.search(r'<span class="code" data-lang-exempt>\(A\.I\.1, A\.I\.2, [^<]*…\)</span>', html)


def test_every_rule_has_a_name_in_every_catalogue():
    for lang in i18n.languages():
        missing = [r for r in {**RULE_TEXT, **READER_RULES} if not i18n.has(f"quality.rules.{r}", lang)]
        assert not missing, (lang, missing)
        assert dq.rule_label("", "date_format", lang) == i18n.t("quality.rules.date_format", lang)
        assert dq.rule_label("", "not_a_rule", lang) == i18n.t("quality.rules.unknown", lang)


def test_a_contract_rule_is_named_by_its_own_text():
    c = load_contract("tthc_summary")
    r = c.rules[0]
    assert dq.rule_label("tthc_summary", r["id"], "vi") == r["vi"]
    assert dq.rule_label("tthc_summary", r["id"], "en") == r["en"]


def test_segments_mark_file_names_and_quotes():
    assert dq.segments("check the date in 'Ngày tiếp nhận'") == [
        {"kind": "text", "text": "check the date in "}, {"kind": "quote", "text": "'Ngày tiếp nhận'"}]
    assert dq.segments("in 2 files (SNV.csv row 3; data/raw/2023Q2/pakn/STP.v2.xlsx row 4)") == [
        {"kind": "text", "text": "in 2 files ("}, {"kind": "code", "text": "SNV.csv"}, {"kind": "text", "text": " row 3; "},
        {"kind": "code", "text": "data/raw/2023Q2/pakn/STP.v2.xlsx"}, {"kind": "text", "text": " row 4)"}]
    assert dq.segments("invalid date (expected dd/mm/yyyy)") == [
        {"kind": "text", "text": "invalid date (expected dd/mm/yyyy)"}]  # a slash is not a folder


def test_reconciliation_names_agencies_levels_and_measures(plan):
    rec = pd.DataFrame([{"agency_code": "SNV", "level": "province", "measure": "resolved_late", "summary": 0,
                         "dossiers": 2, "difference": -2}])
    for lang in ("vi", "en"):
        ctx = dq.QualityContext(Quarter(2023, 2), lang, {"datasets": []}, rec, plan, None)
        text = strip_tags(str(dq.section(ctx, "reconciliation")))
        for key in ("quality.levels.province", "quality.measures.resolved_late"):
            assert i18n.t(key, lang) in text
        assert plan.agencies["SNV"].name(lang) in text and "tthc_summary" not in text and "SNV " not in text
        c = load_contract("tthc_summary")
        assert (c.title_vi if lang == "vi" else c.title_en) in text
