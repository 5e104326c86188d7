"""Usage and compensation statements: what counts as an AI use of a track, and how a licensing
pool is shared over the uses of a period (pure arithmetic; the store gathers the uses)."""

from consentry.spreadsheet_csv import csv_chunks, csv_text
from consentry.usage.audience import UsageScope, compensation_view, uses_scope
from consentry.usage.compensation import (
    SHARE_UNITS,
    Compensation,
    OwnerPart,
    TrackAmount,
    TrackUse,
    distribute,
    largest_remainder,
)
from consentry.usage.compensation_columns import distribute_columns
from consentry.usage.inputs import MAX_POOL, Period, Pool, parse_currency, parse_period, parse_pool
from consentry.usage.statements import (
    COMPENSATION_COLUMNS,
    USE_COLUMNS,
    CompensationLine,
    Use,
    View,
    compensation_lines,
    compensation_row,
    use_row,
)

__all__ = [
    "COMPENSATION_COLUMNS",
    "MAX_POOL",
    "SHARE_UNITS",
    "USE_COLUMNS",
    "Compensation",
    "CompensationLine",
    "OwnerPart",
    "Period",
    "Pool",
    "TrackAmount",
    "TrackUse",
    "UsageScope",
    "Use",
    "View",
    "compensation_lines",
    "compensation_row",
    "compensation_view",
    "csv_chunks",
    "csv_text",
    "distribute",
    "distribute_columns",
    "largest_remainder",
    "parse_currency",
    "parse_period",
    "parse_pool",
    "use_row",
    "uses_scope",
]
