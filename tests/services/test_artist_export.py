"""The artist's export covers every record a decision about their tracks reads, not only
consent events: share invitations and answers, their labels' agreements, content claims
(theirs and on their tracks) with every change, terms answers, and withdrawals."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Identified, Share
from consentry.services.agreements import enter_agreement
from consentry.services.artist_export import export_artist
from consentry.store import accounts, catalogue, claims, parties
from tests.withdrawal_world import (
    snapshot,
    world_fixture,  # noqa: F401  (the "world" fixture)
)


def test_the_export_holds_every_input_of_the_artist_s_decisions(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    ada, bo, cy = world["ada"], world["bo"], world["cy"]
    with engine.begin() as conn:
        accounts.create_user(conn, "ada@example.org", "correct horse battery", "Ada",
                             Role.ARTIST, artist_id=ada)
        label = parties.create_rights_holder(conn, "Northwind").id
        signed = catalogue.create_track(conn, "Signed", ada, rights_holder_id=label).id
        offered = catalogue.create_track(conn, "Offered", cy, [Share(cy, 5000), Share(ada, 2500),
                                                               Share(bo, 2500)], by="Cy").id
        found = Identified(f"track:{world['solo']}", "track", world["solo"], "Solo", None,
                           (ada,), 0.0, 0.0, 20.0, 0.9, 30.0, 1.0, ada)
        claim = claims.open_claim(conn, world["cys"], found, "d" * 64, "test").id
    snapshot(engine, tmp_path, world["acme"])
    with engine.begin() as conn:
        agreement = enter_agreement(conn, label, "No training", frozenset({"train-ai"})).id
    with engine.connect() as conn:
        document = export_artist(conn, ada)
        cys_view = export_artist(conn, cy)
    assert [a["id"] for a in document["agreements"]] == [agreement]
    assert [(w["cause"]["kind"], w["track_ids"]) for w in document["withdrawals"]] == [
        ("agreement", [signed])]
    # invited to Cy's track: her own invitation only, not what Bo answered
    assert {(a["track_id"], a["artist_id"]) for a in document["share_answers"]} == {
        (offered, ada)}
    assert [(c["id"], c["claimant_artist_id"]) for c in document["content_claims"]] == [
        (claim, ada)]
    assert [c["id"] for c in cys_view["content_claims"]] == [claim]  # on her upload
    assert document["terms_answers"] == []
