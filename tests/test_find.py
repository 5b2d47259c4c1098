"""Table-driven citation finding: real phrases of the seeds and the corpus (DESIGN.md "The data, as it really is")."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_kg.find import find_citations
from tthc_kg.normalize import normalize

D = date.fromisoformat

# (phrase, [(symbol or None, type, date or None)]) — each phrase as printed in a seed or a corpus plan
CASES: list[tuple[str, list[tuple[str | None, str | None, date | None]]]] = [
    # seed 000: one type word and one issuer shared by a list; a symbol broken across lines by PDF extraction
    (
        "Căn cứ các Nghị định của Chính phủ: số 20/2008/NĐ-CP ngày \n\n14/02/2008 về tiếp nhận; số 61/2018/NĐ-\n\n"
        "CP ngày 23/4/2018 về thực hiện cơ chế một cửa",
        [("20/2008/NĐ-CP", "Nghị định", D("2008-02-14")), ("61/2018/NĐ-CP", "Nghị định", D("2018-04-23"))],
    ),
    # seed 002: long dates
    (
        "số 20/2008/NĐ-CP ngày 14 tháng \n02 năm 2008 về tiếp nhận",
        [("20/2008/NĐ-CP", "Nghị định", D("2008-02-14"))],
    ),
    # seed 002: a typo in the year of the date ("20120")
    (
        "Thông tư số 01/2020/TT-VPCP ngày  \n21/10/20120 của Văn phòng Chính phủ",
        [("01/2020/TT-VPCP", "Thông tư", D("2020-10-21"))],
    ),
    # seed 000: a missing year, filled for an always-normative code
    (
        "Thông tư 02/TT-\n\nVPCP ngày 31/10/2017 của Bộ trưởng",
        [("02/2017/TT-VPCP", "Thông tư", D("2017-10-31"))],
    ),
    # …and never for NQ-CP, QĐ-TTg, KH-*
    (
        "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ; Quyết định số 451/QĐ-TTg ngày 22/4/2019",
        [("76/NQ-CP", "Nghị quyết", D("2021-07-15")), ("451/QĐ-TTg", "Quyết định", D("2019-04-22"))],
    ),
    # seed 003: a yearless plan symbol of a province
    (
        "Căn cứ Kế hoạch số 79/KH-UBND ngày 13/01/2023 của Uỷ ban nhân dân tỉnh Cao Bằng",
        [("79/KH-UBND", "Kế hoạch", D("2023-01-13"))],
    ),
    # seed 004: the typo "Nghị số" (Nghị quyết), and a truncated "Nghị quyết số 131"
    ("theo Nghị số 76/NQ-CP ngày 15/7/2021", [("76/NQ-CP", "Nghị quyết", D("2021-07-15"))]),
    ("Nghị quyết số 131 của Chính phủ", [(None, "Nghị quyết", None)]),
    # DESIGN.md: "45/2016/QĐ-TTg" vs "QĐ-TTG"
    ("Quyết định số 45/2016/QĐ-TTG ngày 19/10/2016", [("45/2016/QĐ-TTg", "Quyết định", D("2016-10-19"))]),
    # corpus: inner spaces in a code
    ("Quyết định số 66/2018/QĐ- UBND ngày 28/12/2018", [("66/2018/QĐ-UBND", "Quyết định", D("2018-12-28"))]),
    ("Nghị quyết số 71/NQ -CP ngày 01/4/2025 của Chính phủ", [("71/NQ-CP", "Nghị quyết", D("2025-04-01"))]),
    # corpus: codes with digits or several parts
    ("Luật Tổ chức chính quyền địa phương số 72/2025/QH15 ngày 16/6/2025", [("72/2025/QH15", "Luật", D("2025-06-16"))]),
    ("Nghị quyết số 35/2021/UBTVQH15 ngày 12/11/2021", [("35/2021/UBTVQH15", "Nghị quyết", D("2021-11-12"))]),
    ("Quyết định số 146/QĐ-BVTV-KH ngày 16/01/2018", [("146/QĐ-BVTV-KH", "Quyết định", D("2018-01-16"))]),
    ("Quyết định số 163/2025/QĐ-CTUBND ngày 01/7/2025", [("163/2025/QĐ-CTUBND", "Quyết định", D("2025-07-01"))]),
    # corpus: dotted numbers
    ("Nghị quyết số 66.2/2025/NQ-CP ngày 15/11/2025", [("66.2/2025/NQ-CP", "Nghị quyết", D("2025-11-15"))]),
    # no space after "số"
    ("theo Quyết định số2684/QĐ-UBND ngày 12/12/2023", [("2684/QĐ-UBND", "Quyết định", D("2023-12-12"))]),
    # article references
    (
        "theo khoản 8 Điều 40 Nghị định số 118/2025/NĐ-CP ngày 09/6/2025",
        [("118/2025/NĐ-CP", "Nghị định", D("2025-06-09"))],
    ),
    # party documents
    ("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị", [("57-NQ/TW", "Nghị quyết", D("2024-12-22"))]),
    ("Chương trình số 144-CTr/TU của Tỉnh ủy", [("144-CTr/TU", "Chương trình", None)]),
    ("Kế hoạch hành động số 459-KHHĐ/TU ngày 21 tháng 5 năm 2025", [("459-KHHĐ/TU", "Kế hoạch", D("2025-05-21"))]),
    # công văn: an issuer code without a type part, accepted after a printed type word
    ("tại Công văn số 4236/SXD-QLN&CS ngày 05/9/2014", [("4236/SXD-QLN&CS", "Công văn", D("2014-09-05"))]),
    # a law by name only: symbol null, the name kept as title
    ("Căn cứ Luật Ban hành văn bản QPPL;", [(None, "Luật", None)]),
    # not citations: dates, ratios, page numbers, the document's own number in its header
    ("ngày 14/02/2008; tỷ lệ 100/100; trang 3/15", []),
    ("Số: 1026/KH-UBND\nNghệ An, ngày 05 tháng 11 năm 2025", []),
]


@pytest.mark.parametrize(("phrase", "expected"), CASES)
def test_find(phrase: str, expected: list[tuple[str | None, str | None, date | None]]) -> None:
    found = find_citations(normalize(phrase).text)
    got = [(str(c.symbol) if c.symbol else None, c.type, c.date) for c in found]
    assert got == expected


def test_table_cell_continuation() -> None:
    """Seed 001: "4020/QĐ-" ends a cell; the code goes on in the same column of the next row."""
    text = (
        "3.4\tTiếp tục thực hiện Quyết định số 4020/QĐ-\t- Văn phòng Sở\tPhòng Chuyển đổi số\tThường xuyên\n\n"
        "\tUBND ngày 16/12/2021 của UBND tỉnh Thái Nguyên về việc ban hành Chương trình\t\t\t\n"
    )
    (c,) = find_citations(text)
    assert str(c.symbol) == "4020/QĐ-UBND"
    assert c.date == D("2021-12-16")
    assert c.issuer_printed == "UBND tỉnh Thái Nguyên"
    assert c.text == "Quyết định số 4020/QĐ-"


def test_issuer_and_title_after_the_symbol() -> None:
    (c,) = find_citations(
        "Quyết định số 2684/QĐ-UBND ngày 12/12/2023 của UBND tỉnh Hưng \n\nYên về việc ban hành Kế hoạch"
    )
    assert c.issuer_printed == "UBND tỉnh Hưng Yên"
    assert c.title == "ban hành Kế hoạch"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (  # a title that is a verb phrase is kept whole
            "Căn cứ Nghị định số 200/2025/NĐ-CP ngày 09/7/2025 của Chính phủ quy định chi tiết một số điều của Luật "
            "Phòng thủ dân sự;",
            "quy định chi tiết một số điều của Luật Phòng thủ dân sự",
        ),
        (
            "Căn cứ Thông tư số 01/2025/TT-BTTTT ngày 12/02/2025 của Bộ trưởng Bộ Thông tin và Truyền thông sửa đổi, "
            "bổ sung một số điều của Thông tư số 06/2022/TT-BTTTT;",
            "sửa đổi, bổ sung một số điều của Thông tư số 06/2022/TT-BTTTT",
        ),
        (  # an alias after the title is not part of it
            "Quyết định số 7619/QĐ-BCA ngày 20/9/2022 của Bộ Công an phê duyệt Chương trình mục tiêu quốc gia phòng, "
            "chống ma túy đến năm 2030 (sau đây viết tắt là Chương trình), Ủy ban nhân dân thành phố ban hành",
            "phê duyệt Chương trình mục tiêu quốc gia phòng, chống ma túy đến năm 2030",
        ),
        # without the issuer, the words after a symbol are the sentence's, not a title
        ("Thực hiện Nghị định số 200/2025/NĐ-CP quy định chi tiết một số điều", None),
    ],
)
def test_a_title_that_is_a_verb_phrase(text: str, title: str | None) -> None:
    (c,) = [c for c in find_citations(text) if c.start < 40]
    assert c.title == title


def test_scope_of_an_article_reference() -> None:
    (c,) = find_citations("theo khoản 8 Điều 40 Nghị định số 118/2025/NĐ-CP")
    assert c.scope == "khoản 8 Điều 40"


def test_code_follows_the_ministry_printed_after_it() -> None:
    (c,) = find_citations("Thông tư số 98/2013/TT-BXD ngày 24 tháng 7 năm 2013 của Bộ Tài chính hướng dẫn")
    assert str(c.symbol) == "98/2013/TT-BTC"
    # …but not when the printed ministry did not exist yet (its name is today's, the code the old one's)
    (c,) = find_citations("Thông tư số 03/2024/TT-BTNMT ngày 16/5/2024 của Bộ Nông nghiệp và Môi trường")
    assert str(c.symbol) == "03/2024/TT-BTNMT"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789/-.NĐQHCPTVUBDKgđ số ngày\n\t")), max_size=300))
def test_scanner_never_raises(text: str) -> None:
    for c in find_citations(text):
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start : c.end] == c.text


def test_adversarial_input_completes() -> None:
    """Inputs that make backtracking regexes explode: long runs of symbol-like fragments without an end."""
    for unit in ("1/", "1/2018/", "QĐ-", "số ", "ngày 1/", "Luật A", "- \n\t"):
        text = unit * 20000
        assert isinstance(find_citations(text), list)
