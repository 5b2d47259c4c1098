"""Extraction accuracy against hand-made labels (bench/labels/*.tsv), distinct documents per file.

Labels were written by reading each corpus file (see bench/labels/README.md); the corpus stays in ../shared.
Prints precision and recall of the distinct cited symbols, and how often the stated type and date are right.

    python bench/accuracy.py [--corpus ../shared/corpus/plans] [--labels bench/labels] [--verbose]
    python bench/accuracy.py --labels bench/labels-heldout      # the held-out set (never used for tuning)
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from tthc_kg.analyze import analyze_text
from tthc_kg.read import read_text
from tthc_kg.registry import load_registry
from tthc_kg.resolve import Resolver

HERE = Path(__file__).resolve().parent


def load_labels(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return {r["symbol"]: r for r in rows if r["symbol"].strip()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(HERE.parent.parent / "shared" / "corpus" / "plans"))
    ap.add_argument("--labels", default=str(HERE / "labels"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    resolver = Resolver(load_registry())
    tp = fp = fn = type_ok = date_ok = date_n = 0
    print(f"{'file':60} {'gold':>5} {'found':>5} {'tp':>4} {'fp':>4} {'fn':>4}")
    for label_file in sorted(Path(args.labels).glob("*.tsv")):
        source = Path(args.corpus) / (label_file.stem + ".txt")
        gold = load_labels(label_file)
        analysis = analyze_text(str(source), read_text(source), resolver)
        found: dict[str, object] = {}
        for r in analysis.citations:
            # printed symbols only: the labels list name-only and truncated references apart ("NAME:" rows)
            if r.citation.kind == "symbol" and r.symbol is not None and str(r.symbol) not in found:
                found[str(r.symbol)] = r
        hits = set(gold) & set(found)
        tp += len(hits)
        fp += len(set(found) - set(gold))
        fn += len(set(gold) - set(found))
        for s in hits:
            r = found[s]
            type_ok += r.citation.type == gold[s]["type"]  # type: ignore[attr-defined]
            if gold[s]["date"]:
                date_n += 1
                dates = {
                    x.citation.date.isoformat() for x in analysis.citations if str(x.symbol) == s and x.citation.date
                }
                date_ok += gold[s]["date"] in dates
        print(
            f"{label_file.stem[:60]:60} {len(gold):5} {len(found):5} {len(hits):4} "
            f"{len(set(found) - set(gold)):4} {len(set(gold) - set(found)):4}"
        )
        if args.verbose:
            for s in sorted(set(found) - set(gold)):
                print(f"    FP {s}   {found[s].text!r}")  # type: ignore[attr-defined]
            for s in sorted(set(gold) - set(found)):
                print(f"    FN {s}   {gold[s]['note']}")
            for s in sorted(hits):
                r = found[s]
                if r.citation.type != gold[s]["type"]:  # type: ignore[attr-defined]
                    print(f"    TYPE {s}: found {r.citation.type!r}, gold {gold[s]['type']!r}")  # type: ignore[attr-defined]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"\ndistinct documents: gold {tp + fn}, found {tp + fp}, true positives {tp}")
    print(f"precision {precision:.4f}   recall {recall:.4f}   (bar: precision ≥ 0.99, recall ≥ 0.98)")
    print(
        f"stated type right {type_ok}/{tp} = {type_ok / max(tp, 1):.4f}; "
        f"date right {date_ok}/{date_n} = {date_ok / max(date_n, 1):.4f}  (bar ≥ 0.98)"
    )


if __name__ == "__main__":
    main()
