"""A small catalogue with consent to generative training and snapshots of it: the ground
the withdrawal tests (store, webhooks, web, CLI) stand on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice, ConsumerKind, Share
from consentry.services import consent_choices
from consentry.services.dataset_snapshots import create_snapshot
from consentry.store import catalogue, parties
from consentry.store.datasets import Snapshot
from consentry.timestamps import utcnow

ORIGIN = "music.example/log"
KEY = Ed25519PrivateKey.generate()
GEN = "train-generative"


@pytest.fixture(name="world")
def world_fixture(engine: Engine) -> dict[str, int]:
    """Ada allows generative training by Acme for all her tracks, Bo for the duet he
    co-owns; Cy allows one track only (the default denies the rest)."""
    with engine.begin() as conn:
        ada, bo, cy = (parties.create_artist(conn, n).id for n in ("Ada", "Bo", "Cy"))
        solo = catalogue.create_track(conn, "Solo", ada).id
        duet = catalogue.create_track(conn, "Duet", ada, [Share(ada, 7000), Share(bo, 3000)],
                                      accepted=(ada, bo)).id
        cys = catalogue.create_track(conn, "Cy's", cy).id
        for artist in (ada, bo):
            for purpose in (GEN, "third-party-training:acme"):
                consent_choices.record_choice(conn, ConsentChoice(artist, purpose, Choice.ALLOW))
        for purpose in (GEN, "third-party-training:acme"):
            consent_choices.record_choice(conn, ConsentChoice(
                cy, purpose, Choice.ALLOW, track_id=cys))
        acme = parties.create_consumer(conn, "Acme", frozenset({GEN}),
                                       ConsumerKind.THIRD_PARTY, "acme").id
    return {"ada": ada, "bo": bo, "cy": cy, "solo": solo, "duet": duet, "cys": cys,
            "acme": acme}


def snapshot(engine: Engine, tmp_path: Path, consumer_id: int | None,
             purpose: str = GEN, at_offset: float = 0) -> Snapshot:
    with engine.connect() as conn:
        consumer = parties.get_consumer(conn, consumer_id) if consumer_id else None
    return create_snapshot(engine, tmp_path, purpose, utcnow() + timedelta(seconds=at_offset),
                           consumer, ORIGIN, KEY, "test")


def choose(engine: Engine, artist: int, choice: Choice, track: int | None = None,
           purpose: str = GEN) -> int:
    with engine.begin() as conn:
        return consent_choices.record_choice(conn, ConsentChoice(artist, purpose, choice,
                                                        track_id=track)).id


