"""Commands added to ``tthc-kg`` (see cli.COMMAND_MODULES)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def register(sub: Any, registry_sub: Any, store_opt: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add this module's subparsers."""
