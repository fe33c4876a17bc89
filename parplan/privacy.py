"""Personal data in published pages: values of columns a contract marks ``personal`` are masked before display.

Decree 13/2023/NĐ-CP on the protection of personal data (Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, art. 2)
counts a person's full name, telephone number, personal identification number (CCCD/CMND, passport) and addresses
among basic personal data. A contract column carries ``personal: <kind>`` with one of :data:`KINDS`; every report
page shows its values masked (the data-quality page lists offending values). The feedback workbook is not masked:
it goes back to the agency that sent the data, and only to it.
"""
from __future__ import annotations

import re
from typing import Any

from .contracts import Contract, header_key, load_contract

KINDS = ("name", "phone", "id", "address", "email", "text")
STAR = "*"


def _stars(n: int) -> str:
    return STAR * max(n, 0)


def _mask_words(text: str) -> str:
    return re.sub(r"\w+", lambda m: m.group()[0] + _stars(len(m.group()) - 1), text)


def mask(value: Any, kind: str) -> str:
    """A value as a published page may show it: 'Nguyễn Văn A' -> 'N***** V** A', '0905123412' -> '09******12'.

    name / text: every word keeps its first letter; phone: the first two and last two digits; id: the last three
    characters; address: only the last comma-separated part (district or province); email: the first letter and the
    domain. Short values (fewer than six digits or characters) are masked entirely.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of personal data {kind!r} (one of {', '.join(KINDS)})")
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if kind in ("name", "text"):
        return _mask_words(text)
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        return digits[:2] + _stars(len(digits) - 4) + digits[-2:] if len(digits) >= 6 else _stars(len(digits) or 3)
    if kind == "id":
        chars = re.sub(r"\W", "", text)
        return _stars(len(chars) - 3) + chars[-3:] if len(chars) >= 6 else _stars(len(chars))
    if kind == "address":
        parts = [p.strip() for p in text.split(",")]
        return ", ".join([STAR * 3] * (len(parts) - 1) + ([parts[-1]] if len(parts) > 1 else [STAR * 3]))
    local, _, domain = text.partition("@")
    return (local[:1] + STAR * 3 + ("@" + domain if domain else "")) if local else STAR * 3


def personal_kind(contract: Contract, column: str) -> str | None:
    """The kind of personal data in a column, found by its canonical name or any header spelling; None if not personal."""
    name = contract.header_map().get(header_key(column)) if column else None
    for c in contract.columns:
        if c.name in (name, column):
            return c.personal
    return None


def mask_issue(contract: Contract, issue: dict[str, Any]) -> dict[str, Any]:
    """A finding as a published page shows it: the value (and the value inside its messages) masked when personal."""
    kind = personal_kind(contract, issue.get("column", ""))
    value = str(issue.get("value", "") or "")
    if kind is None or not value:
        return issue
    shown = mask(value, kind)
    out = dict(issue, value=shown)
    for key in ("vi", "en", "fix_vi", "fix_en"):
        if isinstance(out.get(key), str):
            out[key] = out[key].replace(value, shown)
    return out


def mask_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """A quarter's manifest as report pages may show it: every finding on a personal-data column masked (a copy)."""
    datasets = []
    for ds in manifest.get("datasets", []):
        contract = load_contract(ds["dataset"])
        files = [dict(f, issues=[mask_issue(contract, i) for i in f.get("issues", [])]) for f in ds.get("files", [])]
        datasets.append(dict(ds, files=files))
    return dict(manifest, datasets=datasets)
