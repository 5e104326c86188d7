"""Sharing a licensing pool over the uses of a period, in whole minor units.

Two steps, each by the largest-remainder method (Hamilton's): the pool over the tracks in
proportion to their units of use, then each track's amount over its co-owners in proportion
to their basis points. Every step hands out exactly what it was given, so the parts sum to the
pool; each part is within one unit of its exact share; ties go to the lower id, so the same
inputs always give the same statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from consentry.errors import InvalidInput

SHARE_UNITS = 10_000  # basis points in a whole track


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``: whole parts that sum to ``total``.

    Each part is ``floor(total * w / W)``; the units left over go one each to the largest
    remainders, and among equal remainders to the earlier weight. A zero weight gets nothing.
    """
    if total < 0:
        raise InvalidInput("cannot share a negative amount")
    if any(w < 0 for w in weights):
        raise InvalidInput("weights cannot be negative")
    whole = sum(weights)
    if whole == 0:
        raise InvalidInput("nothing to share in proportion to: every weight is zero")
    parts, remainders = [], []
    for w in weights:
        part, remainder = divmod(total * w, whole)
        parts.append(part)
        remainders.append(remainder)
    left = total - sum(parts)  # fewer than len(weights) units
    if left:
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            parts[i] += 1
    return parts


@dataclass(frozen=True)
class TrackUse:
    """One track's uses in the period: ``units`` (one per snapshot that included it), its
    rights holder, and its owners as ``(artist id, basis points)`` summing to 10,000."""

    track_id: int
    units: int
    owners: tuple[tuple[int, int], ...]
    rights_holder_id: int | None = None

    def __post_init__(self) -> None:
        if self.units < 0:
            raise InvalidInput(f"track {self.track_id} has a negative number of uses")
        if sum(bp for _, bp in self.owners) != SHARE_UNITS or any(
                bp <= 0 for _, bp in self.owners):
            raise InvalidInput(f"the owners' shares of track {self.track_id} do not make "
                               "10,000 basis points")
        if len({a for a, _ in self.owners}) != len(self.owners):
            raise InvalidInput(f"track {self.track_id} names an owner twice")


@dataclass(frozen=True)
class TrackAmount:
    track_id: int
    units: int
    rights_holder_id: int | None
    amount: int


@dataclass(frozen=True)
class OwnerPart:
    """One co-owner's part of one track's amount."""

    track_id: int
    artist_id: int
    basis_points: int
    amount: int


@dataclass(frozen=True)
class Compensation:
    """A pool shared out: per track, per co-owner of each track, and what was left because
    the period had no uses (the whole pool, or nothing)."""

    pool: int
    total_units: int
    tracks: tuple[TrackAmount, ...]
    owners: tuple[OwnerPart, ...]

    @property
    def undistributed(self) -> int:
        return self.pool - sum(t.amount for t in self.tracks)

    def artist_totals(self) -> dict[int, int]:
        totals: dict[int, int] = {}
        for part in self.owners:
            totals[part.artist_id] = totals.get(part.artist_id, 0) + part.amount
        return dict(sorted(totals.items()))

    def rights_holder_totals(self) -> dict[int, int]:
        """What each label's tracks earned: the same money as the owners' parts, seen from
        the catalogue (how a label and its artists divide it is their contract's business)."""
        totals: dict[int, int] = {}
        for track in self.tracks:
            if track.rights_holder_id is not None:
                totals[track.rights_holder_id] = (
                    totals.get(track.rights_holder_id, 0) + track.amount)
        return dict(sorted(totals.items()))

    def parts_of(self, artist_id: int) -> list[OwnerPart]:
        return [p for p in self.owners if p.artist_id == artist_id]

    def tracks_of(self, rights_holder_id: int) -> list[TrackAmount]:
        return [t for t in self.tracks if t.rights_holder_id == rights_holder_id]


def distribute(pool: int, uses: Iterable[TrackUse]) -> Compensation:
    """The pool over the tracks by units of use, then each track over its co-owners.

    Tracks are taken in id order and owners in artist-id order, which fixes the tie-breaks.
    A period without uses distributes nothing (``undistributed`` is the pool).
    """
    by_track: dict[int, TrackUse] = {}
    for use in uses:
        if use.track_id in by_track:
            raise InvalidInput(f"track {use.track_id} is listed twice")
        by_track[use.track_id] = use
    used = [by_track[t] for t in sorted(by_track) if by_track[t].units > 0]
    total_units = sum(u.units for u in used)
    if total_units == 0:
        return Compensation(pool, 0, (), ())
    amounts = largest_remainder(pool, [u.units for u in used])
    tracks, owners = [], []
    for use, amount in zip(used, amounts, strict=True):
        tracks.append(TrackAmount(use.track_id, use.units, use.rights_holder_id, amount))
        if len(use.owners) == 1:  # most tracks: no split to make
            owners.append(OwnerPart(use.track_id, use.owners[0][0], SHARE_UNITS, amount))
            continue
        sharers = sorted(use.owners)
        for (artist, bp), part in zip(
                sharers, largest_remainder(amount, [bp for _, bp in sharers]), strict=True):
            owners.append(OwnerPart(use.track_id, artist, bp, part))
    return Compensation(pool, total_units, tuple(tracks), tuple(owners))
