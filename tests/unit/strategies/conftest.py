"""Strategy tests: put this folder on sys.path so test modules can import strategy_bars.py."""

from __future__ import annotations

import sys
from pathlib import Path

# The suite runs with --import-mode=importlib; this makes the shared helpers importable.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
