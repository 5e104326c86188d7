"""Withdrawals for every cause, not only consent events: an agreement that starts restricting
a label's catalogue, a content claim on an upload, an owner who declines their share, a terms
version that prohibits a use or stops requiring it, a track removed from the catalogue. Each is
checked against the snapshots holding the tracks it speaks about, as a consent event is
(``withdrawal_detection``); a removal takes its track out of every one, undecided.

Claims and share answers take effect when recorded, so they are checked in the transaction
that records them. Agreements and terms versions take effect at an instant of their own
(an agreement's stated start if later than its recording; a version's effective date after
its notice): ``withdraw_for_due`` checks those whose instant has come and that were not yet
checked, and marks them (``withdrawal_checks``). It runs after an agreement is entered or a
version published (for those in force at once) and on the server's periodic sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from consentry.consent import Agreement, TermsPolicy, terms_in_force
from consentry.consent.ownership import ShareAnswer
from consentry.ledger.records import (
    AGREEMENT,
    CONSENT_EVENT,
    CONTENT_CLAIM,
    SHARE_ANSWER,
    TERMS_PUBLICATION,
    TRACK_REMOVAL,
)
from consentry.services.withdrawal_detection import (
    Cause,
    RecordedWithdrawal,
    event_cause,
    one_track,
    record_cause,
    relevant_purposes,
)
from consentry.store.catalogue import get_agreement, list_agreements
from consentry.store.claims import get_claim
from consentry.store.database import insert_with_conflicts
from consentry.store.parties import get_consumer
from consentry.store.records import event_from_row
from consentry.store.schema import (
    consent_events,
    dataset_snapshots,
    dataset_tracks,
    log_entries,
    share_answers,
    track_removals,
    tracks,
    withdrawal_checks,
)
from consentry.store.terms import list_terms
from consentry.timestamps import from_micros, to_micros, utcnow


def claim_cause(claim_id: int, track_id: int, at: datetime) -> Cause:
    """A claim restricts every use of its upload that needs consent."""
    return Cause(CONTENT_CLAIM, str(claim_id), at, one_track(track_id))


def answer_cause(answer: ShareAnswer) -> Cause:
    """An owner who declines (or takes back) their share: the track is decided as if they
    denied every use that needs consent."""
    return Cause(SHARE_ANSWER, str(answer.id), answer.at, one_track(answer.track_id))


def agreement_cause(agreement: Agreement, at: datetime) -> Cause:
    """An agreement speaks about its rights holder's catalogue, for the purposes it restricts."""
    catalogue = select(tracks.c.id).where(tracks.c.rights_holder_id == agreement.rights_holder_id)
    return Cause(AGREEMENT, str(agreement.id), at, catalogue, agreement.restricted_purposes)


def terms_cause(version: str, before: TermsPolicy, after: TermsPolicy, at: datetime) -> Cause:
    """A terms version speaks about every track in a snapshot, for the purposes it newly
    prohibits or no longer requires (a required use needs no consent; without the
    requirement, consent decides)."""
    changed = (after.prohibited - before.prohibited) | (before.required - after.required)
    held = select(dataset_tracks.c.track_id).distinct()
    return Cause(TERMS_PUBLICATION, version, at, held, frozenset(changed))


def removal_cause(removal_id: int, track_id: int, at: datetime) -> Cause:
    """A removed track leaves every snapshot, whatever its purpose: nothing is decided."""
    return Cause(TRACK_REMOVAL, str(removal_id), at, one_track(track_id), withdraws_all=True)


def withdraw_for_claims(conn: Connection, claims: Iterable[tuple[int, int, datetime]]
                        ) -> list[RecordedWithdrawal]:
    """For claims just opened: (claim id, track id, opened at) each."""
    return [w for claim_id, track_id, at in claims
            for w in record_cause(conn, claim_cause(claim_id, track_id, at))]


def withdraw_for_answer(conn: Connection, answer: ShareAnswer) -> list[RecordedWithdrawal]:
    """For an answer just given: only a refusal can take a track out."""
    return [] if answer.accepted else record_cause(conn, answer_cause(answer))


def withdraw_for_due(conn: Connection, now: datetime | None = None) -> list[RecordedWithdrawal]:
    """Check each agreement and terms version whose instant has come and that was not checked
    yet; mark each checked, with or without withdrawals."""
    now = now or utcnow()
    checked = {(k, r) for k, r in conn.execute(select(withdrawal_checks.c.cause_kind,
                                                      withdrawal_checks.c.cause_ref))}
    found: list[RecordedWithdrawal] = []
    for agreement in list_agreements(conn):
        if (AGREEMENT, str(agreement.id)) in checked or agreement.effective_from > now:
            continue
        if agreement.in_force(now):
            found += record_cause(conn, agreement_cause(agreement, now))
        _mark(conn, AGREEMENT, str(agreement.id), now)
    versions = list_terms(conn)
    for version in versions:
        if (TERMS_PUBLICATION, version.version) in checked or version.effective_at > now:
            continue
        before = terms_in_force(versions, version.effective_at - timedelta(microseconds=1))
        after = terms_in_force(versions, version.effective_at)
        if after.version == version.version:  # not already superseded when it came due
            found += record_cause(conn, terms_cause(version.version, before, after, now))
        _mark(conn, TERMS_PUBLICATION, version.version, now)
    return found


def _mark(conn: Connection, kind: str, ref: str, at: datetime) -> None:
    conn.execute(insert_with_conflicts(conn, withdrawal_checks).values(
        cause_kind=kind, cause_ref=ref, checked_at=to_micros(at)))


def catch_up_snapshot(conn: Connection, snapshot_id: int, seen_log_size: int) -> int:
    """For a snapshot being stored: replay the causes its decisions may not reflect, as if
    they were recorded now. Those are the causes logged since ``seen_log_size`` (the log's
    size before its decisions were read: they may have committed in between) and, for a
    snapshot of a past instant, every relevant consent event since that instant. Returns how
    many withdrawals were recorded."""
    snapshot = conn.execute(select(dataset_snapshots)
                            .where(dataset_snapshots.c.id == snapshot_id)).one()
    consumer = get_consumer(conn, snapshot.consumer_id) if snapshot.consumer_id else None
    relevant = consent_events.c.purpose.in_(relevant_purposes(snapshot.purpose, consumer))
    late = select(log_entries.c.kind, log_entries.c.source_id).where(
        log_entries.c.idx >= seen_log_size,
        log_entries.c.kind.in_((CONSENT_EVENT, CONTENT_CLAIM, SHARE_ANSWER, AGREEMENT,
                                TRACK_REMOVAL)))
    late_by_kind: dict[str, list[int]] = {}
    for kind, source_id in conn.execute(late):
        late_by_kind.setdefault(kind, []).append(source_id)
    # Two index searches (the events by id, then by purpose and time), not one scan
    since = select(consent_events.c.id).where(
        relevant, consent_events.c.id.in_(late_by_kind.get(CONSENT_EVENT, [])))
    if snapshot.revision_of is None:
        since = since.union(select(consent_events.c.id).where(  # type: ignore[assignment]
            relevant, consent_events.c.recorded_at > snapshot.at))
    causes = [event_cause(event_from_row(r)) for r in conn.execute(
        select(consent_events).where(consent_events.c.id.in_(since))
        .order_by(consent_events.c.recorded_at, consent_events.c.id))]
    now = utcnow()
    for claim_id in late_by_kind.get(CONTENT_CLAIM, []):
        claim = get_claim(conn, claim_id)
        causes.append(claim_cause(claim.id, claim.claim.track_id, now))
    for row in conn.execute(select(share_answers).where(
            share_answers.c.id.in_(late_by_kind.get(SHARE_ANSWER, [])),
            share_answers.c.accepted.is_(False))):
        causes.append(answer_cause(ShareAnswer(row.id, row.track_id, row.artist_id, False,
                                               from_micros(row.at), row.by)))
    for row in conn.execute(select(track_removals).where(
            track_removals.c.id.in_(late_by_kind.get(TRACK_REMOVAL, [])))):
        causes.append(removal_cause(row.id, row.track_id, now))
    for agreement_id in late_by_kind.get(AGREEMENT, []):
        agreement = get_agreement(conn, agreement_id)
        if agreement.in_force(now):
            causes.append(agreement_cause(agreement, now))
    return sum(len(record_cause(conn, c, only_snapshot=snapshot_id)) for c in causes)
