"""Watchlists: a saved set of plans, agencies or provinces, and the changes since a date that affect them
(docs/cli.md "tthc-kg watch"; the same changes as an Atom feed at ``/feeds/changes``).

A watch is kept in the store, in its own named graph ``<https://w3id.org/tthc-kg/graph/watchlist>`` (re-ingesting
plans or the registry never touches it; ``tthc-kg export`` carries it with the rest): ``tthc:Watch`` nodes with
a name and targets, each a plan (resolved to the plan's IRI when added), an agency or a province.

A change *affects* a target when:

- plan: the event changes a document the plan cites (preamble, a task's basis, or a mention), or a successor of
  one (transitively: an amendment of 118/2025 matters to a plan still citing 61/2018); or it is an agency change
  that ends the plan's issuer or an agency its tasks name (succession.py);
- agency: the event changes the agency itself (it is an original or resulting organization, directly, as a
  province's instance of a generic registry agency, or through its parent), or a document cited by a plan it
  issued or by a task it leads or coordinates;
- province: an agency change involving an agency of that province, or a generic one (registry agencies without a
  province: the change holds in every province), or a document change affecting a plan issued in the province.

"Since D": the event took effect on or after D, or was recorded on or after D (``prov:generatedAtTime``, which
machine-read imports carry; the curated registry has no recording date). An event with neither date is not
listed (it is not "since" any date); the report counts such events apart (``Report.undated``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from . import iri, queries
from .agencies import expand_abbreviations
from .iri import ID, PROV, TTHC
from .succession import Succession, _key

WATCH_GRAPH = iri.GRAPH["watchlist"]
KINDS = ("plan", "agency", "province")
FIELDS = (
    "watch",
    "event",
    "kind",
    "subject",
    "by",
    "successors",
    "effective",
    "recorded",
    "scope",
    "confidence",
    "machine_read",
    "source",
    "affects",
)
MAX_NAME = 100


class WatchError(ValueError):
    pass


class WatchInputError(WatchError):
    """A target or name that cannot name anything (empty, control characters): bad input, not "not found"."""


@dataclass
class Target:
    kind: str  # plan | agency | province
    value: str  # as given (NFC)
    plan: str | None = None  # the plan's IRI for a plan target


@dataclass
class Watch:
    name: str
    targets: list[Target] = field(default_factory=list)
    created: str | None = None


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _rows(store: Any, name: str, values: dict[str, str] | None = None) -> list[dict[str, Any]]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind(values or {})))


# --- the saved watches -------------------------------------------------------------------------------------


def load_watches(store: Any) -> dict[str, Watch]:
    out: dict[str, Watch] = {}
    for r in _rows(store, "watches"):
        w = out.setdefault(r["name"], Watch(r["name"], created=r.get("created")))
        t = Target(r["kind"], r["value"], r.get("plan"))
        if all((t.kind, t.value) != (x.kind, x.value) for x in w.targets):
            w.targets.append(t)
    return out


def _save(store: Any, watches: dict[str, Watch]) -> None:
    g = Graph()
    for w in watches.values():
        node = ID[f"watch/{iri.slug(w.name)}"]
        g.add((node, RDF.type, TTHC.Watch))
        g.add((node, RDFS.label, Literal(w.name)))
        if w.created:
            g.add((node, PROV.generatedAtTime, Literal(w.created, datatype=XSD.dateTime)))
        for i, t in enumerate(w.targets, 1):
            tn = ID[f"watch/{iri.slug(w.name)}/target/{i}"]
            g.add((node, TTHC.watchTarget, tn))
            g.add((tn, TTHC.watchKind, Literal(t.kind)))
            g.add((tn, TTHC.watchValue, Literal(t.value)))
            if t.plan:
                g.add((tn, TTHC.watchPlan, URIRef(t.plan)))
    store.replace_graph(WATCH_GRAPH, g)
    store.flush()


def find_plans(store: Any, ref: str) -> list[dict[str, Any]]:
    """Plans by IRI, file (as ingested, or its name), symbol or named graph."""
    out = []
    for p in _rows(store, "plans"):
        if ref in (p["plan"], p["file"], p.get("graph"), p.get("symbol"), os.path.basename(p["file"] or "")):
            out.append(p)
    return out


_UNNAMEABLE = re.compile("[\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]")


def _target_name(kind: str, name: str) -> str:
    """An agency or province name as given, NFC with its white space collapsed; refused (WatchInputError) when
    empty or when it holds a control character (NUL, ESC, ...), a surrogate, a non-character or a bidirectional
    override (U+202A-U+202E, U+2066-U+2069): no agency or province is named so, and such characters cannot be
    shown faithfully (XML 1.0 and so an Atom feed, a terminal)."""
    name = _nfc(name)
    if not name:
        raise WatchInputError(f"the {kind} name is empty")
    bad = next((ch for ch in name if _UNNAMEABLE.match(ch) or unicodedata.category(ch) in ("Cc", "Cs")), None)
    if bad is not None:
        raise WatchInputError(f"the {kind} name {name!r} holds U+{ord(bad):04X}, a control character no name has")
    return name


def resolve_targets(store: Any, plans: list[str], agencies: list[str], provinces: list[str]) -> list[Target]:
    """Targets from the references given; a plan not in the store is an error (WatchError)."""
    targets: list[Target] = []
    for ref in plans:
        ref = _nfc(ref)
        found = find_plans(store, ref)
        if not found:
            raise WatchError(f"no plan {ref!r} in the store (give its file, file name, symbol or IRI)")
        targets.extend(Target("plan", ref, p["plan"]) for p in found)
    for name in agencies:
        targets.append(Target("agency", _target_name("agency", name)))
    for name in provinces:
        targets.append(Target("province", _target_name("province", name)))
    if not targets:
        raise WatchInputError("give at least one --plan, --agency or --province")
    return targets


def add_watch(store: Any, name: str, targets: list[Target]) -> Watch:
    name = _nfc(name)
    if not name or len(name) > MAX_NAME:
        raise WatchError(f"the watch name must have 1 to {MAX_NAME} characters")
    watches = load_watches(store)
    w = watches.setdefault(name, Watch(name, created=datetime.now(UTC).replace(microsecond=0).isoformat()))
    for t in targets:
        if all((t.kind, t.value, t.plan) != (x.kind, x.value, x.plan) for x in w.targets):
            w.targets.append(t)
    _save(store, watches)
    return w


def remove_watch(store: Any, name: str) -> None:
    watches = load_watches(store)
    if _nfc(name) not in watches:
        raise WatchError(f"no watch named {name!r} (see 'tthc-kg watch list')")
    del watches[_nfc(name)]
    _save(store, watches)


# --- the report --------------------------------------------------------------------------------------------


@dataclass
class Change:
    event: str
    kind: str
    subject: str
    by: str | None
    successors: list[str]
    effective: str | None
    recorded: str | None
    scope: str | None
    confidence: str
    machine_read: bool
    source: str | None
    subject_iri: str | None = None
    by_iri: str | None = None
    agency: bool = False
    originals: list[str] = field(default_factory=list)  # agency changes: the original organizations
    affects: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # label → task numbers

    def row(self, watch: str) -> dict[str, Any]:
        return {
            "watch": watch,
            "event": self.event,
            "kind": self.kind,
            "subject": self.subject,
            "by": self.by,
            "successors": self.successors,
            "effective": self.effective,
            "recorded": self.recorded,
            "scope": self.scope,
            "confidence": self.confidence,
            "machine_read": self.machine_read,
            "source": self.source,
            "affects": [
                {"what": what, "tasks": sorted(tasks, key=_natural)} for what, tasks in sorted(self.affects.items())
            ],
        }


def _natural(number: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in number.split("."))


class _World:
    """What the report needs from the store, read once."""

    def __init__(self, store: Any) -> None:
        self.doc_events: dict[str, Change] = {}
        doc_rows = _rows(store, "document-changes")
        for r in doc_rows:
            c = self.doc_events.get(r["event"])
            if c is None:
                c = self.doc_events[r["event"]] = Change(
                    r["event"],
                    r["kind"],
                    r.get("affectedSymbol") or r.get("affectedTitle") or r["affected"],
                    r.get("bySymbol"),
                    [],
                    r.get("effective"),
                    (r.get("recorded") or "")[:10] or None,
                    r.get("scope"),
                    r.get("confidence") or "unconfirmed",
                    bool(r.get("machineRead")),
                    r.get("source"),
                    r["affected"],
                    r.get("by"),
                )
            s = r.get("successorSymbol") or r.get("successor")
            if s and s not in c.successors:
                c.successors.append(s)
        self.agency_events: dict[str, Change] = {}
        self.event_agencies: dict[str, set[str]] = defaultdict(set)  # event → IRIs of orgs involved
        ag_rows = _rows(store, "agency-events")
        for r in ag_rows:
            c = self.agency_events.get(r["event"])
            if c is None:
                c = self.agency_events[r["event"]] = Change(
                    r["event"],
                    r["kind"],
                    "",
                    None,
                    [],
                    r.get("effective"),
                    None,
                    None,
                    r.get("confidence") or "unconfirmed",
                    False,
                    r.get("source"),
                    agency=True,
                )
            label = r.get("originalLabel") or r["original"]
            if label not in c.originals:
                c.originals.append(label)
            self.event_agencies[r["event"]].add(r["original"])
            if r.get("resulting"):
                self.event_agencies[r["event"]].add(r["resulting"])
                res = r.get("resultingLabel") or r["resulting"]
                if res not in c.successors:
                    c.successors.append(res)
            if r.get("basisSymbol") and r["basisSymbol"] not in (c.by or ""):
                c.by = f"{c.by}; {r['basisSymbol']}" if c.by else r["basisSymbol"]
        for c in self.agency_events.values():
            originals = c.originals
            ended = [o for o in originals if o not in c.successors]
            c.subject = "; ".join(ended or originals)
            if c.kind == "ended":
                c.successors = []
        tree = _rows(store, "agency-tree")
        self.succession = Succession(ag_rows, tree)
        self.successors = _successor_closure(doc_rows)  # doc IRI → successor IRIs, transitively
        self.citations = _rows(store, "plan-documents")
        self.assignments = _rows(store, "agency-assignments")
        self.province_of: dict[str, str] = {}
        for r in tree:
            if r.get("province"):
                self.province_of[r["org"]] = r["province"]


def _plan_label(r: dict[str, Any]) -> str:
    return os.path.basename(r["file"]) if r.get("file") else (r.get("planSymbol") or r["plan"])


def _since_ok(c: Change, since: date) -> bool:
    day = since.isoformat()
    return (c.effective is not None and c.effective >= day) or (c.recorded is not None and c.recorded >= day)


@dataclass
class Report:
    changes: list[Change]  # since the date, by effective (else recording) date
    undated: list[Change]  # affecting the targets, but with no known date: not "since" anything


def report(store: Any, targets: list[Target], since: date, as_of: date | None = None) -> Report:
    """Every change since ``since`` that affects one of ``targets``, by effective date."""
    world = _World(store)
    as_of = as_of or date(9999, 12, 31)  # agency changes: every recorded one, whatever its date
    hits: dict[str, Change] = {}

    def hit(c: Change, what: str, task: str | None) -> None:
        h = hits.setdefault(c.event, c)
        h.affects[what]
        if task:
            h.affects[what].add(task)

    docs_of_plan: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in world.citations:
        docs_of_plan[r["plan"]].append(r)
    events_on_doc: dict[str, list[Change]] = defaultdict(list)
    for c in world.doc_events.values():
        if c.subject_iri:
            events_on_doc[c.subject_iri].append(c)

    def plan_documents(plan: str, only_tasks: set[str] | None = None) -> None:
        for r in docs_of_plan.get(plan, []):
            task = r.get("taskNumber")
            if only_tasks is not None and task not in only_tasks and r["role"] != "basis":
                continue
            label = _plan_label(r)
            for doc in (r["doc"], *world.successors.get(r["doc"], ())):
                for c in events_on_doc.get(doc, []):
                    hit(c, label, task)

    def agency_changes(name: str, org: str | None, what: str, task: str | None) -> None:
        cess = world.succession.ceased(name, org, as_of)
        if cess is not None and cess.event in world.agency_events:
            hit(world.agency_events[cess.event], what, task)
        # a change the agency (or an organization it belongs to) took part in: absorbing, merged, its province's
        involved = {_key(name)}
        todo, seen = [(name, org)], set()
        while todo:
            n, o = todo.pop()
            if (n, o) in seen or len(seen) > 10:
                continue
            seen.add((n, o))
            for parent in world.succession._parents(n, o):
                involved.add(_key(world.succession._label(parent)))
                todo.append((world.succession._label(parent), parent))
        for ev, orgs in world.event_agencies.items():
            if org in orgs or any(_key(world.succession._label(o)) in involved for o in orgs):
                hit(world.agency_events[ev], what, task)

    for t in targets:
        if t.kind == "plan" and t.plan:
            plan_documents(t.plan)
            for r in world.assignments:
                if r["plan"] == t.plan:
                    agency_changes(r["label"], r["org"], _plan_label(r), r.get("taskNumber"))
        elif t.kind == "agency":
            key = _key(expand_abbreviations(t.value))
            agency_changes(t.value, None, t.value, None)
            tasks_of: dict[str, set[str]] = defaultdict(set)
            for r in world.assignments:
                if key in _key(r["label"]):
                    tasks_of[r["plan"]].add(r.get("taskNumber") or "")
            for plan, tasks in tasks_of.items():
                plan_documents(plan, None if "" in tasks else tasks)
        elif t.kind == "province":
            pkey = _key(t.value)
            for ev, orgs in world.event_agencies.items():
                provinces = {_key(world.province_of[o]) for o in orgs if o in world.province_of}
                generic = all(o not in world.province_of for o in orgs)
                if pkey in provinces or generic:
                    c = world.agency_events[ev]
                    hit(c, t.value if pkey in provinces else f"{t.value} (mọi tỉnh)", None)
            for r in world.assignments:
                if r["role"] == "issuer" and pkey in _key(r["label"]):
                    plan_documents(r["plan"])
    out = [c for c in hits.values() if _since_ok(c, since)]
    out.sort(key=lambda c: (c.effective or c.recorded or "", c.subject, c.event))
    undated = sorted((c for c in hits.values() if c.effective is None and c.recorded is None), key=lambda c: c.event)
    return Report(out, undated)


def _successor_closure(doc_rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Successor IRIs of replacements and expiries, transitively (document → every later successor)."""
    direct: dict[str, set[str]] = defaultdict(set)
    for r in doc_rows:
        if r["kind"] in ("replacement", "expiry") and r.get("successor"):
            direct[r["affected"]].add(r["successor"])
    out: dict[str, set[str]] = {}
    for doc in direct:
        todo, seen = list(direct[doc]), set()
        while todo:
            s = todo.pop()
            if s in seen or s == doc:
                continue
            seen.add(s)
            todo.extend(direct.get(s, ()))
        out[doc] = seen
    return out


def watch_targets(store: Any, name: str) -> list[Target]:
    watches = load_watches(store)
    if _nfc(name) not in watches:
        raise WatchError(f"no watch named {name!r} (see 'tthc-kg watch list')")
    return watches[_nfc(name)].targets


# --- Vietnamese wording (the Atom feed, the web) ----------------------------------------------------------

KIND_VI = {
    "replacement": "được thay thế bởi",
    "amendment": "được sửa đổi, bổ sung bởi",
    "repeal": "bị bãi bỏ bởi",
    "partial_repeal": "bị bãi bỏ một phần bởi",
    "expiry": "hết hiệu lực",
    "guidance": "được hướng dẫn bởi",
    "merger": "hợp nhất, sáp nhập vào",
    "ended": "chấm dứt hoạt động",
}


def date_vi(iso: str | None) -> str | None:
    if not iso:
        return None
    y, m, d = iso[:10].split("-")
    return f"{d}/{m}/{y}"


def title_vi(c: Change) -> str:
    """ "Nghị định 61/2018/NĐ-CP được thay thế bởi 118/2025/NĐ-CP (từ 01/07/2025)"."""
    if c.agency:
        what = f"{c.subject} {KIND_VI[c.kind]}"
        if c.kind == "merger" and c.successors:
            what += " " + ", ".join(c.successors)
    else:
        changer = c.by or (", ".join(c.successors) if c.kind == "expiry" and c.successors else "")
        what = f"{c.subject} {KIND_VI.get(c.kind, c.kind)}"
        if c.kind == "expiry" and changer:
            what += f" (kế thừa: {changer})"
        elif changer:
            what += f" {changer}"
    when = date_vi(c.effective)
    return f"{what} (từ {when})" if when else f"{what} (chưa rõ ngày hiệu lực)"


def summary_vi(c: Change) -> str:
    parts = [title_vi(c) + "."]
    if c.scope:
        parts.append(f"Phạm vi: {c.scope}.")
    if c.successors and not c.agency and c.kind in ("replacement", "expiry"):
        parts.append("Văn bản kế tục: " + ", ".join(c.successors) + ".")
    affected = []
    for what, tasks in sorted(c.affects.items()):
        affected.append(what + (f" (nhiệm vụ {', '.join(sorted(tasks, key=_natural))})" if tasks else ""))
    if affected:
        parts.append("Ảnh hưởng đến: " + "; ".join(affected) + ".")
    conf = "đã xác nhận" if c.confidence == "confirmed" else "chưa xác nhận"
    if c.machine_read:
        conf += ", đọc máy từ văn bản hợp nhất, chờ người kiểm tra"
    parts.append(f"Độ tin cậy: {conf}.")
    if c.source:
        parts.append(f"Nguồn: {c.source}.")
    if c.recorded:
        parts.append(f"Ghi nhận ngày {date_vi(c.recorded)}.")
    return " ".join(parts)
