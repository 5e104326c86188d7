"""C2SP tlog checkpoints (https://c2sp.org/tlog-checkpoint): the log's signed size and root.

A checkpoint is what a verifier keeps and compares: any two it holds must be consistent, and
every inclusion proof is checked against one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consentry.errors import InvalidInput, LogVerificationError
from consentry.ledger.merkle import HASH_SIZE
from consentry.ledger.note import decode_base64, encode_base64, open_note, sign_note, vkey

__all__ = ["Checkpoint", "sign_checkpoint", "verify_checkpoint", "vkey"]

MAX_SIZE = 2**64 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """The log called ``origin`` had ``size`` entries and this Merkle ``root`` (RFC 9162)."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not self.origin or any(ch < " " for ch in self.origin):
            raise InvalidInput("checkpoint origin must be one non-empty line")
        if not 0 <= self.size <= MAX_SIZE:
            raise InvalidInput(f"checkpoint size {self.size} is outside 0..2^64-1")
        if len(self.root) != HASH_SIZE:
            raise InvalidInput(f"checkpoint root must be {HASH_SIZE} bytes")

    def body(self) -> str:
        """The signed text: origin, decimal size and base64 root, one per line."""
        return f"{self.origin}\n{self.size}\n{encode_base64(self.root)}\n"


def sign_checkpoint(checkpoint: Checkpoint, key_name: str, private_key: Ed25519PrivateKey) -> str:
    """The checkpoint as a signed note, ready to publish."""
    return sign_note(checkpoint.body(), key_name, private_key)


def verify_checkpoint(note_text: str, key_name: str, public_key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint in ``note_text`` once its signature by this key checks out.

    Extension lines are refused rather than ignored: we never write them, and a body we cannot
    read in full is not one we should vouch for.
    """
    lines = open_note(note_text, key_name, public_key).split("\n")
    if len(lines) != 4:
        raise LogVerificationError("malformed checkpoint: want origin, size and root lines")
    origin, size, encoded_root = lines[:3]
    if not _DECIMAL.fullmatch(size) or int(size) > MAX_SIZE:
        raise LogVerificationError(f"malformed checkpoint size {size!r}")
    root = decode_base64(encoded_root)
    if root is None or len(root) != HASH_SIZE:
        raise LogVerificationError(f"malformed checkpoint root {encoded_root!r}")
    if not origin:
        raise LogVerificationError("malformed checkpoint: empty origin")
    return Checkpoint(origin, int(size), root)
