"""Ingest: plan files → analysis → one named graph per file, each written in its own transaction."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PLAN_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}


def expand_paths(paths: Sequence[str]) -> list[str]:
    """Files as given; directories walked for plan files (sorted)."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, _dirs, files in sorted(os.walk(p)):
                out.extend(os.path.join(root, f) for f in sorted(files) if Path(f).suffix.lower() in PLAN_SUFFIXES)
        else:
            out.append(p)
    return out


def ingest_files(
    store: Any, registry: Any, paths: list[str], progress: bool = True, log: Callable[[str, str], None] | None = None
) -> tuple[int, list[str], dict[str, int]]:
    """Ingest files into the store, each in its own transaction. Returns (ok count, error lines, totals).

    A file that cannot be read or analysed is an error line ("PATH: reason") and leaves the store as it was; the
    other files go on. ``log(kind, line)`` hears "note" (a file converted from a legacy encoding) and "committed"
    (PATH, once its graph's transaction has committed: what a crash cannot take back).
    """
    from tqdm import tqdm

    from . import iri
    from .analyze import analyze_text
    from .graph import build_graph
    from .read import LEGACY_NAMES, ReadError, read_source
    from .registry_rdf import compile_registry
    from .resolve import Resolver
    from .store import StoreError

    store.replace_graph(iri.REGISTRY_GRAPH, compile_registry(registry))
    resolver = Resolver(registry)
    errors: list[str] = []
    totals = {"citations": 0, "tasks": 0, "triples": 0}
    ok = 0
    bar = tqdm(paths, unit="file", disable=not progress or not sys.stderr.isatty(), file=sys.stderr)
    for path in bar:
        try:
            source = read_source(path)
            if source.converted and log is not None:
                log("note", f"{path}: converted from {LEGACY_NAMES[source.encoding]} to Unicode")
            analysis = analyze_text(path, source.text, resolver)
            graph = build_graph(analysis)
            totals["triples"] += store.replace_graph(iri.source_graph(analysis.key), graph)
        except (ReadError, StoreError) as exc:
            errors.append(f"{path}: {exc}")
            continue
        except Exception as exc:  # a bug on one odd file must not lose the others; the store is untouched
            errors.append(f"{path}: internal error while analysing it ({type(exc).__name__}: {exc}); please report it")
            continue
        if log is not None:
            log("committed", path)
        totals["citations"] += len(analysis.citations)
        totals["tasks"] += len(analysis.tasks)
        ok += 1
    store.flush()
    return ok, errors, totals
