"""Published terms in a real database: notice before a material change applies, append-only
rows, per-user answers bound to the text hash, and decisions that never turn a use on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.access import Role
from consentry.errors import InvalidInput
from consentry.services.decisions import decide_track
from consentry.store import accounts, catalogue, parties
from consentry.store.schema import terms_responses, terms_versions
from consentry.store.terms import get_published, publish_text, review_draft, terms_at
from consentry.store.terms_acceptance import notified_accounts, record_answer, standing_of
from tests.terms.samples import V1, V2

T0 = datetime(2025, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_material_version_waits_for_its_notice_and_each_users_answer(engine: Engine) -> None:
    with engine.begin() as conn:
        publish_text(conn, "2", V1, "admin@example.org", notice=30 * DAY, at=T0)
        user = accounts.create_user(conn, "ada@example.org", "correct horse battery", "Ada",
                                    Role.ARTIST)
        draft = review_draft(conn, V2)
        assert draft.material and draft.review.changes
        v3 = publish_text(conn, "3", V2, "admin@example.org", notice=30 * DAY)
        assert v3.material and v3.effective_at == v3.published_at + 30 * DAY
        assert notified_accounts(conn, v3) == [(user.id, "ada@example.org", "en")]
        standing = standing_of(conn, user.id, v3.published_at + DAY)
        assert standing.state.status == "notice" and standing.in_force.version == "2"
        assert standing.pending.version == "3" and standing.needs_answer
        with pytest.raises(InvalidInput):
            record_answer(conn, user.id, "3", "0" * 64, True, v3.published_at + DAY)
        record_answer(conn, user.id, "3", v3.text_hash, True, v3.published_at + DAY)
        assert standing_of(conn, user.id, v3.published_at + 2 * DAY).state.status == "accepted"
        after = standing_of(conn, user.id, v3.effective_at + DAY)
        assert after.state.status == "current" and after.in_force.version == "3"


def test_refusing_keeps_the_old_version_with_its_consequence(engine: Engine) -> None:
    with engine.begin() as conn:
        publish_text(conn, "2", V1, "admin", notice=30 * DAY, at=T0)
        user = accounts.create_user(conn, "bo@example.org", "correct horse battery", "Bo",
                                    Role.ARTIST)
        v3 = publish_text(conn, "3", V2, "admin", notice=30 * DAY,
                          refusal_note="New AI features will not be available to you.")
        record_answer(conn, user.id, "3", v3.text_hash, False, v3.published_at + DAY)
        state = standing_of(conn, user.id, v3.effective_at + DAY).state
        assert state.status == "refused" and state.in_force.version == "2"
        assert state.consequence.note.startswith("New AI features")


def test_published_versions_and_answers_cannot_be_rewritten(engine: Engine) -> None:
    with engine.begin() as conn:
        publish_text(conn, "2", V1, "admin", notice=30 * DAY, at=T0)
        user = accounts.create_user(conn, "cy@example.org", "correct horse battery", "Cy",
                                    Role.ARTIST)
        record_answer(conn, user.id, "2", get_published(conn, "2").text_hash, True, T0)
    for statement in (update(terms_versions).values(markdown="# Changed quietly"),
                      delete(terms_versions), update(terms_responses).values(accepted=False),
                      delete(terms_responses)):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        assert get_published(conn, "2").markdown.startswith(V1.strip()[:20])


def test_versions_are_validated(engine: Engine) -> None:
    with engine.begin() as conn:
        publish_text(conn, "2", V1, "admin", notice=30 * DAY, at=T0)
        for version, text in (("2", V2), ("bad version!", V2), ("4", V1)):
            with pytest.raises(InvalidInput):
                publish_text(conn, version, text, "admin", notice=30 * DAY)


def test_terms_cannot_switch_a_use_on_for_existing_content(engine: Engine) -> None:
    """A newly required training purpose stays denied; a lifted prohibition of an internal
    use stays in force; a new prohibition applies once its notice is over."""
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        track = catalogue.create_track(conn, "Song", artist.id)
        publish_text(conn, "2", V1, "admin", notice=30 * DAY, at=T0,
                     prohibited=frozenset({"recommendations"}))
        v3 = publish_text(conn, "3", V2, "admin", notice=30 * DAY, at=T0 + DAY,
                          required=frozenset({"fraud-detection", "content-identification",
                                              "train-generative"}),
                          prohibited=frozenset({"voice-likeness"}))
        assert v3.material
        later = v3.effective_at + DAY
        policy = terms_at(conn, later)
        assert policy.version == "3" and "train-generative" not in policy.required
        assert {"recommendations", "voice-likeness"} <= policy.prohibited
        assert not decide_track(conn, track.id, "train-generative", later).allowed
        assert not decide_track(conn, track.id, "recommendations", later).allowed
        assert decide_track(conn, track.id, "voice-likeness", later).rule.value == (
            "terms-prohibition")
        before = decide_track(conn, track.id, "voice-likeness", v3.effective_at - DAY)
        assert before.rule.value != "terms-prohibition"
