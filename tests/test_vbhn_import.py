"""Registry growth from consolidated texts: the 54 real VBHN headers of ../shared/corpus/validity parsed into
machine-read amendment events (unconfirmed + machine_read), never overriding the curated registry."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from paths import ROOT, SHARED
from tthc_kg.audit import audit
from tthc_kg.ingest import ingest_files
from tthc_kg.iri import PROV, TTHC
from tthc_kg.registry import load_registry, validate_registry
from tthc_kg.registry_rdf import compile_registry
from tthc_kg.store import Store
from tthc_kg.vbhn_import import COLUMNS, FILE, VbhnError, import_headers, parse_header, parse_ref
from tthc_kg.watch import report, resolve_targets

HEADERS = SHARED / "corpus" / "validity" / "vbhn_amendment_headers.jsonl"
NOW = datetime(2026, 11, 22, 1, 2, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    assert HEADERS.exists(), f"{HEADERS} is missing: the corpus ships with the project's shared data"
    return [json.loads(line) for line in HEADERS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _find(records: list[dict], number: str, day: str) -> dict:
    return next(r for r in records if r["vbhn_number"] == number and r["vbhn_date"] == day)


def test_every_header_parses(records: list[dict]) -> None:
    headers = [parse_header(r) for r in records]
    assert len(headers) == 54
    assert {h.status for h in headers} == {"full"}  # counts reported in the change log: 54 / 0 / 0
    assert sum(len(h.items) for h in headers) == 230
    for h in headers:
        assert h.base is not None and h.base.symbol is not None and h.base.symbol.year is not None
        assert all(i.symbol is not None and i.symbol != h.base.symbol for i in h.items)


# read by hand in the header texts (header_text of each record)
SAMPLES = [
    (
        ("01/VBHN-VPQH", "2024-09-16"),
        ("18/2017/QH14", "Luật", "Luật Thủy sản", "2017-11-21", "2019-01-01"),
        [
            ("31/2024/QH15", "Luật Đất đai", "2024-01-18", "2024-08-01"),
            ("43/2024/QH15", None, "2024-06-29", "2024-08-01"),
        ],
    ),
    (  # one item, not numbered
        ("07/VBHN-VPQH", "2014-12-11"),
        ("54/2014/QH13", "Luật", "Luật hải quan", "2014-06-23", "2015-01-01"),
        [("71/2014/QH13", None, "2014-11-26", "2015-01-01")],
    ),
    (  # a Bộ luật, amended by a Bộ luật
        ("08/VBHN-VPQH", "2020-07-15"),
        ("92/2015/QH13", "Bộ luật", "Bộ luật Tố tụng dân sự", "2015-11-25", "2016-07-01"),
        [
            ("45/2019/QH14", "Bộ luật Lao động", "2019-11-20", "2021-01-01"),
            ("59/2020/QH14", "Luật Doanh nghiệp", "2020-06-17", "2021-01-01"),
        ],
    ),
]


@pytest.mark.parametrize(("vbhn", "base", "items"), SAMPLES)
def test_sample_read_by_hand(records: list[dict], vbhn: tuple[str, str], base: tuple, items: list[tuple]) -> None:
    h = parse_header(_find(records, *vbhn))
    b = h.base
    assert b is not None
    assert (str(b.symbol), b.type, b.title, str(b.issued), str(b.effective)) == base
    assert [(str(i.symbol), i.title, str(i.issued), str(i.effective)) for i in h.items] == items


def test_misprinted_effective_dates_still_read(records: list[dict]) -> None:
    # "có nhiệu lực kể từ ngày 01 tháng 7 năm 2024" (131/VBHN-VPQH) and "có hiệu lực kể từ 01 tháng 7 năm 2025"
    # without "ngày" (134/VBHN-VPQH), as printed in those headers
    h131 = parse_header(next(r for r in records if r["vbhn_number"] == "131/VBHN-VPQH"))
    assert {str(i.symbol): str(i.effective) for i in h131.items}["16/2023/QH15"] == "2024-07-01"
    h134 = parse_header(next(r for r in records if r["vbhn_number"] == "134/VBHN-VPQH"))
    assert {str(i.symbol): str(i.effective) for i in h134.items}["90/2025/QH15"] == "2025-07-01"


def test_partial_and_unparsed_headers(records: list[dict]) -> None:
    full = _find(records, "01/VBHN-VPQH", "2024-09-16")
    cut = dict(full, header_text=full["header_text"][: full["header_text"].index("2. Luật số 43") + 30])
    h = parse_header(cut)
    assert h.status == "partial" and len(h.items) == 2 and h.items[0].complete and not h.items[1].complete
    assert parse_header(dict(full, header_text="LUẬT THỦY SẢN (không có phần sửa đổi)")).status == "none"
    ref = parse_ref("Luật số 64/2014/QH13 ngày 25 tháng 11 năm 2014 của Quốc hội sửa đổi, bổ sung một số điều của "
                    "Luật Thi hành án dân sự, có hiệu lực thi hành kể từ ngày 01/7/2015")  # fmt: skip
    assert (str(ref.symbol), str(ref.issued), str(ref.effective)) == ("64/2014/QH13", "2014-11-25", "2015-07-01")


@pytest.fixture()
def registry_dir(tmp_path: Path) -> Path:
    d = tmp_path / "registry"
    shutil.copytree(ROOT / "data" / "registry", d)
    (d / FILE).unlink(missing_ok=True)
    return d


def test_import_writes_machine_read_rows_once(registry_dir: Path) -> None:
    result = import_headers(HEADERS, registry_dir=registry_dir, now=NOW)
    rows = list(csv.DictReader((registry_dir / FILE).open(encoding="utf-8")))
    assert result.added == len(rows) > 100
    assert tuple(rows[0]) == COLUMNS
    assert {(r["kind"], r["confidence"], r["machine_read"], r["recorded"]) for r in rows} == {
        ("amendment", "unconfirmed", "yes", "2026-11-22T01:02:03Z")
    }
    assert all(
        r["source"].startswith("VBHN ") and "johnPa02/thuvienphapluat-crawler@295a21e" in r["source"] for r in rows
    )
    assert len({(r["affected"], r["by"]) for r in rows}) == len(rows)  # laws consolidated several times: once
    assert "54 parsed fully, 0 partially, 0 not at all" in result.summary()
    again = import_headers(HEADERS, registry_dir=registry_dir)
    assert again.added == 0 and (registry_dir / FILE).read_text(encoding="utf-8").count("\n") == len(rows) + 1
    assert validate_registry(registry_dir) == []  # the curated files are untouched and still valid


def test_the_shipped_file_is_this_import() -> None:
    shipped = ROOT / "data" / "registry" / FILE
    rows = list(csv.DictReader(shipped.open(encoding="utf-8")))
    assert rows and all(r["confidence"] == "unconfirmed" and r["machine_read"] == "yes" for r in rows)
    dry = import_headers(HEADERS, dry_run=True)
    assert dry.added == 0  # nothing in the headers that the shipped file lacks


def test_never_overrides_a_curated_fact(registry_dir: Path) -> None:
    with (registry_dir / "documents.csv").open("a", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "18/2017/QH14",
                "Luật",
                "Luật Thủy sản",
                "Quốc hội",
                "2017-11-21",
                "2019-01-01",
                "yes",
                "",
                "x",
                "confirmed",
                "",
            ]
        )
        w.writerow(
            [
                "31/2024/QH15",
                "Luật",
                "Luật Đất đai",
                "Quốc hội",
                "2024-01-18",
                "2024-08-01",
                "yes",
                "",
                "x",
                "confirmed",
                "",
            ]
        )
    with (registry_dir / "events.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(
            ["amendment", "18/2017/QH14", "31/2024/QH15", "", "2024-08-01", "Điều 1", "công báo", "confirmed", ""]
        )
    assert validate_registry(registry_dir) == []
    result = import_headers(HEADERS, registry_dir=registry_dir, now=NOW)
    assert ("18/2017/QH14", "31/2024/QH15") in result.skipped_in_registry
    rows = list(csv.DictReader((registry_dir / FILE).open(encoding="utf-8")))
    assert ("18/2017/QH14", "31/2024/QH15") not in {(r["affected"], r["by"]) for r in rows}
    g = compile_registry(load_registry(registry_dir))
    law = URIRef("https://w3id.org/tthc-kg/id/doc/18-2017-qh14")
    events = list(g.subjects(TTHC.affects, law))
    by_changer = {str(g.value(e, TTHC.changedBy)).rsplit("/", 1)[1]: e for e in events}
    curated = by_changer["31-2024-qh15"]
    assert str(g.value(curated, TTHC.confidence)) == "confirmed" and g.value(curated, TTHC.machineRead) is None
    machine = by_changer["43-2024-qh15"]
    assert str(g.value(machine, TTHC.confidence)) == "unconfirmed"
    assert g.value(machine, TTHC.machineRead) == Literal(True)
    assert g.value(machine, PROV.generatedAtTime).toPython() == NOW  # type: ignore[union-attr]
    # the curated document keeps its own metadata: the import describes only what the registry lacks
    assert g.value(law, TTHC.machineRead) is None and g.value(law, TTHC.inRegistry) == Literal(True)
    other = URIRef("https://w3id.org/tthc-kg/id/doc/43-2024-qh15")
    assert g.value(other, TTHC.machineRead) == Literal(True) and g.value(other, TTHC.inRegistry) == Literal(False)


def test_machine_read_events_reach_the_audit_and_the_watch(registry_dir: Path, tmp_path: Path) -> None:
    import_headers(HEADERS, registry_dir=registry_dir, now=NOW)
    reg = load_registry(registry_dir)
    plan = tmp_path / "ke-hoach-thuy-san.txt"
    plan.write_text(
        "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG\n\nSố: 12/KH-UBND\n\nCao Bằng, ngày 05 tháng 3 năm 2020\n\nKẾ HOẠCH\n"
        "Triển khai Luật Thủy sản (kế hoạch thử nghiệm)\n\n"
        "Căn cứ Luật Thủy sản số 18/2017/QH14 ngày 21 tháng 11 năm 2017;\n\nỦy ban nhân dân tỉnh ban hành Kế hoạch.\n",
        encoding="utf-8",
    )
    store = Store(tmp_path / "store")
    ok, errors, _ = ingest_files(store, reg, [str(plan)], progress=False)
    assert ok == 1 and not errors
    amended = [f for f in audit(store, date(2026, 11, 22), include_amended=True) if f.finding == "amended"]
    assert {(f.cited, f.since, f.confidence) for f in amended} == {("18/2017/QH14", "2024-08-01", "unconfirmed")}
    changes = report(store, resolve_targets(store, [plan.name], [], []), date(2026, 11, 1)).changes
    assert changes and all(c.machine_read and c.recorded == "2026-11-22" for c in changes)
    assert {c.by for c in changes} == {"31/2024/QH15", "43/2024/QH15"}


def test_cli(tmp_path: Path, registry_dir: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tthc_kg.cli", "registry", "import-vbhn", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )

    ok = run(str(HEADERS), "--registry", str(registry_dir), "--dry-run")
    assert ok.returncode == 0 and ok.stdout.startswith("54 headers: 54 parsed fully") and "dry run" in ok.stdout
    assert not (registry_dir / FILE).exists()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"header_text": "x"}\nnot json\n', encoding="utf-8")
    for args, message in (([str(bad)], "bad.jsonl:2: not JSON"), ([str(tmp_path / "none.jsonl")], "no such file")):
        proc = run(*args, "--registry", str(registry_dir), "--dry-run")
        assert proc.returncode != 0 and proc.stderr.strip().startswith("tthc-kg: error:") and message in proc.stderr
    assert not (registry_dir / FILE).exists()
    with pytest.raises(VbhnError):
        import_headers(bad, registry_dir=registry_dir)
