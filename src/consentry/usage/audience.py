"""Who may read which statement (pure policy, like consentry.access).

Artists read the uses of their own tracks (co-owned ones included) and their own parts of a
pool; labels their catalogue's; admins anyone's or everyone's. A consumer may list its own
uses (the tracks of its own snapshots, which it holds anyway) but no compensation: what
artists earn is none of its business.
"""

from __future__ import annotations

from dataclasses import dataclass

from consentry.access import Role
from consentry.errors import Forbidden, InvalidInput
from consentry.usage.statements import View


@dataclass(frozen=True)
class UsageScope:
    """Whose uses: at most one of an artist, a rights holder or a consumer; none is all."""

    artist_id: int | None = None
    rights_holder_id: int | None = None
    consumer_id: int | None = None

    def __post_init__(self) -> None:
        named = [x for x in (self.artist_id, self.rights_holder_id, self.consumer_id)
                 if x is not None]
        if len(named) > 1:
            raise InvalidInput("ask for one artist, one rights holder or one consumer at a time")


def _only_self(given: int | None, subject_id: int | None, what: str) -> int:
    if subject_id is None or given not in (None, subject_id):
        raise Forbidden(f"a statement of {what} {given} is not yours to read")
    return subject_id


def _nothing_else(*others: int | None) -> None:
    if any(o is not None for o in others):
        raise Forbidden("you may read only your own statement")


def uses_scope(role: Role, subject_id: int | None, artist_id: int | None = None,
               rights_holder_id: int | None = None,
               consumer_id: int | None = None) -> UsageScope:
    """The scope a caller may list, from what it asked for."""
    if role is Role.ADMIN:
        return UsageScope(artist_id, rights_holder_id, consumer_id)
    if role is Role.ARTIST:
        _nothing_else(rights_holder_id, consumer_id)
        return UsageScope(artist_id=_only_self(artist_id, subject_id, "artist"))
    if role is Role.RIGHTS_HOLDER:
        _nothing_else(artist_id, consumer_id)
        return UsageScope(rights_holder_id=_only_self(rights_holder_id, subject_id,
                                                      "rights holder"))
    _nothing_else(artist_id, rights_holder_id)
    return UsageScope(consumer_id=_only_self(consumer_id, subject_id, "consumer"))


def compensation_view(role: Role, subject_id: int | None, artist_id: int | None = None,
                      rights_holder_id: int | None = None) -> tuple[View, int | None]:
    """Whose lines of a compensation statement a caller sees: ``(view, subject)``."""
    if artist_id is not None and rights_holder_id is not None:
        raise InvalidInput("ask for one artist or one rights holder at a time")
    if role is Role.ADMIN:
        if artist_id is not None:
            return View.ARTIST, artist_id
        if rights_holder_id is not None:
            return View.RIGHTS_HOLDER, rights_holder_id
        return View.ALL, None
    if role is Role.ARTIST:
        _nothing_else(rights_holder_id)
        return View.ARTIST, _only_self(artist_id, subject_id, "artist")
    if role is Role.RIGHTS_HOLDER:
        _nothing_else(artist_id)
        return View.RIGHTS_HOLDER, _only_self(rights_holder_id, subject_id, "rights holder")
    raise Forbidden("compensation statements are for artists, labels and admins")
