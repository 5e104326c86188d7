"""A co-owner sees what bears on the shared track, not the other owner's other choices."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import World


def test_track_consent_hides_a_co_owners_defaults(client: TestClient, world: World) -> None:
    as_a, as_b = world.headers("artist_a"), world.headers("artist_b")
    b_default = client.post("/v1/consent", headers=as_b, json={
        "purpose": "train-ai", "choice": "deny", "source": "private note"}).json()
    b_on_track = client.post("/v1/consent", headers=as_b, json={
        "purpose": "train-ai", "choice": "allow", "track_id": world.track_ab}).json()
    a_default = client.post("/v1/consent", headers=as_a, json={
        "purpose": "recommendations", "choice": "allow"}).json()

    seen_by_a = {e["id"] for e in client.get(
        f"/v1/tracks/{world.track_ab}/consent", headers=as_a).json()}
    assert seen_by_a == {b_on_track["id"], a_default["id"]}
    seen_by_admin = {e["id"] for e in client.get(
        f"/v1/tracks/{world.track_ab}/consent", headers=world.headers("admin")).json()}
    assert {b_default["id"], b_on_track["id"], a_default["id"]} <= seen_by_admin

