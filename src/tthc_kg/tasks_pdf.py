"""Rows of a task table printed as text lines (PDF text, or one cell per paragraph): which line is which cell.

A PDF table comes out one row at a time, and inside a row one page at a time: on each page the visible part of
every cell, column after column (seeds 000, 002, 003). Some rows collapse several cells onto one line ("2 Tham
gia ý kiến … Khi nhận được đề Phòng, đơn Các cơ quan, Văn bản …"), and page headers land mid-row. So the lines of
a row are labelled with columns by a Viterbi search:

- within a page, columns only move right; a move left starts the next page's part of the row (cheap after a
  page break — a repeated header row or a line that starts with a space — dear elsewhere);
- a line may be cut, at a word that can start a cell, into pieces for successive columns;
- each piece scores by its width against the column's width (estimated from the table itself, two rounds) and
  by the vocabulary that starts cells of that kind (agencies, timeframes, outputs, verbs of a task).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

TIME_START = re.compile(
    # a cell's first line may hold one word of these: "Thường" / "xuyên", "Theo Kế" / "hoạch …"
    r"^(?:-\s*)?(?:Thường(?:\s+xuyên|\s*$)|Trước|Trong|Qu[ýí]|Năm|Tháng|Khi|Định(?:\s+kỳ|\s*$)|H[àằ]ng|"
    r"Chậm(?:\s+nhất|\s*$)|Ngay|Đúng|Nếu|Theo(?:\s+(?:[Kk]ế|nhiệm|văn|hướng|tiến|yêu|quy|chỉ|thời)|\s*$)|"
    r"Sau|Từ|Đến|Giai\s+đoạn|Liên\s+tục|Hoàn\s+thành|Thời\s+hạn|Cả\s+năm|(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}(?![/\w])|(?:19|20)\d{2}(?![/\w])|"
    r"\d{1,2}\s+tháng|Báo\s+cáo\s+(?:hàng|định)|Đột\s+xuất)"
)
AGENCY_START = re.compile(
    r"^(?:-\s*)?(?:(?:Các|các)\s+)?(?:Văn\s+phòng|VP|Phòng|phòng|Sở|sở|Thanh\s+tra|Trung\s+tâm|TT|Chi\s+cục|UBND|"
    r"Ủy\s+ban|Uỷ\s+ban|Ban|Tổ|Cán\s+bộ|Công\s+chức|Đơn\s+vị|đơn\s+vị|Bộ\s+phận|Cơ\s+quan|cơ\s+quan|Lãnh\s+đạo|"
    r"Giám\s+đốc|Phó\s+Giám\s+đốc|Chánh|Trưởng|Cá\s+nhân|Hội\s+đồng|HĐND|Chủ\s+tịch|Bộ|Cục|Công\s+an|Kho\s+bạc|"
    r"Đoàn|Doanh\s+nghiệp|Viện|Báo|Đài)(?!\w)"
)
AGENCY_CONT = re.compile(
    r"^(?:chuyên\s+môn|ban\s+chuyên|môn|đơn\s+vị|thuộc|trực\s+thuộc|Sở|sở|liên\s+quan|phụ\s+trách|quan\b|"
    r"có\s+liên|KH&CN|được\s+giao|giao\s+chủ\s+trì|trì\b|dụng|tiến\s+bộ|nhân\s+có)"
)
VERB_START = re.compile(
    r"^(?:Ban\s+hành|Thực\s+hiện|Tổ\s+chức|Rà\s+soát|Xây\s+dựng|Tham\s+mưu|Công\s+bố|Công\s+khai|Cập\s+nhật|"
    r"Đôn\s+đốc|Tiếp\s+nhận|Xử\s+lý|Tham\s+gia|Triển\s+khai|Cử|Đảm\s+bảo|Bảo\s+đảm|Áp\s+dụng|Tuyên\s+truyền|"
    r"Duy\s+trì|Phối\s+hợp|Kịp\s+thời|Tiếp\s+tục|Đẩy\s+mạnh|Nâng\s+cao|Trình|Lấy\s+ý|Theo\s+dõi|Ứng\s+dụng|"
    r"Kiện\s+toàn|Đánh\s+giá|Kiểm\s+tra|Hướng\s+dẫn|Thông\s+tin,|Tự\s+kiểm|Khảo\s+sát|Nghiên\s+cứu|Hỗ\s+trợ|"
    r"Tăng\s+cường|Số\s+hóa|Sử\s+dụng|Thu\s+thập|Quán\s+triệt|Phổ\s+biến|Tập\s+huấn|Củng\s+cố|Đề\s+xuất|Biên\s+soạn)"
)
OUTPUT_START = re.compile(
    r"^(?:-\s*)?(?:Kế\s+hoạch|Quyết\s+định|Báo\s+cáo|Văn\s+bản|Công\s+văn|Tờ\s+trình|Số\b|Tỷ\s+lệ|\d+\s*%|"
    r"Dữ\s+liệu|Hồ\s+sơ|Các\s+(?:văn|sản|TTHC|báo|biểu|hoạt|nội)|Biên\s+bản|Bản\b|Danh\s+mục|Quy\s+trình|"
    r"Phần\s+mềm|Dịch\s+vụ|Tin,|Mục\b|Nội\s+dung|Thông\s+báo|Địa\s+chỉ|Đạt|Tối\s+thiểu|Mức|Lịch|Sản\s+phẩm|"
    r"Hình\s+thức|Kết\s+quả|Quy\s+chế|Đề\s+án|Chương\s+trình)"
)
BASIS_START = re.compile(r"^(?:-\s*)?(?:Nghị\s+định|Thông\s+tư|Quyết\s+định|Luật|Nghị\s+quyết|Kế\s+hoạch|Chỉ\s+thị)")
# words that cannot end a cell: a line ending with one goes on in the same cell
_DANGLING = re.compile(
    r"\s(?:của|và|các|tại|về|theo|với|cho|trong|đến|được|những|để|từ|hoặc|là|có|thuộc|trên|"
    r"nhằm|gửi|bằng|khi|do|đối|vào|lên|qua)$"
)
_CUT_BEFORE = re.compile(r"^(?:[A-ZĐÀ-Ỹ0-9(\"“]|-\s)")  # a word that can start a cell

_PRIOR_WIDTH = {"content": 0.95, "output": 0.95, "time": 0.5, "lead": 0.4, "coord": 0.45, "notes": 0.35, "basis": 0.6}


@dataclass(frozen=True)
class Piece:
    text: str
    start: int
    end: int
    column: int
    is_start: bool  # begins a cell


@dataclass(frozen=True)
class Line:
    text: str
    start: int
    end: int
    page_break: bool  # a page break (repeated header, leading space) comes just before this line


def _start_score(kind: str, s: str) -> float:
    t, a = bool(TIME_START.match(s)), bool(AGENCY_START.match(s))
    o, v = bool(OUTPUT_START.match(s)), bool(VERB_START.match(s))
    if kind == "time":
        return 3.0 if t else -1.5
    if kind in ("lead", "coord"):
        return 2.5 if a else -1.5
    if kind == "content":
        return (1.2 if v else 0.0) - (0.5 if (a or t) and not v else 0.0)
    if kind == "output":
        return (1.2 if o else 0.0) - (0.5 if a else 0.0) - (1.0 if t and not o else 0.0)
    if kind == "basis":
        return 2.0 if BASIS_START.match(s) else -0.5
    return 0.0


@lru_cache(maxsize=65536)
def _emission(kind: str, s: str, is_start: bool, width: float) -> float:
    score = 0.0
    n = len(s)
    if n > width + 2:
        score -= 1.5 + (n - width - 2) * 0.35
    if is_start:
        if s[:1].islower():
            score -= 3.0
        score += _start_score(kind, s)
    elif kind in ("lead", "coord") and AGENCY_CONT.match(s):
        score += 0.8
    elif s[:1].isupper() and (OUTPUT_START.match(s) or TIME_START.match(s) or VERB_START.match(s)):
        # looks like the start of another cell; in an agency cell, a non-agency word even more so
        score -= 2.0 if kind in ("lead", "coord") and not AGENCY_START.match(s) else 1.0
    elif s[:1].isupper() and kind not in ("lead", "coord") and AGENCY_START.match(s):
        score -= 0.5
    return score


def _new_agency(prev: str, nxt: str) -> bool:
    """ "… thuộc Sở" then "Văn phòng Sở;": a second agency with no separator between is another cell."""
    if nxt.startswith("Sở"):  # "Văn phòng" / "Sở": the head of a name wraps before "Sở"
        return False
    return bool(nxt[:1].isupper() and AGENCY_START.match(nxt) and not re.search(r"(?:[,;]|\bvà)$", prev))


@lru_cache(maxsize=65536)
def _wrap_penalty(prev: str, nxt: str, width: float) -> float:
    """Two lines of one cell: the first was wrapped, so the next word would not have fitted after it."""
    if width == float("inf"):
        return 0.0
    if re.search(r"[.;:]$", prev) or re.match(r"^[-+•]\s", nxt):
        # a hard line break (end of a sentence, a bullet); a sentence goes on with a capital
        return -1.5 if prev.endswith(".") and nxt[:1].islower() else 0.0
    room = len(prev) + 1 + len(nxt.split(" ", 1)[0])
    if room < 0.7 * width:
        return -2.0
    if room < 0.85 * width:
        return -0.7
    return 0.0


def _options(line: Line, max_pieces: int) -> list[list[tuple[str, int, int]]]:
    """Ways to cut a line into 1..max_pieces pieces at words that can start a cell."""
    words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", line.text)]
    cuts = [i for i in range(1, len(words)) if _CUT_BEFORE.match(words[i][0] + " ")]
    opts: list[list[tuple[str, int, int]]] = []

    def piece(a: int, b: int) -> tuple[str, int, int]:
        s, e = words[a][1], words[b - 1][2]
        return line.text[s:e], line.start + s, line.start + e

    def rec(pos: int, acc: list[tuple[str, int, int]]) -> None:
        if len(acc) + 1 <= max_pieces:
            opts.append([*acc, piece(pos, len(words))])
        if len(acc) + 1 < max_pieces:
            for c in cuts:
                if c > pos:
                    rec(c, [*acc, piece(pos, c)])

    if words:
        rec(0, [])
    return opts


def label_row(lines: list[Line], kinds: list[str], widths: list[float], first_is_start: bool = True) -> list[Piece]:
    """Viterbi over the lines of one row: states are (column, page part) with part 0 = first page of the row.

    A path is a linked node (parent, piece, last piece of each column); a piece is (text, start, end, column,
    starts a cell)."""
    ncol = len(kinds)
    inf = float("inf")
    empty: tuple = (None,) * ncol
    best: dict[tuple[int, int], tuple[float, tuple | None, tuple]] = {(-1, 0): (0.0, None, empty)}
    widest = max(widths)
    for li, line in enumerate(lines):
        max_pieces = 1 if widest == inf else min(ncol, 5 if len(line.text) > widest * 0.9 else 2)
        new: dict[tuple[int, int], tuple[float, tuple | None, tuple]] = {}
        for opt in _options(line, max_pieces):
            split_pen = -2.5 * (len(opt) - 1)
            for (col, part), (score, node, lasts) in best.items():
                # place the pieces: the first may continue, restart (next page) or advance; the rest advance
                stack = [(col, part, score + split_pen, node, lasts)]
                for pi, (text, s, e) in enumerate(opt):
                    keep: dict[tuple[int, int], tuple] = {}
                    for c0, p0, sc, nd, lst in stack:
                        prev = nd[1][0] if nd else None
                        for c in range(ncol):
                            # a line is cut into cells only when it is too wide for the first one
                            if pi == 0 and len(opt) > 1 and len(line.text) <= widths[c] + 1:
                                continue
                            before = lst[c][0] if lst[c] else None
                            if c == c0 and pi == 0 and c0 >= 0:  # continuation of the same cell
                                start_cell, p = False, p0
                                if widths[c] == inf and not re.match(r"^[-+•]|[a-zà-ỹ]", text):
                                    t = -1.5  # one cell per line: a new capitalized line is most often a new cell
                                else:  # across a page break a cell is cut at the page's foot: half the weight
                                    t = _wrap_penalty(prev, text, widths[c]) * (0.5 if line.page_break else 1)
                                    if kinds[c] in ("lead", "coord") and _new_agency(prev, text):
                                        t -= 1.0
                            elif c > c0:  # a later column
                                t = -0.3 * (c - c0 - 1) - (2.5 if c0 < 0 and c > 0 else 0.0)
                                start_cell, p = p0 == 0, p0
                                if p0:  # on a later page a cell goes on: after its own last piece
                                    t = _wrap_penalty(before, text, widths[c]) if before else -2.0
                            elif pi == 0 and c0 >= 0:  # back to an earlier column: the row goes on a new page
                                t = -0.5 if line.page_break else -5.0
                                start_cell, p = False, 1
                                t += _wrap_penalty(before, text, widths[c]) * 0.5 if before else -2.0
                            else:
                                continue
                            if c != c0:
                                t -= 0.1  # of two equal readings, the one with fewer cell changes
                                if prev and _DANGLING.search(prev):
                                    t -= 1.2  # "… làm việc của" seldom ends a cell (but a page's foot may cut it)
                            if li == 0 and pi == 0 and c0 < 0 and not first_is_start:
                                start_cell = False
                            total = sc + t + _emission(kinds[c], text, start_cell, widths[c])
                            k = (c, p)
                            if k not in keep or total > keep[k][2]:
                                piece = (text, s, e, c, start_cell)
                                keep[k] = (c, p, total, (nd, piece), (*lst[:c], piece, *lst[c + 1 :]))
                    stack = list(keep.values())
                for c, p, sc, nd, lst in stack:
                    if sc > new.get((c, p), (-inf, None, empty))[0]:
                        new[(c, p)] = (sc, nd, lst)
        if new:
            best = new
    node = max(best.values(), key=lambda v: v[0])[1] if best else None
    out: list[Piece] = []
    while node:
        node, (text, s, e, c, st) = node
        out.append(Piece(text, s, e, c, st))
    return out[::-1]


def estimate_widths(rows: list[list[Line]], kinds: list[str], rounds: int = 2) -> list[float]:
    """Column widths in characters: a prior from the table's widest lines, then the lines the labelling gives."""
    lengths = sorted(len(ln.text) for row in rows for ln in row)
    if not lengths:
        return [80.0] * len(kinds)
    top = lengths[int(0.95 * (len(lengths) - 1))]
    if top > 90:  # one cell per line (HTML or DOCX text): no page width wraps these lines
        return [float("inf")] * len(kinds)
    widths = [max(8.0, _PRIOR_WIDTH.get(k, 0.5) * top) for k in kinds]
    for _ in range(rounds):
        samples: list[list[int]] = [[] for _ in kinds]
        for row in rows:
            pieces = label_row(row, kinds, widths)
            for a, b in itertools.pairwise(pieces):
                if a.column == b.column and not b.is_start:
                    samples[a.column].append(len(a.text))  # not the last line of its cell: a full line
        for c, xs in enumerate(samples):
            if len(xs) >= 3:
                xs.sort()
                widths[c] = max(6.0, xs[int(0.9 * (len(xs) - 1))] + 1.0)
    return widths
