"""Review of audit findings: an officer acknowledges or dismisses a finding, with a note (docs/model.md
"Reviews").

Reviews live in their own named graph, ``<https://w3id.org/tthc-kg/graph/review>``, so re-ingesting a plan or
the registry never touches them. Each decision is a ``tthc:Review`` (a ``prov:Activity``) with the finding's id,
the decision (``acknowledged`` or ``dismissed``), the note, who (``prov:wasAssociatedWith`` an agent with its
name) and when (``prov:endedAtTime``, UTC), and a snapshot of the finding as JSON. A later decision on the same
finding supersedes the earlier one, which is kept (the history).

A finding's id is the first 12 hex digits of the SHA-1 of its file, task, cited document or agency, finding
kind and dependency: stable across audits and dates (it does not include ``since``), so a decision stays
attached to the finding it was made on.

The graph is always rewritten whole from the review records (read with ``queries/reviews.rq``), in one
transaction: the same on the embedded store and on a SPARQL server.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from . import iri, queries
from .iri import ID, PROV, TTHC

REVIEW_GRAPH = iri.GRAPH["review"]
DECISIONS = ("acknowledged", "dismissed")
_ID = re.compile(r"[0-9a-f]{4,12}")
MAX_NOTE = 2000
MAX_NAME = 200


class ReviewError(ValueError):
    pass


def finding_id(finding: Any) -> str:
    """The stable id of an audit finding (a ``Finding`` or its dict)."""
    f = finding if isinstance(finding, dict) else finding.as_dict()
    parts = [f["file"], f.get("task") or "", f["cited"], f["finding"], f["dependency"]]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Review:
    node: str
    finding_id: str
    decision: str
    note: str
    by: str
    at: str  # ISO date-time, UTC
    finding: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.finding_id,
            "decision": self.decision,
            "note": self.note,
            "by": self.by,
            "at": self.at,
            "finding": self.finding,
        }


def load_reviews(store: Any) -> list[Review]:
    """Every review decision in the store, oldest first."""
    q = queries.load("reviews")
    out = []
    order: dict[str, int] = {}
    for r in store.select(q.text, q.bind({})):
        order[r["review"]] = r.get("sequence") or 0
        snapshot = None
        if r.get("snapshot"):
            try:
                snapshot = json.loads(r["snapshot"])
            except ValueError:
                snapshot = None
        out.append(Review(r["review"], r["findingId"], r["decision"], r.get("note") or "", r["by"], r["at"], snapshot))
    out.sort(key=lambda v: (v.at, order.get(v.node, 0), v.node))  # two in the same second: in the order recorded
    return out


def latest(reviews: list[Review]) -> dict[str, Review]:
    """The decision that counts for each finding: the latest."""
    out: dict[str, Review] = {}
    for r in reviews:
        out[r.finding_id] = r
    return out


def _clean(text: str, what: str, limit: int, required: bool) -> str:
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    if required and not text:
        raise ReviewError(f"{what} is empty")
    if len(text) > limit:
        raise ReviewError(f"{what} is longer than {limit} characters")
    return text


def _agent(name: str) -> URIRef:
    return ID[f"agent/{iri.slug(name)}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"]


def _graph(reviews: list[Review]) -> Graph:
    g = Graph()
    for n, r in enumerate(reviews, 1):  # in the order recorded (load_reviews' order, then the new one)
        node = URIRef(r.node)
        g.add((node, TTHC.reviewSequence, Literal(n)))
        agent = _agent(r.by)
        g.add((node, RDF.type, TTHC.Review))
        g.add((node, RDF.type, PROV.Activity))
        g.add((node, TTHC.findingId, Literal(r.finding_id)))
        g.add((node, TTHC.reviewDecision, Literal(r.decision)))
        if r.note:
            g.add((node, SKOS.note, Literal(r.note, lang="vi")))
        g.add((node, PROV.wasAssociatedWith, agent))
        g.add((agent, RDF.type, PROV.Agent))
        g.add((agent, RDFS.label, Literal(r.by)))
        g.add((node, PROV.endedAtTime, Literal(r.at, datatype=XSD.dateTime)))
        if r.finding is not None:
            g.add((node, TTHC.findingSnapshot, Literal(json.dumps(r.finding, ensure_ascii=False, sort_keys=True))))
    return g


def resolve_id(prefix: str, findings: list[Any]) -> Any:
    """The one current finding whose id starts with ``prefix`` (at least 4 hex digits)."""
    prefix = prefix.strip().lower()
    if not _ID.fullmatch(prefix):
        raise ReviewError(f"{prefix!r} is not a finding id (4 to 12 hex digits, as 'tthc-kg review list' shows)")
    matches = [f for f in findings if finding_id(f).startswith(prefix)]
    if not matches:
        raise ReviewError(f"no current finding has the id {prefix!r} (see 'tthc-kg review list')")
    if len({finding_id(f) for f in matches}) > 1:
        raise ReviewError(f"the id {prefix!r} is ambiguous: give more digits")
    return matches[0]


def record(store: Any, finding: Any, decision: str, note: str, by: str, at: datetime | None = None) -> Review:
    """Add a decision on ``finding`` (rewrites the review graph in one transaction) and return it."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}")
    note = _clean(note, "the note", MAX_NOTE, required=decision == "dismissed")
    by = _clean(by, "the reviewer's name", MAX_NAME, required=True)
    when = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    fid = finding_id(finding)
    existing = load_reviews(store)
    n = 1 + sum(1 for r in existing if r.finding_id == fid)
    snapshot = finding if isinstance(finding, dict) else finding.as_dict()
    review = Review(
        str(ID[f"review/{fid}/{n}"]),
        fid,
        decision,
        note,
        by,
        when.isoformat().replace("+00:00", "Z"),
        snapshot,
    )
    store.replace_graph(REVIEW_GRAPH, _graph([*existing, review]))
    store.flush()
    return review


def _decision(current: dict[str, Review], finding: dict[str, Any]) -> Review | None:
    """The decision on a finding; a preamble finding expanded per task (``--expand``) shares its plan's."""
    r = current.get(finding_id(finding))
    if r is None and finding.get("dependency") == "basis" and finding.get("task"):
        r = current.get(finding_id(dict(finding, task=None)))
    return r


def annotate(findings: list[Any], reviews: list[Review]) -> list[dict[str, Any]]:
    """Each finding as its dict plus ``id`` and ``review`` (the decision that counts, or null)."""
    current = latest(reviews)
    out = []
    for f in findings:
        d = dict(f if isinstance(f, dict) else f.as_dict())
        r = _decision(current, d)
        d["id"] = finding_id(d)
        d["review"] = None if r is None else {"decision": r.decision, "by": r.by, "at": r.at, "note": r.note}
        out.append(d)
    return out


def hide_reviewed(findings: list[Any], reviews: list[Review]) -> list[Any]:
    """The findings without those an officer has decided on (latest decision acknowledged or dismissed): what
    ``tthc-kg audit --hide-acknowledged`` leaves, the findings that still need someone's attention."""
    current = latest(reviews)
    return [f for f in findings if _decision(current, f if isinstance(f, dict) else f.as_dict()) is None]
