"""The history table is built from events alone: a row per event, titles where known."""

from __future__ import annotations

from datetime import UTC, datetime

from consentry.consent import Choice, ConsentEvent
from consentry.consent.history_table import HISTORY_COLUMNS, history_rows


def test_a_row_per_event_naming_the_track() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    events = [
        ConsentEvent(7, 1, "train-ai", Choice.DENY, None, at, "web", "2025-06", "artist:1"),
        ConsentEvent(9, 1, "recommendations", Choice.ALLOW, 4, at, "api", "2026-01"),
    ]
    rows = list(history_rows(events, {4: "=Song"}))
    assert len(rows) == 2 and len(rows[0]) == len(HISTORY_COLUMNS)
    first = dict(zip(HISTORY_COLUMNS, rows[0], strict=True))
    assert first["event_id"] == 7 and first["scope"] == "artist" and first["track_title"] == ""
    assert first["recorded_at"] == "2026-01-02T03:04:05+00:00" and first["choice"] == "deny"
    second = dict(zip(HISTORY_COLUMNS, rows[1], strict=True))
    assert second["track_title"] == "=Song" and second["terms_version"] == "2026-01"
