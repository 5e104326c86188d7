"""A small world of parties and tokens for the API tests, built through the store functions."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from consentry.consent import ConsumerKind, Share
from consentry.store import catalogue, parties
from consentry.store.tokens import Role, create_token, revoke_token
from tests.conftest import TEST_SECRET

MISSING = 999_999  # an id no table in the world reaches


@dataclass(frozen=True)
class World:
    """The ids of every party and track, and a secret per token name."""

    artist_a: int
    artist_b: int
    track_a: int
    track_b: int
    track_ab: int
    holder_1: int
    holder_2: int
    agreement_1: int
    agreement_2: int
    track_l1: int
    track_l2: int
    internal: int
    third_party: int
    spare_token_id: int
    secrets: dict[str, str] = field(repr=False)

    def headers(self, role_name: str) -> dict[str, str]:
        """Authorization headers for a token name; 'anonymous' sends none."""
        if role_name == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.secrets[role_name]}"}


@pytest.fixture
def world(engine: Engine) -> World:
    """Two artists, three tracks among them, two labels, two consumers, one token per role.

    Catalogue tracks: L1's track is managed by artist A, L2's by artist B, so an artist can see a
    label's track without the other label seeing it. Also an expired, a revoked and a spare token
    (the spare one is for the admin's DELETE /v1/tokens/{id}, so no other token is lost).
    """
    with engine.begin() as conn:
        a = parties.create_artist(conn, "Ada Artist").id
        b = parties.create_artist(conn, "Bo Artist").id
        track_a = catalogue.create_track(conn, "Only A", a).id
        track_b = catalogue.create_track(conn, "Only B", b).id
        track_ab = catalogue.create_track(conn, "A and B", a, [Share(a, 6000), Share(b, 4000)],
                                          accepted=(a, b)).id
        l1 = parties.create_rights_holder(conn, "Label One").id
        l2 = parties.create_rights_holder(conn, "Label Two").id
        agreement_1 = catalogue.create_agreement(
            conn, l1, "No generative training", frozenset({"train-generative"})).id
        agreement_2 = catalogue.create_agreement(
            conn, l2, "No voice cloning", frozenset({"voice-likeness"})).id
        track_l1 = catalogue.create_track(conn, "Label One single", a, rights_holder_id=l1).id
        track_l2 = catalogue.create_track(conn, "Label Two single", b, rights_holder_id=l2).id
        internal = parties.create_consumer(
            conn, "Recommender team", frozenset({"recommendations", "train-non-generative"})).id
        third_party = parties.create_consumer(
            conn, "Acme Audio", frozenset({"train-generative"}), ConsumerKind.THIRD_PARTY,
            "acme").id
        issued = {
            "admin": create_token(conn, TEST_SECRET, "admin", Role.ADMIN),
            "artist_a": create_token(conn, TEST_SECRET, "artist a", Role.ARTIST, a),
            "artist_b": create_token(conn, TEST_SECRET, "artist b", Role.ARTIST, b),
            "holder_1": create_token(conn, TEST_SECRET, "label one", Role.RIGHTS_HOLDER, l1),
            "holder_2": create_token(conn, TEST_SECRET, "label two", Role.RIGHTS_HOLDER, l2),
            "internal": create_token(conn, TEST_SECRET, "recs", Role.CONSUMER, internal),
            "third_party": create_token(conn, TEST_SECRET, "acme", Role.CONSUMER, third_party),
            "expired": create_token(conn, TEST_SECRET, "expired", Role.ARTIST, a,
                                    ttl=timedelta(microseconds=1)),
            "revoked": create_token(conn, TEST_SECRET, "revoked", Role.ADMIN),
            "spare": create_token(conn, TEST_SECRET, "spare", Role.ARTIST, b),
        }
        revoke_token(conn, issued["revoked"].id)
    time.sleep(0.002)  # the expired token's microsecond has long passed
    return World(
        artist_a=a, artist_b=b, track_a=track_a, track_b=track_b, track_ab=track_ab,
        holder_1=l1, holder_2=l2, agreement_1=agreement_1, agreement_2=agreement_2,
        track_l1=track_l1, track_l2=track_l2, internal=internal, third_party=third_party,
        spare_token_id=issued["spare"].id,
        secrets={name: token.secret for name, token in issued.items()})
