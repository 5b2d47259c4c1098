"""The web pages and change management (issue 8 follow-ups): /ra-soat shows the officers' review decisions
(acknowledged or dismissed, who, when, the note) with a toggle that hides the findings decided on, and the plan and
document pages link the Atom feed of the changes affecting them. Rendered HTML is read back and checked against
/api/review and /feeds/changes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient

from paths import FIXTURES, SEEDS
from tthc_kg.api import create_app
from tthc_kg.api.settings import Settings
from tthc_kg.audit import audit
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.review import finding_id, record
from tthc_kg.store import Store

AS_OF = "2026-11-22"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Store:
    """Its own store: the tests record review decisions (the session's seed store stays as ingested)."""
    s = Store(tmp_path_factory.mktemp("review-pages"))
    paths = [str(SEEDS[0]), str(SEEDS[4]), str(FIXTURES / "ke-hoach-outdated-2025.txt")]
    ok, errors, _ = ingest_files(s, registry, paths, progress=False)
    assert errors == [] and ok == len(paths)
    return s


@pytest.fixture(scope="module")
def client(store: Store, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(Settings(store=tmp_path_factory.mktemp("unused")), store=store))


class Page(HTMLParser):
    """The audit table's finding rows (data-* attributes, cell texts), the head's links and the page's anchors."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.head_links: list[dict[str, str]] = []
        self.anchors: list[tuple[dict[str, str], str]] = []
        self.inputs: list[dict[str, str]] = []
        self._cell: list[str] | None = None
        self._anchor: tuple[dict[str, str], list[str]] | None = None
        self._head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self._head = True
        elif tag == "link" and self._head:
            self.head_links.append(a)
        elif tag == "tr" and "data-finding" in a:
            self.rows.append({"attrs": a, "cells": []})
        elif tag == "td" and self.rows:
            self._cell = []
        elif tag == "a":
            self._anchor = (a, [])
        elif tag == "input":
            self.inputs.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._head = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a" and self._anchor is not None:
            self.anchors.append((self._anchor[0], " ".join("".join(self._anchor[1]).split())))
            self._anchor = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    return p


def key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    a = row["attrs"]
    return (a["data-file"], a["data-task"], a["data-cited"], a["data-finding"])


def fkey(f: dict[str, Any]) -> tuple[str, str, str, str]:
    return (Path(f["file"]).name, f["task"] or "", f["cited"], f["finding"])


# --- /ra-soat: review decisions ------------------------------------------------------------------------------


def test_review_decisions_on_the_audit_page(client: TestClient, store: Store) -> None:
    before = parse(client.get("/ra-soat", params={"as_of": AS_OF}).text)
    assert len(before.rows) > 5
    assert all(r["attrs"]["data-review"] == "" for r in before.rows)
    assert all("Chưa xem xét" in r["cells"][-2] for r in before.rows)  # the review column, before "Khi ký"

    findings = audit(store, date.fromisoformat(AS_OF))
    outdated = next(f for f in findings if f.finding == "replaced" and f.task)
    other = next(f for f in findings if f.finding == "unresolved")
    record(store, outdated, "dismissed", "Nhầm lẫn", "Trần B", at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    record(store, outdated, "acknowledged", "Đã báo <b>lãnh đạo</b> & sửa", "Nguyễn Thị Hoa",
           at=datetime(2026, 11, 22, 9, 5, tzinfo=UTC))  # fmt: skip
    record(store, other, "dismissed", "Văn bản nội bộ, không cần trong sổ", "Lê C",
           at=datetime(2026, 11, 21, 17, 30, tzinfo=UTC))  # fmt: skip

    page = client.get("/ra-soat", params={"as_of": AS_OF})
    assert page.status_code == 200
    rows = {key(r): r for r in parse(page.text).rows}
    acked = rows[fkey(outdated.as_dict())]
    assert acked["attrs"]["data-review"] == "acknowledged"  # the later decision counts
    assert acked["cells"][-2].startswith("Đã ghi nhận — Nguyễn Thị Hoa, 22/11/2026 16:05")  # Vietnam's time
    assert acked["cells"][-2].endswith("Đã báo <b>lãnh đạo</b> & sửa")
    assert "Đã báo &lt;b&gt;lãnh đạo&lt;/b&gt; &amp; sửa" in page.text  # the note is escaped
    assert '<time datetime="2026-11-22T09:05:00Z">' in page.text
    dismissed = rows[fkey(other.as_dict())]
    assert dismissed["attrs"]["data-review"] == "dismissed"
    assert dismissed["cells"][-2].startswith("Đã bác bỏ — Lê C, 22/11/2026 00:30")
    assert dismissed["cells"][-2].endswith("Văn bản nội bộ, không cần trong sổ")
    assert "Đã xem xét: 1 đã ghi nhận, 1 đã bác bỏ" in page.text

    # the page says what /api/review says, finding by finding
    api = client.get("/api/review", params={"as_of": AS_OF}).json()
    decided = {fkey(f["finding"]): f["review"] for f in api["findings"]}
    assert len(decided) == len(rows) and api["reviewed"] == 2
    for k, row in rows.items():
        review = decided[k]
        assert row["attrs"]["data-review"] == (review["decision"] if review else ""), k
        if review:
            assert review["by"] in row["cells"][-2] and review["note"] in row["cells"][-2]


def test_hide_reviewed_toggle(client: TestClient, store: Store) -> None:
    every = parse(client.get("/ra-soat", params={"as_of": AS_OF}).text)
    reviewed = {key(r) for r in every.rows if r["attrs"]["data-review"]}
    assert reviewed  # decisions recorded (the test before, or here)
    page = client.get("/ra-soat", params={"as_of": AS_OF, "hide_reviewed": "true"})
    hidden = parse(page.text)
    assert {key(r) for r in hidden.rows} == {key(r) for r in every.rows} - reviewed
    assert all(r["attrs"]["data-review"] == "" for r in hidden.rows)
    toggle = next(i for i in hidden.inputs if i.get("name") == "hide_reviewed")
    assert "checked" in toggle and toggle["type"] == "checkbox"
    assert f"Đang ẩn {len(reviewed)} phát hiện đã xem xét" in page.text
    assert "checked" not in next(i for i in every.inputs if i.get("name") == "hide_reviewed")


def test_review_decisions_with_expanded_preamble(client: TestClient, store: Store) -> None:
    """A decision on a preamble finding covers its rows expanded per task (review.annotate)."""
    day = date.fromisoformat(AS_OF)
    per_task = audit(store, day, expand=True)
    rows_per_basis = Counter((g.file, g.cited, g.finding) for g in per_task if g.dependency == "basis")
    basis = next(
        f
        for f in audit(store, day)
        if f.dependency == "basis" and f.finding != "unresolved" and rows_per_basis[(f.file, f.cited, f.finding)] > 1
    )
    record(store, basis, "acknowledged", "", "Phạm D", at=datetime(2026, 11, 22, 2, 0, tzinfo=UTC))
    page = parse(client.get("/ra-soat", params={"as_of": AS_OF, "expand": "true"}).text)
    expanded = [
        r for r in page.rows if (r["attrs"]["data-cited"], r["attrs"]["data-finding"]) == (basis.cited, basis.finding)
        and r["attrs"]["data-file"] == Path(basis.file).name and "Căn cứ chung" in r["cells"][5]
    ]  # fmt: skip
    assert len(expanded) > 1 and all(r["attrs"]["data-review"] == "acknowledged" for r in expanded)
    assert finding_id(basis) != finding_id(dict(basis.as_dict(), task=expanded[0]["attrs"]["data-task"]))


# --- Atom feeds linked from the plan and document pages ------------------------------------------------------


def feed_links(page: Page) -> tuple[list[str], list[str]]:
    head = [
        link["href"] for link in page.head_links
        if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"
    ]  # fmt: skip
    visible = [a["href"] for a, _text in page.anchors if a.get("href", "").startswith("/feeds/changes?")]
    return head, visible


def fetch_feed(client: TestClient, href: str) -> ET.Element:
    r = client.get(href)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml"), r.text[:300]
    return ET.fromstring(r.content)


def test_plan_page_links_its_feed(client: TestClient, store: Store) -> None:
    home = parse(client.get("/").text)
    plan_pages = sorted({a["href"] for a, _ in home.anchors if a.get("href", "").startswith("/ke-hoach/")})
    assert len(plan_pages) == 3, plan_pages
    for url in plan_pages:
        page = parse(client.get(url, params={"as_of": AS_OF}).text)
        head, visible = feed_links(page)
        assert head and head == visible  # a <link rel="alternate"> and the same link to click
        (href,) = head
        (plan_iri,) = parse_qs(urlsplit(href).query)["plan"]
        assert plan_iri.endswith("/plan/" + url.rsplit("/", 1)[-1])
        feed = fetch_feed(client, href)
        assert feed.tag == ATOM + "feed"
    # the outdated plan cites 61/2018, replaced by 118/2025 in 2025: its feed lists that change
    outdated = next(u for u in plan_pages if "outdated" in u)
    (href,) = feed_links(parse(client.get(outdated).text))[0]
    feed = fetch_feed(client, href + "&since=2025-01-01")
    titles = [e.findtext(ATOM + "title") or "" for e in feed.iter(ATOM + "entry")]
    assert any("61/2018/NĐ-CP" in t for t in titles), titles


def test_document_page_links_its_issuer_feed(client: TestClient) -> None:
    page = parse(client.get("/van-ban/" + quote("61/2018/NĐ-CP", safe="/"), params={"as_of": AS_OF}).text)
    head, visible = feed_links(page)
    assert head == visible and len(head) == 1
    assert parse_qs(urlsplit(head[0]).query) == {"agency": ["Chính phủ"]}
    assert fetch_feed(client, head[0]).tag == ATOM + "feed"
    label = next(text for a, text in page.anchors if a.get("href") == head[0])
    assert label == "Thay đổi liên quan đến Chính phủ"
