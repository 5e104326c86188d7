"""Which stored recordings an audio contains, told as tracks and reference recordings."""

from __future__ import annotations

from sqlalchemy import Connection

from consentry.audio.matching import Match
from consentry.audio.peaks import Peaks
from consentry.consent.claims import Identified
from consentry.store.catalogue import get_tracks
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.fingerprints import parse_key
from consentry.store.reference_recordings import get_references


def identify(conn: Connection, index: CatalogueIndex, peaks: Peaks,
             exclude: frozenset[str] = frozenset()) -> list[Identified]:
    """The recordings in the query, in query order; recordings removed meanwhile are left out."""
    matches = index.match(conn, peaks, exclude)
    keys = [parse_key(m.track_id) for m in matches]
    tracks = {t.id: t for t in get_tracks(conn, [i for k, i in keys if k == "track"])}
    references = get_references(conn, [i for k, i in keys if k == "reference"])
    found = []
    for match, (kind, number) in zip(matches, keys, strict=True):
        if kind == "track" and number in tracks:
            track = tracks[number]
            found.append(_identified(match, kind, number, track.title, track.rights_holder_id,
                                     track.owner_ids, track.artist_id))
        elif kind == "reference" and number in references:
            reference = references[number]
            found.append(_identified(match, kind, number, reference.title,
                                     reference.rights_holder_id, ()))
    return found


def _identified(match: Match, kind: str, number: int, title: str, holder: int | None,
                owners: tuple[int, ...], artist: int | None = None) -> Identified:
    return Identified(match.track_id, kind, number, title, holder, owners, match.query_start,
                      match.track_start, match.matched_seconds, match.confidence,
                      match.significance, match.speed, artist)


def recording_titles(conn: Connection, keys: list[str]) -> dict[str, str]:
    """The title of each recording key that still exists (for pages listing claims)."""
    parsed = [(key, *parse_key(key)) for key in keys]
    tracks = {t.id: t.title for t in get_tracks(conn, [i for _, k, i in parsed if k == "track"])}
    references = get_references(conn, [i for _, k, i in parsed if k == "reference"])
    titles = {}
    for key, kind, number in parsed:
        if kind == "track" and number in tracks:
            titles[key] = tracks[number]
        elif kind == "reference" and number in references:
            titles[key] = references[number].title
    return titles
