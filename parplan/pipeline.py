"""The quarterly run: ingest every quarter of the year to date, compute indicators, render the reports."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from . import render, yamlfile
from .catalogue import Plan, load_plan, project_plans
from .communes import write_matches
from .feedback import write_feedback
from .ingest import (
    check_raw_quarter,
    end_summary,
    ingest_quarter,
    load_processed,
    processed_dir,
    sample_marker,
)
from .io import atomic_write, atomic_write_text, sha256
from .metrics import combine_quarters, dossier_indicators
from .periods import Quarter
from .store import Manifest, Store, find_root

ROOT = Path(__file__).resolve().parents[1]


# The keys a run-parameter file may hold: shared ones in defaults.yaml and per quarter, plus one per kind of file.
PARAM_KEYS = {"lang", "data_root", "reports_root", "datasets"}
DEFAULTS_ONLY, QUARTER_ONLY = {"default_quarter"}, {"quarter"}


def _check_params(path: Path, raw: Any, allowed: set[str]) -> dict[str, Any]:
    """A params file as a mapping with known keys only; anything else stops the run with a clear message."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: tệp tham số phải là một bảng khóa: giá trị / "
                         f"{path.name}: a params file must be a mapping of keys to values, found {type(raw).__name__}")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValueError(f"{path.name}: khóa không hợp lệ {', '.join(unknown)} (cho phép: {', '.join(sorted(allowed))}) / "
                         f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
    from .contracts import available

    for name, spec in (raw.get("datasets") or {}).items():
        if name not in available():
            raise ValueError(f"{path.name}: bộ dữ liệu '{name}' không có hợp đồng dữ liệu / dataset {name!r} has no "
                             f"contract (known: {', '.join(sorted(available()))})")
        if not isinstance(spec, dict) or not isinstance(spec.get("expected_submitters", []), list):
            raise ValueError(f"{path.name}: datasets.{name} phải có expected_submitters là một danh sách / "
                             f"datasets.{name} needs expected_submitters as a list")
    return raw


def load_params(quarter: Quarter | str | None = None, params_dir: Path = ROOT / "params") -> dict[str, Any]:
    """params/defaults.yaml overlaid with params/<Q>.yaml, both validated; the quarter defaults to default_quarter."""
    dfile = params_dir / "defaults.yaml"
    base = dict(_check_params(dfile, yamlfile.load(dfile), PARAM_KEYS | DEFAULTS_ONLY))
    q = Quarter.parse(quarter if quarter not in (None, "") else base["default_quarter"])
    qfile = params_dir / f"{q}.yaml"
    if qfile.exists():
        own = _check_params(qfile, yamlfile.load(qfile), PARAM_KEYS | QUARTER_ONLY)
        if "quarter" in own and str(own["quarter"]) != str(q):
            raise ValueError(f"{qfile.name}: ghi quarter: \"{own['quarter']}\" nhưng tên tệp là quý {q}; sửa cho khớp / "
                             f"{qfile.name} says quarter: {own['quarter']!r} but its name is {q}: make them agree")
        base.update(own)
    base["quarter"] = str(q)
    return base


def plan_of(q: Quarter, root: Path = ROOT) -> Plan:
    """The plan a quarter is judged against (its year's); PlanNotFound lists the plans there are."""
    return load_plan(q.year, project_plans(root))


def expected_datasets(params: dict[str, Any], plan: Plan) -> dict[str, list[str]]:
    """Datasets expected in the params' quarter and who must submit each: the params file's `datasets`, else the
    plan's `expected` for that quarter."""
    q = Quarter.parse(params["quarter"])
    if params.get("datasets"):
        return {k: list(v.get("expected_submitters", [])) for k, v in params["datasets"].items()}
    return plan.expected(q.q)


def new_quarter_params(quarter: Quarter | str, plan: Plan) -> str:
    """The text of params/<Q>.yaml for a new quarter, from what the plan expects that quarter."""
    q = Quarter.parse(quarter)
    lines = [f"# Run parameters of {q}, written by `python -m parplan new-quarter {q}` from the plan of {plan.year}",
             f"# (plans/{plan.year}/plan.yaml, `expected`). Edit the submitters if this quarter differs from the plan.",
             f'quarter: "{q}"',
             "# Datasets expected this quarter and which agencies (codes or groups) must submit each.",
             "# A dataset with no expected submitters is optional: files are validated when they arrive, nobody is chased.",
             "datasets:"]
    for name, who in plan.expected(q.q).items():
        lines += [f"  {name}:", f"    expected_submitters: [{', '.join(who)}]"]
    return "\n".join(lines) + "\n"


def write_new_quarter(quarter: Quarter | str, root: Path = ROOT, force: bool = False) -> Path:
    """Write params/<Q>.yaml for a quarter from its year's plan (FileExistsError unless force)."""
    q = Quarter.parse(quarter)
    plan = plan_of(q, root)
    out = root / "params" / f"{q}.yaml"
    if out.exists() and not force:
        raise FileExistsError(f"{out} đã có; dùng --force để ghi lại / already exists: use --force to rewrite it")
    text = new_quarter_params(q, plan)
    _check_params(out, yamlfile.loads(text), PARAM_KEYS | QUARTER_ONLY)
    atomic_write_text(out, text)
    return out


def _tables_to_date(q: Quarter, data_root: Path) -> dict[str, pd.DataFrame]:
    """Every processed dataset of the quarters of the year to date, stacked with a 'quarter' column."""
    out: dict[str, list[pd.DataFrame]] = {}
    for x in q.quarters_to_date():
        folder = processed_dir(data_root, x)
        for p in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            if p.stem in DERIVED:
                continue
            f = pd.read_parquet(p)
            f["quarter"] = str(x)
            out.setdefault(p.stem, []).append(f)
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def compute_indicators(q: Quarter, data_root: Path, plan: Plan) -> Path:
    """indicators.parquet for quarter q from the processed data of every quarter of the year to date."""
    from .communes import commune_units
    from .metrics import COLUMNS, mark_commune_groups
    from .metrics_datasets import dataset_indicators

    tables = _tables_to_date(q, data_root)
    frames = [(x, load_processed(x, "tthc_dossiers", data_root)) for x in q.quarters_to_date()]
    dossiers = combine_quarters(frames)
    if len(dossiers):  # matched communes get their own rows (XA_<DISTRICT>__<gso code>)
        dossiers["commune_unit"] = commune_units(dossiers, plan)
    parts = [dossier_indicators(dossiers, q, plan), dataset_indicators(tables, q, plan)]
    ind = pd.concat([p for p in parts if len(p)], ignore_index=True)
    ind = mark_commune_groups(ind.reindex(columns=COLUMNS))
    for c in ("provisional", "self_reported"):
        ind[c] = ind[c].fillna(False).astype(bool)
    ind = ind.sort_values(["period", "metric", "agency"], kind="stable").reset_index(drop=True)
    out = processed_dir(data_root, q) / "indicators.parquet"
    atomic_write(out, lambda p: ind.to_parquet(p, index=False))
    return out


def compute_progress(q: Quarter, data_root: Path, plan: Plan) -> tuple[Path, Path]:
    """progress.parquet (every target × agency in scope) and task_progress.parquet (every task) for quarter q."""
    from .progress import target_status, task_progress

    ind = pd.read_parquet(processed_dir(data_root, q) / "indicators.parquet")
    # the quarterly rows of every quarter to date: the trend of the year-end forecast
    earlier = [processed_dir(data_root, x) / "indicators.parquet" for x in q.quarters_to_date()[:-1]]
    history = pd.concat([pd.read_parquet(p) for p in earlier if p.exists()] + [ind], ignore_index=True)
    targets = target_status(plan, ind, q, history[history["period"] == "Q"])
    reports = _tables_to_date(q, data_root).get("task_status", pd.DataFrame())
    if len(reports):
        recurring = {t.id for t in plan.tasks if t.schedule["kind"] == "recurring"}
        reports = reports[~reports["task_id"].isin(recurring) | (reports["quarter"] == str(q))]
        reports = reports.sort_values("quarter", kind="stable").drop_duplicates(["task_id", "agency_code"], keep="last")
    tasks = task_progress(plan, targets, reports, q)
    out1 = processed_dir(data_root, q) / "progress.parquet"
    out2 = processed_dir(data_root, q) / "task_progress.parquet"
    atomic_write(out1, lambda p: targets.to_parquet(p, index=False))
    atomic_write(out2, lambda p: tasks.to_parquet(p, index=False))
    return out1, out2


def file_summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """Counts of files by verdict and of missing submitters, for the index page."""
    files = [f for d in manifest["datasets"] for f in d["files"]]
    return {"files": {"total": len(files), **{k: sum(1 for f in files if f["verdict"] == k)
                                              for k in ("accepted", "accepted_with_warnings", "rejected")},
                      "missing": sum(len(d["missing_submitters"]) for d in manifest["datasets"])}}


def reconcile_quarter(q: Quarter, data_root: Path) -> Path:
    """reconciliation.parquet: tthc_summary vs tthc_dossiers for one quarter (empty when a source is missing)."""
    from .reconcile import reconcile

    folder = processed_dir(data_root, q)
    frames = {}
    for ds in ("tthc_dossiers", "tthc_summary"):
        p = folder / f"{ds}.parquet"
        frames[ds] = pd.read_parquet(p) if p.exists() else pd.DataFrame()
    rec = reconcile(frames["tthc_dossiers"], frames["tthc_summary"], q)
    out = folder / "reconciliation.parquet"
    atomic_write(out, lambda p: rec.to_parquet(p, index=False))
    return out


def _task_status_counts(q: Quarter, data_root: Path) -> dict[str, int]:
    """How many tasks are in each status (for the index page's headline)."""
    from .report.overview import STATUS_ORDER

    t = pd.read_parquet(processed_dir(data_root, q) / "task_progress.parquet")
    counts = t["status"].value_counts()
    return {s: int(counts[s]) for s in STATUS_ORDER if s in counts.index}


def _agency_summaries(q: Quarter, data_root: Path, lang: str, plan: Plan) -> list[dict[str, Any]]:
    """Departments and districts with a badge: the worst of the unit's own statuses (its rows that carry a verdict;
    a district's communes included), not the province's."""
    from .progress import label, worst
    from .report.overview import STATUS_BADGE

    prog = pd.read_parquet(processed_dir(data_root, q) / "progress.parquet")
    prog = prog[prog["role"] == "target"] if "role" in prog.columns else prog
    out = []
    for a in plan.by_kind("department") + plan.by_kind("district"):
        own = prog["agency"].isin([a.code, f"XA_{a.code}"]) | prog["agency"].str.startswith(f"XA_{a.code}__")
        mine = [s for s in prog[own]["status"] if s not in ("", "no_data", "not_yet_due", "not_measurable")]
        worst_status = worst(mine) if mine else "no_data"
        out.append({"code": a.code, "kind": a.kind, "name": a.name(lang), "status": worst_status,
                    "badge": STATUS_BADGE.get(worst_status, "neutral"), "label": label(worst_status, lang)})
    return out


DERIVED = ("indicators", "progress", "task_progress", "reconciliation", "commune_matches")
OUTPUTS = {"reconciliation": ("reconciliation", "commune_matches"),
           "indicators+progress": ("indicators", "progress", "task_progress")}


def _inputs_key(data_root: Path, step: str, code: str, quarters: list[Quarter]) -> str:
    """Digest of the code and of every processed input file (names and bytes) a derived step reads."""
    import hashlib

    h = hashlib.sha256(f"{step}\n{code}\n".encode())
    for x in quarters:
        folder = processed_dir(data_root, x)
        for p in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            if p.stem not in DERIVED:
                h.update(f"{x}/{p.name}\n".encode())
                h.update(sha256(p).encode())
    return h.hexdigest()


def _stamp_file(data_root: Path, q: Quarter) -> Path:
    return processed_dir(data_root, q) / "derived-keys.json"


def _fresh(data_root: Path, q: Quarter, step: str, code: str, quarters: list[Quarter]) -> bool:
    """True when a derived step's outputs exist and were computed from exactly these inputs and this code."""
    f = _stamp_file(data_root, q)
    if not f.exists() or not all((processed_dir(data_root, q) / f"{o}.parquet").exists() for o in OUTPUTS[step]):
        return False
    keys = json.loads(f.read_text(encoding="utf-8"))
    return keys.get(step) == _inputs_key(data_root, step, code, quarters)


def _stamp(data_root: Path, q: Quarter, step: str, code: str, quarters: list[Quarter]) -> None:
    """Record the inputs a derived step was computed from (written after its outputs, atomically)."""
    f = _stamp_file(data_root, q)
    keys = json.loads(f.read_text(encoding="utf-8")) if f.exists() else {}
    keys[step] = _inputs_key(data_root, step, code, quarters)
    atomic_write_text(f, json.dumps(keys, indent=1, sort_keys=True) + "\n")


def quarters_with_data(year: int, data_root: Path) -> list[Quarter]:
    """The quarters of a year that have a raw-data folder."""
    return [Quarter(year, i) for i in range(1, 5) if (data_root / "raw" / str(Quarter(year, i))).is_dir()]


def report_dir(reports_root: Path, q: Quarter, lang: str) -> Path:
    """Where a quarter's pages go: reports/<Q>/ in Vietnamese (the default), reports/<Q>/<lang>/ otherwise."""
    return reports_root / str(q) if lang == render.LANGS[0] else reports_root / str(q) / lang


def prepare(q: Quarter, store: Store, say: Callable[[str], None] = print) -> dict[str, Manifest]:
    """Everything before rendering, for quarter q of the project in `store`: check the raw folders, ingest every
    quarter of the year to date, write the feedback workbooks, reconcile, compute indicators and progress; each stage
    is skipped when its key is unchanged. Returns each quarter's manifest (by `YYYYQn`)."""
    plan = plan_of(q, store.root)
    for x in q.quarters_to_date():
        check_raw_quarter(store.data_root, x)
    say(f"{q}: đối chiếu với {plan.title('vi', short=True)} / judged against the {plan.year} plan "
        f"({'bản khung' if plan.meta['status'] == 'skeleton' else 'đã ban hành'} / {plan.meta['status']})")
    manifests: dict[str, Manifest] = {}
    code = render.code_digest() + plan.digest()
    data_root = store.data_root
    for x in q.quarters_to_date():
        xp = load_params(x, store.params_dir)
        manifests[str(x)] = Manifest(ingest_quarter(x, data_root, expected_datasets(xp, plan), plan, say=say))
        write_feedback(x, data_root, store.feedback_root, plan, say=say)  # each agency's own annotated file, unpublished
        if _fresh(data_root, x, "reconciliation", code, [x]):
            say(f"{x}: đối chiếu không đổi, bỏ qua / reconciliation up to date, skipped")
        else:
            reconcile_quarter(x, data_root)
            write_matches(x, data_root, plan)  # commune_matches.parquet: how each commune name matched
            _stamp(data_root, x, "reconciliation", code, [x])
    for x in q.quarters_to_date():  # every quarter to date: scorecards show the trend
        if _fresh(data_root, x, "indicators+progress", code, x.quarters_to_date()):
            say(f"{x}: chỉ số và tiến độ không đổi, bỏ qua / indicators and progress up to date, skipped")
            continue
        say(f"{x}: tính chỉ số và tiến độ / computing indicators and progress")
        compute_indicators(x, data_root, plan)
        compute_progress(x, data_root, plan)
        _stamp(data_root, x, "indicators+progress", code, x.quarters_to_date())
    return manifests


def quarterly(quarter: str | None = None, lang: str | None = None, root: Path | None = None,
              say=print) -> dict[str, Any]:
    """Validate + ingest every quarter of the year to date, reconcile, compute, render: what `make quarterly` runs.

    Only the requested quarter's pages, in the requested language, are written: another quarter's or another
    language's pages are never touched (a quarter in the switcher that has no page yet gets a placeholder)."""
    t0 = time.monotonic()
    root = Path(root).resolve() if root is not None else find_root()
    params = load_params(quarter, root / "params")
    q = Quarter.parse(params["quarter"])
    lang = lang or params.get("lang", render.LANGS[0])
    if lang not in render.LANGS:
        raise ValueError(f"lang phải là một trong {', '.join(render.LANGS)} / lang must be one of "
                         f"{', '.join(render.LANGS)}, not {lang!r}")
    store = Store(root, str(params.get("data_root", "data")), str(params.get("reports_root", "reports")))
    manifests = {k: m.raw for k, m in prepare(q, store, say).items()}
    plan = plan_of(q, root)
    data_root, reports_root = store.data_root, store.reports_root
    sample = any(m.get("sample", {}).get("sample_data") for m in manifests.values())  # recorded by the data itself
    rel_data = str(data_root.relative_to(root)) if data_root.is_relative_to(root) else str(data_root)
    out_dir = report_dir(reports_root, q, lang)

    def job(nb: str, out: Path, title: str, **extra: Any) -> render.Job:
        p = {"quarter": str(q), "lang": lang, "data_root": rel_data, "sample_data": sample, **extra}
        return render.Job(nb, str(out), tuple(p.items()), title, lang, sample, str(root))

    vi = lang == "vi"
    jobs = [job("quarterly_overview.ipynb", out_dir / "overview.html",
                ("Báo cáo tiến độ PAR INDEX, SIPAS — " if vi else "PAR INDEX / SIPAS progress — ") + q.label(lang)),
            job("index_outlook.ipynb", out_dir / "outlook.html",
                ("Triển vọng chỉ số PAR INDEX, SIPAS — " if vi else "PAR INDEX / SIPAS outlook — ") + q.label(lang)),
            job("data_quality.ipynb", out_dir / "data-quality.html",
                ("Chất lượng dữ liệu — " if vi else "Data quality — ") + q.label(lang))]
    agencies = _agency_summaries(q, data_root, lang, plan)
    jobs += [job("agency_scorecard.ipynb", out_dir / "agencies" / f"{a['code']}.html",
                 ("Phiếu đánh giá — " if vi else "Scorecard — ") + a["name"] + " — " + q.label(lang), agency=a["code"])
             for a in agencies]
    cache = reports_root / ".render-cache.json"
    todo, unchanged, keys = render.skip_unchanged(jobs, cache, render.code_and_data_digest(data_root) + plan.digest())
    say(f"{q}: dựng {len(todo)} báo cáo, bỏ qua {len(unchanged)} không đổi (papermill + nbconvert, song song) / "
        f"rendering {len(todo)} reports in parallel, {len(unchanged)} unchanged skipped")
    stderr, failures = render.render_all(todo, say=say)
    failed = {o for o, _ in failures}
    old = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    old.update({o: k for o, k in keys.items() if o not in failed})
    for o in failed:
        old.pop(o, None)
    reports_root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(cache, json.dumps(old, indent=1, sort_keys=True) + "\n")
    summary = file_summary(manifests[str(q)])
    summary.update(task_statuses=_task_status_counts(q, data_root), agencies=agencies)
    # the switcher comes from the data (the plan year's quarters with a raw folder), so every quarter's page lists
    # the same quarters whatever was rendered before; a quarter with data but no page yet gets a placeholder
    with_data = quarters_with_data(q.year, data_root)

    def links(here: Path) -> list[tuple[Quarter, str]]:
        return [(x, os.path.relpath(report_dir(reports_root, x, lang) / "index.html", here)) for x in with_data]

    index = render.write_index(q, out_dir, lang, sample, summary, plan, links(out_dir), root)
    for x in with_data:
        there = report_dir(reports_root, x, lang)
        if x != q and not (there / "index.html").exists():
            render.write_placeholder(x, there, lang, sample_marker(data_root, x)["sample_data"], plan, links(there), root)
    log = out_dir / "render.log"
    atomic_write_text(log, f"quarter={q} lang={lang} seconds={time.monotonic() - t0:.1f}\n" + "".join(stderr)
                      + "".join(f"FAILED {o}: {e}\n" for o, e in failures))
    say(f"{q}: xong / done in {time.monotonic() - t0:.0f} s — {len(todo) - len(failures)} báo cáo dựng mới / rendered, "
        f"{len(unchanged)} bỏ qua / skipped, {len(failures)} lỗi / failed — {index.relative_to(root)}")
    quality = out_dir / "data-quality.html"
    for line in end_summary(manifests[str(q)], str(quality.relative_to(root)) if quality.is_relative_to(root)
                            else str(quality)):
        say(line)  # the quarter's rejected and warned files, and where their findings are
    if failures:
        for o, e in failures:
            say(f"  LỖI / FAILED: {o}: {e}")
        raise RuntimeError(f"{len(failures)} báo cáo lỗi / reports failed (see {log.relative_to(root)})")
    return {"quarter": str(q), "index": index, "overview": out_dir / "overview.html",
            "summary": file_summary(manifests[str(q)]), "plan_year": plan.year, "sample": sample}
