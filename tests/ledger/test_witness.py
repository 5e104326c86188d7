"""The witness's rule: only forward along one tree, whatever a request claims."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.ledger.checkpoint import Checkpoint, sign_checkpoint
from consentry.ledger.merkle import consistency_proof, leaf_hash, root_hash
from consentry.ledger.witness import (
    AddCheckpoint,
    InconsistentCheckpoint,
    MalformedRequest,
    SizeConflict,
    UnknownLog,
    UntrustedSignature,
    accept_checkpoint,
    add_checkpoint_body,
    parse_add_checkpoint,
)

ORIGIN = "consentry.example/log"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
TRUSTED = {ORIGIN: KEY.public_key()}
LEAVES = [leaf_hash(str(i).encode()) for i in range(20)]


def note(size: int, leaves: list[bytes] = LEAVES, key: Ed25519PrivateKey = KEY) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, root_hash(leaves[:size])), ORIGIN, key)


def request(old: int, size: int, leaves: list[bytes] = LEAVES) -> AddCheckpoint:
    return AddCheckpoint(old, tuple(consistency_proof(leaves[:size], old)), note(size, leaves))


def test_the_body_round_trips() -> None:
    asked = request(3, 11)
    assert (
        parse_add_checkpoint(add_checkpoint_body(asked.old_size, asked.proof, asked.note)) == asked
    )
    for bad in ("old 01\n\n" + asked.note, "new 1\n\n" + asked.note, "old 1\nnot base64\n\n"):
        with pytest.raises(MalformedRequest):
            parse_add_checkpoint(bad)


def test_a_witness_moves_forward_along_one_tree() -> None:
    first = accept_checkpoint(request(0, 5), TRUSTED, None)
    second = accept_checkpoint(request(5, 11), TRUSTED, first)
    assert second.size == 11
    assert accept_checkpoint(request(11, 11), TRUSTED, second) == second


def test_a_fork_a_rollback_and_a_stale_old_size_are_refused() -> None:
    held = accept_checkpoint(request(0, 8), TRUSTED, None)
    forked = [*LEAVES[:3], leaf_hash(b"rewritten"), *LEAVES[4:]]
    with pytest.raises(SizeConflict) as same_size:
        accept_checkpoint(request(8, 8, forked), TRUSTED, held)
    assert same_size.value.size == 8
    with pytest.raises(InconsistentCheckpoint):
        accept_checkpoint(
            AddCheckpoint(8, tuple(consistency_proof(forked[:12], 8)), note(12, forked)),
            TRUSTED,
            held,
        )
    with pytest.raises(SizeConflict) as stale:
        accept_checkpoint(request(5, 12), TRUSTED, held)
    assert stale.value.size == 8
    with pytest.raises(MalformedRequest):
        accept_checkpoint(AddCheckpoint(9, (), note(6)), TRUSTED, held)


def test_unknown_logs_and_foreign_signatures_are_refused() -> None:
    with pytest.raises(UnknownLog):
        accept_checkpoint(request(0, 3), {"other/log": KEY.public_key()}, None)
    stranger = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    with pytest.raises(UntrustedSignature):
        accept_checkpoint(AddCheckpoint(0, (), note(3, key=stranger)), TRUSTED, None)
