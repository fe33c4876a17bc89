"""Notebooks are committed thin and without outputs; report notebooks take their parameters from one tagged cell."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert any(p.name == "quarterly_overview.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name


def test_overview_has_one_parameters_cell():
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "quarterly_overview.ipynb").read_text())
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    for name in ("quarter", "lang", "data_root", "sample_data"):
        assert f"{name} =" in src


def test_generated_outputs_are_not_committed():
    import subprocess

    root = Path(__file__).resolve().parents[1]
    r = subprocess.run(["git", "ls-files", "data/processed", "reports", "templates"], cwd=root, capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.fail("not a git checkout: the notebooks' committed state cannot be checked")
    tracked = [p for p in r.stdout.split() if not p.endswith((".gitkeep", "README.md"))]
    assert tracked == []
