"""Agencies in task cells: split a cell into names, and resolve each name in the context of the plan's issuer.

"Văn phòng Sở" in a plan of Sở KH&CN Hưng Yên is "Văn phòng Sở Khoa học và Công nghệ tỉnh Hưng Yên", a
sub-organization of that Sở, itself of "Ủy ban nhân dân tỉnh Hưng Yên". The abbreviations and the patterns of
relative names live in ``data/agency_gazetteer.csv``. When the province is unknown (seed 004 says only "thành
phố") a name that needs it keeps its relative form: never guessed.

Word segmentation (underthesea) is deliberately not used here: the decisions below hinge on capitalization and
on a closed list of head words ("Văn phòng", "Sở", "Trung tâm" …), which a segmenter neither adds nor improves,
and its cost (~70k chars/s) would dominate extraction of a whole corpus.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .models_tasks import AgencyRef


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    name: str
    parent: str
    is_person: bool


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[tuple[tuple[re.Pattern[str], str], ...], tuple[_Rule, ...]]:
    text = resources.files("tthc_kg.data").joinpath("agency_gazetteer.csv").read_text(encoding="utf-8")
    abbrs: list[tuple[re.Pattern[str], str]] = []
    rules: list[_Rule] = []
    for row in csv.DictReader(text.splitlines()):
        if row["kind"] == "abbr":
            # whole words only: "VP" must not touch "VPCP", "TT" not "TTHC"
            abbrs.append((re.compile(rf"(?<![\w&]){re.escape(row['pattern'])}(?![\w&])"), row["name"]))
        elif row["kind"] == "relative":
            rules.append(_Rule(re.compile(row["pattern"]), row["name"], row["parent"], row["is_person"] == "true"))
    abbrs.sort(key=lambda a: -len(a[0].pattern))  # "CNTT&TT" before "CNTT"
    return tuple(abbrs), tuple(rules)


# Words that begin an agency name (capitalized), so that a comma or "và" before them separates two agencies:
# "Văn phòng Sở, Trung tâm Thông tin …" is two; "Các phòng, đơn vị thuộc Sở" is one;
# "Phòng Quản lý công nghệ và Thị trường công nghệ" is one ("Thị trường" is no head word).
_HEADS = (
    r"Văn phòng|VP|Phòng|Sở|Trung tâm|TT|Thanh tra|Chi cục|Cục|UBND|Ủy ban|Uỷ ban|Ban|Bộ|Tổ|Công an|Kho bạc|"
    r"Hội đồng|HĐND|Đài|Báo|Bảo hiểm|Chủ tịch|Giám đốc|Phó Giám đốc|Lãnh đạo|Cán bộ|Bộ phận|Đoàn|Liên đoàn|"
    r"Viện|Trường|Bệnh viện|Doanh nghiệp|Cơ quan|Các (?:sở|phòng|cơ quan|Sở|Phòng|đơn vị|doanh nghiệp|Trung tâm)"
)
_HEAD_AFTER_COMMA = re.compile(rf",\s*(?=(?:{_HEADS})(?![\wà-ỹ])|các (?:sở|phòng|cơ quan|Sở|Phòng|Trung tâm)\b)")
_HEAD_AFTER_VA = re.compile(rf"\s+và\s+(?=(?:{_HEADS})(?![\wà-ỹ])|các (?:sở|phòng|cơ quan|Sở|Phòng|Trung tâm)\b)")
_BULLET = re.compile(r"(?:^|\s)[-–•+]\s+")
_TAGS = re.compile(r"<[^>]+>")


def _clean(s: str) -> str:
    s = " ".join(_TAGS.sub(" ", s).split())
    return s.strip(" .;,:-–•")


def split_agencies(cell: str) -> list[str]:
    """Split a cell of agencies at ";", bullets, newlines, and at "," / "và" only before a new agency."""
    out: list[str] = []
    text = _TAGS.sub(" ", cell)
    for part in re.split(r";|\n", text):
        for piece in _BULLET.split(" " + part):
            for sub in _HEAD_AFTER_COMMA.split(piece):
                for name in _HEAD_AFTER_VA.split(sub):
                    if c := _clean(name):
                        out.append(c)
    return out


def expand_abbreviations(name: str) -> str:
    abbrs, _ = _gazetteer()
    for rx, full in abbrs:
        name = rx.sub(full, name)
    return " ".join(name.split())


def _capitalize(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _fill(template: str, values: dict[str, str | None]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1)) or "", template)


def normalize_agency(printed: str, issuer: str | None = None, province: str | None = None) -> AgencyRef:
    """Resolve a printed agency name against the plan's issuer ("Sở Khoa học và Công nghệ") and province."""
    _, rules = _gazetteer()
    name = _capitalize(expand_abbreviations(_clean(printed)))
    name = re.sub(r"(?<!các )(?<!Các )\bsở\b", "Sở", name)  # "Văn phòng sở" is "Văn phòng Sở"; "các sở" stays
    issuer_x = expand_abbreviations(issuer) if issuer else None
    prov = expand_abbreviations(province) if province else None
    if prov and issuer_x and prov in issuer_x:
        issuer_x = issuer_x[: issuer_x.index(prov)].rstrip().removesuffix(" tỉnh").removesuffix(" thành phố")
    province_unit = None
    if prov:
        province_unit = prov if prov.startswith(("tỉnh ", "thành phố ")) else f"tỉnh {prov}"
        bare = province_unit.split(" ", 1)[1] if province_unit.startswith("tỉnh ") else province_unit
        # "Sở Nội vụ Hưng Yên", "Trung tâm … tỉnh Hưng Yên": the province is added back from the context
        name = re.sub(rf"\s+(?:tỉnh\s+)?{re.escape(bare)}$", "", name)
    ubnd = f"Ủy ban nhân dân {province_unit}" if province_unit else None
    issuer_full = None
    if issuer_x:
        issuer_full = f"{issuer_x} {province_unit}" if province_unit and issuer_x.startswith("Sở ") else issuer_x
    if issuer_full and name in (issuer_x, issuer_full):
        return AgencyRef(printed, issuer_full, ubnd, False)
    values = {"issuer": issuer_full, "ubnd": ubnd, "province_unit": province_unit}
    for rule in rules:
        m = rule.pattern.match(name)
        if not m:
            continue
        needed = set(re.findall(r"{(\w+)}", rule.name + rule.parent)) - {"0", "1"}
        if any(values.get(k) is None for k in needed):
            # the context this relative name needs is unknown: keep it relative, never guess
            return AgencyRef(printed, name, None, rule.is_person)
        fill = {**values, "0": m.group(0), "1": m.group(1) if m.groups() else ""}
        full = _fill(rule.name, fill)
        parent = _fill(rule.parent, fill) or None
        if issuer_full and full == issuer_full:
            parent = ubnd
        return AgencyRef(printed, " ".join(full.split()), parent, rule.is_person)
    return AgencyRef(printed, name, None, False)
