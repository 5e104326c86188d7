"""Statement rows: CSV that the csv module reads back, and views that show only their own."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from consentry.usage import (
    COMPENSATION_COLUMNS,
    USE_COLUMNS,
    TrackUse,
    Use,
    View,
    compensation_lines,
    compensation_row,
    csv_chunks,
    csv_text,
    distribute,
    use_row,
)

RESULT = distribute(1001, [
    TrackUse(1, 1, ((10, 10_000),)),
    TrackUse(2, 2, ((10, 5_000), (11, 5_000)), rights_holder_id=7),
    TrackUse(3, 1, ((12, 10_000),), rights_holder_id=8),
])
TITLES = {1: "One, with a comma", 2: 'Two "quoted"', 3: "Three\nlines"}
NAMES = {10: "Ada", 11: "Bo", 12: "Cy"}


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_platform_csv_sums_to_the_pool_and_survives_awkward_titles() -> None:
    lines = compensation_lines(RESULT, View.ALL, None, TITLES, NAMES)
    rows = _read(csv_text(COMPENSATION_COLUMNS, (compensation_row(x, "EUR") for x in lines)))
    assert sum(int(r["amount"]) for r in rows) == 1001
    assert {r["track"] for r in rows} == set(TITLES.values())
    assert {r["currency"] for r in rows} == {"EUR"}


def test_an_artist_sees_only_their_parts_and_a_label_only_its_tracks() -> None:
    bo = compensation_lines(RESULT, View.ARTIST, 11, TITLES, {11: "Bo"})
    assert [(x.track_id, x.artist_name, x.basis_points) for x in bo] == [(2, "Bo", 5000)]
    assert sum(x.amount for x in bo) == RESULT.artist_totals()[11]
    label = compensation_lines(RESULT, View.RIGHTS_HOLDER, 8, TITLES, {})
    assert [(x.track_id, x.artist_id, x.amount) for x in label] == [
        (3, None, RESULT.rights_holder_totals()[8])]
    assert compensation_lines(RESULT, View.ARTIST, 99, TITLES, NAMES) == []


def test_uses_stream_in_chunks_that_join_into_one_csv() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    uses = [Use(s, at, at, None, None, "train-ai", t, f"T{t}", None)
            for s in range(1, 4) for t in range(1, 5)]
    chunks = list(csv_chunks(USE_COLUMNS, (use_row(u) for u in uses), rows_per_chunk=5))
    assert len(chunks) == 3
    rows = _read("".join(chunks))
    assert len(rows) == 12 and rows[0]["taken_at"] == "2026-03-01T00:00:00+00:00"
    assert rows[0]["consumer_id"] == ""
