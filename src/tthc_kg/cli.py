"""The ``tthc-kg`` command line. Output contracts: DESIGN.md "Contracts" (also docs/cli.md).

Every command exits non-zero with a one-line message on stderr on bad input; the store is never left
half-written (each file's graph is replaced in one transaction).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__
from .export_formats import AUDIT_HEADERS_VI, cell, csv_bytes, rdf_bytes, xlsx_bytes
from .ingest import expand_paths, ingest_files

# The last line of `tthc-kg export --format nquads` (an N-Quads comment); `tthc-kg import` checks it.
EXPORT_TRAILER = "# tthc-kg export: {count} quads\n"

# Modules that add commands: each has ``register(sub, registry_sub, store_opt)`` adding its subparsers
# (``registry_sub`` is the ``tthc-kg registry …`` group). Commands raise ``cli.UsageError`` for bad input.
COMMAND_MODULES = ("cli_change", "cli_watch", "cli_ops")


class UsageError(Exception):
    pass


def _fail(message: str, code: int = 2) -> int:
    print(f"tthc-kg: error: {message}", file=sys.stderr)
    return code


# --- helpers ------------------------------------------------------------------------------------------


def _registry():  # type: ignore[no-untyped-def]
    from .registry import RegistryInvalid, load_registry

    try:
        return load_registry()
    except RegistryInvalid as exc:
        first = exc.errors[0] if getattr(exc, "errors", None) else exc
        raise UsageError(f"the registry is invalid ({first}); run 'tthc-kg registry validate'") from exc


def _store(path: str | None, read_only: bool = False):  # type: ignore[no-untyped-def]
    from .store import StoreError, open_store

    try:
        return open_store(path, read_only=read_only)  # a directory, or sparql+http://… (docs/deploy.md)
    except StoreError as exc:
        raise UsageError(str(exc)) from exc


def _date_arg(value: str | None) -> date:
    from .queries import today

    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--as-of: expected a date YYYY-MM-DD, got {value!r}") from exc


def _jsonl(rows: Iterable[dict[str, Any]], out: Any = None) -> None:
    out = out or sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _csv_bom(rows: list[dict[str, Any]], fields: Sequence[str], headers: dict[str, str] | None = None) -> None:
    sys.stdout.buffer.write(csv_bytes(rows, fields, headers))


_cell = cell


def _table(rows: list[dict[str, Any]], fields: Sequence[str], widths: dict[str, int] | None = None) -> None:
    widths = widths or {}
    cols = {f: min(max([len(f)] + [len(_cell(r.get(f))) for r in rows]), widths.get(f, 40)) for f in fields}
    print("  ".join(f.ljust(cols[f]) for f in fields))
    print("  ".join("-" * cols[f] for f in fields))
    for r in rows:
        print("  ".join(_clip(_cell(r.get(f)), cols[f]).ljust(cols[f]) for f in fields))


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- ingest -------------------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    from .cli_ops import failed_summary, ingest_log, stale_paths

    if not args.paths and not args.stale:
        raise UsageError("give plan files or directories to ingest, or --stale to rebuild stale graphs")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    paths = expand_paths(args.paths)
    if args.paths and not paths:
        raise UsageError("no plan files found in " + ", ".join(args.paths))
    registry = _registry()
    store = _store(args.store)
    if args.stale:  # graphs built by an older extractor or ontology, rebuilt from their recorded source path
        paths += [p for p in stale_paths(store) if p not in paths]
        if not paths:
            print(f"no stale graphs in store {store.path}: nothing to rebuild")
            return 0
    from .bulk import use_bulk

    try:
        bulk = use_bulk(store, paths, args.bulk)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if bulk:  # parallel extraction + the bulk loader (not transactional; a rerun recovers: tthc_kg/bulk.py)
        from .bulk import bulk_ingest

        done = bulk_ingest(store, registry, paths, progress=not args.quiet, workers=args.workers)
        ok, errors, totals = done.ok + done.skipped, done.errors, done.totals
        print(f"bulk load: {done.ok} loaded, {done.skipped} unchanged and skipped", file=sys.stderr)
    else:
        log = ingest_log(args.verbose)
        ok, errors, totals = ingest_files(store, registry, paths, progress=not args.quiet, log=log)
    for line in errors:
        print(f"tthc-kg: error: {line}", file=sys.stderr)
    print(
        f"ingested {ok} of {len(paths)} files: {totals['citations']} citations, {totals['tasks']} tasks, "
        f"{totals['triples']} triples written; store {store.path or store.url} holds {store.triple_count()} triples"
        + failed_summary(errors)
    )
    if not args.no_index:
        _index_lexical(store)
    return 1 if errors else 0


def _index_lexical(store: Any) -> None:
    """Bring the search index's lexical part up to date after an ingest (dense vectors: ``tthc-kg index``)."""
    from .search.index import update

    try:
        changes = update(store)
    except OSError as exc:
        print(f"tthc-kg: error: search index not updated: {exc} (run 'tthc-kg index')", file=sys.stderr)
        return
    print(
        f"search index: {changes.units} units ({changes.added} added, {changes.changed} changed, "
        f"{changes.removed} removed); run 'tthc-kg index' for dense vectors"
    )


# --- extract ------------------------------------------------------------------------------------------


def citation_record(path: str, r: Any) -> dict[str, Any]:
    c = r.citation
    s = r.symbol
    return {
        "file": path,
        "symbol": str(s) if s is not None else None,
        "type": c.type,
        "number": s.number if s is not None else c.number,
        "year": s.year if s is not None and s.year is not None else (c.date.year if c.date else None),
        "code": s.code if s is not None else None,
        "date": c.date.isoformat() if c.date else None,
        "issuer": r.issuer,
        "start": r.start,
        "end": r.end,
        "text": r.text,
        "role": r.role,
        "resolved": r.iri if r.in_registry else None,
        "title": c.title,
        "scope": c.scope,
    }


def task_record(path: str, analysis: Any, t: Any) -> dict[str, Any]:
    cites: list[str] = []
    for r in analysis.citations:
        if r.task == t.number and r.symbol is not None and str(r.symbol) not in cites:
            cites.append(str(r.symbol))
    return {
        "file": path,
        "number": t.number,
        "section": t.section,
        "content": t.content,
        "lead": list(t.lead),
        "coordinators": list(t.coordinators),
        "timeframe": t.timeframe,
        "due": t.due.isoformat() if t.due else None,
        "recurring": bool(t.recurring),
        "outputs": t.outputs,
        "citations": cites,
    }


def cmd_extract(args: argparse.Namespace) -> int:
    from .analyze import analyze_text
    from .read import LEGACY_NAMES, ReadError, read_source
    from .resolve import Resolver

    resolver = Resolver(_registry())
    failed = 0
    for path in args.files:
        try:
            source = read_source(path)
            if source.converted:  # offsets then point into the converted text (docs/cli.md)
                print(
                    f"tthc-kg: note: {path}: converted from {LEGACY_NAMES[source.encoding]} to Unicode", file=sys.stderr
                )
            analysis = analyze_text(path, source.text, resolver)
        except ReadError as exc:
            print(f"tthc-kg: error: {path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        if args.tasks:
            rows = [task_record(path, analysis, t) for t in analysis.tasks]
        else:
            rows = [citation_record(path, r) for r in analysis.citations]
        if args.format == "jsonl":
            _jsonl(rows)
        else:
            fields = (
                ["number", "lead", "timeframe", "due", "citations", "content"]
                if args.tasks
                else ["symbol", "type", "date", "issuer", "role", "start", "end", "resolved"]
            )
            print(f"# {path}")
            _table(rows, fields)
    return 1 if failed else 0


# --- audit --------------------------------------------------------------------------------------------


def cmd_audit(args: argparse.Namespace) -> int:
    from .audit import FIELDS, audit

    if not args.files and not args.all:
        raise UsageError("give plan FILEs to audit, or --all for every plan in the store")
    as_of = _date_arg(args.as_of)
    registry = _registry()
    store = _store(args.store)
    files = None
    if args.files:
        paths = expand_paths(args.files)
        _ok, errors, _ = ingest_files(store, registry, paths, progress=False)
        for line in errors:
            print(f"tthc-kg: error: {line}", file=sys.stderr)
        if errors:
            return 1
        files = paths
    findings = audit(store, as_of, files, include_amended=args.include_amended, expand=args.expand)
    rows = [f.as_dict() for f in findings]
    from .cli_watch import audit_reviews, print_reviewed  # officers' decisions on findings (issue 8)

    rows, reviewed = audit_reviews(store, rows, hide=args.hide_acknowledged, annotate=args.reviews)
    evidence = f"registry evidence date: {registry.evidence_date} — statuses are as the registry knew them then"
    if args.format == "jsonl":
        print(evidence, file=sys.stderr)
        _jsonl(rows)
    elif args.format == "csv":
        print(evidence, file=sys.stderr)
        _csv_bom(rows, FIELDS, AUDIT_HEADERS_VI)
    elif args.format == "xlsx":
        print(evidence, file=sys.stderr)
        _xlsx(rows, FIELDS, args.output, evidence)
    else:
        from .cli_change import audit_signing_notes, print_audit_citation_checks

        print(f"Audit as of {as_of.isoformat()}; {evidence}")
        signed = audit_signing_notes(store, rows, as_of)  # point in time: valid when signed? (issue 8)
        flagged = [
            dict(r, file=os.path.basename(r["file"]), signed=s)
            for r, s in zip(rows, signed, strict=True)
            if r["finding"] != "unresolved"
        ]
        _table(
            flagged,
            ["file", "task", "cited", "finding", "since", "successors", "dependency", "confidence", "signed"],
            {"file": 28, "successors": 30, "signed": 62},
        )
        plans = {r["file"] for r in flagged}
        unresolved = sum(1 for r in rows if r["finding"] == "unresolved")
        print(
            f"\n{len(flagged)} findings in {len(plans)} plans; {unresolved} cited documents not in the registry "
            "(status unknown: see --format jsonl)"
        )
        print_audit_citation_checks(store, registry, files)  # printed dates, type words, issuers (issue 8)
        print_reviewed(reviewed, hidden=args.hide_acknowledged)
    return 0


def _xlsx(rows: list[dict[str, Any]], fields: Sequence[str], output: str | None, note: str) -> None:
    data = xlsx_bytes(rows, fields, AUDIT_HEADERS_VI, note)
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


# --- search, index -----------------------------------------------------------------------------------------

SEARCH_FIELDS = ("kind", "symbol", "task", "title", "status", "score")


def cmd_search(args: argparse.Namespace) -> int:
    from .search import SearchError, run

    store = _store(args.store, read_only=True)
    try:
        result = run(
            store,
            args.query,
            k=args.k,
            as_of=_date_arg(args.as_of),
            type_=args.type,
            status=args.status,
            issuer=args.issuer,
            year=args.year,
            dense=args.dense,
            kind=args.kind,
        )
    except (SearchError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    if result.note:
        print(f"tthc-kg: {result.note}", file=sys.stderr)
    rows = [h.contract() for h in result.hits]
    if args.format == "jsonl":
        _jsonl(rows)
    else:
        how = "lexical + dense" if result.dense else "lexical"
        print(f"Search as of {result.as_of.isoformat()} ({how}): {len(rows)} results")
        _table(rows, ["kind", "symbol", "task", "status", "score", "title"], {"title": 80})
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from .search.dense import DenseUnavailable, embedder
    from .search.index import DENSE_KINDS, open_index, remove_index, update

    store = _store(args.store, read_only=True)
    try:
        if args.rebuild:
            remove_index(store)
        changes = update(store)
    except OSError as exc:
        raise UsageError(f"search index not updated: {exc}") from exc
    print(
        f"search index: {changes.units} units ({changes.added} added, {changes.changed} changed, "
        f"{changes.removed} removed)"
    )
    if args.no_dense:
        return 0
    kinds = (*DENSE_KINDS, "task") if args.dense_tasks else DENSE_KINDS
    index = open_index(store, sync=False)
    todo = len(index.missing_vectors(kinds))
    try:
        with _progress(todo, args.quiet) as bar:
            embedded = index.embed(embedder(), kinds, progress=bar.update)
    except DenseUnavailable as exc:
        return _fail(f"dense vectors not made: {exc}", 1)
    done, total = index.dense_coverage(kinds)
    print(f"dense vectors: {embedded.embedded} texts embedded; {done} of {total} {' and '.join(kinds)} units have one")
    return 0


def _progress(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="text", disable=quiet or not sys.stderr.isatty(), file=sys.stderr)


# --- query, stats, export, registry ------------------------------------------------------------------------


def cmd_query(args: argparse.Namespace) -> int:
    from . import queries

    q = queries.load(args.name)
    values: dict[str, str] = {}
    for item in args.param or []:
        if "=" not in item:
            raise UsageError(f"--param expects KEY=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        values[k.strip()] = v
    bindings = q.bind(values)
    store = _store(args.store, read_only=True)
    rows = list(store.select(q.text, bindings))
    fields = [v.value for v in store.query(q.text, bindings).variables]
    if args.format == "json":
        _jsonl(rows)
    elif args.format == "csv":
        _csv_bom(rows, fields)
    else:
        _table(rows, fields)
    return 0


def stats(store: Any) -> dict[str, int]:
    from . import queries

    q = queries.load("stats")
    row = next(iter(store.select(q.text, q.bind({}))))
    return {
        "triples": store.triple_count(),
        "named_graphs": len(store.graph_names()),
        "documents": int(row["documents"]),
        "plans": int(row["plans"]),
        "tasks": int(row["tasks"]),
        "citations": int(row["citations"]),
        "unresolved_citations": int(row["unresolvedCitations"]),
    }


def cmd_stats(args: argparse.Namespace) -> int:
    result = stats(_store(args.store, read_only=True))
    if args.format == "json":
        _jsonl([result])
    else:
        for k, v in result.items():
            print(f"{k:22} {v}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    store = _store(args.store, read_only=True)
    data = store.dump(ox.RdfFormat.N_QUADS)
    if args.format == "nquads":
        # a closing comment with the number of quads, so that `tthc-kg import` can tell a backup cut short at a line
        # boundary (still valid N-Quads) from a whole one
        count = data.count(b"\n")
        sys.stdout.buffer.write(data + EXPORT_TRAILER.format(count=count).encode("ascii"))
    else:
        sys.stdout.buffer.write(rdf_bytes(data, args.format))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.app import create_app
    from .api.settings import Settings

    overrides = {k: v for k, v in {"host": args.host, "port": args.port, "store": args.store}.items() if v}
    settings = Settings(**overrides)
    store = _store(str(settings.store))
    app = create_app(settings, store=store)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning" if args.quiet else "info")
    return 0


def cmd_registry(args: argparse.Namespace) -> int:
    from .registry import main_validate

    return main_validate(Path(args.directory) if args.directory else None)


# --- parser -------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tthc-kg", description="Knowledge graph and audit of the legal bases of plans.")
    p.add_argument("--version", action="version", version=f"tthc-kg {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def store_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--store",
            help="store directory, or a SPARQL server sparql+http://HOST:PORT/PATH (docs/deploy.md) "
            "(default: $TTHC_KG_STORE or the user data directory)",
        )

    sp = sub.add_parser("ingest", help="ingest plan files or directories into the store")
    sp.add_argument("paths", nargs="*", metavar="PATH")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.add_argument("--no-index", action="store_true", help="do not update the search index")
    sp.add_argument(
        "--stale", action="store_true", help="also rebuild graphs built by an older extractor or ontology (doctor)"
    )
    sp.add_argument("-v", "--verbose", action="store_true", help="print 'committed PATH' as each file is committed")
    sp.add_argument(
        "--bulk",
        action="store_true",
        help="parallel extraction and the bulk loader (automatic for an empty store and 200+ files; not "
        "transactional: rerun after a crash, unchanged files are skipped)",
    )
    sp.add_argument("--workers", type=int, default=None, metavar="N", help="extraction processes (default: all cores)")
    store_opt(sp)
    sp.set_defaults(func=cmd_ingest)

    sp = sub.add_parser("extract", help="citations (or tasks) found in files, without storing them")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--tasks", action="store_true", help="one object per task instead of per citation")
    sp.add_argument("--format", choices=["jsonl", "table"], default="jsonl")
    sp.set_defaults(func=cmd_extract)

    sp = sub.add_parser("query", help="run a named query from queries/*.rq")
    sp.add_argument("name")
    sp.add_argument("--param", action="append", metavar="KEY=VALUE")
    sp.add_argument("--format", choices=["table", "csv", "json"], default="table")
    store_opt(sp)
    sp.set_defaults(func=cmd_query)

    sp = sub.add_parser("audit", help="plans and tasks whose legal basis is no longer (fully) in force")
    sp.add_argument("files", nargs="*", metavar="FILE")
    sp.add_argument("--all", action="store_true", help="every plan in the store")
    sp.add_argument("--as-of", help="date YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)")
    sp.add_argument("--include-amended", action="store_true", help="also amendments in force after the plan's date")
    sp.add_argument("--expand", action="store_true", help="report preamble bases once per task")
    sp.add_argument(
        "--hide-acknowledged", action="store_true", help="leave out findings an officer acknowledged or dismissed"
    )
    sp.add_argument("--reviews", action="store_true", help="jsonl: add each finding's id and review decision")
    sp.add_argument("--format", choices=["table", "csv", "jsonl", "xlsx"], default="table")
    sp.add_argument("-o", "--output", help="output file (xlsx)")
    store_opt(sp)
    sp.set_defaults(func=cmd_audit)

    sp = sub.add_parser("search", help="search documents, Căn cứ passages and tasks (lexical + dense)")
    sp.add_argument("query")
    sp.add_argument("--k", type=int, default=10, help="number of results (default 10)")
    sp.add_argument("--as-of", help="statuses at this date YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)")
    sp.add_argument("--type", help='document type word ("Nghị định", "Thông tư", …)')
    sp.add_argument("--status", help="in_force (also amended, partially repealed), out_of_force, or one status")
    sp.add_argument("--issuer", help="part of the issuer's name (case and diacritics ignored)")
    sp.add_argument("--year", type=int, help="the document's year")
    sp.add_argument("--kind", choices=["document", "passage", "task"], help="results of one kind only")
    sp.add_argument(
        "--dense", action=argparse.BooleanOptionalAction, help="dense retrieval (default: when vectors exist)"
    )
    sp.add_argument("--format", choices=["table", "jsonl"], default="table")
    store_opt(sp)
    sp.set_defaults(func=cmd_search)

    sp = sub.add_parser("index", help="update the search index and embed what lacks a dense vector")
    sp.add_argument("--no-dense", action="store_true", help="lexical index only")
    sp.add_argument("--dense-tasks", action="store_true", help="also embed tasks (lexical only by default)")
    sp.add_argument("--rebuild", action="store_true", help="rebuild the index from scratch (vectors are kept)")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    store_opt(sp)
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("stats", help="counts of what the store holds")
    sp.add_argument("--format", choices=["table", "json"], default="table")
    store_opt(sp)
    sp.set_defaults(func=cmd_stats)

    sp = sub.add_parser("export", help="the whole store as RDF on stdout")
    sp.add_argument("--format", choices=["turtle", "nquads", "jsonld"], default="turtle")
    store_opt(sp)
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser("serve", help="serve the SPARQL endpoint, the API and the web pages")
    sp.add_argument("--host", help="address to bind (default 127.0.0.1)")
    sp.add_argument("--port", type=int, help="port (default 8000)")
    sp.add_argument("--quiet", action="store_true", help="log warnings only")
    store_opt(sp)
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("registry", help="registry tools")
    rsub = sp.add_subparsers(dest="registry_command", required=True)
    rv = rsub.add_parser("validate", help="check the registry files; errors as FILE:LINE: message")
    rv.add_argument("directory", nargs="?")
    rv.set_defaults(func=cmd_registry)
    for name in COMMAND_MODULES:
        importlib.import_module(f".{name}", __package__).register(sub, rsub, store_opt)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from .queries import QueryError
    from .store import StoreError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UsageError, QueryError, StoreError) as exc:  # StoreError: e.g. a SPARQL server failing mid-command
        return _fail(str(exc))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    # ``python -m tthc_kg.cli`` runs this file as __main__, a second copy of the module: run the package's copy,
    # whose UsageError is the one the command modules (cli_change, cli_watch, cli_ops) raise
    from tthc_kg.cli import main as _main

    sys.exit(_main())
