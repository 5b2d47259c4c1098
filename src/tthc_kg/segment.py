"""Where a plan's legal bases are: the preamble ("Căn cứ …", "Thực hiện …", "Theo/Xét đề nghị …").

A citation inside a preamble region has role "basis" (DESIGN.md "Contracts"); the task-table regions come from
:mod:`tthc_kg.tasks`; everything else is a "mention". A file may hold a Quyết định and the Kế hoạch it issues
(seeds 000, 002): each document title ("QUYẾT ĐỊNH", "KẾ HOẠCH" on a line of its own) opens a new head, and each
head may have its own preamble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that open a preamble paragraph. "Thực hiện"/"Theo" also open ordinary sentences and table rows, so they
# count only in a document's head (before its body starts) — see segment().
_PREAMBLE_START = re.compile(
    r"^[ \t>*_#-]{0,6}(?:Căn cứ|Thực hiện|Triển khai|Theo đề nghị|Xét đề nghị|Theo [Tt]ờ trình|Xét [Tt]ờ trình"
    r"|Theo chỉ đạo|Theo ý kiến)\b"
)
# Lines that open a document's body: the enacting word of a decision, its first article, a first section, a table.
_BODY_START = re.compile(
    r"^[ \t>*_#-]{0,6}(?:"
    r"(?:QUYẾT ĐỊNH|NGHỊ QUYẾT|CHỈ THỊ|QUYẾT NGHỊ|BAN HÀNH)[ \t*_]{0,4}:"
    r"|Điều[ \t]+1[ \t]*[.:]"
    r"|(?:Phần[ \t]+)?I[ \t]*[.:\-–][ \t]*[A-ZĐ]"
    r"|I[ \t]*\.[ \t]*$"
    r"|1[ \t]*\.[ \t]*[A-ZĐ]{2}"
    r"|STT\b|Stt\b|TT\t"
    r"|PHỤ LỤC|Phụ lục"
    r")"
)
# A document title on its own line opens a new head (the plan attached to a decision).
_TITLE_LINE = re.compile(r"^[ \t>*_#]{0,6}(?:QUYẾT ĐỊNH|KẾ HOẠCH|CHỈ THỊ|NGHỊ QUYẾT|CHƯƠNG TRÌNH|ĐỀ ÁN)[ \t*_]*$")


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    kind: str  # "preamble"


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def preamble_regions(text: str) -> list[Region]:
    """The preamble regions of every document head in the text, in order."""
    regions: list[Region] = []
    state = "head"
    start: int | None = None
    for a, b in _lines(text):
        line = text[a:b]
        if state == "head":
            if _PREAMBLE_START.match(line):
                start, state = a, "preamble"
            elif _BODY_START.match(line):
                state = "body"
        elif state == "preamble":
            if _BODY_START.match(line) or _TITLE_LINE.match(line):
                assert start is not None
                regions.append(Region(start, a, "preamble"))
                state = "head" if _TITLE_LINE.match(line) else "body"
                start = None
        elif state == "body" and _TITLE_LINE.match(line):
            state = "head"
    if state == "preamble" and start is not None:
        # no body after the preamble: only the paragraphs that open with a preamble word count
        regions.append(Region(start, _paragraph_end(text, start), "preamble"))
    return regions


def _paragraph_end(text: str, start: int) -> int:
    m = re.compile(r"\n[ \t]*\n[ \t]*(?!Căn cứ|Thực hiện|Theo|Xét)\S").search(text, start)
    return m.start() if m else len(text)


def in_regions(pos: int, regions: list[Region]) -> bool:
    return any(r.start <= pos < r.end for r in regions)


# --- the clause a citation stands in (its context, for search and for reading) --------------------------------

CLAUSE_MAX = 400  # characters on each side of a citation, at most
# Where a clause ends: a ";", a full stop before a space, a tab (a table cell), or a new line that opens a preamble
# paragraph, a list item ("- ", "+ ", "a) ", "2.3. ") or an HTML line break. PDF text breaks lines inside
# sentences, so a plain new line is not a boundary.
_CLAUSE_BOUNDARY = re.compile(
    r";|\.(?=\s)|\t|<br\s*/?>|</(?:p|li|td|tr|div)>"
    r"|\n(?=[ \t>*_#]{0,6}(?:Căn cứ|Thực hiện|Triển khai|Theo đề nghị|Xét đề nghị|Theo [Tt]ờ trình"
    r"|[-+•]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ]\)\s))",
    re.I,
)
_LIST_HEAD = re.compile(r"[^;:]{3,120}:", re.S)  # "Căn cứ các Nghị định của Chính phủ:"
_TAGS = re.compile(r"<[^>]{0,200}>")
_PARA_OPEN = re.compile(r"(?m)^[ \t>*_#-]{0,6}(?:Căn cứ|Thực hiện)")
_LIST_MAX = 8000  # characters back from a clause to the head of the list it belongs to, at most


def clause(text: str, start: int, end: int, regions: list[Region] | tuple[Region, ...] = ()) -> str:
    """The clause of ``text`` around the span [start, end): from the previous boundary to the next (see
    ``_CLAUSE_BOUNDARY``), within the preamble region holding it, HTML tags dropped, whitespace collapsed.

    A clause of a list that shares its type word ("Căn cứ các Nghị định của Chính phủ: số 20/2008/NĐ-CP …; số
    61/2018/NĐ-CP … về thực hiện cơ chế một cửa …") gets the list's head in front, so it still says what it is:
    "Căn cứ các Nghị định của Chính phủ: số 61/2018/NĐ-CP … về thực hiện cơ chế một cửa …"."""
    region = next((r for r in regions if r.start <= start < r.end), None)
    lo = max(region.start if region else 0, start - CLAUSE_MAX)
    hi = min(region.end if region else len(text), end + CLAUSE_MAX)
    a = lo
    for m in _CLAUSE_BOUNDARY.finditer(text, lo, start):
        a = m.end()
    m = _CLAUSE_BOUNDARY.search(text, end, hi)
    b = m.start() if m else hi
    body = _flat(text[a:b])
    if region is not None and a > region.start and re.match(r"số\b", body):
        floor = max(region.start, a - _LIST_MAX)  # bounded: linear however long the preamble
        para = max((m.start() for m in _PARA_OPEN.finditer(text, floor, a)), default=-1)
        head = _LIST_HEAD.match(text, para) if para >= region.start else None
        if head is not None and head.end() <= a:
            body = _flat(head.group()) + " " + body
    return body


def _flat(text: str) -> str:
    return " ".join(_TAGS.sub(" ", text).split()).strip(" ,")
