"""``consentry backup`` and ``restore``: a restored copy passes ``log verify`` and answers every
decision as the original did; a backup without its signing keys is refused, and nothing ever
tells the operator to mint a new key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from consentry.cli import app
from consentry.settings import get_settings
from tests.cli.conftest import runner


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return str(result.output)


def _decisions() -> dict[str, object]:
    """Every demo track's answer and reasons for three purposes (without the time asked)."""
    answers = {}
    for purpose in ("train-generative", "ai-input", "voice-likeness"):
        answer = json.loads(_ok("decide", purpose, "1", "2", "3", "4", "5", "6", "--json"))
        answer.pop("at")
        for decision in answer["decisions"]:
            decision.pop("at")
        answers[purpose] = answer
    return answers


def _use(monkeypatch: pytest.MonkeyPatch, data: Path) -> None:
    monkeypatch.setenv("CONSENTRY_DATA_DIR", str(data))
    monkeypatch.setenv("CONSENTRY_DATABASE_URL", f"sqlite:///{data / 'consentry.db'}")
    get_settings.cache_clear()


# The copies here are SQLite files; PostgreSQL's pg_dump/pg_restore path needs a second
# database and is not tested yet.
@pytest.fixture
def original(cli_env: dict[str, str]) -> dict[str, object]:
    for args in (
        ["init"],
        ["demo"],
        ["consent", "set", "1", "ai-input", "deny"],
        ["log", "checkpoint"],
    ):
        _ok(*args)
    return _decisions()


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_restored_copy_verifies_and_decides_the_same(
    original: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "backup"
    said = _ok("backup", str(copy))
    assert "the signing keys" in said and (copy / "signing" / "log-ed25519.pem").exists()
    assert json.loads((copy / "manifest.json").read_text())["keys"] is True

    _use(monkeypatch, tmp_path / "restored")
    assert "restored the sqlite database" in _ok("restore", str(copy))
    assert "entries match the database" in " ".join(_ok("log", "verify").split())
    assert _decisions() == original


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_backup_without_keys_is_refused_without_suggesting_init(
    original: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "backup"
    _ok("backup", str(copy))
    shutil.rmtree(copy / "signing")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["keys"] = False
    manifest["checksums"] = {
        k: v for k, v in manifest["checksums"].items() if not k.startswith("signing/")
    }
    (copy / "manifest.json").write_text(json.dumps(manifest))

    _use(monkeypatch, tmp_path / "restored")
    refused = runner.invoke(app, ["restore", str(copy)])
    assert refused.exit_code == 1
    message = str(refused.exception)
    assert "no signing keys" in message and "nothing was restored" in message
    assert "consentry init" not in message
    assert not (tmp_path / "restored" / "consentry.db").exists()


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_init_will_not_mint_a_key_for_a_signed_log(
    original: dict[str, object], tmp_path: Path
) -> None:
    """A data directory whose keys were lost: init and log commands say what to restore."""
    keys = get_settings().development_signing_dir
    shutil.rmtree(keys)
    for args in (["init"], ["log", "status"]):
        refused = runner.invoke(app, args)
        assert refused.exit_code == 1, args
        assert "put the original key back" in str(refused.exception), args
        assert "consentry init" not in str(refused.exception), args
    assert not (keys / "log-ed25519.pem").exists()


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_altered_backup_is_refused(
    original: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "backup"
    _ok("backup", str(copy))
    with (copy / "consentry.db").open("ab") as database:
        database.write(b"tampered")
    _use(monkeypatch, tmp_path / "restored")
    refused = runner.invoke(app, ["restore", str(copy)])
    assert refused.exit_code == 1 and "altered" in str(refused.exception)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_server_without_the_restored_keys_says_which_key(
    original: dict[str, object], tmp_path: Path
) -> None:
    """The log's routes answer 503 naming the key to put back, not 'run consentry init'."""
    from fastapi.testclient import TestClient

    from consentry.web.app import create_app

    shutil.rmtree(get_settings().development_signing_dir)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings())) as client:
        answer = client.get("/v1/log/checkpoint")
    assert answer.status_code == 503, answer.text
    assert "put the original key back" in answer.json()["detail"]
    assert "consentry init" not in answer.json()["detail"]
