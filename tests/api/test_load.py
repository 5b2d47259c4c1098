"""Load (issue 7, part 5): 50 concurrent clients on loopback mixing search, document, SPARQL and audit requests
against a real ``tthc-kg serve`` while plans are ingested through ``POST /api/ingest`` — 0 errors, the ingest
lands, and the server's memory stays bounded. Latency is reported (p50/p95/p99, printed with ``-s``), never
asserted; ``bench/load.py`` runs the same driver longer and prints the figures.

Bounded: about 25 s of load (``TTHC_KG_LOAD_SECONDS``, at most 60), on a temp store holding the seeds.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from live_server import ingest_store, running_server
from paths import CORPUS, ROOT, SEEDS

SECONDS = min(float(os.environ.get("TTHC_KG_LOAD_SECONDS", "25")), 60.0)
CLIENTS = 50


def _driver():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_fifty_clients_and_an_ingest_give_no_errors_and_bounded_memory(tmp_path: Path) -> None:
    load = _driver()
    files = load.corpus_files(CORPUS)
    assert len(files) >= 20, f"the corpus of real plans is missing at {CORPUS}"
    store = ingest_store(tmp_path / "store", SEEDS)
    env = {"TTHC_KG_WRITE_TOKEN": load.TOKEN}
    with running_server(store, tmp_path / "srv", copy=False, **env) as server:
        result = load.run_load(server.url, server.pid, files, clients=CLIENTS, duration=SECONDS)
    print("\n" + load.report(result))
    assert result.errors == [], result.errors[:10]
    assert set(result.latencies) == set(load.MIX), "every kind of request ran"
    assert result.requests >= CLIENTS  # every client got answers
    assert result.ingest_posts >= 1 and result.ingest_files >= 1
    assert result.triples_after > result.triples_before  # the ingest landed while the readers read
    start, peak = result.rss_kib[0], max(result.rss_kib)
    # generous: the server starts near 100 MiB; the search index and caches grow with the ingested plans
    assert peak < start + 1024 * 1024, f"server RSS grew from {start} KiB to {peak} KiB"
    workers = max(result.workers_rss_kib)  # the SPARQL worker processes, together
    assert 0 < workers < 2 * 1024 * 1024, f"the server's child processes reached {workers} KiB"
    log = server.log.read_text()
    assert "Exception in ASGI application" not in log and "Traceback" not in log, log[-3000:]
