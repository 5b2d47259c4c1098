"""Citation finding as a spaCy pipeline component (``tthc_citations``).

Use it in your own pipeline (any language, any tokenizer; the scanner reads the raw text, not the tokens)::

    import spacy
    import tthc_kg.spacy_component  # registers the factory (also found through the spacy_factories entry point)
    from tthc_kg.spacy_component import blank_vi

    nlp = blank_vi()  # spacy.blank("vi") without pyvi
    nlp.add_pipe("tthc_citations")
    doc = nlp("Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ;")
    for span in doc._.citations:
        print(span.text, span.label_, span._.symbol, span._.citation.date)

    from spacy import displacy
    html = displacy.render(doc, style="span", options={"spans_key": "citations"})

Results live in declared extensions and a span group (as scispaCy does with ``doc._.abbreviations``):

- ``doc.spans["citations"]``: one span per citation, labelled with the type word ("Nghị định") or "CITATION";
- ``doc._.citations``: the spans of that group, in order (a getter, so it follows edits to the group);
- ``span._.symbol``: the canonical symbol ("61/2018/NĐ-CP") or None for truncated and name-only references;
- ``span._.citation``: the :class:`tthc_kg.models.Citation` found.

Spans are in ``doc.text`` offsets, also when the text is NFD or carries the legacy glyph "ƣ": the text is
normalized for the scanner and spans are mapped back with :meth:`Normalized.to_original`. The ``Citation``
itself keeps the offsets and text of the *normalized* text, as :func:`tthc_kg.find.find_citations` returns them.
Spans are widened to token boundaries (``alignment_mode="expand"``), so a token "61/2018/NĐ-CP;" gives a span
with the semicolon.

The component has no state and nothing to save: ``nlp.to_disk`` stores only its name. The Doc stays
serializable (``doc.to_bytes``, ``DocBin(store_user_data=True)``, ``nlp.pipe(n_process=2)``): each span keeps its
citation in ``doc.user_data`` as plain data (``span._.tthc_citation``) and ``span._.citation`` rebuilds the
``Citation`` from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from .find import find_citations
from .models import Citation
from .normalize import normalize
from .symbols import Symbol

SPANS_KEY = "citations"
DEFAULT_LABEL = "CITATION"


def _doc_citations(doc: Doc) -> list[Span]:
    group = doc.spans.get(SPANS_KEY)
    return list(group) if group is not None else []


def citation_to_data(citation: Citation) -> dict[str, Any]:
    """A Citation as msgpack-safe data (what ``doc.user_data`` holds)."""
    data: dict[str, Any] = {f.name: getattr(citation, f.name) for f in fields(citation)}
    symbol = citation.symbol
    data["symbol"] = [symbol.number, symbol.year, symbol.code, symbol.party] if symbol is not None else None
    data["date"] = citation.date.isoformat() if citation.date is not None else None
    return data


def citation_from_data(data: dict[str, Any]) -> Citation:
    values = dict(data)
    if values["symbol"] is not None:
        number, year, code, party = values["symbol"]
        values["symbol"] = Symbol(number, year, code, party=party)
    if values["date"] is not None:
        values["date"] = date.fromisoformat(values["date"])
    return Citation(**values)


def _span_citation(span: Span) -> Citation | None:
    data = span._.tthc_citation
    return citation_from_data(data) if data is not None else None


def _register_extensions() -> None:
    if not Doc.has_extension("citations"):
        Doc.set_extension("citations", getter=_doc_citations)
    if not Span.has_extension("symbol"):
        Span.set_extension("symbol", default=None)
    if not Span.has_extension("tthc_citation"):
        Span.set_extension("tthc_citation", default=None)
    if not Span.has_extension("citation"):
        Span.set_extension("citation", getter=_span_citation)


class CitationFinder:
    """Stateless component: sets ``doc.spans["citations"]`` and the span extensions from the citation scanner."""

    def __init__(self, spans_key: str = SPANS_KEY) -> None:
        self.spans_key = spans_key
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        norm = normalize(doc.text)
        spans: list[Span] = []
        for citation in find_citations(norm.text):
            start, end = norm.to_original(citation.start, citation.end)
            label = citation.type or DEFAULT_LABEL
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            span._.tthc_citation = citation_to_data(citation)
            span._.symbol = str(citation.symbol) if citation.symbol is not None else None
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory("tthc_citations")
def make_citation_finder(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """The ``tthc_citations`` factory: ``nlp.add_pipe("tthc_citations")``."""
    return CitationFinder()


def blank_vi() -> Language:
    """``spacy.blank("vi")`` with the whitespace tokenizer, which needs no pyvi (the default requires it)."""
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
