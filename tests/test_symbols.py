"""Symbols: one parser, one formatter (DESIGN.md "Contracts": canonical symbol)."""

from __future__ import annotations

import pytest

from tthc_kg.symbols import canonical_code, parse_symbol

CASES = [
    # printed, canonical, type word from the code, national
    ("61/2018/NĐ-CP", "61/2018/NĐ-CP", "Nghị định", True),
    ("79/KH-UBND", "79/KH-UBND", "Kế hoạch", False),
    ("76/NQ-CP", "76/NQ-CP", "Nghị quyết", True),
    ("45/2016/QĐ-TTG", "45/2016/QĐ-TTg", "Quyết định", True),
    ("45/2016/qđ-ttg", "45/2016/QĐ-TTg", "Quyết định", True),
    ("57-NQ/TW", "57-NQ/TW", "Nghị quyết", True),
    ("66.2/2025/NQ-CP", "66.2/2025/NQ-CP", "Nghị quyết", True),
    ("02/2017/TT-VPCP", "02/2017/TT-VPCP", "Thông tư", True),
    ("64/2025/QH15", "64/2025/QH15", None, True),
    ("02/2022/UBTVQH15", "02/2022/UBTVQH15", None, True),
    ("4020/QĐ-\n\n\tUBND", "4020/QĐ-UBND", "Quyết định", False),
    ("66/2018/QĐ- UBND", "66/2018/QĐ-UBND", "Quyết định", False),
    ("71/NQ -CP", "71/NQ-CP", "Nghị quyết", True),
    ("146/QĐ-BVTV-KH", "146/QĐ-BVTV-KH", "Quyết định", False),
    ("163/2025/QĐ-CTUBND", "163/2025/QĐ-CTUBND", "Quyết định", False),
    ("430/TTr-UBND", "430/TTr-UBND", "Tờ trình", False),
    ("27/CTTg", "27/CT-TTg", "Chỉ thị", True),
    ("03/2015/TTLT-BTP-BTC", "03/2015/TTLT-BTP-BTC", "Thông tư liên tịch", True),
]


@pytest.mark.parametrize(("printed", "canonical", "type_word", "national"), CASES)
def test_parse_and_format(printed: str, canonical: str, type_word: str | None, national: bool) -> None:
    s = parse_symbol(printed)
    assert s is not None
    assert str(s) == canonical
    assert s.type_word == type_word
    assert s.national is national
    assert parse_symbol(str(s)) == s  # the formatter's output parses back to the same value


@pytest.mark.parametrize("printed", ["14/02/2008", "hello", "2024", "/QĐ-UBND", "12/ab"])
def test_not_symbols(printed: str) -> None:
    assert parse_symbol(printed) is None


def test_always_normative_codes() -> None:
    assert parse_symbol("02/TT-VPCP").always_normative  # type: ignore[union-attr]
    assert parse_symbol("64/QH15").always_normative  # type: ignore[union-attr]
    assert not parse_symbol("76/NQ-CP").always_normative  # type: ignore[union-attr]
    assert not parse_symbol("32/CT-TTg").always_normative  # type: ignore[union-attr]


def test_canonical_code_keeps_customary_lowercase_only_as_whole_part() -> None:
    assert canonical_code("qđ-ttg") == "QĐ-TTg"
    assert canonical_code("CTR/TU") == "CTr/TU"
    assert canonical_code("QĐ-TTGX") == "QĐ-TTGX"
