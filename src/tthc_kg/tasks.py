"""Task tables: the rows of a plan's table of tasks, in every layout the seeds show.

Layouts: tab-separated rows with HTML fragments (seeds 001, 004; a row broken across lines continues on a line
whose first cell is empty), pipe tables, and text lines — PDF text or one cell per paragraph (seeds 000, 002,
003), whose cells are told apart in :mod:`tthc_kg.tasks_pdf`. The columns come from the header row (STT, Nội dung,
Đơn vị chủ trì, Đơn vị phối hợp, Thời gian, Kết quả, Ghi chú, Căn cứ thực hiện …). A row is a task; a group
heading (I, II …; a bold "2.1" with nothing else) is a section, unless it carries agencies or a timeframe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .agencies import split_agencies
from .header import find_table_regions
from .models_tasks import Section, Task
from .tasks_pdf import Bigrams, Line, _emission, label_table
from .timeframe import parse_timeframe

# column names of the header row, most specific first; "Cơ quan thực hiện" is a group over chủ trì / phối hợp
_COLUMNS = re.compile(
    r"(?P<lead>(?:Đơn\s+vị|Cơ\s+quan)?\s*chủ\s+trì)|(?P<coord>(?:Đơn\s+vị|Cơ\s+quan)?\s*phối\s+hợp)|"
    r"(?P<time>Thời\s+(?:gian|hạn|điểm)|Tiến\s+độ)|(?P<output>Kết\s+quả|Sản\s+phẩm|Dự\s+kiến)|(?P<notes>Ghi\s+chú)|"
    r"(?P<basis>Căn\s+cứ)|(?P<group>(?:Cơ\s+quan|Đơn\s+vị)\s+thực\s+hiện)|"
    r"(?P<content>Nội\s+dung|Tên\s+nhiệm\s+vụ|Nhiệm\s+vụ|Công\s+việc)|(?P<stt>\bS\s?[Tt]\s?[Tt]\b|\bTT\b)",
    re.I,
)
_TAGS = re.compile(r"<[^>]+>")
_ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
]
_ROMAN_LINE = re.compile(r"^([IVX]+)\.?(?:\s+(\S.*))?$")
_NUM_LINE = re.compile(r"^(\d+(?:\.\d+)*)\.?(?:\s+(\S.*))?$")


@dataclass
class TaskTable:
    tasks: list[Task] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    header_spans: list[tuple[int, int]] = field(default_factory=list)  # header rows, first and repeated


def columns_of(header: str) -> list[str]:
    """Column kinds in order from the header text ("STT Nội dung công việc Thời gian thực hiện …")."""
    kinds: list[str] = []
    for m in _COLUMNS.finditer(" ".join(_TAGS.sub(" ", header).split())):
        k = m.lastgroup or ""
        if kinds and kinds[-1] == k:
            continue  # "Dự kiến kết quả", "Kết quả/Sản phẩm"
        kinds.append(k)
    if "group" in kinds:
        g = kinds.index("group")
        subs = [k for k in kinds[g + 1 :] if k in ("lead", "coord")]
        kinds = [k for i, k in enumerate(kinds) if not (i > g and k in subs)]
        kinds[g : g + 1] = subs or ["lead"]
    seen: list[str] = []
    for k in kinds:
        if k not in seen:
            seen.append(k)
    return seen


def _clean(s: str) -> str:
    s = _TAGS.sub(" ", s)
    s = re.sub(r"(\w)-\s+(?=[A-ZĐa-z0-9])", r"\1-", s) if re.search(r"\w-\s*$", s) else s
    return " ".join(s.split())


def _join(parts: list[str]) -> str:
    """Join the fragments of a cell; a symbol broken after "-" ("61/2018/NĐ-" + "CP") is joined without space."""
    out = ""
    for p in parts:
        p = _TAGS.sub(" ", p).strip()
        if not p:
            continue
        if out.endswith("-") and re.search(r"[\w/]-$", out) and re.match(r"[A-ZĐa-z0-9]", p):
            out += p
        elif out and (out.endswith(" " + p) or out == p):
            continue  # a fragment repeated by the converter ("…có liên quan" + "liên quan")
        else:
            out = f"{out} {p}" if out else p
    return " ".join(out.split())


def _task(
    number: str,
    section: str | None,
    cells: dict[str, list[tuple[str, int, int]]],
    start: int,
    end: int,
    spans: list[tuple[int, int]],
    plan_year: int | None,
) -> Task:
    def text(kind: str) -> str | None:
        v = _join([t for t, _, _ in cells.get(kind, [])])
        return v or None

    tf_text = text("time")
    tf = parse_timeframe(tf_text, plan_year) if tf_text else None
    basis = cells.get("basis", [])
    basis_spans = tuple((s, e) for t, s, e in basis if t.strip())
    return Task(
        number=number,
        section=section,
        content=text("content") or "",
        lead=tuple(split_agencies(text("lead") or "")),
        coordinators=tuple(split_agencies(text("coord") or "")),
        timeframe=tf_text,
        due=tf.due if tf else None,
        recurring=tf.recurring if tf else False,
        outputs=text("output"),
        notes=text("notes"),
        basis=text("basis"),
        start=start,
        end=end,
        basis_span=(basis_spans[0][0], basis_spans[-1][1]) if basis_spans else None,
        line_spans=tuple(spans),
        basis_spans=basis_spans,
    )


# --- tab-separated and pipe tables ---------------------------------------------------------------------------
def _cells(line: str, start: int) -> list[tuple[str, int, int]]:
    sep = "\t" if "\t" in line else "|"
    body = line
    out, pos = [], 0
    if sep == "|":
        body = line.strip()
        pos = line.find(body)
        if body.startswith("|"):
            body, pos = body[1:], pos + 1
        if body.endswith("|"):
            body = body[:-1]
    for part in body.split(sep):
        lead = len(part) - len(part.lstrip())
        out.append((part.strip(), start + pos + lead, start + pos + lead + len(part.strip())))
        pos += len(part) + 1
    return out


def _align(cells: list[tuple[str, int, int]], kinds: list[str]) -> list[tuple[str, int, int] | None]:
    """Give cells to columns; extra empty cells (a shifted row, seed 001's 2.5) are dropped where it fits best."""
    if len(cells) <= len(kinds):
        return [*cells, *[None] * (len(kinds) - len(cells))]
    best: tuple[float, list[tuple[str, int, int] | None]] = (float("-inf"), [])

    def rec(i: int, c: int, acc: list[tuple[str, int, int] | None], score: float) -> None:
        nonlocal best
        if c == len(kinds):
            if all(not t for t, _, _ in cells[i:]) and score > best[0]:
                best = (score, acc)
            return
        if i == len(cells):
            return
        t = cells[i][0]
        if not t:
            rec(i + 1, c, acc, score)  # drop an empty cell
        sc = _emission(kinds[c], _clean(t), True, 10_000) if t and kinds[c] not in ("stt", "content") else 0.0
        rec(i + 1, c + 1, [*acc, cells[i]], score + sc)

    rec(0, 0, [], 0.0)
    return best[1] or cells[: len(kinds)]


def _tsv_table(
    text: str, lines: list[tuple[str, int, int]], kinds: list[str], plan_year: int | None, table: TaskTable
) -> None:
    rows: list[dict] = []
    for line, s, e in lines:
        if not line.strip() or re.match(r"^[-\s|:\t]+$", line):
            continue
        cells = _cells(line, s)
        first = _clean(cells[0][0])
        if not first and rows:  # continuation line: cell by cell into the row above
            for k, cell in zip(kinds, _align(cells, kinds), strict=False):
                if cell and cell[0]:
                    rows[-1]["cells"].setdefault(k, []).append(cell)
            rows[-1]["end"] = e
            rows[-1]["spans"].append((s, e))
            continue
        aligned = _align(cells, kinds)
        cellmap: dict[str, list[tuple[str, int, int]]] = {}
        for k, cell in zip(kinds, aligned, strict=False):
            if cell and cell[0]:
                cellmap.setdefault(k, []).append(cell)
        rows.append(
            {
                "number": first.rstrip("."),
                "bold": "<b>" in cells[1][0] if len(cells) > 1 else False,
                "cells": cellmap,
                "start": s,
                "end": e,
                "spans": [(s, e)],
            }
        )
    numbers = [r["number"] for r in rows]
    romans = any(n in _ROMAN for n in numbers)
    groups: dict[str, str] = {}
    roman = ""
    for i, r in enumerate(rows):
        n = r["number"]
        nxt = numbers[i + 1] if i + 1 < len(numbers) else ""
        own = any(k in r["cells"] for k in ("lead", "coord", "time", "output", "basis"))
        title = _join([t for t, _, _ in r["cells"].get("content", [])])
        if n in _ROMAN:
            roman = n
        key = f"{roman}.{n}" if romans and roman and n not in _ROMAN else n
        section = _enclosing(groups, key)
        if n in _ROMAN or (not own and (nxt.startswith(n + ".") or r["bold"])):
            table.sections.append(Section(key, title, r["start"], r["end"]))
            groups[key] = title
            if not own:
                continue
        table.tasks.append(_task(key, section, r["cells"], r["start"], r["end"], r["spans"], plan_year))


def _enclosing(groups: dict[str, str], number: str) -> str | None:
    """The title of the nearest group whose number is a prefix of this one ("2.1" for "2.1.3", "I" for "I.2")."""
    parts = number.split(".")
    for k in range(len(parts) - 1, 0, -1):
        if (g := ".".join(parts[:k])) in groups:
            return groups[g]
    return None


# --- tables as text lines (PDF text, one cell per paragraph) -----------------------------------------------
def _text_lines(text: str, start: int, end: int) -> list[Line]:
    out: list[Line] = []
    pos = start
    brk = False
    for raw in text[start:end].splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = body.index(stripped[0])
            out.append(Line(stripped, pos + lead, pos + lead + len(stripped), brk or body.startswith(" ")))
            brk = False
        pos += len(raw)
    return out


def _norm(s: str) -> str:
    return " ".join(s.split()).lower()


def _text_table(text: str, start: int, end: int, kinds: list[str], plan_year: int | None, table: TaskTable) -> None:
    lines = _text_lines(text, start, end)
    # the header row: from the STT line to the first row (a Roman section "I" or item "1")
    h = 1
    while h < len(lines) and not re.match(r"^(?:I|1)\.?(?:\s|$)", lines[h].text):
        h += 1
    header = {_norm(ln.text) for ln in lines[:h]}
    table.header_spans.append((lines[0].start, lines[h - 1].end))
    body: list[Line] = []
    i = h
    while i < len(lines):
        if _norm(lines[i].text) == _norm(lines[0].text):  # the header row again, on a new page
            j = i
            while j < len(lines) and _norm(lines[j].text) in header:
                j += 1
            table.header_spans.append((lines[i].start, lines[j - 1].end))
            if j < len(lines):
                lines[j] = Line(lines[j].text, lines[j].start, lines[j].end, True)
            i = j
            continue
        body.append(lines[i])
        i += 1
    # rows and sections by their numbers, which must follow each other (a bare "2021" is no row)
    blocks: list[tuple[str, str, Line, list[Line]]] = []  # (kind, number, first line, lines)
    roman_i = 0
    last: list[int] = []
    restart = False  # after a section heading items may start again from 1, or go on
    for ln in body:
        mr = _ROMAN_LINE.match(ln.text)
        if (
            mr
            and roman_i < len(_ROMAN)
            and mr.group(1) == _ROMAN[roman_i]
            and (not mr.group(2) or not mr.group(2)[0].islower())
        ):
            roman_i += 1
            blocks.append(("section", mr.group(1), ln, [ln]))
            restart = True
            continue
        mn = _NUM_LINE.match(ln.text)
        if mn and (not mn.group(2) or not mn.group(2)[0].islower()):
            parts = [int(x) for x in mn.group(1).split(".")]
            expected = _next_numbers(last) | ({(1,)} if restart else set())
            if tuple(parts) in expected:
                last, restart = parts, False
                blocks.append(("row", mn.group(1), ln, [ln]))
                continue
        if blocks:
            blocks[-1][3].append(ln)
    rows = [b for b in blocks if b[0] == "row"]
    row_lines = [_row_body(b) for b in rows]
    _, labelled = label_table([r for r, _ in row_lines], kinds, Bigrams(text))
    by_row = iter(zip(row_lines, labelled, strict=True))
    section: str | None = None
    roman = ""
    romans = any(b[0] == "section" for b in blocks)
    for kind, number, first, blines in blocks:
        if kind == "section":
            title_lines = blines
            title = _join([ln.text for ln in title_lines])
            title = re.sub(rf"^{number}\.?\s*", "", title)
            table.sections.append(Section(number, title, title_lines[0].start, title_lines[-1].end))
            section, roman = title, number
            continue
        (_, num_span), pieces = next(by_row)
        cells: dict[str, list[tuple[str, int, int]]] = {}
        for pc in pieces:
            cells.setdefault(kinds[pc.column], []).append((pc.text, pc.start, pc.end))
        spans = [num_span, *((pc.start, pc.end) for pc in pieces)]
        full = f"{roman}.{number}" if romans and roman else number
        table.tasks.append(_task(full, section, cells, first.start, blines[-1].end, spans, plan_year))


def _next_numbers(last: list[int]) -> set[tuple[int, ...]]:
    """Numbers that may follow ``last``: the next sibling at any level, a first child, or 1 after a section."""
    if not last:
        return {(1,), (1, 1)}
    out = {(*last, 1)}
    for k in range(len(last)):
        out.add((*last[:k], last[k] + 1))
    return out


def _row_body(block: tuple[str, str, Line, list[Line]]) -> tuple[list[Line], tuple[int, int]]:
    """The lines of a row without its number; "2 Tham gia …" gives the text after the number as a line."""
    _, number, first, blines = block
    m = _NUM_LINE.match(first.text)
    rest = m.group(2) if m else None
    num_end = first.start + len(number)
    out = list(blines[1:])
    if rest:
        off = first.text.index(rest, len(number))
        out.insert(0, Line(rest, first.start + off, first.end, False))
    return out, (first.start, num_end)


# --- entry points ------------------------------------------------------------------------------------------
def extract_table(text: str, plan_year: int | None = None) -> TaskTable:
    """Tasks, group headings and header rows of every task table of the text (normalized text)."""
    table = TaskTable()
    for start, end in find_table_regions(text):
        raw = text[start:end].splitlines(keepends=True)
        hdr_end = 0
        header = ""
        for k, ln in enumerate(raw):  # header lines up to the first row
            if k and re.match(r"^\s*(?:<b>)?\s*(?:I|1)\.?\s*(?:</b>)?(?:\s|\t|$)", ln):
                break
            header += " " + ln
            hdr_end = k + 1
        kinds = columns_of(header)
        if "content" not in kinds:
            continue
        if "\t" in raw[0] or raw[0].lstrip().startswith("|"):
            table.header_spans.append((start, start + len("".join(raw[:hdr_end])).__int__() - 1))
            pos = start + len("".join(raw[:hdr_end]))
            lines = []
            for ln in raw[hdr_end:]:
                lines.append((ln.rstrip("\r\n"), pos, pos + len(ln.rstrip("\r\n"))))
                pos += len(ln)
            _tsv_table(text, lines, kinds, plan_year, table)
        else:
            _text_table(text, start, end, [k for k in kinds if k != "stt"], plan_year, table)
    _unique_numbers(table)
    return table


def _unique_numbers(table: TaskTable) -> None:
    """Numbers are unique within a file: a second table numbered from 1 again gets "PL2." and so on."""
    seen: set[str] = set()
    for i, t in enumerate(table.tasks):
        n, k = t.number, 2
        while n in seen:
            n, k = f"PL{k}.{t.number}", k + 1
        seen.add(n)
        if n != t.number:
            table.tasks[i] = Task(**{**t.__dict__, "number": n})


def extract_tasks(text: str, plan_year: int | None = None) -> list[Task]:
    """The tasks of the plan's task table(s); ``plan_year`` fills timeframes printed without a year."""
    return extract_table(text, plan_year).tasks
