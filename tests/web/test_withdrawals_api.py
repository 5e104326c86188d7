"""Withdrawal over HTTP, end to end: an artist's "no" reaches the consumer's snapshot, the
consumer registers a webhook, acknowledges (another consumer cannot even see it), makes a
revision without the track, and the artist sees where it all stands."""

from __future__ import annotations

import hashlib
import io

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.ledger.note import open_note, parse_vkey
from consentry.ledger.operator_key import load_operator_key
from consentry.services.log_audit import audit_log
from consentry.settings import Settings
from tests.web.conftest import World


def _consent_and_snapshot(client: TestClient, world: World) -> dict:  # type: ignore[type-arg]
    for artist in ("artist_a", "artist_b"):
        for purpose in ("train-generative", "third-party-training:acme"):
            assert client.post("/v1/consent", headers=world.headers(artist),
                               json={"purpose": purpose, "choice": "allow"}).status_code == 201
    taken = client.post("/v1/datasets", headers=world.headers("third_party"),
                        json={"purpose": "train-generative"})
    assert taken.status_code == 201, taken.text
    return taken.json()  # type: ignore[no-any-return]


def test_withdraw_notify_acknowledge_revise(client: TestClient, world: World, engine: Engine,
                                            settings: Settings) -> None:
    snapshot = _consent_and_snapshot(client, world)
    acme, recs = world.headers("third_party"), world.headers("internal")
    hook = client.post("/v1/webhooks", headers=acme,
                       json={"url": "http://127.0.0.1:9/hooks"})
    assert hook.status_code == 201, hook.text
    assert hook.json()["secret"].startswith("whsec_")
    listed = client.get("/v1/webhooks", headers=acme).json()
    assert [e["id"] for e in listed] == [hook.json()["id"]] and "secret" not in listed[0]
    assert client.get("/v1/webhooks", headers=recs).json() == []

    # artist A says no to generative training for one track
    denied = client.post("/v1/consent", headers=world.headers("artist_a"), json={
        "purpose": "train-generative", "choice": "deny", "track_id": world.track_a})
    assert denied.status_code == 201
    [withdrawal] = client.get("/v1/withdrawals", headers=acme).json()
    assert withdrawal["snapshot_id"] == snapshot["id"]
    assert withdrawal["track_ids"] == [world.track_a]
    assert withdrawal["consent_event_id"] == denied.json()["id"]
    assert withdrawal["stage"] == "recorded" and withdrawal["log_index"] is not None
    entry = client.get(f"/v1/log/entries/{withdrawal['log_index']}",
                       headers=world.headers("admin")).json()
    assert entry["record"]["kind"] == "withdrawal"

    # who sees it: the consumer, the artist whose choice caused it, admins; not the others
    wid = withdrawal["id"]
    for role, status in (("third_party", 200), ("artist_a", 200), ("admin", 200),
                         ("internal", 404), ("artist_b", 404), ("holder_1", 403)):
        assert client.get(f"/v1/withdrawals/{wid}", headers=world.headers(role)
                          ).status_code == status, role
    assert client.get("/v1/withdrawals", headers=world.headers("artist_b")).json() == []
    assert client.get("/v1/withdrawals", headers=recs).json() == []

    # acknowledgement: the right consumer only, once
    wrong = client.post(f"/v1/withdrawals/{wid}/acknowledgement", headers=recs)
    assert wrong.status_code == 404 and wrong.json()["error"] == "not_found"
    assert client.post(f"/v1/withdrawals/{wid}/acknowledgement",
                       headers=world.headers("admin")).status_code == 403
    acked = client.post(f"/v1/withdrawals/{wid}/acknowledgement", headers=acme)
    assert acked.status_code == 200 and acked.json()["stage"] == "acknowledged"
    again = client.post(f"/v1/withdrawals/{wid}/acknowledgement", headers=acme)
    assert again.json()["acknowledged_at"] == acked.json()["acknowledged_at"]

    # the revision: the parent's manifest minus the withdrawn track, signed and logged
    assert client.post(f"/v1/datasets/{snapshot['id']}/revisions",
                       headers=recs).status_code == 403
    made = client.post(f"/v1/datasets/{snapshot['id']}/revisions", headers=acme)
    assert made.status_code == 201, made.text
    revision = made.json()
    assert revision["revision_of"] == snapshot["id"]
    assert revision["excluded_track_ids"] == [world.track_a]
    assert revision["tracks"] == snapshot["tracks"] - 1
    manifest = client.get(f"/v1/datasets/{revision['id']}/manifest", headers=acme)
    assert hashlib.sha256(manifest.content).hexdigest() == revision["manifest_sha256"]
    rows = pq.read_table(io.BytesIO(manifest.content)).to_pylist()
    assert world.track_a not in {r["track_id"] for r in rows} and len(rows) == revision["tracks"]
    name, key = parse_vkey(client.get("/v1/log").json()["public_key"])
    body = open_note(revision["statement"], name, key)
    assert f"revision of {snapshot['id']}" in body and revision["manifest_sha256"] in body
    record = client.get(f"/v1/log/entries/{revision['log_index']}",
                        headers=world.headers("admin")).json()["record"]
    assert record["revision_of"] == snapshot["id"] and record["format"] == 2
    status = client.get(f"/v1/withdrawals/{wid}", headers=world.headers("artist_a")).json()
    assert status["stage"] == "revised" and status["revision_id"] == revision["id"]

    # a later "no" reaches the revision too; nothing left to withdraw refuses a revision
    client.post("/v1/consent", headers=world.headers("artist_b"),
                json={"purpose": "train-generative", "choice": "deny"})
    by_snapshot = {(w["snapshot_id"], tuple(w["track_ids"]))
                   for w in client.get("/v1/withdrawals", headers=acme).json()}
    assert (revision["id"], (world.track_b, world.track_ab, world.track_l2)) in by_snapshot
    assert len(client.get("/v1/webhooks/attempts", headers=acme).json()) == 0
    with engine.connect() as conn:
        audit_log(conn, settings.log_origin,
                  load_operator_key(settings.effective_log_key).public_key())


def test_webhook_requests_are_checked(client: TestClient, world: World) -> None:
    acme = world.headers("third_party")
    bad = client.post("/v1/webhooks", headers=acme, json={"url": "ftp://example.com/x"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_input"
    assert client.post("/v1/webhooks", headers=acme, json={
        "url": "https://ml.example/h", "consumer_id": world.internal}).status_code == 403
    assert client.post("/v1/webhooks", headers=world.headers("admin"),
                       json={"url": "https://ml.example/h"}).status_code == 422
    made = client.post("/v1/webhooks", headers=world.headers("admin"), json={
        "url": "https://ml.example/h", "consumer_id": world.internal}).json()
    assert client.delete(f"/v1/webhooks/{made['id']}", headers=acme).status_code == 404
    gone = client.delete(f"/v1/webhooks/{made['id']}", headers=world.headers("internal"))
    assert gone.status_code == 200 and gone.json()["disabled_at"] is not None
    nothing = client.post(f"/v1/datasets/{_consent_and_snapshot(client, world)['id']}/revisions",
                          headers=acme)
    assert nothing.status_code == 422 and "nothing has been withdrawn" in nothing.json()["detail"]


def test_a_label_s_new_agreement_withdraws_its_track_and_says_why(
        client: TestClient, world: World) -> None:
    snapshot = _consent_and_snapshot(client, world)
    acme = world.headers("third_party")
    assert client.get("/v1/withdrawals", headers=acme).json() == []
    agreed = client.post(f"/v1/rights-holders/{world.holder_2}/agreements",
                         headers=world.headers("holder_2"),
                         json={"title": "No AI training", "restricted_purposes": ["train-ai"]})
    assert agreed.status_code == 201, agreed.text
    [withdrawal] = client.get("/v1/withdrawals", headers=acme).json()
    assert withdrawal["snapshot_id"] == snapshot["id"]
    assert withdrawal["track_ids"] == [world.track_l2]
    assert (withdrawal["cause_kind"], withdrawal["cause_id"]) == (
        "agreement", str(agreed.json()["id"]))
    assert withdrawal["consent_event_id"] is None and withdrawal["artist_id"] is None
    # Bo manages the label's track, so he sees why it left the dataset; Ada does not
    assert [w["id"] for w in client.get("/v1/withdrawals",
                                         headers=world.headers("artist_b")).json()] == [
        withdrawal["id"]]
    assert client.get("/v1/withdrawals", headers=world.headers("artist_a")).json() == []
