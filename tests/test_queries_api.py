"""Golden tests of the queries behind the REST API (queries/*.rq used by tthc_kg.api.services), on the seeds.

Expected values come from reading the seeds (data/plans), the test plan tests/fixtures/ke-hoach-outdated-2025.txt,
the golden task files (tests/golden/tasks) and the registry (data/registry/*.csv).
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import RDF

from paths import FIXTURES, GOLDEN, SEEDS
from tthc_kg import iri, queries
from tthc_kg.analyze import analyze_file
from tthc_kg.graph import build_graph
from tthc_kg.registry import Registry
from tthc_kg.store import Store
from tthc_kg.vbhn_import import machine_read_graph

OUTDATED_PLAN = FIXTURES / "ke-hoach-outdated-2025.txt"
DOC_61 = "https://w3id.org/tthc-kg/id/doc/61-2018-nd-cp"

# the queries this file is the golden test of
API_QUERIES = (
    "document",
    "change-events",
    "document-citers",
    "registry-documents",
    "registry-info",
    "plans",
    "graph-triples",
    "tasks-filter",
    "search-labels",
)


def run(store: Store, name: str, **params: str) -> list[dict]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind(params)))


def stem(path: str) -> str:
    return Path(path).name[:3]


def golden_tasks() -> dict[str, list[dict]]:
    out = {}
    for path in sorted((GOLDEN / "tasks").glob("*.jsonl")):
        out[path.stem[:3]] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def test_each_api_query_has_a_header() -> None:
    for name in API_QUERIES:
        q = queries.load(name)
        assert q.description.startswith(name + " — "), f"{name}.rq: the header says what it answers"


def test_document(seed_store: Store) -> None:
    (row,) = run(seed_store, "document", symbol="61/2018/NĐ-CP")
    # documents.csv: 61/2018/NĐ-CP, Chính phủ, issued 2018-04-23, effective 2018-06-21; replaced from 2025-07-01
    assert row["doc"] == DOC_61
    assert (row["type"], row["issuer"], row["issued"], row["effective"]) == (
        "Nghị định",
        "Chính phủ",
        "2018-04-23",
        "2018-06-21",
    )
    assert row["noLongerInForce"] == "2025-07-01"
    assert (row["inRegistry"], row["isPlan"], row["confidence"]) == (True, False, "confirmed")
    # 45/2020 is only amended and partly repealed: it has no end date
    (row,) = run(seed_store, "document", symbol="45/2020/NĐ-CP")
    assert row["noLongerInForce"] is None
    # the test plan's own number: a plan, with its file
    rows = run(seed_store, "document", symbol="123/KH-SKHCN")
    assert [(r["isPlan"], Path(r["file"]).name) for r in rows] == [(True, OUTDATED_PLAN.name)]
    # seed 004 cites "Kế hoạch số 253/KH-UBND", which the registry does not hold: a stub
    rows = run(seed_store, "document", symbol="253/KH-UBND")
    assert rows and all(r["inRegistry"] is False and r["isPlan"] is False for r in rows)
    assert run(seed_store, "document", symbol='61/2018/NĐ-CP" } UNION { ?s ?p ?o } #') == []


def test_change_events(seed_store: Store, registry: Registry) -> None:
    rows = run(seed_store, "change-events")
    # the curated events plus the machine-read ones (data/registry/machine_read_events.csv) the curated ones lack
    machine_read = set(machine_read_graph(registry).subjects(RDF.type, iri.TTHC.ChangeEvent))
    assert machine_read, "the shipped machine-read events are compiled into the registry graph"
    assert len({r["event"] for r in rows}) == len(registry.events) + len(machine_read)
    of_45 = {
        (r["kind"], r["bySymbol"], r["effective"], r["scope"]) for r in rows if r["affectedSymbol"] == "45/2020/NĐ-CP"
    }
    # events.csv: NĐ 118/2025 amended 45/2020 and repealed khoản 1 Điều 16, both from 2025-07-01 (khoản 8 Điều 40);
    # 01/2023/TT-VPCP guides it (unconfirmed, no date)
    assert ("partial_repeal", "118/2025/NĐ-CP", "2025-07-01", "khoản 1 Điều 16") in of_45
    assert {k for k, *_ in of_45} == {"amendment", "partial_repeal", "guidance"}
    (replacement,) = [r for r in rows if r["affectedSymbol"] == "61/2018/NĐ-CP" and r["kind"] == "replacement"]
    assert (replacement["bySymbol"], replacement["successorSymbol"], replacement["effective"]) == (
        "118/2025/NĐ-CP",
        "118/2025/NĐ-CP",
        "2025-07-01",
    )
    assert replacement["confidence"] == "confirmed" and replacement["source"]
    # an expiry names its successors (one row each) and has no changing document
    expiry_34 = [r for r in rows if r["affectedSymbol"] == "34/2016/NĐ-CP" and r["kind"] == "expiry"]
    assert {r["successorSymbol"] for r in expiry_34} >= {"78/2025/NĐ-CP", "79/2025/NĐ-CP", "80/2025/NĐ-CP"}
    assert {r["by"] for r in expiry_34} == {None}


def test_document_citers(seed_store: Store) -> None:
    rows = run(seed_store, "document-citers", doc=DOC_61)
    got = {(stem(r["file"]), r["role"], r["taskNumber"]) for r in rows}
    # read in the seeds: the preambles of 000 and 002 cite 61/2018, 003 mentions it, 004's tasks 4 and 11 cite it in
    # their "Căn cứ thực hiện" column; the test plan cites it in its preamble
    assert {(s, role) for s, role, _ in got} == {
        ("000", "basis"),
        ("002", "basis"),
        ("003", "mention"),
        ("004", "task_basis"),
        ("ke-", "basis"),
    }
    assert {t for s, _, t in got if s == "004"} == {"4", "11"}
    for r in rows:  # the span is the text at those offsets of the file as decoded
        assert Path(r["file"]).read_text(encoding="utf-8")[r["start"] : r["end"]] == r["text"]
        assert r["plan"] == str(iri.plan(iri.source_key(r["file"])))
    assert run(seed_store, "document-citers", doc="https://w3id.org/tthc-kg/id/doc/nothing") == []


def test_registry_documents(seed_store: Store, registry: Registry) -> None:
    rows = run(seed_store, "registry-documents")
    assert {r["doc"] for r in rows} == {str(d.iri) for d in registry.documents}
    by_symbol = {r["symbol"]: r for r in rows}
    assert (by_symbol["118/2025/NĐ-CP"]["issued"], by_symbol["118/2025/NĐ-CP"]["effective"]) == (
        "2025-06-09",
        "2025-07-01",
    )


def test_registry_info(seed_store: Store, registry: Registry) -> None:
    (row,) = run(seed_store, "registry-info")
    assert row["evidenceDate"] == registry.evidence_date == "2026-06"


def test_plans(seed_store: Store) -> None:
    rows = run(seed_store, "plans")
    assert [Path(r["file"]).name for r in rows] == [p.name for p in SEEDS] + [OUTDATED_PLAN.name]
    tasks = {k: len(v) for k, v in golden_tasks().items()}
    for r in rows:
        key = iri.source_key(r["file"])
        assert (r["plan"], r["graph"]) == (str(iri.plan(key)), str(iri.source_graph(key)))
        assert r["tasks"] == tasks.get(stem(r["file"]), 0)
    (test_plan,) = [r for r in rows if r["file"] == str(OUTDATED_PLAN)]
    assert (test_plan["symbol"], test_plan["date"]) == ("123/KH-SKHCN", "2025-08-15")


def test_graph_triples(seed_store: Store, registry: Registry) -> None:
    graph = iri.source_graph(iri.source_key(str(OUTDATED_PLAN)))
    rows = run(seed_store, "graph-triples", graph=str(graph))
    assert len(rows) == len(build_graph(analyze_file(str(OUTDATED_PLAN), registry)))
    assert {r["graph"] for r in rows} == {str(graph)}
    assert run(seed_store, "graph-triples", graph="https://w3id.org/tthc-kg/graph/none") == []


def _tasks(rows: list[dict]) -> set[tuple[str, str]]:
    return {(stem(r["file"]), r["number"]) for r in rows}


def test_tasks_filter(seed_store: Store) -> None:
    golden = golden_tasks()
    every = {(s, t["number"]) for s, ts in golden.items() for t in ts}
    rows = run(seed_store, "tasks-filter")
    assert _tasks(rows) == every
    # one row per lead and coordinator, names normalized (seed 004, task 1: "Các phòng, đơn vị có liên quan" leads,
    # due "Trong năm 2024")
    task_1 = [r for r in rows if stem(r["file"]) == "004" and r["number"] == "1"]
    assert {r["lead"] for r in task_1} == {"Các phòng, đơn vị có liên quan"}
    assert {r["due"] for r in task_1} == {"2024-12-31"}
    # by agency: as tasks-by-agency (lead or coordinator, case-insensitive)
    rows = run(seed_store, "tasks-filter", agency="PHÒNG CHUYỂN ĐỔI SỐ")
    assert _tasks(rows) == {
        (s, t["number"])
        for s, ts in golden.items()
        for t in ts
        if any("chuyển đổi số" in a.lower() for a in t["lead"] + t["coordinators"])
    }
    # by due date: only tasks with one, in the range
    rows = run(seed_store, "tasks-filter", withDue="true", dueFrom="2024-01-01", dueTo="2024-12-31")
    expected = {(s, t["number"]) for s, ts in golden.items() for t in ts if t["due"] and t["due"][:4] == "2024"}
    assert expected and _tasks(rows) == expected


def test_search_labels(seed_store: Store) -> None:
    rows = run(seed_store, "search-labels")
    docs = {r["symbol"]: r for r in rows if r["kind"] == "document" and r["symbol"]}
    assert docs["61/2018/NĐ-CP"]["title"].startswith("Về thực hiện cơ chế một cửa")
    assert docs["61/2018/NĐ-CP"]["inRegistry"] is True
    assert docs["123/KH-SKHCN"]["file"] == str(OUTDATED_PLAN)
    tasks = [r for r in rows if r["kind"] == "task"]
    assert len(tasks) == sum(len(ts) for ts in golden_tasks().values())
    assert all(r["title"] and r["file"] and r["plan"] for r in tasks)
