"""A real ``tthc-kg serve`` in a subprocess, for the tests that need a server (SPARQL clients, the browser, load,
schemathesis): ``ingest_store`` fills a store with the CLI, ``start_server`` serves it on a free loopback port and
waits until it answers, ``stop_server`` ends it, ``running_server`` does both around a ``with`` block, ``rss_kib``
reads a process's resident memory from /proc."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    store: Path

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tthc_kg.cli", *args]


def ingest_store(store: Path, paths: Sequence[str | Path], timeout: float = 600) -> Path:
    """Ingest ``paths`` into ``store`` with the CLI (the store is closed again when it returns)."""
    done = subprocess.run(
        cli("ingest", "--quiet", "--store", str(store), *map(str, paths)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tthc-kg ingest failed ({done.returncode}): {done.stderr}")
    return store


def start_server(
    store: Path, workdir: Path, *, copy: bool = True, ready: str = "/queries", wait: float = 60, **env: str
) -> Server:
    """``tthc-kg serve`` on a free loopback port over ``store`` (a copy in ``workdir`` when ``copy``: a store is
    opened by one process at a time); extra settings as environment variables (``TTHC_KG_…="…"``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if copy:
        target = workdir / "store"
        shutil.copytree(store, target)
        store = target
    port = free_port()
    log = workdir / "server.log"
    environ = {**os.environ, "TTHC_KG_QUERY_TIMEOUT": "10", "TTHC_KG_MAX_ROWS": "10000", **env}
    command = cli("serve", "--quiet", "--host", "127.0.0.1", "--port", str(port), "--store", str(store))
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=environ, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log, store)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(server.url + ready, timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"the server did not answer on {server.url} within {wait:g} s: {log.read_text()}")


def stop_server(server: Server) -> None:
    if server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@contextlib.contextmanager
def running_server(store: Path, workdir: Path, **kwargs: object) -> Iterator[Server]:
    server = start_server(store, workdir, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        stop_server(server)


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (``VmRSS`` of /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")
