"""Frozen values for the structure of a plan: its header(s), sections and task-table rows.

Spans (``start``/``end``, ``line_spans``, ``basis_span``) are offsets into the NORMALIZED text the extractor was
given (see :mod:`tthc_kg.normalize`); map them back with ``Normalized.to_original``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Timeframe:
    text: str  # as printed
    kind: str  # "before" | "period" | "periodic" | "event" | "continuous" | "unknown"
    due: date | None  # the latest date the printed timeframe allows
    recurring: bool
    deadlines: tuple[date, ...] = ()  # every deadline found, in order of appearance


@dataclass(frozen=True)
class AgencyRef:
    printed: str  # as printed in the cell
    name: str  # normalized full name, or the relative name when the province is unknown
    parent: str | None  # the organization it is a sub-organization of, when known
    is_person: bool = False


@dataclass(frozen=True)
class Section:
    number: str  # "I", "2", "2.3"
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Task:
    number: str  # full path of numbers as printed, joined with "." ("I.1", "2.3.1", "4")
    section: str | None  # the group heading text
    content: str
    lead: tuple[str, ...]
    coordinators: tuple[str, ...]
    timeframe: str | None
    due: date | None
    recurring: bool
    outputs: str | None
    notes: str | None
    basis: str | None  # the "Căn cứ thực hiện" cell
    start: int
    end: int
    basis_span: tuple[int, int] | None = None
    line_spans: tuple[tuple[int, int], ...] = ()
    # the fragments of the basis cell (a cell broken across lines has several); basis_span covers them all
    basis_spans: tuple[tuple[int, int], ...] = field(default=())


@dataclass(frozen=True)
class PlanHeader:
    issuer: str | None  # "Sở Khoa học và Công nghệ"
    parent_issuer: str | None  # "UBND tỉnh Hưng Yên"
    province: str | None  # "Hưng Yên"
    number: str | None  # "/KH-SKHCN" (blank number) or "1026/KH-UBND"
    place: str | None
    date: date | None  # only when day, month and year are all printed
    date_text: str | None
    title: str | None
    doc_type: str | None  # "Kế hoạch", "Quyết định", …
    year: int | None = None  # the year of the date line, even when the day is blank
    month: int | None = None
    start: int = 0
    end: int = 0
