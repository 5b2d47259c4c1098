"""Agency cells split into names, and names resolved against the plan's issuer and province."""

from __future__ import annotations

import pytest

from tthc_kg.agencies import normalize_agency, split_agencies

SPLITS = [
    ("- Văn phòng Sở; - Các phòng, đơn vị thuộc Sở.", ["Văn phòng Sở", "Các phòng, đơn vị thuộc Sở"]),
    (
        "- Văn phòng Sở - Các phòng, đơn vị thuộc Sở có thủ tục hành chính",
        ["Văn phòng Sở", "Các phòng, đơn vị thuộc Sở có thủ tục hành chính"],
    ),
    ("Các phòng, đơn vị thuộc Sở", ["Các phòng, đơn vị thuộc Sở"]),
    ("Phòng Quản lý công nghệ và Thị trường công nghệ", ["Phòng Quản lý công nghệ và Thị trường công nghệ"]),
    (
        "Văn phòng Sở, Trung tâm Thông tin, thống kê và ứng dụng KH&CN",
        ["Văn phòng Sở", "Trung tâm Thông tin, thống kê và ứng dụng KH&CN"],
    ),
    (
        "Văn phòng Sở và các phòng chuyên môn, đơn vị trực thuộc Sở",
        ["Văn phòng Sở", "các phòng chuyên môn, đơn vị trực thuộc Sở"],
    ),
    ("Phòng chuyên môn và đơn vị trực thuộc Sở", ["Phòng chuyên môn và đơn vị trực thuộc Sở"]),
    ("Các phòng, đơn vị, các cá nhân có liên quan", ["Các phòng, đơn vị, các cá nhân có liên quan"]),
    ("Sở Thông tin và Truyền thông", ["Sở Thông tin và Truyền thông"]),
    (
        "Cán bộ đầu mối tiếp nhận; Các phòng chuyên môn, đơn vị trực thuộc Sở",
        ["Cán bộ đầu mối tiếp nhận", "Các phòng chuyên môn, đơn vị trực thuộc Sở"],
    ),
    (
        "- Phó Giám đốc Trần Đông Phương An - Cá nhân phụ trách",
        ["Phó Giám đốc Trần Đông Phương An", "Cá nhân phụ trách"],
    ),
    ("Các sở, ban, ngành tỉnh; UBND các xã, phường", ["Các sở, ban, ngành tỉnh", "UBND các xã, phường"]),
    ("<b>Văn phòng sở</b>", ["Văn phòng sở"]),
]


@pytest.mark.parametrize(("cell", "names"), SPLITS)
def test_split(cell: str, names: list[str]) -> None:
    assert split_agencies(cell) == names


KHCN_HY = ("Sở Khoa học và Công nghệ", "Hưng Yên")
SO = "Sở Khoa học và Công nghệ tỉnh Hưng Yên"
UB = "Ủy ban nhân dân tỉnh Hưng Yên"
NAMES = [
    # (printed, issuer, province, name, parent, is_person)
    ("Văn phòng Sở", *KHCN_HY, f"Văn phòng {SO}", SO, False),
    ("Văn phòng", *KHCN_HY, f"Văn phòng {SO}", SO, False),
    ("VP UBND tỉnh", *KHCN_HY, f"Văn phòng {UB}", UB, False),
    ("Chủ tịch UBND tỉnh", *KHCN_HY, f"Chủ tịch {UB}", UB, True),
    ("Các phòng, đơn vị thuộc Sở", *KHCN_HY, f"Các phòng, đơn vị thuộc {SO}", SO, False),
    ("Phòng chuyên môn, đơn vị trực thuộc Sở", *KHCN_HY, f"Các phòng, đơn vị thuộc {SO}", SO, False),
    ("Trung tâm Phục vụ hành chính công", *KHCN_HY, "Trung tâm Phục vụ hành chính công tỉnh Hưng Yên", UB, False),
    ("Phó Giám đốc Trần Đông Phương An", *KHCN_HY, "Phó Giám đốc Trần Đông Phương An", SO, True),
    ("Thanh tra Sở", *KHCN_HY, f"Thanh tra {SO}", SO, False),
    ("Sở Nội vụ Hưng Yên", *KHCN_HY, "Sở Nội vụ tỉnh Hưng Yên", UB, False),
    ("Sở Khoa học và Công nghệ", *KHCN_HY, SO, UB, False),
    (
        "Trung tâm Phục vụ HCC và KSTTHC tỉnh",
        "Sở Công Thương",
        "Hưng Yên",
        "Trung tâm Phục vụ hành chính công và Kiểm soát thủ tục hành chính tỉnh Hưng Yên",
        UB,
        False,
    ),
    # seed 004: a city the text never names: relative names stay relative, never guessed
    (
        "Văn phòng",
        "Sở Khoa học và Công nghệ",
        None,
        "Văn phòng Sở Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ",
        False,
    ),
    ("Chủ tịch UBND thành phố", "Sở Khoa học và Công nghệ", None, "Chủ tịch Ủy ban nhân dân thành phố", None, True),
    ("UBND tỉnh", "Sở KH&CN", None, "Ủy ban nhân dân tỉnh", None, False),
]


@pytest.mark.parametrize(("printed", "issuer", "province", "name", "parent", "person"), NAMES)
def test_normalize(
    printed: str, issuer: str, province: str | None, name: str, parent: str | None, person: bool
) -> None:
    ref = normalize_agency(printed, issuer, province)
    assert (ref.name, ref.parent, ref.is_person, ref.printed) == (name, parent, person, printed)
