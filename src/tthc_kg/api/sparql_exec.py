"""Run a SPARQL query for the HTTP layer: read-only, with a time limit, a row limit and content negotiation.

``execute(store, sparql, …)`` answers an :class:`Answer` (bytes, media type, whether rows were cut) or raises a
:class:`SparqlError` carrying the HTTP status to answer with:

- 403 for a SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY, WITH …) and for a federated
  query (SERVICE: the server would fetch URLs chosen by the client);
- 400 for a malformed query, with the parser's message, and for an unknown ``format``;
- 406 when no format the query form can give is acceptable;
- 503 when the query runs past the time limit.

The query form comes from the type pyoxigraph answers with (``QuerySolutions``, ``QueryBoolean``,
``QueryTriples``), never from the text. Results are written by pyoxigraph's serializers: SPARQL results in JSON,
XML, CSV, TSV; graphs in Turtle, N-Triples, JSON-LD, RDF/XML.

Row limit: solutions and triples are read lazily and at most ``max_rows`` are kept; ``Answer.truncated`` says
whether there were more (the route puts it in the ``X-TTHC-Truncated`` header, so the body stays the standard
format). The kept solutions are written as SPARQL TSV (each term in pyoxigraph's own N-Triples syntax, which TSV
results use), read back with ``pyoxigraph.parse_query_results`` and written in the format asked for, so every
format comes from pyoxigraph's serializer.

Time limit — the thread caveat: a pyoxigraph query cannot be interrupted. The query, the reading of its rows and
the serialization run in a daemon worker thread; the caller stops waiting at the limit and gets a 503. The
worker is then told to stop, and does so at the next row it reads, but a single step that computes without
yielding a row (an aggregate, an ORDER BY, a large join before its first row) runs to its end in the background,
holding a core (pyoxigraph releases the GIL while it evaluates, so the server keeps answering). The limit
protects the client's wait and the server's request slots; the CPU is bounded by the query slots:

Query slots: at most ``query_slots`` queries run at once (:class:`QuerySlots`, a semaphore), and a query abandoned
at the time limit keeps its slot until it really ends. A query that finds no free slot within the time limit is
answered 503 ("busy"). So runaway queries can hold at most ``query_slots`` cores, and never pile up: a client
repeating a heavy query gets 503s, not an ever-growing number of background threads. What is enforced, then:
the client's wait (``query_timeout``), the rows kept and written (``max_rows``), the number of evaluations at once
(``query_slots``); what is not: the CPU time of one evaluation step already running (it ends by itself).

Worker processes: ``/sparql`` (client-written queries) runs in killable worker processes instead when the server
has them (``sparql_workers.WorkerPool``): there the time limit ends the evaluation itself.

Read-only, three times over: the refusals below (403 before anything runs); ``Store.query`` is pyoxigraph's query
entry point, whose parser accepts no update operation at all (an update that slipped past the keyword check is a
400 syntax error there); and named-query values are bound as RDF terms (``substitutions``), never spliced.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

import pyoxigraph as ox

from ..store import SPARQL_PREFIXES, Store

T = TypeVar("T")
log = logging.getLogger(__name__)


class SparqlError(Exception):
    """A refusal or failure, with the HTTP status the endpoint answers with."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UpdateRefused(SparqlError):
    status = 403


class QueryRefused(SparqlError):
    status = 403


class BadQuery(SparqlError):
    status = 400


class NotAcceptable(SparqlError):
    status = 406


class QueryTimeout(SparqlError):
    status = 503


# --- formats ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """One representation: its ``format=`` key and other names, its media type and the media types (aliases)
    that reach it when named exactly in Accept."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# In order of preference: the first is the default when the client accepts anything. ``names`` holds what
# clients send as format=: SPARQLWrapper sends its return format ("json", "rdf+xml", "json-ld", "n3" …), and
# "json"/"xml" ask a graph query for JSON-LD/RDF/XML.
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/json",), ("srj",)),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("srx",)),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("application/x-turtle", "application/turtle"), ("ttl", "n3")),
    Format("ntriples", "application/n-triples", (), ("nt", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/json",), ("json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdf+xml", "rdf", "xml")),
)
_RESULTS_OX = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_OX = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
FORMAT_KEYS: tuple[str, ...] = tuple(f.key for f in RESULT_FORMATS + GRAPH_FORMATS)
_FORMAT_NAMES = frozenset(n for f in RESULT_FORMATS + GRAPH_FORMATS for n in (f.key, *f.names))


def check_format(name: str | None) -> None:
    """Refuse (400) a ``format=`` value that names no format at all, before the query runs. A value with a
    "/" is a media type or a list of them, negotiated like an Accept header."""
    if name and "/" not in name and name.strip().lower() not in _FORMAT_NAMES:
        raise BadQuery(f"unknown format {name!r} (use one of: {', '.join(FORMAT_KEYS)}, or a media type)")


def choose_format(offers: Sequence[Format], accept: str | None, name: str | None) -> Format:
    """The format to answer in: ``format=`` when given (a name, or media types), else the Accept header; 406
    when neither leads to one of ``offers``."""
    what = "a SELECT or ASK result" if offers is RESULT_FORMATS else "a CONSTRUCT or DESCRIBE result"
    if name and "/" not in name:
        wanted = name.strip().lower()
        for fmt in offers:
            if wanted == fmt.key or wanted in fmt.names:
                return fmt
        raise NotAcceptable(f"format {name!r} is not available for {what} (use one of: {_keys(offers)})")
    if name:
        accept = name
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptable(
            f"none of the accepted types ({accept}) is available; {what} can be given as: "
            + ", ".join(f.media_type for f in offers)
        )
    return chosen


def negotiate(accept: str | None, offers: Sequence[Format]) -> Format | None:
    """The offer the Accept header prefers (RFC 9110 §12.5.1): the most specific matching range gives the
    quality; ties go to the order of ``offers``; no header means the first offer. An alias counts only when
    named exactly ("application/json" gets SPARQL JSON results; "application/*" does not reach it through it)."""
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best: Format | None = None
    best_q = 0.0
    for fmt in offers:
        q = _quality(fmt.media_type, ranges)
        for alias in fmt.aliases:
            q = max(q, next((rq for rng, rq in ranges if rng == alias), 0.0))
        if q > best_q:
            best, best_q = fmt, q
    return best


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """``[(media range, q)]`` from an Accept header; malformed q-values count as 1, parameters are ignored."""
    out: list[tuple[str, float]] = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        out.append((media, q))
    return out


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    kind = media.split("/")[0]
    best_specificity, q = -1, 0.0
    for rng, rq in ranges:
        if rng == media:
            specificity = 2
        elif rng == f"{kind}/*":
            specificity = 1
        elif rng == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, q = specificity, rq
    return q


def _keys(offers: Sequence[Format]) -> str:
    return ", ".join(f.key for f in offers)


# --- refusing updates and federated queries -----------------------------------------------------------------

# A lexer just good enough to find the bare keywords of a query: comments, IRIs, strings, variables, language
# tags and prefixed names are skipped whole, so "tthc:delete", "?insert" or "# DROP" are not keywords.
_TOKEN = re.compile(
    r"""
      \#[^\n]*                                  # comment
    | <[^<>"{}|^`\\\s]*>                        # IRI reference
    | '''(?:[^'\\]|\\.|'(?!''))*'''             # long strings
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '(?:[^'\\\n]|\\.)*'                       # strings
    | "(?:[^"\\\n]|\\.)*"
    | [?$]\w+                                   # variables
    | @[A-Za-z]+(?:-[A-Za-z0-9]+)*              # language tags
    | (?:[^\W\d][\w.-]*)?:[\w.%:-]*             # prefixed names (the prefix of PREFIX declarations too)
    | (?P<word>[A-Za-z]+)                       # a bare word: a keyword
    | .                                         # anything else
    """,
    re.X | re.S,
)
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


def keywords(sparql: str) -> list[str]:
    """The bare keywords of a query or update, upper-cased, in order."""
    return [m["word"].upper() for m in _TOKEN.finditer(sparql) if m["word"]]


def is_update(sparql: str) -> bool:
    """True when the request is a SPARQL Update: its first keyword after the prologue is an update operation."""
    for word in keywords(sparql):
        if word in ("PREFIX", "BASE"):
            continue
        return word in UPDATE_KEYWORDS
    return False


def refuse_writes(sparql: str) -> None:
    """Raise 403 for an update or a federated query; the endpoint is read-only and fetches nothing."""
    if is_update(sparql):
        raise UpdateRefused("SPARQL Update is not allowed: this endpoint is read-only")
    if "SERVICE" in keywords(sparql):
        raise QueryRefused("federated queries (SERVICE) are not allowed on this endpoint")


# --- execution ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str
    form: str  # "solutions", "boolean" or "graph"
    rows: int | None  # solutions or triples written; None for ASK
    truncated: bool


def execute(
    store: Store,
    sparql: str,
    bindings: dict[str, Any] | None = None,
    *,
    accept: str | None = None,
    format: str | None = None,
    timeout: float | None = 10.0,
    max_rows: int = 10_000,
    slots: QuerySlots | None = None,
    pool: Any = None,
) -> Answer:
    """Run a read-only query with the time and row limits and serialize it as negotiated (see the module).
    With ``pool`` (a ``sparql_workers.WorkerPool``, for queries without bindings) the query runs in a worker
    process that is killed at the time limit."""
    check_format(format)
    refuse_writes(sparql)
    if pool is not None and not bindings:
        return pool.run(sparql, accept, format, max_rows, timeout or 0, getattr(store, "generation", 0))  # type: ignore[no-any-return]

    def work(cancel: threading.Event) -> Answer:
        try:
            result = store.query(sparql, bindings)
        except SyntaxError as exc:
            raise BadQuery(f"malformed query: {exc}") from exc
        return _serialize(result, accept, format, max_rows, cancel)

    return run_with_timeout(work, timeout, slots)


class QuerySlots:
    """How many queries may be evaluated at once; a slot is held until the evaluation ends, even when the
    client was answered 503 long before (see the module docstring). ``size`` 0 means no bound."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._sem = threading.BoundedSemaphore(size) if size > 0 else None

    def acquire(self, timeout: float | None) -> bool:
        if self._sem is None:
            return True
        return self._sem.acquire(timeout=timeout if timeout and timeout > 0 else None)

    def release(self) -> None:
        if self._sem is not None:
            self._sem.release()


class _Cancelled(Exception):
    pass


def run_with_timeout(work: Callable[[threading.Event], T], timeout: float | None, slots: QuerySlots | None = None) -> T:
    """``work(cancel)`` in a daemon thread; 503 when it has not finished after ``timeout`` seconds.

    ``cancel`` is set at the limit so ``work`` can stop at its next step; what it is computing meanwhile cannot
    be interrupted (see the module docstring). pyoxigraph's results may only be touched, and dropped, by the
    thread that made them, so no exception crosses threads with them in its traceback: the waiting thread gets
    a fresh :class:`SparqlError` with the message, and anything unexpected is logged here and answered as 500.
    """
    slots = slots or QuerySlots(0)
    if not slots.acquire(timeout):
        log.warning("SPARQL query refused: all %d query slots busy for %s s", slots.size, timeout)
        raise QueryTimeout(
            f"the server is busy: {slots.size} queries are running (or still ending after their time limit); "
            "try again later"
        )
    done = threading.Event()
    cancel = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work(cancel)
        except _Cancelled:
            pass
        except SparqlError as exc:
            box["error"] = (type(exc), exc.message)
        except Exception:  # a bug or an I/O failure: logged with its traceback, answered as a generic 500
            error_id = uuid.uuid4().hex[:12]
            log.exception("SPARQL query failed (error %s)", error_id)
            box["error"] = (SparqlError, f"internal server error (error id {error_id})")
        finally:
            slots.release()
            done.set()

    try:
        threading.Thread(target=target, name="tthc-kg-sparql", daemon=True).start()
    except BaseException:
        slots.release()
        raise
    limit = timeout if timeout and timeout > 0 else None
    if not done.wait(limit):
        cancel.set()
        log.warning("SPARQL query abandoned at the time limit of %s s; it ends in the background", timeout)
        raise QueryTimeout(f"query exceeded the time limit of {_seconds(timeout)} s")
    if "error" in box:
        kind, message = box["error"]
        raise kind(message)
    return box["value"]  # type: ignore[no-any-return]


def _seconds(value: float | None) -> str:
    return f"{value:g}" if value is not None else "?"


def _serialize(result: Any, accept: str | None, name: str | None, max_rows: int, cancel: threading.Event) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        fmt = choose_format(RESULT_FORMATS, accept, name)
        return Answer(result.serialize(format=_RESULTS_OX[fmt.key]), fmt.media_type, "boolean", None, False)
    if isinstance(result, ox.QuerySolutions):
        fmt = choose_format(RESULT_FORMATS, accept, name)
        variables = [v.value for v in result.variables]
        lines = ["\t".join("?" + v for v in variables)]
        kept, truncated = _take(result, max_rows, cancel)
        lines += ["\t".join("" if term is None else str(term) for term in row) for row in kept]
        tsv = ("\n".join(lines) + "\n").encode("utf-8")
        solutions = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        body = solutions.serialize(format=_RESULTS_OX[fmt.key])
        return Answer(body, fmt.media_type, "solutions", len(kept), truncated)
    if isinstance(result, ox.QueryTriples):
        fmt = choose_format(GRAPH_FORMATS, accept, name)
        triples, truncated = _take(result, max_rows, cancel)
        prefixes = SPARQL_PREFIXES if fmt.key in ("turtle", "rdfxml") else None
        body = ox.serialize(triples, format=_GRAPH_OX[fmt.key], prefixes=prefixes)
        return Answer(body, fmt.media_type, "graph", len(triples), truncated)
    raise SparqlError(f"unexpected query result {type(result).__name__}")


def _take(rows: Iterable[T], max_rows: int, cancel: threading.Event) -> tuple[list[T], bool]:
    """At most ``max_rows`` rows, read lazily, and whether there were more; stops when ``cancel`` is set."""
    kept: list[T] = []
    for row in islice(rows, max_rows + 1):
        if cancel.is_set():
            raise _Cancelled
        kept.append(row)
    if len(kept) > max_rows:
        return kept[:max_rows], True
    return kept, False
