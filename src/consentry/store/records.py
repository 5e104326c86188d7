"""Conversions between rows and domain objects, shared by the repositories."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from consentry.consent import Agreement, Choice, ConsentEvent, Consumer, ConsumerKind
from consentry.timestamps import from_micros


def purposes_json(purposes: Iterable[str]) -> str:
    return json.dumps(sorted(purposes))


def purposes_from_json(text: str | None) -> frozenset[str]:
    return frozenset(json.loads(text)) if text else frozenset()


def event_from_row(row: Any) -> ConsentEvent:
    return ConsentEvent(
        id=row.id, artist_id=row.artist_id, purpose=row.purpose, choice=Choice(row.choice),
        track_id=row.track_id, recorded_at=from_micros(row.recorded_at), source=row.source,
        terms_version=row.terms_version, recorded_by=row.recorded_by)


def agreement_from_row(row: Any) -> Agreement:
    return Agreement(
        id=row.id, rights_holder_id=row.rights_holder_id, title=row.title,
        restricted_purposes=purposes_from_json(row.restricted_purposes),
        starts_at=from_micros(row.starts_at),
        ends_at=None if row.ends_at is None else from_micros(row.ends_at),
        recorded_at=from_micros(row.created_at))


def consumer_from_row(row: Any) -> Consumer:
    return Consumer(
        id=row.id, name=row.name, kind=ConsumerKind(row.kind), organisation=row.organisation,
        purposes=purposes_from_json(row.purposes), datasets_only=bool(row.datasets_only))
