"""The demo catalogue that ``make demo`` serves: a few artists, a label, two AI consumers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Table, select

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice, ConsumerKind, Share
from consentry.services import consent_choices
from consentry.store import accounts, catalogue, parties, share_answers
from consentry.store.schema import artists, consumers, rights_holders
from consentry.store.tokens import IssuedToken, create_token

DEMO_MARKER = "Mara Lind"
# Demo only: these accounts exist in the demo catalogue and nowhere else.
DEMO_PASSWORD = "demo-password"
DEMO_ACCOUNTS = (
    ("mara@demo.consentry.example", "Mara Lind", Role.ARTIST, True, False),
    ("label@demo.consentry.example", "Northwind Records staff", Role.RIGHTS_HOLDER, False, True),
    ("admin@demo.consentry.example", "Platform admin", Role.ADMIN, False, False),
)


@dataclass(frozen=True)
class DemoTokens:
    admin: IssuedToken
    artist: IssuedToken
    rights_holder: IssuedToken
    consumer_internal: IssuedToken
    consumer_third_party: IssuedToken


def is_seeded(conn: Connection) -> bool:
    return conn.execute(select(artists.c.id).where(artists.c.name == DEMO_MARKER)).first() \
        is not None


def seed_demo(conn: Connection) -> None:
    """Create the demo parties, tracks and choices (call once, on an empty database)."""
    mara = parties.create_artist(conn, DEMO_MARKER)
    juno = parties.create_artist(conn, "Juno Vale")
    flight = parties.create_artist(conn, "The Flight")
    kofi = parties.create_artist(conn, "Kofi Mensah")
    northwind = parties.create_rights_holder(conn, "Northwind Records")
    catalogue.create_agreement(
        conn, northwind.id, "Northwind catalogue licence: no AI training",
        frozenset({"train-ai", "ai-input"}), datetime(2024, 1, 1, tzinfo=UTC))

    salt = catalogue.create_track(conn, "Salt and Static", mara.id, isrc="GBNWR2400001")
    low_tide = catalogue.create_track(conn, "Low Tide", mara.id,
                                      [Share(mara.id, 6000), Share(juno.id, 4000)],
                                      by="Mara Lind (demo seed)")
    share_answers.answer_share(conn, low_tide.id, juno.id, True, "Juno Vale (demo seed)")
    catalogue.create_track(conn, "Open Water", flight.id, rights_holder_id=northwind.id,
                           isrc="GBNWR2400002")
    catalogue.create_track(conn, "Signal Fire", flight.id, rights_holder_id=northwind.id)
    catalogue.create_track(conn, "Harmattan", kofi.id)
    catalogue.create_track(conn, "Red Earth", kofi.id)

    for choice in (
        ConsentChoice(mara.id, "train-non-generative", Choice.ALLOW),
        ConsentChoice(mara.id, "train-generative", Choice.DENY),
        ConsentChoice(mara.id, "train-generative", Choice.ALLOW, track_id=salt.id),
        ConsentChoice(juno.id, "train-ai", Choice.ALLOW),
        ConsentChoice(flight.id, "train-ai", Choice.DENY),
        ConsentChoice(kofi.id, "train-generative", Choice.ALLOW),
        ConsentChoice(kofi.id, "third-party-training:soundlab", Choice.ALLOW),
    ):
        consent_choices.record_choice(conn, ConsentChoice(
            choice.artist_id, choice.purpose, choice.choice, choice.track_id,
            source="demo seed", recorded_by="consentry demo"))

    for email, name, role, artist, holder in DEMO_ACCOUNTS:
        accounts.create_user(
            conn, email, DEMO_PASSWORD, name, role,
            artist_id=mara.id if artist else None,
            rights_holder_id=northwind.id if holder else None)

    parties.create_consumer(conn, "Recommendations team",
                            frozenset({"recommendations", "train-non-generative"}))
    parties.create_consumer(conn, "SoundLab AI", frozenset({"train-generative"}),
                            ConsumerKind.THIRD_PARTY, "soundlab")


def issue_demo_tokens(conn: Connection, secret_key: str) -> DemoTokens:
    """Fresh tokens for the tour (each run issues new ones; old ones keep working)."""
    def one(name: str, role: Role, subject: int | None) -> IssuedToken:
        return create_token(conn, secret_key, f"demo {name}", role, subject,
                            timedelta(days=30))

    def id_of(table: Table, name: str) -> int:
        return int(conn.execute(select(table.c.id).where(table.c.name == name)
                                .order_by(table.c.id).limit(1)).scalar_one())

    return DemoTokens(
        admin=one("admin", Role.ADMIN, None),
        artist=one("artist Mara Lind", Role.ARTIST, id_of(artists, DEMO_MARKER)),
        rights_holder=one("Northwind Records", Role.RIGHTS_HOLDER,
                          id_of(rights_holders, "Northwind Records")),
        consumer_internal=one("Recommendations team", Role.CONSUMER,
                              id_of(consumers, "Recommendations team")),
        consumer_third_party=one("SoundLab AI", Role.CONSUMER, id_of(consumers, "SoundLab AI")))
