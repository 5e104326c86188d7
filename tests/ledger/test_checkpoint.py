"""Signed checkpoints: the Go sumdb/note vector, round trips, and every way a note can be wrong."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from consentry.errors import InvalidInput, LogVerificationError
from consentry.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint, vkey
from consentry.ledger.merkle import leaf_hash
from consentry.ledger.note import open_note, sign_note

# The example of golang.org/x/mod/sumdb/note's documentation, used as data: Ed25519 is
# deterministic, so our envelope must reproduce it byte for byte.
GO_SKEY_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_NOTE = GO_TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
                     "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
NAME = "consentry.example/log"
CHECKPOINT = Checkpoint(NAME, 1234, leaf_hash(b"root"))


def signed() -> str:
    return sign_checkpoint(CHECKPOINT, NAME, KEY)


def test_go_sumdb_note_vector() -> None:
    peter = Ed25519PrivateKey.from_private_bytes(GO_SKEY_SEED)
    assert vkey("PeterNeumann", peter.public_key()) == GO_VKEY
    assert sign_note(GO_TEXT, "PeterNeumann", peter) == GO_NOTE
    assert open_note(GO_NOTE, "PeterNeumann", peter.public_key()) == GO_TEXT


def test_round_trip_and_format() -> None:
    note = signed()
    root = base64.b64encode(CHECKPOINT.root).decode()
    assert note.startswith(f"{NAME}\n1234\n{root}\n\n\u2014 {NAME} ")
    assert verify_checkpoint(note, NAME, KEY.public_key()) == CHECKPOINT


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x2FFF), min_size=1, max_size=40),
       st.integers(0, 2**64 - 1), st.binary(min_size=32, max_size=32))
def test_round_trip_any_checkpoint(origin: str, size: int, root: bytes) -> None:
    checkpoint = Checkpoint(origin, size, root)
    note = sign_checkpoint(checkpoint, NAME, KEY)
    assert verify_checkpoint(note, NAME, KEY.public_key()) == checkpoint


def test_other_signatures_are_ignored() -> None:
    cosigned = sign_note(CHECKPOINT.body(), "witness", OTHER_KEY)
    note = signed() + cosigned.rsplit("\n\n", 1)[1]
    assert verify_checkpoint(note, NAME, KEY.public_key()) == CHECKPOINT


@pytest.mark.parametrize("tamper", [
    lambda n: n.replace("\n1234\n", "\n1235\n"),
    lambda n: n.replace(NAME + "\n", "consentry.example/other\n", 1),
    lambda n: n.replace(base64.b64encode(CHECKPOINT.root).decode(),
                        base64.b64encode(leaf_hash(b"other")).decode()),
], ids=["size", "origin", "root"])
def test_tampered_body_is_refused(tamper: Callable[[str], str]) -> None:
    note = tamper(signed())
    assert note != signed()
    with pytest.raises(LogVerificationError, match="does not verify"):
        verify_checkpoint(note, NAME, KEY.public_key())


def test_wrong_key_or_name_is_refused() -> None:
    with pytest.raises(LogVerificationError, match="not signed by"):
        verify_checkpoint(signed(), NAME, OTHER_KEY.public_key())
    with pytest.raises(LogVerificationError, match="not signed by"):
        verify_checkpoint(signed(), "someone.else/log", KEY.public_key())


def test_forged_signature_with_our_key_id_is_refused() -> None:
    ours = base64.b64decode(signed().rsplit(" ", 1)[1])
    forged = base64.b64encode(ours[:4] + OTHER_KEY.sign(CHECKPOINT.body().encode())).decode()
    note = f"{CHECKPOINT.body()}\n\u2014 {NAME} {forged}\n"
    with pytest.raises(LogVerificationError, match="does not verify"):
        verify_checkpoint(note, NAME, KEY.public_key())


def _resign(body: str) -> str:
    """A well-signed note around a body, to show the body's own rules are what refuse it."""
    return sign_note(body, NAME, KEY)


def _signed_raw(body: str) -> str:
    """A note sign_note would refuse to write, with a signature that does verify."""
    blob = base64.b64decode(signed().rsplit(" ", 1)[1])[:4] + KEY.sign(body.encode())
    return f"{body}\n\u2014 {NAME} {base64.b64encode(blob).decode()}\n"


ROOT64 = base64.b64encode(CHECKPOINT.root).decode()


@pytest.mark.parametrize("note", [
    "",
    "no signatures at all\n",
    f"{NAME}\n1234\n{ROOT64}\n\n",
    signed().rstrip("\n"),
    signed().replace("\u2014", "-"),
    signed().replace(f"\u2014 {NAME} ", f"\u2014 {NAME}  "),
    signed()[:-6] + "!!!=\n",
    signed() + "\u2014 a AAAA\n",
    signed() + "\n".join(f"\u2014 w{i} AAAAAAAA" for i in range(100)) + "\n",
    _signed_raw(f"{NAME}\r\n1234\n{ROOT64}\n"),
    _resign(f"{NAME}\n1234\n"),
    _resign(f"{NAME}\n1234\n{ROOT64}\nextension line\n"),
    _resign(f"\n1234\n{ROOT64}\n"),
    _resign(f"{NAME}\n01234\n{ROOT64}\n"),
    _resign(f"{NAME}\n-1\n{ROOT64}\n"),
    _resign(f"{NAME}\n{2**64}\n{ROOT64}\n"),
    _resign(f"{NAME}\n1234\n{ROOT64.rstrip('=')}\n"),
    _resign(f"{NAME}\n1234\n{base64.b64encode(b'short').decode()}\n"),
], ids=lambda n: repr(n)[:30])
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(LogVerificationError):
        verify_checkpoint(note, NAME, KEY.public_key())


@pytest.mark.parametrize("args", [("", 1, bytes(32)), ("a\nb", 1, bytes(32)), ("o", -1, bytes(32)),
                                  ("o", 2**64, bytes(32)), ("o", 1, bytes(31))])
def test_bad_checkpoints_cannot_be_made(args: tuple[str, int, bytes]) -> None:
    with pytest.raises(InvalidInput):
        Checkpoint(*args)


def test_bad_key_names_and_texts_cannot_be_signed() -> None:
    for name in ("", "a b", "a+b"):
        with pytest.raises(InvalidInput):
            sign_checkpoint(CHECKPOINT, name, KEY)
        with pytest.raises(InvalidInput):
            vkey(name, KEY.public_key())
    for text in ("", "no newline", "tab\there\n", "\ud800\n"):
        with pytest.raises(InvalidInput):
            sign_note(text, NAME, KEY)
