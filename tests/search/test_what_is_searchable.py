"""Issue 5 part 1, "what is searchable", over the seed store (the five seeds and the outdated-at-issue plan):
every registry document, every cited document with the clause it is cited in, the "Căn cứ" passages of the plans,
and every task — each found by a search, and each result linking to the graph (the document's IRI, the plan, the
task). The truth comes from the registry and from the extractor run on the files again (``analyze_file``), not
from the index; searches are lexical (``dense=False``), through the service the web page and /api/search use."""

from __future__ import annotations

import re
from datetime import date

import pytest

from paths import FIXTURES, SEEDS
from tthc_kg.analyze import Analysis, analyze_file
from tthc_kg.api import services
from tthc_kg.api.services.search import Found, find
from tthc_kg.registry import Registry
from tthc_kg.search.index import SearchIndex
from tthc_kg.store import Store

AS_OF = date(2026, 11, 22)
FILES = [*SEEDS, FIXTURES / "ke-hoach-outdated-2025.txt"]


def search(store: Store, q: str, k: int = 10, kind: str | None = None) -> list[Found]:
    return find(store, q, k=k, as_of=AS_OF, kind=kind, dense=False).results


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def analyses(registry: Registry) -> dict[str, Analysis]:
    return {str(p): analyze_file(p, registry) for p in FILES}


@pytest.fixture(scope="module")
def plan_of(seed_store: Store) -> dict[str, str]:
    """Plan IRI by file, from the store's plan list."""
    return {p.file: p.iri for p in services.plans(seed_store)}


def test_every_registry_document_by_symbol_and_by_title(
    seed_store: Store, seed_index: SearchIndex, registry: Registry
) -> None:
    by_title_missed = []
    for d in registry.documents:
        symbol = str(d.symbol)
        first = search(seed_store, symbol, k=1)[0]
        assert (first.kind, first.symbol, first.iri) == ("document", symbol, str(d.iri)), symbol
        assert first.in_registry and first.type == d.type and first.issuer == d.issuer
        assert first.status == services.status_at(seed_store, str(d.iri), AS_OF).status
        if d.title:  # the title as the registry words it, with its diacritics
            if not any(h.iri == str(d.iri) for h in search(seed_store, d.title, kind="document")):
                by_title_missed.append(symbol)
    # two registry documents share one title (48/2013 and 92/2017): each must still be found by it
    assert not by_title_missed, by_title_missed


def test_every_cited_document_by_its_symbol(
    seed_store: Store, seed_index: SearchIndex, analyses: dict[str, Analysis]
) -> None:
    cited = {(str(c.symbol), c.iri, c.in_registry) for a in analyses.values() for c in a.citations if c.symbol}
    assert len(cited) >= 35  # 38 distinct cited documents when written
    for symbol, doc_iri, in_registry in cited:
        first = search(seed_store, symbol, k=1)[0]
        assert (first.kind, first.symbol, first.in_registry) == ("document", symbol, in_registry), symbol
        assert first.iri == doc_iri
        if not in_registry:  # a document known only from citations: no status the registry could vouch for
            assert (first.status, first.confidence) == ("unknown", None)


def test_every_citing_clause_is_a_passage_in_its_plan(
    seed_store: Store, seed_index: SearchIndex, analyses: dict[str, Analysis], plan_of: dict[str, str]
) -> None:
    """A citation outside the task table stands in a clause ("Căn cứ …", or a sentence mentioning it): that clause
    is a passage of its plan, and searching its words finds it, linked to the document it is about and the plan."""
    passages = [u for u in seed_index.units.values() if u.kind == "passage"]
    checked = 0
    for file, a in analyses.items():
        for c in a.citations:
            if c.task is not None or c.role == "task_basis":
                continue
            holding = [u for u in passages if plan_of[file] in u.plans and squeeze(c.text) in squeeze(u.text)]
            assert holding, (file, c.text, c.role)
            unit = holding[0]
            hits = search(seed_store, unit.text[:300], k=5, kind="passage")
            assert any(h.title == unit.title and h.doc == unit.doc for h in hits), (file, c.text)
            hit = next(h for h in hits if h.title == unit.title and h.doc == unit.doc)
            assert hit.iri == unit.doc and hit.plan in plan_of.values()
            assert plan_of[file] in {p for p, _ in hit.plans}
            checked += 1
    assert checked > 30


def test_the_basis_passages_of_every_plan(
    seed_store: Store, seed_index: SearchIndex, analyses: dict[str, Analysis], plan_of: dict[str, str]
) -> None:
    """Each plan's "Căn cứ" (and "Thực hiện") clauses: searching the cited symbol with kind=passage lists the plan's
    clause about it, with the document's status."""
    for file, a in analyses.items():
        basis = [c for c in a.citations if c.role == "basis" and c.symbol]
        for c in basis:
            hits = search(seed_store, str(c.symbol), k=50, kind="passage")
            mine = [h for h in hits if plan_of[file] in {p for p, _ in h.plans} and squeeze(c.text) in squeeze(h.title)]
            assert mine, (file, str(c.symbol))
            assert all(h.kind == "passage" and h.status is not None for h in mine)


def test_every_task_by_its_content_and_by_its_legal_basis(
    seed_store: Store, seed_index: SearchIndex, analyses: dict[str, Analysis], plan_of: dict[str, str]
) -> None:
    tasks = 0
    for file, a in analyses.items():
        for t in a.tasks:
            hits = search(seed_store, t.content[:300], k=5, kind="task")
            mine = [h for h in hits if h.plan == plan_of[file] and h.task == t.number]
            assert mine, (file, t.number, t.content[:80])
            tasks += 1
    assert tasks > 100
    # a task's own legal basis (seed 004's "Căn cứ thực hiện" column): searching the basis lists the task
    seed_004 = next(f for f in analyses if "004_" in f)
    for t in analyses[seed_004].tasks:
        for symbol in {str(c.symbol) for c in analyses[seed_004].citations if c.task == t.number and c.symbol}:
            hits = search(seed_store, symbol, k=50, kind="task")
            assert any(h.task == t.number and h.plan == plan_of[seed_004] for h in hits), (t.number, symbol)


def test_results_link_to_the_graph(seed_store: Store, seed_index: SearchIndex) -> None:
    """Document hits are the registry's IRIs; task hits are tasks of their plan in the store; a passage's plan is
    a plan of the store."""
    from tthc_kg import queries

    q = queries.load("search-tasks")
    task_rows = {r["task"]: r for r in seed_store.select(q.text, q.bind({}))}
    plans = {p.iri for p in services.plans(seed_store)}
    for hit in search(seed_store, "một cửa liên thông", k=60):
        if hit.kind == "task":
            assert task_rows[hit.iri]["plan"] == hit.plan and task_rows[hit.iri]["number"] == hit.task
        elif hit.kind == "passage":
            assert hit.plan in plans and hit.doc == hit.iri
        else:
            assert hit.iri == hit.doc and hit.iri.startswith("https://w3id.org/tthc-kg/id/")
