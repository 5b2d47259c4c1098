"""Vietnamese text → the tokens the lexical index counts.

Vietnamese is written one syllable at a time, and a word is often two or more syllables ("hồ sơ", "bưu chính",
"thủ tục hành chính"). Syllables alone match too much ("chính" is in "bưu chính", "hành chính" and "chính phủ"),
so each text also gives:

- **words** from underthesea's word segmentation (``word_tokenize``; offline, ~70k characters/s, no model
  download): a true multi-syllable word ("bưu_chính") counts once more than an accidental pair of neighbouring
  syllables, which lifts texts that use the query's words as words. underthesea is the segmenter the project
  already depends on (DESIGN.md: search and agency names), and it needs the diacritics, so words are made for
  the exact tokens only;
- **bigrams** of neighbouring syllables ("một_cửa"), which measured MRR@10 0.803 → 0.857 on ALQAC 2024
  (DESIGN.md "Facts measured") and need no segmenter;
- **folded** tokens ("~mot", "~cua", "~mot_cua"): no diacritics, đ → d, under a "~" prefix of their own, so a
  query typed without diacritics ("mot cua") finds "một cửa", while a query with them still prefers the exact
  spelling (it matches both kinds).

Every text is NFC-normalized (with the legacy PDF glyphs "ƣ" → "ư", :func:`tthc_kg.normalize.nfc`) and lowercased
first, so NFC and NFD input give the same tokens. Syllables are runs of ``\\w`` (letters and digits): one-letter
syllables ("y", "ý") are kept, and a symbol "61/2018/NĐ-CP" gives "61", "2018", "nđ", "cp".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import pairwise

from ..normalize import nfc

FOLD_PREFIX = "~"
WORD_JOIN = "_"

_SYLLABLE = re.compile(r"\w+")
_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
# underthesea segments long texts in one pass but its cost grows with the text; texts are cut into chunks at
# sentence-like boundaries so one long passage never dominates (and the cache below stays useful).
_CHUNK = re.compile(r"[^.;:\n]+[.;:\n]*")


def normalize(text: str) -> str:
    """NFC (legacy glyphs fixed), lowercase, whitespace collapsed."""
    return " ".join(nfc(text).lower().split())


@lru_cache(maxsize=1 << 17)  # called once per token indexed: the same syllables and pairs again and again
def fold(text: str) -> str:
    """Diacritics removed, đ → d: "Một cửa" → "Mot cua" (case is kept; :func:`normalize` lowercases)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def has_diacritics(text: str) -> bool:
    """Whether folding changes the text ("một cửa" yes, "mot cua" no)."""
    return fold(text) != text


def syllables(text: str) -> list[str]:
    """Lowercase NFC syllables: "Một cửa, một cửa liên thông" → ["một", "cửa", "một", "cửa", "liên", "thông"]."""
    return _SYLLABLE.findall(normalize(text))


def bigrams(tokens: list[str]) -> list[str]:
    """Neighbouring pairs joined by "_": ["một", "cửa", "liên"] → ["một_cửa", "cửa_liên"]."""
    return [a + WORD_JOIN + b for a, b in pairwise(tokens)]


def words(text: str) -> list[str]:
    """Multi-syllable words found by underthesea, lowercase, syllables joined by "_": "hồ sơ" → "hồ_sơ".

    One-syllable words are left out (they are already syllables); so are tokens that are not all letters and
    digits ("61/2018", "NĐ-CP"), which the syllables cover."""
    out: list[str] = []
    for chunk in _CHUNK.findall(normalize(text)):
        out.extend(_words(chunk))
    return out


@lru_cache(maxsize=65536)
def _words(chunk: str) -> tuple[str, ...]:
    from underthesea import word_tokenize

    found = []
    for word in word_tokenize(chunk):
        parts = word.split()
        if len(parts) > 1 and all(_SYLLABLE.fullmatch(p) for p in parts):
            found.append(WORD_JOIN.join(parts))
    return tuple(found)


def folded(tokens: list[str]) -> list[str]:
    """Tokens without diacritics, under the fold prefix: ["một_cửa"] → ["~mot_cua"]."""
    return [FOLD_PREFIX + fold(t) for t in tokens]


def index_tokens(text: str, segment: bool = True) -> list[str]:
    """The tokens of a text to index: syllables, their bigrams, underthesea's words (``segment``), and the folded
    syllables and bigrams. "Một cửa" → ["một", "cửa", "một_cửa", "~mot", "~cua", "~mot_cua"]."""
    syl = syllables(text)
    exact = syl + bigrams(syl)
    return exact + (words(text) if segment else []) + folded(exact)


def query_tokens(text: str, segment: bool = True) -> list[str]:
    """The tokens of a query: as :func:`index_tokens` when it has diacritics (exact and folded tokens both
    count, so the exact spelling ranks first); only folded tokens when it has none ("mot cua": the exact
    "mot" would never match Vietnamese text, and ASCII syllables such as "an" match through the fold)."""
    if has_diacritics(normalize(text)):
        return index_tokens(text, segment)
    syl = syllables(text)
    return folded(syl + bigrams(syl))
