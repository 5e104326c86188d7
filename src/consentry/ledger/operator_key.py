"""The log operator's Ed25519 key, kept as a PEM file: made once for development, supplied by
the operator in production."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.errors import InvalidInput


def ensure_development_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, made (mode 0600, never overwritten) when there is none."""
    if path.exists():
        return load_operator_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key


def load_operator_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise InvalidInput(f"cannot read the log key {path}: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"the log key {path} is not an Ed25519 key")
    return key
