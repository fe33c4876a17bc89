"""The store: one root found in one place, every path from it, the typed manifest and run parameters."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from parplan.periods import Quarter
from parplan.store import Manifest, Params, ProjectNotFound, Store, find_root

REPO = Path(__file__).resolve().parents[1]
Q = Quarter(2023, 2)


def make_project(root: Path, defaults: str = 'default_quarter: "2023Q2"\n') -> Path:
    """The least a folder needs to be a project: params/defaults.yaml and plans/."""
    (root / "params").mkdir(parents=True)
    (root / "params" / "defaults.yaml").write_text(defaults, encoding="utf-8")
    (root / "plans").mkdir()
    return root


def test_every_path_comes_from_the_root(tmp_path):
    s = Store(tmp_path, "mydata", "out")
    assert s.raw(Q) == tmp_path / "mydata" / "raw" / "2023Q2"
    assert s.raw(Q, "pakn") == tmp_path / "mydata" / "raw" / "2023Q2" / "pakn"
    assert s.processed(Q, "indicators") == tmp_path / "mydata" / "processed" / "2023Q2" / "indicators.parquet"
    assert s.manifest(Q) == tmp_path / "mydata" / "processed" / "2023Q2" / "manifest.json"
    assert s.stage_keys_file(Q) == tmp_path / "mydata" / "processed" / "2023Q2" / "derived-keys.json"
    assert s.decisions_file == tmp_path / "mydata" / "decisions.yaml"
    assert s.report_dir(Q, "vi") == tmp_path / "out" / "2023Q2"
    assert s.report_dir(Q, "en") == tmp_path / "out" / "2023Q2" / "en"
    assert s.render_cache == tmp_path / "out" / ".render-cache.json"
    assert s.feedback_dir(Q) == tmp_path / "feedback" / "2023Q2"
    assert s.params_file(Q) == tmp_path / "params" / "2023Q2.yaml"


def test_recorded_paths_are_relative_to_the_root_and_resolve_back(tmp_path):
    s = Store(tmp_path)
    p = tmp_path / "data" / "raw" / "2023Q2" / "pakn" / "SNV.csv"
    assert s.relative(p) == "data/raw/2023Q2/pakn/SNV.csv"
    assert s.resolve("data/raw/2023Q2/pakn/SNV.csv") == p
    assert s.relative(Path("/elsewhere/x.csv")) == "/elsewhere/x.csv" and s.resolve("/elsewhere/x.csv") == Path(
        "/elsewhere/x.csv")


def test_a_data_folder_alone_gives_the_store_above_it(tmp_path):
    s = Store.for_data(tmp_path / "other")
    assert s.root == tmp_path.resolve() and s.data == "other"
    assert s.raw(Q) == tmp_path.resolve() / "other" / "raw" / "2023Q2"
    assert Store.for_data(s) is s


def test_find_root_argument_environment_then_working_directory(tmp_path, monkeypatch):
    a, b = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    (a / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.delenv("PARPLAN_ROOT", raising=False)
    assert find_root(a) == a.resolve()
    assert find_root(start=a / "sub" / "deeper") == a.resolve()  # the nearest project above
    monkeypatch.setenv("PARPLAN_ROOT", str(b))
    assert find_root(start=a / "sub") == b.resolve()  # the environment beats the working directory
    assert find_root(a) == a.resolve()  # an argument beats both
    with pytest.raises(ProjectNotFound, match="params/defaults.yaml"):
        find_root(tmp_path / "a" / "sub")  # given, but not a project


def test_outside_any_project_the_installed_checkout_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("PARPLAN_ROOT", raising=False)
    assert find_root(start=tmp_path) == REPO  # this package is an editable install of the repository


def test_notebooks_of_a_data_only_copy_are_the_checkouts(tmp_path):
    assert Store(tmp_path).notebooks_dir == REPO / "notebooks"
    (tmp_path / "notebooks").mkdir()
    assert Store(tmp_path).notebooks_dir == tmp_path / "notebooks"


MANIFEST = {"quarter": "2023Q2", "plan_year": 2023, "fingerprint": "abc", "parplan_version": "0",
            "sample": {"sample_data": True, "marker": "data/raw/2023Q2/SAMPLE_DATA.yaml"},
            "unexpected": [{"name": "old", "kind": "folder", "files": ["a.csv"]}],
            "datasets": [{"dataset": "pakn", "output": "data/processed/2023Q2/pakn.parquet",
                          "files": [{"path": "data/raw/2023Q2/pakn/SNV.csv", "verdict": "accepted"},
                                    {"path": "data/raw/2023Q2/pakn/STP.csv", "verdict": "rejected"}]},
                         {"dataset": "e_documents", "output": "data/processed/2023Q2/e_documents.parquet",
                          "files": [{"path": "data/raw/2023Q2/e_documents/SNV.csv", "verdict": "accepted"}]}]}


def test_manifest_accessors_and_round_trip(tmp_path):
    p = tmp_path / "manifest.json"
    p.write_text(Manifest(MANIFEST).to_json(), encoding="utf-8")
    m = Manifest.from_file(p)
    assert m.raw == MANIFEST and json.loads(p.read_text(encoding="utf-8")) == MANIFEST  # the same JSON shape
    assert m.quarter == Q and m.plan_year == 2023 and m.sample is True and m.fingerprint == "abc"
    assert [d["dataset"] for d in m.datasets] == ["pakn", "e_documents"]
    assert [f["path"].rsplit("/", 2)[-2:] for f in m.files()] == [["pakn", "SNV.csv"], ["pakn", "STP.csv"],
                                                                   ["e_documents", "SNV.csv"]]
    assert m.unexpected == [{"name": "old", "kind": "folder", "files": ["a.csv"]}]
    assert m.outputs(Store(tmp_path)) == [tmp_path / "data/processed/2023Q2/pakn.parquet",
                                          tmp_path / "data/processed/2023Q2/e_documents.parquet"]
    assert Manifest({**MANIFEST, "sample": {"sample_data": False}}).sample is False


def test_params_are_typed(tmp_path):
    root = make_project(tmp_path, 'default_quarter: "2023Q2"\nlang: en\ndata_root: d\n')
    (root / "params" / "2023Q3.yaml").write_text(
        'quarter: "2023Q3"\nreports_root: pages\ndatasets:\n  pakn: {expected_submitters: [VPUBND, DISTRICTS]}\n',
        encoding="utf-8")
    p = Params.load(root / "params", "2023Q3")
    assert p == Params(Quarter(2023, 3), "en", "d", "pages", {"pakn": ["VPUBND", "DISTRICTS"]}, Quarter(2023, 2))
    d = Params.load(root / "params")  # the default quarter, no file of its own: the plan's expectations apply
    assert d.quarter == Quarter(2023, 2) and d.datasets is None and d.reports_root == "reports"
    s = p.store(root)
    assert s.data_root == root / "d" and s.reports_root == root / "pages"


def test_params_keep_their_bilingual_errors(tmp_path):
    root = make_project(tmp_path)
    (root / "params" / "2023Q1.yaml").write_text('quarter: "2023Q4"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"sửa cho khớp / 2023Q1.yaml says quarter: '2023Q4'"):
        Params.load(root / "params", "2023Q1")
