"""Change management on the web (issue 8), in process over the seed store: the navigation link to /tac-dong, the
point-in-time note on /ra-soat, the CSV/XLSX downloads of /tac-dong (a registry document and a what-if change), and
/api/impact computed from the same rows as ``tthc-kg impact``.

Expected values come from the library the CLI uses (``tthc_kg.impact``, ``tthc_kg.audit``), never from the pages.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tthc_kg.api import create_app
from tthc_kg.api.settings import Settings
from tthc_kg.audit import audit
from tthc_kg.cli_change import audit_signing_notes
from tthc_kg.export_formats import AUDIT_HEADERS_VI, BOM, cell
from tthc_kg.impact import FIELDS, HEADERS_VI, impact, plan_dates, signing_note
from tthc_kg.store import Store

ROOT = Path(__file__).resolve().parents[2]
WHAT_IF = ROOT / "examples" / "what-if-45-2020.yaml"
AS_OF = "2026-11-22"
HEADERS = [{**AUDIT_HEADERS_VI, **HEADERS_VI}.get(f, f) for f in FIELDS]


@pytest.fixture(scope="module")
def client(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    # Settings.store is a string since the web hardening (str(...), not a Path)
    unused = str(tmp_path_factory.mktemp("unused-store"))
    return TestClient(create_app(Settings(store=unused), store=seed_store))


def stem(path: str) -> str:
    return Path(path).name[:3]


class Rows(HTMLParser):
    """The ``<tr>`` of one table (by id) that carry ``data-finding``: their data-* attributes and cell texts."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows = table_id, False, []  # type: ignore[var-annotated]
        self._cell: list[str] | None = None
        self.links: list[tuple[dict[str, str], str]] = []
        self._link: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = True
        elif tag == "tr" and self.inside and "data-finding" in a:
            self.rows.append({"attrs": a, "cells": []})
        elif tag == "td" and self.inside and self.rows:
            self._cell = []
        elif tag == "a":
            self._link = a

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._link is not None:
            self.links.append((self._link, data.strip()))


def parse(html: str, table_id: str = "audit-table") -> Rows:
    p = Rows(table_id)
    p.feed(html)
    return p


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM), "CSV must start with the UTF-8 BOM (Excel)"
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"))))


def expected_cells(rows: list[Any]) -> list[list[str]]:
    return [[cell(r.as_dict()[f]) for f in FIELDS] for r in rows]


# --- 1. the navigation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "Trang chủ"),
        ("/ra-soat", "Rà soát"),
        ("/tac-dong", "Tác động"),
        ("/kiem-tra", "Kiểm tra căn cứ"),
        ("/sparql-editor", "SPARQL"),
        ("/tim-kiem?q=61%2F2018", "Trang chủ"),  # search is under the home page
        ("/van-ban/61/2018/NĐ-CP", None),
    ],
)
def test_every_page_links_to_the_impact_page(client: TestClient, path: str, current: str | None) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    nav = [(a, text) for a, text in parse(r.text).links if a.get("href") == "/tac-dong"]
    assert [text for _a, text in nav] == ["Tác động"], "one navigation link to /tac-dong, in Vietnamese"
    marked = [text for a, text in parse(r.text).links if a.get("aria-current") == "page"]
    assert marked == ([current] if current else [])


# --- 2. /ra-soat: the point in time of each finding ---------------------------------------------------------------


def test_audit_page_says_whether_valid_when_signed(client: TestClient, seed_store: Store) -> None:
    when = date.fromisoformat(AS_OF)
    page = client.get("/ra-soat", params={"as_of": AS_OF, "include_amended": "true"})
    assert page.status_code == 200
    assert "Khi ký kế hoạch" in page.text
    shown = parse(page.text).rows
    findings = [f.as_dict() for f in audit(seed_store, when, include_amended=True)]
    assert len(shown) == len(findings) > 20
    dates = plan_dates(seed_store)
    cli_notes = audit_signing_notes(seed_store, findings, when)  # the CLI audit table's "signed" column
    for row, f, english in zip(shown, findings, cli_notes, strict=True):
        assert (row["attrs"]["data-cited"], row["attrs"]["data-finding"]) == (f["cited"], f["finding"])
        note = row["cells"][-1]
        assert bool(note) == bool(english), (f, note, english)  # a note exactly where the CLI prints one
        if english:
            assert note == signing_note(f["finding"], f["since"], dates[f["file"]], when, lang="vi")
    notes = {(r["attrs"]["data-file"][:8], r["attrs"]["data-task"], r["attrs"]["data-cited"]): r for r in shown}
    # seed 004 (signed in 2024): 61/2018 was in force then, replaced from 01/07/2025
    assert notes[("004_0b88", "4", "61/2018/NĐ-CP")]["cells"][-1] == (
        "Còn hiệu lực khi ký (2024); hết hiệu lực từ 01/07/2025."
    )
    # the outdated test plan, signed 15/08/2025, already cited a replaced decree
    assert notes[("ke-hoach", "", "61/2018/NĐ-CP")]["cells"][-1] == "Đã hết hiệu lực khi ký kế hoạch (15/08/2025)."
    # seed 003 (18/01/2023) cites 451/QĐ-TTg, expired 31/12/2020
    assert notes[("003_55f2", "XI.3", "451/QĐ-TTg")]["cells"][-1] == "Đã hết hiệu lực khi ký kế hoạch (18/01/2023)."
    # no note for a document not in the registry (its status is unknown)
    assert all(r["cells"][-1] == "" for r in shown if r["attrs"]["data-finding"] == "unresolved")


def test_audit_page_for_one_plan_keeps_its_notes(client: TestClient, seed_store: Store) -> None:
    plan = next(p for p in plan_dates(seed_store) if Path(p).name.startswith("ke-hoach-outdated"))
    page = client.get("/ra-soat", params={"as_of": AS_OF, "plan": Path(plan).name})
    assert page.status_code == 200
    notes = [r["cells"][-1] for r in parse(page.text).rows if r["attrs"]["data-finding"] == "replaced"]
    assert "Đã hết hiệu lực khi ký kế hoạch (15/08/2025)." in notes
    assert "Còn hiệu lực khi ký (15/08/2025); hết hiệu lực từ 15/02/2026." in notes


# --- 3. downloads of /tac-dong ------------------------------------------------------------------------------------


def _links(html: str) -> dict[str, str]:
    return {a["id"]: a["href"] for a, _t in parse(html).links if a.get("id") in ("impact-csv", "impact-xlsx")}


def test_download_the_impact_of_a_registry_document(client: TestClient, seed_store: Store) -> None:
    page = client.post("/tac-dong", data={"symbol": "118/2025/NĐ-CP", "as_of": AS_OF})
    assert page.status_code == 200
    links = _links(page.text)
    assert set(links) == {"impact-csv", "impact-xlsx"}
    expected = impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF)).rows

    got = client.get(links["impact-csv"])
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    table = read_csv(got.content)
    assert table[0] == HEADERS and table[0][:3] == ["Kế hoạch", "Tệp", "Nhiệm vụ"]
    assert table[1:] == expected_cells(expected)
    # the bar: seed 004's tasks 4, 11 and 12, each with its lead agency
    col = {f: i for i, f in enumerate(FIELDS)}
    tasks = {r[col["task"]]: r for r in table[1:] if stem(r[col["file"]]) == "004" and r[col["task"]]}
    assert {"4", "11", "12"} <= set(tasks)
    assert all(tasks[t][col["lead"]] for t in ("4", "11", "12"))

    got = client.get(links["impact-xlsx"])
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(got.content))
    sheet = [[c if c is not None else "" for c in r] for r in wb["Tác động"].iter_rows(values_only=True)]
    assert sheet == table
    note = wb["Ghi chú"]["A1"].value
    assert "118/2025/NĐ-CP" in note and "22/11/2026" in note and "sổ đăng ký" in note and "giả định" not in note


def test_download_a_what_if_from_the_form(client: TestClient, seed_store: Store) -> None:
    text = WHAT_IF.read_text(encoding="utf-8")
    form = {"symbol": "", "as_of": AS_OF, "what_if": text.replace("\n", "\r\n")}  # as a browser sends it
    page = client.post("/tac-dong", data=form)
    assert page.status_code == 200 and 'id="what-if-badge"' in page.text
    assert 'formaction="/tac-dong/tai-ve"' in page.text  # the download buttons post the form again

    got = client.post("/tac-dong/tai-ve", data={**form, "format": "csv"})
    assert got.status_code == 200, got.text[:300]
    assert 'filename="tac-dong-gia-dinh.csv"' in got.headers["content-disposition"]
    table = read_csv(got.content)
    assert table[0] == HEADERS
    col = {f: i for i, f in enumerate(FIELDS)}
    replaced = [r for r in table[1:] if r[col["cited"]] == "45/2020/NĐ-CP" and r[col["finding"]] == "replaced"]
    assert {stem(r[col["file"]]) for r in replaced} >= {"000", "001"}  # the bar for a what-if
    # the same rows as the REST API's what-if (the change in the body) and so as `tthc-kg impact --what-if`
    api = client.post("/api/impact/rows", params={"as_of": AS_OF, "format": "jsonl"}, content=text.encode("utf-8"))
    assert api.status_code == 200
    api_rows = [json.loads(line) for line in api.text.splitlines()]
    assert table[1:] == [[cell(r[f]) for f in FIELDS] for r in api_rows]
    assert len(api_rows) >= 2

    got = client.post("/tac-dong/tai-ve", data={**form, "format": "xlsx", "expand": "true"})
    assert got.status_code == 200
    wb = load_workbook(io.BytesIO(got.content))
    sheet = list(wb["Tác động"].iter_rows(values_only=True))
    assert list(sheet[0]) == HEADERS and len(sheet) - 1 > len(table) - 1  # expand: a row per inherited task
    assert "giả định" in wb["Ghi chú"]["A1"].value
    # nothing was stored: the registry document is still unknown to the store
    assert client.get("/api/impact", params={"symbol": "999/2026/NĐ-CP"}).status_code == 404


def test_a_control_character_in_a_what_if_does_not_break_the_xlsx(client: TestClient) -> None:
    """YAML carries "\\x07" in a double-quoted string; XLSX cannot hold it: it becomes U+FFFD, not a 500."""
    text = WHAT_IF.read_text(encoding="utf-8").replace("kind: replacement", "kind: partial_repeal")
    text = text.replace("    note: Hypothetical.", '    scope: "Điều 3\\x07"\n    note: Hypothetical.')
    got = client.post("/tac-dong/tai-ve", data={"what_if": text, "as_of": AS_OF, "format": "xlsx"})
    assert got.status_code == 200, got.text[:300]
    sheet = list(load_workbook(io.BytesIO(got.content))["Tác động"].iter_rows(values_only=True))
    scope = HEADERS.index("Phần thay đổi")
    assert len(sheet) > 1 and all(r[scope] == "Điều 3\ufffd" for r in sheet[1:])
    csv_rows = read_csv(client.post("/tac-dong/tai-ve", data={"what_if": text, "format": "csv"}).content)
    assert all(r[scope] == "Điều 3\x07" for r in csv_rows[1:])  # CSV keeps the text as given


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"format": "csv"}, 400, "Hãy nhập số, ký hiệu văn bản"),
        (
            {"format": "csv", "what_if": "events:\n  - kind: replacement\n    affected: 45/2020/NĐ-CP\n"},
            400,
            "what-if:2:",
        ),
        ({"format": "xlsx", "symbol": "1/2099/NĐ-CP"}, 404, "no document"),
        ({"format": "csv", "symbol": "118/2025/NĐ-CP", "as_of": "2026-13-01"}, 400, "Ngày không hợp lệ"),
    ],
)
def test_a_download_that_cannot_be_made_shows_the_page(
    client: TestClient, form: dict[str, str], status: int, message: str
) -> None:
    got = client.post("/tac-dong/tai-ve", data=form)
    assert got.status_code == status
    assert got.headers["content-type"].startswith("text/html") and message in got.text


def test_download_format_is_checked(client: TestClient) -> None:
    assert client.post("/tac-dong/tai-ve", data={"format": "pdf", "symbol": "118/2025/NĐ-CP"}).status_code == 422
    assert client.get("/api/impact/rows", params={"symbol": "118/2025/NĐ-CP", "format": "pdf"}).status_code == 422


# --- 4. /api/impact from the impact rows --------------------------------------------------------------------------


@pytest.mark.parametrize("expand", [False, True])
def test_api_impact_is_the_impact_rows_regrouped(client: TestClient, expand: bool) -> None:
    params = {"symbol": "118/2025/NĐ-CP", "as_of": AS_OF, "expand": str(expand).lower()}
    out = client.get("/api/impact", params=params).json()
    rows = client.get("/api/impact/rows", params=params).json()["rows"]
    assert {p["file"] for p in out["plans"]} == {r["file"] for r in rows}
    for p in out["plans"]:
        mine = [r for r in rows if r["file"] == p["file"]]
        assert set(p["documents"]) == {r["cited"] for r in mine}
        assert p["dependency"] == min((r["dependency"] for r in mine), key=["basis", "direct", "mention"].index)
    with_task = {(r["file"], r["task"]) for r in rows if r["task"]}
    assert {(t["file"], t["number"]) for t in out["tasks"]} == with_task
    for t in out["tasks"]:
        mine = [r for r in rows if (r["file"], r["task"]) == (t["file"], t["number"])]
        assert t["lead"] == mine[0]["lead"]
        assert t["dependency"] == ("direct" if any(r["dependency"] == "direct" for r in mine) else "basis")
        kind = t["dependency"]
        assert t["documents"] == list(
            dict.fromkeys(r["cited"] for r in sorted(mine, key=_change_order(out)) if r["dependency"] == kind)
        )
    assert any(t["dependency"] == "basis" for t in out["tasks"]) == expand


def _change_order(out: dict[str, Any]) -> Any:
    order = list(dict.fromkeys(c["affected"]["symbol"] for c in out["changes"]))
    return lambda r: order.index(r["cited"])
