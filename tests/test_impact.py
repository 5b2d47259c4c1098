"""`tthc-kg impact`: every plan and task a document's changes touch (issue 8 parts 2–3), computed from the seeds."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from paths import AS_OF, CORPUS, FIXTURES, ROOT
from tthc_kg import queries
from tthc_kg.audit import FIELDS as AUDIT_FIELDS
from tthc_kg.clauses import Part, clause_check, parse_parts
from tthc_kg.cli import main
from tthc_kg.impact import FIELDS, PlanDate, impact, overlay_table, plan_dates, signing_note
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.registry_change import complete, overlay_registry, read_change
from tthc_kg.store import Store

WHAT_IF = ROOT / "examples" / "what-if-45-2020.yaml"
CLAUSES_PLAN = CORPUS / "quyet-dinh-163-2025-qd-ctubnd-khai-thac-he-thong-thong-tin-giai-quyet.txt"


def stem(path: str) -> str:
    return Path(path).name[:3]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def registry_bytes() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ROOT / "data" / "registry").glob("*.csv"))}


# --- the bar --------------------------------------------------------------------------------------------------


def test_bar_118_2025(seed_store: Store) -> None:
    result = impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF))
    got = {(stem(r.file), r.task, r.cited, r.finding, r.dependency) for r in result.rows}
    # seed 004's tasks 4, 11 and 12 cite 61/2018 and 107/2021 in their own basis column
    for task, cited in (
        ("4", "61/2018/NĐ-CP"),
        ("4", "107/2021/NĐ-CP"),
        ("11", "61/2018/NĐ-CP"),
        ("12", "107/2021/NĐ-CP"),
    ):
        assert ("004", task, cited, "replaced", "direct") in got
    assert {r.task for r in result.rows if stem(r.file) == "004"} == {"4", "11", "12"}
    # the preambles of 000 and 002, and 003's mention
    assert ("000", None, "61/2018/NĐ-CP", "replaced", "basis") in got
    assert ("000", None, "107/2021/NĐ-CP", "replaced", "basis") in got
    assert ("002", None, "61/2018/NĐ-CP", "replaced", "basis") in got
    assert ("003", None, "61/2018/NĐ-CP", "replaced", "mention") in got
    # seed 001 for the amended (not replaced) 45/2020, and its partly repealed khoản 1 Điều 16
    assert ("001", "3.4", "45/2020/NĐ-CP", "amended", "direct") in got
    assert ("001", "3.4", "45/2020/NĐ-CP", "partially_repealed", "direct") in got
    assert not [r for r in result.rows if r.cited == "45/2020/NĐ-CP" and r.finding == "replaced"]
    # every task row carries its lead agency; replaced rows cite the successor
    for r in result.rows:
        if r.task is not None:
            assert r.lead and all(isinstance(a, str) and a for a in r.lead)
        if r.finding == "replaced":
            assert r.successors == ["118/2025/NĐ-CP"] and "viện dẫn 118/2025/NĐ-CP" in r.change
    t4 = next(r for r in result.rows if stem(r.file) == "004" and r.task == "4")
    assert t4.lead == ["Các phòng, đơn vị có liên quan"]
    # grouped by lead agency: seed 004's tasks under their lead, the preambles under None
    groups = dict(result.by_agency())
    assert {r.task for r in groups["Các phòng, đơn vị có liên quan"]} == {"4", "11", "12"}
    assert {stem(r.file) for r in groups[None]} >= {"000", "002", "003"}
    # the changes themselves: two replacements, and 45/2020 only amended and partly repealed
    kinds = {(e.kind, e.affected_symbol) for e in result.changes}
    assert {("replacement", "61/2018/NĐ-CP"), ("replacement", "107/2021/NĐ-CP")} <= kinds
    assert ("partial_repeal", "45/2020/NĐ-CP") in kinds and ("replacement", "45/2020/NĐ-CP") not in kinds


def test_cli_jsonl_contract_and_table(seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "impact", "118/2025/NĐ-CP", "--as-of", AS_OF, "--format", "jsonl", "--store", str(seed_store.path)
    )
    assert code == 0 and "registry of the store" in err
    rows = jsonl(out)
    assert rows and all(list(r) == list(FIELDS) for r in rows)
    assert list(FIELDS[: len(AUDIT_FIELDS)]) == list(AUDIT_FIELDS)  # the audit's fields first, then lead, due …
    for r in rows:
        assert isinstance(r["lead"], list) and isinstance(r["successors"], list)
        assert r["due"] is None or date.fromisoformat(r["due"])
        assert r["confidence"] in ("confirmed", "unconfirmed")
    code, out, _ = run(capsys, "impact", "118/2025/NĐ-CP", "--as-of", AS_OF, "--store", str(seed_store.path))
    assert code == 0
    assert "== Các phòng, đơn vị có liên quan (5) ==" in out
    assert "== Văn phòng Sở Khoa học và Công nghệ tỉnh Thái Nguyên" in out
    assert "replacement     61/2018/NĐ-CP from 2025-07-01" in out


def test_expand_lists_inherited_tasks(seed_store: Store) -> None:
    once = impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF))
    expanded = impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF), expand=True)
    basis_000 = [r for r in expanded.rows if stem(r.file) == "000" and r.cited == "61/2018/NĐ-CP"]
    assert len(basis_000) > 10 and all(r.task and r.dependency == "basis" for r in basis_000)
    assert any(r.lead for r in basis_000)
    assert len(expanded.rows) > len(once.rows)


def test_csv_and_xlsx(seed_store: Store, capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    rows = impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF)).rows
    assert main(["impact", "118/2025/NĐ-CP", "--as-of", AS_OF, "--format", "csv", "--store", str(seed_store.path)]) == 0
    raw = capsysbinary.readouterr().out
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:3] == ["Kế hoạch", "Tệp", "Nhiệm vụ"] and "Đơn vị chủ trì" in table[0]
    assert len(table) - 1 == len(rows)
    out = tmp_path / "impact.xlsx"
    args = ["impact", "118/2025/NĐ-CP", "--as-of", AS_OF, "--format", "xlsx", "-o", str(out)]
    assert main([*args, "--store", str(seed_store.path)]) == 0
    sheet = load_workbook(out).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:4] == ["Kế hoạch", "Tệp", "Nhiệm vụ", "Văn bản được viện dẫn"]
    assert "Đơn vị chủ trì" in header and "Hạn" in header and "Cần cập nhật" in header
    assert sheet.max_row - 1 == len(rows)


def test_unknown_symbol_is_a_one_line_error(seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "impact", "999/2099/NĐ-CP", "--store", str(seed_store.path))
    assert code == 2 and out == "" and err.startswith("tthc-kg: error: ") and err.count("\n") == 1
    code, _, err = run(capsys, "impact", "--store", str(seed_store.path))
    assert code == 2 and "SYMBOL" in err


# --- what-if --------------------------------------------------------------------------------------------------


def test_what_if_replacing_45_2020(seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    before_triples, before_registry = seed_store.triple_count(), registry_bytes()
    code, out, err = run(
        capsys,
        "impact",
        "--what-if",
        str(WHAT_IF),
        "--as-of",
        AS_OF,
        "--format",
        "jsonl",
        "--store",
        str(seed_store.path),
    )
    assert code == 0 and "WHAT-IF" in err
    rows = jsonl(out)
    assert {stem(r["file"]) for r in rows} >= {"000", "001"}
    assert all(r["cited"] == "45/2020/NĐ-CP" and r["finding"] == "replaced" for r in rows)
    assert all(r["successors"] == ["999/2026/NĐ-CP"] and r["confidence"] == "unconfirmed" for r in rows)
    r001 = next(r for r in rows if stem(r["file"]) == "001")
    assert r001["task"] == "3.4" and r001["lead"]
    assert r001["at_signing"] == "partially_repealed"  # on the plan's date, 118/2025 had already repealed k1 Đ16
    assert "Chưa có hiệu lực" in r001["change"]  # the proposed effective date is after --as-of
    # nothing written: not to the store, not to the registry
    assert seed_store.triple_count() == before_triples and registry_bytes() == before_registry
    # the registry as it is still says 45/2020 is not replaced
    real = impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF))
    assert not [r for r in real.rows if r.cited == "45/2020/NĐ-CP" and r.finding == "replaced"]


def test_what_if_overlay_in_python(seed_store: Store, registry: Registry) -> None:
    reg = overlay_registry(complete(read_change(WHAT_IF)))
    assert len(reg.documents) == len(registry.documents) + 1 and len(reg.events) == len(registry.events) + 1
    result = impact(seed_store, "999/2026/NĐ-CP", date(2027, 6, 1), table=overlay_table(reg), what_if=True)
    assert {stem(r.file) for r in result.rows} >= {"000", "001"}
    assert all("Chưa có hiệu lực" not in r.change for r in result.rows)  # in effect by 2027-06-01


def test_bad_what_if_is_an_error_with_its_line(
    seed_store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "events:\n  - kind: replacement\n    affected: 45/2020/NĐ-CP\n    by: 45/2020/NĐ-CP\n"
        "    source: x\n    confidence: unconfirmed\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "impact", "--what-if", str(bad), "--store", str(seed_store.path))
    assert code == 2 and out == ""
    assert err.startswith(f"tthc-kg: error: --what-if: {bad}:2: ") and "cannot change or succeed itself" in err


# --- clauses and points in time -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("khoản 1 Điều 16", {Part(16, 1)}),
        ("điểm c khoản 1 Điều 4", {Part(4, 1, "c")}),
        ("khoản 1 Điều 12, điểm c khoản 1 Điều 4", {Part(12, 1), Part(4, 1, "c")}),
        ("điểm b, c, h khoản 1 Điều 35", {Part(35, 1, "b"), Part(35, 1, "c"), Part(35, 1, "h")}),
        ("khoản 1–2 Điều 40", {Part(40, 1), Part(40, 2)}),
        ("cụm từ “Cổng dịch vụ công” tại Điều 3, 5, 8", {Part(3), Part(5), Part(8)}),
        ("một số khoản", set()),
    ],
)
def test_parse_parts(text: str, parts: set[Part]) -> None:
    assert parse_parts(text) == parts


def test_clause_check() -> None:
    assert clause_check("khoản 1 Điều 16", "khoản 1 Điều 16") == "inside"
    assert clause_check("điểm a khoản 1 Điều 16", "khoản 1 Điều 16") == "inside"
    assert clause_check("Điều 16", "khoản 1 Điều 16") == "overlaps"
    assert clause_check("khoản 2 Điều 16", "khoản 1 Điều 16") == "outside"
    assert clause_check(None, "khoản 1 Điều 16") is None  # the whole document cited
    assert clause_check("Điều 5", "một số khoản") is None  # a scope naming no part


def test_partial_repeal_checked_against_the_cited_clause(registry: Registry, tmp_path: Path) -> None:
    """A real decision citing articles of 45/2020 and 42/2022 one by one: each judged against the repealed part."""
    store = Store(tmp_path / "store")
    ok, errors, _ = ingest_files(store, registry, [str(CLAUSES_PLAN)], progress=False)
    assert ok == 1 and not errors
    rows = impact(store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF)).rows
    by = {(r.cited, r.finding, r.clause): r for r in rows}
    d16 = by[("45/2020/NĐ-CP", "partially_repealed", "Điều 16")]  # khoản 1 Điều 16 was repealed
    assert d16.clause_check == "overlaps" and "rà soát" in d16.change
    d9 = by[("45/2020/NĐ-CP", "partially_repealed", "khoản 1 Điều 9")]
    assert d9.clause_check == "outside" and "không cần cập nhật" in d9.change
    whole = by[("45/2020/NĐ-CP", "partially_repealed", None)]  # the preamble cites the whole decree
    assert whole.dependency == "basis" and whole.clause_check is None


def test_signing_notes() -> None:
    assert signing_note("replaced", "2025-07-01", "2024-01-05") == (
        "valid when signed (2024-01-05), out of force since 2025-07-01"
    )
    assert signing_note("replaced", "2025-07-01", "2025-08-15") == "already out of force when signed (2025-08-15)"
    assert "from 2027-01-01" in (signing_note("replaced", "2027-01-01", "2025-08-15", date(2026, 11, 22)) or "")
    assert signing_note("partially_repealed", "2025-07-01", "2024-01-05") == (
        "in force as signed (2024-01-05), changed since 2025-07-01"
    )
    # a plan dated only by its month: a change inside that month cannot be placed before or after the signing
    august = PlanDate(date(2025, 8, 1), date(2025, 8, 31), "2025-08")
    assert (
        signing_note("replaced", "2025-08-20", august)
        == "out of force from 2025-08-20, within the plan's date (2025-08)"
    )
    assert signing_note("amended", "2025-07-01", august) == "already changed when signed (2025-08)"
    assert signing_note("replaced", None, "2024-01-05") is None and signing_note("replaced", "2025-07-01", None) is None
    # the web page's Vietnamese
    assert signing_note("replaced", "2025-07-01", "2024-01-05", lang="vi") == (
        "Còn hiệu lực khi ký (05/01/2024); hết hiệu lực từ 01/07/2025."
    )
    assert (
        signing_note("replaced", "2025-07-01", "2025-08-15", lang="vi")
        == "Đã hết hiệu lực khi ký kế hoạch (15/08/2025)."
    )


def test_signing_notes_for_audit_rows() -> None:
    """One implementation for the CLI's audit table (English) and /ra-soat (Vietnamese)."""
    from tthc_kg.impact import signing_notes

    dates = {"a.txt": PlanDate(date(2024, 1, 5), date(2024, 1, 5), "2024-01-05")}
    rows = [
        {"file": "a.txt", "finding": "replaced", "since": "2025-07-01"},
        {"file": "a.txt", "finding": "unresolved", "since": "2025-07-01"},  # not a change: no note
        {"file": "a.txt", "finding": "agency_dissolved", "since": "2025-07-01"},
        {"file": "b.txt", "finding": "repealed", "since": "2025-07-01"},  # the plan's date unknown
        {"file": "a.txt", "finding": "amended", "since": None},  # the change's date unknown
        {"file": "a.txt", "finding": "amended", "since": "2023-03-01"},
    ]
    assert signing_notes(rows, dates, date(2026, 11, 22)) == [
        "valid when signed (2024-01-05), out of force since 2025-07-01",
        "",
        "",
        "",
        "",
        "already changed when signed (2024-01-05)",
    ]
    vi = signing_notes(rows, dates, date(2026, 11, 22), lang="vi")
    assert vi[0] == "Còn hiệu lực khi ký (05/01/2024); hết hiệu lực từ 01/07/2025." and vi[1:5] == ["", "", "", ""]


def test_plan_dates_as_precise_as_printed(seed_store: Store) -> None:
    dates = {Path(f).name[:3]: d for f, d in plan_dates(seed_store).items()}
    assert dates["003"] == PlanDate(date(2023, 1, 18), date(2023, 1, 18), "2023-01-18")  # "ngày 18 tháng 01 năm 2023"
    assert dates["001"] == PlanDate(date(2025, 8, 1), date(2025, 8, 31), "2025-08")  # "ngày   tháng 8 năm 2025"
    assert dates["004"].label == "2024" and dates["004"].end == date(2024, 12, 31)  # only the year is printed
    # the named query itself: the printed date text beside the reference date
    q = queries.load("plan-dates")
    got = {Path(r["file"]).name[:3]: r for r in seed_store.select(q.text, q.bind({}))}
    assert (got["001"]["referenceDate"], got["001"]["issued"]) == ("2025-08-01", None)
    assert "tháng 8 năm 2025" in got["001"]["dateText"]


def test_point_in_time_in_impact_rows(seed_store: Store) -> None:
    rows = impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF)).rows
    signed_before = next(r for r in rows if stem(r.file) == "004" and r.cited == "61/2018/NĐ-CP")
    assert signed_before.at_signing == "amended"  # in force (amended by 107/2021) when seed 004 was signed
    assert signed_before.plan_date is not None and signed_before.plan_date.label == "2024"
    late = next(r for r in rows if Path(r.file).name == "ke-hoach-outdated-2025.txt" and r.cited == "61/2018/NĐ-CP")
    assert late.at_signing == "replaced"  # signed 2025-08-15, after 118/2025 took effect


@pytest.fixture(scope="module")
def closed_store(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds in a store of their own, closed, for commands that open the store for writing (the audit)."""
    import gc

    from paths import SEEDS

    path = tmp_path_factory.mktemp("closed-store")
    store = Store(path)
    paths = [str(p) for p in SEEDS] + [str(FIXTURES / "ke-hoach-outdated-2025.txt")]
    assert ingest_files(store, registry, paths, progress=False)[0] == len(paths)
    del store
    gc.collect()
    return path


def test_audit_table_says_when_signed(closed_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", "--all", "--as-of", AS_OF, "--store", str(closed_store))
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("ke-hoach-outdated-2025.txt") and "61/2018/NĐ-CP" in ln)
    assert "already out of force when signed (2025-08-15)" in line
    line = next(ln for ln in out.splitlines() if ln.startswith("004_") and "61/2018/NĐ-CP" in ln)
    assert "valid when signed (2024), out of force since 2025-07-01" in line
    # with --all, the citation strings of the stored plans whose files are still as ingested
    section = out.split("Citation strings against the registry", 1)[1]
    assert "34/2016/NĐ-CP (task III.1): printed date “ngày 15/5/2016”" in section and "not checked" not in section
    # the jsonl contract is untouched
    code, out, _ = run(capsys, "audit", "--all", "--as-of", AS_OF, "--format", "jsonl", "--store", str(closed_store))
    assert all(list(r) == list(AUDIT_FIELDS) for r in jsonl(out))


# --- HTTP ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from tthc_kg.api.app import create_app
    from tthc_kg.api.settings import Settings

    return TestClient(create_app(Settings(store=str(tmp_path_factory.mktemp("unused"))), store=seed_store))


def test_http_rows_are_the_cli_rows(client: Any, seed_store: Store) -> None:
    r = client.get("/api/impact/rows", params={"symbol": "118/2025/NĐ-CP", "as_of": AS_OF, "format": "jsonl"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    expected = [x.as_dict() for x in impact(seed_store, "118/2025/NĐ-CP", date.fromisoformat(AS_OF)).rows]
    assert jsonl(r.text) == expected
    r = client.get("/api/impact/rows", params={"symbol": "118/2025/NĐ-CP", "as_of": AS_OF, "format": "csv"})
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert "Đơn vị chủ trì" in table[0] and len(table) - 1 == len(expected)
    r = client.post("/api/impact/rows", params={"as_of": AS_OF}, content=WHAT_IF.read_bytes())
    assert r.status_code == 200 and r.json()["what_if"] is True
    assert {stem(x["file"]) for x in r.json()["rows"]} >= {"000", "001"}
    r = client.post("/api/impact/rows", content=b"documents: [1")
    assert r.status_code == 400 and "what-if:1: bad YAML" in r.json()["detail"]
    assert client.get("/api/impact/rows", params={"symbol": "999/2099/NĐ-CP"}).status_code == 404


def test_web_page(client: Any) -> None:
    r = client.get("/tac-dong", params={"symbol": "118/2025/NĐ-CP", "as_of": AS_OF})
    assert r.status_code == 200 and 'id="impact-table"' in r.text
    assert "Các phòng, đơn vị có liên quan" in r.text and 'data-finding="replaced"' in r.text
    assert "Còn hiệu lực khi ký (2024); hết hiệu lực từ 01/07/2025." in r.text  # seed 004, dated by its year
    r = client.post("/tac-dong", data={"what_if": WHAT_IF.read_text(encoding="utf-8"), "as_of": AS_OF})
    assert r.status_code == 200 and 'id="what-if-badge"' in r.text and "999/2026/NĐ-CP" in r.text
    r = client.post("/tac-dong", data={"what_if": "events:\n  - kind: foo\n"})
    assert r.status_code == 400 and 'id="impact-error"' in r.text
    assert client.get("/tac-dong", params={"symbol": "61/2018/NĐ-CP", "as_of": "bad"}).status_code == 400
    assert FIXTURES.exists()
