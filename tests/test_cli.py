"""The command line: exact output contracts (DESIGN.md "Contracts") and one-line errors on bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from paths import AS_OF, ROOT, SEEDS

CITATION_KEYS = [
    "file",
    "symbol",
    "type",
    "number",
    "year",
    "code",
    "date",
    "issuer",
    "start",
    "end",
    "text",
    "role",
    "resolved",
    "title",
    "scope",
]
TASK_KEYS = [
    "file",
    "number",
    "section",
    "content",
    "lead",
    "coordinators",
    "timeframe",
    "due",
    "recurring",
    "outputs",
    "citations",
]
AUDIT_KEYS = ["plan", "file", "task", "cited", "finding", "since", "successors", "dependency", "confidence"]


def cli(*args: str, store: Path | None = None, check: bool = True, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if store is not None:
        env["TTHC_KG_STORE"] = str(store)
    proc = subprocess.run([sys.executable, "-m", "tthc_kg.cli", *args], capture_output=True, cwd=cwd, env=env)
    if check:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


def jsonl(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    cli("ingest", "data/plans", store=path)
    return path


def test_extract_citation_contract() -> None:
    rel = os.path.relpath(SEEDS[0], ROOT)
    rows = jsonl(cli("extract", rel))
    assert rows
    text = SEEDS[0].read_text(encoding="utf-8")
    for row in rows:
        assert list(row) == CITATION_KEYS
        assert row["file"] == rel  # the path exactly as given
        assert text[row["start"] : row["end"]] == row["text"]
        assert row["role"] in ("basis", "task_basis", "mention")
    r61 = next(r for r in rows if r["symbol"] == "61/2018/NĐ-CP")
    assert (r61["type"], r61["number"], r61["year"], r61["code"], r61["date"]) == (
        "Nghị định",
        "61",
        2018,
        "NĐ-CP",
        "2018-04-23",
    )
    assert r61["resolved"] == "https://w3id.org/tthc-kg/id/doc/61-2018-nd-cp"
    assert r61["role"] == "basis"
    # "của UBND tỉnh Hưng Yên" → resolved issuer; yearless provincial decision → identity of that issuer
    r2684 = next(r for r in rows if r["symbol"] == "2684/QĐ-UBND")
    assert r2684["issuer"] == "Ủy ban nhân dân tỉnh Hưng Yên"
    assert r2684["year"] == 2023 and r2684["resolved"] is None


def test_extract_keeps_a_printed_issuer_when_the_city_is_unknown() -> None:
    rows = jsonl(cli("extract", str(SEEDS[4])))
    r = next(r for r in rows if r["symbol"] == "253/KH-UBND")
    assert r["issuer"] == "Ủy ban nhân dân thành phố"  # seed 004 never names its city: not guessed


def test_extract_tasks_contract() -> None:
    rows = jsonl(cli("extract", str(SEEDS[4]), "--tasks"))
    assert rows
    for row in rows:
        assert list(row) == TASK_KEYS
        assert isinstance(row["lead"], list) and isinstance(row["coordinators"], list)
        assert isinstance(row["recurring"], bool)
    assert len({r["number"] for r in rows}) == len(rows)


def test_ingest_audit_and_stats(store: Path) -> None:
    rows = jsonl(cli("audit", "--all", "--as-of", AS_OF, "--format", "jsonl", store=store))
    for row in rows:
        assert list(row) == AUDIT_KEYS
        assert row["confidence"] in ("confirmed", "unconfirmed")
    flagged = {(Path(r["file"]).name[:3], r["task"], r["cited"], r["finding"], r["dependency"]) for r in rows}
    assert ("000", None, "61/2018/NĐ-CP", "replaced", "basis") in flagged
    assert ("000", None, "107/2021/NĐ-CP", "replaced", "basis") in flagged
    assert ("002", None, "61/2018/NĐ-CP", "replaced", "basis") in flagged
    assert ("003", None, "61/2018/NĐ-CP", "replaced", "mention") in flagged
    for task, cited in (
        ("4", "61/2018/NĐ-CP"),
        ("4", "107/2021/NĐ-CP"),
        ("11", "61/2018/NĐ-CP"),
        ("11", "107/2021/NĐ-CP"),
        ("12", "107/2021/NĐ-CP"),
    ):
        assert ("004", task, cited, "replaced", "direct") in flagged
    assert not [r for r in rows if r["cited"] == "45/2020/NĐ-CP" and r["finding"] == "replaced"]
    r61 = next(r for r in rows if r["cited"] == "61/2018/NĐ-CP")
    assert r61["since"] == "2025-07-01" and r61["successors"] == ["118/2025/NĐ-CP"]
    # preamble bases once per plan, task null; per task with --expand
    basis = [r for r in rows if r["dependency"] == "basis" and r["cited"] == "61/2018/NĐ-CP"]
    assert all(r["task"] is None for r in basis) and len(basis) == 2
    expanded = jsonl(cli("audit", "--all", "--as-of", AS_OF, "--format", "jsonl", "--expand", store=store))
    per_task = [r for r in expanded if r["dependency"] == "basis" and r["cited"] == "61/2018/NĐ-CP"]
    assert len(per_task) > 2 and all(r["task"] is not None for r in per_task)
    # amendments only on request, and only those in force after the plan's date
    assert "amended" not in {r["finding"] for r in rows}
    amended = jsonl(cli("audit", "--all", "--as-of", AS_OF, "--format", "jsonl", "--include-amended", store=store))
    am = {(Path(r["file"]).name[:3], r["cited"]) for r in amended if r["finding"] == "amended"}
    assert ("000", "45/2020/NĐ-CP") in am
    assert ("000", "20/2008/NĐ-CP") not in am  # amended in 2013, before the plan (2024)
    # unresolved: once per plan and document
    unresolved = [(r["file"], r["cited"]) for r in rows if r["finding"] == "unresolved"]
    assert len(unresolved) == len(set(unresolved)) > 0

    stats = jsonl(cli("stats", "--format", "json", store=store))[0]
    assert list(stats) == [
        "triples",
        "named_graphs",
        "documents",
        "plans",
        "tasks",
        "citations",
        "unresolved_citations",
    ]
    assert stats["plans"] == 5 and stats["named_graphs"] == 6 and stats["citations"] > 50


def test_audit_csv_and_xlsx(store: Path, tmp_path: Path) -> None:
    out = cli("audit", "--all", "--as-of", AS_OF, "--format", "csv", store=store).stdout
    assert out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert rows[0][0] == "Kế hoạch" and rows[0][4] == "Tình trạng"
    xlsx = tmp_path / "audit.xlsx"
    cli("audit", "--all", "--as-of", AS_OF, "--format", "xlsx", "-o", str(xlsx), store=store)
    ws = load_workbook(xlsx).active
    assert ws.cell(1, 4).value == "Văn bản được viện dẫn" and ws.max_row == len(rows)


def test_query_and_export(store: Path) -> None:
    rows = jsonl(
        cli(
            "query",
            "successor",
            "--param",
            "symbol=61/2018/NĐ-CP",
            "--param",
            f"asOf={AS_OF}",
            "--format",
            "json",
            store=store,
        )
    )
    assert [r["successorSymbol"] for r in rows] == ["118/2025/NĐ-CP"]
    from rdflib import Dataset, Graph

    ttl = cli("export", "--format", "turtle", store=store).stdout.decode("utf-8")
    g = Graph().parse(data=ttl, format="turtle")
    nq = cli("export", "--format", "nquads", store=store).stdout.decode("utf-8")
    ds = Dataset()
    ds.parse(data=nq, format="nquads")
    assert len(g) > 1000 and len(list(ds.quads((None, None, None, None)))) >= len(g)
    jl = json.loads(cli("export", "--format", "jsonld", store=store).stdout)
    assert jl


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "no/such/file.txt"], "no such file"),
        (["audit", "--all", "--as-of", "22/11/2026"], "--as-of"),
        (["query", "no-such-query"], "no query named"),
        (["query", "successor", "--param", "symbol"], "KEY=VALUE"),
        (["query", "successor", "--param", "nope=1"], "no parameter"),
        (["audit"], "--all"),
    ],
)
def test_bad_input_one_line_error(store: Path, args: list[str], message: str) -> None:
    before = jsonl(cli("stats", "--format", "json", store=store))[0]
    proc = cli(*args, store=store, check=False)
    assert proc.returncode != 0
    err = proc.stderr.decode("utf-8").strip()
    assert len(err.splitlines()) == 1 and message in err
    assert jsonl(cli("stats", "--format", "json", store=store))[0] == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00\x00garbage\x00\xd8", "UTF-16"),
        (b"K\xe1 ho\xe1ch s\xe8 79/KH-UBND", "not UTF-8"),
        (b"%PDF-1.7\n\x00\x01binary", "binary"),
    ],
)
def test_bad_files_leave_the_store_unchanged(store: Path, tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ;\n", encoding="utf-8")
    before = jsonl(cli("stats", "--format", "json", store=store))[0]
    proc = cli("ingest", str(bad), str(good), store=store, check=False)
    assert proc.returncode != 0
    err = proc.stderr.decode("utf-8").strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and reason in err[0]
    assert "1 failed" in proc.stdout.decode()
    after = jsonl(cli("stats", "--format", "json", store=store))[0]
    assert after["plans"] == before["plans"] + 1  # the good file still ingested
