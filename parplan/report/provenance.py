"""The provenance line every report ends with: git commit, parameters, package versions (no timestamps)."""
from __future__ import annotations

import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from .html import esc

PACKAGES = ("pandas", "great-expectations", "papermill", "nbconvert", "matplotlib")


def git_commit(cwd: Path | None = None) -> str:
    """Short commit of the working tree, flagged when there are uncommitted changes."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True,
                             timeout=10, cwd=cwd).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, timeout=10, cwd=cwd).stdout.strip()
        return rev + (" + thay đổi chưa commit / uncommitted changes" if dirty else "")
    except Exception:
        return "không xác định / unknown"


def versions() -> str:
    """Python and the main packages' versions."""
    return f"Python {platform.python_version()}; " + ", ".join(f"{p} {metadata.version(p)}" for p in PACKAGES)


def footer(params: dict[str, Any], lang: str = "vi", cwd: Path | None = None) -> str:
    """HTML footer: commit, parameters, versions; input files and their hashes are in manifest.json."""
    vi = lang == "vi"
    p = json.dumps(params, ensure_ascii=False, sort_keys=True)
    files = ("Tệp đầu vào và mã băm SHA-256: data/processed/<quý>/manifest.json và trang Chất lượng dữ liệu."
             if vi else "Input files and SHA-256 hashes: data/processed/<quarter>/manifest.json and the data-quality page.")
    return (f'<footer class="provenance"><p>{"Nguồn gốc" if vi else "Provenance"}: Git commit '
            f"<code>{esc(git_commit(cwd))}</code>; {'tham số' if vi else 'parameters'} <code>{esc(p)}</code>; "
            f"{esc(versions())}. {esc(files)}</p></footer>")
