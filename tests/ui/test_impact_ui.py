"""The impact page (/tac-dong, issue 8) in a real headless Chromium: a document's impact grouped by lead agency,
then a what-if change pasted into the form (applied in memory only)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
WHAT_IF = ROOT / "examples" / "what-if-45-2020.yaml"


def test_impact_page_and_what_if(page: Page, shot) -> None:  # type: ignore[no-untyped-def]
    page.goto("/tac-dong")
    page.fill("#symbol", "118/2025/NĐ-CP")
    page.fill("#as_of", "2026-11-22")
    page.click("#impact-form button[type=submit]")
    table = page.locator("#impact-table")
    expect(table).to_be_visible()
    groups = page.locator("#impact-table tr.group-row").all_inner_texts()
    assert any(g.startswith("Các phòng, đơn vị có liên quan") for g in groups)
    assert any(g.startswith("Cả kế hoạch") for g in groups)
    expect(page.locator("#impact-changes")).to_contain_text("61/2018/NĐ-CP")
    replaced = page.locator('#impact-table tr[data-finding="replaced"]')
    assert replaced.count() >= 5
    expect(replaced.first).to_contain_text("118/2025/NĐ-CP")
    shot(page, "impact-118-2025")
    # the CSV link gives the same rows as the table
    href = page.locator("#impact-csv").get_attribute("href") or ""
    assert href.startswith("/api/impact/rows?") and "format=csv" in href

    # a what-if: a hypothetical decree replacing 45/2020
    page.goto("/tac-dong")
    page.locator("details summary").click()
    page.fill("#what_if", WHAT_IF.read_text(encoding="utf-8"))
    page.fill("#as_of", "2026-11-22")
    page.click("#impact-form button[type=submit]")
    expect(page.locator("#what-if-badge")).to_be_visible()
    rows = page.locator('#impact-table tr[data-finding="replaced"]')
    expect(rows.first).to_contain_text("45/2020/NĐ-CP")
    files = " ".join(rows.all_inner_texts())
    assert "000_" in files and "001_" in files
    shot(page, "impact-what-if-45-2020")

    # a change that does not check comes back with its line
    if not page.locator("#what_if").is_visible():
        page.locator("details summary").click()
    page.fill("#what_if", "events:\n  - kind: replacement\n    affected: 45/2020/NĐ-CP\n")
    page.click("#impact-form button[type=submit]")
    expect(page.locator("#impact-error")).to_contain_text("what-if:2:")
