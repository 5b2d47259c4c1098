"""Change management in a real headless Chromium (issue 8): the navigation to /tac-dong, the point-in-time note on
/ra-soat, and the downloads of /tac-dong as a person gets them (the browser's download, read back from disk)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tthc_kg.export_formats import BOM

ROOT = Path(__file__).resolve().parents[2]
WHAT_IF = ROOT / "examples" / "what-if-45-2020.yaml"


def _csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[len(BOM) :].decode("utf-8"))))


def test_nav_audit_note_and_downloads(page: Page, shot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the navigation leads to the impact page from the home page, and marks it as the current page
    page.goto("/")
    link = page.locator("nav.site-nav a", has_text="Tác động")
    expect(link).to_have_attribute("href", "/tac-dong")
    link.click()
    expect(page).to_have_url(re.compile(r"/tac-dong$"))
    expect(page.locator("nav.site-nav a[aria-current=page]")).to_have_text("Tác động")

    # the audit page says, per finding, whether the document was in force when the plan was signed
    page.goto("/ra-soat?as_of=2026-11-22")
    expect(page.locator("#audit-table thead")).to_contain_text("Khi ký kế hoạch")
    outdated = page.locator('#audit-table tr[data-file="ke-hoach-outdated-2025.txt"][data-cited="61/2018/NĐ-CP"]')
    expect(outdated.locator("td.signed")).to_have_text("Đã hết hiệu lực khi ký kế hoạch (15/08/2025).")
    seed = page.locator('#audit-table tr[data-task="4"][data-cited="61/2018/NĐ-CP"]')
    expect(seed.locator("td.signed")).to_have_text("Còn hiệu lực khi ký (2024); hết hiệu lực từ 01/07/2025.")
    shot(page, "change-audit-signed")
    # the officers' decisions: a "Xem xét" column, and a toggle that hides the findings decided on
    expect(page.locator("#audit-table thead")).to_contain_text("Xem xét")
    expect(outdated.locator("td.review")).to_have_text("Chưa xem xét")
    page.check("#hide_reviewed")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"hide_reviewed=true"))
    expect(page.locator("#hide_reviewed")).to_be_checked()
    expect(page.locator("#review-summary")).to_contain_text("chưa xem xét")

    # a plan's page links the Atom feed of its changes; the link answers a feed
    page.goto("/ra-soat?as_of=2026-11-22")
    page.goto(page.locator("#audit-table tr.group-row a").first.get_attribute("href") or "/")
    feed = page.locator("#feeds a.feed-link").first
    expect(feed).to_have_text("Thay đổi ảnh hưởng đến kế hoạch này")
    response = page.request.get(feed.get_attribute("href") or "")
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")

    # a registry document: the Excel link downloads the rows shown in the table
    page.goto("/tac-dong")
    page.fill("#symbol", "118/2025/NĐ-CP")
    page.fill("#as_of", "2026-11-22")
    page.click("#impact-form button[type=submit]")
    shown = page.locator("#impact-table tbody tr[data-finding]").count()
    with page.expect_download() as info:
        page.click("#impact-xlsx")
    xlsx = tmp_path / "tac-dong.xlsx"
    info.value.save_as(xlsx)
    assert info.value.suggested_filename == "tac-dong.xlsx"
    sheet = list(load_workbook(xlsx)["Tác động"].iter_rows(values_only=True))
    assert sheet[0][:3] == ("Kế hoạch", "Tệp", "Nhiệm vụ")
    # the table shows a task with two leads under both agencies; the file has it once
    assert 0 < len(sheet) - 1 <= shown

    # the same form, now with a what-if instead of a symbol (the date is kept from the last answer); its CSV button
    # posts the form again and downloads its rows
    expect(page.locator("#as_of")).to_have_value("2026-11-22")
    page.fill("#symbol", "")
    page.locator("details summary").click()
    page.fill("#what_if", WHAT_IF.read_text(encoding="utf-8"))
    page.click("#impact-form button[type=submit]")
    expect(page.locator("#what-if-badge")).to_be_visible()
    shot(page, "change-what-if-downloads")
    with page.expect_download() as info:
        page.click("#impact-csv")
    assert info.value.suggested_filename == "tac-dong-gia-dinh.csv"
    path = tmp_path / "what-if.csv"
    info.value.save_as(path)
    rows = _csv(path)
    replaced = [r for r in rows if r["Văn bản được viện dẫn"] == "45/2020/NĐ-CP" and r["Tình trạng"] == "replaced"]
    assert {Path(r["Tệp"]).name[:3] for r in replaced} >= {"000", "001"}
    assert all(r["Văn bản thay thế"] for r in replaced)
    # the page is still there, with its what-if (the download did not navigate away)
    expect(page.locator("#what-if-badge")).to_be_visible()
