"""Plausibility checks (issue 13, item 6): values that move against the plan or their own history, for a person.

Each check compares one agency's accepted rows with the same agency's accepted rows of the previous quarter; a
finding is a warning (the file is used) listed for review on the data-quality page. What to check is the contract's
`plausibility:` block; bounds it does not give come from contracts/_defaults/plausibility.yaml.
"""
from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from . import yamlfile
from .contracts import HERE as CONTRACTS_DIR
from .contracts import Contract
from .validation import RULE_TEXT, Issue, contract_spec


@functools.cache
def defaults() -> dict[str, Any]:
    """The default bounds (contracts/_defaults/plausibility.yaml)."""
    return yamlfile.load(CONTRACTS_DIR / "_defaults" / "plausibility.yaml")


def _share(x: float, lang: str) -> str:
    text = f"{x * 100:.1f} %"
    return text.replace(".", ",") if lang == "vi" else text


def _count(frame: pd.DataFrame, terms: list[str]) -> float:
    """Sum of the terms: '*' counts rows, 'col=value' counts rows where col equals value, 'col' sums the column."""
    total = 0.0
    for term in terms:
        if term == "*":
            total += len(frame)
        elif "=" in term:
            col, value = term.split("=", 1)
            total += float((frame[col].astype("string") == value).fillna(False).sum())
        else:
            total += float(pd.to_numeric(frame[term], errors="coerce").fillna(0).sum())
    return total


def plausibility_issues(current: pd.DataFrame, previous: pd.DataFrame | None, contract: Contract,
                        sheets: dict[str, str | None] | None = None) -> list[Issue]:
    """Warnings for every agency whose rows, rates or plan-directed values moved beyond the bounds since last quarter."""
    spec = contract_spec(contract.name).get("plausibility") or {}
    if not spec or previous is None or previous.empty or current.empty:
        return []
    sheets = sheets or {}
    base = defaults()
    headers = {c.name: c.header_vi for c in contract.columns}
    out: list[Issue] = []
    before = dict(tuple(previous.groupby("submitting_agency", sort=True)))
    for agency, now in current.groupby("submitting_agency", sort=True):
        prev = before.get(agency)
        if prev is None or prev.empty:
            continue
        f = str(now["source_file"].iat[0])

        def warn(rule: str, column: str, value: str, vi: str, en: str, f: str = f) -> None:
            out.append(Issue(f, rule, "warn", vi, en, column, value=value, sheet=sheets.get(f),
                             fix_vi="kiểm tra lại số liệu; nếu đúng, người duyệt ghi nhận trong tệp quyết định",
                             fix_en="check the figures; if right, a reviewer accepts them in the decisions file"))

        if "rows" in spec:
            b = {**base["rows"], **(spec["rows"] or {})}
            n0, n1 = len(prev), len(now)
            if max(n0, n1) >= b["min_rows"] and abs(n1 / max(n0, 1) - 1) > b["max_change"]:
                warn("plausibility_rows", "", f"{n0} → {n1}",
                     f"{RULE_TEXT['plausibility_rows'][0]}: {n0} dòng quý trước, {n1} dòng quý này "
                     f"(ngưỡng ±{b['max_change'] * 100:.0f} %)",
                     f"{RULE_TEXT['plausibility_rows'][1]}: {n0} rows last quarter, {n1} this quarter "
                     f"(bound ±{b['max_change'] * 100:.0f} %)")
        for r in spec.get("rates", []):
            b = {**base["rates"], **r}
            d0, d1 = _count(prev, r["denominator"]), _count(now, r["denominator"])
            if min(d0, d1) < b["min_denominator"]:
                continue
            x0, x1 = _count(prev, r["numerator"]) / d0, _count(now, r["numerator"]) / d1
            if abs(x1 - x0) > b["max_change"]:
                warn("plausibility_rate", r["vi"], f"{_share(x0, 'vi')} → {_share(x1, 'vi')}",
                     f"{RULE_TEXT['plausibility_rate'][0]}: {r['vi']} {_share(x0, 'vi')} quý trước → "
                     f"{_share(x1, 'vi')} quý này (ngưỡng ±{b['max_change'] * 100:.0f} điểm %)",
                     f"{RULE_TEXT['plausibility_rate'][1]}: {r['en']} {_share(x0, 'en')} last quarter → "
                     f"{_share(x1, 'en')} this quarter (bound ±{b['max_change'] * 100:.0f} points)")
        for r in spec.get("direction", []):
            b = {**base["direction"], **r}
            v0, v1 = _count(prev, [r["column"]]), _count(now, [r["column"]])
            against = v1 - v0 > b["tolerance"] if r["direction"] == "decrease" else v0 - v1 > b["tolerance"]
            if against:
                shown = f"{v0:g} → {v1:g}"
                warn("plausibility_direction", headers.get(r["column"], r["column"]), shown,
                     f"{r['vi']}: quý trước {v0:g}, quý này {v1:g}", f"{r['en']}: {v0:g} last quarter, {v1:g} this quarter")
    return out
