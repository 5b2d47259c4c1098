"""Timeframes as printed in task tables → due date (the latest the text allows), recurrence and kind."""

from __future__ import annotations

from datetime import date

import pytest

from tthc_kg.timeframe import parse_timeframe

CASES = [
    # (printed, plan year, due, recurring, kind)
    ("Trước 15/01/2024", 2024, date(2024, 1, 15), False, "before"),
    ("trước ngày 30 tháng 8 năm 2024", 2024, date(2024, 8, 30), False, "before"),
    ("Trước ngày 30 tháng 11 năm 2024", 2024, date(2024, 11, 30), False, "before"),
    ("Trước 15/01", 2024, date(2024, 1, 15), False, "before"),  # the plan's year
    ("Quý I/2023", None, date(2023, 3, 31), False, "period"),
    ("Quý II", 2024, date(2024, 6, 30), False, "period"),
    ("Quý I/II năm 2024", None, date(2024, 6, 30), False, "period"),  # alternatives: the later one
    ("Năm 2025", None, date(2025, 12, 31), False, "period"),
    ("Tháng 6/2024", None, date(2024, 6, 30), False, "period"),
    ("Tháng 01/2021 hoặc theo thời hạn được giao của UBND tỉnh", 2021, date(2021, 1, 31), False, "period"),
    ("Trong năm", 2021, date(2021, 12, 31), False, "period"),
    ("Định kỳ hàng quý, năm", 2025, None, True, "periodic"),
    ("Định kỳ hàng tháng, quý và năm", 2024, None, True, "periodic"),
    (
        "Báo cáo hàng quý trước ngày 20 của tháng cuối quý; Báo cáo năm trước ngày 20/12/2023",
        2023,
        date(2023, 12, 20),
        True,
        "periodic",
    ),
    ("Khi có yêu cầu", 2024, None, False, "event"),
    ("Chậm nhất 05 ngày kể từ ngày nhận được Quyết định công bố TTHC của Bộ.", 2024, None, False, "event"),
    ("Thường xuyên", 2024, None, True, "continuous"),
    # several deadlines in one cell: the latest (seed 003, I.1)
    (
        "- Ban hành và triển khai Kế hoạch này đến các phòng, đơn vị trong tháng 01 năm 2023; - Thực hiện các "
        "nhiệm vụ trong kế hoạch thường xuyên trong năm 2023.",
        2023,
        date(2023, 12, 31),
        True,
        "continuous",
    ),
    # from the corpus
    ("Quý IV/2025- Quý II/2026", None, date(2026, 6, 30), False, "period"),  # ke-hoach-310 Hà Nội
    ("Quí IV-2025", None, date(2025, 12, 31), False, "period"),  # ke-hoach-617 Đồng Tháp
    ("Quý III Năm 2026", None, date(2026, 9, 30), False, "period"),  # ke-hoach-310
    ("Trước ngày 30/11/2025", None, date(2025, 11, 30), False, "before"),  # ke-hoach-980 Nghệ An
    ("Thường xuyên, hằng năm", 2025, None, True, "continuous"),  # ke-hoach-617
    ("Sau khi có Quy chế của TW", 2025, None, False, "event"),  # ke-hoach-980
]


@pytest.mark.parametrize(("text", "year", "due", "recurring", "kind"), CASES)
def test_timeframe(text: str, year: int | None, due: date | None, recurring: bool, kind: str) -> None:
    tf = parse_timeframe(text, year)
    assert (tf.due, tf.recurring, tf.kind) == (due, recurring, kind)
    assert tf.text == " ".join(text.split())


def test_several_deadlines_kept_in_order() -> None:
    tf = parse_timeframe("Quý IV/2025- Quý II/2026")
    assert tf.deadlines == (date(2025, 12, 31), date(2026, 6, 30))


def test_no_year_no_plan_year_gives_no_due() -> None:
    assert parse_timeframe("Quý II", None).due is None
