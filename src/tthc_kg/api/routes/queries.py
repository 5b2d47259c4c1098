"""Routes: the named queries over HTTP (Datasette's stored queries) — every ``queries/*.rq`` as a URL.

``GET /queries`` lists them with their description and parameters; ``GET /queries/{name}?param=value…`` runs
one, each value bound as a typed RDF term by the store (never spliced into the query text), with ``/sparql``'s
formats, negotiation, time limit and row limit. ``format`` is reserved for the output format; ``update`` is
refused with 403 (the endpoint is read-only), any other unknown parameter is 400.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel

from ... import queries
from ..deps import SettingsDep, StoreDep
from .sparql import READ_ONLY, _slots, answer

router = APIRouter(tags=["queries"])

RESERVED = frozenset({"format"})


class ParamInfo(BaseModel):
    name: str
    type: str
    default: str | None


class NamedQueryInfo(BaseModel):
    name: str
    description: str
    parameters: list[ParamInfo]
    url: str


@router.get("/queries", summary="The named queries, with their parameters")
def list_queries(request: Request) -> list[NamedQueryInfo]:
    return [_info(queries.load(name), request) for name in queries.available()]


@router.get("/queries/{name}", summary="Run a named query; its parameters come from the query string")
async def run_query(
    name: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format: Annotated[str | None, Query(description="json, xml, csv, tsv (or turtle, … for a graph)")] = None,
) -> Response:
    if name not in queries.available():
        raise HTTPException(404, f"no query named {name!r} (see /queries)")
    if "update" in request.query_params:
        raise HTTPException(403, READ_ONLY)
    nq = queries.load(name)
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED:
            continue
        if key in values:
            raise HTTPException(400, f"parameter {key!r} is given more than once")
        values[key] = value
    try:
        bindings = nq.bind(values)
    except queries.QueryError as exc:
        raise HTTPException(400, str(exc).replace("--param ", "")) from exc
    return await answer(store, settings, nq.text, request.headers.get("accept"), format, bindings, _slots(request))


def _info(nq: queries.NamedQuery, request: Request) -> NamedQueryInfo:
    return NamedQueryInfo(
        name=nq.name,
        description=nq.description,
        parameters=[ParamInfo(name=p.name, type=p.type, default=p.default) for p in nq.params],
        url=str(request.url_for("run_query", name=nq.name)),
    )
