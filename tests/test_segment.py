"""segment.clause: the clause a citation stands in (its tthc:context), as a table of (text, cited, clause)."""

from __future__ import annotations

import pytest

from tthc_kg.segment import clause, preamble_regions

LIST_PREAMBLE = (
    "QUYẾT ĐỊNH\n\n"
    "Căn cứ các Nghị định của Chính phủ: số 20/2008/NĐ-CP ngày 14/02/2008 về tiếp nhận, xử lý phản ánh; số "
    "61/2018/NĐ-\n\nCP ngày 23/4/2018 về thực hiện cơ chế một cửa; số 45/2020/NĐ-CP ngày 08/4/2020 về thực "
    "hiện thủ tục hành chính trên môi trường điện tử;\n"
    "Căn cứ Quyết định số 2684/QĐ-UBND ngày 12/12/2023 của UBND tỉnh;\n\n"
    "QUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch.\n"
)


@pytest.mark.parametrize(
    ("text", "cited", "expected"),
    [
        # a clause of a list sharing its type word gets the list's head
        (
            LIST_PREAMBLE,
            "61/2018/NĐ-",
            "Căn cứ các Nghị định của Chính phủ: số 61/2018/NĐ- CP ngày 23/4/2018 về thực hiện cơ chế một cửa",
        ),
        (
            LIST_PREAMBLE,
            "20/2008/NĐ-CP",
            "Căn cứ các Nghị định của Chính phủ: số 20/2008/NĐ-CP ngày 14/02/2008 về tiếp nhận, xử lý phản ánh",
        ),
        (
            LIST_PREAMBLE,
            "45/2020/NĐ-CP",
            "Căn cứ các Nghị định của Chính phủ: số 45/2020/NĐ-CP ngày 08/4/2020 về thực hiện thủ tục hành chính "
            "trên môi trường điện tử",
        ),
        # a paragraph of its own
        (LIST_PREAMBLE, "2684/QĐ-UBND", "Căn cứ Quyết định số 2684/QĐ-UBND ngày 12/12/2023 của UBND tỉnh"),
        # outside a preamble: the sentence, up to its full stop
        (
            "Câu trước. Hằng quý báo cáo theo Thông tư số 01/2020/TT-VPCP\n\ncủa Văn phòng Chính phủ. Câu sau.",
            "01/2020/TT-VPCP",
            "Hằng quý báo cáo theo Thông tư số 01/2020/TT-VPCP của Văn phòng Chính phủ",  # a PDF line break: no end
        ),
        # a table cell (tab-separated row) and HTML tags
        (
            "12\tSố hóa hồ sơ\tVăn phòng\t<b>Nghị định số 107/2021/NĐ-CP</b>; Nghị quyết số 131/NQ-CP\n",
            "107/2021/NĐ-CP",
            "Nghị định số 107/2021/NĐ-CP",
        ),
        # a list item opens a new clause
        (
            "a) Rà soát thủ tục.\n- Thực hiện theo Quyết định số 45/2016/QĐ-TTg về bưu chính công ích\n- Khác",
            "45/2016/QĐ-TTg",
            "- Thực hiện theo Quyết định số 45/2016/QĐ-TTg về bưu chính công ích",
        ),
    ],
)
def test_clause(text: str, cited: str, expected: str) -> None:
    start = text.index(cited)
    assert clause(text, start, start + len(cited), preamble_regions(text)) == expected


def test_a_long_sentence_is_cut_around_the_citation() -> None:
    text = "x " * 1000 + "Nghị định số 61/2018/NĐ-CP " + "y " * 1000
    start = text.index("Nghị định")
    got = clause(text, start, start + 26)
    assert "61/2018/NĐ-CP" in got and len(got) <= 2 * 400 + 30
