"""An account that signed itself up logs in at once but changes nothing recorded in its name
until it opens the link mailed to it; the link works once, expires, and can be sent again."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.outbound.mail import deliver_due
from consentry.services import email_verification
from consentry.settings import Settings
from consentry.store import accounts, catalogue
from consentry.store.outbox import messages_to
from consentry.store.schema import account_tokens
from consentry.timestamps import to_micros, utcnow
from tests.mail_server import SmtpServer, smtp_server  # noqa: F401
from tests.web.test_pages import PASSWORD, csrf

EMAIL = "ada@example.org"


def _sign_up_and_log_in(client: TestClient) -> str:
    token = csrf(client.get("/signup").text)
    client.post("/signup", data={"email": EMAIL, "password": PASSWORD, "display_name": "Ada",
                                 "csrf_token": token})
    client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    return token


def _link(engine: Engine) -> str:
    with engine.connect() as conn:
        body = messages_to(conn, EMAIL)[-1].text_body
    match = re.search(r"/verify-email\?token=([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def test_an_unverified_account_sees_the_banner_and_cannot_act_until_it_verifies(
        client: TestClient, engine: Engine, settings: Settings,
        smtp_server: SmtpServer) -> None:  # noqa: F811
    _sign_up_and_log_in(client)
    me = client.get("/me")
    assert me.status_code == 200 and "Confirm your e-mail address" in me.text
    token = csrf(me.text)
    refused = [
        client.post("/me/permissions/review", data={"csrf_token": token,
                                                    "all:train-generative": "allow"}),
        client.post("/me/permissions/confirm", data={
            "csrf_token": token, "change": "all|train-generative|allow"}),
        client.post("/me/tracks/new", data={"csrf_token": token, "title": "Song"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert "confirm your e-mail address first" in refused[0].text
    with engine.connect() as conn:
        [user] = accounts.list_users(conn)
        assert not user.email_verified and catalogue.list_tracks(conn) == []

    deliver_due(engine, settings.model_copy(update={"smtp_port": smtp_server.port}))
    [welcome] = smtp_server.mailbox.messages
    link = _link(engine)
    assert f"/verify-email?token={link}" in welcome.get_body(("plain",)).get_content()
    opened = client.get(f"/verify-email?token={link}")
    assert opened.status_code == 200 and "Your e-mail address is confirmed." in opened.text
    assert "Send the link again" not in opened.text
    assert client.post("/me/tracks/new", data={"csrf_token": token, "title": "Song"},
                       follow_redirects=False).status_code == 303
    replayed = client.get(f"/verify-email?token={link}")
    assert replayed.status_code == 410 and "already used" in replayed.text


def test_forged_and_expired_links_verify_nothing(client: TestClient, engine: Engine) -> None:
    _sign_up_and_log_in(client)
    link = _link(engine)
    for forged in ("forged", "", "<script>x</script>", link + "x"):
        response = client.get("/verify-email", params={"token": forged})
        assert response.status_code == 410 and "<script>x" not in response.text
    with engine.begin() as conn:
        conn.execute(update(account_tokens).values(expires_at=to_micros(utcnow())))
    expired = client.get(f"/verify-email?token={link}")
    assert expired.status_code == 410 and "expired" in expired.text
    with engine.connect() as conn:
        assert not accounts.list_users(conn)[0].email_verified


def test_a_new_link_can_be_asked_for_a_few_times_an_hour(client: TestClient,
                                                         engine: Engine) -> None:
    token = _sign_up_and_log_in(client)
    token = csrf(client.get("/me").text)
    for _ in range(email_verification.LINKS_PER_HOUR + 2):
        response = client.post("/me/verification", data={"csrf_token": token})
        assert response.status_code == 200 and "If a link was due, we sent it." in response.text
    with engine.connect() as conn:
        # the sign-up mail's link counts too
        assert len(messages_to(conn, EMAIL)) == email_verification.LINKS_PER_HOUR
    client.get(f"/verify-email?token={_link(engine)}")
    assert "Send the link again" not in client.get("/me").text


def test_accounts_an_operator_creates_are_verified(engine: Engine) -> None:
    with engine.begin() as conn:
        user = accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo", Role.ARTIST)
        assert user.email_verified and accounts.get_user(conn, user.id).email_verified
