"""A signed C2PA manifest that binds the track's AI-use terms to its exact bytes.

Tags can be edited by anyone; a C2PA manifest is signed over a hash of the file, so a reader can
tell the terms came from the platform and the audio is the one they were set for. The manifest
carries the CAWG ``cawg.training-mining`` assertion and, for older readers, the legacy
``c2pa.training-mining`` one (digest section 8). Signing hashes the file, so tags go in first.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import c2pa

from consentry.errors import InvalidAudio, SigningFailed
from consentry.signals.file_rights import (
    CAWG_LABEL,
    LEGACY_LABEL,
    FileRights,
    cawg_entries,
    legacy_entries,
)
from consentry.signals.signing_keys import SigningCredentials

CLAIM_GENERATOR = "consentry"
CLAIM_GENERATOR_VERSION = "0.1"
_UPLOAD_LABEL = "artist-upload"
_INTACT = frozenset({"Valid", "Trusted"})
_UNTRUSTED = "signingCredential.untrusted"


@dataclass(frozen=True)
class SigningOutcome:
    """Whether the copy was signed, and if not, why, in words for the operator."""

    signed: bool
    reason: str | None = None
    manifest_label: str | None = None


@dataclass(frozen=True)
class ManifestReading:
    """The active manifest as a C2PA validator sees it.

    ``validation_state`` is the SDK's: ``Invalid`` when a hash or signature fails, ``Valid``
    when all is intact but the signer is not on a trust list (always so for the development
    chain), ``Trusted`` when it is. ``training_mining`` prefers the CAWG assertion and falls
    back to the legacy one, mapped to CAWG keys, as the digest says readers should.
    """

    label: str | None
    validation_state: str
    failures: tuple[str, ...]
    claim_generator: str | None
    signer: str | None
    title: str | None
    actions: tuple[str, ...]
    training_mining: dict[str, str]
    legacy_training_mining: dict[str, str]
    constraints: dict[str, str]  # a constrained entry's constraint_info, by CAWG key

    @property
    def intact(self) -> bool:
        """The signature and every hash check out, whoever the signer is."""
        return self.validation_state in _INTACT and all(
            code == _UNTRUSTED for code in self.failures)


def signing_support(media_type: str) -> str | None:
    """``None`` when the C2PA SDK can embed a manifest in this media type, else why not."""
    if media_type not in c2pa.Builder.get_supported_mime_types():
        return (f"the C2PA SDK ({c2pa.sdk_version()}) cannot embed a manifest in {media_type} "
                f"files; the rights are in the tags only")
    return None


def manifest_definition(rights: FileRights) -> dict[str, Any]:
    """The manifest for one outgoing copy.

    The first action is ``c2pa.opened``, not ``c2pa.created``: the platform did not make the
    recording, it opened the artist's upload (recorded as the parent ingredient), edited its
    metadata and published it. ``c2pa.created`` would claim authorship and needs a
    digitalSourceType the platform cannot know; ``c2pa.opened`` requires the ingredient, which
    also keeps any manifest the artist's own tools signed.
    """
    return {
        "claim_generator_info": [{"name": CLAIM_GENERATOR, "version": CLAIM_GENERATOR_VERSION}],
        "title": rights.title,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.opened", "parameters": {"ingredientIds": [_UPLOAD_LABEL]}},
                {"action": "c2pa.edited.metadata"},
                {"action": "c2pa.published"},
            ]}},
            {"label": CAWG_LABEL, "data": {"entries": cawg_entries(rights)}},
            {"label": LEGACY_LABEL, "data": {"entries": legacy_entries(rights)}},
        ],
    }


def sign_copy(upload: Path, tagged: Path, dest: Path, media_type: str, rights: FileRights,
              credentials: SigningCredentials) -> SigningOutcome:
    """Sign ``tagged`` into ``dest``, citing ``upload`` (the artist's file) as its parent.

    A media type the SDK cannot carry is not an error: the copy goes out with its tags, and the
    outcome says why it is unsigned.
    """
    unsupported = signing_support(media_type)
    if unsupported:
        return SigningOutcome(False, unsupported)
    try:
        signer = _signer(credentials)
        with signer, c2pa.Builder(manifest_definition(rights)) as builder:
            with upload.open("rb") as parent:
                # titled after the track: the stored file name is the server's business
                builder.add_ingredient({"title": f"{rights.title} (artist's upload)",
                                        "relationship": "parentOf", "label": _UPLOAD_LABEL},
                                       media_type, parent)
            with tagged.open("rb") as source, dest.open("w+b") as out:
                builder.sign(signer, media_type, source, out)
    except c2pa.C2paError.NotSupported as error:
        return SigningOutcome(False, f"the C2PA SDK refused {media_type}: {error.message}")
    except c2pa.C2paError as error:
        raise SigningFailed(f"C2PA signing failed: {error.message}") from error
    reading = read_manifest(dest, media_type)
    if reading is None or not reading.intact:
        state = reading.failures if reading else "no manifest"
        raise SigningFailed(f"the signed copy does not validate ({state})")
    return SigningOutcome(True, None, reading.label)


def read_manifest(path: Path, media_type: str) -> ManifestReading | None:
    """The validated manifest of ``path``, or ``None`` when it carries none."""
    try:
        with path.open("rb") as file, c2pa.Reader(media_type, file) as reader:
            store = json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as error:
        raise InvalidAudio(f"the file's C2PA manifest cannot be read ({error.message})") from error
    active = store.get("manifests", {}).get(store.get("active_manifest"), {})
    assertions = {a["label"]: a.get("data", {}) for a in active.get("assertions", [])}
    results = store.get("validation_results", {}).get("activeManifest", {})
    generator = (active.get("claim_generator_info") or [{}])[0].get("name")
    return ManifestReading(
        label=store.get("active_manifest"),
        validation_state=str(store.get("validation_state", "Invalid")),
        failures=tuple(str(f["code"]) for f in results.get("failure", [])),
        claim_generator=generator,
        signer=active.get("signature_info", {}).get("common_name"),
        title=active.get("title"),
        actions=tuple(str(a["action"]) for label, data in assertions.items()
                      if label.startswith("c2pa.actions") for a in data.get("actions", [])),
        training_mining=_uses(assertions.get(CAWG_LABEL) or _as_cawg(
            assertions.get(LEGACY_LABEL))),
        legacy_training_mining=_uses(assertions.get(LEGACY_LABEL)),
        constraints=_constraints(assertions.get(CAWG_LABEL) or _as_cawg(
            assertions.get(LEGACY_LABEL))),
    )


def check_credentials(credentials: SigningCredentials) -> None:
    """Sign a tiny WAV in memory, so unusable keys fail when the app starts, not on a download.

    The SDK checks the chain only when it signs (leaf usage, extended key usage, issuer).
    """
    silence = _tiny_wav()
    try:
        with _signer(credentials) as signer, c2pa.Builder({
                "claim_generator_info": [{"name": CLAIM_GENERATOR}],
                "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                    {"action": "c2pa.opened", "parameters": {"ingredientIds": ["probe"]}}]}}],
        }) as builder:
            builder.add_ingredient({"title": "probe.wav", "relationship": "parentOf",
                                    "label": "probe"}, "audio/wav", io.BytesIO(silence))
            builder.sign(signer, "audio/wav", io.BytesIO(silence), io.BytesIO())
    except c2pa.C2paError as error:
        raise SigningFailed(f"the C2PA SDK will not sign with these keys: {error.message}",
                            {"signer": credentials.subject}) from error


def _signer(credentials: SigningCredentials) -> Any:
    try:
        return c2pa.Signer.from_info(c2pa.C2paSignerInfo(
            alg=credentials.algorithm, sign_cert=credentials.chain_pem,
            private_key=credentials.key_pem, ta_url=credentials.timestamp_url))
    except c2pa.C2paError as error:
        raise SigningFailed(f"the signing chain or key is unusable: {error.message}") from error


def _uses(data: dict[str, Any] | None) -> dict[str, str]:
    entries = (data or {}).get("entries", {})
    return {str(key): str(entry.get("use")) for key, entry in entries.items()}


def _constraints(data: dict[str, Any] | None) -> dict[str, str]:
    entries = (data or {}).get("entries", {})
    return {str(key): str(entry["constraint_info"]) for key, entry in entries.items()
            if entry.get("constraint_info")}


def _as_cawg(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    entries = data.get("entries", {})
    return {"entries": {f"cawg.{k.removeprefix('c2pa.')}": v for k, v in entries.items()}}


def _tiny_wav(rate: int = 8_000, frames: int = 800) -> bytes:
    """A tenth of a second of 16-bit mono silence, laid out by hand (44-byte header)."""
    data = bytes(2 * frames)
    fmt = ((1).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little")
           + (2 * rate).to_bytes(4, "little") + (2).to_bytes(2, "little")
           + (16).to_bytes(2, "little"))
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + b"data" + len(
        data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body
