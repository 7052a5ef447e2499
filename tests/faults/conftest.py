"""Hypothesis profiles for the fault model: `ci` (the default) and `dev`, chosen by HYPOTHESIS_PROFILE.

`ci` is fixed and bounded: the same examples every run (derandomized, no example database),
about a minute on a 2-core machine. `dev` explores far more, at random, and keeps the failures it
finds in `.hypothesis/` so the next run tries them first. Both print the failing step sequence
and a `@reproduce_failure` blob that replays it exactly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # each step has its own watchdog, with bounds taken from the provider settings
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=30, stateful_step_count=12, **_COMMON
)
settings.register_profile("dev", max_examples=400, stateful_step_count=40, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
