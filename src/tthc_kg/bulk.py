"""The bulk path of ``tthc-kg ingest``: extraction in parallel processes, N-Quads, the store's bulk loader.

Many files (a national corpus) are read, analysed and turned into RDF in worker processes (all cores by
default), each worker writing its document's named graph as N-Quads; the main process gathers them into chunks
and hands every full chunk (bytes in memory: no temporary file) to the store's bulk loader (pyoxigraph's
``bulk_load``) while the workers go on.

The bulk loader is NOT transactional: a crash or kill in the middle of a chunk can leave some of its graphs
half-written. This path is therefore used only where rerunning recovers:

- a document is counted as loaded only when its whole chunk has been bulk-loaded and flushed, and only then is
  it appended to the checkpoint file (``<store>.bulk/loaded.tsv``: key, content hash);
- a rerun skips a document only when the checkpoint AND the store both have it with the same content hash;
  any other document that has a graph in the store (changed, or in a chunk that was cut off) has that graph
  removed first (a transaction of its own), and is loaded again — so every document ends whole;
- the registry graph is still written in one transaction, as in the incremental path.

Incremental ingest (a few files into a store that is in use) keeps one transaction per document
(``ingest.ingest_files``); ``tthc-kg ingest`` picks this path with ``--bulk``, or by itself for a store that
holds no source documents yet and at least :data:`AUTO_BULK_MIN_FILES` files.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUTO_BULK_MIN_FILES = 200
# quads per bulk-load call: big enough for the loader, small enough to lose little on a crash. Each call adds
# sorted files to RocksDB that its compactions then merge: at 10k plans 1.6 M took 191 s of loader CPU where
# 400,000 took 241 s (bench/README.md "Ingest speed"); ~400 MB of N-Quads held in memory per chunk
CHUNK_QUADS = 1_600_000
# the last chunk is loaded after every worker is done, on one core while the other cores idle (1,000 plans, one
# chunk: 16 s of 46): once what is still to come (files left × quads per file so far) is less than a chunk, the
# chunks are this many times smaller, so that all but the last small one load while the workers still extract
TAIL_SPLIT = 4

_resolver: Any = None


@dataclass
class BulkResult:
    ok: int = 0  # documents loaded in this run
    skipped: int = 0  # unchanged documents already loaded (checkpoint and store agree)
    errors: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=lambda: {"citations": 0, "tasks": 0, "triples": 0})


def use_bulk(store: Any, paths: list[str], forced: bool) -> bool:
    """Whether ``tthc-kg ingest`` takes the bulk path: when asked (``--bulk``), or by itself for a store that
    can bulk-load, holds no source graph yet and gets at least AUTO_BULK_MIN_FILES files. Raises ValueError when
    asked for a store that cannot."""
    if not hasattr(store, "bulk_load_nquads"):
        if forced:
            raise ValueError("--bulk needs the embedded store (a remote store loads graph by graph)")
        return False
    if forced:
        return True
    if len(paths) < AUTO_BULK_MIN_FILES:
        return False
    prefix = _graph_prefix()
    return not any(name.startswith(prefix) for name in store.graph_names())


def _graph_prefix() -> str:
    from . import iri

    return str(iri.source_graph(""))


def checkpoint_path(store: Any) -> Path | None:
    return None if store.path is None else Path(f"{store.path}.bulk") / "loaded.tsv"


def read_checkpoint(path: Path | None) -> dict[str, str]:
    """key → content hash of every document whose chunk finished loading (later lines win)."""
    done: dict[str, str] = {}
    if path is None or not path.exists():
        return done
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2:
                done[parts[0]] = parts[1]
    return done


def _init_worker(registry_dir: str | None) -> None:
    global _resolver
    from .registry import load_registry
    from .resolve import Resolver

    _resolver = Resolver(load_registry(registry_dir) if registry_dir else load_registry())


def _content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def extract_one(job: tuple[str, str | None]) -> tuple[str, str, str | None, bytes | None, int, int, int, str | None]:
    """In a worker: (path, skip-if-hash) → (path, key, hash, N-Quads, citations, tasks, triples, error)."""
    from . import iri
    from .analyze import analyze_text
    from .graph import build_graph
    from .read import ReadError, read_source

    path, known_hash = job
    key = iri.source_key(path)
    try:
        text = read_source(path).text
        digest = _content_hash(text)
        if known_hash == digest:
            return path, key, digest, None, 0, 0, 0, None
        analysis = analyze_text(path, text, _resolver)
        triples = build_graph(analysis, _Triples())  # type: ignore[arg-type]
    except ReadError as exc:
        return path, key, None, None, 0, 0, 0, str(exc)
    except Exception as exc:  # one odd file must not stop the others (as in ingest.ingest_files)
        return path, key, None, None, 0, 0, 0, f"internal error while analysing it ({type(exc).__name__}: {exc})"
    data = nquads(triples, str(iri.source_graph(key)))
    return path, key, digest, data, len(analysis.citations), len(analysis.tasks), len(triples), None


class _Triples(dict):
    """The triples build_graph adds, deduplicated in order: rdflib Graph's ``add`` without its indexes."""

    add = dict.setdefault  # (triple) → kept once, in the order first added; a C call, not a Python method


_BAD_IRI = re.compile(r'[<>" {}|\\^`]')  # the characters rdflib's URIRef.n3 refuses (rdflib.term._invalid_uri_chars)


def nquads(triples: Any, graph_iri: str) -> bytes:
    """Triples as N-Quads in the named graph: each line as rdflib's own N-Triples row writer (``_nt_row``, the one
    ``Graph.serialize(format="nt")`` uses on the incremental path) writes it, plus the graph name. IRIs are
    written here (rdflib's ``n3`` checks each in a Python loop; this is one regex search per distinct IRI of the
    graph, an IRI it would refuse still goes through ``n3``, which raises); literals through rdflib's
    ``_quoteLiteral``: the same escaping. tests/test_bulk.py compares the result with ``_nt_row``'s."""
    from rdflib import Literal, URIRef
    from rdflib.plugins.serializers.nt import _quoteLiteral

    bad = _BAD_IRI.search
    # term → its text, for the subjects, predicates and IRI objects: a graph names the same few nodes again and
    # again (a URIRef hashes as its str; a BNode equal in text is another key: rdflib's __eq__ compares types)
    seen: dict[Any, str] = {}
    suffix = f" <{graph_iri}> .\n"
    out = []
    add = out.append
    for s, p, o in triples:
        a = seen.get(s)
        if a is None:
            a = seen[s] = f"<{s}>" if type(s) is URIRef and bad(s) is None else s.n3()
        b = seen.get(p)
        if b is None:
            b = seen[p] = f"<{p}>" if type(p) is URIRef and bad(p) is None else p.n3()
        if type(o) is URIRef:
            c = seen.get(o)
            if c is None:
                c = seen[o] = f"<{o}>" if bad(o) is None else o.n3()
        else:
            c = _quoteLiteral(o) if isinstance(o, Literal) else o.n3()
        add(f"{a} {b} {c}{suffix}")
    return "".join(out).encode("utf-8")


def bulk_ingest(
    store: Any,
    registry: Any,
    paths: list[str],
    progress: bool = True,
    workers: int | None = None,
    chunk_quads: int = CHUNK_QUADS,
) -> BulkResult:
    """Ingest many files through the bulk loader (see the module docstring for what a crash leaves)."""
    from tqdm import tqdm

    from . import iri
    from .registry_rdf import compile_registry
    from .store import Store

    store.replace_graph(iri.REGISTRY_GRAPH, compile_registry(registry))
    ckpt = checkpoint_path(store)
    done = read_checkpoint(ckpt)
    # the graphs a document may have to be removed from first (none in a new store); the embedded store lists
    # them all at once, a server may cut a long list (Virtuoso's ResultSetMaxRows): there, ask per document
    present = set(store.graph_names()) if isinstance(store, Store) else None
    result = BulkResult()

    jobs: list[tuple[str, str | None]] = []
    for path in paths:
        key = iri.source_key(path)
        stored = store.graph_content_hash(key) if key in done else None
        jobs.append((path, stored if stored is not None and done.get(key) == stored else None))

    if ckpt:
        ckpt.parent.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[str, str]] = []
    buf: list[bytes] = []
    nbuf = 0

    def load_chunk() -> None:
        nonlocal buf, nbuf, pending
        if not buf:
            return
        # straight from memory (a chunk written to a file first cost a write and a read of every byte, ~250 MB
        # per 1,000 plans, for nothing: a chunk cut off is recovered from the checkpoint, not from its file)
        store.bulk_load_nquads(b"".join(buf))
        store.flush()
        if ckpt is not None:
            with open(ckpt, "a", encoding="utf-8") as f:
                f.writelines(f"{k}\t{h}\n" for k, h in pending)
        buf, nbuf, pending = [], 0, []

    n = workers or os.cpu_count() or 1
    reg_dir = str(registry.directory) if getattr(registry, "directory", None) else None
    bar = tqdm(total=len(jobs), unit="file", disable=not progress, file=sys.stderr, smoothing=0.05)
    try:
        for received, (path, key, digest, data, ncit, ntask, ntriples, error) in enumerate(_run(jobs, n, reg_dir), 1):
            bar.update(1)
            if error is not None:
                result.errors.append(f"{path}: {error}")
                continue
            if data is None:
                result.skipped += 1
                continue
            graph_iri = iri.source_graph(key)
            if present is None or str(graph_iri) in present:  # changed, or cut off in an earlier run: loaded whole
                store.remove_graph(graph_iri)
            buf.append(data)
            nbuf += ntriples
            assert digest is not None
            pending.append((key, digest))
            result.ok += 1
            result.totals["citations"] += ncit
            result.totals["tasks"] += ntask
            result.totals["triples"] += ntriples
            if nbuf >= chunk_quads // TAIL_SPLIT:
                left = (len(jobs) - received) * result.totals["triples"] / result.ok  # quads still to come, roughly
                if nbuf >= chunk_quads or left < chunk_quads:
                    load_chunk()
        load_chunk()
    finally:
        bar.close()
    if result.ok and hasattr(store, "optimize"):
        # the bulk loader leaves many unmerged files: until RocksDB merges them, reads look in each (the flagship
        # result at 10k plans took 1.19 s instead of 0.64 s); merged now, once (~43 s of one core at 10k plans)
        store.optimize()
    return result


def _run(jobs: list[tuple[str, str | None]], n: int, reg_dir: str | None) -> Iterator[Any]:
    if n <= 1:
        _init_worker(reg_dir)
        yield from map(extract_one, jobs)
        return
    with ProcessPoolExecutor(max_workers=n, initializer=_init_worker, initargs=(reg_dir,)) as pool:
        yield from pool.map(extract_one, jobs, chunksize=8)
