"""The header(s) of a plan, its body sections and the region of its task table.

A file may hold a Quyết định and the Kế hoạch it issues (seeds 000, 002); PDF extraction may put a header block
in the middle of the text (seed 000: after Điều 2). Each document starts at its type line ("QUYẾT ĐỊNH",
"KẾ HOẠCH"); issuer blocks ("UBND TỈNH HƯNG YÊN" / "SỞ KHOA HỌC VÀ CÔNG NGHỆ"), "Số:" lines and dated place lines
are collected anywhere and given to the nearest document, one each, closest pairs first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .models_tasks import PlanHeader, Section

_DOC_TYPES = {
    "KẾ HOẠCH": "Kế hoạch",
    "QUYẾT ĐỊNH": "Quyết định",
    "CHỈ THỊ": "Chỉ thị",
    "THÔNG BÁO": "Thông báo",
    "CHƯƠNG TRÌNH": "Chương trình",
    "ĐỀ ÁN": "Đề án",
    "NGHỊ QUYẾT": "Nghị quyết",
    "CÔNG VĂN": "Công văn",
}
_MD = re.compile(r"^[#>*_\s]+|[*_\s]+$")  # markdown decoration around a line
_TYPE_LINE = re.compile(rf"^({'|'.join(_DOC_TYPES)})$")
_PARENT = re.compile(r"^(?:UBND|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)\s+(TỈNH|THÀNH PHỐ|TP\.?)\s+(.+)$")
_ISSUER = re.compile(r"^(SỞ|BAN|VĂN PHÒNG|THANH TRA|CHI CỤC|TRUNG TÂM|CỤC|ỦY BAN NHÂN DÂN|UBND)\s+\S.*$")
_NUMBER = re.compile(r"Số\s*:\s*(\d*)\s*(/\s*[A-ZĐa-zđ0-9\-]+(?:/[A-ZĐ0-9\-]+)?)")
_DATE = re.compile(
    r"(?:^|\s{2,}|^Số.*?\s)([A-ZĐÀ-Ỹ][^\d,;:()]{1,30}?),\s*ngày\s*(\d{0,2})\s*tháng\s*(\d{0,2})\s*năm\s*(\d{4})"
)
_ATTACHED = re.compile(
    r"\((?:Ban hành\s+)?[Kk]èm theo\s+(Kế hoạch|Quyết định)\s+số\s*:?\s*(\d*)\s*(/[^\s]+)\s+ngày\s*(\d{0,2})\s*"
    r"(?:/|tháng)\s*(\d{0,2})\s*(?:/|năm)\s*(\d{4})\s+của\s+([^)]+)\)"
)
_NATIONAL = re.compile(r"CỘNG H[OÒ]A XÃ HỘI|Độc lập\s*-\s*Tự do|^-{3,}$")


@dataclass
class _Line:
    text: str
    start: int
    end: int


# _MD's two character classes for str.strip: \s is str.isspace, every character of which is listed here
# (tests/test_tasks.py checks the list against all of Unicode)
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_MD_LEAD, _MD_TRAIL = "#>*_" + _SPACES, "*_" + _SPACES


def _strip_md(body: str) -> str:
    """``_MD.sub("", body)`` for a line without line breaks, without a regex search at every position."""
    return body.lstrip(_MD_LEAD).rstrip(_MD_TRAIL)


_last_lines: tuple[str, list[_Line]] | None = None


def _lines(text: str) -> list[_Line]:
    """The text's non-blank lines, markdown decoration stripped (the same list for the same text in a row:
    parse_headers and find_table_regions read each file's; callers do not change it)."""
    global _last_lines
    if _last_lines is not None and _last_lines[0] is text:
        return _last_lines[1]
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        rest = body.lstrip(_MD_LEAD)
        stripped = rest.rstrip(_MD_TRAIL)  # _strip_md(body)
        if stripped:
            a = pos + len(body) - len(rest)  # where it starts: after the decoration
            out.append(_Line(stripped, a, a + len(stripped)))
        pos += len(raw)
    _last_lines = (text, out)
    return out


def _title_case_name(upper: str) -> str:
    """ "SỞ KHOA HỌC VÀ CÔNG NGHỆ" → "Sở Khoa học và Công nghệ"; proper names keep capitals."""
    words = upper.split()
    head = {"SỞ": "Sở", "BAN": "Ban", "VĂN": "Văn", "PHÒNG": "phòng", "THANH": "Thanh", "TRA": "tra"}
    out = []
    for i, w in enumerate(words):
        if i == 0:
            out.append(head.get(w, w.capitalize()))
        elif w in ("VÀ", "CỦA"):
            out.append(w.lower())
        elif words[i - 1] in ("VÀ", "SỞ", "BAN") or i == 1:
            out.append(w.capitalize())
        else:
            out.append(w.lower())
    s = " ".join(out)
    return s.replace("Khoa học và công nghệ", "Khoa học và Công nghệ").replace("Công thương", "Công Thương")


def _province(parent_upper: str) -> str:
    return " ".join(w.capitalize() for w in parent_upper.split())


def parse_headers(text: str) -> list[PlanHeader]:
    """Headers of the documents in the file, in order; the plan's (the last Kế hoạch) is last."""
    lines = _lines(text)
    docs = [i for i, ln in enumerate(lines) if _TYPE_LINE.match(ln.text.upper() if ln.text.isupper() else ln.text)]
    if not docs:
        return []
    blocks: list[tuple[int, str | None, str | None]] = []  # (line index, parent, issuer)
    for i, ln in enumerate(lines):
        m = _PARENT.match(ln.text)
        if m and ln.text.isupper():
            nxt = lines[i + 1].text if i + 1 < len(lines) else ""
            issuer = _title_case_name(nxt) if _ISSUER.match(nxt) and nxt.isupper() else None
            blocks.append((i, f"UBND {m.group(1).lower()} {_province(m.group(2))}", issuer))
    # (a literal look first: both patterns hold one, and most lines have neither: a search tries every position)
    numbers = [(i, m) for i, ln in enumerate(lines) if "Số" in ln.text and (m := _NUMBER.search(ln.text))]
    dates = [(i, m) for i, ln in enumerate(lines) if "ngày" in ln.text and (m := _DATE.search(ln.text))]

    def assign(items: list[tuple[int, object]]) -> dict[int, object]:
        pairs = sorted((abs(i - d), i, d) for i, _ in items for d in docs)
        got: dict[int, object] = {}
        used: set[int] = set()
        by_line = dict(items)
        for _, i, d in pairs:
            if d not in got and i not in used:
                got[d] = by_line[i]
                used.add(i)
        return got

    block_of = assign([(i, (i, p, s)) for i, p, s in blocks])
    doc_of_block = {v[0]: d for d, v in block_of.items()}  # type: ignore[index]

    def attach(items: list[tuple[int, re.Match[str]]]) -> dict[int, object]:
        """A "Số:" or date line within a few lines after an issuer block belongs to that block's document."""
        got: dict[int, object] = {}
        rest = []
        for i, m in items:
            near = [b for b in doc_of_block if 0 <= i - b <= 12]
            if near and doc_of_block[max(near)] not in got:
                got[doc_of_block[max(near)]] = m
            else:
                rest.append((i, m))
        for d, m in assign([(i, m) for i, m in rest if True]).items():
            got.setdefault(d, m)
        return got

    number_of = attach(numbers)
    date_of = attach(dates)
    out: list[PlanHeader] = []
    for n, d in enumerate(docs):
        doc_type = _DOC_TYPES[lines[d].text.upper()]
        end_line = docs[n + 1] if n + 1 < len(docs) else len(lines)
        title_parts = []
        for ln in lines[d + 1 : min(d + 6, end_line)]:
            if ln.text.startswith(("(", "Căn cứ", "Thực hiện", "Theo")) or _NATIONAL.search(ln.text):
                break
            if ln.text.isupper() and title_parts and not title_parts[-1].isupper():
                break  # "GIÁM ĐỐC SỞ …" after a sentence-case title
            title_parts.append(ln.text)
        block = block_of.get(d)
        parent = block[1] if block else None  # type: ignore[index]
        issuer = block[2] if block else None  # type: ignore[index]
        num_m = number_of.get(d)
        number = (num_m.group(1) + num_m.group(2).replace(" ", "")) if num_m else None  # type: ignore[union-attr]
        dm = date_of.get(d)
        place = date_text = None
        day = month = year = None
        if dm is not None:
            place, date_text = dm.group(1).strip(), dm.group(0).strip()  # type: ignore[union-attr]
            date_text = date_text[date_text.find(place) :]
            day, month, year = (int(g) if g else None for g in dm.groups()[1:])  # type: ignore[union-attr]
        region = text[lines[d].start : lines[end_line - 1].end if end_line - 1 < len(lines) else len(text)]
        att = _ATTACHED.search(region)
        if att:
            if issuer is None:
                issuer = re.sub(r"^(?:Giám đốc|Chủ tịch)\s+", "", att.group(7).strip())
            if att.group(1) == doc_type and number is None:
                number = att.group(2) + att.group(3).rstrip(",;")
            if year is None:
                year = int(att.group(6))
                month = int(att.group(5)) if att.group(5) else None
        province = None
        if parent:
            province = parent.split(" ", 2)[2] if parent.startswith("UBND tỉnh") else parent.split(" ", 1)[1]
        elif place and re.search(rf"tỉnh\s+{re.escape(place)}", text):
            province, parent = place, f"UBND tỉnh {place}"
        if issuer is None and (g := re.search(r"^GIÁM ĐỐC (SỞ [^\n]+?)\s*$", region, re.M)):
            issuer = _title_case_name(g.group(1))
        if issuer is None:
            m = re.search(r"(Sở [A-ZĐ][\wÀ-ỹ ]+?)(?:\s*\([^)]*\))?\s+(?:xây dựng|ban hành)\s+Kế hoạch", region)
            issuer = m.group(1) if m else None
        if year is None:
            ym = re.search(r"năm\s+(\d{4})", " ".join(title_parts))
            year = int(ym.group(1)) if ym else None
        dt = date(year, month, day) if year and month and day else None
        out.append(
            PlanHeader(
                issuer=issuer,
                parent_issuer=parent,
                province=province,
                number=number,
                place=place,
                date=dt,
                date_text=date_text,
                title=" ".join(title_parts) or None,
                doc_type=doc_type,
                year=year,
                month=month,
                start=lines[d].start,
                end=lines[end_line - 1].end if end_line else lines[d].end,
            )
        )
    # documents of one file share their issuer and province when one of them does not print its own
    for k, h in enumerate(out):
        other = next((o for o in reversed(out) if o is not h and o.parent_issuer), None)
        if other and h.parent_issuer is None:
            out[k] = h = PlanHeader(**{**h.__dict__, "parent_issuer": other.parent_issuer, "province": other.province})
        other = next((o for o in reversed(out) if o is not h and o.issuer), None)
        if other and h.issuer is None:
            out[k] = PlanHeader(**{**h.__dict__, "issuer": other.issuer})
    # the plan last: a Quyết định that issues a Kế hoạch comes first
    plans = [h for h in out if h.doc_type == "Kế hoạch"]
    if plans and out[-1] is not plans[-1]:
        out.remove(plans[-1])
        out.append(plans[-1])
    if plans and plans[-1].year is None:
        years = [h.year for h in out if h.year]
        if years:
            out[-1] = PlanHeader(**{**out[-1].__dict__, "year": years[-1]})
    return out


# --- the task table: a header row with "STT" and column names ---------------------------------------------------
_STT = re.compile(r"^(?:\|\s*)?(?:STT|Stt|TT|ST\s?T|Số TT)(?:\s|\t|\||$)")
_COLUMN_WORDS = re.compile(r"chủ\s+trì|phối\s+hợp|Thời\s+(?:gian|hạn)|Kết\s+quả|Sản\s+phẩm|Cơ\s+quan|Đơn\s+vị", re.I)
_TABLE_END = re.compile(r"^(?:\*|Ghi chú\s*:|Nơi nhận|-{2,}\t|\|?\s*-{2,}\s*\|)")


def _raw_line(text: str, ln: _Line) -> str:
    """The line as printed (``_lines`` strips markdown, which would hide a "* Lưu ý" note)."""
    a = text.rfind("\n", 0, ln.start) + 1
    b = text.find("\n", ln.end)
    return text[a : b if b >= 0 else len(text)].strip()


def find_table_regions(text: str) -> list[tuple[int, int]]:
    """Spans of the task tables: from a header row (STT, Nội dung …, chủ trì/Thời gian …) to the table's end."""
    lines = _lines(text)
    regions: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if _STT.match(ln.text):
            window = " ".join(x.text for x in lines[i : i + 14])
            if (
                re.search(r"Nội\s+dung|Tên\s+nhiệm\s+vụ|Nhiệm\s+vụ|Công\s+việc", window, re.I)
                and len(_COLUMN_WORDS.findall(window)) >= 2
            ):
                j = i + 1
                while j < len(lines) and not _TABLE_END.match(_raw_line(text, lines[j])):
                    if re.match(r"^(?:PHỤ LỤC|Phụ lục)\b", lines[j].text) and j > i + 14:
                        break
                    j += 1
                regions.append((ln.start, lines[j - 1].end))
                i = j
                continue
        i += 1
    return regions


_SECTION = re.compile(r"^((?:[IVX]+)|(?:\d+(?:\.\d+)*)|[a-zđ])[.)]\s+(\S.*)$")


def segment_sections(text: str) -> list[Section]:
    """Body sections (I, II … / 1, 2 … / a, b …) outside the task tables, each to the next of any level."""
    tables = find_table_regions(text)
    heads = [
        (ln.start, m.group(1), m.group(2).strip())
        for ln in _lines(text)
        if (m := _SECTION.match(ln.text)) and not any(s <= ln.start < e for s, e in tables)
    ]
    if not heads:
        return []
    last_end = tables[0][0] if tables and tables[0][0] > heads[-1][0] else len(text)
    ends = [s for s, _, _ in heads[1:]] + [last_end]
    return [Section(num, title, s, e) for (s, num, title), e in zip(heads, ends, strict=False)]


segment_header = parse_headers  # the name the issue uses: every document header of the file, the plan's last
