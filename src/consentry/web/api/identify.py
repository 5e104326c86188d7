"""``POST /v1/identify``: which catalogue tracks and reference recordings an audio contains.

The audio is looked at, never kept: it streams into a temporary file (size-capped, after the
caller is authorized), is decoded and fingerprinted, matched, and deleted. This is also how a
generated track is checked for replication of catalogue music.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from starlette.requests import ClientDisconnect

from consentry import access
from consentry.audio.decode import FFMPEG_FORMATS
from consentry.audio.fingerprint import fingerprint_file
from consentry.audio.formats import ACCEPTED
from consentry.services.identification import identify
from consentry.settings import Settings
from consentry.store import media
from consentry.store.catalogue_index import CatalogueIndex
from consentry.web.api.audio import multipart_body, upload_threads
from consentry.web.api.models import IdentifiedOut, IdentifyOut
from consentry.web.dependencies import EngineDep, SettingsDep, WhoBriefly
from consentry.web.uploads import MultipartUpload

router = APIRouter(tags=["content identification"])
QUERY_BODY = multipart_body(f"{ACCEPTED}; where ffmpeg is installed also "
                            f"{', '.join(f.label for f in FFMPEG_FORMATS)}")


@router.post("/identify", response_model=IdentifyOut, openapi_extra=QUERY_BODY,
             responses={403: {"description": "A consumer that neither trains nor identifies "
                                              "content"},
                        413: {"description": "Larger than CONSENTRY_MAX_UPLOAD_BYTES"},
                        422: {"description": "Not audio in a format this server decodes, "
                                              "empty, corrupt or truncated"}})
async def identify_audio(request: Request, who: WhoBriefly, settings: SettingsDep,
                         engine: EngineDep) -> IdentifyOut | Response:
    """The catalogue tracks and reference recordings in the audio (form field ``file``):
    where in the query and in the recording, how many seconds, with what confidence.
    An empty list when none."""
    access.require_identify_access(who)
    try:
        upload = await MultipartUpload(request, "file", settings.max_upload_bytes).open()
        path = await anyio.to_thread.run_sync(partial(
            media.spool_upload, upload.blocking_reader(), settings.data_dir,
            settings.max_upload_bytes), limiter=upload_threads(request))
    except ClientDisconnect:
        return Response(status_code=400)
    try:
        return await anyio.to_thread.run_sync(partial(
            _identify_file, engine, request.app.state.catalogue_index, settings, path),
            limiter=upload_threads(request))
    finally:
        path.unlink(missing_ok=True)


def _identify_file(engine: Engine, index: CatalogueIndex, settings: Settings,
                   path: Path) -> IdentifyOut:
    fingerprint = fingerprint_file(path, settings.max_audio_seconds)
    with engine.connect() as conn:
        found = identify(conn, index, fingerprint.peaks)
    return IdentifyOut(seconds=round(fingerprint.seconds, 2),
                       matches=[IdentifiedOut.of(f) for f in found])
