"""Projection of the ledger: an artist's choice for a purpose, at any instant.

Within one scope (one track, or all of the artist's tracks) the latest event per purpose
counts; a 'deny' on the purpose or any broader one wins over any 'allow', and an 'allow'
reaches narrower purposes down to an explicit opt-in boundary (see purposes.allow_chain).
A 'clear' as the latest event leaves the purpose unset in that scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from consentry.consent.events import ConsentEvent
from consentry.purposes import allow_chain, deny_chain

_ScopeKey = tuple[int, int | None]  # (artist id, track id or None for all tracks)


class ConsentHistory:
    """The events of some artists, answering questions about any instant."""

    def __init__(self, events: Iterable[ConsentEvent]) -> None:
        self._by_scope: dict[_ScopeKey, list[ConsentEvent]] = defaultdict(list)
        for event in sorted(events, key=lambda e: (e.recorded_at, e.id)):
            self._by_scope[(event.artist_id, event.track_id)].append(event)

    def latest(
        self, artist_id: int, track_id: int | None, purpose: str, at: datetime
    ) -> ConsentEvent | None:
        """The last event recorded at or before ``at`` for exactly this scope and purpose."""
        found = None
        for event in self._by_scope.get((artist_id, track_id), ()):
            if event.recorded_at > at:
                break
            if event.purpose == purpose:
                found = event
        return found

    def effective_choice(
        self, artist_id: int, track_id: int | None, purpose: str, at: datetime
    ) -> ConsentEvent | None:
        """The event that settles ``purpose`` in one scope, or None when the scope is silent."""
        latest = {p: self.latest(artist_id, track_id, p, at) for p in deny_chain(purpose)}
        for p in deny_chain(purpose):
            event = latest[p]
            if event is not None and event.denied:
                return event
        for p in allow_chain(purpose):
            event = latest[p]
            if event is not None and event.allowed:
                return event
        return None

    def current_choices(
        self, artist_id: int, track_id: int | None, at: datetime
    ) -> dict[str, ConsentEvent]:
        """The latest recorded event per purpose in one scope (what the artist last said)."""
        state: dict[str, ConsentEvent] = {}
        for event in self._by_scope.get((artist_id, track_id), ()):
            if event.recorded_at > at:
                break
            state[event.purpose] = event
        return state
