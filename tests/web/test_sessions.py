"""Sessions are stored for logins only: reading public pages stores nothing and sets no
cookie, the login form's token needs no row, and expired sessions are purged."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.settings import Settings
from consentry.store import accounts, catalogue
from consentry.store.schema import web_sessions
from consentry.timestamps import to_micros, utcnow
from consentry.web.app import sweep_once
from tests.web.test_pages import PASSWORD, csrf


def _sessions(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(web_sessions)).scalar_one())


def test_reading_public_pages_stores_no_session_and_sets_no_cookie(
        client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        user = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        track = catalogue.create_track(conn, "First Song", user.artist_id)  # type: ignore[arg-type]
    paths = ["/", f"/tracks/{track.id}", f"/artists/{user.artist_id}", "/terms", "/nowhere"]
    for _ in range(5):
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 404), path
            assert "set-cookie" not in response.headers, path
    assert _sessions(engine) == 0


def test_the_login_form_works_without_a_stored_session(client: TestClient,
                                                       engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
    form = client.get("/login")
    assert "consentry_session=" in form.headers["set-cookie"], "the token's cookie"
    assert _sessions(engine) == 0
    again = client.get("/login")
    assert "set-cookie" not in again.headers and csrf(again.text) == csrf(form.text)
    stranger = TestClient(client.app)  # another browser cannot use this browser's token
    assert stranger.post("/login", data={"email": "ada@example.org", "password": PASSWORD,
                                         "csrf_token": csrf(form.text)}).status_code == 403
    done = client.post("/login", data={"email": "ada@example.org", "password": PASSWORD,
                                       "csrf_token": csrf(form.text)}, follow_redirects=False)
    assert done.status_code == 303 and _sessions(engine) == 1
    assert client.get("/me").status_code == 200


def test_the_sweep_deletes_expired_sessions(engine: Engine, settings: Settings) -> None:
    with engine.begin() as conn:
        user = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        accounts.start_session(conn, user)
        conn.execute(update(web_sessions).values(
            expires_at=to_micros(utcnow() - timedelta(seconds=1))))
        live = accounts.start_session(conn, user)
    assert sweep_once(engine, settings).sessions_purged == 1
    assert _sessions(engine) == 1
    with engine.connect() as conn:
        assert accounts.load_session(conn, live.secret) is not None
