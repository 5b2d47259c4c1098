"""GET /feeds/changes: the watch report as an Atom 1.0 feed (RFC 4287), checked with a parser: the feed's and
every entry's required elements, RFC 3339 dates, Vietnamese titles and summaries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from paths import FIXTURES, SEEDS
from tthc_kg.api.app import create_app
from tthc_kg.api.settings import Settings
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.store import Store
from tthc_kg.watch import add_watch, resolve_targets

A = "{http://www.w3.org/2005/Atom}"
SEED004 = SEEDS[4].name


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Store:
    s = Store(tmp_path_factory.mktemp("feeds"))
    paths = [str(p) for p in SEEDS] + [str(FIXTURES / "ke-hoach-agency-2024.txt")]
    ok, errors, _ = ingest_files(s, registry, paths, progress=False)
    assert errors == [] and ok == len(paths)
    return s


@pytest.fixture(scope="module")
def client(store: Store, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    unused = tmp_path_factory.mktemp("unused")
    return TestClient(create_app(Settings(store=str(unused)), store=store))


def _rfc3339(text: str | None) -> datetime:
    assert text
    d = datetime.fromisoformat(text)
    assert d.tzinfo is not None, text
    return d


def parse_atom(body: bytes) -> ET.Element:
    """Parse and check the Atom 1.0 requirements this feed must meet (RFC 4287 §4.1.1, §4.1.2)."""
    root = ET.fromstring(body)
    assert root.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(A + name)) == 1, f"feed needs exactly one atom:{name}"
        assert (root.find(A + name).text or "").strip()  # type: ignore[union-attr]
    _rfc3339(root.findtext(A + "updated"))
    assert root.find(f"{A}author/{A}name") is not None  # so entries need no author of their own
    self_link = [ln for ln in root.findall(A + "link") if ln.get("rel") == "self"]
    assert len(self_link) == 1 and self_link[0].get("href")
    for entry in root.findall(A + "entry"):
        for name in ("id", "title", "updated", "summary"):
            assert len(entry.findall(A + name)) == 1, f"entry needs exactly one atom:{name}"
            assert (entry.findtext(A + name) or "").strip()
        _rfc3339(entry.findtext(A + "updated"))
        links = [ln for ln in entry.findall(A + "link") if ln.get("rel", "alternate") == "alternate"]
        assert links and links[0].get("href")
    ids = [e.findtext(A + "id") for e in root.findall(A + "entry")]
    assert len(ids) == len(set(ids))
    return root


def test_plan_feed(client: TestClient) -> None:
    r = client.get("/feeds/changes", params={"plan": SEED004, "since": "2025-06-01"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    root = parse_atom(r.content)
    entries = {e.findtext(A + "title"): e for e in root.findall(A + "entry")}
    title = "107/2021/NĐ-CP được thay thế bởi 118/2025/NĐ-CP (từ 01/07/2025)"
    assert title in entries
    e = entries[title]
    assert e.findtext(A + "id", "").startswith("https://w3id.org/tthc-kg/id/event/")
    assert e.findtext(A + "updated") == "2025-07-01T00:00:00+07:00"
    summary = e.findtext(A + "summary", "")
    assert f"Ảnh hưởng đến: {SEED004} (nhiệm vụ 4, 11, 12)" in summary and "đã xác nhận" in summary
    href = e.find(A + "link").get("href")  # type: ignore[union-attr]
    assert href.endswith("/van-ban/107/2021/N%C4%90-CP")
    assert client.get(href.replace("http://testserver", "")).status_code == 200  # the document page exists
    # newest first, nothing before `since`
    stamps = [_rfc3339(x.findtext(A + "updated")) for x in root.findall(A + "entry")]
    assert stamps == sorted(stamps, reverse=True) and min(stamps).date().isoformat() >= "2025-06-01"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"


def test_agency_and_province_feeds(client: TestClient) -> None:
    root = parse_atom(client.get("/feeds/changes", params={"province": "Thái Bình", "since": "2025-01-01"}).content)
    titles = [e.findtext(A + "title", "") for e in root.findall(A + "entry")]
    assert (
        "Ủy ban nhân dân tỉnh Thái Bình hợp nhất, sáp nhập vào Ủy ban nhân dân tỉnh Hưng Yên (từ 01/07/2025)" in titles
    )
    root = parse_atom(
        client.get("/feeds/changes", params={"agency": "Sở Thông tin và Truyền thông", "since": "2025-01-01"}).content
    )
    assert any(
        "Sở Thông tin và Truyền thông hợp nhất" in e.findtext(A + "title", "") for e in root.findall(A + "entry")
    )


def test_saved_watch_feed(client: TestClient, store: Store) -> None:
    add_watch(store, "theo dõi 004", resolve_targets(store, [SEED004], [], []))
    by_watch = parse_atom(client.get("/feeds/changes", params={"watch": "theo dõi 004", "since": "2025-06-01"}).content)
    adhoc = parse_atom(client.get("/feeds/changes", params={"plan": SEED004, "since": "2025-06-01"}).content)
    ids = sorted(e.findtext(A + "id", "") for e in by_watch.findall(A + "entry"))
    assert ids and ids == sorted(e.findtext(A + "id", "") for e in adhoc.findall(A + "entry"))


def test_empty_feed_is_valid(client: TestClient) -> None:
    root = parse_atom(client.get("/feeds/changes", params={"plan": SEED004, "since": "2030-01-01"}).content)
    assert root.findall(A + "entry") == []


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"since": "2025-01-01"}, 422),
        ({"plan": "khong-co.txt"}, 404),
        ({"watch": "khong-co"}, 404),
        ({"plan": SEED004, "since": "01/06/2025"}, 422),
        ({"plan": SEED004, "watch": "x"}, 422),
        ({"agency": "Sở Tư pháp\x00"}, 422),  # a control character names no agency
        ({"province": "Cao\x1bBằng"}, 422),
        ({"province": "Cao Bằng\u202e"}, 422),  # a right-to-left override
        ({"agency": "  "}, 422),
    ],
)
def test_errors(client: TestClient, params: dict[str, str], status: int) -> None:
    r = client.get("/feeds/changes", params=params)
    assert r.status_code == status and r.json()["detail"]


def test_an_agency_no_one_has_gives_an_empty_feed(client: TestClient) -> None:
    name = 'Sở "X" }; INSERT DATA { <urn:a> <urn:b> <urn:c> } #\r\n<b>'
    r = client.get("/feeds/changes", params={"agency": name, "since": "2000-01-01"})
    root = parse_atom(r.content)
    assert r.status_code == 200 and root.findall(A + "entry") == []
    title = root.find(A + "title").text  # type: ignore[union-attr]
    assert title is not None and title.endswith('Sở "X" }; INSERT DATA { <urn:a> <urn:b> <urn:c> } # <b>')


def test_text_that_xml_cannot_carry_is_cleaned() -> None:
    from tthc_kg.api.routes.feeds import atom_feed
    from tthc_kg.watch import Change

    c = Change("https://w3id.org/tthc-kg/id/event/x/amendment/1", "amendment", "1/2020/NĐ-CP", "2/2021/NĐ-CP", [],
               "2021-01-01", None, "khoản 1\x0cĐiều 2\x00", "unconfirmed", False, "nguồn <a & b>")  # fmt: skip
    c.affects["kế-hoạch.txt"].add("3")
    root = parse_atom(atom_feed([c], "urn:x", "http://h/feeds/changes", "http://h/", "Thử"))
    summary = root.find(f"{A}entry/{A}summary").text  # type: ignore[union-attr]
    assert "khoản 1 Điều 2\ufffd" in summary and "nguồn <a & b>" in summary and "(nhiệm vụ 3)" in summary
