"""What every report page's loader shares: the language check and reading a processed table that may be missing."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import i18n

LANGS = i18n.languages()


def check_lang(lang: str) -> str:
    """The page language, one with a UI catalogue; anything else is a bilingual ValueError."""
    if lang not in LANGS:
        raise ValueError(f"lang phải là một trong {', '.join(LANGS)} / lang must be one of {', '.join(LANGS)}, "
                         f"not {lang!r}")
    return lang


def read_table(path: Path) -> pd.DataFrame:
    """A processed table, or an empty frame when the step that writes it has not run."""
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()
