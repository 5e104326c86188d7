"""Withdrawals for every cause (issue 15, scenario 6): an agreement, a content claim, a declined
share and a terms version that make a snapshot's track ineligible each record a withdrawal
naming its cause, logged and told by webhook, as a consent event does."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import fingerprint_samples
from consentry.consent import Share
from consentry.services.agreements import enter_agreement
from consentry.services.share_invitations import answer_invitation
from consentry.services.terms_notices import publish_with_notice
from consentry.services.upload_claims import claim_fingerprint
from consentry.services.withdrawal_causes import catch_up_snapshot, withdraw_for_due
from consentry.store import catalogue, parties, webhooks
from consentry.store import transparency_log as log
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.reference_recordings import add_reference
from consentry.store.schema import webhook_deliveries
from consentry.store.withdrawals import Withdrawal, list_withdrawals
from consentry.timestamps import utcnow
from tests.audio.music import piece
from tests.services.test_withdrawal_detection import audit
from tests.withdrawal_world import (
    GEN,
    snapshot,
    world_fixture,  # noqa: F401  (the "world" fixture)
)


def causes(engine: Engine) -> list[tuple[str, str, tuple[int, ...]]]:
    with engine.connect() as conn:
        return [(*w.cause, w.track_ids) for w in list_withdrawals(conn)]


def _labelled(engine: Engine, world: dict[str, int]) -> tuple[int, int, int]:
    """Northwind's track by Ada, and a webhook for Acme: (label, track, endpoint)."""
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Northwind").id
        track = catalogue.create_track(conn, "Signed", world["ada"], rights_holder_id=label).id
        hook = webhooks.register_endpoint(conn, world["acme"], "http://127.0.0.1:9/h", utcnow())
    return label, track, hook.endpoint.id


def _deliveries(engine: Engine, withdrawal: Withdrawal) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(webhook_deliveries).where(
            webhook_deliveries.c.withdrawal_id == withdrawal.id)).scalar_one())


def test_an_agreement_in_force_withdraws_the_label_s_tracks(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    label, signed, _hook = _labelled(engine, world)
    taken = snapshot(engine, tmp_path, world["acme"])
    assert taken.tracks == 4  # Ada's two, the duet's, Cy's one and the label's
    with engine.begin() as conn:
        agreement = enter_agreement(conn, label, "No training", frozenset({"train-ai"}))
    assert causes(engine) == [("agreement", str(agreement.id), (signed,))]
    with engine.connect() as conn:
        [withdrawal] = list_withdrawals(conn, consumer_id=world["acme"])
        record = json.loads(log.get_entry(conn, withdrawal.log_index or 0).data)
        # the managing artist sees it too, though no choice of hers caused it
        assert [w.id for w in list_withdrawals(conn, artist_id=world["ada"])] == [withdrawal.id]
        assert list_withdrawals(conn, artist_id=world["bo"]) == []
    assert record["cause"] == {"kind": "agreement", "id": str(agreement.id)}
    assert "consent_event_id" not in record
    assert withdrawal.consent_event_id is None and withdrawal.artist_id is None
    assert _deliveries(engine, withdrawal) == 1
    audit(engine)


def test_an_agreement_that_starts_later_withdraws_when_it_starts_and_once(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    label, signed, _hook = _labelled(engine, world)
    snapshot(engine, tmp_path, world["acme"])
    start = utcnow() + timedelta(hours=1)
    with engine.begin() as conn:
        agreement = enter_agreement(conn, label, "From next hour", frozenset({GEN}), start)
    assert causes(engine) == []  # the track is still allowed until then
    with engine.begin() as conn:
        assert withdraw_for_due(conn, start - timedelta(seconds=1)) == []
        assert [w.track_ids for w in withdraw_for_due(conn, start)] == [(signed,)]
        assert withdraw_for_due(conn, start + timedelta(days=1)) == []  # checked once
    assert causes(engine) == [("agreement", str(agreement.id), (signed,))]


def test_a_content_claim_withdraws_the_upload(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    song = piece(61, 30.0)
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Northwind").id
        add_reference(conn, label, "Original", "a" * 64, fingerprint_samples(song))
    taken = snapshot(engine, tmp_path, world["acme"])
    assert taken.tracks == 3
    [claim] = claim_fingerprint(engine, CatalogueIndex(), world["solo"],
                                fingerprint_samples(song), "b" * 64, "test")
    assert causes(engine) == [("content-claim", str(claim.id), (world["solo"],))]
    audit(engine)


def test_an_owner_who_declines_their_share_withdraws_the_track(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    ada, bo = world["ada"], world["bo"]
    with engine.begin() as conn:  # Ada names Bo; he accepts, then takes it back
        trio = catalogue.create_track(conn, "Trio", ada, [Share(ada, 5000), Share(bo, 5000)],
                                      by="Ada").id
        answer_invitation(conn, trio, bo, True, "Bo")
    assert snapshot(engine, tmp_path, world["acme"]).tracks == 4
    with engine.begin() as conn:
        declined = answer_invitation(conn, trio, bo, False, "Bo")
    assert causes(engine) == [("share-answer", str(declined.id), (trio,))]


def test_a_terms_version_that_prohibits_a_use_withdraws_it_when_it_takes_effect(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    taken = snapshot(engine, tmp_path, world["acme"])
    with engine.begin() as conn:
        terms, _told = publish_with_notice(
            conn, "2027-01", "# Terms\n\nNo generative training on this platform.\n", "admin",
            notice_days=30, base_url="http://127.0.0.1", prohibited=frozenset({GEN}))
    assert causes(engine) == []  # in force after its notice, not before
    with engine.begin() as conn:
        found = withdraw_for_due(conn, terms.effective_at)
    assert [(w.snapshot_id, len(w.track_ids)) for w in found] == [(taken.id, 3)]
    assert {c[:2] for c in causes(engine)} == {("terms-publication", "2027-01")}
    audit(engine)


def test_a_snapshot_stored_after_a_concurrent_agreement_catches_up(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    label, signed, _hook = _labelled(engine, world)
    taken = snapshot(engine, tmp_path, world["acme"])
    with engine.connect() as conn:
        seen = log.log_size(conn)
    with engine.begin() as conn:  # recorded while the snapshot's decisions were being read
        agreement = catalogue.create_agreement(conn, label, "No training", frozenset({GEN}))
        assert catch_up_snapshot(conn, taken.id, seen) == 1
    assert causes(engine) == [("agreement", str(agreement.id), (signed,))]
