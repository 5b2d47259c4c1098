"""Agency succession: which agencies no longer exist at a date, and who succeeds them (docs/model.md "Agencies").

The facts are the registry's organizational change events (``data/registry/agency_events.csv``, compiled to W3C
ORG ``org:ChangeEvent`` nodes; legal-registry.md section C): a *merger* ends every original organization that is
not also a resulting one (an absorbed ministry, a merged province), whose successor is the resulting
organization; an *ended* event (the district level, 2025-07-01) ends its organizations with no successor.

How a name in a plan meets those facts (all of it general, nothing about particular agencies):

- exactly, by IRI or by any of the registry's names (abbreviations expanded: "Sở TT&TT" is "Sở Thông tin và
  Truyền thông");
- a registry agency without a province stands for that agency in every province (the registry's "generic" rows):
  "Sở Thông tin và Truyền thông tỉnh Sơn La" is the generic Sở TT&TT qualified by " tỉnh Sơn La", and its successor
  is the resulting generic agency with the same qualifier, "Sở Khoa học và Công nghệ tỉnh Sơn La"; "Ủy ban nhân
  dân huyện Văn Lâm" is "UBND huyện" (the district level) qualified by " Văn Lâm";
- an agency whose parent no longer exists (org:subOrganizationOf, from the registry or from the plan; a
  provincial agency with no known parent belongs to the province's Ủy ban nhân dân) ended with it. Its successor
  is *derived*, so marked ``unconfirmed``: the parent's name in its own is replaced by the parent's successor's
  ("Văn phòng Sở Thông tin và Truyền thông tỉnh Hưng Yên" → "Văn phòng Sở Khoa học và Công nghệ tỉnh Hưng Yên"),
  else the province by the successor's province ("Sở Khoa học và Công nghệ tỉnh Bắc Kạn" → "… tỉnh Thái
  Nguyên"), else the parent's successor itself is named.

Successors are followed transitively (the Sở TT&TT of Thái Bình → its Sở KH&CN from 2025-03-01 → the Sở KH&CN of
Hưng Yên from 2025-07-01), only through events in effect at the date asked; an event with no known date counts as
in effect, as for documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import queries
from .agencies import expand_abbreviations

FINDING = "agency_dissolved"
ROLES = ("lead", "coordinator", "issuer")

_PLACE = re.compile(r"\s+(?:tỉnh|thành phố|huyện|quận|thị xã)\s+\S")
_PROVINCE_TAIL = re.compile(r"\s(tỉnh|thành phố)\s+(?P<province>\S.*)$")


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@dataclass(frozen=True)
class Cessation:
    """An agency that no longer exists at a date: since when, by which event, and who succeeds it."""

    agency: str
    since: str | None  # ISO date the agency ceased (null when the registry does not know)
    kind: str  # "merger" | "ended" (of the event that ended it or its ancestor)
    event: str  # IRI of that event
    successors: tuple[str, ...]  # names, transitively, nearest first
    confidence: str  # "confirmed" only when every step is a confirmed registry fact
    inherited_from: str | None = None  # the ancestor whose end it shares, when not ended itself

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "since": self.since,
            "kind": self.kind,
            "event": self.event,
            "successors": list(self.successors),
            "confidence": self.confidence,
            "inherited_from": self.inherited_from,
        }


@dataclass
class _Event:
    iri: str
    kind: str
    effective: str | None
    confidence: str
    originals: set[str] = field(default_factory=set)  # IRIs
    resulting: list[str] = field(default_factory=list)  # IRIs in order


@dataclass
class _Agency:
    iri: str
    label: str | None = None
    names: set[str] = field(default_factory=set)  # keys
    province: str | None = None
    parents: list[str] = field(default_factory=list)


class Succession:
    """The registry's agency changes, as loaded from a store, answering "does this agency still exist at D?"."""

    def __init__(self, event_rows: list[dict[str, Any]], tree_rows: list[dict[str, Any]]) -> None:
        self.agencies: dict[str, _Agency] = {}
        for row in tree_rows:
            a = self.agencies.setdefault(row["org"], _Agency(row["org"]))
            if row.get("label") and a.label is None:
                a.label = row["label"]
            for n in (row.get("label"), row.get("altLabel")):
                if n:
                    a.names.add(_key(n))
                    a.names.add(_key(expand_abbreviations(n)))
            if row.get("province"):
                a.province = row["province"]
            if row.get("parent") and row["parent"] not in a.parents:
                a.parents.append(row["parent"])
        self.events: dict[str, _Event] = {}
        for row in event_rows:
            e = self.events.setdefault(
                row["event"],
                _Event(row["event"], row["kind"], row.get("effective"), row.get("confidence") or "unconfirmed"),
            )
            e.originals.add(row["original"])
            for o, label in ((row["original"], row.get("originalLabel")), (row.get("resulting"), None)):
                if o and o not in self.agencies:
                    self.agencies[o] = _Agency(o, label, {_key(label)} if label else set())
            if row.get("resulting") and row["resulting"] not in e.resulting:
                e.resulting.append(row["resulting"])
        # name key → registry agency IRIs; generic agencies (no province) also match as a prefix
        self._by_name: dict[str, str] = {}
        for a in self.agencies.values():
            for n in a.names:
                self._by_name.setdefault(n, a.iri)
        self._ended_by: dict[str, list[_Event]] = defaultdict(list)  # agency IRI → events that end it
        for e in self.events.values():
            for o in e.originals:
                if o not in e.resulting:
                    self._ended_by[o].append(e)
        self._ended_names = sorted(
            ((n, a) for a, evs in self._ended_by.items() for n in self.agencies[a].names),
            key=lambda p: -len(p[0]),
        )
        self._ubnd_of_province = {
            _key(a.province): a.iri
            for a in self.agencies.values()
            if a.province and a.label and _key(a.label).startswith(_key("Ủy ban nhân dân"))
        }

    @classmethod
    def from_store(cls, store: Any) -> Succession:
        def run(name: str) -> list[dict[str, Any]]:
            q = queries.load(name)
            return list(store.select(q.text, q.bind({})))

        return cls(run("agency-events"), run("agency-tree"))

    # --- look-ups ----------------------------------------------------------------------------------------
    def _label(self, agency_iri: str) -> str:
        a = self.agencies.get(agency_iri)
        return a.label if a is not None and a.label else agency_iri

    def _ending(self, agency_iri: str, as_of: date) -> _Event | None:
        day = as_of.isoformat()
        live = [e for e in self._ended_by.get(agency_iri, []) if e.effective is None or e.effective <= day]
        return min(live, key=lambda e: e.effective or "", default=None)

    def _match(self, name: str, agency_iri: str | None, as_of: date) -> tuple[str, str, _Event] | None:
        """(registry agency IRI, qualifier, ending event) when this name is an agency that ended by ``as_of``."""
        candidates: list[tuple[str, str]] = []
        if agency_iri and agency_iri in self._ended_by:
            candidates.append((agency_iri, ""))
        k = _key(name)
        if k in self._by_name and self._by_name[k] in self._ended_by:
            candidates.append((self._by_name[k], ""))
        for n, a in self._ended_names:  # longest name first: the most specific generic agency
            if self.agencies[a].province is None and k.startswith(n) and k[len(n) : len(n) + 1] in (" ", ","):
                candidates.append((a, name.strip()[len(n) :]))
                break
        for a, qualifier in candidates:
            e = self._ending(a, as_of)
            if e is not None:
                return a, qualifier, e
        return None

    def _successor_name(self, resulting_iri: str, qualifier: str) -> str:
        label = self._label(resulting_iri)
        res = self.agencies.get(resulting_iri)
        # a generic agency's place carries over to the generic successor: " tỉnh Sơn La"; other words do not
        if _PLACE.match(qualifier) and res is not None and res.province is None:
            return label + qualifier
        return label

    def _parents(self, name: str, agency_iri: str | None) -> list[str]:
        own = agency_iri if agency_iri in self.agencies else self._by_name.get(_key(name))
        a = self.agencies.get(own or "")
        if a is not None and a.parents:
            return a.parents
        # a unit named after an agency that ended ("Văn phòng Sở Thông tin và Truyền thông tỉnh Hưng Yên")
        k = _key(name)
        for n, ended in self._ended_names:
            if k.endswith(" " + n) and ended != own:
                return [ended]
        # a provincial agency with no known parent belongs to the province's Ủy ban nhân dân
        m = _PROVINCE_TAIL.search(name)
        ubnd = self._ubnd_of_province.get(_key(m.group("province"))) if m else None
        return [ubnd] if ubnd and ubnd != own else []

    def ceased(self, name: str, agency_iri: str | None, as_of: date) -> Cessation | None:
        """The cessation of the agency ``name`` (IRI ``agency_iri`` when known) at ``as_of``, or None."""
        return self._ceased(name, agency_iri, as_of, frozenset())

    def _ceased(self, name: str, agency_iri: str | None, as_of: date, seen: frozenset[str]) -> Cessation | None:
        token = agency_iri or _key(name)
        if token in seen or len(seen) > 12:
            return None
        seen = seen | {token}
        match = self._match(name, agency_iri, as_of)
        if match is not None:
            _a, qualifier, e = match
            first = tuple(self._successor_name(r, qualifier) for r in e.resulting)
            successors, confirmed = self._follow(first, as_of, seen)
            return Cessation(
                name,
                e.effective,
                e.kind,
                e.iri,
                successors,
                "confirmed" if confirmed and e.confidence == "confirmed" else "unconfirmed",
            )
        for parent in self._parents(name, agency_iri):
            pc = self._ceased(self._label(parent), parent, as_of, seen)
            if pc is None:
                continue
            parent_label = self._label(parent)
            derived = tuple(self._derive(name, parent, parent_label, s) for s in pc.successors[:1])
            successors, _ = self._follow(derived, as_of, seen)
            return Cessation(
                name,
                pc.since,
                pc.kind,
                pc.event,
                successors,
                "unconfirmed",
                inherited_from=pc.inherited_from or parent_label,
            )
        return None

    def _derive(self, name: str, parent_iri: str, parent_label: str, parent_successor: str) -> str:
        """The successor of a sub-organization whose parent ended (a derivation, never a registry fact)."""
        if _key(parent_label) in _key(name) and _key(parent_label) != _key(name):
            i = _key(name).index(_key(parent_label))
            return name[:i] + parent_successor + name[i + len(parent_label) :]
        old = _PROVINCE_TAIL.search(name)
        new = _PROVINCE_TAIL.search(parent_successor)
        parent = self.agencies.get(parent_iri)
        old_province = parent.province if parent is not None else None
        if old and new and old_province and _key(old.group("province")) == _key(old_province):
            return name[: old.start("province")] + new.group("province")
        return parent_successor

    def _follow(self, names: tuple[str, ...], as_of: date, seen: frozenset[str]) -> tuple[tuple[str, ...], bool]:
        """Successors transitively: each successor that itself ended is followed by its own successors."""
        out: list[str] = []
        confirmed = True
        for n in names:
            out.append(n)
            c = self._ceased(n, self._by_name.get(_key(n)), as_of, seen)
            if c is not None:
                confirmed = confirmed and c.confidence == "confirmed"
                out.extend(s for s in c.successors if s not in out)
        return tuple(dict.fromkeys(out)), confirmed


def agency_findings(store: Any, as_of: date, files: set[str] | None = None) -> list[Any]:
    """Audit findings ``agency_dissolved``: tasks led or coordinated by, and plans issued by, an agency that no
    longer exists at ``as_of`` (docs/cli.md). One finding per plan, task, role and agency."""
    from .audit import Finding

    succession = Succession.from_store(store)
    if not succession._ended_by:
        return []
    q = queries.load("agency-assignments")
    out: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    cache: dict[tuple[str, str], Cessation | None] = {}
    for row in store.select(q.text, q.bind({})):
        if files is not None and row["file"] not in files:
            continue
        name = row["label"]
        agency_iri = row["org"]
        ck = (name, agency_iri)
        if ck not in cache:
            cache[ck] = succession.ceased(name, agency_iri, as_of)
        c = cache[ck]
        if c is None:
            continue
        task = row.get("taskNumber") if row["role"] != "issuer" else None
        key = (row["plan"], task, name, row["role"])
        if key in seen:
            continue
        seen.add(key)
        out.append(agency_finding(row, task, name, c))
    return out


def agency_finding(row: dict[str, Any], task: str | None, name: str, c: Any) -> Any:
    """The audit finding for a plan or task naming an agency that ceased (``c``: its :class:`Cessation`)."""
    from .audit import Finding

    return Finding(
        plan=row.get("planSymbol") or row.get("planTitle") or row["plan"],
        file=row["file"],
        task=task,
        cited=name,
        finding=FINDING,
        since=c.since,
        successors=list(c.successors),
        dependency=row["role"],
        confidence=c.confidence,
    )
