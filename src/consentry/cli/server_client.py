"""A running consentry server, asked over its HTTP API instead of opening the data directory.

A command that only needs an answer the server already has in memory (the fingerprint index,
for ``identify``) then costs the client's start-up and one request, not the import of the
audio and database layers (issue 21: ``consentry identify`` took ~3.6 s, the match ~30 ms)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from consentry.errors import ConsentryError, InvalidInput

ServerOption = Annotated[str | None, typer.Option(
    "--server", envvar="CONSENTRY_SERVER", show_envvar=True,
    help="Ask this running server (its base URL) instead of reading the data directory")]
TokenOption = Annotated[str | None, typer.Option(
    "--token", envvar="CONSENTRY_TOKEN", show_envvar=True,
    help="API token for --server (better given by its environment variable)")]
TIMEOUT_SECONDS = 300.0  # a long recording is decoded and matched by the server


class ServerError(ConsentryError):
    """The server refused the request or could not be reached; the message says which."""


def post_file(server: str, token: str | None, path: str, file: Path) -> dict[str, Any]:
    """POST ``file`` as the form field ``file`` to ``server`` + ``path``; the JSON answer."""
    if not token:
        raise InvalidInput("--server needs an API token: set CONSENTRY_TOKEN (or --token)")
    url = server.rstrip("/") + path
    try:
        with file.open("rb") as body:
            answer = httpx.post(url, files={"file": (file.name, body)},
                                headers={"Authorization": f"Bearer {token}"},
                                timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as failure:
        raise ServerError(f"cannot reach {server}: {failure}") from failure
    if answer.is_success:
        result: dict[str, Any] = answer.json()
        return result
    raise ServerError(f"{server} answered {answer.status_code}: {_reason(answer)}")


def _reason(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200] or answer.reason_phrase
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("error") or body)
    return str(body)
