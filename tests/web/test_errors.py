"""Every failure answers with one JSON shape, ``{"error", "detail", ...}``, and the right status.

Clients branch on ``error`` and show ``detail``; a plain-text 500 or a FastAPI default body would
break them, and hostile input must be refused or stored as data, never executed.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from consentry.consent import BASELINE_TERMS
from consentry.purposes import VOCABULARY, valid_ids
from consentry.store import ledger
from consentry.store.schema import artists, consent_events, tracks
from tests.web.conftest import MISSING, World

TOO_BIG = 2**64  # fits neither SQLite's nor PostgreSQL's integers


def assert_error(response: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    """The one error shape: JSON with a machine code and a human sentence."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body
    return body


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_unknown_purpose_lists_the_vocabulary(client: TestClient, world: World,
                                              engine: Engine) -> None:
    """A typo in a purpose must say which purposes exist, wherever a purpose is taken."""
    admin, artist = world.headers("admin"), world.headers("artist_a")
    responses = {
        "decision": client.get(f"/v1/tracks/{world.track_a}/decision",
                               params={"purpose": "train-everything"}, headers=admin),
        "batch": client.post("/v1/decisions", headers=admin, json={
            "purpose": "train-everything", "track_ids": [world.track_a]}),
        "eligibility": client.get("/v1/eligibility", params={"purpose": "train-everything"},
                                  headers=admin),
        "consent": client.post("/v1/consent", headers=artist, json={
            "purpose": "train-everything", "choice": "deny"}),
        "consumer in scope elsewhere": client.get(
            f"/v1/tracks/{world.track_a}/decision", params={"purpose": "train-everything"},
            headers=world.headers("third_party")),
    }
    for name, response in responses.items():
        body = assert_error(response, 422, "unknown_purpose")
        assert body["valid_purposes"] == valid_ids(), name
        assert "train-everything" in body["detail"], name
    assert {p.id for p in VOCABULARY} <= set(valid_ids())
    assert _count(engine, consent_events) == 0


def test_unknown_things_are_404(client: TestClient, world: World) -> None:
    """A missing artist, track, label, consumer or token is 'not found', naming the id."""
    admin = world.headers("admin")
    for path in (f"/v1/tracks/{MISSING}", f"/v1/tracks/{MISSING}/consent",
                 f"/v1/tracks/{MISSING}/decision?purpose=recommendations",
                 f"/v1/artists/{MISSING}", f"/v1/artists/{MISSING}/export",
                 f"/v1/rights-holders/{MISSING}", f"/v1/consumers/{MISSING}"):
        body = assert_error(client.get(path, headers=admin), 404, "not_found")
        assert str(MISSING) in body["detail"], path
    body = assert_error(client.post("/v1/consent", headers=admin, json={
        "purpose": "train-ai", "choice": "deny", "artist_id": MISSING}), 404, "not_found")
    assert f"artist {MISSING}" in body["detail"]
    body = assert_error(client.post("/v1/consent", headers=world.headers("artist_a"), json={
        "purpose": "train-ai", "choice": "deny", "track_id": MISSING}), 404, "not_found")
    assert f"track {MISSING}" in body["detail"]
    assert_error(client.delete(f"/v1/tokens/{MISSING}", headers=admin), 404, "not_found")


def test_bad_token_is_401_and_out_of_scope_is_403(client: TestClient, world: World) -> None:
    """401 says 'who are you' (with a Bearer challenge); 403 says 'not you', with the scope."""
    forged = client.get("/v1/me", headers={"Authorization": "Bearer cst_not-a-real-token"})
    assert_error(forged, 401, "unauthenticated")
    assert forged.headers["WWW-Authenticate"] == "Bearer"
    assert_error(client.get("/v1/me"), 401, "unauthenticated")

    out_of_scope = client.get(f"/v1/tracks/{world.track_a}/decision",
                              params={"purpose": "train-generative"},
                              headers=world.headers("internal"))
    body = assert_error(out_of_scope, 403, "forbidden")
    assert body["scope"] == ["recommendations", "train-non-generative"]
    assert "WWW-Authenticate" not in out_of_scope.headers
    assert_error(client.get(f"/v1/artists/{world.artist_b}", headers=world.headers("artist_a")),
                 403, "forbidden")


def test_malformed_bodies_list_their_problems(client: TestClient, world: World) -> None:
    """Unparseable JSON and wrong types are 422 with one problem per bad field."""
    admin = world.headers("admin") | {"Content-Type": "application/json"}
    broken = client.post("/v1/decisions", headers=admin,
                         content=b'{"purpose": "recommendations", "track_ids": [1,')
    assert assert_error(broken, 422, "invalid_request")["problems"]

    cases: list[tuple[str, dict[str, Any], set[str]]] = [
        ("/v1/decisions", {"purpose": "recommendations", "track_ids": "x"}, {"body.track_ids"}),
        ("/v1/decisions", {"purpose": "recommendations", "track_ids": ["one", 2]},
         {"body.track_ids.0"}),
        ("/v1/decisions", {"purpose": "recommendations", "track_ids": []}, {"body.track_ids"}),
        ("/v1/decisions", {"track_ids": [1]}, {"body.purpose"}),
        ("/v1/consent", {"purpose": "train-ai", "choice": "maybe", "artist_id": world.artist_a},
         {"body.choice"}),
        ("/v1/consent", {"purpose": "train-ai", "choice": "deny", "artist_id": "me"},
         {"body.artist_id"}),
        ("/v1/tracks", {"title": "", "artist_id": world.artist_a}, {"body.title"}),
        ("/v1/artists", {"name": "x" * 201}, {"body.name"}),
        ("/v1/artists", ["not", "an", "object"], {"body"}),
    ]
    for path, payload, locations in cases:
        body = assert_error(client.post(path, headers=admin, content=json.dumps(payload)),
                            422, "invalid_request")
        problems = body["problems"]
        assert {p["location"] for p in problems} == locations, (path, payload, problems)
        assert all(p["message"] for p in problems)
        assert all(p["location"] in body["detail"] for p in problems)


def test_batch_is_capped_at_ten_thousand_ids(client: TestClient, world: World) -> None:
    """10,000 ids are answered (unknown ones listed); one more is refused before any work."""
    admin = world.headers("admin")
    known = [world.track_a, world.track_b]
    ids = known + list(range(MISSING, MISSING + 10_000 - len(known)))
    answered = client.post("/v1/decisions", headers=admin,
                           json={"purpose": "recommendations", "track_ids": ids})
    assert answered.status_code == 200, answered.text
    assert [d["track_id"] for d in answered.json()["decisions"]] == known
    assert len(answered.json()["unknown_track_ids"]) == 10_000 - len(known)
    refused = client.post("/v1/decisions", headers=admin,
                          json={"purpose": "recommendations", "track_ids": [*ids, MISSING - 1]})
    [problem] = assert_error(refused, 422, "invalid_request")["problems"]
    assert problem["location"] == "body.track_ids"


def test_at_must_be_an_iso_instant(client: TestClient, world: World) -> None:
    """'at' that is not ISO 8601 is refused, in the query string and in a body alike."""
    admin = world.headers("admin")
    for path in (f"/v1/tracks/{world.track_a}/decision?purpose=recommendations&at=yesterday",
                 f"/v1/tracks/{world.track_a}/decisions?at=2026-13-45",
                 f"/v1/artists/{world.artist_a}/consent?at=1%2F2%2F2026",
                 "/v1/eligibility?purpose=recommendations&at=soon"):
        body = assert_error(client.get(path, headers=admin), 422, "invalid_input")
        assert "ISO 8601" in body["detail"], path
    batch = {"purpose": "recommendations", "track_ids": [world.track_a]}
    [problem] = assert_error(client.post("/v1/decisions", headers=admin,
                                         json=batch | {"at": "yesterday"}),
                             422, "invalid_request")["problems"]
    assert problem["location"] == "body.at"
    naive = client.post("/v1/decisions", headers=admin, json=batch | {"at": "2026-01-01T00:00"})
    assert "timezone" in assert_error(naive, 422, "invalid_input")["detail"]
    good = client.post("/v1/decisions", headers=admin, json=batch | {"at": "2026-01-01T00:00Z"})
    assert good.status_code == 200, good.text


def test_required_purpose_cannot_be_denied(client: TestClient, world: World,
                                           engine: Engine) -> None:
    """Uses the terms require are refused as a 'deny', and nothing reaches the ledger."""
    artist = world.headers("artist_a")
    for purpose in sorted(BASELINE_TERMS.required):
        for extra in ({}, {"track_id": world.track_a}):
            body = assert_error(client.post("/v1/consent", headers=artist, json={
                "purpose": purpose, "choice": "deny"} | extra), 422, "invalid_input")
            assert "required" in body["detail"] and purpose in body["detail"]
    with engine.connect() as conn:
        assert ledger.count_events(conn) == 0
    history = client.get(f"/v1/artists/{world.artist_a}/consent/history", headers=artist)
    assert history.json() == []
    allowed = client.post("/v1/consent", headers=artist,
                          json={"purpose": "fraud-detection", "choice": "allow"})
    assert allowed.status_code == 201, allowed.text


def test_markup_in_text_is_kept_as_data(client: TestClient, world: World) -> None:
    """Names and titles are data: returned verbatim inside JSON, never rendered or rejected."""
    admin = world.headers("admin")
    script = "<script>alert(1)</script>"
    image = '<img src=x onerror="alert(\'x\')"> & "quotes" \u202e'
    created = client.post("/v1/artists", headers=admin, json={"name": script})
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == "application/json"
    artist_id = created.json()["id"]
    assert client.get(f"/v1/artists/{artist_id}", headers=admin).json()["name"] == script
    track = client.post("/v1/tracks", headers=admin, json={"title": image, "artist_id": artist_id})
    assert track.status_code == 201, track.text
    assert client.get(f"/v1/tracks/{track.json()['id']}", headers=admin).json()["title"] == image
    consent = client.post("/v1/consent", headers=admin, json={
        "purpose": "train-ai", "choice": "deny", "artist_id": artist_id, "source": script})
    assert consent.json()["source"] == script
    export = client.get(f"/v1/artists/{artist_id}/export", headers=admin).json()
    assert export["artist"]["name"] == script
    assert export["tracks"][0]["title"] == image


@pytest.mark.slow
def test_sql_looking_input_does_no_harm(client: TestClient, world: World,
                                        engine: Engine) -> None:
    """Quotes and statements in names, purposes and ids are plain values; every table survives."""
    admin = world.headers("admin")
    names = ["Robert'); DROP TABLE artists;--", "x' OR '1'='1", '"; DELETE FROM tracks; --']
    for name in names:
        created = client.post("/v1/artists", headers=admin, json={"name": name})
        assert created.status_code == 201, created.text
        assert created.json()["name"] == name
    for purpose in ("train-ai'; DROP TABLE consent_events;--", "recommendations' OR '1'='1",
                    "third-party-training:acme'--"):
        assert_error(client.get(f"/v1/tracks/{world.track_a}/decision",
                                params={"purpose": purpose}, headers=admin),
                     422, "unknown_purpose")
        assert_error(client.get("/v1/eligibility", params={"purpose": purpose}, headers=admin),
                     422, "unknown_purpose")
    assert_error(client.get("/v1/artists/1 OR 1=1", headers=admin), 422, "invalid_request")
    assert_error(client.get("/v1/tracks", params={"limit": "1; DROP TABLE tracks"},
                            headers=admin), 422, "invalid_request")

    listed = client.get("/v1/artists", headers=admin).json()
    assert [a["name"] for a in listed] == ["Ada Artist", "Bo Artist", *names]
    assert _count(engine, artists) == 2 + len(names)
    assert _count(engine, tracks) == 5
    assert _count(engine, consent_events) == 0


def test_values_beyond_the_database_are_422(client: TestClient, world: World,
                                            engine: Engine) -> None:
    """Ids and offsets too large for the database's integers are the caller's error, not a 500."""
    admin = world.headers("admin")
    client = TestClient(client.app, raise_server_exceptions=False)  # see a 500, do not raise
    for response in (
        client.get(f"/v1/artists/{TOO_BIG}", headers=admin),
        client.get(f"/v1/tracks/{TOO_BIG}/decision?purpose=recommendations", headers=admin),
        client.get(f"/v1/rights-holders/{TOO_BIG}/tracks", headers=admin),
        client.get("/v1/tracks", params={"offset": TOO_BIG}, headers=admin),
        client.post("/v1/decisions", headers=admin,
                    json={"purpose": "recommendations", "track_ids": [world.track_a, TOO_BIG]}),
        client.post("/v1/consent", headers=admin,
                    json={"purpose": "train-ai", "choice": "deny", "artist_id": TOO_BIG}),
    ):
        assert_error(response, 422, "invalid_input")
    nul = client.post("/v1/artists", headers=admin, json={"name": "Nul\u0000Name"})
    if engine.dialect.name == "postgresql":  # PostgreSQL text cannot hold NUL
        assert_error(nul, 422, "invalid_input")
    else:
        assert nul.status_code == 201 and nul.json()["name"] == "Nul\u0000Name"
    assert client.get("/v1/me", headers=admin).status_code == 200  # the app carries on


def test_unknown_route_and_wrong_method(client: TestClient, world: World) -> None:
    """Routing errors use the same shape, signed in or not; 405 names a method that works.

    (Starlette's Allow header names the methods of the first route on the path only, so
    PUT /v1/tracks says "GET" although POST works too.)
    """
    for headers in ({}, world.headers("admin")):
        for path in ("/v1/nope", "/v1/tracks/1/nope"):
            body = assert_error(client.get(path, headers=headers), 404, "not_found")
            assert body["detail"] == "Not Found"
        for path in ("/nope", "/v2/purposes"):  # outside the API: a page for people
            page = client.get(path, headers=headers)
            assert page.status_code == 404 and "There is no page at this address" in page.text
        for method, path in (("DELETE", "/v1/purposes"), ("PUT", "/v1/tracks"),
                             ("POST", "/v1/me"), ("PATCH", f"/v1/artists/{world.artist_a}")):
            response = client.request(method, path, headers=headers)
            assert_error(response, 405, "method_not_allowed")
            assert "GET" in response.headers["Allow"].split(", "), (method, path)


def test_purposes_list_the_whole_vocabulary(client: TestClient) -> None:
    """The public vocabulary is what artists read before they choose: every purpose, explained."""
    response = client.get("/v1/purposes")
    assert response.status_code == 200
    listed = response.json()
    assert [p["id"] for p in listed] == [p.id for p in VOCABULARY]
    for item, purpose in zip(listed, VOCABULARY, strict=True):
        assert item["label"] == purpose.label and item["label"]
        assert item["description"] == purpose.description and item["description"]
        assert item["parent"] == purpose.parent
        assert item["required_by_terms"] == (purpose.id in BASELINE_TERMS.required)


def test_a_malformed_page_address_is_an_html_404(client: TestClient) -> None:
    for path in ("/tracks/abc", "/artists/1x"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "This page does not exist." in response.text
    api = client.get("/v1/log/entries/abc")
    assert api.status_code == 422 and api.json()["error"] == "invalid_request"
