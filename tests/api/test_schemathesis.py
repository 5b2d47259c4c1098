"""Schemathesis against a real ``tthc-kg serve`` (issue 7, part 4): every operation of the OpenAPI description,
with valid and invalid inputs generated from it (its coverage, fuzzing and stateful phases), never answers 500,
and the server logs no unhandled exception.

The schemathesis CLI runs in a subprocess against the server (its pytest plugin's lazy fixture loader does not
work with pytest 9). The example count is modest here (``TTHC_KG_SCHEMATHESIS_EXAMPLES``, default 5 per operation
and phase); ``bench/api_fuzz.py`` runs hundreds. The server has a write token: the generated requests send their
own (wrong) bearer tokens, so the write routes answer 401/403 and their parsing and token check are exercised; a
second run gives the token so the upload path of ``POST /api/ingest`` is fuzzed too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from live_server import Server, ingest_store, start_server, stop_server
from paths import SEEDS

EXAMPLES = int(os.environ.get("TTHC_KG_SCHEMATHESIS_EXAMPLES", "5"))
TOKEN = "fuzz-token"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def run_schemathesis(url: str, report: Path, examples: int, *extra: str, timeout: float = 900) -> dict[str, Any]:
    """``schemathesis run`` with the 5xx check only; returns its JSON report (what ran, what failed)."""
    command = [
        str(SCHEMATHESIS), "run", url + "/openapi.json", "--checks", "not_a_server_error",
        "--max-examples", str(examples), "--generation-deterministic", "--request-timeout", "60",
        "--report", "json", "--report-json-path", str(report), "--no-color", *extra,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert report.exists(), f"schemathesis wrote no report ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr}"
    out: dict[str, Any] = json.loads(report.read_text())
    out["stdout"] = done.stdout
    out["returncode"] = done.returncode
    return out


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = ingest_store(tmp_path_factory.mktemp("fuzz") / "store", SEEDS)
    server = start_server(
        store, tmp_path_factory.mktemp("fuzz-server"), TTHC_KG_WRITE_TOKEN=TOKEN, TTHC_KG_QUERY_TIMEOUT="5"
    )
    yield server
    stop_server(server)


def assert_clean(report: dict[str, Any], server: Server) -> None:
    cases = report["test_cases"]
    assert report["returncode"] == 0 and cases["with_failures"] == 0 and not report["failures"], report["stdout"][
        -4000:
    ]
    assert not report["errors"], report["errors"]
    assert cases["generated"] > 0
    log = server.log.read_text()
    # uvicorn logs an unhandled exception as "Exception in ASGI application"; our 500 handler as "error <id>"
    assert "Exception in ASGI application" not in log and "Traceback" not in log, log[-3000:]


def test_no_operation_answers_500(live: Server, tmp_path: Path) -> None:
    report = run_schemathesis(live.url, tmp_path / "report.json", EXAMPLES)
    assert_clean(report, live)
    paths = set(httpx.get(live.url + "/openapi.json").json()["paths"])
    assert {"/sparql", "/queries/{name}", "/api/documents/{symbol}", "/api/search", "/api/ingest"} <= paths
    ops = report["operations"]
    assert (
        ops["tested"]
        == ops["selected"]
        == sum(len(v) for v in httpx.get(live.url + "/openapi.json").json()["paths"].values())
    )
    print(f"schemathesis: {ops['tested']} operations, {report['test_cases']['generated']} cases, 0 failures")


def test_ingest_with_the_token_answers_no_500(live: Server, tmp_path: Path) -> None:
    report = run_schemathesis(
        live.url, tmp_path / "report.json", EXAMPLES,
        "--include-path", "/api/ingest", "--header", f"Authorization: Bearer {TOKEN}",
        "--generation-with-security-parameters", "false",
    )  # fmt: skip
    assert_clean(report, live)
    assert report["operations"]["tested"] == 1
