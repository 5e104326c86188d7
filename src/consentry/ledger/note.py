"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys.

Checkpoints travel in this envelope so that witnesses and verifiers written for Go's
``sumdb/note`` can check our log without knowing anything about consentry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consentry.errors import InvalidInput, LogVerificationError

ED25519 = 0x01
SIGNATURE_MARK = "\u2014 "  # an em dash and a space open every signature line
MAX_SIGNATURES = 100  # as Go's sumdb/note: bounds the work a hostile note can ask of us


def key_id(key_name: str, public_key: Ed25519PublicKey, key_type: int = ED25519) -> bytes:
    """The 4-byte id that tells a verifier which of its keys a signature claims to be from.
    ``key_type`` is the signature type byte: 0x01 for note signatures, other C2SP
    specifications (tlog-cosignature's 0x04) reuse the same construction with their own."""
    material = key_name.encode() + b"\n" + bytes([key_type]) + public_key.public_bytes_raw()
    return hashlib.sha256(material).digest()[:4]


def vkey(key_name: str, public_key: Ed25519PublicKey, key_type: int = ED25519) -> str:
    """The verifier key string (``name+hexid+base64(type||key)``) that verifiers are given."""
    _require(_name_problem(key_name), InvalidInput)
    typed_key = bytes([key_type]) + public_key.public_bytes_raw()
    return f"{key_name}+{key_id(key_name, public_key, key_type).hex()}+{encode_base64(typed_key)}"


def parse_vkey(text: str, key_type: int = ED25519,
               kind: str = "verifier key") -> tuple[str, Ed25519PublicKey]:
    """The key name and public key of a verifier key string of ``key_type``, checked against
    its own id; ``kind`` names the key in errors."""
    name, plus, rest = text.strip().partition("+")
    key_hex, plus2, encoded = rest.partition("+")
    blob = decode_base64(encoded) if plus and plus2 else None
    if blob is None or len(blob) != 33 or blob[0] != key_type or _name_problem(name):
        raise LogVerificationError(f"not an Ed25519 {kind}: {text[:80]!r}")
    public_key = Ed25519PublicKey.from_public_bytes(blob[1:])
    if key_id(name, public_key, key_type).hex() != key_hex:
        raise LogVerificationError(f"the {kind}'s id does not match its key")
    return name, public_key


def sign_note(text: str, key_name: str, private_key: Ed25519PrivateKey) -> str:
    """The note: ``text``, a blank line, and one signature line by ``key_name``."""
    _require(_text_problem(text) or _name_problem(key_name), InvalidInput)
    signature = private_key.sign(text.encode())
    blob = key_id(key_name, private_key.public_key()) + signature
    return f"{text}\n{SIGNATURE_MARK}{key_name} {encode_base64(blob)}\n"


def open_note(note: str, key_name: str, public_key: Ed25519PublicKey) -> str:
    """The text of ``note`` if one of its signatures is a valid one by this key.

    Signatures by other keys are ignored, as the spec asks, so cosigned notes still open.
    """
    split = note.rfind("\n\n")
    if split < 0:
        raise LogVerificationError("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    _require(_text_problem(text), LogVerificationError)
    signatures = _parse_signatures(block)
    wanted = key_id(key_name, public_key)
    ours = [blob[4:] for name, blob in signatures if name == key_name and blob[:4] == wanted]
    if not ours:
        raise LogVerificationError(f"note is not signed by key {key_name!r}")
    for signature in ours:
        try:
            public_key.verify(signature, text.encode())
        except InvalidSignature:
            continue
        return text
    raise LogVerificationError(f"signature by key {key_name!r} does not verify")


def _parse_signatures(block: str) -> list[tuple[str, bytes]]:
    if not block.endswith("\n"):
        raise LogVerificationError("malformed note: signatures must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise LogVerificationError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        name, _, encoded = line.removeprefix(SIGNATURE_MARK).partition(" ")
        if not line.startswith(SIGNATURE_MARK) or _name_problem(name):
            raise LogVerificationError(f"malformed signature line {line!r}")
        blob = decode_base64(encoded)
        if blob is None or len(blob) < 5:
            raise LogVerificationError(f"malformed signature line {line!r}")
        signatures.append((name, blob))
    return signatures


def _text_problem(text: str) -> str | None:
    if not text.endswith("\n"):
        return "note text must be non-empty and end with a newline"
    if any(ch < " " and ch != "\n" for ch in text):
        return "note text must not hold control characters other than newline"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "note text must be valid UTF-8"
    return None


def _name_problem(name: str) -> str | None:
    if not name or "+" in name or any(ch.isspace() for ch in name):
        return f"key name {name!r} must be non-empty, without spaces or '+'"
    return None


def _require(problem: str | None, error: type[Exception]) -> None:
    if problem is not None:
        raise error(problem)


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def decode_base64(text: str) -> bytes | None:
    """Decode strict, canonical base64, so one value has one spelling; None if it is not."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if encode_base64(data) == text else None
