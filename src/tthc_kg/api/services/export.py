"""The store as a file: the whole store, or one plan's named graph, as turtle, nquads or jsonld."""

from __future__ import annotations

import pyoxigraph as ox

from ... import queries
from ...export_formats import rdf_bytes
from ...store import Store
from .plan_lookup import find_plan, unknown_plan


def export_rdf(store: Store, fmt: str, plan: str | None = None) -> bytes:
    """The whole store, or one plan's named graph (LookupError if unknown), as turtle, nquads or jsonld."""
    if plan is None:
        return rdf_bytes(store.dump(ox.RdfFormat.N_QUADS), fmt)
    target = find_plan(store, plan)
    if target is None:
        raise unknown_plan(plan)
    q = queries.load("graph-triples")
    graph = ox.NamedNode(target.graph)
    quads = [ox.Quad(s["s"], s["p"], s["o"], graph) for s in store.query(q.text, q.bind({"graph": target.graph}))]
    return rdf_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), fmt)
