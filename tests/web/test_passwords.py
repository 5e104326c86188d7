"""Password change and reset through the real app and a real mail server: single-use,
expiring, hashed links; no account enumeration; sessions ended; requests throttled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.outbound.mail import deliver_due
from consentry.services import passwords
from consentry.settings import Settings
from consentry.store import accounts
from consentry.store.outbox import messages_to
from consentry.store.schema import account_tokens
from consentry.timestamps import to_micros, utcnow
from tests.mail_server import SmtpServer, smtp_server  # noqa: F401
from tests.web.test_pages import PASSWORD, csrf

NEW_PASSWORD = "a much better passphrase"


def _user(engine: Engine, email: str = "ada@example.org") -> accounts.User:
    with engine.begin() as conn:
        return accounts.create_user(conn, email, PASSWORD, "Ada", Role.ARTIST)


def _login(client: TestClient, email: str, password: str) -> int:
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token}, follow_redirects=False).status_code


def _ask_reset(client: TestClient, email: str) -> str:
    token = csrf(client.get("/password/forgot").text)
    response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    assert response.status_code == 200
    return response.text


def _link(engine: Engine, email: str) -> str:
    with engine.connect() as conn:
        body = messages_to(conn, email)[-1].text_body
    match = re.search(r"/password/reset\?token=([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def _reset(client: TestClient, token: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    form = client.get(f"/password/reset?token={token}")
    return client.post("/password/reset", data={
        "token": token, "password": password,
        "csrf_token": csrf(form.text) if 'name="csrf_token"' in form.text
        else csrf(client.get("/login").text)}, follow_redirects=False)


@pytest.mark.slow
def test_a_reset_link_by_mail_sets_a_new_password_once_and_ends_every_session(
        client: TestClient, engine: Engine, settings: Settings,
        smtp_server: SmtpServer) -> None:  # noqa: F811
    _user(engine)
    other_browser = TestClient(client.app)
    assert _login(other_browser, "ada@example.org", PASSWORD) == 303
    _ask_reset(client, "Ada@Example.org ")
    sent = deliver_due(engine, settings.model_copy(update={"smtp_port": smtp_server.port}))
    assert sent.sent == 1
    [message] = smtp_server.mailbox.messages
    assert message["Subject"] == "Reset your consentry password"
    token = _link(engine, "ada@example.org")
    assert token in message.get_body(("plain",)).get_content()
    with engine.connect() as conn:  # only the hash is stored
        stored = conn.execute(select(account_tokens.c.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1

    done = _reset(client, token)
    assert done.status_code == 303 and done.headers["location"] == "/login?notice=password-reset"
    assert other_browser.get("/me", follow_redirects=False).status_code == 303, "logged out"
    assert _login(client, "ada@example.org", PASSWORD) == 401
    assert _login(client, "ada@example.org", NEW_PASSWORD) == 303

    replayed = _reset(TestClient(client.app), token, "yet another passphrase")
    assert replayed.status_code == 410 and "already used" in replayed.text
    assert _login(TestClient(client.app), "ada@example.org", NEW_PASSWORD) == 303


def test_the_answer_is_the_same_for_unknown_and_known_addresses(
        client: TestClient, engine: Engine) -> None:
    _user(engine)
    known = _ask_reset(client, "ada@example.org")
    unknown = _ask_reset(client, "nobody@example.org")
    assert known.replace("ada@example.org", "X") == unknown.replace("nobody@example.org", "X")
    with engine.connect() as conn:
        assert messages_to(conn, "nobody@example.org") == []
        assert len(messages_to(conn, "ada@example.org")) == 1
    assert "Check your e-mail" in _ask_reset(client, "not an address")


def test_requests_are_throttled_per_address_and_answered_alike(
        client: TestClient, engine: Engine) -> None:
    _user(engine)
    pages = {_ask_reset(client, "ada@example.org") for _ in range(passwords.RESETS_PER_HOUR + 3)}
    assert len(pages) == 1
    with engine.connect() as conn:
        assert len(messages_to(conn, "ada@example.org")) == passwords.RESETS_PER_HOUR


@pytest.mark.parametrize("token", ["forged", "", "x" * 300, "' OR 1=1 --",
                                   "<script>alert(1)</script>"])
@pytest.mark.slow
def test_forged_tokens_are_refused(client: TestClient, engine: Engine, token: str) -> None:
    _user(engine)
    response = _reset(client, token)
    assert response.status_code in (410, 422)
    assert "<script>alert" not in response.text
    assert _login(client, "ada@example.org", PASSWORD) == 303


def test_an_expired_link_is_refused_and_saying_so(client: TestClient, engine: Engine) -> None:
    _user(engine)
    _ask_reset(client, "ada@example.org")
    token = _link(engine, "ada@example.org")
    with engine.begin() as conn:
        conn.execute(update(account_tokens).values(expires_at=to_micros(utcnow())))
    page = client.get(f"/password/reset?token={token}")
    assert page.status_code == 410 and "expired" in page.text
    assert 'href="/password/forgot"' in page.text
    assert _reset(client, token).status_code == 410
    assert _login(client, "ada@example.org", PASSWORD) == 303


def test_a_new_reset_spends_the_older_links(engine: Engine) -> None:
    _user(engine)
    now = utcnow()
    with engine.begin() as conn:
        passwords.request_reset(conn, "ada@example.org", "https://x", now)
        passwords.request_reset(conn, "ada@example.org", "https://x", now)
    first, second = (re.search(r"token=(\S+)", m.text_body).group(1)  # type: ignore[union-attr]
                     for m in messages_to(engine.connect(), "ada@example.org"))
    with engine.begin() as conn:
        passwords.reset_password(conn, second, NEW_PASSWORD, now + timedelta(minutes=1))
    with engine.begin() as conn, pytest.raises(Exception, match="already used"):
        passwords.reset_password(conn, first, "a third passphrase", now + timedelta(minutes=2))


def test_a_weak_new_password_keeps_the_link_good(client: TestClient, engine: Engine) -> None:
    _user(engine)
    _ask_reset(client, "ada@example.org")
    token = _link(engine, "ada@example.org")
    weak = _reset(client, token, "short")
    assert weak.status_code == 422 and "at least 10 characters" in weak.text
    assert _reset(client, token).status_code == 303


@pytest.mark.slow
def test_changing_the_password_keeps_this_session_and_ends_the_others(
        client: TestClient, engine: Engine) -> None:
    _user(engine)
    other_browser = TestClient(client.app)
    assert _login(other_browser, "ada@example.org", PASSWORD) == 303
    assert _login(client, "ada@example.org", PASSWORD) == 303
    form = client.get("/me/password")
    wrong = client.post("/me/password", data={
        "current_password": "not my password", "password": NEW_PASSWORD,
        "csrf_token": csrf(form.text)})
    assert wrong.status_code == 422 and "current password is not correct" in wrong.text
    assert other_browser.get("/me").status_code == 200, "nothing changed"
    forged = other_browser.post("/me/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 403
    done = client.post("/me/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD,
        "csrf_token": csrf(form.text)}, follow_redirects=True)
    assert done.status_code == 200 and "Your password was changed" in done.text
    assert client.get("/me").status_code == 200, "this session stays"
    assert other_browser.get("/me", follow_redirects=False).status_code == 303
    assert _login(TestClient(client.app), "ada@example.org", NEW_PASSWORD) == 303


@pytest.mark.slow
def test_wrong_current_passwords_are_throttled_like_logins(
        client: TestClient, engine: Engine) -> None:
    _user(engine)
    assert _login(client, "ada@example.org", PASSWORD) == 303
    token = csrf(client.get("/me/password").text)
    codes = [client.post("/me/password", data={
        "current_password": f"guess {n}", "password": NEW_PASSWORD, "csrf_token": token}
    ).status_code for n in range(7)]
    assert codes[:5] == [422] * 5 and codes[-1] == 429


def test_changing_a_password_needs_a_login(client: TestClient) -> None:
    assert client.get("/me/password", follow_redirects=False).status_code == 303
