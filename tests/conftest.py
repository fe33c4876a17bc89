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
