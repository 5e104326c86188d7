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



def test_an_export_names_a_co_owners_choice_without_its_record(
        client: TestClient, world: World) -> None:
    """Issue 17: the export held a co-owner's consent reasons (their event, its time)."""
    as_a, as_b = world.headers("artist_a"), world.headers("artist_b")
    b_default = client.post("/v1/consent", headers=as_b, json={
        "purpose": "train-ai", "choice": "deny"}).json()
    export = client.get(f"/v1/artists/{world.artist_a}/export", headers=as_a)
    assert export.status_code == 200, export.text
    shared = next(t for t in export.json()["tracks"] if t["id"] == world.track_ab)
    training = next(d for d in shared["decisions"] if d["purpose"] == "train-ai")
    assert training["decision"] == "deny"
    assert training["reasons"] == [
        f"A co-owner's choice (artist {world.artist_b}) decides this; when and how they made "
        "it is theirs to export."]
    assert f"event {b_default['id']}" not in export.text
