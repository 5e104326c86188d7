"""The parties a decision depends on: tracks and their co-owners, agreements, AI consumers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from consentry.errors import InvalidInput
from consentry.purposes import deny_chain, get_purpose, third_party_purpose

SHARE_UNITS = 10_000  # shares are stored in basis points so they add up exactly


@dataclass(frozen=True)
class Artist:
    """A person or band who uploads tracks and owns their consent."""

    id: int
    name: str


@dataclass(frozen=True)
class RightsHolder:
    """A label or publisher whose catalogue is governed by separate agreements."""

    id: int
    name: str


@dataclass(frozen=True)
class Share:
    """One co-owner's part of a track, in basis points (10,000 = the whole track)."""

    artist_id: int
    basis_points: int


@dataclass(frozen=True)
class Track:
    """A track as the rules see it: its managing artist, its co-owners, its rights holder."""

    id: int
    artist_id: int
    shares: tuple[Share, ...] = ()
    rights_holder_id: int | None = None
    title: str = ""
    isrc: str | None = None
    # Owners who have not accepted their share, as of when the track was read (see
    # consent/ownership.py): decisions ask the answers at their own instant instead.
    pending_ids: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.shares:
            check_shares(self.shares)
            if self.artist_id not in {s.artist_id for s in self.shares}:
                raise InvalidInput("the track's artist must be one of its co-owners")

    @property
    def owner_ids(self) -> tuple[int, ...]:
        """Every owner named, whether or not they have accepted their share."""
        return tuple(s.artist_id for s in self.shares) or (self.artist_id,)

    @property
    def accepted_owner_ids(self) -> tuple[int, ...]:
        """The owners who have accepted their share: the only artists who may see the track's
        decisions and choose for it."""
        return tuple(a for a in self.owner_ids if a not in self.pending_ids)

    @property
    def co_owner_ids(self) -> tuple[int, ...]:
        """Owners other than the managing artist."""
        return tuple(a for a in self.owner_ids if a != self.artist_id)


def check_shares(shares: tuple[Share, ...]) -> None:
    """Shares are positive, name each artist once and add up to the whole track."""
    artists = [s.artist_id for s in shares]
    if len(set(artists)) != len(artists):
        raise InvalidInput("a co-owner is listed twice")
    if any(s.basis_points <= 0 for s in shares):
        raise InvalidInput("every share must be positive")
    total = sum(s.basis_points for s in shares)
    if total != SHARE_UNITS:
        raise InvalidInput(f"shares add up to {total / 100:g}%, not 100%")


@dataclass(frozen=True)
class Agreement:
    """A rights holder's separate agreement: purposes forbidden for its whole catalogue.

    ``starts_at`` is the start the agreement states; ``recorded_at`` is when the platform
    learnt of it. A decision at an instant reads only what had been recorded by then, so the
    agreement is in force from the later of the two: a past answer never changes.
    """

    id: int
    rights_holder_id: int
    title: str
    restricted_purposes: frozenset[str]
    starts_at: datetime
    ends_at: datetime | None = None
    recorded_at: datetime | None = None  # None: not stored yet, or known to be at starts_at

    def __post_init__(self) -> None:
        for purpose in self.restricted_purposes:
            get_purpose(purpose)
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise InvalidInput("an agreement must end after it starts")

    @property
    def effective_from(self) -> datetime:
        """When decisions start to read it: its stated start, or its recording if later."""
        if self.recorded_at is None or self.recorded_at <= self.starts_at:
            return self.starts_at
        return self.recorded_at

    @property
    def backdated(self) -> bool:
        """It states a start before it was recorded (a contract signed before it was entered)."""
        return self.effective_from > self.starts_at

    def in_force(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.ends_at is None or at < self.ends_at)

    def restricts(self, purpose: str) -> str | None:
        """The restricted purpose that covers ``purpose``, if any."""
        return next((p for p in deny_chain(purpose) if p in self.restricted_purposes), None)


class ConsumerKind(StrEnum):
    INTERNAL = "internal"
    THIRD_PARTY = "third-party"


@dataclass(frozen=True)
class Consumer:
    """An AI team that asks before it uses content, limited to the purposes in its scope."""

    id: int
    name: str
    kind: ConsumerKind = ConsumerKind.INTERNAL
    organisation: str | None = None
    purposes: frozenset[str] = field(default_factory=frozenset)
    # Every use must come from one of its own dataset snapshots for that purpose.
    datasets_only: bool = False

    def __post_init__(self) -> None:
        for purpose in self.purposes:
            get_purpose(purpose)
        if self.kind is ConsumerKind.THIRD_PARTY and not self.organisation:
            raise InvalidInput("a third-party consumer needs an organisation")

    def extra_consent_purpose(self, purpose: str) -> str | None:
        """A third party's training also needs consent to that company's training."""
        if self.kind is not ConsumerKind.THIRD_PARTY or not get_purpose(purpose).training:
            return None
        assert self.organisation is not None
        extra = third_party_purpose(self.organisation)
        return None if extra == purpose else extra
