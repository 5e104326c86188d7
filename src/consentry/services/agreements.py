"""Entering a rights holder's agreement: stored and logged, and, if it is in force at once,
the label's tracks it now restricts are withdrawn from the snapshots that hold them (one that
starts later is checked when it starts: ``withdrawal_causes.withdraw_for_due``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from consentry.consent import Agreement
from consentry.services.withdrawal_causes import withdraw_for_due
from consentry.store.catalogue import create_agreement


def enter_agreement(conn: Connection, rights_holder_id: int, title: str,
                    restricted_purposes: frozenset[str], starts_at: datetime | None = None,
                    ends_at: datetime | None = None) -> Agreement:
    agreement = create_agreement(conn, rights_holder_id, title, restricted_purposes,
                                 starts_at, ends_at)
    withdraw_for_due(conn)
    return agreement
