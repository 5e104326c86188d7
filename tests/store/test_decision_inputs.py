"""Everything a decision reads is as hard to rewrite as a consent event: the database refuses
UPDATE and DELETE, an edit made behind its back is named by the log audit, and an agreement
entered today cannot change an answer about the past."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.consent import Choice, ConsentChoice, Identified, Rule, Share
from consentry.errors import InvalidInput
from consentry.services import consent_choices
from consentry.services.decisions import decide_all, decide_track
from consentry.services.log_audit import LogMismatch, audit_log
from consentry.services.withdrawal_causes import withdraw_for_due
from consentry.store import catalogue, claims, parties
from consentry.store import transparency_log as log
from consentry.timestamps import utcnow
from tests.forgery import drop_guards

ORIGIN = "music.example/log"
KEY = Ed25519PrivateKey.generate()
GEN = "train-generative"


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    """A label track under an agreement, a co-owned track, a claim, and consent events."""
    with engine.begin() as conn:
        ada = parties.create_artist(conn, "Ada").id
        bo = parties.create_artist(conn, "Bo").id
        label = parties.create_rights_holder(conn, "Northwind Records").id
        agreement = catalogue.create_agreement(conn, label, "Distribution", frozenset({"train-ai"}))
        signed = catalogue.create_track(conn, "Signed", ada, rights_holder_id=label).id
        duet = catalogue.create_track(conn, "Duet", ada, (Share(ada, 5000), Share(bo, 5000)),
                                      accepted=(ada, bo)).id
        catalogue.create_track(conn, "Invited", ada, (Share(ada, 5000), Share(bo, 5000)),
                               by="Ada")  # an invitation: a share_answers row
        withdraw_for_due(conn)  # the agreement checked: a withdrawal_checks row
        for artist in (ada, bo):
            consent_choices.record_choice(conn, ConsentChoice(artist, GEN, Choice.ALLOW))
        claim = claims.open_claim(conn, duet, Identified(
            "reference:1", "reference", 1, "Original", label, (), 0.0, 0.0, 10.0, 0.9, 12.0, 1.0),
            "a" * 64, "content-id").id
        log.sign_current(conn, ORIGIN, KEY)
    return {"ada": ada, "bo": bo, "label": label, "agreement": agreement.id, "signed": signed,
            "duet": duet, "claim": claim}


@pytest.mark.parametrize("statement", [
    "UPDATE agreements SET restricted_purposes = '[\"recommendations\"]'",
    "UPDATE agreements SET starts_at = 0",
    "DELETE FROM agreements",
    "UPDATE tracks SET rights_holder_id = NULL",
    "UPDATE tracks SET artist_id = artist_id + 1",
    "DELETE FROM tracks",
    "UPDATE track_shares SET basis_points = 10000",
    "DELETE FROM track_shares",
    "UPDATE content_claims SET rights_holder_id = rights_holder_id + 1",
    "UPDATE content_claims SET claimant_artist_id = 1",
    "DELETE FROM claim_changes",
    "UPDATE share_answers SET accepted = NOT accepted",
    "DELETE FROM share_answers",
    "UPDATE terms_versions SET prohibited_purposes = '[]'",
    "DELETE FROM terms_versions",
    "UPDATE consent_events SET choice = 'allow'",
    "DELETE FROM consent_events",
    "DELETE FROM withdrawal_checks",
])
def test_the_database_refuses_to_rewrite_what_a_decision_reads(
        engine: Engine, world: dict[str, int], statement: str) -> None:
    with engine.connect() as conn:
        before = decide_track(conn, world["signed"], GEN, utcnow())
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        after = decide_track(conn, world["signed"], GEN, utcnow())
    assert (before.allowed, before.rule) == (after.allowed, after.rule) == (
        False, Rule.RIGHTS_HOLDER_AGREEMENT)


def test_a_track_s_recording_may_still_change(engine: Engine, world: dict[str, int]) -> None:
    """Decisions never read the recording's columns, so replacing the audio stays possible."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE tracks SET audio_format = 'wav', title = title"))


@pytest.mark.parametrize(("table", "statement", "named"), [
    ("agreements", "UPDATE agreements SET restricted_purposes = '[\"recommendations\"]'",
     "agreement 1 in the database no longer matches"),
    ("agreements", "DELETE FROM agreements", "agreement 1 is in the log but not in its table"),
    ("tracks", "UPDATE tracks SET rights_holder_id = NULL",
     "track-ownership 1 in the database no longer matches"),
    ("track_shares", "UPDATE track_shares SET basis_points = 9000 WHERE track_id = 2",
     "track-ownership 2 in the database no longer matches"),
    ("track_shares", "DELETE FROM track_shares WHERE artist_id = 2",
     "track-ownership 2 in the database no longer matches"),
    ("consent_events", "UPDATE consent_events SET choice = 'deny'",
     "consent-event 1 in the database no longer matches"),
    ("content_claims", "UPDATE content_claims SET matched_ms = 1",
     "content-claim 1 in the database no longer matches"),
    ("claim_changes", "UPDATE claim_changes SET status = 'released'",
     "claim-change 1 in the database no longer matches"),
    ("share_answers", "UPDATE share_answers SET accepted = TRUE",
     "share-answer 1 in the database no longer matches"),
    ("terms_versions", "UPDATE terms_versions SET prohibited_purposes = '[\"train-ai\"]'",
     "terms-publication"),
])
def test_an_edit_behind_the_triggers_back_is_named_by_the_audit(
        engine: Engine, world: dict[str, int], table: str, statement: str, named: str) -> None:
    with engine.connect() as conn:
        audit_log(conn, ORIGIN, KEY.public_key())
    with engine.begin() as conn:
        drop_guards(conn, table)
        conn.execute(text(statement))
    with pytest.raises(LogMismatch, match=named), engine.connect() as conn:
        audit_log(conn, ORIGIN, KEY.public_key())


def test_the_label_scenario_no_longer_flips_a_track_unnoticed(
        engine: Engine, world: dict[str, int]) -> None:
    """The issue's forgery: the agreement narrowed and the track taken out of the label's
    catalogue turn DENY into ALLOW; the audit names the first edited record."""
    with engine.begin() as conn:
        for table in ("agreements", "tracks"):
            drop_guards(conn, table)
        conn.execute(text("UPDATE agreements SET restricted_purposes = '[\"recommendations\"]'"))
        conn.execute(text("UPDATE tracks SET rights_holder_id = NULL WHERE id = :id"),
                     {"id": world["signed"]})
    with engine.connect() as conn:
        assert decide_track(conn, world["signed"], GEN, utcnow()).allowed
        with pytest.raises(LogMismatch, match="agreement 1"):
            audit_log(conn, ORIGIN, KEY.public_key())


def test_an_agreement_entered_today_does_not_change_a_past_answer(
        engine: Engine, world: dict[str, int]) -> None:
    with engine.begin() as conn:
        indie = parties.create_rights_holder(conn, "Indie Label").id
        track = catalogue.create_track(conn, "Later signed", world["ada"],
                                       rights_holder_id=indie).id
    past = utcnow()
    with engine.connect() as conn:
        before = decide_track(conn, track, GEN, past)
        column_before = decide_all(engine, GEN, past)
    assert before.allowed
    with engine.begin() as conn:
        backdated = catalogue.create_agreement(conn, indie, "Signed last year", frozenset({GEN}),
                                               starts_at=past - timedelta(days=365))
    assert backdated.backdated and backdated.effective_from > past
    with engine.connect() as conn:
        again = decide_track(conn, track, GEN, past)
        now = decide_track(conn, track, GEN, utcnow())
    assert (again.allowed, again.rule) == (before.allowed, before.rule)
    column_again = decide_all(engine, GEN, past)
    assert column_again.allowed.tolist() == column_before.allowed.tolist()
    assert (now.allowed, now.rule) == (False, Rule.RIGHTS_HOLDER_AGREEMENT)
    summary = now.reasons[0].summary
    assert backdated.starts_at.isoformat() in summary
    assert backdated.effective_from.isoformat() in summary


def test_an_agreement_cannot_restrict_a_use_the_terms_require(
        engine: Engine, world: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="require 'fraud-detection'"), engine.begin() as conn:
        catalogue.create_agreement(conn, world["label"], "No fraud checks",
                                   frozenset({"fraud-detection", "train-ai"}))
    with engine.connect() as conn:
        assert len(catalogue.list_agreements(conn)) == 1
