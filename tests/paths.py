"""Paths and constants shared by the tests (a module of its own: a test importing from "conftest" could get
another folder's conftest)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "plans").glob("*.txt"))
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "plans"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = "2026-11-22"
