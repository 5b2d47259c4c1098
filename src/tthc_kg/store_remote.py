"""A SPARQL 1.1 server as the store: Virtuoso, Oxigraph server, GraphDB, QLever … (docs/deploy.md).

``--store sparql+http://HOST:PORT/PATH[?update=PATH&auth=digest]`` (or ``TTHC_KG_STORE``): queries go to
``http://HOST:PORT/PATH`` over the SPARQL 1.1 Protocol (SPARQLWrapper, POST), updates to the ``update`` endpoint
(a path on the same server or a URL; default: the query endpoint). Credentials come from the environment only,
``TTHC_KG_SPARQL_USER`` and ``TTHC_KG_SPARQL_PASSWORD`` (``auth``: ``basic``, the default, or ``digest`` as
Virtuoso's /sparql-auth asks; ``TTHC_KG_SPARQL_AUTH`` sets it too); a spec with ``user:password@`` is refused.

The same operations as the embedded store (:class:`tthc_kg.store.Store`), with the same results:

- ``replace_graph`` replaces one document's named graph atomically: one SPARQL Update request
  ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }`` (one transaction on Oxigraph; Virtuoso rejected
  such a request as a whole in the tests, though not every multi-operation request: docs/deploy.md). A graph
  larger than ``CHUNK_TRIPLES`` is staged in a scratch graph by several requests and moved into place by one
  ``MOVE`` (one switch; readers may see the scratch triples meanwhile, see docs/deploy.md).
- ``query`` answers pyoxigraph result objects (``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``) parsed from
  the server's SPARQL JSON results (or N-Triples/Turtle), so every caller (the audit, the API, the SPARQL
  endpoint) is unchanged. Virtuoso's deviations are corrected on the way (:func:`virtuoso_order_by`,
  :func:`_virtuoso_results`; the list: docs/deploy.md, "Engine differences").
  Named-query parameters are bound by a ``VALUES`` block at the start of the query's WHERE group, each value
  written by rdflib's ``n3()`` (escaped by rdflib, refused when it cannot be a term), never formatted by hand.
- A result the server cut at its row limit (Virtuoso's ``ResultSetMaxRows``) is an error, never a short answer.

``generation`` is None: other processes may write to the server, so caches built on the store keep their
short TTL (api/services/cache.py) instead of trusting a local write counter.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import urllib.error
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from . import iri
from .store import SPARQL_PREFIXES, StoreError

SCHEMES = ("sparql+http://", "sparql+https://")
CHUNK_TRIPLES = 20_000  # triples per INSERT DATA request; a larger graph is staged and moved into place
DEFAULT_TIMEOUT = 300.0  # seconds per request (a bulk load of a large graph can take a while)
ENV_USER = "TTHC_KG_SPARQL_USER"
ENV_PASSWORD = "TTHC_KG_SPARQL_PASSWORD"
ENV_AUTH = "TTHC_KG_SPARQL_AUTH"
ENV_MAX_ROWS = "TTHC_KG_SPARQL_MAX_ROWS"
_OPTIONS = ("update", "auth", "max_rows", "timeout")
_XSD = "http://www.w3.org/2001/XMLSchema#"


def is_remote_spec(spec: str | os.PathLike[str] | None) -> bool:
    return isinstance(spec, str) and spec.startswith(SCHEMES)


class RemoteSpec:
    """A parsed ``sparql+http(s)://…`` spec: the endpoints and options, never credentials."""

    def __init__(self, spec: str) -> None:
        if not is_remote_spec(spec):
            raise StoreError(f"not a SPARQL server spec: {spec!r} (expected sparql+http://host:port/path)")
        parts = urlsplit(spec.removeprefix("sparql+"))
        if not parts.hostname:
            raise StoreError(f"no host in {spec!r}")
        if parts.username or parts.password:
            raise StoreError(
                f"credentials in the store spec are refused: set {ENV_USER} and {ENV_PASSWORD} in the environment"
            )
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError as exc:
            raise StoreError(f"bad port in {spec!r}") from exc
        query = parse_qsl(parts.query, keep_blank_values=True)
        options = {k: v for k, v in query if k in _OPTIONS}
        rest = [(k, v) for k, v in query if k not in _OPTIONS]
        self.query_url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(rest), ""))
        update = options.get("update") or ""
        self.update_url = urljoin(self.query_url, update) if update else self.query_url
        self.auth = (options.get("auth") or os.environ.get(ENV_AUTH) or "basic").lower()
        if self.auth not in ("basic", "digest"):
            raise StoreError(f"auth={self.auth!r}: expected basic or digest")
        self.max_rows = _positive_int(options.get("max_rows") or os.environ.get(ENV_MAX_ROWS), "max_rows")
        self.timeout = float(options.get("timeout") or DEFAULT_TIMEOUT)
        # the spec as shown (no secrets in it by construction)
        self.label = spec


def _positive_int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    if not re.fullmatch(r"\d+", value) or int(value) <= 0:
        raise StoreError(f"{name}={value!r}: expected a positive integer")
    return int(value)


class RemoteStore:
    """The store on a SPARQL 1.1 server (see the module docstring)."""

    path = None  # no local directory: the search index of a remote store is kept in memory
    dialect: str | None = None  # "virtuoso" when the server says so (its Server header): see prepare()
    generation = None  # writes by other processes are invisible: caches fall back to their TTL

    def __init__(self, spec: str, read_only: bool = False) -> None:
        self.spec = RemoteSpec(spec)
        self.url = self.spec.label
        self.read_only = read_only
        self._user = os.environ.get(ENV_USER) or None
        self._password = os.environ.get(ENV_PASSWORD) or ""
        try:
            self._ask_alive()
        except StoreError as exc:
            raise StoreError(f"cannot reach the SPARQL server {self.url}: {exc}") from exc

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # --- HTTP -----------------------------------------------------------------------------------------
    def _wrapper(self, update: bool) -> Any:
        from SPARQLWrapper import DIGEST, POST, POSTDIRECTLY, SPARQLWrapper

        sw = SPARQLWrapper(self.spec.query_url, updateEndpoint=self.spec.update_url, agent="tthc-kg")
        sw.setMethod(POST)
        sw.setOnlyConneg(True)  # the Accept header only: no format=/output= parameters (Virtuoso honours them)
        sw.setTimeout(int(self.spec.timeout))
        if update:
            sw.setRequestMethod(POSTDIRECTLY)  # the update as the request body (application/sparql-update)
        if self._user:
            sw.setCredentials(self._user, self._password)
            if self.spec.auth == "digest":
                sw.setHTTPAuth(DIGEST)
        return sw

    def _send(self, text: str, *, update: bool, accept: str | None = None) -> tuple[bytes, str, dict[str, str]]:
        """One request; answers (body, media type, headers). Protocol errors become StoreError, a malformed
        query SyntaxError (as pyoxigraph raises it, so the HTTP layer answers 400)."""
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException, Unauthorized

        if update and self.read_only:
            raise StoreError(f"the store {self.url} was opened read-only")
        sw = self._wrapper(update)
        if update:
            # SPARQLWrapper's setQuery runs regexes over the whole text to guess its form (~0.5 s for a graph of a
            # few thousand triples): our updates are updates, say so
            sw.queryString = text
            sw.queryType = "INSERT"
        else:
            sw.setQuery(text)
        if accept:
            sw.addCustomHttpHeader("Accept", accept)
        try:
            result = sw.query()
            body = result.response.read()
            headers = {k.lower(): v for k, v in result.response.headers.items()}
        except QueryBadFormed as exc:
            if update:  # our own update text: the server refused it (a value it cannot take), a store failure
                raise StoreError(f"the server rejected the update: {_server_message(exc)}") from None
            raise SyntaxError(_server_message(exc)) from None
        except Unauthorized as exc:
            who = "no credentials" if not self._user else f"user {self._user!r}"
            raise StoreError(
                f"the server refused the request ({who}; set {ENV_USER}/{ENV_PASSWORD}, auth=…): "
                + _server_message(exc)
            ) from None
        except SPARQLWrapperException as exc:
            raise StoreError(_server_message(exc)) from None
        except urllib.error.HTTPError as exc:
            raise StoreError(f"HTTP {exc.code} from {exc.url}: {_read_error(exc)}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"{reason}") from None
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        return body, media, headers

    def _ask_alive(self) -> None:
        _body, media, headers = self._send("ASK {}", update=False, accept="application/sparql-results+xml")
        self.dialect = "virtuoso" if headers.get("server", "").lower().startswith("virtuoso") else None
        if not media or ("xml" not in media and "json" not in media):
            raise StoreError(f"the endpoint answered {media or 'no content type'} to a SPARQL query")

    def _update(self, text: str) -> None:
        self._send(text, update=True)

    # --- writes -------------------------------------------------------------------------------------
    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> int:
        """Replace a named graph by ``graph`` atomically; returns the number of triples written.

        Up to CHUNK_TRIPLES triples: one request, DROP SILENT GRAPH + INSERT DATA. Larger: the triples go into a
        scratch graph by chunks, then one ``MOVE SILENT`` request puts it in place (the old graph is dropped in
        the same operation); a failure before the move leaves the old graph whole and the scratch graph is
        dropped.
        """
        name = _iri_n3(graph_iri)
        if len(graph) <= CHUNK_TRIPLES or any(isinstance(t, BNode) for triple in graph for t in triple):
            # one request (a blank node's label is local to one request: a graph with some is never split)
            self._update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{_nt(graph)}\n}} }}")
            return len(graph)
        triples = list(graph)
        scratch = _iri_n3(URIRef(f"urn:tthc-kg:staging:{uuid.uuid4()}"))
        try:
            for i in range(0, len(triples), CHUNK_TRIPLES):
                chunk = triples[i : i + CHUNK_TRIPLES]
                self._update(f"INSERT DATA {{ GRAPH {scratch} {{\n{_nt(chunk)}\n}} }}")
            self._update(f"MOVE SILENT GRAPH {scratch} TO GRAPH {name}")
        except BaseException:
            with contextlib.suppress(StoreError):  # the scratch graph only: the old graph was never touched
                self._update(f"DROP SILENT GRAPH {scratch}")
            raise
        return len(triples)

    def bulk_load_nquads(self, source: str | os.PathLike[str] | bytes) -> None:
        """Load N-Quads (a file path or bytes) into their named graphs by chunked INSERT DATA requests of
        CHUNK_TRIPLES quads: NOT transactional as a whole (each request is) — like the embedded store's bulk
        loader, only for new graphs, where rerunning recovers. Terms are written by pyoxigraph's serializer."""
        try:
            if isinstance(source, bytes):
                quads = ox.parse(source, format=ox.RdfFormat.N_QUADS)
            else:
                quads = ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS)
            batch: dict[str, list[str]] = {}
            pending = 0
            for quad in quads:
                graph = quad.graph_name
                if not isinstance(graph, ox.NamedNode):
                    raise StoreError("bulk load: a quad outside a named graph (every source has its own graph)")
                batch.setdefault(str(graph), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
                pending += 1
                if pending >= CHUNK_TRIPLES:
                    self._insert_batch(batch)
                    batch, pending = {}, 0
            if batch:
                self._insert_batch(batch)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"bulk load failed: {exc}") from exc

    def _insert_batch(self, batch: dict[str, list[str]]) -> None:
        body = "\n".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in batch.items())
        self._update(f"INSERT DATA {{\n{body}\n}}")

    def remove_graph(self, graph_iri: URIRef) -> None:
        self._update(f"DROP SILENT GRAPH {_iri_n3(graph_iri)}")

    def flush(self) -> None:
        """Nothing to flush: every request is committed by the server when it answers."""

    # --- reads -------------------------------------------------------------------------------------
    def query(self, sparql: str, bindings: dict[str, Any] | None = None) -> Any:
        text = prepare(sparql, bindings, self.dialect)
        form = query_form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, media, _ = self._send(text, update=False, accept="application/n-triples, text/turtle;q=0.9")
            return _triples(body, media)
        body, media, headers = self._send(
            text, update=False, accept="application/sparql-results+json, application/sparql-results+xml;q=0.5"
        )
        # JSON first: pyoxigraph's XML results reader trims the whitespace around a literal's text
        fmt = ox.QueryResultsFormat.XML if "xml" in media else ox.QueryResultsFormat.JSON
        self._check_complete(body, fmt, headers)
        if self.dialect == "virtuoso" and fmt is ox.QueryResultsFormat.JSON and form == "SELECT":
            body = _virtuoso_results(body, bindings or {}, distinct=is_distinct(text))
        try:
            return ox.parse_query_results(body, format=fmt)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"unreadable results from {self.url}: {exc}") from None

    def _check_complete(self, body: bytes, fmt: Any, headers: dict[str, str]) -> None:
        """Refuse a result the server cut at its row limit (Virtuoso answers the first ResultSetMaxRows rows and
        says so only in a header, X-SPARQL-MaxRows, sent when the result reaches the limit); with ``max_rows``
        in the spec, a result of that many rows is refused as well (for a server that says nothing)."""
        if "x-sparql-maxrows" in headers:
            raise StoreError(
                f"the server cut the result at {headers['x-sparql-maxrows']} rows (Virtuoso's ResultSetMaxRows): "
                "raise it in virtuoso.ini [SPARQL] (docs/deploy.md)"
            )
        if self.spec.max_rows is None:
            return
        if fmt is ox.QueryResultsFormat.JSON:
            rows = len((json.loads(body).get("results") or {}).get("bindings") or [])
        else:
            rows = body.count(b"<result>") + body.count(b"<result ")
        if rows >= self.spec.max_rows:
            raise StoreError(
                f"the result has {rows} rows, the server's limit (max_rows={self.spec.max_rows}): it may be cut; "
                "raise the server's row limit (docs/deploy.md)"
            )

    def select(self, sparql: str, bindings: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        from .store import _py

        result = self.query(sparql, bindings)
        names = [v.value for v in result.variables]
        for row in result:
            yield {n: _py(row[n]) for n in names}

    def graph_names(self) -> list[str]:
        """The project's named graphs (under its graph namespace: a server's own graphs are not listed)."""
        rows = self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), ?base)) }",
            {"base": str(iri.GRAPH)},
        )
        return sorted(r["g"] for r in rows)

    def triple_count(self) -> int:
        """Triples (quads) in the project's named graphs — not the server's own graphs (Virtuoso keeps its
        system data in graphs of its own)."""
        rows = list(
            self.select(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), ?base)) }",
                {"base": str(iri.GRAPH)},
            )
        )
        return int(rows[0]["n"]) if rows else 0

    def graph_content_hash(self, key: str) -> str | None:
        rows = list(
            self.select(
                "SELECT ?h WHERE { GRAPH ?g { ?s tthc:contentHash ?h } }",
                {"s": URIRef(str(iri.source(key))), "g": URIRef(str(iri.source_graph(key)))},
            )
        )
        return rows[0]["h"] if rows else None

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """The project's graphs as one RDF dataset (N-Quads, TriG …), one query per graph."""
        quads: list[ox.Quad] = []
        for name in self.graph_names():
            graph = ox.NamedNode(name)
            result = self.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(name)})
            quads.extend(ox.Quad(row["s"], row["p"], row["o"], graph) for row in result)
        return ox.serialize(quads, format=fmt)


# --- query text: prologue and bound values -------------------------------------------------------------

# A lexer just good enough to find the bare keywords and the braces of a query: comments, IRIs, strings,
# variables, language tags and prefixed names are skipped whole.
_TOKEN = re.compile(
    r"""
      \#[^\n]*
    | <[^<>"{}|^`\\\s]*>
    | '''(?:[^'\\]|\\.|'(?!''))*'''
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '(?:[^'\\\n]|\\.)*'
    | "(?:[^"\\\n]|\\.)*"
    | [?$]\w+
    | @[A-Za-z]+(?:-[A-Za-z0-9]+)*
    | (?:[^\W\d][\w.-]*)?:[\w.%:-]*
    | (?P<word>[A-Za-z]+)
    | (?P<brace>\{)
    | .
    """,
    re.X | re.S,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str:
    for m in _TOKEN.finditer(text):
        word = (m["word"] or "").upper()
        if word in _FORMS:
            return word
    return "SELECT"


def prepare(sparql: str, bindings: dict[str, Any] | None = None, dialect: str | None = None) -> str:
    """The query as sent: the project's prefixes declared (those the query does not declare itself), and the
    bound values as one-row VALUES blocks (:func:`bind_values`). For Virtuoso, the final ORDER BY is made to
    compare strings in full (:func:`virtuoso_order_by`)."""
    text = virtuoso_order_by(sparql) if dialect == "virtuoso" else sparql
    if bindings:
        text = bind_values(text, bindings)
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w.-]*):", text)}
    prologue = "".join(f"PREFIX {p}: <{u}>\n" for p, u in SPARQL_PREFIXES.items() if p.lower() not in declared)
    return prologue + text


_ORDER_KEY = re.compile(r"\s*(?:(?P<dir>ASC|DESC)\s*\(\s*\?(?P<v1>\w+)\s*\)|\?(?P<v2>\w+))", re.I)
_TYPED = "<http://www.w3.org/2001/XMLSchema#"


def virtuoso_order_by(text: str) -> str:
    """Virtuoso orders stored literals longer than a few dozen characters by a prefix only (and language-tagged
    ones apart), so ``ORDER BY ?label`` puts "… văn bản hoặc …" after "… văn bản)". Each plain-variable key of
    the query's final ORDER BY becomes two: the value itself for numbers, dates and booleans (a constant for
    anything else), then its full string (``STR``) — the order SPARQL defines, for columns of one kind of value.
    Expression keys are left as written."""
    depth = 0
    start = end = None
    tokens = list(_TOKEN.finditer(text))
    for i, m in enumerate(tokens):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth == 0 and (m["word"] or "").upper() == "ORDER":
            rest = [t for t in tokens[i + 1 :] if not t.group(0).isspace()]
            if rest and (rest[0]["word"] or "").upper() == "BY":
                start = rest[0].end()
                end = len(text)
                for t in rest[1:]:
                    if (t["word"] or "").upper() in ("LIMIT", "OFFSET", "VALUES"):
                        end = t.start()
                        break
    if start is None:
        return text
    clause = text[start:end]
    keys = []
    pos = 0
    for m in _ORDER_KEY.finditer(clause):
        if m.start() != pos:
            return text
        pos = m.end()
        var = m["v1"] or m["v2"]
        direction = (m["dir"] or "ASC").upper()
        if re.search(rf"\bAS\s+\?{var}\s*\)", text[:start], re.I):
            # a projected expression (an aggregate: a count): Virtuoso takes no expression over it, and a count
            # needs none
            keys.append(f"{direction}(?{var})")
            continue
        typed = (
            f"IF(isNumeric(?{var}) || DATATYPE(?{var}) IN ({_TYPED}date>, {_TYPED}dateTime>, {_TYPED}boolean>), "
            f"?{var}, 0)"
        )
        keys.append(f"{direction}({typed}) {direction}(STR(?{var}))")
    if clause[pos:].strip() or not keys:
        return text
    return text[:start] + " " + " ".join(keys) + "\n" + text[end:]


def bind_values(text: str, bindings: dict[str, Any]) -> str:
    """The query with its parameters bound as pyoxigraph's substitutions bind them: a one-row ``VALUES`` block
    (each term written by rdflib's ``n3()``) opens the WHERE group and every group nested in it that mentions
    one of the parameters — an OPTIONAL, a nested ``{ … }``, a UNION branch, a subquery's WHERE. SPARQL evaluates
    groups bottom-up, so a FILTER in a nested group would not see a value bound in the outer one; joining the
    same one row in each group gives every group the value, as a constant would (and the outer one puts it in
    the projection). EXISTS patterns see the outer row's values already (they are evaluated with them
    substituted); VALUES data blocks and CONSTRUCT templates are left alone."""
    names = list(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a variable name: {name!r}")
    row = " ".join(_term_n3(bindings[n]) for n in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
    wanted = {"?" + n for n in names} | {"$" + n for n in names}
    where = _where_brace(text)
    tokens = [m for m in _TOKEN.finditer(text) if m.start() >= where and not m.group(0).isspace()]
    stack: list[tuple[int, bool]] = []  # (offset of "{", whether it opens a group graph pattern)
    inserts: list[int] = []
    mentions: list[bool] = []
    in_values = False
    for i, m in enumerate(tokens):
        tok = m.group(0)
        word = (m["word"] or "").upper()
        if word == "VALUES":
            in_values = True
        elif tok == "{":
            following = (tokens[i + 1]["word"] or "").upper() if i + 1 < len(tokens) else ""
            preceding = (tokens[i - 1]["word"] or "").upper() if i > 0 else ""
            # an EXISTS pattern is evaluated with the outer row's values substituted: it needs no block (and
            # Virtuoso 7.2 matches nothing with a VALUES block inside FILTER EXISTS)
            group = not in_values and following != "SELECT" and preceding != "EXISTS"
            in_values = False
            stack.append((m.start(), group))
            mentions.append(False)
        elif tok == "}" and stack:
            start, group = stack.pop()
            mentioned = mentions.pop()
            if group and (mentioned or start == where):
                inserts.append(start)
            if mentions:
                mentions[-1] = mentions[-1] or mentioned
            if not stack:
                break
        elif tok in wanted and mentions:
            mentions[-1] = True
    for at in sorted(inserts, reverse=True):
        text = text[: at + 1] + block + text[at + 1 :]
    return text


def _where_brace(text: str) -> int:
    """Offset of the ``{`` opening the query's WHERE group (the first after WHERE, else after the form
    keyword for the ``SELECT * { … }`` shorthand)."""
    seen_form = False
    seen_where = False
    first_after_form = None
    for m in _TOKEN.finditer(text):
        word = (m["word"] or "").upper()
        if word in _FORMS:
            seen_form = True
        elif word == "WHERE" and seen_form:
            seen_where = True
        elif m["brace"] and seen_form:
            if seen_where:
                return m.start()
            if first_after_form is None:
                first_after_form = m.start()
    if first_after_form is not None:
        return first_after_form
    raise ValueError("no WHERE group to bind values in")


def _virtuoso_results(body: bytes, bindings: dict[str, Any], distinct: bool) -> bytes:
    """Virtuoso's JSON results, made standard (docs/deploy.md, "Engine differences"):

    - it writes a stored xsd:boolean as "1"/"0" (the same value, another lexical form): written "true"/"false";
    - it reads a boolean constant in a query as the integer 1 or 0 — it filters right with it, but a projected
      parameter comes back as "0"^^xsd:integer, so a bound parameter's column (the bound value in every row: the
      VALUES block joins it) gets the bound term back (a boolean the query computes — EXISTS, a comparison —
      also comes back as an integer: the queries cast it, ``xsd:boolean(EXISTS { … })``);
    - a SELECT DISTINCT answered rows twice in some runs (search-documents.rq; the plan varies with Virtuoso's
      sampled statistics): duplicates are dropped here, first occurrence kept.
    """
    booleans = {n: _boolean_lexical(v) for n, v in bindings.items() if _is_boolean(v)}
    if b'#boolean"' not in body and not booleans and not distinct:
        return body
    data = json.loads(body)
    rows = (data.get("results") or {}).get("bindings") or []
    for row in rows:
        for term in row.values():
            if term.get("datatype") == _XSD + "boolean" and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
        for name, lexical in booleans.items():
            if name in row:
                row[name] = {"type": "literal", "datatype": _XSD + "boolean", "value": lexical}
    if distinct and rows:
        seen: set[str] = set()
        kept = []
        for row in rows:
            key = json.dumps(
                {
                    k: (v.get("type", "").replace("typed-", ""), v.get("value"), v.get("datatype"), v.get("xml:lang"))
                    for k, v in row.items()
                },
                sort_keys=True,
            )
            if key not in seen:
                seen.add(key)
                kept.append(row)
        data["results"]["bindings"] = kept
    return json.dumps(data).encode("utf-8")


def is_distinct(text: str) -> bool:
    """Whether the query's (first) SELECT is SELECT DISTINCT (or REDUCED)."""
    words = [(m["word"] or "").upper() for m in _TOKEN.finditer(text) if m["word"]]
    for i, word in enumerate(words):
        if word == "SELECT":
            return i + 1 < len(words) and words[i + 1] in ("DISTINCT", "REDUCED")
    return False


def _boolean_lexical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.value if isinstance(value, ox.Literal) else str(value)
    return "true" if text in ("true", "1") else "false"


def _is_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, ox.Literal):
        return value.datatype is not None and value.datatype.value == _XSD + "boolean"
    return isinstance(value, Literal) and value.datatype is not None and str(value.datatype) == _XSD + "boolean"


def _term_n3(value: Any) -> str:
    """An RDF term in SPARQL syntax, written by rdflib (which escapes literals and refuses bad IRIs)."""
    if isinstance(value, ox.NamedNode):
        return _iri_n3(URIRef(value.value))
    if isinstance(value, ox.Literal):
        if value.language:
            return Literal(value.value, lang=value.language).n3()
        dt = value.datatype.value if value.datatype else None
        if dt == _XSD + "string":
            dt = None
        return Literal(value.value, datatype=URIRef(dt) if dt else None).n3()
    if isinstance(value, URIRef):
        return _iri_n3(value)
    if isinstance(value, Literal):
        return value.n3()
    if isinstance(value, ox.BlankNode | BNode):
        raise ValueError("a blank node cannot be bound in a query sent to a server (its label is local)")
    if isinstance(value, bool):
        return Literal(value).n3()
    if hasattr(value, "isoformat"):
        return Literal(value.isoformat(), datatype=URIRef(_XSD + "date")).n3()
    return Literal(str(value)).n3()


def _iri_n3(value: URIRef) -> str:
    try:
        return URIRef(str(value)).n3()
    except Exception as exc:  # rdflib raises a plain Exception for an IRI it cannot write
        raise ValueError(f"not an IRI: {str(value)!r}") from exc


def _nt(triples: Graph | list[Any]) -> str:
    """N-Triples lines written by rdflib's serializer (every term escaped by it)."""
    if isinstance(triples, Graph):
        g = triples
    else:
        g = Graph()
        for t in triples:
            g.add(t)
    return g.serialize(format="nt", encoding="utf-8").decode("utf-8")


def _triples(body: bytes, media: str) -> Any:
    """CONSTRUCT/DESCRIBE results as pyoxigraph ``QueryTriples`` (what the embedded store answers)."""
    fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
    scratch = ox.Store()
    try:
        scratch.load(body, format=fmt, to_graph=ox.DefaultGraph())
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"unreadable graph result ({media}): {exc}") from None
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


def _server_message(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:500]


def _read_error(exc: urllib.error.HTTPError) -> str:
    try:
        return " ".join(exc.read().decode("utf-8", "replace").split())[:300]
    except Exception:
        return exc.reason or ""
