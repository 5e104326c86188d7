"""Usage and compensation statements in the browser: artists see their own tracks' uses and
parts, labels their catalogue's, admins anyone's; each as an HTML table and a CSV download.
Who sees what is decided in consentry.usage.audience, as for the API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.errors import N_, Forbidden, InvalidInput
from consentry.store import parties
from consentry.store.usage import compensation, count_uses, iter_uses, list_uses, names_for
from consentry.timestamps import utcnow
from consentry.usage import (
    COMPENSATION_COLUMNS,
    USE_COLUMNS,
    Compensation,
    CompensationLine,
    Period,
    Pool,
    UsageScope,
    View,
    compensation_lines,
    compensation_row,
    compensation_view,
    csv_chunks,
    parse_period,
    parse_pool,
    use_row,
    uses_scope,
)
from consentry.usage.money import format_minor
from consentry.web.dependencies import Db
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, render
from consentry.web.sessions import PageContext

router = APIRouter()
ROWS_PER_PAGE = 100


@dataclass(frozen=True)
class Subject:
    """Who the statement is for, as the signed-in user may ask."""

    role: Role
    subject_id: int | None
    artist_id: int | None
    rights_holder_id: int | None


def _subject(page: PageContext, request: Request) -> Subject:
    user = require_user(page)
    if user.role is Role.ARTIST:
        return Subject(user.role, user.artist_id, None, None)
    if user.role is Role.RIGHTS_HOLDER:
        return Subject(user.role, user.rights_holder_id, None, None)
    if user.role is not Role.ADMIN:
        raise Forbidden(N_("this page is for artists, labels and admins"))
    return Subject(user.role, None, _number(request, "artist_id"),
                   _number(request, "rights_holder_id"))


def _number(request: Request, name: str) -> int | None:
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput(N_("not a valid choice"))
    return int(text)


def _period(request: Request) -> Period:
    """The period asked for; this month so far when none is."""
    today = utcnow().date()
    first = request.query_params.get("from") or date(today.year, today.month, 1).isoformat()
    last = request.query_params.get("to") or today.isoformat()
    return parse_period(first[:40], last[:40])


def _choices(db: Connection, who: Subject) -> dict[str, Any]:
    """Admins pick an artist or a label; others are shown only themselves."""
    if who.role is not Role.ADMIN:
        return {}
    return {"artists": parties.list_artists(db, limit=1000),
            "holders": parties.list_rights_holders(db, limit=1000)}


def _uses_scope(db: Connection, who: Subject) -> UsageScope:
    scope = uses_scope(who.role, who.subject_id, who.artist_id, who.rights_holder_id)
    if scope.artist_id is not None:
        parties.get_artist(db, scope.artist_id)
    if scope.rights_holder_id is not None:
        parties.get_rights_holder(db, scope.rights_holder_id)
    return scope


def _query(request: Request, **changes: object) -> str:
    values = dict(request.query_params) | {k: str(v) for k, v in changes.items()}
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


@router.get("/usage")
def usage_page(request: Request, page: Page, db: Db) -> Response:
    who = _subject(page, request)
    error, uses, total, period = None, [], 0, None
    try:
        period = _period(request)
        scope = _uses_scope(db, who)
        number = max(1, min(_number(request, "page") or 1, 10**6))
        total = count_uses(db, scope, period)
        uses = list_uses(db, scope, period, ROWS_PER_PAGE, (number - 1) * ROWS_PER_PAGE)
    except InvalidInput as problem:
        error, number = problem.message, 1
    return render(request, page, "usage.html", period=period, uses=uses, total=total,
                  error=error, number=number, pages=max(1, -(-total // ROWS_PER_PAGE)),
                  query=lambda **c: _query(request, **c), who=who,
                  form=request.query_params, **_choices(db, who))


@router.get("/usage.csv")
def usage_csv(request: Request, page: Page, db: Db) -> Response:
    who = _subject(page, request)
    period = _period(request)
    scope = _uses_scope(db, who)
    return _download(request, page, _stream_uses(request.app.state.engine, scope, period),
                     f"usage-{period.first}-{period.last}.csv")


def _stream_uses(engine: Engine, scope: UsageScope, period: Period) -> Iterator[str]:
    """On a connection of its own: the page's transaction ends before the body is sent."""
    with engine.connect() as conn:
        yield from csv_chunks(USE_COLUMNS, (use_row(u) for u in iter_uses(conn, scope, period)))


def _download(request: Request, page: PageContext, chunks: Iterator[str],
              name: str) -> Response:
    return finish(request, page, StreamingResponse(
        chunks, media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@dataclass(frozen=True)
class Shown:
    """A compensation statement as one user may see it."""

    period: Period
    money: Pool
    result: Compensation
    view: View
    lines: list[CompensationLine]
    names: dict[int, str]
    consumer_id: int | None


def _statement(request: Request, db: Connection, who: Subject) -> Shown:
    """The compensation for the pool in the query, as the user may see it."""
    view, subject = compensation_view(who.role, who.subject_id, who.artist_id,
                                      who.rights_holder_id)
    period = _period(request)
    money = parse_pool(request.query_params.get("pool", "")[:40],
                       request.query_params.get("currency", "")[:20])
    consumer_id = _number(request, "consumer_id")
    if consumer_id is not None:
        parties.get_consumer(db, consumer_id)
    if view is View.ARTIST and subject is not None:
        parties.get_artist(db, subject)
    if view is View.RIGHTS_HOLDER and subject is not None:
        parties.get_rights_holder(db, subject)
    result = compensation(request.app.state.engine, money.amount, period, consumer_id)
    titles, names = names_for(db, result, view, subject)
    return Shown(period, money, result, view,
                 compensation_lines(result, view, subject, titles, names), names, consumer_id)


@router.get("/usage/compensation")
def compensation_page(request: Request, page: Page, db: Db) -> Response:
    who = _subject(page, request)
    statement, error = None, None
    if request.query_params.get("pool"):
        try:
            statement = _statement(request, db, who)
        except InvalidInput as problem:
            error = problem.message
    if who.role is Role.ADMIN:
        holders = {h.id: h.name for h in parties.list_rights_holders(db, limit=1000)}
    else:
        holders = {}
    return render(request, page, "usage_compensation.html", who=who, error=error,
                  form=request.query_params, statement=statement, holder_names=holders,
                  consumers=parties.list_consumers(db) if who.role is Role.ADMIN else [],
                  money=lambda amount, currency: format_minor(amount, currency, page.locale),
                  query=lambda **c: _query(request, **c), **_choices(db, who))


@router.get("/usage/compensation.csv")
def compensation_csv(request: Request, page: Page, db: Db) -> Response:
    who = _subject(page, request)
    shown = _statement(request, db, who)
    currency, period = shown.money.currency, shown.period
    rows = (compensation_row(line, currency) for line in shown.lines)
    return _download(request, page, csv_chunks(COMPENSATION_COLUMNS, rows),
                     f"compensation-{currency}-{period.first}-{period.last}.csv")
