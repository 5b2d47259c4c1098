"""Reviews of audit findings: ack / dismiss with a note, kept in their own named graph with who and when (PROV),
shown by the audit and hidden with --hide-acknowledged; the CLI end to end on a real on-disk store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

from paths import AS_OF, ROOT, SEEDS
from tthc_kg import iri
from tthc_kg.audit import FIELDS, audit
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.review import (
    REVIEW_GRAPH,
    ReviewError,
    annotate,
    finding_id,
    hide_reviewed,
    load_reviews,
    record,
    resolve_id,
)
from tthc_kg.store import Store

DAY = date.fromisoformat(AS_OF)


def cli(*args: str, store: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TTHC_KG_STORE=str(store), PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tthc_kg.cli", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture()
def store(tmp_path: Path, registry: Registry) -> Store:
    s = Store(tmp_path / "store")
    ok, errors, _ = ingest_files(s, registry, [str(p) for p in SEEDS], progress=False)
    assert errors == [] and ok == len(SEEDS)
    return s


def test_ids_are_stable_and_distinct(store: Store) -> None:
    findings = audit(store, DAY)
    ids = [finding_id(f) for f in findings]
    assert len(set(ids)) == len(ids) > 10
    assert [finding_id(f) for f in audit(store, DAY)] == ids
    # the date of the audit is not part of the id: the same finding a year later keeps it
    later = {finding_id(f) for f in audit(store, date(DAY.year + 1, 1, 1))}
    assert set(ids) <= later


def test_record_in_its_own_graph_with_who_and_when(store: Store) -> None:
    findings = audit(store, DAY)
    f = next(x for x in findings if x.cited == "61/2018/NĐ-CP" and x.dependency == "basis")
    before = {g for g in store.graph_names() if g != str(REVIEW_GRAPH)}
    when = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
    r = record(store, f, "acknowledged", "Đã đưa vào  kế hoạch sửa đổi", "Nguyễn Thị Hoa", at=when)
    assert r.at == "2026-11-22T03:04:05Z" and r.note == "Đã đưa vào kế hoạch sửa đổi"
    assert str(REVIEW_GRAPH) in store.graph_names()
    assert {g for g in store.graph_names() if g != str(REVIEW_GRAPH)} == before
    rows = list(
        store.select(
            "SELECT ?g ?r ?p ?o WHERE { GRAPH ?g { ?r ?p ?o } }", {"g": URIRef(str(REVIEW_GRAPH)), "r": URIRef(r.node)}
        )
    )
    props = {row["p"] for row in rows}
    assert str(iri.PROV.wasAssociatedWith) in props and str(iri.PROV.endedAtTime) in props
    (loaded,) = load_reviews(store)
    assert (loaded.finding_id, loaded.decision, loaded.by, loaded.at) == (
        finding_id(f),
        "acknowledged",
        "Nguyễn Thị Hoa",
        r.at,
    )
    assert loaded.finding is not None and loaded.finding["cited"] == "61/2018/NĐ-CP"
    # re-ingesting a plan leaves the reviews alone
    ingest_files(store, _registry(), [str(SEEDS[0])], progress=False)
    assert len(load_reviews(store)) == 1


def _registry() -> Registry:
    from tthc_kg.registry import load_registry

    return load_registry()


def test_latest_decision_counts_and_history_is_kept(store: Store) -> None:
    findings = audit(store, DAY)
    f = findings[0]
    record(store, f, "acknowledged", "", "A", at=datetime(2026, 1, 1, tzinfo=UTC))
    record(store, f, "dismissed", "Không áp dụng: kế hoạch đã hết hiệu lực", "B", at=datetime(2026, 1, 2, tzinfo=UTC))
    reviews = load_reviews(store)
    assert [r.decision for r in reviews] == ["acknowledged", "dismissed"]
    marked = annotate(findings, reviews)
    assert marked[0]["review"]["decision"] == "dismissed" and marked[0]["review"]["by"] == "B"
    assert all(m["review"] is None for m in marked[1:])
    assert list(marked[0])[: len(FIELDS)] == list(FIELDS) and list(marked[0])[len(FIELDS) :] == ["id", "review"]
    assert len(hide_reviewed(findings, reviews)) == len(findings) - 1


def test_decisions_in_the_same_second_keep_the_order_recorded(store: Store) -> None:
    findings = audit(store, DAY)
    a, b = findings[0], findings[1]
    when = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
    for first, second in ((a, b), (b, a)):
        store.remove_graph(REVIEW_GRAPH)
        record(store, first, "acknowledged", "", "A", at=when)
        record(store, second, "acknowledged", "", "B", at=when)
        assert [r.finding_id for r in load_reviews(store)] == [finding_id(first), finding_id(second)]


def test_preamble_decision_covers_the_expanded_rows(store: Store) -> None:
    f = next(x for x in audit(store, DAY) if x.cited == "61/2018/NĐ-CP" and x.dependency == "basis")
    record(store, f, "acknowledged", "", "A")
    expanded = [x for x in audit(store, DAY, expand=True) if x.file == f.file and x.cited == f.cited]
    assert len(expanded) > 5 and all(x.task for x in expanded)
    assert hide_reviewed(expanded, load_reviews(store)) == []


def test_bad_input_is_refused(store: Store) -> None:
    findings = audit(store, DAY)
    with pytest.raises(ReviewError, match="not a finding id"):
        resolve_id("xyz", findings)
    with pytest.raises(ReviewError, match="no current finding"):
        resolve_id("0000000000ff", findings)
    with pytest.raises(ReviewError, match="empty"):
        record(store, findings[0], "dismissed", "  ", "A")
    with pytest.raises(ReviewError, match="decision"):
        record(store, findings[0], "approved", "x", "A")
    with pytest.raises(ReviewError, match="name"):
        record(store, findings[0], "acknowledged", "", " ")
    assert load_reviews(store) == []


def test_cli_review_and_audit(tmp_path: Path) -> None:
    store = tmp_path / "store"
    cli("ingest", *[str(p) for p in SEEDS], "--quiet", "--no-index", store=store)
    listed = jsonl(cli("review", "list", "--as-of", AS_OF, "--format", "jsonl", store=store).stdout)
    assert listed and all(r["review"] is None for r in listed)
    target = next(r for r in listed if r["cited"] == "107/2021/NĐ-CP" and r["task"] == "12")
    out = cli(
        "review",
        "ack",
        target["id"][:6],
        "--by",
        "Trần Văn Bình",
        "--note",
        "Sẽ sửa căn cứ",
        "--as-of",
        AS_OF,
        store=store,
    ).stdout
    assert out.startswith(target["id"] + " acknowledged by Trần Văn Bình")
    other = next(r for r in listed if r["finding"] == "unresolved")
    cli("review", "dismiss", other["id"], "--by", "Lê C", "--note", "Văn bản nội bộ", "--as-of", AS_OF, store=store)

    plain = jsonl(cli("audit", "--all", "--as-of", AS_OF, "--format", "jsonl", store=store).stdout)
    assert all(list(r) == list(FIELDS) for r in plain)  # the contract is untouched without --reviews
    assert len(plain) == len(listed)
    hidden = jsonl(
        cli("audit", "--all", "--as-of", AS_OF, "--format", "jsonl", "--hide-acknowledged", store=store).stdout
    )
    assert len(hidden) == len(plain) - 2
    assert not [r for r in hidden if finding_id(r) in (target["id"], other["id"])]
    annotated = jsonl(cli("audit", "--all", "--as-of", AS_OF, "--format", "jsonl", "--reviews", store=store).stdout)
    by_id = {r["id"]: r for r in annotated}
    assert by_id[target["id"]]["review"]["decision"] == "acknowledged"
    assert by_id[target["id"]]["review"]["note"] == "Sẽ sửa căn cứ"
    assert by_id[other["id"]]["review"]["decision"] == "dismissed"
    table = cli("audit", "--all", "--as-of", AS_OF, store=store).stdout
    assert "Reviewed findings (2, shown above)" in table and "Sẽ sửa căn cứ" in table
    history = jsonl(cli("review", "list", "--history", "--format", "jsonl", store=store).stdout)
    assert [h["decision"] for h in history] == ["acknowledged", "dismissed"]
    pending = jsonl(cli("review", "list", "--pending", "--as-of", AS_OF, "--format", "jsonl", store=store).stdout)
    assert len(pending) == len(listed) - 2


@pytest.fixture(scope="module")
def one_plan_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("one-plan") / "store"
    cli("ingest", str(SEEDS[0]), "--quiet", "--no-index", store=store)
    return store


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "ack", "zz"], "not a finding id"),
        (["review", "ack", "0000000000ff", "--by", "A"], "no current finding"),
        (["review", "dismiss", "abcd", "--by", "A"], "--note"),
    ],
)
def test_cli_errors(one_plan_store: Path, args: list[str], message: str) -> None:
    proc = cli(*args, store=one_plan_store, check=False)
    assert proc.returncode != 0 and proc.stderr.startswith("tthc-kg: error:") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_http_review_needs_the_write_token(store: Store, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from tthc_kg.api.app import create_app
    from tthc_kg.api.settings import Settings

    findings = audit(store, DAY)
    fid = finding_id(next(f for f in findings if f.cited == "107/2021/NĐ-CP" and f.task == "11"))
    body = {"by": "Phạm D", "note": "Đã ghi nhận"}
    url = f"/api/review/{fid}/ack?as_of={AS_OF}"

    closed = TestClient(create_app(Settings(store=str(tmp_path / "a")), store=store))
    assert closed.post(url, json=body).status_code == 403  # no token configured: writes disabled
    client = TestClient(create_app(Settings(store=str(tmp_path / "b"), write_token="s3cret-review"), store=store))
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers={"Authorization": "Bearer sai"}).status_code == 403
    assert load_reviews(store) == []

    auth = {"Authorization": "Bearer s3cret-review"}
    r = client.post(url, json=body, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["decision"] == "acknowledged" and r.json()["by"] == "Phạm D" and r.json()["id"] == fid
    listed = client.get("/api/review", params={"as_of": AS_OF}).json()
    assert listed["reviewed"] == 1 and listed["count"] == len(findings)
    item = next(x for x in listed["findings"] if x["id"] == fid)
    assert item["review"]["note"] == "Đã ghi nhận" and list(item["finding"]) == list(FIELDS)
    pending = client.get("/api/review", params={"as_of": AS_OF, "pending": True}).json()
    assert pending["count"] == len(findings) - 1
    # a dismissal needs a note; an unknown id is 404; a malformed one 422
    dis = f"/api/review/{fid}/dismiss?as_of={AS_OF}"
    assert client.post(dis, json={"by": "A"}, headers=auth).status_code == 422
    assert client.post(f"/api/review/0000000000ff/ack?as_of={AS_OF}", json=body, headers=auth).status_code == 404
    assert client.post(f"/api/review/zz/ack?as_of={AS_OF}", json=body, headers=auth).status_code == 422
    assert client.post(dis, json={"by": "A", "note": "Không áp dụng"}, headers=auth).status_code == 200
    history = client.get("/api/review/history").json()
    assert [h["decision"] for h in history] == ["acknowledged", "dismissed"]
