"""Normalization keeps an offset map into the original text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from tthc_kg.normalize import normalize


def test_legacy_glyph_is_one_for_one() -> None:
    n = normalize("Sở Công Thƣơng")
    assert n.text == "Sở Công Thương"
    assert n.to_original(4, 14) == (4, 14)


def test_nfd_maps_back_to_original_spans() -> None:
    original = unicodedata.normalize("NFD", "Nghị định số 61/2018/NĐ-CP")
    n = normalize(original)
    assert n.text == "Nghị định số 61/2018/NĐ-CP"
    start = n.text.index("61/2018")
    a, b = n.to_original(start, start + len("61/2018/NĐ-CP"))
    assert unicodedata.normalize("NFC", original[a:b]) == "61/2018/NĐ-CP"
    a, b = n.to_original(0, len("Nghị định"))
    assert unicodedata.normalize("NFC", original[a:b]) == "Nghị định"


def test_zero_width_characters_dropped() -> None:
    n = normalize("61/2018/\u200bNĐ-CP")
    assert n.text == "61/2018/NĐ-CP"
    assert n.to_original(8, 13) == (9, 14)


@given(
    st.text(alphabet=st.sampled_from(list("aăâeêoôơuưiyđAĐ /-0123456789\n\u0300\u0301\u0303\u0309\u0323")), max_size=80)
)
def test_every_span_maps_inside_the_original(text: str) -> None:
    n = normalize(text)
    assert unicodedata.is_normalized("NFC", n.text)
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
