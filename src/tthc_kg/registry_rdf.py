"""Compile the registry to RDF (docs/model.md): documents, change events with their shortcut triples, agencies
and agency changes, and the registry's own evidence date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from . import iri
from .iri import ELI, ID, ORG, PROV, TTHC
from .registry import _DOC_CLASSES, ENDING_KINDS, EVENT_CLASSES, Registry, RegistryDocument
from .symbols import type_word

_SHORTCUTS: dict[str, URIRef] = {
    "repeal": ELI.repeals,
    "partial_repeal": TTHC.partiallyRepeals,
    "amendment": ELI.amends,
    "guidance": TTHC.guides,
}


def _d(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _doc_classes(doc: RegistryDocument) -> Iterator[URIRef]:
    yield TTHC.LegalDocument
    yield TTHC.NormativeDocument if doc.normative else TTHC.AdministrativeDocument
    if doc.symbol.party:
        yield TTHC.PartyDocument
        return
    word = type_word(doc.type)
    yield TTHC[word.cls] if word is not None and word.cls in _DOC_CLASSES else TTHC.OtherDocument


def _add_texts(g: Graph, s: URIRef, p: URIRef, values: Iterable[str | None], lang: str | None = None) -> None:
    for v in values:
        if v:
            g.add((s, p, Literal(v, lang=lang)))


def compile_registry(reg: Registry) -> Graph:
    """The registry as RDF: documents, change events with their shortcut triples, agencies, agency events."""
    g = Graph()
    for prefix, ns in (
        ("tthc", TTHC),
        ("id", ID),
        ("eli", ELI),
        ("org", ORG),
        ("prov", PROV),
        ("dcterms", DCTERMS),
        ("skos", SKOS),
    ):
        g.bind(prefix, Namespace(str(ns)))

    node = iri.registry()
    g.add((node, RDF.type, TTHC.Registry))
    _add_texts(g, node, TTHC.evidenceDate, [reg.evidence_date])
    _add_texts(g, node, TTHC.evidenceNote, [reg.evidence_note])
    _add_texts(
        g,
        node,
        SKOS.note,
        [f"{k.removeprefix('abbrev:')} = {v}" for k, v in sorted(reg.meta.items()) if k.startswith("abbrev:")],
    )

    for a in reg.agencies:
        g.add((a.iri, RDF.type, ORG.Organization))
        g.add((a.iri, SKOS.prefLabel, Literal(a.name, lang="vi")))
        _add_texts(g, a.iri, SKOS.altLabel, a.alt_names, "vi")
        if a.parent:
            parent = reg.agency(a.parent)
            g.add((a.iri, ORG.subOrganizationOf, parent.iri if parent else iri.agency(a.parent)))
        _add_texts(g, a.iri, TTHC.agencyKind, [a.kind])
        _add_texts(g, a.iri, TTHC.province, [a.province])
        _add_texts(g, a.iri, SKOS.note, [a.note])

    for d in reg.documents:
        s = d.iri
        for cls in _doc_classes(d):
            g.add((s, RDF.type, cls))
        g.add((s, TTHC.symbol, Literal(str(d.symbol))))
        g.add((s, TTHC.number, Literal(d.symbol.number)))
        if d.year is not None:
            g.add((s, TTHC.year, Literal(d.year, datatype=XSD.integer)))
        g.add((s, TTHC.code, Literal(d.symbol.code)))
        g.add((s, TTHC.typeLabel, Literal(d.type)))
        _add_texts(g, s, DCTERMS.title, [d.title], "vi")
        if d.issuer:
            g.add((s, TTHC.issuerName, Literal(d.issuer)))
            agency = reg.agency(d.issuer)
            g.add((s, ELI.passed_by, agency.iri if agency else iri.agency(d.issuer)))
        if d.issued:
            g.add((s, ELI.date_document, _d(d.issued)))
        if d.effective:
            g.add((s, ELI.first_date_entry_in_force, _d(d.effective)))
        _add_texts(g, s, TTHC.statusNote, [d.status_note])
        g.add((s, TTHC.inRegistry, Literal(True)))
        g.add((s, TTHC.isStub, Literal(False)))
        g.add((s, TTHC.confidence, Literal(d.confidence)))
        _add_texts(g, s, DCTERMS.source, [d.source])
        _add_texts(g, s, SKOS.note, [d.note])

    ends: dict[URIRef, date] = {}
    for e in reg.events:
        assert e.iri is not None and e.affected_iri is not None
        ev, old, new = e.iri, e.affected_iri, e.by_iri
        g.add((ev, RDF.type, TTHC.ChangeEvent))
        g.add((ev, RDF.type, EVENT_CLASSES[e.kind]))
        g.add((ev, TTHC.affects, old))
        if new is not None:
            g.add((ev, TTHC.changedBy, new))
        successors = ([new] if e.kind == "replacement" and new is not None else []) + list(e.successor_iris)
        for succ in dict.fromkeys(successors):
            g.add((ev, TTHC.successor, succ))
        if e.effective:
            g.add((ev, TTHC.effectiveDate, _d(e.effective)))
        _add_texts(g, ev, TTHC.scope, [e.scope])
        _add_texts(g, ev, DCTERMS.source, [e.source])
        g.add((ev, TTHC.confidence, Literal(e.confidence)))
        _add_texts(g, ev, SKOS.note, [e.note])
        # shortcut triples (docs/model.md "Change events")
        if e.kind == "replacement" and new is not None:
            g.add((new, TTHC.replaces, old))
            g.add((old, TTHC.replacedBy, new))
        elif e.kind == "expiry":
            for succ in e.successor_iris:
                g.add((old, TTHC.succeededBy, succ))
        elif new is not None:
            g.add((new, _SHORTCUTS[e.kind], old))
        if e.kind in ENDING_KINDS and e.effective and (old not in ends or e.effective < ends[old]):
            ends[old] = e.effective
    for doc_iri, end in ends.items():
        g.add((doc_iri, ELI.date_no_longer_in_force, _d(end)))

    for ae in reg.agency_events:
        assert ae.iri is not None
        g.add((ae.iri, RDF.type, ORG.ChangeEvent))
        _add_texts(g, ae.iri, TTHC.changeKind, [ae.kind])
        for name in ae.original:
            a = reg.agency(name)
            g.add((ae.iri, ORG.originalOrganization, a.iri if a else iri.agency(name)))
            g.add((a.iri if a else iri.agency(name), ORG.changedBy, ae.iri))  # W3C ORG: the org → its change
        for name in ae.resulting:
            a = reg.agency(name)
            g.add((ae.iri, ORG.resultingOrganization, a.iri if a else iri.agency(name)))
            g.add((a.iri if a else iri.agency(name), ORG.resultedFrom, ae.iri))
        if ae.effective:
            g.add((ae.iri, PROV.startedAtTime, _d(ae.effective)))
            g.add((ae.iri, TTHC.effectiveDate, _d(ae.effective)))
        for basis in ae.legal_basis_iris:
            g.add((ae.iri, TTHC.legalBasis, basis))
        _add_texts(g, ae.iri, DCTERMS.source, [ae.source])
        g.add((ae.iri, TTHC.confidence, Literal(ae.confidence)))
        _add_texts(g, ae.iri, SKOS.note, [ae.note])
    # machine-read amendment events (data/registry/machine_read_events.csv, tthc-kg registry import-vbhn): unconfirmed,
    # flagged tthc:machineRead, never one the curated files already record (vbhn_import.py)
    from .vbhn_import import machine_read_graph

    g += machine_read_graph(reg)
    return g


# --- command line (wired as `tthc-kg registry validate [DIR]`) --------------------------------------------
