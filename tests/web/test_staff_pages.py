"""Label staff and admins in the browser pages: their catalogue, agreements and tokens."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.services.decisions import decide_track
from consentry.store import accounts, catalogue, parties, tokens
from consentry.timestamps import utcnow
from tests.conftest import TEST_SECRET
from tests.web.test_pages import PASSWORD, csrf


def log_in(client: TestClient, email: str) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303


def test_label_staff_add_an_agreement_that_decisions_follow(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Label One")
        other = parties.create_rights_holder(conn, "Label Two")
        artist = parties.create_artist(conn, "Ada")
        mine = catalogue.create_track(conn, "Licensed", artist.id, rights_holder_id=label.id)
        catalogue.create_track(conn, "Someone else's", artist.id, rights_holder_id=other.id)
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.ALLOW))
        accounts.create_user(conn, "staff@label.example", PASSWORD, "Staff",
                             Role.RIGHTS_HOLDER, rights_holder_id=label.id)
    log_in(client, "staff@label.example")
    page = client.get("/label")
    assert "Licensed" in page.text and "Someone else" not in page.text
    response = client.post("/label/agreements", data={
        "csrf_token": csrf(page.text), "title": "No generative training",
        "restricts": ["train-generative"], "starts_at": "2020-01-01"}, follow_redirects=True)
    assert response.status_code == 200 and "No generative training" in response.text
    with engine.connect() as conn:
        decision = decide_track(conn, mine.id, "train-generative", utcnow())
    assert (decision.allowed, decision.rule.value) == (False, "rights-holder-agreement")
    refused = client.post("/label/agreements", data={"title": "x", "restricts": ["train-ai"]})
    assert refused.status_code == 403


@pytest.mark.slow
def test_admin_issues_a_token_once_and_revokes_it(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        consumer = parties.create_consumer(conn, "Research", frozenset({"train-ai"}))
        accounts.create_user(conn, "root@platform.example", PASSWORD, "Root", Role.ADMIN)
    log_in(client, "root@platform.example")
    page = client.get("/admin")
    issued = client.post("/admin/tokens", data={
        "csrf_token": csrf(page.text), "consumer_id": str(consumer.id), "name": "nightly",
        "ttl_days": "30"})
    secret = re.search(r'<code id="new-token" translate="no">([^<]+)</code>', issued.text).group(1)
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert secret not in client.get("/admin").text
    with engine.connect() as conn:
        [token] = [t for t in tokens.list_tokens(conn) if t["name"] == "nightly"]
    asked = client.get(f"/admin/tokens/{token['id']}/revoke")
    assert "this cannot be undone" in asked.text and "nightly" in asked.text
    client.post(f"/admin/tokens/{token['id']}/revoke", data={"csrf_token": csrf(page.text)})
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    client.post(f"/admin/tokens/{token['id']}/revoke",
                data={"csrf_token": csrf(page.text), "confirmed": "yes"})
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_admin_tokens_are_not_revoked_from_the_web(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.create_user(conn, "root@platform.example", PASSWORD, "Root", Role.ADMIN)
        own = tokens.create_token(conn, TEST_SECRET, "root's API token", Role.ADMIN)
    log_in(client, "root@platform.example")
    page = client.get("/admin").text
    assert f"/admin/tokens/{own.id}/revoke" not in page
    refused = client.post(f"/admin/tokens/{own.id}/revoke",
                          data={"csrf_token": csrf(page), "confirmed": "yes"})
    assert refused.status_code == 403


def test_staff_pages_refuse_other_roles(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.create_user(conn, "ada@example.org", PASSWORD, "Ada", Role.ARTIST)
    log_in(client, "ada@example.org")
    assert client.get("/label").status_code == 403
    assert client.get("/admin").status_code == 403
    page = client.get("/me")
    assert client.post("/admin/tokens", data={"csrf_token": csrf(page.text),
                                              "consumer_id": "1"}).status_code == 403
