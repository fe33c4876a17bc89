"""Every path of a parplan project from one root given once (raw, processed, reports, feedback, params, plans).

The root is found in exactly one place, `find_root`: an explicit argument, else the PARPLAN_ROOT environment
variable, else the nearest folder at or above the working directory that holds `params/defaults.yaml` and
`plans/`, else the checkout this package was installed from (an editable install). Nothing else guesses it.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .periods import Quarter

ROOT_ENV = "PARPLAN_ROOT"
_PACKAGE_CHECKOUT = Path(__file__).resolve().parents[1]


class ProjectNotFound(FileNotFoundError):
    """No parplan project (a folder with params/defaults.yaml and plans/) could be found."""


def is_project(folder: Path) -> bool:
    """True when a folder is a parplan project root."""
    return (folder / "params" / "defaults.yaml").is_file() and (folder / "plans").is_dir()


def find_root(root: Path | str | None = None, start: Path | None = None) -> Path:
    """The project root: `root`, else $PARPLAN_ROOT, else the nearest project at or above `start` (the working
    directory), else the checkout the package was installed from; ProjectNotFound (vi/en) when none is a project."""
    if root is not None or os.environ.get(ROOT_ENV):
        given = Path(root if root is not None else os.environ[ROOT_ENV]).expanduser().resolve()
        if not is_project(given):
            how = "root=" if root is not None else f"${ROOT_ENV}="
            raise ProjectNotFound(f"{how}{given}: không phải thư mục dự án parplan (cần params/defaults.yaml và plans/) "
                                  f"/ not a parplan project (needs params/defaults.yaml and plans/)")
        return given
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    if is_project(_PACKAGE_CHECKOUT):
        return _PACKAGE_CHECKOUT
    raise ProjectNotFound(f"Không tìm thấy dự án parplan từ {here}: đặt biến {ROOT_ENV}=<thư mục dự án> hoặc truyền "
                          f"root=... / No parplan project found from {here}: set {ROOT_ENV}=<project folder> or pass "
                          f"root=...")


@dataclass(frozen=True)
class Store:
    """The paths of one project: every stage asks the store, none builds a path of its own."""

    root: Path
    data: str = "data"        # params `data_root`, relative to root (or absolute)
    reports: str = "reports"  # params `reports_root`

    @classmethod
    def at(cls, root: Path | str | None = None, data: str = "data", reports: str = "reports") -> Store:
        """The store of the project at `root` (found by `find_root` when None)."""
        return cls(find_root(root), str(data), str(reports))

    @classmethod
    def for_data(cls, data_root: Path | str | Store) -> Store:
        """The store whose data folder is `data_root` (the project root is the folder that holds it); a Store is
        returned as it is. For callers that were given a data folder only (tests, older entry points)."""
        if isinstance(data_root, Store):
            return data_root
        d = Path(data_root).resolve()
        return cls(d.parent, d.name)

    # ------------------------------------------------------------------ folders
    @property
    def data_root(self) -> Path:
        """data/ (raw, processed, decisions.yaml)."""
        return self.root / self.data

    @property
    def reports_root(self) -> Path:
        """reports/ (published pages)."""
        return self.root / self.reports

    @property
    def feedback_root(self) -> Path:
        """feedback/ (one workbook per agency, never published)."""
        return self.root / "feedback"

    @property
    def params_dir(self) -> Path:
        """params/ (defaults.yaml and one file per quarter)."""
        return self.root / "params"

    @property
    def plans_dir(self) -> Path:
        """plans/ (one folder per plan year)."""
        return self.root / "plans"

    @property
    def notebooks_dir(self) -> Path:
        """notebooks/ (the report notebooks papermill runs, and explore.ipynb); a project folder without notebooks of
        its own (a data-only copy) uses the ones of the checkout the package was installed from."""
        own = self.root / "notebooks"
        return own if own.is_dir() or not (_PACKAGE_CHECKOUT / "notebooks").is_dir() else _PACKAGE_CHECKOUT / "notebooks"

    # ------------------------------------------------------------------ per quarter
    def raw(self, q: Quarter, dataset: str | None = None) -> Path:
        """data/raw/<Q>/ or one dataset's folder in it."""
        folder = self.data_root / "raw" / str(q)
        return folder / dataset if dataset else folder

    @property
    def processed_root(self) -> Path:
        """data/processed/ (one folder per quarter)."""
        return self.data_root / "processed"

    def processed(self, q: Quarter, name: str | None = None) -> Path:
        """data/processed/<Q>/ or one table in it (<name>.parquet)."""
        folder = self.processed_root / str(q)
        return folder / f"{name}.parquet" if name else folder

    def manifest(self, q: Quarter) -> Path:
        """data/processed/<Q>/manifest.json."""
        return self.processed(q) / "manifest.json"

    @property
    def decisions_file(self) -> Path:
        """data/decisions.yaml (reviewers' decisions on flagged findings)."""
        return self.data_root / "decisions.yaml"

    @property
    def render_cache(self) -> Path:
        """reports/.render-cache.json (the key each page was last rendered with)."""
        return self.reports_root / ".render-cache.json"

    def stage_keys_file(self, q: Quarter) -> Path:
        """data/processed/<Q>/derived-keys.json (the key each derived step of the quarter was computed with)."""
        return self.processed(q) / "derived-keys.json"

    def report_dir(self, q: Quarter, lang: str, default_lang: str = "vi") -> Path:
        """reports/<Q>/ in the default language, reports/<Q>/<lang>/ otherwise."""
        return self.reports_root / str(q) if lang == default_lang else self.reports_root / str(q) / lang

    def feedback_dir(self, q: Quarter) -> Path:
        """feedback/<Q>/."""
        return self.feedback_root / str(q)

    def params_file(self, q: Quarter) -> Path:
        """params/<Q>.yaml."""
        return self.params_dir / f"{q}.yaml"

    # ------------------------------------------------------------------ recorded paths
    def relative(self, path: Path) -> str:
        """A path as recorded in files (manifests, caches): relative to the root when inside it, else absolute."""
        p = Path(path)
        return str(p.relative_to(self.root)) if p.is_relative_to(self.root) else str(p)

    def resolve(self, recorded: str | Path) -> Path:
        """A recorded path back to a real one: relative ones are under the root."""
        p = Path(recorded)
        return p if p.is_absolute() else self.root / p


@dataclass(frozen=True)
class Manifest:
    """A quarter's manifest.json (what ingest wrote) with typed accessors; `raw` is the JSON mapping as written."""

    raw: dict[str, Any]

    @classmethod
    def from_file(cls, path: Path) -> Manifest:
        """Read a manifest.json."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_json(self) -> str:
        """The JSON text written to manifest.json (sorted keys, UTF-8 kept)."""
        return json.dumps(self.raw, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @property
    def quarter(self) -> Quarter:
        """The quarter the manifest describes."""
        return Quarter.parse(self.raw["quarter"])

    @property
    def plan_year(self) -> int:
        """The year of the plan the quarter was judged against."""
        return int(self.raw["plan_year"])

    @property
    def sample(self) -> bool:
        """True when the data says it is generated sample data (the generator's marker)."""
        return bool(self.raw.get("sample", {}).get("sample_data"))

    @property
    def fingerprint(self) -> str:
        """The ingest stage key the processed data was computed with."""
        return str(self.raw.get("fingerprint", ""))

    @property
    def unexpected(self) -> list[dict[str, Any]]:
        """Folders and files under data/raw/<Q>/ the plan did not expect (listed, never read)."""
        return list(self.raw.get("unexpected", []))

    @property
    def datasets(self) -> list[dict[str, Any]]:
        """One entry per ingested dataset (files, verdicts, submitters, output)."""
        return list(self.raw["datasets"])

    def files(self) -> list[dict[str, Any]]:
        """Every file's verdict entry, across datasets."""
        return [f for d in self.datasets for f in d["files"]]

    def outputs(self, store: Store) -> list[Path]:
        """The processed tables the manifest lists, resolved through the store."""
        return [store.resolve(d["output"]) for d in self.datasets]


# ---------------------------------------------------------------------------------------------------- stage keys
# One rule for "changed": a stage's key is the digest of the CODE it runs and the INPUTS it reads. Code = every parplan
# module reachable by imports from the stage's entry modules (any `import` anywhere in a module, functions included),
# the package data files of the folders those modules live in (every non-.py file there: contracts/*.yaml,
# catalogue/*.yaml, report/*.css …), and the stage's own extra files (pipeline.py, the report notebooks). Inputs are
# the plan's digest and the files the stage reads (raw, decisions, processed tables, the manifest).
PACKAGE_DIR = Path(__file__).resolve().parent
STAGES: dict[str, tuple[str, ...]] = {  # each stage's entry modules
    "ingest": ("parplan.ingest",),
    "reconciliation": ("parplan.reconcile", "parplan.communes"),
    "indicators+progress": ("parplan.metrics", "parplan.metrics_datasets", "parplan.progress", "parplan.communes"),
    "render": ("parplan.render",),
}
# files whose own bytes a stage runs without following their imports: the pipeline module drives the derived steps
# and builds the render jobs, but importing it pulls in every stage
OWN_FILES: dict[str, tuple[str, ...]] = {"reconciliation": ("pipeline.py",), "indicators+progress": ("pipeline.py",),
                                         "render": ("pipeline.py",)}
NOTEBOOK_STAGE = "render"  # the stage that runs the report notebooks: their bytes and their imports are its code


def _module_name(package: Path, path: Path) -> str:
    """parplan.x.y for <package>/x/y.py (a package's __init__.py is the package itself)."""
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The known modules a module's source imports, anywhere in it (relative imports resolved; `from a import b`
    counts a.b when that is a module)."""
    import ast

    out: set[str] = set()
    here = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in out if m in known}


def _signature(package: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the package's files (cheap: decides whether the cached digests hold)."""
    return tuple((str(p.relative_to(package)), p.stat().st_size, p.stat().st_mtime_ns)
                 for p in sorted(package.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)


@functools.lru_cache(maxsize=8)
def _package_index(package: Path, signature: tuple) -> tuple[dict[str, str], dict[str, Path], dict[str, frozenset]]:
    """(file digests by path relative to the package, module -> file, module -> the modules it imports), per process
    for one state of the package folder."""
    files = {rel: hashlib.sha256((package / rel).read_bytes()).hexdigest() for rel, _, _ in signature}
    paths = {_module_name(package, package / rel): package / rel for rel in files if rel.endswith(".py")}
    known = set(paths)
    imports = {m: frozenset(imported_modules(p.read_text(encoding="utf-8"), m, p.name == "__init__.py", known))
               for m, p in paths.items()}
    return files, paths, imports


def package_index(package: Path = PACKAGE_DIR) -> tuple[dict[str, str], dict[str, Path], dict[str, frozenset]]:
    """The package's file digests, modules and import graph (cached while its files are unchanged)."""
    package = Path(package).resolve()
    return _package_index(package, _signature(package))


def notebook_imports(notebook: Path) -> set[str]:
    """The parplan modules a notebook's code cells import (`from parplan… import`, `import parplan…`)."""
    import ast

    out: set[str] = set()
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell.get("source", []))
        try:
            tree = ast.parse("\n".join(ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                out.add(node.module)
                out.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in out if m.split(".")[0] == PACKAGE_DIR.name}


def closure(entries: set[str] | tuple[str, ...], package: Path = PACKAGE_DIR) -> set[str]:
    """Every module reachable by imports from the entry modules, with the packages that contain them."""
    _, paths, imports = package_index(package)
    seen: set[str] = set()
    todo = [m for m in entries if m in paths]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        parents = [".".join(m.split(".")[:i]) for i in range(1, m.count(".") + 1)]  # importing a.b runs a/__init__
        todo += [x for x in (*imports[m], *parents) if x in paths and x not in seen]
    return seen


def stage_code_files(stage: str, package: Path = PACKAGE_DIR, notebooks: Path | None = None) -> list[str]:
    """The package files (relative paths) a stage's code consists of: its modules, their folders' data files, its
    own files."""
    package = Path(package).resolve()
    files, paths, _ = package_index(package)
    entries = set(STAGES[stage])
    if stage == NOTEBOOK_STAGE and notebooks is not None and Path(notebooks).is_dir():
        for nb in sorted(Path(notebooks).glob("*.ipynb")):
            entries |= notebook_imports(nb)
    mods = closure(entries, package)
    out = {str(paths[m].relative_to(package)) for m in mods}
    folders = {paths[m].parent for m in mods}
    for rel in files:
        p = package / rel
        if p.suffix != ".py" and any(p.is_relative_to(f) and not _inside_subpackage(p, f) for f in folders):
            out.add(rel)
    out.update(f for f in OWN_FILES.get(stage, ()) if f in files)
    return sorted(out)


def _inside_subpackage(path: Path, folder: Path) -> bool:
    """True when a file under `folder` lies in a deeper Python package (its data belongs to that package)."""
    return any((d / "__init__.py").exists() for d in path.parents if d != folder and d.is_relative_to(folder))


def stage_key(stage: str, plan_digest: str, inputs: list[Path] | tuple[Path, ...] = (), root: Path | None = None,
              extra: str = "", package: Path | None = None, notebooks: Path | None = None) -> str:
    """The key of one stage: the digest of its code files, the notebooks it runs (render), the plan, and the bytes of
    every input file (named relative to `root`), plus `extra` (what else the stage was asked: datasets expected …).
    `package`: the package folder whose code is digested (default this package; tests pass a copy)."""
    package = Path(package or PACKAGE_DIR).resolve()
    files, _, _ = package_index(package)
    h = hashlib.sha256(f"stage {stage}\n".encode())
    for rel in stage_code_files(stage, package, notebooks):
        h.update(f"code {rel} {files[rel]}\n".encode())
    if stage == NOTEBOOK_STAGE and notebooks is not None and Path(notebooks).is_dir():
        for nb in sorted(Path(notebooks).glob("*.ipynb")):
            h.update(f"notebook {nb.name} {hashlib.sha256(nb.read_bytes()).hexdigest()}\n".encode())
    h.update(f"plan {plan_digest}\nextra {extra}\n".encode())
    for p in inputs:
        p = Path(p)
        name = str(p.relative_to(root)) if root is not None and p.is_relative_to(root) else p.name
        h.update(f"input {name} {hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else '-'}\n".encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------------- run parameters
# The keys a run-parameter file may hold: shared ones in defaults.yaml and per quarter, plus one per kind of file.
PARAM_KEYS = {"lang", "data_root", "reports_root", "datasets"}
DEFAULTS_ONLY, QUARTER_ONLY = {"default_quarter"}, {"quarter"}


def check_params(path: Path, raw: Any, allowed: set[str]) -> dict[str, Any]:
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


@dataclass(frozen=True)
class Params:
    """The run parameters of one quarter: params/defaults.yaml overlaid with params/<Q>.yaml, validated."""

    quarter: Quarter
    lang: str | None = None
    data_root: str = "data"
    reports_root: str = "reports"
    datasets: dict[str, list[str]] | None = None  # dataset -> expected submitters; None: the plan's `expected`
    default_quarter: Quarter | None = None

    @classmethod
    def load(cls, params_dir: Path, quarter: Quarter | str | None = None) -> Params:
        """Read and validate the params of a quarter (default: defaults.yaml's default_quarter)."""
        return cls.from_mapping(load_params_mapping(params_dir, quarter))

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> Params:
        """Params from a validated mapping (what load_params_mapping returns)."""
        ds = raw.get("datasets")
        return cls(Quarter.parse(raw["quarter"]), raw.get("lang"), str(raw.get("data_root", "data")),
                   str(raw.get("reports_root", "reports")),
                   {k: list(v.get("expected_submitters", [])) for k, v in ds.items()} if ds else None,
                   Quarter.parse(raw["default_quarter"]) if raw.get("default_quarter") else None)

    def store(self, root: Path) -> Store:
        """The store of the project at `root` with these params' data and reports folders."""
        return Store(Path(root), self.data_root, self.reports_root)


def load_params_mapping(params_dir: Path, quarter: Quarter | str | None = None) -> dict[str, Any]:
    """params/defaults.yaml overlaid with params/<Q>.yaml, both validated, as the mapping the files hold (`quarter`
    as `YYYYQn`); the quarter defaults to default_quarter."""
    from . import yamlfile

    dfile = Path(params_dir) / "defaults.yaml"
    base = dict(check_params(dfile, yamlfile.load(dfile), PARAM_KEYS | DEFAULTS_ONLY))
    q = Quarter.parse(quarter if quarter not in (None, "") else base["default_quarter"])
    qfile = Path(params_dir) / f"{q}.yaml"
    if qfile.exists():
        own = check_params(qfile, yamlfile.load(qfile), PARAM_KEYS | QUARTER_ONLY)
        if "quarter" in own and str(own["quarter"]) != str(q):
            raise ValueError(f"{qfile.name}: ghi quarter: \"{own['quarter']}\" nhưng tên tệp là quý {q}; sửa cho khớp / "
                             f"{qfile.name} says quarter: {own['quarter']!r} but its name is {q}: make them agree")
        base.update(own)
    base["quarter"] = str(q)
    return base
