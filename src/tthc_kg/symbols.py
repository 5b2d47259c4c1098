"""Document symbols ("số ký hiệu") as small frozen values: one parser, one formatter.

A symbol is NUMBER[/YEAR]/CODE ("61/2018/NĐ-CP", "79/KH-UBND") or, for Party documents, NUMBER-CODE
("57-NQ/TW"). The vocabulary that tells a type and an issuer from a code lives in ``data/*.csv``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class TypeWord:
    word: str  # "Nghị định"
    cls: str  # ontology class local name, "NghiDinh"
    normative: str  # "yes" | "no" | "maybe"
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Issuer:
    code: str
    name: str
    level: str  # "national" | "local"
    since: int | None = None  # first year the body existed (merged ministries of 2025)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("tthc_kg.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def type_words() -> tuple[TypeWord, ...]:
    """Type words, longest first so "Thông tư liên tịch" wins over "Thông tư"."""
    words = [
        TypeWord(r["word"], r["class"], r["normative"], tuple(v for v in r["variants"].split(";") if v))
        for r in _rows("doc_types.csv")
    ]
    return tuple(sorted(words, key=lambda w: -len(w.word)))


@cache
def type_word(word: str) -> TypeWord | None:
    """The canonical type word for a printed one (case-insensitive; typos listed as variants)."""
    key = unicodedata.normalize("NFC", word).strip().lower()
    for w in type_words():
        if w.word.lower() == key or key in (v.lower() for v in w.variants):
            return w
    return None


@cache
def type_codes() -> dict[str, tuple[str, bool]]:
    """Code prefix ("NĐ") → (type word, always normative with a year)."""
    return {r["prefix"].upper(): (r["type"], r["always_normative_with_year"] == "yes") for r in _rows("type_codes.csv")}


@cache
def issuers() -> dict[str, Issuer]:
    return {
        r["code"].upper(): Issuer(r["code"], r["name"], r["level"], int(r["since"]) if r["since"] else None)
        for r in _rows("issuers.csv")
    }


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def canonical_code(code: str) -> str:
    """Uppercase a code, keep the customary "TTg", drop spaces and line breaks, unify dashes.

    "qđ-ttg" → "QĐ-TTg"; "QĐ- UBND" → "QĐ-UBND"; "NQ/TW" stays.
    """
    code = unicodedata.normalize("NFC", code)
    code = _DASHES.sub("-", code)
    code = re.sub(r"\s+", "", code).upper().strip("-")
    if "-" not in code and "/" not in code and not re.fullmatch(r"(UBTVQH|QH)\d*", code):
        # a dash left out between type and issuer: "CTTG" → "CT-TTG" (only when both halves are known)
        for prefix in sorted(type_codes(), key=len, reverse=True):
            rest = code[len(prefix) :]
            if code.startswith(prefix) and rest and rest in issuers():
                code = f"{prefix}-{rest}"
                break
            # …or merged over a shared letter: "CTTG" → "CT-TTG" (Chỉ thị of the Thủ tướng)
            if code.startswith(prefix) and rest and prefix[-1] + rest in issuers():
                code = f"{prefix}-{prefix[-1]}{rest}"
                break
    # Customary lower-case letters kept, like the "g" of "TTg" (Thủ tướng): "TTr" (Tờ trình), "CTr" (Chương
    # trình), "QĐi" (Quy định of the Party). Each only as a whole part of the code.
    for upper, customary in (("TTG", "TTg"), ("TTR", "TTr"), ("CTR", "CTr"), ("QĐI", "QĐi")):
        code = re.sub(rf"(?<![A-ZĐ]){upper}(?![A-ZĐ])", customary, code)
    return code


@dataclass(frozen=True, order=True)
class Symbol:
    number: str
    year: int | None
    code: str
    party: bool = False  # Party documents are written NUMBER-CODE: "57-NQ/TW"

    def __str__(self) -> str:
        if self.party:
            return f"{self.number}-{self.code}"
        if self.year is not None:
            return f"{self.number}/{self.year}/{self.code}"
        return f"{self.number}/{self.code}"

    # --- what the code says -------------------------------------------------------------------------
    @property
    def type_prefix(self) -> str:
        head = self.code.split("/")[0] if self.party else self.code.split("-")[0]
        return head.upper()

    @property
    def type_word(self) -> str | None:
        """The type the code names ("NĐ-CP" → "Nghị định"); None when the code has no type part."""
        prefix = self.type_prefix
        if re.fullmatch(r"QH\d*|UBTVQH\d*", prefix):
            return None  # Luật and Nghị quyết of Quốc hội share the code
        found = type_codes().get(prefix)
        if found:
            return found[0]
        return None

    @property
    def issuer_code(self) -> str | None:
        """The issuing body's code: the part after the type ("QĐ-TTg" → "TTg", "QH15" → "QH")."""
        if self.party:
            return self.code.split("/")[-1]
        parts = self.code.split("-")
        if len(parts) == 1:
            m = re.fullmatch(r"(UBTVQH|QH)\d*", parts[0])
            return m.group(1) if m else None
        if parts[0].upper() in type_codes():
            return "-".join(parts[1:])
        return "-".join(parts)

    @property
    def always_normative(self) -> bool:
        """Codes that are always normative and always carry a year: NĐ-CP, TT-*, TTLT-*, QH*, UBTVQH*."""
        prefix = self.type_prefix
        if re.fullmatch(r"(UBTVQH|QH)\d+", prefix):
            return True
        found = type_codes().get(prefix)
        return bool(found and found[1])

    @property
    def national(self) -> bool:
        code = self.issuer_code
        if not code:
            return False
        first = code.split("-")[0].upper()
        if re.fullmatch(r"(UBTVQH|QH)\d*", first):
            return True
        issuer = issuers().get(first)
        return bool(issuer and issuer.level == "national")

    def with_year(self, year: int | None) -> Symbol:
        return Symbol(self.number, year, self.code, self.party)


_NUM = r"(?P<number>\d+(?:\.\d+)?[a-zA-Z]?)"
_PART = r"[A-ZĐa-zđ][A-ZĐa-zđ0-9&]{0,15}"
_SYMBOL_RE = re.compile(_NUM + rf"/(?:(?P<year>(?:19|20)\d\d)/)?(?P<code>{_PART}(?:-{_PART}){{0,6}})$")
_PARTY_RE = re.compile(_NUM + r"\s*-\s*(?P<code>[A-ZĐa-zđ]{1,4}\s*/\s*[A-Za-z]{1,6})\s*$")


def parse_symbol(text: str) -> Symbol | None:
    """Parse a printed symbol; None when it is not one. Inner spaces and line breaks are tolerated."""
    text = unicodedata.normalize("NFC", text).strip()
    # a break inside a code, as PDF extraction leaves it: "4020/QĐ-\n\n\tUBND", "66/2018/QĐ- UBND"
    text = re.sub(r"\s*([-/])\s*", r"\1", _DASHES.sub("-", text))
    m = _PARTY_RE.match(text)
    if m:
        return Symbol(m.group("number"), None, canonical_code(m.group("code")), party=True)
    m = _SYMBOL_RE.match(text)
    if not m:
        return None
    year = int(m.group("year")) if m.group("year") else None
    code = m.group("code")
    if not code[0].isupper() and code.split("-")[0].upper() not in type_codes():
        return None  # "12/ab": a code starts with a capital, unless it is a known type word in lower case
    return Symbol(m.group("number"), year, canonical_code(code))
