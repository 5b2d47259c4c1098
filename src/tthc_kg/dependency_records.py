"""Dependency records: each citation's row of ``superseded-dependencies``, materialized at ingest (docs/model.md
"Dependency records").

The flagship question runs from the few change events to every citation of what they affect. Joined triple by
triple, each result row costs about ten index lookups (a RocksDB seek each on disk: 1.5 s for 3,266 rows over
0.9 M triples). So the graph of each source file also holds, per cited document, one literal per distinct
(plan, file, task number, role) it is cited from::

    <doc> tthc:dependencyRecord "FILE<TAB>TASK<TAB>ROLE<TAB>PLAN<TAB>SYMBOL<TAB>DATE<TAB>TITLE"

in the source's own named graph (re-ingest replaces it with the rest of the graph; incremental ingest stays per
document). The query reads a document's records in one sequential index scan and splits them with
STRBEFORE/STRAFTER (queries/superseded-dependencies.rq): one lookup per row instead of ten.

Fields, in this order, separated by one TAB (U+0009):

- ``FILE``: the source's ``tthc:path``; ``TASK``: the ``tthc:taskNumber`` of the plan or task the citation is
  ``tthc:citedIn`` (empty when it has none: a preamble citation); ``ROLE``: the citation's ``tthc:role``;
- ``PLAN``: the IRI of the source's ``tthc:plan``; ``SYMBOL``: its ``tthc:symbol``; ``DATE``: its
  ``tthc:referenceDate`` (an xsd:date, lexical form); ``TITLE``: its ``dcterms:title`` (language "vi");
  each empty when the plan has none.

``PLAN`` (an IRI), ``ROLE`` and ``DATE`` never hold a TAB or "`" and are never empty (:func:`encode` refuses
them otherwise): they are written as they are. The others are escaped so that any value round-trips: a value
that is not empty and holds neither TAB nor the escape character "`" (U+0060) is written as it is (every value
the builder writes in practice); otherwise "`" becomes "`e" and TAB "`t", and a present but empty value is "`0"
(an empty field is an absent value). The query unescapes only records that hold a "`", field by field:
``REPLACE(REPLACE(REPLACE(f, "`t", TAB), "`0", ""), "`e", "`")`` — every "`" of an escaped field starts one of
the three pairs, so no replacement can eat into another, and a field written as it is holds no "`" to replace.

The records are derived from the triples the builder has just added (:func:`add_records`), as the joined query
would find them in that graph — the same rows, by construction; tests/test_dependency_records.py checks both
against each other on the seeds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from .iri import TTHC

SEP = "\t"
ESC = "`"
FIELDS = ("file", "taskNumber", "role", "plan", "planSymbol", "planDate", "planTitle")
TITLE_LANG = "vi"


class Record(NamedTuple):
    """One citation's part of a ``superseded-dependencies`` row (None: absent, an unbound column)."""

    file: str
    taskNumber: str | None
    role: str
    plan: str
    planSymbol: str | None
    planDate: str | None
    planTitle: str | None


def _escape(value: str | None) -> str:
    if value is None:
        return ""
    if value == "":
        return ESC + "0"
    if SEP not in value and ESC not in value:
        return value
    return value.replace(ESC, ESC + "e").replace(SEP, ESC + "t")


def _unescape(field: str) -> str | None:
    if field == "":
        return None
    if ESC not in field:
        return field
    # the order the query uses (each "`" starts one pair, so none of the three can overlap another)
    return field.replace(ESC + "t", SEP).replace(ESC + "0", "").replace(ESC + "e", ESC)


def encode(record: Record) -> str:
    """The literal's text for a record."""
    for name in ("file", "role", "plan"):
        if not getattr(record, name):
            raise ValueError(f"a dependency record needs a {name}")
    for name in ("role", "plan", "planDate"):  # never escaped: the query reads them as they are
        value = getattr(record, name)
        if value is not None and (value == "" or SEP in value or ESC in value):
            raise ValueError(f"a dependency record's {name} cannot be empty or hold a TAB or {ESC!r}: {value!r}")
    return SEP.join(_escape(v) for v in record)


def decode(text: str) -> Record:
    """The record a literal's text encodes (the inverse of :func:`encode`; what the query computes)."""
    parts = text.split(SEP)
    if len(parts) != len(FIELDS):
        raise ValueError(f"a dependency record has {len(FIELDS)} fields, this one {len(parts)}: {text!r}")
    values = [_unescape(p) for p in parts]
    if values[0] is None or values[2] is None or values[3] is None:
        raise ValueError(f"a dependency record without file, role or plan: {text!r}")
    return Record(*values)  # type: ignore[arg-type]


def decode_joined(text: str, count: int | None = None) -> list[Record]:
    """The records of a TAB-joined run of record texts (queries/dependency-records-joined.rq: GROUP_CONCAT with a
    TAB between records): every seven fields one record, as :func:`decode` reads each. ``count``, when given, is
    how many records the run must hold."""
    if text == "" and not count:
        return []
    parts = text.split(SEP)
    n = len(FIELDS)
    if len(parts) % n or (count is not None and len(parts) != n * count):
        raise ValueError(f"a run of dependency records has {len(parts)} fields, not {n} a record ({count} records)")
    values = [_unescape(p) for p in parts] if ESC in text else [p or None for p in parts]
    out = [Record._make(r) for r in zip(*[iter(values)] * n, strict=True)]
    for r in out:
        if r.file is None or r.role is None or r.plan is None:
            raise ValueError(f"a dependency record without file, role or plan: {SEP.join(p or '' for p in r)!r}")
    return out


# the predicates the records are read from, each as a small number (rdflib makes a new URIRef on every TTHC.x)
CITES, ROLE, IN_SOURCE, CITED_IN, PATH, PLAN, TITLE, SYMBOL, REFERENCE_DATE, TASK_NUMBER = range(10)
_PREDICATES = {
    TTHC.cites: CITES,
    TTHC.role: ROLE,
    TTHC.inSource: IN_SOURCE,
    TTHC.citedIn: CITED_IN,
    TTHC.path: PATH,
    TTHC.plan: PLAN,
    DCTERMS.title: TITLE,
    TTHC.symbol: SYMBOL,
    TTHC.referenceDate: REFERENCE_DATE,
    TTHC.taskNumber: TASK_NUMBER,
}
DEPENDENCY_RECORD = TTHC.dependencyRecord


def records(triples: Iterable[tuple[Any, Any, Any]]) -> dict[URIRef, set[Record]]:
    """The records of one source graph's triples, by cited document: for each ``tthc:Citation`` every
    combination of its ``tthc:cites``, ``tthc:role``, ``tthc:inSource`` (its ``tthc:path`` and ``tthc:plan``,
    the plan's title, symbol and reference date) and ``tthc:citedIn`` (its task number) — the solutions of the
    joined query's pattern over this graph, optional parts absent where the graph has no value."""
    values: dict[tuple[Any, int], list[Any]] = defaultdict(list)
    get = _PREDICATES.get
    for s, p, o in triples:
        k = get(p)
        if k is not None:
            values[(s, k)].append(o)

    def opt(s: Any, k: int) -> list[Any]:
        return values.get((s, k)) or [None]

    out: dict[URIRef, set[Record]] = defaultdict(set)
    for (node, k), docs in list(values.items()):
        if k != CITES:
            continue
        for role in values.get((node, ROLE), []):
            for source in values.get((node, IN_SOURCE), []):
                for where in values.get((node, CITED_IN), []):
                    for file in values.get((source, PATH), []):
                        for plan in values.get((source, PLAN), []):
                            for title in opt(plan, TITLE):
                                for symbol in opt(plan, SYMBOL):
                                    for day in opt(plan, REFERENCE_DATE):
                                        for number in opt(where, TASK_NUMBER):
                                            rec = Record(
                                                file=str(file),
                                                taskNumber=_plain(number),
                                                role=str(role),
                                                plan=str(plan),
                                                planSymbol=_plain(symbol),
                                                planDate=_date(day),
                                                planTitle=_title(title),
                                            )
                                            for doc in docs:
                                                out[doc].add(rec)
    return out


def _plain(term: Any) -> str | None:
    if term is None:
        return None
    if not isinstance(term, Literal) or term.language or term.datatype not in (None, XSD.string):
        raise ValueError(f"a dependency record field must be a plain string, got {term!r}")
    return str(term)


def _date(term: Any) -> str | None:
    if term is None:
        return None
    if not isinstance(term, Literal) or term.datatype != XSD.date:
        raise ValueError(f"a plan's reference date must be an xsd:date, got {term!r}")
    return str(term)


def _title(term: Any) -> str | None:
    if term is None:
        return None
    if not isinstance(term, Literal) or term.language != TITLE_LANG:
        raise ValueError(f"a plan's title must be a literal in language {TITLE_LANG!r}, got {term!r}")
    return str(term)


def add_records(g: Any) -> int:
    """Add the records of the triples already in ``g`` (an rdflib Graph, or the bulk path's sink: anything
    iterable over triples with an ``add``) to it; returns how many. Called last by graph.build_graph."""
    found = records(list(g))
    n = 0
    for doc in sorted(found):
        for text in sorted(encode(r) for r in found[doc]):
            g.add((doc, DEPENDENCY_RECORD, Literal(text)))
            n += 1
    return n
