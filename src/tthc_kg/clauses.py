"""Article references ("khoản 1 Điều 16", "điểm b, c khoản 1 Điều 35", "Điều 3, 5, 8") as sets of parts, and
whether a cited part falls in a changed one (``tthc-kg impact``: a partial repeal or an amendment of a clause)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    article: int
    clause: int | None = None  # khoản
    point: str | None = None  # điểm


_SEP = r"(?:\s*(?:,|;|và|–|—|-|đến)\s*)"
_REF = re.compile(
    rf"(?:điểm\s+(?P<points>[a-zđ](?:{_SEP}[a-zđ])*)\s*,?\s+)?"
    rf"(?:khoản\s+(?P<clauses>\d+(?:{_SEP}\d+)*)\s*,?\s+)?"
    rf"điều\s+(?P<articles>\d+(?:{_SEP}(?:điều\s+)?\d+(?!\s*(?:khoản|điểm)))*)",
    re.I,
)
_NUM = re.compile(r"\d+|[a-zđ]\b", re.I)


def _items(text: str, numeric: bool) -> list[str]:
    """The items of a list, ranges expanded ("1–3" → 1, 2, 3)."""
    out: list[str] = []
    tokens = re.split(r"(\s*(?:–|—|-|đến)\s*|\s*(?:,|;|và)\s*|\s+)", text)
    pending_range = False
    for tok in tokens:
        t = tok.strip().lower()
        if not t:
            continue
        if t in ("–", "—", "-", "đến"):
            pending_range = True
            continue
        if t in (",", ";", "và", "điều"):
            pending_range = False
            continue
        if numeric and not t.isdigit():
            continue
        if pending_range and out and numeric:
            start = int(out[-1])
            out.extend(str(n) for n in range(start + 1, int(t) + 1))
        else:
            out.append(t)
        pending_range = False
    return out


def parse_parts(text: str | None) -> frozenset[Part]:
    """Every part an article reference names; empty when it names none ("một số khoản", a phrase)."""
    if not text:
        return frozenset()
    text = unicodedata.normalize("NFC", text)
    parts: set[Part] = set()
    for m in _REF.finditer(text):
        articles = [int(a) for a in _items(m.group("articles"), True)]
        clauses = [int(c) for c in _items(m.group("clauses"), True)] if m.group("clauses") else [None]
        points = _items(m.group("points"), False) if m.group("points") else [None]
        # "khoản 1 Điều 12, điểm c khoản 1 Điều 4": clauses and points belong to the first article of the match
        for i, article in enumerate(articles):
            if i == 0:
                parts.update(
                    Part(article, c, p) for c in clauses for p in (points if clauses[0] is not None else [None])
                )
                if clauses == [None] and points != [None]:
                    parts.update(Part(article, None, p) for p in points)
            else:
                parts.add(Part(article))
    return frozenset(parts)


def _inside(cited: Part, changed: Part) -> bool:
    """The cited part lies wholly in the changed part."""
    if cited.article != changed.article:
        return False
    if changed.clause is None:
        return True
    if cited.clause != changed.clause:
        return False
    return changed.point is None or cited.point == changed.point


def _overlaps(cited: Part, changed: Part) -> bool:
    """The cited part contains the changed part (the whole Điều 16 cited, its khoản 1 repealed)."""
    return _inside(changed, cited)


def clause_check(cited: str | None, changed: str | None) -> str | None:
    """``inside`` (a cited part lies in the changed part), ``overlaps`` (a cited part contains it), ``outside``
    (no cited part meets it), or None when either side names no part (the whole document cited, or a scope such
    as "một số khoản" that names none)."""
    c, r = parse_parts(cited), parse_parts(changed)
    if not c or not r:
        return None
    if any(_inside(x, y) for x in c for y in r):
        return "inside"
    if any(_overlaps(x, y) for x in c for y in r):
        return "overlaps"
    return "outside"
