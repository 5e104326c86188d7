"""The log over HTTP: receipts verify offline with the public key alone; proofs verify against
signed checkpoints; records are shown only to whom they concern."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.errors import LogVerificationError
from consentry.ledger.checkpoint import verify_checkpoint, vkey
from consentry.ledger.merkle import verify_consistency, verify_inclusion
from consentry.ledger.note import parse_vkey
from consentry.ledger.operator_key import ensure_development_key
from consentry.ledger.receipts import verify_receipt
from consentry.ledger.records import result_digest
from consentry.settings import Settings, WitnessEndpoint
from consentry.web.app import create_app
from tests.web.conftest import World
from tests.witness_process import running_witness


def _consent(client: TestClient, world: World, role: str, purpose: str) -> int:
    response = client.post("/v1/consent", headers=world.headers(role),
                           json={"purpose": purpose, "choice": "deny"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.mark.slow
def test_a_receipt_verifies_offline_and_tampering_is_caught(client: TestClient,
                                                          world: World) -> None:
    event_id = _consent(client, world, "artist_a", "voice-likeness")
    _consent(client, world, "artist_b", "train-ai")
    key = client.get("/v1/log").json()["public_key"]
    receipt = client.get(f"/v1/consent/events/{event_id}/receipt",
                         headers=world.headers("artist_a")).json()
    verified = verify_receipt(receipt, key)
    assert verified.record["id"] == event_id and verified.record["purpose"] == "voice-likeness"

    changed = copy.deepcopy(receipt)
    changed["leaf_data"] = changed["leaf_data"].replace("deny", "allow")
    changed["record"]["choice"] = "allow"
    with pytest.raises(LogVerificationError, match="does not show entry"):
        verify_receipt(changed, key)
    name, _ = parse_vkey(key)
    with pytest.raises(LogVerificationError):  # a key the verifier does not trust
        verify_receipt(receipt, key.replace(name, "someone.else/log"))
    # only the artist concerned (or an admin) gets the receipt
    assert client.get(f"/v1/consent/events/{event_id}/receipt",
                      headers=world.headers("artist_b")).status_code == 403


def test_proofs_verify_against_signed_checkpoints(client: TestClient, world: World) -> None:
    _consent(client, world, "artist_a", "train-ai")
    first = client.get("/v1/log/checkpoint").json()
    for purpose in ("voice-likeness", "ai-input", "train-generative"):
        _consent(client, world, "artist_b", purpose)
    second = client.get("/v1/log/checkpoint").json()
    name, public_key = parse_vkey(client.get("/v1/log").json()["public_key"])
    old, new = (verify_checkpoint(c["note"], name, public_key) for c in (first, second))
    assert new.size == old.size + 3

    proof = client.get("/v1/log/proof/consistency",
                       params={"first": old.size, "second": new.size}).json()["proof"]
    assert verify_consistency(old.size, new.size, old.root, new.root,
                              [base64.b64decode(h) for h in proof])
    inclusion = client.get("/v1/log/proof/inclusion",
                           params={"index": new.size - 1, "size": new.size}).json()
    assert verify_inclusion(base64.b64decode(inclusion["leaf_hash"]), new.size - 1, new.size,
                            [base64.b64decode(h) for h in inclusion["proof"]], new.root)
    assert [c["size"] for c in client.get("/v1/log/checkpoints").json()] == [old.size, new.size]


def test_records_are_shown_only_to_whom_they_concern(client: TestClient, world: World) -> None:
    _consent(client, world, "artist_a", "train-ai")
    index = client.get("/v1/log").json()["size"] - 1
    url = f"/v1/log/entries/{index}"
    assert client.get(url).json()["record"] is None
    assert client.get(url, headers=world.headers("artist_b")).json()["record"] is None
    assert client.get(url, headers=world.headers("artist_a")).json()["record"]["purpose"] == \
        "train-ai"
    assert client.get(url, headers=world.headers("admin")).json()["record"] is not None
    bad = client.get(url, headers={"Authorization": "Bearer cst_forged"})
    assert bad.status_code == 401


def test_bad_proof_requests_are_refused_clearly(client: TestClient, world: World) -> None:
    _consent(client, world, "artist_a", "train-ai")
    size = client.get("/v1/log").json()["size"]
    too_big = client.get("/v1/log/proof/consistency", params={"first": size + 1})
    assert too_big.status_code == 422 and "outside" in too_big.json()["detail"]
    wrong = client.get("/v1/log/proof/inclusion", params={"index": 0, "size": size + 5})
    assert wrong.status_code == 422
    assert client.get("/v1/log/proof/inclusion", params={"index": -1}).status_code == 422


def test_every_decision_batch_an_ai_consumer_asks_for_is_logged(client: TestClient,
                                                                world: World) -> None:
    tracks = [world.track_a, world.track_ab, world.track_l1]
    batch = client.post("/v1/decisions", headers=world.headers("third_party"),
                        json={"purpose": "train-generative", "track_ids": tracks}).json()
    entry = client.get(f"/v1/log/entries/{batch['log_index']}",
                       headers=world.headers("admin")).json()
    record = entry["record"]
    assert (record["kind"], record["id"], record["consumer_id"]) == (
        "decision-batch", batch["batch_id"], world.third_party)
    answers = {d["track_id"]: d["decision"] == "allow" for d in batch["decisions"]}
    assert record["result_sha256"] == result_digest(list(answers), list(answers.values()))
    assert (record["tracks"], record["allowed"]) == (3, batch["allowed"])

    export = client.get("/v1/eligibility", params={"purpose": "train-generative",
                                                   "format": "csv"},
                        headers=world.headers("third_party"))
    index = int(export.headers["x-consentry-log-index"])
    exported = client.get(f"/v1/log/entries/{index}", headers=world.headers("admin")).json()
    assert exported["record"]["tracks"] == int(export.headers["x-consentry-rows"])


@pytest.mark.slow
def test_checkpoints_and_receipts_carry_a_witness_cosignature(
        settings: Settings, engine: Engine, world: World, tmp_path: Path) -> None:
    log_key = vkey(settings.log_origin,
                   ensure_development_key(settings.effective_log_key).public_key())
    with running_witness(tmp_path / "witness", log_key) as witness:
        witnessed = settings.model_copy(update={"witnesses": [
            WitnessEndpoint(url=witness.url, key=witness.key)]})
        with TestClient(create_app(witnessed, engine)) as client:
            event_id = _consent(client, world, "artist_a", "voice-likeness")
            note = client.get("/v1/log/checkpoint").json()["note"]
            assert "\u2014 witness.test/w1 " in note
            receipt = client.get(f"/v1/consent/events/{event_id}/receipt",
                                 headers=world.headers("artist_a")).json()
    assert verify_receipt(receipt, log_key, [witness.key]).cosigned_by == ("witness.test/w1",)
