"""One decision: may this consumer use this track for this purpose at this instant?

Every decision carries the reason chain that produced it. The rules are applied in the order
of ``Rule``; consent/catalogue_decisions.py applies the same rules to a whole catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from consentry.consent.claims import Claim
from consentry.consent.events import ConsentEvent
from consentry.consent.history import ConsentHistory
from consentry.consent.ownership import ShareAnswers
from consentry.consent.parties import Agreement, Consumer, Track
from consentry.consent.rules import Rule
from consentry.consent.terms_policy import TermsPolicy
from consentry.purposes import get_purpose


@dataclass(frozen=True)
class Reason:
    """One link of a reason chain: the rule, and the event or agreement behind it."""

    rule: Rule
    purpose: str
    summary: str
    event_id: int | None = None
    agreement_id: int | None = None
    artist_id: int | None = None
    terms_version: str | None = None
    claim_id: int | None = None


@dataclass(frozen=True)
class Decision:
    """Allow or deny, the rule that decided, and the chain of reasons."""

    track_id: int
    purpose: str
    allowed: bool
    rule: Rule
    reasons: tuple[Reason, ...]
    at: datetime
    terms_version: str
    consumer_id: int | None = None


@dataclass(frozen=True)
class DecisionContext:
    """Everything outside the track that the rules read, gathered by the caller."""

    terms: TermsPolicy
    agreements: tuple[Agreement, ...]
    history: ConsentHistory
    claims: tuple[Claim, ...] = ()  # content claims on the tracks decided, any status
    # For a datasets-only consumer: the tracks in its snapshots for the purpose asked about.
    snapshot_tracks: frozenset[int] | None = None
    # Invitations and answers to shares of the tracks decided (consent/ownership.py)
    answers: ShareAnswers = field(default_factory=lambda: ShareAnswers(()))


def decide(
    track: Track,
    purpose: str,
    at: datetime,
    context: DecisionContext,
    consumer: Consumer | None = None,
) -> Decision:
    """Decide one use; a third-party consumer's training needs that company's consent too."""
    allowed, rule, reasons = _decide_purpose(track, purpose, at, context)
    extra = consumer.extra_consent_purpose(purpose) if consumer else None
    if extra is not None:
        extra_allowed, extra_rule, extra_reasons = _decide_purpose(track, extra, at, context)
        if allowed and extra_allowed:
            reasons = reasons + extra_reasons
        elif allowed or (not extra_allowed and extra_rule.code < rule.code):
            allowed, rule, reasons = extra_allowed, extra_rule, extra_reasons
    if allowed and consumer is not None and consumer.datasets_only:
        if context.snapshot_tracks is None:
            raise ValueError("a datasets-only consumer's decision needs its snapshots' tracks")
        if track.id not in context.snapshot_tracks:
            allowed, rule, reasons = False, Rule.OUTSIDE_SNAPSHOTS, (Reason(
                Rule.OUTSIDE_SNAPSHOTS, purpose,
                f"'{consumer.name}' uses only its own dataset snapshots, and none of its "
                f"snapshots for '{purpose}' holds track {track.id}."),)
    return Decision(
        track_id=track.id, purpose=purpose, allowed=allowed, rule=rule, reasons=reasons,
        at=at, terms_version=context.terms.version,
        consumer_id=consumer.id if consumer else None)


_Outcome = tuple[bool, Rule, tuple[Reason, ...]]


def _decide_purpose(track: Track, purpose: str, at: datetime, ctx: DecisionContext) -> _Outcome:
    terms = ctx.terms
    prohibited = terms.prohibits(purpose)
    if prohibited is not None:
        return False, Rule.TERMS_PROHIBITION, (Reason(
            Rule.TERMS_PROHIBITION, purpose,
            f"The terms (version {terms.version}) prohibit '{prohibited}' for all content.",
            terms_version=terms.version),)
    if terms.requires(purpose):
        return True, Rule.REQUIRED_USE, (Reason(
            Rule.REQUIRED_USE, purpose,
            f"The terms (version {terms.version}) make '{purpose}' a required use of the "
            "service; it cannot be switched off.", terms_version=terms.version),)
    found = _restriction(ctx.agreements, track.rights_holder_id, purpose, at)
    if found is not None:
        agreement, restricted = found
        return False, Rule.RIGHTS_HOLDER_AGREEMENT, (Reason(
            Rule.RIGHTS_HOLDER_AGREEMENT, purpose,
            f"The rights holder's agreement '{agreement.title}' forbids '{restricted}'."
            f"{_backdating(agreement)}", agreement_id=agreement.id),)
    claimed = _claim_outcome(track, purpose, at, ctx)
    if claimed is not None:
        return claimed
    co_owner_reasons: tuple[Reason, ...] = ()
    for owner in track.co_owner_ids:  # the strictest owner decides: see docs/decisions.md
        owner_allowed, _, reason = _owner_choice(owner, track, purpose, at, ctx)
        if not owner_allowed:
            return False, Rule.CO_OWNER_CONSENT, (Reason(
                Rule.CO_OWNER_CONSENT, purpose,
                f"Every co-owner's answer counts; co-owner {owner} has not allowed it: "
                f"{reason.summary}", event_id=reason.event_id, artist_id=owner),)
        co_owner_reasons += (reason,)
    allowed, rule, reason = _owner_choice(track.artist_id, track, purpose, at, ctx)
    return allowed, rule, (reason, *co_owner_reasons) if allowed else (reason,)


def _claim_outcome(track: Track, purpose: str, at: datetime,
                   ctx: DecisionContext) -> _Outcome | None:
    """An open or confirmed claim puts the upload under the claimant's agreements; what they
    do not restrict is denied too, since the uploader's consent cannot cover another's work."""
    claim = next((c for c in sorted(ctx.claims, key=lambda c: c.id)
                  if c.track_id == track.id and c.active_at(at)), None)
    if claim is None:
        return None
    found = _restriction(ctx.agreements, claim.rights_holder_id, purpose, at)
    if found is not None:
        agreement, restricted = found
        return False, Rule.CONTENT_CLAIM, (Reason(
            Rule.CONTENT_CLAIM, purpose,
            f"Content claim {claim.id}: the upload contains a recording of rights holder "
            f"{claim.rights_holder_id}, whose agreement '{agreement.title}' forbids "
            f"'{restricted}'.{_backdating(agreement)}", agreement_id=agreement.id,
            claim_id=claim.id),)
    if claim.claimant_artist_id is not None:
        return False, Rule.CONTENT_CLAIM, (Reason(
            Rule.CONTENT_CLAIM, purpose,
            f"Content claim {claim.id}: the upload contains artist "
            f"{claim.claimant_artist_id}'s earlier recording, so '{purpose}' is denied while "
            "the claim stands: the uploader's consent cannot cover another's work, and a use "
            "of the copy could not be credited to the artist whose music it is.",
            claim_id=claim.id, artist_id=claim.claimant_artist_id),)
    return False, Rule.CONTENT_CLAIM, (Reason(
        Rule.CONTENT_CLAIM, purpose,
        f"Content claim {claim.id}: the upload contains a recording of rights holder "
        f"{claim.rights_holder_id}; no agreement of theirs allows '{purpose}', so it is "
        "denied while the claim stands.", claim_id=claim.id),)


def _backdating(agreement: Agreement) -> str:
    """Both times of an agreement that states an earlier start than its recording."""
    if not agreement.backdated:
        return ""
    return (f" It states a start of {agreement.starts_at.isoformat()} but was recorded at "
            f"{agreement.effective_from.isoformat()}, and counts only from then.")


def _restriction(agreements: tuple[Agreement, ...], rights_holder_id: int | None, purpose: str,
                 at: datetime) -> tuple[Agreement, str] | None:
    """The first of the rights holder's agreements in force that forbids ``purpose`` (or a
    broader purpose), with the purpose it names: for the holder's own tracks and for uploads
    claimed as the holder's recordings alike."""
    for agreement in agreements:
        if agreement.rights_holder_id == rights_holder_id and agreement.in_force(at):
            restricted = agreement.restricts(purpose)
            if restricted is not None:
                return agreement, restricted
    return None


def _owner_choice(
    artist_id: int, track: Track, purpose: str, at: datetime, ctx: DecisionContext
) -> tuple[bool, Rule, Reason]:
    """One owner's answer: their choice for this track, else their default, else the platform's.
    An owner whose share does not count (invited, or declined) is not read at all."""
    default = get_purpose(purpose).default_allowed
    if track.shares and not ctx.answers.counts(track.id, artist_id, at):
        then = ("the platform allows it by default" if default else
                "it stays off, as for an owner who never opted in")
        return default, Rule.PLATFORM_DEFAULT, Reason(
            Rule.PLATFORM_DEFAULT, purpose,
            f"Artist {artist_id} has not accepted their share of track {track.id}, so no "
            f"choice of theirs counts for it; for '{purpose}' {then}.", artist_id=artist_id)
    for scope, rule in ((track.id, Rule.ARTIST_TRACK_CHOICE), (None, Rule.ARTIST_DEFAULT)):
        event = ctx.history.effective_choice(artist_id, scope, purpose, at)
        if event is not None:
            return event.allowed, rule, _event_reason(rule, purpose, event)
    summary = (
        f"No choice recorded; the platform allows '{purpose}' by default."
        if default else
        f"No choice recorded; '{purpose}' stays off until the artist opts in.")
    return default, Rule.PLATFORM_DEFAULT, Reason(
        Rule.PLATFORM_DEFAULT, purpose, summary, artist_id=artist_id)


def _event_reason(rule: Rule, purpose: str, event: ConsentEvent) -> Reason:
    where = f"track {event.track_id}" if event.track_id is not None else "all their tracks"
    verb = "allowed" if event.allowed else "denied"
    via = "" if event.purpose == purpose else f" (covers '{purpose}')"
    return Reason(
        rule, purpose,
        f"Artist {event.artist_id} {verb} '{event.purpose}'{via} for {where} on "
        f"{event.recorded_at.isoformat()} (event {event.id}).",
        event_id=event.id, artist_id=event.artist_id, terms_version=event.terms_version)
