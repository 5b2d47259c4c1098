"""Agency succession (legal-registry.md section C as W3C ORG change events) and the audit's agency_dissolved.

The seeds' agencies all still exist (their Sở KH&CN absorbed the Sở TT&TT, their provinces absorbed others), so
the audit must report no agency finding on them. tests/fixtures/ke-hoach-agency-2024.txt is a test plan of
the Sở KH&CN of Thái Bình (merged into Hưng Yên on 2025-07-01) whose tasks name the Sở TT&TT (merged into the
Sở KH&CN on 2025-03-01), the district People's Committees and the district one-stop unit (ended 2025-07-01).
"""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Literal

from paths import FIXTURES, SEEDS
from tthc_kg import queries
from tthc_kg.audit import FIELDS, audit
from tthc_kg.ingest import ingest_files
from tthc_kg.iri import ORG, TTHC
from tthc_kg.registry import Registry
from tthc_kg.registry_rdf import compile_registry
from tthc_kg.store import Store
from tthc_kg.succession import FINDING, Succession

AGENCY_PLAN = FIXTURES / "ke-hoach-agency-2024.txt"
LATER = date(2026, 11, 22)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Store:
    s = Store(tmp_path_factory.mktemp("succession"))
    paths = [str(p) for p in SEEDS] + [str(AGENCY_PLAN)]
    ok, errors, _ = ingest_files(s, registry, paths, progress=False)
    assert errors == [] and ok == len(paths)
    return s


@pytest.fixture(scope="module")
def succession(store: Store) -> Succession:
    return Succession.from_store(store)


def test_registry_compiles_w3c_org_change_events(registry: Registry) -> None:
    g = compile_registry(registry)
    mergers = {e for e in g.subjects(TTHC.changeKind, Literal("merger"))}
    assert len(mergers) == sum(1 for e in registry.agency_events if e.kind == "merger")
    btttt = registry.agency("Bộ TT&TT")
    bkhcn = registry.agency("Bộ Khoa học và Công nghệ")
    assert btttt is not None and bkhcn is not None
    events = set(g.objects(btttt.iri, ORG.changedBy))
    assert len(events) == 1
    (event,) = events
    assert (event, ORG.originalOrganization, btttt.iri) in g
    assert (event, ORG.resultingOrganization, bkhcn.iri) in g
    assert (bkhcn.iri, ORG.resultedFrom, event) in g
    assert str(g.value(event, TTHC.effectiveDate)) == "2025-03-01"
    assert str(g.value(event, TTHC.confidence)) == "confirmed"
    # the district level ended with no resulting organization
    ended = next(e for e in g.subjects(TTHC.changeKind, Literal("ended")))
    assert not list(g.objects(ended, ORG.resultingOrganization))
    assert str(g.value(ended, TTHC.effectiveDate)) == "2025-07-01"


@pytest.mark.parametrize(
    ("name", "day", "since", "successors", "confidence"),
    [
        ("Bộ Thông tin và Truyền thông", LATER, "2025-03-01", ["Bộ Khoa học và Công nghệ"], "confirmed"),
        ("Bộ Thông tin và Truyền thông", date(2025, 2, 28), None, None, None),
        # every province's Sở TT&TT, also one the registry does not list, goes to that province's Sở KH&CN
        (
            "Sở Thông tin và Truyền thông tỉnh Sơn La",
            LATER,
            "2025-03-01",
            ["Sở Khoa học và Công nghệ tỉnh Sơn La"],
            "confirmed",
        ),
        ("Sở TT&TT tỉnh Hưng Yên", LATER, "2025-03-01", ["Sở Khoa học và Công nghệ tỉnh Hưng Yên"], "confirmed"),
        # more words that are no place: the same agency, its successor without them
        ("Bộ Thông tin và Truyền thông (Cục Bưu điện)", LATER, "2025-03-01", ["Bộ Khoa học và Công nghệ"], "confirmed"),
        # provinces merged from 2025-07-01, exactly as the registry says
        ("Ủy ban nhân dân tỉnh Thái Bình", LATER, "2025-07-01", ["Ủy ban nhân dân tỉnh Hưng Yên"], "confirmed"),
        ("Ủy ban nhân dân tỉnh Bắc Kạn", LATER, "2025-07-01", ["Ủy ban nhân dân tỉnh Thái Nguyên"], "confirmed"),
        ("Ủy ban nhân dân tỉnh Thái Bình", date(2025, 6, 30), None, None, None),
        # a department of a merged province: derived, so unconfirmed
        (
            "Sở Khoa học và Công nghệ tỉnh Bắc Kạn",
            LATER,
            "2025-07-01",
            ["Sở Khoa học và Công nghệ tỉnh Thái Nguyên"],
            "unconfirmed",
        ),
        # two steps: Sở TT&TT Thái Bình → Sở KH&CN Thái Bình (03-01) → Sở KH&CN Hưng Yên (07-01)
        (
            "Sở Thông tin và Truyền thông tỉnh Thái Bình",
            LATER,
            "2025-03-01",
            ["Sở Khoa học và Công nghệ tỉnh Thái Bình", "Sở Khoa học và Công nghệ tỉnh Hưng Yên"],
            "unconfirmed",
        ),
        (
            "Sở Thông tin và Truyền thông tỉnh Thái Bình",
            date(2025, 4, 1),
            "2025-03-01",
            ["Sở Khoa học và Công nghệ tỉnh Thái Bình"],
            "confirmed",
        ),
        # the district level ended, with no successor
        ("Ủy ban nhân dân huyện Văn Lâm", LATER, "2025-07-01", [], "confirmed"),
        ("Ủy ban nhân dân các huyện, thành phố", LATER, "2025-07-01", [], "confirmed"),
        ("Bộ phận Một cửa cấp huyện", LATER, "2025-07-01", [], "confirmed"),
        # those that go on
        ("Bộ Khoa học và Công nghệ", LATER, None, None, None),
        ("Sở Khoa học và Công nghệ tỉnh Hưng Yên", LATER, None, None, None),
        ("Ủy ban nhân dân tỉnh Thái Nguyên", LATER, None, None, None),
        ("Ủy ban nhân dân tỉnh Cao Bằng", LATER, None, None, None),  # not merged (legal-registry.md C.3)
        ("Ủy ban nhân dân tỉnh Hà Giang", LATER, None, None, None),  # the registry says nothing: nothing invented
        ("Ủy ban nhân dân cấp xã", LATER, None, None, None),
        ("Sở Y tế tỉnh Hưng Yên", LATER, None, None, None),
    ],
)
def test_cessation(
    succession: Succession,
    name: str,
    day: date,
    since: str | None,
    successors: list[str] | None,
    confidence: str | None,
) -> None:
    c = succession.ceased(name, None, day)
    if since is None:
        assert c is None
        return
    assert c is not None
    assert (c.since, list(c.successors), c.confidence) == (since, successors, confidence)


def test_unit_named_after_a_merged_department(succession: Succession) -> None:
    c = succession.ceased("Văn phòng Sở Thông tin và Truyền thông tỉnh Hưng Yên", None, LATER)
    assert c is not None and c.inherited_from == "Sở Thông tin và Truyền thông tỉnh Hưng Yên"
    assert list(c.successors) == ["Văn phòng Sở Khoa học và Công nghệ tỉnh Hưng Yên"]
    assert c.confidence == "unconfirmed"


def test_seeds_have_no_agency_findings(store: Store) -> None:
    seeds = [str(p) for p in SEEDS]
    assert not [f for f in audit(store, LATER, seeds) if f.finding == FINDING]


def _agency_rows(store: Store, day: date) -> set[tuple[str | None, str, str, str | None, tuple[str, ...], str]]:
    return {
        (f.task, f.cited, f.dependency, f.since, tuple(f.successors), f.confidence)
        for f in audit(store, day, [str(AGENCY_PLAN)])
        if f.finding == FINDING
    }


def test_audit_flags_tasks_and_issuer_of_agencies_that_ended(store: Store) -> None:
    rows = _agency_rows(store, LATER)
    tb_kh = "Sở Khoa học và Công nghệ tỉnh Thái Bình"
    hy_kh = "Sở Khoa học và Công nghệ tỉnh Hưng Yên"
    expected = {
        (None, tb_kh, "issuer", "2025-07-01", (hy_kh,), "unconfirmed"),
        ("1", "Văn phòng " + tb_kh, "lead", "2025-07-01", ("Văn phòng " + hy_kh,), "unconfirmed"),
        (
            "1",
            "Sở Thông tin và Truyền thông tỉnh Thái Bình",
            "coordinator",
            "2025-03-01",
            (tb_kh, hy_kh),
            "unconfirmed",
        ),
        ("2", "Sở Thông tin và Truyền thông tỉnh Thái Bình", "lead", "2025-03-01", (tb_kh, hy_kh), "unconfirmed"),
        ("2", "Ủy ban nhân dân các huyện, thành phố", "coordinator", "2025-07-01", (), "confirmed"),
        ("3", "Bộ phận Một cửa cấp huyện", "lead", "2025-07-01", (), "confirmed"),
        ("3", "Văn phòng " + tb_kh, "coordinator", "2025-07-01", ("Văn phòng " + hy_kh,), "unconfirmed"),
        ("4", "Văn phòng " + tb_kh, "lead", "2025-07-01", ("Văn phòng " + hy_kh,), "unconfirmed"),
        (
            "4",
            "Các phòng, đơn vị thuộc " + tb_kh,
            "coordinator",
            "2025-07-01",
            ("Các phòng, đơn vị thuộc " + hy_kh,),
            "unconfirmed",
        ),
    }
    assert rows == expected


def test_audit_agency_findings_follow_the_date(store: Store) -> None:
    # before the ministries and departments merged: nothing
    assert _agency_rows(store, date(2025, 2, 28)) == set()
    # between the two dates: only the Sở TT&TT, whose successor then was its own province's Sở KH&CN (a fact)
    between = _agency_rows(store, date(2025, 4, 1))
    assert {r[1] for r in between} == {"Sở Thông tin và Truyền thông tỉnh Thái Bình"}
    assert {r[4] for r in between} == {("Sở Khoa học và Công nghệ tỉnh Thái Bình",)}
    assert {r[5] for r in between} == {"confirmed"}


def test_agency_findings_keep_the_audit_contract(store: Store) -> None:
    for f in audit(store, LATER, [str(AGENCY_PLAN)]):
        d = f.as_dict()
        assert list(d) == list(FIELDS)
        if d["finding"] == FINDING:
            assert d["dependency"] in ("lead", "coordinator", "issuer")
            assert d["confidence"] in ("confirmed", "unconfirmed")
            assert (d["task"] is None) == (d["dependency"] == "issuer")
    # and can be left out
    assert not [f for f in audit(store, LATER, [str(AGENCY_PLAN)], include_agencies=False) if f.finding == FINDING]


def test_agency_queries_run(store: Store) -> None:
    for name in ("agency-events", "agency-tree", "agency-assignments"):
        q = queries.load(name)
        assert list(store.select(q.text, q.bind({}))), name
