"""The artist's consent history as a CSV download, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from sqlalchemy import Connection

from consentry.consent.history_table import HISTORY_COLUMNS, history_rows
from consentry.spreadsheet_csv import csv_text
from consentry.store import catalogue, ledger

HISTORY_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One row per consent event, oldest first (formula-safe CSV)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def history_csv(db: Connection, artist_id: int) -> Response:
    """Every event the artist recorded, as an attachment; the caller checked who may."""
    events = ledger.events_of(db, [artist_id])
    name = f"consentry-history-artist-{artist_id}.csv"
    titles = catalogue.track_titles(db, {e.track_id for e in events if e.track_id is not None})
    return Response(
        csv_text(HISTORY_COLUMNS, history_rows(events, titles)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
