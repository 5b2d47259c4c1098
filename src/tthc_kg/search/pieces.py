"""Short pieces of a searchable unit: what the lexical index and the dense model actually read.

A long text matches a query by a few of its words, and both rankers are fairer to short texts: BM25 normalizes by
length and a sentence embedding of 200 words blurs what each clause says. So a unit is read as **pieces** — its
title, ". ", then its clauses packed in order up to :data:`MAX_WORDS` (64) words, a longer clause cut into
windows — and a unit's score in a ranking is its best piece's (max-pooling). Each lexical piece starts with the
name of the document it is about, as an ALQAC unit starts with its law's name.

Measured on the ALQAC tuning sets (bench/search_eval.py; bench/README.md): 64-word units with the law's name
lifted lexical MRR@10 by 0.03–0.05 over whole articles, dense by 0.01–0.03.

A piece's key is its unit's key, :data:`SEPARATOR` and its number (``doc:…@0``); :func:`owner` inverts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

MAX_WORDS = 64
SEPARATOR = "@"
_CLAUSE_BREAK = re.compile(r"\n+")


def piece_key(unit_key: str, number: int) -> str:
    return f"{unit_key}{SEPARATOR}{number}"


def owner(key: str) -> str:
    """The unit a piece belongs to: ``piece_key(u, i)`` → ``u`` (whatever ``u`` contains)."""
    return key.rpartition(SEPARATOR)[0]


def clauses(text: str) -> list[str]:
    """A text's clauses: its non-empty lines, whitespace collapsed."""
    return [" ".join(c.split()) for c in _CLAUSE_BREAK.split(text) if c.strip()]


def pack(parts: Sequence[str], max_words: int = MAX_WORDS) -> list[str]:
    """Clauses packed in order into pieces of at most ``max_words`` words; a longer clause is cut into windows of
    ``max_words`` words (the last one shorter).

    >>> pack(["a b c", "d e", "f g h i"], max_words=5)
    ['a b c d e', 'f g h i']
    >>> pack(["a b c d e f g"], max_words=3)
    ['a b c', 'd e f', 'g']
    """
    out: list[str] = []
    cur: list[str] = []
    size = 0
    for clause in parts:
        words = clause.split()
        if not words:
            continue
        if len(words) > max_words:
            if cur:
                out.append(" ".join(cur))
                cur, size = [], 0
            out.extend(" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words))
            continue
        if size + len(words) > max_words and cur:
            out.append(" ".join(cur))
            cur, size = [], 0
        cur.append(clause)
        size += len(words)
    if cur:
        out.append(" ".join(cur))
    return out


def titled(title: str | None, body: Iterable[str], max_words: int = MAX_WORDS) -> list[str]:
    """The pieces of a titled text: "title. " before each packed piece of ``body`` (its clauses); the title alone
    when the body is empty. (bench/search_eval.py's ALQAC units are ``titled(article title, clauses)``.)

    >>> titled("Điều 5", ["1. a b", "2. c"], max_words=2)
    ['Điều 5. 1. a b', 'Điều 5. 2. c']
    """
    packed = pack(list(body), max_words)
    if not title:
        return packed
    return [f"{title}. {p}" for p in packed] if packed else [title]


def split(text: str, head: str | None = None, max_words: int = MAX_WORDS) -> list[str]:
    """A unit's text as pieces: one piece when it is short enough, else its clauses packed; each after ``head``
    (the document it is about) when given.

    >>> split("một hai ba", head="Nghị định 61/2018")
    ['Nghị định 61/2018. một hai ba']
    >>> split("a b c d", max_words=2)
    ['a b', 'c d']
    """
    if not text.strip():
        return [head] if head else []
    return titled(head, clauses(text), max_words)
