"""Writers shared by the CLI and the HTTP API: CSV (UTF-8 with a BOM), XLSX, JSON lines and RDF serializations.

DESIGN.md "Contracts": CSV outputs are UTF-8 with a BOM (so Excel shows Vietnamese) and Vietnamese column headers;
JSON lines are one object per line with every key present. Each writer returns bytes, so the CLI writes them to
stdout or a file and the API sends them as a response body.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

BOM = b"\xef\xbb\xbf"

AUDIT_HEADERS_VI = {
    "plan": "Kế hoạch",
    "file": "Tệp",
    "task": "Nhiệm vụ",
    "cited": "Văn bản được viện dẫn",
    "finding": "Tình trạng",
    "since": "Từ ngày",
    "successors": "Văn bản thay thế",
    "dependency": "Loại phụ thuộc",
    "confidence": "Độ tin cậy",
}

# format name → (media type, file extension)
RDF_FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", "ttl"),
    "nquads": ("application/n-quads", "nq"),
    "jsonld": ("application/ld+json", "jsonld"),
}

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_PREFIXES = (
    ("tthc", "https://w3id.org/tthc-kg/ontology#"),
    ("id", "https://w3id.org/tthc-kg/id/"),
    ("eli", "http://data.europa.eu/eli/ontology#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("prov", "http://www.w3.org/ns/prov#"),
)


def cell(value: Any) -> str:
    """A value as one spreadsheet cell: lists joined with "; ", null as empty, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Characters an XLSX cell cannot hold (XML 1.0 forbids them; openpyxl raises IllegalCharacterError): C0 controls
# other than tab, line feed and carriage return, lone surrogates and the non-characters U+FFFE/U+FFFF. PDF text
# and machine-read names carry some; each becomes U+FFFD, so the reader sees that something was there.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_cell(value: Any) -> str:
    """``cell(value)`` with the characters a spreadsheet cannot hold replaced by U+FFFD."""
    return _NOT_IN_XLSX.sub("\ufffd", cell(value))


def jsonl_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def csv_bytes(rows: Iterable[dict[str, Any]], fields: Sequence[str], headers: dict[str, str] | None = None) -> bytes:
    """CSV in UTF-8 with a BOM; the header row uses ``headers`` (e.g. the Vietnamese ones) where given."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([(headers or {}).get(f, f) for f in fields])
    for row in rows:
        w.writerow([cell(row.get(f)) for f in fields])
    return BOM + buf.getvalue().encode("utf-8")


def xlsx_bytes(
    rows: Iterable[dict[str, Any]],
    fields: Sequence[str],
    headers: dict[str, str],
    note: str,
    title: str = "Kiểm tra căn cứ",
) -> bytes:
    """One sheet of rows under the given headers, and a sheet "Ghi chú" holding ``note`` (the evidence date).

    Every cell is text (a value starting with "=" stays text, never a formula); characters a cell cannot hold
    become U+FFFD (``xlsx_cell``)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title

    def append(sheet: Any, values: list[str]) -> None:
        sheet.append(values)
        for c in sheet[sheet.max_row]:
            c.data_type = "s"  # openpyxl reads a str starting with "=" as a formula

    append(ws, [xlsx_cell(headers.get(f, f)) for f in fields])
    for r in rows:
        append(ws, [xlsx_cell(r.get(f)) for f in fields])
    info = wb.create_sheet("Ghi chú")
    append(info, [xlsx_cell(note)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rdf_bytes(nquads: bytes, fmt: str) -> bytes:
    """N-Quads (as the store dumps them) in another format: ``nquads`` as is, ``jsonld`` with its named graphs,
    ``turtle`` as the union of the graphs (Turtle has no graphs: use nquads to keep them)."""
    if fmt not in RDF_FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r} (known: {', '.join(RDF_FORMATS)})")
    if fmt == "nquads":
        return nquads
    from rdflib import Dataset, Graph

    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    if fmt == "jsonld":
        return ds.serialize(format="json-ld", auto_compact=False).encode("utf-8")
    union = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    for prefix, ns in _PREFIXES:
        union.bind(prefix, ns)
    return union.serialize(format="turtle").encode("utf-8")
