"""The demo shows a content claim: Kofi Mensah's "Red Earth" contains Northwind's recording."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from consentry.consent import Rule
from consentry.services.decisions import decide_tracks
from consentry.store import catalogue
from consentry.store.claims import claim_records
from consentry.timestamps import utcnow
from tests.cli.test_cli import invoke


def test_the_demo_seeds_a_claim_that_governs_the_track(cli_env: dict, engine: Engine) -> None:
    invoke("demo", "--json")
    with engine.connect() as conn:
        [claim] = claim_records(conn)
        track = catalogue.get_track(conn, claim.claim.track_id)
        decision = decide_tracks(conn, [track], "train-generative", utcnow())[0]
    assert (track.title, claim.status.value, claim.recording_key) == (
        "Red Earth", "open", "reference:1")
    assert claim.matched_seconds > 10
    assert (decision.allowed, decision.rule) == (False, Rule.CONTENT_CLAIM)
