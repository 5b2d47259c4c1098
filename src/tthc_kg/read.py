"""Read a source file to text: decode it, or refuse it with one clear reason.

Offsets reported to users point into the text returned here ("the file's text as decoded"). Supported: plain
text and Markdown (.txt, .md), HTML (.html, .htm: tags are kept in the text, so offsets still point into the
file; the scanner and table recovery ignore them). UTF-8 (with or without BOM) and UTF-16 with a BOM.
"""

from __future__ import annotations

import codecs
from pathlib import Path

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ""}
MAX_BYTES = 20 * 1024 * 1024


class ReadError(ValueError):
    """A file that cannot be read as a plan; the message names the reason (the caller adds the file)."""


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid UTF-16 at byte {exc.start}") from exc
    if b"\x00" in data[:4096]:
        raise ReadError("binary content (NUL bytes), not a text file")
    if data.startswith(b"%PDF"):
        raise ReadError("a PDF file; extract its text first (pdftotext) and ingest the .txt")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc


def read_text(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    p = Path(path)
    if p.suffix.lower() not in SUPPORTED:
        raise ReadError(f"unsupported file type {p.suffix!r} (supported: .txt .md .html)")
    try:
        size = p.stat().st_size
    except FileNotFoundError as exc:
        raise ReadError("no such file") from exc
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from exc
    if p.is_dir():
        raise ReadError("is a directory")
    if size > max_bytes:
        raise ReadError(f"file too large ({size} bytes > limit {max_bytes})")
    text = decode(p.read_bytes())
    if not text.strip():
        raise ReadError("empty file")
    return text
