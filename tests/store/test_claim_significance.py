"""A claim keeps the significance its match was believed at; a claim opened before that was
kept has none, and its log record stays the bytes it was, so the audit still passes."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.consent import Identified
from consentry.ledger.records import CONTENT_CLAIM
from consentry.services.log_audit import audit_log
from consentry.store import catalogue, parties
from consentry.store.claims import claim_records, open_claim
from consentry.store.log_sources import log_new_row
from consentry.store.schema import content_claims
from consentry.store.transparency_log import get_entry, log_size


def test_a_claim_keeps_its_significance_and_an_older_one_audits_without(engine: Engine) -> None:
    with engine.begin() as conn:
        holder = parties.create_rights_holder(conn, "Label")
        artist = parties.create_artist(conn, "Ada")
        track = catalogue.create_track(conn, "Upload", artist.id)
        found = Identified("reference:1", "reference", 1, "Hit", holder.id, (), 2.0, 12.0, 20.0,
                           0.42, 11.5, 1.0)
        claim = open_claim(conn, track.id, found, "a" * 64, "test")
        new_record = json.loads(get_entry(conn, log_size(conn) - 2).data)
        older = conn.execute(insert(content_claims).values(
            track_id=track.id, rights_holder_id=holder.id, recording_key="reference:1",
            audio_sha256="b" * 64, query_start_ms=0, recording_start_ms=0, matched_ms=9000,
            confidence=0.8, speed=1.0, created_at=1)).inserted_primary_key[0]
        log_new_row(conn, CONTENT_CLAIM, older)
        old_record = json.loads(get_entry(conn, log_size(conn) - 1).data)
    with engine.connect() as conn:
        kept = {c.id: c.significance for c in claim_records(conn, track_ids=[track.id])}
        assert audit_log(conn, "test", Ed25519PrivateKey.generate().public_key()).entries
    assert kept == {claim.id: 11.5, older: None}
    assert (new_record["id"], new_record["significance"]) == (claim.id, 11.5)
    assert old_record["id"] == older and "significance" not in old_record
    # the column was added in place: the table still refuses rewrites
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(update(content_claims).values(significance=99.0))
