"""Read a source file to text: decode it, or refuse it with one clear reason.

Offsets reported to users point into the text returned here ("the file's text as decoded"). Supported: plain
text and Markdown (.txt, .md), HTML (.html, .htm: tags are kept in the text, so offsets still point into the
file; the scanner and table recovery ignore them).

Encodings:
- UTF-8, with or without a BOM (the BOM is not part of the text: offset 0 is the first character after it);
  UTF-16 and UTF-32 with a BOM.
- Legacy Vietnamese encodings of old government files, detected and converted to Unicode NFC: TCVN3 (ABC,
  TCVN 5712 — the ".VnTime" fonts), VNI (VNI-Windows, "VNI-Times": a letter followed by a mark byte) and
  Windows-1258. They are recognized both as raw bytes (a file that is not UTF-8) and as "mojibake" already in
  UTF-8 (a legacy file converted by a tool that took its bytes for Windows-1252: "Nghß ®Þnh", "Nghò ñònh").
  Offsets of such a file point into the converted text (the text ``extract`` prints spans of), not into its
  bytes: one character of the converted text may come from one or two characters of the legacy text. TCVN3 has
  no capital letters with tone marks (headings were typed in lower case with a capitals-only font), so they come
  out in lower case. A file whose bytes are neither UTF-8 nor recognizably one of these is refused.

Refused, each with its reason: a path that does not exist, a directory, a file that is not a regular file,
an empty or blank file, binary content (NUL bytes, control characters, or the signature of a PDF, an image, a
Word/Excel/zip file), a scanned PDF (no text layer), and a file larger than the size limit
(``TTHC_KG_MAX_FILE_MB``, default 20 MB): the size is checked before reading and at most the limit is ever read,
so a huge file cannot exhaust memory.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ""}
DEFAULT_MAX_MB = 20.0
MAX_BYTES = int(DEFAULT_MAX_MB * 1024 * 1024)  # the default limit (TTHC_KG_MAX_FILE_MB overrides it)
LIMIT_ENV = "TTHC_KG_MAX_FILE_MB"


class ReadError(ValueError):
    """A file that cannot be read as a plan; the message names the reason (the caller adds the file)."""


@dataclass(frozen=True)
class Source:
    """A file's text and how it was decoded."""

    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "utf-32", or a legacy one: "tcvn3", "vni", "cp1258"

    @property
    def converted(self) -> bool:
        """True when the text was converted from a legacy Vietnamese encoding."""
        return self.encoding in LEGACY_NAMES


LEGACY_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI", "cp1258": "Windows-1258"}


def max_bytes() -> int:
    """The size limit in bytes: ``TTHC_KG_MAX_FILE_MB`` (megabytes, may be fractional), default 20."""
    raw = os.environ.get(LIMIT_ENV, "").strip()
    if not raw:
        return MAX_BYTES
    try:
        mb = float(raw)
    except ValueError:
        mb = -1.0
    if not mb > 0 or mb != mb or mb == float("inf"):
        raise ReadError(f"{LIMIT_ENV}={raw!r} is not a positive number of megabytes")
    return int(mb * 1024 * 1024)


# --- signatures of binary files --------------------------------------------------------------------------------

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image, not text (scanned pages need OCR first)"),
    (b"\xff\xd8\xff", "a JPEG image, not text (scanned pages need OCR first)"),
    (b"GIF87a", "a GIF image, not text"),
    (b"GIF89a", "a GIF image, not text"),
    (b"II*\x00", "a TIFF image, not text (scanned pages need OCR first)"),
    (b"MM\x00*", "a TIFF image, not text (scanned pages need OCR first)"),
    (b"PK\x03\x04", "a zip file (a .docx, .xlsx or .odt?), not text: save it as plain text (.txt) first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word/Excel file (.doc/.xls), not text: save it as .txt first"),
    (b"{\\rtf", "an RTF document, not plain text: save it as .txt first"),
    (b"\x1f\x8b", "a gzip-compressed file, not text"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive, not text"),
    (b"Rar!", "a RAR archive, not text"),
)


def _pdf_reason(data: bytes) -> str:
    """A PDF: with a text layer (fonts) it needs its text extracted; without one it is a scan."""
    if b"/Font" not in data and b"/ObjStm" not in data and (b"/Image" in data or b"/XObject" in data):
        return "a scanned PDF with no text layer (images only): run OCR, then ingest the extracted text"
    return "a PDF file (binary, not text): extract its text first (pdftotext FILE.pdf FILE.txt), ingest the .txt"


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF") or data[:1024].lstrip(b"\r\n\t ").startswith(b"%PDF"):
        return _pdf_reason(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image, not text"
    for magic, reason in _SIGNATURES:
        if data.startswith(magic):
            return reason
    return None


# --- legacy Vietnamese encodings ---------------------------------------------------------------------------------

# TCVN 5712 (VN1; TCVN3/ABC is its subset without the capitals with tone marks). Byte → character; bytes not
# listed are ASCII / Latin-1. 0xB0–0xB4 are combining tone marks (NFC composes them). Checked against glibc's
# TCVN5712-1 converter (iconv).
_TCVN_BYTES = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ",
    0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
    0x80: "À", 0x81: "Ả", 0x82: "Ã", 0x83: "Á", 0x84: "Ạ", 0x85: "Ặ", 0x86: "Ậ", 0x87: "È", 0x88: "Ẻ",
    0x89: "Ẽ", 0x8A: "É", 0x8B: "Ẹ", 0x8C: "Ệ", 0x8D: "Ì", 0x8E: "Ỉ", 0x8F: "Ĩ", 0x90: "Í", 0x91: "Ị",
    0x92: "Ò", 0x93: "Ỏ", 0x94: "Õ", 0x95: "Ó", 0x96: "Ọ", 0x97: "Ộ", 0x98: "Ờ", 0x99: "Ở", 0x9A: "Ỡ",
    0x9B: "Ớ", 0x9C: "Ợ", 0x9D: "Ù", 0x9E: "Ủ", 0x9F: "Ũ",
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ", 0xA8: "ă", 0xA9: "â",
    0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xAF: "Ằ",
    0xB0: "\u0300", 0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBA: "Ẳ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ",
    0xBE: "ắ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è", 0xCD: "Ể", 0xCE: "ẻ", 0xCF: "ẽ",
    0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì", 0xD8: "ỉ",
    0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò", 0xE0: "Ổ", 0xE1: "ỏ",
    0xE2: "õ", 0xE3: "ó", 0xE4: "ọ", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ",
    0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ", 0xEF: "ù", 0xF0: "Ỗ", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú",
    0xF4: "ụ", 0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ",
    0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố",
}  # fmt: skip

# VNI-Windows: a base letter followed by a mark character (as the bytes show in Windows-1252); ơ, ư, đ and the i
# and ỵ forms are single characters. Lower case; capitals use the capital forms of the same characters.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRC = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(seq: str, target: str) -> None:
        table[seq] = unicodedata.normalize("NFC", target)
        table[seq.upper()] = unicodedata.normalize("NFC", target.upper())

    for base in "aeouy":
        for mark, tone in _VNI_TONES.items():
            add(base + mark, base + tone)
    for base, circ in (("a", "â"), ("e", "ê"), ("o", "ô")):
        for mark, tone in _VNI_CIRC.items():
            add(base + mark, circ + tone)
    for mark, tone in _VNI_BREVE.items():
        add("a" + mark, "ă" + tone)
    for single, target in _VNI_SINGLE.items():
        add(single, target)
    for base in ("ô", "ö"):  # ơ, ư with a tone: "ôù" = ớ, "öø" = ừ
        for mark, tone in _VNI_TONES.items():
            add(base + mark, _VNI_SINGLE[base] + tone)
    del table["yï"], table["YÏ"]  # ỵ is its own character ("î")
    return table


_VNI = _vni_table()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(_VNI, key=len, reverse=True)))


def _chars_of(byte: int) -> set[str]:
    """How a legacy byte shows once taken for text: its Latin-1 and its Windows-1252 character."""
    out = {bytes([byte]).decode("latin-1")}
    try:
        out.add(bytes([byte]).decode("cp1252"))
    except UnicodeDecodeError:
        pass
    return out


_TCVN_CHARS = str.maketrans({c: v for b, v in _TCVN_BYTES.items() if b >= 0x80 for c in _chars_of(b)})
_TCVN_CONTROL = str.maketrans({chr(b): v for b, v in _TCVN_BYTES.items() if b < 0x80})


def _from_tcvn3(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_TCVN_CHARS).translate(_TCVN_CONTROL))


def _from_vni(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: _VNI[m.group()], text))


_VIET_SPECIFIC = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")
_VIET_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_JUNK = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in range(0x80, 0x100) if chr(c) not in _VIET_LATIN1)
    + "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2020\u2021\u2030]"
)
_WORD = re.compile(r"[^\W\d_]+")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _counts(text: str) -> tuple[int, int]:
    """(Vietnamese-specific letters, junk): letters only Vietnamese has, against Latin-1 symbols and letters
    Vietnamese does not use."""
    return len(_VIET_SPECIFIC.findall(text)), len(_JUNK.findall(text))


# A Vietnamese syllable, tone marks removed: initial consonant(s), one to three vowels, a final consonant.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ng|nh|ch|[cmnpt])?", re.I
)


def _syllable_ok(word: str) -> bool:
    nfd = unicodedata.normalize("NFD", word)
    if sum(1 for c in nfd if c in _TONES) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def _score(text: str) -> tuple[int, int]:
    """:func:`_counts`, with the words that hold a non-ASCII letter and are not a Vietnamese syllable (a wrong
    conversion, or a text in another language, makes those) counted as junk."""
    viet, junk = _counts(text)
    for w in _WORD.findall(text):
        if not w.isascii() and not _syllable_ok(w):
            junk += 1
    return viet, junk


_SAMPLE = 256 * 1024  # characters a legacy encoding is chosen on (the whole text is then converted)
_MIN_EVIDENCE = 10  # Vietnamese-only letters a conversion must make: a few bytes of another text are not a plan


def _best_legacy(text: str, converters: dict[str, Callable[[str], str]]) -> tuple[str, str] | None:
    """(name, converted text) of the conversion that reads as Vietnamese, or None when none does convincingly.
    Chosen on a sample of the text; only the chosen conversion is applied to all of it."""
    sample = text[:_SAMPLE]
    best: tuple[int, str] | None = None
    for name, convert in converters.items():
        try:
            viet, junk = _score(convert(sample))
        except UnicodeDecodeError:
            continue
        if viet < _MIN_EVIDENCE or junk * 4 > viet:
            continue
        if best is None or viet - 3 * junk > best[0]:
            best = (viet - 3 * junk, name)
    if best is None:
        return None
    return best[1], converters[best[1]](text)


def _looks_legacy(text: str) -> bool:
    """UTF-8 text that may be legacy text taken for Windows-1252: many Latin-1 symbols, few real Vietnamese."""
    junk = len(_JUNK.findall(text))
    return junk >= 3 and len(_VIET_SPECIFIC.findall(text)) * 10 < junk


def _cp1258(latin: str) -> str:
    return unicodedata.normalize("NFC", latin.encode("latin-1").decode("cp1258"))


def _legacy_bytes(data: bytes) -> tuple[str, str] | None:
    """Bytes that are not UTF-8, read as each legacy encoding (through Latin-1, one character per byte)."""
    return _best_legacy(
        data.decode("latin-1"),
        {"tcvn3": _from_tcvn3, "vni": lambda t: _from_vni(t.translate(_CP1252)), "cp1258": _cp1258},
    )


# Latin-1 → Windows-1252 for 0x80–0x9F (its five undefined bytes stay Latin-1)
_CP1252 = str.maketrans(
    {chr(b): bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
)


# --- decoding ------------------------------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def decode_source(data: bytes) -> Source:
    """Bytes → text, or :class:`ReadError` with the reason."""
    if data.startswith(codecs.BOM_UTF8):
        return _check_text(_utf8(data[len(codecs.BOM_UTF8) :], bom=True))
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _check_text(Source(data.decode(name), name))
            except UnicodeDecodeError as exc:
                if name == "utf-32" and data.startswith(codecs.BOM_UTF16_LE):  # FF FE 00 00: either
                    try:
                        return _check_text(Source(data.decode("utf-16"), "utf-16"))
                    except UnicodeDecodeError:
                        reason = f"invalid UTF-16/UTF-32 text after its byte order mark (byte {exc.start})"
                        raise ReadError(reason) from None
                raise ReadError(f"invalid {name.upper()} text after its byte order mark (byte {exc.start})") from exc
    reason = _sniff(data)
    if reason:
        raise ReadError(reason)
    head = data[:4096]
    if b"\x00" in head:
        if len(head) >= 8 and (head[1::2].count(0) > len(head) // 3 or head[0::2].count(0) > len(head) // 3):
            raise ReadError("UTF-16 text without a byte order mark: save it as UTF-8 (or UTF-16 with a BOM)")
        raise ReadError("binary content (NUL bytes), not a text file")
    return _check_text(_utf8(data, bom=False))


def _utf8(data: bytes, bom: bool) -> Source:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        legacy = _legacy_bytes(data)
        if legacy is None:
            raise ReadError(
                f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}) and not recognizably "
                "TCVN3, VNI or Windows-1258 Vietnamese: save it as UTF-8"
            ) from exc
        return Source(legacy[1], legacy[0])
    if _looks_legacy(text):
        legacy = _best_legacy(text, {"tcvn3": _from_tcvn3, "vni": _from_vni})
        if legacy is not None:
            return Source(legacy[1], legacy[0])
    return Source(text, "utf-8-sig" if bom else "utf-8")


def _check_text(src: Source) -> Source:
    text = src.text
    if not text.strip():
        raise ReadError("empty file" if not text else "empty file (only blank characters)")
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if controls > max(2, len(sample) // 100):  # TCVN3 capitals use a few C0 bytes; images use many
        raise ReadError(f"binary content ({controls} control characters in the first {len(sample)}), not a text file")
    return src


def decode(data: bytes) -> str:
    return decode_source(data).text


def read_source(path: str | Path, limit: int | None = None) -> Source:
    """Read and decode one file; :class:`ReadError` says why a file is refused."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError as exc:
        raise ReadError("no such file") from exc
    except NotADirectoryError as exc:
        raise ReadError("no such file (a part of the path is not a directory)") from exc
    except PermissionError as exc:
        raise ReadError("permission denied") from exc
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from exc
    if stat.S_ISDIR(st.st_mode):
        raise ReadError("is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError("not a regular file")
    limit = max_bytes() if limit is None else limit
    if st.st_size > limit:
        raise ReadError(f"file too large ({_mb(st.st_size)} > limit {_mb(limit)}; raise {LIMIT_ENV} to ingest it)")
    if st.st_size == 0:
        raise ReadError("empty file")
    try:
        with p.open("rb") as f:
            data = f.read(limit + 1)  # never more than the limit, whatever the size said
    except PermissionError as exc:
        raise ReadError("permission denied") from exc
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from exc
    if len(data) > limit:
        raise ReadError(f"file too large (more than the limit {_mb(limit)}; raise {LIMIT_ENV} to ingest it)")
    reason = _sniff(data)
    if reason:
        raise ReadError(reason)
    if p.suffix.lower() not in SUPPORTED:
        raise ReadError(f"unsupported file type {p.suffix!r} (supported: .txt .md .html)")
    return decode_source(data)


def read_text(path: str | Path, max_bytes: int | None = None) -> str:
    """The decoded text of one file (see :func:`read_source`)."""
    return read_source(path, max_bytes).text


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"
