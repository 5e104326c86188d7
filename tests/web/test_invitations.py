"""Naming a co-owner invites them: nothing of theirs is read for the track until they accept,
and a label registers a track for an artist only as an invitation too (issue scenario 1)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Identified
from consentry.store.claims import open_claim
from tests.web.conftest import World

GEN = "train-generative"


def _consent(client: TestClient, world: World, who: str, **body: object) -> None:
    answer = client.post("/v1/consent", headers=world.headers(who),
                         json={"purpose": GEN, "choice": "allow", **body})
    assert answer.status_code == 201, answer.text


def test_a_named_co_owner_is_invited_and_their_choices_stay_unread(
        client: TestClient, world: World, engine: Engine) -> None:
    _consent(client, world, "artist_b")  # Bo allows generative training for all his tracks
    created = client.post("/v1/tracks", headers=world.headers("artist_a"), json={
        "title": "Borrowed", "co_owners": [{"artist_id": world.artist_a, "percent": 50},
                                            {"artist_id": world.artist_b, "percent": 50}]})
    assert created.status_code == 201
    track = created.json()["id"]
    assert created.json()["pending_owners"] == [world.artist_b]
    _consent(client, world, "artist_a")

    decision = client.get(f"/v1/tracks/{track}/decision", headers=world.headers("artist_a"),
                          params={"purpose": GEN}).json()
    assert (decision["decision"], decision["rule"]) == ("deny", "co-owner-consent")
    assert "has not accepted" in decision["reasons"][0]["summary"]
    assert all(r["event_id"] is None for r in decision["reasons"] if r["artist_id"] ==
               world.artist_b), "Bo's events are not read, so not shown"
    # not Bo's track until he accepts: not listed, not readable, no choices for it
    assert track not in [t["id"] for t in client.get(
        "/v1/tracks", headers=world.headers("artist_b")).json()]
    assert client.get(f"/v1/tracks/{track}", headers=world.headers("artist_b")).status_code == 403
    refused = client.post("/v1/consent", headers=world.headers("artist_b"),
                          json={"purpose": GEN, "choice": "allow", "track_id": track})
    assert refused.status_code == 422 and "accept" in refused.json()["detail"]
    eligible = client.get("/v1/eligibility", headers=world.headers("admin"),
                          params={"purpose": GEN, "format": "csv"}).text.splitlines()
    assert f'{track},false,"co-owner-consent"' in eligible

    with engine.begin() as conn:  # a claim on the track: a party only once the share counts
        claim = open_claim(conn, track, Identified(
            "reference:1", "reference", 1, "Hit", world.holder_1, (), 0.0, 0.0, 10.0, 0.9, 12.0,
            1.0), "b" * 64, "test").id
    assert claim in [c["id"] for c in client.get("/v1/claims",
                                                 headers=world.headers("artist_a")).json()]
    assert client.get("/v1/claims", headers=world.headers("artist_b")).json() == []
    [offer] = client.get("/v1/invitations", headers=world.headers("artist_b")).json()
    assert (offer["track_id"], offer["percent"], offer["declined"]) == (track, 50.0, False)
    accepted = client.post(f"/v1/invitations/{track}", headers=world.headers("artist_b"),
                           json={"accept": True})
    assert accepted.status_code == 201
    assert client.get("/v1/invitations", headers=world.headers("artist_b")).json() == []
    assert [c["id"] for c in client.get("/v1/claims", headers=world.headers("artist_b")).json()
            ] == [claim]
    assert client.post(f"/v1/claims/{claim}/release", headers=world.headers("holder_1"),
                       json={}).status_code == 200
    decision = client.get(f"/v1/tracks/{track}/decision", headers=world.headers("artist_a"),
                          params={"purpose": GEN}).json()
    assert decision["decision"] == "allow"


def test_a_decline_keeps_the_share_from_counting(client: TestClient, world: World) -> None:
    _consent(client, world, "artist_b")
    track = client.post("/v1/tracks", headers=world.headers("artist_a"), json={
        "title": "Declined", "co_owners": [{"artist_id": world.artist_a, "percent": 70},
                                            {"artist_id": world.artist_b, "percent": 30}]}
                        ).json()["id"]
    assert client.post(f"/v1/invitations/{track}", headers=world.headers("artist_b"),
                       json={"accept": False}).status_code == 201
    [offer] = client.get("/v1/invitations", headers=world.headers("artist_b")).json()
    assert offer["declined"] is True
    _consent(client, world, "artist_a")
    decision = client.get(f"/v1/tracks/{track}/decision", headers=world.headers("artist_a"),
                          params={"purpose": GEN}).json()
    assert decision["decision"] == "deny"


def test_only_the_invited_artist_answers(client: TestClient, world: World) -> None:
    track = client.post("/v1/tracks", headers=world.headers("artist_a"), json={
        "title": "Mine", "co_owners": [{"artist_id": world.artist_a, "percent": 50},
                                        {"artist_id": world.artist_b, "percent": 50}]}
                        ).json()["id"]
    for who, status in (("artist_a", 404), ("holder_1", 403), ("admin", 403),
                        ("anonymous", 401)):
        answer = client.post(f"/v1/invitations/{track}", headers=world.headers(who),
                             json={"accept": True})
        assert answer.status_code == status, (who, answer.text)
    assert client.post(f"/v1/invitations/{world.track_a}", headers=world.headers("artist_b"),
                       json={"accept": True}).status_code == 404


def test_a_label_registers_a_track_for_an_artist_only_as_an_invitation(
        client: TestClient, world: World) -> None:
    _consent(client, world, "artist_b")
    created = client.post("/v1/tracks", headers=world.headers("holder_1"),
                          json={"title": "Signed to B", "artist_id": world.artist_b})
    assert created.status_code == 201
    track = created.json()["id"]
    assert created.json()["pending_owners"] == [world.artist_b]
    decision = client.get(f"/v1/tracks/{track}/decision", headers=world.headers("holder_1"),
                          params={"purpose": "train-non-generative"}).json()
    assert decision["decision"] == "deny" and "has not accepted" in decision["reasons"][0][
        "summary"]
    assert track not in [t["id"] for t in client.get(
        "/v1/tracks", headers=world.headers("artist_b")).json()]
    assert client.post(f"/v1/invitations/{track}", headers=world.headers("artist_b"),
                       json={"accept": True}).status_code == 201
    assert track in [t["id"] for t in client.get(
        "/v1/tracks", headers=world.headers("artist_b")).json()]
