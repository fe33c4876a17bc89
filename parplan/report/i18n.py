"""The UI's translation catalogues: one YAML file per language in `report/locales/`, the only source of UI strings.

A catalogue maps dotted keys (`overview.title`, `status.on_track`) to texts; texts may hold `{name}` fields filled
by `t(key, lang, name=...)`. The languages are the catalogue files present (`languages()`), the first being the
default named by each catalogue's `meta.default: true`. A key missing from the page's language is an error
(`MissingKey`, Vietnamese and English), never a silent fallback to another language or to the key itself.
"""
from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LOCALES = Path(__file__).with_name("locales")


class MissingKey(KeyError):
    """A UI string that the page's catalogue does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "missing key"


class UnknownLanguage(ValueError):
    """A page language without a catalogue file."""


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in tree.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = unicodedata.normalize("NFC", v) if isinstance(v, str) else v
    return out


@cache
def _load(folder: str, lang: str) -> dict[str, Any]:
    path = Path(folder) / f"{lang}.yaml"
    if not path.exists():
        raise UnknownLanguage(f"Không có bảng dịch giao diện cho ngôn ngữ {lang!r} ({path.name}) / no UI catalogue "
                              f"for language {lang!r}; có / available: {', '.join(languages(Path(folder)))}")
    tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(tree, dict):
        raise ValueError(f"{path}: bảng dịch phải là một ánh xạ YAML / a catalogue must be a YAML mapping")
    return _flatten(tree)


def languages(folder: Path | None = None) -> tuple[str, ...]:
    """The UI languages: one per catalogue file, the default (`meta.default: true`) first, then by name."""
    folder = Path(folder or LOCALES)
    langs = sorted(p.stem for p in folder.glob("*.yaml"))
    default = [x for x in langs if _load(str(folder), x).get("meta.default") is True]
    return tuple(default + [x for x in langs if x not in default])


def default_language(folder: Path | None = None) -> str:
    """The language a page is written in when none is asked for."""
    return languages(folder)[0]


def catalogue(lang: str, folder: Path | None = None) -> dict[str, Any]:
    """Every key of one language's catalogue (flattened), as read from its file."""
    return _load(str(Path(folder or LOCALES)), lang)


def has(key: str, lang: str, folder: Path | None = None) -> bool:
    """Whether the language's catalogue holds the key."""
    return key in catalogue(lang, folder)


def t(key: str, lang: str, folder: Path | None = None, **fields: Any) -> str:
    """The UI text for `key` in `lang`, with its `{fields}` filled; a missing key raises MissingKey."""
    cat = catalogue(lang, folder)
    if key not in cat:
        raise MissingKey(f"Thiếu chuỗi giao diện {key!r} trong bảng dịch {lang}.yaml / UI string {key!r} is missing "
                         f"from the {lang}.yaml catalogue")
    text = cat[key]
    if not isinstance(text, str):
        raise MissingKey(f"{key!r} trong {lang}.yaml là một nhóm, không phải chuỗi / {key!r} in {lang}.yaml is a "
                         f"group, not a string")
    return text.format(**fields) if fields else text


def keys(lang: str, folder: Path | None = None) -> set[str]:
    """The catalogue's keys (for the completeness test)."""
    return set(catalogue(lang, folder))


def locale(lang: str, folder: Path | None = None) -> str:
    """The babel locale a language's numbers and dates are formatted in (`meta.locale`)."""
    return str(t("meta.locale", lang, folder))


def reload() -> None:
    """Forget the catalogues read so far (tests that edit a catalogue call it)."""
    _load.cache_clear()
