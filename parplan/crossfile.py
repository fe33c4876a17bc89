"""Keys across all files of a dataset and quarter: nothing counted twice (issue 13, item 5).

A contract with `key_scope: dataset` says its key identifies a record province-wide (a dossier id, a feedback id):
the same key in two agencies' files is then either an inter-agency (liên thông) dossier, which passes through several
agencies and is counted once, or a mistake, which is counted in neither file and flagged for a person. The rule and
its sources are written down in README "Validation". Everything here is vectorised over the accepted rows; only the
rows whose key repeats are looked at one by one.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .contracts import Contract
from .validation import FIX_TEXT, MAX_LISTED, RULE_TEXT, Issue, contract_spec

SOURCE = ["source_file", "source_row"]


def _fmt_day(v: object) -> str:
    return v.strftime("%d/%m/%Y") if isinstance(v, pd.Timestamp) and not pd.isna(v) else ""


def _where(rows: pd.DataFrame) -> str:
    return "; ".join(f"{Path(f).name} dòng/row {int(r)}" for f, r in zip(rows["source_file"], rows["source_row"], strict=True))


def cross_file_keys(table: pd.DataFrame, contract: Contract,
                    sheets: dict[str, str | None] | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """The accepted rows of every file with each key counted at most once, and the findings about repeated keys.

    `table` holds the accepted rows of all files of one dataset and quarter (with source_file and source_row).
    Liên thông copies (every copy marked in the contract's inter_agency column) keep the copy with the earliest
    `first_by` date (the agency that received the dossier); any other key found in two files is kept in none.
    """
    spec = contract_spec(contract.name)
    sheets = sheets or {}
    key = list(contract.key)
    if spec.get("key_scope") != "dataset" or not key or table.empty:
        return table, []
    repeated = table.duplicated(key, keep=False)
    if not repeated.any():
        return table, []
    d = table[repeated]
    d = d[d.groupby(key, sort=False, dropna=False)["source_file"].transform("nunique") > 1]  # in one file: unique_key
    if d.empty:
        return table, []
    ia = spec.get("inter_agency") or {}
    col, first_by = ia.get("column"), ia.get("first_by")
    if col and col in d.columns:
        marked = d[col].astype("boolean").fillna(False).astype(bool)
        shared = marked.groupby([d[k] for k in key], sort=False, dropna=False).transform("all")
    else:
        shared = pd.Series(False, index=d.index)
    headers = {c.name: c.header_vi for c in contract.columns}
    kh = headers.get(key[0], key[0])
    issues: list[Issue] = []
    drop: list[int] = []
    per_file: dict[str, int] = {}

    def add(f: str, issue: Issue) -> None:
        per_file[f] = per_file.get(f, 0) + 1
        if per_file[f] <= MAX_LISTED:
            issues.append(issue)

    order = [first_by] if first_by and first_by in d.columns else []
    for k, g in d.sort_values(order + SOURCE, kind="stable").groupby(key, sort=False, dropna=False):
        shown = " / ".join(str(x) for x in (k if isinstance(k, tuple) else (k,)))
        if bool(shared.loc[g.index].all()):
            kept = g.iloc[0]
            tie = len(order) and (g[first_by] == kept[first_by]).sum() > 1
            when = _fmt_day(kept[first_by]) if order else ""
            for idx, r in g.iterrows():
                f = r["source_file"]
                if idx != g.index[0]:
                    drop.append(idx)
                verb_vi = "được tính ở tệp này" if idx == g.index[0] else f"được tính ở tệp {Path(kept['source_file']).name}"
                verb_en = "counted in this file" if idx == g.index[0] else f"counted in {Path(kept['source_file']).name}"
                add(f, Issue(
                    f, "inter_agency_counted", "warn" if tie else "info",
                    f"Hồ sơ liên thông có trong {len(g)} tệp ({_where(g)}): tính một lần, tại cơ quan tiếp nhận "
                    f"(ngày tiếp nhận sớm nhất {when}) — {verb_vi}"
                    + (" — nhiều tệp cùng ngày tiếp nhận, cần người xem lại" if tie else ""),
                    f"inter-agency dossier in {len(g)} files ({_where(g)}): counted once, at the receiving agency "
                    f"(earliest received date {when}) — {verb_en}"
                    + (" — several files share that date: for a person to review" if tie else ""),
                    kh, row=int(r["source_row"]), value=shown, sheet=sheets.get(f)))
            continue
        drop.extend(g.index)
        for idx, r in g.iterrows():
            f = r["source_file"]
            others = g.drop(index=idx)
            add(f, Issue(
                f, "duplicate_across_files", "warn",
                f"{RULE_TEXT['duplicate_across_files'][0]} ({_where(others)}); hồ sơ không được tính ở tệp nào cho đến "
                f"khi được làm rõ", f"{RULE_TEXT['duplicate_across_files'][1]} ({_where(others)}); counted in no file "
                f"until resolved", kh, row=int(r["source_row"]), value=shown, sheet=sheets.get(f),
                fix_vi=FIX_TEXT["duplicate_across_files"][0], fix_en=FIX_TEXT["duplicate_across_files"][1]))
    for f, n in per_file.items():
        if n > MAX_LISTED:
            issues.append(Issue(f, "duplicate_across_files", "warn", f"… còn {n - MAX_LISTED} mã trùng khác",
                                f"… {n - MAX_LISTED} more repeated keys", kh, sheet=sheets.get(f), count=n - MAX_LISTED))
    return table.drop(index=drop), issues
