"""The copy of a track that leaves the platform: tagged with its rights, then signed.

The order is fixed: C2PA signs a hash of the file, so the tags must be in place before it, and
any later change to the tags would break the signature.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from consentry.signals.c2pa_manifest import sign_copy, signing_support
from consentry.signals.file_rights import FileRights
from consentry.signals.file_tags import write_file_tags
from consentry.signals.signing_keys import SigningCredentials

_NO_SIGNER = "no signing key is configured; the rights are in the tags only"


@dataclass(frozen=True)
class EmbedResult:
    """What was done to the copy, for the caller to log and to show the artist."""

    format: str
    tag_fields: tuple[str, ...]
    signed: bool
    not_signed_reason: str | None
    manifest_label: str | None


def embed_rights(source: Path, dest: Path, media_type: str, rights: FileRights,
                 signer: SigningCredentials | None) -> EmbedResult:
    """Write ``source`` with the rights in its tags, and signed where the format allows, to
    ``dest``; the caller gives a temporary path and renames it into place on success.

    ``source`` is not modified. A format the C2PA SDK cannot carry (Ogg Vorbis) or a missing
    signer leaves the copy unsigned and says so; any other failure raises a ``ConsentryError``
    (``InvalidAudio``, ``SigningFailed``) and leaves ``dest`` for the caller to discard.
    """
    tags = write_file_tags(source, dest, media_type, rights)
    reason = _NO_SIGNER if signer is None else signing_support(tags.mime)
    if signer is None or reason is not None:
        return EmbedResult(tags.format, tags.fields, False, reason, None)
    signed = dest.with_name(f".{dest.name}.c2pa")
    try:
        outcome = sign_copy(source, dest, signed, tags.mime, rights, signer)
        if outcome.signed:
            os.replace(signed, dest)
    finally:
        signed.unlink(missing_ok=True)
    return EmbedResult(tags.format, tags.fields, outcome.signed, outcome.reason,
                       outcome.manifest_label)
