"""Withdrawal through the real server: the artist's "no" over the API, the server's own
background sender posting the signed webhook to a loopback receiver, then acknowledgement,
revision and the artist's view, all over HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import demo_server
from tests.outbound.test_withdrawal_webhooks import documented_verifier
from tests.web_server import Site, site  # noqa: F401


@pytest.mark.slow
def test_a_withdrawal_end_to_end(tmp_path: Path, site: Site) -> None:  # noqa: F811
    site.pages["/hooks"] = (204, "text/plain", b"")
    with demo_server(tmp_path, webhook_interval_seconds="1") as (base, tokens):
        def call(method: str, path: str, token: str, **kwargs: object) -> httpx.Response:
            return httpx.request(method, base + path, timeout=30,
                                 headers={"Authorization": f"Bearer {tokens[token]}"},
                                 **kwargs)  # type: ignore[arg-type]

        hook = call("POST", "/v1/webhooks", "consumer_internal", json={"url": site.url("/hooks")})
        assert hook.status_code == 201, hook.text
        snapshot = call("POST", "/v1/datasets", "consumer_internal",
                        json={"purpose": "train-non-generative"}).json()
        assert snapshot["tracks"] >= 1
        mara = call("GET", "/v1/me", "artist").json()["subject_id"]
        salt = call("GET", f"/v1/artists/{mara}/tracks", "artist").json()[0]["id"]
        denied = call("POST", "/v1/consent", "artist", json={
            "purpose": "train-non-generative", "choice": "deny", "track_id": salt})
        assert denied.status_code == 201, denied.text

        for _ in range(100):  # the server's sender runs every second
            if site.paths("POST"):
                break
            time.sleep(0.1)
        [request] = [r for r in site.requests if r[0] == "POST"]
        payload = documented_verifier()(hook.json()["secret"], request[5], request[4])
        assert payload["track_ids"] == [salt] and payload["snapshot_id"] == snapshot["id"]

        wid = payload["withdrawal_id"]
        assert call("POST", f"/v1/withdrawals/{wid}/acknowledgement",
                    "consumer_third_party").status_code == 404
        assert call("POST", f"/v1/withdrawals/{wid}/acknowledgement",
                    "consumer_internal").status_code == 200
        revision = call("POST", f"/v1/datasets/{snapshot['id']}/revisions", "consumer_internal")
        assert revision.status_code == 201 and revision.json()["tracks"] == snapshot["tracks"] - 1
        [seen] = call("GET", "/v1/withdrawals", "artist").json()
        assert seen["stage"] == "revised" and seen["delivered_at"] and seen["acknowledged_at"]
