"""The web pages in a real headless Chromium (Debian's package, driven by Playwright by executable path).

One walk a legal officer takes — search → document → plan → check a draft — then the SPARQL editor and the
audit page. Each step saves a full-page screenshot under tests/ui/screenshots/ (ignored by git).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SEED_004 = next((ROOT / "data" / "plans").glob("004_*.txt"))

DRAFT = (
    "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN\n"
    "KẾ HOẠCH\nKiểm soát thủ tục hành chính năm 2026\n\n"
    "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên "
    "thông trong giải quyết thủ tục hành chính;\n"
    "Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ về thực hiện thủ tục hành chính theo cơ chế "
    "một cửa, một cửa liên thông tại Bộ phận Một cửa và Cổng Dịch vụ công quốc gia;\n"
)


def _seed_004_citations() -> int:
    """How many citations the extractor finds in seed 004 (the plan page must highlight each)."""
    from tthc_kg.analyze import analyze_file
    from tthc_kg.registry import load_registry

    return len(analyze_file(SEED_004, load_registry()).citations)


def test_search_document_plan_check(page: Page, shot) -> None:  # type: ignore[no-untyped-def]
    # 1. home: the search box, and the registry's evidence date
    page.goto("/")
    expect(page).to_have_title(re.compile("Trang chủ"))
    expect(page.locator("#evidence")).to_contain_text("06/2026")
    shot(page, "01-home")
    page.fill("input[name=q]", "61/2018")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/tim-kiem\?q=61%2F2018"))
    result = page.locator("ol.results a.result-title", has_text="61/2018/NĐ-CP").first
    expect(result).to_be_visible()
    shot(page, "02-search-61-2018")

    # 2. the document page of 61/2018/NĐ-CP: replaced, and the diagram names 118/2025/NĐ-CP
    result.click()
    expect(page.locator("h1")).to_contain_text("61/2018/NĐ-CP")
    badge = page.locator("#status .badge.big")
    expect(badge).to_have_text("Đã bị thay thế")
    expect(badge).to_have_attribute("data-status", "replaced")
    diagram = page.locator(".diagram svg")
    expect(diagram).to_be_visible()
    expect(diagram).to_contain_text("118/2025/NĐ-CP")
    expect(diagram).to_contain_text("Bị thay thế bởi")
    expect(page.locator("ol.timeline")).to_contain_text("01/07/2025")
    expect(page.locator("#status")).to_contain_text("118/2025/NĐ-CP")
    shot(page, "03-document-61-2018")

    # 3. a citing plan: seed 004, every citation highlighted and coloured by its status
    row = page.locator("#citing-plans tr", has_text=SEED_004.name)
    row.locator("td").first.locator("a").first.click()
    expect(page.locator("#plan-text")).to_be_visible()
    expected = _seed_004_citations()
    spans = page.locator("#plan-text .cite")
    assert spans.count() >= expected > 0, f"{spans.count()} highlighted spans for {expected} citations"
    statuses = set(spans.evaluate_all("els => els.map(e => e.dataset.status)"))
    assert {"replaced", "in_force"} <= statuses, statuses
    replaced = page.locator("#plan-text a.cite.st-replaced", has_text="61/2018/NĐ-CP").first
    in_force = page.locator("#plan-text a.cite.st-in_force").first
    colour = "el => getComputedStyle(el).color"
    assert replaced.evaluate(colour) != in_force.evaluate(colour), "statuses must have different colours"
    # the flagged tasks (their own basis cites a replaced decree): 4, 11 and 12 in seed 004
    flagged = page.locator("#task-table tr.flagged td.num")
    numbers = {t.split()[0] for t in flagged.all_inner_texts()}
    assert {"4", "11", "12"} <= numbers, numbers
    shot(page, "04-plan-004")
    # the filter shows only the flagged tasks
    page.check("#only-flagged")
    expect(page.locator("#task-table tbody tr:visible")).to_have_count(flagged.count())
    page.uncheck("#only-flagged")
    # a highlighted citation links to its document's page
    href = replaced.get_attribute("href")
    assert href and href.startswith("/van-ban/61/2018/")

    # 4. "Kiểm tra căn cứ": a pasted draft citing 61/2018/NĐ-CP comes back annotated as replaced
    page.click("nav.site-nav >> text=Kiểm tra căn cứ")
    expect(page.locator("h1")).to_have_text("Kiểm tra căn cứ")
    page.fill("#draft", DRAFT)
    page.fill("#as_of", "2026-11-22")
    page.click("#check-form button[type=submit]")
    annotated = page.locator("#annotated")
    expect(annotated).to_be_visible()
    old = annotated.locator("a.cite", has_text="61/2018/NĐ-CP")
    expect(old).to_have_attribute("data-status", "replaced")
    expect(annotated).to_contain_text("[Đã bị thay thế]")
    new = annotated.locator(".cite", has_text="118/2025/NĐ-CP")
    # 118/2025 is in force (the registry records an undated amendment by 367/2025/NĐ-CP)
    expect(new).to_have_attribute("data-status", re.compile("^(in_force|amended)$"))
    expect(page.locator("#check-table")).to_contain_text("118/2025/NĐ-CP")
    expect(page.locator("#check-result .notice.warn")).to_contain_text("1")
    expect(page.locator("#draft")).to_have_value(DRAFT)
    shot(page, "05-check-draft")


def test_sparql_editor_runs_a_named_query(page: Page, shot) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sparql-editor")
    expect(page.locator("#query-name")).to_have_value("superseded-dependencies")
    editor = page.locator("#yasgui .CodeMirror")
    expect(editor).to_be_visible()
    expect(editor).to_contain_text("superseded-dependencies")
    expect(editor).to_contain_text("VALUES (?asOf ?includeAmended)")
    page.fill("#param-asOf", "2026-11-22")
    page.click("#query-load")
    table = page.locator("#yasgui .yasr table.dataTable")
    expect(table).to_be_visible(timeout=20_000)
    expect(table).to_contain_text("61/2018/NĐ-CP")
    expect(table).to_contain_text("replaced")
    shot(page, "06-sparql-editor")
    # a query with a string parameter: who cites 61/2018/NĐ-CP
    page.select_option("#query-name", "citations-of")
    expect(page.locator("#param-symbol")).to_have_value("61/2018/NĐ-CP")
    page.click("#query-load")
    expect(page.locator("#yasgui .yasr table.dataTable")).to_contain_text(SEED_004.name, timeout=20_000)


def test_audit_page_offers_the_xlsx(page: Page, shot) -> None:  # type: ignore[no-untyped-def]
    page.goto("/ra-soat?as_of=2026-11-22")
    rows = page.locator("#audit-table tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#audit-table")).to_contain_text("61/2018/NĐ-CP")
    expect(page.locator("#audit-table tr[data-finding=replaced]").first).to_contain_text("118/2025/NĐ-CP")
    link = page.locator("#xlsx-download")
    expect(link).to_have_text(re.compile("Excel"))
    shot(page, "07-audit")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    path = download.path()
    assert path is not None and Path(path).read_bytes()[:2] == b"PK", "an XLSX file is a ZIP archive"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_pages_escape_text_and_refuse_bad_input(server: str) -> None:
    evil = "<script>alert(1)</script>"
    status, body = _get(f"{server}/tim-kiem?q={quote(evil)}")
    assert status == 200 and evil not in body and "&lt;script&gt;" in body
    status, body = _get(f"{server}/van-ban/{quote(evil)}")
    assert status == 404 and evil not in body and "Không tìm thấy văn bản" in body
    assert _get(f"{server}/ke-hoach/khong-co")[0] == 404
    status, body = _get(f"{server}/ra-soat?as_of=22-11-2026")
    assert status == 400 and "Ngày không hợp lệ" in body
    status, body = _get(f"{server}/van-ban/61/2018/N%C4%90-CP?as_of=2025-06-30")
    assert status == 200 and 'data-status="amended"' in body  # before 118/2025 took effect: amended by 107/2021
