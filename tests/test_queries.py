"""Golden tests of every queries/*.rq on the seeds (and the small outdated-at-issue plan in tests/fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paths import AS_OF, ROOT
from tthc_kg import queries
from tthc_kg.store import Store


def run(store: Store, name: str, **params: str) -> list[dict]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind(params)))


def stem(path: str) -> str:
    return Path(path).stem[:3]


def test_every_query_has_a_header_and_a_test() -> None:
    """Each queries/*.rq says what it answers and is run by name in a test (helpers used by the audit, the
    stats command and the pages are exercised through them: tests/test_cli.py, tests/api, tests/ui)."""
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.rglob("test_*.py"))
    for name in queries.available():
        q = queries.load(name)
        assert q.description, f"{name}.rq has no header comment saying what it answers"
        indirect = ("stats", "tasks-of-plan", "successors-all", "unresolved-citations")
        assert f'"{name}"' in tests or name in indirect, f"{name}.rq has no golden test"


def test_superseded_dependencies(seed_store: Store) -> None:
    rows = run(seed_store, "superseded-dependencies", asOf=AS_OF)
    got = {
        (
            stem(r["file"]),
            r.get("taskNumber") if r["role"] == "task_basis" else None,
            r["symbol"],
            r["finding"],
            r["role"],
        )
        for r in rows
    }
    # read in the seeds: the preambles of 000 and 002 cite 61/2018; 000 also 107/2021; 003 mentions 61/2018;
    # 004's tasks 4 and 11 cite 61/2018 and 107/2021, task 12 cites 107/2021 ("Căn cứ thực hiện" column)
    for expected in [
        ("000", None, "61/2018/NĐ-CP", "replaced", "basis"),
        ("000", None, "107/2021/NĐ-CP", "replaced", "basis"),
        ("002", None, "61/2018/NĐ-CP", "replaced", "basis"),
        ("003", None, "61/2018/NĐ-CP", "replaced", "mention"),
        ("004", "4", "61/2018/NĐ-CP", "replaced", "task_basis"),
        ("004", "4", "107/2021/NĐ-CP", "replaced", "task_basis"),
        ("004", "11", "61/2018/NĐ-CP", "replaced", "task_basis"),
        ("004", "11", "107/2021/NĐ-CP", "replaced", "task_basis"),
        ("004", "12", "107/2021/NĐ-CP", "replaced", "task_basis"),
        ("000", None, "45/2020/NĐ-CP", "partially_repealed", "basis"),
    ]:
        assert expected in got
    # 45/2020 was only amended by 118/2025: never "replaced"
    assert not [
        r for r in rows if r["symbol"] == "45/2020/NĐ-CP" and r["finding"] in ("replaced", "repealed", "expired")
    ]
    # amendments only on request
    assert not [r for r in rows if r["finding"] == "amended"]
    with_amended = run(seed_store, "superseded-dependencies", asOf=AS_OF, includeAmended="true")
    assert {r["symbol"] for r in with_amended if r["finding"] == "amended"} >= {"45/2020/NĐ-CP"}


def test_superseded_dependencies_before_the_change(seed_store: Store) -> None:
    rows = run(seed_store, "superseded-dependencies", asOf="2025-06-30")
    assert not [r for r in rows if r["symbol"] in ("61/2018/NĐ-CP", "107/2021/NĐ-CP")]


def test_outdated_at_issue(seed_store: Store) -> None:
    rows = run(seed_store, "outdated-at-issue")
    got = {(Path(r["file"]).name, r["symbol"], r["finding"]) for r in rows}
    # tests/fixtures/ke-hoach-outdated-2025.txt, dated 15/8/2025: cites 61/2018 (replaced 2025-07-01) and the
    # Luật Ban hành VBQPPL of 22/6/2015 by name (80/2015/QH13, replaced 2025-04-01); 45/2020 is only amended,
    # 118/2025 is in force, and the replacement of 01/2020/TT-VPCP takes effect after the plan (2026-02-15)
    assert ("ke-hoach-outdated-2025.txt", "61/2018/NĐ-CP", "replaced") in got
    assert ("ke-hoach-outdated-2025.txt", "80/2015/QH13", "replaced") in got
    fixture_symbols = {s for f, s, _ in got if f == "ke-hoach-outdated-2025.txt"}
    assert fixture_symbols.isdisjoint({"45/2020/NĐ-CP", "118/2025/NĐ-CP", "01/2020/TT-VPCP"})
    # of the seeds, only 003 (18/01/2023) cites a document already spent when it was signed: 451/QĐ-TTg, the
    # plan for NĐ 09/2019 whose tasks fell in 2019–2020 (an expiry the registry marks unconfirmed)
    seeds = {(f[:3], s, fi) for f, s, fi in got if f != "ke-hoach-outdated-2025.txt"}
    assert seeds == {("003", "451/QĐ-TTg", "expired")}
    assert {r["confidence"] for r in rows if r["symbol"] == "451/QĐ-TTg"} == {"unconfirmed"}


def test_successor(seed_store: Store) -> None:
    rows = run(seed_store, "successor", symbol="61/2018/NĐ-CP", asOf=AS_OF)
    assert [(r["successorSymbol"], r["current"]) for r in rows] == [("118/2025/NĐ-CP", True)]
    rows = run(seed_store, "successor", symbol="34/2016/NĐ-CP", asOf=AS_OF)
    assert {r["successorSymbol"] for r in rows} >= {"78/2025/NĐ-CP", "79/2025/NĐ-CP", "80/2025/NĐ-CP"}
    assert run(seed_store, "successor", symbol="45/2020/NĐ-CP", asOf=AS_OF) == []


def test_in_force_at(seed_store: Store) -> None:
    before = {r["symbol"]: r for r in run(seed_store, "in-force-at", asOf="2024-01-01")}
    after = {r["symbol"]: r for r in run(seed_store, "in-force-at", asOf=AS_OF)}
    assert "61/2018/NĐ-CP" in before and "61/2018/NĐ-CP" not in after
    assert "118/2025/NĐ-CP" not in before and "118/2025/NĐ-CP" in after
    assert "45/2020/NĐ-CP" in after and after["45/2020/NĐ-CP"]["amended"] is True
    assert "80/2015/QH13" in before and "64/2025/QH15" in after and "80/2015/QH13" not in after
    assert "31/2021/QĐ-TTg" in after  # the "29/2026 replaces 31/2021" claim is not encoded


def test_citations_of(seed_store: Store) -> None:
    rows = run(seed_store, "citations-of", symbol="61/2018/NĐ-CP")
    assert {stem(r["file"]) for r in rows} >= {"000", "002", "003", "004"}
    text_of = {stem(r["file"]): (ROOT / "data" / "plans").glob(f"{stem(r['file'])}_*.txt") for r in rows}
    for r in rows:
        if stem(r["file"]) == "ke-":
            continue
        (path,) = list((ROOT / "data" / "plans").glob(f"{stem(r['file'])}_*.txt"))
        assert path.read_text(encoding="utf-8")[r["start"] : r["end"]] == r["text"]
    assert text_of


@pytest.mark.parametrize("bad", [{"asOf": "22/11/2026"}, {"nope": "1"}])
def test_bad_parameters_are_refused(seed_store: Store, bad: dict[str, str]) -> None:
    with pytest.raises(queries.QueryError):
        queries.load("superseded-dependencies").bind(bad)


def test_values_are_bound_not_spliced(seed_store: Store) -> None:
    """A symbol with SPARQL syntax in it is just a string that matches nothing."""
    assert run(seed_store, "citations-of", symbol='61/2018/NĐ-CP" } UNION { ?s ?p ?o } #') == []


# --- task queries: expected values come from the golden task files, written by reading each seed's table ------


def _golden_tasks() -> dict[str, list[dict]]:
    import json

    out = {}
    for path in sorted((Path(__file__).parent / "golden" / "tasks").glob("*.jsonl")):
        out[path.stem[:3]] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def test_tasks_citing(seed_store: Store) -> None:
    rows = run(seed_store, "tasks-citing", symbol="107/2021/NĐ-CP")
    golden = {(s, t["number"]) for s, ts in _golden_tasks().items() for t in ts if "107/2021/NĐ-CP" in t["citations"]}
    assert {(stem(r["file"]), r["number"]) for r in rows} == golden == {("004", "4"), ("004", "11"), ("004", "12")}


def test_tasks_due(seed_store: Store) -> None:
    rows = run(seed_store, "tasks-due", **{"from": "2024-01-01", "to": "2024-12-31"})
    golden = {
        (s, t["number"])
        for s, ts in _golden_tasks().items()
        for t in ts
        if t["due"] and "2024-01-01" <= t["due"] <= "2024-12-31"
    }
    assert golden and {(stem(r["file"]), r["number"]) for r in rows} == golden
    assert all("2024-01-01" <= r["due"] <= "2024-12-31" for r in rows)


def test_tasks_by_agency(seed_store: Store) -> None:
    rows = run(seed_store, "tasks-by-agency", agency="phòng chuyển đổi số")
    golden = {
        (s, t["number"])
        for s, ts in _golden_tasks().items()
        for t in ts
        if any("chuyển đổi số" in a.lower() for a in t["lead"] + t["coordinators"])
    }
    assert golden and {(stem(r["file"]), r["number"]) for r in rows} == golden


def test_agency_workload(seed_store: Store) -> None:
    rows = run(seed_store, "agency-workload")
    by_name = {r["agencyName"]: r for r in rows}
    tasks_004 = _golden_tasks()["004"]
    expected = sum(1 for t in tasks_004 if "Các phòng, đơn vị có liên quan" in t["lead"])
    row = by_name["Các phòng, đơn vị có liên quan"]
    assert (row["tasks"], row["plans"]) == (expected, 1)
    assert sum(r["tasks"] for r in rows) >= sum(len(ts) for ts in _golden_tasks().values())
