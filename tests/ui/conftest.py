"""The UI tests' harness: a real ``tthc-kg serve`` on a free local port over a store with the seeds ingested,
and Debian's Chromium driven by Playwright through its executable path (no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from live_server import ingest_store, running_server

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "data" / "plans").glob("*.txt"))
FIXTURES = ROOT / "tests" / "fixtures"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Ingest the seeds into a fresh store with the CLI, then serve it; yields the base URL."""
    store = tmp_path_factory.mktemp("ui-store")
    ingest_store(store, [*SEEDS, FIXTURES / "ke-hoach-outdated-2025.txt"])
    with running_server(store, tmp_path_factory.mktemp("ui-log"), copy=False, ready="/") as running:
        yield running.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        pytest.fail(
            f"Chromium not found at {CHROMIUM}"
            + (f" (there is one at {found}: set CHROMIUM={found})" if found else "")
            + ": run scripts/install-browser.sh (installs Debian's chromium package)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser, server):  # type: ignore[no-untyped-def]
    """A fresh page (1280×900) whose relative URLs go to the test server; fails on any request leaving it."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale="vi-VN")
    outside: list[str] = []

    def guard(route, request):  # type: ignore[no-untyped-def]
        if request.url.startswith(server) or request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not outside, f"the pages requested resources outside the server (no CDN at run time): {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture()
def shot():  # type: ignore[no-untyped-def]
    """``shot(page, name)``: save a full-page screenshot as tests/ui/screenshots/NAME.png (ignored by git)."""

    def save(pg, name: str) -> Path:  # type: ignore[no-untyped-def]
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return save
