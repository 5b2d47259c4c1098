"""Legal change management on the command line (issue 8): ``tthc-kg registry add``, ``tthc-kg registry check``,
``tthc-kg impact SYMBOL [--what-if CHANGE.yaml]`` and ``tthc-kg check FILE…`` (citation-string checks).

Output contracts: docs/cli.md. The logic lives in ``registry_change``, ``impact`` and ``citecheck``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def register(sub: Any, registry_sub: Any, store_opt: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add this module's subparsers."""
    rc = registry_sub.add_parser(
        "check", help="validate the registry and its lifecycle (dates in order, no replacement cycles)"
    )
    rc.add_argument("directory", nargs="?")
    rc.set_defaults(func=cmd_registry_check)

    ra = registry_sub.add_parser(
        "add",
        help="add a document and its change events to the registry (checked first; nothing written on error)",
        description="Add rows to documents.csv and events.csv from a change file (YAML) or from options. "
        "Every row is checked with the whole registry; on any error nothing is written.",
    )
    ra.add_argument("change", nargs="?", metavar="CHANGE.yaml", help="a change file (docs/cli.md)")
    ra.add_argument("--directory", help="the registry directory (default: $TTHC_KG_REGISTRY or data/registry)")
    ra.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    doc = ra.add_argument_group("a new document (documents.csv columns)")
    for name in ("symbol", "type", "title", "issuer", "issued", "effective", "status-note", "note"):
        doc.add_argument(f"--{name}")
    doc.add_argument("--normative", choices=["yes", "no"])
    doc.add_argument("--source", help="where the facts come from (also the events' source)")
    doc.add_argument("--confidence", choices=["confirmed", "unconfirmed"], help="(also the events')")
    ev = ra.add_argument_group("its change events (each affecting a registry document)")
    for flag, kind in (
        ("replaces", "replacement"),
        ("amends", "amendment"),
        ("repeals", "repeal"),
        ("partially-repeals", "partial_repeal"),
        ("guides", "guidance"),
    ):
        ev.add_argument(f"--{flag}", action="append", default=[], metavar="SYMBOL", help=f"a {kind} event")
    ev.add_argument("--scope", help="the part changed (required with --partially-repeals)")
    ev.add_argument("--event-effective", help="the events' effective date (default: the document's effective)")
    ra.set_defaults(func=cmd_registry_add)

    sp = sub.add_parser(
        "impact",
        help="plans and tasks touched by a document's changes, or by a proposed change (--what-if)",
    )
    sp.add_argument("symbol", nargs="?", metavar="SYMBOL", help='the changing document ("118/2025/NĐ-CP")')
    sp.add_argument("--what-if", metavar="CHANGE.yaml", help="a proposed change, applied in memory only")
    sp.add_argument("--as-of", help="date YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)")
    sp.add_argument("--expand", action="store_true", help="report preamble bases once per task of the plan")
    sp.add_argument("--format", choices=["table", "csv", "jsonl", "xlsx"], default="table")
    sp.add_argument("-o", "--output", help="output file (xlsx)")
    store_opt(sp)
    sp.set_defaults(func=cmd_impact)

    sp = sub.add_parser(
        "check",
        help="citation strings against the registry: dates, type words, issuers, missing years, ambiguities",
    )
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--format", choices=["table", "jsonl"], default="table")
    sp.set_defaults(func=cmd_check)


# --- registry ---------------------------------------------------------------------------------------------------


def _print_problems(errors: list[Any], warnings: list[Any]) -> None:
    for e in errors:
        print(e, file=sys.stderr)
    for w in warnings:
        print(f"{w.file}:{w.line}: warning: {w.message}", file=sys.stderr)


def cmd_registry_check(args: argparse.Namespace) -> int:
    from .registry import default_directory
    from .registry_change import check_registry

    path = Path(args.directory) if args.directory else default_directory()
    reg, errors, warnings = check_registry(path)
    _print_problems(errors, warnings)
    if errors:
        print(f"{len(errors)} error(s), {len(warnings)} warning(s) in {path}", file=sys.stderr)
        return 1
    unconfirmed = sum(e.confidence == "unconfirmed" for e in reg.events)
    print(
        f"registry OK: {len(reg.documents)} documents, {len(reg.events)} events ({unconfirmed} unconfirmed), "
        f"{len(reg.agencies)} agencies, {len(reg.agency_events)} agency events; lifecycle checked "
        f"({len(warnings)} warning(s)); evidence {reg.evidence_date} ({path})"
    )
    return 0


def _change_from_options(args: argparse.Namespace) -> Any:
    from .cli import UsageError
    from .registry import COLUMNS, DOCUMENTS, EVENTS
    from .registry_change import Change, Row

    change = Change()
    fields = {
        "symbol": args.symbol,
        "type": args.type,
        "title": args.title,
        "issuer": args.issuer,
        "issued": args.issued,
        "effective": args.effective,
        "normative": args.normative,
        "status_note": args.status_note,
        "source": args.source,
        "confidence": args.confidence,
        "note": args.note,
    }
    # a new document when anything about it beyond its symbol is given; else --symbol names the changing document
    if any(v for k, v in fields.items() if k not in ("symbol", "source", "confidence")):
        if not args.symbol:
            raise UsageError("registry add: --symbol is required for a new document")
        change.documents.append(Row({c: (fields.get(c) or "").strip() for c in COLUMNS[DOCUMENTS]}, "", 0))
    events = [
        (kind, target)
        for kind, targets in (
            ("replacement", args.replaces),
            ("amendment", args.amends),
            ("repeal", args.repeals),
            ("partial_repeal", args.partially_repeals),
            ("guidance", args.guides),
        )
        for target in targets
    ]
    if events and not args.symbol:
        raise UsageError("registry add: events need the changing document: give --symbol")
    for kind, target in events:
        cells = {
            "kind": kind,
            "affected": target.strip(),
            "by": args.symbol.strip(),
            "successors": "",
            "effective": (args.event_effective or args.effective or "").strip(),
            "scope": (args.scope or "").strip() if kind in ("partial_repeal", "amendment", "guidance") else "",
            "source": (args.source or "").strip(),
            "confidence": (args.confidence or "").strip(),
            "note": "",
        }
        change.events.append(Row({c: cells[c] for c in COLUMNS[EVENTS]}, "", 0))
    return change


def cmd_registry_add(args: argparse.Namespace) -> int:
    from .cli import UsageError
    from .registry import default_directory
    from .registry_change import ChangeError, add_change, check_change, complete, read_change

    directory = Path(args.directory) if args.directory else default_directory()
    from_options = _change_from_options(args)
    if args.change and (from_options.documents or from_options.events):
        raise UsageError("registry add: give a change file or options, not both")
    try:
        change = complete(read_change(args.change)) if args.change else from_options
    except ChangeError as exc:
        _print_problems(exc.errors, [])
        return 1
    if not change.documents and not change.events:
        raise UsageError("registry add: nothing to add (give CHANGE.yaml, or --symbol … and --replaces/--amends …)")
    if args.dry_run:
        _reg, errors, warnings = check_change(change, directory)
        _print_problems(errors, warnings)
        if errors:
            print(f"{len(errors)} error(s): nothing would be added", file=sys.stderr)
            return 1
        print(f"would add {len(change.documents)} document(s) and {len(change.events)} event(s) to {directory}")
        return 0
    try:
        warnings = add_change(change, directory)
    except ChangeError as exc:
        _print_problems(exc.errors, [])
        print(f"{len(exc.errors)} error(s): nothing added to {directory}", file=sys.stderr)
        return 1
    _print_problems([], warnings)
    print(
        f"added {len(change.documents)} document(s) and {len(change.events)} event(s) to {directory}; "
        "run 'tthc-kg ingest' (any file) to update the store's copy of the registry"
    )
    return 0


# --- impact -----------------------------------------------------------------------------------------------------


def cmd_impact(args: argparse.Namespace) -> int:
    from .cli import UsageError, _date_arg, _jsonl, _store
    from .export_formats import AUDIT_HEADERS_VI, csv_bytes, xlsx_bytes
    from .impact import FIELDS, HEADERS_VI, ImpactError, impact, overlay_table
    from .registry_change import ChangeError, changing_symbol, complete, overlay_registry, read_change

    as_of = _date_arg(args.as_of)
    table = None
    symbol = args.symbol
    if args.what_if:
        try:
            change = complete(read_change(args.what_if))
            reg = overlay_registry(change)
        except ChangeError as exc:
            first = exc.errors[0]
            more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
            raise UsageError(f"--what-if: {first}{more}") from exc
        symbol = symbol or changing_symbol(change)
        if not symbol:
            raise UsageError("--what-if: the change has several changing documents: give SYMBOL")
        table = overlay_table(reg)
    elif not symbol:
        raise UsageError("impact: give SYMBOL, or --what-if CHANGE.yaml")
    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        raise UsageError("--format xlsx writes binary data: give -o FILE or redirect stdout")
    store = _store(args.store, read_only=True)
    try:
        result = impact(store, symbol, as_of, table=table, expand=args.expand, what_if=bool(args.what_if))
    except ImpactError as exc:
        raise UsageError(str(exc)) from exc
    rows = [r.as_dict() for r in result.rows]
    headers = {**AUDIT_HEADERS_VI, **HEADERS_VI}
    note = _impact_note(result, args.what_if)
    if args.format == "jsonl":
        print(note, file=sys.stderr)
        _jsonl(rows)
    elif args.format == "csv":
        print(note, file=sys.stderr)
        sys.stdout.buffer.write(csv_bytes(rows, FIELDS, headers))
    elif args.format == "xlsx":
        print(note, file=sys.stderr)
        data = xlsx_bytes(rows, FIELDS, headers, note, title="Tác động")
        if args.output:
            Path(args.output).write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
    else:
        _impact_table(result, note)
    return 0


def _impact_note(result: Any, what_if: str | None) -> str:
    kind = f"WHAT-IF ({what_if}, not in the registry)" if what_if else "registry of the store"
    return f"Impact of {result.symbol} as of {result.as_of.isoformat()} — {kind}"


def _impact_table(result: Any, note: str) -> None:
    from .cli import _table

    print(note)
    if result.title:
        print(f"  {result.title}")
    print("\nChanges it makes:")
    for e in result.changes:
        scope = f" ({e.scope})" if e.scope else ""
        when = e.effective.isoformat() if e.effective else "date unknown"
        flag = "" if e.in_effect(result.as_of) else " [not yet in effect]"
        conf = " [unconfirmed]" if e.confidence == "unconfirmed" else ""
        print(f"  {e.kind:15} {e.affected_symbol or e.affected}{scope} from {when}{flag}{conf}")
    if not result.changes:
        print("  (none: it replaces, amends or repeals no registry document)")
    for lead, rows in result.by_agency():
        label = lead or "— the whole plan (preamble or text; every task inherits it) —"
        print(f"\n== {label} ({len(rows)}) ==")
        shown = [
            dict(r.as_dict(), file=os.path.basename(r.file), task=r.task or "–", signed=_signed(r, result.as_of))
            for r in rows
        ]
        _table(
            shown,
            ["file", "task", "due", "cited", "finding", "since", "dependency", "signed", "change"],
            {"file": 26, "change": 90, "signed": 44},
        )
    plans = {r.file for r in result.rows}
    tasks = {(r.file, r.task) for r in result.rows if r.task}
    print(f"\n{len(result.rows)} rows: {len(plans)} plans, {len(tasks)} tasks")


def _signed(row: Any, as_of: Any) -> str:
    from .impact import signing_note

    return signing_note(row.finding, row.since, row.plan_date, as_of) or ""


# --- citation-string checks -------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from .citecheck import check_files
    from .cli import _jsonl, _registry
    from .ingest import expand_paths
    from .resolve import Resolver

    paths = expand_paths(args.files)
    issues, errors = check_files(paths, Resolver(_registry()))
    for line in errors:
        print(f"tthc-kg: error: {line}", file=sys.stderr)
    if args.format == "jsonl":
        _jsonl(i.as_dict() for i in issues)
    else:
        for i in issues:
            print(i)
        print(f"{len(issues)} citation-string problem(s) in {len({i.file for i in issues})} of {len(paths)} files")
    return 1 if errors else 0


# --- additions to the audit's table (cli.cmd_audit) --------------------------------------------------------------


def audit_signing_notes(store: Any, rows: list[dict[str, Any]], as_of: Any) -> list[str]:
    """Point in time for each audit row: "valid when signed (D), out of force since S" or "already out of force
    when signed (D)" (D as precise as the plan prints it); empty when a date is unknown or for other findings.
    The same implementation as the web page /ra-soat (``tthc_kg.impact.signing_notes``), in English."""
    from .impact import plan_dates, signing_notes

    return signing_notes(rows, plan_dates(store), as_of, lang="en")


def print_audit_citation_checks(store: Any, registry: Any, files: list[str] | None) -> None:
    """The citation-string problems of the audited plans (``tthc-kg check``), after the audit's table."""
    from .citecheck import check_files, check_stored_plans
    from .resolve import Resolver

    resolver = Resolver(registry)
    if files:
        issues, _errors = check_files(files, resolver)
        skipped = 0
    else:
        issues, skipped = check_stored_plans(store, resolver)
    print(f"\nCitation strings against the registry ({len(issues)} problems; details: tthc-kg check FILE):")
    for i in issues:
        print(f"  {i}")
    if skipped:
        print(f"  ({skipped} plans not checked: their file is gone or changed since ingest)")
