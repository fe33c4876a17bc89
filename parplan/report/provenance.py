"""Where a page comes from, as one block in the base layout: code version, the page's parameters, software versions."""
from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from . import i18n

PACKAGES = (("Great Expectations", "great-expectations"), ("pandas", "pandas"), ("papermill", "papermill"),
            ("nbconvert", "nbconvert"), ("matplotlib", "matplotlib"), ("jinja2", "jinja2"), ("babel", "babel"))


def git_commit(cwd: Path | None = None) -> tuple[str, bool] | None:
    """Short commit of the working tree and whether it has uncommitted changes; None outside a git checkout."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True,
                             timeout=10, cwd=cwd).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, timeout=10, cwd=cwd).stdout.strip()
        return rev, bool(dirty)
    except Exception:
        return None


def versions() -> str:
    """Python and the main packages' versions, by their proper names."""
    return f"Python {platform.python_version()}; " + ", ".join(f"{name} {metadata.version(dist)}"
                                                              for name, dist in PACKAGES)


def view(lang: str, cwd: Path | None = None, quarter: Any = None, agency: str | None = None) -> dict[str, Any]:
    """The provenance block's rows (label, value) in the page's language: code version, quarter, unit, language,
    software. `quarter` is a Quarter (shown by its label), `agency` the unit's name."""
    commit = git_commit(cwd)
    if commit is None:
        code = i18n.t("base.provenance_unknown", lang)
    else:
        code = commit[0] + (" " + i18n.t("base.provenance_dirty", lang) if commit[1] else "")
    rows = [{"label": i18n.t("base.provenance_code", lang), "value": code}]
    if quarter is not None:
        rows.append({"label": i18n.t("base.provenance_quarter", lang), "value": quarter.label(lang)})
    if agency:
        rows.append({"label": i18n.t("base.provenance_unit", lang), "value": agency})
    rows.append({"label": i18n.t("base.provenance_language", lang), "value": i18n.t("meta.name", lang)})
    rows.append({"label": i18n.t("base.provenance_software", lang), "value": versions()})
    return {"rows": rows}
