"""One place that turns errors into responses: ``{"error": code, "detail": message, ...}``,
and the one model that documents that body for every error status of every operation."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry import errors
from consentry.store.faults import fault_reason, store_fault

logger = logging.getLogger("consentry.web")

STATUS: dict[type[errors.ConsentryError], tuple[int, str]] = {
    errors.UnknownPurpose: (422, "unknown_purpose"),
    errors.InvalidInput: (422, "invalid_input"),
    errors.InvalidAudio: (422, "invalid_audio"),
    errors.PayloadTooLarge: (413, "payload_too_large"),
    errors.RangeNotSatisfiable: (416, "range_not_satisfiable"),
    errors.ImportRejected: (422, "import_rejected"),
    errors.TrackRemoved: (410, "track_removed"),
    errors.NotFound: (404, "not_found"),
    errors.Unauthenticated: (401, "unauthenticated"),
    errors.Forbidden: (403, "forbidden"),
    errors.RateLimited: (429, "rate_limited"),
    errors.DatabaseNotMigrated: (503, "database_not_migrated"),
    errors.StoreFull: (507, "storage_full"),
    errors.StoreReadOnly: (503, "storage_read_only"),
    errors.UnsafeSettings: (500, "unsafe_settings"),
    errors.InvalidSettings: (500, "invalid_settings"),
    errors.SigningFailed: (500, "signing_failed"),
    errors.DeliveryUnavailable: (503, "delivery_unavailable"),
    errors.UnsafeHeader: (422, "invalid_input"),
    errors.WatchFailed: (502, "watch_failed"),
}


class ProblemOut(BaseModel):
    location: str = Field(description="Where the value was: query.offset, body.purpose ...")
    message: str


class ErrorOut(BaseModel):
    """Every error the API answers: a code to branch on, a sentence to show, and sometimes
    more (``valid_purposes``, ``scope``, ``retry_after``, ``max_bytes``, ``size`` ...)."""

    model_config = ConfigDict(extra="allow", title="Error")

    error: str = Field(description="A stable machine code: not_found, forbidden, "
                       "invalid_request, unknown_purpose ...")
    detail: str = Field(description="What went wrong, in a sentence")
    problems: list[ProblemOut] | None = Field(
        None, description="invalid_request only: every value that was refused")


WHY: dict[int, str] = {
    400: "The body could not be read (not UTF-8, or not the declared encoding)",
    401: "No token, or a token that is forged, expired or revoked",
    403: "The token is valid but its role or subject does not reach this",
    404: "No such resource (or none the caller may know of)",
    410: "The track was removed by its artist or an admin (``track_removed``)",
    413: "The upload is larger than CONSENTRY_MAX_UPLOAD_BYTES (``max_bytes``)",
    416: "A byte range that starts past the end of the file (``size``)",
    422: "A parameter or body that is malformed or breaks a rule (``problems`` lists "
         "each refused value when the request did not fit the schema)",
    429: "Too many requests from this client; ``retry_after`` seconds (also Retry-After)",
    503: "A dependency is not ready: the log's signing key, signing a download, or a data "
         "store that is read-only (``storage_read_only``); nothing was stored",
    507: "The disk holding the data is full (``storage_full``); nothing was stored",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route for these error statuses, all in the one body."""
    return {status: {"model": ErrorOut, "description": WHY[status]} for status in statuses}


def error_body(code: str, message: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "detail": message}
    if isinstance(extra, dict):
        body.update(jsonable_encoder(extra))
    return body


def _is_page(request: Request) -> bool:
    """Browsers on the pages get HTML errors; /v1 and other machine routes get JSON."""
    return not request.url.path.startswith(("/v1/", "/static/", "/healthz", "/readyz"))


def _consentry_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.ConsentryError)
    status, code = next(
        (v for cls, v in STATUS.items() if isinstance(error, cls)), (500, "internal_error"))
    if _is_page(request):
        return _page_error(request, status, error.message)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 429 and isinstance(error.detail, dict):
        headers = {"Retry-After": str(error.detail.get("retry_after", 60))}
    if status == 416 and isinstance(error.detail, dict) and "size" in error.detail:
        headers = {"Content-Range": f"bytes */{error.detail['size']}"}
    return JSONResponse(error_body(code, error.message, error.detail), status, headers=headers)


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [
        {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
        for e in error.errors()]
    if _is_page(request):  # /tracks/abc in a browser: no such page, not a JSON error
        in_path = all(e["loc"][:1] == ("path",) for e in error.errors())
        return _page_error(request, 404 if in_path else 422,
                           errors.N_("This page does not exist.") if in_path
                           else errors.N_("The form was not filled in as expected."))
    summary = "; ".join(f"{p['location']}: {p['message']}" for p in problems)
    return JSONResponse(error_body("invalid_request", summary, {"problems": problems}), 422)


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if _is_page(request) and error.status_code == 404:
        return _page_error(request, 404, errors.N_("There is no page at this address."))
    code = {400: "bad_request", 404: "not_found",
            405: "method_not_allowed"}.get(error.status_code, "http_error")
    return JSONResponse(error_body(code, str(error.detail)), error.status_code,
                        headers=getattr(error, "headers", None))


def _unstorable_value(_request: Request, _error: Exception) -> JSONResponse:
    """Input the database cannot hold (an id beyond its integers, a NUL byte in text)."""
    return JSONResponse(error_body(
        "invalid_input", "a value is out of range or cannot be stored (e.g. an id too large)"),
        422)


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=error)
    return JSONResponse(error_body("internal_error", "an unexpected error occurred; it was "
                                   "logged and nothing was changed"), 500)


def answer_uncaught(request: Request, error: Exception) -> Response:
    """A full disk or a read-only store as the 507 or 503 an operator can act on (and a
    warning in the log); anything else as a logged 500."""
    settings = getattr(request.app.state, "settings", None)
    fault = store_fault(error, settings.data_dir if settings else None)
    if fault is None:
        return _unexpected(request, error)
    logger.warning("%s %s: %s (%s)", request.method, request.url.path, fault.message,
                   fault_reason(error))
    try:
        return _consentry_error(request, fault)
    except Exception:  # the page around the message could not be read from the store
        status, code = STATUS[type(fault)]
        return JSONResponse(error_body(code, fault.message), status)


class UncaughtErrors:
    """Answers any exception a route or middleware lets through with an ordinary response.

    Starlette's ServerErrorMiddleware sends its 500 and then re-raises, and uvicorn closes the
    connection of a request whose app raised: each error would cost the client its keep-alive
    connection (and a full disk would answer 500, not 507)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            if started:  # half a response is out: only closing the connection can say so
                raise
            response = await run_in_threadpool(answer_uncaught, Request(scope), error)
            await response(scope, receive, send)


def _page_error(request: Request, status: int, message: str) -> Response:
    from consentry.web.rendering import gettext, render
    from consentry.web.sessions import load_page_context

    if status == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    with request.app.state.engine.begin() as conn:
        context = load_page_context(request, conn)
    headings = {401: errors.N_("Please log in"), 403: errors.N_("Not allowed"),
                404: errors.N_("Not found"), 410: errors.N_("Removed"),
                429: errors.N_("Too many attempts"), 507: errors.N_("Storage full")}
    return render(request, context, "error.html", status,
                  heading=gettext(context, headings.get(status, "Something went wrong")),
                  message=gettext(context, message))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.ConsentryError, _consentry_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # PostgreSQL raises DataError, SQLite's driver OverflowError, on values they cannot bind
    app.add_exception_handler(DataError, _unstorable_value)
    app.add_exception_handler(OverflowError, _unstorable_value)
    app.add_exception_handler(Exception, _unexpected)
