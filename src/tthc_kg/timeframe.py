"""Timeframes of task rows ("Thời gian thực hiện") parsed to a due date and a recurrence flag.

``due`` is the latest date the printed timeframe allows: the last day of a quarter, month or year, the date of
a "Trước …" deadline, the latest of several deadlines in one cell. A missing year ("Trước 15/01", "Quý II",
"Trong năm") takes the plan's year. Event-bound ("Khi có yêu cầu", "Chậm nhất 05 ngày kể từ …") and
continuous ("Thường xuyên") timeframes have no due date unless they also print a dated bound.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from .models_tasks import Timeframe

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Q = r"(?:IV|I{1,3}|[1-4])(?![\dIVa-zà-ỹ])"  # a quarter as a Roman numeral or a digit ("Quý 1/2025")

# "30/8/2024", "30-8-2024", "30.8.2024"
_DMY = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
# "ngày 30 tháng 8 năm 2024"
_DMY_LONG = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|/)\s*(\d{4})", re.I)
# "Trước 15/01", "trước ngày 20/12" — a day and month, the year left to the plan
_DM = re.compile(r"(?:trước|ngày|đến|hạn)\s+(?:ngày\s+)?(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])", re.I)
# "Tháng 6/2024", "tháng 01 năm 2023", "tháng 6 - 2024"
_MONTH = re.compile(r"tháng\s+(\d{1,2})\s*(?:[/-]|năm)\s*(\d{4})", re.I)
# "Quý I/2023", "Quý I/II năm 2024", "Quí IV-2025", "quý III Năm 2026", "Quý II" (no year)
_QUARTER = re.compile(
    rf"qu[ýyíi]\s+({_Q}(?:\s*(?:/|,|-|và|hoặc|đến)\s*(?:qu[ýyíi]\s+)?{_Q})*)(?:\s*(?:[/-]|,?\s*năm)\s*(\d{{4}}))?",
    re.I,
)
# "6 tháng đầu năm 2024", "6 tháng cuối năm"
_HALF = re.compile(r"(06|6)\s+tháng\s+(đầu|cuối)\s+năm(?:\s+(\d{4}))?", re.I)
# "Năm 2025", "trong năm 2024", "2025", "2021-2025", "đến năm 2030"
_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?![\d/])")
_BARE_YEAR = re.compile(r"\btrong\s+năm\b(?!\s*\d)", re.I)  # "Trong năm": the plan's year

_CONTINUOUS = re.compile(r"thường\s+xuyên|liên\s+tục", re.I)
_PERIODIC = re.compile(r"định\s+kỳ|h[àằ]ng\s+(?:tháng|quý|năm|tuần|ngày)|mỗi\s+(?:tháng|quý|năm)|cuối\s+quý", re.I)
_EVENT = re.compile(
    r"\bkhi\b|kể\s+từ|\bngay\b|\bnếu\b|\btheo\b|đúng\s+ngày|sau\s+khi|phát\s+sinh|trong\s+quá\s+trình|đột\s+xuất|"
    r"yêu\s+cầu|trong\s+thời\s+hạn|tính\s+đến",
    re.I,
)
_BEFORE = re.compile(r"trước|chậm\s+nhất|hạn\s+chót|\bđến\s+ngày", re.I)


def _end_of_month(year: int, month: int) -> date | None:
    if not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans blanked out, in one pass (masking match by match was quadratic)."""
    if not spans:
        return text
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(" " * (b - a))
        pos = b
    out.append(text[pos:])
    return "".join(out)


def parse_timeframe(text: str, plan_year: int | None = None) -> Timeframe:
    """Parse a printed timeframe; ``plan_year`` fills a missing year."""
    printed = " ".join(text.split())
    work = printed
    found: list[tuple[int, date]] = []  # (position, deadline) so the list keeps the printed order
    kinds: set[str] = set()

    for rx in (_DMY_LONG, _DMY):
        spans = []
        for m in rx.finditer(work):
            d = _safe_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if d:
                found.append((m.start(), d))
                spans.append(m.span())
        work = _mask(work, spans)
    spans = []
    for m in _DM.finditer(work):
        if plan_year and (d := _safe_date(plan_year, int(m.group(2)), int(m.group(1)))):
            found.append((m.start(), d))
            spans.append(m.span())
    work = _mask(work, spans)
    spans = []
    for m in _MONTH.finditer(work):
        if d := _end_of_month(int(m.group(2)), int(m.group(1))):
            found.append((m.start(), d))
            kinds.add("period")
            spans.append(m.span())
    work = _mask(work, spans)
    spans = []
    for m in _QUARTER.finditer(work):
        quarters = [_ROMAN[q.upper()] for q in re.findall(r"IV|I{1,3}|[1-4]", m.group(1), re.I)]
        year = int(m.group(2)) if m.group(2) else plan_year
        if year and quarters:
            found.append((m.start(), _end_of_month(year, 3 * max(quarters)) or date(year, 12, 31)))
            kinds.add("period")
        spans.append(m.span())
    work = _mask(work, spans)
    spans = []
    for m in _HALF.finditer(work):
        year = int(m.group(3)) if m.group(3) else plan_year
        if year:
            found.append((m.start(), date(year, 6, 30) if m.group(2).lower() == "đầu" else date(year, 12, 31)))
            kinds.add("period")
        spans.append(m.span())
    work = _mask(work, spans)
    for m in _YEAR.finditer(work):
        found.append((m.start(), date(int(m.group(1)), 12, 31)))
        kinds.add("period")
    if plan_year and not found:
        for m in _BARE_YEAR.finditer(work):
            found.append((m.start(), date(plan_year, 12, 31)))
            kinds.add("period")

    deadlines = tuple(d for _, d in sorted(found, key=lambda p: p[0]))
    recurring = bool(_CONTINUOUS.search(printed) or _PERIODIC.search(printed))
    if _CONTINUOUS.search(printed):
        kind = "continuous"
    elif _PERIODIC.search(printed):
        kind = "periodic"
    elif deadlines and _BEFORE.search(printed):
        kind = "before"
    elif "period" in kinds:
        kind = "period"
    elif deadlines:
        kind = "before"
    elif _EVENT.search(printed) or _BEFORE.search(printed):
        kind = "event"
    else:
        kind = "unknown"
    return Timeframe(printed, kind, max(deadlines) if deadlines else None, recurring, deadlines)
