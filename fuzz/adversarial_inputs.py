"""Inputs shared by tests/test_fuzz.py, bench/adversarial.py and the atheris targets in this folder.

``normal_text(n)``: the real plans (data/plans) concatenated and cut to ``n`` characters — the baseline.
``adversarial(kind, n)``: ``n`` characters of text built to make a scanner backtrack or a table reader go
quadratic: long runs of "số 1/1/1/…", digits and slashes, deep numbering "1.1.1.1…", huge table rows, many
"Căn cứ" clauses, dangling codes cut at a tab, and so on. Every kind is a repetition of a short unit, so the
input is the same size as the baseline and the ratio of their times says whether the work is linear.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "data" / "plans"


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]


def normal_text(n: int) -> str:
    """``n`` characters of real plan text (the seeds, concatenated and repeated)."""
    base = "\n\n".join(seed_texts())
    return (base * (n // len(base) + 1))[:n]


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _one_line_rows(n: int) -> str:
    head = "STT\tNội dung công việc\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian thực hiện\tKết quả\n"
    cell = "Rà soát, đơn giản hóa thủ tục hành chính theo Nghị định số 61/2018/NĐ-CP, Quý I/2024 "
    row = "1\t" + _repeat(cell, n) + "\tSở Tư pháp\tCác sở, ngành\tQuý II năm 2024\tBáo cáo\n"
    return (head + row)[:n]


def _many_rows(n: int) -> str:
    head = "STT\tNội dung công việc\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian thực hiện\tKết quả\n"
    rows = []
    i = 0
    size = len(head)
    while size < n:
        i += 1
        r = f"{i}\tRà soát thủ tục hành chính lĩnh vực {i}\tSở Tư pháp\tCác sở, ngành\tTrước 15/01/2024\tBáo cáo\n"
        rows.append(r)
        size += len(r)
    return (head + "".join(rows))[:n]


def _pdf_rows(n: int) -> str:
    head = "TT\nNội dung công việc\nĐơn vị chủ trì\nĐơn vị phối hợp\nThời gian thực hiện\n"
    unit = (
        "{i}\nTriển khai thực hiện Nghị định số 61/2018/NĐ-CP ngày 23/4/2018\nVăn phòng UBND tỉnh\n"
        "Các sở, ban, ngành\nThường xuyên\n"
    )
    out = [head]
    size = len(head)
    i = 0
    while size < n:
        i += 1
        s = unit.format(i=i)
        out.append(s)
        size += len(s)
    return "".join(out)[:n]


def _wide_row(n: int) -> str:
    head = "STT\tNội dung công việc\tĐơn vị chủ trì\tThời gian thực hiện\n"
    return (head + "1\t" + _repeat("Sở Tư pháp\t", n))[:n]


def _cited_rows(n: int) -> str:
    """Many task rows, each citing a document (every citation looks up its task row)."""
    head = "STT\tNội dung công việc\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian thực hiện\tCăn cứ thực hiện\n"
    out, size, i = [head], len(head), 0
    while size < n:
        i += 1
        r = f"{i}\tThực hiện Nghị định số {i}/2018/NĐ-CP\tSở Tư pháp\tCác sở\tQuý I/2024\tQuyết định số {i}/QĐ-TTg\n"
        out.append(r)
        size += len(r)
    return "".join(out)[:n]


def _basis_list(n: int) -> str:
    """One preamble clause listing thousands of decrees ("Căn cứ các Nghị định của Chính phủ: số …; số …")."""
    head = "KẾ HOẠCH\nCăn cứ các Nghị định của Chính phủ: "
    out, size, i = [head], len(head), 0
    while size < n:
        i += 1
        s = f"số {i}/2018/NĐ-CP ngày 23/4/2018 về thủ tục hành chính; "
        out.append(s)
        size += len(s)
    return "".join(out)[:n]


def _pdf_huge_row(n: int) -> str:
    head = "TT\nNội dung công việc\nĐơn vị chủ trì\nĐơn vị phối hợp\nThời gian thực hiện\n1\n"
    return (head + _repeat("rà soát thủ tục hành chính và đơn giản hóa\n", n))[:n]


KINDS: dict[str, Callable[[int], str]] = {
    # "số 1/1/1/1/…": every "/" a candidate symbol start
    "so-slashes": lambda n: "Nghị định số " + _repeat("1/", n),
    "so-runs": lambda n: _repeat("số 1/1/1/1/1/1/1/1/1/1/1/1 ", n),
    "digits-slashes": lambda n: _repeat("12/34/5678/9/", n),
    "digits": lambda n: _repeat("0123456789", n),
    "slashes": lambda n: _repeat("/", n),
    # codes that dangle at a tab on one endless line ("4020/QĐ-<tab>")
    "dangling-codes": lambda n: _repeat("4020/QĐ-\t", n),
    "codes-no-year": lambda n: _repeat("số 1/QĐ-UBND-BNN-KHCN-TTg-CP ", n),
    "dates": lambda n: _repeat("ngày 1/1/2020 ngày 12 tháng 12 năm 2020 ", n),
    "deep-numbering": lambda n: "1." + _repeat("1.", n - 2),
    "numbering-lines": lambda n: _repeat("1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1 Nội dung\n", n),
    "can-cu": lambda n: _repeat("Căn cứ ", n),
    "can-cu-clauses": lambda n: _repeat("Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ;\n", n),
    "list-type": lambda n: _repeat("các Nghị định của Chính phủ: số ", n),
    "luat": lambda n: _repeat("Luật Tổ chức chính quyền ", n),
    "bo-luat": lambda n: _repeat("Bộ luật ", n),
    "quy": lambda n: _repeat("Quý I/II/III/IV/", n),
    "table-one-row": _one_line_rows,
    "table-many-rows": _many_rows,
    "pdf-rows": _pdf_rows,
    "table-wide-row": _wide_row,
    "table-cited-rows": _cited_rows,
    "pdf-huge-row": _pdf_huge_row,
    "basis-list": _basis_list,
    "tabs": lambda n: _repeat("\t", n),
    "newlines": lambda n: _repeat("\n", n),
    "combining": lambda n: _repeat("a\u0301\u0323", n),
    "one-word": lambda n: "a" * n,
}


def adversarial(kind: str, n: int) -> str:
    """``n`` characters of the adversarial input ``kind`` (one of :data:`KINDS`)."""
    text = KINDS[kind](n)[:n]
    assert len(text) == n, kind
    return text
