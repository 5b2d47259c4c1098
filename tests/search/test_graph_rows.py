"""The search rows kept per named graph (tthc_kg.search.graph_rows) give exactly the units the union queries give
(search-documents, search-citations, search-tasks), and a sync reads only the graphs whose key changed: after an
ingest, a re-ingest of a changed file, a removal, a registry change, in a new process, with a damaged rows file."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

from paths import FIXTURES
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.search import graph_rows
from tthc_kg.search import index as index_module
from tthc_kg.search.corpus import TITLE_SEPARATOR, build_units
from tthc_kg.store import Store


def synced(store: Store, fresh_process: bool = False) -> index_module.SearchIndex:
    if fresh_process:  # forget the process's index: as a new `tthc-kg search` would
        index_module._OPEN.clear()
    index = index_module.open_index(store)
    assert list(index.units.values()) == build_units(store), "per-graph rows differ from the union queries"
    return index


def small_plan(directory: Path, number: int, field: str) -> str:
    path = directory / f"ke-hoach-{number}.txt"
    path.write_text(
        f"ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN\n\nSố: {number}/KH-UBND\n\nHưng Yên, ngày 15 tháng 8 năm 2025\n\n"
        f"KẾ HOẠCH\nThử nghiệm {field}\n\n"
        f"Căn cứ Nghị định số 999/2024/NĐ-CP ngày 01/02/2024 của Chính phủ về thử nghiệm {field};\n\n"
        "Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:\n",
        encoding="utf-8",
    )
    return str(path)


def plan_graph(store: Store, before: set[str]) -> str:
    (name,) = set(store.graph_names()) - before
    return name


def test_the_rows_kept_per_graph_give_the_union_queries_units(
    registry: Registry, seeds: list[Path], tmp_path: Path
) -> None:
    store = Store(tmp_path / "store")
    first = [str(p) for p in seeds[:3]]
    assert ingest_files(store, registry, first, progress=False)[0] == 3
    index = synced(store)
    assert set(index.graph_rows.read) == set(store.graph_names()) and len(index.graph_rows.read) == 4

    # what the joins across graphs are for is there: documents with facts in several graphs (the registry's and
    # the citing plans'), plans with their files, tasks with named leads
    payloads = {g: json.loads(rows) for g, (_, rows) in index.graph_rows._load().items()}
    graphs_of = Counter(s for rows in payloads.values() for s in {f[0] for f in rows["search-graph-facts"]})
    assert any(n > 1 for n in graphs_of.values())
    documents, _, tasks = index.graph_rows.rows()
    assert any(r["leads"] for r in tasks) and any(r["plan"] for r in documents)

    # an ingest of five more plans (two cite a document unknown to the registry, each with its own title): their
    # graphs only are read
    before = set(store.graph_names())
    more = [str(p) for p in seeds[3:]] + [str(FIXTURES / "ke-hoach-agency-2024.txt")]
    more += [small_plan(tmp_path, 11, "hạ tầng số"), small_plan(tmp_path, 12, "chuyển đổi số")]
    assert ingest_files(store, registry, more, progress=False)[0] == 5
    index = synced(store)
    assert set(index.graph_rows.read) == set(store.graph_names()) - before and len(index.graph_rows.read) == 5
    (stub,) = [r for r in index.graph_rows.rows()[0] if r["symbol"] == "999/2024/NĐ-CP"]
    assert stub["titles"] == TITLE_SEPARATOR.join(["thử nghiệm chuyển đổi số", "thử nghiệm hạ tầng số"])

    # a changed file re-ingested (its graph is replaced): that graph only
    plan = tmp_path / "plan.txt"
    plan.write_text((FIXTURES / "ke-hoach-outdated-2025.txt").read_text(encoding="utf-8"), encoding="utf-8")
    before = set(store.graph_names())
    ingest_files(store, registry, [str(plan)], progress=False)
    added = plan_graph(store, before)
    assert synced(store).graph_rows.read == [added]
    plan.write_text(
        plan.read_text(encoding="utf-8") + "\nNiêm yết công khai thủ tục theo Nghị định số 63/2010/NĐ-CP.\n",
        encoding="utf-8",
    )
    ingest_files(store, registry, [str(plan)], progress=False)
    index = synced(store)
    assert index.graph_rows.read == [added] and any("Niêm yết công khai" in u.text for u in index.units.values())

    # a removed plan: nothing to read, its units gone
    store.remove_graph(URIRef(added))
    index = synced(store)
    assert index.graph_rows.read == [] and not any("Niêm yết công khai" in u.text for u in index.units.values())

    # the registry changes: every graph is read again — a source re-ingested with it may resolve its citations
    # differently (here the first seed: a document the smaller registry lacks becomes a stub in its graph)
    smaller = dataclasses.replace(registry, documents=registry.documents[1:])
    ingest_files(store, smaller, [str(seeds[0])], progress=False)
    assert set(synced(store).graph_rows.read) == set(store.graph_names())
    ingest_files(store, smaller, [str(seeds[1])], progress=False)  # the same file and registry: nothing to read
    assert synced(store).graph_rows.read == []

    # a new process: the rows are read from the file, nothing from the store
    units = synced(store, fresh_process=True).units
    assert synced(store, fresh_process=True).graph_rows.read == []

    # a damaged rows file: every graph is read again, the units are the same
    directory = index_module.index_dir(store)
    assert directory is not None
    (directory / "rows.sqlite").write_bytes(b"not a database")
    (directory / "index.json").unlink()
    index = synced(store, fresh_process=True)
    assert set(index.graph_rows.read) == set(store.graph_names()) and index.units == units
    (directory / "index.json").unlink()  # …into a new file, which the next process reads
    assert synced(store, fresh_process=True).graph_rows.read == []


def test_reading_every_graph_at_once_equals_reading_them_one_by_one(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = sorted(seed_store.graph_names())
    monkeypatch.setattr(graph_rows, "BULK_READ", len(names))
    one_by_one = graph_rows.read_graphs(seed_store, names)
    monkeypatch.setattr(graph_rows, "BULK_READ", 0)
    at_once = graph_rows.read_graphs(seed_store, names)
    assert set(one_by_one) == set(at_once) == set(names)
    queries = {"search-graph-facts", "search-graph-citations", "search-graph-tasks", "search-graph-agencies"}
    assert all(set(rows) == queries for rows in one_by_one.values())
    for name in names:
        for query, rows in one_by_one[name].items():
            assert Counter(map(repr, rows)) == Counter(map(repr, at_once[name][query])), (name, query)
    citations = sum(len(p["search-graph-citations"]) for p in at_once.values())
    assert citations == len(list(seed_store.select("SELECT ?c WHERE { ?c a tthc:Citation }")))


def test_an_unwritable_rows_file_keeps_the_rows_in_memory(seed_store: Store, tmp_path: Path) -> None:
    rows = graph_rows.GraphRows(tmp_path / "missing-directory" / "rows.sqlite")
    keys = index_module.graph_keys(seed_store)
    assert keys is not None
    rows.refresh(seed_store, keys)
    assert rows.path is None and set(rows.read) == set(keys)
    shutil.rmtree(tmp_path / "missing-directory", ignore_errors=True)
    rows.refresh(seed_store, keys)
    assert rows.read == []
