"""Shared set-up of the atheris targets: the package importable from a checkout, inputs from fuzzer bytes."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from strategies import FRAGMENTS, TIMEFRAME_FRAGMENTS, from_bytes  # noqa: E402

__all__ = ["FRAGMENTS", "TIMEFRAME_FRAGMENTS", "from_bytes", "plan_text", "timeframe_text"]


def plan_text(data: bytes) -> str:
    return from_bytes(data, FRAGMENTS)


def timeframe_text(data: bytes) -> str:
    return from_bytes(data, TIMEFRAME_FRAGMENTS)
