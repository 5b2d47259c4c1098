"""The audit's queries as rewritten for thousands of plans (bench/README.md "scale.py", "Audit at scale").

A plan's graph repeats the labels of the agencies and documents it names, so in the union of graphs a triple comes
once per plan; the rewritten queries read each property once, deduplicated, and join by hash. Checked here: each
returns exactly the rows of a plain reading of its patterns over the store's quads (computed in Python, below);
the audit's agency findings through "agency-names" and "agency-tasks" (only the agencies that ceased) are those of
every assignment ("agency-assignments", succession.agency_findings); and the audit does not depend on the order in
which a store returns rows (the helper queries have no ORDER BY).
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from paths import FIXTURES, SEEDS
from tthc_kg import audit as audit_module
from tthc_kg import queries
from tthc_kg.audit import audit
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.store import Store, _py
from tthc_kg.succession import agency_findings

LATER = date(2026, 11, 22)
# a plan whose tasks 2 and 10 (not its preamble) cite the same document the registry does not know
TIED_PLAN = """ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN

Số: 12/KH-UBND

Hưng Yên, ngày 05 tháng 3 năm 2024

KẾ HOẠCH
Kiểm soát thủ tục hành chính năm 2024

Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về kiểm soát thủ tục hành chính;

I. NỘI DUNG, NHIỆM VỤ

STT\tNội dung công việc\tĐơn vị chủ trì thực hiện\tĐơn vị phối hợp\tThời gian hoàn thành
1\tRà soát quy trình nội bộ\tVăn phòng UBND tỉnh\tSở Nội vụ\tQuý II năm 2024
10\tTriển khai Nghị quyết số 17/2023/NQ-HĐND ngày 12/7/2023 của HĐND tỉnh về phí\tSở Tài chính\t\tNăm 2024
2\tBáo cáo thực hiện Nghị quyết số 17/2023/NQ-HĐND ngày 12/7/2023 của HĐND tỉnh về phí\tSở Tài chính\t\tQuý IV
"""

T = "https://w3id.org/tthc-kg/ontology#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DC = "http://purl.org/dc/terms/"
ELI = "http://data.europa.eu/eli/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def tied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "ke-hoach-12-kh-ubnd-2024.txt"
    path.write_text(TIED_PLAN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, registry: Registry, tied: Path) -> Store:
    s = Store(tmp_path_factory.mktemp("audit-scale"))
    paths = [str(p) for p in SEEDS] + [str(p) for p in sorted(FIXTURES.glob("*.txt"))] + [str(tied)]
    ok, errors, _ = ingest_files(s, registry, paths, progress=False)
    assert errors == [] and ok == len(paths)
    return s


def run(store: Store, name: str, **params: str) -> list[dict[str, Any]]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind(params)))


# --- a plain reading of the original patterns over the quads --------------------------------------------------


class Quads:
    def __init__(self, store: Store) -> None:
        self.db = store._db
        self._by: dict[str, dict[Any, set[Any]]] = {}

    def values(self, predicate: str) -> dict[Any, set[Any]]:
        """subject → objects of one predicate, every graph (as Python values, like Store.select)."""
        if predicate not in self._by:
            d: dict[Any, set[Any]] = defaultdict(set)
            for q in self.db.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
                d[_py(q.subject)].add(_py(q.object))
            self._by[predicate] = d
        return self._by[predicate]

    def get(self, subject: Any, predicate: str) -> set[Any]:
        return self.values(predicate).get(subject, set())

    def opt(self, subject: Any, predicate: str) -> list[Any]:
        """An OPTIONAL: the values, or one unbound."""
        return sorted(self.get(subject, predicate)) or [None]

    def typed(self, cls: str) -> set[Any]:
        return {s for s, o in self.values(RDF_TYPE).items() if cls in o}


def rows_set(rows: list[dict[str, Any]]) -> set[tuple[tuple[str, Any], ...]]:
    return {tuple(sorted(r.items())) for r in rows}


def expected_agency_tree(g: Quads) -> list[dict[str, Any]]:
    return [
        {"org": o, "label": la, "altLabel": al, "province": pr, "parent": pa}
        for o in g.typed(ORG + "Organization")
        for la, al, pr, pa in itertools.product(
            g.opt(o, SKOS + "prefLabel"),
            g.opt(o, SKOS + "altLabel"),
            g.opt(o, T + "province"),
            g.opt(o, ORG + "subOrganizationOf"),
        )
    ]


def expected_agency_events(g: Quads) -> list[dict[str, Any]]:
    out = []
    for e in g.typed(ORG + "ChangeEvent"):
        resulting = [
            (r, la) for r in sorted(g.get(e, ORG + "resultingOrganization")) for la in g.opt(r, SKOS + "prefLabel")
        ]
        bases = sorted(s for b in g.get(e, T + "legalBasis") for s in g.get(b, T + "symbol")) or [None]
        for kind, o in itertools.product(g.get(e, T + "changeKind"), g.get(e, ORG + "originalOrganization")):
            for ol, (r, rl), eff, bs, src, conf, note in itertools.product(
                g.opt(o, SKOS + "prefLabel"),
                resulting or [(None, None)],
                g.opt(e, T + "effectiveDate"),
                bases,
                g.opt(e, DC + "source"),
                g.opt(e, T + "confidence"),
                g.opt(e, SKOS + "note"),
            ):
                out.append(
                    {"event": e, "kind": kind, "original": o, "originalLabel": ol, "resulting": r, "resultingLabel": rl}
                    | {"effective": eff, "basisSymbol": bs, "source": src, "confidence": conf, "note": note}
                )
    return out


def expected_agency_assignments(g: Quads) -> list[dict[str, Any]]:
    out = []
    for source, plans in g.values(T + "plan").items():
        for plan, file in itertools.product(plans, g.get(source, T + "path")):
            named = [
                (n, role, org, label)
                for task in g.get(plan, T + "hasTask")
                for n in g.get(task, T + "taskNumber")
                for role in ("lead", "coordinator")
                for org in g.get(task, T + role)
                for label in g.get(org, SKOS + "prefLabel")
            ]
            named += [
                (None, "issuer", org, label)
                for org in g.get(plan, ELI + "passed_by")
                for label in g.get(plan, T + "issuerName")
            ]
            for (n, role, org, label), sym, title in itertools.product(
                named, g.opt(plan, T + "symbol"), g.opt(plan, DC + "title")
            ):
                out.append(
                    {"plan": plan, "planSymbol": sym, "planTitle": title, "file": file, "taskNumber": n}
                    | {"role": role, "org": org, "label": label}
                )
    return out


def expected_unresolved(g: Quads) -> list[dict[str, Any]]:
    stubs = {s for s, o in g.values(T + "isStub").items() if True in o}
    out = []
    for citation, docs in g.values(T + "cites").items():
        for doc in docs & stubs:
            for role, source, where in itertools.product(
                g.get(citation, T + "role"), g.get(citation, T + "inSource"), g.get(citation, T + "citedIn")
            ):
                for file, plan in itertools.product(g.get(source, T + "path"), g.get(source, T + "plan")):
                    for pt, ps, n, sym, title in itertools.product(
                        g.opt(plan, DC + "title"),
                        g.opt(plan, T + "symbol"),
                        g.opt(where, T + "taskNumber"),
                        g.opt(doc, T + "symbol"),
                        g.opt(doc, DC + "title"),
                    ):
                        out.append(
                            {"plan": plan, "planTitle": pt, "planSymbol": ps, "file": file, "taskNumber": n}
                            | {"doc": doc, "symbol": sym, "title": title, "role": role}
                        )
    return out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("agency-tree", expected_agency_tree),
        ("agency-events", expected_agency_events),
        ("agency-assignments", expected_agency_assignments),
        ("unresolved-citations", expected_unresolved),
    ],
)
def test_rewritten_query_answers_its_plain_patterns(store: Store, name: str, expected: Any) -> None:
    rows = run(store, name)
    want = rows_set(expected(Quads(store)))
    assert want, f"{name}: the test store should give rows"
    assert rows_set(rows) == want
    assert len(rows) == len(want), f"{name}: every row once"


def test_labels_repeated_across_graphs_are_read_once(store: Store) -> None:
    """The reason for the rewrite, on the test store: an agency's label is in several plans' graphs."""
    quads = store._db.quads_for_pattern(None, ox.NamedNode(SKOS + "prefLabel"), None, None)
    copies = Counter((q.subject, q.object) for q in quads)
    assert max(copies.values()) > 1
    tree = run(store, "agency-tree")
    assert len(tree) == len(rows_set(tree))


def test_tasks_of_plan_every_task_of_every_plan(store: Store) -> None:
    g = Quads(store)
    want = Counter(
        (plan, n)
        for plan in g.typed(T + "Plan")
        for task in g.get(plan, T + "hasTask")
        for n in g.get(task, T + "taskNumber")
    )
    assert want and Counter((r["plan"], r["number"]) for r in run(store, "tasks-of-plan")) == want


def test_agency_names_once_per_agency_and_name(store: Store) -> None:
    rows = run(store, "agency-names")
    assert len(rows) == len(rows_set(rows))
    names = {(r["org"], r["label"], r["kind"]) for r in rows}
    assignments = run(store, "agency-assignments")
    # every name an assignment carries (and, for a task's agency, also agencies of tasks outside a plan's table)
    assert {(r["org"], r["label"], "issuer" if r["role"] == "issuer" else "task") for r in assignments} <= names
    issuers = {(r["org"], r["label"]) for r in assignments if r["role"] == "issuer"}
    assert issuers and {(o, la) for o, la, kind in names if kind == "issuer"} == issuers


def test_agency_tasks_of_one_agency(store: Store) -> None:
    assignments = run(store, "agency-assignments")
    for org in sorted({r["org"] for r in assignments})[:40]:
        got = run(store, "agency-tasks", org=org)
        assert {r["org"] for r in got} == {org}
        want = {
            (r["plan"], r["file"], r["taskNumber"], r["role"], r["label"] if r["role"] == "issuer" else None)
            for r in assignments
            if r["org"] == org
        }
        assert {(r["plan"], r["file"], r["taskNumber"], r["role"], r["label"]) for r in got} == want, org


@pytest.mark.parametrize("as_of", [LATER, date(2025, 4, 1), date(2025, 2, 28)])
def test_agency_findings_of_the_ceased_agencies_only_are_those_of_every_assignment(store: Store, as_of: date) -> None:
    """The audit reads the tasks of ceased agencies only; succession.agency_findings reads every assignment."""
    got = [f.as_dict() for f in audit_module._agency_findings(store, as_of, None)]
    want = [f.as_dict() for f in agency_findings(store, as_of, None)]
    key = lambda d: sorted((k, str(v)) for k, v in d.items())  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)
    if as_of == LATER:
        assert got, "the agency fixture's Sở TT&TT and district agencies ended by then"


def test_unresolved_in_several_tasks_is_reported_for_the_first_in_reading_order(store: Store, tied: Path) -> None:
    rows = [
        r for r in run(store, "unresolved-citations") if r["file"] == str(tied) and r["symbol"] == "17/2023/NQ-HĐND"
    ]
    assert {(r["role"], r["taskNumber"]) for r in rows} == {("task_basis", "2"), ("task_basis", "10")}
    findings = [f for f in audit(store, LATER, [str(tied)]) if f.cited == "17/2023/NQ-HĐND"]
    assert [(f.finding, f.task, f.dependency) for f in findings] == [("unresolved", "2", "direct")]


@pytest.mark.parametrize("options", [{}, {"expand": True}, {"include_amended": True}])
def test_the_audit_does_not_depend_on_the_order_of_rows(
    store: Store, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    expected = [f.as_dict() for f in audit(store, LATER, **options)]
    real_run = audit_module._run
    for seed in range(3):
        rng = random.Random(seed)

        def shuffled(s: Any, name: str, values: dict[str, str], rng: random.Random = rng) -> list[dict[str, Any]]:
            rows = real_run(s, name, values)
            rng.shuffle(rows)
            return rows

        monkeypatch.setattr(audit_module, "_run", shuffled)
        assert [f.as_dict() for f in audit(store, LATER, **options)] == expected
    monkeypatch.undo()
