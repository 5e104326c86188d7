"""The whole-catalogue read sees what the same process, or another, wrote a moment ago.

ADBC's bundled SQLite library read stale data after in-process writes (two SQLite copies in
one process do not share POSIX locks); SQLite is now read through the engine's own driver.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice, Share
from consentry.services import consent_choices
from consentry.services.decisions import catalogue_inputs, decide_all
from consentry.store import catalogue, parties
from consentry.store.database import make_engine
from consentry.timestamps import utcnow


def test_each_read_sees_the_latest_write(engine: Engine) -> None:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        catalogue.create_track(conn, "Song", artist.id)
    answers = []
    for choice in (Choice.ALLOW, Choice.DENY, Choice.ALLOW, Choice.DENY):
        with engine.begin() as conn:
            consent_choices.record_choice(conn, ConsentChoice(
                artist.id, "train-non-generative", choice))
        answers.append(bool(decide_all(engine, "train-non-generative", utcnow()).allowed[0]))
    assert answers == [True, False, True, False]


def test_kept_track_columns_follow_new_tracks_shares_and_labels(
        engine: Engine, database_url: str) -> None:
    """The owners' and labels' columns are kept between reads on SQLite; what another
    connection adds (a track, a co-owned track, a label's track) is seen on the next read."""
    with engine.begin() as conn:
        ada, bo = (parties.create_artist(conn, n).id for n in ("Ada", "Bo"))
        label = parties.create_rights_holder(conn, "Label").id
        catalogue.create_agreement(conn, label, "No training", frozenset({"train-ai"}))
        catalogue.create_track(conn, "Solo", ada)
        for purpose in ("train-non-generative", "recommendations"):
            consent_choices.record_choice(conn, ConsentChoice(ada, purpose, Choice.ALLOW))

    def decided() -> list[tuple[int, bool, str]]:
        result = decide_all(engine, "train-non-generative", utcnow())
        return [(int(t), bool(a), r.value) for t, a, r in
                zip(result.track_id, result.allowed, result.rules(), strict=True)]

    first = decided()
    assert decided() == first  # the kept columns give the same answer
    other = make_engine(database_url)  # another writer, as another process would be
    with other.begin() as conn:
        duet = catalogue.create_track(conn, "Duet", ada, [Share(ada, 5000), Share(bo, 5000)],
                                      accepted=(ada, bo)).id
        signed = catalogue.create_track(conn, "Signed", ada, rights_holder_id=label).id
    other.dispose()
    assert decided() == [*first, (duet, False, "co-owner-consent"),
                         (signed, False, "rights-holder-agreement")]
    columns, *_ = catalogue_inputs(engine, "recommendations", utcnow())
    with pytest.raises(ValueError):  # shared between reads: nobody may change them in place
        columns.track_id[0] = 99
