"""A person's decisions on flagged findings (issue 13, item 10): `data/decisions.yaml`, validated on load.

A reviewer accepts a flagged value ("the figure is right") or overrules a warning ("not a problem") by naming the
finding — quarter, file, rule and row as the data-quality page shows them — with who decided, why and when:

    decisions:
      - {quarter: 2023Q2, file: data/raw/2023Q2/organisation/SNNPTNT.csv, rule: plausibility_direction,
         decision: accept, who: "Nguyễn Văn A (SNV)", why: "2 đơn vị mới theo Quyết định 123/QĐ-UBND", date: 2023-07-10}

`row` is needed when the finding has one. Only warnings can be decided: a rejected file is corrected and resent.
Decisions change no number; the reports show the finding as decided, with the reason.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from . import yamlfile
from .periods import Quarter, QuarterError

DECISIONS = ("accept", "overrule")
REQUIRED = ("quarter", "file", "rule", "decision", "who", "why", "date")
ALLOWED = set(REQUIRED) | {"row"}


class DecisionError(ValueError):
    """The decisions file cannot be used as written (the message names the entry and the field)."""


def load_decisions(path: Path) -> list[dict[str, Any]]:
    """Every decision of the file, checked: required fields, known decision, ISO date, valid quarter, row a number."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        doc = yamlfile.load(path) or {}
    except Exception as e:  # a YAML syntax error: say where
        raise DecisionError(f"{path}: không đọc được YAML / not valid YAML: {e}") from e
    items = doc.get("decisions") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DecisionError(f"{path}: cần khóa 'decisions' là một danh sách / needs a 'decisions:' list")
    out = []
    for n, d in enumerate(items, 1):
        where = f"{path}, quyết định số {n} / decision {n}"
        if not isinstance(d, dict):
            raise DecisionError(f"{where}: phải là một mục có các trường {', '.join(REQUIRED)} / must be a mapping")
        missing = [k for k in REQUIRED if d.get(k) in (None, "")]
        if missing:
            raise DecisionError(f"{where}: thiếu trường / missing field(s): {', '.join(missing)}")
        unknown = sorted(set(d) - ALLOWED)
        if unknown:
            raise DecisionError(f"{where}: trường không hợp lệ / unknown field(s): {', '.join(unknown)}")
        if d["decision"] not in DECISIONS:
            raise DecisionError(f"{where}: decision phải là / must be one of {', '.join(DECISIONS)}, "
                                f"không phải / not {d['decision']!r}")
        try:
            q = Quarter.parse(str(d["quarter"]))
        except QuarterError as e:
            raise DecisionError(f"{where}: quarter: {e}") from e
        day = d["date"]
        if not isinstance(day, dt.date):
            try:
                day = dt.date.fromisoformat(str(day))
            except ValueError as e:
                raise DecisionError(f"{where}: date phải dạng YYYY-MM-DD / date must be YYYY-MM-DD, "
                                    f"không phải / not {d['date']!r}") from e
        row = d.get("row")
        if row is not None and (isinstance(row, bool) or not isinstance(row, int) or row < 1):
            raise DecisionError(f"{where}: row phải là số dòng (≥ 1) / row must be a row number, not {row!r}")
        out.append({"quarter": str(q), "file": str(d["file"]), "rule": str(d["rule"]), "row": row,
                    "decision": d["decision"], "who": str(d["who"]), "why": str(d["why"]), "date": day.isoformat()})
    return out


def apply_decisions(manifest: dict[str, Any], decisions: list[dict[str, Any]]) -> None:
    """Mark the quarter's findings a person decided (issue['decision']); list decisions that match no warning."""
    mine = [d for d in decisions if d["quarter"] == manifest["quarter"]]
    index: dict[tuple[str, str, int | None], list[dict]] = {}
    for ds in manifest["datasets"]:
        for f in ds["files"]:
            for i in f["issues"]:
                i.pop("decision", None)
                index.setdefault((f["path"], i["rule"], i.get("row")), []).append(i)
    unmatched = []
    for d in mine:
        hits = index.get((d["file"], d["rule"], d["row"]), [])
        warns = [i for i in hits if i["severity"] == "warn"]
        if not warns:
            why_vi = ("chỉ quyết định được cảnh báo; tệp bị từ chối phải sửa và gửi lại" if hits else
                      "không có phát hiện nào khớp tệp, quy tắc và dòng này")
            why_en = ("only warnings can be decided; a rejected file is corrected and resent" if hits else
                      "no finding matches this file, rule and row")
            unmatched.append({**d, "reason_vi": why_vi, "reason_en": why_en})
            continue
        for i in warns:
            i["decision"] = {k: d[k] for k in ("decision", "who", "why", "date")}
    manifest["unmatched_decisions"] = unmatched
