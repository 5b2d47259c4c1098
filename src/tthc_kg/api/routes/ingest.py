"""POST /api/ingest: plan files in, one named graph each — ingest through the server that holds the store.

The embedded store admits one writing process, and a running server is that process: with the server up,
``tthc-kg ingest`` cannot open the store, so files go through this route. It needs the write token
(``Authorization: Bearer <token>``, setting ``TTHC_KG_WRITE_TOKEN``; without it configured the route answers 403).

    curl -H "Authorization: Bearer $TOKEN" -F files=@ke-hoach.txt http://127.0.0.1:8000/api/ingest

- Each upload is checked by name (a plain file name, a supported suffix) and decoded as ``tthc-kg ingest`` does;
  a file that cannot be read is reported and leaves the store as it was, the others still ingest.
- A readable upload is kept at ``<store>/uploads/<name>`` (the plan page re-reads a plan's source file), then
  ingested with the CLI's ``ingest_files``: one transaction per file; uploading the same name again replaces that
  plan's graph. The search index's lexical part is brought up to date afterwards.
- Writes are serialised by the app's write lock (one at a time; readers are never blocked: Oxigraph reads a
  snapshot). 200 when at least one file was ingested (failures listed), 422 when none was.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ...ingest import PLAN_SUFFIXES, ingest_files
from ...read import ReadError, read_text
from ..deps import RegistryDep, StoreDep
from ..security import WriteToken

router = APIRouter(prefix="/api/ingest", tags=["ingest"])
log = logging.getLogger(__name__)

MAX_FILES = 100
_NAME = re.compile(r"[\w][\w .()+,-]{0,199}", re.UNICODE)


class IngestFailure(BaseModel):
    file: str
    error: str


class IngestOut(BaseModel):
    ingested: list[str] = Field(description="The files ingested, by name (as kept under the store's uploads/).")
    failed: list[IngestFailure] = Field(description="The files refused, each with the reason; the store is untouched.")
    citations: int
    tasks: int
    triples: int = Field(description="Triples written for the ingested files.")
    store_triples: int = Field(description="Triples in the store after the ingest.")


def safe_name(raw: str | None) -> str:
    """The upload's file name, reduced to a plain name (no folders), NFC; ValueError when it is not one."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip())
    if not name or not _NAME.fullmatch(name) or name.startswith(".") or ".." in name:
        raise ValueError(f"not an acceptable file name: {raw!r} (letters, digits, spaces and . _ - ( ) + , only)")
    if Path(name).suffix.lower() not in PLAN_SUFFIXES:
        raise ValueError(f"unsupported file type {Path(name).suffix!r} (supported: {' '.join(sorted(PLAN_SUFFIXES))})")
    return name


def uploads_dir(store: object) -> Path:
    path = getattr(store, "path", None)
    if path is None:
        return Path(tempfile.gettempdir()) / "tthc-kg-uploads"
    return Path(path) / "uploads"


@router.post(
    "",
    response_model=IngestOut,
    summary="Ingest plan files (needs the write token)",
    responses={
        401: {"description": "No write token in the request."},
        403: {"description": "Writes are disabled on this server (no token configured), or the token is wrong."},
        413: {"description": "The request body is larger than the server's limit."},
        422: {"description": "No file could be ingested (each reason listed)."},
    },
)
async def post_ingest(
    request: Request,
    _token: WriteToken,
    store: StoreDep,
    registry: RegistryDep,
    files: Annotated[list[UploadFile], File(description="Plan files (.txt, .md, .html), UTF-8 or UTF-16.")],
) -> JSONResponse:
    if not files:
        raise HTTPException(422, "no files: send them as multipart form fields named 'files'")
    if len(files) > MAX_FILES:
        raise HTTPException(422, f"at most {MAX_FILES} files per request (got {len(files)})")
    uploads: list[tuple[str, bytes]] = []
    failed: list[IngestFailure] = []
    for upload in files:
        data = await upload.read()
        try:
            name = safe_name(upload.filename)
        except ValueError as exc:
            failed.append(IngestFailure(file=str(upload.filename), error=str(exc)))
            continue
        uploads.append((name, data))
    out = await run_in_threadpool(_ingest, request, store, registry, uploads, failed)
    status = 200 if out.ingested else 422
    return JSONResponse(out.model_dump(), status_code=status)


def _ingest(
    request: Request, store: object, registry: object, uploads: list[tuple[str, bytes]], failed: list[IngestFailure]
) -> IngestOut:
    """Under the write lock: decode each upload (refused ones never reach the disk), keep it, ingest, index."""
    directory = uploads_dir(store)
    paths: list[str] = []
    with request.app.state.write_lock:
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in uploads:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=Path(name).suffix)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            try:
                read_text(tmp)  # the CLI's reader: encodings, binary, size; a refused file never replaces a kept one
            except ReadError as exc:
                os.unlink(tmp)
                failed.append(IngestFailure(file=name, error=str(exc)))
                continue
            target = directory / name
            os.replace(tmp, target)
            paths.append(str(target))
        totals = {"citations": 0, "tasks": 0, "triples": 0}
        ok_paths: list[str] = []
        if paths:
            _ok, errors, totals = ingest_files(store, registry, paths, progress=False)
            bad = {line.split(": ", 1)[0] for line in errors}
            for line in errors:
                path, _, reason = line.partition(": ")
                failed.append(IngestFailure(file=os.path.basename(path), error=reason))
            ok_paths = [p for p in paths if p not in bad]
            _update_index(store)
        count = store.triple_count()  # type: ignore[attr-defined]
    log.info("ingest over HTTP: %d ingested, %d failed", len(ok_paths), len(failed))
    return IngestOut(
        ingested=[os.path.basename(p) for p in ok_paths],
        failed=failed,
        citations=totals["citations"],
        tasks=totals["tasks"],
        triples=totals["triples"],
        store_triples=count,
    )


def _update_index(store: object) -> None:
    from ...search.index import update

    try:
        update(store)
    except Exception:  # the graphs are committed; the index catches up at the next search (it syncs on the store)
        log.exception("search index not updated after an HTTP ingest")
