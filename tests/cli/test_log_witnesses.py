"""Witnesses against the issue's two forgeries (#22, item 2): checkpoints deleted behind the
app's back, and a full rewrite (event, leaf and subtree hashes, checkpoints deleted and
re-signed). Before witnesses, 'log verify' passed both; a witness run as a second process
keeps the root it cosigned, so now both are named."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, text, update

from consentry.cli import app
from consentry.ledger.operator_key import load_operator_key
from consentry.ledger.records import CONSENT_EVENT
from consentry.ledger.tiles import subtrees_completed
from consentry.settings import get_settings
from consentry.store import transparency_log as log
from consentry.store.database import make_engine
from consentry.store.log_sources import record_for
from consentry.store.schema import log_entries, log_subtrees
from tests.cli.conftest import runner
from tests.conftest import free_port
from tests.forgery import drop_guards
from tests.witness_process import RunningWitness, running_witness

pytestmark = pytest.mark.slow


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.output.split())


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _use_witnesses(monkeypatch: pytest.MonkeyPatch, *endpoints: dict[str, str]) -> None:
    monkeypatch.setenv("CONSENTRY_WITNESSES", json.dumps(list(endpoints)))
    get_settings.cache_clear()


@pytest.fixture
def witnessed(
    cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningWitness]:
    """init, the demo and one more choice, with a witness of this log running beside it."""
    for args in (["init"], ["demo"], ["consent", "set", "1", "ai-input", "deny"]):
        _invoke(*args)
    log_key = json.loads(_invoke("log", "status", "--json"))["public_key"]
    with running_witness(tmp_path / "witness", log_key) as witness:
        _use_witnesses(monkeypatch, witness.endpoint())
        yield witness


def _verify_fails() -> str:
    caught = runner.invoke(app, ["log", "verify"])
    assert caught.exit_code == 1, caught.output
    return str(caught.exception)


def test_checkpoints_are_cosigned_and_receipts_carry_it(
    witnessed: RunningWitness, tmp_path: Path
) -> None:
    note = _invoke("log", "checkpoint")
    assert "\u2014 witness.test/w1 " in note
    status = json.loads(_invoke("log", "status", "--json"))
    assert status["witnesses"][0]["cosigned_size"] == status["size"]
    receipt = tmp_path / "receipt.json"
    _invoke("log", "receipt", "2", "--output", str(receipt))
    ok = runner.invoke(
        app,
        [
            "log",
            "verify-receipt",
            str(receipt),
            "--key",
            status["public_key"],
            "--witness",
            witnessed.key,
        ],
    )
    assert ok.exit_code == 0 and "cosigned by witness.test/w1" in _said(ok)
    verified = runner.invoke(app, ["log", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "1 witness(es) cosigned, and 1 of 1 witness(es) cosign it now" in _said(verified)


def test_deleted_checkpoints_are_noticed(witnessed: RunningWitness) -> None:
    _invoke("log", "checkpoint")
    engine = make_engine(get_settings().effective_database_url)
    with engine.begin() as conn:
        drop_guards(conn, "log_checkpoints")
        conn.execute(text("DELETE FROM log_checkpoints"))
    engine.dispose()
    assert "is missing from the store: checkpoints were deleted" in _verify_fails()


def _rewrite_event_two_as_allow() -> None:
    """The issue's full rewrite: the event, its leaf, every subtree hash, and the checkpoints
    deleted and signed again with the log's own key, so every hash in the store agrees."""
    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    with engine.begin() as conn:
        for table in ("consent_events", "log_entries", "log_subtrees", "log_checkpoints"):
            drop_guards(conn, table)
        conn.execute(text("UPDATE consent_events SET choice = 'allow' WHERE id = 2"))
        forged = record_for(conn, CONSENT_EVENT, 2)
        conn.execute(
            update(log_entries)
            .where(log_entries.c.kind == CONSENT_EVENT, log_entries.c.source_id == 2)
            .values(data=forged.data, leaf_hash=forged.leaf_hash)
        )
        conn.execute(text("DELETE FROM log_subtrees"))
        rehashed = subtrees_completed(log.DatabaseHashes(conn), 0, log.log_size(conn))
        if rehashed:
            conn.execute(
                insert(log_subtrees),
                [{"height": h, "idx": i, "hash": value} for h, i, value in rehashed],
            )
        conn.execute(text("DELETE FROM log_checkpoints"))
        log.sign_current(conn, settings.log_origin, load_operator_key(settings.effective_log_key))
    engine.dispose()


def test_a_full_rewrite_is_noticed_by_verify_and_by_receipts(
    witnessed: RunningWitness, tmp_path: Path
) -> None:
    _invoke("log", "checkpoint")
    _rewrite_event_two_as_allow()
    assert "has another root than the stored one: the log was forked or re-signed" in (
        _verify_fails()
    )

    key = json.loads(_invoke("log", "status", "--json"))["public_key"]
    receipt = tmp_path / "forged.json"
    _invoke("log", "receipt", "2", "--output", str(receipt))
    assert json.loads(receipt.read_text())["record"]["choice"] == "allow"
    assert (
        runner.invoke(app, ["log", "verify-receipt", str(receipt), "--key", key]).exit_code == 0
    )  # the log's own key alone cannot tell
    with_witness = runner.invoke(
        app, ["log", "verify-receipt", str(receipt), "--key", key, "--witness", witnessed.key]
    )
    assert with_witness.exit_code == 1
    assert "no cosignature by witness 'witness.test/w1'" in str(with_witness.exception)

    engine = make_engine(get_settings().effective_database_url)
    with engine.begin() as conn:  # the store's record of the witness goes too
        drop_guards(conn, "log_cosignatures")
        conn.execute(text("DELETE FROM log_cosignatures"))
    engine.dispose()
    assert "witness witness.test/w1 refuses the log as it stands" in _verify_fails()


def test_an_unreachable_witness_is_a_warning_not_a_refusal(
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    for args in (["init"], ["demo"]):
        _invoke(*args)
    log_key = json.loads(_invoke("log", "status", "--json"))["public_key"]
    with running_witness(tmp_path / "witness", log_key) as stopped:
        pass
    _use_witnesses(monkeypatch, {"url": f"http://127.0.0.1:{free_port()}", "key": stopped.key})
    _invoke("consent", "set", "1", "ai-input", "deny")
    with caplog.at_level(logging.WARNING):
        assert _invoke("log", "checkpoint").startswith("consentry.local/log\n")
    assert "witness witness.test/w1 did not cosign checkpoint" in caplog.text
    assert "has cosigned nothing yet" in " ".join(_invoke("log", "status").split())
    verified = runner.invoke(app, ["log", "verify"])
    assert verified.exit_code == 0, verified.output
