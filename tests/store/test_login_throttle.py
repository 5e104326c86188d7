"""Failed logins wait per (account, address) pair and per address, doubling, and never lock an
account's owner out from another address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.errors import RateLimited, Unauthenticated
from consentry.store import accounts, login_throttle
from consentry.store.login_throttle import (
    FAILURE_MEMORY,
    FREE_FAILURES_PER_ADDRESS,
    FREE_FAILURES_PER_PAIR,
)

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
ATTACKER, OWNER = "198.51.100.7", "203.0.113.9"


def _retry_after(engine: Engine, email: str, password: str, client: str,
                 at: datetime) -> int | None:
    """Seconds to wait, or None if the attempt was answered (right or wrong)."""
    with engine.begin() as conn:
        try:
            accounts.verify_login(conn, email, password, client, at)
        except RateLimited as error:
            return int(error.detail["retry_after"])  # type: ignore[index]
        except Unauthenticated:
            pass
    return None


@pytest.fixture
def email(engine: Engine) -> str:
    with engine.begin() as conn:
        return accounts.create_user(conn, "cy@example.org", PASSWORD, "Cy", Role.ARTIST).email


@pytest.mark.slow
def test_the_waits_double_after_the_free_failures(engine: Engine, email: str) -> None:
    at = T0
    for _ in range(FREE_FAILURES_PER_PAIR):
        assert _retry_after(engine, email, "wrong!", ATTACKER, at) is None
        at += timedelta(seconds=1)
    waits = []
    for _ in range(6):
        wait = _retry_after(engine, email, "wrong!", ATTACKER, at)
        assert wait is not None
        waits.append(wait)
        at += timedelta(seconds=wait)  # waited it out: this attempt is answered, and fails
        assert _retry_after(engine, email, "wrong!", ATTACKER, at) is None
    assert waits == [59, 120, 240, 480, 900, 900]  # one second of the first already passed
    # the right password from the address under suspicion waits too; from another, it works
    assert _retry_after(engine, email, PASSWORD, ATTACKER, at) == 900
    with engine.begin() as conn:
        assert accounts.verify_login(conn, email, PASSWORD, OWNER, at).email == email


def test_the_owner_is_never_locked_out_by_guesses_from_elsewhere(engine: Engine,
                                                                 email: str) -> None:
    with engine.begin() as conn:
        for n in range(200):  # a guesser with many addresses
            login_throttle.record_failure(conn, email, f"10.0.{n // 250}.{n % 250}", T0)
        assert accounts.verify_login(conn, email, PASSWORD, OWNER, T0).email == email


def test_one_address_trying_many_accounts_waits_past_a_higher_allowance(
        engine: Engine, email: str) -> None:
    with engine.begin() as conn:
        for n in range(FREE_FAILURES_PER_ADDRESS - 1):
            login_throttle.record_failure(conn, f"user{n}@example.org", ATTACKER, T0)
    assert _retry_after(engine, email, "wrong!", ATTACKER, T0) is None  # the 50th
    assert _retry_after(engine, email, PASSWORD, ATTACKER, T0) == 60
    with engine.begin() as conn:
        assert accounts.verify_login(conn, email, PASSWORD, OWNER, T0).email == email


@pytest.mark.slow
def test_a_correct_login_clears_its_pair_and_old_failures_are_purged(
        engine: Engine, email: str) -> None:
    for n in range(FREE_FAILURES_PER_PAIR - 1):
        assert _retry_after(engine, email, "wrong!", ATTACKER, T0 + timedelta(seconds=n)) is None
    with engine.begin() as conn:
        accounts.verify_login(conn, email, PASSWORD, ATTACKER, T0)
    for n in range(FREE_FAILURES_PER_PAIR):  # five free again, not one
        assert _retry_after(engine, email, "wrong!", ATTACKER, T0 + timedelta(seconds=n)) is None
    with engine.begin() as conn:
        login_throttle.record_failure(conn, email, OWNER, T0 + FAILURE_MEMORY)
        assert login_throttle.purge_failures(conn, T0 + FAILURE_MEMORY + timedelta(
            seconds=5)) == FREE_FAILURES_PER_PAIR
        assert login_throttle.purge_failures(conn, T0 + 2 * FAILURE_MEMORY + timedelta(
            seconds=1)) == 1
