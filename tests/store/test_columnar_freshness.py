"""The whole-catalogue read sees what the same process wrote a moment ago.

ADBC's bundled SQLite library read stale data after in-process writes (two SQLite copies in
one process do not share POSIX locks); SQLite is now read through the engine's own driver.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.store import catalogue, ledger, parties
from consentry.store.decisions import decide_all
from consentry.timestamps import utcnow


def test_each_read_sees_the_latest_write(engine: Engine) -> None:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        catalogue.create_track(conn, "Song", artist.id)
    answers = []
    for choice in (Choice.ALLOW, Choice.DENY, Choice.ALLOW, Choice.DENY):
        with engine.begin() as conn:
            ledger.record_choice(conn, ConsentChoice(artist.id, "train-non-generative", choice))
        answers.append(bool(decide_all(engine, "train-non-generative", utcnow()).allowed[0]))
    assert answers == [True, False, True, False]
