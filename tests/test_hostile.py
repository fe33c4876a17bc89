"""Hostile and broken input: the readers never crash on garbage, and an interrupted write leaves no partial file."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parplan.catalogue import plan_for
from parplan.contracts import load_contract
from parplan.io import ReadError, read_table

CONTRACT = load_contract("tthc_dossiers")
HEADER = ",".join(c.header_vi for c in CONTRACT.columns)
NOT_RECORDS = {"total_row", "group_row", "numbering_row", "footer_row"}  # rows the reader drops, each with a note


@settings(max_examples=80, deadline=None, suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_reader_on_random_bytes_raises_only_readerror(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fuzz") / "SNV.csv"
    p.write_bytes(data)
    try:
        read_table(p, CONTRACT)
    except ReadError:
        pass


@settings(max_examples=80, deadline=None, suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=18), max_size=8))
def test_reader_on_random_cells_keeps_every_row(tmp_path_factory, rows):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)  # an unquoted \r would be a line break
    w.writerow(HEADER.split(","))
    w.writerows(rows)
    p = tmp_path_factory.mktemp("fuzz") / "SNV.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    try:
        rr = read_table(p, CONTRACT)
    except ReadError:
        return
    # nothing silently dropped: every non-blank row is a record, or a row that is not a record (total, group row,
    # numbering row, note or signature) named by a note of its own
    kept = [r for r in rows if any(c.strip() for c in r)]
    dropped = {n["row"] for n in rr.notes if n["rule"] in NOT_RECORDS and n.get("row")}
    assert len(rr.frame) + len(dropped) == len(kept), (rows, rr.notes)


def test_killed_write_leaves_no_partial_output(tmp_path):
    """SIGKILL in the middle of an atomic write: the target never exists half-written."""
    target = tmp_path / "overview.html"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from parplan.io import atomic_write\n"
        "def w(p):\n"
        "    with open(p, 'w') as fh:\n"
        "        fh.write('<html>partial')\n"
        "        fh.flush()\n"
        "        print('writing', flush=True)\n"
        "        time.sleep(30)\n"
        "atomic_write(Path(sys.argv[1]), w)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.1)
    assert not target.exists()
    leftovers = list(tmp_path.iterdir())
    assert all(p.name.startswith(".overview.html.") and p.suffix == ".tmp" for p in leftovers), leftovers


def test_file_names_cannot_name_paths_outside_data(tmp_path):
    """Files are listed from the dataset folder; a name that is not a registry code is rejected, not followed."""
    from parplan.ingest import ingest_quarter

    folder = tmp_path / "data" / "raw" / "2023Q2" / "tthc_dossiers"
    folder.mkdir(parents=True)
    for name in ("..csv", "...csv", "SNV .csv", "snv.csv"):
        (folder / name).write_text(HEADER + "\n", encoding="utf-8")
    m = ingest_quarter("2023Q2", tmp_path / "data", {"tthc_dossiers": []}, plan_for("2023Q2"), force=True, say=lambda s: None)
    files = m["datasets"][0]["files"]
    assert len(files) == 4 and all(f["verdict"] == "rejected" for f in files)
    assert all(f["issues"][0]["rule"] == "unknown_agency_file" for f in files)
    assert sorted(p.name for p in (tmp_path / "data" / "processed" / "2023Q2").iterdir()) == [
        "manifest.json", "tthc_dossiers.parquet"]
    assert Path(tmp_path / "data" / "raw").exists()


def test_killed_render_leaves_no_partial_report(tmp_path):
    """SIGKILL while a render run is under way: finished reports are whole, the one in progress does not exist."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(float(DELAY))\nprint('done')"),
                nbformat.v4.new_code_cell("DELAY = 0", metadata={"tags": ["parameters"]})]
    nb.cells.reverse()  # the parameters cell first
    nb.metadata["kernelspec"] = {"name": "parplan", "display_name": "Python (parplan)", "language": "python"}
    src = tmp_path / "slow.ipynb"
    nbformat.write(nb, str(src))
    out = tmp_path / "reports"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from parplan.render import render_notebook\n"
        "src, out = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "for i, delay in enumerate([0, 60]):\n"
        "    render_notebook(src, out / f'r{i}.html', {'DELAY': delay}, 'r', 'vi', True, cwd=src.parent)\n"
        "    print('rendered', i, flush=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(src), str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "rendered 0"
    time.sleep(3)  # the second report's kernel is running
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert (out / "r0.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["r0.html"]
