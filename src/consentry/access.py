"""Who may do what: roles, the authenticated principal, and the checks every route applies.

Pure policy, no I/O: the web layer finds the principal and the resource, then asks here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from consentry.consent import Track
from consentry.errors import Forbidden
from consentry.purposes import deny_chain, get_purpose


class Role(StrEnum):
    ADMIN = "admin"
    ARTIST = "artist"
    RIGHTS_HOLDER = "rights_holder"
    CONSUMER = "consumer"


@dataclass(frozen=True)
class Principal:
    """The caller behind a token: its role, whom it speaks for, and (consumers) its purposes."""

    token_id: int
    role: Role
    subject_id: int | None = None
    purposes: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        subject = f":{self.subject_id}" if self.subject_id is not None else ""
        return f"{self.role.value}{subject} (token {self.token_id})"


def require_admin(who: Principal) -> None:
    if who.role is not Role.ADMIN:
        raise Forbidden("only a platform admin may do this")


def require_role(who: Principal, roles: tuple[Role, ...]) -> None:
    """For what other roles may never do, whatever they ask: checked before the request is
    looked at, so that they hear 'forbidden' rather than what else is wrong with it."""
    if who.role in roles:
        return
    if roles == (Role.ADMIN,):
        require_admin(who)
    raise Forbidden(f"this is for {' and '.join(r.value for r in roles)} tokens, "
                    f"not {who.role.value} ones")


def require_artist_self(who: Principal, artist_id: int) -> None:
    """An artist speaks for themselves only; admins for anyone."""
    if who.role is Role.ADMIN or (who.role is Role.ARTIST and who.subject_id == artist_id):
        return
    raise Forbidden(f"no access to artist {artist_id}")


def consumer_of(who: Principal) -> int | None:
    """The consumer a consumer's token speaks for (every such token names one); None for the
    other roles, whose decisions no consumer's scope narrows."""
    if who.role is not Role.CONSUMER:
        return None
    if who.subject_id is None:
        raise Forbidden("this consumer token names no consumer")
    return who.subject_id


def require_rights_holder_self(who: Principal, rights_holder_id: int) -> None:
    if who.role is Role.ADMIN or (
        who.role is Role.RIGHTS_HOLDER and who.subject_id == rights_holder_id
    ):
        return
    raise Forbidden(f"no access to rights holder {rights_holder_id}")


def can_see_track(who: Principal, track: Track) -> bool:
    """Admins, the owners who accepted their share, and its rights holder see a track."""
    if who.role is Role.ADMIN:
        return True
    if who.role is Role.ARTIST:
        return who.subject_id in track.accepted_owner_ids
    if who.role is Role.RIGHTS_HOLDER:
        return who.subject_id is not None and who.subject_id == track.rights_holder_id
    return False


def require_track(who: Principal, track: Track) -> None:
    if not can_see_track(who, track):
        raise Forbidden(f"no access to track {track.id}")


def require_track_owner(who: Principal, track: Track) -> None:
    """An artist chooses for the tracks they are named an owner of; admins for any."""
    if who.role is Role.ADMIN or (who.role is Role.ARTIST and who.subject_id in track.owner_ids):
        return
    raise Forbidden(f"no permission to choose for track {track.id}: not one of its owners")


def require_track_manager(who: Principal, track: Track) -> None:
    """Who keeps a track's record gives it its recording: admins, its owners, its label."""
    if not can_see_track(who, track):
        raise Forbidden(f"no permission to change track {track.id}")


def require_purpose_in_scope(who: Principal, purpose: str) -> None:
    """A consumer asks only for purposes in its scope (or narrower ones)."""
    if who.role is not Role.CONSUMER:
        return
    if not any(p in who.purposes for p in deny_chain(purpose)):
        raise Forbidden(
            f"purpose '{purpose}' is outside this consumer's scope",
            {"scope": sorted(who.purposes)})


def require_decision_access(who: Principal, track: Track | None, purpose: str) -> None:
    """Consumers in scope and admins decide for any track; owners and labels for their own."""
    if who.role is Role.CONSUMER:
        require_purpose_in_scope(who, purpose)
        return
    if who.role is Role.ADMIN:
        return
    if track is None or not can_see_track(who, track):
        raise Forbidden("no access to decisions for this track")


def require_catalogue_access(who: Principal, purpose: str) -> None:
    """Whole-catalogue decisions and exports are for admins and consumers in scope."""
    if who.role is Role.CONSUMER:
        require_purpose_in_scope(who, purpose)
        return
    require_admin(who)


def require_identify_access(who: Principal) -> None:
    """Any signed-in party may ask what a recording contains; a consumer only if it trains
    (to check its output for replication) or identifies content."""
    if who.role is not Role.CONSUMER:
        return
    if not any(get_purpose(p).training or p in deny_chain("content-identification")
               for p in who.purposes):
        raise Forbidden("identifying audio is for consumers that train or identify content",
                        {"scope": sorted(who.purposes)})
