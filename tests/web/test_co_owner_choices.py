"""A co-owner who does not manage a track records a choice for it: the choice has the effect
the rules document (the strictest owner decides), never "no choice recorded"."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import World


def test_a_co_owner_s_track_denial_decides_the_track(client: TestClient, world: World) -> None:
    recorded = client.post("/v1/consent", headers=world.headers("artist_b"), json={
        "purpose": "recommendations", "choice": "deny", "track_id": world.track_ab})
    assert recorded.status_code == 201
    decision = client.get(f"/v1/tracks/{world.track_ab}/decision",
                          headers=world.headers("artist_a"),
                          params={"purpose": "recommendations"}).json()
    assert (decision["decision"], decision["rule"]) == ("deny", "co-owner-consent")
    assert decision["reasons"][0]["event_id"] == recorded.json()["id"]
    assert "No choice recorded" not in decision["reasons"][0]["summary"]
    solo = client.get(f"/v1/tracks/{world.track_a}/decision", headers=world.headers("artist_a"),
                      params={"purpose": "recommendations"}).json()
    assert solo["decision"] == "allow", "a choice for one track reaches no other"
