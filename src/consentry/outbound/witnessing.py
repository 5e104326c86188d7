"""Each new checkpoint goes to every configured witness (C2SP tlog-witness) with the proof that
it extends the tree the witness cosigned last; the cosignatures are kept with it.

A witness that cannot be reached, or refuses, is logged at WARNING and the checkpoint is kept
all the same: consent is never held up by a witness. The witnesses are asked before the
checkpoint row is written, so no write lock is held while they answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from consentry.errors import ConsentryError
from consentry.ledger.checkpoint import Checkpoint, sign_checkpoint
from consentry.ledger.cosignature import parse_cosigner_vkey, valid_cosignature
from consentry.ledger.witness import SIZE_CONTENT_TYPE, add_checkpoint_body
from consentry.settings import Settings
from consentry.store import transparency_log as log
from consentry.store.log_cosignatures import add_cosignature, newest_cosignature
from consentry.store.transparency_log import SignedCheckpoint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Witness:
    url: str
    key: str  # its verifier key string, which names it in the store
    name: str
    public_key: Ed25519PublicKey


@dataclass(frozen=True)
class WitnessAnswer:
    """What one witness said of one checkpoint: a cosignature line, or why not."""

    witness: Witness
    line: str | None = None
    cosigned_at: int | None = None
    problem: str | None = None
    refused: bool = False  # the witness answered and said no: a fork or a rewrite


def configured_witnesses(settings: Settings) -> list[Witness]:
    found = []
    for endpoint in settings.witnesses:
        name, public_key = parse_cosigner_vkey(endpoint.key)
        found.append(Witness(endpoint.url.rstrip("/"), endpoint.key, name, public_key))
    return found


def sign_and_witness(
    conn: Connection, settings: Settings, key: Ed25519PrivateKey
) -> SignedCheckpoint:
    """``sign_current``, and when that makes a new checkpoint, its cosignatures kept too."""
    size = log.log_size(conn)
    latest = log.latest_checkpoint(conn)
    if latest is not None and latest.size == size:
        return latest
    checkpoint = Checkpoint(settings.log_origin, size, log.root_at(conn, size))
    note = sign_checkpoint(checkpoint, settings.log_origin, key)
    answers = [
        ask_witness(conn, witness, checkpoint, note, settings.witness_timeout_seconds)
        for witness in configured_witnesses(settings)
    ]
    signed = log.store_checkpoint(conn, checkpoint, note)
    for answer in answers:
        if answer.problem is not None:
            logger.warning(
                "witness %s did not cosign checkpoint %d: %s",
                answer.witness.name,
                size,
                answer.problem,
            )
        elif signed.root == checkpoint.root and answer.line and answer.cosigned_at is not None:
            add_cosignature(
                conn, answer.witness.key, size, checkpoint.root, answer.line, answer.cosigned_at
            )
    return signed


def ask_witness(
    conn: Connection, witness: Witness, checkpoint: Checkpoint, note: str, timeout: float
) -> WitnessAnswer:
    """Submit ``note`` from the size this witness cosigned last (as the store knows it, else
    as the witness answers in a 409), with the consistency proof from that size."""
    held = newest_cosignature(conn, witness.key)
    old = held.size if held is not None and held.size <= checkpoint.size else 0
    for _attempt in range(2):
        proof = log.consistency_proof(conn, old, checkpoint.size)
        try:
            response = httpx.post(
                f"{witness.url}/add-checkpoint",
                content=add_checkpoint_body(old, proof, note).encode(),
                timeout=timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as error:
            return WitnessAnswer(witness, problem=f"unreachable at {witness.url} ({error!r})")
        if response.status_code == 200:
            try:
                line, cosigned_at = valid_cosignature(
                    checkpoint.body(), response.text, witness.name, witness.public_key
                )
            except ConsentryError as error:
                return WitnessAnswer(witness, problem=f"its answer: {error.message}")
            return WitnessAnswer(witness, line, cosigned_at)
        their_size = _conflict_size(response)
        if their_size is None:
            return WitnessAnswer(
                witness,
                problem=f"HTTP {response.status_code}: {response.text.strip()[:300]}",
                refused=True,
            )
        if their_size > checkpoint.size:
            return WitnessAnswer(
                witness,
                refused=True,
                problem=(
                    f"it has cosigned {their_size} entries, more than the log's "
                    f"{checkpoint.size}: entries were removed"
                ),
            )
        if their_size == old:
            return WitnessAnswer(
                witness,
                refused=True,
                problem=(f"it has cosigned another root for size {their_size}: the log was forked"),
            )
        old = their_size
    return WitnessAnswer(witness, problem="it kept changing its size", refused=True)


def _conflict_size(response: httpx.Response) -> int | None:
    if response.status_code != 409:
        return None
    if not response.headers.get("content-type", "").startswith(SIZE_CONTENT_TYPE):
        return None
    text = response.text.strip()
    return int(text) if text.isdecimal() else None


def check_with_witnesses(
    conn: Connection, settings: Settings, key: Ed25519PrivateKey
) -> list[WitnessAnswer]:
    """Ask every witness to cosign the log as it stands now: a witness that cosigned a tree
    this one does not extend refuses, even when the store's own record of it is gone."""
    witnesses = configured_witnesses(settings)
    if not witnesses:
        return []
    size = log.log_size(conn)
    checkpoint = Checkpoint(settings.log_origin, size, log.root_at(conn, size))
    note = sign_checkpoint(checkpoint, settings.log_origin, key)
    return [
        ask_witness(conn, witness, checkpoint, note, settings.witness_timeout_seconds)
        for witness in witnesses
    ]
