"""Transitive successors and inherited dependencies: SPARQL (queries/*.rq, portable to any server) against the
OWL reading of the same chains (ontology/tthc.ttl) by owlready2 and HermiT, on the seed graph.

The ontology states, without dates (OWL has none; dated status stays in SPARQL):
- tthc:supersededBy is transitive, with tthc:replacedBy and tthc:succeededBy as sub-properties;
- tthc:inheritedBasis = tthc:taskOf ∘ eli:based_on (a task inherits its plan's preamble bases), and
  tthc:taskBasis, tthc:inheritedBasis ⊑ tthc:dependsOn;
- tthc:dependsOnSuccessor = tthc:dependsOn ∘ tthc:supersededBy.

HermiT materializes the property chains (``infer_property_values``); owlready2 answers the transitive and
sub-property closures (``INDIRECT_…``) from the same axioms. Both must equal what the queries compute.
"""

from __future__ import annotations

import tempfile
from typing import Any

import owlready2
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from paths import ROOT
from tthc_kg import queries
from tthc_kg.iri import TTHC
from tthc_kg.store import Store


def _rows(store: Store, name: str) -> list[dict[str, Any]]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind({})))


@pytest.fixture(scope="module")
def reasoned(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> owlready2.World:
    """The seed store (every named graph, as one graph) plus the ontology, classified by HermiT."""
    tmp = tmp_path_factory.mktemp("hermit")
    dataset = Dataset()
    dataset.parse(data=seed_store.dump(ox.RdfFormat.N_QUADS), format="nquads")
    graph = Graph()
    for s, p, o, _g in dataset.quads():
        graph.add((s, p, o))
    graph.parse(ROOT / "ontology" / "tthc.ttl", format="turtle")
    nt = tmp / "seeds.nt"  # owlready2 cannot read Turtle
    graph.serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(nt.as_uri()).load()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(tmp))  # HermiT's input file lands in tmp, not /tmp
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0, ignore_unsupported_datatypes=True)
    return world


def _closure(world: owlready2.World, prop: URIRef, domain: URIRef) -> set[tuple[str, str]]:
    """Every (subject, value) of ``prop`` for the instances of ``domain``, closed by owlready2 over the axioms."""
    p = world[str(prop)]
    assert p is not None, f"{prop} is not in the ontology"
    out: set[tuple[str, str]] = set()
    for ind in world[str(domain)].instances():
        for value in getattr(ind, "INDIRECT_" + p.python_name):
            out.add((ind.iri, value.iri))
    return out


def _inferred(world: owlready2.World, prop: URIRef) -> set[tuple[str, str]]:
    """The values HermiT materialized for ``prop`` (asserted nowhere in the data)."""
    return {(str(s), str(o)) for s, o in world.as_rdflib_graph().subject_objects(URIRef(str(prop)))}


def test_transitive_successors_agree(seed_store: Store, reasoned: owlready2.World) -> None:
    symbol = {r["doc"]: r["symbol"] for r in _rows(seed_store, "registry-documents") if r.get("symbol")}
    sparql = {(r["doc"], r["successorSymbol"]) for r in _rows(seed_store, "successors-all")}
    owl = {(d, symbol[s]) for d, s in _closure(reasoned, TTHC.supersededBy, TTHC.LegalDocument)}
    assert sparql and owl == sparql
    by_symbol = {symbol[d]: {s for dd, s in owl if dd == d} for d, _ in owl}
    assert by_symbol["61/2018/NĐ-CP"] == {"118/2025/NĐ-CP"}
    assert "45/2020/NĐ-CP" not in by_symbol  # amended by 118/2025, not replaced (legal-registry.md D.1)
    # a lapse with several named successors (34/2016 → 78/2025, 79/2025, 80/2025)
    assert len(by_symbol["34/2016/NĐ-CP"]) == 3


def test_inherited_dependencies_agree(seed_store: Store, reasoned: owlready2.World) -> None:
    rows = _rows(seed_store, "task-dependencies")
    sparql = {(r["task"], r["doc"]) for r in rows}
    owl = _closure(reasoned, TTHC.dependsOn, TTHC.Task)
    assert sparql and owl == sparql
    # the inherited part comes from HermiT's property chain taskOf ∘ based_on
    inherited = {(r["task"], r["doc"]) for r in rows if r["dependency"] == "basis"}
    assert inherited and _inferred(reasoned, TTHC.inheritedBasis) == inherited
    # every task of seed 000 inherits its preamble's 61/2018
    seed000 = {t for t, d in inherited if "/plan/000-" in t and d.endswith("/doc/61-2018-nd-cp")}
    assert len(seed000) == len({r["task"] for r in rows if "/plan/000-" in r["task"]}) > 10


def test_dependencies_on_superseded_documents_agree(seed_store: Store, reasoned: owlready2.World) -> None:
    sparql = {(r["task"], r["successor"]) for r in _rows(seed_store, "dependency-successors")}
    owl = _inferred(reasoned, TTHC.dependsOnSuccessor)
    assert sparql and owl == sparql
    # seed 004's task 4 cites 61/2018 and 107/2021 as its own basis: it must now consider 118/2025
    task4 = {s for t, s in owl if "/plan/004-" in t and t.endswith("/task/4")}
    assert any(s.endswith("/doc/118-2025-nd-cp") for s in task4)
