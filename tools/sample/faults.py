"""The sample's planted faults, declared in tools/sample/faults.yaml, and how each kind is planted in a file's rows.

A fault names a quarter number (planted in that quarter of every generated year, or `every`), a dataset, an agency
(the file), a kind with its parameters, and the finding it is expected to cause (`expect`). The generators call
`plant` on a file's rows (canonical column names, before the cells are typed) just before writing it; the dossier
generator also asks `missing_columns` and `commune_faults`. The kinds are listed in faults.yaml's header.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from parplan import yamlfile
from parplan.periods import Quarter

FAULTS_FILE = Path(__file__).with_name("faults.yaml")
EVERY = "every"
COMMON = {"id", "quarter", "dataset", "agency", "kind", "expect", "what"}
PARAMS = {  # kind -> the keys it takes besides COMMON
    "set": {"row", "set"}, "add": {"row", "add"}, "swap": {"row", "swap"}, "move": {"move"},
    "extra_row": {"values"}, "received_after_quarter_end": {"row", "days", "due_days"},
    "without_column": {"column"}, "commune_name": {"commune", "share", "written"},
}
VERDICTS = {"rejected", "accepted_with_warnings", "accepted"}


class FaultError(ValueError):
    """faults.yaml declares something the generator cannot plant."""


@dataclass(frozen=True)
class Fault:
    """One planted fault: where (quarter number or every, dataset, agency), what (kind, params), what it causes."""

    id: str
    quarter: int | None  # None: every quarter
    dataset: str
    agency: str
    kind: str
    params: dict[str, Any] = field(hash=False)
    expect: dict[str, Any] = field(hash=False)
    what: str = ""

    def applies(self, q: Quarter, dataset: str, agency: str) -> bool:
        """Whether the fault is planted in this quarter's file of this dataset and agency."""
        return (self.dataset, self.agency) == (dataset, agency) and self.quarter in (None, q.q)


def _fault(entry: Any, n: int, path: Path) -> Fault:
    where = f"{path.name}, mục {n} / entry {n}"
    if not isinstance(entry, dict):
        raise FaultError(f"{where}: cần một bảng khoá: giá trị / expected a mapping, found {entry!r}")
    kind = entry.get("kind")
    if kind not in PARAMS:
        raise FaultError(f"{where} ({entry.get('id')}): kind {kind!r} không có / unknown kind {kind!r}; "
                         f"expected one of {sorted(PARAMS)}")
    missing = sorted(((COMMON - {"what"}) | PARAMS[kind]) - set(entry))
    extra = sorted(set(entry) - COMMON - PARAMS[kind])
    if missing or extra:
        raise FaultError(f"{where} ({entry.get('id')}): thiếu / missing {missing}, thừa / not expected {extra} "
                         f"for kind {kind}")
    quarter = entry["quarter"]
    if not (quarter == EVERY or quarter in (1, 2, 3, 4)):
        raise FaultError(f"{where} ({entry['id']}): quarter {quarter!r}; expected 1-4 or {EVERY!r}")
    if (kind == "commune_name") != (quarter == EVERY):
        raise FaultError(f"{where} ({entry['id']}): quarter {quarter!r}: a commune name is written for the whole "
                         f"year, so kind commune_name and only it takes quarter {EVERY!r}")
    if not isinstance(entry["expect"], dict) or entry["expect"].get("verdict") not in VERDICTS:
        raise FaultError(f"{where} ({entry['id']}): expect {entry['expect']!r}; expected a verdict, one of "
                         f"{sorted(VERDICTS)}")
    params = {k: v for k, v in entry.items() if k not in COMMON}
    return Fault(str(entry["id"]), None if quarter == EVERY else int(quarter), str(entry["dataset"]),
                 str(entry["agency"]), kind, params, dict(entry["expect"]), str(entry.get("what", "")))


@cache
def load_faults() -> tuple[Fault, ...]:
    """Every fault declared in tools/sample/faults.yaml, in file order (read once)."""
    return read_faults(FAULTS_FILE)


def read_faults(path: Path) -> tuple[Fault, ...]:
    """Every fault a faults file declares, in file order; FaultError (vi/en) for one that cannot be planted."""
    raw = yamlfile.load(path)
    faults = tuple(_fault(e, i, path) for i, e in enumerate((raw or {}).get("faults") or [], 1))
    ids = [f.id for f in faults]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise FaultError(f"{path.name}: id lặp lại / duplicate ids {dup}")
    return faults


def faults_for(q: Quarter, dataset: str, agency: str) -> list[Fault]:
    """The faults planted in one file: this quarter's, this dataset's, this agency's."""
    return [f for f in load_faults() if f.applies(q, dataset, agency)]


def missing_columns(q: Quarter, dataset: str, agency: str) -> set[str]:
    """Columns a file leaves out (kind without_column: an older export)."""
    return {f.params["column"] for f in faults_for(q, dataset, agency) if f.kind == "without_column"}


def commune_faults() -> list[Fault]:
    """The commune names written wrong in the dossiers (kind commune_name), in file order."""
    return [f for f in load_faults() if f.kind == "commune_name"]


def _value(v: Any, q: Quarter) -> Any:
    """A declared value; a text one with {year}, {quarter} or {next_quarter} filled in for the file's quarter."""
    if isinstance(v, str):
        return v.format(year=q.year, quarter=str(q), next_quarter=str(q.next()))
    return v


def _row(f: Fault, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The row a fault selects (`row`: number from 1, last, middle, or where: {column: value})."""
    sel = f.params.get("row")
    if sel == "last":
        i = len(rows) - 1
    elif sel == "middle":
        i = len(rows) // 2
    elif isinstance(sel, dict) and isinstance(sel.get("where"), dict):
        i = next((k for k, r in enumerate(rows) if all(r.get(c) == v for c, v in sel["where"].items())), -1)
    elif isinstance(sel, int) and sel >= 1:
        i = sel - 1
    else:
        raise FaultError(f"{FAULTS_FILE.name} ({f.id}): row {sel!r}; expected a number from 1, last, middle or "
                         f"where: {{column: value}}")
    if not 0 <= i < len(rows):
        raise FaultError(f"{FAULTS_FILE.name} ({f.id}): row {sel!r} not in this file ({len(rows)} rows) / không có dòng")
    return rows[i]


def _set(f: Fault, rows: list[dict], q: Quarter, agency: str) -> None:
    _row(f, rows).update({c: _value(v, q) for c, v in f.params["set"].items()})


def _add(f: Fault, rows: list[dict], q: Quarter, agency: str) -> None:
    r = _row(f, rows)
    for c, n in f.params["add"].items():
        r[c] += n


def _swap(f: Fault, rows: list[dict], q: Quarter, agency: str) -> None:
    r = _row(f, rows)
    a, b = f.params["swap"]
    if r[a] == r[b]:
        raise FaultError(f"{FAULTS_FILE.name} ({f.id}): {a} = {b} = {r[a]!r} in {q}: swapping them plants nothing")
    r[a], r[b] = r[b], r[a]


def _move(f: Fault, rows: list[dict], q: Quarter, agency: str) -> None:
    m = f.params["move"]
    src, dst, left = m["from"], m["to"], int(m["count"])
    if sum(r[src] for r in rows) < left:
        raise FaultError(f"{FAULTS_FILE.name} ({f.id}): {agency} {q} has fewer than {left} {src} to move")
    for r in rows:
        k = min(left, r[src])
        r[src] -= k
        r[dst] += k
        left -= k


def _extra_row(f: Fault, rows: list[dict], q: Quarter, agency: str) -> None:
    rows.append({"agency_code": agency} | {c: _value(v, q) for c, v in f.params["values"].items()})


def _received_after_quarter_end(f: Fault, rows: list[dict], q: Quarter, agency: str) -> None:
    late = q.end + dt.timedelta(days=int(f.params["days"]))
    _row(f, rows).update(received_date=late, due_date=late + dt.timedelta(days=int(f.params["due_days"])),
                         completed_date=None, status="pending")


def _not_in_rows(f: Fault, rows: list[dict], q: Quarter, agency: str) -> None:
    """Kinds planted elsewhere (the columns written, the commune names drawn): nothing to do to the rows."""


PLANT: dict[str, Callable[[Fault, list[dict], Quarter, str], None]] = {
    "set": _set, "add": _add, "swap": _swap, "move": _move, "extra_row": _extra_row,
    "received_after_quarter_end": _received_after_quarter_end,
    "without_column": _not_in_rows, "commune_name": _not_in_rows,
}


def plant(q: Quarter, dataset: str, agency: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The file's rows with its declared faults planted, in faults.yaml order (rows are changed in place)."""
    for f in faults_for(q, dataset, agency):
        PLANT[f.kind](f, rows, q, agency)
    return rows


def expected(q: Quarter, dataset: str, agency: str) -> tuple[str, set[str]]:
    """What validation says about one file: the worst declared verdict and the rules its faults cause."""
    found = [f.expect for f in faults_for(q, dataset, agency)]
    order = ["accepted", "accepted_with_warnings", "rejected"]
    verdict = max((e["verdict"] for e in found), key=order.index, default="accepted")
    return verdict, {e["rule"] for e in found if e.get("rule")}
