"""`python -m tools.sample [--quarter YYYYQn] [--out DIR]` (from the repository root; `make sample` runs it)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from parplan.periods import Quarter
from parplan.store import Store

from . import generate_quarters
from .dossiers import sample_quarters


def main(argv: list[str] | None = None) -> int:
    """Regenerate the sample (every quarter with the marker, or --quarter) under --out or data/raw; exit code."""
    p = argparse.ArgumentParser(prog="python -m tools.sample",
                                description="regenerate the deterministic sample data (every quarter with the "
                                            "sample marker, each from the plan of its year)")
    p.add_argument("--quarter", default="", help="YYYYQn: only this quarter (also a new one), from its year's plan")
    p.add_argument("--out", default="", help="the raw-data folder to write into (default: the project's data/raw)")
    args = p.parse_args(argv)
    try:
        raw = Store.at().data_root / "raw"  # the project's raw-data folder: data/raw/<Q>/ is Store.raw(q)
        out = Path(args.out) if args.out else raw
        quarters = [Quarter.parse(args.quarter)] if args.quarter else sample_quarters(raw)
        if not quarters:
            print("LỖI / ERROR: không có quý nào có dữ liệu mẫu; dùng --quarter / no quarter has sample data; use "
                  "--quarter", file=sys.stderr)
            return 2
        written = generate_quarters(out, quarters)
    except (FileNotFoundError, FileExistsError, ValueError) as e:  # QuarterError and PlanNotFound included
        print(f"LỖI / ERROR: {e}", file=sys.stderr)
        return 2
    print(f"{len(written)} tệp mẫu / sample files written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
