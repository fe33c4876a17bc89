"""Every path of a parplan project from one root given once (raw, processed, reports, feedback, params, plans).

The root is found in exactly one place, `find_root`: an explicit argument, else the PARPLAN_ROOT environment
variable, else the nearest folder at or above the working directory that holds `params/defaults.yaml` and
`plans/`, else the checkout this package was installed from (an editable install). Nothing else guesses it.
"""
from __future__ import annotations

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
        """notebooks/ (the report notebooks papermill runs, and explore.ipynb)."""
        return self.root / "notebooks"

    # ------------------------------------------------------------------ per quarter
    def raw(self, q: Quarter, dataset: str | None = None) -> Path:
        """data/raw/<Q>/ or one dataset's folder in it."""
        folder = self.data_root / "raw" / str(q)
        return folder / dataset if dataset else folder

    def processed(self, q: Quarter, name: str | None = None) -> Path:
        """data/processed/<Q>/ or one table in it (<name>.parquet)."""
        folder = self.data_root / "processed" / str(q)
        return folder / f"{name}.parquet" if name else folder

    def manifest(self, q: Quarter) -> Path:
        """data/processed/<Q>/manifest.json."""
        return self.processed(q) / "manifest.json"

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
