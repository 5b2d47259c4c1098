"""Query expansion with a small table of the domain's synonyms and abbreviations (``data/search_synonyms.csv``).

A legal officer types "nộp hồ sơ qua bưu điện" where the decision's title says "dịch vụ bưu chính công ích", or
"tthc" where the text says "thủ tục hành chính". Without dense vectors nothing bridges the two: :func:`expand`
gives the lexical ranking the tokens of what the documents write instead, which count :data:`SYNONYM_WEIGHT` of
the query's own tokens (a text with the query's own words still ranks first).

A row's ``term`` matches a run of whole syllables of the query, compared without diacritics ("buu dien" is
"bưu điện"); direction ``both`` makes the expansion a term too. The expansion's tokens are made as the query's
(:func:`~.tokenize.query_tokens`: folded only when the query has no diacritics), less those the query already
has. Expansions are not chained.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .tokenize import fold, has_diacritics, normalize, query_tokens, syllables

# the weight of an expansion's tokens against the query's own (1.0); bench/search_eval.py --split tune: 0.3 and
# 0.5 changed no MRR@10 by more than 0.001 (ALQAC's questions rarely use the table's terms)
SYNONYM_WEIGHT = 0.5
TABLE = "search_synonyms.csv"


@dataclass(frozen=True)
class Synonym:
    term: tuple[str, ...]  # folded syllables
    expansion: str  # as written, with its diacritics


def _folded(text: str) -> tuple[str, ...]:
    return tuple(fold(s) for s in syllables(text))


def parse(text: str) -> tuple[Synonym, ...]:
    """The rows of a synonym table (CSV: term, expansion, direction "both" | "one-way", note; ``#`` lines are
    comments) as one-way pairs. Raises ValueError on a bad row."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    out: list[Synonym] = []
    for n, row in enumerate(csv.DictReader(lines), 2):
        term, expansion, direction = ((row.get(c) or "").strip() for c in ("term", "expansion", "direction"))
        if not term or not expansion or direction not in ("both", "one-way"):
            raise ValueError(f"{TABLE}: row {n}: expected term, expansion and direction both|one-way, got {row}")
        out.append(Synonym(_folded(term), normalize(expansion)))
        if direction == "both":
            out.append(Synonym(_folded(expansion), normalize(term)))
    return tuple(out)


@cache
def table() -> tuple[Synonym, ...]:
    """The shipped table."""
    return parse(resources.files("tthc_kg.data").joinpath(TABLE).read_text(encoding="utf-8"))


def _contains(seq: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return n > 0 and any(seq[i : i + n] == part for i in range(len(seq) - n + 1))


def expansions(query: str, synonyms: tuple[Synonym, ...] | None = None) -> list[str]:
    """The expansions the query calls for, in table order: "nộp hồ sơ qua bưu điện" → ["bưu chính"]. An expansion
    the query already contains is left out ("một cửa liên thông" calls for nothing)."""
    words = _folded(query)
    exact = tuple(syllables(query)) if has_diacritics(normalize(query)) else words
    out: list[str] = []
    for s in table() if synonyms is None else synonyms:
        written = tuple(syllables(s.expansion)) if exact is not words else _folded(s.expansion)
        if _contains(words, s.term) and not _contains(exact, written) and s.expansion not in out:
            out.append(s.expansion)
    return out


def expansion_tokens(query: str, segment: bool = True, synonyms: tuple[Synonym, ...] | None = None) -> list[str]:
    """The tokens of the query's expansions that the query's own tokens lack, made as the query's: with
    diacritics, exact and folded; without, folded only."""
    found = expansions(query, synonyms)
    if not found:
        return []
    own = set(query_tokens(query, segment))
    folded_query = not has_diacritics(normalize(query))
    out: list[str] = []
    for phrase in found:
        tokens = query_tokens(fold(phrase) if folded_query else phrase, segment)
        out.extend(t for t in tokens if t not in own and t not in out)
    return out
