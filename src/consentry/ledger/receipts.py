"""A receipt: one log record with the proof that a signed checkpoint includes it, checkable
offline by anyone holding the log's public key (its verifier key string) and nothing else."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consentry.errors import LogVerificationError
from consentry.ledger.checkpoint import Checkpoint, verify_checkpoint
from consentry.ledger.cosignature import parse_cosigner_vkey, verify_cosignature
from consentry.ledger.merkle import leaf_hash, verify_inclusion
from consentry.ledger.note import decode_base64, encode_base64, parse_vkey
from consentry.ledger.records import canonical

RECEIPT_FORMAT = "consentry-receipt/1"


def make_receipt(index: int, leaf_data: bytes, proof: Sequence[bytes], checkpoint_note: str,
                 verifier_key: str) -> dict[str, Any]:
    """The receipt as JSON-ready data; ``leaf_data`` is kept verbatim, as the string hashed."""
    return {
        "format": RECEIPT_FORMAT,
        "record": json.loads(leaf_data),
        "leaf_data": leaf_data.decode("utf-8"),
        "leaf_index": index,
        "inclusion_proof": [encode_base64(h) for h in proof],
        "checkpoint": checkpoint_note,
        "log_key": verifier_key,
    }


@dataclass(frozen=True)
class VerifiedReceipt:
    record: dict[str, Any]
    index: int
    checkpoint: Checkpoint
    cosigned_by: tuple[str, ...] = ()


def _field(receipt: Mapping[str, Any], name: str, kind: type) -> Any:
    value = receipt.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise LogVerificationError(f"receipt field {name!r} is missing or not a {kind.__name__}")
    return value


def verify_receipt(receipt: Mapping[str, Any], verifier_key: str,
                   witness_keys: Sequence[str] = ()) -> VerifiedReceipt:
    """Check a receipt against the key the verifier trusts (not the one the receipt names),
    and its checkpoint's cosignature by each witness the verifier trusts: a log that forked
    or rewrote itself cannot get a witness to cosign the new branch."""
    if receipt.get("format") != RECEIPT_FORMAT:
        raise LogVerificationError(f"not a {RECEIPT_FORMAT} receipt")
    name, public_key = parse_vkey(verifier_key)
    checkpoint = verify_checkpoint(_field(receipt, "checkpoint", str), name, public_key)
    data = _field(receipt, "leaf_data", str).encode("utf-8")
    try:
        record = json.loads(data)
    except json.JSONDecodeError as error:
        raise LogVerificationError(f"the receipt's record is not JSON: {error}") from error
    if not isinstance(record, dict) or canonical(record) != data:
        raise LogVerificationError("the receipt's record is not in canonical form")
    if record != receipt.get("record"):
        raise LogVerificationError("the receipt's readable record differs from the one hashed")
    index = _field(receipt, "leaf_index", int)
    proof = [decode_base64(h) if isinstance(h, str) else None
             for h in _field(receipt, "inclusion_proof", list)]
    if any(h is None for h in proof) or not verify_inclusion(
            leaf_hash(data), index, checkpoint.size, [h for h in proof if h], checkpoint.root):
        raise LogVerificationError(
            f"the proof does not show entry {index} in the checkpoint of size {checkpoint.size}")
    cosigned_by = []
    for witness_key in witness_keys:
        witness_name, witness_public = parse_cosigner_vkey(witness_key)
        verify_cosignature(checkpoint.body(), receipt["checkpoint"], witness_name,
                           witness_public)
        cosigned_by.append(witness_name)
    return VerifiedReceipt(record, index, checkpoint, tuple(cosigned_by))
