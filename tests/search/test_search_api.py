"""GET /api/search over the seed store, in process."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tthc_kg.api import create_app
from tthc_kg.api.app import ROUTERS
from tthc_kg.api.routes import search as search_routes
from tthc_kg.api.settings import Settings
from tthc_kg.search.index import SearchIndex
from tthc_kg.store import Store

AS_OF = "2026-11-22"
KEYS = ["kind", "symbol", "task", "title", "status", "score", "iri", "doc", "plan", "file"]


@pytest.fixture(scope="module")
def client(seed_store: Store, seed_index: SearchIndex, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = create_app(Settings(store=str(tmp_path_factory.mktemp("unused-store"))), store=seed_store)
    if "search" not in ROUTERS:  # until app.ROUTERS lists it
        app.include_router(search_routes.router)
    return TestClient(app)


def test_search_finds_the_legal_basis_with_its_status(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "nộp hồ sơ qua bưu điện", "as_of": AS_OF, "dense": "false"})
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["q", "as_of", "dense", "note", "count", "results"]
    assert body["as_of"] == AS_OF and body["dense"] is False and body["count"] == len(body["results"]) == 10
    first = body["results"][0]
    assert list(first) == KEYS
    assert (first["kind"], first["symbol"], first["status"]) == ("document", "45/2016/QĐ-TTg", "in_force")
    assert first["iri"] == "https://w3id.org/tthc-kg/id/doc/45-2016-qd-ttg"


def test_a_symbol_and_links_to_the_graph(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "nd 61/2018", "as_of": AS_OF, "k": 20, "dense": "false"}).json()
    assert body["results"][0]["symbol"] == "61/2018/NĐ-CP" and body["results"][0]["score"] == 1.0
    assert body["results"][0]["status"] == "replaced"
    passages = [h for h in body["results"] if h["kind"] == "passage"]
    assert passages and all(h["plan"] and h["file"] and h["doc"] for h in passages)


def test_filters(client: TestClient) -> None:
    params = {"q": "một cửa", "as_of": AS_OF, "status": "out_of_force", "type": "Nghị định", "k": 50}
    body = client.get("/api/search", params=params).json()
    assert body["results"] and all(h["status"] in ("replaced", "repealed", "expired") for h in body["results"])
    assert all(h["symbol"].endswith("/NĐ-CP") for h in body["results"])


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {"q": "x", "status": "bogus"},
        {"q": "x", "as_of": "22/11/2026"},
        {"q": "x", "k": 0},
        {"q": "x", "year": "abc"},
    ],
)
def test_bad_parameters_are_422(client: TestClient, params: dict) -> None:
    assert client.get("/api/search", params=params).status_code == 422


def test_documented_in_openapi(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/search" in schema["paths"]
