"""Failed logins, throttled per (account, address) pair and per address, never per account.

A wrong password costs nothing the first few times; past that, the next attempt waits, twice
as long after each further failure. Attempts are counted per pair, so someone guessing at an
account from one address cannot lock its owner out from another, and per address with a much
higher allowance, so one address cannot try a password on every account. The rule is in
docs/security.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select

from consentry.errors import N_, RateLimited
from consentry.retries import doubling_wait
from consentry.store.schema import login_failures
from consentry.timestamps import from_micros, to_micros

FAILURE_MEMORY = timedelta(hours=1)  # how long a failed login counts
FREE_FAILURES_PER_PAIR = 5
FREE_FAILURES_PER_ADDRESS = 50
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class Failures:
    """The failed logins of a pair or an address that still count, and the latest."""

    count: int
    latest: datetime | None

    def wait_until(self, free: int) -> datetime | None:
        """When the next attempt may be made: the latest failure plus a doubling wait, once
        more than ``free`` failures count; None while they are free."""
        if self.latest is None or self.count < free:
            return None
        return self.latest + doubling_wait(self.count - free, FIRST_WAIT, LONGEST_WAIT)


def check_allowed(conn: Connection, email: str, client: str, now: datetime) -> None:
    """Refuse with ``RateLimited`` (``retry_after`` in seconds) while the pair or the address
    must wait; the password is not even checked then."""
    since = to_micros(now - FAILURE_MEMORY)
    by_pair = _failures(conn, since, login_failures.c.email == email,
                        login_failures.c.client == client[:64])
    by_address = _failures(conn, since, login_failures.c.client == client[:64])
    waits = [t for t in (by_pair.wait_until(FREE_FAILURES_PER_PAIR),
                         by_address.wait_until(FREE_FAILURES_PER_ADDRESS)) if t and t > now]
    if waits:
        seconds = math.ceil((max(waits) - now).total_seconds())
        raise RateLimited(N_("too many failed logins; try again in %(minutes)s min"),
                          {"retry_after": seconds})


def record_failure(conn: Connection, email: str, client: str, at: datetime) -> None:
    conn.execute(insert(login_failures).values(email=email, client=client[:64],
                                               at=to_micros(at)))


def forget_failures(conn: Connection, email: str, client: str) -> None:
    """A correct login from an address clears that pair's failures."""
    conn.execute(delete(login_failures).where(login_failures.c.email == email,
                                              login_failures.c.client == client[:64]))


def purge_failures(conn: Connection, now: datetime) -> int:
    """Delete the failures that no longer count; how many."""
    return conn.execute(delete(login_failures).where(
        login_failures.c.at < to_micros(now - FAILURE_MEMORY))).rowcount


def _failures(conn: Connection, since: int, *where: ColumnElement[bool]) -> Failures:
    count, latest = conn.execute(select(func.count(), func.max(login_failures.c.at)).where(
        login_failures.c.at >= since, *where)).one()
    return Failures(count, from_micros(latest) if latest is not None else None)
