"""Worker processes for ``/sparql``: a query past the time limit is killed, not abandoned.

pyoxigraph cannot interrupt a query, and a thread cannot be killed. So the queries clients write (``/sparql``) run
in a small pool of worker processes (``sparql_workers``, default 2), each holding a read-only handle on the store
directory (``pyoxigraph.Store.read_only``: RocksDB's read-only mode, which needs no lock, reads the write-ahead
log, and so sees every commit made before it opened). A query is given to an idle worker; when the answer has
not come back within ``query_timeout`` seconds the worker is sent SIGKILL, the client gets 503, and a fresh worker
takes its place. What is enforced: the client's wait, the CPU and memory of the runaway query (it ends with its
process), the number of evaluations at once (one per worker; a request that finds none idle within
``queue_wait`` seconds gets 503 "busy"), and the rows kept (``max_rows``).

Freshness: a worker reopens the store when the server's write counter (``Store.generation``, bumped by each ingest
through the server) differs from the one it opened at, and on an I/O error (a file compacted away under it).

The named queries (``/queries/{name}``) and the REST routes run the project's own queries in the server's threads
(``sparql_exec.run_with_timeout``); only client-written SPARQL needs the process boundary. Without a store on disk
(an in-memory or remote store), or with ``sparql_workers`` 0, ``/sparql`` uses the threads too.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .sparql_exec import (
    Answer,
    BadQuery,
    NotAcceptable,
    QueryRefused,
    QueryTimeout,
    SparqlError,
    UpdateRefused,
    _serialize,
)

log = logging.getLogger(__name__)

_ERRORS: dict[str, type[SparqlError]] = {
    cls.__name__: cls for cls in (SparqlError, BadQuery, NotAcceptable, QueryRefused, QueryTimeout, UpdateRefused)
}


@dataclass(eq=False)  # hashed by identity
class _Worker:
    process: Any  # multiprocessing.Process (spawn context)
    conn: Connection


class WorkerPool:
    def __init__(self, store_path: Path, size: int, queue_wait: float = 10.0) -> None:
        self.store_path = Path(store_path)
        self.size = size
        self.queue_wait = queue_wait
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Every worker is started by this one long-lived thread: a worker asks to be killed when the thread that
        # started it ends (Linux's parent-death signal follows the thread), which must be when the server ends.
        self._spawn_requests: queue.Queue[bool] = queue.Queue()
        threading.Thread(target=self._spawner, name="tthc-kg-sparql-spawner", daemon=True).start()
        for _ in range(size):
            self._start_worker()

    # --- workers ---------------------------------------------------------------------------------------------

    def _start_worker(self) -> None:
        self._spawn_requests.put(True)

    def _spawner(self) -> None:
        while self._spawn_requests.get():
            if self._closed:
                return
            try:
                self._spawn()
            except Exception:  # cannot start a process (resources): try again in a while
                log.exception("could not start a SPARQL worker")
                time.sleep(1)
                self._spawn_requests.put(True)

    def _spawn(self) -> None:
        """Spawn a worker; it joins the idle queue once it says it is ready (imports done, store opened)."""
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=worker_main, args=(child, str(self.store_path)), name="tthc-kg-sparql-worker", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)

        def wait_ready() -> None:
            message: Any = "nothing within 120 s"
            try:
                if parent.poll(120):
                    message = parent.recv()
                    if message == ("ready", None):
                        if not self._closed:
                            self._idle.put(worker)
                        return
            except (EOFError, OSError) as exc:
                message = exc
            if self._closed:
                return
            log.error("SPARQL worker %s did not start: %r", process.pid, message)
            self._discard(worker)
            time.sleep(1)
            self._start_worker()

        threading.Thread(target=wait_ready, name="tthc-kg-sparql-worker-start", daemon=True).start()

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    def wait_ready(self, timeout: float = 120) -> bool:
        """Wait until every worker has started (the server accepts no request before: see app.lifespan)."""
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    def close(self) -> None:
        self._closed = True
        self._spawn_requests.put(False)
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in workers:
            worker.process.join(2)
            self._discard(worker)

    # --- queries ---------------------------------------------------------------------------------------------

    def run(
        self, sparql: str, accept: str | None, format: str | None, max_rows: int, timeout: float, generation: int
    ) -> Answer:
        """The answer from a worker, or 503 when none is idle within ``queue_wait`` or the query runs past
        ``timeout`` (the worker is then killed and replaced)."""
        try:
            worker = self._idle.get(timeout=max(self.queue_wait, timeout))
        except queue.Empty:
            raise QueryTimeout(
                f"the server is busy: all {self.size} SPARQL workers are evaluating queries; try again later"
            ) from None
        job = {"sparql": sparql, "accept": accept, "format": format, "max_rows": max_rows, "generation": generation}
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout if timeout > 0 else None):
                log.warning("SPARQL query killed at the time limit of %s s (worker %s)", timeout, worker.process.pid)
                threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
                raise QueryTimeout(f"query exceeded the time limit of {timeout:g} s")
            kind, payload = worker.conn.recv()
        except (EOFError, OSError) as exc:  # the worker died (out of memory, killed from outside)
            error_id = uuid.uuid4().hex[:12]
            log.error("SPARQL worker %s died (error %s): %s", worker.process.pid, error_id, exc)
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise SparqlError(f"internal server error (error id {error_id})") from None
        self._idle.put(worker)
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        name, message = payload
        raise _ERRORS.get(name, SparqlError)(message)

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if not self._closed:
            self._start_worker()


# --- the worker process --------------------------------------------------------------------------------------


def worker_main(conn: Connection, store_path: str) -> None:
    """Loop: receive a job, evaluate it on a read-only handle, send ``("ok", Answer)`` or ``("error", (class
    name, message))``. Exits when the server closes the pipe (or sends None)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops us
    _die_with_parent()
    from ..store import Store

    state: dict[str, Any] = {"store": None, "generation": None}

    def open_store() -> Store:
        """RocksDB's read-only open races with the server's own flushes and compactions (the manifest it reads
        can name a table file just deleted): retried, the race is gone within milliseconds."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return Store(store_path, read_only=True)
            except Exception:  # StoreError, or pyoxigraph's RuntimeError "Corruption: … No such file"
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    def store_for(generation: int, reopen: bool = False) -> Store:
        if reopen or state["store"] is None or state["generation"] != generation:
            state["store"] = None
            state["store"] = open_store()
            state["generation"] = generation
        return state["store"]  # type: ignore[no-any-return]

    try:
        store_for(0)
    except Exception:
        pass  # reported at the first query
    conn.send(("ready", None))
    never = threading.Event()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_answer(job, store_for, never))


OPEN_ATTEMPTS = 25  # about 6.5 s of retries at most


def _answer(job: dict[str, Any], store_for: Any, never: threading.Event) -> tuple[str, Any]:
    """One job: ``("ok", Answer)`` or ``("error", (class name, message))``. An I/O failure of the read-only handle
    (a table file compacted away under it) reopens the store and tries again, twice."""
    for attempt in range(3):
        try:
            store = store_for(job["generation"], reopen=attempt > 0)
        except Exception as exc:  # the store could not be opened, even after retries
            error_id = uuid.uuid4().hex[:12]
            logging.getLogger(__name__).error("SPARQL worker could not open the store (error %s): %s", error_id, exc)
            return "error", ("QueryTimeout", f"the store is busy being written; try again (error id {error_id})")
        try:
            try:
                result = store.query(job["sparql"])
            except SyntaxError as exc:
                raise BadQuery(f"malformed query: {exc}") from exc
            return "ok", _serialize(result, job["accept"], job["format"], job["max_rows"], never)
        except SparqlError as exc:
            return "error", (type(exc).__name__, exc.message)
        except (OSError, RuntimeError) as exc:
            if attempt < 2:
                continue
            return "error", ("SparqlError", _internal(exc))
        except Exception as exc:  # a bug: logged here (stderr of the server), generic to the client
            return "error", ("SparqlError", _internal(exc))
    raise AssertionError("unreachable")


def _die_with_parent() -> None:
    """Linux: SIGKILL this worker when the server dies, even by SIGKILL, so no query outlives it."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _internal(exc: BaseException) -> str:
    error_id = uuid.uuid4().hex[:12]
    logging.getLogger(__name__).error("SPARQL worker error %s", error_id, exc_info=exc)
    return f"internal server error (error id {error_id})"
