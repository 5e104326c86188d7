"""The inputs of a statement, checked: a period of whole UTC days, and a licensing pool (an
integer amount of a currency's minor units)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from consentry.errors import InvalidInput

# Ten trillion euros in cents: past any real licensing pool, and far from any integer limit.
MAX_POOL = 10**15
MAX_DAYS = 366 * 100
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Period:
    """Whole days, both included: ``first`` 00:00 UTC up to (not including) the day after
    ``last``. Days rather than instants so that two statements of adjacent months never
    count the same use twice and never miss one."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise InvalidInput(f"the period starts ({self.first}) after it ends ({self.last})")
        if (self.last - self.first).days >= MAX_DAYS:
            raise InvalidInput("a period is at most a hundred years")

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time(), UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), datetime.min.time(), UTC)

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class Pool:
    """A licensing pool: ``amount`` minor units (cents for EUR) of ``currency``."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidInput("the pool is a whole number of minor currency units")
        if self.amount < 0:
            raise InvalidInput(f"the pool cannot be negative ({self.amount})")
        if self.amount > MAX_POOL:
            raise InvalidInput(f"the pool is at most {MAX_POOL} minor units")
        if not _CURRENCY.fullmatch(self.currency):
            raise InvalidInput(f"{self.currency!r} is not an ISO 4217 currency code "
                               "(three letters, e.g. EUR)")


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidInput(f"'{name}' is not a date (YYYY-MM-DD): {text[:40]!r}") from error


def parse_period(first: str, last: str) -> Period:
    """``--from`` and ``--to`` as given: ISO dates, both days included."""
    return Period(_day(first, "from"), _day(last, "to"))


def parse_currency(text: str) -> str:
    """Three letters, upper-cased (``eur`` is EUR); anything else is refused."""
    code = text.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise InvalidInput(f"{text[:20]!r} is not an ISO 4217 currency code "
                           "(three letters, e.g. EUR)")
    return code


def parse_pool(amount: str | int, currency: str) -> Pool:
    if isinstance(amount, str):
        if not re.fullmatch(r"-?\d{1,30}", amount.strip()):
            raise InvalidInput(f"the pool is a whole number of minor units, not {amount[:30]!r}")
        amount = int(amount)
    return Pool(amount, parse_currency(currency))
