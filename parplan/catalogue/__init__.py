"""The plan as data: tasks, quantitative targets, agencies, PAR INDEX fields and SIPAS factors.

The YAML files beside this module are the source of truth; this module loads and checks them.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlfile

HERE = Path(__file__).parent
AGENCY_CODE_RE = re.compile(r"^[A-Z0-9_]+$")
OPS = {">", ">=", "<", "<=", "=="}
SCOPES = {
    "province", "each_department", "each_district", "each_commune", "each_agency",
    "each_record", "department_group", "district_group", "commune_group", "agency",
}
UNITS = {"fraction", "count", "working_days", "days", "percentage_points"}
DIRECTIONS = {"higher", "lower", "zero"}
JUDGES = {"each", "aggregate"}  # each: every unit in scope must meet it; aggregate: the ratio of sums decides
EACH_SCOPES = {"each_department", "each_district", "each_commune", "each_agency", "each_record"}
ROLES = {"target", "context"}   # context: shown, never scored (e.g. a pre-plan fact)
_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4}


class CatalogueError(ValueError):
    """The catalogue YAML breaks one of its own rules."""


def nfc(text: str) -> str:
    """NFC-normalise Vietnamese text (composed diacritics)."""
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- schedules
def parse_schedule(text: str, year: int = 2023) -> dict[str, Any]:
    """Parse a schedule as printed: due date, recurring, external schedule, or none."""
    s = nfc(text or "").strip()
    low = s.lower()
    if not s:
        return {"kind": "none", "due": None}
    m = re.search(r"quý\s+(iv|iii|ii|i)\s*(?:/|năm)\s*(\d{4})", low)
    if m:
        q, y = _ROMAN_Q[m.group(1).upper()], int(m.group(2))
        end = dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)
        return {"kind": "due", "due": (end - dt.timedelta(days=1)).isoformat()}
    m = re.search(r"trong năm\s+(\d{4})", low)
    if m:
        return {"kind": "due", "due": f"{int(m.group(1))}-12-31"}
    if low.startswith("thường xuyên"):
        return {"kind": "recurring", "due": None}
    if low.startswith("theo "):
        return {"kind": "external", "due": None}
    raise CatalogueError(f"Không đọc được tiến độ / unreadable schedule: {text!r}")


# ---------------------------------------------------------------- models
@dataclass(frozen=True)
class Agency:
    """One agency or group from the registry."""

    code: str
    kind: str
    name_vi: str
    name_en: str
    aliases: tuple[str, ...] = ()
    district: str | None = None
    vertical: bool = False
    unit_vi: str | None = None

    def name(self, lang: str = "vi") -> str:
        """Display name in the requested language."""
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class Target:
    """One quantitative target of a task."""

    task_id: str
    metric: str
    scope: str
    op: str
    value: float
    unit: str
    direction: str
    baseline_year: int | None = None
    text_vi: str = ""
    note: str = ""
    from_date: str | None = None
    as_of: str | None = None
    judge: str = "aggregate"
    units: tuple[str, ...] = ()
    role: str = "target"
    aggregate_figure: bool = False
    measurable: bool = True
    reason: str = ""

    @property
    def key(self) -> str:
        """The indicator id the target is measured on (targets from or at a date have their own)."""
        return self.metric + (f"@{self.from_date}" if self.from_date else f"@{self.as_of}" if self.as_of else "")

    def is_met_by(self, value: float) -> bool:
        """True when the value satisfies the target's operator and threshold."""
        return {
            ">": value > self.value, ">=": value >= self.value, "<": value < self.value,
            "<=": value <= self.value, "==": value == self.value,
        }[self.op]

    def describe(self, lang: str = "vi") -> str:
        """Short threshold text, e.g. '> 99 %'."""
        sym = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "==": "="}[self.op]
        if self.unit == "fraction":
            num = f"{self.value * 100:g}".replace(".", "," if lang == "vi" else ".")
            return f"{sym} {num} %"
        unit = {"count": "", "working_days": " ngày làm việc" if lang == "vi" else " working days",
                "days": " ngày" if lang == "vi" else " days", "percentage_points": " đ.p.t" if lang == "vi" else " pp"}[self.unit]
        return f"{sym} {self.value:g}{unit}"


@dataclass(frozen=True)
class Task:
    """One row of the plan's appendix."""

    id: str
    index: str
    field: str | None
    stt: str
    kind: str
    parent: str | None
    task_vi: str
    task_en: str
    schedule_vi: str
    schedule: dict[str, Any]
    lead_vi: str
    lead: tuple[str, ...]
    coordinating_vi: str
    coordinating: tuple[str, ...]
    result_vi: str
    result_en: str
    targets: tuple[Target, ...] = ()
    exempt_numbers: tuple[dict, ...] = ()


@dataclass
class Catalogue:
    """Everything the plan defines, loaded from the YAML files."""

    tasks: list[Task]
    agencies: dict[str, Agency]
    groups: dict[str, list[str]]
    indices: dict[str, Any]
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)

    def task(self, task_id: str) -> Task:
        """The task with this id (KeyError if none)."""
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    @property
    def targets(self) -> list[Target]:
        """Every quantitative target, in plan order."""
        return [tg for t in self.tasks for tg in t.targets]

    def members(self, code: str) -> list[str]:
        """Expand a group code to the agency codes in it (an agency expands to itself)."""
        if code not in self.groups:
            return [code]
        out: list[str] = []
        for m in self.groups[code]:
            for c in self.members(m):
                if c not in out:
                    out.append(c)
        return out

    def by_kind(self, kind: str) -> list[Agency]:
        """Agencies of one kind (department, district, commune_group, provincial_body, group)."""
        return [a for a in self.agencies.values() if a.kind == kind]

    def resolve(self, text: str) -> list[str]:
        """Resolve free Vietnamese text naming agencies to registry codes (longest alias first)."""
        return resolve_agencies(text, self.agencies)


def resolve_agencies(text: str, agencies: dict[str, Agency]) -> list[str]:
    """Find every registry alias in the text; longer aliases win over the shorter ones they contain."""
    low = nfc(text or "").lower()
    aliases = sorted(
        ((al, a.code) for a in agencies.values() for al in a.aliases), key=lambda p: -len(p[0])
    )
    taken = [False] * len(low)
    hits: list[tuple[int, str]] = []
    for alias, code in aliases:
        for m in re.finditer(re.escape(alias), low):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            hits.append((m.start(), code))
    out: list[str] = []
    for _, code in sorted(hits):
        if code not in out:
            out.append(code)
    return out


# ---------------------------------------------------------------- loading
def _read(name: str) -> Any:
    return yamlfile.load(HERE / name)


def _load_agencies() -> tuple[dict[str, Agency], dict[str, list[str]]]:
    raw = _read("agencies.yaml")
    agencies: dict[str, Agency] = {}

    def add(a: Agency) -> None:
        if not AGENCY_CODE_RE.match(a.code):
            raise CatalogueError(f"agency code {a.code!r} is not ASCII upper-case [A-Z0-9_]")
        if a.code in agencies:
            raise CatalogueError(f"duplicate agency code {a.code}")
        agencies[a.code] = a

    for d in raw["departments"]:
        add(Agency(d["code"], "department", nfc(d["name_vi"]), d["name_en"], tuple(map(nfc, d.get("aliases", ())))))
    for d in raw["provincial_bodies"]:
        add(Agency(d["code"], "provincial_body", nfc(d["name_vi"]), d["name_en"],
                   tuple(map(nfc, d.get("aliases", ()))), vertical=bool(d.get("vertical"))))
    for d in raw["districts"]:
        name = nfc(d["name_vi"])
        unit = nfc(d["unit_vi"])
        aliases = (name.lower(), f"{unit} {name}".lower())
        add(Agency(d["code"], "district", name, d["name_en"], aliases, unit_vi=unit))
        add(Agency(f"XA_{d['code']}", "commune_group", f"Các xã thuộc {unit} {name}",
                   f"Communes of {d['name_en']}", (f"một số xã thuộc huyện {name.lower()}",), district=d["code"]))
    for d in raw.get("communes") or ():  # optional: the commune list of the plan's year (kind 'commune')
        add(Agency(d["code"], "commune", nfc(d["name_vi"]), d.get("name_en", d["name_vi"]),
                   tuple(map(nfc, d.get("aliases", ()))), district=d.get("district")))
    groups: dict[str, list[str]] = {}
    for g in raw["groups"]:
        add(Agency(g["code"], "group", nfc(g["name_vi"]), g["name_en"], tuple(map(nfc, g.get("aliases", ())))))
        members = g["members"]
        if members == "departments":
            members = [a.code for a in agencies.values() if a.kind == "department"]
        elif members == "districts":
            members = [a.code for a in agencies.values() if a.kind == "district"]
        elif members == "commune_groups":
            members = [a.code for a in agencies.values() if a.kind == "commune_group"]
        elif members == "vertical":
            members = [a.code for a in agencies.values() if a.vertical]
        groups[g["code"]] = list(members)
    for g, ms in groups.items():
        for m in ms:
            if m not in agencies:
                raise CatalogueError(f"group {g} names unknown member {m}")
    return agencies, groups


def _target(task_id: str, d: dict[str, Any], agencies: dict[str, Agency] | None = None) -> Target:
    where = f"tasks.yaml, {task_id}, target {d.get('metric')!r}"
    if "judge" not in d:
        raise CatalogueError(f"{where}: thiếu 'judge' (each | aggregate) / missing 'judge': say whether the target "
                             f"binds each unit in its scope (each) or the aggregate (aggregate)")
    if d["judge"] not in JUDGES:
        raise CatalogueError(f"{where}: 'judge' = {d['judge']!r}, phải là each hoặc aggregate / expected each or "
                             f"aggregate")
    if d["judge"] == "each" and d.get("scope") not in EACH_SCOPES:
        raise CatalogueError(f"{where}: judge 'each' cần phạm vi each_* / needs an each_* scope, found "
                             f"{d.get('scope')!r}")
    if d.get("role", "target") not in ROLES:
        raise CatalogueError(f"{where}: 'role' = {d['role']!r}, expected one of {sorted(ROLES)}")
    if d.get("measurable", True) is False and not d.get("reason"):
        raise CatalogueError(f"{where}: measurable: false cần 'reason' / needs a 'reason'")
    units = tuple(d.get("units") or ())
    if agencies is not None:
        unknown = [u for u in units if u not in agencies]
        if unknown:
            raise CatalogueError(f"{where}: 'units' có mã không có trong danh mục / unknown agency codes {unknown}")
    if units and d.get("scope") != "each_agency":
        raise CatalogueError(f"{where}: 'units' chỉ dùng với each_agency / only with scope each_agency, found "
                             f"{d.get('scope')!r}")
    t = Target(
        task_id=task_id, metric=d["metric"], scope=d["scope"], op=d["op"], value=float(d["value"]),
        unit=d["unit"], direction=d["direction"], baseline_year=d.get("baseline_year"),
        text_vi=nfc(d.get("text_vi", "")), note=d.get("note", ""), from_date=d.get("from_date"),
        as_of=d.get("as_of"), judge=d["judge"], units=units, role=d.get("role", "target"),
        aggregate_figure=bool(d.get("aggregate_figure", False)), measurable=bool(d.get("measurable", True)),
        reason=d.get("reason", ""),
    )
    problems = []
    if t.op not in OPS:
        problems.append(f"op {t.op!r}")
    if t.scope not in SCOPES:
        problems.append(f"scope {t.scope!r}")
    if t.unit not in UNITS:
        problems.append(f"unit {t.unit!r}")
    if t.direction not in DIRECTIONS:
        problems.append(f"direction {t.direction!r}")
    if problems:
        raise CatalogueError(f"{task_id}: target {t.metric}: invalid {', '.join(problems)}")
    return t


def _load_tasks(agencies: dict[str, Agency]) -> list[Task]:
    tasks: list[Task] = []
    seen: set[str] = set()
    for d in _read("tasks.yaml")["tasks"]:
        tid = d["id"]
        if tid in seen:
            raise CatalogueError(f"duplicate task id {tid}")
        seen.add(tid)
        for code in list(d.get("lead", [])) + list(d.get("coordinating", [])):
            if code not in agencies:
                raise CatalogueError(f"{tid}: unknown agency code {code}")
        tasks.append(Task(
            id=tid, index=d["index"], field=d.get("field"), stt=str(d.get("stt", "")), kind=d["kind"],
            parent=d.get("parent"), task_vi=nfc(d["task_vi"]), task_en=d.get("task_en", ""),
            schedule_vi=nfc(d.get("schedule_vi", "")), schedule=dict(d["schedule"]),
            lead_vi=nfc(d.get("lead_vi", "")), lead=tuple(d.get("lead", [])),
            coordinating_vi=nfc(d.get("coordinating_vi", "")), coordinating=tuple(d.get("coordinating", [])),
            result_vi=nfc(d.get("result_vi", "")), result_en=d.get("result_en", ""),
            targets=tuple(_target(tid, t, agencies) for t in d.get("targets", [])),
            exempt_numbers=tuple(d.get("exempt_numbers", [])),
        ))
    return tasks


@functools.lru_cache(maxsize=1)
def load() -> Catalogue:
    """Load and check the whole catalogue (cached)."""
    agencies, groups = _load_agencies()
    tasks = _load_tasks(agencies)
    metrics = {m["id"]: m for m in _read("metrics.yaml")["metrics"]}
    for t in tasks:
        for tg in t.targets:
            if tg.metric not in metrics:
                raise CatalogueError(f"{t.id}: metric {tg.metric} is not defined in metrics.yaml")
    return Catalogue(tasks=tasks, agencies=agencies, groups=groups, indices=_read("indices.yaml"), metrics=metrics)


def tasks_frame(cat: Catalogue | None = None, lang: str = "vi"):
    """One row per appendix row with the docs/design.md §4 export columns."""
    import pandas as pd

    cat = cat or load()
    rows = []
    for t in cat.tasks:
        rows.append({
            "id": t.id, "index": t.index, "field": t.field or "", "stt": t.stt, "kind": t.kind,
            "parent": t.parent or "", "task_vi": t.task_vi, "task_en": t.task_en,
            "schedule_vi": t.schedule_vi, "schedule_kind": t.schedule["kind"],
            "due": t.schedule.get("due") or "", "schedule_inherited_from": t.schedule.get("inherited_from") or "",
            "lead": ";".join(t.lead), "lead_vi": t.lead_vi, "coordinating": ";".join(t.coordinating),
            "coordinating_vi": t.coordinating_vi, "result_vi": t.result_vi, "result_en": t.result_en,
            "n_targets": len(t.targets),
        })
    return pd.DataFrame(rows)


def targets_frame(cat: Catalogue | None = None):
    """One row per quantitative target with the docs/design.md §4 export columns."""
    import pandas as pd

    cat = cat or load()
    rows = [{
        "task_id": tg.task_id, "metric": tg.metric, "scope": tg.scope, "judge": tg.judge, "op": tg.op,
        "value": tg.value, "unit": tg.unit, "baseline_year": tg.baseline_year if tg.baseline_year is not None else "",
        "direction": tg.direction, "from_date": tg.from_date or "", "as_of": tg.as_of or "",
        "units": ";".join(tg.units), "role": tg.role, "aggregate_figure": tg.aggregate_figure,
        "measurable": tg.measurable, "reason": tg.reason, "text_vi": tg.text_vi, "note": tg.note,
    } for tg in cat.targets]
    return pd.DataFrame(rows, columns=["task_id", "metric", "scope", "judge", "op", "value", "unit", "baseline_year",
                                       "direction", "from_date", "as_of", "units", "role", "aggregate_figure",
                                       "measurable", "reason", "text_vi", "note"])
