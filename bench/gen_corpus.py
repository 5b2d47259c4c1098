"""Generate N realistic plans for the scale bench, from the real ones (issue 6 part 4).

    python bench/gen_corpus.py N OUTDIR [--seed S]

Each generated plan is a real plan (data/plans and ../shared/corpus/plans, read from there, never copied into
the repository) with a new province, a new number and date, extra "Căn cứ …" lines citing documents of the
registry (about half of them superseded: replaced, repealed, expired or partially repealed ones), and — when the
real plan has no task table of its own — an appended appendix table of tasks (tab-separated, the digital layout
of seeds 001/004) whose contents, agencies and outputs come from the real plans' tables, with timeframes in the
plan's year and a "Căn cứ thực hiện" column citing the registry. Plans that have a table of their own keep it
(the PDF-text layouts of seeds 000/002/003 included), with the province and years changed.

Deterministic: the same N, seed and inputs give byte-identical files. Files go to OUTDIR/<shard>/plan-NNNNNN.txt
(1,000 per shard directory) with OUTDIR/MANIFEST.jsonl: per file, the template, province, date, number, the
symbols cited in the added preamble lines and the added tasks (number, basis symbols). Write OUTDIR outside the
repository (e.g. /tmp/tthc-scale/10k).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "data" / "plans", ROOT.parent / "shared" / "corpus" / "plans"]

# the 63 provinces and cities before the 2025 merger, and the merged names after it
PROVINCES = (
    "An Giang|Bà Rịa - Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre|Bình Dương|Bình Định|Bình Phước|"
    "Bình Thuận|Cà Mau|Cao Bằng|Đắk Lắk|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Tĩnh|"
    "Hải Dương|Hậu Giang|Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|Lâm Đồng|Lạng Sơn|Lào Cai|"
    "Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|Quảng Ngãi|Quảng Ninh|"
    "Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Tiền Giang|Trà Vinh|"
    "Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái"
).split("|")

TIMEFRAMES = (
    "Thường xuyên",
    "Năm {y}",
    "Quý I năm {y}",
    "Quý II năm {y}",
    "Quý III/IV năm {y}",
    "Trước ngày {d}/{m}/{y}",
    "Trước ngày {d} tháng {m} năm {y}",
    "Định kỳ hàng quý, năm",
    "Khi có yêu cầu",
    "Trong năm {y}",
)

SUPERSEDING_KINDS = {"replacement", "repeal", "expiry", "partial_repeal"}
# Calibration (measured on the 57 real plans: 0.9 superseded-dependency rows per plan, 584 triples per plan):
# a quarter of the added citations are superseded documents and 30% of the added task tables have a "Căn cứ
# thực hiện" column, which gives about 3 rows per plan — denser than the real sample, whose plans are mostly
# from 2025 and cite current documents, as a national corpus spread over 2019–2026 would be.
SUPERSEDED_SHARE = 0.25
BASIS_COLUMN_SHARE = 0.3


@dataclass(frozen=True)
class Template:
    path: Path
    text: str
    province: str | None
    has_tasks: bool


@dataclass(frozen=True)
class Cite:
    symbol: str
    type: str
    issued: date
    issuer: str
    title: str | None
    superseded: bool


def _load_templates() -> tuple[list[Template], list[dict]]:
    from tthc_kg.analyze import analyze_text
    from tthc_kg.read import read_text
    from tthc_kg.registry import load_registry
    from tthc_kg.resolve import Resolver

    resolver = Resolver(load_registry())
    templates: list[Template] = []
    pool: list[dict] = []
    for d in TEMPLATE_DIRS:
        for p in sorted(d.glob("*.txt")):
            text = read_text(p)
            a = analyze_text(str(p), text, resolver)
            province = a.context.province if a.context.province and a.context.province in text else None
            templates.append(Template(p, text, province, bool(a.tasks)))
            for t in a.tasks:
                if t.content and t.lead and len(t.content) < 400:
                    pool.append(
                        {
                            "content": " ".join(t.content.split()),
                            "lead": list(t.lead),
                            "coordinators": list(t.coordinators),
                            "outputs": " ".join((t.outputs or "").split())[:200],
                        }
                    )
    return templates, pool


def _citable() -> list[Cite]:
    """Registry documents a plan can cite by type, symbol, date and issuer (national ones: their identity does not
    depend on the citing plan's province)."""
    from tthc_kg.registry import load_registry

    reg = load_registry()
    superseded = {str(e.affected) for e in reg.events if e.kind in SUPERSEDING_KINDS}
    out = []
    for d in reg.documents:
        if d.issued is None or not d.issuer or d.symbol.party or not d.symbol.national:
            continue
        if d.type not in ("Nghị định", "Thông tư", "Quyết định", "Nghị quyết", "Luật", "Chỉ thị"):
            continue
        out.append(Cite(str(d.symbol), d.type, d.issued, d.issuer, d.title, str(d.symbol) in superseded))
    return out


def _cite_text(c: Cite) -> str:
    title = f" {c.title[0].lower()}{c.title[1:]}" if c.title else ""
    return f"{c.type} số {c.symbol} ngày {c.issued.day:02d}/{c.issued.month:02d}/{c.issued.year} của {c.issuer}{title}"


_HEADER_NUMBER = re.compile(r"(Số\s*:\s*)(\d*)(\s*/\s*)(?:(\d{4})/)?")
_HEADER_DATE = re.compile(r"(ngày\s+)(\d{1,2}|\s*)(\s+tháng\s+)(\d{1,2})(\s+năm\s+)(\d{4})")
_PREAMBLE = re.compile(r"^[\t #*]*(Căn cứ|Thực hiện)\b", re.M)
_TITLE = re.compile(r"^[\t #*]*(KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|NGHỊ QUYẾT)[*\s]*$", re.M)


def _new_header(text: str, rng: random.Random, year: int) -> tuple[str, str, date]:
    number = str(rng.randint(1, 4999))
    when = date(year, rng.randint(1, 12), rng.randint(1, 28))
    head_end = min(len(text), 2500)
    head = text[:head_end]
    head = _HEADER_NUMBER.sub(lambda m: m[1] + number + m[3] + (f"{year}/" if m[4] else ""), head, count=1)
    head = _HEADER_DATE.sub(lambda m: f"{m[1]}{when.day:02d}{m[3]}{when.month:02d}{m[5]}{when.year}", head, count=1)
    return head + text[head_end:], number, when


def _insert_preamble(text: str, lines: list[str]) -> str:
    block = "".join(f"Căn cứ {line};\n\n" for line in lines)
    m = _PREAMBLE.search(text, 0, max(2000, len(text) // 3))
    if m:
        at = m.start()
    else:
        t = _TITLE.search(text, 0, max(3000, len(text) // 3))
        if t:  # after the title line(s) that follow the type word
            nxt = re.search(r"\n\s*\n", text[t.end() :])
            after = text.find("\n\n", t.end() + (nxt.end() if nxt else 0))
            at = after + 2 if after >= 0 else t.end() + 1
        else:
            at = text.find("\n\n", 600) + 2 if text.find("\n\n", 600) >= 0 else len(text)
    return text[:at] + block + text[at:]


def _task_table(rng: random.Random, pool: list[dict], cites: list[Cite], year: int, doc_type: str) -> tuple[str, list]:
    n = rng.randint(5, 30)
    with_basis = rng.random() < BASIS_COLUMN_SHARE
    header = "ST T\tNội dung thực hiện\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian thực hiện\tKết quả/Sản phẩm"
    rows = [header + ("\tCăn cứ thực hiện" if with_basis else "")]
    tasks = []
    for i in range(1, n + 1):
        t = pool[rng.randrange(len(pool))]
        tf = rng.choice(TIMEFRAMES).format(y=year, d=f"{rng.randint(1, 28):02d}", m=f"{rng.randint(1, 12):02d}")
        k = rng.choice((0, 0, 1, 1, 1, 2)) if with_basis else 0
        chosen = _pick(rng, cites, k)
        basis = "; ".join(f"{c.type} số {c.symbol}" for c in chosen)
        cells = [str(i), t["content"], "; ".join(t["lead"]), "; ".join(t["coordinators"]), tf, t["outputs"]]
        rows.append("\t".join(cells + ([basis] if with_basis else [])))
        tasks.append({"number": str(i), "basis": [c.symbol for c in chosen]})
    head = f"\n\nPhụ lục**DANH MỤC CÁC NHIỆM VỤ CỤ THỂ NĂM {year}**\n\n(Kèm theo {doc_type} năm {year})\n\n"
    return head + "\n".join(rows) + "\n", tasks


def _pick(rng: random.Random, cites: list[Cite], k: int) -> list[Cite]:
    """k distinct documents, a quarter of them (on average) superseded ones."""
    old = [c for c in cites if c.superseded]
    new = [c for c in cites if not c.superseded]
    out: list[Cite] = []
    while len(out) < k:
        c = rng.choice(old if rng.random() < SUPERSEDED_SHARE else new)
        if c not in out:
            out.append(c)
    return out


def _swap_province(text: str, old: str | None, new: str) -> str:
    if not old:
        return text
    text = text.replace(old, new)
    return text.replace(old.upper(), new.upper())


def generate(n: int, outdir: Path, seed: int = 1, progress: bool = True) -> list[dict]:
    templates, pool = _load_templates()
    cites = _citable()
    outdir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        tpl = templates[rng.randrange(len(templates))]
        province = rng.choice([p for p in PROVINCES if p != tpl.province])
        year = rng.randint(2019, 2026)
        text = _swap_province(tpl.text, tpl.province, province)
        text, number, when = _new_header(text, rng, year)
        preamble = _pick(rng, cites, rng.randint(2, 6))
        text = _insert_preamble(text, [_cite_text(c) for c in preamble])
        tasks: list = []
        if not tpl.has_tasks:
            table, tasks = _task_table(rng, pool, cites, year, "Kế hoạch")
            text = text.rstrip("\n") + table
        rel = Path(f"{i // 1000:04d}") / f"plan-{i:06d}.txt"
        path = outdir / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        manifest.append(
            {
                "file": str(rel),
                "template": tpl.path.name,
                "province": province,
                "date": when.isoformat(),
                "number": number,
                "preamble": [c.symbol for c in preamble],
                "tasks": tasks,
            }
        )
        if progress and (i + 1) % 1000 == 0:
            print(f"  {i + 1}/{n}", file=sys.stderr)
    with open(outdir / "MANIFEST.jsonl", "w", encoding="utf-8") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.n < 1:
        print("tthc-kg: error: N must be at least 1", file=sys.stderr)
        return 2
    out = args.outdir.resolve()
    if ROOT in out.parents or out == ROOT:
        print(f"tthc-kg: error: write the generated corpus outside the repository, not {out}", file=sys.stderr)
        return 2
    generate(args.n, out, args.seed)
    print(f"{args.n} plans in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
