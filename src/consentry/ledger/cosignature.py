"""C2SP tlog-cosignature v1 (https://c2sp.org/tlog-cosignature) with Ed25519 keys.

A witness's cosignature says: at this time, the largest consistent tree I have seen of this
log has this root. A log cannot then fork or shrink without a witness refusing to cosign the
new branch, so a receipt that carries cosignatures is trusted beyond the log's own word.
"""

from __future__ import annotations

import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consentry.errors import InvalidInput, LogVerificationError
from consentry.ledger.note import (
    SIGNATURE_MARK,
    decode_base64,
    encode_base64,
    key_id,
    parse_vkey,
    vkey,
)

COSIGNATURE_V1 = 0x04  # the signature type byte of an Ed25519 cosignature/v1 key
MAX_TIMESTAMP = 2**63 - 1


def cosigner_key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """SHA-256(name || "\\n" || 0x04 || key)[:4], as the spec's Format section says."""
    return key_id(name, public_key, COSIGNATURE_V1)


def cosigner_vkey(name: str, public_key: Ed25519PublicKey) -> str:
    """The witness's verifier key string (``name+hexid+base64(0x04||key)``)."""
    return vkey(name, public_key, COSIGNATURE_V1)


def parse_cosigner_vkey(text: str) -> tuple[str, Ed25519PublicKey]:
    """Name and key of a witness's verifier key string, checked against its own id."""
    return parse_vkey(text, COSIGNATURE_V1, "cosignature/v1 witness key")


def _message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(body: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """One signature line (ending in a newline) cosigning the checkpoint ``body``."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InvalidInput(f"cosignature timestamp {timestamp} is out of range")
    signature = private_key.sign(_message(body, timestamp))
    blob = cosigner_key_id(name, private_key.public_key()) + struct.pack(">Q", timestamp)
    return f"{SIGNATURE_MARK}{name} {encode_base64(blob + signature)}\n"


def signature_lines(text: str) -> list[str]:
    """The signature lines of a note or of a witness's answer (each without its newline)."""
    return [line for line in text.split("\n") if line.startswith(SIGNATURE_MARK)]


def verify_cosignature(body: str, lines: str, name: str, public_key: Ed25519PublicKey) -> int:
    """The timestamp of a valid cosignature of ``body`` by this witness among ``lines`` (a
    note or a witness's answer); lines by other keys are ignored, as the spec asks."""
    return valid_cosignature(body, lines, name, public_key)[1]


def valid_cosignature(
    body: str, lines: str, name: str, public_key: Ed25519PublicKey
) -> tuple[str, int]:
    """The first line among ``lines`` that is a valid cosignature of ``body`` by this
    witness (with its newline), and its timestamp."""
    wanted = cosigner_key_id(name, public_key)
    found = False
    for line in signature_lines(lines):
        key_name, _, encoded = line.removeprefix(SIGNATURE_MARK).partition(" ")
        blob = decode_base64(encoded)
        if key_name != name or blob is None or len(blob) != 76 or blob[:4] != wanted:
            continue
        found = True
        (timestamp,) = struct.unpack(">Q", blob[4:12])
        try:
            public_key.verify(blob[12:], _message(body, timestamp))
        except InvalidSignature:
            continue
        if timestamp <= MAX_TIMESTAMP:
            return line + "\n", int(timestamp)
    raise LogVerificationError(
        f"the cosignature by witness {name!r} does not verify"
        if found
        else f"the checkpoint carries no cosignature by witness {name!r}"
    )
