"""Shared settings for the indicator tests: a moderate hypothesis profile, repo root importable."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# The suite runs with --import-mode=importlib; put this folder on sys.path so the test
# modules can import the shared strategies in indicator_series.py.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

settings.register_profile(
    "indicators",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("indicators")
