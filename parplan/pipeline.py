"""The quarterly run: ingest every quarter of the year to date, compute indicators, render the reports."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from . import issuing, render, yamlfile
from .catalogue import Plan, load_plan, project_plans
from .communes import district_of, write_matches
from .feedback import write_feedback
from .ingest import check_raw_quarter, end_summary, ingest_quarter, sample_marker
from .io import atomic_write, atomic_write_text
from .metrics import combine_quarters, dossier_indicators
from .periods import Quarter
from .report import answer, docx_report, i18n
from .store import (
    PARAM_KEYS,
    QUARTER_ONLY,
    Manifest,
    Params,
    Store,
    check_params,
    find_root,
    load_params_mapping,
    stage_key,
)


def load_params(quarter: Quarter | str | None = None, params_dir: Path | None = None) -> dict[str, Any]:
    """params/defaults.yaml overlaid with params/<Q>.yaml, validated, as a mapping (the validation and the typed
    form are store.Params; this mapping is for pages and tests that read keys). params_dir: the project's."""
    return load_params_mapping(params_dir if params_dir is not None else Store.at().params_dir, quarter)


def plan_of(q: Quarter, root: Path | None = None) -> Plan:
    """The plan a quarter is judged against (its year's, from the project's plans/); PlanNotFound lists the plans."""
    return load_plan(q.year, project_plans(root if root is not None else find_root()))


def expected_datasets(params: Params | dict[str, Any], plan: Plan) -> dict[str, list[str]]:
    """Datasets expected in the params' quarter and who must submit each: the params file's `datasets`, else the
    plan's `expected` for that quarter."""
    p = params if isinstance(params, Params) else Params.from_mapping(params)
    return dict(p.datasets) if p.datasets else plan.expected(p.quarter.q)


def new_quarter_params(q: Quarter, plan: Plan) -> str:
    """The text of params/<Q>.yaml for a new quarter, from what the plan expects that quarter."""
    lines = [f"# Run parameters of {q}, written by `python -m parplan new-quarter {q}` from the plan of {plan.year}",
             f"# (plans/{plan.year}/plan.yaml, `expected`). Edit the submitters if this quarter differs from the plan.",
             f'quarter: "{q}"',
             "# Datasets expected this quarter and which agencies (codes or groups) must submit each.",
             "# A dataset with no expected submitters is optional: files are validated when they arrive, nobody is chased.",
             "datasets:"]
    for name, who in plan.expected(q.q).items():
        lines += [f"  {name}:", f"    expected_submitters: [{', '.join(who)}]"]
    return "\n".join(lines) + "\n"


def write_new_quarter(quarter: Quarter | str, root: Path | None = None, force: bool = False) -> Path:
    """Write params/<Q>.yaml for a quarter from its year's plan (FileExistsError unless force)."""
    q = Quarter.parse(quarter)  # an entry point (tests hand it text; the command line a Quarter)
    store = Store(Path(root).resolve()) if root is not None else Store.at()
    plan = plan_of(q, store.root)
    out = store.params_file(q)
    if out.exists() and not force:
        raise FileExistsError(f"{out} đã có; dùng --force để ghi lại / already exists: use --force to rewrite it")
    text = new_quarter_params(q, plan)
    check_params(out, yamlfile.loads(text), PARAM_KEYS | QUARTER_ONLY)
    atomic_write_text(out, text)
    return out


def _tables_to_date(q: Quarter, store: Store) -> dict[str, pd.DataFrame]:
    """Every processed dataset of the quarters of the year to date, stacked with a 'quarter' column."""
    out: dict[str, list[pd.DataFrame]] = {}
    for x in q.quarters_to_date():
        for p in _dataset_tables(store, x):
            f = pd.read_parquet(p)
            f["quarter"] = str(x)
            out.setdefault(p.stem, []).append(f)
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def _dataset_tables(store: Store, q: Quarter) -> list[Path]:
    """The quarter's processed dataset tables (what ingest wrote; the derived steps' own outputs left out)."""
    folder = store.processed(q)
    return [p for p in sorted(folder.glob("*.parquet")) if p.stem not in DERIVED] if folder.is_dir() else []


def compute_indicators(q: Quarter, store: Store | Path, plan: Plan) -> Path:
    """indicators.parquet for quarter q from the processed data of every quarter of the year to date."""
    from .communes import commune_units
    from .metrics import COLUMNS, mark_commune_groups
    from .metrics_datasets import dataset_indicators

    store = Store.for_data(store)
    tables = _tables_to_date(q, store)
    frames = [(x, pd.read_parquet(store.processed(x, "tthc_dossiers"))) for x in q.quarters_to_date()]
    dossiers = combine_quarters(frames)
    if len(dossiers):  # matched communes get their own rows (XA_<DISTRICT>__<gso code>)
        dossiers["commune_unit"] = commune_units(dossiers, plan)
    parts = [dossier_indicators(dossiers, q, plan), dataset_indicators(tables, q, plan)]
    ind = pd.concat([p for p in parts if len(p)], ignore_index=True)
    ind = mark_commune_groups(ind.reindex(columns=COLUMNS))
    for c in ("provisional", "self_reported"):
        ind[c] = ind[c].fillna(False).astype(bool)
    ind = ind.sort_values(["period", "metric", "agency"], kind="stable").reset_index(drop=True)
    out = store.processed(q, "indicators")
    atomic_write(out, lambda p: ind.to_parquet(p, index=False))
    return out


def compute_progress(q: Quarter, store: Store | Path, plan: Plan) -> tuple[Path, Path]:
    """progress.parquet (every target × agency in scope) and task_progress.parquet (every task) for quarter q."""
    from .progress import reports_counting, target_status, task_progress

    store = Store.for_data(store)
    ind = pd.read_parquet(store.processed(q, "indicators"))
    # the quarterly rows of every quarter to date: the trend of the year-end forecast
    earlier = [store.processed(x, "indicators") for x in q.quarters_to_date()[:-1]]
    history = pd.concat([pd.read_parquet(p) for p in earlier if p.exists()] + [ind], ignore_index=True)
    targets = target_status(plan, ind, q, history[history["period"] == "Q"])
    reports = _tables_to_date(q, store).get("task_status", pd.DataFrame())
    reports = reports_counting(reports, plan, q)  # a recurring task's report counts only in its quarter
    tasks = task_progress(plan, targets, reports, q)
    out1, out2 = store.processed(q, "progress"), store.processed(q, "task_progress")
    atomic_write(out1, lambda p: targets.to_parquet(p, index=False))
    atomic_write(out2, lambda p: tasks.to_parquet(p, index=False))
    return out1, out2


def file_summary(manifest: Manifest) -> dict[str, Any]:
    """Counts of files by verdict and of missing submitters, for the index page."""
    files = manifest.files()
    return {"files": {"total": len(files), **{k: sum(1 for f in files if f["verdict"] == k)
                                              for k in ("accepted", "accepted_with_warnings", "rejected")},
                      "missing": sum(len(d["missing_submitters"]) for d in manifest.datasets)}}


def reconcile_quarter(q: Quarter, store: Store) -> Path:
    """reconciliation.parquet: tthc_summary vs tthc_dossiers for one quarter (empty when a source is missing)."""
    from .reconcile import reconcile

    frames = {}
    for ds in ("tthc_dossiers", "tthc_summary"):
        p = store.processed(q, ds)
        frames[ds] = pd.read_parquet(p) if p.exists() else pd.DataFrame()
    rec = reconcile(frames["tthc_dossiers"], frames["tthc_summary"], q)
    out = store.processed(q, "reconciliation")
    atomic_write(out, lambda p: rec.to_parquet(p, index=False))
    return out


def _task_status_counts(q: Quarter, store: Store) -> dict[str, int]:
    """How many tasks are in each status (for the index page's headline)."""
    from .progress import status_counts

    return status_counts(pd.read_parquet(store.processed(q, "task_progress"))["status"])


def _agency_summaries(q: Quarter, store: Store, lang: str, plan: Plan) -> list[dict[str, Any]]:
    """Departments and districts with a badge: the unit's own status (progress.unit_status over its target rows, a
    district's communes included; a target without data is not left out), not the province's."""
    from .progress import label, status_counts, unit_status
    from .report.layout import badge_class

    prog = pd.read_parquet(store.processed(q, "progress"))
    prog = prog[prog["role"] == "target"] if "role" in prog.columns else prog
    out = []
    for a in plan.by_kind("department") + plan.by_kind("district"):
        own = (prog["agency"] == a.code) | (prog["agency"].map(district_of) == a.code)  # a district's communes too
        worst_status = unit_status(prog[own]["status"])
        out.append({"code": a.code, "kind": a.kind, "name": a.name(lang), "status": worst_status,
                    "badge": badge_class(worst_status), "label": label(worst_status, lang),
                    "counts": status_counts(prog[own]["status"])})  # its target rows by status (the badge's counts)
    return out


DERIVED = ("indicators", "progress", "task_progress", "reconciliation", "commune_matches")
OUTPUTS = {"reconciliation": ("reconciliation", "commune_matches"),
           "indicators+progress": ("indicators", "progress", "task_progress")}


def derived_key(store: Store, step: str, quarters: list[Quarter], plan: Plan, package: Path | None = None) -> str:
    """The stage key of a derived step (store.stage_key): its code, the plan, and every processed dataset table of
    the quarters it reads (names and bytes; the derived outputs themselves are not inputs)."""
    inputs = [p for x in quarters for p in _dataset_tables(store, x)]
    return stage_key(step, plan.digest(), inputs, store.root, package=package)


def render_key(store: Store, plan: Plan, package: Path | None = None) -> str:
    """The render stage key: the code of every page (parplan.render, the notebooks and what they import), the plan,
    and every processed file with the manifests (names and bytes); a page's own key adds its job."""
    folder = store.processed_root
    inputs = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return stage_key("render", plan.digest(), inputs, store.root, notebooks=store.notebooks_dir, package=package)


def _fresh(store: Store, q: Quarter, step: str, key: str) -> bool:
    """True when a derived step's outputs exist and were computed with exactly this stage key."""
    f = store.stage_keys_file(q)
    if not f.exists() or not all(store.processed(q, o).exists() for o in OUTPUTS[step]):
        return False
    return json.loads(f.read_text(encoding="utf-8")).get(step) == key


def _stamp(store: Store, q: Quarter, step: str, key: str) -> None:
    """Record the key a derived step was computed with (written after its outputs, atomically)."""
    f = store.stage_keys_file(q)
    keys = json.loads(f.read_text(encoding="utf-8")) if f.exists() else {}
    keys[step] = key
    atomic_write_text(f, json.dumps(keys, indent=1, sort_keys=True) + "\n")


def quarters_with_data(year: int, store: Store) -> list[Quarter]:
    """The quarters of a year that have a raw-data folder."""
    return [x for x in Quarter.of_year(year) if store.raw(x).is_dir()]


def comparison_quarters(q: Quarter, store: Store) -> list[Quarter]:
    """The quarters q's headline figures are compared with (the previous one, the same one last year) that have raw
    data but are not among q's year to date: prepared too, so that a comparison never depends on an earlier run."""
    from .report.compare import other_quarters

    return [x for _, x in other_quarters(q) if x not in q.quarters_to_date() and store.raw(x).is_dir()]


def prepare(q: Quarter, store: Store, say: Callable[[str], None] = print) -> dict[str, Manifest]:
    """Everything before rendering, for quarter q of the project in `store`: check the raw folders, ingest every
    quarter of the year to date, write the feedback workbooks, reconcile, compute indicators and progress; each stage
    is skipped when its key (store.stage_key) is unchanged. Returns each quarter's manifest (by `YYYYQn`)."""
    plan = plan_of(q, store.root)
    for x in q.quarters_to_date():
        check_raw_quarter(store, x)
    say(f"{q}: đối chiếu với {plan.title('vi', short=True)} / judged against the {plan.year} plan "
        f"({'bản khung' if plan.meta['status'] == 'skeleton' else 'đã ban hành'} / {plan.meta['status']})")
    manifests: dict[str, Manifest] = {}
    for x in q.quarters_to_date():
        xp = Params.load(store.params_dir, x)
        manifests[str(x)] = Manifest(ingest_quarter(x, store, expected_datasets(xp, plan), plan, say=say))
        write_feedback(x, store, plan, say=say)  # each agency's own annotated file, unpublished
        key = derived_key(store, "reconciliation", [x], plan)
        if _fresh(store, x, "reconciliation", key):
            say(f"{x}: đối chiếu không đổi, bỏ qua / reconciliation up to date, skipped")
        else:
            reconcile_quarter(x, store)
            write_matches(x, store, plan)  # commune_matches.parquet: how each commune name matched
            _stamp(store, x, "reconciliation", key)
    for x in q.quarters_to_date():  # every quarter to date: scorecards show the trend
        key = derived_key(store, "indicators+progress", x.quarters_to_date(), plan)
        if _fresh(store, x, "indicators+progress", key):
            say(f"{x}: chỉ số và tiến độ không đổi, bỏ qua / indicators and progress up to date, skipped")
            continue
        say(f"{x}: tính chỉ số và tiến độ / computing indicators and progress")
        compute_indicators(x, store, plan)
        compute_progress(x, store, plan)
        _stamp(store, x, "indicators+progress", key)
    return manifests


def quarterly(quarter: Quarter | str | None = None, lang: str | None = None, root: Path | None = None,
              say: Callable[[str], None] = print) -> dict[str, Any]:
    """Validate + ingest every quarter of the year to date, reconcile, compute, render: what `make quarterly` runs.

    Only the requested quarter's pages, in the requested language, are written: another quarter's or another
    language's pages are never touched (a quarter in the switcher that has no page yet gets a placeholder)."""
    t0 = time.monotonic()
    root = Path(root).resolve() if root is not None else find_root()
    params = Params.load(root / "params", quarter)
    q = params.quarter
    lang = lang or params.lang or render.LANGS[0]
    if lang not in render.LANGS:
        raise ValueError(f"lang phải là một trong {', '.join(render.LANGS)} / lang must be one of "
                         f"{', '.join(render.LANGS)}, not {lang!r}")
    store = params.store(root)
    manifests = prepare(q, store, say)
    for x in comparison_quarters(q, store):  # the headline figures sit beside them (report/compare.py)
        prepare(x, store, say)
    plan = plan_of(q, root)
    sample = any(m.sample for m in manifests.values())  # recorded by the data itself
    out_dir = store.report_dir(q, lang, render.LANGS[0])

    def job(nb: str, out: Path, title: str, **extra: Any) -> render.Job:
        p = {"quarter": str(q), "lang": lang, "data_root": store.relative(store.data_root), "sample_data": sample,
             **extra}
        return render.Job(nb, str(out), tuple(p.items()), title, lang, sample, str(root))

    def title(page: str, **fields: Any) -> str:
        return i18n.t(f"pages.{page}", lang, quarter=q.label(lang), **fields)

    jobs = [job("quarterly_overview.ipynb", out_dir / "overview.html", title("overview")),
            job("index_outlook.ipynb", out_dir / "outlook.html", title("outlook")),
            job("data_quality.ipynb", out_dir / "data-quality.html", title("quality"))]
    agencies = _agency_summaries(q, store, lang, plan)
    jobs += [job("agency_scorecard.ipynb", out_dir / "agencies" / f"{a['code']}.html",
                 title("scorecard", agency=a["name"]), agency=a["code"]) for a in agencies]
    cache = store.render_cache
    todo, unchanged, keys = render.skip_unchanged(jobs, cache, render_key(store, plan), store.notebooks_dir)
    say(f"{q}: dựng {len(todo)} báo cáo, bỏ qua {len(unchanged)} không đổi (papermill + nbconvert, song song) / "
        f"rendering {len(todo)} reports in parallel, {len(unchanged)} unchanged skipped")
    stderr, failures = render.render_all(todo, say=say)
    failed = {o for o, _ in failures}
    old = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    old.update({o: k for o, k in keys.items() if o not in failed})
    for o in failed:
        old.pop(o, None)
    store.reports_root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(cache, json.dumps(old, indent=1, sort_keys=True) + "\n")
    summary = file_summary(manifests[str(q)])
    summary.update(task_statuses=_task_status_counts(q, store), agencies=agencies,
                   answer=answer.box(str(q), lang, store.data_root, plan, project_plans(root)))  # the answer first
    # the switcher comes from the data (the plan year's quarters with a raw folder), so every quarter's page lists
    # the same quarters whatever was rendered before; a quarter with data but no page yet gets a placeholder
    with_data = quarters_with_data(q.year, store)

    def links(here: Path) -> list[tuple[Quarter, str]]:
        return [(x, os.path.relpath(store.report_dir(x, lang, render.LANGS[0]) / "index.html", here))
                for x in with_data]

    out_dir.mkdir(parents=True, exist_ok=True)
    # the department's quarterly report to the Provincial People's Committee, from the pages' views, for an officer
    # to edit and sign (report/docx_report.py; the same bytes for the same inputs); the index links it
    try:
        docx_report.write_report(str(q), out_dir, lang, store.data_root, sample, plan)
    except Exception as e:  # reported with the pages that failed: the run ends in an error, the index is written
        failures.append((str(out_dir / docx_report.FILE_NAME), f"{type(e).__name__}: {e}"))
    render.write_method(q, out_dir, lang, sample, root)
    index = render.write_index(q, out_dir, lang, sample, summary, plan, links(out_dir), root)
    for x in with_data:
        there = store.report_dir(x, lang, render.LANGS[0])
        if x != q and not (there / "index.html").exists():
            render.write_placeholder(x, there, lang, sample_marker(store, x)["sample_data"], plan, links(there), root)
    # the headline figures beside the pages (issued with them), then each page's note if the quarter was issued
    # (parplan/issuing.py): only reports/<Q>/... is written here, never reports/issued/
    issuing.write_headlines(out_dir, issuing.headlines(store, q, lang, summary, plan, sample))
    issuing.annotate(store, q, lang)
    log = out_dir / "render.log"
    atomic_write_text(log, f"quarter={q} lang={lang} seconds={time.monotonic() - t0:.1f}\n" + "".join(stderr)
                      + "".join(f"FAILED {o}: {e}\n" for o, e in failures))
    say(f"{q}: xong / done in {time.monotonic() - t0:.0f} s — {len(todo) - len(failures)} báo cáo dựng mới / rendered, "
        f"{len(unchanged)} bỏ qua / skipped, {len(failures)} lỗi / failed — {store.relative(index)}")
    for line in end_summary(manifests[str(q)].raw, store.relative(out_dir / "data-quality.html")):
        say(line)  # the quarter's rejected and warned files, and where their findings are
    if failures:
        for o, e in failures:
            say(f"  LỖI / FAILED: {o}: {e}")
        raise RuntimeError(f"{len(failures)} báo cáo lỗi / reports failed (see {store.relative(log)})")
    return {"quarter": str(q), "index": index, "overview": out_dir / "overview.html",
            "summary": file_summary(manifests[str(q)]), "plan_year": plan.year, "sample": sample}
