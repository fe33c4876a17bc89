"""The edge of every report page: the notebook's papermill parameters (text) checked and turned into objects once."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..store import Store

LANGS = ("vi", "en")


def page_store(data_root: str | Path) -> Store:
    """The store a page reads: papermill's `data_root` is relative to the folder the notebook runs in (render runs
    every notebook from the project root), or absolute."""
    return Store(Path.cwd(), str(data_root))


def check_lang(lang: str) -> str:
    """The page language, 'vi' or 'en'; anything else is a bilingual ValueError."""
    if lang not in LANGS:
        raise ValueError(f"lang phải là 'vi' hoặc 'en' / lang must be 'vi' or 'en', not {lang!r}")
    return lang


def read_table(path: Path) -> pd.DataFrame:
    """A processed table, or an empty frame when the step that writes it has not run."""
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()
