"""The consentry command, end to end on a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from consentry.cli import app
from tests.cli.conftest import runner

CATALOGUE_CSV = """type,ref,name,artist,co_owners,rights_holder,isrc,restricts,starts_at
artist,mara,Mara Lind,,,,,,
artist,juno,Juno Vale,,,,,,
rights_holder,nw,Northwind Records,,,,,,
agreement,,No training,,,nw,,train-ai;ai-input,2024-01-01T00:00:00Z
track,,Salt and Static,mara,,,GBNWR2400001,,
track,,Low Tide,mara,mara:60;juno:40,,,,
track,,Open Water,juno,,nw,,,
"""


def invoke(*args: str) -> dict | list | str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


def consentry(env: dict, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    return subprocess.run([Path(sys.executable).parent / "consentry", *args], text=True,
                          capture_output=True, env=os.environ | env, timeout=60)


@pytest.mark.slow
def test_import_then_consent_then_decide(cli_env: dict, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CATALOGUE_CSV)
    summary = invoke("import", str(path), "--json")
    assert summary == {"artists": 2, "rights_holders": 1, "agreements": 1, "tracks": 3,
                       "file": str(path)}

    invoke("consent", "set", "1", "train-ai", "allow")
    [offer] = invoke("invitations", "list", "2", "--json")  # Juno co-owns Low Tide: invited
    assert (offer["track_id"], offer["percent"], offer["declined"]) == (2, 40.0, False)
    refused = consentry(cli_env, "consent", "set", "2", "train-generative", "allow", "--track",
                        "2")
    assert refused.returncode == 1 and "has not accepted their share" in refused.stderr
    invoke("invitations", "answer", "2", "2", "--accept", "--source", "signed form")
    assert invoke("invitations", "list", "2", "--json") == []
    event = invoke("consent", "set", "2", "train-generative", "allow", "--track", "2", "--json")
    assert event["track_id"] == 2 and event["terms_version"] == "1"

    decided = invoke("decide", "train-generative", "1", "2", "3", "--json")
    verdicts = {d["track_id"]: (d["decision"], d["rule"]) for d in decided["decisions"]}
    assert verdicts == {1: ("allow", "artist-default"), 2: ("allow", "artist-default"),
                        3: ("deny", "rights-holder-agreement")}

    out = tmp_path / "eligible.parquet"
    summary = invoke("decide", "train-generative", "--all", "--output", str(out), "--json")
    assert (summary["tracks"], summary["allowed"]) == (3, 2)
    table = pq.read_table(out).to_pydict()
    assert table == {"track_id": [1, 2, 3], "eligible": [True, True, False],
                     "rule": ["artist-default", "artist-default", "rights-holder-agreement"]}

    history = invoke("consent", "history", "1", "--json")
    assert [e["purpose"] for e in history] == ["train-ai"]
    past = invoke("decide", "train-generative", "1", "--at", "2020-06-01", "--json")
    assert past["decisions"][0]["rule"] == "platform-default"


def test_import_rejects_a_file_with_any_bad_row_and_imports_nothing(
    cli_env: dict, tmp_path: Path
) -> None:
    bad = CATALOGUE_CSV.replace("mara:60;juno:40", "mara:60;juno:30").replace(
        "GBNWR2400001", "not-an-isrc") + "track,,Ghost,nobody,,,,,\nlabel,x,What,,,,,,\n"
    path = tmp_path / "bad.csv"
    path.write_text(bad)
    result = consentry(cli_env, "import", str(path))
    assert result.returncode == 1
    assert "nothing was imported" in result.stderr
    assert "line 6: isrc 'not-an-isrc' is not an ISRC" in result.stderr
    assert "line 7: shares add up to 90%" in result.stderr
    assert "line 9: no artist with ref 'nobody'" in result.stderr
    assert "line 10: type must be one of" in result.stderr
    assert invoke("decide", "recommendations", "--all", "--json")["tracks"] == 0


@pytest.mark.slow
def test_import_reports_unknown_stored_ids_with_lines(cli_env: dict, tmp_path: Path) -> None:
    path = tmp_path / "tracks.jsonl"
    path.write_text('{"type": "track", "name": "One", "artist": "@41"}\n\n'
                    '{"type": "track", "name": "Two", "artist": "@42"}\n')
    result = consentry(cli_env, "import", str(path))
    assert result.returncode == 1
    assert "line 1: no stored artist with id 41" in result.stderr
    assert "line 3: no stored artist with id 42" in result.stderr


@pytest.mark.slow
def test_import_problems_are_listed_in_line_order(cli_env: dict, tmp_path: Path) -> None:
    bad = CATALOGUE_CSV.replace("GBNWR2400001", "not-an-isrc") + (
        "track,,Ghost,nobody,,,,,\nlabel,x,What,,,,,,\n")
    result = consentry(cli_env, "import", str(_write(tmp_path, bad)))
    assert result.returncode == 1
    lines = [int(line.split()[1].rstrip(":")) for line in result.stderr.splitlines()
             if line.strip().startswith("line ")]
    assert lines == sorted(lines) and lines == [6, 9, 10], result.stderr


@pytest.mark.slow
def test_import_json_document(cli_env: dict, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({
        "artists": [{"ref": "a", "name": "Ada"}],
        "tracks": [{"title": "Song", "artist": "a"}, {"title": "Song 2", "artist": "a"}]}))
    assert invoke("import", str(path), "--json")["tracks"] == 2
    path.write_text("{not json")
    result = consentry(cli_env, "import", str(path))
    assert result.returncode == 1 and "not valid JSON" in result.stderr


@pytest.mark.slow
def test_cli_errors_are_messages_not_tracebacks(cli_env: dict, tmp_path: Path) -> None:
    invoke("import", str(_write(tmp_path, CATALOGUE_CSV)), "--json")
    for args, message in [
        (["decide", "train-everything", "1"], "unknown purpose 'train-everything'"),
        (["consent", "set", "1", "fraud-detection", "deny"], "required by the terms"),
        (["consent", "set", "9", "train-ai", "allow"], "artist 9 does not exist"),
        (["decide", "train-ai", "1", "--at", "yesterday"], "not an ISO 8601 instant"),
        (["tokens", "create", "--role", "artist"], "needs the id of its artist"),
    ]:
        result = consentry(cli_env, *args)
        assert result.returncode == 1, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_tokens_create_and_revoke(cli_env: dict) -> None:
    issued = invoke("tokens", "create", "--role", "admin", "--name", "ops", "--json")
    assert issued["secret"].startswith("cst_")
    listed = invoke("tokens", "list", "--json")
    assert [t["name"] for t in listed] == ["ops"]
    assert issued["secret"] not in json.dumps(listed)
    invoke("tokens", "revoke", str(issued["id"]))
    assert invoke("tokens", "list", "--json")[0]["revoked_at"] is not None


def test_export_is_everything_about_one_artist(cli_env: dict, tmp_path: Path) -> None:
    invoke("import", str(_write(tmp_path, CATALOGUE_CSV)), "--json")
    invoke("invitations", "answer", "2", "2", "--accept", "--source", "signed form")
    invoke("consent", "set", "2", "train-ai", "deny")
    out = tmp_path / "export.json"
    invoke("export", "2", "--out", str(out))
    document = json.loads(out.read_text())
    assert document["artist"] == {"id": 2, "name": "Juno Vale"}
    assert [t["title"] for t in document["tracks"]] == ["Low Tide", "Open Water"]
    assert [e["purpose"] for e in document["consent_events"]] == ["train-ai"]
    low_tide = document["tracks"][0]
    assert {"artist_id": 2, "percent": 40.0} in low_tide["co_owners"]


@pytest.mark.slow
def test_demo_seeds_once_and_issues_working_tokens(cli_env: dict, tmp_path: Path) -> None:
    first = invoke("demo", "--json")
    second = invoke("demo", "--json")
    assert first.keys() == second.keys() and first["admin"] != second["admin"]
    assert (tmp_path / "demo-tokens.json").stat().st_mode & 0o777 == 0o600
    assert invoke("decide", "recommendations", "--all", "--json")["tracks"] == 6


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalogue.csv"
    path.write_text(text)
    return path


@pytest.mark.slow
def test_users_create_makes_an_account_that_can_log_in(cli_env: dict) -> None:
    result = consentry(cli_env | {"CONSENTRY_NEW_PASSWORD": "a long admin secret"}, "users",
                       "create", "ops@platform.example", "--role", "admin", "--name", "Ops")
    assert result.returncode == 0, result.stderr
    assert "ops@platform.example (admin)" in result.stdout
    weak = consentry(cli_env | {"CONSENTRY_NEW_PASSWORD": "short"}, "users", "create",
                     "x@platform.example", "--role", "admin", "--name", "X")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
