"""Tokenization and folding, as tables: (text, expected tokens)."""

from __future__ import annotations

import unicodedata

import pytest

from tthc_kg.search.tokenize import (
    bigrams,
    fold,
    has_diacritics,
    index_tokens,
    normalize,
    query_tokens,
    syllables,
    words,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Một cửa", "Mot cua"),
        ("một cửa liên thông", "mot cua lien thong"),
        ("Đường bưu điện", "Duong buu dien"),
        ("ĐĂNG KÝ", "DANG KY"),
        ("nghị định", "nghi dinh"),
        ("thủ tục hành chính", "thu tuc hanh chinh"),
        ("Ủy ban nhân dân", "Uy ban nhan dan"),
        ("61/2018/NĐ-CP", "61/2018/ND-CP"),
        ("mot cua", "mot cua"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert fold(unicodedata.normalize("NFD", text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Một cửa, một cửa liên thông", ["một", "cửa", "một", "cửa", "liên", "thông"]),
        ("Nghị định số 61/2018/NĐ-CP", ["nghị", "định", "số", "61", "2018", "nđ", "cp"]),
        ("ý kiến của cá nhân", ["ý", "kiến", "của", "cá", "nhân"]),  # one-letter syllables are kept
        ("Bƣu chính công ích", ["bưu", "chính", "công", "ích"]),  # legacy PDF glyph ƣ (U+01A3) is ư
        ("THỦ  TỤC\nHÀNH\tCHÍNH", ["thủ", "tục", "hành", "chính"]),
        ("", []),
    ],
)
def test_syllables(text: str, expected: list[str]) -> None:
    assert syllables(text) == expected
    assert syllables(unicodedata.normalize("NFD", text)) == expected  # NFC and NFD give the same tokens


def test_normalize() -> None:
    assert normalize("  Một   CỬA \n") == "một cửa"
    assert normalize(unicodedata.normalize("NFD", "Một cửa")) == "một cửa"


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["một", "cửa", "liên"], ["một_cửa", "cửa_liên"]),
        (["một"], []),
        ([], []),
    ],
)
def test_bigrams(tokens: list[str], expected: list[str]) -> None:
    assert bigrams(tokens) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tiếp nhận hồ sơ qua bưu chính công ích", {"tiếp_nhận", "hồ_sơ", "bưu_chính", "công_ích"}),
        ("thủ tục hành chính", {"thủ_tục", "hành_chính"}),
    ],
)
def test_words_are_underthesea_multi_syllable_words(text: str, expected: set[str]) -> None:
    found = words(text)
    assert expected <= set(found)
    assert all("_" in w for w in found)  # one-syllable words are syllables already


@pytest.mark.parametrize(
    ("text", "diacritics"),
    [("một cửa", True), ("mot cua", False), ("61/2018", False), ("Đ", True), ("d", False)],
)
def test_has_diacritics(text: str, diacritics: bool) -> None:
    assert has_diacritics(text) is diacritics


def test_index_tokens_of_a_short_text() -> None:
    assert index_tokens("Một cửa") == ["một", "cửa", "một_cửa", "~mot", "~cua", "~mot_cua"]


@pytest.mark.parametrize(
    ("query", "indexed"),
    [
        ("mot cua", "Về thực hiện cơ chế một cửa"),
        ("nghi dinh mot cua", "Nghị định một cửa liên thông"),
        ("buu chinh cong ich", "qua dịch vụ bưu chính công ích"),
        ("một cửa", "cơ chế một cửa"),
        ("MỘT CỬA", "cơ chế một cửa"),
    ],
)
def test_every_query_token_is_found_in_the_indexed_text(query: str, indexed: str) -> None:
    """A query typed without diacritics finds the text with them (folded tokens), and so does one with them."""
    assert set(query_tokens(query)) <= set(index_tokens(indexed))


def test_a_query_without_diacritics_has_folded_tokens_only() -> None:
    assert query_tokens("mot cua") == ["~mot", "~cua", "~mot_cua"]
    assert {"một", "cửa", "~mot", "~cua"} <= set(query_tokens("một cửa"))
