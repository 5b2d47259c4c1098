"""The shipped registry (data/registry) and its reader, checker and compiler (src/tthc_kg/registry.py).

The hard facts asserted here come from legal-registry.md (sections A–D): NĐ 118/2025 replaced 61/2018 and
107/2021 but only amended 45/2020 and 42/2022; Luật 64/2025 replaced 80/2015 and 63/2020; 31/2021/QĐ-TTg has no
status-changing event; nothing about 309/2026/NĐ-CP.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from tthc_kg import iri
from tthc_kg.iri import ELI, ORG, TTHC
from tthc_kg.registry import (
    AGENCY_EVENTS,
    DOCUMENTS,
    ENDING_KINDS,
    EVENTS,
    META,
    Registry,
    RegistryInvalid,
    default_directory,
    load_registry,
    main_validate,
    validate_registry,
)
from tthc_kg.registry_rdf import compile_registry
from tthc_kg.symbols import parse_symbol

# (XSD itself is not imported: pytest probes module globals, and rdflib's DefinedNamespace warns on that)
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "registry"

# Every row of the tables of legal-registry.md, sections A (31 rows) and B (8 rows).
SECTION_A = (
    "20/2008/NĐ-CP",
    "63/2010/NĐ-CP",
    "48/2013/NĐ-CP",
    "92/2017/NĐ-CP",
    "61/2018/NĐ-CP",
    "107/2021/NĐ-CP",
    "45/2020/NĐ-CP",
    "118/2025/NĐ-CP",
    "34/2016/NĐ-CP",
    "154/2020/NĐ-CP",
    "78/2025/NĐ-CP",
    "09/2019/NĐ-CP",
    "42/2022/NĐ-CP",
    "01/2018/TT-VPCP",
    "02/2017/TT-VPCP",
    "01/2020/TT-VPCP",
    "03/2022/TT-BTP",
    "167/2012/TT-BTC",
    "01/2023/TT-VPCP",
    "45/2016/QĐ-TTg",
    "31/2021/QĐ-TTg",
    "766/QĐ-TTg",
    "451/QĐ-TTg",
    "1085/QĐ-TTg",
    "468/QĐ-TTg",
    "76/NQ-CP",
    "131/NQ-CP",
    "66/NQ-CP",
    "80/2015/QH13",
    "63/2020/QH14",
    "64/2025/QH15",
)
SECTION_B = (
    "367/2025/NĐ-CP",
    "03/2025/TT-VPCP",
    "87/2025/QH15",
    "79/2025/NĐ-CP",
    "80/2025/NĐ-CP",
    "05/2025/TT-VPCP",
    "29/2026/QĐ-TTg",
    "07/2014/TT-BTP",
)
# legal bases of the agency changes (section C)
SECTION_C = (
    "176/2025/QH15",
    "55/2025/NĐ-CP",
    "45/2025/NĐ-CP",
    "150/2025/NĐ-CP",
    "202/2025/QH15",
    "203/2025/QH15",
    "72/2025/QH15",
    "65/2025/QH15",
)


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry(SHIPPED)


@pytest.fixture(scope="module")
def graph(reg: Registry) -> Graph:
    return compile_registry(reg)


def doc(reg: Registry, symbol: str):
    found = reg.lookup(parse_symbol(symbol))
    assert len(found) == 1, f"{symbol}: {len(found)} documents"
    return found[0]


def events_of(reg: Registry, symbol: str, kind: str | None = None):
    d = doc(reg, symbol)
    return [e for e in reg.events_affecting(d) if kind is None or e.kind == kind]


# --- the shipped data -----------------------------------------------------------------------------------------


def test_shipped_registry_validates_with_zero_errors() -> None:
    assert [str(e) for e in validate_registry(SHIPPED)] == []


def test_default_directory_is_the_shipped_one_and_env_overrides_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TTHC_KG_REGISTRY", raising=False)
    assert default_directory() == SHIPPED
    monkeypatch.setenv("TTHC_KG_REGISTRY", str(tmp_path))
    assert default_directory() == tmp_path


def test_every_document_of_sections_a_b_and_c_is_a_row(reg: Registry) -> None:
    assert len(SECTION_A) == 31 and len(SECTION_B) == 8
    assert len(reg.documents) >= len(SECTION_A) + len(SECTION_B)
    symbols = {str(d.symbol) for d in reg.documents}
    missing = [s for s in SECTION_A + SECTION_B + SECTION_C if s not in symbols]
    assert missing == []


def test_evidence_date_is_year_and_month(reg: Registry, graph: Graph) -> None:
    assert reg.evidence_date == "2026-06"
    assert reg.evidence_note
    node = iri.registry()
    assert (node, RDF.type, TTHC.Registry) in graph
    assert (node, TTHC.evidenceDate, Literal("2026-06")) in graph


def test_every_event_has_a_source_and_a_confidence(reg: Registry) -> None:
    for e in [*reg.events, *reg.agency_events]:
        assert e.source, f"line {e.line}"
        assert e.confidence in ("confirmed", "unconfirmed"), f"line {e.line}"
    for d in reg.documents:
        assert d.source and d.confidence in ("confirmed", "unconfirmed"), str(d.symbol)


# --- the hard facts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("old", ["61/2018/NĐ-CP", "107/2021/NĐ-CP"])
def test_118_2025_replaced_61_2018_and_107_2021(reg: Registry, graph: Graph, old: str) -> None:
    (e,) = events_of(reg, old, "replacement")
    assert str(e.by) == "118/2025/NĐ-CP"
    assert e.effective == date(2025, 7, 1)
    assert e.confidence == "confirmed"
    old_iri, new_iri = doc(reg, old).iri, doc(reg, "118/2025/NĐ-CP").iri
    assert (e.iri, RDF.type, TTHC.Replacement) in graph
    assert (e.iri, TTHC.affects, old_iri) in graph
    assert (e.iri, TTHC.changedBy, new_iri) in graph
    assert (e.iri, TTHC.successor, new_iri) in graph
    assert (e.iri, TTHC.effectiveDate, Literal("2025-07-01", datatype=XSD_DATE)) in graph
    assert (e.iri, TTHC.confidence, Literal("confirmed")) in graph
    assert (new_iri, TTHC.replaces, old_iri) in graph
    assert (old_iri, TTHC.replacedBy, new_iri) in graph
    assert (old_iri, ELI.date_no_longer_in_force, Literal("2025-07-01", datatype=XSD_DATE)) in graph


def test_45_2020_was_only_amended_and_partially_repealed(reg: Registry, graph: Graph) -> None:
    events = events_of(reg, "45/2020/NĐ-CP")
    assert not [e for e in events if e.kind in ENDING_KINDS]
    (partial,) = [e for e in events if e.kind == "partial_repeal"]
    assert partial.scope == "khoản 1 Điều 16"
    assert str(partial.by) == "118/2025/NĐ-CP" and partial.effective == date(2025, 7, 1)
    assert partial.confidence == "confirmed"
    (amend,) = [e for e in events if e.kind == "amendment"]
    assert str(amend.by) == "118/2025/NĐ-CP" and amend.effective == date(2025, 7, 1)
    d = doc(reg, "45/2020/NĐ-CP").iri
    assert (None, TTHC.replaces, d) not in graph
    assert (d, TTHC.replacedBy, None) not in graph
    assert (d, ELI.date_no_longer_in_force, None) not in graph
    assert (doc(reg, "118/2025/NĐ-CP").iri, TTHC.partiallyRepeals, d) in graph
    assert (doc(reg, "118/2025/NĐ-CP").iri, ELI.amends, d) in graph


def test_42_2022_was_only_amended_and_lost_dieu_13(reg: Registry) -> None:
    events = events_of(reg, "42/2022/NĐ-CP")
    assert not [e for e in events if e.kind in ENDING_KINDS]
    (partial,) = [e for e in events if e.kind == "partial_repeal"]
    assert (partial.scope, str(partial.by), partial.effective) == ("Điều 13", "118/2025/NĐ-CP", date(2025, 7, 1))
    (amend,) = [e for e in events if e.kind == "amendment"]
    assert "khoản 1 Điều 12" in (amend.scope or "") and "điểm c khoản 1 Điều 4" in (amend.scope or "")


@pytest.mark.parametrize(
    ("symbol", "scope"), [("63/2010/NĐ-CP", "khoản 3 Điều 5"), ("92/2017/NĐ-CP", "khoản 2 Điều 6")]
)
def test_118_2025_also_amends_the_base_decrees(reg: Registry, symbol: str, scope: str) -> None:
    found = [e for e in events_of(reg, symbol, "amendment") if str(e.by) == "118/2025/NĐ-CP"]
    assert [(e.scope, e.effective, e.confidence) for e in found] == [(scope, date(2025, 7, 1), "confirmed")]
    assert not [e for e in events_of(reg, symbol) if e.kind in ENDING_KINDS]


@pytest.mark.parametrize("old", ["80/2015/QH13", "63/2020/QH14"])
def test_64_2025_replaced_the_old_law_from_2025_04_01(reg: Registry, old: str) -> None:
    (e,) = events_of(reg, old, "replacement")
    assert (str(e.by), e.effective, e.confidence) == ("64/2025/QH15", date(2025, 4, 1), "confirmed")


def test_07_2014_replaced_by_03_2022(reg: Registry) -> None:
    (e,) = events_of(reg, "07/2014/TT-BTP", "replacement")
    assert (str(e.by), e.effective, e.confidence) == ("03/2022/TT-BTP", date(2022, 3, 28), "confirmed")


def test_01_2020_probably_replaced_by_05_2025_is_unconfirmed(reg: Registry) -> None:
    (e,) = events_of(reg, "01/2020/TT-VPCP", "replacement")
    assert (str(e.by), e.effective, e.confidence) == ("05/2025/TT-VPCP", date(2026, 2, 15), "unconfirmed")


@pytest.mark.parametrize(
    ("symbol", "end", "confidence", "successors"),
    [
        ("34/2016/NĐ-CP", date(2025, 4, 1), "unconfirmed", {"78/2025/NĐ-CP", "79/2025/NĐ-CP", "80/2025/NĐ-CP"}),
        ("154/2020/NĐ-CP", date(2025, 4, 1), "unconfirmed", {"78/2025/NĐ-CP", "79/2025/NĐ-CP", "80/2025/NĐ-CP"}),
        ("01/2018/TT-VPCP", date(2025, 7, 1), "unconfirmed", {"03/2025/TT-VPCP"}),
        ("451/QĐ-TTg", date(2020, 12, 31), None, None),
        ("1085/QĐ-TTg", date(2025, 12, 31), None, None),
        ("468/QĐ-TTg", date(2025, 12, 31), "unconfirmed", None),
    ],
)
def test_expiries(reg: Registry, symbol: str, end: date, confidence: str | None, successors: set[str] | None) -> None:
    (e,) = events_of(reg, symbol, "expiry")
    assert e.effective == end and e.by is None
    if confidence:
        assert e.confidence == confidence
    if successors is not None:
        assert {str(s) for s in e.successors} == successors
    if symbol.endswith("QĐ-TTg"):
        assert "derived" in (e.note or ""), "a period-end date must say it is derived"


def test_31_2021_stays_in_force_and_29_2026_is_only_an_unconfirmed_row(reg: Registry, graph: Graph) -> None:
    changing = (*ENDING_KINDS, "partial_repeal")
    assert [e for e in events_of(reg, "31/2021/QĐ-TTg") if e.kind in changing] == []
    d29 = doc(reg, "29/2026/QĐ-TTg")
    assert d29.confidence == "unconfirmed"
    assert reg.events_affecting(d29) == [] and reg.events_by(d29) == []
    d31 = doc(reg, "31/2021/QĐ-TTg").iri
    assert (d31, ELI.date_no_longer_in_force, None) not in graph
    assert (d31, TTHC.replacedBy, None) not in graph


def test_nothing_mentions_309_2026(reg: Registry, graph: Graph) -> None:
    for f in SHIPPED.glob("*.csv"):
        assert "309/2026" not in f.read_text(encoding="utf-8"), f.name
    assert not [n for n in graph.all_nodes() if "309/2026" in str(n) or "309-2026" in str(n)]
    assert not reg.lookup(parse_symbol("309/2026/NĐ-CP"))


def test_amendment_marked_question_is_unconfirmed(reg: Registry) -> None:
    (e,) = [e for e in events_of(reg, "20/2008/NĐ-CP", "amendment") if str(e.by) == "92/2017/NĐ-CP"]
    assert e.confidence == "unconfirmed"


def test_confirmed_metadata_unconfirmed_number(reg: Registry) -> None:
    assert doc(reg, "176/2025/QH15").confidence == "unconfirmed"
    assert doc(reg, "167/2012/TT-BTC").confidence == "unconfirmed"
    assert doc(reg, "61/2018/NĐ-CP").confidence == "confirmed"


def test_72_2025_replaced_65_2025(reg: Registry) -> None:
    (e,) = events_of(reg, "65/2025/QH15", "replacement")
    assert str(e.by) == "72/2025/QH15" and e.confidence == "confirmed"


# --- agencies -------------------------------------------------------------------------------------------------


def test_agency_changes(reg: Registry, graph: Graph) -> None:
    by_result = {(ae.kind, ae.resulting): ae for ae in reg.agency_events}
    bo = by_result[("merger", ("Bộ Khoa học và Công nghệ",))]
    assert "Bộ Thông tin và Truyền thông" in bo.original and bo.effective == date(2025, 3, 1)
    assert "176/2025/QH15" in {str(s) for s in bo.legal_basis}
    generic = by_result[("merger", ("Sở Khoa học và Công nghệ",))]
    assert "Sở Thông tin và Truyền thông" in generic.original and generic.effective == date(2025, 3, 1)
    for prov in ("Hưng Yên", "Thái Nguyên", "Cao Bằng"):
        (so,) = [ae for ae in reg.agency_events if f"Sở Thông tin và Truyền thông tỉnh {prov}" in ae.original]
        assert so.resulting == (f"Sở Khoa học và Công nghệ tỉnh {prov}",)
        assert so.effective == date(2025, 3, 1) and so.confidence == "confirmed"
    hy = by_result[("merger", ("Ủy ban nhân dân tỉnh Hưng Yên",))]
    assert set(hy.original) == {"Ủy ban nhân dân tỉnh Thái Bình", "Ủy ban nhân dân tỉnh Hưng Yên"}
    tn = by_result[("merger", ("Ủy ban nhân dân tỉnh Thái Nguyên",))]
    assert set(tn.original) == {"Ủy ban nhân dân tỉnh Bắc Kạn", "Ủy ban nhân dân tỉnh Thái Nguyên"}
    assert not [ae for ae in reg.agency_events if "Ủy ban nhân dân tỉnh Cao Bằng" in ae.original + ae.resulting]
    (ended,) = [ae for ae in reg.agency_events if ae.kind == "ended"]
    assert ended.effective == date(2025, 7, 1) and "Ủy ban nhân dân cấp huyện" in ended.original
    ev = bo.iri
    assert (ev, RDF.type, ORG.ChangeEvent) in graph
    assert (ev, ORG.originalOrganization, iri.agency("Bộ Thông tin và Truyền thông")) in graph
    assert (ev, ORG.resultingOrganization, iri.agency("Bộ Khoa học và Công nghệ")) in graph
    assert reg.agency("UBND tỉnh Hưng Yên") is not None


# --- look-ups -------------------------------------------------------------------------------------------------


def test_lookup(reg: Registry) -> None:
    assert [str(d.symbol) for d in reg.lookup(parse_symbol("61/2018/NĐ-CP"))] == ["61/2018/NĐ-CP"]
    # a missing year: "Thông tư 02/TT-VPCP ngày 31/10/2017"
    assert [str(d.symbol) for d in reg.lookup(parse_symbol("02/TT-VPCP"), 2017)] == ["02/2017/TT-VPCP"]
    assert reg.lookup(parse_symbol("02/TT-VPCP"), 2018) == []
    # a yearless administrative symbol keeps no year; its issue date gives it
    (d76,) = reg.lookup(parse_symbol("76/NQ-CP"), 2021)
    assert str(d76.symbol) == "76/NQ-CP" and d76.year == 2021
    assert d76.iri == iri.document(parse_symbol("76/NQ-CP"), year=2021)
    assert reg.lookup(parse_symbol("76/NQ-CP"), 2020) == []
    assert reg.lookup(parse_symbol("76/NQ-CP")) == [d76]
    assert reg.lookup(parse_symbol("1/2099/NĐ-CP")) == []


def test_lookup_number(reg: Registry) -> None:
    assert [str(d.symbol) for d in reg.lookup_number("131", "Nghị quyết")] == ["131/NQ-CP"]
    assert reg.lookup_number("131", "Nghị định") == []
    # 45/2020/NĐ-CP and 45/2025/NĐ-CP: ambiguous, so a truncated "Nghị định số 45" must stay unresolved
    assert len(reg.lookup_number("45", "Nghị định")) == 2


def test_document_iris_match_iri_document(reg: Registry) -> None:
    for d in reg.documents:
        assert d.iri == iri.document(d.symbol, issuer=d.issuer, year=d.year)
    assert doc(reg, "61/2018/NĐ-CP").iri == URIRef("https://w3id.org/tthc-kg/id/doc/61-2018-nd-cp")
    assert doc(reg, "451/QĐ-TTg").iri == URIRef("https://w3id.org/tthc-kg/id/doc/ttg/2019/451-qd-ttg")


# --- RDF ----------------------------------------------------------------------------------------------------------


def test_documents_in_rdf(reg: Registry, graph: Graph) -> None:
    d = doc(reg, "61/2018/NĐ-CP").iri
    for cls in (TTHC.LegalDocument, TTHC.NghiDinh, TTHC.NormativeDocument):
        assert (d, RDF.type, cls) in graph
    assert (d, TTHC.symbol, Literal("61/2018/NĐ-CP")) in graph
    assert (d, TTHC.year, Literal(2018, datatype=XSD_INTEGER)) in graph
    assert (d, TTHC.inRegistry, Literal(True)) in graph
    assert (d, TTHC.isStub, Literal(False)) in graph
    assert (d, ELI.passed_by, iri.agency("Chính phủ")) in graph
    assert (d, ELI.date_document, Literal("2018-04-23", datatype=XSD_DATE)) in graph
    assert (d, DCTERMS.title, None) in graph
    yearless = doc(reg, "451/QĐ-TTg").iri
    assert (yearless, TTHC.year, Literal(2019, datatype=XSD_INTEGER)) in graph
    assert (yearless, RDF.type, TTHC.AdministrativeDocument) in graph
    law = doc(reg, "64/2025/QH15").iri
    assert (law, RDF.type, TTHC.Luat) in graph


def test_graph_round_trips_through_turtle(graph: Graph) -> None:
    back = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert isomorphic(graph, back)


# --- validation of broken copies -----------------------------------------------------------------------------

GOOD_EVENT = "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-07-01,Điều 3,REPO118,confirmed,"
BROKEN = [
    # (file, row appended, expected message fragment)
    (EVENTS, "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-7-1,,REPO118,confirmed,", "bad date"),
    (EVENTS, "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,01/07/2025,,REPO118,confirmed,", "bad date"),
    (EVENTS, "superseded,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-07-01,,REPO118,confirmed,", "kind"),
    (EVENTS, "replacement,45/2020/NĐ-CP,999/2099/NĐ-CP,,2025-07-01,,somewhere,confirmed,", "not a document"),
    (EVENTS, "expiry,45/2020/NĐ-CP,,999/2099/NĐ-CP,2025-07-01,,somewhere,unconfirmed,", "not a document"),
    (EVENTS, "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-07-01,,REPO118,probable,", "confidence"),
    (EVENTS, "replacement,45/2020/NĐ-CP,,,2025-07-01,,REPO118,confirmed,", "by is empty"),
    (EVENTS, "partial_repeal,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-07-01,,REPO118,confirmed,", "scope is empty"),
    (EVENTS, "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-07-01,,,confirmed,", "source is empty"),
    (EVENTS, "amendment,Luật BHVBQPPL,118/2025/NĐ-CP,,2025-07-01,,REPO118,confirmed,", "cannot parse"),
    (EVENTS, "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-07-01", "expected 9 cells"),
    (EVENTS, "amendment,7/2020/ZZ-XX,118/2025/NĐ-CP,,2025-07-01,,REPO118,confirmed,", "no known type code"),
    (DOCUMENTS, "1/2030/NĐ-CP,Nghị định,,Chính phủ,14/02/2030,,yes,,src,confirmed,", "bad date"),
    (DOCUMENTS, "61/2018/NĐ-CP,Nghị định,,Chính phủ,2018-04-23,,yes,,src,confirmed,", "repeated"),
    (DOCUMENTS, "1/2030/NĐ-CP,Nghị định,,Chính phủ,,,yes,,src,sure,", "confidence"),
    (DOCUMENTS, "1/2030/NĐ-CP,Thông tư,,Chính phủ,,,yes,,src,confirmed,", "contradicts"),
    (DOCUMENTS, "9/QĐ-TTg,Quyết định,,Thủ tướng Chính phủ,,,no,,src,confirmed,", "issue date"),
    (DOCUMENTS, "1/2030/NĐ-CP,Nghị định,,Bộ Không Tồn Tại,,,yes,,src,confirmed,", "not an agency"),
    (
        AGENCY_EVENTS,
        "merger,Sở Không Tồn Tại,Sở Khoa học và Công nghệ,2025-03-01,45/2025/NĐ-CP,src,confirmed,",
        "not an agency",
    ),
    (
        AGENCY_EVENTS,
        "merger,Sở Thông tin và Truyền thông,Sở Khoa học và Công nghệ,2025-03-01,999/2099/NĐ-CP,src,confirmed,",
        "not a document",
    ),
    (META, "evidence_when,2026", "unknown key"),
]


def _broken_copy(tmp_path: Path) -> Path:
    target = tmp_path / "registry"
    shutil.copytree(SHIPPED, target)
    return target


def _append(path: Path, row: str) -> int:
    """Append a row; return its 1-based physical line."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    line = text.count("\n") + 1
    path.write_text(text + row + "\n", encoding="utf-8")
    return line


@pytest.mark.parametrize(("file", "row", "fragment"), BROKEN, ids=[f"{f}:{m}" for f, _, m in BROKEN])
def test_errors_name_file_and_line(tmp_path: Path, file: str, row: str, fragment: str) -> None:
    directory = _broken_copy(tmp_path)
    line = _append(directory / file, row)
    errors = validate_registry(directory)
    assert errors, "the broken copy validated"
    assert any(Path(e.file).name == file and e.line == line and fragment in e.message for e in errors), [
        str(e) for e in errors
    ]
    with pytest.raises(RegistryInvalid) as info:
        load_registry(directory)
    assert info.value.errors == errors


def test_line_numbers_count_multiline_cells(tmp_path: Path) -> None:
    directory = _broken_copy(tmp_path)
    events = directory / EVENTS
    _append(events, GOOD_EVENT + '"a note\nover\nthree lines"')
    line = _append(events, "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-13-01,,REPO118,confirmed,")
    errors = validate_registry(directory)
    assert [(Path(e.file).name, e.line) for e in errors] == [(EVENTS, line)]


def test_header_errors_are_on_line_1(tmp_path: Path) -> None:
    directory = _broken_copy(tmp_path)
    path = directory / EVENTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("kind,affected,by,", "kind,affected,changed_by,", 1), encoding="utf-8")
    errors = validate_registry(directory)
    messages = [(Path(e.file).name, e.line, e.message) for e in errors]
    assert any(f == EVENTS and ln == 1 and "unknown column" in m and "changed_by" in m for f, ln, m in messages)
    assert any(f == EVENTS and ln == 1 and "missing column" in m for f, ln, m in messages)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    directory = _broken_copy(tmp_path)
    (directory / META).unlink()
    errors = validate_registry(directory)
    assert [(Path(e.file).name, e.line) for e in errors] == [(META, 0)]


def test_bom_is_accepted(tmp_path: Path) -> None:
    directory = _broken_copy(tmp_path)
    path = directory / DOCUMENTS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate_registry(directory) == []


def test_main_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_validate(SHIPPED) == 0
    out = capsys.readouterr().out
    assert out.startswith("registry OK:") and out.count("\n") == 1
    directory = _broken_copy(tmp_path)
    line = _append(directory / EVENTS, "amendment,45/2020/NĐ-CP,118/2025/NĐ-CP,,2025-7-1,,REPO118,confirmed,")
    assert main_validate(directory) == 1
    err = capsys.readouterr().err
    assert f"{directory / EVENTS}:{line}: " in err
