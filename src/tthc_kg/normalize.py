"""Normalization of Vietnamese text with an offset map back to the original.

Everything downstream (citation finding, task tables) works on the normalized text; every span reported to a
user is mapped back through :meth:`Normalized.to_original`, so offsets always point into the text as decoded.

What is normalized:
- Unicode NFC (text may arrive NFD, e.g. from macOS or some PDF tools);
- legacy PDF-font glyphs: "ƣ" (U+01A3) / "Ƣ" (U+01A2) for "ư" / "Ư" (seed 002), one character for one;
- no-break and other exotic spaces become a plain space, zero-width characters are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# U+01A3/U+01A2 (Latin "oi"/"OI") are drawn as ư/Ư by the fonts of some Vietnamese PDFs.
_GLYPHS = str.maketrans({"\u01a3": "ư", "\u01a2": "Ư", "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " "})
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_GLYPH_RE = re.compile("[" + "".join(chr(k) for k in _GLYPHS) + "]")
_DROP_RE = re.compile("[" + "".join(_DROP) + "]")
_CLUSTER = re.compile(r"(?s).[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*")


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    # starts[i], ends[i]: the span of the original that normalized character i came from; None = identity.
    starts: Sequence[int] | None = None
    ends: Sequence[int] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span [start, end) of the normalized text to the original (end exclusive)."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def normalize(original: str) -> Normalized:
    """NFC + legacy glyphs, keeping an offset map (identity when nothing changes length)."""
    # (searches first: a compiled character-class search is ~20× faster than translate() on clean text)
    translated = original.translate(_GLYPHS) if _GLYPH_RE.search(original) else original
    drops = _DROP_RE.search(translated) is not None
    if not drops and unicodedata.is_normalized("NFC", translated):
        return Normalized(original, translated)  # one character for one: offsets unchanged
    fast = None if drops else _latin_map(translated)
    if fast is not None:
        return Normalized(original, *fast)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _CLUSTER.finditer(translated):
        cluster = m.group()
        if cluster[0] in _DROP and len(cluster) == 1:
            continue
        nfc = unicodedata.normalize("NFC", cluster)
        out.append(nfc)
        starts.extend([m.start()] * len(nfc))
        ends.extend([m.end()] * len(nfc))
    return Normalized(original, "".join(out), array("q", starts), array("q", ends))


def _latin_map(text: str) -> tuple[str, Sequence[int], Sequence[int]] | None:
    """The map of NFD Latin text (Vietnamese as macOS writes it) computed on arrays: every cluster is a base
    letter and its marks (U+0300–U+036F) and composes to one character. None when that does not hold (other
    scripts, a mark that does not compose): the cluster-by-cluster loop then does it, ~10× slower."""
    import numpy as np

    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    latin = (cps < 0x370) | ((cps >= 0x1E00) & (cps < 0x1F00)) | ((cps >= 0x2000) & (cps < 0x20A0))
    if not latin.all():
        return None
    mark = cps >= 0x300
    mark &= cps < 0x370
    if len(cps) == 0 or mark[0]:
        return None
    starts = np.flatnonzero(~mark)
    out = unicodedata.normalize("NFC", text)
    if len(out) != len(starts):
        return None  # a cluster that does not compose to one character
    ends = np.append(starts[1:], len(cps))
    return out, _ints(starts), _ints(ends)


def _ints(values: Any) -> array[int]:
    """A numpy array as a compact array of ints (indexing gives Python ints; no million-element tuple)."""
    out = array("q")
    out.frombytes(values.astype("int64").tobytes())
    return out


def nfc(text: str) -> str:
    """Normalized text without the map, for short strings (names, queries)."""
    return normalize(text).text
