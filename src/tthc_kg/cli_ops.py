"""Operations on the store: ``tthc-kg doctor`` (consistency and versions), ``tthc-kg import`` (restore an export),
and what ``tthc-kg ingest`` uses for ``--stale``, ``--verbose`` and its failure summary. docs/operations.md.

Consistency, as ``doctor`` checks it:
- the store opens (RocksDB replays its write-ahead log: a killed writer leaves only whole transactions);
- the registry graph is present (ingest writes it first) unless the store is empty;
- every source graph (``graph/source/{key}``) holds its ``tthc:SourceFile`` node ``id:source/{key}`` with a path
  and a content hash, the plan it holds (a ``tthc:Plan``), and the extractor and ontology versions that built it;
  a graph without them is a half-written or foreign graph: a problem;
- versions: a graph built by an older extractor (``analyze.EXTRACTOR_VERSION``) or ontology
  (``graph.ONTOLOGY_VERSION``), or that records none, is stale: ``tthc-kg ingest --stale`` rebuilds it from its
  recorded source path. Stale graphs are reported, not problems.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KNOWN_GRAPHS = ("registry", "review", "watchlist")  # graph/… names tthc-kg writes besides graph/source/…


def register(sub: Any, registry_sub: Any, store_opt: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add this module's subparsers."""
    sp = sub.add_parser(
        "doctor",
        help="check the store: it opens, every graph is whole, versions; lists stale graphs",
        description="Checks that the store opens, the registry graph is present, every source document's graph is "
        "whole (its source file node, path, content hash, plan and versions), and reports graphs built by an older "
        "extractor or ontology (rebuild them with 'tthc-kg ingest --stale'). Exit 0 when healthy, 1 on problems.",
    )
    sp.add_argument("--sources", action="store_true", help="also check each recorded source file: missing, changed")
    sp.add_argument("--format", choices=["table", "json"], default="table")
    store_opt(sp)
    sp.set_defaults(func=cmd_doctor)

    sp = sub.add_parser(
        "import",
        help="restore a store from an export (tthc-kg export --format nquads)",
        description="Loads an N-Quads (.nq) or TriG (.trig) export into a new store built beside the target and "
        "then put in its place, so a failed import changes nothing. A store that holds data is replaced only with "
        "--replace, and is kept as STORE.replaced-TIMESTAMP.",
    )
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--replace", action="store_true", help="replace a store that holds data (the old one is kept)")
    store_opt(sp)
    sp.set_defaults(func=cmd_import)


# --- versions ----------------------------------------------------------------------------------------------------


def _version_key(text: str | None) -> tuple[int, ...] | None:
    """ "tthc-kg-extract/0.1" → (0, 1); "0.1.0" → (0, 1, 0); None when there is no version number."""
    if not text:
        return None
    m = re.search(r"(\d+(?:\.\d+)*)\s*$", text)
    return tuple(int(x) for x in m.group(1).split(".")) if m else None


def _older(recorded: str | None, current: str) -> bool:
    """Recorded before ``current`` (missing counts as older; trailing zeros do not count: 0.1 == 0.1.0)."""
    a, b = _version_key(recorded), _version_key(current)
    if a is None or b is None:
        return recorded != current
    n = max(len(a), len(b))
    return a + (0,) * (n - len(a)) < b + (0,) * (n - len(b))


# --- the check ---------------------------------------------------------------------------------------------------


@dataclass
class GraphInfo:
    graph: str
    path: str | None = None
    hash: str | None = None
    extractor: str | None = None
    ontology: str | None = None


@dataclass
class Report:
    store: str
    triples: int = 0
    named_graphs: int = 0
    registry: bool = False
    sources: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stale: list[GraphInfo] = field(default_factory=list)
    versions: Counter[tuple[str, str]] = field(default_factory=Counter)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(store: Any, sources: bool = False) -> Report:
    """The consistency check of ``tthc-kg doctor`` (module docstring)."""
    import pyoxigraph as ox

    from . import iri, queries
    from .analyze import EXTRACTOR_VERSION
    from .graph import ONTOLOGY_VERSION

    where = getattr(store, "path", None) or getattr(store, "url", None)
    report = Report(store=str(where) if where is not None else ":memory:")
    names = store.graph_names()
    report.triples = store.triple_count()
    report.named_graphs = len(names)
    source_prefix = str(iri.GRAPH) + "source/"
    source_graphs = {g for g in names if g.startswith(source_prefix)}
    report.sources = len(source_graphs)
    report.registry = str(iri.REGISTRY_GRAPH) in names
    if not report.registry and names:
        report.problems.append(f"the registry graph <{iri.REGISTRY_GRAPH}> is missing (run 'tthc-kg ingest')")
    known = {str(iri.GRAPH[n]) for n in KNOWN_GRAPHS}
    for g in sorted(set(names) - source_graphs - known):
        report.warnings.append(f"named graph <{g}> was not written by tthc-kg")
    db = getattr(store, "_db", None)  # the embedded store (a SPARQL server's default graph is its own business)
    default = next(iter(db.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) if db is not None else None
    if default is not None:
        report.warnings.append("the default graph holds triples (tthc-kg writes named graphs only)")

    q = queries.load("source-graphs")
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in store.select(q.text, q.bind({})):
        rows.setdefault(row["graph"], []).append(row)
    for g in sorted(source_graphs):
        key = g[len(source_prefix) :]
        found = rows.get(g, [])
        expected = str(iri.source(key))
        if not found:
            report.problems.append(f"<{g}>: no source file node (a half-written or foreign graph)")
            continue
        row = next((r for r in found if r["source"] == expected), None)
        if row is None:
            report.problems.append(f"<{g}>: its source file node is not <{expected}>")
            continue
        missing = [what for what, k in (("path", "path"), ("content hash", "hash"), ("plan", "plan")) if not row[k]]
        if missing:
            report.problems.append(f"<{g}>: no {', no '.join(missing)} recorded (a half-written graph)")
            continue
        extractors = {r["extractor"] for r in found if r["source"] == expected and r["extractor"]}
        ontologies = {r["ontology"] for r in found if r["source"] == expected and r["ontology"]}
        info = GraphInfo(g, row["path"], row["hash"], _single(extractors), _single(ontologies))
        report.versions[(info.extractor or "unrecorded", info.ontology or "unrecorded")] += 1
        if _older(info.extractor, EXTRACTOR_VERSION) or _older(info.ontology, ONTOLOGY_VERSION):
            report.stale.append(info)
        elif info.extractor != EXTRACTOR_VERSION or info.ontology != ONTOLOGY_VERSION:
            report.warnings.append(
                f"<{g}> was built by a newer tthc-kg ({info.extractor}, ontology {info.ontology}): upgrade tthc-kg"
            )
        if sources:
            _check_source(info, report)
    return report


def _single(values: set[str]) -> str | None:
    """The version recorded, or the oldest of several (a graph should hold one)."""
    if not values:
        return None
    return min(values, key=lambda v: _version_key(v) or ())


def _check_source(info: GraphInfo, report: Report) -> None:
    import hashlib

    from .read import ReadError, read_text

    assert info.path is not None
    try:
        text = read_text(info.path)
    except ReadError:
        report.missing.append(info.path)
        return
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != info.hash:
        report.changed.append(info.path)


def _remote(spec: str | None) -> bool:
    return bool(spec) and str(spec).startswith(("sparql+http://", "sparql+https://"))


def stale_paths(store: Any) -> list[str]:
    """The recorded source paths of the stale graphs (``tthc-kg ingest --stale``)."""
    return [g.path for g in check_store(store).stale if g.path]


# --- ingest helpers --------------------------------------------------------------------------------------------


def ingest_log(verbose: bool) -> Callable[[str, str], None]:
    """What ``tthc-kg ingest`` prints as it goes: notes on stderr; with --verbose 'committed PATH' on stdout,
    flushed at once (what a crash cannot take back)."""

    def log(kind: str, line: str) -> None:
        if kind == "committed":
            if verbose:
                print(f"committed {line}", flush=True)
        else:
            print(f"tthc-kg: {kind}: {line}", file=sys.stderr, flush=True)

    return log


def failed_summary(errors: list[str], most: int = 10) -> str:
    """ "; 2 failed: a.txt, b.txt" for the ingest summary line (the paths as given; the reasons are on stderr)."""
    if not errors:
        return ""
    paths = [e.split(": ", 1)[0] for e in errors]
    shown = ", ".join(paths[:most]) + (f" and {len(paths) - most} more" if len(paths) > most else "")
    return f"; {len(errors)} failed: {shown}"


# --- commands --------------------------------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from . import cli
    from .analyze import EXTRACTOR_VERSION
    from .graph import ONTOLOGY_VERSION
    from .store import default_store_dir

    spec = args.store or os.environ.get("TTHC_KG_STORE") or None
    if not _remote(spec):
        path = Path(spec) if spec else default_store_dir()
        if not path.exists():
            raise cli.UsageError(f"no store at {path} (run 'tthc-kg ingest' first)")
        spec = str(path)
    try:  # opened for writing: RocksDB recovers what a killed writer left
        store = cli._store(spec)
    except cli.UsageError:  # another process (a server, an ingest) holds it: check what it has committed
        store = cli._store(spec, read_only=True)
    report = check_store(store, sources=args.sources)
    current = (EXTRACTOR_VERSION, ONTOLOGY_VERSION)
    if args.format == "json":
        cli._jsonl([_json(report, current)])
    else:
        _print_report(report, current)
    for line in report.problems:
        print(f"tthc-kg: error: {line}", file=sys.stderr)
    return 0 if report.ok else 1


def _json(report: Report, current: tuple[str, str]) -> dict[str, Any]:
    return {
        "store": report.store,
        "ok": report.ok,
        "triples": report.triples,
        "named_graphs": report.named_graphs,
        "registry": report.registry,
        "source_graphs": report.sources,
        "extractor_version": current[0],
        "ontology_version": current[1],
        "versions": [{"extractor": e, "ontology": o, "graphs": n} for (e, o), n in sorted(report.versions.items())],
        "stale": [
            {"graph": s.graph, "path": s.path, "extractor": s.extractor, "ontology": s.ontology} for s in report.stale
        ],
        "problems": report.problems,
        "warnings": report.warnings,
        "changed_sources": report.changed,
        "missing_sources": report.missing,
    }


def _print_report(report: Report, current: tuple[str, str]) -> None:
    print(f"store {report.store}: opens; {report.triples} triples in {report.named_graphs} named graphs")
    if report.named_graphs == 0:
        print("the store is empty")
    print(f"registry graph: {'present' if report.registry else 'missing'}")
    whole = report.sources - sum(1 for p in report.problems if "source" in p or "half-written" in p)
    print(f"source graphs: {report.sources} ({whole} whole)")
    print(f"this tthc-kg writes: extractor {current[0]}, ontology {current[1]}")
    for (e, o), n in sorted(report.versions.items()):
        print(f"  {n} graphs built by extractor {e}, ontology {o}")
    if report.stale:
        print(f"stale graphs: {len(report.stale)} (rebuild them with 'tthc-kg ingest --stale')")
        for s in report.stale[:20]:
            print(f"  stale: {s.path} (extractor {s.extractor or 'unrecorded'}, ontology {s.ontology or 'unrecorded'})")
        if len(report.stale) > 20:
            print(f"  … and {len(report.stale) - 20} more (--format json lists all)")
    else:
        print("stale graphs: none")
    for path in report.missing:
        print(f"  source missing or unreadable: {path}")
    for path in report.changed:
        print(f"  source changed since ingest: {path} (ingest it again)")
    for w in report.warnings:
        print(f"warning: {w}")
    print("doctor: OK" if report.ok else f"doctor: {len(report.problems)} problems")


_FORMATS = {".nq": "N_QUADS", ".nquads": "N_QUADS", ".trig": "TRIG"}


def _trailer_count(path: Path) -> int | None:
    """The quad count of an export's closing line (cli.EXPORT_TRAILER), or None when the file has none."""
    from . import cli

    prefix, _, suffix = cli.EXPORT_TRAILER.partition("{count}")
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - 200))
        last = f.read().decode("utf-8", errors="replace").splitlines()[-1:] or [""]
    line = last[0] + "\n"
    if not (line.startswith(prefix) and line.endswith(suffix)):
        return None
    number = line[len(prefix) : -len(suffix)]
    return int(number) if number.isdigit() else None


def cmd_import(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from . import cli
    from .store import Store, StoreError, default_store_dir

    src = Path(args.file)
    if not src.is_file():
        raise cli.UsageError(f"{args.file}: no such file" if not src.exists() else f"{args.file}: not a file")
    fmt_name = _FORMATS.get(src.suffix.lower())
    if fmt_name is None:
        raise cli.UsageError(
            f"{args.file}: an export in N-Quads (.nq) or TriG (.trig) is needed: 'tthc-kg export --format nquads'"
        )
    if _remote(args.store or os.environ.get("TTHC_KG_STORE")):
        raise cli.UsageError("import restores an embedded store (a directory); load a SPARQL server with its tools")
    target = Path(args.store) if args.store else default_store_dir()
    if target.exists() and not target.is_dir():
        raise cli.UsageError(f"{target}: not a directory")
    if target.exists() and not any(target.iterdir()):
        target.rmdir()  # an empty directory: nothing to keep
    if target.exists():
        try:
            existing = Store(target, read_only=True)
        except StoreError as exc:
            raise cli.UsageError(f"{target} is not a store that can be replaced: {exc}") from exc
        holds = existing.triple_count()
        del existing
        if holds and not args.replace:
            raise cli.UsageError(f"store {target} holds {holds} triples: give --replace to replace it (it is kept)")
    tmp = target.parent / f"{target.name}.import-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        db = ox.Store(str(tmp))
        try:
            db.bulk_load(path=str(src), format=getattr(ox.RdfFormat, fmt_name))
        except (SyntaxError, ValueError, OSError) as exc:
            reason = " ".join(str(exc).split())
            raise cli.UsageError(f"{args.file}: not a valid {fmt_name.replace('_', '-')} export: {reason}") from exc
        db.flush()
        quads, graphs = len(db), sum(1 for _ in db.named_graphs())
        expected = _trailer_count(src) if fmt_name == "N_QUADS" else None
        del db
        restored = Store(tmp)
        report = check_store(restored)
        del restored
        if not report.ok:
            raise cli.UsageError(
                f"{args.file}: the export is not a consistent tthc-kg store ({report.problems[0]}); nothing changed"
            )
        if fmt_name == "N_QUADS" and expected != quads:
            raise cli.UsageError(
                f"{args.file}: an incomplete export (cut short?): "
                + ("its closing line is missing" if expected is None else f"it says {expected} quads, holds {quads}")
                + "; nothing changed"
            )
        kept = None
        if target.exists():
            kept = target.parent / f"{target.name}.replaced-{time.strftime('%Y%m%dT%H%M%S')}"
            target.rename(kept)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"imported {quads} quads in {graphs} named graphs from {args.file} into store {target}"
        + (f"; the previous store is kept at {kept}" if kept else "")
        + (f"; {len(report.stale)} stale graphs (tthc-kg ingest --stale)" if report.stale else "")
    )
    return 0
