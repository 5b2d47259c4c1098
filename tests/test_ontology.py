"""The ontology (ontology/tthc.ttl) and the shapes (ontology/shapes.ttl) against docs/model.md.

- every tthc: term that docs/model.md names is declared, with Vietnamese and English labels;
- HermiT (through owlready2) finds the ontology consistent with no unsatisfiable class, also together with a
  small graph written as docs/model.md says, and finds contradictory data inconsistent;
- pyshacl accepts that graph and rejects broken ones, each for the expected reason.

HermiT supports only the OWL 2 datatype map, which lacks xsd:date (the ELI dates and tthc:effectiveDate use it),
so it runs with ``ignore_unsupported_datatypes``. This module does not import the tthc_kg package.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import owlready2
import pytest
from pyshacl import validate
from rdflib import OWL, RDF, RDFS, SH, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "tthc.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
MODEL_DOC = ROOT / "docs" / "model.md"

TTHC = Namespace("https://w3id.org/tthc-kg/ontology#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ID = Namespace("https://w3id.org/tthc-kg/id/")

PREFIXES = """\
@prefix tthc:    <https://w3id.org/tthc-kg/ontology#> .
@base            <https://w3id.org/tthc-kg/id/> .
@prefix eli:     <http://data.europa.eu/eli/ontology#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

# A registry fragment and one ingested plan, written as docs/model.md prescribes.
VALID_SAMPLE = (
    PREFIXES
    + """
<agency/chinh-phu> a org:Organization ; skos:prefLabel "Chính phủ"@vi .
<agency/van-phong-so> a org:Organization ; skos:prefLabel "Văn phòng Sở"@vi ;
    org:subOrganizationOf <agency/so-khoa-hoc-va-cong-nghe-tinh-hung-yen> .
<agency/so-khoa-hoc-va-cong-nghe-tinh-hung-yen> a org:Organization ;
    skos:prefLabel "Sở Khoa học và Công nghệ tỉnh Hưng Yên"@vi .

<doc/61-2018-nd-cp> a tthc:NghiDinh , tthc:NormativeDocument ;
    tthc:symbol "61/2018/NĐ-CP" ; tthc:number "61" ; tthc:year 2018 ; tthc:code "NĐ-CP" ;
    tthc:typeLabel "Nghị định" ;
    dcterms:title "Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"@vi ;
    eli:passed_by <agency/chinh-phu> ; tthc:issuerName "Chính phủ" ;
    eli:date_document "2018-04-23"^^xsd:date ;
    eli:first_date_entry_in_force "2018-06-21"^^xsd:date ;
    eli:date_no_longer_in_force "2025-07-01"^^xsd:date ;
    tthc:statusNote "Hết hiệu lực từ 01/07/2025" ;
    tthc:isStub false ; tthc:inRegistry true ;
    dcterms:source "Điều 40 Nghị định 118/2025/NĐ-CP" .

<doc/118-2025-nd-cp> a tthc:NghiDinh , tthc:NormativeDocument ;
    tthc:symbol "118/2025/NĐ-CP" ; tthc:year 2025 ;
    eli:date_document "2025-06-09"^^xsd:date ;
    tthc:isStub false ; tthc:inRegistry true ;
    tthc:replaces <doc/61-2018-nd-cp> .
<doc/61-2018-nd-cp> tthc:replacedBy <doc/118-2025-nd-cp> .

<event/61-2018-nd-cp/replacement/1> a tthc:Replacement ;
    tthc:affects <doc/61-2018-nd-cp> ;
    tthc:changedBy <doc/118-2025-nd-cp> ;
    tthc:successor <doc/118-2025-nd-cp> ;
    tthc:effectiveDate "2025-07-01"^^xsd:date ;
    dcterms:source "Điều 40 Nghị định 118/2025/NĐ-CP" ;
    tthc:confidence "confirmed" ;
    skos:note "Thay thế toàn bộ."@vi .

<source/ke-hoach-79-0a1b2c3d> a tthc:SourceFile ;
    tthc:path "data/plans/ke-hoach-79.txt" ;
    tthc:contentHash "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" ;
    tthc:charCount 12345 .

<plan/ke-hoach-79-0a1b2c3d> a tthc:Plan , tthc:KeHoach , tthc:AdministrativeDocument ;
    tthc:symbol "79/KH-SKHCN" ; tthc:year 2023 ;
    eli:date_document "2023-01-13"^^xsd:date ;
    prov:wasDerivedFrom <source/ke-hoach-79-0a1b2c3d> ;
    eli:based_on <doc/61-2018-nd-cp> ;
    eli:cites <doc/61-2018-nd-cp> ;
    tthc:hasSection <plan/ke-hoach-79-0a1b2c3d/section/i> ;
    tthc:hasTask <plan/ke-hoach-79-0a1b2c3d/task/i.1> .
<plan/ke-hoach-79-0a1b2c3d/decision> a tthc:QuyetDinh , tthc:AdministrativeDocument ;
    prov:wasDerivedFrom <source/ke-hoach-79-0a1b2c3d> ;
    tthc:issues <plan/ke-hoach-79-0a1b2c3d> .

<plan/ke-hoach-79-0a1b2c3d/section/i> a tthc:Section ;
    tthc:content "Kiểm soát thủ tục hành chính" ;
    tthc:hasTask <plan/ke-hoach-79-0a1b2c3d/task/i.1> .
<plan/ke-hoach-79-0a1b2c3d/task/i.1> a tthc:Task ;
    tthc:taskNumber "I.1" ;
    tthc:content "Rà soát, cập nhật quy trình nội bộ giải quyết thủ tục hành chính" ;
    tthc:lead <agency/van-phong-so> ;
    tthc:timeframe "Trước 15/01/2024" ; tthc:due "2024-01-14"^^xsd:date ; tthc:recurring false ;
    tthc:output "Quyết định phê duyệt quy trình nội bộ" ;
    tthc:taskBasis <doc/61-2018-nd-cp> .

<doc/45-2020-nd-cp> a tthc:NghiDinh , tthc:NormativeDocument ;
    tthc:symbol "45/2020/NĐ-CP" ; tthc:isStub true .
<event/45-2020-nd-cp/amendment/1> a tthc:Amendment ;
    tthc:affects <doc/45-2020-nd-cp> ; tthc:changedBy <doc/118-2025-nd-cp> ;
    tthc:scope "khoản 1 Điều 16" ; tthc:effectiveDate "2025-07-01"^^xsd:date ;
    dcterms:source "Điều 39 Nghị định 118/2025/NĐ-CP" ; tthc:confidence "unconfirmed" .
<doc/118-2025-nd-cp> eli:amends <doc/45-2020-nd-cp> .
<doc/79-kh-ubnd> a tthc:KeHoach , tthc:AdministrativeDocument ; tthc:symbol "79/KH-UBND" .
<event/79-kh-ubnd/expiry/1> a tthc:Expiry ;
    tthc:affects <doc/79-kh-ubnd> ; tthc:successor <doc/118-2025-nd-cp> ;
    dcterms:source <https://example.org/thong-bao> ; tthc:confidence "unconfirmed" .
<doc/79-kh-ubnd> tthc:succeededBy <doc/118-2025-nd-cp> .

<agency/so-khoa-hoc-va-cong-nghe-tinh-hung-yen/merger> a org:ChangeEvent ;
    org:originalOrganization <agency/so-khoa-hoc-va-cong-nghe-tinh-hung-yen> ;
    org:resultingOrganization <agency/so-khoa-hoc-va-cong-nghe-tinh-hung-yen-moi> ;
    prov:startedAtTime "2025-07-01"^^xsd:date ; tthc:effectiveDate "2025-07-01"^^xsd:date ;
    dcterms:source "Nghị quyết 202/2025/QH15" ; tthc:confidence "confirmed" .

<extraction/0.1.0> a tthc:Extraction ; tthc:extractorVersion "0.1.0" .
<citation/ke-hoach-79-0a1b2c3d/120> a tthc:Citation ;
    tthc:cites <doc/61-2018-nd-cp> ;
    tthc:inSource <source/ke-hoach-79-0a1b2c3d> ;
    tthc:start 120 ; tthc:end 158 ;
    tthc:text "Nghị định số 61/2018/NĐ-CP ngày 23/4/2018" ;
    tthc:role "basis" ;
    tthc:citedIn <plan/ke-hoach-79-0a1b2c3d> ;
    prov:wasGeneratedBy <extraction/0.1.0> .
"""
)

BAD_EVENT = ID["event/61-2018-nd-cp/replacement/1"]
BAD_CITATION = ID["citation/ke-hoach-79-0a1b2c3d/120"]


def _graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _graph(ONTOLOGY)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _graph(SHAPES)


def _sample() -> Graph:
    return Graph().parse(data=VALID_SAMPLE, format="turtle")


# ---------------------------------------------------------------- the ontology as a file


def test_ontology_parses_and_names_itself(ontology: Graph) -> None:
    assert (URIRef("https://w3id.org/tthc-kg/ontology"), RDF.type, OWL.Ontology) in ontology


def test_every_tthc_term_of_the_model_is_declared_and_labelled(ontology: Graph) -> None:
    named = set(re.findall(r"\btthc:([A-Za-z][A-Za-z_]*)", MODEL_DOC.read_text(encoding="utf-8")))
    assert len(named) > 50  # the regex still finds the model's vocabulary
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for local in sorted(named):
        term = TTHC[local]
        assert set(ontology.objects(term, RDF.type)) & kinds, f"tthc:{local} is not declared"
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"vi", "en"} <= languages, f"tthc:{local} lacks a @vi or @en label"
        assert (term, RDFS.comment, None) in ontology, f"tthc:{local} has no rdfs:comment"


@pytest.mark.parametrize(
    ("term", "kind"),
    [
        (ELI.LegalResource, OWL.Class),
        (ELI.amends, OWL.ObjectProperty),
        (ELI.repeals, OWL.ObjectProperty),
        (ELI.cites, OWL.ObjectProperty),
        (ELI.based_on, OWL.ObjectProperty),
        (ELI.passed_by, OWL.ObjectProperty),
        (ELI.date_document, OWL.DatatypeProperty),
        (ELI.first_date_entry_in_force, OWL.DatatypeProperty),
        (ELI.date_no_longer_in_force, OWL.DatatypeProperty),
        (ORG.Organization, OWL.Class),
        (ORG.ChangeEvent, OWL.Class),
        (ORG.subOrganizationOf, OWL.ObjectProperty),
        (ORG.originalOrganization, OWL.ObjectProperty),
        (ORG.resultingOrganization, OWL.ObjectProperty),
        (PROV.Entity, OWL.Class),
        (PROV.Activity, OWL.Class),
        (PROV.wasGeneratedBy, OWL.ObjectProperty),
        (PROV.wasDerivedFrom, OWL.ObjectProperty),
    ],
)
def test_external_terms_are_declared_locally(ontology: Graph, term: URIRef, kind: URIRef) -> None:
    assert (term, RDF.type, kind) in ontology


def test_alignment_axioms(ontology: Graph) -> None:
    assert (TTHC.LegalDocument, RDFS.subClassOf, ELI.LegalResource) in ontology
    assert (TTHC.Plan, RDFS.subClassOf, TTHC.LegalDocument) in ontology
    assert (TTHC.replaces, RDFS.subPropertyOf, ELI.repeals) in ontology
    assert (TTHC.replacedBy, OWL.inverseOf, TTHC.replaces) in ontology
    assert (TTHC.Citation, RDFS.subClassOf, PROV.Entity) in ontology
    assert (TTHC.SourceFile, RDFS.subClassOf, PROV.Entity) in ontology
    assert (TTHC.Extraction, RDFS.subClassOf, PROV.Activity) in ontology
    assert not list(ontology.subjects(RDF.type, OWL.FunctionalProperty))


# ---------------------------------------------------------------- the reasoner


def _reason(graph: Graph, tmp_path: Path) -> owlready2.World:
    """Run HermiT on `graph` in a fresh owlready2 world (owlready2 cannot read Turtle: write N-Triples).

    owlready2 writes its own input file for HermiT with `tempfile` and leaves it behind when the ontology is
    inconsistent, so its temporary directory is pointed at pytest's `tmp_path` for the call.
    """
    nt = tmp_path / "input.nt"
    graph.serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(nt.as_uri()).load()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(tmp_path))
        owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    return world


def test_hermit_finds_the_ontology_consistent(ontology: Graph, tmp_path: Path) -> None:
    world = _reason(ontology, tmp_path)
    assert list(world.inconsistent_classes()) == []
    plan = world[str(TTHC.Plan)]
    assert plan is not None
    assert world[str(ELI.LegalResource)] in plan.ancestors()


def test_hermit_finds_the_model_sample_consistent(ontology: Graph, tmp_path: Path) -> None:
    world = _reason(ontology + _sample(), tmp_path)
    assert list(world.inconsistent_classes()) == []


CONTRADICTIONS = {
    "normative_and_administrative": PREFIXES + "<doc/x> a tthc:NormativeDocument , tthc:AdministrativeDocument .",
    "replacement_and_repeal": PREFIXES + "<event/x> a tthc:Replacement , tthc:Repeal .",
    "citation_is_a_document": PREFIXES + "<citation/x> tthc:cites <doc/y> . <doc/y> tthc:cites <doc/z> .",
    "confidence_out_of_range": PREFIXES + '<event/x> a tthc:Amendment ; tthc:confidence "maybe" .',
}


@pytest.mark.parametrize("name", sorted(CONTRADICTIONS))
def test_hermit_reports_contradictory_data(ontology: Graph, tmp_path: Path, name: str) -> None:
    bad = Graph().parse(data=CONTRADICTIONS[name], format="turtle")
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(ontology + bad, tmp_path)


# ---------------------------------------------------------------- the shapes


def _violations(data: Graph, shapes: Graph) -> tuple[bool, set[tuple[URIRef, URIRef, URIRef]]]:
    conforms, report, _text = validate(data, shacl_graph=shapes, inference="none")
    found = {
        (
            report.value(result, SH.focusNode),
            report.value(result, SH.resultPath),
            report.value(result, SH.sourceConstraintComponent),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    }
    return conforms, found


def test_shapes_parse(shapes: Graph) -> None:
    assert len(list(shapes.subjects(RDF.type, SH.NodeShape))) >= 6


def test_model_sample_conforms(shapes: Graph) -> None:
    conforms, found = _violations(_sample(), shapes)
    assert conforms, found


def test_broken_event_and_citation_do_not_conform(shapes: Graph) -> None:
    data = _sample()
    data.set((BAD_EVENT, TTHC.confidence, Literal("maybe")))
    data.remove((BAD_CITATION, TTHC.cites, None))
    conforms, found = _violations(data, shapes)
    assert not conforms
    assert found == {
        (BAD_EVENT, TTHC.confidence, SH.InConstraintComponent),
        (BAD_CITATION, TTHC.cites, SH.MinCountConstraintComponent),
    }


@pytest.mark.parametrize(
    ("focus", "path", "value", "component"),
    [
        (BAD_CITATION, TTHC.end, Literal(120), SH.LessThanConstraintComponent),
        (BAD_CITATION, TTHC.role, Literal("preamble"), SH.InConstraintComponent),
        (BAD_CITATION, TTHC.start, Literal("120"), SH.DatatypeConstraintComponent),
        (BAD_EVENT, TTHC.changedBy, None, SH.MinCountConstraintComponent),
        (BAD_EVENT, TTHC.effectiveDate, Literal("01/07/2025"), SH.DatatypeConstraintComponent),
        (ID["doc/61-2018-nd-cp"], ELI.date_document, Literal("2018"), SH.DatatypeConstraintComponent),
        (ID["source/ke-hoach-79-0a1b2c3d"], TTHC.contentHash, Literal("abc"), SH.PatternConstraintComponent),
        (ID["plan/ke-hoach-79-0a1b2c3d/task/i.1"], TTHC.taskNumber, None, SH.MinCountConstraintComponent),
    ],
)
def test_each_shape_constraint_can_fail(
    shapes: Graph, focus: URIRef, path: URIRef, value: Literal | None, component: URIRef
) -> None:
    data = _sample()
    data.remove((focus, path, None))
    if value is not None:
        data.add((focus, path, value))
    conforms, found = _violations(data, shapes)
    assert not conforms
    # sh:lessThan is declared on tthc:start and reported on that path
    reported_path = TTHC.start if component == SH.LessThanConstraintComponent else path
    assert (focus, reported_path, component) in found, found


def test_second_symbol_on_a_document_does_not_conform(shapes: Graph) -> None:
    data = _sample()
    doc = ID["doc/61-2018-nd-cp"]
    data.add((doc, TTHC.symbol, Literal("61/2018/NĐ-CP ")))
    conforms, found = _violations(data, shapes)
    assert not conforms
    assert (doc, TTHC.symbol, SH.MaxCountConstraintComponent) in found


@pytest.mark.parametrize("root", [TTHC.LegalDocument, TTHC.ChangeEvent])
def test_shapes_target_every_subclass(ontology: Graph, shapes: Graph, root: URIRef) -> None:
    """The shapes name each subclass as a target, so data typed only with the specific class is checked."""
    subclasses = set(ontology.transitive_subjects(RDFS.subClassOf, root))
    targeted = set(shapes.objects(None, SH.targetClass))
    assert len(subclasses) > 5
    assert subclasses - targeted == set()
