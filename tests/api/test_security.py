"""HTTP hardening (issue 7, part 4): the write token, POST /api/ingest, read-only SPARQL against every trick,
the query slots, body and query size limits, CORS off by default, no stack traces to clients.

In process (FastAPI's TestClient) for each behaviour, then one real ``tthc-kg serve`` in a subprocess for what
only a real server shows (uvicorn's handling of bodies, headers and errors)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from live_server import ingest_store, running_server, start_server, stop_server
from paths import FIXTURES, SEEDS
from tthc_kg.api import create_app, security
from tthc_kg.api.settings import Settings
from tthc_kg.store import Store

TOKEN = "s3cret-tôken-ĐỎ"  # non-ASCII on purpose: hmac.compare_digest on str would raise on it
AUTH = {"Authorization": f"Bearer {TOKEN}".encode()}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SELECT_61 = 'SELECT ?doc WHERE { ?doc tthc:symbol "61/2018/NĐ-CP" }'
INSERT = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
OUTDATED = FIXTURES / "ke-hoach-outdated-2025.txt"


def client_for(store: Any, raise_server_exceptions: bool = True, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(**settings), store=store), raise_server_exceptions=raise_server_exceptions)


@pytest.fixture(scope="module")
def reader(seed_store: Store) -> TestClient:
    return client_for(seed_store, raise_server_exceptions=False)


@pytest.fixture()
def fresh(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


def upload(*files: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", f) for f in files]


def seed(i: int = 0) -> tuple[str, bytes]:
    return (SEEDS[i].name, SEEDS[i].read_bytes())


# --- the write token ------------------------------------------------------------------------------------------


def test_writes_are_disabled_without_a_configured_token(fresh: Store) -> None:
    c = client_for(fresh)
    r = c.post("/api/ingest", files=upload(seed()), headers=AUTH)
    assert r.status_code == 403
    assert "TTHC_KG_WRITE_TOKEN" in r.json()["detail"] and "disabled" in r.json()["detail"]
    assert fresh.triple_count() == 0
    empty = client_for(fresh, write_token="")  # an empty setting is no token either
    assert empty.post("/api/ingest", files=upload(seed()), headers={"Authorization": "Bearer "}).status_code == 403


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": b"Bearer s3cret-t\xf4ken"}, 403),  # latin-1 bytes of a near miss
        ({"Authorization": "Bearer s3cret"}, 403),  # a prefix
        ({"Authorization": f"Bearer {'x' * 10_000}".encode()}, 403),
        ({"X-TTHC-Token": "wrong"}, 403),
        ({"Authorization": "Bearer wrong", "X-TTHC-Token": TOKEN.encode()}, 403),  # Authorization wins
    ],
)
def test_missing_or_wrong_token_is_refused(fresh: Store, headers: dict[str, Any], status: int) -> None:
    c = client_for(fresh, write_token=TOKEN)
    r = c.post("/api/ingest", files=upload(seed()), headers=headers)
    assert r.status_code == status, r.text
    if status == 401:
        assert r.headers["www-authenticate"] == "Bearer"
    assert TOKEN not in r.text and "s3cret" not in r.text
    assert fresh.triple_count() == 0


def test_token_is_compared_with_hmac_compare_digest(fresh: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    c = client_for(fresh, write_token=TOKEN)
    assert c.post("/api/ingest", files=upload(seed()), headers={"X-TTHC-Token": b"nope"}).status_code == 403
    assert calls == [(hashlib.sha256(b"nope").digest(), hashlib.sha256(TOKEN.encode()).digest())]
    assert c.post("/api/ingest", files=upload(seed()), headers=AUTH).status_code == 200
    assert len(calls) == 2 and calls[1][0] == calls[1][1]


# --- POST /api/ingest -----------------------------------------------------------------------------------------


def test_ingest_over_http_writes_the_plan_and_keeps_the_upload(fresh: Store) -> None:
    c = client_for(fresh, write_token=TOKEN)
    r = c.post("/api/ingest", files=upload(seed(0), (OUTDATED.name, OUTDATED.read_bytes())), headers=AUTH)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["ingested"] == [SEEDS[0].name, OUTDATED.name] and out["failed"] == []
    assert out["citations"] > 0 and out["tasks"] > 0 and out["store_triples"] == fresh.triple_count()
    kept = Path(fresh.path) / "uploads" / SEEDS[0].name
    assert kept.read_bytes() == SEEDS[0].read_bytes()
    # the plan is queryable at once, with its source path pointing at the kept upload
    rows = c.get("/queries/plans").json()["results"]["bindings"]
    files = {b["file"]["value"] for b in rows if "file" in b} | {b.get("path", {}).get("value") for b in rows}
    assert str(kept) in files, rows
    # re-uploading the same name replaces that plan's graph: the store does not grow
    before = fresh.triple_count()
    assert c.post("/api/ingest", files=upload(seed(0)), headers=AUTH).status_code == 200
    assert fresh.triple_count() == before


def test_ingest_refuses_bad_files_and_leaves_the_store_as_it_was(fresh: Store) -> None:
    c = client_for(fresh, write_token=TOKEN)
    assert c.post("/api/ingest", files=upload(seed(1)), headers=AUTH).status_code == 200
    before = fresh.triple_count()
    kept = Path(fresh.path) / "uploads" / SEEDS[1].name
    bad = [
        (SEEDS[1].name, b"\xc3\x28 not utf-8 \xff"),  # same name as the good upload: must not replace it
        ("scan.txt", b"%PDF-1.7\n\x00\x01binary"),
        ("plan.pdf", b"%PDF-1.7"),
        ("../../etc/.hidden.txt", b"x"),
        ("con\x00.txt", b"x"),
    ]
    r = c.post("/api/ingest", files=upload(*bad), headers=AUTH)
    assert r.status_code == 422, r.text
    out = r.json()
    assert out["ingested"] == [] and len(out["failed"]) == len(bad)
    assert all(f["error"] for f in out["failed"])
    assert fresh.triple_count() == before
    assert kept.read_bytes() == SEEDS[1].read_bytes()
    assert sorted(p.name for p in kept.parent.iterdir()) == [SEEDS[1].name]  # no temporary left behind
    # a good file next to a bad one still goes in, and the answer says which failed
    r = c.post("/api/ingest", files=upload(seed(2), ("bad.txt", b"\xff\xfe\xfe")), headers=AUTH)
    assert r.status_code == 200 and r.json()["ingested"] == [SEEDS[2].name]
    assert [f["file"] for f in r.json()["failed"]] == ["bad.txt"]


def test_ingest_needs_files(fresh: Store) -> None:
    c = client_for(fresh, write_token=TOKEN)
    assert c.post("/api/ingest", headers=AUTH).status_code == 422
    assert c.post("/api/ingest", data={"files": "not a file"}, headers=AUTH).status_code == 422


def test_concurrent_ingests_are_serialised_by_the_write_lock(fresh: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import tthc_kg.api.routes.ingest as route

    app = create_app(Settings(write_token=TOKEN), store=fresh)
    inside = 0
    overlap: list[int] = []
    real = route.ingest_files

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal inside
        inside += 1
        overlap.append(inside)
        assert app.state.write_lock.locked()
        try:
            return real(*args, **kwargs)
        finally:
            inside -= 1

    monkeypatch.setattr(route, "ingest_files", counting)
    results: list[int] = []

    def post(i: int) -> None:
        c = TestClient(app)
        results.append(c.post("/api/ingest", files=upload(seed(i)), headers=AUTH).status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(SEEDS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == [200] * len(SEEDS)
    assert max(overlap) == 1  # never two writers at once
    graphs = [g for g in fresh.graph_names() if "/source/" in g]
    assert len(graphs) == len(SEEDS)


# --- read-only SPARQL ------------------------------------------------------------------------------------------


def count(store: Store) -> int:
    return store.triple_count()


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"update": INSERT}}),
        ("GET", {"params": {"query": "SELECT * WHERE {}", "update": INSERT}}),
        ("GET", {"params": {"query": INSERT}}),
        ("GET", {"params": {"query": "# a comment\nCLEAR ALL"}}),
        ("GET", {"params": {"query": "PREFIX x: <urn:x:>\nLOAD <http://example.org/evil.ttl>"}}),
        ("GET", {"params": {"query": "BASE <urn:b:> drop default"}}),
        ("POST", {"data": {"update": INSERT}}),
        ("POST", {"data": {"query": "SELECT * WHERE {}", "update": INSERT}}),
        ("POST", {"data": {"query": "CLEAR ALL"}}),
        (
            "POST",
            {
                "params": {"update": INSERT},
                "content": "SELECT * WHERE {}",
                "headers": {"Content-Type": "application/sparql-query"},
            },
        ),
        ("POST", {"content": INSERT, "headers": {"Content-Type": "application/sparql-update"}}),
        ("POST", {"content": INSERT, "headers": {"Content-Type": "application/sparql-update; charset=UTF-8"}}),
        ("POST", {"content": INSERT, "headers": {"Content-Type": "APPLICATION/SPARQL-UPDATE"}}),
        ("POST", {"content": "SELECT * WHERE {}", "headers": {"Content-Type": "application/sparql-update"}}),
        ("POST", {"content": INSERT, "headers": {"Content-Type": "application/sparql-query"}}),
        ("POST", {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-query; charset=utf-8"}}),
        ("GET", {"url": "/queries/stats", "params": {"update": INSERT}}),
        ("GET", {"url": "/queries/successor", "params": {"symbol": "x", "update": "CLEAR ALL"}}),
    ],
)
def test_updates_are_refused_every_way(seed_store: Store, reader: TestClient, method: str, kwargs: dict) -> None:
    before = count(seed_store)
    kwargs = dict(kwargs)
    url = kwargs.pop("url", "/sparql")
    r = reader.request(method, url, **kwargs)
    assert r.status_code == 403, r.text
    assert "read-only" in r.json()["detail"]
    assert count(seed_store) == before


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", INSERT, 415),  # no content type sneaks a body in as a query
        ("application/json", '{"query": "CLEAR ALL"}', 415),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=update\r\n\r\nCLEAR ALL", 415),
        (None, INSERT, 415),
        # the first keyword is SELECT, the rest an update glued on: Oxigraph's query parser refuses it
        ("application/sparql-query", "SELECT * WHERE { ?s ?p ?o } ; " + INSERT, 400),
        ("application/sparql-query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n" + INSERT, 400),
    ],
)
def test_content_type_tricks_change_nothing(
    seed_store: Store, reader: TestClient, content_type: str | None, body: str, status: int
) -> None:
    before = count(seed_store)
    headers = {"Content-Type": content_type} if content_type else {}
    r = reader.post("/sparql", content=body.encode(), headers=headers)
    assert r.status_code == status, r.text
    assert count(seed_store) == before


def test_the_store_query_path_cannot_run_an_update_even_past_the_keyword_check(seed_store: Store) -> None:
    """Defence in depth: the keyword check aside, Store.query is pyoxigraph's query entry, which parses no update."""
    before = count(seed_store)
    for update in (INSERT, "CLEAR ALL", "LOAD <http://example.org/x>", "DROP GRAPH <urn:g>"):
        with pytest.raises(SyntaxError):
            seed_store.query(update)
    assert count(seed_store) == before


def test_federated_query_is_refused(reader: TestClient) -> None:
    r = reader.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403


# --- limits ---------------------------------------------------------------------------------------------------


def test_request_body_limit(seed_store: Store) -> None:
    c = client_for(seed_store, max_body_bytes=10_000, raise_server_exceptions=False)
    big = "x" * 20_000
    assert c.post("/api/check", json={"text": "ngắn"}).status_code == 200
    r = c.post("/api/check", json={"text": big})
    assert r.status_code == 413
    r = c.post(
        "/sparql", content=b"#" + big.encode() + b"\nASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 413

    def chunks() -> Any:  # no Content-Length: counted as it is read
        for _ in range(20):
            yield b"#" * 1000

    r = c.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = c.post("/api/ingest", files=upload(("a.txt", big.encode())), headers=AUTH)
    assert r.status_code == 413


def test_query_length_limit(seed_store: Store) -> None:
    c = client_for(seed_store, max_query_chars=200)
    assert c.get("/sparql", params={"query": SELECT_61}).status_code == 200
    r = c.get("/sparql", params={"query": SELECT_61 + " #" + "x" * 300})
    assert r.status_code == 413 and "200 characters" in r.json()["detail"]


class BlockingStore:
    """The seed store, but every query waits until released."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.release = threading.Event()
        self.started = 0

    def query(self, sparql: str, bindings: dict[str, Any] | None = None) -> Any:
        self.started += 1
        self.release.wait(30)
        return self.store.query(sparql, bindings)


def test_abandoned_queries_keep_their_slot_so_runaways_cannot_pile_up(seed_store: Store) -> None:
    blocking = BlockingStore(seed_store)
    try:
        c = client_for(blocking, query_timeout=0.2, query_slots=2)
        first = [c.get("/sparql", params={"query": COUNT}) for _ in range(2)]
        assert [r.status_code for r in first] == [503, 503]
        assert all("time limit" in r.json()["detail"] for r in first)
        # both slots are still held by the abandoned evaluations: the next query is refused, not started
        r = c.get("/queries/stats")
        assert r.status_code == 503 and "busy" in r.json()["detail"]
        assert blocking.started == 2
        blocking.release.set()
        for _ in range(50):  # the abandoned evaluations end and give their slots back
            r = c.get("/sparql", params={"query": COUNT})
            if r.status_code == 200:
                break
            threading.Event().wait(0.1)
        assert r.status_code == 200
    finally:
        blocking.release.set()


# --- CORS, headers, errors ------------------------------------------------------------------------------------


def test_cors_is_off_by_default(reader: TestClient) -> None:
    r = reader.get("/sparql", params={"query": SELECT_61}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = reader.options(
        "/api/ingest",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers


def test_cors_allow_list(seed_store: Store) -> None:
    c = client_for(seed_store, cors_origins="https://portal.gov.vn, https://other.gov.vn")
    r = c.get("/sparql", params={"query": SELECT_61}, headers={"Origin": "https://portal.gov.vn"})
    assert r.headers["access-control-allow-origin"] == "https://portal.gov.vn"
    assert "access-control-allow-credentials" not in r.headers
    r = c.get("/sparql", params={"query": SELECT_61}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = c.options("/sparql", headers={"Origin": "https://other.gov.vn", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://other.gov.vn"


def test_security_headers(reader: TestClient) -> None:
    for url in ("/", "/api/tasks", "/static/app.js", "/no-such-page"):
        r = reader.get(url)
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert r.headers["x-frame-options"] == "DENY"


def test_unexpected_errors_give_a_generic_500_with_an_error_id(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tthc_kg.api import services

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail /etc/shadow in a traceback")

    monkeypatch.setattr(services, "tasks", boom)
    c = client_for(seed_store, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="tthc_kg.api"):
        r = c.get("/api/tasks")
    assert r.status_code == 500
    body = r.json()
    assert body["detail"] == "internal server error" and len(body["error_id"]) == 12
    assert "secret" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    assert r.headers["x-error-id"] == body["error_id"]
    logged = [rec for rec in caplog.records if body["error_id"] in rec.getMessage()]
    assert logged and logged[0].exc_info is not None  # the details stay in the server's log


class FailingStore:
    def query(self, sparql: str, bindings: dict[str, Any] | None = None) -> Any:
        raise OSError("I/O error reading /var/lib/secret/store/000123.sst")


def test_a_failing_sparql_evaluation_leaks_nothing(seed_store: Store) -> None:
    c = client_for(FailingStore(), raise_server_exceptions=False)
    r = c.get("/sparql", params={"query": SELECT_61})
    assert r.status_code == 500
    assert "secret" not in r.text and "sst" not in r.text and "error id" in r.json()["detail"]


def test_validation_errors_are_422_not_500(reader: TestClient) -> None:
    for url, params in [
        ("/api/tasks", {"due_from": "2024-13-45"}),
        ("/api/search", {"q": "x", "k": "10000"}),
        ("/api/audit", {"format": "exe"}),
        ("/api/export", {"format": "../../etc/passwd"}),
    ]:
        r = reader.get(url, params=params)
        assert r.status_code == 422, (url, r.text)


# --- a real server -------------------------------------------------------------------------------------------

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # no row before it is done


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def test_a_query_past_the_time_limit_is_killed_with_its_worker(tmp_path: Path) -> None:
    store = ingest_store(tmp_path / "store", SEEDS[:2])
    env = {"TTHC_KG_QUERY_TIMEOUT": "1", "TTHC_KG_SPARQL_WORKERS": "2", "TTHC_KG_WRITE_TOKEN": TOKEN}
    with running_server(store, tmp_path / "srv", copy=False, **env) as server:
        url = server.url
        ask = {"query": 'ASK { ?d tthc:symbol "61/2018/NĐ-CP" }'}
        for _ in range(4):  # both workers answer (they start in the background)
            assert httpx.get(url + "/sparql", params=ask, timeout=60).json()["boolean"] is True
        before = children(server.pid)
        r = httpx.get(url + "/sparql", params={"query": HEAVY}, timeout=60)
        assert r.status_code == 503 and r.json() == {"detail": "query exceeded the time limit of 1 s"}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (before <= children(server.pid)):
            time.sleep(0.2)
        killed = before - children(server.pid)
        assert len(killed) == 1, (before, children(server.pid))  # the evaluating worker is gone, not abandoned
        assert not Path(f"/proc/{killed.pop()}").exists()
        for _ in range(6):  # the pool is whole again and answers
            assert httpx.get(url + "/sparql", params=ask, timeout=60).json()["boolean"] is True
        # a worker sees what an ingest through the server wrote (it reopens at the new store generation)
        r = httpx.post(url + "/api/ingest", files=upload(seed(2)), headers=AUTH, timeout=300)
        assert r.status_code == 200
        graphs = (
            "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/source/')) }"
        )
        counts = {
            httpx.get(url + "/sparql", params={"query": graphs}, timeout=60).json()["results"]["bindings"][0]["n"][
                "value"
            ]
            for _ in range(6)
        }
        assert counts == {"3"}
    assert "Traceback" not in server.log.read_text()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sparql_workers_die_with_the_server_even_on_sigkill(tmp_path: Path) -> None:
    store = ingest_store(tmp_path / "store", SEEDS[:1])
    env = {"TTHC_KG_SPARQL_WORKERS": "2", "TTHC_KG_QUERY_TIMEOUT": "600"}
    server = start_server(store, tmp_path / "srv", copy=False, **env)
    try:
        workers = children(server.pid)
        assert len(workers) >= 2  # the two workers (and multiprocessing's resource tracker)

        def heavy() -> None:  # keeps a worker evaluating (not waiting on its pipe) when the server dies
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(server.url + "/sparql", params={"query": HEAVY}, timeout=60)

        threading.Thread(target=heavy, daemon=True).start()
        time.sleep(2)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        stop_server(server)


def triples(url: str) -> int:
    r = httpx.get(url + "/sparql", params={"query": COUNT}, timeout=60)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_hardening_on_a_real_server(tmp_path: Path) -> None:
    store = ingest_store(tmp_path / "store", SEEDS[:2])
    env = {"TTHC_KG_WRITE_TOKEN": TOKEN, "TTHC_KG_MAX_BODY_BYTES": "200000"}
    with running_server(store, tmp_path / "srv", copy=False, **env) as server:
        url = server.url
        before = triples(url)
        assert httpx.post(url + "/api/ingest", files=upload(seed(2))).status_code == 401
        assert httpx.post(url + "/api/ingest", files=upload(seed(2)), headers={"X-TTHC-Token": "no"}).status_code == 403
        r = httpx.post(url + "/sparql", content=INSERT, headers={"Content-Type": "application/sparql-update"})
        assert r.status_code == 403
        r = httpx.post(url + "/api/check", json={"text": "x" * 300_000})
        assert r.status_code == 413
        r = httpx.post(url + "/api/ingest", files=upload(seed(2)), headers=AUTH, timeout=120)
        assert r.status_code == 200, r.text
        assert triples(url) > before
        r = httpx.get(url + "/api/search", params={"q": "bưu chính công ích"})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in httpx.get(url + "/queries", headers={"Origin": "http://x"}).headers
    log = server.log.read_text()
    assert TOKEN not in log
