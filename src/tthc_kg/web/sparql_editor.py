"""The SPARQL editor's list of named queries (``queries/*.rq``), each with example values for its form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import iri, queries

# example values of the named queries' parameters without a default, for the SPARQL editor's form
PARAM_EXAMPLES = {
    "symbol": "61/2018/NĐ-CP",
    "doc": str(iri.ID["doc/61-2018-nd-cp"]),
    "agency": "Văn phòng",
    "from": "2024-01-01",
    "to": "2024-12-31",
    "graph": str(iri.REGISTRY_GRAPH),
}


def named_queries(url_of: Callable[[str], str]) -> list[dict[str, Any]]:
    """Every named query: its text, description, parameters (with examples) and URL (``url_of(name)``)."""
    named = []
    for name in queries.available():
        q = queries.load(name)
        named.append(
            {
                "name": q.name,
                "description": q.description,
                "text": q.text,
                "url": url_of(q.name),
                "params": [
                    {"name": p.name, "type": p.type, "default": p.default, "example": PARAM_EXAMPLES.get(p.name)}
                    for p in q.params
                ],
            }
        )
    return named
