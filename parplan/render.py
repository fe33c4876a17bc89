"""Run the parameterised report notebooks with papermill and export them with nbconvert to reviewer-grade HTML."""
from __future__ import annotations

import functools
import html as _html
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .io import atomic_write_text
from .periods import Quarter
from .report import i18n
from .report.layout import page
from .store import Store

REMOVE_TAGS = {"injected-parameters", "parameters", "remove-cell"}
# report languages: one per UI catalogue (report/locales/); the first is the default and lives in reports/<Q>/,
# the others in <Q>/<lang>/
LANGS = i18n.languages()


class RenderError(RuntimeError):
    """A notebook failed to execute or export."""


PROJECT_KERNEL = "parplan"  # every notebook's kernelspec; `make setup` installs it (ipykernel install --sys-prefix)


def _kernel_env(name: str = PROJECT_KERNEL) -> str:
    """Check that the notebooks' Jupyter kernel is installed and runs this interpreter (the venv's), and set the
    environment its kernels inherit; the kernel's name, or RenderError (vi/en) saying to run `make setup`."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    install = f"{sys.executable} -m ipykernel install --sys-prefix --name {name}"
    vi_fix, en_fix = f"chạy `make setup` (lệnh này chạy `{install}`)", f"run `make setup` (it runs `{install}`)"
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise RenderError(f"Chưa cài kernel Jupyter '{name}' của dự án: {vi_fix} / the project's Jupyter kernel "
                          f"{name!r} is not installed: {en_fix}") from None
    exe = Path(spec.argv[0]) if spec.argv else Path()
    if not exe.is_absolute() or exe.parent != Path(sys.executable).parent:
        raise RenderError(f"Kernel Jupyter '{name}' ({spec.resource_dir}) chạy {exe}, không phải Python của môi trường "
                          f"này ({sys.executable}): {vi_fix} / the Jupyter kernel {name!r} ({spec.resource_dir}) runs "
                          f"{exe}, not this environment's Python ({sys.executable}): {en_fix}")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return name


@functools.cache
def ipc_kernel_manager() -> type:
    """A kernel manager whose kernels talk over Unix sockets in a private folder of their own instead of TCP ports.

    Kernels started in parallel over TCP race for free ports (jupyter_client picks a port, releases it, the kernel
    binds it later): now and then one dies with "Kernel died before replying to kernel_info". jupyter_client's own ipc
    default is no better here (socket files `kernel-ipc-1…` in the shared working folder collide just the same), so
    each kernel gets a fresh temporary folder for its sockets, removed when the kernel is cleaned up. Nothing listens
    on the network.
    """
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        _ipc_dir: str | None = None

        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _private_socket_prefix(self) -> str:
            self._ipc_dir = tempfile.mkdtemp(prefix="parplan-kernel-")
            return os.path.join(self._ipc_dir, "k")

        def cleanup_ipc_files(self) -> None:
            super().cleanup_ipc_files()
            if self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)

    return IPCKernelManager


KERNEL_START_ERRORS = ("Kernel died before replying to kernel_info", "Kernel didn't respond")
START_ATTEMPTS = 2  # a kernel that fails to start (not a notebook that fails to run) is tried once more


CELL_TIMEOUT_ENV = "PARPLAN_CELL_TIMEOUT"
CELL_TIMEOUT = 600  # seconds one cell may run (every report cell takes seconds); longer, its report fails alone


def cell_timeout() -> int:
    """Seconds a notebook cell may run: $PARPLAN_CELL_TIMEOUT, else CELL_TIMEOUT (a bad value is an error)."""
    raw = os.environ.get(CELL_TIMEOUT_ENV, "").strip()
    if not raw:
        return CELL_TIMEOUT
    if not raw.isdigit() or int(raw) < 1:
        raise RenderError(f"{CELL_TIMEOUT_ENV} phải là số giây nguyên dương, không phải {raw!r} / "
                          f"{CELL_TIMEOUT_ENV} must be a whole number of seconds, not {raw!r}")
    return int(raw)


def _timed_out(e: BaseException) -> bool:
    """Whether papermill stopped a cell for running past its timeout (nbclient's CellTimeoutError)."""
    return type(e).__name__ == "CellTimeoutError" or "Cell execution timed out" in str(e)


def execute(notebook: Path, parameters: dict[str, Any], cwd: Path, log: Callable[[str], Any] | None = None,
            timeout: int | None = None) -> Any:
    """Execute a notebook with papermill (kernel start retried once, reported to `log`; a cell running longer than
    `timeout` seconds, default cell_timeout(), stops it with a RenderError); the executed notebook."""
    timeout = cell_timeout() if timeout is None else int(timeout)
    import nbformat
    import papermill as pm

    kernel = _kernel_env(nbformat.read(str(notebook), as_version=4).metadata.get("kernelspec", {}).get("name")
                         or PROJECT_KERNEL)  # the notebook's own kernel: the project's
    with tempfile.TemporaryDirectory(prefix="parplan-") as tmp:
        out = Path(tmp) / notebook.name
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                pm.execute_notebook(str(notebook), str(out), parameters=parameters, kernel_name=kernel,
                                    cwd=str(cwd), progress_bar=False, log_output=False, report_mode=True,
                                    kernel_manager_class=ipc_kernel_manager(), execution_timeout=timeout)
                break
            except Exception as e:  # papermill raises PapermillExecutionError with the cell's traceback
                if _timed_out(e):
                    raise RenderError(f"{notebook.name}: một ô chạy quá {timeout} giây nên báo cáo bị dừng "
                                      f"({CELL_TIMEOUT_ENV} đổi giới hạn) / a cell ran longer than {timeout} s and the "
                                      f"report was stopped ({CELL_TIMEOUT_ENV} sets the limit)") from None
                if attempt < START_ATTEMPTS and any(m in str(e) for m in KERNEL_START_ERRORS):
                    if log is not None:
                        log(f"{notebook.name}: kernel failed to start ({e}); trying again")
                    continue
                raise RenderError(f"{notebook.name}: {type(e).__name__}: {e}") from None
        return nbformat.read(str(out), as_version=4)


def to_html_body(nb: Any) -> tuple[str, list[str]]:
    """Export an executed notebook to an HTML fragment: no code, no prompts, no parameter cells, no stderr."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    stderr: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                stderr.append(o.get("text", ""))
                continue
            if o.get("output_type") == "error":
                raise RenderError("notebook output contains an error: " + o.get("ename", "") + ": " + o.get("evalue", ""))
            kept.append(o)
        cell["outputs"] = kept
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, anchor_link_text="")
    trp = TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True)
    exporter.register_preprocessor(trp, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    return body, stderr


def validate_parameters(parameters: dict[str, Any], plans: Path | None = None) -> None:
    """Check report parameters before papermill sees them (quarter, agency code of the quarter's plan, language,
    data folder)."""
    from .catalogue import plan_for
    from .periods import Quarter

    if "quarter" in parameters:
        Quarter.parse(parameters["quarter"])
    if "lang" in parameters and parameters["lang"] not in LANGS:
        raise ValueError(f"lang phải là một trong {', '.join(LANGS)} / lang must be one of {', '.join(LANGS)}: "
                         f"{parameters['lang']!r}")
    if "agency" in parameters:
        code = str(parameters["agency"])
        if "quarter" not in parameters:
            raise ValueError("Cần quý để kiểm tra mã cơ quan / an agency parameter needs the quarter (its plan)")
        agencies = plan_for(parameters["quarter"], plans).agencies
        if not re.fullmatch(r"[A-Z0-9_]{1,40}", code) or code not in agencies:
            raise ValueError(f"Mã cơ quan không có trong danh mục / unknown agency code: {code!r}")
    if "data_root" in parameters:
        d = Path(str(parameters["data_root"]))
        if d.is_absolute() or ".." in d.parts or "\x00" in str(d):
            raise ValueError(f"data_root phải là thư mục con tương đối / data_root must be a relative sub-folder: {d}")


def render_notebook(notebook: Path, out_html: Path, parameters: dict[str, Any], title: str, lang: str,
                    sample: bool, cwd: Path) -> list[str]:
    """papermill + nbconvert -> one self-contained HTML page, written atomically; returns captured stderr. `cwd` is
    the project root the notebook runs in."""
    from .catalogue import plan_for, project_plans
    from .report import provenance

    plans = project_plans(cwd)
    validate_parameters(parameters, plans)
    retries: list[str] = []
    nb = execute(notebook, parameters, cwd, log=retries.append)
    body, stderr = to_html_body(nb)
    q = Quarter.parse(parameters["quarter"]) if "quarter" in parameters else None
    unit = plan_for(q, plans).agencies[parameters["agency"]].name(lang) if q and "agency" in parameters else None
    home = "../" if Path(out_html).parent.name == "agencies" else ""
    atomic_write_text(out_html, page(title, body, lang=lang, sample=sample, home=home,
                                     provenance=provenance.view(lang, cwd, quarter=q, agency=unit)))
    return retries + stderr


@dataclass(frozen=True)
class Job:
    """One report to render: a notebook, its parameters and where the HTML goes."""

    notebook: str
    out: str
    parameters: tuple[tuple[str, Any], ...]
    title: str
    lang: str
    sample: bool
    cwd: str  # the project root: the kernel's working folder, where the notebooks and the plans are found


def _run_job(job: Job) -> tuple[str, list[str], str | None]:
    from .catalogue import PLANS_ENV, project_plans

    plans = project_plans(job.cwd)
    if plans is not None:  # this worker's kernels judge the quarter against the run's own plans folder
        os.environ[PLANS_ENV] = str(plans)
    try:
        notebook = Store(Path(job.cwd)).notebooks_dir / job.notebook
        stderr = render_notebook(notebook, Path(job.out), dict(job.parameters), job.title, job.lang, job.sample,
                                 cwd=Path(job.cwd))
        return job.out, stderr, None
    except Exception as e:  # isolate failures: the other reports go on
        return job.out, [], f"{type(e).__name__}: {e}"


def job_key(job: Job, stage_key: str, notebooks: Path) -> str:
    """Hash of what one page depends on: the render stage key (code, plan, processed data: store.stage_key), its
    notebook's bytes and its job (parameters, title, language, sample flag)."""
    import hashlib
    import json

    h = hashlib.sha256()
    h.update((Path(notebooks) / job.notebook).read_bytes())
    h.update(json.dumps([job.parameters, job.title, job.lang, job.sample], sort_keys=True, default=str).encode())
    h.update(stage_key.encode())
    return h.hexdigest()


def skip_unchanged(jobs: list[Job], cache_file: Path, stage_key: str,
                   notebooks: Path) -> tuple[list[Job], list[Job], dict[str, str]]:
    """Split jobs into (to render, unchanged) using the keys recorded at the last successful render."""
    import json

    old = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.exists() else {}
    keys = {j.out: job_key(j, stage_key, notebooks) for j in jobs}
    todo = [j for j in jobs if not (Path(j.out).exists() and old.get(j.out) == keys[j.out])]
    done = [j for j in jobs if j not in todo]
    return todo, done, keys


def render_all(jobs: list[Job], workers: int | None = None, say=print) -> tuple[list[str], list[tuple[str, str]]]:
    """Render jobs in a pool of worker processes (one kernel each); returns (stderr lines, failures)."""
    import concurrent.futures as cf
    import multiprocessing as mp

    if not jobs:
        return [], []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    stderr: list[str] = []
    failures: list[tuple[str, str]] = []
    if workers == 1:
        results = map(_run_job, jobs)
    else:
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))
        futures = [pool.submit(_run_job, j) for j in jobs]
        results = (f.result() for f in cf.as_completed(futures))
    t0 = time.monotonic()
    live = say is print and sys.stdout.isatty()  # a terminal: one bar redrawn in place; a log: one line per report
    for i, (out, err, failure) in enumerate(results, 1):
        stderr += err
        mark = "OK" if failure is None else "LỖI / FAILED"
        name = f"{Path(out).parent.name}/{Path(out).name}"
        line = f"  {progress_bar(i, len(jobs), time.monotonic() - t0)} {name}: {mark}"
        if live:
            width = shutil.get_terminal_size().columns - 1
            sys.stdout.write("\r" + line[:width].ljust(width))
            sys.stdout.flush()
            if failure:
                sys.stdout.write("\n")
        else:
            say(line)
        if failure:
            failures.append((out, failure))
    if live:
        sys.stdout.write("\n")
    if workers > 1:
        pool.shutdown()
    return stderr, failures


def progress_bar(done: int, total: int, elapsed: float, width: int = 24) -> str:
    """Text progress bar with count, share, elapsed time and a naive time-left estimate (elapsed ÷ done × left)."""
    share = done / total if total else 1.0
    filled = min(width, int(share * width))
    left = total - done
    eta = f", còn ~{elapsed / done * left:.0f} s / ~{elapsed / done * left:.0f} s left" if done and left else ""
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {share:4.0%} {elapsed:.0f} s{eta}"


def write_index(quarter: Quarter, folder: Path, lang: str, sample: bool, summary: dict[str, Any], plan: Any,
                switcher: list[tuple[Quarter, str]], root: Path) -> Path:
    """<folder>/index.html: links to every report of the quarter and the switcher to the plan year's other quarters."""
    from .report import index_page, provenance
    from .report.layout import render as render_template

    v = index_page.view(quarter, folder, lang, summary, plan, switcher)
    out = Path(folder) / "index.html"
    atomic_write_text(out, page(v["title"], render_template("index/index.html.j2", lang, **v), lang=lang,
                                sample=sample, provenance=provenance.view(lang, root, quarter=quarter)))
    return out


def write_method(quarter: Quarter, folder: Path, lang: str, sample: bool, root: Path) -> Path:
    """<folder>/method.html: how progress is judged and forecast, in the page's language (linked from every page)."""
    from .report import method_page, provenance
    from .report.layout import render as render_template

    v = method_page.view(lang)
    out = Path(folder) / "method.html"
    atomic_write_text(out, page(v["title"], render_template("method.html.j2", lang, **v), lang=lang, sample=sample,
                                provenance=provenance.view(lang, root, quarter=quarter)))
    return out


def write_placeholder(quarter: Quarter, folder: Path, lang: str, sample: bool, plan: Any,
                      switcher: list[tuple[Quarter, str]], root: Path) -> Path:
    """<folder>/index.html for a quarter that has data but no rendered reports yet: says how to render them."""
    from .report import index_page, provenance
    from .report.layout import render as render_template

    v = index_page.placeholder_view(quarter, lang, plan, switcher, LANGS[0])
    out = Path(folder) / "index.html"
    atomic_write_text(out, page(v["title"], render_template("index/placeholder.html.j2", lang, **v), lang=lang,
                                sample=sample, provenance=provenance.view(lang, root, quarter=quarter), nav=False))
    return out


def strip_tags(text: str) -> str:
    """Visible text of an HTML fragment (for tests and logs)."""
    return _html.unescape(re.sub(r"<[^>]+>", " ", text))
