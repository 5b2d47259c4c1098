"""`tthc-kg search` and `tthc-kg index`: the jsonl contract (DESIGN.md) and one-line errors."""

from __future__ import annotations

import json

import pytest

from tthc_kg.cli import main
from tthc_kg.search.index import SearchIndex
from tthc_kg.store import Store

KEYS = ["kind", "symbol", "task", "title", "status", "score"]
AS_OF = "2026-11-22"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_jsonl_contract(seed_index: SearchIndex, seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(seed_store.path)
    code, out, _err = cli(
        capsys, "search", "nd 61/2018", "--store", store, "--format", "jsonl", "--as-of", AS_OF, "--no-dense"
    )
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 10 and all(list(r) == KEYS for r in rows)  # keys exactly, in order, always present
    assert rows[0] == {
        "kind": "document",
        "symbol": "61/2018/NĐ-CP",
        "task": None,
        "title": "Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        "status": "replaced",
        "score": 1.0,
    }
    assert {r["kind"] for r in rows} <= {"document", "passage", "task"}
    assert all(isinstance(r["score"], float) for r in rows)
    assert [r["score"] for r in rows[1:]] == sorted((r["score"] for r in rows[1:]), reverse=True)


def test_search_filters_and_k(seed_index: SearchIndex, seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["search", "một cửa", "--store", str(seed_store.path), "--format", "jsonl", "--as-of", AS_OF, "--no-dense"]
    code, out, _ = cli(capsys, *args, "--k", "3", "--status", "out_of_force", "--type", "Nghị định")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and 0 < len(rows) <= 3
    assert all(r["status"] in ("replaced", "repealed", "expired") and r["symbol"].endswith("NĐ-CP") for r in rows)
    code, out, _ = cli(capsys, *args, "--year", "2025", "--issuer", "chinh phu")
    years = {u.symbol: u.year for u in seed_index.units.values() if u.kind == "document"}
    issuers = {u.symbol: u.issuer for u in seed_index.units.values() if u.kind == "document"}
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows
    assert all(years[r["symbol"]] == 2025 and "Chính phủ" in issuers[r["symbol"]] for r in rows)  # "66/NQ-CP" too


def test_search_kind(seed_index: SearchIndex, seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["search", "một cửa", "--store", str(seed_store.path), "--format", "jsonl", "--as-of", AS_OF, "--no-dense"]
    _, everything, _ = cli(capsys, *args, "--k", "50")
    assert len({json.loads(line)["kind"] for line in everything.splitlines()}) > 1  # the filter has work to do
    for kind in ("task", "passage", "document"):
        code, out, _ = cli(capsys, *args, "--kind", kind)
        rows = [json.loads(line) for line in out.splitlines()]
        assert code == 0 and rows and {r["kind"] for r in rows} == {kind}
        if kind == "task":
            assert all(r["task"] for r in rows)
    with pytest.raises(SystemExit):  # argparse: an unknown kind is a usage error (exit 2)
        main([*args, "--kind", "plan"])


def test_search_table(seed_index: SearchIndex, seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "search", "bưu chính", "--store", str(seed_store.path), "--as-of", AS_OF, "--no-dense")
    assert code == 0 and out.startswith(f"Search as of {AS_OF} (lexical): ")
    assert "45/2016/QĐ-TTg" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", " "], "empty query"),
        (["search", "x", "--status", "bogus"], "status"),
        (["search", "x", "--as-of", "22/11/2026"], "--as-of"),
        (["search", "x", "--k", "0"], "k:"),
    ],
)
def test_search_bad_input_one_line_error(
    seed_index: SearchIndex, seed_store: Store, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = cli(capsys, *args, "--store", str(seed_store.path))
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_search_without_a_store(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(capsys, "search", "x", "--store", str(tmp_path / "none"))
    assert code != 0 and len(err.strip().splitlines()) == 1 and "no store" in err


def test_index_lexical_only(seed_index: SearchIndex, seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "index", "--store", str(seed_store.path), "--no-dense")
    assert code == 0 and out.startswith(f"search index: {len(seed_index.units)} units (0 added, 0 changed, 0 removed)")
