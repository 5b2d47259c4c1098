"""Route: the SPARQL 1.1 Protocol endpoint ``/sparql`` — queries only, over the store's union default graph.

- ``GET /sparql?query=…``; ``POST /sparql`` with a form (``application/x-www-form-urlencoded``, ``query=…``) or
  the query as the body (``application/sparql-query``).
- Updates are refused with 403: an ``update=`` parameter (in the URL or the form), an ``application/sparql-update``
  body, or an update sent as ``query``. Federated queries (``SERVICE``) too. A query longer than
  ``max_query_chars`` is 413; a body larger than ``max_body_bytes`` is 413 (app.py).
- Answers in the format the Accept header prefers, or ``format=`` (json, xml, csv, tsv for SELECT/ASK; turtle,
  ntriples, jsonld, rdfxml for CONSTRUCT/DESCRIBE); 406 when none fits. Malformed query → 400 with the parser's
  message; longer than the ``query_timeout`` setting → 503; more rows than ``max_rows`` → cut, and the response
  says ``X-TTHC-Truncated: true``.
- The store's prefixes (tthc:, eli:, org:, prov:, dcterms:, skos:, rdf:, rdfs:, xsd:, id:) need no declaration.
- Dataset: the default graph is the union of all named graphs (one per source document and the registry), and
  ``GRAPH ?g`` reaches each. ``default-graph-uri`` and ``named-graph-uri`` are accepted and ignored: the union
  default graph always answers (rdflib's SPARQLStore, for one, sends them for its own graph identifiers).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ...store import Store
from ..deps import SettingsDep, StoreDep
from ..settings import Settings
from ..sparql_exec import Answer, QuerySlots, SparqlError, execute

router = APIRouter(tags=["sparql"])

READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

FormatParam = Annotated[
    str | None,
    Query(description="json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, jsonld, rdfxml (CONSTRUCT/DESCRIBE)"),
]
IGNORED = "accepted and ignored: the union default graph answers"


@router.get("/sparql", summary="SPARQL 1.1 query (GET)")
async def sparql_get(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[str | None, Query(description="the SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)")] = None,
    format: FormatParam = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri", description=IGNORED)] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri", description=IGNORED)] = None,
) -> Response:
    if "update" in request.query_params:
        raise HTTPException(403, READ_ONLY)
    if not query:
        raise HTTPException(400, "no query: pass the SPARQL query as query=…")
    return await answer(
        store, settings, query, request.headers.get("accept"), format, slots=_slots(request), pool=_pool(request)
    )


@router.post("/sparql", summary="SPARQL 1.1 query (POST form or application/sparql-query)")
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep, format: FormatParam = None) -> Response:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media == SPARQL_UPDATE or "update" in request.query_params:
        raise HTTPException(403, READ_ONLY)
    body = (await request.body()).decode("utf-8", errors="replace")  # the Protocol's requests are UTF-8
    if media == SPARQL_QUERY:
        query = body
    elif media == FORM:
        fields = parse_qs(body, keep_blank_values=True)
        if "update" in fields:
            raise HTTPException(403, READ_ONLY)
        values = fields.get("query", [])
        if len(values) != 1:
            raise HTTPException(400, "the form must carry exactly one query=…")
        query = values[0]
        format = format or (fields.get("format") or [None])[-1]
    else:
        raise HTTPException(
            415, f"unsupported content type {media or '(none)'!r}: send {FORM} with query=…, or {SPARQL_QUERY}"
        )
    if not query.strip():
        raise HTTPException(400, "no query: the request carries an empty query")
    return await answer(
        store, settings, query, request.headers.get("accept"), format, slots=_slots(request), pool=_pool(request)
    )


async def answer(
    store: Store,
    settings: Settings,
    sparql: str,
    accept: str | None,
    format: str | None,
    bindings: dict[str, object] | None = None,
    slots: QuerySlots | None = None,
    pool: object = None,
) -> Response:
    """Run the query off the event loop and turn the result or the refusal into a response (shared with
    ``/queries/{name}``)."""
    if len(sparql) > settings.max_query_chars:
        raise HTTPException(413, f"the query is longer than the limit of {settings.max_query_chars} characters")
    try:
        result = await run_in_threadpool(
            execute,
            store,
            sparql,
            bindings,
            accept=accept,
            format=format,
            timeout=settings.query_timeout,
            max_rows=settings.max_rows,
            slots=slots,
            pool=pool,
        )
    except SparqlError as exc:
        raise HTTPException(exc.status, exc.message) from exc
    return to_response(result, settings.max_rows)


def _slots(request: Request) -> QuerySlots | None:
    return getattr(request.app.state, "query_slots", None)


def _pool(request: Request) -> object:
    return getattr(request.app.state, "sparql_pool", None)


def to_response(result: Answer, max_rows: int) -> Response:
    headers = {"Vary": "Accept"}
    if result.rows is not None:
        headers["X-TTHC-Truncated"] = "true" if result.truncated else "false"
        headers["X-TTHC-Max-Rows"] = str(max_rows)
    return Response(content=result.body, media_type=result.media_type, headers=headers)
