"""The consent ledger in the database: append and read. There is no update or delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, insert, or_, select

from consentry.consent import ConsentChoice, ConsentEvent, ConsentHistory
from consentry.errors import NotFound
from consentry.store.catalogue import get_track
from consentry.store.paging import Page, Window, read_page
from consentry.store.records import event_from_row
from consentry.store.schema import consent_events
from consentry.timestamps import from_micros, to_micros


def append_event(conn: Connection, choice: ConsentChoice, now: datetime,
                 terms_version: str) -> ConsentEvent:
    """Insert one event as given; checks and consequences belong to the caller
    (``consentry.services.consent_choices``)."""
    values = {
        "artist_id": choice.artist_id, "track_id": choice.track_id, "purpose": choice.purpose,
        "choice": choice.choice.value, "recorded_at": to_micros(now), "source": choice.source,
        "terms_version": terms_version, "recorded_by": choice.recorded_by[:200]}
    new_id = conn.execute(insert(consent_events).values(**values)).inserted_primary_key[0]  # type: ignore[index]
    return ConsentEvent(
        id=new_id, artist_id=choice.artist_id, purpose=choice.purpose, choice=choice.choice,
        track_id=choice.track_id, recorded_at=from_micros(to_micros(now)), source=choice.source,
        terms_version=terms_version, recorded_by=choice.recorded_by[:200])


def events_of(
    conn: Connection, artist_ids: Sequence[int], until: datetime | None = None,
    purposes: Sequence[str] | None = None,
) -> list[ConsentEvent]:
    """Events recorded by these artists, oldest first, optionally up to an instant."""
    query = select(consent_events).where(consent_events.c.artist_id.in_(artist_ids))
    if until is not None:
        query = query.where(consent_events.c.recorded_at <= to_micros(until))
    if purposes is not None:
        query = query.where(consent_events.c.purpose.in_(purposes))
    query = query.order_by(consent_events.c.recorded_at, consent_events.c.id)
    return [event_from_row(r) for r in conn.execute(query)]


def history_page(conn: Connection, artist_id: int, window: Window,
                 newest_first: bool = False) -> Page[ConsentEvent]:
    """A window of the artist's events, oldest first (or newest), and how many in all."""
    order = [consent_events.c.recorded_at, consent_events.c.id]
    query = (select(consent_events).where(consent_events.c.artist_id == artist_id)
             .order_by(*(c.desc() for c in order) if newest_first else order))
    return read_page(conn, query, window).map(event_from_row)


def history_of(
    conn: Connection, artist_ids: Sequence[int], until: datetime | None = None,
    purposes: Sequence[str] | None = None,
) -> ConsentHistory:
    return ConsentHistory(events_of(conn, artist_ids, until, purposes))


def track_events(conn: Connection, track_id: int) -> list[ConsentEvent]:
    """Every event about one track: its own choices and its owners' defaults."""
    track = get_track(conn, track_id)
    query = (select(consent_events)
             .where(consent_events.c.artist_id.in_(track.accepted_owner_ids))
             .where(or_(consent_events.c.track_id == track_id,
                        consent_events.c.track_id.is_(None)))
             .order_by(consent_events.c.recorded_at, consent_events.c.id))
    return [event_from_row(r) for r in conn.execute(query)]


def get_event(conn: Connection, event_id: int) -> ConsentEvent:
    row = conn.execute(select(consent_events).where(consent_events.c.id == event_id)).first()
    if row is None:
        raise NotFound(f"consent event {event_id} does not exist")
    return event_from_row(row)


def count_events(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(consent_events)).scalar_one())
