"""Registry growth from consolidated texts: amendment events read from VBHN headers (docs/model.md
"Machine-read events").

A consolidated text (văn bản hợp nhất, VBHN) opens with the document it consolidates and the list of documents
that amended it::

    Luật Thủy sản số 18/2017/QH14 ngày 21 tháng 11 năm 2017 của Quốc hội, có hiệu lực kể từ ngày 01 tháng 01 năm
    2019, được sửa đổi, bổ sung bởi:
    1. Luật Đất đai số 31/2024/QH15 ngày 18 tháng 01 năm 2024 của Quốc hội, có hiệu lực kể từ ngày 01 tháng 8 năm 2024;
    2. Luật số 43/2024/QH15 ngày 29 tháng 6 năm 2024 của Quốc hội sửa đổi, bổ sung …, có hiệu lực kể từ …

Each listed document becomes an **amendment** event of the consolidated document, effective on the date the item
says, with the VBHN (number, date, file) as its source. The registry's confidence vocabulary has two values
(``confirmed``, ``unconfirmed``; the ontology and the audit contract hold to them), so these events are
``unconfirmed`` and carry a separate flag, ``machine_read`` (``tthc:machineRead true`` in RDF, with
``prov:generatedAtTime`` the import time): nobody has checked them yet.

They are kept apart from the curated files, in ``data/registry/machine_read_events.csv``, which
``registry_rdf.compile_registry`` adds to the registry graph. Never overwriting a confirmed fact: an event whose
(affected, changing document) pair the curated registry already records, in any kind or confidence, is not
imported (the curated one stands), and nothing here changes a registry document's metadata or status. A person
confirms an event by moving its row to ``events.csv`` (and its documents to ``documents.csv``) with confidence
``confirmed``; the next import then skips it.

Each header is classed ``full`` (the consolidated document and every listed item with a symbol, an issue date
and an effective date), ``partial`` (some item or field missing — a header cut off mid-item, an item without a
symbol), or ``none`` (no consolidated document or no item read).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from . import iri
from .iri import PROV, TTHC
from .symbols import Symbol, parse_symbol, type_word

FILE = "machine_read_events.csv"
COLUMNS = (
    "kind",
    "affected",
    "affected_type",
    "affected_title",
    "affected_issued",
    "affected_effective",
    "by",
    "by_type",
    "by_title",
    "by_issued",
    "by_effective",
    "effective",
    "source",
    "confidence",
    "machine_read",
    "recorded",
    "note",
)


class VbhnError(ValueError):
    pass


_INTRO = re.compile(r"được\s+sửa\s+đổi,?\s+bổ\s+sung\s+bởi\s*:?", re.I)
_SYMBOL = re.compile(r"\bsố\s+(?P<sym>\d+[\w.]*/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z0-9-]*\d*)")
_LONG_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_SHORT_DATE = re.compile(r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})")
_EFFECTIVE = re.compile(
    # "có hiệu lực (thi hành) (kể) từ ngày …"; real headers also print "có nhiệu lực" and "kể từ 01 tháng 7 …"
    r"hiệu\s+lực(?:\s+thi\s+hành)?(?:\s+kể)?\s+từ\s+(?:ngày\s+)?(?:(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})|"
    r"(\d{1,2})/(\d{1,2})/(\d{4}))"
)
_ITEM = re.compile(r"(?:^|\n)\s*\d{1,2}\.\s+")
_TYPE_WORDS = ("Bộ luật", "Luật", "Pháp lệnh", "Nghị quyết", "Nghị định", "Quyết định", "Thông tư")
_NOTE_MARK = re.compile(r"\[\d+\]")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _date(m: re.Match[str] | None, offset: int = 0) -> date | None:
    if m is None:
        return None
    g = m.groups()[offset : offset + 3]
    if None in g:
        return None
    try:
        return date(int(g[2]), int(g[1]), int(g[0]))
    except ValueError:
        return None


@dataclass
class DocRef:
    symbol: Symbol | None
    type: str | None  # canonical type word
    title: str | None  # the name before "số", as printed ("Luật Đất đai")
    issued: date | None
    effective: date | None
    text: str

    @property
    def complete(self) -> bool:
        return self.symbol is not None and self.issued is not None and self.effective is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "symbol": str(self.symbol) if self.symbol else None,
            "type": self.type,
            "title": self.title,
            "issued": self.issued.isoformat() if self.issued else None,
            "effective": self.effective.isoformat() if self.effective else None,
        }


def parse_ref(text: str) -> DocRef:
    """One document reference: "Luật Đất đai số 31/2024/QH15 ngày 18 tháng 01 năm 2024 của Quốc hội, có hiệu
    lực kể từ ngày 01 tháng 8 năm 2024". The first symbol after "số" is the document's own (later ones, in
    "sửa đổi … của Luật X số …", are the documents it amends)."""
    text = _NOTE_MARK.sub("", " ".join(text.split()))
    m = _SYMBOL.search(text)
    symbol = parse_symbol(m.group("sym")) if m else None
    head = text[: m.start()].strip() if m else ""
    tw = None
    for w in _TYPE_WORDS:
        if head.lower().startswith(w.lower()):
            tw = type_word(w)
            break
    if tw is None and symbol is not None and symbol.type_word:
        tw = type_word(symbol.type_word)
    after = text[m.end() :] if m else text
    issued = _date(_LONG_DATE.match(after.lstrip(" ,"))) or _date(_SHORT_DATE.match(after.lstrip(" ,")))
    em = _EFFECTIVE.search(after)
    effective = (_date(em) or _date(em, 3)) if em else None
    title = head.rstrip(" ,") or None
    if title and tw and title.lower() == tw.word.lower():
        title = None  # "Luật số 43/2024/QH15 …": only the type word, no name
    return DocRef(symbol, tw.word if tw else None, title, issued, effective, text)


@dataclass
class Header:
    vbhn: str | None
    vbhn_date: str | None
    path: str
    source: str
    base: DocRef | None
    items: list[DocRef] = field(default_factory=list)
    truncated: bool = False

    @property
    def status(self) -> str:
        if self.base is None or self.base.symbol is None or not any(i.symbol for i in self.items):
            return "none"
        if self.base.symbol and self.base.issued and all(i.complete for i in self.items) and not self.truncated:
            return "full"
        return "partial"

    def as_dict(self) -> dict[str, Any]:
        return {
            "vbhn": self.vbhn,
            "vbhn_date": self.vbhn_date,
            "path": self.path,
            "status": self.status,
            "base": self.base.as_dict() if self.base else None,
            "amended_by": [i.as_dict() for i in self.items],
        }


def parse_header(record: dict[str, Any]) -> Header:
    """A VBHN header (a record of vbhn_amendment_headers.jsonl: ``header_text`` is authoritative)."""
    text = _nfc(record.get("header_text") or "")
    source = "; ".join(
        x
        for x in (
            f"VBHN {record.get('vbhn_number')} ngày {record.get('vbhn_date')}" if record.get("vbhn_number") else None,
            f"{record.get('repo')}@{(record.get('commit') or '')[:7]}:{record.get('path')}"
            if record.get("repo")
            else None,
        )
        if x
    )
    h = Header(record.get("vbhn_number"), record.get("vbhn_date"), record.get("path") or "", source or "VBHN", None)
    intro = _INTRO.search(text)
    if intro is None:
        return h
    # the consolidated document: from its type word (the last one before the intro whose symbol follows) on
    before = text[: intro.start()]
    starts = [m.start() for w in _TYPE_WORDS for m in re.finditer(rf"(?<!\w){w}\s", before)]
    candidates = sorted(s for s in starts if _SYMBOL.search(before[s:]))
    base_text = before[candidates[-1] :] if candidates else before[-400:]
    h.base = parse_ref(base_text)
    rest = text[intro.end() :]
    parts = [p for p in _ITEM.split(rest) if p.strip()]
    for p in parts:
        p = p.strip().rstrip(";.")
        if p:
            h.items.append(parse_ref(p))
    h.truncated = bool(h.items) and not re.search(r"[.;]\s*$", text.rstrip())
    return h


# --- the machine-read file --------------------------------------------------------------------------------


@dataclass
class Result:
    headers: list[Header]
    added: int
    kept: int
    skipped_in_registry: list[tuple[str, str]]
    path: Path | None

    def summary(self) -> str:
        n = {s: sum(1 for h in self.headers if h.status == s) for s in ("full", "partial", "none")}
        items = sum(len(h.items) for h in self.headers)
        where = f" in {self.path}" if self.path else " (dry run: nothing written)"
        return (
            f"{len(self.headers)} headers: {n['full']} parsed fully, {n['partial']} partially, {n['none']} not at all; "
            f"{items} amending documents listed; {self.added} new machine-read events, {self.kept} repeats (listed by "
            "another header or imported before), "
            f"{len(self.skipped_in_registry)} already in the curated registry (kept as curated){where}"
        )


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise VbhnError(f"{path}: unexpected columns (expected {','.join(COLUMNS)})")
    return [{k: _nfc(v or "") for k, v in r.items()} for r in reader]


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    tmp.replace(path)  # atomic: the file is either the old or the new one


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def import_headers(
    file: str | Path,
    registry_dir: str | Path | None = None,
    store: Any = None,
    dry_run: bool = False,
    registry: Any = None,
    now: datetime | None = None,
) -> Result:
    """Parse the headers of ``file`` (JSON lines) and add their amendment events to the machine-read file."""
    from .registry import default_directory, load_registry

    path = Path(file)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise VbhnError(f"{file}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise VbhnError(f"{file}: cannot read: {exc}") from exc
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise VbhnError(f"{file}:{n}: not JSON ({exc.args[0][:60]})") from exc
        if not isinstance(rec, dict) or not isinstance(rec.get("header_text"), str):
            raise VbhnError(f"{file}:{n}: expected an object with a 'header_text' string")
        records.append(rec)
    if not records:
        raise VbhnError(f"{file}: no headers")
    directory = Path(registry_dir) if registry_dir else default_directory()
    reg = registry if registry is not None and registry_dir is None else load_registry(directory)
    curated = {(str(e.affected), str(e.by)) for e in reg.events if e.by is not None}
    target = directory / FILE
    existing = read_rows(target)
    have = {(r["affected"], r["by"]) for r in existing}
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    headers = [parse_header(r) for r in records]
    added: list[dict[str, str]] = []
    skipped: list[tuple[str, str]] = []
    kept = 0
    for h in headers:
        if h.base is None or h.base.symbol is None:
            continue
        for item in h.items:
            if item.symbol is None or item.symbol == h.base.symbol:
                continue
            key = (str(h.base.symbol), str(item.symbol))
            if key in curated:
                if key not in skipped:
                    skipped.append(key)
                continue
            if key in have:
                kept += 1
                continue
            have.add(key)
            added.append(
                {
                    "kind": "amendment",
                    "affected": key[0],
                    "affected_type": h.base.type or "",
                    "affected_title": h.base.title or "",
                    "affected_issued": _iso(h.base.issued),
                    "affected_effective": _iso(h.base.effective),
                    "by": key[1],
                    "by_type": item.type or "",
                    "by_title": item.title or "",
                    "by_issued": _iso(item.issued),
                    "by_effective": _iso(item.effective),
                    "effective": _iso(item.effective),
                    "source": h.source,
                    "confidence": "unconfirmed",
                    "machine_read": "yes",
                    "recorded": stamp,
                    "note": f"đọc máy từ phần đầu văn bản hợp nhất ({h.status}): “{item.text[:200]}”",
                }
            )
    if not dry_run and added:
        directory.mkdir(parents=True, exist_ok=True)
        _write_rows(target, existing + added)
    if not dry_run and store is not None:
        from .registry_rdf import compile_registry

        store.replace_graph(iri.REGISTRY_GRAPH, compile_registry(load_registry(directory)))
        store.flush()
    return Result(headers, len(added), kept, skipped, None if dry_run else target)


# --- RDF (added to the registry graph by registry_rdf.compile_registry) ------------------------------------


def machine_read_graph(reg: Any) -> Graph:
    """The machine-read events of the registry directory as RDF, leaving out any the curated registry records.

    A document the curated registry lacks gets a node with what the header says of it (symbol, type, title,
    dates), flagged ``tthc:machineRead``; a curated document is only referred to, never described here."""
    g = Graph()
    if reg.directory is None:
        return g
    rows = read_rows(Path(reg.directory) / FILE)
    curated_pairs = {(str(e.affected), str(e.by)) for e in reg.events if e.by is not None}
    curated_docs = {str(d.symbol): d.iri for d in reg.documents}
    counters: dict[str, int] = {}
    described: set[URIRef] = set()

    def doc(symbol: str, type_: str, title: str, issued: str, effective: str) -> URIRef | None:
        if symbol in curated_docs:
            return curated_docs[symbol]
        sym = parse_symbol(symbol)
        if sym is None:
            return None
        node = iri.document(sym)
        if node in described:
            return node
        described.add(node)
        g.add((node, RDF.type, TTHC.LegalDocument))
        tw = type_word(type_) if type_ else None
        if tw is not None:
            g.add((node, RDF.type, TTHC[tw.cls]))
            g.add((node, TTHC.typeLabel, Literal(tw.word)))
        g.add((node, TTHC.symbol, Literal(str(sym))))
        if title:
            g.add((node, DCTERMS.title, Literal(title, lang="vi")))
        if issued:
            g.add((node, ELI_DATE, Literal(issued, datatype=XSD.date)))
        if effective:
            g.add((node, ELI_IN_FORCE, Literal(effective, datatype=XSD.date)))
        g.add((node, TTHC.inRegistry, Literal(False)))  # not curated: what a header says of it
        g.add((node, TTHC.machineRead, Literal(True)))
        return node

    for r in rows:
        if (r["affected"], r["by"]) in curated_pairs or r["kind"] != "amendment":
            continue
        old = doc(r["affected"], r["affected_type"], r["affected_title"], r["affected_issued"], r["affected_effective"])
        new = doc(r["by"], r["by_type"], r["by_title"], r["by_issued"], r["by_effective"])
        if old is None or new is None:
            continue
        n = counters[str(old)] = counters.get(str(old), 0) + 1
        ev = iri.event(old, "machine-read-amendment", n)
        g.add((ev, RDF.type, TTHC.ChangeEvent))
        g.add((ev, RDF.type, TTHC.Amendment))
        g.add((ev, TTHC.affects, old))
        g.add((ev, TTHC.changedBy, new))
        g.add((new, ELI_AMENDS, old))
        if r["effective"]:
            g.add((ev, TTHC.effectiveDate, Literal(r["effective"], datatype=XSD.date)))
        g.add((ev, DCTERMS.source, Literal(r["source"])))
        g.add((ev, TTHC.confidence, Literal("unconfirmed")))
        g.add((ev, TTHC.machineRead, Literal(True)))
        if r["recorded"]:
            g.add((ev, PROV.generatedAtTime, Literal(r["recorded"], datatype=XSD.dateTime)))
        if r["note"]:
            g.add((ev, SKOS.note, Literal(r["note"], lang="vi")))
    return g


ELI_DATE = iri.ELI.date_document
ELI_IN_FORCE = iri.ELI.first_date_entry_in_force
ELI_AMENDS = iri.ELI.amends
