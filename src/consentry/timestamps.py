"""Instants as the ledger keeps them: timezone-aware UTC, stored as integer microseconds.

Integers compare the same way in SQLite, PostgreSQL and numpy, which keeps the one-track and
whole-catalogue paths exactly in step.
"""

from __future__ import annotations

from datetime import UTC, datetime

from consentry.errors import InvalidInput

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_micros(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise InvalidInput("instants must carry a timezone")
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(
        microsecond=micros % 1_000_000)


def parse_instant(text: str) -> datetime:
    """ISO 8601; a value without an offset is read as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidInput(f"not an ISO 8601 instant: {text!r}") from error
    return value if value.tzinfo else value.replace(tzinfo=UTC)
