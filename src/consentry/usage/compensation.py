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

import numpy as np

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


def _ints(values: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


@dataclass(frozen=True, eq=False)
class Compensation:
    """A pool shared out, as columns: tracks in id order with their units, rights holder (0
    for none) and amount; owners' parts in (track, artist) order. Columns, not objects, so a
    million tracks cost arrays and one statement's lines are picked by a mask."""

    pool: int
    total_units: int
    track_id: np.ndarray
    units: np.ndarray
    rights_holder: np.ndarray
    amount: np.ndarray
    owner_track_id: np.ndarray
    owner_artist_id: np.ndarray
    owner_basis_points: np.ndarray
    owner_amount: np.ndarray

    @classmethod
    def nothing(cls, pool: int) -> Compensation:
        empty = np.zeros(0, np.int64)
        return cls(pool, 0, *(empty,) * 8)

    @property
    def undistributed(self) -> int:
        return self.pool - int(self.amount.sum())

    @property
    def tracks(self) -> tuple[TrackAmount, ...]:
        return self._tracks(np.ones(len(self.track_id), bool))

    @property
    def owners(self) -> tuple[OwnerPart, ...]:
        return self._owners(np.ones(len(self.owner_track_id), bool))

    def _tracks(self, mask: np.ndarray) -> tuple[TrackAmount, ...]:
        return tuple(TrackAmount(t, n, h or None, a) for t, n, h, a in zip(
            self.track_id[mask].tolist(), self.units[mask].tolist(),
            self.rights_holder[mask].tolist(), self.amount[mask].tolist(), strict=True))

    def _owners(self, mask: np.ndarray) -> tuple[OwnerPart, ...]:
        return tuple(OwnerPart(*row) for row in zip(
            self.owner_track_id[mask].tolist(), self.owner_artist_id[mask].tolist(),
            self.owner_basis_points[mask].tolist(), self.owner_amount[mask].tolist(),
            strict=True))

    def artist_totals(self) -> dict[int, int]:
        return _totals(self.owner_artist_id, self.owner_amount)

    def rights_holder_totals(self) -> dict[int, int]:
        """What each label's tracks earned: the same money as the owners' parts, seen from
        the catalogue (how a label and its artists divide it is their contract's business)."""
        signed = self.rights_holder != 0
        return _totals(self.rights_holder[signed], self.amount[signed])

    def parts_of(self, artist_id: int) -> list[OwnerPart]:
        return list(self._owners(self.owner_artist_id == artist_id))

    def tracks_of(self, rights_holder_id: int) -> list[TrackAmount]:
        return list(self._tracks(self.rights_holder == rights_holder_id))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Compensation):
            return NotImplemented
        return (self.pool, self.total_units) == (other.pool, other.total_units) and all(
            np.array_equal(getattr(self, f), getattr(other, f)) for f in _COLUMNS)

    __hash__ = None  # type: ignore[assignment]


_COLUMNS = ("track_id", "units", "rights_holder", "amount", "owner_track_id",
            "owner_artist_id", "owner_basis_points", "owner_amount")


def _totals(keys: np.ndarray, amounts: np.ndarray) -> dict[int, int]:
    """Sums per key in integers (np.bincount would add in floating point)."""
    if len(keys) == 0:
        return {}
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sums = np.add.reduceat(amounts[order], starts)
    return dict(zip(ordered[starts].tolist(), sums.tolist(), strict=True))


def distribute(pool: int, uses: Iterable[TrackUse]) -> Compensation:
    """The pool over the tracks by units of use, then each track over its co-owners: the
    reference, one track at a time in Python integers (``distribute_columns`` is the same
    rule over arrays, and a property test keeps the two in step).

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
        return Compensation.nothing(pool)
    amounts = largest_remainder(pool, [u.units for u in used])
    owners: list[tuple[int, int, int, int]] = []
    for use, amount in zip(used, amounts, strict=True):
        sharers = sorted(use.owners)
        for (artist, bp), part in zip(
                sharers, largest_remainder(amount, [bp for _, bp in sharers]), strict=True):
            owners.append((use.track_id, artist, bp, part))
    owner_columns = [_ints([o[i] for o in owners]) for i in range(4)]
    return Compensation(
        pool, total_units, _ints([u.track_id for u in used]), _ints([u.units for u in used]),
        _ints([u.rights_holder_id or 0 for u in used]), _ints(amounts), *owner_columns)
