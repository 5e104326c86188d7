"""Who may call what: every route of the app, with every role, against an explicit table.

The table is the policy written down. A route added to the app without rows here fails
``test_every_route_has_expectations``; a route that answers a role differently from its row fails
``test_every_route_with_every_role``.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import fastapi.routing
import httpx2
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.settings import Settings
from consentry.store import catalogue
from consentry.store.media import store_upload
from tests.audio.synth import audio_bytes
from tests.web.conftest import MISSING, World

ROLES = ("anonymous", "admin", "artist_a", "artist_b", "holder_1", "holder_2", "internal",
         "third_party")
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}

# Each expectation is one status per role, in the order of ROLES:
#   anonymous, admin, artist A, artist B, label L1, label L2, internal consumer, third party.
PUBLIC = "200 200 200 200 200 200 200 200"
SIGNED_IN = "401 200 200 200 200 200 200 200"
ADMIN = "401 200 403 403 403 403 403 403"
ADMIN_201 = "401 201 403 403 403 403 403 403"
ADMIN_404 = "401 404 403 403 403 403 403 403"  # the admin finds nothing; others may not look
NOWHERE = "404 404 404 404 404 404 404 404"
RECORDING = {"file": ("take.wav", audio_bytes("wav", 0.1, rate=8_000), "audio/wav")}


@dataclass(frozen=True)
class Case:
    """One request and the status each role must get for it."""

    method: str
    template: str
    path: str
    expect: tuple[int, ...]
    body: dict[str, Any] | None = None
    files: dict[str, Any] | None = None

    def send(self, client: TestClient, headers: dict[str, str]) -> httpx2.Response:
        return client.request(self.method, self.path, headers=headers, json=self.body,
                              files=self.files)


def case(method: str, template: str, path: str, expect: str,
         body: dict[str, Any] | None = None, files: dict[str, Any] | None = None) -> Case:
    statuses = tuple(int(s) for s in expect.split())
    assert len(statuses) == len(ROLES), (method, path)
    return Case(method, template, path, statuses, body, files)


def expectations(w: World) -> list[Case]:
    """The policy: admin everything; artists themselves and their tracks; labels their catalogue
    and agreements; consumers decisions within their scope and their own record."""
    a, b, l1, l2 = w.artist_a, w.artist_b, w.holder_1, w.holder_2
    all_tracks = [w.track_a, w.track_b, w.track_ab, w.track_l1, w.track_l2]
    cases = [
        case("GET", "/healthz", "/healthz", PUBLIC),
        case("GET", "/readyz", "/readyz", PUBLIC),
        case("GET", "/v1/purposes", "/v1/purposes", PUBLIC),
        case("GET", "/v1/me", "/v1/me", SIGNED_IN),
        case("GET", "/v1/signals/crawlers", "/v1/signals/crawlers", PUBLIC),
        case("GET", "/v1/signals/refusals", "/v1/signals/refusals", ADMIN),
        # dataset snapshots: consumers within their scope, for themselves; admins for anyone
        case("POST", "/v1/datasets", "/v1/datasets", "401 201 403 403 403 403 403 201",
             {"purpose": "train-generative"}),
        case("GET", "/v1/datasets", "/v1/datasets", "401 200 403 403 403 403 200 200"),
        # (roles that never take snapshots are refused before the id is looked up)
        case("GET", "/v1/datasets/{snapshot_id}", f"/v1/datasets/{MISSING}",
             "401 404 403 403 403 403 404 404"),
        case("GET", "/v1/datasets/{snapshot_id}/manifest", f"/v1/datasets/{MISSING}/manifest",
             "401 404 403 403 403 403 404 404"),
        # usage statements: each party its own uses; compensation not for consumers
        case("GET", "/v1/usage/uses", "/v1/usage/uses?from=2026-01-01&to=2026-01-31",
             SIGNED_IN),
        case("GET", "/v1/usage/uses", f"/v1/usage/uses?from=2026-01-01&to=2026-01-31&artist_id={a}",
             "401 200 200 403 403 403 403 403"),
        case("GET", "/v1/usage/uses",
             f"/v1/usage/uses?from=2026-01-01&to=2026-01-31&rights_holder_id={l2}",
             "401 200 403 403 403 200 403 403"),
        case("GET", "/v1/usage/uses",
             f"/v1/usage/uses?from=2026-01-01&to=2026-01-31&consumer_id={w.internal}",
             "401 200 403 403 403 403 200 403"),
        case("GET", "/v1/usage/compensation",
             "/v1/usage/compensation?pool=100&currency=EUR&from=2026-01-01&to=2026-01-31",
             "401 200 200 200 200 200 403 403"),
        case("GET", "/v1/usage/compensation",
             f"/v1/usage/compensation?pool=100&currency=EUR&from=2026-01-01&to=2026-01-31"
             f"&artist_id={b}", "401 200 403 200 403 403 403 403"),
        # withdrawals: consumers their own, artists those they caused, admins all; only the
        # consumer acknowledges; revisions by the snapshot's consumer or an admin
        case("GET", "/v1/withdrawals", "/v1/withdrawals", "401 200 200 200 403 403 200 200"),
        case("GET", "/v1/withdrawals/{withdrawal_id}", f"/v1/withdrawals/{MISSING}",
             "401 404 404 404 403 403 404 404"),
        case("POST", "/v1/withdrawals/{withdrawal_id}/acknowledgement",
             f"/v1/withdrawals/{MISSING}/acknowledgement", "401 403 403 403 403 403 404 404"),
        case("POST", "/v1/datasets/{snapshot_id}/revisions", f"/v1/datasets/{MISSING}/revisions",
             "401 404 403 403 403 403 404 404"),
        # webhooks: consumers for themselves (an admin must name the consumer)
        case("POST", "/v1/webhooks", "/v1/webhooks", "401 422 403 403 403 403 201 201",
             {"url": "https://ml.example/hooks"}),
        case("GET", "/v1/webhooks", "/v1/webhooks", "401 200 403 403 403 403 200 200"),
        case("DELETE", "/v1/webhooks/{endpoint_id}", f"/v1/webhooks/{MISSING}",
             "401 404 403 403 403 403 404 404"),
        case("GET", "/v1/webhooks/attempts", "/v1/webhooks/attempts",
             "401 200 403 403 403 403 200 200"),
        # the transparency log: hashes for anyone, records for whom they concern
        case("GET", "/v1/log", "/v1/log", PUBLIC),
        case("GET", "/v1/log/checkpoint", "/v1/log/checkpoint", PUBLIC),
        case("GET", "/v1/log/checkpoints", "/v1/log/checkpoints", PUBLIC),
        case("GET", "/v1/log/proof/consistency", "/v1/log/proof/consistency?first=0", PUBLIC),
        case("GET", "/v1/log/proof/inclusion", f"/v1/log/proof/inclusion?index={MISSING}",
             NOWHERE),
        case("GET", "/v1/log/entries/{index}", f"/v1/log/entries/{MISSING}", NOWHERE),
        case("GET", "/v1/consent/events/{event_id}/receipt",
             f"/v1/consent/events/{MISSING}/receipt", "401 404 404 404 403 403 403 403"),
        # terms: public versions and hashes; only admins review drafts and publish
        case("GET", "/v1/terms", "/v1/terms", PUBLIC),
        case("POST", "/v1/terms/review", "/v1/terms/review", ADMIN,
             body={"markdown": "# Terms\n\n## 1. Use\n\nBe kind."}),
        case("POST", "/v1/terms", "/v1/terms", "401 422 403 403 403 403 403 403",
             body={"version": "bad version!", "markdown": "# Terms\n\nBe kind."}),
        # artists
        case("GET", "/v1/artists", "/v1/artists", ADMIN),
        case("POST", "/v1/artists", "/v1/artists", ADMIN_201, {"name": "New Artist"}),
        # tracks: listing is scoped to the caller, so only consumers are refused
        case("GET", "/v1/tracks", "/v1/tracks", "401 200 200 200 200 200 403 403"),
        case("POST", "/v1/tracks", "/v1/tracks", "401 201 201 403 201 201 403 403",
             {"title": "New for A", "artist_id": a}),
        case("POST", "/v1/tracks", "/v1/tracks", "401 201 403 403 201 403 403 403",
             {"title": "New in L1", "artist_id": a, "rights_holder_id": l1}),
        case("POST", "/v1/tracks", "/v1/tracks", "401 201 403 201 201 201 403 403",
             {"title": "Duet", "artist_id": b,
              "co_owners": [{"artist_id": b, "percent": 50}, {"artist_id": a, "percent": 50}]}),
        # invitations: an artist's own offers; only an invited artist answers (none here:
        # the world's co-owner accepted at creation, test_invitations.py walks an answer)
        case("GET", "/v1/invitations", "/v1/invitations", "401 403 200 200 403 403 403 403"),
        case("POST", "/v1/invitations/{track_id}", f"/v1/invitations/{w.track_ab}",
             "401 403 404 404 403 403 403 403", {"accept": True}),
        # without artist_id only artists (who default to themselves) succeed
        case("POST", "/v1/tracks", "/v1/tracks", "401 422 201 201 422 422 403 403",
             {"title": "Nobody's"}),
        # recording consent: artists for themselves, admins for anyone
        case("POST", "/v1/consent", "/v1/consent", "401 201 201 403 403 403 403 403",
             {"purpose": "train-generative", "choice": "allow", "artist_id": a}),
        case("POST", "/v1/consent", "/v1/consent", "401 201 403 201 403 403 403 403",
             {"purpose": "train-ai", "choice": "deny", "artist_id": b, "track_id": w.track_ab}),
        # an admin must name the artist; labels and consumers never record a choice
        case("POST", "/v1/consent", "/v1/consent", "401 422 201 201 403 403 403 403",
             {"purpose": "recommendations", "choice": "deny"}),
        # only a track's owners choose for it; a role that never records a choice is told so
        # before anything about its body
        case("POST", "/v1/consent", "/v1/consent", "401 422 403 201 403 403 403 403",
             {"purpose": "train-ai", "choice": "deny", "track_id": w.track_b}),
        case("POST", "/v1/consent", "/v1/consent", "401 422 422 422 403 403 403 403", {}),
        # bulk decisions: admins, and consumers within their scope
        case("POST", "/v1/decisions", "/v1/decisions", "401 200 403 403 403 403 403 200",
             {"purpose": "train-generative", "track_ids": all_tracks}),
        case("POST", "/v1/decisions", "/v1/decisions", "401 200 403 403 403 403 200 403",
             {"purpose": "recommendations", "track_ids": all_tracks}),
        case("GET", "/v1/eligibility", "/v1/eligibility?purpose=train-generative&format=csv",
             "401 200 403 403 403 403 403 200"),
        case("GET", "/v1/eligibility", "/v1/eligibility?purpose=train-non-generative",
             "401 200 403 403 403 403 200 403"),
        # rights holders
        case("GET", "/v1/rights-holders", "/v1/rights-holders", ADMIN),
        case("POST", "/v1/rights-holders", "/v1/rights-holders", ADMIN_201,
             {"name": "New Label"}),
        case("POST", "/v1/rights-holders/{rights_holder_id}/agreements",
             f"/v1/rights-holders/{l1}/agreements", "401 201 403 403 201 403 403 403",
             {"title": "No AI input", "restricted_purposes": ["ai-input"]}),
        case("POST", "/v1/rights-holders/{rights_holder_id}/agreements",
             f"/v1/rights-holders/{l2}/agreements", "401 201 403 403 403 201 403 403",
             {"title": "No AI input", "restricted_purposes": ["ai-input"]}),
        case("POST", "/v1/rights-holders/{rights_holder_id}/agreements",
             f"/v1/rights-holders/{MISSING}/agreements", ADMIN_404,
             {"title": "No AI input", "restricted_purposes": ["ai-input"]}),
        # consumers
        case("GET", "/v1/consumers", "/v1/consumers", ADMIN),
        case("POST", "/v1/consumers", "/v1/consumers", ADMIN_201,
             {"name": "Beta", "kind": "third-party", "organisation": "beta",
              "purposes": ["train-ai"]}),
        case("GET", "/v1/consumers/{consumer_id}", f"/v1/consumers/{w.internal}",
             "401 200 403 403 403 403 200 403"),
        case("GET", "/v1/consumers/{consumer_id}", f"/v1/consumers/{w.third_party}",
             "401 200 403 403 403 403 403 200"),
        case("GET", "/v1/consumers/{consumer_id}", f"/v1/consumers/{MISSING}", ADMIN_404),
        # tokens
        case("GET", "/v1/tokens", "/v1/tokens", ADMIN),
        case("POST", "/v1/tokens", "/v1/tokens", ADMIN_201,
             {"name": "new", "role": "artist", "subject_id": a}),
        case("DELETE", "/v1/tokens/{token_id}", f"/v1/tokens/{w.spare_token_id}", ADMIN),
        case("DELETE", "/v1/tokens/{token_id}", f"/v1/tokens/{MISSING}", ADMIN_404),
        # removal of tracks that exist: tests/web/test_track_removal.py (one removal per track)
        case("DELETE", "/v1/tracks/{track_id}", f"/v1/tracks/{MISSING}",
             "401 404 404 404 404 404 404 404"),
    ]
    for suffix in ("", "/tracks", "/consent", "/consent/history", "/consent/history.csv",
                   "/export"):
        template = "/v1/artists/{artist_id}" + suffix
        cases += [
            case("GET", template, f"/v1/artists/{a}{suffix}", "401 200 200 403 403 403 403 403"),
            case("GET", template, f"/v1/artists/{b}{suffix}", "401 200 403 200 403 403 403 403"),
            case("GET", template, f"/v1/artists/{MISSING}{suffix}", ADMIN_404),
        ]
    for suffix in ("", "/consent", "/decisions"):
        template = "/v1/tracks/{track_id}" + suffix
        cases += [
            case("GET", template, f"/v1/tracks/{w.track_a}{suffix}",
                 "401 200 200 403 403 403 403 403"),
            case("GET", template, f"/v1/tracks/{w.track_b}{suffix}",
                 "401 200 403 200 403 403 403 403"),
            case("GET", template, f"/v1/tracks/{w.track_ab}{suffix}",
                 "401 200 200 200 403 403 403 403"),
            case("GET", template, f"/v1/tracks/{w.track_l1}{suffix}",
                 "401 200 200 403 200 403 403 403"),
            case("GET", template, f"/v1/tracks/{w.track_l2}{suffix}",
                 "401 200 403 200 403 200 403 403"),
            # the track is looked up before access is checked, for every role that keeps
            # track records; consumers never read them
            case("GET", template, f"/v1/tracks/{MISSING}{suffix}",
                 "401 404 404 404 404 404 403 403"),
        ]
    audio = "/v1/tracks/{track_id}/audio"
    cases += [
        # recordings: uploaded by whoever keeps the track, streamed to anyone (the world's
        # ``recording`` fixture gives track A one; track B has none)
        case("POST", audio, f"/v1/tracks/{w.track_a}/audio", "401 201 201 403 403 403 403 403",
             files=RECORDING),
        case("POST", audio, f"/v1/tracks/{w.track_ab}/audio", "401 201 201 201 403 403 403 403",
             files=RECORDING),
        case("POST", audio, f"/v1/tracks/{w.track_l1}/audio", "401 201 201 403 201 403 403 403",
             files=RECORDING),
        case("POST", audio, f"/v1/tracks/{w.track_l2}/audio", "401 201 403 201 403 201 403 403",
             files=RECORDING),
        case("POST", audio, f"/v1/tracks/{MISSING}/audio", "401 404 404 404 404 404 403 403",
             files=RECORDING),
        case("GET", audio, f"/v1/tracks/{w.track_a}/audio", PUBLIC),
        case("HEAD", audio, f"/v1/tracks/{w.track_a}/audio", PUBLIC),
        case("GET", audio, f"/v1/tracks/{w.track_b}/audio", NOWHERE),
        case("GET", audio, f"/v1/tracks/{MISSING}/audio", NOWHERE),
        # content identification: any signed-in party; consumers that train or identify (both
        # of the world's consumers train; one scoped to recommendations only is refused, see
        # tests/web/test_identify_api.py)
        case("POST", "/v1/identify", "/v1/identify", SIGNED_IN, files=RECORDING),
        # claims: listed for the parties to them; reviewed by the claimant, disputed by the
        # track's owners (who may act on a real claim: tests/web/test_claims_api.py)
        case("GET", "/v1/claims", "/v1/claims", "401 200 200 200 200 200 403 403"),
        case("POST", "/v1/claims/{claim_id}/{action}", f"/v1/claims/{MISSING}/confirm",
             "401 404 404 404 404 404 403 403", body={}),
        # reference recordings: removed by their rights holder (or an admin); another label's
        # or an unknown id is not found (tests/web/test_claim_release_api.py)
        case("DELETE", "/v1/rights-holders/{rights_holder_id}/references/{reference_id}",
             f"/v1/rights-holders/{l1}/references/{MISSING}",
             "401 404 403 403 404 403 403 403"),
        case("DELETE", "/v1/rights-holders/{rights_holder_id}/references/{reference_id}",
             f"/v1/rights-holders/{l2}/references/{MISSING}",
             "401 404 403 403 403 404 403 403"),
    ]
    decision = "/v1/tracks/{track_id}/decision"
    cases += [
        # consumers decide for any track, but only for purposes in (or narrower than) their scope
        case("GET", decision, f"/v1/tracks/{w.track_a}/decision?purpose=train-generative",
             "401 200 200 403 403 403 403 200"),
        case("GET", decision, f"/v1/tracks/{w.track_a}/decision?purpose=recommendations",
             "401 200 200 403 403 403 200 403"),
        case("GET", decision, f"/v1/tracks/{w.track_ab}/decision?purpose=train-non-generative",
             "401 200 200 200 403 403 200 403"),
        case("GET", decision, f"/v1/tracks/{w.track_l1}/decision?purpose=train-generative",
             "401 200 200 403 200 403 403 200"),
        case("GET", decision, f"/v1/tracks/{w.track_l2}/decision?purpose=voice-likeness",
             "401 200 403 200 403 200 403 200"),
        # broader than any consumer's scope
        case("GET", decision, f"/v1/tracks/{w.track_b}/decision?purpose=train-ai",
             "401 200 403 200 403 403 403 403"),
        case("GET", decision,
             f"/v1/tracks/{w.track_b}/decision?purpose=third-party-training:acme",
             "401 200 403 200 403 403 403 403"),
        case("GET", decision, f"/v1/tracks/{MISSING}/decision?purpose=recommendations",
             "401 404 404 404 404 404 404 404"),
    ]
    for holder, allowed in ((l1, "401 200 403 403 200 403 403 403"),
                            (l2, "401 200 403 403 403 200 403 403"), (MISSING, ADMIN_404)):
        for suffix in ("", "/tracks", "/agreements", "/references"):
            cases.append(case("GET", "/v1/rights-holders/{rights_holder_id}" + suffix,
                              f"/v1/rights-holders/{holder}{suffix}", allowed))
    return cases


def _app_routes(client: TestClient) -> set[tuple[str, str]]:
    documented = {(method.upper(), path)
                  for path, item in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
                  for method in item if method in HTTP_METHODS}
    routes: Iterable[Any] = client.app.routes  # type: ignore[attr-defined]
    if hasattr(fastapi.routing, "iter_route_contexts"):  # FastAPI >= 0.165 nests included routers
        routes = fastapi.routing.iter_route_contexts(routes)
    # The pages (session cookies, CSRF) are left out of the API document on purpose and
    # are walked in test_pages.py; every JSON route must be documented and walked here.
    registered = {(method, route.path) for route in routes
                  if isinstance(getattr(route, "original_route", route), APIRoute)
                  and route.path.startswith(("/v1/", "/healthz", "/readyz"))
                  for method in route.methods}
    assert documented == registered, "a route is hidden from the OpenAPI document"
    return documented


def _matches(template: str, path: str) -> bool:
    pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
    return re.fullmatch(pattern, path.partition("?")[0]) is not None


@pytest.mark.slow
def test_every_route_has_expectations(client: TestClient, world: World) -> None:
    """A new route must come with its row in the table, and every row must name a real route."""
    cases = expectations(world)
    assert all(_matches(c.template, c.path) for c in cases), "a path does not fit its template"
    assert {(c.method, c.template) for c in cases} == _app_routes(client)


@pytest.fixture
def recording(engine: Engine, settings: Settings, world: World) -> None:
    """Track A's recording, stored before the walk, so the public GET has a file to serve."""
    stored = store_upload(io.BytesIO(RECORDING["file"][1]), settings.data_dir, 10**6,
                          max_seconds=60)
    with engine.begin() as conn:
        catalogue.attach_audio(conn, world.track_a, stored)


@pytest.mark.slow
def test_every_route_with_every_role(client: TestClient, world: World, recording: None) -> None:
    """Each role gets exactly the status the table says, and every refusal has the error shape."""
    mismatches = []
    for c in expectations(world):
        for role, expected in zip(ROLES, c.expect, strict=True):
            response = c.send(client, world.headers(role))
            if response.status_code != expected:
                mismatches.append(f"{c.method} {c.path} as {role}: {response.status_code} "
                                  f"(expected {expected}) {response.text[:200]}")
                continue
            if expected >= 400:
                body = response.json()
                assert isinstance(body["error"], str), (c.path, role, body)
                assert isinstance(body["detail"], str), (c.path, role, body)
            if expected == 401:
                assert response.headers["WWW-Authenticate"] == "Bearer", (c.path, role)
    assert mismatches == []


def test_me_names_the_principal_of_each_token(client: TestClient, world: World) -> None:
    """The table means something only if each token speaks for whom the world says."""
    subjects = {"admin": None, "artist_a": world.artist_a, "artist_b": world.artist_b,
                "holder_1": world.holder_1, "holder_2": world.holder_2,
                "internal": world.internal, "third_party": world.third_party}
    roles = {"admin": "admin", "artist_a": "artist", "artist_b": "artist",
             "holder_1": "rights_holder", "holder_2": "rights_holder", "internal": "consumer",
             "third_party": "consumer"}
    for name, subject in subjects.items():
        me = client.get("/v1/me", headers=world.headers(name)).json()
        assert (me["role"], me["subject_id"]) == (roles[name], subject), name
    assert client.get("/v1/me", headers=world.headers("internal")).json()["purposes"] == [
        "recommendations", "train-non-generative"]
    assert client.get("/v1/me", headers=world.headers("third_party")).json()["purposes"] == [
        "train-generative"]


def test_listings_show_each_caller_only_its_own(client: TestClient, world: World) -> None:
    """A 200 on a listing is only safe if its rows are scoped to the caller."""
    def track_ids(role: str, path: str = "/v1/tracks") -> set[int]:
        response = client.get(path, headers=world.headers(role))
        assert response.status_code == 200, response.text
        return {t["id"] for t in response.json()}

    w = world
    assert track_ids("admin") == {w.track_a, w.track_b, w.track_ab, w.track_l1, w.track_l2}
    assert track_ids("artist_a") == {w.track_a, w.track_ab, w.track_l1}
    assert track_ids("artist_b") == {w.track_b, w.track_ab, w.track_l2}
    assert track_ids("holder_1") == {w.track_l1}
    assert track_ids("holder_2") == {w.track_l2}
    assert track_ids("holder_1", f"/v1/rights-holders/{w.holder_1}/tracks") == {w.track_l1}
    agreements = client.get(f"/v1/rights-holders/{w.holder_2}/agreements",
                            headers=world.headers("holder_2")).json()
    assert [a["id"] for a in agreements] == [w.agreement_2]


def _bad_credentials(world: World) -> dict[str, tuple[dict[str, str], str]]:
    """Header sets that must all be refused, with the reason the API should give."""
    return {
        "expired": (world.headers("expired"), "token expired"),
        "revoked": (world.headers("revoked"), "token revoked"),
        "forged": ({"Authorization": f"Bearer cst_{secrets.token_urlsafe(32)}"},
                   "unknown token"),
        "not a consentry token": ({"Authorization": f"Bearer {secrets.token_hex(20)}"},
                                  "malformed token"),
        "oversized": ({"Authorization": "Bearer cst_" + "a" * 300}, "malformed token"),
        "basic scheme": ({"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}, "missing bearer"),
        "no token": ({"Authorization": "Bearer"}, "missing bearer"),
        "bare secret": ({"Authorization": world.secrets["admin"]}, "missing bearer"),
        "empty header": ({"Authorization": ""}, "missing bearer"),
    }


@pytest.mark.slow
def test_bad_credentials_are_refused_on_every_protected_route(
        client: TestClient, world: World) -> None:
    """Expired, revoked, forged and malformed credentials get 401 with a Bearer challenge."""
    one_case_per_route = {}
    for c in expectations(world):
        if c.expect[0] == 401:
            one_case_per_route.setdefault((c.method, c.template), c)
    public = {(c.method, c.template) for c in expectations(world)} - set(one_case_per_route)
    assert len(one_case_per_route) == len(_app_routes(client)) - len(public)
    assert ("GET", "/healthz") in public and ("GET", "/v1/tokens") not in public
    for name, (headers, reason) in _bad_credentials(world).items():
        for c in one_case_per_route.values():
            response = c.send(client, headers)
            assert response.status_code == 401, (name, c.path, response.text)
            assert response.headers["WWW-Authenticate"] == "Bearer", (name, c.path)
            assert response.json()["error"] == "unauthenticated", (name, c.path)
            assert reason in response.json()["detail"], (name, c.path, response.json())


def test_revoking_through_the_api_locks_the_token_out(client: TestClient, world: World) -> None:
    """A token that worked a moment ago is refused right after the admin revokes it."""
    secret = world.secrets["spare"]
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoked = client.delete(f"/v1/tokens/{world.spare_token_id}", headers=world.headers("admin"))
    assert revoked.status_code == 200
    refused = client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert refused.json()["detail"] == "token revoked"
