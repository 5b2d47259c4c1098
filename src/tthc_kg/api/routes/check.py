"""POST /api/check: a draft plan's text in, its citations out, each with its status — before signing."""

from __future__ import annotations

from fastapi import APIRouter

from ... import queries
from .. import services
from ..deps import ResolverDep, StoreDep
from ..models import CheckIn, CheckOut

router = APIRouter(prefix="/api/check", tags=["check"])


@router.post("", response_model=CheckOut, summary="Check the citations of a draft")
def post_check(body: CheckIn, store: StoreDep, resolver: ResolverDep) -> CheckOut:
    """Finds every citation in the draft (as `tthc-kg extract` does), resolves it against the registry and gives its
    status at `as_of` (default today), its successors and a message in Vietnamese, so the drafter sees outdated
    căn cứ before signing. Nothing is stored."""
    return services.check_text(store, resolver, body.text, body.as_of or queries.today())
