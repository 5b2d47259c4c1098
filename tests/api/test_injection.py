"""Injection (issue 7, part 6): hostile values in every parameter of every route and every named query cannot
change what a query means.

Each hostile value (quotes, braces, ``}``, ``;``, ``INSERT``/``DROP``/``LOAD``, IRIs with ``>``, newlines, NUL,
backslashes, percent-escapes, markup, RTL and combining unicode) carries the marker ``qzx``. For each parameter
of each operation — the routes are read from the app's OpenAPI description, so a route added later is covered
too — and each named query, the answer must be:

- a refusal (400/404/422 with a message) or the same answer as for an inert value that matches nothing
  (``khongcogi``), the echoed value aside;
- never a 500; the store's triples and named graphs unchanged;
- and no SPARQL text the store evaluates ever contains the marker (every value travels as a bound term).

The HTML pages get the same, plus: the value appears in a page only HTML-escaped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tthc_kg import queries
from tthc_kg.api import create_app
from tthc_kg.api.settings import Settings
from tthc_kg.store import Store

MARK = "qzx"
HOSTILE = [
    f'{MARK}"',
    f"{MARK}'",
    f'{MARK}" }} ; INSERT DATA {{ <urn:{MARK}:s> <urn:{MARK}:p> <urn:{MARK}:o> }} #',
    f"{MARK}' . }} UNION {{ ?s ?p ?o }} #",
    f'{MARK}"@vi ) }} ; DROP ALL ; #',
    f"<urn:{MARK}:a> }} ; CLEAR ALL",
    f'{MARK}>" ; LOAD <http://127.0.0.1:1/{MARK}.ttl>',
    f"{MARK}\n}} INSERT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}\n#",
    f'{MARK}\\" ) ) }} #',
    f"{MARK}\r\n\t;",
    f"{MARK}\x00",
    f"{MARK} \u202e\u200b Ωμέγα 😀 e\u0301 ĐỎ",
    f"<script>alert('{MARK}')</script>",
    f"{MARK}%22%7D%3B%0A",
    f"{MARK} ?var $var {{{{ }}}} FILTER(true)",
]
HOSTILE_IRIS = [
    f"urn:{MARK}:x> }} ; INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} #",
    f"http://example.org/{MARK}>",
    f"urn:{MARK}:a b",
    f'urn:{MARK}:"',
    f"urn:{MARK}:%3E%7D",  # a valid IRI: answered like any unknown IRI
]
INERT = "khongcogi"
INERT_IRI = "urn:inert:khongcogi"
AS_OF = "2026-11-22"


class SpyStore:
    """The seed store, recording every SPARQL text it evaluates."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.texts: list[str] = []

    def query(self, sparql: str, bindings: dict[str, Any] | None = None) -> Any:
        self.texts.append(sparql)
        return self._store.query(sparql, bindings)

    def select(self, sparql: str, bindings: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        return Store.select(self, sparql, bindings)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture(scope="module")
def spy(seed_store: Store) -> SpyStore:
    return SpyStore(seed_store)


@pytest.fixture(scope="module")
def client(spy: SpyStore, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(store=tmp_path_factory.mktemp("unused"), query_timeout=60)
    return TestClient(create_app(settings, store=spy), raise_server_exceptions=False)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def store_unchanged(seed_store: Store, spy: SpyStore) -> Iterator[None]:
    before = (seed_store.triple_count(), sorted(seed_store.graph_names()))
    spy.texts.clear()
    yield
    assert (seed_store.triple_count(), sorted(seed_store.graph_names())) == before
    leaked = [t for t in spy.texts if MARK in t]
    assert not leaked, f"a value reached the query text: {leaked[0][:300]}"


def scrub(value: Any, echoes: list[str]) -> Any:
    """The answer with the echoed parameter value (in any of its printed forms) replaced by a placeholder."""
    if isinstance(value, dict):
        return {k: scrub(v, echoes) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, echoes) for v in value]
    if isinstance(value, str):
        for echo in echoes:
            value = value.replace(echo, "§")
        return value
    return value


def echoes(value: str) -> list[str]:
    forms = {value, repr(value), repr(value)[1:-1], json.dumps(value)[1:-1], value.strip(), " ".join(value.split())}
    forms |= {quote(value, safe=""), quote_plus(value), html.escape(value), html.escape(value, quote=False)}
    forms.add(str(escape(value)))
    return sorted(forms, key=len, reverse=True)


def words(value: str) -> str:
    """A free-text value without its punctuation (letters, digits and combining marks kept): what a search for
    the hostile value must answer like, if punctuation carries no query syntax."""
    return " ".join(re.sub(r"[^\w\u0300-\u036f]+", " ", value).split())


def same_answer(hostile: Any, inert: Any, value: str, inert_value: str = INERT) -> None:
    assert hostile.status_code != 500, hostile.text
    if hostile.status_code in (400, 404, 413, 422):
        assert hostile.json()["detail"], hostile.text  # a refusal (or "no such thing") with a message
        return
    assert hostile.status_code == inert.status_code, (hostile.status_code, hostile.text[:300], inert.text[:300])
    kind = hostile.headers.get("content-type", "")
    if "json" in kind:
        assert scrub(hostile.json(), echoes(value) + echoes(INERT)) == scrub(inert.json(), inert_echoes(inert_value))
    else:  # a feed says when it was made: the time of day is not part of the answer
        made = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
        got = made.sub("T", scrub(hostile.text, echoes(value) + echoes(INERT)))
        assert got == made.sub("T", scrub(inert.text, inert_echoes(inert_value)))


def inert_echoes(inert_value: str) -> list[str]:
    return sorted({*echoes(inert_value), *echoes(INERT), *echoes(INERT_IRI)}, key=len, reverse=True)


# --- the REST routes, from the OpenAPI description ----------------------------------------------------------


def _schema_types(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]


def valid_value(schema: dict[str, Any]) -> str | None:
    """A valid value for a parameter that is not under attack (None: leave it out when optional)."""
    for s in _schema_types(schema):
        if "enum" in s:
            return str(s["enum"][0])
        if s.get("format") == "date":
            return AS_OF
        if s.get("type") == "integer":
            return str(s.get("minimum", 1))
        if s.get("type") == "boolean":
            return "false"
        if s.get("type") == "string":
            return INERT
    return None


def is_text(schema: dict[str, Any]) -> bool:
    for s in _schema_types(schema):
        if s.get("type") == "array":
            s = s.get("items", {})
        if s.get("type") == "string" and "enum" not in s and "format" not in s:
            return True
    return False


def rest_cases(app: Any) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(path, method, attacked parameter, all parameters) for every GET operation with parameters."""
    cases = []
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            params = op.get("parameters", [])
            if method != "get" or path == "/sparql":  # /sparql's query is the query itself (test_security)
                continue
            for p in params:
                cases.append((path, method, p["name"], params))
    return cases


# Parameters that are free text searched by words (not matched as a whole value)
FREE_TEXT = {("/api/search", "q")}
_APP = create_app(Settings(), store=Store.in_memory())
REST = rest_cases(_APP)


def build(path: str, params: list[dict[str, Any]], attacked: str, value: str) -> tuple[str, dict[str, str]]:
    query: dict[str, str] = {}
    for p in params:
        name, schema = p["name"], p.get("schema", {})
        given = value if name == attacked else (valid_value(schema) if p.get("required") or p["in"] == "path" else None)
        if name != attacked and path.startswith("/queries/") and name == "name":
            given = "successor"
        if given is None:
            continue
        if p["in"] == "path":
            path = path.replace("{" + name + "}", quote(given, safe=""))
        else:
            query[name] = given
    return path, query


def test_every_route_with_parameters_is_covered() -> None:
    routes = {path for path, *_ in REST}
    for expected in ("/api/documents/{symbol}", "/api/audit", "/api/impact", "/api/tasks", "/api/search"):
        assert expected in routes
    assert len(REST) >= 20


@pytest.mark.parametrize(("path", "method", "attacked", "params"), REST, ids=[f"{c[0]}:{c[2]}" for c in REST])
def test_hostile_values_in_route_parameters(
    client: TestClient, path: str, method: str, attacked: str, params: list[dict[str, Any]]
) -> None:
    schema = next(p.get("schema", {}) for p in params if p["name"] == attacked)
    url, query = build(path, params, attacked, INERT)
    inert = client.request(method, url, params=query)
    assert inert.status_code != 500, inert.text
    for value in HOSTILE + HOSTILE_IRIS:
        url, query = build(path, params, attacked, value)
        hostile = client.request(method, url, params=query)
        if (path, attacked) in FREE_TEXT:  # a text search: the hostile words are searched, the punctuation inert
            url, query = build(path, params, attacked, words(value))
            same_answer(hostile, client.request(method, url, params=query), value, words(value))
        elif is_text(schema) and not (path == "/queries/{name}" and attacked == "name"):
            same_answer(hostile, inert, value)
        else:  # a date, number, enum or query name: the value is refused
            assert hostile.status_code in (400, 404, 406, 422), (attacked, value, hostile.status_code, hostile.text)


def test_hostile_draft_text_and_date_in_check(client: TestClient) -> None:
    inert = client.post("/api/check", json={"text": INERT, "as_of": AS_OF})
    assert inert.status_code == 200
    for value in HOSTILE:
        same_answer(client.post("/api/check", json={"text": value, "as_of": AS_OF}), inert, value)
        assert client.post("/api/check", json={"text": INERT, "as_of": value}).status_code == 422


# --- the named queries -----------------------------------------------------------------------------------------


NAMED = [(name, p.name, p.type) for name in queries.available() for p in queries.load(name).params]


def named_values(name: str, attacked: str, value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in queries.load(name).params:
        if p.name == attacked:
            out[p.name] = value
        elif p.default is None:
            out[p.name] = {"iri": INERT_IRI, "xsd:date": AS_OF, "xsd:boolean": "false"}.get(p.type, INERT)
    return out


def test_every_named_query_parameter_is_covered() -> None:
    assert {t for *_, t in NAMED} >= {"xsd:string", "iri", "xsd:date", "xsd:boolean"}


@pytest.mark.parametrize(("name", "attacked", "type_"), NAMED, ids=[f"{n}:{a}" for n, a, _ in NAMED])
def test_hostile_values_in_named_query_parameters(client: TestClient, name: str, attacked: str, type_: str) -> None:
    inert_value = INERT_IRI if type_ == "iri" else INERT
    inert = client.get(f"/queries/{name}", params=named_values(name, attacked, inert_value))
    if type_ in ("iri", "xsd:string"):
        assert inert.status_code == 200, inert.text
    for value in HOSTILE + HOSTILE_IRIS:
        r = client.get(f"/queries/{name}", params=named_values(name, attacked, value))
        if type_ == "xsd:string" or (type_ == "iri" and r.status_code == 200):
            assert r.status_code == 200, r.text
            assert r.json() == inert.json(), (name, attacked, value)  # SPARQL results echo nothing
        else:
            assert r.status_code == 400, (name, attacked, value, r.text)


def test_a_real_value_does_change_the_answer(client: TestClient) -> None:
    """The comparisons above are not vacuous: the parameters do select."""
    found = client.get("/queries/successor", params={"symbol": "61/2018/NĐ-CP"}).json()["results"]["bindings"]
    none = client.get("/queries/successor", params={"symbol": INERT}).json()["results"]["bindings"]
    assert found and not none
    tasks = client.get("/api/tasks", params={"agency": "Văn phòng"}).json()
    assert tasks["tasks"] if "tasks" in tasks else tasks


def test_the_remote_store_binding_is_as_safe(seed_store: Store) -> None:
    """The SPARQL-server store binds values by writing a VALUES block (rdflib's escaping): the query it would send,
    run on the embedded store, answers as the embedded store's own bound query does, for every hostile value."""
    from tthc_kg.store_remote import prepare

    for name, attacked, _ in [c for c in NAMED if c[2] == "xsd:string"]:
        nq = queries.load(name)
        for value in [INERT, *HOSTILE]:
            bindings = nq.bind(named_values(name, attacked, value))
            text = prepare(nq.text, bindings)
            sent = _rows(seed_store.query(text))
            bound = _rows(seed_store.query(nq.text, bindings))
            assert sent == bound, (name, value)
            assert sent == _rows(seed_store.query(nq.text, nq.bind(named_values(name, attacked, INERT))))


def _rows(result: Any) -> list[tuple[str, ...]]:
    if isinstance(result, ox.QueryBoolean):
        return [(str(bool(result)),)]
    return sorted(tuple(str(v) for v in row) for row in result)


# --- the web pages ---------------------------------------------------------------------------------------------


PAGES = [
    ("/tim-kiem", "q"),
    ("/", "q"),
    ("/van-ban/{}", None),
    ("/ke-hoach/{}", None),
    ("/ra-soat", "as_of"),
    ("/van-ban/61%2F2018%2FN%C4%90-CP", "as_of"),
]


@pytest.mark.parametrize(("page", "param"), PAGES)
def test_hostile_values_in_pages_are_escaped_and_change_nothing(
    client: TestClient, page: str, param: str | None
) -> None:
    def get(value: str) -> Any:
        if param is None:
            return client.get(page.format(quote(value, safe="")))
        return client.get(page, params={param: value})

    inert = get(INERT)
    assert inert.status_code != 500
    for value in HOSTILE:
        r = get(value)
        if param == "q":  # a text search: compared with the search for its words
            inert = get(words(value))
        assert r.status_code != 500, (page, value, r.text[:500])
        assert r.status_code in (inert.status_code, 400, 404, 422), (page, value, r.status_code)
        if "<script>" in value:
            assert value not in r.text and "<script>alert" not in r.text
        if r.status_code == inert.status_code == 200 and param != "as_of":
            forms = [str(escape(value)), html.escape(value), html.escape(value, quote=False), *echoes(value)]
            norm = re.sub(r"\s+", " ", scrub(r.text, sorted(set(forms), key=len, reverse=True)))
            plain = words(value) if param == "q" else INERT
            base = re.sub(r"\s+", " ", scrub(inert.text, inert_echoes(plain)))
            assert norm == base, (page, value)


def test_hostile_draft_in_the_check_page(client: TestClient) -> None:
    for value in HOSTILE:
        r = client.post("/kiem-tra", data={"text": value})
        assert r.status_code in (200, 422), r.text[:300]
        assert "<script>alert" not in r.text
