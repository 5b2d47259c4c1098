"""Who may write: the write token, checked on every route that changes the store or the registry.

A route that writes declares the dependency::

    from ..security import WriteTokenDep

    @router.post("/api/ingest", dependencies=[WriteTokenDep])      # or a parameter ``_: WriteToken``

The server's token is the ``write_token`` setting (``TTHC_KG_WRITE_TOKEN``). The client sends it as
``Authorization: Bearer <token>`` (or ``X-TTHC-Token: <token>``, for clients that cannot set Authorization).

- No token configured on the server: every write route answers **403** "write operations are disabled …" — a
  server is read-only unless its operator opts in.
- No token in the request: **401** with ``WWW-Authenticate: Bearer``.
- A wrong token: **403**. The comparison is ``hmac.compare_digest`` of the SHA-256 digests of the header's bytes
  as sent and of the setting in UTF-8 (constant time in content and length; ``compare_digest`` on ``str`` would
  raise on non-ASCII input, a 500).

Nothing about the configured token (its length, a prefix) appears in any answer or log line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-TTHC-Token"
DISABLED = "write operations are disabled on this server: its operator has not set a write token (TTHC_KG_WRITE_TOKEN)"
MISSING = "this operation needs the write token: send 'Authorization: Bearer <token>'"
WRONG = "the write token is not valid"

# auto_error=False: a missing header is ours to answer (401 with our message), and OpenAPI shows the scheme.
_bearer = HTTPBearer(auto_error=False, description="The server's write token (setting TTHC_KG_WRITE_TOKEN).")


def configured_token(request: Request) -> str | None:
    secret = getattr(request.app.state.settings, "write_token", None)
    if secret is None:
        return None
    value = secret.get_secret_value() if hasattr(secret, "get_secret_value") else str(secret)
    return value or None


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison (in the content of the tokens) of the header's token and the configured one.

    HTTP header values arrive as bytes that Starlette decodes as Latin-1, so ``given`` is turned back into those
    bytes; the setting is UTF-8. A non-ASCII token thus matches when the client sends it in UTF-8."""
    try:
        raw = given.encode("latin-1")
    except UnicodeEncodeError:  # not from a header: compare its UTF-8 form
        raw = given.encode("utf-8", "surrogatepass")
    # SHA-256 first: both sides have the same length, so not even the token's length shows in the timing
    given_digest = hashlib.sha256(raw).digest()
    expected_digest = hashlib.sha256(expected.encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(given_digest, expected_digest)


async def require_write_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> None:
    """The dependency of every writing route: 403 when writes are disabled, 401 without a token, 403 when wrong."""
    expected = configured_token(request)
    if expected is None:
        raise HTTPException(status_code=403, detail=DISABLED)
    given = credentials.credentials if credentials is not None else request.headers.get(TOKEN_HEADER)
    if not given:
        raise HTTPException(status_code=401, detail=MISSING, headers={"WWW-Authenticate": "Bearer"})
    if not token_matches(given, expected):
        client = request.client.host if request.client else "?"
        log.warning("write refused: wrong token from %s for %s %r", client, request.method, request.url.path)
        raise HTTPException(status_code=403, detail=WRONG)


WriteToken = Annotated[None, Depends(require_write_token)]
WriteTokenDep = Depends(require_write_token)
