"""Fuzzing (issue 7, part 2): property tests of normalization, citation finding, task-table recovery and timeframe
parsing — no exception escapes, offsets always inside the text, every span's text is the original's slice — and a
linear-time test: 1 MB of adversarial input takes at most a generous multiple of the time of 1 MB of real plans.

Example counts: ``TTHC_KG_FUZZ_EXAMPLES`` (default 150 per property here; bench/adversarial.py runs 100,000).
The same inputs drive the atheris targets in fuzz/.
"""

from __future__ import annotations

import os
import re
import sys
import time
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tthc_kg.analyze import analyze_text
from tthc_kg.find import _law_ends, _law_match, find_citations
from tthc_kg.normalize import _GLYPHS, normalize  # ƣ → ư, odd spaces → space
from tthc_kg.registry import load_registry
from tthc_kg.resolve import Resolver
from tthc_kg.segment import clause, preamble_regions
from tthc_kg.tasks import extract_tasks
from tthc_kg.timeframe import parse_timeframe

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
from adversarial_inputs import KINDS, adversarial, normal_text
from strategies import plan_texts, timeframe_texts

EXAMPLES = int(os.environ.get("TTHC_KG_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KINDS_OF_TIMEFRAME = {"continuous", "periodic", "before", "period", "event", "unknown"}


@cache
def resolver() -> Resolver:
    return Resolver(load_registry())


# --- properties ----------------------------------------------------------------------------------------------------


@FUZZ
@given(plan_texts())
@example("\u200b\u00a0\u0301")  # found at 20k examples: a mark on a no-break space, with a dropped character
def test_normalize_maps_every_character_into_the_original(text: str) -> None:
    n = normalize(text)
    assert unicodedata.is_normalized("NFC", n.text)
    assert n.original == text
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
        # the character comes from that span: the span, normalized, holds it
        assert n.text[i] in unicodedata.normalize("NFC", text[a:b].translate(_GLYPHS))
    a, b = n.to_original(0, len(n.text))
    assert 0 <= a <= b <= len(text)
    for i in range(len(n.text) + 1):  # empty spans too
        a, b = n.to_original(i, i)
        assert 0 <= a == b <= len(text)


@FUZZ
@given(plan_texts())
def test_find_citations_spans_are_slices_of_the_text(text: str) -> None:
    norm = normalize(text).text
    found = find_citations(norm)
    assert [c.start for c in found] == sorted(c.start for c in found)
    for c in found:
        assert 0 <= c.start < c.end <= len(norm)
        assert c.text == norm[c.start : c.end]
        context = clause(norm, c.start, c.end, preamble_regions(norm))
        assert isinstance(context, str)


@FUZZ
@given(plan_texts())
def test_analysis_offsets_point_into_the_original(text: str) -> None:
    """The whole pipeline: offsets reported to users are spans of the text as decoded (before normalization)."""
    a = analyze_text("fuzz.txt", text, resolver())
    for r in a.citations:
        assert 0 <= r.start < r.end <= len(text)
        assert r.text == text[r.start : r.end]
    for t in a.tasks:
        assert 0 <= t.start <= t.end <= len(a.normalized.text)


@FUZZ
@given(plan_texts(), st.one_of(st.none(), st.integers(min_value=1990, max_value=2040)))
def test_task_rows_stay_inside_the_text(text: str, year: int | None) -> None:
    norm = normalize(text).text
    tasks = extract_tasks(norm, plan_year=year)
    numbers = [t.number for t in tasks]
    assert len(numbers) == len(set(numbers))  # unique within the file (DESIGN.md contract)
    for t in tasks:
        assert 0 <= t.start <= t.end <= len(norm)
        for a, b in t.line_spans or ():
            assert 0 <= a <= b <= len(norm)
        for a, b in t.basis_spans or ():
            assert 0 <= a <= b <= len(norm)
        assert isinstance(t.content, str) and isinstance(t.recurring, bool)


@FUZZ
@given(timeframe_texts(), st.one_of(st.none(), st.integers(min_value=1, max_value=9999)))
def test_timeframe_parsing_never_fails(text: str, year: int | None) -> None:
    tf = parse_timeframe(text, year)
    assert tf.kind in KINDS_OF_TIMEFRAME
    assert tf.text == " ".join(text.split())
    assert all(isinstance(d, date) for d in tf.deadlines)
    assert tf.due == (max(tf.deadlines) if tf.deadlines else None)
    assert isinstance(tf.recurring, bool)


# --- time linear in the input --------------------------------------------------------------------------------------

SIZE = 1_000_000
BOUND = 10.0  # the bar is 3×; bench/adversarial.py reports the measured ratios
LINEAR_KINDS = [
    "so-runs",  # "số 1/1/1/1/…"
    "digits-slashes",  # "12/34/5678/9/…"
    "deep-numbering",  # "1.1.1.1.…"
    "table-one-row",  # one task row of 1 MB
    "table-wide-row",  # a row of thousands of cells
    "can-cu-clauses",  # "Căn cứ Nghị định số …;" over and over
    "dangling-codes",  # "4020/QĐ-<tab>" on one endless line
    "bo-luat",  # "Bộ luật Bộ luật …"
]


def _seconds(fn, text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return time.perf_counter() - start


def test_adversarial_megabyte_is_linear() -> None:
    """Normalization + citation finding and timeframe parsing on 1 MB of each adversarial kind, task recovery on
    200 KB (its baseline, real task tables, costs ~10 s per MB), each against the same size of real plans in the
    same process: within BOUND×. bench/adversarial.py covers every kind at 1 MB and prints the ratios."""
    steps = {
        "find": (SIZE, lambda t: find_citations(normalize(t).text)),
        "timeframe": (SIZE, lambda t: parse_timeframe(t, 2024)),
        "tasks": (SIZE // 5, lambda t: extract_tasks(normalize(t).text, plan_year=2024)),
    }
    ratios = {}
    for name, (size, fn) in steps.items():
        base = _seconds(fn, normal_text(size))
        for kind in LINEAR_KINDS:
            text = adversarial(kind, size)
            ratios[(name, kind)] = _seconds(fn, text) / base
    print("\n".join(f"{n} {k}: {r:.2f}×" for (n, k), r in sorted(ratios.items())))
    slow = {key: round(r, 2) for key, r in ratios.items() if r > BOUND}
    assert slow == {}


def test_every_adversarial_kind_is_the_right_size() -> None:
    for kind in KINDS:
        assert len(adversarial(kind, 5000)) == 5000, kind


def test_nfd_text_is_mapped_on_arrays_as_the_cluster_loop_maps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """normalize's array path (NFD Latin text) gives exactly the loop's text and offsets."""
    import tthc_kg.normalize as normalize_module

    text = unicodedata.normalize("NFD", normal_text(60_000)).replace("\u200b", "")
    assert normalize_module._latin_map(text.translate(normalize_module._GLYPHS)) is not None  # the array path
    fast = normalize(text)
    monkeypatch.setattr(normalize_module, "_latin_map", lambda _text: None)
    slow = normalize(text)
    assert fast.text == slow.text == unicodedata.normalize("NFC", text.translate(normalize_module._GLYPHS))
    assert list(fast.starts or ()) == list(slow.starts or ()) and list(fast.ends or ()) == list(slow.ends or ())


# "Luật …" names: find._law_match replaces one lazy pattern whose look-ahead was retried at every length of the
# name (quadratic-looking work on text full of "Luật"); it must find exactly what the pattern finds.
_LAW_REFERENCE = re.compile(
    r"(?P<type>B(?<![\w/]B)ộ luật|L(?<![\w/]L)uật)[ \t]{1,3}(?P<name>[A-ZĐ][^;:,.()“”\"]{2,110}?)"
    r"(?=[ \t\r\n]{0,6}(?:ngày|số|năm|đã|được|sửa|hiện hành|và (?:Luật|Bộ luật|các)|;|,|\.|\(|“|$))"
)
LAW_FRAGMENTS = [
    "Luật ",
    "Bộ luật ",
    "Tổ chức ",
    "Đất đai",
    " ngày ",
    " số ",
    "năm",
    ";",
    ",",
    ".",
    "(",
    "“",
    "”",
    ":",
    "\n",
    "  ",
    "\t",
    "và Luật ",
    "và các",
    "hiện hành",
    "A",
    "x",
    "đã",
    "được",
    "sửa",
    "/",
    "L",
]


@FUZZ
@given(st.lists(st.sampled_from(LAW_FRAGMENTS), max_size=40).map("".join))
def test_law_names_are_what_the_reference_pattern_finds(text: str) -> None:
    ends = _law_ends(text)
    for begin in range(len(text)):
        m = _LAW_REFERENCE.match(text, begin)
        assert _law_match(text, begin, ends) == ((m.start(), m.end(), m.group("type")) if m else None)
