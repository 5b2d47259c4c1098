"""Document symbols ("số ký hiệu") as small frozen values: one parser, one formatter.

A symbol is NUMBER[/YEAR]/CODE ("61/2018/NĐ-CP", "79/KH-UBND") or, for Party documents, NUMBER-CODE
("57-NQ/TW"). The vocabulary that tells a type and an issuer from a code lives in ``data/*.csv``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
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
_SPACE = re.compile(r"\s+")
_LEGISLATURE = re.compile(r"(UBTVQH|QH)\d*")
# Customary lower-case letters kept, like the "g" of "TTg" (Thủ tướng): "TTr" (Tờ trình), "CTr" (Chương trình),
# "QĐi" (Quy định of the Party). Each only as a whole part of the code.
_CUSTOMARY = {"TTG": "TTg", "TTR": "TTr", "CTR": "CTr", "QĐI": "QĐi"}
_CUSTOMARY_RE = re.compile(r"(?<![A-ZĐ])(TTG|TTR|CTR|QĐI)(?![A-ZĐ])")


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


@lru_cache(maxsize=8192)
def canonical_code(code: str) -> str:
    """Uppercase a code, keep the customary "TTg", drop spaces and line breaks, unify dashes.

    "qđ-ttg" → "QĐ-TTg"; "QĐ- UBND" → "QĐ-UBND"; "NQ/TW" stays. (Cached: codes are a small vocabulary.)
    """
    code = _SPACE.sub("", _DASHES.sub("-", _nfc(code))).upper().strip("-")
    if "-" not in code and "/" not in code and not _LEGISLATURE.fullmatch(code):
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
    return _CUSTOMARY_RE.sub(lambda m: _CUSTOMARY[m.group(1)], code)


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

    # --- what the code says (computed once per distinct code: see _code_info) ----------------------------
    @property
    def type_prefix(self) -> str:
        return _code_info(self.code, self.party).type_prefix

    @property
    def type_word(self) -> str | None:
        """The type the code names ("NĐ-CP" → "Nghị định"); None when the code has no type part."""
        return _code_info(self.code, self.party).type_word

    @property
    def issuer_code(self) -> str | None:
        """The issuing body's code: the part after the type ("QĐ-TTg" → "TTg", "QH15" → "QH")."""
        return _code_info(self.code, self.party).issuer_code

    @property
    def always_normative(self) -> bool:
        """Codes that are always normative and always carry a year: NĐ-CP, TT-*, TTLT-*, QH*, UBTVQH*."""
        return _code_info(self.code, self.party).always_normative

    @property
    def national(self) -> bool:
        return _code_info(self.code, self.party).national

    def with_year(self, year: int | None) -> Symbol:
        return Symbol(self.number, year, self.code, self.party)


@dataclass(frozen=True)
class CodeInfo:
    type_prefix: str
    type_word: str | None
    issuer_code: str | None
    always_normative: bool
    national: bool


@lru_cache(maxsize=8192)
def _code_info(code: str, party: bool) -> CodeInfo:
    """What a code says of its document: the type, the issuer, whether it is always normative and national."""
    prefix = (code.split("/")[0] if party else code.split("-")[0]).upper()
    legislature = _LEGISLATURE.fullmatch(prefix)
    found = type_codes().get(prefix)
    type_word = None if legislature else (found[0] if found else None)  # Luật and NQ of Quốc hội share "QH15"
    parts = code.split("-")
    if party:
        issuer_code: str | None = code.split("/")[-1]
    elif len(parts) == 1:
        issuer_code = legislature.group(1) if legislature else None
    elif parts[0].upper() in type_codes():
        issuer_code = "-".join(parts[1:])
    else:
        issuer_code = code
    always_normative = bool(legislature and prefix[-1].isdigit()) or bool(found and found[1])
    national = False
    if issuer_code:
        first = issuer_code.split("-")[0].upper()
        known = issuers().get(first)
        national = bool(_LEGISLATURE.fullmatch(first)) or bool(known and known.level == "national")
    return CodeInfo(prefix, type_word, issuer_code, always_normative, national)


_NUM = r"(?P<number>\d+(?:\.\d+)?[a-zA-Z]?)"
_PART = r"[A-ZĐa-zđ][A-ZĐa-zđ0-9&]{0,15}"
_SYMBOL_RE = re.compile(_NUM + rf"/(?:(?P<year>(?:19|20)\d\d)/)?(?P<code>{_PART}(?:-{_PART}){{0,6}})$")
_INNER_SPACE = re.compile(r"\s*([-/])\s*")
_PARTY_RE = re.compile(_NUM + r"\s*-\s*(?P<code>[A-ZĐa-zđ]{1,4}\s*/\s*[A-Za-z]{1,6})\s*$")


def parse_symbol(text: str) -> Symbol | None:
    """Parse a printed symbol; None when it is not one. Inner spaces and line breaks are tolerated."""
    text = _nfc(text).strip()
    # a break inside a code, as PDF extraction leaves it: "4020/QĐ-\n\n\tUBND", "66/2018/QĐ- UBND"
    if _SPACE.search(text) or _DASHES.search(text):
        text = _INNER_SPACE.sub(r"\1", _DASHES.sub("-", text))
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
