"""What the web pages say: the Vietnamese labels of statuses, roles and changes, and the filters that format values."""

from __future__ import annotations

import re
from datetime import date

STATUS_LABELS = {
    "in_force": "Còn hiệu lực",
    "replaced": "Đã bị thay thế",
    "repealed": "Hết hiệu lực",
    "expired": "Hết hiệu lực",
    "partially_repealed": "Hết hiệu lực một phần",
    "amended": "Đã được sửa đổi",
    "not_yet_in_force": "Chưa có hiệu lực",
    "unknown": "Chưa xác định",
    "unresolved": "Chưa xác định",
}
STATUS_HINTS = {
    "repealed": "bị bãi bỏ",
    "expired": "hết thời hạn áp dụng",
    "unknown": "không có trong cơ sở dữ liệu văn bản, hoặc chưa rõ ngày ban hành và ngày có hiệu lực",
    "unresolved": "không có trong cơ sở dữ liệu văn bản",
}
# the CSS class of a status (style.css: .st-…); "not_yet_in_force" looks like "unknown"
STATUS_CLASS = {"not_yet_in_force": "not_yet"}
OUTDATED = ("replaced", "repealed", "expired", "partially_repealed")
DEPENDENCY_LABELS = {"basis": "Căn cứ chung (phần mở đầu)", "direct": "Căn cứ của nhiệm vụ", "mention": "Nhắc đến"}
ROLE_LABELS = {"basis": "căn cứ", "task_basis": "căn cứ của nhiệm vụ", "mention": "nhắc đến"}
# the search page: the kinds of result and the status filter's choices (tthc_kg.search.engine.STATUS_FILTERS)
KIND_LABELS = {"document": "Văn bản", "passage": "Đoạn căn cứ", "task": "Nhiệm vụ"}
STATUS_FILTER_LABELS = {
    "in_force": "Còn hiệu lực (kể cả đã sửa đổi, hết hiệu lực một phần)",
    "out_of_force": "Hết hiệu lực (bị thay thế, bãi bỏ, hết thời hạn)",
    "replaced": "Đã bị thay thế",
    "repealed": "Bị bãi bỏ",
    "expired": "Hết thời hạn áp dụng",
    "partially_repealed": "Hết hiệu lực một phần",
    "amended": "Đã được sửa đổi",
    "not_yet_in_force": "Chưa có hiệu lực",
    "unknown": "Chưa xác định (ngoài sổ đăng ký, hoặc chưa rõ ngày hiệu lực)",
}
CONFIDENCE_LABELS = {"confirmed": "đã xác nhận", "unconfirmed": "chưa xác nhận"}
# a change seen from the affected document ("bị … bởi") and from the document making it
EVENT_IN = {
    "replacement": "Bị thay thế bởi",
    "amendment": "Được sửa đổi, bổ sung bởi",
    "repeal": "Bị bãi bỏ bởi",
    "partial_repeal": "Bị bãi bỏ một phần bởi",
    "expiry": "Hết hiệu lực",
    "guidance": "Được hướng dẫn bởi",
}
EVENT_OUT = {
    "replacement": "Thay thế",
    "amendment": "Sửa đổi, bổ sung",
    "repeal": "Bãi bỏ",
    "partial_repeal": "Bãi bỏ một phần",
    "expiry": "Kế thừa",
    "guidance": "Hướng dẫn",
}


def vn_date(value: date | str | None) -> str:
    """ "2025-07-01" → "01/07/2025"; a year-month ("2026-06") → "06/2026"; None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    parts = str(value).split("-")
    return "/".join(reversed(parts))


def status_class(status: str | None) -> str:
    status = status or "unknown"
    return "st-" + STATUS_CLASS.get(status, status)


def plain(text: str | None) -> str:
    """Cell text without the HTML fragments some task tables carry ("<b>", "<ul>"), whitespace collapsed."""
    if not text:
        return ""
    text = re.sub(r"<\s*(br|/p|/li|li)\b[^>]*>", " ", text, flags=re.I)
    text = re.sub(r"<[^>]{0,200}>", "", text)
    return " ".join(text.split())
