"""The consent history as CSV: the artist's own through the API and the pages, formula-safe,
and never another artist's."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import accounts, catalogue
from tests.web.conftest import World
from tests.web.test_pages import PASSWORD, csrf


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_api_answers_the_artist_s_own_history_as_csv(
    client: TestClient, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        track = catalogue.create_track(conn, '=HYPERLINK("http://x","y")', world.artist_a).id
        for purpose, choice in (("train-ai", Choice.DENY), ("recommendations", Choice.ALLOW)):
            consent_choices.record_choice(
                conn, ConsentChoice(world.artist_a, purpose, choice, track)
            )
    path = f"/v1/artists/{world.artist_a}/consent/history.csv"
    response = client.get(path, headers=world.headers("artist_a"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _rows(response.text)
    assert [r["purpose"] for r in rows] == ["train-ai", "recommendations"]
    assert rows[0]["choice"] == "deny" and rows[0]["track_id"] == str(track)
    assert rows[0]["track_title"] == '\'=HYPERLINK("http://x","y")'  # never a formula
    assert rows[0]["event_id"] and rows[0]["terms_version"]
    assert client.get(path, headers=world.headers("admin")).status_code == 200
    for other in ("artist_b", "holder_1", "internal"):
        assert client.get(path, headers=world.headers(other)).status_code == 403, other
    assert client.get(path).status_code == 401


def test_the_signed_in_artist_downloads_their_history(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        ada = accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
        bo = accounts.create_user(conn, "bo@example.org", PASSWORD, "Bo", Role.ARTIST)
        for artist in (ada, bo):
            consent_choices.record_choice(
                conn, ConsentChoice(artist.artist_id, "train-ai", Choice.DENY)
            )  # type: ignore[arg-type]
    assert client.get("/me/history.csv", follow_redirects=False).status_code == 303
    token = csrf(client.get("/login").text)
    client.post(
        "/login", data={"email": "ada@example.org", "password": PASSWORD, "csrf_token": token}
    )
    response = client.get("/me/history.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = _rows(response.text)
    assert len(rows) == 1 and rows[0]["scope"] == "artist" and rows[0]["track_title"] == ""
    assert 'href="/me/history.csv"' in client.get("/me/history").text
