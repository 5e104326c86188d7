"""Every response says nosniff; the API docs pages carry a policy that lets their own scripts
run and nothing else; HSTS is sent when the site is served over HTTPS."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode

import pytest
from fastapi.testclient import TestClient

from consentry.settings import Settings
from consentry.web.app import create_app
from consentry.web.security_headers import docs_policy
from tests.web.conftest import World
from tests.web.test_audio_api import upload


def test_every_kind_of_response_says_nosniff(client: TestClient, world: World) -> None:
    assert upload(client, world, "artist_a", world.track_a).status_code == 201
    responses = {
        "json": client.get("/v1/purposes"),
        "json error": client.get("/v1/tracks/1", headers={"Authorization": "Bearer nope"}),
        "openapi": client.get("/openapi.json"),
        "health": client.get("/healthz"),
        "static": client.get("/static/style.css"),
        "robots": client.get("/robots.txt"),
        "audio": client.get(f"/v1/tracks/{world.track_a}/audio"),
        "audio range": client.get(f"/v1/tracks/{world.track_a}/audio",
                                  headers={"Range": "bytes=0-99"}),
        "page": client.get("/"),
        "docs": client.get("/docs"),
        "redoc": client.get("/redoc"),
    }
    for kind, response in responses.items():
        assert response.status_code < 500, kind
        assert response.headers.get("x-content-type-options") == "nosniff", kind
    assert "strict-transport-security" not in responses["page"].headers


def _inline_hashes(html: str) -> set[str]:
    return {f"'sha256-{b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
            for s in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)}


def test_the_docs_pages_allow_their_own_scripts_and_nothing_injected(
        client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, path
        script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, path
        for digest in _inline_hashes(response.text):
            assert digest in script_src, path
    assert _inline_hashes(client.get("/docs").text), "Swagger UI's inline set-up script"


def test_a_docs_policy_names_the_pages_own_assets_only() -> None:
    html = ('<link rel="stylesheet" href="/assets/ui.css">'
            '<link rel="icon" href="https://icons.example/f.png">'
            '<script src="https://cdn.example/ui.js"></script><script>start()</script>')
    policy = docs_policy(html)
    assert "script-src 'self' https://cdn.example 'sha256-" in policy
    assert "img-src 'self' data: https://icons.example;" in policy
    assert "style-src 'self' 'unsafe-inline';" in policy


@pytest.mark.slow
def test_hsts_is_sent_when_the_site_is_served_over_https(settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
    for changes, expected in [({"public_url": "https://music.example"}, "max-age=31536000"),
                              ({"hsts_seconds": 600}, "max-age=600"),
                              ({"public_url": "https://music.example", "hsts_seconds": 0}, None)]:
        app = create_app(settings.model_copy(update=changes), engine)
        with TestClient(app) as client:
            for path in ("/", "/v1/purposes", "/docs"):
                assert client.get(path).headers.get("strict-transport-security") == expected
