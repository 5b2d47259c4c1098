"""Dependency records (src/tthc_kg/dependency_records.py): the encoding, the records build_graph writes, and the
two queries that read them ("superseded-dependencies", "superseded-dependencies-page") against the joined query
they replace (tests/fixtures/superseded-dependencies-joined.rq) — the same rows, columns and order."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from paths import FIXTURES, SEEDS
from tthc_kg import iri, queries
from tthc_kg.dependency_records import ESC, SEP, Record, add_records, decode, decode_joined, encode, records
from tthc_kg.ingest import ingest_files
from tthc_kg.iri import TTHC
from tthc_kg.registry import Registry
from tthc_kg.store import Store

JOINED = (FIXTURES / "superseded-dependencies-joined.rq").read_text(encoding="utf-8")
ORDER = ("file", "taskNumber", "symbol", "finding", "since")
CASES = [(d, a) for d in ("2026-11-22", "2025-07-01", "2025-06-30", "2020-01-01") for a in ("false", "true")]


def record_of(r: dict) -> Record:  # type: ignore[type-arg]
    """The record part of a row (a joined row, or a superseded-dependencies row)."""
    return Record(
        r["file"], r.get("taskNumber"), r["role"], r["plan"], r.get("planSymbol"), r.get("planDate"), r.get("planTitle")
    )


def rows(store: Any, text: str, bindings: dict[str, Any]) -> list[tuple[str | None, ...]]:
    """Each row as N-Triples terms (datatypes and language tags included), in the order answered."""
    result = store.query(text, bindings)
    names = [v.value for v in result.variables]
    return [tuple(None if r[n] is None else str(r[n]) for n in names) for r in result]


def names(store: Any, text: str, bindings: dict[str, Any]) -> list[str]:
    return [v.value for v in store.query(text, bindings).variables]


# --- the encoding ------------------------------------------------------------------------------------------------

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
nasty = st.one_of(text, st.sampled_from(["", "`", "``", "`t", "`0", "`e", "\t", "a\tb", "`\t`", "\t`0"]))


@settings(max_examples=400, deadline=None)
@given(
    file=nasty.filter(bool),
    task=st.none() | nasty,
    symbol=st.none() | nasty,
    title=st.none() | nasty,
    role=st.sampled_from(["basis", "task_basis", "mention"]),
    day=st.none() | st.dates().map(lambda d: d.isoformat()),
)
def test_any_record_round_trips(
    file: str, task: str | None, symbol: str | None, title: str | None, role: str, day: str | None
) -> None:
    rec = Record(file, task, role, "https://w3id.org/tthc-kg/id/plan/x", symbol, day, title)
    encoded = encode(rec)
    assert encoded.count(SEP) == 6
    assert decode(encoded) == rec


def test_plain_values_are_written_as_they_are() -> None:
    rec = Record(
        "data/plans/a b.txt",
        "I.1",
        "task_basis",
        "https://w3id.org/tthc-kg/id/plan/p",
        "79/KH-UBND",
        "2024-01-05",
        "Kế hoạch kiểm soát thủ tục hành chính năm 2024",
    )
    assert encode(rec) == SEP.join(rec)
    # absent optional values are empty fields; a present empty one is marked, so it stays present
    assert encode(rec._replace(taskNumber=None, planTitle="")).split(SEP)[1::5] == ["", ESC + "0"]


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "basis\t"},
        {"plan": "https://x/`"},
        {"planDate": ""},
        {"file": ""},
        {"role": ""},
    ],
)
def test_fields_read_as_they_are_are_checked(bad: dict[str, str]) -> None:
    rec = Record("f", None, "basis", "https://w3id.org/tthc-kg/id/plan/p", None, "2024-01-01", None)
    with pytest.raises(ValueError):
        encode(rec._replace(**bad))


def test_a_record_with_the_wrong_number_of_fields_is_refused() -> None:
    with pytest.raises(ValueError, match="7 fields"):
        decode("a\tb")


records_strategy = st.builds(
    lambda file, task, title: Record(file, task, "basis", "https://w3id.org/tthc-kg/id/plan/x", None, None, title),
    nasty.filter(bool),
    st.none() | nasty,
    st.none() | nasty,
)


@settings(max_examples=200, deadline=None)
@given(recs=st.lists(records_strategy, max_size=6))
def test_records_joined_by_tab_round_trip(recs: list[Record]) -> None:
    """dependency-records-joined.rq joins the records' texts with a TAB: every seven fields are one record again."""
    joined = SEP.join(encode(r) for r in recs)
    assert decode_joined(joined, len(recs)) == recs
    assert decode_joined(joined) == recs


def test_a_joined_run_with_a_field_too_many_or_the_wrong_count_is_refused() -> None:
    one = encode(Record("f.md", "1", "basis", "https://w3id.org/tthc-kg/id/plan/x", None, None, None))
    with pytest.raises(ValueError, match="7 a record"):
        decode_joined(one + SEP + "extra")
    with pytest.raises(ValueError, match="2 records"):
        decode_joined(one, 2)
    with pytest.raises(ValueError, match="without file, role or plan"):
        decode_joined("\t1\tbasis\tp\t\t\t")
    assert decode_joined("", 0) == [] and decode_joined("") == []


def test_the_joined_query_holds_the_same_records_as_the_per_record_query(seed_store: Store) -> None:
    joined, per_record = queries.load("dependency-records-joined"), queries.load("dependency-records")
    docs = {r["doc"] for r in seed_store.select("SELECT DISTINCT ?doc WHERE { ?doc tthc:dependencyRecord ?r }")}
    assert len(docs) > 20
    for doc in docs:
        [row] = list(seed_store.select(joined.text, joined.bind({"doc": doc})))
        each = seed_store.select(per_record.text, per_record.bind({"doc": doc}))
        expected = Counter(decode(r["record"]) for r in each)
        assert Counter(decode_joined(row["records"], row["count"])) == expected, doc


# --- what build_graph writes -------------------------------------------------------------------------------------


def _graph_with_two_citations() -> Graph:
    g = Graph()
    src, plan, task = URIRef("urn:src"), URIRef("urn:plan"), URIRef("urn:task")
    doc = URIRef("urn:doc")
    g.add((src, TTHC.path, Literal("x.txt")))
    g.add((src, TTHC.plan, plan))
    g.add((plan, DCTERMS.title, Literal("Kế hoạch", lang="vi")))
    g.add((plan, TTHC.referenceDate, Literal("2024-03-01", datatype=XSD.date)))
    g.add((task, TTHC.taskNumber, Literal("2.1")))
    for n, (where, role) in enumerate([(plan, "basis"), (task, "task_basis"), (task, "task_basis")]):
        c = URIRef(f"urn:c{n}")
        g.add((c, RDF.type, TTHC.Citation))
        g.add((c, TTHC.cites, doc))
        g.add((c, TTHC.role, Literal(role)))
        g.add((c, TTHC.inSource, src))
        g.add((c, TTHC.citedIn, where))
    return g


def test_records_are_the_joined_rows_of_the_graph() -> None:
    g = _graph_with_two_citations()
    found = records(g)
    assert found == {
        URIRef("urn:doc"): {
            Record("x.txt", None, "basis", "urn:plan", None, "2024-03-01", "Kế hoạch"),
            Record("x.txt", "2.1", "task_basis", "urn:plan", None, "2024-03-01", "Kế hoạch"),
        }
    }
    assert add_records(g) == 2  # the two citations in task 2.1 give one record: the query's rows are DISTINCT
    assert {decode(str(o)) for o in g.objects(URIRef("urn:doc"), TTHC.dependencyRecord)} == found[URIRef("urn:doc")]


def test_a_title_in_another_language_is_refused() -> None:
    g = _graph_with_two_citations()
    g.set((URIRef("urn:plan"), DCTERMS.title, Literal("Plan", lang="en")))
    with pytest.raises(ValueError, match="language"):
        records(g)


def test_every_source_graph_holds_the_records_of_its_citations(seed_store: Store) -> None:
    """Per source graph: the records decode to exactly the joined rows of that graph's own citations."""
    joined = """
        SELECT ?g ?doc ?file ?taskNumber ?role ?plan ?planSymbol ?planDate ?planTitle WHERE { GRAPH ?g {
          ?c tthc:cites ?doc ; tthc:role ?role ; tthc:inSource ?s ; tthc:citedIn ?w .
          ?s tthc:path ?file ; tthc:plan ?plan .
          OPTIONAL { ?plan dcterms:title ?planTitle } OPTIONAL { ?plan tthc:symbol ?planSymbol }
          OPTIONAL { ?plan tthc:referenceDate ?planDate } OPTIONAL { ?w tthc:taskNumber ?taskNumber } } }"""
    expected = {
        (
            r["g"],
            r["doc"],
            record_of(r),
        )
        for r in seed_store.select(joined)
    }
    got = {
        (r["g"], r["doc"], decode(r["record"]))
        for r in seed_store.select("SELECT ?g ?doc ?record WHERE { GRAPH ?g { ?doc tthc:dependencyRecord ?record } }")
    }
    assert len(expected) > 50 and got == expected
    assert len({g for g, _, _ in got}) == len(SEEDS) + 1  # every plan's own graph, none in the registry's


def test_reingest_replaces_a_plans_records(tmp_path: Path, registry: Registry) -> None:
    store = Store(tmp_path / "store")
    plan = tmp_path / "ke-hoach.txt"
    base = (FIXTURES / "ke-hoach-outdated-2025.txt").read_text(encoding="utf-8")
    plan.write_text(base, encoding="utf-8")
    ingest_files(store, registry, [str(plan)], progress=False)
    q = "SELECT ?doc ?record WHERE { ?doc tthc:dependencyRecord ?record }"
    before = list(store.select(q))
    assert any(r["doc"].endswith("/doc/61-2018-nd-cp") for r in before)
    plan.write_text(base.replace("61/2018/NĐ-CP", "99/2099/XX-YY"), encoding="utf-8")
    ingest_files(store, registry, [str(plan)], progress=False)
    after = list(store.select(q))
    assert after and not any(r["doc"].endswith("/doc/61-2018-nd-cp") for r in after)
    graph = str(iri.source_graph(iri.source_key(str(plan))))
    assert {r["g"] for r in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d tthc:dependencyRecord ?r } }")} == {
        graph
    }


# --- the queries ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("as_of", "amended"), CASES)
def test_the_records_query_answers_the_joined_querys_rows(seed_store: Store, as_of: str, amended: str) -> None:
    q = queries.load("superseded-dependencies")
    b = q.bind({"asOf": as_of, "includeAmended": amended})
    cols = names(seed_store, q.text, b)
    assert cols == names(seed_store, JOINED, b)
    expected, got = rows(seed_store, JOINED, b), rows(seed_store, q.text, b)
    assert Counter(got) == Counter(expected)
    keys = [cols.index(k) for k in ORDER]
    assert [tuple(r[i] for i in keys) for r in got] == [tuple(r[i] for i in keys) for r in expected]
    if as_of == "2026-11-22" and amended == "false":
        assert len(got) >= 20


@pytest.mark.parametrize(("as_of", "amended"), [*CASES[::2], CASES[1]])
def test_the_page_query_answers_the_same_rows_grouped_by_event(seed_store: Store, as_of: str, amended: str) -> None:
    full, page = queries.load("superseded-dependencies"), queries.load("superseded-dependencies-page")
    b = full.bind({"asOf": as_of, "includeAmended": amended})
    assert names(seed_store, page.text, b) == names(seed_store, full.text, b)
    got = rows(seed_store, page.text, b)
    assert Counter(got) == Counter(rows(seed_store, full.text, b))
    assert rows(seed_store, page.text, b) == got  # the same order every time: pages neither repeat nor skip
    cols = names(seed_store, page.text, b)
    ev = cols.index("event")
    events = [r[ev] for r in got]
    runs = [e for i, e in enumerate(events) if i == 0 or events[i - 1] != e]
    assert len(runs) == len(set(events)), "each event's rows come together"
    # grouped by kind of change in the VALUES table's order, as the header says
    kinds = ['"replaced"', '"repealed"', '"expired"', '"partially_repealed"', '"amended"']
    seen = [r[cols.index("finding")] for r in got]
    assert [kinds.index(k) for k in seen] == sorted(kinds.index(k) for k in seen)


def test_the_page_query_streams_its_first_rows(seed_store: Store) -> None:
    page = queries.load("superseded-dependencies-page")
    b = page.bind({"asOf": "2026-11-22", "includeAmended": "true"})
    everything = rows(seed_store, page.text, b)
    assert len(everything) > 50
    assert rows(seed_store, page.text + "\nLIMIT 50", b) == everything[:50]
    assert rows(seed_store, page.text + "\nLIMIT 50 OFFSET 50", b) == everything[50:100]


def test_escaped_fields_come_back_whole(registry: Registry) -> None:
    """Values holding TAB, "`" and escape-like text, through the query: each column as the record had it."""
    store = Store.in_memory()
    from tthc_kg.registry_rdf import compile_registry

    store.replace_graph(iri.REGISTRY_GRAPH, compile_registry(registry))
    doc = URIRef(str(iri.ID) + "doc/61-2018-nd-cp")
    recs = [
        Record(
            "dir\twith tab/`t`0`e.txt",
            "I`.1\t",
            "task_basis",
            "https://w3id.org/tthc-kg/id/plan/p1",
            "`0",
            None,
            "Tiêu đề\tcó `e dấu",
        ),
        Record("plain.txt", "", "mention", "https://w3id.org/tthc-kg/id/plan/p2", None, "2024-02-29", ""),
        Record("b.txt", None, "basis", "https://w3id.org/tthc-kg/id/plan/p3", "79/KH-UBND", None, None),
    ]
    g = Graph()
    for r in recs:
        g.add((doc, TTHC.dependencyRecord, Literal(encode(r))))
    store.replace_graph(URIRef(str(iri.GRAPH) + "source/test"), g)
    q = queries.load("superseded-dependencies")
    got = {tuple(record_of(r)) for r in store.select(q.text, q.bind({"asOf": "2026-11-22"}))}
    assert got == {tuple(r) for r in recs}
    raw = rows(store, q.text, q.bind({"asOf": "2026-11-22"}))
    title = names(store, q.text, q.bind({"asOf": "2026-11-22"})).index("planTitle")
    assert {r[title] for r in raw} == {'"Tiêu đề\\tcó `e dấu"@vi', '""@vi', None}
