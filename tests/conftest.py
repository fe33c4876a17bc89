"""Test-suite settings shared by every module."""
from __future__ import annotations

from hypothesis import HealthCheck, settings

# Property tests must not fail on a slow or busy machine (CI has 2 cores and runs renders alongside): no per-example
# deadline, and no health check about how fast examples are generated — only real counter-examples fail a test.
settings.register_profile("parplan", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("parplan")


import pytest  # noqa: E402

from parplan.catalogue import Plan, load_plan  # noqa: E402


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The 2023 plan (plans/2023/), the one the shipped 2023 sample data is judged against."""
    return load_plan(2023)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A skipped test is a failed test here: a check that does not run has not passed (nothing may skip)."""
    outcome = yield
    rep = outcome.get_result()
    if rep.skipped and not hasattr(rep, "wasxfail"):
        rep.outcome = "failed"
        where = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else rep.longrepr
        rep.longrepr = f"skipped, and a skip counts as a failure in parplan: {where}"


@pytest.fixture(scope="session")
def prepared_2023(tmp_path_factory):
    """The data folder of a temp project holding the shipped 2023 sample prepared up to 2023Q4 (manifests,
    reconciliation, commune matches, indicators and progress of every quarter), once per test run."""
    import shutil
    from pathlib import Path

    from parplan.periods import Quarter
    from parplan.pipeline import prepare
    from parplan.store import Params

    repo = Path(__file__).resolve().parents[1]
    root = tmp_path_factory.mktemp("prepared_2023")
    shutil.copytree(repo / "data" / "raw", root / "data" / "raw")
    shutil.copytree(repo / "params", root / "params")
    q4 = Quarter(2023, 4)
    prepare(q4, Params.load(root / "params", q4).store(root), say=lambda s: None)
    return root / "data"
