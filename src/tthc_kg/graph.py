"""Build the RDF of one source file (its own named graph; docs/model.md "Plans, sections, tasks, citations")."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from . import iri
from .agencies import normalize_agency
from .analyze import EXTRACTOR_VERSION, Analysis
from .dependency_records import add_records
from .iri import ELI, ORG, PROV, TTHC
from .models import Resolved
from .segment import clause
from .symbols import parse_symbol, type_word
from .timeframe import parse_timeframe

# The version of ontology/tthc.ttl (its owl:versionInfo) this builder writes for; tests/test_ops.py checks they
# agree. With EXTRACTOR_VERSION it is recorded in every source graph, so `tthc-kg doctor` can tell stale graphs.
ONTOLOGY_VERSION = "0.2.0"  # 0.2.0: tthc:dependencyRecord (dependency_records.py)


class _Terms:
    """A namespace whose terms are made once: rdflib makes (and checks) a new URIRef on every ``TTHC.x``, about one
    per triple built (bench/README.md "Ingest speed"). The same terms, as ``ns.x`` and ``ns["x"]``."""

    def __init__(self, ns: Any) -> None:
        self._ns = ns
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = getattr(self._ns, name)
        setattr(self, name, term)  # found as a plain attribute from now on
        return term  # type: ignore[no-any-return]

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = self._ns[name]
        return term


RDF, XSD, DCTERMS, SKOS, ELI, ORG, PROV, TTHC = (  # type: ignore[misc]
    _Terms(ns) for ns in (RDF, XSD, DCTERMS, SKOS, ELI, ORG, PROV, TTHC)
)
# pure functions of their arguments, called once per agency or timeframe cell: the same few values, again and again
_agency_ref = lru_cache(maxsize=16384)(normalize_agency)
_agency_iri = lru_cache(maxsize=16384)(iri.agency)
_timeframe = lru_cache(maxsize=4096)(parse_timeframe)


# a plain or typed literal of a Python value (str, int, bool): roles, kinds, booleans, versions, citation texts and
# offsets recur across plans; rdflib's Literal() takes ~5 µs to cast and check each. typed: 1 and True are two
# literals ("1"^^xsd:integer, "true"^^xsd:boolean), not one cache entry
_lit = lru_cache(maxsize=1 << 16, typed=True)(Literal)


@lru_cache(maxsize=4096)
def _date(d: date) -> Literal:
    return Literal(d.isoformat(), datatype=XSD.date)


@lru_cache(maxsize=4096)  # agency names, timeframes, section titles recur; a Literal is immutable
def _vi(text: str) -> Literal:
    return Literal(text, lang="vi")


def build_graph(a: Analysis, g: Graph | None = None) -> Graph:
    """The source's graph. ``g``: where to add the triples (default a new rdflib Graph); the bulk path passes a
    plain list-backed sink with an ``add`` method, which is several times faster than rdflib's indexed store."""
    g = Graph() if g is None else g
    src = iri.source(a.key)
    plan = iri.plan(a.key)
    act = iri.extraction(EXTRACTOR_VERSION)
    g.add((src, RDF.type, TTHC.SourceFile))
    g.add((src, TTHC.path, _lit(a.path)))
    g.add((src, TTHC.contentHash, _lit(a.content_hash)))
    g.add((src, TTHC.charCount, _lit(len(a.original))))
    g.add((act, RDF.type, TTHC.Extraction))
    g.add((act, TTHC.extractorVersion, _lit(EXTRACTOR_VERSION)))
    g.add((act, TTHC.ontologyVersion, _lit(ONTOLOGY_VERSION)))
    g.add((src, PROV.wasGeneratedBy, act))  # which extractor and ontology built this graph (doctor, --stale)

    _plan(g, a, plan, src)
    stubs_done: set[str] = set()
    for r in a.citations:
        _citation(g, a, r, plan, src, act)
        if not r.in_registry and r.iri not in stubs_done:
            stubs_done.add(r.iri)
            _stub(g, r, src)
    _tasks(g, a, plan)
    add_records(g)  # last: each citation's superseded-dependencies row, from the triples above
    return g


def _plan(g: Graph, a: Analysis, plan: URIRef, src: URIRef) -> None:
    head = a.plan_header
    g.add((plan, RDF.type, TTHC.Plan))
    g.add((plan, RDF.type, TTHC.LegalDocument))
    g.add((plan, RDF.type, TTHC.AdministrativeDocument))
    g.add((plan, PROV.wasDerivedFrom, src))
    g.add((src, TTHC.plan, plan))  # the way back, for queries that start from citations (one lookup, not 25)
    if head is None:
        return
    tw = type_word(head.doc_type) if head.doc_type else None
    if tw:
        g.add((plan, RDF.type, TTHC[tw.cls]))
        g.add((plan, TTHC.typeLabel, _vi(tw.word)))
    if head.title:
        g.add((plan, DCTERMS.title, _vi(" ".join(head.title.split()))))
    symbol = parse_symbol(head.number) if head.number else None
    if symbol is not None:
        g.add((plan, TTHC.symbol, _lit(str(symbol))))
        g.add((plan, TTHC.number, _lit(symbol.number)))
        g.add((plan, TTHC.code, _lit(symbol.code)))
    if a.context.issuer:
        g.add((plan, TTHC.issuerName, _vi(_issuer_label(a))))
        g.add((plan, ELI.passed_by, iri.agency(_issuer_label(a))))
    ref = a.context.date or (date(head.year, head.month or 1, 1) if head.year else None)
    if a.context.date:
        g.add((plan, ELI.date_document, _date(a.context.date)))
    if ref:
        # the date the audit compares with: the full date, or the first day of the printed month/year
        g.add((plan, TTHC.referenceDate, _date(ref)))
    if head.date_text:
        g.add((plan, TTHC.dateText, _lit(head.date_text)))
    if a.context.year:
        g.add((plan, TTHC.year, _lit(a.context.year)))
    if len(a.headers) > 1:
        decision = iri.plan_decision(a.key)
        first = a.headers[0]
        g.add((decision, RDF.type, TTHC.LegalDocument))
        g.add((decision, RDF.type, TTHC.QuyetDinh))
        g.add((decision, RDF.type, TTHC.AdministrativeDocument))
        g.add((decision, TTHC.issues, plan))
        g.add((decision, PROV.wasDerivedFrom, src))
        if first.title:
            g.add((decision, DCTERMS.title, _vi(" ".join(first.title.split()))))
        if first.number and (s := parse_symbol(first.number)):
            g.add((decision, TTHC.symbol, _lit(str(s))))


def _issuer_label(a: Analysis) -> str:
    ctx = a.context
    issuer = ctx.issuer or ""
    if ctx.province and ctx.province not in issuer:
        return f"{issuer} {ctx.level or 'tỉnh'} {ctx.province}"
    return issuer


def _citation(g: Graph, a: Analysis, r: Resolved, plan: URIRef, src: URIRef, act: URIRef) -> None:
    node = iri.citation(a.key, r.start)
    doc = URIRef(r.iri)
    g.add((node, RDF.type, TTHC.Citation))
    g.add((node, TTHC.cites, doc))
    g.add((node, TTHC.inSource, src))
    g.add((node, TTHC.start, _lit(r.start)))
    g.add((node, TTHC.end, _lit(r.end)))
    g.add((node, TTHC.text, _lit(r.text)))
    context = clause(a.normalized.text, r.citation.start, r.citation.end, a.preambles)
    if context:
        g.add((node, TTHC.context, _vi(context)))
    g.add((node, TTHC.role, _lit(r.role)))
    g.add((node, PROV.wasGeneratedBy, act))
    if r.citation.scope:
        g.add((node, TTHC.scope, _lit(r.citation.scope)))
    target = iri.task(a.key, r.task) if r.task else plan
    g.add((node, TTHC.citedIn, target))
    g.add((plan, ELI.cites, doc))
    if r.role == "basis":
        g.add((plan, ELI.based_on, doc))
    if r.task:
        g.add((target, TTHC.taskBasis, doc))


def _stub(g: Graph, r: Resolved, src: URIRef) -> None:
    """A document known only from its citations: what they say of it, marked as a stub."""
    doc = URIRef(r.iri)
    c = r.citation
    g.add((doc, RDF.type, TTHC.LegalDocument))
    tw = type_word(c.type) if c.type else None
    if tw:
        g.add((doc, RDF.type, TTHC[tw.cls]))
        g.add((doc, TTHC.typeLabel, _vi(tw.word)))
    g.add((doc, TTHC.isStub, _lit(True)))
    g.add((doc, TTHC.inRegistry, _lit(False)))
    g.add((doc, PROV.wasDerivedFrom, src))
    if r.symbol is not None:
        g.add((doc, TTHC.symbol, _lit(str(r.symbol))))
        g.add((doc, TTHC.number, _lit(r.symbol.number)))
        g.add((doc, TTHC.code, _lit(r.symbol.code)))
        g.add((doc, RDF.type, TTHC.NormativeDocument if r.symbol.always_normative else TTHC.LegalDocument))
    if c.year:
        g.add((doc, TTHC.year, _lit(c.year)))
    if c.date:
        g.add((doc, ELI.date_document, _date(c.date)))
    if r.issuer:
        g.add((doc, TTHC.issuerName, _vi(r.issuer)))
    title = c.title if c.kind == "symbol" else (c.title or r.text)
    if title:
        g.add((doc, DCTERMS.title, _vi(title)))


def _tasks(g: Graph, a: Analysis, plan: URIRef) -> None:
    ctx = a.context
    sections: dict[str, URIRef] = {}
    for t in a.tasks:
        node = iri.task(a.key, t.number)
        g.add((node, RDF.type, TTHC.Task))
        g.add((plan, TTHC.hasTask, node))
        g.add((node, TTHC.taskNumber, _lit(t.number)))
        g.add((node, TTHC.content, _vi(t.content)))
        if t.section:
            sec = sections.get(t.section)
            if sec is None:
                sec = sections[t.section] = iri.section(a.key, t.section[:80])
                g.add((sec, RDF.type, TTHC.Section))
                g.add((sec, DCTERMS.title, _vi(t.section)))
                g.add((plan, TTHC.hasSection, sec))
            g.add((sec, TTHC.hasTask, node))
        for prop, names in ((TTHC.lead, t.lead), (TTHC.coordinator, t.coordinators)):
            for printed in names:
                ref = _agency_ref(printed, ctx.issuer, ctx.province)
                agency = _agency_iri(ref.name)
                g.add((node, prop, agency))
                g.add((agency, RDF.type, ORG.Organization))
                g.add((agency, SKOS.prefLabel, _vi(ref.name)))
                if ref.printed != ref.name:
                    g.add((agency, SKOS.altLabel, _vi(ref.printed)))
                if ref.parent:
                    g.add((agency, ORG.subOrganizationOf, _agency_iri(ref.parent)))
        if t.timeframe:
            g.add((node, TTHC.timeframe, _vi(t.timeframe)))
            parsed = _timeframe(t.timeframe, ctx.year)
            g.add((node, TTHC.timeframeKind, _lit(parsed.kind)))
            for deadline in parsed.deadlines:  # several deadlines in one cell: all kept, `due` is the latest
                g.add((node, TTHC.deadline, _date(deadline)))
        if t.due:
            g.add((node, TTHC.due, _date(t.due)))
        g.add((node, TTHC.recurring, _lit(bool(t.recurring))))
        if t.outputs:
            g.add((node, TTHC.output, _vi(t.outputs)))
