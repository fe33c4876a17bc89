"""Dataset contracts: columns, types, allowed values, keys and Vietnamese headers, one YAML per dataset."""
from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlfile

HERE = Path(__file__).parent
TYPES = {"string", "category", "date", "bool", "int", "float"}
TRUE_WORDS = {"có", "x", "1", "true", "yes", "đúng", "c"}
FALSE_WORDS = {"không", "0", "false", "no", "k", ""}
PATH_SEP = "›"  # a header path: 'Đã giải quyết › Quá hạn' names the leaf 'Quá hạn' under 'Đã giải quyết'
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")  # zero-width spaces and BOM (not the soft hyphen: TCVN3 text uses its byte)


def parse_number(text: str, locale: str = "vi") -> float | None:
    """A number typed as text under a file's convention ('vi': '1.234,5', 'en': '1,234.5'); None when not a number.

    The convention is decided per file by parplan.inputs.numbers; 'vi' is the default.
    """
    from ..inputs.numbers import parse_number as parse

    return parse(text, locale)


@functools.lru_cache(maxsize=65536)
def header_key(text: str) -> str:
    """Normalise a header for matching: NFC, lower-case, single spaces, no trailing '*' or ':'."""
    t = unicodedata.normalize("NFC", INVISIBLE.sub("", str(text))).strip().lower()
    t = re.sub(r"[\u2010-\u2015]", "-", t)  # en/em dashes typed in Word or Excel
    t = re.sub(r"\s+", " ", t)
    return t.rstrip("*: ").strip()


def plain_key(text: str) -> str:
    """header_key without diacritics ('Đã giải quyết' -> 'da giai quyet'): for labels typed without them."""
    t = unicodedata.normalize("NFD", header_key(text).replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in t if not unicodedata.combining(c)))


def header_path(text: str) -> tuple[str, ...]:
    """A contract header as a path of normalised labels: 'A › B' and 'A - B' both give ('a', 'b')."""
    parts = re.split(rf"\s*{PATH_SEP}\s*|\s+-\s+", header_key(text))
    return tuple(p for p in (x.strip() for x in parts) if p)


@dataclass(frozen=True)
class Column:
    """One column of a dataset contract."""

    name: str
    type: str
    required: bool
    header_vi: str
    header_en: str
    values: dict[str, str] = field(default_factory=dict)
    regex: str | None = None
    same_as_file_agency: bool = False
    min: float | None = None
    max: float | None = None
    aliases: tuple[str, ...] = ()
    values_from: str | None = None  # agencies | tasks: allowed values come from the catalogue
    description_vi: str = ""
    personal: str | None = None  # personal data (ND 13/2023/NĐ-CP): name|phone|id|address|email|text, masked in reports
    fraction: bool = False  # a share stored as 0-1: '85%' is read as 0.85
    value_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> other accepted labels

    def allowed(self) -> dict[str, str]:
        """Allowed codes -> Vietnamese label (from the contract, or, for values_from, from the plan it was bound to)."""
        if self.values_from and not self.values:
            raise ValueError(f"cột {self.name}: danh sách giá trị lấy từ kế hoạch, cần load_contract(tên, plan) / column "
                             f"{self.name}: its values come from the plan ({self.values_from}): load the contract with "
                             f"load_contract(name, plan)")
        return dict(self.values)

    def bound(self, plan: Any) -> Column:
        """This column with the plan's agencies or tasks as its allowed values (unchanged without values_from)."""
        if self.values_from == "agencies":
            return dataclasses.replace(self, values={a.code: a.name_vi for a in plan.agencies.values()})
        if self.values_from == "tasks":
            return dataclasses.replace(self, values={t.id: t.id for t in plan.tasks if t.kind == "task"})
        return self

    def label_to_code(self) -> dict[str, str]:
        """Accepted spellings (code or Vietnamese/English label, normalised) -> code."""
        out = {}
        for code, label in self.allowed().items():
            out[header_key(code)] = code
            out[header_key(label)] = code
        for code, labels in self.value_aliases.items():
            for label in labels:
                out[header_key(label)] = code
        return out


@dataclass(frozen=True)
class Contract:
    """A dataset contract loaded from contracts/<name>.yaml."""

    name: str
    title_vi: str
    title_en: str
    submitters: tuple[str, ...]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[dict[str, Any], ...]

    def column(self, name: str) -> Column:
        """The column with this canonical name."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Canonical column names in contract order."""
        return [c.name for c in self.columns]

    def header_map(self) -> dict[str, str]:
        """Accepted header spellings (canonical, Vietnamese, English, aliases; normalised) -> canonical name."""
        out = {}
        for c in self.columns:
            for h in (c.name, c.header_vi, c.header_en, *c.aliases):
                out[header_key(h)] = c.name
        return out

    def header_paths(self) -> list[tuple[tuple[str, ...], str]]:
        """Every accepted header as a path of normalised labels, with its column (for multi-row headers)."""
        return [(header_path(h), c.name) for c in self.columns for h in (c.name, c.header_vi, c.header_en, *c.aliases)]

    def accepts_submitter(self, code: str, kind: str | None) -> bool:
        """Whether an agency (by code or kind) sends this dataset; submitters lists kinds or specific codes."""
        return code in self.submitters or (kind is not None and kind in self.submitters)


def load_contract(name: str, plan: Any = None) -> Contract:
    """Load one dataset contract by name; with a plan, columns whose values come from the plan get that plan's."""
    c = _load_contract(name)
    if plan is None or not any(col.values_from for col in c.columns):
        return c
    return dataclasses.replace(c, columns=tuple(col.bound(plan) for col in c.columns))


@functools.cache
def _load_contract(name: str) -> Contract:
    path = HERE / f"{name}.yaml"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.exists():
        raise KeyError(f"Không có hợp đồng dữ liệu / no data contract named {name!r}")
    d = yamlfile.load(path)
    paths = d.get("header_paths") or {}  # more accepted headers per column, as paths ('A › B'), e.g. official forms
    if set(paths) - {c["name"] for c in d["columns"]}:
        raise ValueError(f"{name}: header_paths for unknown columns {sorted(set(paths) - {c['name'] for c in d['columns']})}")
    cols = []
    for c in d["columns"]:
        if c["type"] not in TYPES:
            raise ValueError(f"{name}.{c['name']}: unknown type {c['type']}")
        cols.append(Column(
            name=c["name"], type=c["type"], required=bool(c.get("required")),
            header_vi=unicodedata.normalize("NFC", c["header_vi"]), header_en=c.get("header_en", c["name"]),
            values={k: unicodedata.normalize("NFC", v) for k, v in (c.get("values") or {}).items()},
            regex=c.get("regex"), same_as_file_agency=bool(c.get("same_as_file_agency")),
            min=c.get("min"), max=c.get("max"),
            aliases=tuple(unicodedata.normalize("NFC", a) for a in [*c.get("aliases", []), *paths.get(c["name"], [])]),
            values_from=c.get("values_from"), description_vi=c.get("description_vi", ""),
            personal=str(c["personal"]) if c.get("personal") else None,
            fraction=bool(c.get("fraction")),
            value_aliases={k: tuple(unicodedata.normalize("NFC", a) for a in v)
                           for k, v in (c.get("value_aliases") or {}).items()},
        ))
    return Contract(
        name=d["name"], title_vi=d["title_vi"], title_en=d["title_en"], submitters=tuple(d.get("submitters", [])),
        key=tuple(d.get("key", [])), columns=tuple(cols), rules=tuple(d.get("rules", [])),
    )


def available() -> list[str]:
    """Names of all dataset contracts shipped with parplan."""
    return sorted(p.stem for p in HERE.glob("*.yaml"))
