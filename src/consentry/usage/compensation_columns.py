"""The pool's arithmetic over columns: the same two largest-remainder steps as
``compensation.distribute``, for a million tracks at once (numpy, int64 throughout).

Every product stays far inside int64: with ``pool = q·U + r`` (``r < U``), a track's share
``pool·u / U`` is ``q·u + r·u / U``, where ``q·u <= pool <= 10^15`` and ``r·u < U·u``, which
is checked; an owner's share of ``A = q'·10000 + r'`` is ``q'·bp + r'·bp / 10000``.
"""

from __future__ import annotations

import numpy as np

from consentry.errors import InvalidInput
from consentry.usage.compensation import SHARE_UNITS, Compensation, TrackUse, distribute

_SAFE = 2**62


def _within_group_rank(group: np.ndarray) -> np.ndarray:
    """Each position's rank inside its run of equal ``group`` values (``group`` sorted)."""
    starts = np.searchsorted(group, group, side="left")
    return np.arange(len(group)) - starts


def distribute_columns(pool: int, track_id: np.ndarray, units: np.ndarray,
                       rights_holder: np.ndarray, owner_track_id: np.ndarray,
                       owner_artist_id: np.ndarray,
                       owner_basis_points: np.ndarray) -> Compensation:
    """``distribute`` for columns: one row per track (unique ids, units, rights holder or 0)
    and one row per owner of a track (track, artist, basis points summing to 10,000)."""
    track_id, units, rights_holder = (np.asarray(a, np.int64) for a in (
        track_id, units, rights_holder))
    owner_track_id, owner_artist_id, owner_basis_points = (np.asarray(a, np.int64) for a in (
        owner_track_id, owner_artist_id, owner_basis_points))
    if pool < 0:
        raise InvalidInput("cannot share a negative amount")
    if (units < 0).any():
        raise InvalidInput("a track has a negative number of uses")
    order = np.argsort(track_id, kind="stable")
    track_id, units, rights_holder = track_id[order], units[order], rights_holder[order]
    if (track_id[1:] == track_id[:-1]).any():
        raise InvalidInput("a track is listed twice")
    used = units > 0
    track_id, units, rights_holder = track_id[used], units[used], rights_holder[used]
    total = int(units.sum())
    if total == 0:
        return Compensation.nothing(pool)
    if total * int(units.max()) >= _SAFE:
        return distribute(pool, _as_uses(track_id, units, rights_holder, owner_track_id,
                                         owner_artist_id, owner_basis_points))
    amount = _track_amounts(pool, total, track_id, units)

    keep = np.isin(owner_track_id, track_id)
    owner_track_id, owner_artist_id, owner_basis_points = (
        owner_track_id[keep], owner_artist_id[keep], owner_basis_points[keep])
    position = np.searchsorted(track_id, owner_track_id)
    _check_owners(track_id, position, owner_artist_id, owner_basis_points)
    order = np.lexsort((owner_artist_id, position))
    position, owner_artist_id, owner_basis_points = (
        position[order], owner_artist_id[order], owner_basis_points[order])
    parts = _owner_parts(amount, position, owner_artist_id, owner_basis_points)
    return Compensation(pool, total, track_id, units, rights_holder, amount,
                        track_id[position], owner_artist_id, owner_basis_points, parts)


def _track_amounts(pool: int, total: int, track_id: np.ndarray,
                   units: np.ndarray) -> np.ndarray:
    whole, rest = divmod(pool, total)
    scaled = rest * units
    amount: np.ndarray = whole * units + scaled // total
    remainder = scaled % total
    left = pool - int(amount.sum())
    if left:  # largest remainders first, then the lower track id
        amount[np.lexsort((track_id, -remainder))[:left]] += 1
    return amount


def _check_owners(track_id: np.ndarray, position: np.ndarray, artist: np.ndarray,
                  points: np.ndarray) -> None:
    if (points <= 0).any():
        raise InvalidInput("an owner's share must be positive")
    sums = np.zeros(len(track_id), np.int64)
    np.add.at(sums, position, points)
    wrong = np.flatnonzero(sums != SHARE_UNITS)
    if len(wrong):
        raise InvalidInput(f"the owners' shares of track {int(track_id[wrong[0]])} do not "
                           "make 10,000 basis points")
    pairs = np.unique(np.stack((position, artist)), axis=1)
    if pairs.shape[1] != len(position):
        raise InvalidInput("a track names an owner twice")


def _owner_parts(amount: np.ndarray, position: np.ndarray, artist: np.ndarray,
                 points: np.ndarray) -> np.ndarray:
    """Owner rows sorted by (track, artist): each track's amount by basis points."""
    whole, rest = np.divmod(amount[position], SHARE_UNITS)
    scaled = rest * points
    parts: np.ndarray = whole * points + scaled // SHARE_UNITS
    remainder = scaled % SHARE_UNITS
    given = np.zeros(len(amount), np.int64)
    np.add.at(given, position, parts)
    left = amount - given
    order = np.lexsort((artist, -remainder, position))
    rank = _within_group_rank(position[order])
    parts[order[rank < left[position[order]]]] += 1
    return parts


def _as_uses(track_id: np.ndarray, units: np.ndarray, rights_holder: np.ndarray,
             owner_track_id: np.ndarray, owner_artist_id: np.ndarray,
             owner_basis_points: np.ndarray) -> list[TrackUse]:
    owners: dict[int, list[tuple[int, int]]] = {}
    for t, a, bp in zip(owner_track_id.tolist(), owner_artist_id.tolist(),
                        owner_basis_points.tolist(), strict=True):
        owners.setdefault(t, []).append((a, bp))
    return [TrackUse(t, n, tuple(owners.get(t, ())), h or None) for t, n, h in zip(
        track_id.tolist(), units.tolist(), rights_holder.tolist(), strict=True)]
