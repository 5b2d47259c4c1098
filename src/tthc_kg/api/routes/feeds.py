"""GET /feeds/changes: the changes affecting a watch, as an Atom 1.0 feed (RFC 4287), like legislation.gov.uk's
feeds of changes to legislation.

``/feeds/changes?plan=…&agency=…&province=…&since=YYYY-MM-DD`` (each target may repeat; at least one), or
``?watch=NAME`` for a saved watch (``tthc-kg watch add``). Entries are the rows of ``tthc-kg watch report``: one
per change event (document or agency), newest first, each with an ``id`` (the event's IRI), a Vietnamese
``title`` and ``summary`` (what changed, from when, which plans and tasks it touches, confidence, source),
``updated`` (the effective date, else the recording date), and a ``link`` to the document's page (the event's
IRI for an agency change). ``since`` defaults to one year before today.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...watch import (
    Change,
    Target,
    WatchError,
    WatchInputError,
    report,
    resolve_targets,
    summary_vi,
    title_vi,
    watch_targets,
)
from ..deps import StoreDep

router = APIRouter(prefix="/feeds", tags=["feeds"])

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "application/atom+xml; charset=utf-8"
ET.register_namespace("", ATOM)


def _stamp(iso: str | None) -> str:
    """An RFC 3339 date-time for an ISO date (midnight in Asia/Ho_Chi_Minh) or date-time."""
    if not iso:
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    if len(iso) == 10:
        return f"{iso}T00:00:00+07:00"
    return iso.replace("Z", "+00:00")


# Characters XML 1.0 does not allow (PDF text and machine-read names have them): a vertical tab or form feed (a
# page break in PDF text) becomes a space, any other one U+FFFD, so the feed stays well-formed and the reader
# sees that something was there.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: " " if m.group() in "\x0b\x0c" else "\ufffd", text)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    e = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        e.text = xml_text(text)
    return e


def atom_feed(changes: list[Change], feed_id: str, self_url: str, base_url: str, title: str) -> bytes:
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "vi"})
    _el(feed, "id", feed_id)
    _el(feed, "title", title)
    _el(feed, "subtitle", "Thay đổi văn bản pháp luật và cơ quan ảnh hưởng đến kế hoạch (tthc-kg)")
    stamps = [_stamp(c.effective or c.recorded) for c in changes if c.effective or c.recorded]
    _el(feed, "updated", max(stamps) if stamps else _stamp(None))
    author = _el(feed, "author")
    _el(author, "name", "tthc-kg")
    _el(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _el(feed, "generator", "tthc-kg")
    for c in sorted(changes, key=lambda c: (c.effective or c.recorded or "", c.event), reverse=True):
        entry = _el(feed, "entry")
        _el(entry, "id", c.event)
        _el(entry, "title", title_vi(c))
        _el(entry, "updated", _stamp(c.effective or c.recorded))
        if c.recorded:
            _el(entry, "published", _stamp(c.recorded))
        if c.agency or not c.subject or "/" not in c.subject:
            href = c.event
        else:
            href = f"{base_url}van-ban/{quote(c.subject, safe='/')}"
        _el(entry, "link", rel="alternate", type="text/html", href=href)
        _el(entry, "summary", summary_vi(c), type="text")
        _el(entry, "category", term=c.kind)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


@router.get(
    "/changes",
    summary="Changes affecting plans, an agency or a province, as an Atom feed",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "An Atom 1.0 feed (RFC 4287)."},
        404: {"description": "No such plan or watch in the store."},
        422: {"description": "No target given, or a bad date."},
    },
)
async def changes_feed(
    request: Request,
    store: StoreDep,
    plan: Annotated[list[str] | None, Query(description="A plan: file, file name, symbol or IRI.")] = None,
    agency: Annotated[list[str] | None, Query(description="An agency, by name.")] = None,
    province: Annotated[list[str] | None, Query(description='A province, e.g. "Hưng Yên".')] = None,
    watch: Annotated[str | None, Query(description="A saved watch (tthc-kg watch add).")] = None,
    since: Annotated[date | None, Query(description="Changes effective or recorded on or after this date.")] = None,
) -> Response:
    """Every change since `since` (default: a year ago) affecting the targets, newest first."""
    day = since or (queries.today() - timedelta(days=365))
    if watch and (plan or agency or province):
        raise HTTPException(status_code=422, detail="give a watch or plan/agency/province targets, not both")

    def compute() -> tuple[list[Target], list[Change]]:
        if watch:
            targets = watch_targets(store, watch)
        else:
            targets = resolve_targets(store, plan or [], agency or [], province or [])
        return targets, report(store, targets, day).changes

    try:
        targets, changes = await run_in_threadpool(compute)
    except WatchInputError as exc:  # no target, or a name no agency or province has (control characters)
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except WatchError as exc:  # no such plan or watch
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    what = watch or "; ".join(dict.fromkeys(t.value for t in targets))
    body = atom_feed(
        changes,
        feed_id=str(request.url),
        self_url=str(request.url),
        base_url=str(request.base_url),
        title=f"Thay đổi từ {day.strftime('%d/%m/%Y')} ảnh hưởng đến {what}",
    )
    return Response(body, media_type=MEDIA)
