"""The status of a registry document whose dates the registry does not know (issue 8 follow-up): never "in force"
at a date before it was issued, nor at a date no dated change shows it in force (api/services/status.py)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tthc_kg.api import create_app
from tthc_kg.api.services.status import IN_FORCE, known_in_force, registry_table, status_in, symbol_year
from tthc_kg.api.settings import Settings
from tthc_kg.registry import Registry
from tthc_kg.store import Store


@pytest.fixture(scope="module")
def client(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(Settings(store=tmp_path_factory.mktemp("unused")), store=seed_store))


def status(store: Store, symbol: str, when: str) -> str:
    table = registry_table(store)
    (doc,) = [d.iri for d in table.docs.values() if d.symbol == symbol]
    return status_in(table, doc, date.fromisoformat(when)).status


@pytest.mark.parametrize(
    ("symbol", "when", "expected"),
    [
        # 187/2025/NĐ-CP: no dates in the registry; it amends 78/2025 from 2025-07-01
        ("187/2025/NĐ-CP", "2024-01-01", "not_yet_in_force"),  # before 2025: not issued yet
        ("187/2025/NĐ-CP", "2025-03-01", "unknown"),  # 2025, before its amendment took effect: not known
        ("187/2025/NĐ-CP", "2025-07-01", "in_force"),
        ("187/2025/NĐ-CP", "2026-11-22", "in_force"),
        # 36/2012/NĐ-CP: no dates; amended by 48/2013 from 2013-07-01
        ("36/2012/NĐ-CP", "2011-12-31", "not_yet_in_force"),
        ("36/2012/NĐ-CP", "2012-06-01", "unknown"),
        ("36/2012/NĐ-CP", "2024-01-01", "amended"),
        # 79/2025/NĐ-CP: no dates; named successor of 34/2016's lapse on 2025-04-01
        ("79/2025/NĐ-CP", "2025-03-31", "unknown"),
        ("79/2025/NĐ-CP", "2025-04-01", "in_force"),
        # 65/2025/QH15: no dates; replaced by 72/2025/QH15 from 2025-06-16
        ("65/2025/QH15", "2024-06-01", "not_yet_in_force"),
        ("65/2025/QH15", "2025-06-16", "replaced"),
        # documents with dates are unchanged: 118/2025 in force from 2025-07-01
        ("118/2025/NĐ-CP", "2025-06-30", "not_yet_in_force"),
    ],
)
def test_status_of_documents_without_dates(seed_store: Store, symbol: str, when: str, expected: str) -> None:
    assert status(seed_store, symbol, when) == expected


def test_no_undated_document_is_in_force_before_a_dated_fact_says_so(seed_store: Store, registry: Registry) -> None:
    """Every registry document without dates, over the years: "in force" only from the first dated change that
    shows it in force, never before the year its symbol carries."""
    table = registry_table(seed_store)
    undated = [d for d in table.docs.values() if d.issued is None and d.effective is None]
    assert len(undated) >= 5
    for d in undated:
        known = known_in_force(table, d.iri)
        for year in range(2008, 2028):
            when = date(year, 6, 30)
            st = status_in(table, d.iri, when).status
            if st in IN_FORCE:
                assert known is not None and known <= when, (d.symbol, when, st)
            year_of = symbol_year(d.symbol)
            if year_of is not None and year < year_of:
                assert st == "not_yet_in_force", (d.symbol, when, st)


def test_symbol_year() -> None:
    assert symbol_year("187/2025/NĐ-CP") == 2025
    assert symbol_year("65/2025/QH15") == 2025
    assert symbol_year("451/QĐ-TTg") is None
    assert symbol_year("01/2018/TT-VPCP") == 2018


def test_document_api_and_page(client: TestClient) -> None:
    path = quote("187/2025/NĐ-CP", safe="")
    doc = client.get(f"/api/documents/{path}", params={"as_of": "2024-01-01"}).json()
    assert (doc["status"], doc["since"]) == ("not_yet_in_force", None)
    page = client.get("/van-ban/187/2025/NĐ-CP", params={"as_of": "2024-01-01"})
    assert page.status_code == 200
    assert 'data-status="not_yet_in_force"' in page.text and 'data-status="in_force"' not in page.text


def test_check_message_for_a_document_without_dates(client: TestClient) -> None:
    text = "Căn cứ Nghị định số 187/2025/NĐ-CP của Chính phủ;"
    out = client.post("/api/check", json={"text": text, "as_of": "2025-03-01"}).json()
    (c,) = [c for c in out["citations"] if c["symbol"] == "187/2025/NĐ-CP"]
    assert c["status"] == "unknown" and "chưa rõ ngày" in c["message"]
    before = client.post("/api/check", json={"text": text, "as_of": "2024-01-01"}).json()
    (c,) = [c for c in before["citations"] if c["symbol"] == "187/2025/NĐ-CP"]
    assert c["status"] == "not_yet_in_force" and c["message"].endswith("chưa có hiệu lực.")
