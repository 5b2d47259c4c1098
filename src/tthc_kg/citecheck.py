"""Citation-string checks: what a plan prints about a cited document against what the registry knows.

For every citation that resolves to a registry document: the printed date ("ngày 15/5/2016") against the issue
date (a malformed date such as "21/10/20120" is flagged as such), the printed type word against the document's
("Nghị số 76/NQ-CP" is a typo of "Nghị quyết"), the printed issuer ("của …") against the document's issuer, and
a normative symbol printed without its year ("02/TT-VPCP"). For a yearless symbol, a truncated reference
("Nghị quyết số 131") or a reference by name only ("Luật Ban hành văn bản QPPL"): several registry documents it may
be (an ambiguity the resolver leaves unresolved), with those already issued by the plan's date named as a hint.

Shown by ``tthc-kg check FILE…`` (one row per problem, docs/cli.md) and in the table of ``tthc-kg audit``. They
are not audit findings: the audit's jsonl contract (DESIGN.md) is unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from .registry import Registry, RegistryDocument
from .resolve import Resolver, _fold, expand

FIELDS = ("file", "line", "start", "end", "task", "cited", "check", "printed", "registry", "message")
CHECKS = ("date", "malformed_date", "type", "issuer", "missing_year", "ambiguous")

_DMY = re.compile(
    r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d+)"
    r"|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d+)"
)


@dataclass(frozen=True)
class CiteIssue:
    file: str
    line: int  # 1-based line of the citation's start in the file
    start: int  # offsets into the file's text as decoded
    end: int
    task: str | None
    cited: str  # the symbol (or the name as printed)
    check: str  # one of CHECKS
    printed: str | None  # what the plan prints
    registry: str | None  # what the registry says (the candidates, for an ambiguity)
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f" (task {self.task})" if self.task else ""
        return f"{self.file}:{self.line}: {self.cited}{where}: {self.message}"


def _vn(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _printed_date(text: str) -> tuple[str, str, str] | None:
    m = _DMY.search(text)
    if m is None:
        return None
    if m.group("d"):
        return m.group("d"), m.group("m"), m.group("y")
    return m.group("d2"), m.group("m2"), m.group("y2")


def _same_issuer(printed: str, registered: str, registry: Registry) -> bool:
    """The printed issuer names the registry's (an alias, an abbreviation, a title before the body's name, or a
    name cut by the layout: "Thủ tướng Chính" for "Thủ tướng Chính phủ")."""
    a, b = _fold(printed), _fold(registered)
    if not a or not b or a in b or b in a or b.startswith(a):
        return True
    known = registry.agency(expand(printed)) or registry.agency(printed)
    if known is not None:
        return _fold(known.name) == b
    return False


def _known_issuer(printed: str, registry: Registry) -> bool:
    """The printed issuer is a body the registry knows, so a difference is a real contradiction."""
    return (registry.agency(expand(printed)) or registry.agency(printed)) is not None


def check_analysis(analysis: Any, resolver: Resolver) -> list[CiteIssue]:
    """The citation-string problems of one analysed file (``analyze.analyze_text``)."""
    registry = resolver.registry
    text = analysis.original
    plan_date = analysis.context.date
    plan_year = analysis.context.year
    out: list[CiteIssue] = []
    for r in analysis.citations:
        c = r.citation

        def issue(check: str, printed: str | None, expected: str | None, message: str, _r: Any = r) -> None:
            cited = str(_r.symbol) if _r.symbol is not None else _one_line(_r.text)
            out.append(
                CiteIssue(
                    analysis.path,
                    text.count("\n", 0, _r.start) + 1,
                    _r.start,
                    _r.end,
                    _r.task,
                    cited,
                    check,
                    printed,
                    expected,
                    message,
                )
            )

        doc = registry.document(r.iri) if r.in_registry else None
        if doc is None:
            _ambiguity(c, r, registry, resolver, plan_date, plan_year, issue)
            continue
        if c.date_text:
            _check_date(c, doc, issue)
        _check_type(c, r, doc, issue)
        if c.issuer_printed and doc.issuer:
            printed = _one_line(c.issuer_printed)
            if not _same_issuer(printed, doc.issuer, registry) and _known_issuer(printed, registry):
                issue("issuer", printed, doc.issuer, f"printed issuer “{printed}”, the registry says {doc.issuer}")
        if c.kind == "symbol" and r.symbol is not None and r.symbol.year is not None and r.symbol.always_normative:
            printed_symbol = re.sub(r"\s+", "", r.text)
            if f"/{r.symbol.year}/" not in printed_symbol and not printed_symbol.endswith(f"/{r.symbol.year}"):
                issue(
                    "missing_year",
                    _one_line(r.text),
                    str(doc.symbol),
                    f"symbol printed without its year: “{_one_line(r.text)}” is {doc.symbol}",
                )
    return out


def _check_date(c: Any, doc: RegistryDocument, issue: Any) -> None:
    printed = _one_line(c.date_text)
    parts = _printed_date(printed)
    expected = _vn(doc.issued) if doc.issued else None
    if parts is None:
        return
    d, m, y = parts
    valid = len(y) == 4
    if valid:
        try:
            when = date(int(y), int(m), int(d))
        except ValueError:
            valid = False
    if not valid:
        hint = f" (the registry: {expected})" if expected else ""
        issue("malformed_date", printed, expected, f"malformed date “{printed}”{hint}")
        return
    if doc.issued is None or when == doc.issued:
        return
    also = " (its effective date)" if doc.effective == when else ""
    issue("date", printed, expected, f"printed date “{printed}”{also}, the registry says issued {expected}")


def _check_type(c: Any, r: Any, doc: RegistryDocument, issue: Any) -> None:
    from .symbols import type_word

    if c.type and doc.type and c.type != doc.type and doc.symbol.type_word == doc.type:
        issue("type", c.type, doc.type, f"printed type word “{c.type}”, the registry says {doc.type}")
        return
    if r.symbol is None:
        return
    # the word printed before the symbol, when one is ("Nghị số 76/NQ-CP"): a typo of the canonical word?
    head = unicodedata.normalize("NFC", _one_line(r.text))
    number = head.find(r.symbol.number + "/") if r.symbol.number else -1
    if number <= 0:
        return
    printed = head[:number].strip().rstrip(":").strip()
    word = re.sub(r"\s*\bsố$", "", printed, flags=re.I).strip()
    if not word or word.lower() == doc.type.lower():
        return
    tw = type_word(printed) or type_word(word)
    if tw is not None and tw.word == doc.type:
        issue("type", printed, doc.type, f"type word misprinted: “{printed}” for “{doc.type}”")


def _ambiguity(
    c: Any, r: Any, registry: Registry, resolver: Resolver, plan_date: date | None, plan_year: int | None, issue: Any
) -> None:
    """A citation that did not resolve although the registry has several documents it may be."""
    candidates: list[RegistryDocument] = []
    if r.symbol is not None and r.symbol.year is None:
        candidates = registry.lookup(r.symbol, c.year)
        if len(candidates) < 2 and c.year is not None:
            return  # its date picks one (or none): not ambiguous
        candidates = candidates if len(candidates) >= 2 else registry.lookup(r.symbol)
    elif r.symbol is None and c.kind == "truncated" and c.number and c.type:
        candidates = registry.lookup_number(c.number, c.type)
    elif r.symbol is None and c.title:
        want = _fold(c.title)
        candidates = [d for d, t in resolver._titles if t and t == want]
    if len(candidates) < 2:
        return
    names = ", ".join(str(d.symbol) + (f" ({_vn(d.issued)})" if d.issued else "") for d in candidates)
    message = f"ambiguous: may be {names}"
    if plan_date is not None:
        before = [d for d in candidates if d.issued is not None and d.issued <= plan_date]
        when = _vn(plan_date)
    elif plan_year is not None:
        before = [d for d in candidates if d.issued is not None and d.issued.year <= plan_year]
        when = str(plan_year)
    else:
        before = []
    if len(before) == 1:
        message += f"; only {before[0].symbol} had been issued by the plan's date ({when})"
    issue(
        "ambiguous",
        _one_line(r.text),
        "; ".join(str(d.symbol) for d in candidates),
        message + ": print the full symbol",
    )


def check_files(paths: Iterable[str], resolver: Resolver) -> tuple[list[CiteIssue], list[str]]:
    """(problems, error lines) of plan files read from disk."""
    from .analyze import analyze_text
    from .read import ReadError, read_text

    issues: list[CiteIssue] = []
    errors: list[str] = []
    for path in paths:
        try:
            analysis = analyze_text(path, read_text(path), resolver)
        except ReadError as exc:
            errors.append(f"{path}: {exc}")
            continue
        issues.extend(check_analysis(analysis, resolver))
    return issues, errors


def check_stored_plans(store: Any, resolver: Resolver, files: list[str] | None = None) -> tuple[list[CiteIssue], int]:
    """The problems of the store's plans whose source file is still on disk as ingested (same content hash);
    returns them and the number of plans skipped (file gone or changed since)."""
    from .analyze import analyze_text
    from .api.services.plan_lookup import plans
    from .read import ReadError, read_text

    issues: list[CiteIssue] = []
    skipped = 0
    for p in plans(store):
        if files is not None and p.file not in files:
            continue
        try:
            analysis = analyze_text(p.file, read_text(p.file), resolver)
        except ReadError:
            skipped += 1
            continue
        if store.graph_content_hash(analysis.key) != analysis.content_hash:
            skipped += 1
            continue
        issues.extend(check_analysis(analysis, resolver))
    return issues, skipped
