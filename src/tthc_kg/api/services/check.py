"""Check a draft: the citations of a text, each with its status at a date and a message in Vietnamese."""

from __future__ import annotations

from datetime import date

from ...analyze import analyze_text
from ...resolve import Resolver
from ...store import Store
from ..models import CheckOut, CitationCheck
from .status import OUTDATED, DocStatus, evidence_date, registry_table, status_in, successors_out


def check_text(store: Store, resolver: Resolver, text: str, as_of: date) -> CheckOut:
    """The citations of a draft plan, each with its status at ``as_of`` and a message in Vietnamese: the drafter
    sees outdated căn cứ before signing. Offsets are into ``text`` as given."""
    analysis = analyze_text("draft.txt", text, resolver)
    table = registry_table(store)
    out = []
    for r in analysis.citations:
        status = status_in(table, r.iri, as_of) if r.in_registry else DocStatus("unknown", None, None)
        successors = successors_out(table, r.iri, as_of) if r.in_registry else []
        names = [s.symbol or s.iri for s in sorted(successors, key=lambda s: not s.current)]
        c = r.citation
        out.append(
            CitationCheck(
                symbol=str(r.symbol) if r.symbol is not None else None,
                type=c.type,
                date=c.date,
                start=r.start,
                end=r.end,
                text=r.text,
                role=r.role,  # type: ignore[arg-type]
                resolved=r.iri if r.in_registry else None,
                status=status.status,  # type: ignore[arg-type]
                since=status.since,
                successors=names,
                confidence=status.confidence,  # type: ignore[arg-type]
                message=_message(
                    c.type, str(r.symbol) if r.symbol is not None else r.text, status, names, r.in_registry
                ),
            )
        )
    outdated = sum(1 for c in out if c.status in OUTDATED)
    return CheckOut(as_of=as_of, evidence_date=evidence_date(store), count=len(out), outdated=outdated, citations=out)


def _vn_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _message(
    type_word: str | None, name: str, status: DocStatus, successors: list[str], in_registry: bool = False
) -> str:
    """What the drafter should know of one citation, in Vietnamese."""
    label = f"{type_word} {name}" if type_word and not name.lower().startswith(type_word.lower()) else name
    since = f" từ ngày {_vn_date(status.since)}" if status.since else ""
    by = status.event.by_symbol if status.event and status.event.by_symbol else None
    after = ", ".join(successors)
    text = {
        "replaced": f"{label} đã được thay thế{f' bởi {after}' if after else ''}{since}; "
        "cần viện dẫn văn bản thay thế.",
        "repealed": f"{label} đã bị bãi bỏ{since}; không còn là căn cứ pháp lý.",
        "expired": f"{label} đã hết hiệu lực{since}" + (f"; văn bản kế thừa: {after}." if after else "."),
        "partially_repealed": f"{label} đã bị bãi bỏ một phần"
        + (f" ({status.event.scope})" if status.event and status.event.scope else "")
        + f"{since}; phần còn lại vẫn còn hiệu lực.",
        "amended": f"{label} còn hiệu lực, đã được sửa đổi, bổ sung{f' bởi {by}' if by else ''}{since}.",
        "in_force": f"{label} còn hiệu lực.",
        "not_yet_in_force": f"{label} chưa có hiệu lực" + (f" (có hiệu lực{since})." if since else "."),
        "unknown": f"{label} chưa rõ ngày ban hành và ngày có hiệu lực; chưa xác định được hiệu lực tại ngày này."
        if in_registry
        else f"{label} không có trong cơ sở dữ liệu văn bản; chưa xác định được hiệu lực.",
    }[status.status]
    if status.confidence == "unconfirmed":
        text += " (Thông tin này chưa được xác nhận.)"
    return text
