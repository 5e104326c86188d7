"""Shares by invitation: a track's share counts only once its artist has accepted it.

Naming someone as a co-owner, or registering a track for an artist from a label's account,
invites that artist; nothing of theirs is read for the track until they accept. Until then
(and after they decline) the track is decided as if they had chosen nothing, so every use that
needs consent stays off (see ``co-owner-consent`` in docs/decisions.md). The invitation and
the answers are append-only events, like consent: the latest at an instant is the one that
counts, and a share with none (the artist registered the track) counts from the start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

INVITED = "invited"  # the ``by`` of an invitation row; answers name who answered


@dataclass(frozen=True)
class ShareAnswer:
    """An invitation to a share (``accepted`` false, ``by`` "invited ...") or an answer to it."""

    id: int
    track_id: int
    artist_id: int
    accepted: bool
    at: datetime
    by: str


class ShareAnswers:
    """Every invitation and answer about the tracks being decided, asked as of any instant."""

    def __init__(self, answers: Iterable[ShareAnswer]) -> None:
        self._by_share: dict[tuple[int, int], list[ShareAnswer]] = defaultdict(list)
        for answer in sorted(answers, key=lambda a: (a.at, a.id)):
            self._by_share[(answer.track_id, answer.artist_id)].append(answer)

    def latest(self, track_id: int, artist_id: int, at: datetime) -> ShareAnswer | None:
        found = [a for a in self._by_share.get((track_id, artist_id), ()) if a.at <= at]
        return found[-1] if found else None

    def counts(self, track_id: int, artist_id: int, at: datetime) -> bool:
        """Whether the artist's share counts at ``at``: never invited, or last accepted."""
        answer = self.latest(track_id, artist_id, at)
        return answer is None or answer.accepted
