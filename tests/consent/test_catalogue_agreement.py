"""The whole-catalogue path and the one-track path agree on random catalogues."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.consent import (
    Agreement,
    CatalogueColumns,
    Choice,
    Claim,
    ClaimChange,
    ClaimStatus,
    ConsentEvent,
    ConsentHistory,
    Consumer,
    ConsumerKind,
    DecisionContext,
    Share,
    TermsPolicy,
    Track,
    decide,
    decide_catalogue,
    settling_events,
)
from consentry.consent.ownership import ShareAnswer, ShareAnswers
from consentry.consent.rules import Rule
from consentry.consent.terms_policy import PLATFORM_START
from consentry.purposes import VOCABULARY

PURPOSES = [p.id for p in VOCABULARY] + ["third-party-training:acme", "third-party-training:other"]
ARTISTS = [1, 2, 3, 4]
RIGHTS_HOLDERS = [None, 10, 11]


@st.composite
def catalogues(draw: st.DrawFn) -> tuple[list[Track], list[ConsentEvent], list[Agreement],
                                         list[Claim], list[ShareAnswer]]:
    tracks = []
    for track_id in range(1, draw(st.integers(1, 12)) + 1):
        owners = draw(st.lists(st.sampled_from(ARTISTS), min_size=1, max_size=3, unique=True))
        shares: tuple[Share, ...] = ()
        if len(owners) > 1:
            part = 10_000 // len(owners)
            last = Share(owners[-1], 10_000 - part * (len(owners) - 1))
            shares = (*(Share(a, part) for a in owners[:-1]), last)
        tracks.append(Track(track_id, owners[0], shares, draw(st.sampled_from(RIGHTS_HOLDERS))))
    events = []
    for event_id in range(1, draw(st.integers(0, 40)) + 1):
        events.append(ConsentEvent(
            id=event_id,
            artist_id=draw(st.sampled_from(ARTISTS)),
            purpose=draw(st.sampled_from(PURPOSES)),
            choice=draw(st.sampled_from(list(Choice))),
            track_id=draw(st.sampled_from([None, *range(1, len(tracks) + 1)])),
            recorded_at=PLATFORM_START + timedelta(days=draw(st.integers(0, 20))),
            source="test", terms_version="1"))
    agreements = [
        Agreement(i, draw(st.sampled_from([10, 11])), f"deal {i}",
                  frozenset(draw(st.lists(st.sampled_from(PURPOSES), max_size=2))),
                  PLATFORM_START + timedelta(days=draw(st.integers(0, 20))),
                  PLATFORM_START + timedelta(days=draw(st.integers(21, 30))))
        for i in range(draw(st.integers(0, 2)))]
    claims = []
    for claim_id in range(1, draw(st.integers(0, 4)) + 1):
        days = sorted(draw(st.lists(st.integers(0, 25), min_size=1, max_size=4)))
        statuses = [ClaimStatus.OPEN, *(draw(st.sampled_from(list(ClaimStatus)))
                                        for _ in days[1:])]
        claims.append(Claim(
            claim_id, draw(st.integers(1, len(tracks))), draw(st.sampled_from([10, 11])),
            tuple(ClaimChange(status, PLATFORM_START + timedelta(days=day), "test", "",
                              PLATFORM_START + timedelta(days=day + draw(st.integers(1, 8)))
                              if status is ClaimStatus.DISPUTED else None)
                  for status, day in zip(statuses, days, strict=True))))
    answers = []  # invitations to shares, and answers to them (consent/ownership.py)
    for track in tracks:
        for owner in (s.artist_id for s in track.shares):
            if not draw(st.booleans()):
                continue  # registered by this owner: the share counts from the start
            days = sorted(draw(st.lists(st.integers(0, 25), min_size=1, max_size=3)))
            for n, day in enumerate(days):
                answers.append(ShareAnswer(
                    len(answers) + 1, track.id, owner, n > 0 and draw(st.booleans()),
                    PLATFORM_START + timedelta(days=day), "invited" if n == 0 else "test"))
    return tracks, events, agreements, claims, answers


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    catalogue=catalogues(),
    purpose=st.sampled_from(PURPOSES),
    day=st.integers(0, 31),
    prohibited=st.sampled_from([frozenset(), frozenset({"voice-likeness"})]),
    consumer=st.sampled_from([
        None,
        Consumer(1, "in-house"),
        Consumer(2, "Acme", ConsumerKind.THIRD_PARTY, "acme"),
        Consumer(3, "Acme datasets", ConsumerKind.THIRD_PARTY, "acme", datasets_only=True),
        Consumer(4, "in-house datasets", datasets_only=True)]),
    in_snapshots=st.frozensets(st.integers(1, 14)),
)
def test_catalogue_path_agrees_with_one_track_path(
    catalogue, purpose, day, prohibited, consumer, in_snapshots
) -> None:
    tracks, events, agreements, claims, answers = catalogue
    at = PLATFORM_START + timedelta(days=day, hours=day % 2)
    terms = TermsPolicy("1", PLATFORM_START, prohibited=prohibited)
    context = DecisionContext(terms, tuple(agreements), ConsentHistory(events), tuple(claims),
                              in_snapshots, ShareAnswers(answers))

    batch = decide_catalogue(CatalogueColumns.from_records(tracks, events, claims, answers),
                             purpose, at, terms, tuple(agreements), consumer,
                             np.array(sorted(in_snapshots), np.int64))

    for index, track in enumerate(tracks):
        one = decide(track, purpose, at, context, consumer)
        assert (bool(batch.allowed[index]), batch.rules()[index]) == (one.allowed, one.rule), (
            track, one.reasons)


OWNER_RULES = (Rule.ARTIST_TRACK_CHOICE, Rule.ARTIST_DEFAULT, Rule.PLATFORM_DEFAULT)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(catalogue=catalogues(), purpose=st.sampled_from(PURPOSES), day=st.integers(0, 31))
def test_settling_events_are_the_ones_the_reasons_name(catalogue, purpose, day) -> None:
    tracks, events, _agreements, _claims, answers = catalogue
    at = PLATFORM_START + timedelta(days=day, hours=1)
    context = DecisionContext(TermsPolicy("1", PLATFORM_START), (), ConsentHistory(events),
                              answers=ShareAnswers(answers))
    found = settling_events(CatalogueColumns.from_records(tracks, events, answers=answers),
                            purpose, at)

    for index, track in enumerate(tracks):
        one = decide(track, purpose, at, context)
        if not one.allowed or one.rule not in OWNER_RULES:
            continue
        named = {r.event_id for r in one.reasons if r.event_id is not None}
        vectorized = {int(found.owner_event[index])} | {
            int(e) for t, e in zip(found.co_owner_track_id, found.co_owner_event, strict=True)
            if t == track.id}
        assert named == vectorized - {0}, (track, one.reasons)
