"""A content claim: its status over time, who may move it where, and the rule it brings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentry.consent import (
    Agreement,
    Choice,
    Claim,
    ClaimAction,
    ClaimChange,
    ClaimStatus,
    ConsentEvent,
    ConsentHistory,
    DecisionContext,
    Rule,
    TermsPolicy,
    Track,
    decide,
    next_status,
)
from consentry.consent.terms_policy import PLATFORM_START
from consentry.errors import InvalidInput

T0 = PLATFORM_START
UPLOAD = Track(1, artist_id=10)
ALLOWED_ALL = ConsentEvent(1, 10, "ai-use", Choice.ALLOW, None, T0, "test", "1")
DEAL = Agreement(7, 99, "no generative training", frozenset({"train-generative"}), T0)


def day(n: float):  # type: ignore[no-untyped-def]
    return T0 + timedelta(days=n)


def claim(*changes: tuple[ClaimStatus, float]) -> Claim:
    return Claim(3, UPLOAD.id, 99, tuple(ClaimChange(s, day(d), "test") for s, d in changes))


def decision(c: Claim, purpose: str, at_day: float):  # type: ignore[no-untyped-def]
    context = DecisionContext(TermsPolicy("1", T0), (DEAL,), ConsentHistory([ALLOWED_ALL]), (c,))
    return decide(UPLOAD, purpose, day(at_day), context)


def test_status_is_the_last_change_at_the_instant() -> None:
    c = claim((ClaimStatus.OPEN, 1), (ClaimStatus.DISPUTED, 2), (ClaimStatus.CONFIRMED, 3))
    assert c.status_at(day(0.5)) is None
    assert [c.active_at(day(d)) for d in (0.5, 1, 2.5, 3)] == [False, True, False, True]
    assert c.status is ClaimStatus.CONFIRMED


def test_open_claim_denies_what_the_uploader_allowed_naming_the_agreement() -> None:
    c = claim((ClaimStatus.OPEN, 1))
    before = decision(c, "train-generative", 0.5)
    assert (before.allowed, before.rule) == (True, Rule.ARTIST_DEFAULT)
    after = decision(c, "train-generative", 2)
    assert (after.allowed, after.rule) == (False, Rule.CONTENT_CLAIM)
    assert (after.reasons[0].claim_id, after.reasons[0].agreement_id) == (3, DEAL.id)


def test_where_the_agreement_says_nothing_ai_uses_are_denied_but_required_uses_stay() -> None:
    c = claim((ClaimStatus.OPEN, 1))
    silent = decision(c, "ai-input", 2)
    assert (silent.allowed, silent.rule, silent.reasons[0].agreement_id) == (
        False, Rule.CONTENT_CLAIM, None)
    assert "no agreement" in silent.reasons[0].summary
    required = decision(c, "fraud-detection", 2)
    assert (required.allowed, required.rule) == (True, Rule.REQUIRED_USE)


def test_disputed_and_released_claims_lift_the_restriction() -> None:
    c = claim((ClaimStatus.OPEN, 1), (ClaimStatus.DISPUTED, 2), (ClaimStatus.RELEASED, 3))
    assert decision(c, "train-ai", 2.5).allowed
    assert decision(c, "train-ai", 4).rule is Rule.ARTIST_DEFAULT
    assert not decision(c, "train-ai", 1.5).allowed


def test_the_holders_confirm_and_release_the_artist_disputes() -> None:
    assert next_status(ClaimStatus.OPEN, ClaimAction.CONFIRM) is ClaimStatus.CONFIRMED
    assert next_status(ClaimStatus.CONFIRMED, ClaimAction.DISPUTE) is ClaimStatus.DISPUTED
    assert next_status(ClaimStatus.DISPUTED, ClaimAction.CONFIRM) is ClaimStatus.CONFIRMED
    assert next_status(ClaimStatus.DISPUTED, ClaimAction.RELEASE) is ClaimStatus.RELEASED
    with pytest.raises(InvalidInput, match="released cannot be disputed"):
        next_status(ClaimStatus.RELEASED, ClaimAction.DISPUTE)
    with pytest.raises(InvalidInput, match="disputed cannot be disputed"):
        next_status(ClaimStatus.DISPUTED, ClaimAction.DISPUTE)
