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


PROJECT_KERNEL = {"name": "parplan", "display_name": "Python (parplan)", "language": "python"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_opens_in_the_project_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"] == PROJECT_KERNEL, path.name


def test_the_project_kernel_is_installed_for_this_environment():
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    from parplan import render

    spec = KernelSpecManager().get_kernel_spec(PROJECT_KERNEL["name"])  # NoSuchKernel: `make setup` was not run
    assert Path(spec.argv[0]).parent == Path(sys.executable).parent  # the venv's own interpreter
    assert spec.display_name == PROJECT_KERNEL["display_name"]
    assert render._kernel_env(PROJECT_KERNEL["name"]) == "parplan"
    with pytest.raises(render.RenderError, match="make setup"):
        render._kernel_env("parplan-no-such-kernel")


EXPLORE = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"


def test_explore_has_one_parameters_cell():
    nb = json.loads(EXPLORE.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    for name in ("quarter", "agency", "metric", "lang", "root"):
        assert f"{name} =" in src, name
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "read_parquet" not in code and "data/processed" not in code  # every table comes from parplan.data


@pytest.mark.slow
@pytest.mark.parametrize("quarter,agency,lang", [("2023Q2", "TAM_KY", "vi"), ("2023Q3", "SYT", "en")])
def test_explore_runs_with_parameters_from_outside_the_repo(tmp_path, monkeypatch, quarter, agency, lang):
    from parplan import render
    from parplan.catalogue import load_plan

    monkeypatch.delenv("PARPLAN_ROOT", raising=False)
    nb = render.execute(EXPLORE, {"quarter": quarter, "agency": agency, "metric": "ontime_rate", "lang": lang,
                                  "root": None}, cwd=tmp_path)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) +
                   str(o.get("data", {}).get("text/html", "")) for o in outputs)
    name = load_plan(int(quarter[:4])).agencies[agency].name(lang)
    assert f"{quarter} | {name} | ontime_rate" in text  # the parameters reached the notebook
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the trend chart
    assert quarter in text
