"""Usage and compensation statements over HTTP: JSON a page at a time, or the whole statement
as streamed CSV. Who sees what is decided in consentry.usage.audience."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from consentry.access import Principal, Role
from consentry.store.paging import Page
from consentry.store.usage import (
    check_parties,
    compensation,
    count_uses,
    iter_uses,
    list_uses,
    names_for,
)
from consentry.usage import (
    COMPENSATION_COLUMNS,
    USE_COLUMNS,
    CompensationLine,
    Period,
    UsageScope,
    Use,
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
from consentry.web.api.listing import Listed
from consentry.web.dependencies import Db, Who, get_engine, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/usage", tags=["usage"], responses=error_responses(403, 404))
# Compensation is shared among artists and labels; admins see every line
Payee = Annotated[Principal, principal_in(Role.ARTIST, Role.RIGHTS_HOLDER, Role.ADMIN)]
# JSON a page at a time, or (format=csv) the whole statement
OR_CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {
    "schema": {"type": "string"}}}}}
UNIT = "one track in one dataset snapshot taken in the period"

From = Annotated[str, Query(alias="from", description="First day, YYYY-MM-DD (UTC)")]
To = Annotated[str, Query(description="Last day, included, YYYY-MM-DD (UTC)")]
Format = Annotated[Literal["json", "csv"], Query()]


class UseOut(BaseModel):
    snapshot_id: int
    taken_at: datetime = Field(description="When the snapshot was taken: the instant of use")
    decided_at: datetime = Field(description="The instant its eligibility was decided at")
    consumer_id: int | None
    consumer: str | None
    purpose: str
    track_id: int
    track: str

    @classmethod
    def of(cls, use: Use) -> UseOut:
        return cls(snapshot_id=use.snapshot_id, taken_at=use.taken_at,
                   decided_at=use.decided_at, consumer_id=use.consumer_id,
                   consumer=use.consumer_name, purpose=use.purpose, track_id=use.track_id,
                   track=use.track_title)


class UsesOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    artist_id: int | None
    rights_holder_id: int | None
    consumer_id: int | None
    total: int = Field(description="Uses in the period, on every page")
    limit: int
    offset: int
    uses: list[UseOut]


class LineOut(BaseModel):
    track_id: int
    track: str
    units: int
    track_amount: int = Field(description="The track's whole amount, minor units")
    artist_id: int | None
    artist: str | None
    basis_points: int | None
    amount: int = Field(description="This line's amount, minor units")

    @classmethod
    def of(cls, line: CompensationLine) -> LineOut:
        return cls(track_id=line.track_id, track=line.track_title, units=line.units,
                   track_amount=line.track_amount, artist_id=line.artist_id,
                   artist=line.artist_name, basis_points=line.basis_points, amount=line.amount)


class CompensationOut(BaseModel):
    pool: int = Field(description="Minor units of the currency (cents for EUR)")
    currency: str
    from_: date = Field(alias="from")
    to: date
    consumer_id: int | None = Field(description="The pool pays for this consumer's uses only")
    unit: str
    total_units: int
    undistributed: int = Field(description="The whole pool if the period had no uses, else 0")
    view: View
    subject_id: int | None
    total: int = Field(description="The sum of the lines shown")
    lines: list[LineOut]
    artist_totals: dict[int, int] | None = Field(None, description="Admins' view only")
    rights_holder_totals: dict[int, int] | None = Field(None, description="Admins' view only")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _stream_uses(engine: Engine, scope: UsageScope, period: Period) -> Iterator[str]:
    """On a connection of its own: the request's transaction has ended by the time a
    streamed body is sent."""
    with engine.connect() as conn:
        yield from csv_chunks(USE_COLUMNS, (use_row(u) for u in iter_uses(conn, scope, period)))


@router.get("/uses", response_model=UsesOut, response_model_by_alias=True, responses=OR_CSV)
def uses(
    db: Db, who: Who, engine: Annotated[Engine, Depends(get_engine)], from_: From, to: To,
    listing: Listed, artist_id: int | None = None, rights_holder_id: int | None = None,
    consumer_id: int | None = None, format: Format = "json",
) -> UsesOut | StreamingResponse:
    """Every AI use in the period: one track in one dataset snapshot, with the consumer, the
    purpose and when. Artists see their own tracks, labels their catalogue, consumers their
    own snapshots, admins anyone's (or, asking for nobody, everyone's)."""
    period = parse_period(from_, to)
    scope = uses_scope(who.role, who.subject_id, artist_id, rights_holder_id, consumer_id)
    check_parties(db, scope)
    if format == "csv":
        return StreamingResponse(_stream_uses(engine, scope, period), media_type="text/csv",
                                 headers=_attachment(f"usage-{period.first}-{period.last}.csv"))
    window, total = listing.window, count_uses(db, scope, period)
    found = listing.answer(Page(list_uses(db, scope, period, window.limit, window.offset),
                                total, window))
    return UsesOut.model_validate({
        "from": period.first, "to": period.last, "artist_id": scope.artist_id,
        "rights_holder_id": scope.rights_holder_id, "consumer_id": scope.consumer_id,
        "total": total, "limit": window.limit, "offset": window.offset,
        "uses": [UseOut.of(u) for u in found]})


@router.get("/compensation", response_model=CompensationOut, response_model_by_alias=True,
            responses=OR_CSV)
def compensation_statement(
    db: Db, who: Payee, engine: Annotated[Engine, Depends(get_engine)], from_: From, to: To,
    pool: Annotated[str, Query(description="The pool in minor units (cents), e.g. 100000")],
    currency: Annotated[str, Query(description="ISO 4217 code, e.g. EUR")],
    consumer_id: int | None = None, artist_id: int | None = None,
    rights_holder_id: int | None = None, format: Format = "json",
) -> CompensationOut | StreamingResponse:
    """The pool shared pro rata over the period's uses (a unit per track per snapshot), each
    track's amount over its co-owners by basis points; largest remainders, so the parts sum
    exactly to the pool. Admins see every line, artists their parts, labels their tracks."""
    view, subject = compensation_view(who.role, who.subject_id, artist_id, rights_holder_id)
    period, money = parse_period(from_, to), parse_pool(pool, currency)
    check_parties(db, UsageScope(consumer_id=consumer_id))
    check_parties(db, UsageScope(artist_id=subject) if view is View.ARTIST else
                  UsageScope(rights_holder_id=subject) if view is View.RIGHTS_HOLDER
                  else UsageScope())
    result = compensation(engine, money.amount, period, consumer_id)
    titles, names = names_for(db, result, view, subject)
    lines = compensation_lines(result, view, subject, titles, names)
    if format == "csv":
        rows = (compensation_row(line, money.currency) for line in lines)
        name = f"compensation-{money.currency}-{period.first}-{period.last}.csv"
        return StreamingResponse(csv_chunks(COMPENSATION_COLUMNS, rows), media_type="text/csv",
                                 headers=_attachment(name))
    everything = view is View.ALL
    return CompensationOut.model_validate({
        "pool": money.amount, "currency": money.currency, "from": period.first,
        "to": period.last, "consumer_id": consumer_id, "unit": UNIT,
        "total_units": result.total_units, "undistributed": result.undistributed,
        "view": view, "subject_id": subject, "total": sum(x.amount for x in lines),
        "lines": [LineOut.of(x) for x in lines],
        "artist_totals": result.artist_totals() if everything else None,
        "rights_holder_totals": result.rights_holder_totals() if everything else None})

