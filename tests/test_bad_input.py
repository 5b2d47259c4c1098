"""Bad input files (issue 7, part 1): each gets one line ``tthc-kg: error: FILE: reason``, a non-zero exit, and
leaves the store exactly as it was; the other files of the same run still ingest and the summary names the
failed ones. Legacy Vietnamese encodings (TCVN3, VNI, Windows-1258) are detected and converted instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest

from paths import ROOT, SEEDS
from tthc_kg import read as R
from tthc_kg.cli import main
from tthc_kg.find import find_citations
from tthc_kg.normalize import normalize

SEED = SEEDS[0]  # 000: a preamble of Căn cứ with a shared type word, a PDF-text task table


# --- legacy encoders (the inverse of read.py's tables), to make the files old systems wrote -----------------------

_TCVN_REV = {ch: bytes([b]) for b, ch in R._TCVN_BYTES.items() if not unicodedata.combining(ch)}
_VNI_REV = {v: k for k, v in R._VNI.items()}


def to_tcvn3(text: str) -> bytes:
    """TCVN3 (ABC) as a .VnTime document saved as text: capitals with tone marks were typed in lower case."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        code = _TCVN_REV.get(ch)
        if code is not None and (code[0] >= 0xA0 or ch in "ĂÂÊÔƠƯĐ"):
            out += code
        elif ch.lower() in _TCVN_REV and not ch.isascii():
            out += _TCVN_REV[ch.lower()]
        else:
            out += ch.encode("latin-1", errors="replace")
    return bytes(out)


def to_vni(text: str) -> bytes:
    return "".join(_VNI_REV.get(ch, ch) for ch in unicodedata.normalize("NFC", text)).encode("cp1252", "replace")


def to_cp1258(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in d if c in R._TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in R._TONES))
            out += (base + tone).encode("cp1258", errors="replace")
    return bytes(out)


def _seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def _symbols(text: str) -> list[str]:
    return [str(c.symbol) for c in find_citations(normalize(text).text) if c.symbol is not None]


# --- the store, and running the CLI ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "store"
    assert main(["ingest", str(SEEDS[1]), "--store", str(path), "--no-index", "--quiet"]) == 0
    return path


def dump(store: Path) -> list[str]:
    db = ox.Store.read_only(str(store))
    return sorted(db.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if line.strip()]


def refused(capsys: pytest.CaptureFixture[str], store: Path, path: Path, reason: str) -> None:
    """Ingesting ``path`` alone: exit 1, one error line naming the file and the reason, store untouched."""
    before = dump(store)
    code, out, err = run(capsys, "ingest", str(path), "--store", str(store), "--no-index", "--quiet")
    assert code == 1
    assert len(err) == 1, err
    assert err[0].startswith(f"tthc-kg: error: {path}: "), err
    assert reason in err[0]
    assert f"1 failed: {path}" in out
    assert dump(store) == before


# --- refusals ------------------------------------------------------------------------------------------------------


def test_invalid_utf8_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "latin1.txt"
    p.write_bytes("Café crème à la française: déjà vu, garçon, Noël".encode("latin-1"))
    refused(capsys, store, p, "not UTF-8 text (invalid byte 0xe9 at offset 3)")


def test_truncated_utf8_in_vietnamese_text_is_refused(capsys, store, tmp_path) -> None:
    data = _seed_text()[:3000].encode("utf-8")
    cut = data.index("ị".encode()) + 1  # the first byte of a three-byte character, then the rest of the file
    p = tmp_path / "cut.txt"
    p.write_bytes(data[:cut] + data[cut + 2 :])
    refused(capsys, store, p, f"not UTF-8 text (invalid byte 0x{data[cut - 1]:02x} at offset {cut - 1})")


def test_utf16_without_bom_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "utf16.txt"
    p.write_bytes(_seed_text()[:2000].encode("utf-16-le"))
    refused(capsys, store, p, "UTF-16 text without a byte order mark")


def test_empty_file_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    refused(capsys, store, p, "empty file")


def test_blank_file_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "blank.md"
    p.write_bytes(b" \n\t\r\n \xc2\xa0\n")
    refused(capsys, store, p, "empty file (only blank characters)")


def test_pdf_passed_as_text_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "plan.txt"
    p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Times >> endobj\n%%EOF\n")
    refused(capsys, store, p, "a PDF file (binary, not text): extract its text first")


def test_scanned_pdf_without_text_layer_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "scan.pdf"
    p.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /Filter /DCTDecode >>\n"
        b"stream\n\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\nendstream endobj\n%%EOF\n"
    )
    refused(capsys, store, p, "a scanned PDF with no text layer")


def test_image_passed_as_text_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "photo.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    refused(capsys, store, p, "a PNG image")


def test_binary_bytes_are_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "data.txt"
    p.write_bytes(b"abc\x00\x01\x02" * 100)
    refused(capsys, store, p, "binary content (NUL bytes)")


def test_control_characters_are_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "ctl.txt"
    p.write_bytes(b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 50)
    refused(capsys, store, p, "binary content (")


def test_docx_is_refused(capsys, store, tmp_path) -> None:
    p = tmp_path / "plan.docx"
    p.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml" + bytes(100))
    refused(capsys, store, p, "a zip file (a .docx")


def test_file_over_the_size_limit_is_refused_without_reading_it(capsys, store, tmp_path) -> None:
    p = tmp_path / "huge.txt"
    line = "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ;\n".encode()
    with p.open("wb") as f:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    assert p.stat().st_size > 50 * 1024 * 1024
    refused(capsys, store, p, "file too large (50.0 MB > limit 20.0 MB; raise TTHC_KG_MAX_FILE_MB")
    tracemalloc.start()
    with pytest.raises(R.ReadError, match="file too large"):
        R.read_source(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1024 * 1024  # refused from its size: never read into memory


def test_size_limit_setting(capsys, store, tmp_path, monkeypatch) -> None:
    p = tmp_path / "plan.txt"
    p.write_bytes(_seed_text().encode("utf-8"))
    monkeypatch.setenv("TTHC_KG_MAX_FILE_MB", "0.01")
    refused(capsys, store, p, "file too large (14990 bytes > limit 10485 bytes; raise TTHC_KG_MAX_FILE_MB")
    monkeypatch.setenv("TTHC_KG_MAX_FILE_MB", "lots")
    refused(capsys, store, p, "TTHC_KG_MAX_FILE_MB='lots' is not a positive number of megabytes")


def test_size_limit_holds_when_the_size_lies(tmp_path) -> None:
    """A file that grows after stat (or a size the file system misreports) is still read only up to the limit."""
    p = tmp_path / "plan.txt"
    p.write_bytes(b"x" * 5000)
    with pytest.raises(R.ReadError, match="file too large"):
        R.read_source(p, limit=4000)


def test_nonexistent_path_is_refused(capsys, store, tmp_path) -> None:
    refused(capsys, store, tmp_path / "khong-co.txt", "no such file")


def test_directory_where_a_file_is_expected(capsys, store, tmp_path) -> None:
    d = tmp_path / "plans.txt"
    d.mkdir()
    before = dump(store)
    code, out, err = run(capsys, "extract", str(d))
    assert code == 1 and out == ""
    assert err == [f"tthc-kg: error: {d}: is a directory, not a file"]
    # ingest walks a directory for plan files; one without any is a usage error
    (d / "notes.docx").write_bytes(b"x")
    code, out, err = run(capsys, "ingest", str(d), "--store", str(store), "--no-index")
    assert code == 2 and err == [f"tthc-kg: error: no plan files found in {d}"]
    assert dump(store) == before


# --- conversions -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encode", "label"),
    [("tcvn3", to_tcvn3, "TCVN3 (ABC)"), ("vni", to_vni, "VNI"), ("cp1258", to_cp1258, "Windows-1258")],
)
def test_legacy_encodings_are_detected_and_converted(capsys, store, tmp_path, name, encode, label) -> None:
    text = _seed_text()
    data = encode(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    source = R.decode_source(data)
    assert source.encoding == name and source.converted
    assert unicodedata.is_normalized("NFC", source.text)
    expected = text.lower() if name == "tcvn3" else text  # TCVN3 has no capitals with tone marks
    got = source.text.lower() if name == "tcvn3" else source.text
    wrong = [(a, b) for a, b in zip(got, expected, strict=True) if a != b]
    assert wrong == [], wrong[:5]  # every character back, so offsets are the UTF-8 file's
    assert _symbols(source.text) == _symbols(text)
    p = tmp_path / f"{name}.txt"
    p.write_bytes(data)
    code, out, err = run(capsys, "ingest", str(p), "--store", str(store), "--no-index", "--quiet")
    assert code == 0, err
    assert err == [f"tthc-kg: note: {p}: converted from {label} to Unicode"]
    assert "ingested 1 of 1 files" in out
    code, out, err = run(capsys, "extract", str(p))
    assert code == 0 and err == [f"tthc-kg: note: {p}: converted from {label} to Unicode"]
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["symbol"] for r in rows if r["symbol"]] == _symbols(text)
    assert all(r["text"] == source.text[r["start"] : r["end"]] for r in rows)  # offsets into the converted text


@pytest.mark.parametrize(("name", "encode"), [("tcvn3", to_tcvn3), ("vni", to_vni)])
def test_legacy_text_already_in_utf8_is_converted(name, encode) -> None:
    """A legacy file converted to UTF-8 by a tool that took its bytes for Windows-1252 ("Nghß ®Þnh")."""
    text = _seed_text()
    mojibake = encode(text).decode("cp1252", errors="replace").encode("utf-8")
    source = R.decode_source(mojibake)
    assert source.encoding == name
    assert _symbols(source.text) == _symbols(text)


def test_unicode_text_is_never_converted() -> None:
    for path in SEEDS:
        assert R.decode_source(path.read_bytes()).encoding == "utf-8"
    for text in ("Café crème à la française", "Größe Übung für die Straße", "naïve résumé: © 2024 ® ½ ¼"):
        assert R.decode_source(text.encode("utf-8")).text == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_with_bom_is_read(encoding) -> None:
    text = _seed_text()
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert R.decode_source(data).text == text


def test_utf16_file_ingests_like_utf8(capsys, store, tmp_path) -> None:
    p = tmp_path / "utf16-bom.txt"
    p.write_bytes(_seed_text().encode("utf-16"))
    code, out, err = run(capsys, "extract", str(p))
    u = tmp_path / "utf8.txt"
    u.write_bytes(_seed_text().encode("utf-8"))
    code8, out8, _ = run(capsys, "extract", str(u))
    assert code == code8 == 0 and err == []
    assert out.replace(str(p), "F") == out8.replace(str(u), "F")


# --- a mixed run, through the real command line ----------------------------------------------------------------


def test_mixed_run_ingests_the_good_files_and_names_the_bad(tmp_path) -> None:
    store = tmp_path / "store"
    good = [tmp_path / "good-1.txt", tmp_path / "good-2.txt", tmp_path / "old-tcvn3.txt"]
    good[0].write_bytes(SEEDS[2].read_bytes())
    good[1].write_bytes(SEEDS[3].read_bytes().decode("utf-8").encode("utf-16"))
    good[2].write_bytes(to_tcvn3(SEEDS[4].read_text(encoding="utf-8")))
    bad = {
        tmp_path / "empty.txt": "empty file",
        tmp_path / "scan.txt": "a scanned PDF",
        tmp_path / "latin1.txt": "not UTF-8 text",
        tmp_path / "missing.txt": "no such file",
    }
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.4\n<< /Subtype /Image >>\n" + bytes(64))
    (tmp_path / "latin1.txt").write_bytes("Crème brûlée à la carte, déjà".encode("latin-1"))
    order = [good[0], *list(bad)[:2], good[1], *list(bad)[2:], good[2]]
    env = dict(os.environ, TTHC_KG_STORE=str(store))
    proc = subprocess.run(
        [sys.executable, "-m", "tthc_kg.cli", "ingest", *map(str, order), "--no-index", "-v"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("tthc-kg: error: ")]
    assert len(errors) == len(bad)
    for path, reason in bad.items():
        assert any(line.startswith(f"tthc-kg: error: {path}: ") and reason in line for line in errors), path
    committed = [line.removeprefix("committed ") for line in proc.stdout.splitlines() if line.startswith("committed ")]
    assert committed == [str(p) for p in good]
    summary = next(line for line in proc.stdout.splitlines() if line.startswith("ingested "))
    assert summary.startswith("ingested 3 of 7 files")
    assert summary.endswith("; 4 failed: " + ", ".join(str(p) for p in order if p in bad))
    doctor = subprocess.run(
        [sys.executable, "-m", "tthc_kg.cli", "doctor", "--format", "json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert doctor.returncode == 0 and '"source_graphs": 3' in doctor.stdout
