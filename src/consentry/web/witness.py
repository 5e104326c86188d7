"""The witness as a small HTTP service of its own (C2SP tlog-witness): ``POST /add-checkpoint``
answers a cosignature or the spec's refusal, ``GET /`` its verifier key. It shares no state
with the log's app: it runs as another process, from its own directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from consentry.ledger.cosignature import cosigner_vkey
from consentry.ledger.witness import (
    SIZE_CONTENT_TYPE,
    MalformedRequest,
    SizeConflict,
    WitnessRefusal,
    parse_add_checkpoint,
)
from consentry.witness_state import STATE_VARIABLE, add_checkpoint, read_config, witness_key

MAX_BODY = 64 * 1024  # 63 proof lines and a checkpoint with a hundred signatures fit


def create_witness_app(directory: Path) -> Starlette:
    config = read_config(directory)
    public_key = cosigner_vkey(config.name, witness_key(directory).public_key())

    def info(_request: Request) -> PlainTextResponse:
        return PlainTextResponse(public_key + "\n")

    async def add(request: Request) -> PlainTextResponse:
        body = await request.body()
        try:
            if len(body) > MAX_BODY:
                raise MalformedRequest(f"the body is larger than {MAX_BODY} bytes")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as error:
                raise MalformedRequest("the body is not UTF-8") from error
            line = add_checkpoint(directory, parse_add_checkpoint(text))
        except SizeConflict as conflict:
            return PlainTextResponse(f"{conflict.size}\n", 409, media_type=SIZE_CONTENT_TYPE)
        except WitnessRefusal as refusal:
            return PlainTextResponse(refusal.message + "\n", refusal.status)
        return PlainTextResponse(line)

    return Starlette(routes=[Route("/", info), Route("/add-checkpoint", add, methods=["POST"])])


def create_default_witness_app() -> Starlette:
    """The factory uvicorn imports in the server process."""
    return create_witness_app(Path(os.environ[STATE_VARIABLE]))
