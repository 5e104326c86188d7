"""Stored decisions: every purpose at once reads the ledger once and agrees with one at a time."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice, Share
from consentry.purposes import VOCABULARY
from consentry.services import consent_choices
from consentry.services.decisions import decide_every_purpose, decide_tracks
from consentry.store import catalogue, parties
from consentry.timestamps import utcnow


def test_every_purpose_at_once_agrees_with_one_at_a_time(engine: Engine) -> None:
    with engine.begin() as conn:
        ada, bo = parties.create_artist(conn, "Ada"), parties.create_artist(conn, "Bo")
        label = parties.create_rights_holder(conn, "Label")
        catalogue.create_agreement(conn, label.id, "no voices", frozenset({"voice-likeness"}))
        track = catalogue.create_track(conn, "Duet", ada.id,
                                       [Share(ada.id, 5000), Share(bo.id, 5000)], label.id,
                                       accepted=(ada.id, bo.id))
        for artist, purpose, choice in ((ada.id, "train-ai", Choice.ALLOW),
                                        (bo.id, "train-generative", Choice.ALLOW),
                                        (ada.id, "recommendations", Choice.DENY)):
            consent_choices.record_choice(conn, ConsentChoice(artist, purpose, choice))
    now = utcnow()
    with engine.connect() as conn:
        together = decide_every_purpose(conn, track, now)
        apart = {p.id: decide_tracks(conn, [track], p.id, now)[0] for p in VOCABULARY}
    assert together == apart
    assert together["train-generative"].allowed
    assert together["voice-likeness"].rule.value == "rights-holder-agreement"
    assert together["train-non-generative"].rule.value == "co-owner-consent"
