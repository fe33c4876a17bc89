"""One definition per metric: catalogue/metrics.yaml and the code agree, and a drift in either fails here.

The dossier metrics are computed from the YAML's terms (`filters` and `numerator.count`); the test below works each one out by hand on a small
table, following the plan's wording (not the code), so editing the terms or the code changes the result and fails.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from parplan import catalogue, yamlfile
from parplan import metrics as mx
from parplan import metrics_datasets as md
from parplan.metric_formulas import is_implemented

D = pd.Timestamp


def d(i, done, due="2023-04-10", status="resolved", channel="direct", fee=False, offered=False, paid=False,
      received="2023-04-01"):
    return {"dossier_id": f"T-{i}", "agency_code": "SNV", "level": "province", "received_date": D(received),
            "due_date": D(due), "completed_date": D(done) if done else pd.NaT, "status": status,
            "channel": channel, "fee_required": fee, "online_payment_offered": offered, "paid_online": paid,
            "source_file": "SNV.csv", "source_row": i, "quarter": "2023Q2"}


TABLE = pd.DataFrame([
    d(1, "2023-04-05", channel="online", fee=True, offered=True, paid=True),  # early, online, paid online
    d(2, "2023-04-10", fee=True, offered=True),                            # on the due date, fee, not paid online
    d(3, "2023-04-12", channel="online", fee=True, offered=False),         # late; fee but online payment not offered
    d(4, "2023-05-02", due="2023-05-01", channel="online"),                # late, online, no fee
    d(5, None, due="2023-06-01", status="pending", channel="online"),      # pending at 30/06: resolved nowhere
    d(6, "2023-04-03", status="withdrawn", fee=True, offered=True),        # withdrawn: in no denominator
    d(7, "2023-03-20", due="2023-03-25"),                                  # resolved in Q1: outside the quarter
    d(8, "2023-04-04", received="2022-12-28", channel="online"),           # carried over from 2022, online
])
# By hand, per the plan's wording, for 2023Q2:
#   resolved in the quarter: 1, 2, 3, 4, 8                                                         -> 5
#   "hồ sơ ... tiếp nhận trong năm được giải quyết đúng hạn" (A.IV.4.1-4.3; TT 01/2018: early or on time ÷
#     resolved): of the resolved received in 2023 (1, 2, 3, 4), early or on time: 1, 2                 -> 2 / 4
#   "hồ sơ giải quyết trực tuyến / tổng số hồ sơ giải quyết": 1, 3, 4, 8 online of the 5 resolved -> 4 / 5
#   "thanh toán trực tuyến ... TTHC có yêu cầu nghĩa vụ tài chính đã triển khai thanh toán trực tuyến":
#     resolved with a fee and online payment offered: 1, 2; paid online: 1 -> 1 / 2 (3 has a fee but no online payment)
BY_HAND = {"ontime_rate": (2, 4), "online_dossier_share": (4, 5), "online_payment_rate": (1, 2),
           "resolved_count": (5, None)}


def test_every_dossier_metric_is_worked_out_by_hand(plan):
    assert set(mx.dossier_metrics(plan)) == set(BY_HAND)


@pytest.mark.parametrize("metric", sorted(BY_HAND))
def test_dossier_metric_matches_the_hand_count(plan, metric):
    ind = mx.dossier_indicators(TABLE, "2023Q2", plan)
    r = ind[(ind.metric == metric) & (ind.agency == "SNV") & (ind.period == "Q")].iloc[0]
    num, den = BY_HAND[metric]
    assert r.numerator == num
    if den is None:
        assert math.isnan(r.denominator) and r.value == num
    else:
        assert r.denominator == den and r.value == num / den


def test_dossier_terms_are_the_code_terms(plan):
    words = yamlfile.load(catalogue.HERE / "metrics.yaml")["dossier_terms"]
    assert tuple(words) == mx.TERMS
    for m in mx.dossier_metrics(plan).values():
        assert set(mx.numerator_terms(m)) | set(mx.denominator_terms(m)) <= set(mx.TERMS)


def test_ontime_rate_counts_dossiers_received_in_the_year_as_the_plan_words_it(plan):
    for tid in ("A.IV.4.1", "A.IV.4.2", "A.IV.4.3"):
        assert "tiếp nhận trong năm được giải quyết đúng hạn" in plan.task(tid).task_vi
    assert mx.denominator_terms(plan.metrics["ontime_rate"]) == ["resolved", "received_in_year"]


def test_online_dossier_share_is_over_resolved_as_the_plan_words_it(plan):
    text = plan.task("A.VIII.3.4.b").result_vi
    assert "trên tổng số hồ sơ giải quyết" in text
    assert mx.denominator_terms(plan.metrics["online_dossier_share"]) == ["resolved"]


def test_online_payment_rate_only_over_procedures_offering_it(plan):
    text = plan.task("A.VIII.3.4.c").task_vi
    assert "có đủ điều kiện thực hiện thanh toán trực tuyến" in text
    assert "online_payment_offered" in mx.denominator_terms(plan.metrics["online_payment_rate"])


def test_a_iv_4_4_is_marked_unmeasurable_not_replaced(plan):
    m = plan.metrics["late_dossiers_count"]
    assert not is_implemented(m) and "numerator" not in m and "custom" not in m
    assert m["unmeasurable_reason"] == "cannot be measured from the data: the export does not say why a dossier was late"
    assert m["unmeasurable_reason_vi"].startswith("không đo được từ dữ liệu")
    assert "late_dossiers_count" not in mx.dossier_metrics(plan)


def test_every_dataset_metric_is_built_from_the_yaml(plan):
    for metric, decl in md.REGISTRY.items():
        m = plan.metrics[metric]
        assert is_implemented(m), metric
        assert (decl.unit, decl.dataset, decl.source) == (m["unit"], m["dataset"], m["source"]), metric
        assert m["dataset"] != "tthc_dossiers", metric
        assert (m["source"] == "self_reported") == (m["dataset"] == "task_status"), metric


def test_every_implemented_metric_has_a_computation_and_every_metric_a_source(plan):
    implemented = {k for k, m in plan.metrics.items() if is_implemented(m)}
    assert implemented == set(md.REGISTRY) | set(mx.dossier_metrics(plan))
    assert {m["source"] for m in plan.metrics.values()} == {"measured", "self_reported"}
    for k, m in plan.metrics.items():
        assert "implemented" not in m, f"{k}: implemented is derived from the declaration, never set by hand"
        if not is_implemented(m):
            assert m["unmeasurable_reason"] and m["unmeasurable_reason_vi"], k
