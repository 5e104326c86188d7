"""A track's recording: uploaded by those who keep the track, streamed to anyone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect

from consentry import access
from consentry.access import Principal
from consentry.audio import ACCEPTED, AudioInfo
from consentry.audio.formats import FLAC, FORMATS
from consentry.consent import Track
from consentry.errors import (
    ConsentryError,
    DeliveryUnavailable,
    InvalidAudio,
    NotFound,
    RangeNotSatisfiable,
)
from consentry.services.content_signals import judge_track_crawler
from consentry.services.delivered_audio import copy_with_rights_now
from consentry.services.upload_claims import claim_upload, replace_audio
from consentry.settings import Settings
from consentry.signals.enforcement import crawler_purpose
from consentry.signals.open_paths import open_audio_path
from consentry.store import catalogue, media
from consentry.store.catalogue import TrackAudio
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.claims import ClaimRecord
from consentry.web.api.models import AudioUploadOut
from consentry.web.api.tracks import KEEPERS
from consentry.web.crawler_policy import KnownCrawler, refusal_response
from consentry.web.dependencies import Db, EngineDep, SettingsDep, principal_in
from consentry.web.errors import error_responses
from consentry.web.site_signals import base_url, content_signals, kept_out
from consentry.web.uploads import MultipartUpload

router = APIRouter(prefix="/tracks", tags=["audio"])
logger = logging.getLogger("consentry.web")

# An upload holds a worker thread while its body streams in; uploads get threads of their own
# so that slow senders cannot take the ones every other route runs on.
UPLOAD_THREADS = 8


def multipart_body(formats: str) -> dict[str, Any]:
    """The OpenAPI request body of a route that takes one audio file in the field ``file``."""
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": formats}}}}}}}


MULTIPART_BODY = multipart_body(ACCEPTED)


@router.post("/{track_id}/audio", response_model=AudioUploadOut, status_code=201,
             openapi_extra=MULTIPART_BODY, responses=error_responses(403, 404, 413, 422))
async def upload_audio(track_id: int, request: Request,
                       who: Annotated[Principal, principal_in(*KEEPERS, briefly=True)],
                       settings: SettingsDep, engine: EngineDep) -> AudioUploadOut | Response:
    """Give the track its recording (form field ``file``); a new upload replaces the last.

    The caller is authorized before a byte of the body is read, the size limit holds while it
    streams in, and the file is stored only once probed as sound audio.
    """
    await anyio.to_thread.run_sync(_require_manager, engine, who, track_id)
    received = await receive_track_audio(request, settings, engine, track_id, who.label)
    if received is None:
        return Response(status_code=400)
    return AudioUploadOut.of_upload(*received)


async def receive_track_audio(
    request: Request, settings: Settings, engine: Engine, track_id: int, by: str,
    check_fields: Callable[[dict[str, str]], None] | None = None,
) -> tuple[TrackAudio, AudioInfo, list[ClaimRecord], list[ClaimRecord]] | None:
    """Stream the ``file`` field into the store, attach it (releasing the claims found in the
    audio it replaces), and match it against the catalogue and the reference recordings (the
    claims it opened); None if the client left.

    Callers authorize first: the pages and the API share this path. ``check_fields`` sees the
    fields sent before the file (a page's CSRF token) before a byte of the file is stored.
    """
    try:
        upload = await MultipartUpload(request, "file", settings.max_upload_bytes).open()
        if check_fields is not None:
            check_fields(upload.fields)
        stored = await anyio.to_thread.run_sync(partial(
            media.store_upload, upload.blocking_reader(), settings.data_dir,
            settings.max_upload_bytes, max_seconds=settings.max_audio_seconds,
            declared_name=upload.filename, declared_type=upload.content_type),
            limiter=upload_threads(request))
    except ClientDisconnect:  # routine for uploads; the store kept nothing of it
        logger.info("track %s: the client left during its upload", track_id)
        return None
    audio, released = await anyio.to_thread.run_sync(_attach, engine, track_id, stored, by)
    claims = await anyio.to_thread.run_sync(partial(
        _identify_upload, engine, request.app.state.catalogue_index, track_id, stored, by,
        settings.max_audio_seconds, settings.base_url), limiter=upload_threads(request))
    return audio, stored.info, claims, released


ManifestChoice = Annotated[Literal["embed", "omit"], Query(
    description="omit: no C2PA manifest in the copy (rights in tags and headers only)")]
_RECORDING = {"content": {f.mime: {"schema": {"type": "string", "format": "binary"}}
                          for f in FORMATS}}
_STREAM_RESPONSES: dict[int | str, dict[str, Any]] = error_responses(403, 404, 416, 429, 503) | {
    200: _RECORDING | {"description": "The whole file, its rights embedded"},
    206: _RECORDING | {"description": "The requested byte range"},
    308: {"description": "A known AI crawler that robots.txt keeps out of /v1/tracks/ is sent "
                         "to its open prefix (Location)"},
    403: error_responses(403)[403] | {"description": "A known AI crawler the artists' choices "
                                                      "refuse (error: ai-use-reserved)"},
    404: error_responses(404)[404] | {"description": "No such track, or no recording yet"},
    503: error_responses(503)[503] | {"description": "The recording cannot be prepared "
                                                      "with its rights now; it is not sent "
                                                      "without them"}}


@router.head("/{track_id}/audio", response_class=FileResponse, responses=_STREAM_RESPONSES,
             summary="Stream Audio (headers only)")
@router.get("/{track_id}/audio", response_class=FileResponse, responses=_STREAM_RESPONSES)
def stream_audio(track_id: int, request: Request, db: Db, crawler: KnownCrawler,
                 settings: SettingsDep, c2pa: ManifestChoice = "embed") -> Response:
    """The track's recording, for anyone: the platform publishes its tracks.

    Byte ranges (``Range: bytes=...``) let players seek; the ETag names the copy served.
    ``c2pa=omit`` leaves the signed C2PA manifest out, for readers that refuse where C2PA puts
    it (a FLAC's manifest is in an ID3 tag before the ``fLaC`` marker); the rights stay in the
    tags and headers.
    """
    track = catalogue.get_track(db, track_id)
    if crawler and settings.signals_enabled:
        refusal = judge_track_crawler(db, crawler, track)
        if refusal:
            return refusal_response(db, refusal)
        if kept_out(request, crawler):  # robots.txt sends it to its own open prefix
            return RedirectResponse(open_audio_path(crawler_purpose(crawler), track.id)
                                    + ("?c2pa=omit" if c2pa == "omit" else ""), 308)
    return audio_response(request, db, settings, track, signed=c2pa == "embed")


def audio_response(request: Request, db: Connection, settings: Settings,
                   track: Track, signed: bool = True) -> Response:
    """The recording with its rights inside, as decided now (crawlers judged before), with
    the signed manifest unless ``signed`` is false."""
    track_id = track.id
    audio = catalogue.get_track_audio(db, track_id)
    if audio is None:
        raise NotFound(f"track {track_id} has no recording yet")
    path, etag = media.audio_path(settings.data_dir, audio.sha256), audio.sha256
    headers: dict[str, str] = {}
    if not path.exists():
        logger.error("track %s: audio file %s is missing from the store", track_id, path)
        raise NotFound(f"the recording of track {track_id} is missing from storage")
    if settings.signals_enabled:
        base, memo = base_url(request, settings), request.app.state.ledger_memo
        make = partial(_delivered, request, settings, db, track, audio, signed)
        path, etag, decisions = memo.get(db, ("audio", track.id, audio.sha256, base, signed),
                                         make)
        if not path.exists():  # removed by hand since: make it again
            path, etag, decisions = make()
        headers, _meta = content_signals(request, settings, decisions)
        if signed and audio.mime == FLAC.mime and request.app.state.signer is not None:
            headers["Link"] = ", ".join(filter(None, (headers.get("Link"), _PLAIN_FLAC)))
    stat = path.stat()
    _refuse_unsatisfiable_range(request.headers, stat.st_size)
    return FileResponse(path, media_type=audio.mime, stat_result=stat,
                        headers={"ETag": f'"{etag}"',
                                 "Content-Disposition": _inline_name(track_id, audio.mime)}
                        | headers)


_EXTENSIONS = {f.mime: f.extensions[0] for f in FORMATS}  # on every recording's answer
# A signed FLAC starts with the ID3 tag C2PA 2.4 puts its manifest in; the same recording
# without it starts with fLaC, for readers that will not skip the tag.
_PLAIN_FLAC = f'<?c2pa=omit>; rel="alternate"; type="{FLAC.mime}"; title="no C2PA manifest"'


def _inline_name(track_id: int, mime: str) -> str:
    """Played inline, saved under a name with the format's extension: tag readers that guess
    the format from the name first (mutagen.File) then open a FLAC whose C2PA manifest the SDK
    stored in an ID3 tag in front of it (docs/signals.md)."""
    return f'inline; filename="track-{track_id}{_EXTENSIONS.get(mime, "")}"'


def _delivered(request: Request, settings: Settings, db: Connection, track: Track,
               audio: TrackAudio, signed: bool) -> tuple[Path, str, dict[str, bool]]:
    """The copy with the track's rights in its tags and C2PA manifest, never the bare file,
    with its name and the decisions the response's signal headers are made from (per
    request: they depend on who asks)."""
    try:
        path, etag, decisions = copy_with_rights_now(
            db, settings.data_dir, track, audio,
            f"{base_url(request, settings)}/tracks/{track.id}",
            request.app.state.signer if signed else None)
    except ConsentryError as error:
        if isinstance(error, InvalidAudio):  # the stored file, not the code: no traceback
            logger.error("track %s: cannot embed its rights in the download: %s", track.id,
                         error.message)
        else:
            logger.exception("track %s: cannot embed its rights in the download", track.id)
        raise DeliveryUnavailable(
            f"the recording of track {track.id} cannot be prepared with its rights right now",
            {"reason": error.message}) from error
    return path, etag, decisions


def _require_manager(engine: Engine, who: Principal, track_id: int) -> None:
    with engine.begin() as conn:
        access.require_track_manager(who, catalogue.get_track(conn, track_id))


def _attach(engine: Engine, track_id: int, stored: media.StoredAudio,
            by: str) -> tuple[TrackAudio, list[ClaimRecord]]:
    with engine.begin() as conn:
        return replace_audio(conn, track_id, stored, by)


def _identify_upload(engine: Engine, index: CatalogueIndex, track_id: int,
                     stored: media.StoredAudio, by: str, max_seconds: float,
                     base: str) -> list[ClaimRecord]:
    """The upload is kept whatever identification finds; a file the probe accepted but the
    fingerprinter cannot decode is logged, not refused."""
    try:
        return claim_upload(engine, index, track_id, stored.path, stored.sha256, by,
                            max_seconds, base)
    except InvalidAudio:
        logger.exception("track %s: its recording could not be fingerprinted", track_id)
        return []


def upload_threads(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    if not hasattr(state, "upload_threads"):
        state.upload_threads = anyio.CapacityLimiter(UPLOAD_THREADS)
    limiter: anyio.CapacityLimiter = state.upload_threads
    return limiter


def _refuse_unsatisfiable_range(headers: Headers, size: int) -> None:
    """Answer a range past the end in the API's JSON shape, not Starlette's plain text.

    The first positions are computed as Starlette's FileResponse computes them (RFC 9110
    14.1.2), which then serves every satisfiable request. With If-Range it decides alone.
    """
    requested = headers.get("range", "")
    units, _, specs = requested.partition("=")
    if (units.strip().lower() != "bytes" or "if-range" in headers
            or specs.count(",") >= FileResponse.max_ranges):
        return
    for spec in specs.split(","):
        first, dash, last = (part.strip() for part in spec.partition("-"))
        if not dash or not (first or last):
            continue
        try:
            start = int(first) if first else max(size - int(last), 0)
            if first and last:
                int(last)
        except ValueError:
            continue  # Starlette skips specs it cannot read
        if not 0 <= start < size:
            raise RangeNotSatisfiable(f"the range {requested!r} starts past the end of the "
                                      f"{size:,} bytes of the file", {"size": size})
