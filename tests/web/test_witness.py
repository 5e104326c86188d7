"""The witness as a real second process: it cosigns a log moving forward along one tree, and
refuses a fork, a rollback, a stranger's checkpoint and a malformed request as the C2SP
tlog-witness spec says; its state survives a restart."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.ledger.checkpoint import Checkpoint, sign_checkpoint, vkey
from consentry.ledger.cosignature import parse_cosigner_vkey, verify_cosignature
from consentry.ledger.merkle import consistency_proof, leaf_hash, root_hash
from consentry.ledger.witness import add_checkpoint_body
from tests.witness_process import RunningWitness, running_witness

ORIGIN = "consentry.test/log"
LOG_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
LEAVES = [leaf_hash(str(i).encode()) for i in range(40)]
FORKED = [*LEAVES[:5], leaf_hash(b"rewritten"), *LEAVES[6:]]

pytestmark = pytest.mark.slow


def submit(
    witness: RunningWitness,
    old: int,
    size: int,
    leaves: list[bytes] = LEAVES,
    key: Ed25519PrivateKey = LOG_KEY,
) -> httpx.Response:
    checkpoint = Checkpoint(ORIGIN, size, root_hash(leaves[:size]))
    proof = consistency_proof(leaves[:size], old) if old <= size else []
    body = add_checkpoint_body(old, proof, sign_checkpoint(checkpoint, ORIGIN, key))
    return httpx.post(f"{witness.url}/add-checkpoint", content=body.encode(), timeout=10)


def cosigned(
    witness: RunningWitness, response: httpx.Response, size: int, leaves: list[bytes] = LEAVES
) -> bool:
    name, public_key = parse_cosigner_vkey(witness.key)
    body = Checkpoint(ORIGIN, size, root_hash(leaves[:size])).body()
    return (
        response.status_code == 200
        and verify_cosignature(body, response.text, name, public_key) > 0
    )


def test_a_witness_cosigns_forward_and_refuses_forks_and_rollbacks(tmp_path: Path) -> None:
    with running_witness(tmp_path, vkey(ORIGIN, LOG_KEY.public_key())) as witness:
        assert cosigned(witness, submit(witness, 0, 10), 10)
        assert cosigned(witness, submit(witness, 10, 25), 25)
        assert cosigned(witness, submit(witness, 25, 25), 25)  # the same again is fine

        stale = submit(witness, 10, 30)
        assert stale.status_code == 409 and stale.text == "25\n"
        assert stale.headers["content-type"].startswith("text/x.tlog.size")
        same_size_fork = submit(witness, 25, 25, FORKED)
        assert same_size_fork.status_code == 409
        longer_fork = submit(witness, 25, 30, FORKED)
        assert longer_fork.status_code == 422
        rollback = submit(witness, 25, 20)
        assert rollback.status_code == 400

    with running_witness(tmp_path) as restarted:  # the state is on disk, not in the process
        assert submit(restarted, 0, 30).text == "25\n"
        assert cosigned(restarted, submit(restarted, 25, 30), 30)


def test_strangers_and_nonsense_are_refused(tmp_path: Path) -> None:
    with running_witness(tmp_path, vkey(ORIGIN, LOG_KEY.public_key())) as witness:
        impostor = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
        assert submit(witness, 0, 5, key=impostor).status_code == 403
        other = Checkpoint("someone.else/log", 1, LEAVES[0])
        unknown = add_checkpoint_body(0, [], sign_checkpoint(other, "someone.else/log", LOG_KEY))
        assert (
            httpx.post(f"{witness.url}/add-checkpoint", content=unknown.encode()).status_code == 404
        )
        for junk in (b"", b"old x\n\n", b"\xff\xfe", b"old 1\n" + b"AAAA\n" * 70 + b"\n"):
            assert httpx.post(f"{witness.url}/add-checkpoint", content=junk).status_code == 400
        assert cosigned(witness, submit(witness, 0, 5), 5)  # none of it moved the witness
