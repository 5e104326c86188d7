"""The API docs work offline: every script, style sheet and icon comes from the server itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")
KINDS = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_same_origin_assets(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assets = ASSET.findall(html)
    assert assets, html
    assert not re.search(r"https?://", html), "an absolute URL: the page needs the internet"
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        fetched = client.get(url)
        assert fetched.status_code == 200, url
        kind = next(kind for suffix, kind in KINDS.items() if url.endswith(suffix))
        assert kind in fetched.headers["content-type"], (url, fetched.headers["content-type"])
        assert len(fetched.content) > 1000, url
    assert any(url.endswith(".js") for url in assets)
