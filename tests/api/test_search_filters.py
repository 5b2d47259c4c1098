"""GET /api/search's filters (status at a date, type, issuer, year, kind) and the search page /tim-kiem rendered by
the server: its status badges ("chưa xác nhận" exactly where the registry relation is unconfirmed), its links to
the graph (document, plan, task row) and its Vietnamese messages for bad input. Over the seed store, lexical
(the filters are what is tested, not the ranking)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tthc_kg.api import create_app, services
from tthc_kg.api.settings import Settings
from tthc_kg.search.engine import IN_FORCE, OUT_OF_FORCE
from tthc_kg.store import Store

NOW = "2026-11-22"


@pytest.fixture(scope="module")
def client(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(Settings(store=str(tmp_path_factory.mktemp("unused-store"))), store=seed_store))


def api(client: TestClient, q: str, **params: object) -> list[dict]:
    r = client.get("/api/search", params={"q": q, "dense": "false", "k": 50, **params})
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]


# --- the API's filters ---------------------------------------------------------------------------------------


def test_status_in_force_depends_on_the_date(client: TestClient) -> None:
    """NĐ 61/2018 was in force (amended by 107/2021) until 118/2025 replaced it on 2025-07-01."""
    before = api(client, "nghị định một cửa", status="in_force", as_of="2024-01-01", kind="document")
    now = api(client, "nghị định một cửa", status="in_force", as_of=NOW, kind="document")
    symbols_before = {h["symbol"]: h["status"] for h in before}
    symbols_now = {h["symbol"]: h["status"] for h in now}
    assert symbols_before.get("61/2018/NĐ-CP") == "amended"
    assert "118/2025/NĐ-CP" not in symbols_before  # not yet issued
    assert "61/2018/NĐ-CP" not in symbols_now and "118/2025/NĐ-CP" in symbols_now
    assert all(h["status"] in IN_FORCE for h in before + now)


def test_status_out_of_force(client: TestClient) -> None:
    hits = api(client, "một cửa", status="out_of_force", as_of=NOW)
    assert {"61/2018/NĐ-CP", "107/2021/NĐ-CP"} <= {h["symbol"] for h in hits}
    assert all(h["status"] in OUT_OF_FORCE for h in hits)
    # one status alone
    replaced = api(client, "một cửa", status="replaced", as_of=NOW)
    assert replaced and all(h["status"] == "replaced" for h in replaced)
    # before the replacement, nothing about one-stop shops was out of force
    assert api(client, "nghị định một cửa", status="out_of_force", as_of="2024-01-01", type="Nghị định") == []


def test_type_issuer_year(client: TestClient) -> None:
    circulars = api(client, "kiểm soát thủ tục hành chính", type="Thông tư")
    assert circulars and all("/TT-" in (h["symbol"] or "") for h in circulars)
    vpcp = api(client, "bao cao", issuer="van phong chinh phu")  # part of the name, diacritics ignored
    assert vpcp and all((h["symbol"] or "").endswith("TT-VPCP") for h in vpcp)
    y2018 = api(client, "một cửa", year=2018)
    assert {"61/2018/NĐ-CP", "01/2018/TT-VPCP"} <= {h["symbol"] for h in y2018}
    assert all("/2018/" in h["symbol"] for h in y2018)
    both = api(client, "kiểm soát thủ tục hành chính", type="Nghị định", status="in_force", year=2010, as_of=NOW)
    assert both[0]["symbol"] == "63/2010/NĐ-CP" and {h["symbol"] for h in both} == {"63/2010/NĐ-CP"}


@pytest.mark.parametrize("kind", ["document", "passage", "task"])
def test_kind(client: TestClient, kind: str) -> None:
    hits = api(client, "một cửa liên thông", kind=kind, k=7)
    assert len(hits) == 7 and {h["kind"] for h in hits} == {kind}
    if kind == "task":
        assert all(h["task"] and h["plan"] and h["file"] for h in hits)


def test_kind_of_the_tasks_relying_on_a_basis(client: TestClient) -> None:
    """Seed 004's task 3 cites TT 02/2017 only in its "Căn cứ thực hiện" column."""
    hits = api(client, "tt 02/2017", kind="task")
    assert any(h["task"] == "3" and h["file"].endswith("004_0b88bc6089270356.txt") for h in hits)
    assert all(h["symbol"] == "02/2017/TT-VPCP" for h in hits[:5])


@pytest.mark.parametrize("params", [{"kind": "plan"}, {"status": "valid"}, {"year": "18"}, {"as_of": "2026-13-01"}])
def test_bad_filters_are_422(client: TestClient, params: dict) -> None:
    assert client.get("/api/search", params={"q": "một cửa", **params}).status_code == 422


# --- the page ------------------------------------------------------------------------------------------------

_LI = re.compile(r'<li class="result[^"]*" data-kind="(?P<kind>\w+)"(?P<attrs>[^>]*)>(?P<body>.*?)</li>', re.S)


def page_results(text: str) -> list[dict[str, str]]:
    out = []
    for m in _LI.finditer(text):
        attrs = dict(re.findall(r'data-([\w-]+)="([^"]*)"', m["attrs"]))
        out.append({"kind": m["kind"], **{k: html.unescape(v) for k, v in attrs.items()}, "body": m["body"]})
    return out


def test_page_badges_say_unconfirmed_where_the_relation_is(client: TestClient, seed_store: Store) -> None:
    """TT 02/2017 is "amended" by an unconfirmed relation (events.csv: 01/2020, "(?)"); 61/2018's replacement by
    118/2025 is confirmed. Every result's badge says "chưa xác nhận" exactly when the status's relation is."""
    seen = set()
    for q in ("tt 02/2017", "nghi dinh mot cua", "phản ánh kiến nghị"):
        r = client.get("/tim-kiem", params={"q": q, "as_of": NOW})
        assert r.status_code == 200
        results = page_results(r.text)
        assert results
        for res in results:
            if not res.get("doc") or not res.get("status"):
                continue
            confidence = services.status_at(seed_store, res["doc"], date.fromisoformat(NOW)).confidence
            marked = 'class="unconfirmed"' in res["body"]
            assert marked == (confidence == "unconfirmed"), (q, res["doc"], confidence)
            assert f'data-status="{res["status"]}"' in res["body"]
            seen.add((res["status"], marked))
    assert ("amended", True) in seen and ("replaced", False) in seen


def test_page_links_to_document_plan_and_task(client: TestClient) -> None:
    r = client.get("/tim-kiem", params={"q": "tt 02/2017"})
    results = page_results(r.text)
    first = results[0]
    assert first["kind"] == "document" and 'href="/van-ban/02/2017/TT-VPCP"' in first["body"]
    assert "Đã được sửa đổi" in first["body"]
    # the registry's dates (documents.csv: issued 2017-10-31, effective 2017-12-15)
    assert "Ban hành 31/10/2017" in first["body"] and "Hiệu lực từ 15/12/2017" in first["body"]
    task = next(x for x in page_results(client.get("/tim-kiem", params={"q": "tt 02/2017", "kind": "task"}).text))
    link = re.search(r'class="result-title result-task" href="([^"]+)"', task["body"])
    assert link is not None
    path, anchor = html.unescape(link.group(1)).split("#")
    plan_page = client.get(path)
    assert plan_page.status_code == 200 and f'id="{anchor}"' in plan_page.text
    passage = next(x for x in page_results(client.get("/tim-kiem", params={"q": "nd 61/2018", "kind": "passage"}).text))
    plans = re.findall(r'<a href="(/ke-hoach/[^"]+)">', passage["body"])
    assert plans and all(client.get(html.unescape(p)).status_code == 200 for p in plans)
    doc_link = re.search(r'Văn bản: <a href="([^"]+)"', passage["body"])
    assert doc_link is not None and client.get(html.unescape(doc_link.group(1))).status_code == 200


def test_page_filters_are_kept_and_applied(client: TestClient) -> None:
    r = client.get("/tim-kiem", params={"q": "một cửa", "status": "out_of_force", "type": "Nghị định", "as_of": NOW})
    assert r.status_code == 200
    results = page_results(r.text)
    assert results and all(x["status"] in OUT_OF_FORCE for x in results)
    assert '<option value="out_of_force" selected>' in r.text and '<option value="Nghị định" selected>' in r.text
    assert 'id="search-filters" open' in r.text and 'id="clear-filters"' in r.text
    assert "22/11/2026" in r.text  # the date the statuses are computed at


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "một cửa", "as_of": "22/11/2026"}, "Ngày không hợp lệ"),
        ({"q": "một cửa", "year": "18"}, "Năm không hợp lệ"),
        ({"q": "một cửa", "status": "valid"}, "Tình trạng không hợp lệ"),
        ({"q": "một cửa", "kind": "plan"}, "Loại kết quả không hợp lệ"),
        ({"status": "in_force"}, "Hãy nhập từ khóa"),
    ],
)
def test_page_bad_input_is_a_400_in_vietnamese(client: TestClient, params: dict, message: str) -> None:
    r = client.get("/tim-kiem", params=params)
    assert r.status_code == 400 and message in r.text
    assert 'id="search-form"' in r.text  # the form comes back to be corrected


def test_home_and_an_old_search_link(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and 'id="search-form"' in home.text and 'id="f-status"' in home.text
    assert '<ol class="results">' not in home.text
    old = client.get("/?q=61/2018")
    assert old.status_code == 200 and page_results(old.text)[0]["doc"].endswith("/doc/61-2018-nd-cp")


def test_page_falls_back_to_a_plain_match_when_the_index_cannot_be_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tthc_kg.api.routes import pages

    def unreadable(*args: object, **kwargs: object) -> None:
        raise OSError("index being rewritten")

    monkeypatch.setattr(pages, "find", unreadable)
    r = client.get("/tim-kiem", params={"q": "61/2018"})
    assert r.status_code == 200 and 'id="search-fallback"' in r.text
    assert 'href="/van-ban/61/2018/N%C4%90-CP"' in r.text or 'href="/van-ban/61/2018/NĐ-CP"' in r.text
