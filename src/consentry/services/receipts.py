"""Consent receipts from the stored log: the event's record and its inclusion proof against
a checkpoint signed now if the log has grown since the last one, with the witnesses'
cosignatures of that checkpoint appended to its note (C2SP signed notes carry several)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from consentry.errors import NotFound
from consentry.ledger.checkpoint import vkey
from consentry.ledger.receipts import make_receipt
from consentry.ledger.records import CONSENT_EVENT
from consentry.store import transparency_log as log
from consentry.store.log_cosignatures import cosigned_note


def consent_receipt(conn: Connection, event_id: int, origin: str,
                    key: Ed25519PrivateKey) -> dict[str, Any]:
    entry = log.entry_of(conn, CONSENT_EVENT, event_id)
    if entry is None:
        raise NotFound(f"consent event {event_id} is not in the log: run 'consentry init'")
    signed = log.sign_current(conn, origin, key)
    proof = log.inclusion_proof(conn, entry.index, signed.size)
    return make_receipt(entry.index, entry.data, proof, cosigned_note(conn, signed),
                        vkey(origin, key.public_key()))
