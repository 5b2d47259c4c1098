"""The spaCy component ``tthc_citations`` (src/tthc_kg/spacy_component.py) on a real "Căn cứ" paragraph of seed 000.

The paragraph cites six Nghị định, one of them cut by a line break inside its code ("61/2018/NĐ-\\n\\nCP"), so the
span text is compared to the symbol with whitespace removed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from spacy import displacy
from spacy.tokens import Doc

import tthc_kg.spacy_component  # noqa: F401  (registers the factory)
from tthc_kg.find import find_citations
from tthc_kg.normalize import normalize
from tthc_kg.spacy_component import blank_vi

PLAN = Path(__file__).resolve().parents[1] / "data" / "plans" / "000_55cb210ba3ed66e0.txt"
EXPECTED = [
    "20/2008/NĐ-CP",
    "63/2010/NĐ-CP",
    "92/2017/NĐ-CP",
    "61/2018/NĐ-CP",
    "45/2020/NĐ-CP",
    "107/2021/NĐ-CP",
    "61/2018/NĐ-CP",
]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def paragraph() -> str:
    """The first "Căn cứ" paragraph: from the first "Căn cứ" up to the next."""
    text = PLAN.read_text(encoding="utf-8")
    first = text.index("Căn cứ")
    return text[first : text.index("Căn cứ", first + 1)]


@pytest.fixture(scope="module")
def nlp():
    nlp = blank_vi()
    nlp.add_pipe("tthc_citations")
    return nlp


def test_blank_vi_needs_no_pyvi(nlp) -> None:
    assert nlp.config["nlp"]["tokenizer"]["use_pyvi"] is False
    assert nlp.pipe_names == ["tthc_citations"]


def test_symbols_equal_find_citations(nlp, paragraph: str) -> None:
    doc = nlp(paragraph)
    found = [str(c.symbol) if c.symbol else None for c in find_citations(normalize(paragraph).text)]
    symbols = [span._.symbol for span in doc._.citations]
    assert symbols == found == EXPECTED
    assert list(doc.spans["citations"]) == doc._.citations
    for span in doc._.citations:
        assert span._.symbol in _squeeze(span.text)
        assert span.label_ == "Nghị định"
        assert str(span._.citation.symbol) == span._.symbol
    assert doc._.citations[-1].text == "Nghị định số 61/2018/NĐ-CP"


def test_nfd_input_maps_back(nlp, paragraph: str) -> None:
    nfd = unicodedata.normalize("NFD", paragraph)
    assert nfd != paragraph
    doc = nlp(nfd)
    assert doc.text == nfd
    assert [span._.symbol for span in doc._.citations] == EXPECTED
    last = doc._.citations[-1]
    assert last.text == nfd[last.start_char : last.end_char]
    assert last.text == unicodedata.normalize("NFD", "Nghị định số 61/2018/NĐ-CP")
    for span in doc._.citations:
        assert span._.symbol in _squeeze(span.text)


def test_legacy_glyph(nlp) -> None:
    """Seed 002's fonts print "ư" as "ƣ": the span keeps the doc's glyph, the Citation has the normalized text."""
    doc = nlp("Căn cứ Luật Tổ chức chính quyền địa phƣơng; Nghị định số 61/2018/NĐ-CP của Chính phủ")
    law, decree = doc._.citations
    assert law.text == "Luật Tổ chức chính quyền địa phƣơng;"  # expanded to the token "phƣơng;"
    assert law._.citation.text == "Luật Tổ chức chính quyền địa phương"
    assert law._.symbol is None and law.label_ == "Luật"
    assert decree._.symbol == "61/2018/NĐ-CP"


def test_displacy_span_rendering(nlp, paragraph: str) -> None:
    doc = nlp(paragraph)
    html = displacy.render(doc, style="span", options={"spans_key": "citations"}, jupyter=False)
    assert "107/2021/NĐ-CP" in html
    assert "Nghị định" in html


def test_doc_round_trip(nlp, paragraph: str) -> None:
    doc = nlp(paragraph)
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [span._.symbol for span in again._.citations] == EXPECTED
    assert [span._.citation for span in again._.citations] == [span._.citation for span in doc._.citations]


def test_no_citation() -> None:
    nlp = blank_vi()
    nlp.add_pipe("tthc_citations")
    doc = nlp("Không có văn bản nào được trích dẫn ở đây.")
    assert doc._.citations == []
    assert len(doc.spans["citations"]) == 0
