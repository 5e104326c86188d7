"""The artist's withdrawals page: their own only, with where each stands; admins see all."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice, ConsumerKind
from consentry.services import consent_choices
from consentry.services.dataset_snapshots import create_snapshot
from consentry.store import accounts, catalogue, parties
from consentry.store.withdrawals import acknowledge, list_withdrawals
from consentry.timestamps import utcnow
from tests.web.test_pages import PASSWORD, csrf, sign_up
from tests.web.test_staff_pages import log_in


@pytest.mark.slow
def test_an_artist_sees_where_her_withdrawal_stands(client: TestClient, engine: Engine,
                                                    tmp_path: Path) -> None:
    sign_up(client)
    with engine.begin() as conn:
        [user] = accounts.list_users(conn)
        ada = user.artist_id
        catalogue.create_track(conn, "Tide <Song>", ada)
        other = parties.create_artist(conn, "Bo").id
        catalogue.create_track(conn, "Bo's own", other)
        for artist in (ada, other):
            consent_choices.record_choice(conn, ConsentChoice(
                artist, "train-generative", Choice.ALLOW))
        acme = parties.create_consumer(conn, "Acme Audio", frozenset({"train-generative"}),
                                       ConsumerKind.INTERNAL)
        accounts.create_user(conn, "admin@example.org", PASSWORD, "Admin", Role.ADMIN)
    assert "None of your choices has reached a dataset" in client.get("/me/withdrawals").text
    create_snapshot(engine, tmp_path, "train-generative", utcnow(), acme, "o",
                    Ed25519PrivateKey.generate(), "test")
    with engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(ada, "train-generative", Choice.DENY))
        consent_choices.record_choice(conn, ConsentChoice(other, "train-generative", Choice.DENY))
    page = client.get("/me/withdrawals").text
    assert "Tide &lt;Song&gt;" in page and "Bo&#39;s own" not in page
    assert "Acme Audio" in page and "Train AI that generates music" in page
    assert page.count("not yet") == 4 and 'data-stage="recorded"' in page
    with engine.begin() as conn:
        [mine] = list_withdrawals(conn, artist_id=ada)
        acknowledge(conn, mine.id, acme.id, "test", utcnow())
    page = client.get("/me/withdrawals").text
    assert page.count("not yet") == 3 and 'data-stage="acknowledged"' in page
    german = client.get("/me/withdrawals?lang=de").text
    assert '<html lang="de">' in german

    assert client.get("/admin/withdrawals").status_code == 403
    client.post("/logout", data={"csrf_token": csrf(page)})
    log_in(client, "admin@example.org")
    everyone = client.get("/admin/withdrawals").text
    assert "Tide &lt;Song&gt;" in everyone and "Bo&#39;s own" in everyone
    assert client.get("/me/withdrawals").status_code == 403
