"""How long a failed delivery waits before the next attempt: the mail outbox and the
withdrawal webhooks back off the same way, each from its own first wait."""

from __future__ import annotations

from datetime import timedelta


def doubling_wait(attempts_before: int, first: timedelta, longest: timedelta) -> timedelta:
    """``first``, then twice as long after each failed attempt, never more than ``longest``
    (the exponent is capped so that a long-failing queue cannot overflow it)."""
    wait: timedelta = min(first * (2 ** min(attempts_before, 20)), longest)
    return wait
