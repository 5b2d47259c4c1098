"""The pipeline for one source file: read → normalize → segment → find → resolve → structure tasks.

The result, :class:`Analysis`, is what the graph builder, ``extract`` and ``check`` consume.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from dataclasses import dataclass
from pathlib import Path

from . import iri
from .find import find_citations
from .header import parse_headers
from .models import Resolved
from .models_tasks import PlanHeader, Task
from .normalize import Normalized, normalize
from .read import read_text
from .registry import Registry
from .resolve import PlanContext, Resolver, expand
from .segment import Region, in_regions, preamble_regions
from .tasks import extract_tasks

EXTRACTOR_VERSION = "tthc-kg-extract/0.1"


@dataclass(frozen=True)
class Analysis:
    path: str  # as given
    key: str
    original: str
    normalized: Normalized
    headers: tuple[PlanHeader, ...]
    context: PlanContext
    preambles: tuple[Region, ...]
    tasks: tuple[Task, ...]
    citations: tuple[Resolved, ...]

    @property
    def plan_header(self) -> PlanHeader | None:
        return self.headers[-1] if self.headers else None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.original.encode("utf-8")).hexdigest()


def plan_context(key: str, headers: list[PlanHeader]) -> PlanContext:
    """The plan's issuer and province, from the last header (the plan; a decision may precede it)."""
    head = headers[-1] if headers else None
    if head is None:
        return PlanContext(source_key=key)
    parent = expand(head.parent_issuer or "")
    level = None
    m = re.search(r"\b(tỉnh|thành phố)\b", parent) or re.search(r"\b(tỉnh|thành phố)\b", expand(head.issuer or ""))
    if m:
        level = m.group(1)
    date = next((h.date for h in reversed(headers) if h.date), None)
    year = next((h.year for h in reversed(headers) if h.year), None)
    return PlanContext(
        source_key=key,
        issuer=expand(head.issuer) if head.issuer else None,
        province=head.province,
        level=level,
        date=date,
        year=year or (date.year if date else None),
    )


def analyze_text(path: str, original: str, resolver: Resolver) -> Analysis:
    key = iri.source_key(path)
    norm = normalize(original)
    text = norm.text
    headers = parse_headers(text)
    ctx = plan_context(key, headers)
    preambles = preamble_regions(text)
    tasks = extract_tasks(text, plan_year=ctx.year)
    resolved: list[Resolved] = []
    rows = _TaskIndex(tasks)
    for c in find_citations(text):
        task = rows.at(c.start)
        role = "basis" if in_regions(c.start, preambles) else ("task_basis" if task else "mention")
        ident = resolver.resolve(c, ctx)
        start, end = norm.to_original(c.start, c.end)
        resolved.append(
            Resolved(
                citation=c,
                start=start,
                end=end,
                text=original[start:end],
                role=role,
                symbol=ident.symbol,
                issuer=ident.issuer,
                iri=ident.iri,
                in_registry=ident.registry is not None,
                task=task.number if task else None,
            )
        )
    return Analysis(path, key, original, norm, tuple(headers), ctx, tuple(preambles), tuple(tasks), tuple(resolved))


def analyze_file(path: str | Path, registry: Registry) -> Analysis:
    return analyze_text(str(path), read_text(path), Resolver(registry))


class _TaskIndex:
    """``_task_at`` for many positions: a sweep over the rows' spans sorted by start, linear in spans + positions
    when the positions come in order (as citations do) instead of tasks × citations."""

    def __init__(self, tasks: tuple[Task, ...] | list[Task]) -> None:
        spans = []
        for i, t in enumerate(tasks):
            spans.extend((a, b, i) for a, b in (t.line_spans or ((t.start, t.end),)))
            spans.extend((a, b, i) for a, b in (t.basis_spans or ()))
        spans.sort()
        self.tasks, self.spans = tasks, spans
        self._reset()

    def _reset(self) -> None:
        self.next, self.last = 0, -1
        self.open: list[tuple[int, int]] = []  # heap of (task index, span end) of the spans started so far

    def at(self, pos: int) -> Task | None:
        """The first task (in order) whose row holds this position, as ``_task_at``."""
        if pos < self.last:
            self._reset()
        self.last = pos
        while self.next < len(self.spans) and self.spans[self.next][0] <= pos:
            _start, b, i = self.spans[self.next]
            heapq.heappush(self.open, (i, b))
            self.next += 1
        while self.open and self.open[0][1] <= pos:  # ended before pos: never holds a later position either
            heapq.heappop(self.open)
        return self.tasks[self.open[0][0]] if self.open else None


def _task_at(tasks: tuple[Task, ...] | list[Task], pos: int) -> Task | None:
    """The task whose row holds this position (its cells may be interleaved with other rows' lines)."""
    for t in tasks:
        spans = t.line_spans or ((t.start, t.end),)
        if any(a <= pos < b for a, b in spans):
            return t
        if t.basis_spans and any(a <= pos < b for a, b in t.basis_spans):
            return t
    return None
