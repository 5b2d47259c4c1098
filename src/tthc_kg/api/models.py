"""Request and response models of the REST API, kept apart from storage.

``api/services/`` builds them from query rows; the routes return them and FastAPI documents them in the OpenAPI
schema. Conventions (DESIGN.md "Contracts"): every key is always present, absent values are ``null``, dates are
ISO ``YYYY-MM-DD``; statuses are "as of" a date, today in Asia/Ho_Chi_Minh unless asked otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

Status = Literal[
    "in_force",
    "amended",
    "partially_repealed",
    "replaced",
    "repealed",
    "expired",
    "not_yet_in_force",
    "unknown",
]
EventKind = Literal["replacement", "amendment", "repeal", "partial_repeal", "expiry", "guidance"]
Role = Literal["basis", "task_basis", "mention"]
Dependency = Literal["basis", "direct", "mention"]
Confidence = Literal["confirmed", "unconfirmed"]

STATUS_HELP = (
    "Status at `as_of`: in_force; amended (in force, amended by an amendment in effect); partially_repealed (in "
    "force, part repealed); replaced, repealed, expired (no longer in force); not_yet_in_force; unknown (not in "
    "the registry: a stub known only from citations; or a registry document whose dates are unknown and no dated "
    "change shows it in force then)."
)


class DocRef(BaseModel):
    """A document named by its IRI and symbol."""

    iri: str = Field(description="The document's IRI (`https://w3id.org/tthc-kg/id/doc/…`).")
    symbol: str | None = Field(description='Canonical symbol ("118/2025/NĐ-CP"), null for a name-only reference.')


class ChangeEventOut(BaseModel):
    """A change between documents, with its own date, scope and source (like legislation.gov.uk "effects")."""

    iri: str = Field(description="The event's IRI.")
    kind: EventKind = Field(description="What the event does to the affected document.")
    affected: DocRef = Field(description="The document changed.")
    by: DocRef | None = Field(description="The document that makes the change; null for an expiry.")
    successors: list[DocRef] = Field(description="Successors the event names (replacement: the replacing document).")
    effective: dt.date | None = Field(description="The date the change takes effect; null when the registry lacks it.")
    in_effect: bool = Field(description="Whether the change is in effect at `as_of` (an undated change counts).")
    scope: str | None = Field(description='The part changed ("khoản 1 Điều 16"), null for the whole document.')
    source: str | None = Field(description="Where the registry found the relation.")
    confidence: Confidence | None = Field(description="The registry's confidence in the relation.")
    note: str | None = Field(description="The registry's note.")


class SuccessorOut(BaseModel):
    """A successor of a document, reached through replacements and lapses that name successors (transitively)."""

    iri: str
    symbol: str | None
    issued: dt.date | None = Field(description="The successor's date of issue.")
    status: Status = Field(description=STATUS_HELP)
    current: bool = Field(description="True when the successor is itself in force at `as_of`.")


class CitationSpan(BaseModel):
    """One citation in a plan's text: offsets into the file's text as decoded (`end` exclusive)."""

    start: int
    end: int
    text: str = Field(description="The cited span as printed.")
    role: Role = Field(description="basis (the preamble), task_basis (inside a task row) or mention.")
    scope: str | None = Field(description='The article reference printed before it ("khoản 8 Điều 40").')
    task: str | None = Field(description="The task number when the citation is inside a task row.")


class PlanCiter(BaseModel):
    """A plan that cites the document, with every citation of it."""

    iri: str = Field(description="The plan's IRI.")
    title: str | None
    symbol: str | None = Field(description="The plan's symbol, null when its number is blank.")
    file: str = Field(description="The source path as given at ingest.")
    roles: list[Role] = Field(description="The roles the document plays in this plan.")
    citations: list[CitationSpan]


class TaskCiter(BaseModel):
    """A task whose own basis or text cites the document."""

    plan: str = Field(description="The plan's IRI.")
    plan_title: str | None
    file: str
    number: str = Field(description='The task number as printed ("I.1", "4").')
    content: str | None
    lead: list[str] = Field(description="Lead agencies (normalized names).")
    timeframe: str | None = Field(description="The timeframe as printed.")
    due: dt.date | None = Field(description="The latest date the timeframe allows.")
    role: Role


class CitersOut(BaseModel):
    plans: list[PlanCiter] = Field(description="Plans citing the document anywhere (preamble, tasks, text).")
    tasks: list[TaskCiter] = Field(description="Tasks citing it in their own basis or text.")


class DocumentOut(BaseModel):
    """A document: what it is, its status at `as_of`, its changes both ways, its successors and who cites it."""

    iri: str
    symbol: str | None
    type: str | None = Field(description='Type word ("Nghị định", "Thông tư", "Kế hoạch", …).')
    title: str | None = Field(description="Trích yếu.")
    issuer: str | None
    issued: dt.date | None = Field(description="Date of the document.")
    effective: dt.date | None = Field(description="First date in force (null when unknown).")
    no_longer_in_force: dt.date | None = Field(description="From the registry's replacement, repeal or expiry events.")
    in_registry: bool = Field(description="False for a stub: a document known only from the citations of plans.")
    is_plan: bool = Field(description="True for one of the ingested plans.")
    file: str | None = Field(description="For an ingested plan, its source path.")
    status_note: str | None = Field(description="The registry's status text, as written there.")
    registry_confidence: Confidence | None = Field(description="The registry's confidence in the metadata.")
    as_of: dt.date
    status: Status = Field(description=STATUS_HELP)
    status_confidence: Confidence | None = Field(description="Confidence of the event (or record) behind `status`.")
    since: dt.date | None = Field(description="Since when the status holds (the event's date, or entry into force).")
    events_in: list[ChangeEventOut] = Field(description="Changes made to this document, oldest first.")
    events_out: list[ChangeEventOut] = Field(description="Changes this document makes to others, oldest first.")
    successors: list[SuccessorOut] = Field(description="Transitive successors, with whether each is current.")
    cited_by: CitersOut
    same_symbol: list[str] = Field(
        description="IRIs of other documents with the same symbol (a yearless symbol is unique per issuer and year"
        " only); pick one with ?iri=."
    )


class FindingOut(BaseModel):
    """One audit finding: the fields of `tthc-kg audit --format jsonl` (docs/cli.md)."""

    plan: str = Field(description="The plan's symbol when it has a number, else its title.")
    file: str = Field(description="The source path as given at ingest.")
    task: str | None = Field(description="The task number, null for a finding about the preamble or text.")
    cited: str = Field(description="The cited document's symbol (its name for a name-only reference).")
    finding: Literal[
        "replaced", "repealed", "expired", "partially_repealed", "amended", "unresolved", "agency_dissolved"
    ]
    since: dt.date | None = Field(description="The effective date of the event.")
    successors: list[str] = Field(description="Symbols of the successors, transitively (replaced, expired).")
    dependency: Dependency | Literal["lead", "coordinator", "issuer"] = Field(
        description="basis (preamble, inherited by every task), direct, or mention; for agency_dissolved: lead, "
        "coordinator (the task's agency) or issuer (the plan's)."
    )
    confidence: Confidence


class AuditOut(BaseModel):
    as_of: dt.date
    evidence_date: str | None = Field(description="When the registry's facts were last checked (statuses as then).")
    plan: str | None = Field(description="The plan's IRI when the audit is limited to one plan.")
    count: int
    findings: list[FindingOut]


class DependencyOut(BaseModel):
    """A superseded document a task depends on (an audit finding about the task)."""

    cited: str
    finding: str
    since: dt.date | None
    successors: list[str]
    dependency: Dependency = Field(description="direct (the task's own basis) or basis (inherited from the preamble).")
    confidence: Confidence


class TaskOut(BaseModel):
    plan: str = Field(description="The plan's IRI.")
    plan_title: str | None
    plan_symbol: str | None
    file: str
    number: str
    section: str | None = Field(description="The group heading the task is under.")
    content: str | None
    lead: list[str]
    coordinators: list[str]
    timeframe: str | None
    due: dt.date | None
    recurring: bool
    depends_on: list[DependencyOut] = Field(
        description="Documents replaced, repealed, expired or partially repealed at `as_of` that the task depends on."
    )


class TasksOut(BaseModel):
    as_of: dt.date
    count: int
    tasks: list[TaskOut]


class PlanOut(BaseModel):
    iri: str
    title: str | None
    symbol: str | None
    date: dt.date | None = Field(description="The plan's reference date (printed date, or first day of its month).")
    file: str
    graph: str = Field(description="The named graph holding the plan (replaced whole on re-ingest).")
    tasks: int


class ImpactTask(BaseModel):
    plan: str = Field(description="The plan's IRI.")
    plan_title: str | None
    file: str
    number: str
    content: str | None
    lead: list[str]
    timeframe: str | None
    due: dt.date | None
    dependency: Dependency = Field(description="direct (cites a changed document) or basis (inherited, ?expand).")
    documents: list[str] = Field(description="The changed documents the task depends on.")


class ImpactPlan(BaseModel):
    iri: str
    title: str | None
    symbol: str | None
    file: str
    dependency: Dependency = Field(description="The strongest: basis (preamble), direct (a task), mention.")
    documents: list[str] = Field(description="The changed documents the plan cites.")


class AgencyImpact(BaseModel):
    agency: str | None = Field(description="The lead agency; null for tasks without one.")
    tasks: list[ImpactTask]


class ImpactOut(BaseModel):
    """What a document touches: the documents it changes, and the plans, tasks and agencies relying on them."""

    document: DocRef
    title: str | None
    as_of: dt.date
    changes: list[ChangeEventOut] = Field(description="The changes it makes (guidance is not a change).")
    plans: list[ImpactPlan]
    tasks: list[ImpactTask]
    agencies: list[AgencyImpact] = Field(description="The tasks grouped by lead agency.")


class CheckIn(BaseModel):
    """A draft plan's text, to check its citations before signing."""

    text: str = Field(max_length=2_000_000, description="The draft's text (plain text, as pasted).")
    as_of: dt.date | None = Field(default=None, description="Statuses at this date (default: today).")


class CitationCheck(BaseModel):
    """A citation of the draft with its status at `as_of` and a message for the drafter."""

    symbol: str | None
    type: str | None
    date: dt.date | None = Field(description="The cited document's date as printed.")
    start: int = Field(description="Offset into the submitted text.")
    end: int
    text: str
    role: Role
    resolved: str | None = Field(description="The registry IRI of the document, null when not in the registry.")
    status: Status = Field(description=STATUS_HELP)
    since: dt.date | None
    successors: list[str] = Field(description="Transitive successors (symbols), current ones first.")
    confidence: Confidence | None
    message: str = Field(description="What the drafter should know, in Vietnamese.")


class CheckOut(BaseModel):
    as_of: dt.date
    evidence_date: str | None
    count: int
    outdated: int = Field(description="Citations of documents replaced, repealed, expired or partially repealed.")
    citations: list[CitationCheck]


class SearchHit(BaseModel):
    kind: Literal["document", "task"]
    symbol: str | None = Field(description="The document's symbol (null for a task).")
    task: str | None = Field(description="The task number.")
    title: str | None = Field(description="The document's title or the task's content.")
    status: Status | None = Field(description="The document's status today; null for a task.")
    score: float = Field(description="1 exact symbol, 0.8 in a symbol, 0.6 in a title, 0.4 in a task's content.")
    iri: str
    plan: str | None = Field(description="The plan's IRI (of a task, or of a document that is a plan).")
    file: str | None


class SearchOut(BaseModel):
    q: str
    count: int
    results: list[SearchHit]


# --- query parameters shared by the routes ------------------------------------------------------------------


def __getattr__(name: str) -> object:
    # AsOfQuery is built on first use so that importing the models (the services do) does not import FastAPI.
    if name == "AsOfQuery":
        from fastapi import Query

        return Annotated[
            dt.date | None,
            Query(description="Statuses at this date, YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)."),
        ]
    raise AttributeError(name)
