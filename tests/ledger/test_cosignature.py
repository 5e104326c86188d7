"""Cosignatures (C2SP tlog-cosignature v1): the signed message, key ids, and refusals."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.errors import LogVerificationError
from consentry.ledger.checkpoint import Checkpoint, sign_checkpoint
from consentry.ledger.cosignature import (
    cosign,
    cosigner_key_id,
    cosigner_vkey,
    parse_cosigner_vkey,
    verify_cosignature,
)
from consentry.ledger.merkle import leaf_hash
from consentry.ledger.note import open_note

WITNESS = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
LOG = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
BODY = Checkpoint("consentry.example/log", 7, leaf_hash(b"root")).body()


def test_a_cosignature_signs_the_spec_message_under_the_0x04_key_id() -> None:
    line = cosign(BODY, "witness.example/w1", WITNESS, 1679315147)
    name, encoded = line.removeprefix("\u2014 ").rstrip("\n").split(" ")
    blob = base64.b64decode(encoded)
    assert name == "witness.example/w1" and len(blob) == 4 + 8 + 64
    assert blob[:4] == cosigner_key_id("witness.example/w1", WITNESS.public_key())
    assert struct.unpack(">Q", blob[4:12]) == (1679315147,)
    WITNESS.public_key().verify(blob[12:], f"cosignature/v1\ntime 1679315147\n{BODY}".encode())
    assert verify_cosignature(BODY, line, "witness.example/w1", WITNESS.public_key()) == 1679315147


def test_a_cosigned_note_still_opens_for_the_log_and_verifies_for_the_witness() -> None:
    note = sign_checkpoint(
        Checkpoint("consentry.example/log", 7, leaf_hash(b"root")), "consentry.example/log", LOG
    )
    cosigned = note + cosign(BODY, "w1", WITNESS, 5)
    assert open_note(cosigned, "consentry.example/log", LOG.public_key()) == BODY
    assert verify_cosignature(BODY, cosigned, "w1", WITNESS.public_key()) == 5


def test_wrong_key_body_or_missing_line_is_refused() -> None:
    line = cosign(BODY, "w1", WITNESS, 5)
    with pytest.raises(LogVerificationError, match="no cosignature"):
        verify_cosignature(BODY, line, "w1", OTHER.public_key())
    with pytest.raises(LogVerificationError, match="does not verify"):
        verify_cosignature(BODY.replace("7", "8"), line, "w1", WITNESS.public_key())
    with pytest.raises(LogVerificationError, match="no cosignature"):
        verify_cosignature(BODY, "", "w1", WITNESS.public_key())


def test_witness_keys_round_trip_and_are_checked() -> None:
    key = cosigner_vkey("witness.example/w1", WITNESS.public_key())
    name, public = parse_cosigner_vkey(key)
    assert name == "witness.example/w1"
    assert public.public_bytes_raw() == WITNESS.public_key().public_bytes_raw()
    tampered = key.replace(key.split("+")[1], "00000000")
    for bad in (tampered, "nonsense", key.replace("witness", "wit ness")):
        with pytest.raises(LogVerificationError):
            parse_cosigner_vkey(bad)
