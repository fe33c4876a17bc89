"""Raw submissions -> validated, typed tables in data/processed/<Q>/ with a manifest (hashes, counts, verdicts)."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import __version__, yamlfile
from .catalogue import quarter_plan
from .contracts import HERE as CONTRACTS_DIR
from .contracts import load_contract
from .crossfile import cross_file_keys
from .decisions import apply_decisions, load_decisions
from .io import ROW, atomic_write, atomic_write_text, sha256
from .periods import Quarter
from .plausibility import plausibility_issues
from .store import Manifest, Store, stage_key
from .validation import FileVerdict, Issue, validate_files

if TYPE_CHECKING:
    from .catalogue import Plan

SUPPORTED = {".csv", ".xlsx", ".xls"}
SAMPLE_MARKER = "SAMPLE_DATA.yaml"  # data/raw/<Q>/SAMPLE_DATA.yaml: written by the sample generator, never by hand
IGNORED = {".gitkeep", SAMPLE_MARKER}  # the only entries of a quarter folder that are not submissions
# files of one dataset are validated together in chunks of at most this many bytes (a larger file is a chunk of its
# own): memory stays bounded by the chunk, not the quarter. Every rule is per file, so chunks change no verdict.
CHUNK_BYTES = 128 * 1024 * 1024  # ~1 GB of memory while validating (1 000 000 dossier rows ≈ 142 MB)


def chunks(items: list[tuple[Path, str, str | None]], limit: int) -> list[list[tuple[Path, str, str | None]]]:
    """Consecutive groups of files whose sizes add up to at most `limit` bytes (never an empty group)."""
    out: list[list[tuple[Path, str, str | None]]] = []
    size = 0
    for item in items:
        n = Path(item[0]).stat().st_size
        if not out or size + n > limit:
            out.append([])
            size = 0
        out[-1].append(item)
        size += n
    return out


def _say(msg: str) -> None:
    print(msg, flush=True)


class RawDataMissing(FileNotFoundError):
    """A requested quarter has no raw-data folder, or an empty one."""


def check_raw_quarter(store: Store | Path, quarter: Quarter) -> Path:
    """The quarter's raw folder; RawDataMissing when it is missing or holds no submission at all."""
    folder = Store.for_data(store).raw(quarter)
    if not folder.is_dir():
        raise RawDataMissing(f"Không có thư mục dữ liệu thô của quý {quarter}: {folder}. Đặt các tệp nộp vào "
                             f"{folder}/<bộ dữ liệu>/<MÃ CƠ QUAN>.xlsx rồi chạy lại. / No raw-data folder for {quarter}: "
                             f"{folder}. Put the submissions in {folder}/<dataset>/<AGENCY>.xlsx and run again.")
    if not any(p.is_file() and p.name not in IGNORED for p in folder.rglob("*")):
        raise RawDataMissing(f"Thư mục dữ liệu thô của quý {quarter} không có tệp nào: {folder}. Không nạp một quý "
                             f"rỗng. / The raw-data folder of {quarter} holds no file: {folder}. An empty quarter is not "
                             f"ingested.")
    return folder


def sample_marker(store: Store | Path, quarter: Quarter) -> dict[str, Any]:
    """What the data says about itself: {'sample_data': True, ...} from the generator's marker, else sample_data False."""
    store = Store.for_data(store)
    p = store.raw(quarter) / SAMPLE_MARKER
    if not p.exists():
        return {"sample_data": False}
    raw = yamlfile.load(p)
    if not isinstance(raw, dict) or raw.get("sample_data") is not True:
        raise ValueError(f"{p}: tệp đánh dấu dữ liệu mẫu phải ghi sample_data: true / the sample marker must say "
                         f"sample_data: true (found {raw!r})")
    return {**raw, "marker": store.relative(p)}


def unexpected_entries(store: Store, quarter: Quarter, datasets: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Folders and files under data/raw/<Q>/ that the plan does not expect this quarter: listed, never read."""
    folder = store.raw(quarter)
    out = []
    for p in sorted(folder.iterdir()) if folder.is_dir() else []:
        if p.name in IGNORED or p.name in datasets:
            continue
        files = sorted(str(f.relative_to(p)) for f in p.rglob("*") if f.is_file()) if p.is_dir() else []
        out.append({"name": p.name, "kind": "folder" if p.is_dir() else "file", "files": files})
    return out


def expected_submitters(dataset: str, groups: list[str], plan: Plan) -> list[str]:
    """Agency codes expected to submit a dataset (expanded from group codes)."""
    out: list[str] = []
    for g in groups:
        for c in plan.members(g):
            if c not in out:
                out.append(c)
    return out


def _contract_hash(dataset: str) -> str:
    """The digest of a dataset's contract file (recorded in the manifest)."""
    return hashlib.sha256((CONTRACTS_DIR / f"{dataset}.yaml").read_bytes()).hexdigest()


VERSION_RE = re.compile(r"^(?P<code>.+)\.v(?P<n>[2-9]|[1-9]\d+)$")


def file_version(path: Path) -> tuple[str, int]:
    """The agency code and version of a submission: `SNV.xlsx` is version 1, a corrected `SNV.v2.xlsx` version 2 …"""
    m = VERSION_RE.match(Path(path).stem)
    return (m["code"], int(m["n"])) if m else (Path(path).stem, 1)


def _agency_of(path: Path, plan: Plan) -> tuple[str, str | None]:
    code, _ = file_version(path)
    a = plan.agencies.get(code)
    return code, (a.kind if a else None)


def _superseded(files: list[Path]) -> tuple[dict[Path, Path], set[Path]]:
    """Resubmissions: each earlier version -> the latest version of the same agency (the one that counts), and the
    files that share an agency's highest version number (which of them is meant cannot be told: none counts)."""
    by_code: dict[str, list[tuple[int, Path]]] = {}
    for p in files:
        code, n = file_version(p)
        by_code.setdefault(code, []).append((n, p))
    older: dict[Path, Path] = {}
    clash: set[Path] = set()
    for versions in by_code.values():
        top = max(n for n, _ in versions)
        latest = [p for n, p in versions if n == top]
        if len(latest) > 1:
            clash.update(latest)
        for n, p in versions:
            if n < top:
                older[p] = latest[0]
    return older, clash


def ingest_dataset(store: Store | Path, quarter: Quarter, dataset: str, expected: list[str], plan: Plan,
                   say: Callable[[str], None] = _say) -> dict[str, Any]:
    """Validate every file of one dataset for a quarter; write the accepted rows; return the manifest entry."""
    store = Store.for_data(store)
    contract = load_contract(dataset, plan)
    folder = store.raw(quarter, dataset)
    root = store.root
    # every file is listed (hidden ones too: nothing is silently ignored), except git's placeholder
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != ".gitkeep") if folder.is_dir() else []
    verdicts: list[FileVerdict] = []
    frames: list[pd.DataFrame] = []
    todo: list[tuple[Path, str, str | None]] = []
    older, clash = _superseded([p for p in files if p.suffix.lower() in SUPPORTED])
    shown = {store.relative(p): p for p in files}
    for path in files:
        code, kind = _agency_of(path, plan)
        if path.suffix.lower() not in SUPPORTED:
            v = FileVerdict(path=store.relative(path),
                            dataset=dataset, agency=code, sha256=sha256(path), verdict="rejected", checked=False)
            v.issues.append(Issue(v.path, "unsupported_file", "reject",
                                  f"Định dạng tệp không hỗ trợ '{path.suffix}' (chỉ .csv, .xlsx, .xls)",
                                  f"unsupported file type '{path.suffix}' (only .csv, .xlsx, .xls)",
                                  fix_vi="lưu lại dạng Excel (.xlsx) hoặc CSV UTF-8", fix_en="save it as Excel (.xlsx) or CSV UTF-8"))
            verdicts.append(v)
        else:
            todo.append((path, code, kind))
    say(f" {dataset}: {len(files)} tệp / files — đọc và kiểm tra (Great Expectations) / reading and validating ...")
    checked = [r for group in chunks(todo, CHUNK_BYTES) for r in validate_files(group, contract, quarter, root=root)]
    for v, t in checked:
        path = shown.get(v.path)
        if path in older:  # kept untouched and listed with its own verdict; the latest version counts
            new = older[path]
            v.superseded_by = store.relative(new)
            v.issues.append(Issue(v.path, "superseded", "info",
                                  f"Đã có bản nộp lại {new.name}: bản này không được tính",
                                  f"resubmitted as {new.name}: this version is not counted"))
            continue
        if path in clash:
            others = ", ".join(sorted(p.name for p in clash if file_version(p)[0] == v.agency and p != path))
            v.issues.append(Issue(v.path, "version_clash", "reject",
                                  f"Cùng phiên bản với tệp {others}: không rõ tệp nào được dùng, không tệp nào được tính",
                                  f"same version as {others}: which one is meant is unclear, neither is counted",
                                  fix_vi="giữ một tệp, hoặc đặt tên bản nộp lại <MÃ>.v2, <MÃ>.v3 …",
                                  fix_en="keep one file, or name a resubmission <CODE>.v2, <CODE>.v3 …"))
            v.verdict, v.rows_accepted = "rejected", 0
            continue
        if t is not None:
            t = t.rename(columns={ROW: "source_row"})
            t.insert(0, "source_file", v.path)
            t.insert(1, "submitting_agency", v.agency)
            frames.append(t)
    if frames:
        table = pd.concat(frames, ignore_index=True).sort_values(["source_file", "source_row"], kind="stable")
    else:
        table = pd.DataFrame(columns=["source_file", "submitting_agency", "source_row"] + contract.names)
    table = _across_files(table.reset_index(drop=True), [v for v, _ in checked], contract,
                          _previous(store, quarter, dataset))
    for i, (v, _) in enumerate(checked, 1):
        verdicts.append(v)
        if v.verdict == "accepted" and not v.issues:  # a clean file needs no line: the end summary counts it
            continue
        mark = {"accepted": "OK", "accepted_with_warnings": "OK (cảnh báo / warnings)",
                "rejected": "TỪ CHỐI / REJECTED"}[v.verdict]
        say(f"  [{i}/{len(todo)}] {Path(v.path).name}: {mark} — {v.rows_read} dòng/rows, {len(v.issues)} vấn đề/issues")
    verdicts.sort(key=lambda v: v.path)
    submitted = {v.agency for v in verdicts if v.verdict != "rejected" and not v.superseded_by}
    seen = {v.agency for v in verdicts}
    missing = [c for c in expected if c not in seen]
    out_path = store.processed(quarter, dataset)
    atomic_write(out_path, lambda p: table.to_parquet(p, index=False))
    return {
        "dataset": dataset,
        "contract_sha256": _contract_hash(dataset),
        "output": store.relative(out_path),  # relative to the store's root: resolved through the store
        "output_rows": int(len(table)),
        "files": [v.to_dict() for v in verdicts],
        "expected_submitters": expected,
        "missing_submitters": missing,
        "accepted_agencies": sorted(submitted),
    }


def _previous(store: Store, quarter: Quarter, dataset: str) -> pd.DataFrame | None:
    """The previous quarter's accepted rows of a dataset (for the plausibility checks), or None."""
    p = store.processed(quarter.previous(), dataset)
    return pd.read_parquet(p) if p.exists() else None


def _across_files(table: pd.DataFrame, verdicts: list[FileVerdict], contract: Any,
                  previous: pd.DataFrame | None) -> pd.DataFrame:
    """Checks over all files of the quarter (keys across files, plausibility against the previous quarter): their
    findings join each file's verdict, and each file's accepted-row count is what reaches the processed table."""
    sheets = {v.path: v.sheet for v in verdicts}
    table, issues = cross_file_keys(table, contract, sheets)
    table = table.reset_index(drop=True)
    issues += plausibility_issues(table, previous, contract, sheets)
    by_path = {v.path: v for v in verdicts}
    for i in issues:
        by_path[i.file].issues.append(i)
    counts = table["source_file"].value_counts()
    for v in verdicts:
        if v.superseded_by:
            v.rows_accepted = 0  # its verdict stays as it was judged; none of its rows count
        elif v.verdict != "rejected":
            v.rows_accepted = int(counts.get(v.path, 0))
            v.verdict = "accepted_with_warnings" if any(i.severity == "warn" for i in v.issues) else "accepted"
    return table


def ingest_quarter(quarter: Quarter | str, store: Store | Path, datasets: dict[str, list[str]], plan: Plan,
                   force: bool = False, say: Callable[[str], None] = _say) -> dict[str, Any]:
    """Ingest every expected dataset of a quarter; skipped when the ingest stage key is unchanged since the last run.

    `store` is the project's Store (or, for older callers, its data folder). `datasets` maps each dataset expected
    this quarter to the agencies (or groups) that must send it (the plan's `expected`, or the quarter's params
    file). A missing or empty raw folder is an error; folders the quarter does not expect are listed in the manifest
    (`unexpected`) and not read; `sample` records the generator's marker."""
    q = Quarter.parse(quarter)  # an entry point: tests and the command line hand it text
    store = Store.for_data(store)
    quarter_plan(q, plan)  # a quarter is judged against its own year's plan
    check_raw_quarter(store, q)
    load_decisions(store.decisions_file)  # a broken decisions file stops the run before any work
    manifest_path = store.manifest(q)
    fingerprint = ingest_key(store, q, datasets, plan)
    if not force and manifest_path.exists():
        old = Manifest.from_file(manifest_path)
        if old.fingerprint == fingerprint and all(p.exists() for p in old.outputs(store)):
            say(f"{q}: dữ liệu đã cập nhật, bỏ qua / up to date, skipped ingest")
            return old.raw
    say(f"{q}: kiểm tra và nạp dữ liệu / validating and ingesting")
    entries = []
    for ds, groups in datasets.items():
        entries.append(ingest_dataset(store, q, ds, expected_submitters(ds, groups, plan), plan, say=say))
    unexpected = unexpected_entries(store, q, datasets)
    for u in unexpected:
        say(f"  CẢNH BÁO / WARNING: {u['name']}: kế hoạch không dự kiến nhận trong quý này, không đọc / not expected "
            f"this quarter by the plan, not read ({len(u['files'])} tệp / files)")
    manifest = {"quarter": str(q), "parplan_version": __version__, "fingerprint": fingerprint, "plan_year": plan.year,
                "sample": sample_marker(store, q), "unexpected": unexpected, "datasets": entries}
    apply_decisions(manifest, load_decisions(store.decisions_file))
    atomic_write_text(manifest_path, Manifest(manifest).to_json())
    return manifest


def ingest_key(store: Store, q: Quarter, datasets: dict[str, list[str]], plan: Plan,
               package: Path | None = None) -> str:
    """The ingest stage key of a quarter: the ingest code (store.stage_key) + the plan + what it reads: every entry of
    the raw folder (the marker and anything unexpected are in the manifest too), the decisions file, each expected
    dataset's files and the previous quarter's table of it (plausibility), and who is expected to send what."""
    top = store.raw(q)
    inputs = [p for p in sorted(top.iterdir())]
    for ds in sorted(datasets):
        inputs.append(store.processed(q.previous(), ds))
        folder = store.raw(q, ds)
        if folder.is_dir():
            inputs += sorted(p for p in folder.iterdir() if p.is_file())
    inputs.append(store.decisions_file)
    expected = ";".join(f"{ds}={','.join(datasets[ds])}" for ds in sorted(datasets))
    return stage_key("ingest", plan.digest(), inputs, store.root, f"{__version__}\n{expected}", package=package)


def end_summary(manifest: dict[str, Any], page: str) -> list[str]:
    """Lines printed at the end of a run: every rejected and warned file of the quarter, then the data-quality page."""
    lines = []
    for d in manifest["datasets"]:
        for f in d["files"]:
            if f["verdict"] == "accepted" or f.get("superseded_by"):
                continue
            worst = "reject" if f["verdict"] == "rejected" else "warn"
            n = sum(1 for i in f["issues"] if i["severity"] == worst)
            mark = "TỪ CHỐI / REJECTED" if worst == "reject" else "CẢNH BÁO / WARNED"
            first = next(i for i in f["issues"] if i["severity"] == worst)
            lines.append(f"  {mark}: {f['path']} — {n} {'lỗi / errors' if worst == 'reject' else 'cảnh báo / warnings'}"
                         f"; {first['vi']}")
    q = manifest["quarter"]
    total = sum(1 for d in manifest["datasets"] for f in d["files"] if not f.get("superseded_by"))
    if not lines:
        return [f"{q}: mọi tệp hợp lệ ({total} tệp) / every file accepted ({total} files) — {page}"]
    n_rej = sum(1 for x in lines if "REJECTED" in x)
    n_ok = total - len(lines)
    return ([f"{q}: {total} tệp — {n_ok} hợp lệ, {n_rej} tệp bị từ chối, {len(lines) - n_rej} tệp có cảnh báo / "
             f"{total} files — {n_ok} accepted, {n_rej} rejected, {len(lines) - n_rej} warned:"] + lines
            + [f"  Chi tiết / details: {page}"])


def load_manifest(quarter: Quarter | str, data_root: Path | Store | None = None) -> dict[str, Any]:
    """Read a quarter's manifest.json as a mapping (FileNotFoundError with a hint when the quarter was never ingested);
    `data_root` is the data folder or the Store (default: the project's, found by store.find_root)."""
    q = Quarter.parse(quarter)
    p = (Store.at() if data_root is None else Store.for_data(data_root)).manifest(q)
    if not p.exists():
        raise FileNotFoundError(f"{p}: chưa nạp dữ liệu quý {q} (chạy make quarterly) / quarter not ingested yet")
    return json.loads(p.read_text(encoding="utf-8"))


def load_processed(quarter: Quarter | str, dataset: str, data_root: Path | Store | None = None) -> pd.DataFrame:
    """Read a processed dataset of one quarter (`data_root`: the data folder or the Store; default the project's)."""
    q = Quarter.parse(quarter)
    return pd.read_parquet((Store.at() if data_root is None else Store.for_data(data_root)).processed(q, dataset))
