"""Outgoing copies are signed with the AI-use terms where the format allows, and validate."""

from __future__ import annotations

import stat
from pathlib import Path

import c2pa
import numpy as np
import pytest
import soundfile
from cryptography import x509

from consentry.errors import InvalidAudio, SigningFailed
from consentry.purposes import VOCABULARY
from consentry.signals.c2pa_manifest import check_credentials, manifest_definition, read_manifest
from consentry.signals.delivery import embed_rights
from consentry.signals.file_rights import file_rights
from consentry.signals.file_tags import read_file_rights
from consentry.signals.signing_keys import (
    CHAIN_FILE,
    DEVELOPMENT_SUBJECT,
    KEY_FILE,
    SigningCredentials,
    ensure_development_chain,
    load_signing_credentials,
)
from tests.audio.synth import EXTENSIONS, write_audio

URL = "https://music.example/tracks/42"
MIMES = {"wav": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg", "ogg": "audio/ogg"}
SIGNED = ("wav", "flac", "mp3")
DECISIONS = dict({p.id: p.default_allowed for p in VOCABULARY}, **{"ai-input": True})
RIGHTS = file_rights("Low Tide", ["Mara Quell"], 2026, URL, DECISIONS)


@pytest.fixture(scope="module")
def credentials(tmp_path_factory: pytest.TempPathFactory) -> SigningCredentials:
    return ensure_development_chain(tmp_path_factory.mktemp("keys"))


def delivered(tmp_path: Path, fmt: str, signer: SigningCredentials | None,
              name: str = "copy"):
    source = write_audio(tmp_path / f"upload{EXTENSIONS[fmt]}", fmt, 1.0, 22_050, 2)
    dest = tmp_path / f"{name}{EXTENSIONS[fmt]}"
    return source, dest, embed_rights(source, dest, MIMES[fmt], RIGHTS, signer)


def test_the_sdk_lists_the_formats_signed_here() -> None:
    supported = set(c2pa.Builder.get_supported_mime_types())
    assert {MIMES[f] for f in SIGNED} <= supported
    assert "audio/ogg" not in supported


@pytest.mark.parametrize("fmt", SIGNED)
def test_signed_copies_validate_and_carry_both_training_mining_assertions(
        tmp_path: Path, fmt: str, credentials: SigningCredentials) -> None:
    source, dest, result = delivered(tmp_path, fmt, credentials)
    assert (result.signed, result.not_signed_reason) == (True, None)
    reading = read_manifest(dest, MIMES[fmt])
    assert reading is not None and reading.intact
    assert reading.label == result.manifest_label
    assert reading.validation_state == "Valid"  # not "Trusted": the chain is on no trust list
    assert reading.failures == ("signingCredential.untrusted",)
    assert (reading.claim_generator, reading.signer, reading.title) == (
        "consentry", DEVELOPMENT_SUBJECT, "Low Tide")
    assert reading.actions == ("c2pa.opened", "c2pa.edited.metadata", "c2pa.published")
    assert reading.training_mining == {
        "cawg.ai_training": "notAllowed", "cawg.ai_generative_training": "notAllowed",
        "cawg.ai_inference": "allowed", "cawg.data_mining": "constrained"}
    assert reading.constraints["cawg.data_mining"].startswith("use as AI input allowed; ")
    assert reading.legacy_training_mining == {
        k.replace("cawg.", "c2pa."): v for k, v in reading.training_mining.items()}
    # signing came after the tags and kept them, and the samples are the upload's
    assert read_file_rights(dest).usage == RIGHTS.usage
    dtype = "int16" if fmt != "mp3" else "float32"
    assert np.array_equal(soundfile.read(source, dtype=dtype)[0],
                          soundfile.read(dest, dtype=dtype)[0])


def test_the_mp3_frames_are_unchanged_by_tagging_and_signing(
        tmp_path: Path, credentials: SigningCredentials) -> None:
    source, dest, _ = delivered(tmp_path, "mp3", credentials)
    data, audio = dest.read_bytes(), source.read_bytes()
    assert data.endswith(audio) and data[:3] == b"ID3"
    assert len(data) - len(audio) == 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(data[6:10]))


def test_changed_audio_no_longer_validates(tmp_path: Path,
                                           credentials: SigningCredentials) -> None:
    _, dest, _ = delivered(tmp_path, "wav", credentials)
    data = bytearray(dest.read_bytes())
    position = data.index(b"data") + 100
    data[position] ^= 0xFF
    dest.write_bytes(bytes(data))
    reading = read_manifest(dest, "audio/wav")
    assert reading is not None and not reading.intact
    assert reading.validation_state == "Invalid"
    assert "assertion.dataHash.mismatch" in reading.failures


def test_ogg_goes_out_tagged_and_unsigned_saying_why(tmp_path: Path,
                                                     credentials: SigningCredentials) -> None:
    _, dest, result = delivered(tmp_path, "ogg", credentials)
    assert not result.signed and "cannot embed a manifest in audio/ogg" in (
        result.not_signed_reason or "")
    assert read_file_rights(dest).usage == RIGHTS.usage
    assert not list(tmp_path.glob(".*.c2pa"))


def test_without_a_signer_the_copy_is_tagged_only(tmp_path: Path) -> None:
    _, dest, result = delivered(tmp_path, "wav", None)
    assert (result.signed, result.tag_fields) == (False, (
        "ICOP", "ICMT", "INAM", "IART", "TCOP", "TXXX:AI_USAGE", "WOAF", "WCOP", "TIT2", "TPE1"))
    assert "no signing key" in (result.not_signed_reason or "")
    assert read_manifest(dest, "audio/wav") is None


def test_a_delivered_copy_can_be_delivered_again(tmp_path: Path,
                                                 credentials: SigningCredentials) -> None:
    """Its old manifest becomes the parent ingredient's; the file holds one of each chunk."""
    _, first, _ = delivered(tmp_path, "wav", credentials)
    again = tmp_path / "again.wav"
    assert embed_rights(first, again, "audio/wav", RIGHTS, credentials).signed
    reading = read_manifest(again, "audio/wav")
    assert reading is not None and reading.intact
    data = again.read_bytes()
    assert data.count(b"LIST") == 1 and data.count(b"INFOICOP") == 1


def test_the_first_action_is_opened_with_the_upload_as_parent() -> None:
    actions = manifest_definition(RIGHTS)["assertions"][0]["data"]["actions"]
    assert actions[0]["action"] == "c2pa.opened" and actions[0]["parameters"]["ingredientIds"]


def test_a_file_with_no_readable_manifest_is_refused_or_none(tmp_path: Path) -> None:
    plain = write_audio(tmp_path / "plain.flac", "flac", 0.5)
    assert read_manifest(plain, "audio/flac") is None
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x10\x00\x00\x00WAVEC2PA\x04\x00\x00\x00junk")
    with pytest.raises(InvalidAudio):
        read_manifest(broken, "audio/wav")


def test_the_development_chain_is_made_once_with_a_private_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    made = ensure_development_chain(keys)
    assert stat.S_IMODE((keys / KEY_FILE).stat().st_mode) == 0o600
    assert made.subject == DEVELOPMENT_SUBJECT
    leaf, root = x509.load_pem_x509_certificates((keys / CHAIN_FILE).read_bytes())
    assert leaf.issuer == root.subject != leaf.subject
    assert ensure_development_chain(keys) == made  # not overwritten
    assert load_signing_credentials(keys / CHAIN_FILE, keys / KEY_FILE) == made
    check_credentials(made)


def test_half_a_chain_or_a_foreign_key_is_refused(tmp_path: Path) -> None:
    one, other = ensure_development_chain(tmp_path / "one"), tmp_path / "other"
    ensure_development_chain(other)
    with pytest.raises(SigningFailed, match="does not belong"):
        load_signing_credentials(tmp_path / "one" / CHAIN_FILE, other / KEY_FILE)
    (other / KEY_FILE).unlink()
    with pytest.raises(SigningFailed, match="cannot read"):
        ensure_development_chain(other)
    (tmp_path / "bad.pem").write_text("not a certificate")
    with pytest.raises(SigningFailed, match="not valid PEM"):
        load_signing_credentials(tmp_path / "bad.pem", tmp_path / "one" / KEY_FILE)
    assert one.subject == DEVELOPMENT_SUBJECT


def test_a_chain_the_sdk_will_not_sign_with_fails_at_the_check(tmp_path: Path) -> None:
    """The SDK refuses a self-signed signing certificate (here the root alone); the check
    finds it before any upload does."""
    made = ensure_development_chain(tmp_path)
    root_only = made.chain_pem[made.chain_pem.index(b"-----END CERTIFICATE-----") + 26:]
    with pytest.raises(SigningFailed):
        check_credentials(SigningCredentials(root_only, made.key_pem))
