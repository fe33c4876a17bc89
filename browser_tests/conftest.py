"""browser_tests settings: the main suite's rule applies here too — a skipped test is a failed test (a browser check
that did not run has not passed); a missing Chromium or playwright package fails with how to install it.

The hook is the main suite's own (tests/conftest.py), loaded from its file so there is one definition of the rule.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("parplan_tests_conftest",
                                               Path(__file__).resolve().parents[1] / "tests" / "conftest.py")
_main = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_main)

pytest_runtest_makereport = _main.pytest_runtest_makereport
