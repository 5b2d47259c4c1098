"""Rows of a task table printed as text lines (PDF text, or one cell per paragraph): which line is which cell.

A PDF table comes out one row at a time, and inside a row one page at a time: on each page the visible part of
every cell, column after column (seeds 000, 002, 003). A cell of one line is run together with the next cell's
first line ("Văn phòng Văn bản trả lời Thường xuyên"), and on a later page the tails of several cells share a
line ("tin điện tử của Sở KH&CN KH&CN điện tử của Sở KH&CN"). So the lines of a row are labelled with columns by a
Viterbi search (:func:`label_row`):

- within a page, columns only move right; a move left starts the next page's part of the row (cheap after a
  marked page break — a repeated header row or a line that starts with a space — dear where the table marks
  none), and there a cell goes on from its own last line;
- a line may be cut into pieces for successive columns: at a word that can start a cell, or, on a later page,
  where the tail of one cell meets the tail of the next;
- each piece scores by its width against the column's width (measured on the table itself, :func:`label_table`),
  by the vocabulary that starts cells of that kind (agencies, timeframes, results, verbs of a task), by words
  inside it that only begin a cell ("Văn phòng Sở Các phòng …"), by whether a result says again what the task
  does, and by whether two lines joined read as the document's own text (:class:`Bigrams`).

Nothing is special-cased for a seed: every rule is about how such tables are printed and worded.
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
    r"\d{1,2}/\d{1,2}/(?:19|20)\d{2}(?!\d)|"
    r"\d{1,2}\s+tháng|Báo\s+cáo\s+(?:hàng|định)|Đột\s+xuất)"
)
# words written with a capital only where a sentence (or a cell) begins: inside a line, after a word that ends no
# clause, one begins another cell ("Văn phòng Sở Các phòng …", "Văn phòng Thường xuyên")
SENTENCE_START = re.compile(
    r"(?:Các|Những|Mọi|Thường\s+xuyên|Năm\s+\d|Trước|Trong\s+(?:năm|quý|quí|tháng)|Qu[ýí]\s+(?:I|1|2|3|4)|"
    r"H[àằ]ng\s+(?:năm|quý|tháng|tuần)|Định\s+kỳ|Khi\s+có|Chậm\s+nhất)(?!\w)"
)
INSIDE = -2.0  # the score of a line that holds such a word inside

# a time expression anywhere in a cell's first line: "Kế hoạch ban hành trong quý" / "I/2023"
TIME_ANY = re.compile(
    r"\b(?:trong|cuối|đầu|giữa)\s+(?:quý|quí|tháng|năm)\b|\bqu[ýí]\s+(?:I{1,3}|IV|[1-4])\b|"
    r"\b(?:tháng|năm)\s+\d|\b\d{1,2}/\d{1,2}/(?:19|20)\d{2}\b",
    re.I,
)
AGENCY_START = re.compile(
    r"^(?:-\s*)?(?:(?:Các|các)\s+)?(?:Văn\s+phòng|VP|Phòng|phòng|Sở|sở|Thanh\s+tra|Trung\s+tâm|TT|Chi\s+cục|UBND|"
    r"Ủy\s+ban|Uỷ\s+ban|Ban|Tổ|Cán\s+bộ|Công\s+chức|Đơn\s+vị|đơn\s+vị|Bộ\s+phận|Cơ\s+quan|cơ\s+quan|Lãnh\s+đạo|"
    r"Giám\s+đốc|Phó\s+Giám\s+đốc|Chánh|Trưởng|Cá\s+nhân|Hội\s+đồng|HĐND|Chủ\s+tịch|Bộ|Cục|Công\s+an|Kho\s+bạc|"
    r"Đoàn|Doanh\s+nghiệp|Viện|Báo|Đài)(?!\w)|"
    r"^(?:-\s*)?(?:Các|các)\s+(?:sở|ban|ngành|cơ\s+quan|đơn\s+vị|doanh\s+nghiệp|tổ\s+chức|địa\s+phương|bộ|xã|huyện|"
    r"hội|trường|hợp\s+tác\s+xã)(?!\w)"
)
# people named by their role begin agency cells ("Cán bộ đầu mối tiếp nhận") as often as results ("Công chức tham gia")
ROLE_START = re.compile(r"^(?:-\s*)?(?:Cán\s+bộ|Công\s+chức|Viên\s+chức|Cá\s+nhân|Người)(?!\w)")
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
_COMMA_END = re.compile(r"\w,$")  # "Công văn," / "thông báo": a list goes on


@lru_cache(maxsize=16384)
def _dangling(text: str | None) -> float:
    """What leaving a cell that ends so costs: "… làm việc của" seldom ends a cell, nor does a comma (but a page's
    foot may cut it), and never a bullet ("Văn phòng -" / "Chậm nhất …")."""
    if not text:
        return 0.0
    if text[-1:] in "-+•" and (len(text) == 1 or text[-2] == " "):
        return 3.0
    if _DANGLING.search(text):
        return 1.2
    return 0.8 if _COMMA_END.search(text) else 0.0


_CUT_BEFORE = re.compile(r"^(?:[A-ZĐÀ-Ỹ0-9(\"“]|-\s)")  # a word that can start a cell

# the score of a row leaving a column empty: every task has a lead,
# many have no coordinators and no notes
_PRIOR_EMPTY = {"content": -0.5, "lead": -0.5, "coord": -0.2, "time": -0.4, "output": -0.3, "notes": -0.1}
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


_HEAD = 40  # the patterns above look at a cell's first words only: its first characters decide


@lru_cache(maxsize=65536)
def _features(head: str) -> tuple[bool, bool, bool, bool, bool, bool, bool, bool]:
    """Which vocabulary the first words belong to: (time, agency, person by role, output, verb, legal basis,
    the rest of an agency name, a time expression further on)."""
    a = bool(AGENCY_START.match(head))
    return (
        bool(TIME_START.match(head)),
        a,
        a and bool(ROLE_START.match(head)),
        bool(OUTPUT_START.match(head)),
        bool(VERB_START.match(head)),
        bool(BASIS_START.match(head)),
        bool(AGENCY_CONT.match(head)),
        bool(TIME_ANY.search(head)),
    )


def _start_score(kind: str, f: tuple[bool, ...]) -> float:
    """How well a line with the features ``f`` (see :func:`_features`) begins a cell of this kind."""
    t, a, r, o, v, b, _, ta = f
    if kind == "time":
        return 3.0 if t else 1.0 if ta else -1.5
    if kind in ("lead", "coord"):
        return (1.0 if r else 2.5) if a else -1.5
    if kind == "content":
        return (1.2 if v else 0.0) - (0.5 if (a or t) and not v else 0.0)
    if kind == "output":
        return (1.2 if o else 0.0) - (0.5 if a and not r else 0.0) - (1.0 if t and not o else 0.0)
    if kind == "basis":
        return 2.0 if b else -0.5
    if kind == "notes":
        return -1.0 if t or ta else 0.0  # a timeframe goes in its own column
    return 0.0


def _emission(kind: str, s: str, is_start: bool, width: float) -> float:
    """How well ``s`` reads as a line of a cell of this kind (its first line when ``is_start``) and width."""
    head = s[:_HEAD]
    score = _words_score(kind, _features(head), head[:1].islower(), head[:1].isupper(), is_start)
    if len(s) > width + 2:
        score -= 1.5 + (len(s) - width - 2) * 0.35
    return score


def _words_score(kind: str, f: tuple[bool, ...], lower: bool, upper: bool, is_start: bool) -> float:
    """The words' part of the emission, from the features of the line's first words and the case of its first
    letter."""
    if is_start:
        return (-3.0 if lower else 0.0) + _start_score(kind, f)
    t, a, _, o, v, _, cont, _ = f
    agency = kind in ("lead", "coord")
    if agency and cont:
        return 0.8
    if upper and (o or t or v):
        # looks like the start of another cell; in an agency cell, a non-agency word even more so; results are
        # often listed one to a line ("Quyết định" / "Kế hoạch.")
        if agency and not a:
            return -3.0
        return -0.3 if kind == "output" and o else -1.0
    if upper and not agency and a:
        return -0.5
    return 0.0


_LIST_END = re.compile(r"(?:[,;]|\bvà)$")
_HARD_END = re.compile(r"[.;:]$")
_BULLET = re.compile(r"^[-+•]\s")


def _new_agency(prev: str, nxt: str) -> bool:
    """ "… thuộc Sở" then "Văn phòng Sở;": a second agency with no separator between is another cell."""
    if nxt.startswith("Sở"):  # "Văn phòng" / "Sở": the head of a name wraps before "Sở"
        return False
    return bool(nxt[:1].isupper() and AGENCY_START.match(nxt) and not _LIST_END.search(prev))


@lru_cache(maxsize=65536)
def _wrap_penalty(prev: str, nxt: str, width: float) -> float:
    """Two lines of one cell: the first was wrapped, so the next word would not have fitted after it."""
    if width == float("inf"):
        return 0.0
    if _HARD_END.search(prev) or _BULLET.match(nxt):
        # a hard line break (end of a sentence, a bullet); a sentence goes on with a capital
        return -1.5 if prev.endswith(".") and nxt[:1].islower() else 0.0
    room = len(prev) + 1 + len(nxt.split(" ", 1)[0])
    if room < 0.7 * width:
        return -2.0
    if room < 0.85 * width:
        return -0.7
    return 0.0


# --- the document's own word pairs: does a join read as running text? -----------------------------------------
_WORD = re.compile(r"\S+")
_EDGE = ",.;:()[]\"“”'‘’!?…"

# two lines of a cell joined at a word pair the document prints elsewhere (once, more often); a line cut between
# two words printed side by side elsewhere, between two it never prints so, between a word and itself
JOIN_SEEN, JOIN_SEEN_TWICE, CUT_SEEN, CUT_UNSEEN, CUT_REPEAT = 1.0, 1.4, -1.2, 0.3, 1.2


def _tok(word: str) -> str:
    return word.strip(_EDGE).lower()


class Bigrams:
    """Word pairs the document prints side by side: on one line, or across a line break into a lower-case line.

    A cell's lines, joined, read as the document's running text; two cells side by side do not. Each pair keeps
    where it was seen, so the pair being judged never counts as its own evidence."""

    def __init__(self, text: str) -> None:
        # counted on first use: a table of one cell per line (HTML, DOCX) never asks (label_row), and that is
        # most tables; counting a document's words costs ~20 ms
        self.text = text
        self._pairs: dict[tuple[str, str], int] | None = None
        self._after: dict[int, int] = {}

    @property
    def pairs(self) -> dict[tuple[str, str], int]:
        if self._pairs is None:
            self._count()
        return self._pairs  # type: ignore[return-value]

    @property
    def after(self) -> dict[int, int]:
        if self._pairs is None:
            self._count()
        return self._after

    def _count(self) -> None:
        text = self.text
        pairs: dict[tuple[str, str], int] = {}
        after: dict[int, int] = {}  # offset of a word → offset of the word counted before it
        a, ao, end = "", -1, 0  # the last word counted, its offset, where it ends
        toks: dict[str, str] = {}  # _tok of each distinct word (a document repeats its words)
        for m in _WORD.finditer(text):
            w = m.group()
            b = toks.get(w)
            if b is None:
                b = toks[w] = _tok(w)
            if not b:
                continue
            bo = m.start()
            if a:
                nl = text.rfind("\n", end, bo)
                # on one line; or the line goes on: "… của" / "các phòng …" (not after an indent: a page break)
                if nl < 0 or (text[nl + 1] != " " and text[bo].islower() and not text[nl + 1 : bo].strip()):
                    pairs[(a, b)] = pairs.get((a, b), 0) + 1
                    after[bo] = ao
            a, ao, end = b, bo, m.end()
        self._pairs, self._after = pairs, after

    def seen(self, a: str, ao: int, b: str, bo: int) -> int:
        """How often the document prints word ``a`` (at offset ``ao``) before ``b`` (at ``bo``), elsewhere."""
        pairs = self._pairs
        if pairs is None:
            self._count()
            pairs = self._pairs
        return pairs.get((a, b), 0) - (self._after.get(bo) == ao)  # type: ignore[union-attr]

    def join(self, a: str, ao: int, b: str, bo: int) -> float:
        """The score of two lines of one cell joined between ``a`` and ``b``."""
        if not a or not b:
            return 0.0
        n = self.seen(a, ao, b, bo)
        return 0.0 if not n else JOIN_SEEN if n == 1 else JOIN_SEEN_TWICE

    def cut(self, a: str, ao: int, b: str, bo: int) -> float:
        """The score of a line cut into two cells between ``a`` and ``b``."""
        if not a or not b:
            return 0.0
        if self.seen(a, ao, b, bo):
            return CUT_SEEN
        return CUT_REPEAT if a == b else CUT_UNSEEN  # "… của Sở KH&CN KH&CN …": a word twice, two cells


@dataclass
class Layout:
    """What the labelling knows of a table: its columns, their widths, its words, whether it marks page breaks."""

    kinds: list[str]
    widths: list[float]
    bigrams: Bigrams | None = None
    breaks_marked: bool = False  # some line of the table is marked as coming after a page break


# a result often says again what the task does ("Tổ chức tập huấn …" → "Công chức tham gia"); an agency seldom does
ECHO = 1.5
_FUNCTION_WORDS = frozenset(
    "và của các cho tại về theo với trong được để có từ những là đến trên này đã sẽ một hoặc do đối khi".split()
)


@lru_cache(maxsize=16384)
def _content_words(text: str) -> frozenset[str]:
    return frozenset(t for w in text.split() if (t := _tok(w)) and t not in _FUNCTION_WORDS)


_OF = re.compile(r"(?:Sở|UBND|Ủy\s+ban|Uỷ\s+ban|HĐND|Bộ|Cục)(?!\w)")  # heads that follow a name as its "of …"
# words after which a name may follow inside a cell: "… thuộc Sở", "gửi Văn phòng", "Chánh Văn phòng"
_LINKS = _FUNCTION_WORDS | set("thuộc trực gửi qua hoặc chủ trì chánh trưởng phó lãnh đạo".split())


def _inside(text: str, k: int, prev: str) -> tuple[bool, bool, bool]:
    """Whether the word at ``k`` in a line, after the word ``prev``, begins a new cell though it stands inside a
    piece: (a word capitalized only where a sentence begins, after a word that ends no clause: "Văn phòng Sở Các
    phòng"; a cell another column holds after a word that neither ends a clause nor links to what follows — for
    a cell of agencies an agency, result, timeframe or task: "Thanh tra Sở Văn phòng Sở", for a timeframe an
    agency, result or task: "Thường xuyên Đạt trên 96%")."""
    w = text[k : k + 1]
    if not prev or prev[-1] in ",;.:-+•" or not (w.isupper() or w.isdigit()):
        return False, False, False
    sentence = w.isupper() and bool(SENTENCE_START.match(text, k))
    if _tok(prev) in _LINKS:
        return sentence, False, False
    rest = text[k:]
    other = (bool(AGENCY_START.match(rest)) and not _OF.match(rest)) or bool(
        OUTPUT_START.match(rest) or VERB_START.match(rest)
    )
    return sentence, other or bool(TIME_START.match(rest)), other


@lru_cache(maxsize=16384)
def _echo_head(text: str) -> tuple[str, ...]:
    """The first words of a cell that may say again the row's content (up to three that carry meaning; at least
    two in three must be the content's), or () for a cell that cannot: an agency names itself."""
    if AGENCY_START.match(text) and not ROLE_START.match(text):
        return ()
    head = tuple([t for w in text.split()[:6] if (t := _tok(w)) and t not in _FUNCTION_WORDS][:3])
    return head if len(head) >= 2 else ()


@lru_cache(maxsize=16384)
def _line_words(text: str) -> tuple[tuple[int, int, str, bool, bool, bool, bool], ...]:
    """Each word of a line: (start, end, token, can start a cell, and :func:`_inside` of it)."""
    out = []
    prev = ""
    for m in _WORD.finditer(text):
        w = m.group()
        out.append((m.start(), m.end(), _tok(w), bool(_CUT_BEFORE.match(w + " ")), *_inside(text, m.start(), prev)))
        prev = w
    return tuple(out)


def _cell_scores(kinds: tuple[str, ...], head: str) -> tuple[tuple[float, float], ...]:
    """For each column, how well a line that begins so reads as (the first line, a later line) of its cell."""
    return _scores_of(kinds, _features(head), head[:1].islower(), head[:1].isupper())


@lru_cache(maxsize=4096)
def _scores_of(
    kinds: tuple[str, ...], f: tuple[bool, ...], lower: bool, upper: bool
) -> tuple[tuple[float, float], ...]:
    return tuple((_words_score(k, f, lower, upper, True), _words_score(k, f, lower, upper, False)) for k in kinds)


BEAM = 6.0  # readings further behind the best than this are dropped (lines wrapped in columns)
BEAM_PARAGRAPHS = 20.0  # (one cell per line)
CUT_SLACK = 6  # characters a piece of a cut line may run over its column's width
ROUGH_BEAM = 3.0  # (a rough reading, to measure the columns)
OVERFLOW = (1.5, 0.35)  # the cost of a line too wide for its column: at once, and by character
GUESSED = (0.5, 0.1)  # the cost of a line too wide for a column whose width is a guess
CUT_FIT = 0.85  # a line is cut into cells only when longer than this share of its first piece's column
SAMPLE_ROWS = 16  # rows read to measure the columns
KEEP = 2  # paths kept per state when a page break lies ahead in the row
BREAK_REACH = 10  # lines before a page break where the paths are kept apart
_CONTINUES = re.compile(r"^[-+•]|^[a-zà-ỹ]")


def label_row(
    lines: list[Line],
    kinds: list[str],
    widths: list[float],
    first_is_start: bool = True,
    bigrams: Bigrams | None = None,
    rough: bool = False,
    breaks_marked: bool = False,
    overflow: tuple[float, float] = OVERFLOW,
) -> list[Piece]:
    """Viterbi over the lines of one row: states are (column, page part) with part 0 = first page of the row.

    Each line is cut into pieces by a small search over its word boundaries: a line is cut only where a word can
    start a cell or, on a later page of the row, where the tail of one cell meets the tail of the next. A path is a
    linked node (parent, piece, score) with the last piece of each column. Of the paths that reach a state the best
    is kept (with a page break ahead, the best KEEP with different last pieces, since the next page goes on from
    them), and states more than the beam behind the best are dropped. ``rough``: a quicker reading that ignores
    page breaks, to measure the columns; ``overflow``: the cost of a line too wide for its column (at once, and by
    character), lower while the widths are guesses. ``breaks_marked``: the table marks its page breaks (a repeated
    header row, an indented line), so a row goes back to an earlier column only there."""
    ncol = len(kinds)
    skip = [_PRIOR_EMPTY.get(k, -0.3) for k in kinds]
    skipsum = [[sum(skip[a:b]) for b in range(ncol + 1)] for a in range(ncol + 1)]
    widest, narrowest = max(widths), min(widths)
    one_per_line = widest == float("inf")
    if one_per_line:
        bigrams = None  # a paragraph is a cell: no line of it was wrapped
    beam = BEAM_PARAGRAPHS if one_per_line else ROUGH_BEAM if rough else BEAM
    agency = [k in ("lead", "coord") for k in kinds]
    timely = [k in ("time", "notes") for k in kinds]
    kind_key = tuple(kinds)
    content = kinds.index("content") if "content" in kinds else -1
    # a result that echoes the content (not while measuring the columns: the widths do not need it)
    output = kinds.index("output") if "output" in kinds and content >= 0 and not rough else -1
    said_memo: dict[int, tuple[tuple, frozenset[str]]] = {}
    heads: dict[tuple[int, int], tuple[str, ...]] = {}
    echoes: dict[tuple[int, int, int], tuple[frozenset[str], float]] = {}

    def said(node: tuple | None) -> frozenset[str]:
        """The words of the content on the path to ``node`` (kept by node, with the node: its id stays its)."""
        todo = []
        while node is not None and id(node) not in said_memo:
            todo.append(node)
            node = node[0]
        words = said_memo[id(node)][1] if node is not None else frozenset()
        for nd in reversed(todo):
            if nd[1][3] == content:
                words = words | _content_words(nd[1][0])
            said_memo[id(nd)] = (nd, words)
        return words

    def echo(node: tuple | None, pc: tuple) -> float:
        """A result that says again what the row's task does."""
        k = (pc[1], pc[2])
        head = heads.get(k)
        if head is None:
            head = heads[k] = _echo_head(pc[0])
        if not head:
            return 0.0
        words = said(node)
        k2 = (id(words), *k)
        v = echoes.get(k2)
        if v is None:  # (the words kept alive with the answer: their id stays theirs)
            v = echoes[k2] = (words, ECHO if 3 * sum(t in words for t in head) >= 2 * len(head) else 0.0)
        return v[1]

    plain_keys = [[(c, p, ()) for p in (0, 1)] for c in range(ncol)]
    fits = [w + CUT_SLACK for w in widths]
    # (start and end of a piece, start and end of the next, column) → wrap penalty, word pair across the two
    links: dict[tuple[int, int, int, int, int], tuple[float, float]] = {}
    # lines a page break follows closely: there the paths keep apart by their last pieces
    breaks_ahead = [False] * (len(lines) + 1)
    if not rough:
        for k, ln in enumerate(lines):
            if ln.page_break:
                for q in range(max(0, k - BREAK_REACH), k + 1):
                    breaks_ahead[q] = True
    # (column, part, sig) → (score, node, last piece of each column); sig: the starts of those pieces, or ()
    best: dict[tuple, tuple] = {(-1, 0, ()): (0.0, None, (None,) * ncol)}
    broken = False  # a page break seen in the row: from there a line may hold the tails of several cells

    no_link = (0.0, 0.0)
    every_cell_a_line = narrowest == float("inf")  # no wrap penalty (_wrap_penalty), no word pairs (bigrams None)

    def link(before: tuple, pc: tuple, c: int) -> tuple[float, float]:
        """(wrap penalty, word pair) of ``pc`` going on from ``before`` in column ``c``."""
        if every_cell_a_line:
            return no_link
        k = (before[1], before[2], pc[1], pc[2], c)
        v = links.get(k)
        if v is None:
            v = links[k] = (
                _wrap_penalty(before[0], pc[0], widths[c]),
                bigrams.join(before[7], before[8], pc[3], pc[4]) if bigrams else 0.0,
            )
        return v

    def settle(pending: dict[tuple, tuple]) -> dict[tuple, tuple]:
        """The paths that end in a new piece, from (score, parent node, its last pieces, piece, column, starts a
        cell): the piece and the last pieces are built only for the paths kept."""
        out = {}
        for k, (total, node, lasts, pc, c, st) in pending.items():
            new = (pc[0], pc[1], pc[2], c, st, pc[3], pc[4], pc[5], pc[6], _dangling(pc[0]))
            out[k] = (total, (node, new, total), (*lasts[:c], new, *lasts[c + 1 :]))
        return out

    def prune(states: dict[tuple, tuple], many: bool) -> dict[tuple, tuple]:
        top = max(v[0] for v in states.values()) - beam
        if not many:
            return {k: v for k, v in states.items() if v[0] >= top}
        kept: dict[tuple[int, int], int] = {}
        out = {}
        for k, v in sorted(states.items(), key=lambda kv: -kv[1][0]):
            if v[0] >= top and kept.get(k[:2], 0) < KEEP:
                kept[k[:2]] = kept.get(k[:2], 0) + 1
                out[k] = v
        return out

    for li, line in enumerate(lines):
        words = _line_words(line.text)
        if not words:
            continue
        brk = line.page_break
        broken = (broken or brk) and not rough
        n = len(words)
        ltext, lstart = line.text, line.start
        can_cut = not one_per_line and len(ltext) > narrowest + 1
        wide = not one_per_line and len(ltext) > widest * 0.9
        cut_ok = [len(ltext) > CUT_FIT * w + 1 for w in widths]  # (nearly) too wide for its first piece's column
        pieces: dict[tuple[int, int], tuple] = {}
        many = breaks_ahead[li + 1] and not one_per_line
        flagged = any(x[4] or x[5] or x[6] for x in words)  # words inside that begin a cell

        def piece(  # (the line's own values bound, not the loop's)
            i: int,
            j: int,
            words: tuple = words,
            ltext: str = ltext,
            lstart: int = lstart,
            n: int = n,
            cut_ok: list[bool] = cut_ok,
            pieces: dict = pieces,
            flagged: bool = flagged,
        ) -> tuple:
            """(text, start, end, first word, its offset, last word, its offset, [(column, score as a cell's first
            line, as a later line)])"""
            a, b = words[i], words[j - 1]
            text = ltext[a[0] : b[1]]
            size = len(text)
            scores = _cell_scores(kind_key, text[:_HEAD])
            if flagged and j > i + 1:
                inner = words[i + 1 : j]
                inside = INSIDE * sum(x[4] for x in inner)
                crossing = (sum(x[5] for x in inner), sum(x[6] for x in inner))
            else:
                inside, crossing = 0.0, (0, 0)
            cands = []
            whole = i == 0 and j == n
            # a line cut into cells holds one line of each, which fits its column (a whole line may be far off)
            limit = size - (18 if whole else CUT_SLACK)
            if whole and limit > widest:
                limit = widest  # a line too long for every column still goes in one: the widest at least
            for c in range(ncol):
                w = widths[c]
                if w < limit or (i == 0 and not whole and not cut_ok[c]):
                    continue
                es, ec = scores[c]
                if inside:
                    es, ec = es + inside, ec + inside
                other = crossing[0] if agency[c] else crossing[1] if timely[c] else 0
                if other:
                    es, ec = es + INSIDE * other, ec + INSIDE * other
                if size > w + 2:  # too wide for the column: it would have wrapped
                    over = overflow[0] + (size - w - 2) * overflow[1]
                    es, ec = es - over, ec - over
                cands.append((c, es, ec))
            pc = pieces[(i, j)] = (text, lstart + a[0], lstart + b[1], a[2], lstart + a[0], b[2], lstart + b[0], cands)
            return pc

        # the first piece ends before a word that can start a cell, or, on a later page of the row, anywhere
        if can_cut:
            # a cut leaves a first piece that fits a column the line is too wide for, and a rest that fits a
            # column to the right of it (one line of a cell each: CUT_SLACK over the width at most)
            first_col = [c for c in range(ncol) if cut_ok[c]]

            def may_cut(j: int, words: tuple = words, n: int = n, wide: bool = wide, first: list = first_col) -> bool:
                left = words[j - 1][1] - words[0][0]
                right = words[n - 1][1] - words[j][0] if not wide else words[j][1] - words[j][0]
                return any(left <= fits[c] and any(right <= fits[d] for d in range(c + 1, ncol)) for c in first)

            ends_upper = [j for j in range(1, n) if words[j][3]] + [n]
            # on a later page also before a lower-case word, but not inside words the document prints together
            ends_any = (
                [
                    j
                    for j in range(1, n + 1)
                    if j == n
                    or words[j][3]
                    or not bigrams
                    or not bigrams.seen(words[j - 1][2], lstart + words[j - 1][0], words[j][2], lstart + words[j][0])
                ]
                if broken
                else ends_upper
            )
            first_upper = [j for j in ends_upper if j == n or may_cut(j)]
            first_any = [j for j in ends_any if j == n or may_cut(j)] if broken else first_upper
        else:
            ends_upper = ends_any = first_upper = first_any = [n]
        firsts = {j: piece(0, j) for j in first_any}
        # at[j]: the states after the pieces that end before word j (the whole line: j = n)
        at: dict[int, dict] = {j: {} for j in first_any}
        if not wide:  # a line cut in two: the first piece's column is left of one that takes the rest
            for j in first_any[:-1]:
                size = words[n - 1][1] - words[j][0]
                right = max((c for c in range(ncol) if size <= fits[c]), default=-1)
                pc = firsts[j]
                firsts[j] = (*pc[:7], [x for x in pc[7] if x[0] < right])
        for (c0, p0, sig0), (sc0, node, lasts) in best.items():
            prev = node[1] if node else None
            change = -0.1 - (prev[9] if prev else 0.0)
            forced_cont = li == 0 and c0 < 0 and not first_is_start
            skip_row = skipsum[c0 + 1]
            back = c0 > 0 and (brk or not breaks_marked)  # may the row go back to an earlier column here
            for j in first_any if p0 or c0 > 0 else first_upper:
                pc = firsts[j]
                text, s = pc[0], pc[1]
                dest = at[j]
                goes_on = 0.0 if not one_per_line or _CONTINUES.match(text) else -1.5  # a capital: a new cell
                for c, em_start, em_cont in pc[7]:
                    if c < c0 and not back:
                        continue
                    if c == c0:  # continuation of the same cell
                        start_cell, p = False, p0
                        if one_per_line:
                            t = em_cont + goes_on
                        else:  # across a page break a cell is cut at the page's foot: half the weight
                            w, jn = link(prev, pc, c)
                            t = em_cont + jn + (0.5 * w if brk else w)
                            if agency[c] and _new_agency(prev[0], text):
                                t -= 1.0
                    elif c > c0:  # a later column
                        if p0:  # on a later page a cell goes on: after its own last piece
                            start_cell, p = False, p0
                            before = lasts[c]
                            if before:
                                w, jn = link(before, pc, c)
                                t = w + jn + change + em_cont
                            else:
                                t = -2.0 + change + em_cont
                        else:
                            start_cell, p = not forced_cont, 0
                            t = skip_row[c] + change + (em_cont if forced_cont else em_start)
                            if c0 < 0 and c > 0:
                                t -= 2.5
                            if c == output and not forced_cont:
                                t += echo(node, pc)
                    elif c0 >= 0:  # back to an earlier column: the row goes on a new page
                        start_cell, p = False, 1
                        t = (-0.5 if brk else -5.0) + change + em_cont
                        before = lasts[c]
                        if before:
                            w, jn = link(before, pc, c)
                            t += 0.5 * w + jn
                        else:
                            t -= 2.0
                    else:
                        continue
                    total = sc0 + t
                    key = (c, p, (*sig0[:c], s, *sig0[c + 1 :])) if many else plain_keys[c][p]
                    got = dest.get(key)
                    if got is None or total > got[0]:
                        dest[key] = (total, node, lasts, pc, c, start_cell)
        # further pieces of the line, each in a later column
        for i in range(1, n):
            if not at.get(i):
                continue
            upper = words[i][3]
            wo = lstart + words[i][0]
            for (c0, p0, sig0), (sc0, node, lasts) in settle(prune(at[i], many)).items():
                later = p0 and broken
                if not upper and not later:
                    continue  # a cell starts with a word that can start one
                prev = node[1]
                base = sc0 - 2.6 - prev[9]
                if bigrams:
                    base += bigrams.cut(prev[7], prev[8], words[i][2], wo)
                skip_row = skipsum[c0 + 1]
                if not wide:
                    ends: list[int] | range = [n]
                elif later and upper:  # the tails of cells on a later page: cut where a lower-case word follows,
                    ends = [j for j in ends_any if j > i]  # but not twice running
                else:
                    ends = [j for j in ends_upper if j > i]
                for j in ends:
                    pc = pieces.get((i, j)) or piece(i, j)
                    text, s = pc[0], pc[1]
                    dest = at.setdefault(j, {})
                    for c, em_start, em_cont in pc[7]:
                        if c <= c0:
                            continue
                        if p0:
                            before = lasts[c]
                            if before:
                                w, jn = link(before, pc, c)
                                total = base + w + jn + em_cont
                            elif upper:
                                total = base - 2.0 + em_cont
                            else:
                                continue
                        else:
                            total = base + skip_row[c] + em_start
                            if c == output:
                                total += echo(node, pc)
                        key = (c, p0, (*sig0[:c], s, *sig0[c + 1 :])) if many else plain_keys[c][p0]
                        got = dest.get(key)
                        if got is None or total > got[0]:
                            dest[key] = (total, node, lasts, pc, c, not p0)
        if not at[n]:  # no reading of the line at all (it cannot be): it goes on in the column of each path
            for (c0, p0, sig0), (sc0, node, lasts) in best.items():
                c = max(c0, 0)
                at[n][(c, p0, sig0)] = (sc0 - 10.0, node, lasts, piece(0, n), c, c0 < 0)
        best = settle(prune(at[n], many))

    def final(key: tuple, v: tuple) -> float:
        """The score with the columns after the last one filled charged as empty."""
        last = max((c for c, pc in enumerate(v[2]) if pc), default=-1)
        return v[0] + sum(skip[last + 1 :])

    node = max(best.items(), key=lambda kv: final(*kv))[1][1] if best else None
    out: list[Piece] = []
    while node:
        node, pc, _ = node
        out.append(Piece(pc[0], pc[1], pc[2], pc[3], pc[4]))
    return out[::-1]


def label_table(
    rows: list[list[Line]], kinds: list[str], bigrams: Bigrams | None = None
) -> tuple[Layout, list[list[Piece]]]:
    """The pieces of every row of a table, once its columns are measured (:func:`_measure`)."""
    lengths = sorted(len(ln.text) for row in rows for ln in row)
    marked = any(ln.page_break for row in rows for ln in row)
    if not lengths:
        widths = [80.0] * len(kinds)
    elif lengths[int(0.95 * (len(lengths) - 1))] > 90:  # one cell per line (HTML or DOCX): no page width wraps
        widths = [float("inf")] * len(kinds)
    else:
        widths = _measure(rows, kinds, marked, lengths[int(0.95 * (len(lengths) - 1))])
    layout = Layout(kinds, widths, bigrams, marked)
    return layout, [label_row(row, kinds, widths, bigrams=bigrams, breaks_marked=marked) for row in rows]


def _measure(rows: list[list[Line]], kinds: list[str], marked: bool, top: int) -> list[float]:
    """Column widths in characters: a prior from the table's widest lines (``top``), then what a rough labelling
    of the rows that no page break cuts gives — the 90th percentile of the lines that are not the last of their
    cell (full lines), or, with fewer than three of those, the longest line."""
    widths = [max(8.0, _PRIOR_WIDTH.get(k, 0.5) * top) for k in kinds]
    whole = [row for row in rows if not any(ln.page_break for ln in row)] or rows
    if len(whole) > SAMPLE_ROWS:  # enough of them, spread over the table
        whole = [whole[i * len(whole) // SAMPLE_ROWS] for i in range(SAMPLE_ROWS)]
    samples: list[list[int]] = [[] for _ in kinds]
    longest = [0] * len(kinds)
    for row in whole:
        # the prior widths are guesses: a line too wide for one costs less (and the word pairs are not needed)
        pieces = label_row(row, kinds, widths, rough=True, breaks_marked=marked, overflow=GUESSED)
        for a, b in itertools.pairwise(pieces):
            if a.column == b.column and not b.is_start:
                samples[a.column].append(len(a.text))
        for p in pieces:
            longest[p.column] = max(longest[p.column], len(p.text))
    for c, xs in enumerate(samples):
        if len(xs) >= 3:
            xs.sort()
            widths[c] = max(6.0, xs[int(0.9 * (len(xs) - 1))] + 1.0)
        elif longest[c]:
            widths[c] = max(widths[c], longest[c] + 1.0)
    return widths
