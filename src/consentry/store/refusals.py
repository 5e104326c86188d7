"""Counts of refused AI crawlers and throttled clients, for the admin page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select

from consentry.store.database import insert_with_conflicts
from consentry.store.schema import refusal_counts
from consentry.timestamps import from_micros, to_micros, utcnow

CRAWLER = "crawler"
THROTTLED = "throttled"


@dataclass(frozen=True)
class RefusalCount:
    day: str
    agent: str
    kind: str
    purpose: str
    count: int
    last_at: datetime


def count_refusals(conn: Connection, counts: Iterable[tuple[str, str, str, int]],
                   at: datetime | None = None) -> None:
    """Add ``(agent, kind, purpose, n)`` to today's counters in one upsert per row."""
    at = at or utcnow()
    day, micros = at.astimezone(UTC).date().isoformat(), to_micros(at)
    for agent, kind, purpose, n in counts:
        statement = insert_with_conflicts(conn, refusal_counts).values(
            day=day, agent=agent[:64], kind=kind, purpose=purpose[:80], count=n, last_at=micros)
        conn.execute(statement.on_conflict_do_update(
            index_elements=["day", "agent", "kind", "purpose"],
            set_={"count": refusal_counts.c.count + statement.excluded.count,
                  "last_at": statement.excluded.last_at}))


def recent_refusals(conn: Connection, days: int = 30) -> list[RefusalCount]:
    """Counters of the last ``days`` days, newest day first, biggest count first."""
    since = (utcnow() - timedelta(days=days)).date().isoformat()
    rows = conn.execute(select(refusal_counts).where(refusal_counts.c.day >= since)
                        .order_by(refusal_counts.c.day.desc(), refusal_counts.c.count.desc(),
                                  refusal_counts.c.agent))
    # the column is read by key: to a type checker a Row's .count is tuple.count
    return [RefusalCount(r.day, r.agent, r.kind, r.purpose, r._mapping["count"],
                         from_micros(r.last_at))
            for r in rows]
