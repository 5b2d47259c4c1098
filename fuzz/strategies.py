"""Hypothesis strategies for plan-like text: fragments of what the parsers look for (type words, symbols, dates,
table headers and cells, numbering, timeframes, HTML tags, NFD marks, legacy glyphs, odd spaces) mixed with
arbitrary Unicode, so that generated texts reach deep into the scanners instead of failing at the first
character. Used by tests/test_fuzz.py and bench/adversarial.py; fuzz/*.py feed atheris bytes through
:func:`from_bytes` the same way.
"""

from __future__ import annotations

from hypothesis import strategies as st

FRAGMENTS = [
    # citations
    "Nghị định", "Thông tư", "Quyết định", "Nghị quyết", "Kế hoạch", "Luật ", "Bộ luật ", "Chỉ thị", "Nghị số ",
    " số ", "số:", "Số: ", "số", "61", "02", "66.2", "12a", "2018", "20120", "/", " / ", "-", " - ", "NĐ-CP",
    "QĐ-", "QĐ-TTg", "QĐ-TTG", "UBND", "KH-UBND", "NQ-CP", "TT-VPCP", "QH15", "NQ/TW", "57-NQ/TW", "\t", "\n",
    "\n\n", "\r\n", " ", "  ", "ngày ", "ngày 23/4/2018", "ngày 14 tháng 02 năm 2008", "tháng", "năm", "của ",
    "của Chính phủ", "của UBND tỉnh Hưng Yên", "của Bộ Tài chính", "về việc ", "về ", "V/v ", "khoản 8 Điều 40 ",
    "điểm a ", "các Nghị định của Chính phủ: ", "; ", ", ", ". ", ":", "(", ")", "“", "”", "\"",
    # preamble and headers
    "Căn cứ ", "Thực hiện ", "Theo đề nghị của ", "Xét đề nghị ", "KẾ HOẠCH", "QUYẾT ĐỊNH", "ỦY BAN NHÂN DÂN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Hưng Yên, ngày 05 tháng 3 năm 2024",
    # tables
    "STT", "TT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện", "Kết quả",
    "Căn cứ thực hiện", "Ghi chú", "I", "II", "IV", "I.", "1.", "1.1", "2.3.1", "1.1.1.1.1", "a)", "- ", "+ ",
    "|", " | ", "<b>", "</b>", "<i>", "<ul><li>", "</li>", "<br>", "Sở Tư pháp", "Văn phòng UBND tỉnh",
    "Các sở, ban, ngành", "Trung tâm Phục vụ hành chính công",
    # timeframes
    "Thường xuyên", "Trước 15/01/2024", "Quý I/2024", "Quý I/II năm 2024", "Quí IV-2025", "Năm 2025",
    "Định kỳ hàng quý, năm", "Chậm nhất 05 ngày kể từ", "Khi có yêu cầu", "6 tháng đầu năm", "Trong năm",
    "tháng 6/2024", "30/02/2024", "31/13/2024", "00/00/0000", "2021-2025",
    # Unicode trouble
    "\u0301", "\u0323", "\u0302", "a\u0301\u0323", "\u01a3", "\u01a2", "\u00a0", "\u200b", "\ufeff", "\u00ad",
    "Đ", "đ", "ư", "ơ", "\u1ea0", "ǜ", "😀", "\x00", "\x0c",
]  # fmt: skip

TIMEFRAME_FRAGMENTS = [f for f in FRAGMENTS if f not in ("\n\n", "\r\n")] + [
    "Quý", "quý", "II", "III", "1", "4", "/", "-", "và", "hoặc", "đến", "trước", "ngày", "hạn", "15", "01", "2024",
]  # fmt: skip


def _mixed(fragments: list[str], max_parts: int) -> st.SearchStrategy[str]:
    part = st.one_of(st.sampled_from(fragments), st.sampled_from(fragments), st.text(max_size=8))
    return st.lists(part, max_size=max_parts).map("".join)


def plan_texts(max_parts: int = 80) -> st.SearchStrategy[str]:
    """Plan-like texts: fragments joined in any order, with arbitrary Unicode in between."""
    return _mixed(FRAGMENTS, max_parts)


def timeframe_texts(max_parts: int = 12) -> st.SearchStrategy[str]:
    return _mixed(TIMEFRAME_FRAGMENTS, max_parts)


def from_bytes(data: bytes, fragments: list[str] = FRAGMENTS) -> str:
    """A plan-like text from raw fuzzer bytes: a byte below 0xC0 picks a fragment; the others start a run of
    UTF-8 decoded as far as it goes (for atheris, whose mutations then recombine fragments)."""
    out: list[str] = []
    i = 0
    while i < len(data):
        b = data[i]
        if b < 0xC0:
            out.append(fragments[b % len(fragments)])
            i += 1
        else:
            chunk = data[i + 1 : i + 1 + (b - 0xBF)]
            out.append(chunk.decode("utf-8", errors="replace"))
            i += 1 + len(chunk)
    return "".join(out)
