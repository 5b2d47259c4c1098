"""Issue 5's follow-ups over the seed store (the sample plans and the outdated-at-issue plan): symbols typed glued
to their type word, plans weighed below the legal bases, the engine's ``kind`` filter, tasks found by their lead
agencies, and query expansion with the domain's synonyms (``data/search_synonyms.csv``). Searches are lexical
(``dense=False``) unless said otherwise; the truth comes from the registry and the graph, not from the index."""

from __future__ import annotations

from datetime import date

import pytest

from tthc_kg import queries
from tthc_kg.search import SearchError, engine, run, search
from tthc_kg.search.engine import TypedSymbol, role, typed_symbols
from tthc_kg.search.index import SearchIndex
from tthc_kg.search.lexical import LexicalIndex
from tthc_kg.search.synonyms import Synonym, expansion_tokens, expansions, parse, table
from tthc_kg.search.tokenize import fold, normalize
from tthc_kg.store import Store

AS_OF = date(2026, 11, 22)


def lexical(store: Store, query: str, **kw: object) -> list[engine.SearchHit]:
    return search(store, query, dense=False, as_of=AS_OF, **kw)  # type: ignore[arg-type]


# --- 1. symbols, whatever the spacing, diacritics and case ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nd61/2018", [TypedSymbol("61", 2018, None, "nd")]),
        ("NĐ61/2018", [TypedSymbol("61", 2018, None, "nd")]),
        ("nđ.61/2018", [TypedSymbol("61", 2018, None, "nd")]),
        ("qđ45/2016", [TypedSymbol("45", 2016, None, "qd")]),
        ("nghị định61/2018", [TypedSymbol("61", 2018, None, "nd")]),
        ("tt02/2017", [TypedSymbol("02", 2017, None, "tt")]),
        ("24/2018/QH14", [TypedSymbol("24", 2018, "qh14", None)]),  # a code with digits is kept whole
        ("and61/2018", []),  # "nd" inside a word is no type hint, and "and61" is no number
    ],
)
def test_glued_symbols_are_read(query: str, expected: list[TypedSymbol]) -> None:
    assert typed_symbols(query) == expected


@pytest.mark.parametrize(
    ("query", "symbol"),
    [
        ("nd61/2018", "61/2018/NĐ-CP"),
        ("NĐ 61/2018", "61/2018/NĐ-CP"),
        ("Nđ61/2018", "61/2018/NĐ-CP"),
        ("61/2018/nđ-cp", "61/2018/NĐ-CP"),
        ("61/2018/ND-CP", "61/2018/NĐ-CP"),
        ("qd 45/2016", "45/2016/QĐ-TTg"),
        ("qđ45/2016", "45/2016/QĐ-TTg"),
        ("QD45/2016/QD-TTG", "45/2016/QĐ-TTg"),
        ("tt02/2017", "02/2017/TT-VPCP"),
        ("luật80/2015", "80/2015/QH13"),
        ("80/2015/qh13", "80/2015/QH13"),
    ],
)
def test_a_symbol_goes_straight_to_the_document(seed_store: Store, query: str, symbol: str) -> None:
    first = lexical(seed_store, query, k=1)[0]
    assert (first.kind, first.symbol, first.score) == ("document", symbol, engine.SYMBOL_SCORE)


def test_a_glued_hint_of_another_type_is_not_routed(seed_store: Store) -> None:
    """ "tt61/2018" names a Thông tư 61/2018, which the registry does not hold: NĐ 61/2018 is not routed first."""
    first = lexical(seed_store, "tt61/2018", k=1)[0]
    assert first.score < engine.SYMBOL_SCORE


# --- 2. plans and their decisions below the legal bases ---------------------------------------------------------


def test_roles(seed_index: SearchIndex) -> None:
    units = seed_index.units.values()
    plans = [u for u in units if u.kind == "document" and u.plan == u.doc]
    decisions = [u for u in units if u.kind == "document" and u.issues]
    assert plans and decisions and all(d.issues in {p.doc for p in plans} for d in decisions)
    assert {role(u) for u in plans + decisions} == {"plan"}
    registry = [u for u in units if u.kind == "document" and u.in_registry]
    assert registry and {role(u) for u in registry} == {"document"}
    assert {role(u) for u in units if u.kind != "document"} == {"passage", "task"}


def test_plans_come_after_the_legal_bases_they_share_words_with(seed_store: Store, seed_index: SearchIndex) -> None:
    """The plans' titles all say "kiểm soát thủ tục hành chính": a topic query in those words lists the registry's
    legal bases first, each plan still found (below them)."""
    query = "niêm yết công khai thủ tục hành chính"
    hits = lexical(seed_store, query, k=100_000)
    roles = [role(seed_index.units["doc:" + h.iri]) if h.kind == "document" else h.kind for h in hits]
    plans = [i for i, r in enumerate(roles) if r == "plan"]
    assert len(plans) == sum(1 for u in seed_index.units.values() if role(u) == "plan")  # every plan is found
    assert [h.symbol for h in hits].index("63/2010/NĐ-CP") < min(plans) and min(plans) >= 5
    # weighed as their kind, the plans would come first: the ranking before the weights puts one in the top 5
    fused = engine.rank_units(engine.open_index(seed_store), query, None, None).fused
    assert any(role(seed_index.units[key]) == "plan" for key, _ in fused[:5])
    # a plan searched by its own title is found near the top all the same (the sample plans' titles are alike)
    for plan in [u for u in seed_index.units.values() if role(u) == "plan" and u.title]:
        assert plan.iri in [h.iri for h in lexical(seed_store, plan.title, k=5)], plan.title


# --- 3. the kind filter -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["document", "passage", "task"])
def test_the_kind_filter_keeps_one_kind_in_the_fused_order(seed_store: Store, kind: str) -> None:
    query = "một cửa liên thông"
    kept = lexical(seed_store, query, k=6, kind=kind)
    assert len(kept) == 6 and {h.kind for h in kept} == {kind}
    everything = run(seed_store, query, k=100_000, as_of=AS_OF, dense=False).hits
    assert [h.iri for h in kept] == [h.iri for h in everything if h.kind == kind][:6]


def test_a_bad_kind_is_refused(seed_store: Store) -> None:
    with pytest.raises(SearchError, match="kind: expected one of document, passage, task"):
        run(seed_store, "một cửa", kind="plan")


# --- 4. tasks by their lead agencies ------------------------------------------------------------------------------


def test_tasks_are_found_by_their_lead_agency(seed_store: Store) -> None:
    """Every task a "Phòng Chuyển đổi số" leads (the graph's tthc:lead) is found by "chuyển đổi số", though no
    task's content says so."""
    q = queries.load("tasks-by-agency")
    led = {r["number"] for r in seed_store.select(q.text, q.bind({"agency": "chuyển đổi số"})) if r["role"] == "lead"}
    assert led
    found = {h.task for h in lexical(seed_store, "chuyển đổi số", k=200, kind="task")}
    assert led <= found
    # and by the folded name, from the top of the tasks
    top = [h.task for h in lexical(seed_store, "phong chuyen doi so", k=len(led) + 2, kind="task")]
    assert led <= set(top)


# --- 5. synonyms ----------------------------------------------------------------------------------------------------


def test_the_shipped_table() -> None:
    rows = table()
    assert rows and all(isinstance(s, Synonym) and s.term and s.expansion for s in rows)
    pairs = {(" ".join(s.term), s.expansion) for s in rows}
    assert ("buu dien", "bưu chính") in pairs and ("buu chinh", "bưu điện") in pairs  # both ways
    assert ("tthc", "thủ tục hành chính") in pairs and ("thu tuc hanh chinh", "tthc") not in pairs  # one way
    assert all(s.expansion == normalize(s.expansion) for s in rows)


def test_a_bad_table_is_refused() -> None:
    with pytest.raises(ValueError, match="row 2"):
        parse("term,expansion,direction,note\nbưu điện,bưu chính,sideways,\n")
    assert parse("# a comment\nterm,expansion,direction,note\nA,b,one-way,\n") == (Synonym(("a",), "b"),)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nộp hồ sơ qua bưu điện", ["bưu chính"]),
        ("gui ho so qua buu dien", ["bưu chính"]),
        ("nghi dinh mot cua", ["một cửa liên thông"]),
        ("một cửa liên thông", []),  # the expansion is already there
        ("dvc tthc", ["thủ tục hành chính", "dịch vụ công"]),
        ("mộtcửa", []),  # whole syllables only
        ("Ủy ban nhân dân", ["uỷ ban"]),  # the other placement of the tone mark
    ],
)
def test_expansions(query: str, expected: list[str]) -> None:
    assert expansions(query) == expected


def test_expansion_tokens_are_made_as_the_query() -> None:
    exact = expansion_tokens("nộp hồ sơ qua bưu điện", segment=False)
    assert set(exact) == {"chính", "bưu_chính", "~chinh", "~buu_chinh"}  # "bưu" and "~buu": the query's own
    folded = expansion_tokens("gui ho so qua buu dien", segment=False)
    assert set(folded) == {"~chinh", "~buu_chinh"}


def test_expansion_counts_below_the_query_own_words() -> None:
    ix = LexicalIndex()
    ix.add([("post", ["bưu", "điện"]), ("postal", ["bưu", "chính"]), ("other", ["hồ", "sơ"])])
    ix.commit()
    plain = dict(ix.search(["bưu", "điện"], 10))
    both = ix.search(["bưu", "điện"], 10, extra=["chính"], extra_weight=0.5)
    assert [k for k, _ in both] == ["post", "postal"]
    assert dict(both)["postal"] > plain["postal"]  # the expansion adds to the text that has it …
    assert dict(both)["post"] == pytest.approx(plain["post"])  # … and nothing to the others
    full = dict(ix.search(["bưu", "điện"], 10, extra=["chính"], extra_weight=1.0))
    assert dict(both)["postal"] < full["postal"]  # at its weight
    assert ix.search([], 10, extra=["sơ"]) and ix.search([], 10) == []


def test_an_abbreviation_finds_the_documents_that_spell_it_out(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "dvc truc tuyen": the documents say "dịch vụ công trực tuyến"; without the table the tasks (which write
    "DVC") come first."""

    def spelled_out(hits: list[engine.SearchHit]) -> int:
        return sum(1 for h in hits if h.kind == "document" and "dich vu cong" in fold(normalize(h.title or "")))

    with_table = lexical(seed_store, "dvc truc tuyen", k=5)
    monkeypatch.setattr(engine, "SYNONYMS", False)
    without = lexical(seed_store, "dvc truc tuyen", k=5)
    assert spelled_out(with_table) > spelled_out(without)
    assert spelled_out(with_table) >= 2
