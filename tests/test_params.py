"""Run parameters (params/*.yaml) are validated on load: unknown keys and a quarter that disagrees with the file stop."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from parplan.pipeline import load_params

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def params(tmp_path: Path) -> Path:
    d = tmp_path / "params"
    shutil.copytree(REPO / "params", d)
    return d


def test_shipped_params_load(params):
    for q in ("2023Q1", "2023Q2", "2023Q3", "2023Q4"):
        p = load_params(q, params)
        assert p["quarter"] == q and "tthc_dossiers" in p["datasets"]
    assert load_params(None, params)["quarter"] == "2023Q2"  # default_quarter of defaults.yaml


def test_quarter_key_disagreeing_with_file_name_stops(params):
    # the README's old advice: copy 2023Q2.yaml to a new quarter and forget the quarter inside
    shutil.copyfile(params / "2023Q2.yaml", params / "2023Q3.yaml")
    with pytest.raises(ValueError, match=r"2023Q3.yaml.*'2023Q2'.*2023Q3"):
        load_params("2023Q3", params)


def test_unknown_key_stops_with_the_allowed_keys(params):
    (params / "2023Q1.yaml").write_text('quarter: "2023Q1"\nexpected: [SNV]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown key\(s\) expected \(allowed: .*datasets"):
        load_params("2023Q1", params)
    (params / "2023Q1.yaml").write_text('default_quarter: "2023Q1"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="default_quarter"):  # only defaults.yaml names the default quarter
        load_params("2023Q1", params)


def test_unknown_dataset_and_bad_submitters_stop(params):
    (params / "2023Q1.yaml").write_text("datasets:\n  tthc_dosiers: {expected_submitters: [SNV]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="tthc_dosiers.*no contract"):
        load_params("2023Q1", params)
    (params / "2023Q1.yaml").write_text("datasets:\n  pakn: {expected_submitters: VPUBND}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected_submitters as a list"):
        load_params("2023Q1", params)



def test_sample_data_is_not_a_parameter(params):
    # whether data is sample data is recorded by the data (data/raw/<Q>/SAMPLE_DATA.yaml), never by a default
    (params / "defaults.yaml").write_text((params / "defaults.yaml").read_text(encoding="utf-8") + "sample_data: true\n",
                                          encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key.*sample_data"):
        load_params("2023Q1", params)


def _plan_expected(year: int, quarter: int) -> dict[str, list[str]]:
    """What plans/<year>/plan.yaml expects in a quarter, read here straight from the YAML."""
    raw = yaml.safe_load((REPO / "plans" / str(year) / "plan.yaml").read_text(encoding="utf-8"))["expected"]
    out = dict(raw["every_quarter"])
    out.update(raw.get(f"Q{quarter}") or {})
    return out


@pytest.mark.parametrize("q", ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1"])
def test_new_quarter_writes_the_plans_expectations(tmp_path, q):
    from parplan.pipeline import write_new_quarter

    (tmp_path / "params").mkdir()
    shutil.copyfile(REPO / "params" / "defaults.yaml", tmp_path / "params" / "defaults.yaml")
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    out = write_new_quarter(q, tmp_path)
    got = load_params(q, tmp_path / "params")
    assert got["quarter"] == q
    assert {k: v["expected_submitters"] for k, v in got["datasets"].items()} == _plan_expected(int(q[:4]), int(q[-1]))
    with pytest.raises(FileExistsError, match="--force"):  # never overwrites a quarter's params by accident
        write_new_quarter(q, tmp_path)
    before = out.read_bytes()
    write_new_quarter(q, tmp_path, force=True)
    assert out.read_bytes() == before  # the same plan gives the same file


def test_shipped_params_agree_with_the_plan():
    for q in (1, 2, 3, 4):
        p = load_params(f"2023Q{q}", REPO / "params")
        assert {k: v["expected_submitters"] for k, v in p["datasets"].items()} == _plan_expected(2023, q)


def test_new_quarter_without_a_plan_stops_with_the_plans_there_are(tmp_path, capsys):
    from parplan import cli

    assert cli.main(["new-quarter", "2026Q1"]) == 2
    err = capsys.readouterr().err
    assert "2026" in err and "2023" in err and "2024" in err and "plans/2026" in err
    assert not (REPO / "params" / "2026Q1.yaml").exists()


def test_without_a_params_file_the_plan_says_what_is_expected():
    from parplan.catalogue import load_plan
    from parplan.pipeline import expected_datasets

    assert expected_datasets({"quarter": "2024Q3"}, load_plan(2024)) == _plan_expected(2024, 3)
    assert expected_datasets({"quarter": "2023Q4"}, load_plan(2023))["sipas_survey"] == ["SNV"]


def test_make_takes_the_report_language_from_report_lang_not_the_locale():
    import os
    import subprocess

    def line(*args: str, **env: str) -> str:
        out = subprocess.run(["make", "--no-print-directory", "-n", "quarterly", *args], cwd=REPO, capture_output=True, text=True, timeout=60,
                             env={**os.environ, **env}).stdout
        return next(x for x in out.splitlines() if "-m parplan quarterly" in x)

    assert line("REPORT_LANG=en").endswith('--lang "en"')
    assert "--lang" not in line(LANG="en_US.UTF-8")  # the system locale never picks the report language
    assert '--quarter "2024Q1"' in line("QUARTER=2024Q1")


def test_make_lab_opens_on_the_repository_root_with_port_and_args():
    import subprocess

    out = subprocess.run(["make", "--no-print-directory", "-n", "lab", "PORT=9123", "ARGS=--no-browser"], cwd=REPO,
                         capture_output=True, text=True, timeout=60).stdout.splitlines()
    line = next(x for x in out if "jupyter lab" in x)  # under `make test` a nested make prints directory lines too
    assert line.endswith("jupyter lab --notebook-dir=. --port=9123 --no-browser")
