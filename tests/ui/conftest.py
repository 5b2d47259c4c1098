"""The UI tests' harness: a real ``tthc-kg serve`` on a free local port over a store with the seeds ingested,
and Debian's Chromium driven by Playwright through its executable path (no browser download)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tthc_kg.cli", *args]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Ingest the seeds into a fresh store with the CLI, then serve it; yields the base URL."""
    store = tmp_path_factory.mktemp("ui-store")
    paths = [str(p) for p in SEEDS] + [str(FIXTURES / "ke-hoach-outdated-2025.txt")]
    done = subprocess.run(_cli("ingest", *paths, "--store", str(store), "--quiet"), capture_output=True, text=True)
    assert done.returncode == 0, f"ingest failed: {done.stderr}"
    port = _free_port()
    log = tmp_path_factory.mktemp("ui-log") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            _cli("serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store), "--quiet"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"tthc-kg serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"tthc-kg serve did not answer on {base} within 60 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
