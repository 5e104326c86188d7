"""The copies of recordings that leave the platform: the upload with the track's rights in its
tags and, where the format allows, a signed C2PA manifest.

A copy is made once per recording and rights statement and kept beside the uploads, named by a
hash of both, so a consent change makes a new copy (and a new ETag) on the next request while
range requests for one state keep hitting the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path

from sqlalchemy import Connection

from consentry.consent import Track
from consentry.services.decisions import decide_every_purpose
from consentry.signals.delivery import embed_rights
from consentry.signals.file_rights import FileRights, file_rights
from consentry.signals.signing_keys import SigningCredentials
from consentry.store import parties
from consentry.store.catalogue import TrackAudio
from consentry.store.media import audio_path
from consentry.timestamps import utcnow

logger = logging.getLogger(__name__)


def delivered_root(data_dir: Path) -> Path:
    return Path(data_dir) / "delivered"


def delivery_key(audio: TrackAudio, rights: FileRights,
                 signer: SigningCredentials | None) -> str:
    """Names one copy: the recording, every field of the rights, and the signing chain."""
    digest = hashlib.sha256()
    for part in (audio.sha256, repr(rights), hashlib.sha256(signer.chain_pem).hexdigest()
                 if signer else "unsigned"):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def delivered_copy(data_dir: Path, audio: TrackAudio, rights: FileRights,
                   signer: SigningCredentials | None) -> tuple[Path, str]:
    """The path and hash-name of the copy to serve, made now if this state has none yet.

    Two requests making the same copy at once each write their own temporary file and rename
    it into place; the rename is atomic, so a reader never sees half a file.
    """
    key = delivery_key(audio, rights, signer)
    path = delivered_root(data_dir) / key[:2] / f"{key}.{audio.format}"
    if path.exists():
        return path, key
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{key}.{secrets.token_hex(4)}.part")
    try:
        result = embed_rights(audio_path(data_dir, audio.sha256), partial, audio.mime, rights,
                              signer)
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    if not result.signed:
        logger.info("track %s: delivered copy not signed: %s", audio.track_id,
                    result.not_signed_reason)
    return path, key


def copy_with_rights_now(conn: Connection, data_dir: Path, track: Track, audio: TrackAudio,
                         page_url: str, signer: SigningCredentials | None,
                         ) -> tuple[Path, str, dict[str, bool]]:
    """The copy carrying the track's rights as decided now, its hash-name, and those
    decisions: what a listener downloads and what a materialised dataset holds."""
    decided = decide_every_purpose(conn, track, utcnow())
    decisions = {p: d.allowed for p, d in decided.items()}
    names = [parties.get_artist(conn, a).name for a in track.accepted_owner_ids]
    rights = file_rights(track.title, names, audio.uploaded_at.year, page_url, decisions,
                         {p: d.rule.value for p, d in decided.items()})
    path, key = delivered_copy(data_dir, audio, rights, signer)
    return path, key, decisions
