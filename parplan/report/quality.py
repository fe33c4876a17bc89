"""The data-quality page's view: per dataset and per agency, each file's verdict, the rules it passed, warned and
failed, the offending rows, the findings left to a person, and every input file with its hash — as plain data.

Every function `<section>_view(ctx)` returns the values of one section (`templates/quality/<section>.html.j2`);
`section(ctx, name)` renders one. Texts are the catalogue's (`quality.*`) or the data's in the page language;
numbers stay numbers (the templates format them). A finding's message is a list of pieces (`segments`): plain
text, a file name or code an agency needs to find or fix its file (`code`, exempt from the language check), or a
quoted template header or value (`quote`, Vietnamese as the file has it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from ..catalogue import Plan, quarter_plan
from ..contracts import load_contract
from ..ingest import load_manifest
from ..periods import Quarter
from ..privacy import mask_manifest
from ..reconcile import MEASURES
from ..store import Store
from ..validation import applicable_rules
from . import i18n, layout
from .names import dataset_name, unit_name
from .page import read_table

MAX_ROWS_SHOWN = 200
METHOD_ANCHOR = "method.html#data-quality"  # how a file is judged (the method page)
VERDICTS = ("accepted", "accepted_with_warnings", "rejected")  # a file's verdicts, best first
REVIEW_RULES = ("plausibility_rows", "plausibility_rate", "plausibility_direction", "duplicate_across_files",
                "inter_agency_counted")
SECTIONS = ("header", "summary", "missing", "unexpected", "review", "decisions", "reconciliation", "communes",
            "agencies", "inputs")


@dataclass
class QualityContext:
    """One quarter's manifest and reconciliation, loaded once."""

    quarter: Quarter
    lang: str
    manifest: dict[str, Any]
    reconciliation: pd.DataFrame
    plan: Plan
    communes: pd.DataFrame | None = None  # commune_matches.parquet; None when the quarter's checks have not run
    inputs: dict[Quarter, dict[str, Any]] | None = None  # manifests of the year to date (the figures' input files)


def load_quality_context(quarter: str, lang: str = "vi", data_root: str = "data", plan: Plan | None = None,
                         plans_root: Path | str | None = None) -> QualityContext:
    """Read the quarter's manifest.json and reconciliation table, with the plan the quarter is judged against, and
    the manifests of the year's earlier quarters (their files feed this quarter's figures)."""
    q = Quarter.parse(quarter)
    plan = quarter_plan(q, plan, plans_root)
    store = Store.for_data(data_root)  # papermill's data_root: relative to the run's folder
    rec = read_table(store.processed(q, "reconciliation"))
    com_path = store.processed(q, "commune_matches")
    com = pd.read_parquet(com_path) if com_path.exists() else None
    # personal data (contract columns marked personal) is masked before any section sees it (parplan.privacy)
    manifest = mask_manifest(load_manifest(q, store))
    inputs = {x: load_manifest(x, store) for x in q.quarters_to_date()[:-1] if store.manifest(x).exists()}
    return QualityContext(q, lang, manifest, rec, plan, com, {**inputs, q: manifest})


def section(ctx: QualityContext, name: str) -> Markup:
    """One section of the page rendered in the context's language (`templates/quality/<name>.html.j2`)."""
    if name not in SECTIONS:
        raise KeyError(f"không có mục {name!r} / no section {name!r}: {', '.join(SECTIONS)}")
    return layout.render(f"quality/{name}.html.j2", ctx.lang, **globals()[f"{name}_view"](ctx))


# ---------------------------------------------------------------- pieces shared by the sections
_PIECE = re.compile(r"(?P<code>\bdata/[\w./<>-]*|(?:[\w.-]+/)*[\w.-]+\.(?:csv|xlsx|xlsm|xls|ods|json|yaml|yml|parquet)\b)"
                    r"|(?P<quote>'[^']+')")


def segments(text: str) -> list[dict[str, str]]:
    """A message as pieces: 'text', 'code' (a file name or folder an agency needs to find its file) and 'quote'
    (a template header or a value quoted as the file has it)."""
    out: list[dict[str, str]] = []
    at = 0
    for m in _PIECE.finditer(text or ""):
        if m.start() > at:
            out.append({"kind": "text", "text": text[at:m.start()]})
        out.append({"kind": m.lastgroup or "text", "text": m.group(0)})
        at = m.end()
    if at < len(text or ""):
        out.append({"kind": "text", "text": text[at:]})
    return out


def message(issue: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """A finding's message in the page's language; the allowed values of a list (task ids, labels) are quoted as
    the template has them."""
    text = issue.get(lang, "") or ""
    if issue.get("rule") == "in_set" and text.endswith(")") and " (" in text:
        head, _, values = text.partition(" (")
        return [{"kind": "text", "text": head + " "}, {"kind": "code", "text": "(" + values}]
    return segments(text)


_message = message  # the name the scorecard imports


def _file(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _row(issue: dict[str, Any]) -> int | None:
    return None if issue.get("row") is None else int(issue["row"])


def rule_label(contract_name: str, rule: str, lang: str) -> str:
    """A rule as reviewers read it: a contract's own rule by its text, every other rule by the catalogue's name."""
    try:
        own = load_contract(contract_name).rules if contract_name else []
    except Exception:  # a folder that is no dataset (a decision about a misnamed file): the rule's generic name
        own = []
    for r in own:
        if r["id"] == rule:
            return r["vi"] if lang == "vi" else r["en"]
    key = f"quality.rules.{rule}"
    return i18n.t(key, lang) if i18n.has(key, lang) else i18n.t("quality.rules.unknown", lang)


def _decision(issue: dict[str, Any]) -> dict[str, Any] | None:
    d = issue.get("decision")
    return None if not d else {"decision": d["decision"], "who": d["who"], "date": str(d["date"]), "why": d["why"]}


def _rule_statuses(contract_name: str, f: dict) -> tuple[list[str], list[str], list[str]]:
    """Rules passed, warned and failed by one file; a file that could not be read passed no rule."""
    issues = f["issues"]
    rules = applicable_rules(load_contract(contract_name))
    failed = sorted({i["rule"] for i in issues if i["severity"] == "reject"})
    warned = sorted({i["rule"] for i in issues if i["severity"] == "warn"} - set(failed))
    if not f.get("checked", True):
        return [], warned, failed
    passed = [r for r, _, _ in rules if r not in failed and r not in warned]
    return passed, warned, failed


def _files(ctx: QualityContext):
    for ds in ctx.manifest["datasets"]:
        for f in ds["files"]:
            yield ds["dataset"], f


# ---------------------------------------------------------------- sections
def header_view(ctx: QualityContext) -> dict[str, Any]:
    """Title and how to read the page."""
    return {"quarter": ctx.quarter.label(ctx.lang), "method": METHOD_ANCHOR}


def summary_view(ctx: QualityContext) -> dict[str, Any]:
    """One line per dataset: files by verdict, agencies missing, rows used."""
    rows = []
    for ds in ctx.manifest["datasets"]:
        verdicts = [f["verdict"] for f in ds["files"]]
        rows.append({"dataset": dataset_name(ds["dataset"], ctx.lang), "files": len(verdicts),
                     **{v: verdicts.count(v) for v in VERDICTS}, "missing": len(ds["missing_submitters"]),
                     "rows_used": int(ds["output_rows"])})
    return {"rows": rows}


def missing_view(ctx: QualityContext) -> dict[str, Any]:
    """Agencies expected to submit but missing, per dataset."""
    return {"rows": [{"dataset": dataset_name(ds["dataset"], ctx.lang), "agency": unit_name(ctx.plan, code, ctx.lang)}
                     for ds in ctx.manifest["datasets"] for code in ds["missing_submitters"]]}


def unexpected_view(ctx: QualityContext) -> dict[str, Any]:
    """Folders and files under the quarter's raw folder that the plan does not expect this quarter: listed, not read
    (their names as found, for the agency to find them)."""
    return {"rows": [{"name": u["name"], "kind": "folder" if u["kind"] == "folder" else "file",
                      "n_files": len(u["files"]), "files": u["files"][:5], "more": len(u["files"]) > 5}
                     for u in ctx.manifest.get("unexpected") or []]}


def review_view(ctx: QualityContext) -> dict[str, Any]:
    """Findings left to a person: plausibility warnings (values against the plan or their own history) and keys found
    in several files; the files are used, the figures flagged until someone confirms or corrects them."""
    rows = [{"agency": unit_name(ctx.plan, f["agency"], ctx.lang), "dataset": dataset_name(dataset, ctx.lang),
             "file": _file(f["path"]), "row": _row(i), "column": i.get("column", ""), "value": i.get("value", ""),
             "message": message(i, ctx.lang), "decision": _decision(i)}
            for dataset, f in _files(ctx) for i in f["issues"]
            if i["rule"] in REVIEW_RULES and i["severity"] == "warn"]
    return {"rows": rows[:MAX_ROWS_SHOWN], "more": max(0, len(rows) - MAX_ROWS_SHOWN)}


def decisions_view(ctx: QualityContext) -> dict[str, Any]:
    """Reviewers' decisions of the quarter (data/decisions.yaml): what was decided, by whom and why; a decision that
    matches no warning is listed with the reason it was not applied."""
    rows = [{"file": _file(f["path"]), "dataset": dataset_name(dataset, ctx.lang), "row": _row(i),
             "finding": message(i, ctx.lang), **_decision(i), "not_applied": None}
            for dataset, f in _files(ctx) for i in f["issues"] if i.get("decision")]
    for d in ctx.manifest.get("unmatched_decisions", []):
        parts = d["file"].split("/")
        dataset = parts[-2] if len(parts) > 1 else ""
        rows.append({"file": _file(d["file"]), "dataset": dataset_name(dataset, ctx.lang) if dataset else "",
                     "row": _row(d), "finding": [{"kind": "text", "text": rule_label(dataset, d["rule"], ctx.lang)}],
                     "decision": d["decision"], "who": d["who"], "date": str(d["date"]), "why": d["why"],
                     "not_applied": d["reason_vi"] if ctx.lang == "vi" else d["reason_en"]})
    return {"rows": rows}


def reconciliation_view(ctx: QualityContext) -> dict[str, Any]:
    """Differences between the summary tables and the dossier-level data (summary − dossiers)."""
    names = {"summary": dataset_name("tthc_summary", ctx.lang), "dossiers": dataset_name("tthc_dossiers", ctx.lang)}
    rows = [{"agency": unit_name(ctx.plan, r.agency_code, ctx.lang), "level": r.level, "measure": r.measure,
             "summary": int(r.summary), "dossiers": int(r.dossiers), "difference": int(r.difference)}
            for r in ctx.reconciliation.itertuples() if r.measure in MEASURES]
    return {"names": names, "rows": rows}


def communes_view(ctx: QualityContext) -> dict[str, Any]:
    """Commune names in the dossier files checked against the plan year's commune list: the names that match no
    commune are findings for a person, and the communes of that district are judged together, per district."""
    from ..communes import MATCHED

    m = ctx.communes
    if m is None:
        return {"checked": False, "year": ctx.plan.year, "matched": 0, "rows": []}
    bad = m[~m["status"].isin(MATCHED)]
    rows = [{"district": unit_name(ctx.plan, r.agency_code, ctx.lang), "typed": str(r.commune_text),
             "dossiers": int(r.n_dossiers), "first_row": int(r.first_row),
             "reason": segments(r.reason_vi if ctx.lang == "vi" else r.reason_en)} for r in bad.itertuples()]
    return {"checked": True, "year": ctx.plan.year, "matched": int(m["status"].isin(MATCHED).sum()), "rows": rows}


def _worst(verdicts: list[str]) -> str:
    return max(verdicts, key=lambda v: VERDICTS.index(v) if v in VERDICTS else len(VERDICTS))


def _file_view(dataset: str, f: dict[str, Any], lang: str) -> dict[str, Any]:
    passed, warned, failed = _rule_statuses(dataset, f)
    return {"dataset": dataset_name(dataset, lang), "file": _file(f["path"]), "verdict": f["verdict"],
            "replaced_by": _file(f["superseded_by"]) if f.get("superseded_by") else None,
            "rows": int(f.get("rows_read", 0)), "checked": f.get("checked", True), "passed": len(passed),
            "warned": [rule_label(dataset, r, lang) for r in warned],
            "failed": [rule_label(dataset, r, lang) for r in failed]}


def _details(dataset: str, f: dict[str, Any], lang: str, several: bool) -> list[dict[str, Any]]:
    """The file's findings (not the notes for information), at most MAX_ROWS_SHOWN, then how many more."""
    name = dataset_name(dataset, lang)
    file = _file(f["path"]) if several else None  # the file named only when the agency sent several of a dataset
    out = [{"dataset": name, "file": file,
            "level": "reject" if i["severity"] == "reject" else "decided" if i.get("decision") else "warn",
            "row": _row(i), "column": i.get("column", ""), "value": i.get("value", ""),
            "message": message(i, lang), "decision": _decision(i),
            "fix": segments(i.get("fix_vi" if lang == "vi" else "fix_en", "") or ""), "more": 0}
           for i in f["issues"][:MAX_ROWS_SHOWN] if i["severity"] != "info"]
    if len(f["issues"]) > MAX_ROWS_SHOWN:
        out.append({"dataset": name, "file": file, "more": len(f["issues"]) - MAX_ROWS_SHOWN})
    return out


def agencies_view(ctx: QualityContext) -> dict[str, Any]:
    """One part per agency (in the plan's order): its worst verdict, each file's verdict and rules, the findings."""
    by_agency: dict[str, list[tuple[str, dict]]] = {}
    for dataset, f in _files(ctx):
        by_agency.setdefault(f["agency"], []).append((dataset, f))
    order = {a: i for i, a in enumerate(ctx.plan.agencies)}
    out = []
    for code in sorted(by_agency, key=lambda c: (order.get(c, 10_000), c)):
        items = by_agency[code]
        per_dataset = [d for d, _ in items]
        out.append({"code": code, "name": unit_name(ctx.plan, code, ctx.lang),
                    "status": _worst([f["verdict"] for _, f in items]),
                    "files": [_file_view(d, f, ctx.lang) for d, f in items],
                    "details": [x for d, f in items for x in _details(d, f, ctx.lang, per_dataset.count(d) > 1)]})
    return {"agencies": out}


def inputs_view(ctx: QualityContext) -> dict[str, Any]:
    """Every input file of the quarter's figures (the year to date): quarter, agency, dataset, file, verdict, rows
    and its SHA-256 hash, so a figure can be traced to the exact file it was computed from."""
    manifests = ctx.inputs or {ctx.quarter: ctx.manifest}
    rows = [{"quarter": x.label(ctx.lang), "agency": unit_name(ctx.plan, f["agency"], ctx.lang),
             "dataset": dataset_name(ds["dataset"], ctx.lang), "path": f["path"], "verdict": f["verdict"],
             "rows": int(f["rows_read"]), "sha256": f["sha256"]}
            for x, m in sorted(manifests.items(), key=lambda kv: (kv[0].year, kv[0].q))
            for ds in m["datasets"] for f in ds["files"]]
    return {"rows": rows}
