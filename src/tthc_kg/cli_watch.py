"""Commands of issue 8 added to ``tthc-kg`` (see cli.COMMAND_MODULES): watchlists, reviews of audit findings,
and the import of change events from consolidated texts' headers.

- ``tthc-kg watch add NAME --plan REF | --agency NAME | --province NAME …``, ``watch list``, ``watch remove NAME``,
  ``watch report [NAME] --since DATE`` (or ad hoc ``--plan/--agency/--province``);
- ``tthc-kg review ack ID``, ``review dismiss ID --note …``, ``review list``;
- ``tthc-kg registry import-vbhn FILE``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import date
from typing import Any


def _cli() -> Any:
    from . import cli

    return cli


def _since(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _cli().UsageError(f"--since: expected a date YYYY-MM-DD, got {value!r}") from exc


# --- watch ---------------------------------------------------------------------------------------------


def cmd_watch_add(args: argparse.Namespace) -> int:
    from .watch import WatchError, add_watch, resolve_targets

    store = _cli()._store(args.store)
    try:
        targets = resolve_targets(store, args.plan or [], args.agency or [], args.province or [])
        w = add_watch(store, args.name, targets)
    except WatchError as exc:
        raise _cli().UsageError(str(exc)) from exc
    print(f"watch {w.name!r}: {len(w.targets)} targets")
    return 0


def cmd_watch_list(args: argparse.Namespace) -> int:
    from .watch import load_watches

    watches = load_watches(_cli()._store(args.store, read_only=True))
    rows = [
        {"watch": w.name, "kind": t.kind, "target": t.value, "plan": t.plan, "created": w.created}
        for w in watches.values()
        for t in w.targets
    ]
    if args.format == "jsonl":
        _cli()._jsonl(rows)
    else:
        _cli()._table(rows, ["watch", "kind", "target", "created"], {"target": 60})
    return 0


def cmd_watch_remove(args: argparse.Namespace) -> int:
    from .watch import WatchError, remove_watch

    try:
        remove_watch(_cli()._store(args.store), args.name)
    except WatchError as exc:
        raise _cli().UsageError(str(exc)) from exc
    print(f"watch {args.name!r} removed")
    return 0


def cmd_watch_report(args: argparse.Namespace) -> int:
    from .watch import WatchError, report, resolve_targets, watch_targets

    since = _since(args.since)
    store = _cli()._store(args.store, read_only=True)
    adhoc = bool(args.plan or args.agency or args.province)
    if args.name and adhoc:
        raise _cli().UsageError("give a watch NAME or --plan/--agency/--province, not both")
    if not args.name and not adhoc:
        raise _cli().UsageError("give a watch NAME (see 'tthc-kg watch list') or --plan/--agency/--province")
    try:
        if args.name:
            targets = watch_targets(store, args.name)
        else:
            targets = resolve_targets(store, args.plan or [], args.agency or [], args.province or [])
    except WatchError as exc:
        raise _cli().UsageError(str(exc)) from exc
    label = args.name or "; ".join(t.value for t in targets)
    result = report(store, targets, since)
    rows = [c.row(label) for c in result.changes]
    if args.format == "jsonl":
        _cli()._jsonl(rows)
        return 0
    undated = f" ({len(result.undated)} more with no known date not listed)" if result.undated else ""
    print(f"Changes since {since.isoformat()} affecting {label}: {len(rows)}{undated}")
    table = [
        dict(
            r,
            date=r["effective"] or r["recorded"],
            successors=r["successors"],
            confidence=r["confidence"] + (" (machine-read)" if r["machine_read"] else ""),
            affects="; ".join(
                a["what"] + (f" (tasks {', '.join(a['tasks'])})" if a["tasks"] else "") for a in r["affects"]
            ),
        )
        for r in rows
    ]
    _cli()._table(
        table,
        ["date", "kind", "subject", "by", "successors", "confidence", "affects"],
        {"subject": 40, "by": 30, "successors": 40, "affects": 60},
    )
    return 0


# --- review --------------------------------------------------------------------------------------------


def _reviewer(given: str | None) -> str:
    if given:
        return given
    env = os.environ.get("TTHC_KG_REVIEWER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (OSError, KeyError) as exc:
        raise _cli().UsageError("say who reviews: --by NAME (or set TTHC_KG_REVIEWER)") from exc


def current_findings(store: Any, as_of: date) -> list[Any]:
    """The audit's findings at ``as_of`` (every plan, preamble bases once per plan): what review ids refer to."""
    from .audit import audit

    return audit(store, as_of)


def _cmd_decide(args: argparse.Namespace, decision: str) -> int:
    from .review import ReviewError, record, resolve_id

    as_of = _cli()._date_arg(args.as_of)
    store = _cli()._store(args.store)
    try:
        finding = resolve_id(args.id, current_findings(store, as_of))
        r = record(store, finding, decision, args.note or "", _reviewer(args.by))
    except ReviewError as exc:
        raise _cli().UsageError(str(exc)) from exc
    f = r.finding or {}
    where = os.path.basename(f.get("file", "")) + (f" task {f['task']}" if f.get("task") else "")
    print(f"{r.finding_id} {decision} by {r.by} at {r.at}: {where} {f.get('cited')} {f.get('finding')}")
    return 0


def cmd_review_ack(args: argparse.Namespace) -> int:
    return _cmd_decide(args, "acknowledged")


def cmd_review_dismiss(args: argparse.Namespace) -> int:
    if not args.note:
        raise _cli().UsageError("dismiss needs --note: say why the finding does not apply")
    return _cmd_decide(args, "dismissed")


def cmd_review_list(args: argparse.Namespace) -> int:
    from .review import annotate, load_reviews

    store = _cli()._store(args.store, read_only=True)
    reviews = load_reviews(store)
    if args.history:
        rows = [r.as_dict() for r in reviews]
        if args.format == "jsonl":
            _cli()._jsonl(rows)
        else:
            table = [dict(r, what=_what(r["finding"] or {})) for r in rows]
            _cli()._table(table, ["id", "decision", "by", "at", "what", "note"], {"note": 60, "what": 50})
        return 0
    rows = annotate(current_findings(store, _cli()._date_arg(args.as_of)), reviews)
    if args.pending:
        rows = [r for r in rows if r["review"] is None]
    if args.format == "jsonl":
        _cli()._jsonl(rows)
        return 0
    table = [
        dict(
            r,
            file=os.path.basename(r["file"]),
            review=(
                f"{r['review']['decision']} ({r['review']['by']}, {r['review']['at'][:10]})" if r["review"] else ""
            ),
        )
        for r in rows
    ]
    _cli()._table(table, ["id", "file", "task", "cited", "finding", "since", "review"], {"file": 28, "review": 50})
    reviewed = sum(1 for r in rows if r["review"])
    print(f"\n{len(rows)} findings; {reviewed} reviewed, {len(rows) - reviewed} pending")
    return 0


def _what(f: dict[str, Any]) -> str:
    task = f" task {f['task']}" if f.get("task") else ""
    return f"{os.path.basename(f.get('file', ''))}{task} {f.get('cited', '')} {f.get('finding', '')}"


def audit_reviews(
    store: Any, rows: list[dict[str, Any]], hide: bool, annotate: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """For ``tthc-kg audit``: the rows (without reviewed findings when ``hide``; with ``id`` and ``review`` keys
    when ``annotate``), and the reviewed findings among them (annotated) for the table's review section."""
    from . import review

    reviews = review.load_reviews(store)
    if not reviews:
        return ([dict(r, id=review.finding_id(r), review=None) for r in rows] if annotate else rows), []
    marked = review.annotate(rows, reviews)
    reviewed = [m for m in marked if m["review"] is not None]
    keep = [(r, m) for r, m in zip(rows, marked, strict=True) if not (hide and m["review"] is not None)]
    return [m if annotate else r for r, m in keep], reviewed


def print_reviewed(reviewed: list[dict[str, Any]], hidden: bool) -> None:
    """The table's section on findings an officer decided on (shown, or hidden with --hide-acknowledged)."""
    if not reviewed:
        return
    how = "hidden above (--hide-acknowledged)" if hidden else "shown above"
    print(f"\nReviewed findings ({len(reviewed)}, {how}):")
    for r in reviewed:
        v = r["review"]
        task = f" task {r['task']}" if r["task"] else ""
        note = f" — {v['note']}" if v["note"] else ""
        print(
            f"  {r['id']}  {os.path.basename(r['file'])}{task} {r['cited']} {r['finding']}: "
            f"{v['decision']} by {v['by']} at {v['at']}{note}"
        )


# --- registry import-vbhn ---------------------------------------------------------------------------------


def cmd_import_vbhn(args: argparse.Namespace) -> int:
    from .store import default_store_dir
    from .vbhn_import import VbhnError, import_headers

    cli = _cli()
    # the registry graph of an existing store is refreshed too; no store is created just for this
    wanted = not args.dry_run and (args.store is not None or default_store_dir().exists())
    store = cli._store(args.store) if wanted else None
    try:
        result = import_headers(
            args.file, registry_dir=args.registry, store=store, dry_run=args.dry_run, registry=cli._registry()
        )
    except VbhnError as exc:
        raise cli.UsageError(str(exc)) from exc
    if args.format == "jsonl":
        cli._jsonl([h.as_dict() for h in result.headers])
    print(result.summary(), file=sys.stderr if args.format == "jsonl" else sys.stdout)
    return 0


# --- registration --------------------------------------------------------------------------------------


def register(sub: Any, registry_sub: Any, store_opt: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add this module's subparsers."""

    def targets(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--plan", action="append", metavar="REF", help="a plan: file, file name, symbol or IRI")
        sp.add_argument("--agency", action="append", metavar="NAME", help="an agency, by name")
        sp.add_argument("--province", action="append", metavar="NAME", help='a province, e.g. "Hưng Yên"')

    w = sub.add_parser("watch", help="watchlists of plans, agencies or provinces, and the changes affecting them")
    wsub = w.add_subparsers(dest="watch_command", required=True)
    sp = wsub.add_parser("add", help="save targets under a watch name (adds to an existing watch)")
    sp.add_argument("name")
    targets(sp)
    store_opt(sp)
    sp.set_defaults(func=cmd_watch_add)
    sp = wsub.add_parser("list", help="the saved watches and their targets")
    sp.add_argument("--format", choices=["table", "jsonl"], default="table")
    store_opt(sp)
    sp.set_defaults(func=cmd_watch_list)
    sp = wsub.add_parser("remove", help="delete a saved watch")
    sp.add_argument("name")
    store_opt(sp)
    sp.set_defaults(func=cmd_watch_remove)
    sp = wsub.add_parser("report", help="every change since a date that affects a watch (or ad hoc targets)")
    sp.add_argument("name", nargs="?")
    sp.add_argument("--since", required=True, help="date YYYY-MM-DD: changes effective or recorded since then")
    targets(sp)
    sp.add_argument("--format", choices=["table", "jsonl"], default="table")
    store_opt(sp)
    sp.set_defaults(func=cmd_watch_report)

    r = sub.add_parser("review", help="acknowledge or dismiss audit findings, with a note")
    rsub = r.add_subparsers(dest="review_command", required=True)
    for name, func, help_ in (
        ("ack", cmd_review_ack, "acknowledge a finding (it is known and being handled)"),
        ("dismiss", cmd_review_dismiss, "dismiss a finding (it does not apply; --note says why)"),
    ):
        sp = rsub.add_parser(name, help=help_)
        sp.add_argument("id", help="the finding's id, as 'tthc-kg review list' shows (4+ hex digits)")
        sp.add_argument("--note", help="the officer's note")
        sp.add_argument("--by", help="who decides (default: $TTHC_KG_REVIEWER, else the login name)")
        sp.add_argument("--as-of", help="the audit date the finding belongs to (default: today)")
        store_opt(sp)
        sp.set_defaults(func=func)
    sp = rsub.add_parser("list", help="current findings with their id and review decision")
    sp.add_argument("--as-of", help="audit date YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)")
    sp.add_argument("--pending", action="store_true", help="only findings nobody has decided on")
    sp.add_argument("--history", action="store_true", help="every decision recorded, oldest first")
    sp.add_argument("--format", choices=["table", "jsonl"], default="table")
    store_opt(sp)
    sp.set_defaults(func=cmd_review_list)

    sp = registry_sub.add_parser(
        "import-vbhn", help="machine-read change events from consolidated texts' headers (JSON lines)"
    )
    sp.add_argument("file", help="JSON lines with the consolidated texts' headers")
    sp.add_argument("--registry", help="registry directory (default: $TTHC_KG_REGISTRY or data/registry)")
    sp.add_argument("--dry-run", action="store_true", help="parse and report only; write nothing")
    sp.add_argument("--format", choices=["summary", "jsonl"], default="summary")
    store_opt(sp)
    sp.set_defaults(func=cmd_import_vbhn)
