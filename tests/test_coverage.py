"""parplan coverage: every target in exactly one of three groups (measured, self-reported, not measurable)."""
from __future__ import annotations

from parplan.coverage import coverage_report, coverage_table, group_of


def test_groups_follow_the_metric_definitions(plan):
    t = coverage_table(plan)
    assert len(t) == len(plan.targets)
    for r, tg in zip(t.itertuples(), plan.targets, strict=True):
        m = plan.metrics[r.metric]
        declared = "numerator" in m or "custom" in m  # a declaration in metrics.yaml: implemented
        expected = ("not_measurable" if not (declared and tg.measurable) else
                    "self_reported" if m["source"] == "self_reported" else "measured")
        assert r.group == expected == group_of(m, tg), r
        assert r.measurable == (expected != "not_measurable")
        assert bool(r.reason) == (expected == "not_measurable")


def test_self_reported_targets_are_listed_apart_from_measured_ones(plan):
    t = coverage_table(plan)
    self_rep = set(t.loc[t.group == "self_reported", "task_id"])
    # the ten targets whose value is task_status.achieved_value (issue 12)
    assert self_rep == {"A.I.1", "A.I.4", "A.I.5", "A.I.6", "A.IV.4.6", "A.VI.4", "A.VII.2.2.b", "A.VIII.1.3",
                        "A.VIII.2.3", "B.II.1"}
    assert "A.IV.4.4" in set(t.loc[t.group == "not_measurable", "task_id"])
    out = coverage_report(plan)
    n = t.group.value_counts()
    assert f"- Đo từ hồ sơ, dữ liệu / measured from records: {n['measured']}" in out
    assert f"- Do cơ quan tự báo cáo (task_status) / self-reported by the agency (task_status): {n['self_reported']}" in out
    assert f"- Không đo được từ dữ liệu / not measurable from the data: {n['not_measurable']}" in out
    section = out.split("self-reported by the agency (task_status):")[1].split("- Không đo được")[0]
    assert "A.I.4 cchc_initiatives_count" in section and "ontime_rate" not in section
    assert ("A.IV.4.4 late_dossiers_count: không đo được từ dữ liệu: tệp xuất từ phần mềm một cửa không cho biết "
            "vì sao hồ sơ trễ hạn / cannot be measured from the data: the export does not say why a dossier was late"
            in out)


def test_a_target_marked_unmeasurable_or_context_in_tasks_yaml(plan):
    import dataclasses

    tg = next(t for t in plan.targets if t.metric == "ontime_rate")
    m = plan.metrics["ontime_rate"]
    assert group_of(m, tg) == "measured"
    assert group_of(m, dataclasses.replace(tg, measurable=False, reason="x")) == "not_measurable"
    out = coverage_report(plan)
    context = [t for t in plan.targets if t.role == "context"]
    for t in context:  # e.g. A.VII.1.1's pre-plan list of agencies below 20 % at 30/4/2023
        assert f"{t.task_id} {t.metric} ({plan.metrics[t.metric]['dataset']}) — chỉ để tham khảo, không chấm điểm" in out
