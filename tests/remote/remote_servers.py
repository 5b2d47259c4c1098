"""The SPARQL servers of the parity tests (a module of its own: a test importing from "conftest" could get another
folder's conftest): start/stop through scripts/sparql-servers.sh, and the files the stores are seeded with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from paths import FIXTURES, ROOT, SEEDS
from tthc_kg.store_remote import RemoteStore

SCRIPT = ROOT / "scripts" / "sparql-servers.sh"
SERVERS = ("virtuoso", "oxigraph")
# The private Virtuoso's account (a fresh database's initial dba/dba, never a real deployment's): given to the
# store through the environment, as a deployment does (docs/deploy.md).
CREDENTIALS = {"virtuoso": ("dba", "dba")}


def seed_paths() -> list[str]:
    return [str(p) for p in SEEDS] + [str(FIXTURES / "ke-hoach-outdated-2025.txt")]


class Server:
    def __init__(self, name: str, directory: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.directory = directory
        environ = {**os.environ, "OXIGRAPH": str(Path(sys.executable).parent / "oxigraph"), **(env or {})}
        try:
            out = subprocess.run(
                ["bash", str(SCRIPT), "start", name, str(directory)],
                capture_output=True,
                text=True,
                timeout=180,
                env=environ,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name}: scripts/sparql-servers.sh start did not finish in 180 s")
        if out.returncode != 0:
            pytest.fail(
                f"cannot start the {name} SPARQL server (scripts/sparql-servers.sh start {name}): "
                f"{out.stderr.strip()[-800:]}\n(install Virtuoso with: scripts/sparql-servers.sh install)"
            )
        self.spec = out.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.directory)], capture_output=True, check=False)

    def store(self) -> RemoteStore:
        user, password = CREDENTIALS.get(self.name, ("", ""))
        saved = {k: os.environ.get(k) for k in ("TTHC_KG_SPARQL_USER", "TTHC_KG_SPARQL_PASSWORD")}
        os.environ["TTHC_KG_SPARQL_USER"], os.environ["TTHC_KG_SPARQL_PASSWORD"] = user, password
        try:
            return RemoteStore(self.spec)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
