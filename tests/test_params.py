"""Run parameters (params/*.yaml) are validated on load: unknown keys and a quarter that disagrees with the file stop."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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

