"""Claims over the API: who sees them, who may confirm, release or dispute, and the effect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Identified
from consentry.store.claims import open_claim
from tests.web.conftest import World


def test_parties_review_a_claim_and_decisions_follow(client: TestClient, world: World,
                                                     engine: Engine) -> None:
    found = Identified("reference:1", "reference", 1, "Hit", world.holder_1, (), 2.0, 12.0,
                       20.0, 0.7, 20.0, 1.0)
    with engine.begin() as conn:
        claim = open_claim(conn, world.track_b, found, "a" * 64, "test")

    def listed(who: str) -> list[int]:
        response = client.get("/v1/claims", headers=world.headers(who))
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()]

    assert listed("holder_1") == listed("artist_b") == listed("admin") == [claim.id]
    [shown] = client.get("/v1/claims", headers=world.headers("artist_b")).json()
    assert (shown["confidence"], shown["significance"], shown["matched_seconds"]) == (
        0.7, 20.0, 20.0)
    assert listed("holder_2") == listed("artist_a") == []

    def act(who: str, action: str, reason: str = "") -> tuple[int, dict]:
        response = client.post(f"/v1/claims/{claim.id}/{action}", json={"reason": reason},
                                headers=world.headers(who))
        return response.status_code, response.json()

    assert act("holder_2", "confirm")[0] == 403
    assert act("artist_b", "confirm")[0] == 403
    assert act("holder_1", "dispute", "mine")[0] == 403
    assert act("artist_a", "dispute", "mine")[0] == 403
    assert act("internal", "release")[0] == 403
    status, body = act("artist_b", "dispute")
    assert status == 422 and "why" in body["detail"]
    decision = client.get(f"/v1/tracks/{world.track_b}/decision",
                          params={"purpose": "recommendations"}, headers=world.headers("admin"))
    assert (decision.json()["rule"], decision.json()["reasons"][0]["claim_id"]) == (
        "content-claim", claim.id)

    status, body = act("holder_1", "confirm")
    assert (status, body["status"]) == (200, "confirmed")
    status, body = act("artist_b", "dispute", "I recorded it in 2019")
    assert (status, body["status"]) == (200, "disputed")
    assert body["changes"][-1]["reason"] == "I recorded it in 2019"
    assert body["changes"][-1]["by"].startswith("artist:")
    deadline = datetime.fromisoformat(body["respond_by"])
    assert timedelta(days=13, hours=23) < deadline - datetime.now(UTC) <= timedelta(days=14)
    decision = client.get(f"/v1/tracks/{world.track_b}/decision",
                          params={"purpose": "recommendations"}, headers=world.headers("admin"))
    assert decision.json()["rule"] == "content-claim", "a dispute does not lift the claim"
    status, body = act("holder_1", "release")
    assert (status, body["status"]) == (200, "released")
    decision = client.get(f"/v1/tracks/{world.track_b}/decision",
                          params={"purpose": "recommendations"}, headers=world.headers("admin"))
    assert decision.json()["decision"] == "allow"
    status, body = act("holder_1", "confirm")
    assert status == 422 and "released cannot be confirmed" in body["detail"]
    assert client.post(f"/v1/claims/{claim.id}/delete", json={},
                       headers=world.headers("admin")).status_code == 422


def test_an_artist_claimant_answers_for_her_own_track(client: TestClient, world: World,
                                                     engine: Engine) -> None:
    """Artist A's own track found in B's upload: A confirms or releases, B only disputes."""
    found = Identified(f"track:{world.track_a}", "track", world.track_a, "Only A", None,
                       (world.artist_a,), 0.0, 0.0, 20.0, 0.8, 25.0, 1.0, world.artist_a)
    with engine.begin() as conn:
        claim = open_claim(conn, world.track_b, found, "c" * 64, "test")
    [shown] = client.get("/v1/claims", headers=world.headers("artist_a")).json()
    assert (shown["id"], shown["claimant_artist_id"], shown["rights_holder_id"]) == (
        claim.id, world.artist_a, None)

    def act(who: str, action: str, reason: str = "") -> int:
        return client.post(f"/v1/claims/{claim.id}/{action}", json={"reason": reason},
                           headers=world.headers(who)).status_code

    assert act("artist_b", "release") == 403
    assert act("holder_1", "release") == 403
    assert act("artist_a", "dispute", "it is mine") == 403  # not an owner of the upload
    assert act("artist_a", "confirm") == 200
    assert act("artist_b", "dispute", "I licensed it") == 200
    assert act("artist_a", "release") == 200
