"""The analyst's API: a quarter's named tables, computed on demand, from any working directory.

    from parplan import data
    d = data.load("2023Q3")           # indicators, progress, task_progress, findings, manifest, plan
    data.series("ontime_rate", "STC")  # one metric of one unit, one row per quarter

Every path comes from `parplan.store.Store` (the project is found from the working directory, $PARPLAN_ROOT or
the installed checkout); what is missing or out of date is computed by `parplan.pipeline.prepare`, which skips every
stage whose inputs and code are unchanged. The columns of every table are documented in docs/tables.md.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .catalogue import Plan, Target, available_plans, load_plan, project_plans
from .periods import Quarter
from .store import Manifest, Params, Store

TABLES = ("indicators", "progress", "task_progress")  # the derived tables a quarter's folder holds
FINDING_COLUMNS = ("quarter", "dataset", "agency", "file", "sheet", "row", "column", "value", "rule", "severity",
                   "count", "message_vi", "message_en", "fix_vi", "fix_en", "file_verdict", "superseded_by",
                   "decision", "decided_by", "decision_why", "decision_date")
SERIES_COLUMNS = ("quarter", "value", "numerator", "denominator", "unit", "source")


class TableMissing(FileNotFoundError):
    """A table asked for with compute=False has not been computed."""


@dataclass(frozen=True, eq=False)
class QuarterData:
    """One quarter's tables, read once: see docs/tables.md for every column."""

    quarter: Quarter
    store: Store = field(repr=False)
    plan: Plan = field(repr=False)
    manifest: Manifest = field(repr=False)
    indicators: pd.DataFrame = field(repr=False)
    progress: pd.DataFrame = field(repr=False)
    task_progress: pd.DataFrame = field(repr=False)
    findings: pd.DataFrame = field(repr=False)

    def dataset(self, name: str) -> pd.DataFrame:
        """The validated rows of one processed dataset of the quarter (e.g. 'tthc_dossiers')."""
        p = self.store.processed(self.quarter, name)
        if not p.exists():
            known = ", ".join(sorted(d["dataset"] for d in self.manifest.datasets))
            raise KeyError(f"Quý {self.quarter} không có bộ dữ liệu {name!r} (có: {known}) / {self.quarter} has no "
                           f"dataset {name!r} (there are: {known})")
        return pd.read_parquet(p)

    def target(self, metric: str, agency: str) -> Target | None:
        """The plan's target on `metric` that judges `agency` this quarter (its first such row of `progress`)."""
        p = self.progress
        hit = p[(p["metric"] == metric) & (p["agency"] == agency) & (p["role"] == "target")]
        if not len(hit):
            return None
        task = self.plan.task(hit["task_id"].iloc[0])
        return next((t for t in task.targets if t.metric == metric), None)

    def tasks(self, lang: str = "vi", agency: str | None = None) -> pd.DataFrame:
        """task_progress with each task's text, lead agencies and status in words; with `agency`, only the tasks it
        leads (itself or through a group) or has target rows in."""
        from .catalogue import tasks_frame
        from .progress import label

        text = tasks_frame(self.plan, lang)[["id", "task_vi" if lang == "vi" else "task_en", "lead"]]
        out = self.task_progress.merge(text.set_axis(["task_id", "task", "lead"], axis=1), on="task_id", how="left")
        out.insert(out.columns.get_loc("status") + 1, "status_label", [label(s, lang) for s in out["status"]])
        if agency is not None:
            mine = set(self.progress.loc[self.progress["agency"] == agency, "task_id"])
            mine |= {t.id for t in self.plan.tasks if any(agency in self.plan.members(c) for c in t.lead)}
            out = out[out["task_id"].isin(mine)].reset_index(drop=True)
        return out


def project_store(quarter: Quarter, root: Any = None) -> Store:
    """The store of the project at `root` (found when None) with the quarter's params' data and reports folders."""
    base = Store.at(root)
    return Params.load(base.params_dir, quarter).store(base.root)


def findings_frame(manifest: Manifest) -> pd.DataFrame:
    """Every finding of a manifest as one flat row (the file's dataset, agency and verdict, and any decision)."""
    q = str(manifest.quarter)
    rows = []
    for d in manifest.datasets:
        for f in d["files"]:
            for i in f["issues"]:
                dec = i.get("decision") or {}
                rows.append({"quarter": q, "dataset": d["dataset"], "agency": f["agency"],
                             "file": i.get("file") or f["path"], "sheet": i.get("sheet"), "row": i.get("row"),
                             "column": i.get("column", ""), "value": str(i.get("value", "")), "rule": i["rule"],
                             "severity": i["severity"], "count": int(i.get("count", 1)), "message_vi": i["vi"],
                             "message_en": i["en"], "fix_vi": i.get("fix_vi", ""), "fix_en": i.get("fix_en", ""),
                             "file_verdict": f["verdict"], "superseded_by": f.get("superseded_by"),
                             "decision": dec.get("decision", ""), "decided_by": dec.get("who", ""),
                             "decision_why": dec.get("why", ""), "decision_date": dec.get("date", "")})
    out = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    out["row"] = out["row"].astype("Int64")
    out["count"] = out["count"].astype("int64")
    return out


def _read(store: Store, q: Quarter, name: str) -> pd.DataFrame:
    p = store.processed(q, name)
    if not p.exists():
        raise TableMissing(f"Chưa tính bảng {name} của quý {q}: {p}. Gọi data.load('{q}') (mặc định compute=True) "
                           f"để tính / {name} of {q} has not been computed: {p}. Call data.load('{q}') "
                           f"(compute=True, the default) to compute it")
    return pd.read_parquet(p)


def load(quarter: str | Quarter, root: Any = None, compute: bool = True,
         say: Callable[[str], Any] = print) -> QuarterData:
    """A quarter's tables; with compute=True whatever is missing or out of date is computed first (progress to `say`)."""
    q = Quarter.parse(quarter)
    store = project_store(q, root)
    plan = load_plan(q.year, project_plans(store.root))  # PlanNotFound (listing the plans there are) for an unknown year
    if compute:
        from .pipeline import prepare

        manifest = prepare(q, store, say)[str(q)]  # RawDataMissing when the quarter has no raw data
    else:
        path = store.manifest(q)
        if not path.exists():
            raise TableMissing(f"Chưa nạp dữ liệu quý {q}: {path}. Gọi data.load('{q}') để nạp và tính / {q} has not "
                               f"been ingested: {path}. Call data.load('{q}') to ingest and compute it")
        manifest = Manifest.from_file(path)
    tables = {name: _read(store, q, name) for name in TABLES}
    return QuarterData(q, store, plan, manifest, findings=findings_frame(manifest), **tables)


def quarters_with_data(root: Any = None) -> list[Quarter]:
    """Every quarter that has a raw-data folder, in the years that have a plan."""
    from .pipeline import quarters_with_data as of_year

    base = Store.at(root)
    return [q for y in available_plans(project_plans(base.root)) for q in of_year(y, base)]


def series(metric: str, agency: str, quarters: Iterable[str | Quarter] | None = None, period: str = "Q",
           root: Any = None, say: Callable[[str], Any] = print, until: str | Quarter | None = None) -> pd.DataFrame:
    """One metric of one unit over quarters (default: every quarter with raw data, up to `until` when given), one
    row per quarter."""
    if period not in ("Q", "YTD"):
        raise ValueError(f"period phải là 'Q' hoặc 'YTD' / period must be 'Q' or 'YTD', not {period!r}")
    qs = [Quarter.parse(x) for x in quarters] if quarters is not None else quarters_with_data(root)
    if until is not None:
        qs = [x for x in qs if x <= Quarter.parse(until)]
    rows, seen = [], False
    for q in qs:
        ind = load(q, root, say=say).indicators
        hit = ind[(ind["metric"] == metric) & (ind["agency"] == agency) & (ind["period"] == period)]
        if len(hit) > 1:
            raise ValueError(f"{q}: {len(hit)} dòng cho {metric}/{agency}/{period}, cần một / {len(hit)} indicator "
                             f"rows for {metric}/{agency}/{period}, expected one")
        seen = seen or len(hit) == 1
        r = hit.iloc[0] if len(hit) else None
        rows.append({"quarter": str(q), **{c: (r[c] if r is not None else None) for c in SERIES_COLUMNS[1:]}})
    if qs and not seen:
        raise LookupError(f"Không có chỉ số {metric!r} của {agency!r} (kỳ {period}) trong các quý "
                       f"{', '.join(map(str, qs))} / no indicator {metric!r} for {agency!r} (period {period}) in "
                       f"{', '.join(map(str, qs))}: check the metric id and the agency code")
    out = pd.DataFrame(rows, columns=list(SERIES_COLUMNS))
    for c in ("value", "numerator", "denominator"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out
