"""Read YAML configuration with libyaml's C loader when PyYAML has it (10x faster than the pure-Python one)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(path: Path) -> Any:
    """Parse one UTF-8 YAML file safely (no arbitrary objects)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SafeLoader)  # noqa: S506 - a safe loader


def loads(text: str) -> Any:
    """Parse YAML text safely (no arbitrary objects)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
