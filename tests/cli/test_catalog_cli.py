"""``consentry catalog ingest`` and ``consentry identify`` on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile
from sqlalchemy.engine import Engine

from consentry.cli import app
from consentry.store import parties
from consentry.store.reference_recordings import list_references
from tests.audio.music import RATE, piece, with_noise
from tests.cli.conftest import runner
from tests.cli.test_cli import consentry


def run(*args: str):  # type: ignore[no-untyped-def]
    """In this process: quicker than the console script, which the first ingest uses."""
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "200"})


def write(path: Path, seed: int, seconds: float = 20.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, piece(seed, seconds), RATE)
    return path


@pytest.mark.slow  # worker processes start with a fresh interpreter each
def test_ingest_registers_reports_bad_files_and_resumes_without_duplicates(
        cli_env: dict, engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        holder = parties.create_rights_holder(conn, "Northwind").id
    folder = tmp_path / "references"
    write(folder / "GBNWR2400001 - First light.wav", 1)
    write(folder / "album" / "Second.flac", 2)
    (folder / "broken.mp3").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00not audio at all")
    (folder / ".hidden.wav").write_bytes(b"skipped: hidden")

    first = consentry(cli_env, "catalog", "ingest", str(folder), "--rights-holder", str(holder),
                      "--workers", "2", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["added"], report["skipped"]) == (2, 0)
    [(bad, reason)] = [(f["file"], f["reason"]) for f in report["failed"]]
    assert bad.endswith("broken.mp3") and reason

    # more files arrive (or the first run was cut short): only the new ones are fingerprinted
    write(folder / "Third.wav", 3)
    (folder / "copy of first.wav").write_bytes((folder / "GBNWR2400001 - First light.wav")
                                               .read_bytes())
    second = run("catalog", "ingest", str(folder), "--rights-holder", str(holder),
                 "--workers", "1")
    assert second.exit_code == 0, second.output
    assert "1 recordings added" in second.stdout and "3 already registered" in second.stdout
    assert "broken.mp3" in second.stdout
    with engine.connect() as conn:
        references = list_references(conn, holder)
    assert sorted((r.title, r.isrc) for r in references) == [
        ("First light", "GBNWR2400001"), ("Second", None), ("Third", None)]

    query = tmp_path / "query.wav"
    soundfile.write(query, with_noise(piece(2, 20.0)[RATE * 4:RATE * 16], 10.0), RATE)
    found = run("identify", str(query), "--json")
    assert found.exit_code == 0, found.output
    [match] = json.loads(found.stdout)["matches"]
    assert (match["title"], match["kind"], match["rights_holder_id"]) == (
        "Second", "reference", holder)
    assert abs(match["recording_start"] - match["query_start"] - 4.0) < 0.1
    table = run("identify", str(query))
    assert "Second" in table.stdout and "1 matches" in table.stdout

    nothing = tmp_path / "other.wav"
    write(nothing, 9, 10.0)
    assert "no catalogue recording found" in run("identify", str(nothing)).stdout
    bad = consentry(cli_env, "identify", str(folder / "broken.mp3"))
    assert bad.returncode == 1 and "error" in bad.stderr


@pytest.mark.slow
def test_ingest_refuses_an_unknown_rights_holder(cli_env: dict, tmp_path: Path) -> None:
    result = consentry(cli_env, "catalog", "ingest", str(tmp_path), "--rights-holder", "999")
    assert result.returncode == 1 and "rights holder 999 does not exist" in result.stderr


@pytest.mark.slow
def test_a_reference_is_listed_then_removed_and_its_claims_released(
        cli_env: dict, engine: Engine) -> None:
    from consentry.audio.fingerprint import fingerprint_samples
    from consentry.consent import Identified
    from consentry.store import catalogue
    from consentry.store.claims import claim_records, open_claim
    from consentry.store.reference_recordings import add_reference

    with engine.begin() as conn:
        holder = parties.create_rights_holder(conn, "Northwind").id
        other = parties.create_rights_holder(conn, "Southwind").id
        reference = add_reference(conn, holder, "First light", "a" * 64,
                                  fingerprint_samples(piece(1, 20.0)), isrc="GBNWR2400001")
        track = catalogue.create_track(conn, "Upload", parties.create_artist(conn, "Ada").id)
        found = Identified(f"reference:{reference.id}", "reference", reference.id,
                           "First light", holder, (), 1.0, 3.0, 12.0, 0.7, 20.0, 1.0)
        claim = open_claim(conn, track.id, found, "b" * 64, "test")

    listed = run("catalog", "references", "--rights-holder", str(holder), "--json")
    assert listed.exit_code == 0, listed.output
    assert [(r["id"], r["title"], r["isrc"]) for r in json.loads(listed.stdout)] == [
        (reference.id, "First light", "GBNWR2400001")]
    assert "First light" in run("catalog", "references", "--rights-holder", str(holder)).stdout

    wrong = consentry(cli_env, "catalog", "remove-reference", str(reference.id),
                      "--rights-holder", str(other))
    assert wrong.returncode == 1
    assert f"reference recording {reference.id} does not exist" in wrong.stderr
    removed = run("catalog", "remove-reference", str(reference.id), "--rights-holder",
                  str(holder))
    assert removed.exit_code == 0, removed.output
    assert "removed reference recording" in removed.stdout
    assert f"1 claims released: {claim.id}" in removed.stdout
    with engine.connect() as conn:
        [record] = claim_records(conn, rights_holder_id=holder)
    assert (record.status.value, record.claim.changes[-1].reason) == (
        "released", "reference removed")
    assert json.loads(run("catalog", "references", "--rights-holder", str(holder),
                          "--json").stdout) == []
    again = consentry(cli_env, "catalog", "remove-reference", str(reference.id))
    assert again.returncode == 1 and "does not exist" in again.stderr


@pytest.mark.slow
def test_identify_refuses_a_file_that_is_not_audio_naming_what_decodes(
        cli_env: dict, tmp_path: Path) -> None:
    notes = tmp_path / "notes.mp3"
    notes.write_bytes(b"these are my lyrics, not a recording\n" * 20)
    result = consentry(cli_env, "identify", str(notes))
    assert result.returncode == 1
    message = " ".join(result.stderr.split())  # Rich wraps long lines
    assert "not in an audio format this server decodes (WAV, FLAC, Ogg Vorbis, MP3, " in message
    assert "MP4/M4A (AAC, ALAC), AAC (ADTS), Ogg Opus)" in message


@pytest.mark.slow
def test_identify_names_a_missing_file_or_a_folder_without_a_traceback(
        cli_env: dict, tmp_path: Path) -> None:
    for path in (tmp_path / "nothere.wav", tmp_path):
        result = consentry(cli_env, "identify", str(path))
        assert result.returncode == 2, result.stderr
        message = " ".join(result.stderr.replace("│", " ").split())  # Rich boxes and wraps
        assert "Traceback" not in message
        assert "does not exist" in message or "is a directory" in message
