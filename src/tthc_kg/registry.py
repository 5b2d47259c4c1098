"""The curated registry of documents, their changes and the agencies (``data/registry/*.csv``).

Legal officers edit the CSV files (docs/model.md, "Registry files"); this module reads them, checks them
(``validate_registry`` reports every problem with its file and line), answers look-ups for the citation resolver,
and compiles them to RDF (``compile_registry``) with the vocabulary of docs/model.md.

The facts themselves and how each relation of legal-registry.md maps to an event kind are in the CSV files;
nothing about particular documents is written here.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import URIRef

from . import iri
from .iri import TTHC
from .symbols import Symbol, parse_symbol, type_word

# --- the file formats (docs/model.md "Registry files") -------------------------------------------------------

DOCUMENTS = "documents.csv"
EVENTS = "events.csv"
AGENCIES = "agencies.csv"
AGENCY_EVENTS = "agency_events.csv"
META = "meta.csv"

COLUMNS: dict[str, tuple[str, ...]] = {
    DOCUMENTS: (
        "symbol",
        "type",
        "title",
        "issuer",
        "issued",
        "effective",
        "normative",
        "status_note",
        "source",
        "confidence",
        "note",
    ),
    EVENTS: ("kind", "affected", "by", "successors", "effective", "scope", "source", "confidence", "note"),
    AGENCIES: ("name", "alt_names", "parent", "kind", "province", "note"),
    AGENCY_EVENTS: ("kind", "original", "resulting", "effective", "legal_basis", "source", "confidence", "note"),
    META: ("key", "value"),
}

CONFIDENCE = ("confirmed", "unconfirmed")

# event kind → ontology class
EVENT_CLASSES: dict[str, URIRef] = {
    "replacement": TTHC.Replacement,
    "amendment": TTHC.Amendment,
    "repeal": TTHC.Repeal,
    "partial_repeal": TTHC.PartialRepeal,
    "expiry": TTHC.Expiry,
    "guidance": TTHC.Guidance,
}
# the kinds after which a document is no longer in force (docs/model.md "Status at a date D")
ENDING_KINDS = ("replacement", "repeal", "expiry")
# kinds that need the changing document in `by`; an expiry has none (the document lapsed)
_NEEDS_BY = ("replacement", "amendment", "repeal", "partial_repeal", "guidance")
# kinds that may list successors (a replacement's `by` is always one)
_MAY_HAVE_SUCCESSORS = ("replacement", "expiry")

AGENCY_KINDS = (
    "legislature",
    "government",
    "head",
    "ministry",
    "department",
    "people_committee",
    "people_council",
    "unit",
)
AGENCY_EVENT_KINDS = ("merger", "ended")

META_KEYS = ("evidence_date", "evidence_note")
META_PREFIXES = ("abbrev:",)  # "abbrev:REPO118" explains an abbreviation used in the source columns

# ontology classes of document types (docs/model.md "Documents"); other type words map to tthc:OtherDocument
_DOC_CLASSES = frozenset(
    {
        "Luat",
        "BoLuat",
        "NghiDinh",
        "ThongTu",
        "ThongTuLienTich",
        "NghiQuyet",
        "QuyetDinh",
        "ChiThi",
        "KeHoach",
        "CongVan",
        "ThongBao",
        "CongDien",
        "PhapLenh",
        "HienPhap",
        "VanBanHopNhat",
    }
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EVIDENCE_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")

ENV_DIRECTORY = "TTHC_KG_REGISTRY"


def default_directory() -> Path:
    """``$TTHC_KG_REGISTRY`` if set, else the repository's ``data/registry``."""
    env = os.environ.get(ENV_DIRECTORY)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data" / "registry"


# --- values -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryError:
    file: str  # path of the CSV file
    line: int  # 1-based physical line (header = 1); 0 for a problem with the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class RegistryInvalid(ValueError):
    def __init__(self, errors: list[RegistryError]) -> None:
        self.errors = errors
        head = "; ".join(str(e) for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"invalid registry: {head}{more}")


@dataclass(frozen=True)
class RegistryDocument:
    symbol: Symbol
    type: str  # canonical type word, "Nghị định"
    title: str | None
    issuer: str | None
    issued: date | None
    effective: date | None
    normative: bool
    status_note: str | None
    source: str | None
    confidence: str
    note: str | None
    iri: URIRef
    line: int = 0

    @property
    def year(self) -> int | None:
        """The year of the symbol, else of the issue date (a yearless symbol is dated by its issue)."""
        if self.symbol.year is not None:
            return self.symbol.year
        return self.issued.year if self.issued else None


@dataclass(frozen=True)
class RegistryEvent:
    kind: str
    affected: Symbol
    by: Symbol | None
    successors: tuple[Symbol, ...]
    effective: date | None
    scope: str | None
    source: str | None
    confidence: str
    note: str | None
    line: int
    affected_iri: URIRef | None = None
    by_iri: URIRef | None = None
    successor_iris: tuple[URIRef, ...] = ()
    iri: URIRef | None = None


@dataclass(frozen=True)
class RegistryAgency:
    name: str
    alt_names: tuple[str, ...]
    parent: str | None
    kind: str
    province: str | None
    note: str | None
    iri: URIRef
    line: int = 0


@dataclass(frozen=True)
class RegistryAgencyEvent:
    kind: str  # "merger" | "ended"
    original: tuple[str, ...]
    resulting: tuple[str, ...]
    effective: date | None
    legal_basis: tuple[Symbol, ...]
    source: str | None
    confidence: str
    note: str | None
    line: int
    iri: URIRef | None = None
    legal_basis_iris: tuple[URIRef, ...] = ()


@dataclass
class Registry:
    documents: tuple[RegistryDocument, ...]
    events: tuple[RegistryEvent, ...]
    agencies: tuple[RegistryAgency, ...]
    agency_events: tuple[RegistryAgencyEvent, ...]
    meta: dict[str, str]
    directory: Path | None = None
    _by_iri: dict[URIRef, RegistryDocument] = field(default_factory=dict, repr=False)
    _agency_names: dict[str, RegistryAgency] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_iri = {d.iri: d for d in self.documents}
        for a in self.agencies:
            for n in (a.name, *a.alt_names):
                self._agency_names.setdefault(_name_key(n), a)

    @property
    def evidence_date(self) -> str:
        """When the facts were last checked, as precise as known ("2026-06")."""
        return self.meta.get("evidence_date", "")

    @property
    def evidence_note(self) -> str:
        return self.meta.get("evidence_note", "")

    # --- look-ups ---------------------------------------------------------------------------------------------
    def lookup(self, symbol: Symbol, year: int | None = None) -> list[RegistryDocument]:
        """Documents a cited symbol may be.

        A symbol with a year matches exactly. A yearless symbol ("76/NQ-CP", "02/TT-VPCP") matches every document
        whose symbol without its year is the same, narrowed to ``year`` (of the symbol, else of the issue date)
        when it is given.
        """
        if symbol.year is not None:
            return [d for d in self.documents if d.symbol == symbol]
        return [d for d in self.documents if d.symbol.with_year(None) == symbol and (year is None or d.year == year)]

    def lookup_number(self, number: str, type_label: str) -> list[RegistryDocument]:
        """Documents with this number and type word, for truncated references ("Nghị quyết số 131").

        The caller accepts the answer only when it is exactly one document.
        """
        word = type_word(type_label)
        if word is None:
            return []
        return [d for d in self.documents if d.symbol.number == number and d.type == word.word]

    def document(self, uri: URIRef | str) -> RegistryDocument | None:
        return self._by_iri.get(URIRef(str(uri)))

    def events_affecting(self, doc: RegistryDocument) -> list[RegistryEvent]:
        return [e for e in self.events if e.affected_iri == doc.iri]

    def events_by(self, doc: RegistryDocument) -> list[RegistryEvent]:
        return [e for e in self.events if e.by_iri == doc.iri]

    def agency(self, name: str) -> RegistryAgency | None:
        """An agency by its name or one of its alternative names (case and spacing ignored)."""
        return self._agency_names.get(_name_key(name))


# --- reading CSV with line numbers --------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _name_key(name: str) -> str:
    return " ".join(_nfc(name).casefold().split())


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


@dataclass
class _Row:
    line: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


class _Reader:
    """Reads one registry file into rows with their starting physical line; collects format errors."""

    def __init__(self, directory: Path, name: str, errors: list[RegistryError]) -> None:
        self.path = directory / name
        self.file = str(self.path)
        self.name = name
        self.errors = errors

    def error(self, line: int, message: str) -> None:
        self.errors.append(RegistryError(self.file, line, message))

    def rows(self) -> list[_Row]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.error(0, "file is missing")
            return []
        except OSError as exc:
            self.error(0, f"cannot read: {exc.strerror or exc}")
            return []
        try:
            text = raw.decode("utf-8-sig")  # Excel writes a BOM; accept it
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.error(line, 'not UTF-8 (save the file as "CSV UTF-8")')
            return []
        reader = csv.reader(io.StringIO(_nfc(text), newline=""))
        expected = COLUMNS[self.name]
        try:
            header = next(reader)
        except StopIteration:
            self.error(1, "file is empty: expected the header " + ",".join(expected))
            return []
        except csv.Error as exc:
            self.error(1, f"bad CSV: {exc}")
            return []
        header = [h.strip() for h in header]
        unknown = [h for h in header if h not in expected]
        missing = [c for c in expected if c not in header]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if unknown:
            self.error(1, "unknown column(s): " + ", ".join(unknown) + " (expected " + ",".join(expected) + ")")
        if missing:
            self.error(1, "missing column(s): " + ", ".join(missing))
        if dupes:
            self.error(1, "repeated column(s): " + ", ".join(dupes))
        if unknown or missing or dupes:
            return []
        out: list[_Row] = []
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.error(start, f"bad CSV: {exc}")
                return out
            previous_end = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank line
            if len(cells) != len(header):
                self.error(start, f"expected {len(header)} cells, found {len(cells)}")
                continue
            out.append(_Row(start, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
        return out


def _date(reader: _Reader, row: _Row, column: str) -> tuple[date | None, bool]:
    """(date, ok): an empty cell is an unknown date; anything else must be ISO YYYY-MM-DD."""
    text = row.get(column)
    if not text:
        return None, True
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text), True
        except ValueError:
            pass
    reader.error(row.line, f"{column}: bad date {text!r} (write YYYY-MM-DD, or leave empty when unknown)")
    return None, False


def _confidence(reader: _Reader, row: _Row) -> str:
    value = row.get("confidence")
    if value not in CONFIDENCE:
        reader.error(row.line, f"confidence: {value!r} is not one of {', '.join(CONFIDENCE)}")
    return value


_LEGISLATURE_CODE = re.compile(r"(?:UBTVQH|QH)\d*")


def _symbol(reader: _Reader, row: _Row, column: str, text: str) -> Symbol | None:
    sym = parse_symbol(text)
    if sym is None:
        reader.error(row.line, f"{column}: cannot parse the symbol {text!r}")
        return None
    # the code must name a type ("NĐ-CP", "QĐ-TTg") or the legislature ("QH15"): "14/02/2008" is a date
    if sym.type_word is None and not _LEGISLATURE_CODE.fullmatch(sym.type_prefix):
        reader.error(row.line, f"{column}: {text!r} has no known type code (NĐ, TT, QĐ, NQ, QH…)")
        return None
    return sym


# --- building and checking --------------------------------------------------------------------------------


def _read(directory: Path) -> tuple[Registry, list[RegistryError]]:
    errors: list[RegistryError] = []

    # meta.csv
    r_meta = _Reader(directory, META, errors)
    meta: dict[str, str] = {}
    for row in r_meta.rows():
        key, value = row.get("key"), row.get("value")
        if not key:
            r_meta.error(row.line, "key is empty")
        elif key in meta:
            r_meta.error(row.line, f"key {key!r} is repeated")
        elif key not in META_KEYS and not key.startswith(META_PREFIXES):
            r_meta.error(row.line, f"unknown key {key!r} (known: {', '.join(META_KEYS)}, abbrev:NAME)")
        else:
            meta[key] = value
        if key == "evidence_date" and not _EVIDENCE_DATE.fullmatch(value):
            r_meta.error(row.line, f"evidence_date: {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if r_meta.path.exists() and "evidence_date" not in meta and not any(e.file == r_meta.file for e in errors):
        r_meta.error(0, "evidence_date is missing")

    # agencies.csv
    r_ag = _Reader(directory, AGENCIES, errors)
    agencies: list[RegistryAgency] = []
    names: dict[str, tuple[str, int]] = {}  # name key → (canonical name, line)
    ag_rows = r_ag.rows()
    for row in ag_rows:
        name = row.get("name")
        if not name:
            r_ag.error(row.line, "name is empty")
            continue
        alts = tuple(_split(row.get("alt_names")))
        for n in (name, *alts):
            k = _name_key(n)
            if k in names and names[k][0] != name:
                r_ag.error(row.line, f"name {n!r} is already used by {names[k][0]!r} (line {names[k][1]})")
            elif k in names and n == name:
                r_ag.error(row.line, f"agency {name!r} is repeated (line {names[k][1]})")
            else:
                names[k] = (name, row.line)
        kind = row.get("kind")
        if kind not in AGENCY_KINDS:
            r_ag.error(row.line, f"kind: {kind!r} is not one of {', '.join(AGENCY_KINDS)}")
        agencies.append(
            RegistryAgency(
                name,
                alts,
                row.get("parent") or None,
                kind,
                row.get("province") or None,
                row.get("note") or None,
                iri.agency(name),
                row.line,
            )
        )
    canonical = {k: v[0] for k, v in names.items()}
    for a in agencies:
        if a.parent and _name_key(a.parent) not in canonical:
            r_ag.error(a.line, f"parent: {a.parent!r} is not an agency of {AGENCIES}")
        elif a.parent and canonical[_name_key(a.parent)] == a.name:
            r_ag.error(a.line, "parent: an agency cannot be its own parent")

    # documents.csv
    r_doc = _Reader(directory, DOCUMENTS, errors)
    documents: list[RegistryDocument] = []
    seen: dict[URIRef, int] = {}
    for row in r_doc.rows():
        n_err = len(errors)
        sym = _symbol(r_doc, row, "symbol", row.get("symbol")) if row.get("symbol") else None
        if not row.get("symbol"):
            r_doc.error(row.line, "symbol is empty")
        tw = type_word(row.get("type")) if row.get("type") else None
        if tw is None:
            r_doc.error(row.line, f"type: {row.get('type')!r} is not a known type word")
        elif sym is not None and sym.type_word is not None and sym.type_word != tw.word:
            r_doc.error(row.line, f"type: {tw.word!r} contradicts the code of {sym} ({sym.type_word})")
        issued, _ = _date(r_doc, row, "issued")
        effective, _ = _date(r_doc, row, "effective")
        normative_text = row.get("normative")
        if normative_text not in ("yes", "no"):
            r_doc.error(row.line, f"normative: {normative_text!r} must be yes or no")
        normative = normative_text == "yes"
        confidence = _confidence(r_doc, row)
        if not row.get("source"):
            r_doc.error(row.line, "source is empty: say where the facts come from")
        issuer = row.get("issuer") or None
        if issuer and _name_key(issuer) not in canonical:
            r_doc.error(row.line, f"issuer: {issuer!r} is not an agency of {AGENCIES} (add it there)")
        if sym is not None:
            if sym.year is None and not sym.party:
                if normative_text == "yes":
                    r_doc.error(row.line, f"normative: a normative document carries its year in the symbol ({sym})")
                if issued is None:
                    r_doc.error(row.line, f"issued: {sym} has no year, so its identity needs the issue date")
                elif not sym.national and not issuer:
                    r_doc.error(row.line, f"issuer: {sym} has no year and a local code, so its identity needs it")
            if sym.always_normative and normative_text == "no":
                r_doc.error(row.line, f"normative: {sym.code} documents are always normative")
            if sym.year is not None and issued is not None and issued.year != sym.year:
                r_doc.error(row.line, f"issued: {issued.isoformat()} is not in the year of {sym}")
        if len(errors) > n_err or sym is None or tw is None:
            continue
        year = sym.year if sym.year is not None else issued.year if issued else None
        uri = iri.document(sym, issuer=canonical.get(_name_key(issuer)) if issuer else None, year=year)
        if uri in seen:
            r_doc.error(row.line, f"document {sym} ({year}) is repeated (line {seen[uri]})")
            continue
        seen[uri] = row.line
        documents.append(
            RegistryDocument(
                sym,
                tw.word,
                row.get("title") or None,
                canonical.get(_name_key(issuer)) if issuer else None,
                issued,
                effective,
                normative,
                row.get("status_note") or None,
                row.get("source") or None,
                confidence,
                row.get("note") or None,
                uri,
                row.line,
            )
        )
    by_symbol: dict[Symbol, list[RegistryDocument]] = {}
    for d in documents:
        by_symbol.setdefault(d.symbol, []).append(d)

    def resolve(reader: _Reader, row: _Row, column: str, text: str) -> tuple[Symbol | None, URIRef | None]:
        sym = _symbol(reader, row, column, text)
        if sym is None:
            return None, None
        found = by_symbol.get(sym, [])
        if not found:
            reader.error(row.line, f"{column}: {sym} is not a document of {DOCUMENTS}")
            return sym, None
        if len(found) > 1:
            years = ", ".join(str(d.year) for d in found)
            reader.error(row.line, f"{column}: {sym} is ambiguous (documents of {years})")
            return sym, None
        return sym, found[0].iri

    # events.csv
    r_ev = _Reader(directory, EVENTS, errors)
    events: list[RegistryEvent] = []
    counters: dict[tuple[URIRef, str], int] = {}
    seen_events: dict[tuple[str, URIRef | None, URIRef | None, str], int] = {}
    for row in r_ev.rows():
        n_err = len(errors)
        kind = row.get("kind")
        if kind not in EVENT_CLASSES:
            r_ev.error(row.line, f"kind: {kind!r} is not one of {', '.join(EVENT_CLASSES)}")
        affected, affected_iri = (None, None)
        if row.get("affected"):
            affected, affected_iri = resolve(r_ev, row, "affected", row.get("affected"))
        else:
            r_ev.error(row.line, "affected is empty")
        by, by_iri = (None, None)
        if row.get("by"):
            by, by_iri = resolve(r_ev, row, "by", row.get("by"))
            if kind == "expiry":
                r_ev.error(row.line, "by: an expiry has no changing document (list successors instead)")
        elif kind in _NEEDS_BY:
            r_ev.error(row.line, f"by is empty: a {kind} needs the changing document")
        successors: list[Symbol] = []
        successor_iris: list[URIRef] = []
        for text in _split(row.get("successors")):
            s, s_iri = resolve(r_ev, row, "successors", text)
            if s is not None:
                successors.append(s)
            if s_iri is not None:
                successor_iris.append(s_iri)
        if successors and kind in EVENT_CLASSES and kind not in _MAY_HAVE_SUCCESSORS:
            r_ev.error(row.line, f"successors: a {kind} has no successors")
        if affected_iri is not None and affected_iri in (by_iri, *successor_iris):
            r_ev.error(row.line, "a document cannot change or succeed itself")
        effective, _ = _date(r_ev, row, "effective")
        scope = row.get("scope") or None
        if kind == "partial_repeal" and not scope:
            r_ev.error(row.line, 'scope is empty: a partial_repeal needs the part repealed ("khoản 1 Điều 16")')
        confidence = _confidence(r_ev, row)
        if not row.get("source"):
            r_ev.error(row.line, "source is empty: say where the relation comes from")
        key = (kind, affected_iri, by_iri, scope or "")
        if affected_iri is not None and key in seen_events:
            r_ev.error(row.line, f"repeats the event of line {seen_events[key]}")
        if len(errors) > n_err or affected is None or affected_iri is None:
            continue
        seen_events[key] = row.line
        n = counters[(affected_iri, kind)] = counters.get((affected_iri, kind), 0) + 1
        events.append(
            RegistryEvent(
                kind,
                affected,
                by,
                tuple(successors),
                effective,
                scope,
                row.get("source") or None,
                confidence,
                row.get("note") or None,
                row.line,
                affected_iri,
                by_iri,
                tuple(successor_iris),
                iri.event(affected_iri, kind, n),
            )
        )

    # agency_events.csv
    r_ae = _Reader(directory, AGENCY_EVENTS, errors)
    agency_events: list[RegistryAgencyEvent] = []
    n_by_kind: dict[str, int] = {}
    for row in r_ae.rows():
        n_err = len(errors)
        kind = row.get("kind")
        if kind not in AGENCY_EVENT_KINDS:
            r_ae.error(row.line, f"kind: {kind!r} is not one of {', '.join(AGENCY_EVENT_KINDS)}")

        def agencies_of(column: str, _row: _Row = row) -> tuple[str, ...]:
            out = []
            for n in _split(_row.get(column)):
                if _name_key(n) not in canonical:
                    r_ae.error(_row.line, f"{column}: {n!r} is not an agency of {AGENCIES}")
                else:
                    out.append(canonical[_name_key(n)])
            return tuple(out)

        original = agencies_of("original")
        resulting = agencies_of("resulting")
        if not row.get("original"):
            r_ae.error(row.line, "original is empty")
        if kind == "merger" and not row.get("resulting"):
            r_ae.error(row.line, "resulting is empty: a merger needs the resulting agency")
        if kind == "ended" and row.get("resulting"):
            r_ae.error(row.line, "resulting: an agency that ended has no resulting agency (use merger)")
        effective, _ = _date(r_ae, row, "effective")
        basis: list[Symbol] = []
        basis_iris: list[URIRef] = []
        for text in _split(row.get("legal_basis")):
            s, s_iri = resolve(r_ae, row, "legal_basis", text)
            if s is not None:
                basis.append(s)
            if s_iri is not None:
                basis_iris.append(s_iri)
        confidence = _confidence(r_ae, row)
        if not row.get("source"):
            r_ae.error(row.line, "source is empty: say where the fact comes from")
        if len(errors) > n_err:
            continue
        n = n_by_kind[kind] = n_by_kind.get(kind, 0) + 1
        agency_events.append(
            RegistryAgencyEvent(
                kind,
                original,
                resulting,
                effective,
                tuple(basis),
                row.get("source") or None,
                confidence,
                row.get("note") or None,
                row.line,
                iri.agency_event(kind, n),
                tuple(basis_iris),
            )
        )

    reg = Registry(tuple(documents), tuple(events), tuple(agencies), tuple(agency_events), meta, directory)
    return reg, errors


def validate_registry(directory: Path | str | None = None) -> list[RegistryError]:
    """Every problem of the registry files, each with its file and 1-based line (header = 1)."""
    _, errors = _read(Path(directory) if directory is not None else default_directory())
    return errors


def load_registry(directory: Path | str | None = None) -> Registry:
    """Read the registry (default: ``$TTHC_KG_REGISTRY`` or the repository's ``data/registry``).

    Raises ``RegistryInvalid`` with every error when the files do not validate.
    """
    reg, errors = _read(Path(directory) if directory is not None else default_directory())
    if errors:
        raise RegistryInvalid(errors)
    return reg


def main_validate(directory: Path | str | None = None) -> int:
    """Print every error as ``FILE:LINE: message`` on stderr (exit 1), or a one-line summary (exit 0)."""
    path = Path(directory) if directory is not None else default_directory()
    reg, errors = _read(path)
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print(f"{len(errors)} error(s) in {path}", file=sys.stderr)
        return 1
    unconfirmed = sum(e.confidence == "unconfirmed" for e in reg.events)
    print(
        f"registry OK: {len(reg.documents)} documents, {len(reg.events)} events ({unconfirmed} unconfirmed), "
        f"{len(reg.agencies)} agencies, {len(reg.agency_events)} agency events; evidence {reg.evidence_date} "
        f"({path})"
    )
    return 0
