"""Terms versions: the purpose rules decisions read, and the published text with its hash.

Versions are append-only (the database refuses UPDATE and DELETE). A version that changes AI
use is *material*: its ``effective_at`` is the end of its notice period, so no decision can
apply it earlier, whatever the caller asks for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from consentry.consent import BASELINE_TERMS, TermsPolicy, terms_in_force
from consentry.errors import N_, InvalidInput, NotFound
from consentry.store.log_sources import log_new_publication
from consentry.store.records import purposes_from_json, purposes_json
from consentry.store.schema import terms_versions
from consentry.terms import TermsDocument, TermsReview, TermsVersion, parse_terms, review_terms
from consentry.terms.document import text_hash
from consentry.timestamps import from_micros, to_micros, utcnow

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
EMPTY_TERMS = TermsDocument("", (), "", text_hash(""))


@dataclass(frozen=True)
class PublishedTerms:
    """One row of ``terms_versions``; the text fields are empty for versions published before
    the text was kept (the baseline)."""

    version: str
    title: str
    markdown: str
    text_hash: str
    material: bool
    published_at: datetime
    effective_at: datetime
    notice_ends_at: datetime
    introduced_purposes: tuple[str, ...]
    published_by: str
    refusal_note: str
    policy: TermsPolicy

    @property
    def has_text(self) -> bool:
        return bool(self.markdown)

    def document(self) -> TermsDocument:
        return parse_terms(self.markdown) if self.markdown else EMPTY_TERMS

    def notice_version(self) -> TermsVersion:
        """The version as :mod:`consentry.terms.notice` reasons about it."""
        effective = to_micros(self.effective_at)
        # The baseline's rules date from the platform's start, before its row was written.
        published = min(to_micros(self.published_at), effective)
        period = effective - published if self.material else 0
        return TermsVersion(self.version, self.text_hash, published, self.material, period,
                            effective, self.refusal_note)


def _published(row: Row[Any]) -> PublishedTerms:
    policy = TermsPolicy(version=row.version, effective_at=from_micros(row.effective_at),
                         required=purposes_from_json(row.required_purposes),
                         prohibited=purposes_from_json(row.prohibited_purposes))
    return PublishedTerms(
        row.version, row.title or "", row.markdown or "", row.text_hash or "",
        bool(row.material), from_micros(row.published_at), from_micros(row.effective_at),
        from_micros(row.notice_ends_at if row.notice_ends_at is not None else row.published_at),
        tuple(json.loads(row.introduced_purposes or "[]")), row.published_by or "",
        row.refusal_note or "", policy)


def list_published(conn: Connection) -> list[PublishedTerms]:
    """Every version, oldest first; the baseline, whose rules date from the platform's start
    though its row was written later, counts from its effective date."""
    versions = [_published(r) for r in conn.execute(select(terms_versions))]
    return sorted(versions, key=lambda t: (min(t.published_at, t.effective_at), t.version))


def get_published(conn: Connection, version: str) -> PublishedTerms:
    row = conn.execute(select(terms_versions).where(
        terms_versions.c.version == version)).first()
    if row is None:
        raise NotFound(N_("no such terms version"), {"version": version})
    return _published(row)


def latest_text(conn: Connection) -> PublishedTerms | None:
    """The newest published version that has a text: what a draft is compared with."""
    return next((t for t in reversed(list_published(conn)) if t.has_text), None)


def in_force_text(conn: Connection, at: datetime) -> PublishedTerms | None:
    """The newest version with a text whose notice is over: what /terms shows as in force."""
    return next((t for t in reversed(list_published(conn))
                 if t.has_text and t.effective_at <= at), None)


def list_terms(conn: Connection) -> list[TermsPolicy]:
    return [t.policy for t in sorted(list_published(conn), key=lambda t: t.effective_at)]


def terms_at(conn: Connection, at: datetime) -> TermsPolicy:
    """The purpose rules decisions apply at ``at`` (see :func:`terms_in_force`)."""
    return terms_in_force(list_terms(conn), at)


@dataclass(frozen=True)
class Draft:
    """A proposed version compared with the latest published one, before anything is stored."""

    document: TermsDocument
    previous: PublishedTerms | None
    review: TermsReview
    policy_changes: tuple[str, ...]

    @property
    def material(self) -> bool:
        return self.review.material or bool(self.policy_changes)


def review_draft(conn: Connection, markdown: str, *, required: frozenset[str] | None = None,
                 prohibited: frozenset[str] | None = None) -> Draft:
    """Parse and classify a draft against the latest text; a change of the required or
    prohibited purposes is material whatever the wording says."""
    document = parse_terms(markdown)
    previous = latest_text(conn)
    review = review_terms(previous.document() if previous else EMPTY_TERMS, document)
    before = terms_at(conn, utcnow()) if previous is None else previous.policy
    changes: list[str] = []
    if required is not None and required != before.required:
        changes.append("required purposes: " + ", ".join(sorted(required)))
    if prohibited is not None and prohibited != before.prohibited:
        changes.append("prohibited purposes: " + ", ".join(sorted(prohibited)))
    return Draft(document, previous, review, tuple(changes))


def publish_text(conn: Connection, version: str, markdown: str, published_by: str, *,
                 notice: timedelta, at: datetime | None = None,
                 required: frozenset[str] | None = None,
                 prohibited: frozenset[str] | None = None,
                 refusal_note: str = "") -> PublishedTerms:
    """Publish a version with its text; a material one takes effect after ``notice``.

    The purpose rules are the previous version's unless given; no caller can make a material
    version take effect early, and a version can never be edited once published.
    """
    if not _VERSION.match(version):
        raise InvalidInput(N_("a version is 1 to 50 letters, digits, dots, dashes or "
                              "underscores"), {"version": version})
    if conn.execute(select(terms_versions.c.version).where(
            terms_versions.c.version == version)).first():
        raise InvalidInput(N_("this terms version already exists"), {"version": version})
    if notice < timedelta(0):
        raise InvalidInput(N_("the notice period cannot be negative"))
    at = at or utcnow()
    draft = review_draft(conn, markdown, required=required, prohibited=prohibited)
    if draft.review.diff.is_empty and draft.previous is not None and not draft.policy_changes:
        raise InvalidInput(N_("this text is the same as the version in force"))
    base = draft.previous.policy if draft.previous else terms_at(conn, at)
    policy = TermsPolicy(version, at, required if required is not None else base.required,
                         prohibited if prohibited is not None else base.prohibited)
    notice_ends = at + notice if draft.material else at
    conn.execute(insert(terms_versions).values(
        version=version, effective_at=to_micros(notice_ends),
        required_purposes=purposes_json(policy.required),
        prohibited_purposes=purposes_json(policy.prohibited), published_at=to_micros(at),
        title=draft.document.title[:200], markdown=draft.document.source,
        text_hash=draft.document.text_hash, material=draft.material,
        notice_ends_at=to_micros(notice_ends),
        introduced_purposes=json.dumps(list(draft.review.introduced_purposes)),
        published_by=published_by[:200], refusal_note=refusal_note))
    log_new_publication(conn, version)
    return get_published(conn, version)


def publish_terms(conn: Connection, policy: TermsPolicy) -> TermsPolicy:
    """Record the purpose rules of a version without a text (the baseline, imports)."""
    if any(t.version == policy.version for t in list_terms(conn)):
        raise InvalidInput(f"terms version {policy.version!r} already exists")
    conn.execute(insert(terms_versions).values(
        version=policy.version, effective_at=to_micros(policy.effective_at),
        required_purposes=purposes_json(policy.required),
        prohibited_purposes=purposes_json(policy.prohibited), published_at=to_micros(utcnow())))
    log_new_publication(conn, policy.version)
    return policy


def ensure_baseline_terms(conn: Connection) -> None:
    if not list_terms(conn):
        publish_terms(conn, BASELINE_TERMS)
