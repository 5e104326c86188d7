"""A label removes a reference recording over the API; an artist replaces a claimed upload.

Either way the claims that rested on what is gone are released, and decisions follow.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import fingerprint_samples
from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store.reference_recordings import add_reference
from tests.audio.music import RATE, piece, with_noise
from tests.web.conftest import World
from tests.web.test_identify_api import wav

SONG = piece(91, 40.0)
COPY = wav(with_noise(SONG[RATE * 4:RATE * 34], 12.0))


def upload(client: TestClient, world: World, track_id: int, data: bytes,
           who: str = "artist_b") -> dict:
    response = client.post(f"/v1/tracks/{track_id}/audio", headers=world.headers(who),
                           files={"file": ("take.wav", data, "audio/wav")})
    assert response.status_code == 201, response.text
    return response.json()


def training(client: TestClient, world: World, track_id: int) -> dict:
    response = client.get(f"/v1/tracks/{track_id}/decision", params={"purpose": "train-ai"},
                          headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_label_removes_its_reference_and_the_claims_on_it_are_released(
        client: TestClient, world: World, engine: Engine) -> None:
    with engine.begin() as conn:
        reference = add_reference(conn, world.holder_1, "Label hit", "a" * 64,
                                  fingerprint_samples(SONG), isrc="GBAYE2400001")
        consent_choices.record_choice(conn, ConsentChoice(world.artist_b, "train-ai", Choice.ALLOW))
    [claim] = upload(client, world, world.track_b, COPY)["claims"]
    assert training(client, world, world.track_b)["rule"] == "content-claim"

    listed = client.get(f"/v1/rights-holders/{world.holder_1}/references",
                        headers=world.headers("holder_1"))
    assert listed.status_code == 200, listed.text
    assert [(r["id"], r["recording"], r["title"], r["isrc"]) for r in listed.json()] == [
        (reference.id, f"reference:{reference.id}", "Label hit", "GBAYE2400001")]
    assert client.get(f"/v1/rights-holders/{world.holder_2}/references",
                      headers=world.headers("holder_2")).json() == []

    # another label's reference is not found, whichever way it asks
    path = f"/v1/rights-holders/{world.holder_2}/references/{reference.id}"
    refused = client.delete(path, headers=world.headers("holder_2"))
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    assert client.delete(f"/v1/rights-holders/{world.holder_1}/references/{reference.id}",
                         headers=world.headers("holder_2")).status_code == 403

    removed = client.delete(f"/v1/rights-holders/{world.holder_1}/references/{reference.id}",
                            headers=world.headers("holder_1"))
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert body["removed"]["title"] == "Label hit"
    [released] = body["released_claims"]
    assert (released["id"], released["status"]) == (claim["id"], "released")
    assert released["changes"][-1]["reason"] == "reference removed"
    assert training(client, world, world.track_b)["rule"] != "content-claim"
    again = client.delete(f"/v1/rights-holders/{world.holder_1}/references/{reference.id}",
                          headers=world.headers("holder_1"))
    assert again.status_code == 404
    # identification no longer finds it; the claim stays on record
    found = client.post("/v1/identify", headers=world.headers("admin"),
                        files={"file": ("q.wav", COPY, "audio/wav")})
    assert found.status_code == 200, found.text
    assert [m["recording"] for m in found.json()["matches"]] == [f"track:{world.track_b}"]
    [kept] = client.get("/v1/claims", headers=world.headers("holder_1")).json()
    assert (kept["recording"], kept["status"]) == (f"reference:{reference.id}", "released")


def test_new_audio_releases_the_old_audios_claim_and_is_matched_afresh(
        client: TestClient, world: World, engine: Engine) -> None:
    with engine.begin() as conn:
        add_reference(conn, world.holder_1, "Label hit", "a" * 64, fingerprint_samples(SONG))
        consent_choices.record_choice(conn, ConsentChoice(world.artist_b, "train-ai", Choice.ALLOW))
    first = upload(client, world, world.track_b, COPY)
    [claim] = first["claims"]
    decision = training(client, world, world.track_b)
    assert (decision["decision"], decision["rule"]) == ("deny", "content-claim")

    replaced = upload(client, world, world.track_b, wav(piece(92, 20.0)))
    assert replaced["claims"] == []
    [released] = replaced["released_claims"]
    assert (released["id"], released["status"]) == (claim["id"], "released")
    assert released["changes"][-1]["reason"] == "audio replaced"
    decision = training(client, world, world.track_b)
    assert (decision["decision"], decision["rule"]) == ("allow", "artist-default")

    back = upload(client, world, world.track_b, COPY)
    [reopened] = back["claims"]
    assert reopened["id"] != claim["id"] and reopened["status"] == "open"
    assert back["released_claims"] == []
    assert training(client, world, world.track_b)["rule"] == "content-claim"
