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


@pytest.mark.parametrize("done, total, elapsed", [(0, 43, 0.0), (1, 43, 3.0), (12, 43, 35.0), (43, 43, 101.0)])
def test_progress_bar(done, total, elapsed):
    from parplan.render import progress_bar

    bar = progress_bar(done, total, elapsed, width=20)
    inside = bar[1:bar.index("]")]
    assert len(inside) == 20 and inside.count("#") == int(done / total * 20)
    assert f"{done}/{total}" in bar and f"{done / total:4.0%}" in bar
    left = total - done
    if done and left:  # naive estimate: the average time per report so far × reports left
        assert f"~{elapsed / done * left:.0f} s left" in bar
    else:
        assert "left" not in bar
