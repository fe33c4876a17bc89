"""Test-suite settings shared by every module."""
from __future__ import annotations

from hypothesis import HealthCheck, settings

# Property tests must not fail on a slow or busy machine (CI has 2 cores and runs renders alongside): no per-example
# deadline, and no health check about how fast examples are generated — only real counter-examples fail a test.
settings.register_profile("parplan", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("parplan")
