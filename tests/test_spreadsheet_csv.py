"""CSV downloads open in a spreadsheet as text, never as a formula (OWASP, CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from consentry.spreadsheet_csv import csv_chunks, csv_text


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0",
                                   "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"])
def test_a_text_cell_that_starts_a_formula_is_written_as_text(title: str) -> None:
    [_, row] = csv.reader(io.StringIO(csv_text(["track"], [[title]]), newline=""))
    assert row == ["'" + title]


def test_numbers_and_harmless_text_are_written_as_they_are() -> None:
    rows = [[-1500, -2.5, 0, "", "Solo Song", "2026-03-01T00:00:00+00:00", "a=b", "Ok -1"]]
    [_, row] = csv.reader(io.StringIO(csv_text(["x"] * 8, rows), newline=""))
    assert row == ["-1500", "-2.5", "0", "", "Solo Song", "2026-03-01T00:00:00+00:00", "a=b",
                   "Ok -1"]


def test_every_chunk_is_neutralised() -> None:
    text = "".join(csv_chunks(["n", "track"], ([n, "=1+1"] for n in range(5)),
                              rows_per_chunk=2))
    assert [r[1] for r in csv.reader(io.StringIO(text, newline=""))][1:] == ["'=1+1"] * 5
