"""``consentry log``: a full audit that finds tampering, and receipts checked offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from consentry.cli import app
from consentry.settings import get_settings
from consentry.store.database import make_engine
from tests.cli.conftest import runner


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.output.split())


@pytest.fixture
def logged(cli_env: dict[str, str]) -> dict[str, str]:
    """init (key and schema), the demo, and a few more choices."""
    for args in (["init"], ["demo"], ["consent", "set", "1", "ai-input", "deny"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return cli_env


@pytest.mark.slow
def test_verify_passes_then_finds_a_rewritten_event(logged: dict[str, str]) -> None:
    checkpoint = runner.invoke(app, ["log", "checkpoint"])
    assert checkpoint.output.startswith("consentry.local/log\n")
    verified = runner.invoke(app, ["log", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "entries match the database" in _said(verified)

    engine = make_engine(get_settings().effective_database_url)
    with engine.begin() as conn:  # what an insider with database access could try
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE consent_events DISABLE TRIGGER ALL"))
            conn.execute(text("UPDATE consent_events SET choice = 'allow' WHERE id = 2"))
            conn.execute(text("ALTER TABLE consent_events ENABLE TRIGGER ALL"))
        else:
            conn.execute(text("DROP TRIGGER consent_events_no_update"))
            conn.execute(text("UPDATE consent_events SET choice = 'allow' WHERE id = 2"))
    engine.dispose()
    caught = runner.invoke(app, ["log", "verify"])
    assert caught.exit_code == 1
    assert "consent-event 2 in the database no longer matches" in str(caught.exception)


@pytest.mark.slow
def test_a_receipt_verifies_with_the_public_key_alone(logged: dict[str, str],
                                                     tmp_path: Path) -> None:
    key = json.loads(runner.invoke(app, ["log", "status", "--json"]).output)["public_key"]
    receipt = tmp_path / "receipt.json"
    made = runner.invoke(app, ["log", "receipt", "2", "--output", str(receipt)])
    assert made.exit_code == 0, made.output
    ok = runner.invoke(app, ["log", "verify-receipt", str(receipt), "--key", key])
    assert ok.exit_code == 0 and "receipt verifies: consent-event 2" in _said(ok)

    forged = json.loads(receipt.read_text())
    forged["leaf_data"] = forged["leaf_data"].replace('"deny"', '"allow"')
    forged["record"]["choice"] = "allow"
    receipt.write_text(json.dumps(forged))
    bad = runner.invoke(app, ["log", "verify-receipt", str(receipt), "--key", key])
    assert bad.exit_code == 1 and "does NOT verify" in str(bad.exception)
    receipt.write_text("not json")
    assert runner.invoke(app, ["log", "verify-receipt", str(receipt), "--key", key]
                         ).exit_code == 1


# SQLite only: a PostgreSQL bytea column cannot hold text.
@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_verify_names_a_leaf_rewritten_as_text(logged: dict[str, str]) -> None:
    """Once a TypeError in bytes(row.data): now the entry is named and the exit code is 1."""
    engine = make_engine(get_settings().effective_database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER log_entries_no_update"))
        conn.execute(text("UPDATE log_entries SET data = CAST(data AS TEXT) WHERE idx = 7"))
    engine.dispose()
    caught = runner.invoke(app, ["log", "verify"])
    assert caught.exit_code == 1
    assert "log entry 7: leaf is not bytes" in str(caught.exception)
    assert not isinstance(caught.exception, TypeError)
