"""A memo of what is derived from the decisions, valid until the ledger changes."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select

from consentry.store.schema import (
    agreements,
    claim_changes,
    consent_events,
    share_answers,
    terms_versions,
)

T = TypeVar("T")


Version = tuple[int, ...]


def ledger_version(conn: Connection) -> Version:
    """Changes whenever anything a decision reads changes. Consent events, agreements, claim
    changes, co-owners' answers and terms versions are append-only, so their newest ids (and
    the count of versions) say it; a track's owners are fixed when it is made."""
    row = conn.execute(select(
        select(func.max(consent_events.c.id)).scalar_subquery(),
        select(func.max(agreements.c.id)).scalar_subquery(),
        select(func.count()).select_from(terms_versions).scalar_subquery(),
        select(func.max(claim_changes.c.id)).scalar_subquery(),
        select(func.max(share_answers.c.id)).scalar_subquery())).one()
    return tuple(value or 0 for value in row)


class LedgerMemo:
    """A process-wide memo for what requests recompute on every hit from the decisions
    (a track's decisions for its page, the headers and rights-embedded copy for its audio
    ranges): an entry holds while one small query finds nothing recorded since, and for at
    most ``ttl`` seconds, since decisions also change with time when an agreement starts or
    ends."""

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._entries: OrderedDict[Hashable, tuple[Version, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conn: Connection, key: Hashable, compute: Callable[[], T]) -> T:
        version, now = ledger_version(conn), time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry and entry[0] == version and now < entry[1]:
            value: T = entry[2]
            return value
        value = compute()
        with self._lock:
            self._entries[key] = (version, now + self.ttl, value)
            self._entries.move_to_end(key)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
