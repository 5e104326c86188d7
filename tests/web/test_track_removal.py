"""Removing a track through the API (DELETE /v1/tracks/{id}) and the pages (always through a
confirmation): who may, what answers afterwards, and what is kept."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.store import accounts, catalogue
from tests.web.conftest import MISSING, World
from tests.web.test_pages import PASSWORD, csrf


@pytest.mark.parametrize("role", ["artist_b", "holder_1", "internal", "anonymous", "expired"])
def test_only_the_managing_artist_or_an_admin_may_remove(
        client: TestClient, world: World, role: str) -> None:
    # artist B co-owns track_ab and holder 1 holds track_l1: neither manages them
    for track in (world.track_ab, world.track_l1, world.track_a):
        response = client.delete(f"/v1/tracks/{track}", headers=world.headers(role))
        assert response.status_code in (401, 403), (role, track, response.text)
    response = client.get(f"/v1/tracks/{world.track_a}", headers=world.headers("artist_a"))
    assert response.status_code == 200


def test_a_removed_track_answers_410_everywhere(client: TestClient, world: World,
                                                engine: Engine) -> None:
    removed = client.delete(f"/v1/tracks/{world.track_a}", headers=world.headers("artist_a"))
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert body["track_id"] == world.track_a and body["withdrawals"] == 0
    assert body["removed_by"].startswith("artist:")
    for path in (f"/v1/tracks/{world.track_a}", f"/v1/tracks/{world.track_a}/decisions",
                 f"/v1/tracks/{world.track_a}/decision?purpose=recommendations",
                 f"/v1/tracks/{world.track_a}/audio"):
        response = client.get(path, headers=world.headers("admin"))
        assert response.status_code == 410, path
        assert response.json()["error"] == "track_removed"
    assert client.get(f"/v1/tracks/{world.track_a}/audio").status_code == 410
    assert client.get(f"/tracks/{world.track_a}").status_code == 410
    again = client.delete(f"/v1/tracks/{world.track_a}", headers=world.headers("admin"))
    assert again.status_code == 410
    listed = client.get("/v1/tracks", headers=world.headers("artist_a")).json()
    assert world.track_a not in [t["id"] for t in listed]
    assert client.delete(f"/v1/tracks/{MISSING}",
                         headers=world.headers("admin")).status_code == 404
    with engine.connect() as conn:  # the record stays
        assert catalogue.removed_track_ids(conn, [world.track_a]) == {world.track_a}


def test_an_admin_removes_a_co_owned_track(client: TestClient, world: World) -> None:
    response = client.delete(f"/v1/tracks/{world.track_ab}", headers=world.headers("admin"))
    assert response.status_code == 200
    listed = client.get("/v1/tracks", headers=world.headers("artist_b")).json()
    assert world.track_ab not in [t["id"] for t in listed]


def _login(client: TestClient, email: str) -> None:
    token = csrf(client.get("/login").text)
    assert client.post("/login", data={"email": email, "password": PASSWORD,
                                       "csrf_token": token},
                       follow_redirects=False).status_code == 303


def test_the_artist_removes_a_track_after_confirming(client: TestClient,
                                                     engine: Engine) -> None:
    with engine.begin() as conn:
        ada = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        bo = accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo", Role.ARTIST)
        track = catalogue.create_track(conn, "<b>Bold</b> Song", ada.artist_id)  # type: ignore[arg-type]
    _login(client, "ada@example.org")
    manage = client.get(f"/me/tracks/{track.id}")
    assert f'href="/me/tracks/{track.id}/remove"' in manage.text
    confirm = client.get(f"/me/tracks/{track.id}/remove")
    assert confirm.status_code == 200 and "&lt;b&gt;Bold&lt;/b&gt;" in confirm.text
    assert "<b>Bold</b>" not in confirm.text
    with engine.connect() as conn:
        catalogue.get_track(conn, track.id)  # showing the confirmation removed nothing
    forged = client.post(f"/me/tracks/{track.id}/remove", data={"csrf_token": "forged"})
    assert forged.status_code == 403

    stranger = TestClient(client.app)
    _login(stranger, "bo@example.org")
    assert stranger.get(f"/me/tracks/{track.id}/remove").status_code == 403
    token = csrf(stranger.get("/me").text)
    assert stranger.post(f"/me/tracks/{track.id}/remove",
                         data={"csrf_token": token}).status_code == 403
    assert bo.artist_id != ada.artist_id

    done = client.post(f"/me/tracks/{track.id}/remove", data={"csrf_token": csrf(confirm.text)},
                       follow_redirects=True)
    assert done.status_code == 200 and "The track was removed." in done.text
    assert "Bold" not in done.text
    assert client.get(f"/tracks/{track.id}").status_code == 410
    assert client.get(f"/me/tracks/{track.id}").status_code == 410


@pytest.mark.slow
def test_an_admin_finds_and_removes_a_track(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        ada = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        accounts.create_user(conn, "root@example.org", PASSWORD, "Root", Role.ADMIN)
        track = catalogue.create_track(conn, "Song", ada.artist_id)  # type: ignore[arg-type]
    _login(client, "root@example.org")
    listing = client.get("/admin/tracks")
    assert f'href="/admin/tracks/{track.id}/remove"' in listing.text
    confirm = client.get(f"/admin/tracks/{track.id}/remove")
    done = client.post(f"/admin/tracks/{track.id}/remove",
                       data={"csrf_token": csrf(confirm.text)}, follow_redirects=True)
    assert "The track was removed." in done.text and "Song" not in done.text.split("</h1>")[1]
    artist = TestClient(client.app)
    _login(artist, "ada@example.org")
    assert artist.get("/admin/tracks").status_code == 403


def test_two_simultaneous_removals_answer_200_and_410(client: TestClient, world: World,
                                                      engine: Engine) -> None:
    """Both requests find the track before either records its removal: the second must be
    told the track is gone (410), not meet the unique constraint as a 500."""
    app_engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    both_read = threading.Barrier(2, timeout=10)

    def meet_before_recording(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO TRACK_REMOVALS"):
            both_read.wait()

    event.listen(app_engine, "before_cursor_execute", meet_before_recording)
    try:
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: client.delete(
                f"/v1/tracks/{world.track_a}", headers=world.headers("admin")), range(2)))
    finally:
        event.remove(app_engine, "before_cursor_execute", meet_before_recording)
    assert sorted(a.status_code for a in answers) == [200, 410], [a.text for a in answers]
    gone = next(a for a in answers if a.status_code == 410)
    assert gone.json()["error"] == "track_removed"
    with engine.connect() as conn:
        assert catalogue.removed_track_ids(conn, [world.track_a]) == {world.track_a}
