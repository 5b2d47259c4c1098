"""Resolve citations to document identities, in the context of the citing plan (DESIGN.md "Identity").

Symbols of national codes with a year are unique nationally. Everything else needs an issuer and a year: the
issuer comes from "của UBND tỉnh …" after the citation, or, for a local code printed without one, from the plan's
own province; the year from the symbol or the citation's date. A province that cannot be determined is never
guessed: the issuer stays as printed and the identity is scoped to the citing source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from . import iri
from .models import Citation
from .registry import Registry, RegistryDocument
from .symbols import Symbol, issuers

# Abbreviations printed in issuer names and law titles, expanded for display and matching.
_ABBREV = [
    (r"\bUBND\b", "Ủy ban nhân dân"),
    (r"\bHĐND\b", "Hội đồng nhân dân"),
    (r"\bUBTVQH\b", "Ủy ban Thường vụ Quốc hội"),
    (r"\bVBQPPL\b", "văn bản quy phạm pháp luật"),
    (r"\bQPPL\b", "quy phạm pháp luật"),
    (r"\bTTHC\b", "thủ tục hành chính"),
    (r"\bTP\.?(?=\s)", "thành phố"),
    (r"Uỷ", "Ủy"),
]
_LOCAL_LEVEL = re.compile(r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\b(?P<name>(?:\s+[A-ZĐ]\w*)*)")


@dataclass(frozen=True)
class PlanContext:
    """What the citing plan says of itself: its issuer, province (None when not printed), date, source key."""

    source_key: str
    issuer: str | None = None
    province: str | None = None  # "Hưng Yên"; None when the text does not name it ("thành phố")
    level: str | None = None  # "tỉnh" | "thành phố"
    date: date | None = None
    year: int | None = None


@lru_cache(maxsize=8192)  # a pure function of the printed name: the same issuers, again and again
def expand(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for pattern, repl in _ABBREV:
        text = re.sub(pattern, repl, text)
    return re.sub(r"\s+", " ", text).strip()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", expand(text).lower().replace("đ", "d"))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", "".join(c for c in text if unicodedata.category(c) != "Mn")).split())


def _national_issuer(symbol: Symbol) -> str | None:
    code = symbol.issuer_code
    if not code:
        return None
    names = []
    for part in code.split("-"):
        m = re.fullmatch(r"(UBTVQH|QH)\d*", part.upper())
        key = m.group(1) if m else part.upper()
        found = issuers().get(key)
        if found is None or found.level != "national":
            return None
        names.append(found.name)
    return " - ".join(names) if names else None


def resolve_issuer(citation: Citation, ctx: PlanContext) -> tuple[str | None, bool]:
    """(issuer, determinate): the issuer as resolved, and whether it identifies one body.

    "của UBND tỉnh" in a plan of tỉnh Hưng Yên → "Ủy ban nhân dân tỉnh Hưng Yên"; "của Ủy ban nhân dân thành
    phố" when the plan does not name its city → printed, not determinate.
    """
    symbol = citation.symbol
    if citation.issuer_printed:
        printed = expand(citation.issuer_printed)
        m = _LOCAL_LEVEL.search(printed)
        if m is None:
            national = symbol is not None and symbol.national
            return printed, national or not _is_local_body(printed)
        if m.group("name").strip():
            return printed, True
        if ctx.province and ctx.level == m.group(1):
            return f"{printed[: m.end(1)]} {ctx.province}".strip(), True
        return printed, False
    if symbol is None:
        return None, False
    if symbol.national:
        return _national_issuer(symbol), True
    code = (symbol.issuer_code or "").upper()
    if ctx.province and ctx.level and code in ("UBND", "HĐND", "CTUBND"):
        body = {"UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "CTUBND": "Chủ tịch Ủy ban nhân dân"}[code]
        return f"{body} {ctx.level} {ctx.province}", True
    return None, False


def _is_local_body(name: str) -> bool:
    return bool(re.match(r"(Ủy ban nhân dân|Hội đồng nhân dân|Chủ tịch|Sở|Tỉnh ủy|Thành ủy|Ban Thường vụ)", name))


@dataclass(frozen=True)
class Identity:
    symbol: Symbol | None
    issuer: str | None
    iri: str
    registry: RegistryDocument | None


class Resolver:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._titles = [(d, _fold(d.title or "")) for d in registry.documents]
        # Registry.lookup's answers by symbol, in the registry's order (it scans every document per citation)
        self._by_symbol: dict[Symbol, list[RegistryDocument]] = {}
        self._by_yearless: dict[Symbol, list[RegistryDocument]] = {}
        for d in registry.documents:
            self._by_symbol.setdefault(d.symbol, []).append(d)
            self._by_yearless.setdefault(d.symbol.with_year(None), []).append(d)

    def _lookup(self, symbol: Symbol, year: int | None) -> list[RegistryDocument]:
        """``Registry.lookup(symbol, year)``, from the index built once."""
        if symbol.year is not None:
            return self._by_symbol.get(symbol, [])
        return [d for d in self._by_yearless.get(symbol, ()) if year is None or d.year == year]

    def resolve(self, citation: Citation, ctx: PlanContext) -> Identity:
        issuer, determinate = resolve_issuer(citation, ctx)
        symbol = citation.symbol
        if symbol is None:
            doc = self._by_number(citation) if citation.kind == "truncated" else self._by_title(citation)
            if doc is not None:
                return Identity(doc.symbol, issuer or doc.issuer, str(doc.iri), doc)
            return Identity(
                None, issuer, str(iri.named_document(citation.title or citation.text, ctx.source_key)), None
            )
        found = self._lookup(symbol, citation.year)
        if len(found) == 1:
            doc = found[0]
            return Identity(symbol, issuer or doc.issuer, str(doc.iri), doc)
        uri = iri.document(symbol, issuer=issuer if determinate else None, year=citation.year, scope=ctx.source_key)
        return Identity(symbol, issuer, str(uri), None)

    def _by_number(self, citation: Citation) -> RegistryDocument | None:
        if citation.number is None or citation.type is None:
            return None
        found = self.registry.lookup_number(citation.number, citation.type)
        return found[0] if len(found) == 1 else None

    def _by_title(self, citation: Citation) -> RegistryDocument | None:
        """A law cited by name: a registry title match with the same date.

        The date is required: laws are re-enacted under the same name ("Luật Tổ chức chính quyền địa phương" of
        2015 and of 2025), so a name alone never identifies one document.
        """
        if not citation.title or citation.date is None:
            return None
        want = _fold(citation.title)
        found = [d for d, t in self._titles if t and t == want and d.issued == citation.date]
        return found[0] if len(found) == 1 else None
