"""What a C2SP tlog-witness (https://c2sp.org/tlog-witness) decides about one add-checkpoint
request: the request's text form, and the rule that a witness only ever moves forward along
one tree. Pure: the witness's stored state goes in, its next state (or a refusal) comes out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from consentry.errors import ConsentryError
from consentry.ledger.checkpoint import Checkpoint, verify_checkpoint
from consentry.ledger.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from consentry.ledger.note import decode_base64, encode_base64

MAX_PROOF_LINES = 63  # the spec's bound: no tree of up to 2^64 leaves needs more
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")


class WitnessRefusal(ConsentryError):
    """A request the witness will not cosign; ``status`` is the HTTP code the spec names."""

    status = 400


class MalformedRequest(WitnessRefusal):
    status = 400


class UntrustedSignature(WitnessRefusal):
    status = 403


class UnknownLog(WitnessRefusal):
    status = 404


class SizeConflict(WitnessRefusal):
    """The old size is not the one last cosigned, or a second root for the same size:
    ``size`` is what the witness holds, for the log to prove consistency from."""

    status = 409

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message, {"size": size})
        self.size = size


class InconsistentCheckpoint(WitnessRefusal):
    """The consistency proof does not show the cosigned tree as a prefix of the new one: a
    fork or a rewrite, as far as this witness can tell."""

    status = 422


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: str


def add_checkpoint_body(old_size: int, proof: Sequence[bytes], note: str) -> str:
    """The request body: ``old N``, one base64 hash a line, a blank line, the signed note."""
    return "".join([f"old {old_size}\n", *(f"{encode_base64(h)}\n" for h in proof), "\n", note])


def parse_add_checkpoint(body: str) -> AddCheckpoint:
    head, blank, note = body.partition("\n\n")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if not blank or match is None:
        raise MalformedRequest(
            "the body must start with 'old <size>' and proof lines, then "
            "a blank line and the checkpoint"
        )
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedRequest(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = [decode_base64(line) for line in lines[1:]]
    if any(h is None or len(h) != HASH_SIZE for h in proof):
        raise MalformedRequest("every consistency proof line must be one base64 SHA-256 hash")
    return AddCheckpoint(int(match.group(1)), tuple(h for h in proof if h is not None), note)


def checkpoint_origin(note: str) -> str:
    return note.split("\n", 1)[0]


def accept_checkpoint(
    request: AddCheckpoint, trusted: Mapping[str, Ed25519PublicKey], latest: Checkpoint | None
) -> Checkpoint:
    """The checkpoint to cosign and keep as this log's latest, if ``request`` moves the
    witness forward from ``latest`` (None: never cosigned this log) along the same tree.

    ``trusted`` maps each log's origin to its key (key name = origin, as consentry signs).
    """
    origin = checkpoint_origin(request.note)
    key = trusted.get(origin)
    if key is None:
        raise UnknownLog(f"this witness does not know the log {origin[:100]!r}")
    try:
        checkpoint = verify_checkpoint(request.note, origin, key)
    except ConsentryError as error:
        raise UntrustedSignature(error.message) from error
    if request.old_size > checkpoint.size:
        raise MalformedRequest(
            f"old size {request.old_size} is beyond the checkpoint's {checkpoint.size}"
        )
    held = latest.size if latest else 0
    if request.old_size != held:
        raise SizeConflict(f"the latest cosigned size is {held}, not {request.old_size}", held)
    if latest is not None and latest.size == checkpoint.size:
        if latest.root != checkpoint.root:
            raise SizeConflict(f"a different root was cosigned for size {held}: a fork", held)
        return checkpoint
    old_root = latest.root if latest else EMPTY_ROOT
    if request.old_size == 0 and request.proof:
        raise InconsistentCheckpoint("the proof must be empty from size 0")
    if not verify_consistency(
        request.old_size, checkpoint.size, old_root, checkpoint.root, request.proof
    ):
        raise InconsistentCheckpoint(
            f"the proof does not show the tree of size {held} "
            f"cosigned before as a prefix of size {checkpoint.size}"
        )
    return checkpoint
