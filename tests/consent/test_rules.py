"""Each precedence rule wins where it should and loses to the stricter ones above it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentry.consent import (
    Agreement,
    Choice,
    ConsentEvent,
    ConsentHistory,
    Consumer,
    ConsumerKind,
    DecisionContext,
    Rule,
    Share,
    TermsPolicy,
    Track,
    decide,
)
from consentry.consent.terms_policy import PLATFORM_START
from consentry.errors import InvalidInput

T0 = PLATFORM_START
NOW = T0 + timedelta(days=30)
SOLO = Track(1, artist_id=10)
DUET = Track(2, artist_id=10, shares=(Share(10, 5000), Share(11, 5000)))
LABEL = Track(3, artist_id=10, rights_holder_id=99)
_ids = iter(range(1, 10_000))


def event(artist: int, purpose: str, choice: Choice, track: int | None = None,
          day: int = 1) -> ConsentEvent:
    return ConsentEvent(next(_ids), artist, purpose, choice, track,
                        T0 + timedelta(days=day), "test", "1")


def verdict(track: Track, purpose: str, events: list[ConsentEvent] = (),  # type: ignore[assignment]
            terms: TermsPolicy | None = None, agreements: tuple[Agreement, ...] = (),
            at=NOW, consumer: Consumer | None = None) -> tuple[bool, Rule]:
    context = DecisionContext(terms or TermsPolicy("1", T0), agreements, ConsentHistory(events))
    decision = decide(track, purpose, at, context, consumer)
    return decision.allowed, decision.rule


ALLOW, DENY = Choice.ALLOW, Choice.DENY
NO_TRAINING_DEAL = Agreement(7, 99, "no training", frozenset({"train-ai"}), T0)


def test_platform_default_allows_internal_uses_and_denies_training() -> None:
    assert verdict(SOLO, "recommendations") == (True, Rule.PLATFORM_DEFAULT)
    assert verdict(SOLO, "content-organisation") == (True, Rule.PLATFORM_DEFAULT)
    for purpose in ("train-ai", "train-non-generative", "train-generative", "voice-likeness",
                    "third-party-training", "third-party-training:acme", "ai-input"):
        assert verdict(SOLO, purpose) == (False, Rule.PLATFORM_DEFAULT), purpose


def test_artist_default_beats_platform_default() -> None:
    assert verdict(SOLO, "train-generative", [event(10, "train-generative", ALLOW)]) == (
        True, Rule.ARTIST_DEFAULT)
    assert verdict(SOLO, "recommendations", [event(10, "recommendations", DENY)]) == (
        False, Rule.ARTIST_DEFAULT)


def test_track_choice_beats_artist_default_both_ways() -> None:
    events = [event(10, "train-generative", DENY), event(10, "train-generative", ALLOW, 1)]
    assert verdict(SOLO, "train-generative", events) == (True, Rule.ARTIST_TRACK_CHOICE)
    events = [event(10, "train-ai", ALLOW), event(10, "train-generative", DENY, 1)]
    assert verdict(SOLO, "train-generative", events) == (False, Rule.ARTIST_TRACK_CHOICE)
    assert verdict(LABEL, "train-generative", events, agreements=(NO_TRAINING_DEAL,)) == (
        False, Rule.RIGHTS_HOLDER_AGREEMENT)


def test_deny_on_broader_purpose_covers_narrower_ones() -> None:
    events = [event(10, "train-generative", ALLOW), event(10, "ai-use", DENY)]
    assert verdict(SOLO, "train-generative", events) == (False, Rule.ARTIST_DEFAULT)
    assert verdict(SOLO, "recommendations", events) == (False, Rule.ARTIST_DEFAULT)
    events = [event(10, "train-ai", DENY), event(10, "voice-likeness", ALLOW, day=2)]
    assert verdict(SOLO, "voice-likeness", events)[0] is False


def test_allow_on_broader_purpose_stops_at_explicit_opt_in() -> None:
    events = [event(10, "train-ai", ALLOW)]
    assert verdict(SOLO, "train-generative", events) == (True, Rule.ARTIST_DEFAULT)
    assert verdict(SOLO, "voice-likeness", events) == (False, Rule.PLATFORM_DEFAULT)
    assert verdict(SOLO, "third-party-training:acme", events) == (False, Rule.PLATFORM_DEFAULT)
    events.append(event(10, "third-party-training", ALLOW))
    assert verdict(SOLO, "third-party-training:acme", events) == (True, Rule.ARTIST_DEFAULT)


def test_latest_event_of_a_scope_wins() -> None:
    events = [event(10, "train-ai", ALLOW, day=1), event(10, "train-ai", DENY, day=2),
              event(10, "train-ai", ALLOW, day=3)]
    assert verdict(SOLO, "train-ai", events) == (True, Rule.ARTIST_DEFAULT)
    assert verdict(SOLO, "train-ai", events, at=T0 + timedelta(days=2, hours=1)) == (
        False, Rule.ARTIST_DEFAULT)


def test_time_travel_sees_only_events_up_to_the_instant() -> None:
    events = [event(10, "train-generative", ALLOW, day=5)]
    assert verdict(SOLO, "train-generative", events, at=T0 + timedelta(days=4)) == (
        False, Rule.PLATFORM_DEFAULT)
    assert verdict(SOLO, "train-generative", events, at=T0 + timedelta(days=5)) == (
        True, Rule.ARTIST_DEFAULT)


def test_every_co_owner_must_consent_to_training() -> None:
    mine = [event(10, "train-ai", ALLOW)]
    assert verdict(DUET, "train-generative", mine) == (False, Rule.CO_OWNER_CONSENT)
    both = [*mine, event(11, "train-generative", ALLOW, track=2)]
    assert verdict(DUET, "train-generative", both) == (True, Rule.ARTIST_DEFAULT)


def test_the_strictest_co_owner_decides_every_use() -> None:
    """A co-owner's "no" counts for any use, not only for training; their silence leaves a use
    that is on by default on."""
    assert verdict(DUET, "recommendations", [event(11, "recommendations", DENY, track=2)]) == (
        False, Rule.CO_OWNER_CONSENT)
    assert verdict(DUET, "recommendations", [event(11, "ai-use", DENY)]) == (
        False, Rule.CO_OWNER_CONSENT)
    assert verdict(DUET, "recommendations", []) == (True, Rule.PLATFORM_DEFAULT)
    assert verdict(DUET, "fraud-detection", [event(11, "ai-use", DENY)]) == (
        True, Rule.REQUIRED_USE)


def test_co_owner_rule_loses_to_agreement() -> None:
    track = Track(4, 10, (Share(10, 5000), Share(11, 5000)), rights_holder_id=99)
    assert verdict(track, "train-ai", agreements=(NO_TRAINING_DEAL,)) == (
        False, Rule.RIGHTS_HOLDER_AGREEMENT)


def test_rights_holder_agreement_beats_the_artist_while_in_force() -> None:
    events = [event(10, "train-ai", ALLOW)]
    deal = Agreement(8, 99, "until day 10", frozenset({"train-ai"}), T0,
                     T0 + timedelta(days=10))
    during = T0 + timedelta(days=5)
    assert verdict(LABEL, "train-generative", events, agreements=(deal,), at=during) == (
        False, Rule.RIGHTS_HOLDER_AGREEMENT)
    assert verdict(LABEL, "train-generative", events, agreements=(deal,)) == (
        True, Rule.ARTIST_DEFAULT), "the agreement has ended"
    assert verdict(SOLO, "train-ai", events, agreements=(deal,)) == (True, Rule.ARTIST_DEFAULT)
    other_label = Agreement(9, 98, "other label", frozenset({"train-ai"}), T0)
    assert verdict(LABEL, "train-ai", events, agreements=(other_label,))[0] is True


def test_required_use_beats_every_choice_and_agreement() -> None:
    deal = Agreement(10, 99, "no AI", frozenset({"ai-use"}), T0)
    events = [event(10, "ai-use", DENY), event(10, "fraud-detection", DENY, track=3)]
    assert verdict(LABEL, "fraud-detection", events, agreements=(deal,)) == (
        True, Rule.REQUIRED_USE)
    assert verdict(LABEL, "recommendations", events, agreements=(deal,)) == (
        False, Rule.RIGHTS_HOLDER_AGREEMENT)


def test_terms_prohibition_beats_everything() -> None:
    terms = TermsPolicy("2", T0, prohibited=frozenset({"voice-likeness"}))
    events = [event(10, "voice-likeness", ALLOW, track=1)]
    assert verdict(SOLO, "voice-likeness", events, terms) == (False, Rule.TERMS_PROHIBITION)
    assert verdict(SOLO, "train-generative", [event(10, "train-generative", ALLOW)], terms) == (
        True, Rule.ARTIST_DEFAULT)
    with pytest.raises(InvalidInput):
        TermsPolicy("3", T0, required=frozenset({"train-ai"}), prohibited=frozenset({"train-ai"}))


def test_third_party_training_needs_that_company_named() -> None:
    acme = Consumer(1, "Acme", ConsumerKind.THIRD_PARTY, "acme", frozenset({"train-generative"}))
    events = [event(10, "train-generative", ALLOW)]
    assert verdict(SOLO, "train-generative", events, consumer=acme) == (
        False, Rule.PLATFORM_DEFAULT)
    events.append(event(10, "third-party-training:acme", ALLOW))
    assert verdict(SOLO, "train-generative", events, consumer=acme) == (
        True, Rule.ARTIST_DEFAULT)
    other = Consumer(2, "Other", ConsumerKind.THIRD_PARTY, "other", frozenset({"train-ai"}))
    assert verdict(SOLO, "train-generative", events, consumer=other)[0] is False
    assert verdict(SOLO, "train-generative", events, consumer=Consumer(3, "in-house"))[0]


def test_datasets_only_consumer_uses_only_tracks_in_its_snapshots() -> None:
    bound = Consumer(4, "Bound", purposes=frozenset({"train-generative"}), datasets_only=True)
    events = [event(10, "train-generative", ALLOW)]
    history = ConsentHistory(events)

    def with_snapshots(track: Track, tracks: frozenset[int]) -> tuple[bool, Rule, str]:
        context = DecisionContext(TermsPolicy("1", T0), (), history, snapshot_tracks=tracks)
        decision = decide(track, "train-generative", NOW, context, bound)
        return decision.allowed, decision.rule, decision.reasons[0].summary

    allowed, rule, _ = with_snapshots(SOLO, frozenset({SOLO.id}))
    assert (allowed, rule) == (True, Rule.ARTIST_DEFAULT)
    allowed, rule, summary = with_snapshots(SOLO, frozenset({DUET.id}))
    assert (allowed, rule) == (False, Rule.OUTSIDE_SNAPSHOTS)
    assert "none of its snapshots for 'train-generative' holds track 1" in summary
    # A denial by consent stays the reason: being in a snapshot never allows more.
    assert with_snapshots(DUET, frozenset({DUET.id}))[:2] == (False, Rule.CO_OWNER_CONSENT)
    with pytest.raises(ValueError, match="snapshots' tracks"):
        verdict(SOLO, "train-generative", events, consumer=bound)


def test_reasons_name_the_event_and_agreement() -> None:
    ev = event(10, "train-ai", DENY)
    context = DecisionContext(TermsPolicy("1", T0), (NO_TRAINING_DEAL,), ConsentHistory([ev]))
    solo = decide(SOLO, "voice-likeness", NOW, context)
    assert solo.reasons[0].event_id == ev.id
    assert "covers 'voice-likeness'" in solo.reasons[0].summary
    label = decide(LABEL, "train-generative", NOW, context)
    assert label.reasons[0].agreement_id == NO_TRAINING_DEAL.id
    assert label.reasons[0].rule is Rule.RIGHTS_HOLDER_AGREEMENT


def test_shares_must_add_up_and_include_the_artist() -> None:
    with pytest.raises(InvalidInput, match="100%"):
        Track(5, 10, (Share(10, 5000), Share(11, 4000)))
    with pytest.raises(InvalidInput, match="co-owners"):
        Track(5, 10, (Share(11, 10_000),))
    with pytest.raises(InvalidInput, match="twice"):
        Track(5, 10, (Share(10, 5000), Share(10, 5000)))


def test_clear_withdraws_a_choice_so_the_next_level_decides() -> None:
    events = [event(10, "train-generative", ALLOW), event(10, "train-generative", DENY, 1),
              event(10, "train-generative", Choice.CLEAR, 1, day=2)]
    assert verdict(SOLO, "train-generative", events) == (True, Rule.ARTIST_DEFAULT)
    assert verdict(SOLO, "train-generative", events, at=T0 + timedelta(days=1, hours=1)) == (
        False, Rule.ARTIST_TRACK_CHOICE)
    events.append(event(10, "train-generative", Choice.CLEAR, day=3))
    assert verdict(SOLO, "train-generative", events) == (False, Rule.PLATFORM_DEFAULT)
