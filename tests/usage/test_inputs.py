"""Periods, pools and currencies as users type them, and the clear refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from consentry.errors import InvalidInput
from consentry.usage import MAX_POOL, parse_currency, parse_period, parse_pool


def test_a_period_covers_whole_utc_days_both_included() -> None:
    period = parse_period("2026-03-01", "2026-03-31")
    assert period.first == date(2026, 3, 1)
    assert period.starts_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert period.ends_before == datetime(2026, 4, 1, tzinfo=UTC)
    assert parse_period("2026-03-01", "2026-03-01").ends_before == datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(("first", "last", "says"), [
    ("2026-13-01", "2026-12-31", "'from' is not a date"),
    ("2026-01-01", "yesterday", "'to' is not a date"),
    ("2026-02-01", "2026-01-31", "starts (2026-02-01) after it ends"),
    ("1900-01-01", "2026-01-01", "at most a hundred years"),
])
def test_bad_periods_say_what_is_wrong(first: str, last: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_period(first, last)


def test_pools_and_currencies() -> None:
    assert parse_pool("100000", "eur").currency == "EUR"
    assert parse_pool(MAX_POOL, "JPY").amount == MAX_POOL
    assert parse_pool(0, "USD").amount == 0
    assert parse_currency(" chf ") == "CHF"


@pytest.mark.parametrize(("amount", "currency", "says"), [
    ("-1", "EUR", "cannot be negative"),
    (MAX_POOL + 1, "EUR", "at most"),
    ("12.50", "EUR", "whole number"),
    ("lots", "EUR", "whole number"),
    ("100", "EURO", "not an ISO 4217"),
    ("100", "€", "not an ISO 4217"),
    ("100", "E1R", "not an ISO 4217"),
])
def test_bad_pools_say_what_is_wrong(amount: str | int, currency: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_pool(amount, currency)
