"""The built graph: passes the SHACL shapes, round-trips, and re-ingest replaces a file's graph."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from paths import ROOT, SEEDS
from tthc_kg import iri, queries
from tthc_kg.analyze import analyze_text
from tthc_kg.graph import build_graph
from tthc_kg.ingest import ingest_files
from tthc_kg.read import read_text
from tthc_kg.registry import Registry
from tthc_kg.registry_rdf import compile_registry
from tthc_kg.resolve import Resolver
from tthc_kg.store import Store


def test_store_passes_the_shapes(seed_store: Store) -> None:
    """The union of every named graph (registry + seeds) conforms to ontology/shapes.ttl."""
    union = Graph()
    ds = Dataset()
    ds.parse(data=seed_store.dump(ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    conforms, _, report = validate(union, shacl_graph=shapes)
    assert conforms, report


def test_every_predicate_and_class_is_declared_in_the_ontology(seed_store: Store) -> None:
    onto = Graph().parse(ROOT / "ontology" / "tthc.ttl")
    declared = {str(s) for s in onto.subjects()}
    ds = Dataset()
    ds.parse(data=seed_store.dump(ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    used = set()
    for _s, p, o, _g in ds.quads((None, None, None, None)):
        used.add(str(p))
        if str(p).endswith("#type"):
            used.add(str(o))
    ours = {u for u in used if u.startswith(str(iri.TTHC))}
    assert ours - declared == set()


def test_graph_round_trips_through_turtle(registry: Registry) -> None:
    a = analyze_text(str(SEEDS[4]), read_text(SEEDS[4]), Resolver(registry))
    g = build_graph(a)
    back = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    assert isomorphic(g, back)
    reg = compile_registry(registry)
    assert isomorphic(reg, Graph().parse(data=reg.serialize(format="nt"), format="nt"))


def test_nfc_and_nfd_give_the_same_citations(registry: Registry) -> None:
    resolver = Resolver(registry)
    for seed in SEEDS:
        text = read_text(seed)
        nfd = unicodedata.normalize("NFD", text)
        a = analyze_text(str(seed), text, resolver)
        b = analyze_text(str(seed), nfd, resolver)
        assert [(str(r.symbol), r.role, r.citation.date) for r in a.citations] == [
            (str(r.symbol), r.role, r.citation.date) for r in b.citations
        ]
        for r in b.citations:
            assert nfd[r.start : r.end] == r.text
            assert unicodedata.normalize("NFC", r.text) == unicodedata.normalize(
                "NFC", text[a.citations[b.citations.index(r)].start : a.citations[b.citations.index(r)].end]
            )


def test_reingest_replaces_the_graph(tmp_path: Path, registry: Registry) -> None:
    store = Store(tmp_path / "s")
    paths = [str(p) for p in SEEDS]
    ingest_files(store, registry, paths, progress=False)
    first = store.triple_count()
    graphs = sorted(store.graph_names())
    ingest_files(store, registry, paths, progress=False)
    assert store.triple_count() == first
    assert sorted(store.graph_names()) == graphs
    # an edited file: its graph is replaced, not added to
    edited = tmp_path / "plan.txt"
    edited.write_text(read_text(SEEDS[3]), encoding="utf-8")
    ingest_files(store, registry, [str(edited)], progress=False)
    with_plan = store.triple_count()
    edited.write_text(read_text(SEEDS[3]).replace("61/2018/NĐ-CP", "118/2025/NĐ-CP"), encoding="utf-8")
    ingest_files(store, registry, [str(edited)], progress=False)
    q = queries.load("citations-of")
    citing = {Path(r["file"]).name for r in store.select(q.text, q.bind({"symbol": "61/2018/NĐ-CP"}))}
    assert "plan.txt" not in citing
    citing_new = {Path(r["file"]).name for r in store.select(q.text, q.bind({"symbol": "118/2025/NĐ-CP"}))}
    assert "plan.txt" in citing_new
    assert abs(store.triple_count() - with_plan) < 20
