"""Speed and memory benchmarks (run with `make bench`, never in `make test`): ratios measured in the same run.

1. full quarter render time ÷ (reports × one bare papermill run of an empty notebook ÷ workers)   target ≤ 1.3
2. no-change re-run of `make quarterly`                                                          target ≤ 3 s
3. ingest + validate N generated dossier rows ÷ a bare pandas read of the same file              target ≤ 3
   with the peak memory of the ingest process                                                    target ≤ 2 GB
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def run(cmd: list[str], cwd: Path) -> None:
    """Run a child process; on failure show the end of its output and stop (a benchmark of a failed run means nothing)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        p = subprocess.run(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        if p.returncode:
            log.seek(0)
            tail = "".join(log.readlines()[-40:])
            raise SystemExit(f"benchmark step failed (exit {p.returncode}): {' '.join(cmd)[:200]}\n{tail}")


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time of a child process and its peak resident memory (KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    run(cmd, cwd)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before)


def timed_peak(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of one child process, measured by GNU time when available."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if gnu_time is None:
        return timed(cmd, cwd)
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as out:
        t = time.perf_counter()
        run([gnu_time, "-f", "%M", "-o", out.name, *cmd], cwd)
        wall = time.perf_counter() - t
        return wall, int(Path(out.name).read_text().split()[-1])


def bare_papermill(tmp: Path) -> float:
    """One papermill run of an empty notebook (kernel start and shutdown only)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "parplan", "display_name": "Python (parplan)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    src = tmp / "empty.ipynb"
    nbformat.write(nb, src)
    code = ("import papermill as pm, sys; pm.execute_notebook(sys.argv[1], sys.argv[2], kernel_name='parplan', "
            "progress_bar=False)")
    env_path = os.pathsep.join([str(Path(PY).parent), os.environ.get("PATH", "")])
    os.environ["PATH"] = env_path
    runs = [timed([PY, "-c", code, str(src), str(tmp / "out.ipynb")], tmp)[0] for _ in range(3)]
    return sorted(runs)[1]


def quarter_copy(tmp: Path) -> Path:
    root = tmp / "repo"
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    shutil.copytree(ROOT / "params", root / "params")
    return root


def run_quarter(root: Path) -> float:
    code = ("import sys; from pathlib import Path; from parplan.pipeline import quarterly; "
            "quarterly(root=Path(sys.argv[1]), say=lambda s: None)")
    return timed([PY, "-c", code, str(root)], ROOT)[0]


def write_rows(path: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tools"))
    from synthetic_dossiers import write_dossiers

    write_dossiers(path, n, id_format="TAM_KY-B{i:08d}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--skip-render", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="ingest and pandas runs (medians are compared)")
    args = ap.parse_args()
    results: dict[str, object] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="parplan-bench-") as t:
        tmp = Path(t)
        if not args.skip_render:
            bare = bare_papermill(tmp)
            root = quarter_copy(tmp)
            run_quarter(root)  # first run: ingest + render everything
            cache = root / "reports" / ".render-cache.json"
            cache.unlink()
            full = run_quarter(root)  # ingest cached, every report rendered again
            n_reports = sum(1 for _ in (root / "reports").rglob("*.html")) - sum(1 for _ in (root / "reports").glob("*/index.html"))
            workers = os.cpu_count() or 1
            rerun = run_quarter(root)
            results.update(bare_papermill_s=round(bare, 2), reports=n_reports, workers=workers,
                           full_render_s=round(full, 1),
                           render_ratio=round(full / (n_reports * bare / workers), 2), no_change_rerun_s=round(rerun, 1))
        data = tmp / "data"
        folder = data / "raw" / "2023Q2" / "tthc_dossiers"
        folder.mkdir(parents=True)
        big = folder / "TAM_KY.csv"
        write_rows(big, args.rows)
        code = ("import sys; from pathlib import Path; from parplan.catalogue import plan_for; "
                "from parplan.ingest import ingest_quarter; ingest_quarter('2023Q2', Path(sys.argv[1]), "
                "{'tthc_dossiers': []}, plan_for('2023Q2'), force=True, say=lambda s: None)")
        reads, ingests, peaks = [], [], []
        for _ in range(args.repeat):  # interleaved, medians: the machines are noisy
            reads.append(timed([PY, "-c", "import pandas as pd, sys; pd.read_csv(sys.argv[1], dtype=str)", str(big)],
                               ROOT)[0])
            wall, peak = timed_peak([PY, "-c", code, str(data)], ROOT)
            ingests.append(wall)
            peaks.append(peak)
        read_s, ingest_s = statistics.median(reads), statistics.median(ingests)
        results.update(rows=args.rows, csv_mb=round(big.stat().st_size / 1e6, 1), pandas_read_s=round(read_s, 2),
                       ingest_validate_s=round(ingest_s, 2), ingest_ratio=round(ingest_s / read_s, 2),
                       ingest_peak_gb=round(max(peaks) / 1024 / 1024, 2),
                       runs={"pandas_read_s": [round(x, 2) for x in reads],
                             "ingest_validate_s": [round(x, 2) for x in ingests]})
    print(json.dumps(results, indent=1))
    print("ratios / tỷ số:")
    if "render_ratio" in results:
        print(f"  render: {results['render_ratio']} (target ≤ 1.3); no-change re-run: {results['no_change_rerun_s']} s (target ≤ 3)")
    print(f"  ingest+validate ÷ pandas read: {results['ingest_ratio']} (target ≤ 3); peak {results['ingest_peak_gb']} GB (≤ 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
