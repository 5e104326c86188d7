"""The server's periodic sweep purges what has expired."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from consentry.settings import Settings
from consentry.store import login_throttle
from consentry.store.schema import login_failures
from consentry.timestamps import utcnow
from consentry.web.app import sweep_once


def test_the_sweep_forgets_failed_logins_that_no_longer_count(engine: Engine,
                                                              settings: Settings) -> None:
    now = utcnow()
    with engine.begin() as conn:
        login_throttle.record_failure(conn, "cy@example.org", "198.51.100.7",
                                      now - login_throttle.FAILURE_MEMORY - timedelta(seconds=1))
        login_throttle.record_failure(conn, "cy@example.org", "198.51.100.7", now)
    assert sweep_once(engine, settings).failures_purged == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(login_failures)).scalar_one() == 1
