"""The overview's progress sections on hand-built indicators: one figure, one verdict; every unit named."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from parplan.periods import Quarter
from parplan.progress import target_status, task_progress
from parplan.render import strip_tags
from parplan.report import overview as ov


def row(metric, agency, num, den, value=None, unit="fraction", source="measured", quarter="2023Q4", period="YTD"):
    value = (num / den if unit == "fraction" else num) if value is None else value
    return {"quarter": quarter, "period": period, "metric": metric, "agency": agency, "numerator": float(num),
            "denominator": float(den), "value": float(value), "unit": unit, "source": source, "n_sources": 1,
            "self_reported": source == "self_reported", "provisional": False}


@pytest.fixture(scope="module")
def cat(plan):
    """The 2023 plan (the session fixture), under the name these tests use."""
    return plan


def context(cat, rows, quarter="2023Q4", lang="vi") -> ov.Context:
    ind = pd.DataFrame(rows)
    ind = pd.concat([ind, ind.assign(period="Q")], ignore_index=True)
    prog = target_status(cat, ind, quarter)
    reps = pd.DataFrame(columns=["task_id", "agency_code", "status", "evidence_doc_no"])
    tasks = task_progress(cat, prog, reps, quarter)
    return ov.Context(Quarter.parse(quarter), lang, Path("."), True, ind, {}, cat, {}, prog, tasks)


def departments_rows(cat):
    deps = [a.code for a in cat.by_kind("department")]
    rows = [row("ontime_rate", d, 100, 100) for d in deps if d != "STNMT"]
    return rows + [row("ontime_rate", "STNMT", 94, 100), row("ontime_rate", "ALL_DEPARTMENTS", 1894, 1900)]


def test_on_time_section_one_verdict_per_unit_and_the_aggregate_as_a_figure(cat):
    ctx = context(cat, departments_rows(cat))
    text = strip_tags(ov.ontime_section(ctx))
    assert "18/19 sở, ban, ngành đạt; chưa đạt: Sở Tài nguyên và Môi trường" in text
    rows, chart = ov.ontime_rows(ctx, "A.IV.4.1", "department", "ALL_DEPARTMENTS")
    assert len(rows) == 20 and len(chart) == 19
    stnmt = next(r for r in rows if r[0] == "Sở Tài nguyên và Môi trường")
    assert "94,0 % (94/100)" in stnmt[2] and "Không đạt" in stnmt[4]
    agg = rows[-1]
    assert agg[0] == "Chung (tỷ lệ của tổng)" and "99,7 %" in agg[2]
    assert "Số chung, không đánh giá riêng" in agg[4] and "Đạt" not in strip_tags(agg[4])   # no second verdict
    assert "khoảng tin cậy" not in text


def test_task_table_names_the_units_and_marks_self_reported_values(cat):
    rows = departments_rows(cat) + [
        row("cchc_initiatives_count", "SNV", 1, math.nan, unit="count", source="self_reported"),
        row("cchc_plan_tasks_completed_share", "PROVINCE", 0.9, math.nan, value=0.9, source="self_reported"),
    ]
    ctx = context(cat, rows)
    text = strip_tags(ov.progress_tasks(ctx))
    assert "◆ tự báo cáo — số liệu do cơ quan tự báo cáo, chưa đối chiếu với hồ sơ" in text
    a_i_4 = text[text.index("A.I.4 "):text.index("A.I.5 ")]
    assert "1/37 cơ quan, đơn vị đạt; chưa có số liệu:" in a_i_4 and "Sở Tư pháp" in a_i_4 and "Phú Ninh" in a_i_4
    assert "◆" in a_i_4 and "Không đạt" in a_i_4
    a_iv_4_1 = text[text.index("A.IV.4.1 "):text.index("A.IV.4.2 ")]
    assert "18/19" in a_iv_4_1 and "(chung: 99,7 %, không đánh giá riêng)" in a_iv_4_1
    assert "◆" not in a_iv_4_1                                           # counted from records
    a_i_1 = text[text.index("A.I.1 "):text.index("A.I.2 ")]
    assert "90,0 % ◆" in a_i_1
    # the pre-plan disbursement list: shown as context, and the unmeasurable A.IV.4.4 says why in Vietnamese
    assert "bối cảnh trước khi ban hành Kế hoạch, không chấm điểm" in text
    a_iv_4_4 = text[text.index("A.IV.4.4 "):text.index("A.IV.4.5 ")]
    assert "Không đo được từ dữ liệu" in a_iv_4_4


def test_english_task_table_speaks_english(cat):
    ctx = context(cat, departments_rows(cat), lang="en")
    text = strip_tags(ov.progress_tasks(ctx))
    assert "◆ self-reported — figure reported by the agency itself, not checked against records" in text
    assert "18/19 departments meet it; missing it: Department of Natural Resources and Environment" in text
    for vi in ("Đạt", "chưa có", "tự báo cáo", "không đánh giá"):
        assert vi not in text, vi


def test_no_met_badge_before_the_due_date(cat):
    rows = [row("ontime_rate", a.code, 100, 100, quarter="2023Q2") for a in cat.by_kind("department")]
    ctx = context(cat, rows, quarter="2023Q2")
    text = strip_tags(ov.ontime_section(ctx))
    assert "19/19 sở, ban, ngành đang đạt" in text and "Đang đạt" in text
    assert " Đạt " not in text


def test_each_unit_section_lists_every_each_unit_target(cat):
    rows = departments_rows(cat) + [row("cchc_initiatives_count", "SNV", 1, math.nan, unit="count",
                                        source="self_reported")]
    ctx = context(cat, rows)
    html = ov.each_unit_section(ctx)
    text = strip_tags(html)
    assert "Chỉ tiêu áp dụng cho từng đơn vị" in text
    ids = [tg.task_id for tg in cat.targets if tg.judge == "each" and tg.role == "target" and tg.measurable
           and tg.scope != "each_record" and cat.metrics[tg.metric].get("implemented", True)]
    for task_id in ids:
        assert f"{task_id} " in text, task_id
    a_iv_4_1 = text[text.index("A.IV.4.1 "):text.index("A.IV.4.2 ")]
    assert "18/19 sở, ban, ngành" in a_iv_4_1 and "Sở Tài nguyên và Môi trường" in a_iv_4_1
    a_i_4 = text[text.index("A.I.4 "):text.index("A.I.5 ")]
    assert "1/37 cơ quan, đơn vị" in a_i_4 and "◆" in a_i_4 and "Ban Dân tộc tỉnh" in a_i_4
    assert "A.IV.4.4 " not in text                        # cannot be measured: not listed as if judged
