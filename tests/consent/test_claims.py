"""A content claim: its status over time, who may move it where, and the rule it brings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentry.consent import (
    Agreement,
    CatalogueColumns,
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
from consentry.timestamps import to_micros

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
    assert [c.active_at(day(d)) for d in (0.5, 1, 2.5, 3)] == [False, True, True, True]
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


def test_a_dispute_keeps_the_restriction_until_the_claim_is_released() -> None:
    c = claim((ClaimStatus.OPEN, 1), (ClaimStatus.DISPUTED, 2), (ClaimStatus.RELEASED, 3))
    assert not decision(c, "train-ai", 1.5).allowed
    assert (decision(c, "train-ai", 2.5).allowed, decision(c, "train-ai", 2.5).rule) == (
        False, Rule.CONTENT_CLAIM)
    assert decision(c, "train-ai", 4).rule is Rule.ARTIST_DEFAULT


def test_an_unanswered_dispute_is_released_when_its_window_ends() -> None:
    c = Claim(3, UPLOAD.id, 99, (ClaimChange(ClaimStatus.OPEN, day(1), "content-id"),
                                 ClaimChange(ClaimStatus.DISPUTED, day(2), "artist", "mine",
                                             respond_by=day(16))))
    assert [c.status_at(day(d)) for d in (15.9, 16, 30)] == [
        ClaimStatus.DISPUTED, ClaimStatus.RELEASED, ClaimStatus.RELEASED]
    assert not decision(c, "train-ai", 15.9).allowed
    assert decision(c, "train-ai", 16).rule is Rule.ARTIST_DEFAULT
    columns = CatalogueColumns.from_records([UPLOAD], [ALLOWED_ALL], [c])
    assert columns.claimed_track_ids(to_micros(day(15.9))).tolist() == [UPLOAD.id]
    assert columns.claimed_track_ids(to_micros(day(16))).tolist() == []
    upheld = Claim(3, UPLOAD.id, 99, (*c.changes, ClaimChange(ClaimStatus.CONFIRMED, day(10),
                                                              "label")))
    assert upheld.status_at(day(30)) is ClaimStatus.CONFIRMED, "an answer in time stands"


def test_a_claim_is_disputed_once() -> None:
    with pytest.raises(InvalidInput, match="disputed already"):
        next_status(ClaimStatus.CONFIRMED, ClaimAction.DISPUTE, disputed_before=True)


def test_the_holders_confirm_and_release_the_artist_disputes() -> None:
    assert next_status(ClaimStatus.OPEN, ClaimAction.CONFIRM) is ClaimStatus.CONFIRMED
    assert next_status(ClaimStatus.CONFIRMED, ClaimAction.DISPUTE) is ClaimStatus.DISPUTED
    assert next_status(ClaimStatus.DISPUTED, ClaimAction.CONFIRM) is ClaimStatus.CONFIRMED
    assert next_status(ClaimStatus.DISPUTED, ClaimAction.RELEASE) is ClaimStatus.RELEASED
    with pytest.raises(InvalidInput, match="released cannot be disputed"):
        next_status(ClaimStatus.RELEASED, ClaimAction.DISPUTE)
    with pytest.raises(InvalidInput, match="disputed cannot be disputed"):
        next_status(ClaimStatus.DISPUTED, ClaimAction.DISPUTE)
