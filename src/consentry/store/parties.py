"""Artists, rights holders and AI consumers."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from consentry.consent import Artist, Consumer, ConsumerKind, RightsHolder
from consentry.errors import InvalidInput, NotFound
from consentry.store.paging import Page, Window, read_page
from consentry.store.records import consumer_from_row, purposes_json
from consentry.store.schema import artists, consumers, rights_holders
from consentry.timestamps import to_micros, utcnow


def _clean_name(name: str, what: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput(f"{what} name must be 1 to 200 characters")
    return name


def create_artist(conn: Connection, name: str) -> Artist:
    name = _clean_name(name, "artist")
    new_id = conn.execute(insert(artists).values(
        name=name, created_at=to_micros(utcnow()))).inserted_primary_key[0]  # type: ignore[index]
    return Artist(new_id, name)


def artist_name_key(name: str) -> str:
    """What makes two artist names the same: case and runs of whitespace do not count."""
    return " ".join(name.split()).casefold()


def artist_name_taken(conn: Connection, name: str) -> bool:
    """Whether another artist goes by this name. The names are compared in Python, where
    casefold knows every script (SQLite's lower() knows ASCII only): a scan of one column,
    paid at sign-up."""
    key = artist_name_key(name)
    names = conn.execute(select(artists.c.name).execution_options(yield_per=10_000))
    return any(artist_name_key(taken) == key for taken in names.scalars())


def get_artist(conn: Connection, artist_id: int) -> Artist:
    row = conn.execute(select(artists).where(artists.c.id == artist_id)).first()
    if row is None:
        raise NotFound(f"artist {artist_id} does not exist")
    return Artist(row.id, row.name)


def list_artists(conn: Connection, limit: int = 100, offset: int = 0) -> list[Artist]:
    return artist_page(conn, Window(limit, offset)).items


def artist_page(conn: Connection, window: Window) -> Page[Artist]:
    rows = read_page(conn, select(artists).order_by(artists.c.id), window)
    return rows.map(lambda r: Artist(r.id, r.name))


def create_rights_holder(conn: Connection, name: str) -> RightsHolder:
    name = _clean_name(name, "rights holder")
    new_id = conn.execute(insert(rights_holders).values(
        name=name, created_at=to_micros(utcnow()))).inserted_primary_key[0]  # type: ignore[index]
    return RightsHolder(new_id, name)


def get_rights_holder(conn: Connection, rights_holder_id: int) -> RightsHolder:
    row = conn.execute(
        select(rights_holders).where(rights_holders.c.id == rights_holder_id)).first()
    if row is None:
        raise NotFound(f"rights holder {rights_holder_id} does not exist")
    return RightsHolder(row.id, row.name)


def list_rights_holders(conn: Connection, limit: int = 100, offset: int = 0) -> list[RightsHolder]:
    return rights_holder_page(conn, Window(limit, offset)).items


def rights_holder_page(conn: Connection, window: Window) -> Page[RightsHolder]:
    rows = read_page(conn, select(rights_holders).order_by(rights_holders.c.id), window)
    return rows.map(lambda r: RightsHolder(r.id, r.name))


def create_consumer(
    conn: Connection, name: str, purposes: frozenset[str],
    kind: ConsumerKind = ConsumerKind.INTERNAL, organisation: str | None = None,
    datasets_only: bool = False,
) -> Consumer:
    name = _clean_name(name, "consumer")
    Consumer(0, name, kind, organisation, purposes)  # validates before anything is written
    new_id = conn.execute(insert(consumers).values(
        name=name, kind=kind.value, organisation=organisation,
        purposes=purposes_json(purposes), datasets_only=datasets_only,
        created_at=to_micros(utcnow()))).inserted_primary_key[0]  # type: ignore[index]
    return Consumer(new_id, name, kind, organisation, purposes, datasets_only)


def get_consumer(conn: Connection, consumer_id: int) -> Consumer:
    row = conn.execute(select(consumers).where(consumers.c.id == consumer_id)).first()
    if row is None:
        raise NotFound(f"consumer {consumer_id} does not exist")
    return consumer_from_row(row)


def list_consumers(conn: Connection) -> list[Consumer]:
    return [consumer_from_row(r) for r in conn.execute(select(consumers).order_by(consumers.c.id))]
