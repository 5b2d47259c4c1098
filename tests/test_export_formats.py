"""export_formats: the XLSX writer takes any text a plan or the registry can hold (issue 8 follow-up)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from paths import SEEDS
from tthc_kg.export_formats import AUDIT_HEADERS_VI, csv_bytes, xlsx_bytes, xlsx_cell

FIELDS = ["plan", "task", "cited", "finding"]


def read_back(data: bytes) -> tuple[list[list[object]], list[list[object]]]:
    wb = load_workbook(io.BytesIO(data))
    main, note = wb.worksheets
    return [list(r) for r in main.iter_rows(values_only=True)], [list(r) for r in note.iter_rows(values_only=True)]


def test_control_characters_become_replacement_characters() -> None:
    controls = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
    rows = [
        {
            "plan": "kế-hoạch.txt",
            "task": f"Nhiệm vụ\x0c1{controls}",
            "cited": "61/2018/NĐ-CP\x00",
            "finding": "x\ud800",
        },
        {"plan": "a\ufffeb\uffff", "task": "dòng 1\ndòng 2\tcột", "cited": None, "finding": ["a", "b\x1b"]},
    ]
    main, note = read_back(xlsx_bytes(rows, FIELDS, AUDIT_HEADERS_VI, "Ngày\x07 dữ liệu: 2026-11-22"))
    assert main[0] == ["Kế hoạch", "Nhiệm vụ", "Văn bản được viện dẫn", "Tình trạng"]
    assert main[1] == ["kế-hoạch.txt", "Nhiệm vụ\ufffd1" + "\ufffd" * len(controls), "61/2018/NĐ-CP\ufffd", "x\ufffd"]
    assert main[2] == ["a\ufffdb\ufffd", "dòng 1\ndòng 2\tcột", None, "a; b\ufffd"]  # tab and newline are kept
    assert note == [["Ngày\ufffd dữ liệu: 2026-11-22"]]


def test_vietnamese_is_kept_as_is() -> None:
    text = "Ủy ban nhân dân tỉnh Hưng Yên — Điều 5, khoản 2"
    assert xlsx_cell(text) == text
    main, _ = read_back(xlsx_bytes([{"plan": text}], ["plan"], {}, "n"))
    assert main[1] == [text]


@pytest.mark.parametrize("value", ["=1+1", '=HYPERLINK("http://example.org","x")', "=cmd|' /C calc'!A0"])
def test_a_value_starting_with_equals_stays_text(value: str) -> None:
    wb = load_workbook(io.BytesIO(xlsx_bytes([{"plan": value}], ["plan"], {}, "n")))
    c = wb.worksheets[0]["A2"]
    assert c.value == value and c.data_type == "s"


def test_csv_keeps_the_text() -> None:  # CSV carries any character: only XLSX needs the replacement
    assert csv_bytes([{"plan": "a\x00b"}], ["plan"]).decode("utf-8-sig").splitlines()[1] == "a\x00b"


def test_impact_xlsx_with_control_characters(tmp_path: Path) -> None:
    """The CLI end to end: a plan whose file name holds a control character (a file system allows it) exports
    to XLSX, the character shown as U+FFFD."""
    plan = tmp_path / "kế-hoạch\x1b.txt"
    plan.write_bytes(SEEDS[4].read_bytes())
    store = tmp_path / "store"
    tk = [str(Path(sys.executable).with_name("tthc-kg"))]
    ingest = subprocess.run(
        [*tk, "ingest", str(plan), "--quiet", "--no-index", "--store", str(store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ingest.returncode == 0, ingest.stderr
    out = tmp_path / "audit.xlsx"
    args = ["audit", "--all", "--as-of", "2026-11-22", "--format", "xlsx", "--output", str(out), "--store", str(store)]
    proc = subprocess.run([*tk, *args], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    main, note = read_back(out.read_bytes())
    assert len(main) > 1 and note
    assert {row[1] for row in main[1:]} == {str(plan).replace("\x1b", "\ufffd")}
    # the same through the API: /api/audit?format=xlsx
    from fastapi.testclient import TestClient

    from tthc_kg.api import create_app
    from tthc_kg.api.settings import Settings

    client = TestClient(create_app(Settings(store=store)), raise_server_exceptions=False)
    r = client.get("/api/audit", params={"format": "xlsx", "as_of": "2026-11-22"})
    assert r.status_code == 200, r.text
    assert read_back(r.content)[0] == main
