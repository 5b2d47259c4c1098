"""Citation-string checks (issue 8 part 5): what the seeds print about a document against the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paths import AS_OF, SEEDS
from tthc_kg.analyze import analyze_text
from tthc_kg.citecheck import FIELDS, check_analysis, check_files
from tthc_kg.cli import main
from tthc_kg.registry import Registry
from tthc_kg.registry_change import complete, overlay_registry, parse_change
from tthc_kg.resolve import Resolver


def seed(n: str) -> str:
    return str(next(p for p in SEEDS if p.name.startswith(n)))


@pytest.fixture(scope="module")
def issues(registry: Registry) -> list:
    found, errors = check_files([str(p) for p in SEEDS], Resolver(registry))
    assert errors == []
    return found


def keyed(issues: list) -> set[tuple[str, str, str | None, str]]:
    return {(Path(i.file).name[:3], i.cited, i.task, i.check) for i in issues}


def test_seed_000_misdates_34_2016(issues: list) -> None:
    i = next(i for i in issues if i.file == seed("000") and i.cited == "34/2016/NĐ-CP")
    assert (i.check, i.printed, i.registry) == ("date", "ngày 15/5/2016", "14/05/2016")
    assert "the registry says issued 14/05/2016" in i.message
    text = Path(i.file).read_text(encoding="utf-8")
    assert text[i.start : i.end].split()[-1] == "34/2016/NĐ-CP" and i.line == text.count("\n", 0, i.start) + 1


def test_seed_002_malformed_year(issues: list) -> None:
    i = next(i for i in issues if i.file == seed("002") and i.check == "malformed_date")
    assert (i.cited, i.printed, i.registry) == ("01/2020/TT-VPCP", "ngày 21/10/20120", "21/10/2020")


def test_no_false_alarms(issues: list) -> None:
    # seed 002 prints 34/2016's date right, and 01/2020's right the second time
    assert ("002", "34/2016/NĐ-CP", "III.1", "date") not in keyed(issues)
    assert not [i for i in issues if i.file == seed("002") and i.cited == "01/2020/TT-VPCP" and i.task == "X.1"]
    # issuers printed as an abbreviation, a title or cut by the layout are the registry's issuer
    assert not [i for i in issues if i.check == "issuer"]
    assert {i.check for i in issues} <= {"date", "malformed_date", "type", "missing_year", "ambiguous"}


def test_type_word_typo_and_missing_year(issues: list) -> None:
    typo = next(i for i in issues if i.check == "type")
    assert (Path(typo.file).name[:3], typo.cited, typo.printed, typo.registry) == (
        "004",
        "76/NQ-CP",
        "Nghị số",
        "Nghị quyết",
    )
    missing = next(i for i in issues if i.check == "missing_year")
    assert (Path(missing.file).name[:3], missing.cited) == ("000", "02/2017/TT-VPCP")


def test_name_only_reference_is_ambiguous(issues: list) -> None:
    """ "Luật Ban hành văn bản QPPL" names the law of 2015 and that of 2025; only the first existed in 2024."""
    i = next(i for i in issues if i.file == seed("000") and i.check == "ambiguous")
    assert i.registry == "80/2015/QH13; 64/2025/QH15"
    assert "only 80/2015/QH13 had been issued by the plan's date (2024)" in i.message


def test_truncated_symbol_ambiguous_with_a_second_candidate(registry: Registry) -> None:
    """Seed 004's "Nghị quyết số 131" resolves while the registry has one 131/NQ-CP; with two it is ambiguous.
    The second one comes from a change applied in memory (registry_change), the seed as it is."""
    text = Path(seed("004")).read_text(encoding="utf-8")
    resolver = Resolver(registry)
    before = check_analysis(analyze_text(seed("004"), text, resolver), resolver)
    assert not [i for i in before if i.check == "ambiguous"]
    change = parse_change(
        "documents:\n  - symbol: 131/NQ-CP\n    type: Nghị quyết\n    issuer: Chính phủ\n    issued: 2019-12-30\n"
        "    normative: no\n    source: test (a second 131/NQ-CP)\n    confidence: unconfirmed\n"
    )
    two = Resolver(overlay_registry(complete(change)))
    after = check_analysis(analyze_text(seed("004"), text, two), two)
    amb = [i for i in after if i.check == "ambiguous"]
    # the truncated "Nghị quyết số 131" (task 19) and the yearless, undated "131/NQ-CP" (task 12)
    assert {(i.task, i.printed) for i in amb} == {("19", "Nghị quyết số 131"), ("12", "Nghị quyết số 131/NQ-CP")}
    assert all(i.registry.count("131/NQ-CP") == 2 for i in amb)


def test_issuer_mismatch_on_a_draft(registry: Registry, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(
        "KẾ HOẠCH\nCăn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Bộ Tư pháp về thực hiện cơ chế một cửa;\n",
        encoding="utf-8",
    )
    found, _ = check_files([str(draft)], Resolver(registry))
    assert [(i.check, i.printed, i.registry) for i in found] == [("issuer", "Bộ Tư pháp", "Chính phủ")]


def test_check_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", seed("000"), seed("002"), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and all(list(r) == list(FIELDS) for r in rows)
    assert {(Path(r["file"]).name[:3], r["check"]) for r in rows} >= {("000", "date"), ("002", "malformed_date")}
    assert main(["check", seed("000")]) == 0
    out = capsys.readouterr().out
    assert f"{seed('000')}:" in out and "34/2016/NĐ-CP (task III.1): printed date “ngày 15/5/2016”" in out
    assert main(["check", "no-such-file.txt"]) == 1
    assert capsys.readouterr().err.startswith("tthc-kg: error: no-such-file.txt:")


def test_the_audit_flags_the_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bar: `tthc-kg audit` on seed 000 flags 34/2016's printed date (in its table; jsonl stays as contracted)."""
    store = tmp_path / "store"
    assert main(["audit", seed("000"), "--as-of", AS_OF, "--store", str(store)]) == 0
    out = capsys.readouterr().out
    section = out.split("Citation strings against the registry", 1)[1]
    assert "34/2016/NĐ-CP (task III.1): printed date “ngày 15/5/2016”, the registry says issued 14/05/2016" in section
