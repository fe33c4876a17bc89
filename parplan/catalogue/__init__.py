"""The plan as data: tasks, quantitative targets, agencies, PAR INDEX fields and SIPAS factors.

One plan per year lives in `plans/<year>/` (plan.yaml, tasks.yaml, agencies.yaml, communes.csv, indices.yaml,
par_scoring.yaml, references/, sources/). `load_plan(year)` reads and checks one; nothing here is a module-level
plan. The metric definitions (metrics.yaml) and the status method (method.yaml) beside this module are shared by
every plan; a plan may add metrics of its own in `plans/<year>/metrics.yaml`.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlfile

HERE = Path(__file__).parent
PLANS_ENV = "PARPLAN_PLANS"  # another folder of plans (tests, a department's own copy, a render worker's run)
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
SHORT_FIELDS = ("short_vi", "short_en")  # a task's short text, shown beside its id (written by hand)
SHORT_MAX_WORDS = 12
_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4}


class CatalogueError(ValueError):
    """The catalogue YAML breaks one of its own rules."""


class PlanNotFound(CatalogueError):
    """No plan folder for the year asked for."""


def nfc(text: str) -> str:
    """NFC-normalise Vietnamese text (composed diacritics)."""
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- schedules
def parse_schedule(text: str) -> dict[str, Any]:
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
        """Short threshold text, e.g. '> 99 %' or '≥ 5 ngày làm việc' (number formats and unit words from the UI
        catalogue: `format.threshold_<unit>`)."""
        from ..report import fmt, i18n

        sym = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "==": "="}[self.op]
        if self.unit == "fraction":
            value = fmt.number(self.value * 100, lang, _decimals(self.value * 100))
        else:
            value = fmt.number(self.value, lang, _decimals(self.value))
        return i18n.t(f"format.threshold_{self.unit}", lang, op=sym, value=value)


def _decimals(x: float) -> int:
    """How many decimals a threshold is written with (99 -> 0, 99.5 -> 1): as many as it has, at most 3."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


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
    short_vi: str = ""
    short_en: str = ""

    def short(self, lang: str = "vi") -> str:
        """The task's short text in `lang` (≤ 12 words, the words shown beside its id); its full text if it has none."""
        if f"short_{lang}" not in SHORT_FIELDS:
            raise ValueError(f"Không có tên ngắn bằng ngôn ngữ {lang!r} / no short text in language {lang!r}; "
                             f"expected one of {[f.split('_', 1)[1] for f in SHORT_FIELDS]}")
        return getattr(self, f"short_{lang}") or getattr(self, f"task_{lang}")


@dataclass
class Plan:
    """Everything one year's plan defines, loaded from `plans/<year>/`."""

    tasks: list[Task]
    agencies: dict[str, Agency]
    groups: dict[str, list[str]]
    indices: dict[str, Any]
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    year: int = 0
    folder: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline_year(self) -> int:
        """The year of the published results the plan starts from."""
        return int(self.meta["baseline_year"])

    @property
    def references(self) -> Path:
        """The folder of published reference figures this plan relies on (each row with its publication date)."""
        return self.folder / "references"

    def title(self, lang: str = "vi", short: bool = False) -> str:
        """The plan's title as the plan data gives it."""
        return self.meta[("short_title_" if short else "title_") + lang]

    def expected(self, quarter: int) -> dict[str, list[str]]:
        """Datasets expected in quarter 1..4 of the plan's year and who must submit each (plan.yaml `expected`)."""
        return _expected(self.meta, quarter)

    def digest(self) -> str:
        """Digest of every file of the plan's folder: a change of plan invalidates what was computed from it."""
        import hashlib

        h = hashlib.sha256(str(self.year).encode())
        for p in sorted(self.folder.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(self.folder)).encode())
                h.update(p.read_bytes())
        return h.hexdigest()

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


def _expected(meta: dict[str, Any], quarter: int) -> dict[str, list[str]]:
    """plan.yaml `expected` for one quarter: every_quarter, overridden by that quarter's own entries."""
    exp = meta.get("expected") or {}
    out = {k: list(v or []) for k, v in (exp.get("every_quarter") or {}).items()}
    out.update({k: list(v or []) for k, v in (exp.get(f"Q{quarter}") or {}).items()})
    return out


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
def plans_root(root: Path | str | None = None) -> Path:
    """The folder holding one sub-folder per plan year: the argument, else $PARPLAN_PLANS, else the project's plans/
    (the project found by store.find_root)."""
    if root or os.environ.get(PLANS_ENV):
        return Path(root or os.environ[PLANS_ENV])
    from ..store import Store

    return Store.at().plans_dir


def project_plans(project: Path | str) -> Path | None:
    """A project folder's own plans (its store's plans/) when it has one, else None (the default folder is used)."""
    from ..store import Store

    p = Store(Path(project)).plans_dir
    return p if p.is_dir() else None


def available_plans(root: Path | str | None = None) -> list[int]:
    """The years that have a plan (a plans/<year>/plan.yaml)."""
    base = plans_root(root)
    return sorted(int(p.parent.name) for p in base.glob("*/plan.yaml") if p.parent.name.isdigit())


def _load_agencies(folder: Path) -> tuple[dict[str, Agency], dict[str, list[str]]]:
    raw = yamlfile.load(folder / "agencies.yaml")
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


def _short_texts(where: Path, tid: str, d: dict[str, Any], required: bool) -> dict[str, str]:
    """A task's short_vi/short_en, checked: present when required (an adopted plan), at most SHORT_MAX_WORDS words."""
    out = {}
    for key in SHORT_FIELDS:
        text = d.get(key)
        if text is None or (isinstance(text, str) and not text.strip()):
            if required:
                raise CatalogueError(
                    f"{where}, {tid}: thiếu '{key}' (tên ngắn viết tay, tối đa {SHORT_MAX_WORDS} từ); kế hoạch đã ban "
                    f"hành phải có / missing '{key}' (a short text written by hand, at most {SHORT_MAX_WORDS} "
                    f"words); an adopted plan must have one")
            text = ""
        if not isinstance(text, str):
            raise CatalogueError(f"{where}, {tid}, {key}: {text!r} không phải là văn bản / is not text")
        words = len(text.split())
        if words > SHORT_MAX_WORDS:
            raise CatalogueError(f"{where}, {tid}, {key}: {words} từ, tối đa {SHORT_MAX_WORDS} / {words} words, "
                                 f"expected at most {SHORT_MAX_WORDS}: {text!r}")
        out[key] = nfc(text.strip())
    return out


def _load_tasks(folder: Path, agencies: dict[str, Agency], require_short: bool = True) -> list[Task]:
    tasks: list[Task] = []
    seen: set[str] = set()
    for d in yamlfile.load(folder / "tasks.yaml")["tasks"]:
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
            **_short_texts(folder / "tasks.yaml", tid, d, require_short),
        ))
    return tasks


PLAN_KEYS = {"year", "baseline_year", "status", "title_vi", "title_en", "short_title_vi", "short_title_en", "source",
             "issued", "goal", "expected"}
PLAN_STATUSES = {"adopted", "skeleton"}


def shared_metrics() -> dict[str, dict[str, Any]]:
    """The metric definitions every plan shares (catalogue/metrics.yaml)."""
    return {m["id"]: m for m in yamlfile.load(HERE / "metrics.yaml")["metrics"]}


def _check_meta(folder: Path, year: int, meta: Any) -> dict[str, Any]:
    where = folder / "plan.yaml"
    if not isinstance(meta, dict):
        raise CatalogueError(f"{where}: phải là một bảng khóa: giá trị / must be a mapping")
    missing = sorted((PLAN_KEYS - {"expected"}) - set(meta))
    unknown = sorted(set(meta) - PLAN_KEYS)
    if missing or unknown:
        raise CatalogueError(f"{where}: thiếu khóa {missing} / missing keys {missing}; khóa lạ / unknown keys {unknown}")
    if meta["year"] != year:
        raise CatalogueError(f"{where}: ghi year: {meta['year']} nhưng thư mục là {year} / says year {meta['year']} "
                             f"but its folder is {year}")
    if meta["status"] not in PLAN_STATUSES:
        raise CatalogueError(f"{where}: status {meta['status']!r}, phải là / expected one of {sorted(PLAN_STATUSES)}")
    return meta


@functools.lru_cache(maxsize=8)
def _load_plan(folder: Path, year: int) -> Plan:
    meta = _check_meta(folder, year, yamlfile.load(folder / "plan.yaml"))
    agencies, groups = _load_agencies(folder)
    tasks = _load_tasks(folder, agencies, require_short=meta["status"] == "adopted")
    metrics = shared_metrics()
    own = folder / "metrics.yaml"
    if own.exists():  # a plan's own metrics: new ids only (a shared definition is never redefined by one plan)
        for m in yamlfile.load(own)["metrics"]:
            if m["id"] in metrics:
                raise CatalogueError(f"{own}: chỉ số {m['id']} đã có trong danh mục chung / metric {m['id']} is already "
                                     f"defined in the shared metrics.yaml")
            metrics[m["id"]] = m
    for t in tasks:
        for tg in t.targets:
            if tg.metric not in metrics:
                raise CatalogueError(f"{t.id}: metric {tg.metric} is not defined in metrics.yaml")
    for q in range(1, 5):
        for ds, who in _expected(meta, q).items():
            unknown = [c for c in who if c not in agencies]
            if unknown:
                raise CatalogueError(f"{folder / 'plan.yaml'}: expected.{ds} có mã lạ / unknown agency codes {unknown}")
    return Plan(tasks=tasks, agencies=agencies, groups=groups, indices=yamlfile.load(folder / "indices.yaml"),
                metrics=metrics, year=year, folder=folder, meta=meta)


def load_plan(year: int | str, root: Path | str | None = None) -> Plan:
    """Load and check the plan of one year from plans/<year>/ (PlanNotFound, listing the plans there are, if none)."""
    base = plans_root(root)
    folder = (base / str(int(year))).resolve()
    if not (folder / "plan.yaml").is_file():
        have = ", ".join(map(str, available_plans(base))) or "không có / none"
        raise PlanNotFound(
            f"Chưa có kế hoạch năm {year} (thư mục plans/{year}/). Các kế hoạch hiện có: {have}. Thêm kế hoạch theo "
            f"hướng dẫn trong README.md. / No plan for {year} (no plans/{year}/plan.yaml). Plans there are: {have}. "
            f"See README.md, 'Adding a plan'.")
    return _load_plan(folder, int(year))


def plan_for(quarter: Any, root: Path | str | None = None) -> Plan:
    """The plan a quarter is judged against: the plan of the quarter's year."""
    from ..periods import Quarter

    return load_plan(Quarter.parse(quarter).year, root)


def quarter_plan(quarter: Any, plan: Plan | None = None, root: Path | str | None = None) -> Plan:
    """The plan a quarter is judged against: the one given (it must be of the quarter's year), else its year's."""
    from ..periods import Quarter

    q = Quarter.parse(quarter)
    plan = plan if plan is not None else load_plan(q.year, root)
    if plan.year != q.year:
        raise ValueError(f"Quý {q} không thuộc kế hoạch năm {plan.year} / quarter {q} is not in the {plan.year} plan")
    return plan


def tasks_frame(cat: Plan, lang: str = "vi"):
    """One row per appendix row with the docs/design.md §4 export columns."""
    import pandas as pd

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


def targets_frame(cat: Plan):
    """One row per quantitative target with the docs/design.md §4 export columns."""
    import pandas as pd

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
