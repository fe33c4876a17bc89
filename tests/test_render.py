"""Report parameters are validated before papermill runs; rendering helpers."""
from __future__ import annotations

from pathlib import Path

import pytest

from parplan.periods import QuarterError
from parplan.render import Job, job_key, skip_unchanged, validate_parameters


@pytest.mark.parametrize("params, err", [
    ({"quarter": "2023Q5"}, QuarterError),
    ({"quarter": "2023Q2; import os"}, QuarterError),
    ({"agency": "../etc/passwd"}, ValueError),
    ({"agency": "SNV\x00"}, ValueError),
    ({"agency": "NOT_AN_AGENCY"}, ValueError),
    ({"lang": "fr"}, ValueError),
    ({"data_root": "/etc"}, ValueError),
    ({"data_root": "data/../../x"}, ValueError),
])
def test_bad_parameters_rejected(params, err):
    with pytest.raises(err):
        validate_parameters(params)


def test_good_parameters_pass():
    validate_parameters({"quarter": "2023Q2", "agency": "TAM_KY", "lang": "en", "data_root": "data"})


def test_skip_unchanged_uses_recorded_keys(tmp_path):
    out = tmp_path / "a.html"
    out.write_text("x")
    job = Job("quarterly_overview.ipynb", str(out), (("quarter", "2023Q2"),), "t", "vi", True, str(tmp_path))
    cache = tmp_path / "cache.json"
    todo, done, keys = skip_unchanged([job], cache, "digest-1")
    assert todo == [job] and done == []
    import json

    cache.write_text(json.dumps({str(out): keys[str(out)]}))
    todo, done, _ = skip_unchanged([job], cache, "digest-1")
    assert todo == [] and done == [job]
    todo, _, _ = skip_unchanged([job], cache, "digest-2")  # data or code changed
    assert todo == [job]
    assert job_key(job, "d") != job_key(Job(job.notebook, job.out, (("quarter", "2023Q1"),), "t", "vi", True,
                                           str(tmp_path)), "d")
    assert Path(job.out).exists()
