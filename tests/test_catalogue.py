"""The 2023 plan (plans/2023, loaded by parplan.catalogue.load_plan): registry, tasks, schedules, targets, indices."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from parplan.catalogue import AGENCY_CODE_RE, Target, parse_schedule, resolve_agencies

ROMAN_RE = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX)$")


def _ancestors(plan, task):
    """Ids of the task's parents, nearest first."""
    out = []
    by_id = {t.id: t for t in plan.tasks}
    p = task.parent
    while p is not None:
        assert p in by_id, f"{task.id}: parent {p} is not a catalogue row"
        assert p not in out, f"{task.id}: parent cycle through {p}"
        out.append(p)
        p = by_id[p].parent
    return out


# ---------------------------------------------------------------- loading and ids
def test_load_returns_tasks_and_agencies(plan):
    assert len(plan.tasks) > 100
    assert plan.agencies and plan.groups and plan.metrics
    assert plan.task("A.IV.4.1").stt == "4.1"
    with pytest.raises(KeyError):
        plan.task("NO.SUCH.ID")


def test_ids_unique(plan):
    dup = [i for i, n in Counter(t.id for t in plan.tasks).items() if n > 1]
    assert not dup, f"duplicate task ids: {dup}"


def test_parents_exist(plan):
    ids = {t.id for t in plan.tasks}
    missing = [(t.id, t.parent) for t in plan.tasks if t.parent is not None and t.parent not in ids]
    assert not missing, f"rows whose parent is not a row: {missing}"


def test_every_task_row_has_a_lead(plan):
    no_lead = [t.id for t in plan.tasks if t.kind == "task" and not t.lead]
    assert not no_lead, f"task rows without a lead agency code: {no_lead}"


def test_lead_and_coordinating_codes_exist(plan):
    unknown = [(t.id, c) for t in plan.tasks for c in (*t.lead, *t.coordinating) if c not in plan.agencies]
    assert not unknown, f"agency codes not in the registry: {unknown}"


# ---------------------------------------------------------------- registry
def test_registry_counts(plan):
    assert len(plan.by_kind("department")) == 19
    assert len(plan.by_kind("district")) == 18
    communes = [a for a in plan.agencies.values() if a.code.startswith("XA_")]
    assert len(communes) == 18
    assert all(a.kind == "commune_group" for a in communes)
    assert {a.district for a in communes} == {a.code for a in plan.by_kind("district")}


def test_agency_codes_are_ascii_upper(plan):
    pattern = re.compile(r"^[A-Z0-9_]+$")
    bad = [c for c in plan.agencies if not pattern.match(c)]
    assert not bad, f"agency codes not matching ^[A-Z0-9_]+$: {bad}"
    assert all(a.code == c for c, a in plan.agencies.items())
    assert AGENCY_CODE_RE.pattern == pattern.pattern


def test_members_all_districts(plan):
    members = plan.members("ALL_DISTRICTS")
    assert len(members) == 18
    assert len(set(members)) == 18
    assert set(members) == {a.code for a in plan.by_kind("district")}


def test_members_province_contains_departments_and_districts(plan):
    province = set(plan.members("PROVINCE"))
    departments = {a.code for a in plan.by_kind("department")}
    districts = {a.code for a in plan.by_kind("district")}
    assert departments <= province, f"missing departments: {departments - province}"
    assert districts <= province, f"missing districts: {districts - province}"
    # Groups are expanded, never returned as members.
    assert not province & set(plan.groups)


def test_members_of_a_plain_agency_is_itself(plan):
    assert plan.members("SNV") == ["SNV"]


def test_resolve_keeps_specific_agency_next_to_groups(plan):
    text = "Sở Thông tin và Truyền thông; các Sở, ban, ngành, UBND cấp huyện"
    codes = resolve_agencies(text, plan.agencies)
    assert codes == ["STTTT", "ALL_DEPARTMENTS", "ALL_DISTRICTS"]
    assert plan.resolve(text) == codes


def test_resolve_longest_alias_wins(plan):
    # 'ubnd các huyện, thị xã, thành phố' contains 'các huyện, thị xã, thành phố'; one code only.
    assert resolve_agencies("UBND các huyện, thị xã, thành phố", plan.agencies) == ["ALL_DISTRICTS"]
    assert resolve_agencies("", plan.agencies) == []


# ---------------------------------------------------------------- rows as printed
def test_two_rows_printed_2_in_section_A_II(plan):
    rows = [t for t in plan.tasks if t.parent == "A.II" and t.stt == "2"]
    assert len(rows) == 2, [t.id for t in rows]
    assert rows[0].id != rows[1].id
    assert all(t.stt == "2" for t in rows)
    assert "tuyên truyền" in rows[0].task_vi.lower()
    assert "Báo Quảng Nam" in rows[1].task_vi


def test_group_rows_are_sections_or_subgroups(plan):
    for t in plan.tasks:
        if t.parent in ("A", "B"):
            assert ROMAN_RE.match(t.stt), f"{t.id}: section row with stt {t.stt!r}"
            assert t.kind == "group"


# ---------------------------------------------------------------- schedules
@pytest.mark.parametrize(
    "text, kind, due",
    [
        ("Quý II năm 2023", "due", "2023-06-30"),
        ("Quý II/2023", "due", "2023-06-30"),
        ("Quý IV/2023", "due", "2023-12-31"),
        ("Quý I năm 2024", "due", "2024-03-31"),
        ("Trong năm 2023", "due", "2023-12-31"),
        ("Thường xuyên", "recurring", None),
        ("Theo kế hoạch của Bộ Nội vụ", "external", None),
        ("Theo tiến độ cụ thể của từng nhiệm vụ", "external", None),
        ("", "none", None),
    ],
)
def test_parse_schedule(text, kind, due):
    got = parse_schedule(text)
    assert got["kind"] == kind
    assert got["due"] == due


def test_parse_schedule_rejects_unreadable_text():
    with pytest.raises(ValueError):
        parse_schedule("khi nào xong")


def test_stored_schedules_match_printed_text(plan):
    bad = []
    for t in plan.tasks:
        if t.schedule.get("inherited_from"):
            continue
        got = parse_schedule(t.schedule_vi)
        if (got["kind"], got["due"]) != (t.schedule["kind"], t.schedule.get("due")):
            bad.append((t.id, t.schedule_vi, got, t.schedule))
    assert not bad, "schedule does not match its printed text:\n" + "\n".join(map(str, bad))


def test_inherited_schedules_come_from_an_ancestor(plan):
    inherited = [t for t in plan.tasks if t.schedule.get("inherited_from")]
    assert inherited, "expected some rows that inherit their schedule"
    for t in inherited:
        src = t.schedule["inherited_from"]
        assert t.schedule_vi == "", f"{t.id} prints its own schedule but claims to inherit it"
        assert src in _ancestors(plan, t), f"{t.id}: inherited_from {src} is not an ancestor"
        parsed = parse_schedule(plan.task(src).schedule_vi)
        assert parsed["kind"] == t.schedule["kind"], t.id
        assert parsed["due"] == t.schedule["due"], t.id


# ---------------------------------------------------------------- indices
def test_par_baseline_field_points_sum_to_total(plan):
    fields = plan.indices["par_fields"]
    baseline = plan.indices["par_index"]["baseline"]
    assert baseline["year"] == plan.baseline_year == 2022 and {f["baseline"]["year"] for f in fields} == {2022}
    total = sum(f["baseline"]["pct"] * f["max_points"] for f in fields)
    printed = baseline["total_points"]["value"]
    assert printed == 80.91  # the plan (sources/ke-hoach-2023.txt): "... tỉnh Quảng Nam đạt 80.91 điểm"
    assert total == pytest.approx(80.91, abs=0.2), f"sum of baseline pct × max_points = {total:.3f}"


def test_indices_shape(plan):
    fields = plan.indices["par_fields"]
    factors = plan.indices["sipas_factors"]
    assert len(fields) == 8
    assert len(factors) == 5
    assert all(0 < f["baseline"]["pct"] <= 1 for f in fields)
    assert all(f["max_points"] > 0 for f in fields)


def test_index_sections_cover_the_plan_sections(plan):
    par_sections = {t.stt for t in plan.tasks if t.parent == "A"}
    sipas_sections = {t.stt for t in plan.tasks if t.parent == "B"}
    field_sections = [f["section"] for f in plan.indices["par_fields"]]
    assert len(set(field_sections)) == 8
    assert set(field_sections) | set(plan.indices["par_sections_without_field"]) == par_sections
    assert {f["section"] for f in plan.indices["sipas_factors"]} == sipas_sections


@pytest.mark.parametrize("key, count", [("par_fields", 8), ("sipas_factors", 5)])
def test_index_numbers_survive_yaml_parsing(plan, key, count):
    # YAML 1.1 (PyYAML) reads an unquoted key `no` as the boolean False, so `{no: 1, ...}` loses its name.
    rows = plan.indices[key]
    broken = [r for r in rows if "number" not in r]
    assert not broken, (
        f"indices.yaml {key}: {len(broken)} entries have no 'number' key after loading; keys seen: "
        f"{sorted(map(repr, broken[0].keys()))}. PyYAML parses the unquoted key `no` as False: "
        f"quote it ('no': 1) or rename it."
    )
    assert [r["number"] for r in rows] == list(range(1, count + 1))


def test_laggard_codes_exist(plan):
    laggards = plan.indices["laggards"]
    assert laggards
    unknown = []
    for lag in laggards:
        assert lag["task_id"] in {t.id for t in plan.tasks}
        for key in ("departments", "districts", "commune_groups"):
            unknown += [(lag["task_id"], c) for c in lag.get(key, []) if c not in plan.agencies]
    assert not unknown, f"laggard codes not in the registry: {unknown}"


def test_disbursement_laggards_are_twelve_and_twelve(plan):
    lag = next(x for x in plan.indices["laggards"] if x["task_id"] == "A.VII.1.1")
    assert len(lag["departments"]) == 12
    assert len(lag["districts"]) == 12


# ---------------------------------------------------------------- targets
def test_every_target_metric_is_defined(plan):
    missing = [(tg.task_id, tg.metric) for tg in plan.targets if tg.metric not in plan.metrics]
    assert not missing, f"targets whose metric is not in metrics.yaml: {missing}"


def _only_target(plan, task_id, metric=None):
    tgs = [tg for tg in plan.task(task_id).targets if metric is None or tg.metric == metric]
    assert len(tgs) == 1, f"{task_id}: expected one target, got {tgs}"
    return tgs[0]


@pytest.mark.parametrize(
    "task_id, value, scope",
    [("A.IV.4.1", 0.99, "each_department"), ("A.IV.4.2", 0.95, "each_district"), ("A.IV.4.3", 0.95, "each_commune")],
)
def test_ontime_targets(plan, task_id, value, scope):
    tg = _only_target(plan, task_id, "ontime_rate")
    assert tg.op == ">"
    assert tg.value == pytest.approx(value)
    assert tg.scope == scope
    assert tg.unit == "fraction"


def test_baseline_years(plan):
    a_v_3 = plan.task("A.V.3").targets
    assert a_v_3 and all(tg.baseline_year == 2021 for tg in a_v_3)
    tg = _only_target(plan, "A.IX.3")
    assert tg.baseline_year == 2022
    assert tg.value == pytest.approx(0.20)


def _target(op, value):
    return Target(task_id="T", metric="m", scope="province", op=op, value=value, unit="fraction", direction="higher")


@pytest.mark.parametrize(
    "op, value, yes, no",
    [
        (">", 0.95, [0.951, 1.0], [0.95, 0.9]),
        (">=", 0.8, [0.8, 0.81], [0.79]),
        ("<", 0.0, [-0.01], [0.0, 0.1]),
        ("<=", 5, [5, 4], [5.5]),
        ("==", 0, [0], [1, -1]),
    ],
)
def test_target_is_met_by(op, value, yes, no):
    tg = _target(op, value)
    for v in yes:
        assert tg.is_met_by(v), f"{v} {op} {value} should hold"
    for v in no:
        assert not tg.is_met_by(v), f"{v} {op} {value} should not hold"


def test_target_describe():
    assert _target(">", 0.99).describe("vi") == "> 99 %"
    assert _target(">=", 0.955).describe("vi") == "≥ 95,5 %"
    assert _target(">=", 0.955).describe("en") == "≥ 95.5 %"


# ---------------------------------------------------------------- text
def test_text_is_nfc(plan):
    bad = [
        (t.id, name)
        for t in plan.tasks
        for name in ("task_vi", "result_vi", "schedule_vi", "lead_vi", "coordinating_vi")
        if not unicodedata.is_normalized("NFC", getattr(t, name))
    ]
    assert not bad, f"text not NFC-normalised: {bad}"


def test_yaml_text_is_stored_nfc(plan):
    # load_plan() normalises; the files themselves should already be NFC so edits stay diff-clean.
    for name in ("tasks.yaml", "agencies.yaml", "indices.yaml", "plan.yaml", "communes.csv"):
        raw = (plan.folder / name).read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", raw), name


def test_every_row_has_english(plan):
    missing = [t.id for t in plan.tasks if not t.task_en.strip()]
    assert not missing, f"rows without task_en: {missing}"
    missing_result = [t.id for t in plan.tasks if t.result_vi.strip() and not t.result_en.strip()]
    assert not missing_result, f"rows with result_vi but no result_en: {missing_result}"


# ---------------------------------------------------------------- how a target is judged (issue 12)
def test_every_target_says_how_it_is_judged(plan):
    from parplan.catalogue import EACH_SCOPES, JUDGES

    assert all(tg.judge in JUDGES for tg in plan.targets)
    assert all(tg.scope in EACH_SCOPES for tg in plan.targets if tg.judge == "each")
    each = {(tg.task_id, tg.scope) for tg in plan.targets if tg.judge == "each"}
    # the plan binds every unit: 'CQCM cấp tỉnh ... trên 99%', 'mỗi cơ quan ... ít nhất 1 sáng kiến', '100% các sở ...'
    assert {("A.IV.4.1", "each_department"), ("A.IV.4.2", "each_district"), ("A.IV.4.3", "each_commune"),
            ("A.I.4", "each_agency"), ("A.VIII.2.1", "each_department"), ("A.VIII.2.1", "each_district")} <= each
    assert _only_target(plan, "A.IX.3").judge == "aggregate"
    # the PAR criterion scores the ratio of sums of A.IV.4.1–4.3 too: kept as a figure
    assert {tg.task_id for tg in plan.targets if tg.aggregate_figure} == {"A.IV.4.1", "A.IV.4.2", "A.IV.4.3"}


def test_who_each_agency_means(plan):
    a_i_4 = _only_target(plan, "A.I.4")
    assert a_i_4.units == ("ALL_DEPARTMENTS", "ALL_DISTRICTS")
    members = [m for u in a_i_4.units for m in plan.members(u)]
    assert len(members) == 37
    assert all(tg.units for tg in plan.targets if tg.scope == "each_agency" and tg.role == "target")


def test_pre_plan_disbursement_list_is_context(plan):
    tg = _only_target(plan, "A.VII.1.1")
    assert tg.role == "context" and "June 2023" in tg.reason
    assert [t.task_id for t in plan.targets if t.role == "context"] == ["A.VII.1.1"]


def test_targets_frame_has_the_design_columns(plan):
    from parplan.catalogue import targets_frame

    f = targets_frame(plan)
    design = ["task_id", "metric", "scope", "judge", "op", "value", "unit", "baseline_year", "direction"]
    assert [c for c in f.columns if c in design] == design
    assert len(f) == len(plan.targets) and set(f["judge"]) == {"each", "aggregate"}


@pytest.mark.parametrize("patch, message", [
    ({"judge": None}, "missing 'judge'"),
    ({"judge": "all"}, "expected each or aggregate"),
    ({"judge": "each", "scope": "province"}, "needs an each_* scope"),
    ({"role": "scored"}, "'role'"),
    ({"measurable": False}, "needs a 'reason'"),
    ({"scope": "each_agency", "units": ["NO_SUCH"]}, "unknown agency codes"),
    ({"units": ["SNV"]}, "only with scope each_agency"),
])
def test_bad_judge_fields_are_rejected_naming_file_task_and_value(plan, patch, message):
    from parplan.catalogue import CatalogueError, _load_agencies, _target

    d = {"metric": "ontime_rate", "scope": "province", "judge": "aggregate", "op": ">", "value": 0.9,
         "unit": "fraction", "direction": "higher"}
    d.update(patch)
    if d["judge"] is None:
        del d["judge"]
    with pytest.raises(CatalogueError, match=re.escape(message)) as e:
        _target("A.X.1", d, _load_agencies(plan.folder)[0])
    assert "tasks.yaml, A.X.1, target 'ontime_rate'" in str(e.value)
