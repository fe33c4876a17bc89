"""pyproject.toml and environment.yml declare the same dependencies with the same version specs."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def split_requirement(req: str) -> tuple[str, str]:
    """'Great_Expectations >= 1.24, <2' -> ('great-expectations', '>=1.24,<2')."""
    m = NAME_RE.match(req)
    assert m, f"unreadable requirement {req!r}"
    name = m.group(1).lower().replace("_", "-")
    spec = re.sub(r"\s+", "", m.group(3))
    return name, spec


def to_mapping(reqs: list[str], source: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for req in reqs:
        name, spec = split_requirement(req)
        assert name not in out, f"{source}: {name} listed twice"
        out[name] = spec
    return out


@pytest.fixture(scope="module")
def pyproject_deps() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    return to_mapping(reqs, "pyproject.toml")


@pytest.fixture(scope="module")
def conda_deps() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    reqs = []
    for dep in data["dependencies"]:
        if not isinstance(dep, str):  # the nested `pip:` list
            continue
        name, _ = split_requirement(dep)
        if name in ("python", "pip"):
            continue
        reqs.append(dep)
    return to_mapping(reqs, "environment.yml")


def test_split_requirement():
    assert split_requirement("Great_Expectations >= 1.24, <2") == ("great-expectations", ">=1.24,<2")
    assert split_requirement("pyyaml") == ("pyyaml", "")
    assert split_requirement("parplan[dev]>=0.1") == ("parplan", ">=0.1")


def test_both_files_list_dependencies(pyproject_deps, conda_deps):
    assert len(pyproject_deps) >= 10
    assert "pytest" in pyproject_deps and "pandas" in pyproject_deps
    assert "python" not in conda_deps and "pip" not in conda_deps


def test_pyproject_and_environment_agree(pyproject_deps, conda_deps):
    only_pyproject = sorted(set(pyproject_deps) - set(conda_deps))
    only_conda = sorted(set(conda_deps) - set(pyproject_deps))
    different = sorted(
        f"{n}: pyproject {pyproject_deps[n]!r} vs environment.yml {conda_deps[n]!r}"
        for n in set(pyproject_deps) & set(conda_deps)
        if pyproject_deps[n] != conda_deps[n]
    )
    problems = []
    if only_pyproject:
        problems.append(f"only in pyproject.toml: {only_pyproject}")
    if only_conda:
        problems.append(f"only in environment.yml: {only_conda}")
    if different:
        problems.append("different specs: " + "; ".join(different))
    assert pyproject_deps == conda_deps, "pyproject.toml and environment.yml disagree:\n" + "\n".join(problems)


def test_environment_keeps_python_and_editable_install():
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = data["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and split_requirement(d)[0] == "python"]
    assert pythons == ["python>=3.11"]
    pip_lists = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert pip_lists and "-e ." in pip_lists[0]


def test_great_expectations_is_1x(pyproject_deps, conda_deps):
    for source, deps in (("pyproject.toml", pyproject_deps), ("environment.yml", conda_deps)):
        spec = deps.get("great-expectations")
        assert spec is not None, f"{source}: great-expectations missing"
        m = re.match(r"^>=(\d+)(?:\.\d+)*", spec)
        assert m, f"{source}: great-expectations spec {spec!r} does not start with a >= lower bound"
        assert int(m.group(1)) >= 1, f"{source}: great-expectations spec {spec!r} allows 0.x"


def test_every_data_file_of_the_package_is_package_data():
    """A data file the library reads (YAML, CSV, CSS, templates) must ship with a non-editable install too."""
    import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["parplan"]
    pkg = ROOT / "parplan"
    missing = []
    for p in pkg.rglob("*"):
        if not p.is_file() or p.suffix in (".py", ".pyc") or "__pycache__" in p.parts:
            continue
        rel = p.relative_to(pkg).as_posix()
        if not any(fnmatch.fnmatch(rel, pat.replace("**/", "")) or fnmatch.fnmatch(rel, pat) for pat in patterns):
            missing.append(rel)
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
