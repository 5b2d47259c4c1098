"""Changes to the registry: the lifecycle checks, change files, ``registry add`` and the what-if overlay.

A *change* is a set of new rows for ``documents.csv`` and ``events.csv`` (the columns of docs/model.md "Registry
files"), written by hand in a YAML file or given as ``tthc-kg registry add`` options::

    documents:
      - symbol: 118/2025/NĐ-CP
        type: Nghị định
        issued: 2025-06-09
        effective: 2025-07-01
        normative: yes
        source: hethongphapluat.vn/nghi-dinh-118-2025-nd-cp-…html ; REPO118
        confidence: confirmed
    events:
      - kind: replacement          # replacement, amendment, repeal, partial_repeal, expiry, guidance
        affected: 61/2018/NĐ-CP
        by: 118/2025/NĐ-CP         # may be left out when the change adds exactly one document
        effective: 2025-07-01
        scope:                     # the part changed (required for a partial_repeal: "khoản 1 Điều 16")
        source: REPO118 Đ40 k1–k2
        confidence: confirmed

A change is checked exactly as the registry is (``registry._read`` over a copy of the registry with the rows
appended) plus the lifecycle checks below; each error is reported as ``FILE:LINE: message`` with the line of the
change file (or, for options, the line the row would take in the CSV file). ``add_change`` then appends the rows
to the CSV files, each replaced atomically (written beside it, then renamed), and only when everything checks.
``overlay_registry`` gives the registry with the change applied, in memory: ``tthc-kg impact --what-if``.

Lifecycle checks (``lifecycle_problems``: errors, and warnings for dates that may be a retroactive effect), on
top of ``validate_registry``:

- dates in order: a document does not enter into force before it is issued; a change does not take effect before
  the affected document was issued, nor before the changing document was issued;
- no cycle of replacement: following "replaced by" and the successors of lapses never comes back to a document;
- one end: a document is not replaced, repealed or lapsed twice at different dates (an error: the status at a date
  would depend on which row is read).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .registry import (
    COLUMNS,
    DOCUMENTS,
    ENDING_KINDS,
    EVENTS,
    Registry,
    RegistryError,
    _read,
    default_directory,
)

CHANGE_FILES = (DOCUMENTS, EVENTS)


# --- lifecycle checks -------------------------------------------------------------------------------------------


def lifecycle_errors(reg: Registry) -> list[RegistryError]:
    """The lifecycle problems that are errors (``lifecycle_problems``'s first list)."""
    return lifecycle_problems(reg)[0]


def lifecycle_problems(reg: Registry) -> tuple[list[RegistryError], list[RegistryError]]:
    """(errors, warnings): dates in order, no replacement cycles, one end per document (module docstring).

    A date that may be a real retroactive effect (a document in force before its issue date, a change in effect
    before the changing document was issued: NĐ 55/2025 took effect on 2025-03-01 and was signed on 03-02) is a
    warning; a change before the affected document existed, two different end dates and a cycle are errors."""
    directory = reg.directory or default_directory()
    doc_file = str(directory / DOCUMENTS)
    ev_file = str(directory / EVENTS)
    errors: list[RegistryError] = []
    warnings: list[RegistryError] = []
    by_iri = {d.iri: d for d in reg.documents}

    for d in reg.documents:
        if d.issued and d.effective and d.effective < d.issued:
            warnings.append(
                RegistryError(
                    doc_file,
                    d.line,
                    f"effective: {d.effective.isoformat()} is before the issue date {d.issued.isoformat()} "
                    "(retroactive? check both dates)",
                )
            )

    ends: dict[Any, list[Any]] = {}
    for e in reg.events:
        affected = by_iri.get(e.affected_iri) if e.affected_iri is not None else None
        changer = by_iri.get(e.by_iri) if e.by_iri is not None else None
        if e.effective is not None:
            if affected is not None and affected.issued and e.effective < affected.issued:
                errors.append(
                    RegistryError(
                        ev_file,
                        e.line,
                        f"effective: {e.effective.isoformat()} is before {affected.symbol} was issued "
                        f"({affected.issued.isoformat()})",
                    )
                )
            if changer is not None and changer.issued and e.effective < changer.issued and e.kind != "guidance":
                warnings.append(
                    RegistryError(
                        ev_file,
                        e.line,
                        f"effective: {e.effective.isoformat()} is before the changing document {changer.symbol} "
                        f"was issued ({changer.issued.isoformat()}; retroactive? check both dates)",
                    )
                )
        if e.kind in ENDING_KINDS and e.affected_iri is not None:
            ends.setdefault(e.affected_iri, []).append(e)

    for events in ends.values():
        dates = {e.effective for e in events if e.effective is not None}
        if len(dates) > 1:
            first = min(events, key=lambda e: e.line)
            others = ", ".join(f"line {e.line} ({e.kind}, {e.effective})" for e in events if e is not first)
            errors.append(
                RegistryError(
                    ev_file,
                    max(e.line for e in events),
                    f"{first.affected} ends twice at different dates: line {first.line} ({first.kind}, "
                    f"{first.effective}) and {others}",
                )
            )

    # replacement graph: affected → successors (the replacing document, and the named successors of a lapse)
    edges: dict[Any, list[tuple[Any, int]]] = {}
    for e in reg.events:
        if e.affected_iri is None:
            continue
        targets = list(e.successor_iris)
        if e.kind == "replacement" and e.by_iri is not None:
            targets.insert(0, e.by_iri)
        for t in targets:
            edges.setdefault(e.affected_iri, []).append((t, e.line))
    errors.extend(_cycles(edges, by_iri, ev_file))
    return errors, warnings


def _cycles(edges: dict[Any, list[tuple[Any, int]]], by_iri: dict[Any, Any], ev_file: str) -> list[RegistryError]:
    """One error per cycle of the successor graph, at the last line among its events (the newest row)."""
    errors: list[RegistryError] = []
    state: dict[Any, int] = {}  # 1 on the path, 2 done
    reported: set[frozenset[Any]] = set()

    def label(node: Any) -> str:
        d = by_iri.get(node)
        return str(d.symbol) if d is not None else str(node)

    def visit(start: Any) -> None:
        stack: list[tuple[Any, Iterator[tuple[Any, int]]]] = [(start, iter(edges.get(start, [])))]
        path: list[Any] = [start]
        lines: list[int] = []  # lines[i]: the event from path[i] to path[i + 1]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                path.pop()
                if lines:
                    lines.pop()
                continue
            target, line = step
            if state.get(target) == 1:
                at = path.index(target)
                cycle = path[at:]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    chain = " → ".join(label(n) for n in [*cycle, target])
                    errors.append(RegistryError(ev_file, max([*lines[at:], line]), f"cycle of replacement: {chain}"))
            elif target not in state:
                state[target] = 1
                path.append(target)
                lines.append(line)
                stack.append((target, iter(edges.get(target, []))))

    for node in list(edges):
        if node not in state:
            visit(node)
    return errors


def check_registry(
    directory: Path | str | None = None,
) -> tuple[Registry, list[RegistryError], list[RegistryError]]:
    """``validate_registry`` and the lifecycle checks: (registry, errors, warnings), in file and line order."""
    path = Path(directory) if directory is not None else default_directory()
    reg, errors = _read(path)
    more, warnings = lifecycle_problems(reg)
    order = lambda e: (e.file, e.line)  # noqa: E731
    return reg, sorted(dict.fromkeys(errors + more), key=order), sorted(warnings, key=order)


# --- change files -----------------------------------------------------------------------------------------------


class ChangeError(ValueError):
    """A change that cannot be read or does not check; ``errors`` as ``FILE:LINE: message``."""

    def __init__(self, errors: list[RegistryError]) -> None:
        self.errors = errors
        super().__init__(
            "; ".join(str(e) for e in errors[:3]) + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else "")
        )


@dataclass
class Row:
    cells: dict[str, str]
    origin: str  # the change file, or "" for rows given as options
    line: int  # the line in the change file (0 for options)


@dataclass
class Change:
    documents: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    origin: str = ""

    def rows(self, name: str) -> list[Row]:
        return self.documents if name == DOCUMENTS else self.events

    @property
    def symbols(self) -> list[str]:
        return [r.cells.get("symbol", "") for r in self.documents]


def _text(value: Any) -> str:
    """A YAML value as a CSV cell: dates ISO, booleans yes/no (``normative: yes``), lists joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    return str(value).strip()


def read_change(path: str | Path) -> Change:
    """A change file (YAML: ``documents`` and ``events`` lists of rows); ChangeError when it cannot be read."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ChangeError([RegistryError(name, 0, "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChangeError([RegistryError(name, 0, f"cannot read: {exc}")]) from None
    return parse_change(text, name)


def parse_change(text: str, name: str = "<what-if>") -> Change:
    """A change from YAML text (``name`` is used in the error messages); ChangeError when it cannot be read."""
    import yaml

    def fail(line: int, message: str) -> ChangeError:
        return ChangeError([RegistryError(name, line, message)])

    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise fail(mark.line + 1 if mark else 0, f"bad YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict) or node is None:
        raise fail(1, "expected a mapping with 'documents' and/or 'events' lists")
    unknown = [k for k in data if k not in ("documents", "events")]
    if unknown:
        raise fail(1, f"unknown key(s): {', '.join(map(str, unknown))} (expected documents, events)")
    lines: dict[str, list[int]] = {}
    for key_node, value_node in node.value:
        if key_node.value in ("documents", "events") and hasattr(value_node, "value"):
            items = value_node.value if isinstance(value_node.value, list) else []
            lines[key_node.value] = [item.start_mark.line + 1 for item in items]
    change = Change(origin=name)
    errors: list[RegistryError] = []
    for key, csv_name in (("documents", DOCUMENTS), ("events", EVENTS)):
        items = data.get(key) or []
        if not isinstance(items, list):
            errors.append(RegistryError(name, 1, f"{key}: expected a list of rows"))
            continue
        for i, item in enumerate(items):
            line = lines.get(key, [])[i] if i < len(lines.get(key, [])) else 0
            if not isinstance(item, dict):
                errors.append(RegistryError(name, line, f"{key}: each item is a mapping of column: value"))
                continue
            extra = [str(k) for k in item if k not in COLUMNS[csv_name]]
            if extra:
                errors.append(
                    RegistryError(
                        name, line, f"unknown column(s) {', '.join(extra)} (expected {','.join(COLUMNS[csv_name])})"
                    )
                )
                continue
            change.rows(csv_name).append(Row({k: _text(item.get(k)) for k in COLUMNS[csv_name]}, name, line))
    if errors:
        raise ChangeError(errors)
    return change


def complete(change: Change) -> Change:
    """Fill ``by`` of events that leave it out when the change adds exactly one document (not for an expiry)."""
    if len(change.documents) == 1:
        only = change.documents[0].cells.get("symbol", "")
        for r in change.events:
            if not r.cells.get("by") and r.cells.get("kind") != "expiry":
                r.cells["by"] = only
    return change


def changing_symbol(change: Change) -> str | None:
    """The changing document of a change: its one new document, else the one ``by`` of its events, else None."""
    if len(change.documents) == 1:
        return change.documents[0].cells.get("symbol") or None
    by = {r.cells.get("by") for r in change.events if r.cells.get("by")}
    return by.pop() if len(by) == 1 else None


# --- applying a change to a copy --------------------------------------------------------------------------------


def _csv_text(rows: list[Row], name: str) -> tuple[str, list[int]]:
    """The rows as CSV text, and the number of physical lines each takes."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    spans = []
    for r in rows:
        before = buf.tell()
        w.writerow([r.cells.get(c, "") for c in COLUMNS[name]])
        spans.append(buf.getvalue()[before:].count("\n"))
    return buf.getvalue(), spans


@dataclass
class _Applied:
    directory: Path  # the copy
    contents: dict[str, bytes]  # file name → new content
    origins: dict[tuple[str, int], tuple[str, int]]  # (copy file, line) → (origin file, origin line)


def _apply(change: Change, source: Path, target: Path) -> _Applied:
    """Copy the registry files to ``target`` and append the change's rows; remember where each row came from."""
    contents: dict[str, bytes] = {}
    origins: dict[tuple[str, int], tuple[str, int]] = {}
    for name in COLUMNS:
        src = source / name
        if src.exists():
            shutil.copyfile(src, target / name)
    for name in CHANGE_FILES:
        rows = change.rows(name)
        if not rows:
            continue
        old = (source / name).read_bytes() if (source / name).exists() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        if not old:
            old = (",".join(COLUMNS[name]) + "\n").encode("utf-8")
        text, spans = _csv_text(rows, name)
        line = old.count(b"\n") + 1
        for r, span in zip(rows, spans, strict=True):
            origins[(str(target / name), line)] = (r.origin or str(source / name), r.line or line)
            line += span
        contents[name] = old + text.encode("utf-8")
        (target / name).write_bytes(contents[name])
    return _Applied(target, contents, origins)


def _relocate(errors: list[RegistryError], applied: _Applied, source: Path) -> list[RegistryError]:
    """Errors about the copy as errors about the change file (or the registry file the row would go to)."""
    out = []
    for e in errors:
        if (e.file, e.line) in applied.origins:
            file, line = applied.origins[(e.file, e.line)]
            out.append(RegistryError(file, line, e.message))
        else:
            out.append(RegistryError(str(source / Path(e.file).name), e.line, e.message))
    return list(dict.fromkeys(out))


@contextmanager
def _applied(
    change: Change, directory: Path
) -> Iterator[tuple[Registry, list[RegistryError], list[RegistryError], _Applied]]:
    with tempfile.TemporaryDirectory(prefix="tthc-kg-registry-") as tmp:
        applied = _apply(change, directory, Path(tmp))
        reg, errors = _read(Path(tmp))
        more, warnings = lifecycle_problems(reg)
        reg.directory = directory
        origin = change.origin
        order = lambda e: (e.file != origin, e.file, e.line)  # noqa: E731
        yield (
            reg,
            sorted(_relocate(errors + more, applied, directory), key=order),
            # warnings about the change's own rows (the registry's others are `registry check`'s business)
            sorted(
                (w for w in _relocate(warnings, applied, directory) if (w.file, w.line) in applied.origins.values()),
                key=order,
            ),
            applied,
        )


def check_change(
    change: Change, directory: Path | str | None = None
) -> tuple[Registry, list[RegistryError], list[RegistryError]]:
    """The registry with the change applied (in memory), and (errors, warnings), those of the change first."""
    directory = Path(directory) if directory is not None else default_directory()
    if not change.documents and not change.events:
        nothing = RegistryError(change.origin or str(directory), 0, "the change adds nothing")
        return _read(directory)[0], [nothing], []
    with _applied(change, directory) as (reg, errors, warnings, _):
        return reg, errors, warnings


def overlay_registry(change: Change, directory: Path | str | None = None) -> Registry:
    """The registry with the change applied, never written anywhere; ChangeError if it does not check."""
    reg, errors, _warnings = check_change(change, directory)
    if errors:
        raise ChangeError(errors)
    return reg


def add_change(change: Change, directory: Path | str | None = None) -> list[RegistryError]:
    """Append the change's rows to the registry files (each replaced atomically); ChangeError, and no file
    touched, when anything does not check. Returns the warnings."""
    directory = Path(directory) if directory is not None else default_directory()
    if not change.documents and not change.events:
        raise ChangeError([RegistryError(change.origin or str(directory), 0, "the change adds nothing")])
    with _locked(directory):  # two additions at once: the second checks and appends after the first
        return _add_locked(change, directory)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on the registry directory itself (flock on its descriptor: no lock file left behind)."""
    import fcntl

    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as exc:
        raise ChangeError([RegistryError(str(directory), 0, f"cannot open the registry: {exc.strerror}")]) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _add_locked(change: Change, directory: Path) -> list[RegistryError]:
    with _applied(change, directory) as (_reg, errors, warnings, applied):
        if errors:
            raise ChangeError(errors)
        contents = dict(applied.contents)
    staged: list[tuple[str, Path]] = []
    try:
        for name in CHANGE_FILES:  # every file written beside its original first, then renamed: documents first
            if name not in contents:
                continue
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            staged.append((tmp, directory / name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(contents[name])
                fh.flush()
                os.fsync(fh.fileno())
            if (directory / name).exists():
                shutil.copymode(directory / name, tmp)
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as exc:
        raise ChangeError([RegistryError(str(directory), 0, f"cannot write: {exc}")]) from exc
    finally:
        for tmp, _final in staged:
            Path(tmp).unlink(missing_ok=True)
    return warnings
