"""The SPARQL 1.1 Protocol endpoint (/sparql) and the named queries over HTTP (/queries).

Two halves: in-process tests of every behaviour with FastAPI's TestClient over the session's seed store, and
protocol tests against a real server (``tthc-kg serve`` in a subprocess) with real clients — SPARQLWrapper,
rdflib's SPARQLStore and curl. No timing is asserted: the time limit is tested by the status it answers with.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import threading
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, URLENCODED, XML, SPARQLWrapper

from live_server import Server, ingest_store, start_server, stop_server
from tthc_kg import queries
from tthc_kg.api import create_app
from tthc_kg.api.settings import Settings
from tthc_kg.api.sparql_exec import RESULT_FORMATS, is_update, keywords, negotiate, parse_accept
from tthc_kg.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "data" / "plans").glob("*.txt"))

TTHC = "https://w3id.org/tthc-kg/ontology#"
SELECT_DOCS = "SELECT ?doc ?symbol WHERE { ?doc tthc:symbol ?symbol ; tthc:inRegistry true } ORDER BY ?symbol"
SELECT_61 = 'SELECT ?doc WHERE { ?doc tthc:symbol "61/2018/NĐ-CP" ; tthc:inRegistry true }'
ASK_61 = 'ASK { ?doc tthc:symbol "61/2018/NĐ-CP" }'
CONSTRUCT_10 = "CONSTRUCT { ?doc tthc:symbol ?symbol } WHERE { ?doc tthc:symbol ?symbol } ORDER BY ?doc LIMIT 10"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# A cross join of every triple three times: an aggregate that yields nothing before it is done.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
INSERT = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
ASK_INSERTED = "ASK { <urn:x:s> <urn:x:p> <urn:x:o> }"

UPDATES = [
    INSERT,
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <urn:x:g>",
    "CREATE GRAPH <urn:x:g>",
    "ADD DEFAULT TO <urn:x:g>",
    "MOVE <urn:x:a> TO <urn:x:b>",
    "COPY DEFAULT TO <urn:x:g>",
    "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/select#>  # SELECT in a comment\n"
    "BASE <http://x/>\ninsert data { ex:a ex:b 'SELECT' }",
]


# --- in-process ---------------------------------------------------------------------------------------------


def make_client(store: Any, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(**settings), store=store))


@pytest.fixture(scope="module")
def client(seed_store: Store) -> TestClient:
    return make_client(seed_store)


def bindings(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]  # type: ignore[no-any-return]


def test_select_answers_standard_json_by_default(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT_DOCS})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert r.headers["x-tthc-truncated"] == "false"
    assert set(r.json()) == {"head", "results"}
    assert r.json()["head"]["vars"] == ["doc", "symbol"]
    symbols = [b["symbol"]["value"] for b in bindings(r)]
    assert "61/2018/NĐ-CP" in symbols and "118/2025/NĐ-CP" in symbols


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/*;q=0.2, text/tab-separated-values;q=0.8", "text/tab-separated-values"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
        ("text/*, text/csv;q=0", "text/tab-separated-values"),
    ],
)
def test_select_negotiates_the_accept_header(client: TestClient, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": SELECT_61}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in r.headers["vary"]
    assert "61-2018-nd-cp" in r.text


def test_select_csv_and_tsv_are_the_standard_tables(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT_61, "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["doc"] and rows[1][0].endswith("/doc/61-2018-nd-cp")
    r = client.get("/sparql", params={"query": SELECT_61, "format": "tsv"})
    lines = r.text.splitlines()
    assert lines[0] == "?doc" and lines[1].startswith("<") and lines[1].endswith("/doc/61-2018-nd-cp>")


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT_61, "format": "xml"}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"] == "application/sparql-results+xml"
    r = client.get("/sparql", params={"query": SELECT_61, "format": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")


def test_ask(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": ASK_61})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert r.json() == {"head": {}, "boolean": True}
    assert "x-tthc-truncated" not in r.headers
    r = client.get(
        "/sparql",
        params={"query": "ASK { ?s tthc:symbol 'không có' }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert "<boolean>false</boolean>" in r.text


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/sparql-results+json, application/n-triples;q=0.5", "application/n-triples", "nt"),
    ],
)
def test_construct_negotiates_graph_formats(
    client: TestClient, accept: str | None, media_type: str, rdflib_format: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": CONSTRUCT_10}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert r.headers["x-tthc-truncated"] == "false"
    graph = Graph().parse(data=r.content, format=rdflib_format)
    assert len(graph) == 10
    assert all(p == URIRef(TTHC + "symbol") for p in graph.predicates())


def test_describe_and_format_json_for_a_graph(client: TestClient) -> None:
    r = client.get(
        "/sparql", params={"query": "DESCRIBE <https://w3id.org/tthc-kg/id/doc/61-2018-nd-cp>", "format": "json"}
    )
    assert r.headers["content-type"] == "application/ld+json"
    graph = Graph().parse(data=r.content, format="json-ld")
    assert (None, URIRef(TTHC + "symbol"), Literal("61/2018/NĐ-CP")) in graph


def test_unacceptable_type_is_406(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT_61}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.json()["detail"]
    r = client.get("/sparql", params={"query": CONSTRUCT_10}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406 and "text/turtle" in r.json()["detail"]
    r = client.get("/sparql", params={"query": CONSTRUCT_10, "format": "csv"})
    assert r.status_code == 406 and "CONSTRUCT" in r.json()["detail"]


def test_unknown_format_is_400(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT_61, "format": "pdf"})
    assert r.status_code == 400 and "unknown format 'pdf'" in r.json()["detail"]


def test_malformed_query_is_400_with_the_parser_message(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("malformed query: error at 1:")
    assert client.get("/sparql").status_code == 400
    assert client.post("/sparql", data={"query": " "}).status_code == 400


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_with_403(client: TestClient, seed_store: Store, update: str) -> None:
    before = seed_store.triple_count()
    responses = [
        client.get("/sparql", params={"query": update}),
        client.get("/sparql", params={"update": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-query"}),
        client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
    ]
    for r in responses:
        assert r.status_code == 403, r.text
        assert r.json()["detail"] == "SPARQL Update is not allowed: this endpoint is read-only"
    assert seed_store.triple_count() == before


def test_keywords_in_strings_iris_names_and_comments_are_not_updates(client: TestClient) -> None:
    query = (
        "PREFIX insert: <http://example.org/delete#>  # DROP ALL\n"
        'SELECT ?delete WHERE { ?delete insert:load \'CLEAR\' . ?delete <urn:x:service> """SERVICE"""@vi }'
    )
    assert not is_update(query)
    assert keywords(query) == ["PREFIX", "SELECT", "WHERE"]
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200 and bindings(r) == []
    assert is_update("# comment\nPREFIX a: <urn:a#> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")


def test_federated_queries_are_refused(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "SERVICE" in r.json()["detail"]


def test_post_form_and_direct_query(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": SELECT_61})
    assert len(bindings(r)) == 1
    r = client.post(
        "/sparql", content=SELECT_61.encode(), headers={"Content-Type": "application/sparql-query; charset=UTF-8"}
    )
    assert len(bindings(r)) == 1
    r = client.post("/sparql", data={"query": SELECT_61, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.post("/sparql", content=SELECT_61, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_dataset_parameters_are_ignored_union_default_graph(client: TestClient) -> None:
    params = {"query": SELECT_61, "default-graph-uri": "urn:x-rdflib:default", "named-graph-uri": "urn:x:none"}
    assert len(bindings(client.get("/sparql", params=params))) == 1


def test_store_prefixes_need_no_declaration_and_graphs_are_named(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert int(bindings(r)[0]["n"]["value"]) >= 6  # five seeds, the test plan and the registry


def test_max_rows_cuts_results_and_says_so(seed_store: Store) -> None:
    small = make_client(seed_store, max_rows=3)
    r = small.get("/sparql", params={"query": SELECT_DOCS})
    assert len(bindings(r)) == 3
    assert r.headers["x-tthc-truncated"] == "true" and r.headers["x-tthc-max-rows"] == "3"
    assert set(r.json()) == {"head", "results"} and set(r.json()["results"]) == {"bindings"}
    r = small.get("/sparql", params={"query": CONSTRUCT_10, "format": "ntriples"})
    assert len(r.text.splitlines()) == 3 and r.headers["x-tthc-truncated"] == "true"
    r = small.get("/sparql", params={"query": SELECT_DOCS + " LIMIT 3", "format": "csv"})
    assert len(r.text.splitlines()) == 4 and r.headers["x-tthc-truncated"] == "false"
    r = small.get("/queries/agency-workload")
    assert len(bindings(r)) == 3 and r.headers["x-tthc-truncated"] == "true"


class BlockingStore:
    """The seed store, but every query waits until released: a query that never finishes in time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.release = threading.Event()

    def query(self, sparql: str, bindings: dict[str, Any] | None = None) -> Any:
        self.release.wait(30)
        return self.store.query(sparql, bindings)


def test_time_limit_answers_503(seed_store: Store) -> None:
    blocking = BlockingStore(seed_store)
    try:
        slow = make_client(blocking, query_timeout=0.2)
        r = slow.get("/sparql", params={"query": SELECT_61})
        assert r.status_code == 503
        assert r.json()["detail"] == "query exceeded the time limit of 0.2 s"
        assert slow.get("/queries/stats").status_code == 503
    finally:
        blocking.release.set()


def test_accept_parsing() -> None:
    assert parse_accept("text/csv;q=0.5, application/json ; charset=utf-8, bad, */*;q=x") == [
        ("text/csv", 0.5),
        ("application/json", 1.0),
        ("*/*", 1.0),
    ]
    assert negotiate("text/plain", RESULT_FORMATS) is None
    assert negotiate("", RESULT_FORMATS) is RESULT_FORMATS[0]


# --- named queries -----------------------------------------------------------------------------------------


def test_queries_lists_every_named_query(client: TestClient) -> None:
    r = client.get("/queries")
    assert r.status_code == 200
    listed = {q["name"]: q for q in r.json()}
    assert sorted(listed) == queries.available()
    successor = listed["successor"]
    assert successor["description"].startswith("successor")
    assert successor["parameters"] == [
        {"name": "symbol", "type": "xsd:string", "default": None},
        {"name": "asOf", "type": "xsd:date", "default": "today"},
    ]
    assert successor["url"].endswith("/queries/successor")


def test_named_query_binds_parameters(client: TestClient) -> None:
    r = client.get("/queries/successor", params={"symbol": "61/2018/NĐ-CP", "asOf": "2026-01-01"})
    rows = bindings(r)
    assert {row["successorSymbol"]["value"] for row in rows} == {"118/2025/NĐ-CP"}
    assert rows[0]["asOf"] == {
        "type": "literal",
        "value": "2026-01-01",
        "datatype": "http://www.w3.org/2001/XMLSchema#date",
    }


def test_named_query_values_are_bound_never_spliced(client: TestClient) -> None:
    hostile = '61/2018/NĐ-CP" } } SELECT * WHERE { ?s ?p ?o } #'
    r = client.get("/queries/successor", params={"symbol": hostile})
    assert bindings(r) == []


def test_named_query_formats(client: TestClient) -> None:
    r = client.get("/queries/stats", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = client.get("/queries/stats", headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"] == "application/sparql-results+xml"
    r = client.get("/queries/stats", headers={"Accept": "text/turtle"})
    assert r.status_code == 406


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"symbol": "61/2018/NĐ-CP", "asOf": "23/4/2018"}, "asOf: expected a date YYYY-MM-DD, got '23/4/2018'"),
        ({"symbol": "61/2018/NĐ-CP", "when": "x"}, "has no parameter 'when'"),
        ({}, "needs symbol=… (xsd:string)"),
        ({"symbol": "61/2018/NĐ-CP", "format": "pdf"}, "unknown format 'pdf'"),
    ],
)
def test_named_query_bad_parameters_are_400(client: TestClient, params: dict[str, str], message: str) -> None:
    r = client.get("/queries/successor", params=params)
    assert r.status_code == 400 and message in r.json()["detail"]


def test_named_query_repeated_parameter_is_400(client: TestClient) -> None:
    r = client.get("/queries/successor?symbol=a&symbol=b")
    assert r.status_code == 400 and "more than once" in r.json()["detail"]


def test_unknown_named_query_is_404(client: TestClient) -> None:
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/queries/..%2Fsecret").status_code == 404


# --- a real server, real clients -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds ingested by the CLI into a store that no process keeps open (servers get copies)."""
    return ingest_store(tmp_path_factory.mktemp("served") / "store", SEEDS, timeout=300)


@pytest.fixture(scope="module")
def server(served_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(served_store, tmp_path_factory.mktemp("server"))
    yield running
    stop_server(running)


def wrapper(server: Server, query: str, return_format: str = JSON) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    sparql.setTimeout(60)
    return sparql


def test_sparqlwrapper_select_returns_json_bindings(server: Server) -> None:
    result = wrapper(server, SELECT_DOCS).queryAndConvert()
    assert isinstance(result, dict)
    symbols = [b["symbol"]["value"] for b in result["results"]["bindings"]]
    assert "61/2018/NĐ-CP" in symbols


def test_sparqlwrapper_select_by_post_and_in_xml(server: Server) -> None:
    sparql = wrapper(server, SELECT_61)
    sparql.setMethod(POST)
    result = sparql.queryAndConvert()
    assert isinstance(result, dict) and len(result["results"]["bindings"]) == 1
    dom = wrapper(server, SELECT_61, XML).queryAndConvert()
    assert "/doc/61-2018-nd-cp" in dom.getElementsByTagName("uri")[0].firstChild.data  # type: ignore[union-attr]


def test_sparqlwrapper_ask(server: Server) -> None:
    assert wrapper(server, ASK_61).queryAndConvert() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("return_format", [RDFXML, JSONLD])
def test_sparqlwrapper_construct_gives_an_rdflib_graph(server: Server, return_format: str) -> None:
    graph = wrapper(server, CONSTRUCT_10, return_format).queryAndConvert()
    assert isinstance(graph, Graph) and len(graph) == 10


def test_sparqlwrapper_update_is_refused_with_403(server: Server) -> None:
    # SPARQLWrapper sees an update and posts it as a form field update=…, or directly as application/sparql-update.
    for request_method in (URLENCODED, POSTDIRECTLY):
        sparql = wrapper(server, INSERT)
        assert sparql.isSparqlUpdateRequest()
        sparql.setMethod(POST)
        sparql.setRequestMethod(request_method)
        with pytest.raises(urllib.error.HTTPError) as raised:
            sparql.query()
        assert raised.value.code == 403
        assert b"read-only" in raised.value.read()
    assert wrapper(server, ASK_INSERTED).queryAndConvert() == {"head": {}, "boolean": False}


def test_rdflib_sparqlstore(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint, returnFormat="json"))
    rows = list(graph.query(SELECT_61, initNs={"tthc": TTHC}))
    assert len(rows) == 1 and str(rows[0][0]).endswith("/doc/61-2018-nd-cp")
    count = wrapper(server, COUNT).queryAndConvert()
    assert len(graph) == int(count["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]
    symbol = URIRef(TTHC + "symbol")
    assert (None, symbol, Literal("61/2018/NĐ-CP")) in graph
    assert graph.query(ASK_61, initNs={"tthc": TTHC}).askAnswer is True


def test_rdflib_sparqlstore_default_xml_and_construct(server: Server) -> None:
    # rdflib's default return format asks for SPARQL XML results or RDF/XML, so CONSTRUCT works too.
    graph = Graph(store=SPARQLStore(server.endpoint))
    assert len(list(graph.query(SELECT_61, initNs={"tthc": TTHC}))) == 1
    constructed = graph.query(CONSTRUCT_10, initNs={"tthc": TTHC}).graph
    assert constructed is not None and len(constructed) == 10
    assert graph.query(ASK_61, initNs={"tthc": TTHC}).askAnswer is True


def test_rdflib_update_store_is_refused(server: Server) -> None:
    store = SPARQLUpdateStore(server.endpoint, server.endpoint)
    with pytest.raises(urllib.error.HTTPError) as raised:
        store.update(INSERT)
    assert raised.value.code == 403
    graph = Graph(store=store, identifier=URIRef("urn:x:g"))
    with pytest.raises(urllib.error.HTTPError) as raised:
        graph.add((URIRef("urn:x:s"), URIRef("urn:x:p"), URIRef("urn:x:o")))
    assert raised.value.code == 403
    assert wrapper(server, ASK_INSERTED).queryAndConvert() == {"head": {}, "boolean": False}


def curl(server: Server, *args: str, path: str = "/sparql") -> tuple[int, str, str]:
    """(status, content type, body) of a curl request."""
    done = subprocess.run(
        ["curl", "-sS", "--max-time", "60", "-w", "\n%{http_code} %{content_type}", *args, server.url + path],
        capture_output=True,
        check=True,
        text=True,
        timeout=90,
    )
    body, _, tail = done.stdout.rpartition("\n")
    status, _, content_type = tail.partition(" ")
    return int(status), content_type, body


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_curl_get_select(server: Server, accept: str, media_type: str) -> None:
    status, content_type, body = curl(server, "-G", "--data-urlencode", f"query={SELECT_61}", "-H", f"Accept: {accept}")
    assert status == 200 and content_type.split(";")[0] == media_type
    assert "61-2018-nd-cp" in body


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json"])
def test_curl_post_construct(server: Server, accept: str) -> None:
    status, content_type, body = curl(server, "--data-urlencode", f"query={CONSTRUCT_10}", "-H", f"Accept: {accept}")
    assert status == 200 and content_type.split(";")[0] == accept
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}[accept]
    assert len(Graph().parse(data=body, format=fmt)) == 10


def test_curl_post_sparql_query_and_refusals(server: Server) -> None:
    status, _, body = curl(server, "-H", "Content-Type: application/sparql-query", "--data-binary", ASK_61)
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = curl(server, "-H", "Content-Type: application/sparql-update", "--data-binary", INSERT)
    assert status == 403 and "read-only" in body
    status, _, body = curl(server, "--data-urlencode", f"update={INSERT}")
    assert status == 403
    status, _, body = curl(server, "-G", "--data-urlencode", f"query={SELECT_61}", "-H", "Accept: image/png")
    assert status == 406
    status, _, body = curl(server, "-G", "--data-urlencode", "query=SELECT * WHERE {")
    assert status == 400 and "malformed query" in body


def test_curl_named_query(server: Server) -> None:
    status, content_type, body = curl(
        server, "-G", "--data-urlencode", "symbol=61/2018/NĐ-CP", "-H", "Accept: text/csv", path="/queries/successor"
    )
    assert status == 200 and content_type.startswith("text/csv")
    assert "118/2025/NĐ-CP" in body
    status, content_type, body = curl(server, path="/queries")
    assert status == 200 and {q["name"] for q in json.loads(body)} == set(queries.available())


def test_time_and_row_limits_on_a_real_server(served_store: Path, tmp_path: Path) -> None:
    tight = start_server(served_store, tmp_path, TTHC_KG_QUERY_TIMEOUT="0.5", TTHC_KG_MAX_ROWS="5")
    try:
        sparql = wrapper(tight, SELECT_DOCS)
        result = sparql.query()
        assert result.info()["x-tthc-truncated"] == "true"
        assert len(result.convert()["results"]["bindings"]) == 5  # type: ignore[index]

        status, _, body = curl(tight, "-G", "--data-urlencode", f"query={HEAVY}")
        assert status == 503
        assert json.loads(body) == {"detail": "query exceeded the time limit of 0.5 s"}
        with pytest.raises(urllib.error.HTTPError) as raised:
            wrapper(tight, HEAVY).query()
        assert raised.value.code == 503
        # The worker evaluating each of them was killed and replaced; the server keeps answering.
        assert wrapper(tight, ASK_61).queryAndConvert() == {"head": {}, "boolean": True}
    finally:
        stop_server(tight)
