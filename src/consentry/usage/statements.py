"""What a statement shows, as plain rows: the uses of a period, and a compensation seen by the
whole platform, by one artist or by one label. The same rows feed JSON, CSV
(consentry.spreadsheet_csv) and HTML.

Privacy by construction: an artist's view holds only the parts of tracks they co-own (with
each track's total, which co-owners share anyway); a label's view only its catalogue's
tracks; neither names any other artist nor any other amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np

from consentry.usage.compensation import Compensation


@dataclass(frozen=True)
class Use:
    """One AI use: one track in one dataset snapshot, with who took it, why and when."""

    snapshot_id: int
    taken_at: datetime
    decided_at: datetime
    consumer_id: int | None
    consumer_name: str | None
    purpose: str
    track_id: int
    track_title: str
    rights_holder_id: int | None


USE_COLUMNS = ("snapshot_id", "taken_at", "decided_at", "consumer_id", "consumer", "purpose",
               "track_id", "track")


def use_row(use: Use) -> list[object]:
    return [use.snapshot_id, use.taken_at.isoformat(), use.decided_at.isoformat(),
            use.consumer_id if use.consumer_id is not None else "", use.consumer_name or "",
            use.purpose, use.track_id, use.track_title]


class View(StrEnum):
    """Whose lines of a compensation statement are shown."""

    ALL = "all"
    ARTIST = "artist"
    RIGHTS_HOLDER = "rights_holder"


@dataclass(frozen=True)
class CompensationLine:
    """One line: a co-owner's part of a track (platform and artist views), or a track's
    whole amount (label view: ``artist_id`` and ``basis_points`` are None)."""

    track_id: int
    track_title: str
    units: int
    track_amount: int
    artist_id: int | None
    artist_name: str | None
    basis_points: int | None
    amount: int


COMPENSATION_COLUMNS = ("track_id", "track", "units", "track_amount", "artist_id", "artist",
                        "basis_points", "amount", "currency")


def compensation_lines(result: Compensation, view: View, subject_id: int | None,
                       titles: Mapping[int, str],
                       artist_names: Mapping[int, str]) -> list[CompensationLine]:
    """The lines ``view`` may see: every owner's part, one artist's parts, or one label's
    tracks."""
    if view is View.RIGHTS_HOLDER:
        return [CompensationLine(t.track_id, titles.get(t.track_id, ""), t.units, t.amount,
                                 None, None, None, t.amount)
                for t in result.tracks_of(subject_id or 0)]
    mask = (np.ones(len(result.owner_artist_id), bool) if view is View.ALL
            else result.owner_artist_id == (subject_id or 0))
    tracks = result.owner_track_id[mask]
    at = np.searchsorted(result.track_id, tracks)
    return [CompensationLine(t, titles.get(t, ""), n, total, a, artist_names.get(a, ""), bp, x)
            for t, n, total, a, bp, x in zip(
                tracks.tolist(), result.units[at].tolist(), result.amount[at].tolist(),
                result.owner_artist_id[mask].tolist(),
                result.owner_basis_points[mask].tolist(), result.owner_amount[mask].tolist(),
                strict=True)]


def compensation_row(line: CompensationLine, currency: str) -> list[object]:
    return [line.track_id, line.track_title, line.units, line.track_amount,
            "" if line.artist_id is None else line.artist_id, line.artist_name or "",
            "" if line.basis_points is None else line.basis_points, line.amount, currency]
