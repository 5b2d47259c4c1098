"""Every IRI of the project is minted here (docs/model.md, "Namespaces" and "Documents")."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata

from rdflib import Namespace, URIRef

from .symbols import Symbol

BASE = "https://w3id.org/tthc-kg/"
TTHC = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")

REGISTRY_GRAPH = GRAPH["registry"]

_FOLD = str.maketrans({"đ": "d", "Đ": "d"})


def slug(text: str) -> str:
    """ASCII slug for IRIs only (never for display): "61/2018/NĐ-CP" → "61-2018-nd-cp"."""
    text = unicodedata.normalize("NFD", text.translate(_FOLD))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    text = re.sub(r"[^a-z0-9.]+", "-", text).strip("-.")
    return text or "x"


def source_key(path: str) -> str:
    """Stable key of a source file: slug of its name + 8 hex of the SHA-1 of its absolute path."""
    name = os.path.basename(path)
    stem = os.path.splitext(name)[0]
    digest = hashlib.sha1(os.path.abspath(path).encode("utf-8")).hexdigest()[:8]
    return f"{slug(stem)}-{digest}"


def source_graph(key: str) -> URIRef:
    return GRAPH[f"source/{key}"]


def source(key: str) -> URIRef:
    return ID[f"source/{key}"]


def plan(key: str) -> URIRef:
    return ID[f"plan/{key}"]


def plan_decision(key: str) -> URIRef:
    return ID[f"plan/{key}/decision"]


def section(key: str, path: str) -> URIRef:
    return ID[f"plan/{key}/section/{slug(path)}"]


def task(key: str, number: str) -> URIRef:
    return ID[f"plan/{key}/task/{slug(number)}"]


def citation(key: str, start: int) -> URIRef:
    return ID[f"citation/{key}/{start}"]


def extraction(version: str) -> URIRef:
    return ID[f"extraction/{slug(version)}"]


def agency(name: str) -> URIRef:
    return ID[f"agency/{slug(name)}"]


def event(affected: URIRef, kind: str, n: int) -> URIRef:
    local = str(affected).removeprefix(str(ID) + "doc/")
    return ID[f"event/{slug(local)}/{kind}/{n}"]


def agency_event(kind: str, n: int) -> URIRef:
    return ID[f"agency-event/{kind}/{n}"]


def registry() -> URIRef:
    """The node that describes the compiled registry itself (its evidence date)."""
    return ID["registry"]


def document(symbol: Symbol, issuer: str | None = None, year: int | None = None, scope: str | None = None) -> URIRef:
    """The identity of a document (DESIGN.md "Identity").

    National symbols with a year are unique nationally. Any other symbol is identified by issuer + year + number
    + type; the issuer of a national code is the code itself ("QĐ-TTg"), a local code ("QĐ-UBND") needs the
    issuer resolved from the text. When the issuer or year cannot be determined,
    the identity is scoped to the citing source (``scope``) so that no identity is ever guessed.
    """
    if symbol.national and (symbol.year is not None or symbol.party):
        return ID[f"doc/{slug(str(symbol))}"]
    if symbol.national and year is not None:
        return ID[f"doc/{slug(symbol.issuer_code or '')}/{year}/{slug(f'{symbol.number}-{symbol.code}')}"]
    # local codes ("QĐ-UBND", "NQ-HĐND", "KH-SKHCN"): numbering is per issuer, even with a year in the symbol
    if issuer and symbol.year is not None:
        return ID[f"doc/{slug(issuer)}/{slug(str(symbol))}"]
    if issuer and year is not None:
        return ID[f"doc/{slug(issuer)}/{year}/{slug(f'{symbol.number}-{symbol.code}')}"]
    return ID[f"doc/local/{scope or 'unknown'}/{slug(str(symbol))}"]


def named_document(title: str, scope: str) -> URIRef:
    """A document known only by its name ("Luật Ban hành văn bản QPPL"), scoped to the citing source."""
    return ID[f"doc/local/{scope}/name-{hashlib.sha1(title.encode('utf-8')).hexdigest()[:10]}"]
