"""The verification service: three HTML routes on Starlette, served by uvicorn.

    /            what this service is (scan a slip's QR)
    /c/<CODE>    a certificate's address, as its QR carries it (printing.document_claims)
    /r/<CODE>    a receipt's

Every request first passes a token bucket for its client address (429 page when spent).
A malformed address is a 404 page, an unreachable store a 503 page that says the document
is not in question, any bug a 500 page: never a traceback. The log names the kind and the
verdict of a check, never its code or facts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from kiosk.store.errors import StoreUnavailable
from kiosk.store.printed_documents import Verdict
from kiosk.verify.limits import RateLimiter
from kiosk.verify.pages import HEADERS, document_page, language_of, message_page
from printing.document_claims import DocumentClaim, claim_from_query

__all__ = ["create_app"]

log = logging.getLogger(__name__)

Checker = Callable[[DocumentClaim], Verdict]


def _language(request: Request) -> str:
    return language_of(request.query_params.get("lang"), request.headers.get("accept-language", ""))


def _message(request: Request, key: str, status: int) -> HTMLResponse:
    page = message_page(f"verify.{key}", f"verify.{key}_detail", _language(request))
    return HTMLResponse(page, status_code=status, headers=HEADERS)


class RateLimit:
    """ASGI middleware: the client's bucket before anything else runs."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        if self.limiter.allow(address):
            await self.app(scope, receive, send)
            return
        response = _message(Request(scope), "too_many", 429)
        response.headers["Retry-After"] = str(self.limiter.retry_after())
        await response(scope, receive, send)


def create_app(check: Checker, limiter: RateLimiter) -> Starlette:
    """The service for `check` (kiosk.verify.store.DocumentChecker.check, or a test's)."""

    def home(request: Request) -> Response:
        return _message(request, "home", 200)

    def document(request: Request) -> Response:
        kind = request.url.path.strip("/").split("/")[0]
        try:
            claim = claim_from_query(kind, request.path_params["code"], request.query_params)
        except ValueError:
            return _message(request, "not_found_page", 404)
        try:
            verdict = check(claim)
        except StoreUnavailable as error:
            log.warning("verify: store unavailable: %s", error.operator_message)
            return _message(request, "store_down", 503)
        outcome = "genuine" if verdict.genuine else "altered" if verdict.found else "unknown"
        log.info("verify: %s %s", claim.kind, outcome)
        query = {k: v for k, v in request.query_params.items() if k != "lang"}
        page = document_page(claim, verdict, _language(request), query)
        return HTMLResponse(page, headers=HEADERS)

    async def not_found(request: Request, error: Any) -> Response:
        status = getattr(error, "status_code", 404)
        return _message(request, "not_found_page", status if status in (404, 405) else 404)

    async def failed(request: Request, error: Any) -> Response:
        log.error("verify: unexpected %s", type(error).__name__, exc_info=error)
        return _message(request, "error", 500)

    return Starlette(
        debug=False,
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/c/{code}", document, methods=["GET"]),
            Route("/r/{code}", document, methods=["GET"]),
        ],
        middleware=[Middleware(RateLimit, limiter=limiter)],
        exception_handlers={HTTPException: not_found, 500: failed},
    )
