"""A skipped test fails here (tests/conftest.py): a check that does not run has not passed."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_a_skip_is_reported_as_a_failure(tmp_path):
    shutil.copyfile(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_probe.py").write_text(
        "import pytest\n\n\ndef test_skips():\n    pytest.skip('a file is missing')\n\n\n"
        "def test_passes():\n    assert True\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 1, r.stdout
    assert "1 failed, 1 passed" in r.stdout and "skip counts as a failure" in r.stdout and "a file is missing" in r.stdout
