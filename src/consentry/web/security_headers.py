"""The headers every response carries, and the policy of the API documentation pages.

The pages set their own policy (consentry.web.rendering); this adds ``nosniff`` to everything
else too (JSON, recordings, static files, robots.txt), HSTS when the site is served over
HTTPS only, and to FastAPI's own HTML (/docs, /redoc and Swagger UI's OAuth2 redirect page),
which no page renderer sees, a Content-Security-Policy built from that page: its scripts and
styles, same-origin or wherever the page loads them from, and its inline scripts by hash.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from collections.abc import Collection
from html.parser import HTMLParser
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = ("X-Content-Type-Options", "nosniff")
DOCS_HEADERS = {"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


class SecurityHeaders:
    """ASGI middleware: nosniff and HSTS on every response, a CSP on the docs pages."""

    def __init__(self, app: ASGIApp, docs_pages: Collection[str], hsts_seconds: int) -> None:
        self.app, self.docs_pages = app, frozenset(docs_pages)
        self.hsts = f"max-age={hsts_seconds}" if hsts_seconds else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in self.docs_pages:
            await self.app(scope, receive, self._docs_page(send))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add(self, headers: MutableHeaders) -> None:
        headers.setdefault(*NOSNIFF)
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", self.hsts)

    def _docs_page(self, send: Send) -> Send:
        """Hold the page (a few kilobytes) until its last byte, to build its policy."""
        start: Message = {}
        body = bytearray()

        async def send_docs_page(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or not start:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers = MutableHeaders(scope=start)
            self._add(headers)
            if headers.get("content-type", "").startswith("text/html"):
                headers["Content-Security-Policy"] = docs_policy(body.decode("utf-8", "replace"))
                headers.update(DOCS_HEADERS)
            headers.setdefault("Content-Length", str(len(body)))
            await send(start)
            await send({"type": "http.response.body", "body": bytes(body)})

        return send_docs_page


def docs_policy(html: str) -> str:
    """A policy that lets this page run as written and nothing injected beside it."""
    assets = _Assets()
    assets.feed(html)
    scripts = " ".join([*sorted(assets.origins["script"]),
                        *(f"'sha256-{b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                          for s in assets.inline_scripts)])
    styles, images = (" ".join(sorted(assets.origins[k])) for k in ("style", "img"))
    return "; ".join(part.strip() for part in (
        "default-src 'self'", f"script-src 'self' {scripts}",
        f"style-src 'self' 'unsafe-inline' {styles}", f"img-src 'self' data: {images}",
        "font-src 'self' data:", "worker-src 'self' blob:", "connect-src 'self'",
        "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"))


class _Assets(HTMLParser):
    """The origins a page loads scripts, styles and icons from, and its inline scripts.

    Swagger UI and ReDoc style their elements at run time, hence 'unsafe-inline' for styles
    only; ReDoc parses the spec in a worker it starts from a blob: URL.
    """

    def __init__(self) -> None:
        super().__init__()
        self.origins: dict[str, set[str]] = {"script": set(), "style": set(), "img": set()}
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_inline_script = not found.get("src")
            self._add("script", found.get("src"))
            if self._in_inline_script:
                self.inline_scripts.append("")
        elif tag == "link":
            kind = "style" if "stylesheet" in (found.get("rel") or "") else "img"
            self._add(kind, found.get("href"))

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def _add(self, kind: str, url: str | None) -> None:
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            self.origins[kind].add(f"{parts.scheme}://{parts.netloc}")
