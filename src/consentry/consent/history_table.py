"""An artist's consent history as a table to keep or open in a spreadsheet: one row per
event, in the order they were recorded, naming the track as it was titled.

Pure: the caller reads the events and the titles; writing the CSV (formula-safe) is
``consentry.spreadsheet_csv``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from consentry.consent.events import ConsentEvent

HISTORY_COLUMNS = (
    "event_id",
    "recorded_at",
    "scope",
    "track_id",
    "track_title",
    "purpose",
    "choice",
    "terms_version",
    "source",
    "recorded_by",
)


def history_rows(
    events: Iterable[ConsentEvent], titles: Mapping[int, str]
) -> Iterator[tuple[object, ...]]:
    """A row per event; a choice for every track (no track id) has no title."""
    for e in events:
        yield (
            e.id,
            e.recorded_at.isoformat(),
            e.scope,
            e.track_id,
            titles.get(e.track_id, "") if e.track_id is not None else "",
            e.purpose,
            e.choice.value,
            e.terms_version,
            e.source,
            e.recorded_by,
        )
