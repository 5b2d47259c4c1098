"""The embedded store (Oxigraph on disk): one named graph per source, replaced atomically on re-ingest.

Location: ``--store DIR``, else ``TTHC_KG_STORE``, else the user's data directory (platformdirs).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from platformdirs import user_data_dir
from rdflib import Graph, URIRef

from . import iri

SPARQL_PREFIXES = {
    "tthc": str(iri.TTHC),
    "id": str(iri.ID),
    "eli": str(iri.ELI),
    "org": str(iri.ORG),
    "prov": str(iri.PROV),
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def default_store_dir() -> Path:
    env = os.environ.get("TTHC_KG_STORE")
    if env:
        return Path(env)
    return Path(user_data_dir("tthc-kg", appauthor=False)) / "store"


class StoreError(RuntimeError):
    pass


def open_store(spec: str | Path | None = None, read_only: bool = False) -> Any:
    """The store a spec names: ``sparql+http(s)://host:port/path[?update=…&auth=…]`` a SPARQL server
    (:class:`tthc_kg.store_remote.RemoteStore`, docs/deploy.md), anything else a directory of the embedded store
    (None: ``TTHC_KG_STORE``, else the user data directory). Both answer the same operations."""
    if spec is None:
        spec = os.environ.get("TTHC_KG_STORE") or None
    if isinstance(spec, str) and spec.startswith(("sparql+http://", "sparql+https://")):
        from .store_remote import RemoteStore

        return RemoteStore(spec, read_only=read_only)
    return Store(spec, read_only=read_only)


class Store:
    """A thin wrapper over pyoxigraph.Store with the project's operations."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_store_dir()
        try:
            if read_only:
                if not self.path.exists():
                    raise StoreError(f"no store at {self.path} (run 'tthc-kg ingest' first)")
                self._db = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._db = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        self.generation = 0  # bumped on every write: caches built on the store (api/services/cache.py) compare it

    @classmethod
    def in_memory(cls) -> Store:
        self = cls.__new__(cls)
        self.path = None  # type: ignore[assignment]
        self._db = ox.Store()
        self.generation = 0
        return self

    # --- writes --------------------------------------------------------------------------------------
    def replace_graph(self, graph_iri: URIRef, graph: Graph) -> int:
        """Replace a named graph by ``graph`` atomically; returns the number of triples written.

        One SPARQL Update ("DROP SILENT GRAPH …; INSERT DATA { GRAPH … }") is one transaction in Oxigraph, so a
        crash or an error leaves the previous graph whole. The data block is rdflib's N-Triples serialization
        (every term escaped by the serializer), never text formatted by hand; the same request is the Graph
        Store "PUT" of a remote endpoint.
        """
        name = str(graph_iri)
        data = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        update = f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{data}\n}} }}"
        try:
            self._db.update(update)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"could not write graph {name}: {exc}") from exc
        self.generation += 1
        return len(graph)

    def remove_graph(self, graph_iri: URIRef) -> None:
        name = ox.NamedNode(str(graph_iri))
        if self._db.contains_named_graph(name):
            self._db.remove_graph(name)
            self.generation += 1

    def bulk_load_nquads(self, source: str | Path | bytes) -> None:
        """Load N-Quads (a file path or bytes) with Oxigraph's bulk loader: fast, NOT transactional — a failure
        can leave part of the data loaded. Only for new graphs, where rerunning recovers (tthc_kg/bulk.py)."""
        try:
            if isinstance(source, bytes):
                self._db.bulk_load(source, format=ox.RdfFormat.N_QUADS)
            else:
                self._db.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"bulk load failed: {exc}") from exc
        self.generation += 1

    def flush(self) -> None:
        if self.path is not None:
            self._db.flush()

    def optimize(self) -> None:
        """Merge the store's files on disk (after a bulk load: reads then look in fewer of them)."""
        if self.path is not None:
            self._db.optimize()

    # --- reads ---------------------------------------------------------------------------------------
    def query(self, sparql: str, bindings: dict[str, Any] | None = None) -> Any:
        subs = {ox.Variable(k): _term(v) for k, v in (bindings or {}).items()}
        return self._db.query(sparql, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True, substitutions=subs)

    def select(self, sparql: str, bindings: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        result = self.query(sparql, bindings)
        names = [v.value for v in result.variables]
        for row in result:  # a solution iterates over its values in the variables' order (None: unbound)
            yield dict(zip(names, map(_py, row), strict=True))

    def graph_names(self) -> list[str]:
        return [g.value for g in self._db.named_graphs()]

    def triple_count(self) -> int:
        return len(self._db)

    def graph_content_hash(self, key: str) -> str | None:
        rows = list(
            self._db.quads_for_pattern(
                ox.NamedNode(str(iri.source(key))), ox.NamedNode(str(iri.TTHC.contentHash)), None, None
            )
        )
        return rows[0].object.value if rows else None

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        return self._db.dump(format=fmt)


def _term(value: Any) -> Any:
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode):
        return value
    if hasattr(value, "isoformat"):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    return ox.Literal(str(value))


def _py(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return str(term)
