"""Report parameters are validated before papermill runs; rendering helpers."""
from __future__ import annotations

import time
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
    import json

    out = tmp_path / "a.html"
    out.write_text("x")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "quarterly_overview.ipynb").write_text("{}")
    job = Job("quarterly_overview.ipynb", str(out), (("quarter", "2023Q2"),), "t", "vi", True, str(tmp_path))
    cache = tmp_path / "cache.json"
    todo, done, keys = skip_unchanged([job], cache, "stage-key-1", notebooks)
    assert todo == [job] and done == []
    cache.write_text(json.dumps({str(out): keys[str(out)]}))
    todo, done, _ = skip_unchanged([job], cache, "stage-key-1", notebooks)
    assert todo == [] and done == [job]
    todo, _, _ = skip_unchanged([job], cache, "stage-key-2", notebooks)  # the render stage's code or inputs changed
    assert todo == [job]
    (notebooks / "quarterly_overview.ipynb").write_text('{"cells": []}')  # the page's own notebook changed
    todo, _, _ = skip_unchanged([job], cache, "stage-key-1", notebooks)
    assert todo == [job]
    other = Job(job.notebook, job.out, (("quarter", "2023Q1"),), "t", "vi", True, str(tmp_path))
    assert job_key(job, "d", notebooks) != job_key(other, "d", notebooks)  # the job's parameters are in its key
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


def _notebook(tmp_path: Path, code: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    p = tmp_path / "t.ipynb"
    nbformat.write(nb, str(p))
    return p


def test_kernels_talk_over_unix_sockets_not_tcp_ports(tmp_path):
    """Parallel kernels cannot race for TCP ports: the kernel itself reports the ipc transport."""
    import tempfile

    from parplan.render import execute

    code = "import json, ipykernel.connect as c\ni = json.loads(c.get_connection_info())\nprint(i['transport'], i['ip'])"
    a, b = (execute(_notebook(tmp_path, code), {}, tmp_path).cells[0].outputs[0]["text"].split() for _ in range(2))
    assert a[0] == b[0] == "ipc"
    # each kernel's sockets live in a private folder (jupyter_client's default, kernel-ipc-N in the working folder,
    # collides between parallel kernels), removed afterwards
    assert a[1] != b[1] and Path(a[1]).parent.name.startswith("parplan-kernel-")
    assert Path(a[1]).parent.parent == Path(tempfile.gettempdir()) and not Path(a[1]).parent.exists()


def test_kernel_start_failure_retried_once_notebook_errors_not(tmp_path, monkeypatch):
    import papermill as pm

    import parplan.render as render

    nb_path = _notebook(tmp_path, "x = 1")
    calls = []
    real = pm.execute_notebook

    def flaky(*a, **k):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*a, **k)

    monkeypatch.setattr(pm, "execute_notebook", flaky)
    said: list[str] = []
    render.execute(nb_path, {}, tmp_path, log=said.append)
    assert len(calls) == 2 and len(said) == 1 and "trying again" in said[0]

    calls.clear()

    def always(*a, **k):
        calls.append(1)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(pm, "execute_notebook", always)
    with pytest.raises(render.RenderError, match="kernel_info"):
        render.execute(nb_path, {}, tmp_path)
    assert len(calls) == render.START_ATTEMPTS  # gives up after the retry

    calls.clear()
    with pytest.raises(render.RenderError, match="ZeroDivisionError"):  # a failing notebook runs once
        monkeypatch.setattr(pm, "execute_notebook", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
        render.execute(_notebook(tmp_path, "1/0"), {}, tmp_path)
    assert len(calls) == 1


def test_a_cell_past_the_timeout_fails_its_report_alone_with_a_clear_message(tmp_path, monkeypatch):
    import parplan.render as render

    slow = _notebook(tmp_path, "import time\ntime.sleep(30)")
    t0 = time.monotonic()
    with pytest.raises(render.RenderError, match=r"longer than 2 s") as e:
        render.execute(slow, {}, tmp_path, timeout=2)
    assert "quá 2 giây" in str(e.value) and time.monotonic() - t0 < 25   # stopped, not waited out
    monkeypatch.setenv(render.CELL_TIMEOUT_ENV, "3")
    assert render.cell_timeout() == 3
    monkeypatch.setenv(render.CELL_TIMEOUT_ENV, "soon")
    with pytest.raises(render.RenderError, match="whole number of seconds"):
        render.cell_timeout()
    monkeypatch.delenv(render.CELL_TIMEOUT_ENV)
    assert render.cell_timeout() == render.CELL_TIMEOUT
    assert render.execute(_notebook(tmp_path, "x = 1"), {}, tmp_path, timeout=60).cells[0].source == "x = 1"
