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

        def warn(rule: str, column: str, label: tuple[str, str], before: tuple[str, str], after: tuple[str, str],
                 bound: tuple[str, str], f: str = f) -> None:
            """One finding: '<rule>: <label> <before> last quarter → <after> this quarter (<bound>)', vi and en."""
            vi = f"{RULE_TEXT[rule][0]}: {label[0]} {before[0]} quý trước → {after[0]} quý này{bound[0]}"
            en = f"{RULE_TEXT[rule][1]}: {label[1]} {before[1]} last quarter → {after[1]} this quarter{bound[1]}"
            out.append(Issue(f, rule, "warn", vi, en, column, value=f"{before[0]} → {after[0]}", sheet=sheets.get(f),
                             fix_vi="kiểm tra lại số liệu; nếu đúng, người duyệt ghi nhận trong tệp quyết định",
                             fix_en="check the figures; if right, a reviewer accepts them in the decisions file"))

        if "rows" in spec:
            b = {**base["rows"], **(spec["rows"] or {})}
            n0, n1 = len(prev), len(now)
            if max(n0, n1) >= b["min_rows"] and abs(n1 / max(n0, 1) - 1) > b["max_change"]:
                pct = f"{b['max_change'] * 100:.0f} %"
                warn("plausibility_rows", "", ("số dòng", "rows"), (str(n0),) * 2, (str(n1),) * 2,
                     (f" (ngưỡng ±{pct})", f" (bound ±{pct})"))
        for r in spec.get("rates", []):
            b = {**base["rates"], **r}
            d0, d1 = _count(prev, r["denominator"]), _count(now, r["denominator"])
            if min(d0, d1) < b["min_denominator"]:
                continue
            x0, x1 = _count(prev, r["numerator"]) / d0, _count(now, r["numerator"]) / d1
            if abs(x1 - x0) > b["max_change"]:
                pts = f"{b['max_change'] * 100:.0f}"
                warn("plausibility_rate", r["vi"], (r["vi"], r["en"]), (_share(x0, "vi"), _share(x0, "en")),
                     (_share(x1, "vi"), _share(x1, "en")), (f" (ngưỡng ±{pts} điểm %)", f" (bound ±{pts} points)"))
        for r in spec.get("direction", []):
            b = {**base["direction"], **r}
            v0, v1 = _count(prev, [r["column"]]), _count(now, [r["column"]])
            against = v1 - v0 > b["tolerance"] if r["direction"] == "decrease" else v0 - v1 > b["tolerance"]
            if against:
                warn("plausibility_direction", headers.get(r["column"], r["column"]), (r["vi"] + ":", r["en"] + ":"),
                     (f"{v0:g}",) * 2, (f"{v1:g}",) * 2, ("", ""))
    return out
