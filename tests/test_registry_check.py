"""Registry lifecycle (issue 8 part 1): `tthc-kg registry check` and `tthc-kg registry add`, on copies of the real
registry; every refused addition leaves the files byte for byte as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paths import ROOT
from tthc_kg.cli import main
from tthc_kg.registry import load_registry
from tthc_kg.registry_change import check_registry, lifecycle_problems

REGISTRY = ROOT / "data" / "registry"

NEW_DECREE = """\
documents:
  - symbol: 12/2026/NĐ-CP
    type: Nghị định
    title: Thử nghiệm quy trình bổ sung sổ đăng ký
    issuer: Chính phủ
    issued: 2026-03-01
    effective: 2026-04-15
    normative: yes
    source: test fixture
    confidence: unconfirmed
events:
  - kind: partial_repeal
    affected: 42/2022/NĐ-CP
    effective: 2026-04-15
    scope: khoản 2 Điều 12
    source: test fixture
    confidence: unconfirmed
  - kind: replacement
    affected: 03/2025/TT-VPCP
    effective: 2026-04-15
    source: test fixture
    confidence: unconfirmed
"""


@pytest.fixture
def reg_dir(tmp_path: Path) -> Path:
    target = tmp_path / "registry"
    shutil.copytree(REGISTRY, target)
    return target


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_real_registry_checks(capsys: pytest.CaptureFixture[str]) -> None:
    reg, errors, warnings = check_registry(REGISTRY)
    assert errors == []
    # NĐ 55/2025 took effect the day before it was signed, as the registry states: a warning, not an error
    assert any("effective: 2025-03-01 is before the issue date 2025-03-02" in w.message for w in warnings)
    code, out, err = run(capsys, "registry", "check", str(REGISTRY))
    assert code == 0 and out.startswith("registry OK: ") and "lifecycle checked" in out
    assert "documents.csv:" in err and ": warning: effective: 2025-03-01 is before the issue date 2025-03-02" in err
    assert len(reg.documents) == len(load_registry(REGISTRY).documents)


def test_add_a_change_file(reg_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    change = tmp_path / "change.yaml"
    change.write_text(NEW_DECREE, encoding="utf-8")
    before = snapshot(reg_dir)
    code, out, err = run(capsys, "registry", "add", str(change), "--directory", str(reg_dir))
    assert code == 0, err
    assert out.startswith("added 1 document(s) and 2 event(s)")
    after = snapshot(reg_dir)
    # appended, never rewritten: the old bytes are a prefix of the new
    for name in ("documents.csv", "events.csv"):
        assert after[name].startswith(before[name]) and after[name] != before[name]
    assert {k: v for k, v in after.items() if k not in ("documents.csv", "events.csv")} == {
        k: v for k, v in before.items() if k not in ("documents.csv", "events.csv")
    }
    reg = load_registry(reg_dir)
    new = next(d for d in reg.documents if str(d.symbol) == "12/2026/NĐ-CP")
    assert new.confidence == "unconfirmed" and new.issuer == "Chính phủ"
    events = [e for e in reg.events if e.by is not None and str(e.by) == "12/2026/NĐ-CP"]
    assert {(e.kind, str(e.affected), e.scope) for e in events} == {
        ("partial_repeal", "42/2022/NĐ-CP", "khoản 2 Điều 12"),
        ("replacement", "03/2025/TT-VPCP", None),
    }
    # adding it again is refused: the document and its events are repeats
    code, _, err = run(capsys, "registry", "add", str(change), "--directory", str(reg_dir))
    assert code == 1 and "is repeated" in err and snapshot(reg_dir) == after


def test_refused_additions_touch_nothing(reg_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        NEW_DECREE.replace("issued: 2026-03-01", "issued: 2025-03-01")  # not the year of the symbol
        .replace("affected: 42/2022/NĐ-CP", "affected: 42/2022/ND-CP/x")  # not a symbol
        .replace("    source: test fixture\n    confidence: unconfirmed\n", "    confidence: maybe\n", 1),
        encoding="utf-8",
    )
    before = snapshot(reg_dir)
    code, out, err = run(capsys, "registry", "add", str(bad), "--directory", str(reg_dir))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert f"{bad}:2: issued: 2025-03-01 is not in the year of 12/2026/NĐ-CP" in lines
    assert f"{bad}:2: source is empty: say where the facts come from" in lines
    assert any(line.startswith(f"{bad}:2: confidence: 'maybe'") for line in lines)
    assert f"{bad}:11: affected: cannot parse the symbol '42/2022/ND-CP/x'" in lines  # the event's line
    assert lines[-1].startswith("6 error(s): nothing added")
    assert snapshot(reg_dir) == before


def test_dates_in_order_and_no_cycles(reg_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    early = tmp_path / "early.yaml"
    early.write_text(
        "events:\n  - kind: repeal\n    affected: 118/2025/NĐ-CP\n    by: 78/2025/NĐ-CP\n"
        "    effective: 2025-05-01\n    source: test\n    confidence: unconfirmed\n",
        encoding="utf-8",
    )
    before = snapshot(reg_dir)
    code, _, err = run(capsys, "registry", "add", str(early), "--directory", str(reg_dir))
    assert code == 1
    assert f"{early}:2: effective: 2025-05-01 is before 118/2025/NĐ-CP was issued (2025-06-09)" in err
    # 118/2025 replaced 61/2018: 61/2018 replacing 118/2025 would close a cycle
    code, _, err = run(
        capsys,
        "registry",
        "add",
        "--directory",
        str(reg_dir),
        "--symbol",
        "61/2018/NĐ-CP",
        "--replaces",
        "118/2025/NĐ-CP",
        "--event-effective",
        "2026-01-01",
        "--source",
        "test",
        "--confidence",
        "unconfirmed",
    )
    assert code == 1
    assert "cycle of replacement: " in err and "61/2018/NĐ-CP → 118/2025/NĐ-CP" in err
    assert f"{reg_dir / 'events.csv'}:" in err  # an option row is placed at the line it would take
    assert snapshot(reg_dir) == before


def test_registry_check_finds_problems_in_edited_files(reg_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = reg_dir / "events.csv"
    n = events.read_bytes().count(b"\n") + 1
    with events.open("a", encoding="utf-8") as fh:
        fh.write("replacement,118/2025/NĐ-CP,107/2021/NĐ-CP,,2025-08-01,,hand edit,unconfirmed,\n")
    code, out, err = run(capsys, "registry", "check", str(reg_dir))
    assert code == 1 and out == ""
    assert f"{events}:{n}: effective: 2025-08-01 is before the changing document" not in err  # 107/2021 is older
    assert f"{events}:{n}: cycle of replacement: " in err
    assert "ends twice" not in err
    reg, errors, _ = check_registry(reg_dir)
    assert [e.line for e in errors] == [n]
    assert lifecycle_problems(reg)[0] == errors


def test_add_with_options_and_dry_run(reg_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(reg_dir)
    args = [
        "registry",
        "add",
        "--directory",
        str(reg_dir),
        "--symbol",
        "13/2026/NĐ-CP",
        "--type",
        "Nghị định",
        "--issuer",
        "Chính phủ",
        "--issued",
        "2026-05-02",
        "--effective",
        "2026-07-01",
        "--normative",
        "yes",
        "--source",
        "test",
        "--confidence",
        "unconfirmed",
        "--amends",
        "45/2020/NĐ-CP",
        "--scope",
        "khoản 2 Điều 16",
    ]
    code, out, _ = run(capsys, *args, "--dry-run")
    assert code == 0 and out.startswith("would add 1 document(s) and 1 event(s)") and snapshot(reg_dir) == before
    code, out, _ = run(capsys, *args)
    assert code == 0
    reg = load_registry(reg_dir)
    event = next(e for e in reg.events if e.by is not None and str(e.by) == "13/2026/NĐ-CP")
    assert (event.kind, str(event.affected), event.scope, str(event.effective)) == (
        "amendment",
        "45/2020/NĐ-CP",
        "khoản 2 Điều 16",
        "2026-07-01",
    )
    code, _, err = run(capsys, "registry", "add", "--directory", str(reg_dir))
    assert code == 2 and err.startswith("tthc-kg: error: registry add: nothing to add")


def test_concurrent_additions_both_land(reg_dir: Path) -> None:
    """Each addition checks and appends under a lock on the registry directory: neither overwrites the other."""
    from concurrent.futures import ThreadPoolExecutor

    from tthc_kg.registry_change import add_change, complete, parse_change

    def change(n: int) -> object:  # a new decree each, without events
        return complete(parse_change(NEW_DECREE.replace("12/2026/NĐ-CP", f"{n}/2026/NĐ-CP").split("events:")[0]))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: add_change(change(n), reg_dir), [21, 22, 23, 24]))  # type: ignore[arg-type]
    assert all(w == [] for w in results)
    symbols = {str(d.symbol) for d in load_registry(reg_dir).documents}
    assert {"21/2026/NĐ-CP", "22/2026/NĐ-CP", "23/2026/NĐ-CP", "24/2026/NĐ-CP"} <= symbols
