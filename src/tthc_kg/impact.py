"""What a document changes, and everything that depends on it: ``tthc-kg impact SYMBOL [--what-if CHANGE.yaml]``.

For each change the document makes (replacement, amendment, repeal, partial repeal, expiry; not guidance), every
citation of the changed document in the store becomes a row: the plan, the task (a task's own basis or text:
"direct"; the plan's preamble: "basis", once with ``task`` null, or once per task of the plan with ``expand``;
elsewhere: "mention"), the task's lead agencies and due date, and what changes for it: the successor to cite for a
replacement, whether the clause the plan cites lies in the repealed or amended part (``clauses.clause_check``),
and the status the cited document had on the plan's own date (point in time).

Rows carry the audit's fields (DESIGN.md "Contracts") and then ``lead``, ``due``, ``scope``, ``clause``,
``clause_check``, ``at_signing`` and ``change`` (docs/cli.md). Statuses and successors come from the registry
table (``api/services/status.py``) of the store, or of a what-if overlay: the registry with a proposed change
applied, compiled to RDF into an in-memory store (``overlay_table``), never written to the store or the registry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .audit import FIELDS as AUDIT_FIELDS
from .clauses import clause_check
from .registry import Registry
from .store import Store

FIELDS = (*AUDIT_FIELDS, "lead", "due", "scope", "clause", "clause_check", "at_signing", "change")
HEADERS_VI = {
    "lead": "Đơn vị chủ trì",
    "due": "Hạn",
    "scope": "Phần thay đổi",
    "clause": "Điều khoản được viện dẫn",
    "clause_check": "Đối chiếu điều khoản",
    "at_signing": "Tình trạng khi ký",
    "change": "Cần cập nhật",
}
FINDING = {
    "replacement": "replaced",
    "repeal": "repealed",
    "expiry": "expired",
    "partial_repeal": "partially_repealed",
    "amendment": "amended",
}
_DEPENDENCY = {"basis": "basis", "task_basis": "direct", "mention": "mention"}
_RANK = {"basis": 0, "direct": 1, "mention": 2}


class ImpactError(ValueError):
    pass


@dataclass
class ImpactRow:
    plan: str
    file: str
    task: str | None
    cited: str
    finding: str
    since: str | None
    successors: list[str]
    dependency: str
    confidence: str
    lead: list[str]
    due: str | None
    scope: str | None  # the part changed (the event's scope)
    clause: str | None  # the part the plan cites ("khoản 1 Điều 16"), as printed
    clause_check: str | None  # inside | overlaps | outside | None (clauses.clause_check)
    at_signing: str | None  # the cited document's status on the plan's date
    change: str  # what to update, in Vietnamese
    plan_date: PlanDate | None = field(default=None, repr=False)
    in_effect: bool = field(default=True, repr=False)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: d[k] for k in FIELDS}


@dataclass
class Impact:
    symbol: str
    doc: str
    title: str | None
    as_of: date
    what_if: bool
    changes: list[Any]  # status.Event
    rows: list[ImpactRow]

    def by_agency(self) -> list[tuple[str | None, list[ImpactRow]]]:
        """Rows grouped by lead agency (a task with two leads under both); plan-level rows under None, last."""
        groups: dict[str | None, list[ImpactRow]] = defaultdict(list)
        for r in self.rows:
            for lead in r.lead or [None]:
                groups[lead].append(r)
        return sorted(groups.items(), key=lambda kv: (kv[0] is None, -len(kv[1]), kv[0] or ""))


# --- the registry table: the store's, or an overlay ---------------------------------------------------------------


def overlay_table(reg: Registry) -> Any:
    """The registry table of ``reg`` (a registry with a what-if applied), compiled to RDF in an in-memory store."""
    from . import iri
    from .api.services.status import registry_table
    from .registry_rdf import compile_registry

    mem = Store.in_memory()
    mem.replace_graph(iri.REGISTRY_GRAPH, compile_registry(reg))
    return registry_table(mem)


def find_document(table: Any, symbol: str) -> Any:
    """The registry document with this symbol (canonical form), or None."""
    from .api.services.documents import canonical_symbol

    wanted = canonical_symbol(symbol)
    found = [d for d in table.docs.values() if d.symbol == wanted]
    return found[0] if found else None


# --- rows ---------------------------------------------------------------------------------------------------------


def _vn(d: date | str | None) -> str:
    if d is None:
        return ""
    value = date.fromisoformat(d) if isinstance(d, str) else d
    return value.strftime("%d/%m/%Y")


def change_text(
    finding: str,
    cited: str,
    since: date | None,
    successors: list[str],
    scope: str | None,
    clause: str | None,
    check: str | None,
    by: str | None,
    in_effect: bool,
    as_of: date,
    confidence: str | None,
) -> str:
    """What the office must update for one row, in Vietnamese."""
    when = f" từ ngày {_vn(since)}" if since else ""
    part = f" ({scope})" if scope else ""
    after = ", ".join(successors) or by or ""
    if finding == "replaced":
        text = f"{cited} được thay thế{f' bởi {after}' if after else ''}{when}: viện dẫn {after or 'văn bản thay thế'}."
    elif finding == "repealed":
        text = f"{cited} bị bãi bỏ{when}: bỏ căn cứ này."
    elif finding == "expired":
        text = f"{cited} hết hiệu lực{when}" + (f"; văn bản kế thừa: {after}." if after else ": bỏ hoặc thay căn cứ.")
    else:
        verb = "bị bãi bỏ" if finding == "partially_repealed" else f"được sửa đổi, bổ sung{f' bởi {by}' if by else ''}"
        if check == "inside":
            text = f"{clause} của {cited} được viện dẫn {verb}{part}{when}: " + (
                "bỏ hoặc thay căn cứ này." if finding == "partially_repealed" else "đối chiếu nội dung mới."
            )
        elif check == "overlaps":
            text = f"Phần{part} trong {clause} được viện dẫn {verb}{when}: rà soát nội dung dựa vào phần này."
        elif check == "outside":
            text = f"{clause} được viện dẫn nằm ngoài phần {verb}{part}: không cần cập nhật."
        else:
            rest = "; phần còn lại còn hiệu lực" if finding == "partially_repealed" else ""
            text = f"{cited} {verb}{part}{when}{rest}: kiểm tra nhiệm vụ có dựa vào phần này không."
    if not in_effect:
        text += f" (Chưa có hiệu lực vào ngày {_vn(as_of)}.)"
    if confidence == "unconfirmed":
        text += " (Quan hệ này chưa được xác nhận.)"
    return text


@dataclass(frozen=True)
class PlanDate:
    """When a plan was signed, as precisely as it prints it: a day, or only a month or a year (a draft's blank day)."""

    start: date  # the earliest day it can be (the reference date of the audit)
    end: date  # the latest
    label: str  # "2024-01-05", "2025-08" or "2024"


def plan_dates(store: Store) -> dict[str, PlanDate]:
    """Each plan's date by file (queries/plan-dates.rq)."""
    import calendar
    import re

    from .api.services.rows import rows

    out: dict[str, PlanDate] = {}
    for r in rows(store, "plan-dates"):
        if r["issued"]:
            d = date.fromisoformat(r["issued"])
            out[r["file"]] = PlanDate(d, d, d.isoformat())
        elif r["referenceDate"]:
            d = date.fromisoformat(r["referenceDate"])
            month = re.search(r"tháng\s+(\d{1,2})", r["dateText"] or "")
            if month and int(month.group(1)) == d.month:
                last = calendar.monthrange(d.year, d.month)[1]
                out[r["file"]] = PlanDate(d, d.replace(day=last), f"{d.year}-{d.month:02d}")
            else:
                out[r["file"]] = PlanDate(d, date(d.year, 12, 31), str(d.year))
    return out


def signing_note(
    finding: str, since: str | None, signed: PlanDate | str | None, as_of: date | None = None, lang: str = "en"
) -> str | None:
    """Point in time, for an out-of-force finding: "valid when the plan was signed, out of force since …" or
    "already out of force when signed"; for a partial repeal or an amendment, "in force as signed, changed since …".
    A plan dated only by its month or year is "… within the plan's date" when the change falls inside that period.
    ``lang="vi"``: the same in Vietnamese, dates as dd/mm/yyyy (the web pages)."""
    if not signed or not since:
        return None
    if isinstance(signed, str):
        day = date.fromisoformat(signed)
        signed = PlanDate(day, day, signed)
    when = date.fromisoformat(since)
    ending = finding in ("replaced", "repealed", "expired")
    future = as_of is not None and when > as_of
    if lang == "vi":
        return _signing_note_vi(ending, when, signed, future)
    if when <= signed.start:
        return f"already {'out of force' if ending else 'changed'} when signed ({signed.label})"
    if when <= signed.end:
        return f"{'out of force' if ending else 'changed'} from {since}, within the plan's date ({signed.label})"
    if ending:
        return f"valid when signed ({signed.label}), out of force {'from' if future else 'since'} {since}"
    return f"in force as signed ({signed.label}), changed {'from' if future else 'since'} {since}"


# the audit findings about a change to a cited document (not an unresolved citation nor a dissolved agency)
CHANGE_FINDINGS = ("replaced", "repealed", "expired", "partially_repealed", "amended")


def signing_notes(
    rows: Iterable[Mapping[str, Any]], dates: Mapping[str, PlanDate], as_of: date | None, lang: str = "en"
) -> list[str]:
    """``signing_note`` for each audit row (its ``finding``, ``since`` and ``file``; ``dates``: ``plan_dates``):
    the point in time of ``tthc-kg audit``'s table (``lang="en"``) and of the web page /ra-soat (``lang="vi"``).
    Empty when a date is unknown, and for unresolved citations and agencies."""
    out = []
    for r in rows:
        note = None
        if r["finding"] in CHANGE_FINDINGS:
            note = signing_note(r["finding"], r.get("since"), dates.get(r["file"]), as_of, lang=lang)
        out.append(note or "")
    return out


def _signing_note_vi(ending: bool, when: date, signed: PlanDate, future: bool) -> str:
    label = "/".join(reversed(signed.label.split("-")))  # "2025-08" → "08/2025"
    since = _vn(when)
    state = "hết hiệu lực" if ending else "được sửa đổi hoặc bãi bỏ một phần"
    if when <= signed.start:
        return f"Đã {state} khi ký kế hoạch ({label})."
    if when <= signed.end:
        return f"{state.capitalize()} từ {since}, trong thời gian ký kế hoạch ({label})."
    if ending:
        return f"Còn hiệu lực khi ký ({label}); {'sẽ ' if future else ''}hết hiệu lực từ {since}."
    return f"Khi ký ({label}) chưa thay đổi; {'sẽ ' if future else ''}thay đổi từ {since}."


def impact(
    store: Store,
    symbol: str,
    as_of: date,
    table: Any = None,
    expand: bool = False,
    what_if: bool = False,
) -> Impact:
    """Every plan and task touched by the changes ``symbol`` makes (module docstring); ImpactError if unknown."""
    from .api.services.plan_lookup import plans
    from .api.services.rows import natural, rows
    from .api.services.status import _successors, registry_table, status_in
    from .api.services.task_filter import task_list

    table = table if table is not None else registry_table(store)
    doc = find_document(table, symbol)
    if doc is None:
        where = "the registry with the what-if applied" if what_if else "the registry of the store"
        raise ImpactError(f"no document {symbol!r} in {where} (see 'tthc-kg query registry-documents')")
    changes = [e for e in table.events_out.get(doc.iri, []) if e.kind in FINDING]
    plan_info = {p.iri: p for p in plans(store)}
    signed = plan_dates(store)
    tasks_by_plan: dict[str, list[Any]] = defaultdict(list)
    task_info: dict[tuple[str, str], Any] = {}
    for t in task_list(store, "*", None, None):
        tasks_by_plan[t.plan].append(t)
        task_info[(t.plan, t.number)] = t

    found: dict[tuple[Any, ...], ImpactRow] = {}
    for e in changes:
        cited_label = table.docs[e.affected].symbol if e.affected in table.docs else (e.affected_symbol or e.affected)
        finding = FINDING[e.kind]
        successors = (
            [table.docs[s].symbol if s in table.docs else s for s in _successors(table, e.affected)]
            if finding in ("replaced", "expired")
            else []
        )
        for c in rows(store, "document-citers", doc=e.affected):
            plan = plan_info.get(c["plan"])
            plan_date = signed.get(c["file"])
            dependency = _DEPENDENCY[c["role"]]
            targets: list[Any] = [task_info.get((c["plan"], c["taskNumber"])) if dependency == "direct" else None]
            if dependency == "basis" and expand and tasks_by_plan.get(c["plan"]):
                targets = tasks_by_plan[c["plan"]]
            at_signing = status_in(table, e.affected, plan.date).status if plan and plan.date else None
            for t in targets:
                number = t.number if t is not None else (c["taskNumber"] if dependency == "direct" else None)
                # one row per cited clause: "Điều 16" and "khoản 1 Điều 9" of the same decree are judged apart
                key = (c["plan"], number, e.affected, finding, e.effective, e.scope, dependency, c["scope"])
                check = clause_check(c["scope"], e.scope)
                if key in found:
                    continue
                row = ImpactRow(
                    plan=(plan.symbol or plan.title or c["plan"]) if plan else c["plan"],
                    file=c["file"],
                    task=number,
                    cited=cited_label,
                    finding=finding,
                    since=e.effective.isoformat() if e.effective else None,
                    successors=successors,
                    dependency=dependency,
                    confidence=e.confidence or "unconfirmed",
                    lead=list(t.lead) if t is not None else [],
                    due=t.due.isoformat() if t is not None and t.due else None,
                    scope=e.scope,
                    clause=c["scope"],
                    clause_check=check,
                    at_signing=at_signing,
                    change="",
                    plan_date=plan_date,
                    in_effect=e.in_effect(as_of),
                )
                row.change = _change(row, e, as_of, doc.symbol)
                found[key] = row
    out = _drop_weaker_mentions(list(found.values()))
    out.sort(
        key=lambda r: (
            r.file,
            natural(r.task) if r.task else (),
            _RANK[r.dependency],
            r.cited,
            r.finding,
            r.clause or "",
        )
    )
    return Impact(doc.symbol, doc.iri, doc.title, as_of, what_if, changes, out)


def _change(row: ImpactRow, e: Any, as_of: date, by: str) -> str:
    return change_text(
        row.finding,
        row.cited,
        e.effective,
        row.successors,
        row.scope,
        row.clause,
        row.clause_check,
        by,
        row.in_effect,
        as_of,
        row.confidence,
    )


def _drop_weaker_mentions(found: list[ImpactRow]) -> list[ImpactRow]:
    """A document in a plan's preamble is not reported again as a mention of the same plan (as the audit), unless
    the mention names a clause: then it says which part of the document the plan relies on."""
    basis = {(r.file, r.cited, r.finding) for r in found if r.dependency == "basis"}
    return [
        r
        for r in found
        if r.dependency != "mention" or r.clause is not None or (r.file, r.cited, r.finding) not in basis
    ]
