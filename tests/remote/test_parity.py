"""Parity: every named query, the audit and the impact service answer the same on the embedded store and on each
SPARQL server (Virtuoso, Oxigraph server) holding the same seeds — compared term by term (datatypes and
language tags included), as multisets of rows, and in the order each query's ORDER BY fixes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from paths import AS_OF, ROOT
from tthc_kg import iri, queries
from tthc_kg.audit import audit
from tthc_kg.store import Store, StoreError, open_store
from tthc_kg.store_remote import RemoteSpec, RemoteStore, prepare

# Values for the parameters a query requires (by name, else by type): real symbols and IRIs of the seeds.
BY_NAME = {
    "symbol": "61/2018/NĐ-CP",
    "doc": str(iri.ID) + "doc/61-2018-nd-cp",
    "graph": str(iri.REGISTRY_GRAPH),
    "agency": "văn phòng",
    "org": str(iri.ID) + "agency/van-phong-so-cong-thuong-tinh-hung-yen",
    "from": "2024-01-01",
    "to": "2025-12-31",
    "asOf": AS_OF,
}
BY_TYPE = {"xsd:date": AS_OF, "xsd:boolean": "true", "xsd:integer": "10", "xsd:string": "61/2018/NĐ-CP"}
# Answers that are per store by definition: the hash of a graph's triples in the store's own order
# (search-graph-hash.rq says so); only its triple count is compared.
PER_STORE = {"search-graph-hash": ("hash",)}


def params_for(q: queries.NamedQuery) -> dict[str, str]:
    out = {}
    for p in q.params:
        if p.default is None:
            out[p.name] = BY_NAME.get(p.name) or BY_TYPE.get(p.type) or pytest.fail(f"no value for {q.name}:{p.name}")
    return out


def term_key(term: Any) -> str | None:
    """A term as compared: its N-Triples form (lexical value, datatype, language tag); blank nodes only as such
    (their labels are the engine's); values joined by GROUP_CONCAT as a set."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal) and "\u001f" in term.value:
        # a GROUP_CONCAT with the U+001F separator (search-documents' titles, search-tasks' leads): a set of values,
        # in an order SPARQL leaves to the engine
        return "{" + "\u001f".join(sorted(term.value.split("\u001f"))) + "}"
    return str(term)


# Columns that join dependency records with a TAB (GROUP_CONCAT, seven fields a record): compared as a multiset of
# records, in an order SPARQL leaves to the engine.
RECORD_RUNS = {"dependency-records-joined": ("records",)}


def records_key(term: Any) -> str:
    fields = term.value.split("\t")
    return "[" + "\n".join(sorted("\t".join(fields[i : i + 7]) for i in range(0, len(fields), 7))) + "]"


def answer(store: Any, q: queries.NamedQuery, values: dict[str, str]) -> tuple[list[str], list[tuple]]:
    result = store.query(q.text, q.bind(values))
    names = [v.value for v in result.variables]
    skip, runs = PER_STORE.get(q.name, ()), RECORD_RUNS.get(q.name, ())
    return names, [
        tuple(None if n in skip else records_key(row[n]) if n in runs else term_key(row[n]) for n in names)
        for row in result
    ]


def order_keys(text: str, names: list[str]) -> list[int] | None:
    """Column indexes of the query's ORDER BY keys (plain variables, ASC/DESC), up to the first that is not a
    projected variable; None when the query has no ORDER BY."""
    m = re.search(r"\bORDER\s+BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|$)", text, re.S | re.I)
    if not m:
        return None
    keys = []
    for var in re.findall(r"(?:ASC|DESC)?\s*\(?\s*\?(\w+)", m.group(1)):
        if var not in names:
            break
        keys.append(names.index(var))
    return keys


@pytest.mark.parametrize("name", queries.available())
def test_named_query_parity(name: str, embedded_store: Store, seed_store: RemoteStore, server_name: str) -> None:
    q = queries.load(name)
    values = params_for(q)
    names, expected = answer(embedded_store, q, values)
    got_names, got = answer(seed_store, q, values)
    assert got_names == names
    missing, extra = Counter(expected) - Counter(got), Counter(got) - Counter(expected)
    assert not missing and not extra, (
        f"{name} on {server_name}: {len(got)} rows vs {len(expected)} embedded; "
        f"missing {list(missing)[:3]}, extra {list(extra)[:3]}"
    )
    keys = order_keys(q.text, names)
    if keys:
        # rows tied on every ORDER BY key may come in any order (SPARQL leaves it open): compare the keys' sequence
        assert [tuple(r[i] for i in keys) for r in got] == [tuple(r[i] for i in keys) for r in expected]


def test_every_query_is_compared() -> None:
    """The parity test covers every queries/*.rq (parametrized from the folder at collection)."""
    assert len(queries.available()) >= 25


def test_the_graph_hash_is_stable_per_store(seed_store: RemoteStore) -> None:
    q = queries.load("search-graph-hash")
    first = list(seed_store.select(q.text, q.bind({"graph": str(iri.REGISTRY_GRAPH)})))
    again = list(seed_store.select(q.text, q.bind({"graph": str(iri.REGISTRY_GRAPH)})))
    assert first == again and first[0]["triples"] > 100 and re.fullmatch(r"[0-9a-f]{40}", first[0]["hash"])


# --- the store's own operations --------------------------------------------------------------------------------


def test_store_operations_parity(embedded_store: Store, seed_store: RemoteStore) -> None:
    assert seed_store.triple_count() == embedded_store.triple_count()
    assert seed_store.graph_names() == sorted(embedded_store.graph_names())
    for name in embedded_store.graph_names():
        if name.startswith(str(iri.GRAPH) + "source/"):
            key = name.removeprefix(str(iri.GRAPH) + "source/")
            assert seed_store.graph_content_hash(key) == embedded_store.graph_content_hash(key) is not None
    assert seed_store.graph_content_hash("no-such-source") is None
    fmt = ox.RdfFormat.N_QUADS
    assert set(seed_store.dump(fmt).splitlines()) == set(embedded_store.dump(fmt).splitlines())


# --- the audit and the impact service -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [{}, {"expand": True}, {"include_amended": True}, {"include_unresolved": False, "as_of": date(2025, 6, 30)}],
)
def test_audit_parity(options: dict[str, Any], embedded_store: Store, seed_store: RemoteStore) -> None:
    options = {"as_of": date.fromisoformat(AS_OF), **options}
    expected = [f.as_dict() for f in audit(embedded_store, **options)]
    got = [f.as_dict() for f in audit(seed_store, **options)]
    assert expected, "the seeds have findings"
    assert got == expected


def test_impact_parity(embedded_store: Store, seed_store: RemoteStore) -> None:
    from tthc_kg.api.services.change_impact import impact

    symbols = sorted(
        {r["bySymbol"] for r in embedded_store.select(queries.load("change-events").text) if r["bySymbol"]}
    )
    assert "118/2025/NĐ-CP" in symbols
    for symbol in symbols:
        for expand in (False, True):
            expected = impact(embedded_store, symbol, date.fromisoformat(AS_OF), expand)
            got = impact(seed_store, symbol, date.fromisoformat(AS_OF), expand)
            assert (got and got.model_dump()) == (expected and expected.model_dump()), symbol


def test_impact_over_http(embedded_store: Store, seed_store: RemoteStore) -> None:
    """The REST API on a remote store answers what it answers on the embedded one."""
    from fastapi.testclient import TestClient

    from tthc_kg.api.app import create_app

    params = {"symbol": "118/2025/NĐ-CP", "as_of": AS_OF, "expand": True}
    answers = []
    for store in (embedded_store, seed_store):
        with TestClient(create_app(store=store)) as client:
            response = client.get("/api/impact", params=params)
            assert response.status_code == 200, response.text
            answers.append(response.json())
    assert answers[0] == answers[1] and answers[0]["tasks"]


# --- writes: atomic replacement, chunked loads ---------------------------------------------------------------


def _graph(n: int, tag: str) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"{iri.ID}test/{i}"), URIRef(str(iri.TTHC) + "label"), Literal(f'{tag} {i} — "đ"\n', lang="vi")))
    return g


def _count(store: RemoteStore, graph: URIRef) -> int:
    rows = list(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": graph}))
    return int(rows[0]["n"])


def test_replace_graph_replaces_and_failures_leave_the_old_graph(
    seed_store: RemoteStore, server_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tthc_kg.store_remote as remote

    name = URIRef(str(iri.GRAPH) + "test/replace")
    assert seed_store.replace_graph(name, _graph(30, "a")) == 30
    assert seed_store.replace_graph(name, _graph(10, "b")) == 10
    rows = list(seed_store.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": name}))
    assert len(rows) == 10 and all(r["o"].startswith("b ") and r["o"].endswith('"đ"\n') for r in rows)
    # A replacement the server rejects fails as a whole: the DROP at the head of the same request is not applied.
    # Virtuoso rejects an integer it cannot convert (SR341) when it runs the request; Oxigraph stores ill-typed
    # literals, so it gets a line it cannot parse.
    bad_line = {
        "virtuoso": '<http://example.org/a> <http://example.org/p> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        "oxigraph": "<http://example.org/a> <http://example.org/p> .",
    }[server_name]
    real_nt = remote._nt
    monkeypatch.setattr(remote, "_nt", lambda triples: real_nt(triples) + bad_line + "\n")
    with pytest.raises(StoreError):
        seed_store.replace_graph(name, _graph(5, "c"))
    monkeypatch.undo()
    assert _count(seed_store, name) == 10
    seed_store.remove_graph(name)
    assert _count(seed_store, name) == 0


def test_large_graphs_are_staged_then_moved(seed_store: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import tthc_kg.store_remote as remote

    monkeypatch.setattr(remote, "CHUNK_TRIPLES", 200)
    name = URIRef(str(iri.GRAPH) + "test/chunked")
    seed_store.replace_graph(name, _graph(50, "old"))
    assert seed_store.replace_graph(name, _graph(950, "new")) == 950
    assert _count(seed_store, name) == 950
    rows = list(seed_store.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": name}))
    assert all(r["o"].startswith("new ") for r in rows)
    staging = list(
        seed_store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), 'urn:tthc-kg:staging')) }"
        )
    )
    assert staging == []
    seed_store.remove_graph(name)


# --- binding, limits, configuration ---------------------------------------------------------------------------


def test_values_are_written_by_rdflib_inside_the_where_group() -> None:
    q = queries.load("successor")
    text = prepare(q.text, q.bind({"symbol": 'x" } ; DROP ALL ; #', "asOf": "2025-01-01"}))
    assert (
        'VALUES (?symbol ?asOf) { ("x\\" } ; DROP ALL ; #" "2025-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) }'
        in text
    )
    assert text.index("VALUES") > text.index("WHERE")
    assert text.startswith("PREFIX tthc: <https://w3id.org/tthc-kg/ontology#>")
    with pytest.raises(ValueError):
        prepare(q.text, {"symbol": URIRef("http://example.org/> } DROP ALL {"), "asOf": date(2025, 1, 1)})
    # every nested group that uses a parameter gets the values (SPARQL evaluates groups bottom-up), but not an
    # EXISTS pattern (evaluated with the outer row substituted) nor a VALUES data block
    assert text.count("VALUES (?symbol ?asOf)") == 1 and "VALUES ?goneClass { tthc:Replacement" in text
    text = prepare(
        "SELECT ?x ?p WHERE { { ?s ?q ?x FILTER (?x < ?p) } FILTER EXISTS { ?s ?q ?p } VALUES ?z { 1 } }", {"p": 3}
    )
    assert text.count('VALUES (?p) { ("3") }') == 2 and "EXISTS { ?s ?q ?p }" in text and "VALUES ?z { 1 }" in text


def test_a_cut_result_is_an_error(servers: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Virtuoso answers at most ResultSetMaxRows rows, silently but for a header: the store refuses the answer."""
    from remote_servers import Server

    small = Server("virtuoso", tmp_path_factory.mktemp("sparql-virtuoso-small"), env={"VIRTUOSO_MAX_ROWS": "50"})
    try:
        store = small.store()
        with pytest.raises(StoreError, match="ResultSetMaxRows"):
            list(store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
        assert len(list(store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10"))) == 10
    finally:
        small.stop()


@pytest.mark.parametrize(
    "spec, message",
    [
        ("sparql+http://dba:dba@127.0.0.1:1/sparql", "credentials in the store spec"),
        ("sparql+http://127.0.0.1:1/sparql?auth=ntlm", "basic or digest"),
        ("sparql+http:///sparql", "no host"),
        ("sparql+http://127.0.0.1:1/sparql", "cannot reach"),
        ("sparql+http://127.0.0.1:1/sparql?max_rows=0", "positive integer"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(spec)


def test_spec_endpoints() -> None:
    spec = RemoteSpec("sparql+http://127.0.0.1:8890/sparql?update=/sparql-auth&auth=digest&default-graph-uri=")
    assert spec.query_url == "http://127.0.0.1:8890/sparql?default-graph-uri="
    assert spec.update_url == "http://127.0.0.1:8890/sparql-auth" and spec.auth == "digest"
    assert RemoteSpec("sparql+https://h/q").update_url == "https://h/q"


# --- the command line on a server -------------------------------------------------------------------------------


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "tthc-kg"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
    )


def test_cli_on_a_server(
    servers: dict[str, Any],
    embedded_store: Store,
    remote_stores: dict[str, RemoteStore],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--store sparql+http://…` runs the audit and named queries; bad credentials are a one-line error."""
    import tthc_kg.store
    from tthc_kg import cli

    virtuoso = servers["virtuoso"]
    env = {"TTHC_KG_SPARQL_USER": "dba", "TTHC_KG_SPARQL_PASSWORD": "dba"}
    args = ("audit", "--all", "--as-of", AS_OF, "--format", "jsonl")
    remote = _cli(*args, "--store", virtuoso.spec, env=env)
    # the same command on the embedded store, in this process (its store directory is open here, and locked)
    monkeypatch.setattr(tthc_kg.store, "open_store", lambda spec, read_only=False: embedded_store)
    code = cli.main([*args, "--store", str(embedded_store.path)])
    monkeypatch.undo()
    assert remote.returncode == code == 0 and remote.stdout == capsys.readouterr().out and remote.stdout
    rows = _cli(
        "query", "successor", "--param", "symbol=61/2018/NĐ-CP", "--format", "json", "--store", virtuoso.spec, env={}
    )
    assert rows.returncode == 0, rows.stderr
    assert "118/2025/NĐ-CP" in {json.loads(line)["successorSymbol"] for line in rows.stdout.splitlines()}
    wrong = _cli(
        "ingest",
        "--quiet",
        "--no-index",
        "data/plans",
        "--store",
        virtuoso.spec,
        env={**env, "TTHC_KG_SPARQL_PASSWORD": "nope"},
    )
    assert wrong.returncode != 0
    lines = wrong.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("tthc-kg: error:") and "refused" in lines[-1], wrong.stderr
    assert remote_stores["virtuoso"].triple_count() == embedded_store.triple_count()  # untouched


def test_sparql_endpoint_over_a_server(embedded_store: Store, seed_store: RemoteStore, tmp_path: Path) -> None:
    """The project's own /sparql endpoint, with a server behind it: SELECT, ASK and CONSTRUCT answer as on the
    embedded store (SELECT byte for byte; a graph as the same set of triples)."""
    from fastapi.testclient import TestClient

    from tthc_kg.api.app import create_app

    assert isinstance(open_store(str(tmp_path / "embedded")), Store)  # a directory spec is the embedded store
    select = "SELECT ?doc ?symbol WHERE { ?doc tthc:inRegistry true ; tthc:symbol ?symbol } ORDER BY ?symbol ?doc"
    ask = 'ASK { ?doc tthc:symbol "118/2025/NĐ-CP" }'
    construct = "CONSTRUCT { ?doc tthc:symbol ?symbol } WHERE { ?doc tthc:inRegistry true ; tthc:symbol ?symbol }"
    answers = []
    for store in (embedded_store, seed_store):
        with TestClient(create_app(store=store)) as client:
            got = []
            for query, fmt in ((select, "json"), (ask, "json"), (construct, "ntriples")):
                response = client.get("/sparql", params={"query": query, "format": fmt})
                assert response.status_code == 200, response.text
                got.append(response.content if fmt == "json" else set(response.content.splitlines()))
            answers.append(got)
    assert answers[0] == answers[1]
    assert b"true" in answers[0][1] and len(answers[0][2]) > 20
