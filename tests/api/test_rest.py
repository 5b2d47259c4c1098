"""The REST API (/api/…): documents, audit, impact, tasks, check, exports — in process, over the seed store.

Expected values come from reading the seeds and the registry (see tests/test_queries.py and
tests/test_queries_api.py); the audit's rows must equal what ``tthc_kg.audit.audit`` gives the CLI.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rdflib import Dataset, Graph, URIRef

from tthc_kg import iri, queries
from tthc_kg.api import create_app
from tthc_kg.api.settings import Settings
from tthc_kg.audit import FIELDS, audit
from tthc_kg.export_formats import AUDIT_HEADERS_VI, BOM
from tthc_kg.store import Store

ROOT = Path(__file__).resolve().parents[2]
OUTDATED_PLAN = ROOT / "tests" / "fixtures" / "ke-hoach-outdated-2025.txt"
AS_OF = "2026-11-22"
BAR_URL = "/api/documents/61%2F2018%2FN%C4%90-CP"  # 61/2018/NĐ-CP, percent-encoded as the bar writes it


@pytest.fixture(scope="module")
def client(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    unused = tmp_path_factory.mktemp("unused-store")
    return TestClient(create_app(Settings(store=unused), store=seed_store))


def stem(path: str) -> str:
    return Path(path).name[:3]


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


# --- documents --------------------------------------------------------------------------------------------------


def test_the_bar(client: TestClient) -> None:
    """61/2018 names 118/2025/NĐ-CP as successor from 2025-07-01 and lists the seed plans among its citers."""
    doc = ok(client.get(BAR_URL))
    assert doc["as_of"] == queries.today().isoformat()  # default: today in Asia/Ho_Chi_Minh
    assert (doc["symbol"], doc["status"], doc["since"]) == ("61/2018/NĐ-CP", "replaced", "2025-07-01")
    assert [(s["symbol"], s["current"]) for s in doc["successors"]] == [("118/2025/NĐ-CP", True)]
    (replacement,) = [e for e in doc["events_in"] if e["kind"] == "replacement"]
    assert (replacement["by"]["symbol"], replacement["effective"], replacement["in_effect"]) == (
        "118/2025/NĐ-CP",
        "2025-07-01",
        True,
    )
    assert replacement["confidence"] == "confirmed" and replacement["source"]
    citers = {stem(p["file"]) for p in doc["cited_by"]["plans"]}
    assert {"000", "002", "003", "004"} <= citers
    roles = {stem(p["file"]): p["roles"] for p in doc["cited_by"]["plans"]}
    assert (roles["000"], roles["003"], roles["004"]) == (["basis"], ["mention"], ["task_basis"])
    tasks = {(stem(t["file"]), t["number"]): t for t in doc["cited_by"]["tasks"]}
    assert set(tasks) == {("004", "4"), ("004", "11")}
    assert tasks[("004", "4")]["lead"] == ["Các phòng, đơn vị có liên quan"]


def test_document_fields(client: TestClient) -> None:
    doc = ok(client.get(BAR_URL, params={"as_of": AS_OF}))
    assert (doc["type"], doc["issuer"], doc["issued"], doc["effective"], doc["no_longer_in_force"]) == (
        "Nghị định",
        "Chính phủ",
        "2018-04-23",
        "2018-06-21",
        "2025-07-01",
    )
    assert (doc["in_registry"], doc["is_plan"], doc["status_confidence"], doc["same_symbol"]) == (
        True,
        False,
        "confirmed",
        [],
    )
    for plan in doc["cited_by"]["plans"]:  # every span is the text at its offsets
        text = Path(plan["file"]).read_text(encoding="utf-8")
        assert all(text[c["start"] : c["end"]] == c["text"] for c in plan["citations"])


def test_document_before_the_change(client: TestClient) -> None:
    doc = ok(client.get(BAR_URL, params={"as_of": "2025-06-30"}))
    # amended by 107/2021 (2021-12-06), not yet replaced; 118/2025 was issued but not yet in force
    assert (doc["status"], doc["since"]) == ("amended", "2021-12-06")
    assert [(s["symbol"], s["status"], s["current"]) for s in doc["successors"]] == [
        ("118/2025/NĐ-CP", "not_yet_in_force", False)
    ]
    assert not [e for e in doc["events_in"] if e["kind"] == "replacement" and e["in_effect"]]


def test_partially_repealed_is_not_replaced(client: TestClient) -> None:
    doc = ok(client.get("/api/documents/45%2F2020%2FN%C4%90-CP", params={"as_of": AS_OF}))
    assert (doc["status"], doc["since"], doc["successors"]) == ("partially_repealed", "2025-07-01", [])
    events = {e["kind"]: e for e in doc["events_in"]}
    assert events["partial_repeal"]["scope"] == "khoản 1 Điều 16"
    assert (events["amendment"]["by"]["symbol"], events["amendment"]["effective"]) == ("118/2025/NĐ-CP", "2025-07-01")
    assert ok(client.get("/api/documents/45%2F2020%2FN%C4%90-CP", params={"as_of": "2025-06-30"}))["status"] == (
        "in_force"
    )


def test_events_out(client: TestClient) -> None:
    doc = ok(client.get("/api/documents/118%2F2025%2FN%C4%90-CP", params={"as_of": AS_OF}))
    out = {(e["kind"], e["affected"]["symbol"]) for e in doc["events_out"]}
    assert out >= {
        ("replacement", "61/2018/NĐ-CP"),
        ("replacement", "107/2021/NĐ-CP"),
        ("partial_repeal", "45/2020/NĐ-CP"),
        ("amendment", "45/2020/NĐ-CP"),
    }
    assert doc["status"] in ("in_force", "amended")
    assert ok(client.get("/api/documents/118%2F2025%2FN%C4%90-CP", params={"as_of": "2025-06-30"}))["status"] == (
        "not_yet_in_force"
    )


def test_document_spellings_and_stubs(client: TestClient) -> None:
    # unencoded slashes and a lower-case code reach the same document
    assert ok(client.get("/api/documents/61/2018/nđ-cp"))["iri"] == "https://w3id.org/tthc-kg/id/doc/61-2018-nd-cp"
    stub = ok(client.get("/api/documents/253%2FKH-UBND"))
    assert (stub["in_registry"], stub["status"], stub["status_confidence"]) == (False, "unknown", None)
    plan = ok(client.get("/api/documents/123%2FKH-SKHCN"))
    assert (plan["is_plan"], Path(plan["file"]).name) == (True, OUTDATED_PLAN.name)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/documents/999%2F2099%2FN%C4%90-CP", 404),
        (BAR_URL + "?as_of=22/11/2026", 422),
        (BAR_URL + "?as_of=2026-13-01", 422),
    ],
)
def test_document_errors(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["detail"]
    if status == 404:
        assert "999/2099/NĐ-CP" in response.json()["detail"]


# --- audit --------------------------------------------------------------------------------------------------------


def _cli_rows(store: Store, **kwargs: Any) -> list[dict[str, Any]]:
    return [f.as_dict() for f in audit(store, date.fromisoformat(AS_OF), **kwargs)]


def test_audit_json_is_the_cli_rows(client: TestClient, seed_store: Store) -> None:
    out = ok(client.get("/api/audit", params={"as_of": AS_OF}))
    assert (out["as_of"], out["evidence_date"], out["plan"]) == (AS_OF, "2026-06", None)
    assert out["findings"] == _cli_rows(seed_store) and out["count"] == len(out["findings"])
    assert all(list(f) == list(FIELDS) for f in out["findings"])
    got = {(stem(f["file"]), f["task"], f["cited"], f["finding"]) for f in out["findings"]}
    assert ("000", None, "61/2018/NĐ-CP", "replaced") in got
    assert ("004", "12", "107/2021/NĐ-CP", "replaced") in got
    assert ("000", None, "45/2020/NĐ-CP", "partially_repealed") in got


def test_audit_jsonl_and_options(client: TestClient, seed_store: Store) -> None:
    r = client.get("/api/audit", params={"as_of": AS_OF, "format": "jsonl", "expand": True, "include_amended": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert rows == _cli_rows(seed_store, expand=True, include_amended=True)
    assert any(f["finding"] == "amended" for f in rows)


def test_audit_one_plan(client: TestClient, seed_store: Store) -> None:
    seed_004 = next(p for p in (ROOT / "data" / "plans").glob("004_*.txt"))
    for ref in (seed_004.name, str(iri.plan(iri.source_key(str(seed_004))))):
        out = ok(client.get("/api/audit", params={"as_of": AS_OF, "plan": ref}))
        assert out["findings"] and {stem(f["file"]) for f in out["findings"]} == {"004"}
        assert out["plan"] == str(iri.plan(iri.source_key(str(seed_004))))
    out = ok(client.get("/api/audit", params={"as_of": AS_OF, "plan": "123/KH-SKHCN"}))
    assert {Path(f["file"]).name for f in out["findings"]} == {OUTDATED_PLAN.name}


def test_audit_csv(client: TestClient) -> None:
    r = client.get("/api/audit", params={"as_of": AS_OF, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(BOM)
    table = list(csv.reader(io.StringIO(r.content[len(BOM) :].decode("utf-8"))))
    assert table[0] == [AUDIT_HEADERS_VI[f] for f in FIELDS]
    assert table[0][:4] == ["Kế hoạch", "Tệp", "Nhiệm vụ", "Văn bản được viện dẫn"]
    findings = ok(client.get("/api/audit", params={"as_of": AS_OF}))["findings"]
    assert len(table) - 1 == len(findings)
    assert table[1][FIELDS.index("cited")] == findings[0]["cited"]


def test_audit_xlsx(client: TestClient) -> None:
    r = client.get("/api/audit", params={"as_of": AS_OF, "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Kiểm tra căn cứ", "Ghi chú"]
    rows = list(wb["Kiểm tra căn cứ"].iter_rows(values_only=True))
    assert list(rows[0]) == [AUDIT_HEADERS_VI[f] for f in FIELDS]
    assert len(rows) - 1 == ok(client.get("/api/audit", params={"as_of": AS_OF}))["count"]
    assert "2026-06" in wb["Ghi chú"]["A1"].value


@pytest.mark.parametrize(
    ("params", "status"),
    [({"plan": "no-such-plan.txt"}, 404), ({"as_of": "yesterday"}, 422), ({"format": "pdf"}, 422)],
)
def test_audit_errors(client: TestClient, params: dict[str, str], status: int) -> None:
    response = client.get("/api/audit", params=params)
    assert response.status_code == status and response.json()["detail"]


# --- impact -------------------------------------------------------------------------------------------------------


def test_impact(client: TestClient) -> None:
    out = ok(client.get("/api/impact", params={"symbol": "118/2025/NĐ-CP", "as_of": AS_OF}))
    assert out["document"]["symbol"] == "118/2025/NĐ-CP"
    changes = {(c["kind"], c["affected"]["symbol"]) for c in out["changes"]}
    assert {("replacement", "61/2018/NĐ-CP"), ("replacement", "107/2021/NĐ-CP")} <= changes
    assert ("partial_repeal", "45/2020/NĐ-CP") in changes
    assert all(c["kind"] != "guidance" for c in out["changes"])
    plans = {stem(p["file"]): p for p in out["plans"]}
    assert plans["000"]["dependency"] == "basis"
    assert {"61/2018/NĐ-CP", "107/2021/NĐ-CP", "45/2020/NĐ-CP"} <= set(plans["000"]["documents"])
    assert plans["003"]["dependency"] == "mention" and plans["004"]["dependency"] == "direct"
    tasks = {(stem(t["file"]), t["number"]): t for t in out["tasks"]}
    assert {("004", "4"), ("004", "11"), ("004", "12")} <= set(tasks)
    assert tasks[("004", "12")]["documents"] == ["107/2021/NĐ-CP"]
    assert all(t["dependency"] == "direct" for t in out["tasks"])
    groups = {g["agency"]: {(stem(t["file"]), t["number"]) for t in g["tasks"]} for g in out["agencies"]}
    assert {("004", "4"), ("004", "11"), ("004", "12")} <= groups["Các phòng, đơn vị có liên quan"]


def test_impact_expanded(client: TestClient, seed_store: Store) -> None:
    out = ok(client.get("/api/impact", params={"symbol": "118/2025/NĐ-CP", "as_of": AS_OF, "expand": True}))
    inherited = {(stem(t["file"]), t["number"]) for t in out["tasks"] if t["dependency"] == "basis"}
    # every task of seeds 000 and 002 (their preambles cite 61/2018) inherits the change
    assert {("000", t) for t in _numbers(seed_store, "000")} <= inherited
    assert {("002", t) for t in _numbers(seed_store, "002")} <= inherited
    assert sum(len(g["tasks"]) for g in out["agencies"]) >= len(out["tasks"])


def _numbers(store: Store, prefix: str) -> set[str]:
    q = queries.load("tasks-of-plan")
    return {r["number"] for r in store.select(q.text, {}) if f"/plan/{prefix}" in r["plan"]}


@pytest.mark.parametrize(("params", "status"), [({"symbol": "1/2099/NĐ-CP"}, 404), ({}, 422)])
def test_impact_errors(client: TestClient, params: dict[str, str], status: int) -> None:
    assert client.get("/api/impact", params=params).status_code == status


# --- tasks --------------------------------------------------------------------------------------------------------


def _keys(out: dict[str, Any]) -> set[tuple[str, str]]:
    return {(stem(t["file"]), t["number"]) for t in out["tasks"]}


def test_tasks(client: TestClient, seed_store: Store) -> None:
    every = ok(client.get("/api/tasks", params={"as_of": AS_OF}))
    assert (
        every["count"] == len(every["tasks"]) == sum(1 for _ in seed_store.select(queries.load("tasks-of-plan").text))
    )
    dependent = ok(client.get("/api/tasks", params={"as_of": AS_OF, "depends_on_superseded": True}))
    # the audit, expanded to every task: a preamble basis is inherited by each task of the plan
    findings = audit(seed_store, date.fromisoformat(AS_OF), expand=True, include_unresolved=False)
    assert _keys(dependent) == {(stem(f.file), f.task) for f in findings if f.task}
    assert {("004", "4"), ("004", "12")} <= _keys(dependent)
    t12 = next(t for t in dependent["tasks"] if stem(t["file"]) == "004" and t["number"] == "12")
    assert [(d["cited"], d["finding"], d["dependency"]) for d in t12["depends_on"]] == [
        ("107/2021/NĐ-CP", "replaced", "direct")
    ]
    others = ok(client.get("/api/tasks", params={"as_of": AS_OF, "depends_on_superseded": False}))
    assert _keys(others) == _keys(every) - _keys(dependent)
    # before 118/2025 took effect, nothing it changed is superseded
    before = ok(client.get("/api/tasks", params={"as_of": "2025-06-30", "depends_on_superseded": True}))
    assert all(d["cited"] not in ("61/2018/NĐ-CP", "107/2021/NĐ-CP") for t in before["tasks"] for d in t["depends_on"])


def test_task_dependencies_do_not_compute_agency_findings(seed_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The task filter keeps only outdated documents: the audit's agency findings are not computed at all."""
    from tthc_kg import succession
    from tthc_kg.api.services.status import OUTDATED
    from tthc_kg.api.services.task_filter import tasks

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("agency findings computed for the task filter")

    monkeypatch.setattr(succession, "agency_findings", boom)
    when = date(2026, 11, 23)  # a date no other test asks for: not answered from the cache
    out = tasks(seed_store, depends_on_superseded=True, as_of=when)
    findings = audit(seed_store, when, expand=True, include_unresolved=False, include_agencies=False)
    assert out.count and {(stem(t.file), t.number) for t in out.tasks} == {
        (stem(f.file), f.task) for f in findings if f.task and f.finding in OUTDATED
    }


def test_tasks_filters(client: TestClient) -> None:
    by_agency = ok(client.get("/api/tasks", params={"agency": "chuyển đổi số"}))
    assert by_agency["count"] and all(
        any("chuyển đổi số" in a.lower() for a in t["lead"] + t["coordinators"]) for t in by_agency["tasks"]
    )
    due = ok(client.get("/api/tasks", params={"due_from": "2024-01-01", "due_to": "2024-12-31"}))
    assert due["count"] and all("2024-01-01" <= t["due"] <= "2024-12-31" for t in due["tasks"])
    after = ok(client.get("/api/tasks", params={"due_from": "2025-01-01"}))
    assert all(t["due"] >= "2025-01-01" for t in after["tasks"])


@pytest.mark.parametrize(
    "params", [{"due_from": "2024-12-31", "due_to": "2024-01-01"}, {"due_to": "31/12/2024"}, {"as_of": "x"}]
)
def test_tasks_errors(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/tasks", params=params)
    assert response.status_code == 422 and response.json()["detail"]


# --- check a draft ------------------------------------------------------------------------------------------------

DRAFT = (
    "KẾ HOẠCH\nKiểm soát thủ tục hành chính năm 2027\n\n"
    "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên "
    "thông trong giải quyết thủ tục hành chính;\n"
    "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ về thực hiện thủ tục hành chính trên môi trường "
    "điện tử;\n"
    "Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ;\n"
)


def test_check_a_draft(client: TestClient) -> None:
    out = ok(client.post("/api/check", json={"text": DRAFT, "as_of": AS_OF}))
    by_symbol = {c["symbol"]: c for c in out["citations"]}
    c61 = by_symbol["61/2018/NĐ-CP"]
    assert (c61["status"], c61["since"], c61["successors"]) == ("replaced", "2025-07-01", ["118/2025/NĐ-CP"])
    assert (c61["role"], c61["resolved"], c61["type"]) == (
        "basis",
        "https://w3id.org/tthc-kg/id/doc/61-2018-nd-cp",
        "Nghị định",
    )
    assert DRAFT[c61["start"] : c61["end"]] == c61["text"]
    assert "118/2025/NĐ-CP" in c61["message"] and "01/07/2025" in c61["message"]
    assert by_symbol["45/2020/NĐ-CP"]["status"] == "partially_repealed"
    assert "khoản 1 Điều 16" in by_symbol["45/2020/NĐ-CP"]["message"]
    assert by_symbol["118/2025/NĐ-CP"]["status"] in ("in_force", "amended")
    assert (out["count"], out["outdated"], out["evidence_date"]) == (3, 2, "2026-06")


def test_check_defaults_and_errors(client: TestClient) -> None:
    out = ok(client.post("/api/check", json={"text": DRAFT}))
    assert out["as_of"] == queries.today().isoformat()
    assert ok(client.post("/api/check", json={"text": "Không có căn cứ nào."}))["citations"] == []
    unknown = ok(client.post("/api/check", json={"text": "Căn cứ Quyết định số 999/QĐ-UBND ngày 01/01/2024;"}))
    assert [(c["status"], c["resolved"]) for c in unknown["citations"]] == [("unknown", None)]
    assert client.post("/api/check", json={"text": DRAFT, "as_of": "1/1/2026"}).status_code == 422
    assert client.post("/api/check", json={}).status_code == 422


# --- exports ------------------------------------------------------------------------------------------------------


def test_export_whole_store(client: TestClient, seed_store: Store) -> None:
    r = client.get("/api/export", params={"format": "nquads"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-quads")
    ds = Dataset()
    ds.parse(data=r.content, format="nquads")
    quads = list(ds.quads((None, None, None, None)))
    assert len(quads) == seed_store.triple_count()
    assert {str(g) for *_, g in quads} == set(seed_store.graph_names())
    r = client.get("/api/export", params={"format": "turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    assert (URIRef("https://w3id.org/tthc-kg/id/doc/118-2025-nd-cp"), None, None) in g
    r = client.get("/api/export", params={"format": "jsonld"})
    assert r.headers["content-type"].startswith("application/ld+json")
    ds = Dataset()
    ds.parse(data=r.content, format="json-ld")
    assert str(iri.REGISTRY_GRAPH) in {str(c.identifier) for c in ds.contexts()}


def test_export_one_plan(client: TestClient) -> None:
    graph = str(iri.source_graph(iri.source_key(str(OUTDATED_PLAN))))
    r = client.get("/api/export", params={"format": "nquads", "plan": OUTDATED_PLAN.name})
    assert r.status_code == 200
    ds = Dataset()
    ds.parse(data=r.content, format="nquads")
    assert {str(g) for _s, _p, _o, g in ds.quads((None, None, None, None))} == {graph}
    plan = URIRef(str(iri.plan(iri.source_key(str(OUTDATED_PLAN)))))
    ttl = Graph().parse(data=client.get("/api/export", params={"plan": str(plan)}).content, format="turtle")
    assert (plan, None, None) in ttl and len(ttl) == sum(1 for _ in ds.quads((None, None, None, None)))
    jl = client.get("/api/export", params={"format": "jsonld", "plan": "123/KH-SKHCN"})
    jl_graphs = {str(g) for *_, g in Dataset().parse(data=jl.content, format="json-ld").quads((None, None, None, None))}
    assert jl_graphs == {graph}


@pytest.mark.parametrize(("params", "status"), [({"plan": "nope"}, 404), ({"format": "rdfxml"}, 422)])
def test_export_errors(client: TestClient, params: dict[str, str], status: int) -> None:
    assert client.get("/api/export", params=params).status_code == status


# --- OpenAPI ------------------------------------------------------------------------------------------------------


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = ok(client.get("/openapi.json"))
    paths = spec["paths"]
    for path, method, model in [
        ("/api/documents/{symbol}", "get", "DocumentOut"),
        ("/api/audit", "get", "AuditOut"),
        ("/api/impact", "get", "ImpactOut"),
        ("/api/tasks", "get", "TasksOut"),
        ("/api/check", "post", "CheckOut"),
        ("/api/export", "get", None),
    ]:
        op = paths[path][method]
        assert op["summary"] and op.get("description") and op["tags"]
        if model:
            assert model in json.dumps(op["responses"]["200"])
    assert "CheckIn" in json.dumps(paths["/api/check"]["post"]["requestBody"])
    audit_200 = paths["/api/audit"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/x-ndjson"} <= set(audit_200)
    schemas = spec["components"]["schemas"]
    assert schemas["DocumentOut"]["properties"]["status"].get("description")
    assert schemas["FindingOut"]["required"] == list(FIELDS)
