"""A consent event carries the terms version that binds its artist, never a material version
they have not accepted, even once it is in force for others (issue scenario 8)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import accounts, parties
from consentry.store.terms import publish_text, terms_at
from consentry.store.terms_acceptance import record_answer
from consentry.timestamps import utcnow
from tests.terms.samples import V1, V2


def test_an_event_is_stamped_with_the_artist_s_version(engine: Engine) -> None:
    with engine.begin() as conn:
        publish_text(conn, "2", V1, "admin", notice=timedelta(days=30),
                     at=utcnow() - timedelta(days=400))
        ada = accounts.create_user(conn, "ada@example.org", "correct horse battery", "Ada",
                                   Role.ARTIST)
        bo = parties.create_artist(conn, "Bo").id  # no account
    with engine.begin() as conn:  # a material change, in force at once (tests may shorten)
        third = publish_text(conn, "3", V2, "admin", notice=timedelta(0))
        assert third.material and terms_at(conn, utcnow()).version == "3"

    def stamp(artist: int) -> str:
        with engine.begin() as conn:
            return consent_choices.record_choice(conn, ConsentChoice(
                artist, "train-ai", Choice.DENY)).terms_version

    assert ada.artist_id is not None
    assert (stamp(ada.artist_id), stamp(bo)) == ("2", "2")
    with engine.begin() as conn:
        record_answer(conn, ada.id, "3", third.text_hash, True, utcnow())
    assert (stamp(ada.artist_id), stamp(bo)) == ("3", "2")
