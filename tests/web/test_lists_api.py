"""Every JSON list: a window (limit, offset), its total (X-Total-Count), RFC 8288 links, the
track search (q, isrc), and unknown parameters refused rather than ignored."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import catalogue
from tests.web.conftest import World


def _links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def test_tracks_come_a_window_at_a_time_with_total_and_links(
    client: TestClient, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        for n in range(4):
            catalogue.create_track(conn, f"Extra {n}", world.artist_a)
    admin = world.headers("admin")
    whole = client.get("/v1/tracks", headers=admin)
    assert whole.headers["X-Total-Count"] == "9"
    middle = client.get("/v1/tracks?limit=3&offset=3&q=", headers=admin)
    assert middle.status_code == 200
    assert [t["id"] for t in middle.json()] == [t["id"] for t in whole.json()][3:6]
    assert middle.headers["X-Total-Count"] == "9"
    links = _links(middle.headers["Link"])
    assert set(links) == {"first", "prev", "next", "last"}
    assert links["next"].endswith("/v1/tracks?q=&limit=3&offset=6")
    assert links["prev"].endswith("offset=0") and "offset=6" in links["last"]
    first = _links(client.get("/v1/tracks?limit=5", headers=admin).headers["Link"])
    assert set(first) == {"first", "next", "last"}


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "offset=-1", "isbn=1", "q=x&page=2"])
def test_a_bad_or_unknown_parameter_is_422_in_the_one_body(
    client: TestClient, world: World, query: str
) -> None:
    response = client.get(f"/v1/tracks?{query}", headers=world.headers("admin"))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_request" and body["problems"]


@pytest.mark.slow
def test_unknown_parameters_are_refused_on_every_list(client: TestClient, world: World) -> None:
    for path in (
        "/v1/claims",
        "/v1/datasets",
        "/v1/withdrawals",
        "/v1/artists",
        f"/v1/artists/{world.artist_a}/consent/history",
    ):
        response = client.get(f"{path}?isrc=GBAYE2400001", headers=world.headers("admin"))
        assert response.status_code == 422, path
        assert response.json()["problems"][0]["location"] == "query.isrc"


def test_tracks_are_searched_by_title_artist_and_isrc(
    client: TestClient, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        coded = catalogue.create_track(conn, "Coded", world.artist_a, isrc="GBAYE2400001").id
    artist_a = world.headers("artist_a")
    found = client.get("/v1/tracks?isrc=gb-aye-24-00001", headers=artist_a)
    assert [t["id"] for t in found.json()] == [coded] and found.headers["X-Total-Count"] == "1"
    only = client.get("/v1/tracks?q=only", headers=world.headers("admin"))
    assert {t["id"] for t in only.json()} == {world.track_a, world.track_b}
    by_name = client.get("/v1/tracks?q=bo%20artist", headers=artist_a)  # co-owner of track_ab
    assert [t["id"] for t in by_name.json()] == [world.track_ab]
    none = client.get("/v1/tracks?isrc=GBAYE2400001", headers=world.headers("artist_b"))
    assert none.json() == [] and none.headers["X-Total-Count"] == "0"
    mine = client.get(f"/v1/artists/{world.artist_a}/tracks?q=coded", headers=artist_a)
    assert [t["id"] for t in mine.json()] == [coded]
    label = client.get(
        f"/v1/rights-holders/{world.holder_1}/tracks?q=single", headers=world.headers("holder_1")
    )
    assert [t["id"] for t in label.json()] == [world.track_l1]


def test_history_and_other_lists_send_totals(
    client: TestClient, world: World, engine: Engine
) -> None:
    with engine.begin() as conn:
        for purpose in ("recommendations", "train-generative", "voice-likeness"):
            consent_choices.record_choice(
                conn, ConsentChoice(world.artist_a, purpose, Choice.DENY, world.track_a)
            )
    history = client.get(
        f"/v1/artists/{world.artist_a}/consent/history?limit=2&offset=1",
        headers=world.headers("artist_a"),
    )
    assert history.status_code == 200, history.text
    assert history.headers["X-Total-Count"] == "3" and len(history.json()) == 2
    for path in (
        "/v1/claims",
        "/v1/datasets",
        "/v1/withdrawals",
        "/v1/consumers",
        "/v1/artists",
        "/v1/rights-holders",
        "/v1/tokens",
        f"/v1/rights-holders/{world.holder_1}/references",
        f"/v1/tracks/{world.track_a}/consent",
    ):
        response = client.get(f"{path}?limit=1", headers=world.headers("admin"))
        assert response.status_code == 200, (path, response.text)
        assert int(response.headers["X-Total-Count"]) >= len(response.json()), path
        assert 'rel="first"' in response.headers["Link"], path


def test_the_openapi_document_declares_the_list_headers(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/tracks", "/v1/claims", "/v1/artists/{artist_id}/consent/history"):
        headers = paths[path]["get"]["responses"]["200"]["headers"]
        assert headers["X-Total-Count"]["required"] and "Link" in headers, path
    names = {p["name"] for p in paths["/v1/tracks"]["get"]["parameters"]}
    assert {"limit", "offset", "q", "isrc"} <= names
