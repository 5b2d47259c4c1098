"""Dataclasses of what the pipeline finds: citations and their resolution."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from .symbols import Symbol


@dataclass(frozen=True)
class Citation:
    """One reference to a document, as found in the normalized text (offsets into the normalized text)."""

    start: int
    end: int
    text: str
    symbol: Symbol | None  # None for truncated or name-only references
    type: str | None  # canonical type word ("Nghị định"), the corrected word for a typo
    number: str | None
    date: date | None
    date_text: str | None
    issuer_printed: str | None  # "UBND tỉnh Hưng Yên", "Chính phủ" as printed after "của"
    title: str | None  # the name as printed for name-only references, else the text after "về …"
    scope: str | None = None  # "khoản 8 Điều 40"
    kind: str = "symbol"  # "symbol" | "truncated" | "name"

    @property
    def year(self) -> int | None:
        if self.symbol is not None and self.symbol.year is not None:
            return self.symbol.year
        return self.date.year if self.date else None

    def with_symbol(self, symbol: Symbol | None) -> Citation:
        return replace(self, symbol=symbol)


@dataclass(frozen=True)
class Resolved:
    """A citation placed in its plan: original offsets, role, identity."""

    citation: Citation
    start: int  # offsets into the original (decoded) text
    end: int
    text: str
    role: str  # "basis" | "task_basis" | "mention"
    symbol: Symbol | None
    issuer: str | None
    iri: str  # the identity (registry document or stub)
    in_registry: bool
    task: str | None = None  # task number when inside a task row
    notes: tuple[str, ...] = field(default_factory=tuple)
