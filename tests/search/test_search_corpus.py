"""The searchable units of the seed store, and golden tests of queries/search-*.rq.

Expected values come from reading the seeds (data/plans) and the registry (data/registry/documents.csv); the
task numbers from the golden task files (tests/golden/tasks), written by reading each seed's table."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tthc_kg import queries
from tthc_kg.search.corpus import build_units
from tthc_kg.store import Store

GOLDEN_TASKS = Path(__file__).resolve().parents[1] / "golden" / "tasks"


def run(store: Store, name: str) -> list[dict]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind({})))


def golden_tasks() -> set[tuple[str, str]]:
    out = set()
    for path in GOLDEN_TASKS.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            out.add((path.stem[:3], json.loads(line)["number"]))
    return out


def test_search_documents(seed_store: Store) -> None:
    rows = run(seed_store, "search-documents")
    by_symbol = {r["symbol"]: r for r in rows if r["inRegistry"]}
    assert len(by_symbol) == 53  # every document of data/registry/documents.csv
    qd45 = by_symbol["45/2016/QĐ-TTg"]
    assert (qd45["type"], qd45["issuer"], qd45["issued"]) == ("Quyết định", "Thủ tướng Chính phủ", "2016-10-19")
    assert "bưu chính công ích" in qd45["titles"]
    assert len({r["doc"] for r in rows}) == len(rows)  # one row per document, however many plans cite it
    plans = {Path(r["file"]).name[:3] for r in rows if r["plan"]}
    assert {"000", "001", "002", "003", "004"} <= plans  # ingested plans are documents too
    stub = next(r for r in rows if r["symbol"] == "2684/QĐ-UBND")  # cited by seed 000, not in the registry
    assert not stub["inRegistry"] and stub["year"] == 2023


def test_search_citations_carry_their_clause(seed_store: Store) -> None:
    rows = sorted(run(seed_store, "search-citations"), key=lambda r: (r["file"], r["start"]))  # in reading order
    basis_000 = [
        r for r in rows if Path(r["file"]).name.startswith("000") and r["role"] == "basis" and "61-2018" in r["doc"]
    ]
    # seed 000: "Căn cứ các Nghị định của Chính phủ: số 20/2008/NĐ-CP …; số 61/2018/NĐ-\n\nCP ngày 23/4/2018 về …"
    assert basis_000[0]["context"] == (
        "Căn cứ các Nghị định của Chính phủ: số 61/2018/NĐ- CP ngày 23/4/2018 về thực hiện cơ chế một cửa, "
        "một cửa liên thông trong giải quyết thủ tục hành chính"
    )
    # seed 004, task 12: "Căn cứ thực hiện" column "Nghị định số 107/2021/NĐ-CP; Nghị quyết số 131/NQ-CP"
    task_12 = [r for r in rows if r["task"] and r["task"].endswith("/task/12") and Path(r["file"]).name[:3] == "004"]
    assert "107-2021-nd-cp" in task_12[0]["doc"]
    assert all(r["context"] for r in rows)


def test_search_tasks(seed_store: Store) -> None:
    rows = run(seed_store, "search-tasks")
    got = {(Path(r["file"]).name[:3], r["number"]) for r in rows if Path(r["file"]).name[:3].isdigit()}
    assert got == golden_tasks()
    assert all(r["content"] and r["plan"] for r in rows)


def test_units_of_the_seed_store(seed_store: Store) -> None:
    units = build_units(seed_store)
    kinds = Counter(u.kind for u in units)
    assert kinds["task"] == len(run(seed_store, "search-tasks"))
    assert len({u.key for u in units}) == len(units)
    passages = [u for u in units if u.kind == "passage"]
    assert len({(u.text, u.doc) for u in passages}) == len(passages)  # each distinct clause once
    # the preamble of seeds 000 and 002 lists the same decrees: "… số 63/2010/NĐ-CP ngày 08/6/2010 về kiểm soát
    # thủ tục hành chính" differs in its date format, so each seed has its own passage; the outdated-at-issue
    # fixture and no seed share a clause
    nd118 = [u for u in passages if u.symbol == "118/2025/NĐ-CP"]
    assert nd118 and nd118[0].text.startswith("Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09/6/2025")
    doc = next(u for u in units if u.kind == "document" and u.symbol == "61/2018/NĐ-CP" and u.in_registry)
    assert doc.type == "Nghị định" and doc.year == 2018 and doc.issuer == "Chính phủ"
    assert doc.dense_text.startswith("Nghị định 61/2018/NĐ-CP: Về thực hiện cơ chế một cửa")
    untitled = [u for u in units if u.kind == "document" and not u.title]
    assert untitled and all(u.dense_text == "" for u in untitled)  # a bare symbol gets no vector
