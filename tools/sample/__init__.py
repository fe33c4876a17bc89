"""The sample-data generator: `python -m tools.sample` (or `make sample`) rewrites data/raw/<Q>/ of every sample quarter.

dossiers.py writes tthc_dossiers and each quarter's marker, datasets.py every other dataset, faults.py plants the
faults faults.yaml declares. It reads parplan (plans, contracts, workbook writer); parplan never imports it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from parplan.catalogue import load_plan
from parplan.periods import Quarter

from .datasets import generate_datasets
from .dossiers import generate, refuse_real_data

__all__ = ["generate", "generate_datasets", "generate_quarters"]


def generate_quarters(out: Path, quarters: Iterable[Quarter], say: Callable[[str], object] = print) -> list[Path]:
    """Write every dataset and the marker of each quarter under out (a data/raw folder), each quarter from the plan
    of its year; refuses (ValueError) a quarter folder that holds data without the marker."""
    quarters = sorted(set(quarters))
    refuse_real_data(out, quarters)
    written: list[Path] = []
    for year in sorted({q.year for q in quarters}):
        plan, mine = load_plan(year), [q for q in quarters if q.year == year]
        written += generate(out, plan, mine) + generate_datasets(out, plan, mine)
        say(f"{', '.join(map(str, mine))}: kế hoạch năm {year} / the {year} plan")
    return written
