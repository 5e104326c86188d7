"""Disputes with an answer (issue scenario 4): a dispute does not lift a claim; the claimant
upholds or releases it within the window, or it is released when the window ends; a claim is
disputed once; each step is logged and both parties are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ClaimAction, ClaimStatus, ConsentChoice, Identified, Rule
from consentry.errors import InvalidInput
from consentry.services import claim_disputes, consent_choices
from consentry.services.decisions import decide_track
from consentry.services.log_audit import audit_log
from consentry.store import accounts, catalogue, claims, parties
from consentry.store import transparency_log as log
from consentry.store.outbox import messages_to
from consentry.store.schema import outbox
from consentry.timestamps import utcnow

WINDOW = timedelta(days=14)
BASE = "https://music.example"
ORIGIN = "music.example/log"
KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def claimed(engine: Engine) -> dict[str, int]:
    """Kofi's upload holds a Northwind recording; each side has an account to be told at."""
    with engine.begin() as conn:
        kofi = parties.create_artist(conn, "Kofi").id
        label = parties.create_rights_holder(conn, "Northwind").id
        track = catalogue.create_track(conn, "Red Earth", kofi).id
        consent_choices.record_choice(conn, ConsentChoice(kofi, "train-ai", Choice.ALLOW))
        accounts.create_user(conn, "kofi@example.org", "correct horse battery", "Kofi",
                             Role.ARTIST, artist_id=kofi)
        accounts.create_user(conn, "staff@northwind.example", "correct horse battery", "Staff",
                             Role.RIGHTS_HOLDER, rights_holder_id=label, locale="de")
        claim = claims.open_claim(conn, track, Identified(
            "reference:1", "reference", 1, "Harbour Lights", label, (), 0.0, 0.0, 12.0, 0.8,
            15.0, 1.0), "a" * 64, "content-id").id
    return {"track": track, "claim": claim}


def _mail(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(r.recipient, r.subject) for r in conn.execute(
            select(outbox.c.recipient, outbox.c.subject).order_by(outbox.c.id))]


def _rule(engine: Engine, track: int, at_offset: timedelta = timedelta(0)) -> Rule:
    with engine.connect() as conn:
        return decide_track(conn, track, "train-ai", utcnow() + at_offset).rule


def test_a_dispute_keeps_the_claim_until_the_claimant_answers(
        engine: Engine, claimed: dict[str, int]) -> None:
    with engine.begin() as conn:
        disputed = claim_disputes.dispute(conn, claimed["claim"], "artist:1", "I wrote it",
                                          WINDOW, BASE)
    assert disputed.status is ClaimStatus.DISPUTED
    assert _rule(engine, claimed["track"]) is Rule.CONTENT_CLAIM
    told = dict(_mail(engine))
    assert set(told) == {"kofi@example.org", "staff@northwind.example"}
    assert "bestritten" in told["staff@northwind.example"], "in the staff's language"
    assert "disputed" in told["kofi@example.org"]

    with engine.begin() as conn:
        upheld = claim_disputes.answer(conn, claimed["claim"], ClaimAction.CONFIRM, "label", "",
                                       BASE)
    assert upheld.status is ClaimStatus.CONFIRMED
    assert {to for to, _ in _mail(engine)[2:]} == {"kofi@example.org",
                                                    "staff@northwind.example"}
    with pytest.raises(InvalidInput, match="disputed already"), engine.begin() as conn:
        claim_disputes.dispute(conn, claimed["claim"], "artist:1", "again", WINDOW, BASE)
    assert _rule(engine, claimed["track"], WINDOW * 2) is Rule.CONTENT_CLAIM


def test_an_unanswered_dispute_is_released_when_the_window_ends(
        engine: Engine, claimed: dict[str, int]) -> None:
    with engine.begin() as conn:
        disputed = claim_disputes.dispute(conn, claimed["claim"], "artist:1", "I wrote it",
                                          WINDOW, BASE)
    deadline = disputed.claim.respond_by
    assert deadline is not None
    assert _rule(engine, claimed["track"], WINDOW - timedelta(minutes=1)) is Rule.CONTENT_CLAIM
    assert _rule(engine, claimed["track"], WINDOW + timedelta(minutes=1)) is Rule.ARTIST_DEFAULT
    with engine.begin() as conn:
        assert claim_disputes.release_lapsed(conn, BASE) == [], "not before the deadline"
        [released] = claim_disputes.release_lapsed(conn, BASE, deadline + timedelta(seconds=1))
        log.sign_current(conn, ORIGIN, KEY)
    assert released.claim.changes[-1].reason == claim_disputes.LAPSED
    assert {to for to, _ in _mail(engine)[2:]} == {"kofi@example.org",
                                                    "staff@northwind.example"}
    with engine.connect() as conn:
        [german] = [m for m in messages_to(conn, "staff@northwind.example")
                    if "aufgehoben" in m.subject]
    assert "keine Antwort" in german.text_body, "the reason in the staff's language too"
    with engine.connect() as conn:
        audit_log(conn, ORIGIN, KEY.public_key())
        assert claim_disputes.release_lapsed(conn, BASE, deadline + WINDOW) == []
