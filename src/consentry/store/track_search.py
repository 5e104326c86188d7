"""Finding tracks in a list by what a person remembers of them: words of the title or of an
artist's name, or the ISRC printed on a release, however it was typed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Select, exists, or_, select

from consentry.consent import Track
from consentry.store.catalogue import live_tracks, tracks_with_shares
from consentry.store.paging import Page, Window, read_page
from consentry.store.schema import artists, track_shares, tracks
from consentry.store.share_answers import accepted_track_ids


def normalise_isrc(typed: str) -> str:
    """An ISRC as stored: upper case, without the hyphens and spaces it is often printed with
    (``gb-aye-24-00001`` is ``GBAYE2400001``)."""
    return "".join(typed.split()).replace("-", "").upper()


@dataclass(frozen=True)
class TrackSearch:
    """Which tracks a list shows: those of an artist or a label, matching ``text`` (any part of
    the title or of an owner's name, in any case) and ``isrc`` (exactly, once normalised)."""

    artist_id: int | None = None
    rights_holder_id: int | None = None
    text: str | None = None
    isrc: str | None = None

    def query(self) -> Select[tuple[int, ...]]:
        query = select(tracks).where(live_tracks()).order_by(tracks.c.id)
        if self.artist_id is not None:  # the tracks whose share the artist has accepted
            query = query.where(tracks.c.id.in_(accepted_track_ids(self.artist_id)))
        if self.rights_holder_id is not None:
            query = query.where(tracks.c.rights_holder_id == self.rights_holder_id)
        if self.text and self.text.strip():
            query = query.where(_mentions(self.text.strip()))
        if self.isrc and self.isrc.strip():
            query = query.where(tracks.c.isrc == normalise_isrc(self.isrc))
        return query


def _mentions(text: str) -> ColumnElement[bool]:
    named = select(artists.c.id).where(artists.c.name.icontains(text, autoescape=True))
    return or_(
        tracks.c.title.icontains(text, autoescape=True),
        tracks.c.artist_id.in_(named),
        exists().where(track_shares.c.track_id == tracks.c.id, track_shares.c.artist_id.in_(named)),
    )


def search_tracks(conn: Connection, search: TrackSearch, window: Window) -> Page[Track]:
    """The window of matching tracks, oldest first, and how many match in all."""
    rows = read_page(conn, search.query(), window)
    return Page(tracks_with_shares(conn, rows.items), rows.total, window)
