"""Watchlists: saved plans / agencies / provinces and `watch report --since DATE` over document and agency
changes (the Atom feed of the same report: tests/api/test_feeds.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from paths import FIXTURES, ROOT, SEEDS
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.store import Store
from tthc_kg.watch import (
    WATCH_GRAPH,
    WatchError,
    add_watch,
    load_watches,
    remove_watch,
    report,
    resolve_targets,
    summary_vi,
    title_vi,
)

AGENCY_PLAN = FIXTURES / "ke-hoach-agency-2024.txt"
SEED004 = SEEDS[4].name
SEED000 = SEEDS[0].name


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Store:
    s = Store(tmp_path_factory.mktemp("watch"))
    paths = [str(p) for p in SEEDS] + [str(AGENCY_PLAN)]
    ok, errors, _ = ingest_files(s, registry, paths, progress=False)
    assert errors == [] and ok == len(paths)
    return s


def _changes(store: Store, since: str, **targets: list[str]) -> list[dict[str, Any]]:
    t = resolve_targets(store, targets.get("plan", []), targets.get("agency", []), targets.get("province", []))
    return [c.row("t") for c in report(store, t, date.fromisoformat(since)).changes]


def _key(rows: list[dict[str, Any]]) -> set[tuple[str, str, str | None]]:
    return {(r["kind"], r["subject"], r["effective"]) for r in rows}


def test_plan_report_lists_the_changes_to_what_it_cites(store: Store) -> None:
    rows = _changes(store, "2025-06-01", plan=[SEED004])
    keys = _key(rows)
    assert ("replacement", "61/2018/NĐ-CP", "2025-07-01") in keys
    assert ("replacement", "107/2021/NĐ-CP", "2025-07-01") in keys
    r107 = next(r for r in rows if r["kind"] == "replacement" and r["subject"] == "107/2021/NĐ-CP")
    assert r107["by"] == "118/2025/NĐ-CP" and r107["successors"] == ["118/2025/NĐ-CP"]
    assert r107["affects"] == [{"what": SEED004, "tasks": ["4", "11", "12"]}]
    assert r107["confidence"] == "confirmed" and r107["machine_read"] is False
    # 45/2020 was amended, never replaced
    assert not [r for r in rows if r["subject"] == "45/2020/NĐ-CP" and r["kind"] == "replacement"]
    # the date bounds the report: nothing before it, and undated events are not "since" anything
    assert all(r["effective"] >= "2025-06-01" for r in rows)
    assert _key(_changes(store, "2025-07-02", plan=[SEED004])) < keys
    for r in rows:
        assert list(r) == [
            "watch", "event", "kind", "subject", "by", "successors", "effective", "recorded", "scope",
            "confidence", "machine_read", "source", "affects",
        ]  # fmt: skip


def test_plan_report_follows_successors(store: Store) -> None:
    # seed 000 cites 61/2018, replaced by 118/2025, itself amended by 187/2025 … and by 367/2025 (a change the plan
    # must see), whose effective date the registry does not know: reported apart, as undated
    result = report(store, resolve_targets(store, [SEED000], [], []), date(2025, 1, 1))
    undated = {(c.kind, c.subject, c.by) for c in result.undated}
    assert ("amendment", "118/2025/NĐ-CP", "367/2025/NĐ-CP") in undated
    assert not [c for c in result.changes if c.effective is None and c.recorded is None]
    dated = {(c.kind, c.subject, c.by) for c in result.changes}
    assert ("amendment", "78/2025/NĐ-CP", "187/2025/NĐ-CP") in dated  # successor of 34/2016, cited by task III.1


def test_plan_report_has_its_agency_changes(store: Store) -> None:
    rows = _changes(store, "2025-01-01", plan=[AGENCY_PLAN.name])
    agency = {(r["kind"], r["subject"]) for r in rows if r["kind"] in ("merger", "ended")}
    assert ("merger", "Ủy ban nhân dân tỉnh Thái Bình") in agency  # the issuer's province
    assert ("merger", "Sở Thông tin và Truyền thông") in agency  # task 1 and 2's Sở TT&TT (every province)
    assert any(k == "ended" for k, _ in agency)  # the district level (tasks 2, 3)
    ended = next(r for r in rows if r["kind"] == "ended")
    assert ended["affects"] == [{"what": AGENCY_PLAN.name, "tasks": ["2", "3"]}]


def test_agency_report(store: Store) -> None:
    rows = _changes(store, "2025-01-01", agency=["Sở Khoa học và Công nghệ tỉnh Hưng Yên"])
    keys = {(r["kind"], r["subject"], r["effective"]) for r in rows}
    assert ("merger", "Sở Thông tin và Truyền thông tỉnh Hưng Yên", "2025-03-01") in keys  # it absorbed it
    assert ("merger", "Ủy ban nhân dân tỉnh Thái Bình", "2025-07-01") in keys  # its province absorbed Thái Bình
    assert ("replacement", "61/2018/NĐ-CP", "2025-07-01") in keys  # cited by seed 000, which it issued
    assert not [r for r in rows if "Bắc Kạn" in r["subject"]]


def test_province_report(store: Store) -> None:
    rows = _changes(store, "2025-01-01", province=["Thái Bình"])
    keys = {(r["kind"], r["subject"]) for r in rows}
    assert ("merger", "Ủy ban nhân dân tỉnh Thái Bình") in keys
    assert ("replacement", "61/2018/NĐ-CP") in keys  # the Thái Bình test plan cites it
    assert ("merger", "Ủy ban nhân dân tỉnh Bắc Kạn") not in keys
    cao_bang = _changes(store, "2025-01-01", province=["Cao Bằng"])
    assert ("merger", "Sở Thông tin và Truyền thông tỉnh Cao Bằng") in {(r["kind"], r["subject"]) for r in cao_bang}
    assert not [r for r in cao_bang if "Thái Bình" in r["subject"] or "Bắc Kạn" in r["subject"]]


def test_saved_watches_live_in_their_own_graph(store: Store) -> None:
    add_watch(store, "Hưng Yên", resolve_targets(store, [SEED000], [], ["Hưng Yên"]))
    add_watch(store, "Hưng Yên", resolve_targets(store, [], ["Sở Công Thương tỉnh Hưng Yên"], []))
    add_watch(store, "Hưng Yên", resolve_targets(store, [SEED000], [], []))  # no duplicate
    watches = load_watches(store)
    assert sorted((t.kind, t.value) for t in watches["Hưng Yên"].targets) == [
        ("agency", "Sở Công Thương tỉnh Hưng Yên"),
        ("plan", SEED000),
        ("province", "Hưng Yên"),
    ]
    assert str(WATCH_GRAPH) in store.graph_names()
    remove_watch(store, "Hưng Yên")
    assert "Hưng Yên" not in load_watches(store)
    with pytest.raises(WatchError):
        remove_watch(store, "Hưng Yên")
    with pytest.raises(WatchError, match="no plan"):
        resolve_targets(store, ["khong-co.txt"], [], [])
    with pytest.raises(WatchError, match="at least one"):
        resolve_targets(store, [], [], [])


def test_vietnamese_wording(store: Store) -> None:
    t = resolve_targets(store, [SEED004], [], [])
    c = next(c for c in report(store, t, date(2025, 6, 1)).changes if c.subject == "107/2021/NĐ-CP")
    assert title_vi(c) == "107/2021/NĐ-CP được thay thế bởi 118/2025/NĐ-CP (từ 01/07/2025)"
    s = summary_vi(c)
    assert "nhiệm vụ 4, 11, 12" in s and "Độ tin cậy: đã xác nhận" in s and "Nguồn:" in s


def cli(*args: str, store: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TTHC_KG_STORE=str(store), PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tthc_kg.cli", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_cli(tmp_path: Path) -> None:
    store = tmp_path / "store"
    cli("ingest", *[str(p) for p in SEEDS], "--quiet", "--no-index", store=store)
    cli("watch", "add", "kh", "--plan", SEED004, "--agency", "Sở KH&CN tỉnh Cao Bằng", store=store)
    listed = [json.loads(x) for x in cli("watch", "list", "--format", "jsonl", store=store).stdout.splitlines()]
    assert sorted((r["watch"], r["kind"]) for r in listed) == [("kh", "agency"), ("kh", "plan")]
    out = cli("watch", "report", "kh", "--since", "2025-06-01", "--format", "jsonl", store=store).stdout
    rows = [json.loads(x) for x in out.splitlines()]
    assert rows and all(r["watch"] == "kh" for r in rows)
    assert {"61/2018/NĐ-CP", "107/2021/NĐ-CP"} <= {r["subject"] for r in rows}
    table = cli("watch", "report", "kh", "--since", "2025-06-01", store=store).stdout
    assert table.startswith("Changes since 2025-06-01 affecting kh:") and "118/2025/NĐ-CP" in table
    adhoc = cli("watch", "report", "--province", "Cao Bằng", "--since", "2025-01-01", "--format", "jsonl", store=store)
    assert "Sở Thông tin và Truyền thông tỉnh Cao Bằng" in adhoc.stdout
    for args, message in (
        (["watch", "report", "--since", "2025-01-01"], "give a watch NAME"),
        (["watch", "report", "kh", "--since", "01/06/2025"], "--since"),
        (["watch", "report", "nope", "--since", "2025-01-01"], "no watch named"),
        (["watch", "add", "x", "--plan", "khong-co.txt"], "no plan"),
        (["watch", "remove", "nope"], "no watch named"),
        (["watch", "add", "x", "--agency", "Sở\x07Tư pháp"], "U+0007"),
        (["watch", "report", "--province", "\u202eCao Bằng", "--since", "2025-01-01"], "U+202E"),
    ):
        proc = cli(*args, store=store, check=False)
        assert proc.returncode != 0 and proc.stderr.startswith("tthc-kg: error:") and message in proc.stderr, args


def test_watch_queries_by_name(store: Store) -> None:
    from tthc_kg import queries

    def run(name: str) -> list[dict[str, Any]]:
        q = queries.load(name)
        return list(store.select(q.text, q.bind({})))

    cited = run("plan-documents")
    assert {(Path(r["file"]).name, r["symbol"], r["taskNumber"]) for r in cited} >= {(SEED004, "107/2021/NĐ-CP", "12")}
    changes = run("document-changes")
    r61 = [r for r in changes if r["affectedSymbol"] == "61/2018/NĐ-CP" and r["kind"] == "replacement"]
    assert [(r["bySymbol"], r["effective"], r["confidence"]) for r in r61] == [
        ("118/2025/NĐ-CP", "2025-07-01", "confirmed")
    ]
    machine = [r for r in changes if r["machineRead"]]
    assert machine and all(r["confidence"] == "unconfirmed" and r["recorded"] for r in machine)
    add_watch(store, "q", resolve_targets(store, [SEED004], [], []))
    assert [(r["name"], r["kind"], r["value"]) for r in run("watches")] == [("q", "plan", SEED004)]
    remove_watch(store, "q")
    assert run("watches") == []
    assert run("reviews") == []  # filled by tthc-kg review: tests/test_review.py
