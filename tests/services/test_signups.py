"""Signing up tells nobody which addresses have accounts: a new address gets its account, one
that has an account gets a message (at most one a day), and artist names stay unique."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.errors import InvalidInput
from consentry.outbound.mail import deliver_due
from consentry.services.signups import sign_up
from consentry.settings import Settings
from consentry.store import accounts, parties
from consentry.store.outbox import messages_to
from consentry.timestamps import utcnow
from tests.mail_server import SmtpServer, smtp_server  # noqa: F401

PASSWORD = "correct horse battery"
SITE = "https://music.example"


def test_a_new_address_gets_its_account_and_a_message(engine: Engine) -> None:
    with engine.begin() as conn:
        assert sign_up(conn, " Ada@Example.org", PASSWORD, "  Ada   Lovelace ", "de",
                       SITE) == "ada@example.org"
        user = accounts.find_user(conn, "ada@example.org")
        [mail] = messages_to(conn, "ada@example.org")
    assert user is not None and user.display_name == "Ada Lovelace" and user.locale == "de"
    assert mail.subject == "Ihr consentry-Künstlerkonto"
    assert "'Ada Lovelace'" in mail.text_body and f"{SITE}/login" in mail.text_body


@pytest.mark.slow
def test_an_address_with_an_account_is_told_and_its_account_is_left_alone(
        engine: Engine, settings: Settings, smtp_server: SmtpServer) -> None:  # noqa: F811
    with engine.begin() as conn:
        owner = accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo", Role.ARTIST)
    now = utcnow()
    for tries in range(3):
        with engine.begin() as conn:
            assert sign_up(conn, "bo@example.org", "an attacker's choice", f"Not Bo {tries}",
                           "en", SITE, now + timedelta(hours=tries)) == "bo@example.org"
    with engine.begin() as conn:
        assert accounts.list_users(conn) == [owner]
        assert not parties.artist_name_taken(conn, "Not Bo 0")
        assert accounts.verify_login(conn, "bo@example.org", PASSWORD, "10.0.0.1") == owner
        assert len(messages_to(conn, "bo@example.org")) == 1, "one a day, however many tries"
        sign_up(conn, "bo@example.org", "an attacker's choice", "Not Bo", "en", SITE,
                now + timedelta(days=1, seconds=1))
        assert len(messages_to(conn, "bo@example.org")) == 2, "and one the next day"
    sent = deliver_due(engine, settings.model_copy(update={"smtp_port": smtp_server.port}),
                       now + timedelta(days=2))
    assert sent.sent == 2
    message = smtp_server.mailbox.messages[0]
    assert message["To"] == "bo@example.org"
    assert message["Subject"] == "Someone tried to sign up with your e-mail address"
    body = message.get_body(("plain",)).get_content()
    assert "already has one. Nothing was changed." in body and f"{SITE}/login" in body


@pytest.mark.parametrize("name", ["Bo Beat", "bo beat", "  BO   Beat ", "Bo\tbeat"])
def test_an_artist_name_in_use_is_refused_before_the_address_is_looked_up(
        engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo Beat", Role.ARTIST)
    for email in ("new@example.org", "bo@example.org"):  # the same refusal for both
        with engine.begin() as conn, pytest.raises(InvalidInput, match="another artist"):
            sign_up(conn, email, PASSWORD, name, "en", SITE)
    with engine.begin() as conn:
        assert messages_to(conn, "bo@example.org") == []
        assert sign_up(conn, "new@example.org", PASSWORD, "Bo Beats", "en", SITE)


def test_names_compare_alike_in_every_script(engine: Engine) -> None:
    with engine.begin() as conn:
        parties.create_artist(conn, "Ärzte Straße")
        assert parties.artist_name_taken(conn, "ÄRZTE STRASSE")
        assert not parties.artist_name_taken(conn, "Ärzte Strasse Band")
