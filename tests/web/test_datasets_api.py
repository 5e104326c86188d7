"""Dataset snapshots over HTTP: taken by a consumer for its own scope, signed, logged, and
downloadable only by whom they belong to."""

from __future__ import annotations

import hashlib
import io

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from consentry.ledger.note import open_note, parse_vkey
from tests.web.conftest import World


def test_a_consumer_takes_and_downloads_its_snapshot(client: TestClient, world: World) -> None:
    for artist in ("artist_a", "artist_b"):
        for purpose in ("train-generative", "third-party-training:acme"):
            assert client.post("/v1/consent", headers=world.headers(artist),
                               json={"purpose": purpose, "choice": "allow"}).status_code == 201
    taken = client.post("/v1/datasets", headers=world.headers("third_party"),
                        json={"purpose": "train-generative"})
    assert taken.status_code == 201, taken.text
    snapshot = taken.json()
    # Label One's agreement forbids generative training; Label Two's only voice cloning
    assert snapshot["tracks"] == 4 and snapshot["consumer_id"] == world.third_party

    manifest = client.get(f"/v1/datasets/{snapshot['id']}/manifest",
                          headers=world.headers("third_party"))
    assert hashlib.sha256(manifest.content).hexdigest() == snapshot["manifest_sha256"]
    rows = pq.read_table(io.BytesIO(manifest.content)).to_pylist()
    assert sorted(r["track_id"] for r in rows) == sorted(
        [world.track_a, world.track_b, world.track_ab, world.track_l2])
    name, key = parse_vkey(client.get("/v1/log").json()["public_key"])
    assert snapshot["manifest_sha256"] in open_note(snapshot["statement"], name, key)
    entry = client.get(f"/v1/log/entries/{snapshot['log_index']}",
                       headers=world.headers("admin")).json()
    assert entry["record"]["manifest_sha256"] == snapshot["manifest_sha256"]

    assert [s["id"] for s in client.get("/v1/datasets",
                                        headers=world.headers("third_party")).json()] == [
        snapshot["id"]]
    assert client.get("/v1/datasets", headers=world.headers("internal")).json() == []
    for role in ("internal", "artist_a"):
        assert client.get(f"/v1/datasets/{snapshot['id']}/manifest",
                          headers=world.headers(role)).status_code == 403


def test_bad_snapshot_requests_are_refused(client: TestClient, world: World) -> None:
    headers = world.headers("third_party")
    unknown = client.post("/v1/datasets", headers=headers, json={"purpose": "cloning"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_purpose"
    out_of_scope = client.post("/v1/datasets", headers=headers, json={"purpose": "train-ai"})
    assert out_of_scope.status_code == 403
    for_another = client.post("/v1/datasets", headers=headers,
                              json={"purpose": "train-generative", "consumer_id": world.internal})
    assert for_another.status_code == 403
    naive = client.post("/v1/datasets", headers=headers,
                        json={"purpose": "train-generative", "at": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
