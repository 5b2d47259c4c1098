"""The search page in a real headless Chromium (Debian's, driven by Playwright; tests/ui/conftest.py serves the
seeds with `tthc-kg serve`): a legal officer types without diacritics, reads the status badges, narrows the
results with the filters (status at a date, type, kind), and follows a result to its document, plan and task.
Screenshots go to tests/ui/screenshots/search-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

OUT_OF_FORCE = {"replaced", "repealed", "expired"}


def statuses(page: Page, selector: str = "#search-results li.result") -> list[str]:
    return page.locator(selector).evaluate_all("els => els.map(e => e.dataset.status)")  # type: ignore[no-any-return]


def test_search_without_diacritics_then_filter_by_status(page: Page, shot) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.fill("#q", "nghi dinh mot cua")
    page.click("#search-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/tim-kiem\?q=nghi\+dinh\+mot\+cua$"))  # empty filters left out
    results = page.locator("#search-results li.result")
    expect(results.first).to_be_visible()
    # the one-stop-shop decrees, each with its status badge in Vietnamese
    old = page.locator("#search-results li.result[data-kind=document]", has_text="61/2018/NĐ-CP").first
    expect(old.locator(".badge")).to_have_text("Đã bị thay thế")
    expect(old.locator(".badge")).to_have_attribute("data-status", "replaced")
    new = page.locator("#search-results li.result[data-kind=document]", has_text="118/2025/NĐ-CP").first
    expect(new.locator(".badge")).to_have_attribute("data-status", re.compile("^(in_force|amended)$"))
    expect(page.locator("#search-meta")).to_contain_text("Tình trạng hiệu lực tính đến ngày")
    shot(page, "search-01-nghi-dinh-mot-cua")

    # filters: out of force only — choosing in the list searches again
    page.click("#search-filters summary")
    page.select_option("#f-status", "out_of_force")
    expect(page).to_have_url(re.compile(r"status=out_of_force"))
    expect(page.locator("#search-filters")).to_have_attribute("open", "")
    got = statuses(page)
    assert got and set(got) <= OUT_OF_FORCE, got
    expect(page.locator("#search-results")).to_contain_text("61/2018/NĐ-CP")
    shot(page, "search-02-out-of-force")

    # the same question on 1 January 2024: nothing about one-stop decrees was out of force yet; in force, 61/2018 was
    page.fill("#f-as_of", "2024-01-01")
    page.select_option("#f-status", "in_force")
    expect(page).to_have_url(re.compile(r"as_of=2024-01-01"))
    expect(page.locator("#search-meta")).to_contain_text("01/01/2024")
    old = page.locator("#search-results li.result[data-kind=document]", has_text="61/2018/NĐ-CP").first
    expect(old.locator(".badge")).to_have_text("Đã được sửa đổi")  # by 107/2021, in force
    assert set(statuses(page)) <= {"in_force", "amended", "partially_repealed"}
    expect(page.locator("#search-results li.result[data-kind=document]", has_text="118/2025/NĐ-CP")).to_have_count(0)
    shot(page, "search-03-in-force-2024")

    # clear the filters
    page.click("#clear-filters")
    expect(page).to_have_url(re.compile(r"/tim-kiem\?q=nghi\+dinh\+mot\+cua$"))


def test_unconfirmed_badge_and_the_tasks_relying_on_a_basis(page: Page, shot) -> None:  # type: ignore[no-untyped-def]
    # TT 02/2017: "amended" through a relation the registry marks unconfirmed
    page.goto("/tim-kiem?q=tt+02/2017")
    first = page.locator("#search-results li.result").first
    expect(first).to_have_attribute("data-kind", "document")
    expect(first.locator("a.result-title")).to_have_text("02/2017/TT-VPCP")
    expect(first.locator(".badge")).to_have_text("Đã được sửa đổi")
    expect(first.locator(".unconfirmed")).to_have_text("chưa xác nhận")
    # a confirmed status carries no such mark
    page.goto("/tim-kiem?q=nd+61/2018")
    confirmed = page.locator("#search-results li.result").first
    expect(confirmed.locator(".badge")).to_have_attribute("data-status", "replaced")
    expect(confirmed.locator(".unconfirmed")).to_have_count(0)

    # the tasks that rely on TT 02/2017 (kind filter), each showing its legal basis and badge
    page.goto("/tim-kiem?q=tt+02/2017")
    page.click("#search-filters summary")
    page.select_option("#f-kind", "task")
    expect(page).to_have_url(re.compile(r"kind=task"))
    tasks = page.locator("#search-results li.result")
    expect(tasks.first).to_be_visible()
    assert set(tasks.evaluate_all("els => els.map(e => e.dataset.kind)")) == {"task"}
    expect(tasks.first.locator(".result-basis")).to_contain_text("02/2017/TT-VPCP")
    expect(tasks.first.locator(".result-basis .unconfirmed")).to_have_text("chưa xác nhận")
    shot(page, "search-04-tasks-of-tt-02-2017")

    # a task result opens its plan at the task's row
    row = page.locator("#search-results li.result", has_text="Công khai TTHC tại trụ sở").first
    row.locator("a.result-title").click()
    expect(page).to_have_url(re.compile(r"/ke-hoach/[^#]+#task-3$"))
    expect(page.locator("#task-3")).to_be_visible()
    expect(page.locator("#task-3")).to_contain_text("Công khai TTHC tại trụ sở")


def test_a_passage_links_to_its_document_and_its_plan(page: Page, shot) -> None:  # type: ignore[no-untyped-def]
    page.goto("/tim-kiem?q=ph%E1%BA%A3n+%C3%A1nh+ki%E1%BA%BFn+ngh%E1%BB%8B&kind=passage")
    passage = page.locator("#search-results li.result[data-kind=passage]").first
    expect(passage.locator(".result-title")).to_contain_text("20/2008/NĐ-CP")
    expect(passage.locator(".result-basis")).to_contain_text("20/2008/NĐ-CP")
    shot(page, "search-05-passage")
    passage.locator(".result-basis a").click()
    expect(page.locator("h1")).to_contain_text("20/2008/NĐ-CP")
    page.go_back()
    page.locator("#search-results li.result[data-kind=passage] .result-plans a").first.click()
    expect(page.locator("#plan-text")).to_be_visible()
    expect(page.locator("#plan-text")).to_contain_text("20/2008/NĐ-CP")


def test_bad_input_comes_back_in_vietnamese(page: Page) -> None:
    page.goto("/tim-kiem?q=m%E1%BB%99t+c%E1%BB%ADa&year=18")
    expect(page.locator(".search-error")).to_contain_text("Năm không hợp lệ")
    expect(page.locator("#q")).to_have_value("một cửa")
    expect(page.locator("#f-year")).to_have_value("18")
