"""Terms versions as far as decisions need them: required and prohibited purposes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from consentry.consent import BASELINE_TERMS, TermsPolicy, terms_in_force
from consentry.errors import InvalidInput
from consentry.store.records import purposes_from_json, purposes_json
from consentry.store.schema import terms_versions
from consentry.timestamps import from_micros, to_micros, utcnow


def list_terms(conn: Connection) -> list[TermsPolicy]:
    rows = conn.execute(select(terms_versions).order_by(terms_versions.c.effective_at))
    return [TermsPolicy(
        version=r.version, effective_at=from_micros(r.effective_at),
        required=purposes_from_json(r.required_purposes),
        prohibited=purposes_from_json(r.prohibited_purposes)) for r in rows]


def terms_at(conn: Connection, at: datetime) -> TermsPolicy:
    return terms_in_force(list_terms(conn), at)


def publish_terms(conn: Connection, policy: TermsPolicy) -> TermsPolicy:
    """Record a terms version; versions are never edited, only superseded."""
    if any(t.version == policy.version for t in list_terms(conn)):
        raise InvalidInput(f"terms version {policy.version!r} already exists")
    conn.execute(insert(terms_versions).values(
        version=policy.version, effective_at=to_micros(policy.effective_at),
        required_purposes=purposes_json(policy.required),
        prohibited_purposes=purposes_json(policy.prohibited), published_at=to_micros(utcnow())))
    return policy


def ensure_baseline_terms(conn: Connection) -> None:
    if not list_terms(conn):
        publish_terms(conn, BASELINE_TERMS)
