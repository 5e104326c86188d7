"""One grammar for the whole command: ordered help, an example in every command's help, --json
wherever a script reads the output, one name per option, and errors a script can tell apart
(issue 23: a new user's findings, each kept here as a scenario)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient

from consentry.cli import ORDER, app, whole_command
from consentry.purposes import VOCABULARY
from consentry.settings import get_settings
from consentry.timestamps import utcnow
from consentry.web.api.datasets import SnapshotOut
from consentry.web.api.models import DecisionOut
from consentry.web.api.usage import UseOut
from consentry.web.api.webhooks import NewEndpointOut
from consentry.web.api.withdrawals import RevisionOut
from consentry.web.app import create_app
from tests.cli.conftest import runner
from tests.cli.test_cli import CATALOGUE_CSV, _write, consentry, invoke

# Commands whose output is not a report a script would want as JSON: a server, a schema
# migration, and documents that are themselves the output (JSON, a signed note).
WITHOUT_JSON = {"serve", "sink", "init", "export", "log receipt", "log checkpoint",
                "witness serve"}


def _leaves(command: typer.core.TyperGroup | object, path: tuple[str, ...] = ()
            ) -> Iterator[tuple[str, object]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _leaves(sub, (*path, name))


LEAVES = dict(_leaves(whole_command()))


def _options(command: object) -> set[str]:
    return {name for p in command.params for name in (*p.opts, *p.secondary_opts)  # type: ignore[attr-defined]
            if name.startswith("-")}


def test_the_top_level_help_groups_every_command_in_a_set_order() -> None:
    assert set(whole_command().commands) == set(ORDER)
    said = runner.invoke(app, ["--help"]).stdout
    listed = re.findall(r"^│ ([a-z]+) ", said, flags=re.MULTILINE)
    assert listed == ORDER, said
    for panel in ("Start", "Catalogue and consent", "The tamper-evident log"):
        assert f"─ {panel} ─" in said


@pytest.mark.slow
def test_every_command_shows_an_example_with_options_it_has() -> None:
    assert len(LEAVES) > 45
    for path, command in LEAVES.items():
        epilog = command.epilog or ""  # type: ignore[attr-defined]
        examples = [line.removeprefix("Example: ") for line in epilog.split("\n\n")
                    if line.startswith("Example: ")]
        assert examples, f"'consentry {path}' has no example"
        assert any(f"consentry {path}" in e for e in examples), (path, examples)
        for example in examples:
            words = shlex.split(example.split(f"consentry {path}", 1)[-1])
            ends = [i for i, w in enumerate(words) if w in ("|", "&&", ">", ";")]
            used = {w.split("=")[0] for w in words[:min(ends, default=len(words))]
                    if w.startswith("-")}
            assert used <= _options(command), (path, used - _options(command))
        shown = " ".join(runner.invoke(app, [*path.split(), "--help"]).stdout.split())
        assert all(f"Example: {e}" in shown for e in examples), path


def test_json_wherever_a_script_reads_the_output() -> None:
    missing = [path for path, command in LEAVES.items()
               if "--json" not in _options(command) and path not in WITHOUT_JSON]
    assert missing == []


def test_one_option_name_for_an_output_file() -> None:
    for path, command in LEAVES.items():
        visible = {n for p in command.params if not getattr(p, "hidden", False)  # type: ignore[attr-defined]
                   for n in p.opts}
        assert "--out" not in visible, path
        if "--output" in visible:
            assert "-o" in visible, path
    for doc in (Path(__file__).parents[2] / "README.md", *Path(__file__).parents[2].glob(
            "docs/*.md")):
        assert " --out " not in doc.read_text(), f"{doc.name} still says --out"


@pytest.mark.slow
def test_the_old_out_still_works_with_a_note(cli_env: dict, tmp_path: Path) -> None:
    invoke("import", str(_write(tmp_path, CATALOGUE_CSV)), "--json")
    target = tmp_path / "mara.json"
    result = consentry(cli_env, "export", "1", "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text())["artist"]["id"] == 1
    assert "--out is now --output" in result.stderr


def test_help_names_every_choice_it_takes() -> None:
    consent_set = runner.invoke(app, ["consent", "set", "--help"]).stdout
    assert "clear" in " ".join(consent_set.split()).split("choice", 1)[1]
    assert "allow or deny" not in consent_set
    for path in ("decide", "consent set", "datasets create"):
        said = " ".join(runner.invoke(app, [*path.split(), "--help"]).stdout.split())
        for purpose in VOCABULARY:
            assert purpose.id in said, (path, purpose.id)
    users = " ".join(runner.invoke(app, ["users", "create", "--help"]).stdout.split())
    assert "consumer>" not in users and "<admin|artist|rights_ho" in users  # what it takes
    assert "--password-stdin" in users


def test_purposes_lists_the_vocabulary() -> None:
    listed = invoke("purposes", "--json")
    assert [p["id"] for p in listed] == [p.id for p in VOCABULARY]  # type: ignore[union-attr]


def test_decide_json_is_the_api_decision_body(cli_env: dict, tmp_path: Path) -> None:
    invoke("import", str(_write(tmp_path, CATALOGUE_CSV)), "--json")
    invoke("consent", "set", "1", "train-generative", "allow")
    at = utcnow().isoformat()
    said = invoke("decide", "train-generative", "1", "3", "--at", at, "--json")
    assert isinstance(said, dict)
    issued = invoke("tokens", "create", "--role", "admin", "--json")
    with TestClient(create_app(get_settings())) as client:
        answered = client.post("/v1/decisions", json={
            "purpose": "train-generative", "track_ids": [1, 3], "at": at},
            headers={"Authorization": f"Bearer {issued['secret']}"})  # type: ignore[index]
    assert answered.status_code == 200, answered.text
    api = answered.json()
    assert said["decisions"] == api["decisions"]
    assert [d["decision"] for d in said["decisions"]] == ["allow", "deny"]
    assert set(said["decisions"][0]) == set(DecisionOut.model_fields)
    for key in ("purpose", "allowed", "denied", "unknown_track_ids"):
        assert said[key] == api[key], key


@pytest.mark.slow
def test_unknown_tracks_are_an_error_like_any_other(cli_env: dict, tmp_path: Path) -> None:
    invoke("import", str(_write(tmp_path, CATALOGUE_CSV)), "--json")
    result = consentry(cli_env, "decide", "train-ai", "1", "999")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no such track: 999"), result.stderr
    assert "track 1" in result.stdout  # the tracks that exist are still answered


@pytest.mark.slow
def test_piped_output_keeps_each_line_whole(cli_env: dict, tmp_path: Path) -> None:
    invoke("import", str(_write(tmp_path, CATALOGUE_CSV)), "--json")
    source = "signed consent form of 3 March 2026, scanned and filed under contracts/2026/mara"
    invoke("consent", "set", "1", "train-ai", "allow", "--source", source)
    table = consentry(cli_env, "consent", "history", "1").stdout
    assert any(source in line for line in table.splitlines()), table


@pytest.mark.slow
def test_users_create_reads_a_piped_password(cli_env: dict) -> None:
    env = {k: v for k, v in (os.environ | cli_env).items() if k != "CONSENTRY_NEW_PASSWORD"}
    command = [Path(sys.executable).parent / "consentry", "users", "create", "--role", "admin",
               "--name", "Ops"]
    for email, extra in (("ops@platform.example", []),
                         ("ops2@platform.example", ["--password-stdin"])):
        result = subprocess.run([*command, email, *extra], env=env, text=True,
                                input="a long admin secret\n", capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "Warning" not in result.stderr and f"{email} (admin)" in result.stdout
    empty = subprocess.run([*command, "x@platform.example"], env=env, text=True, input="",
                           capture_output=True, timeout=60)
    assert empty.returncode == 1 and "error: no password on standard input" in empty.stderr


def test_log_status_says_whether_a_checkpoint_was_signed(cli_env: dict) -> None:
    invoke("init")
    before = " ".join(invoke("log", "status").split())  # type: ignore[union-attr]
    assert "no checkpoint signed yet" in before and "at none" not in before
    invoke("log", "checkpoint")
    after = " ".join(invoke("log", "status").split())  # type: ignore[union-attr]
    assert "in the latest signed checkpoint" in after


@pytest.mark.slow
def test_decide_output_without_all_is_refused(cli_env: dict, tmp_path: Path) -> None:
    invoke("import", str(_write(tmp_path, CATALOGUE_CSV)), "--json")
    result = consentry(cli_env, "decide", "train-ai", "1", "--output", str(tmp_path / "x.csv"))
    assert result.returncode == 1 and "use it with --all" in result.stderr


@pytest.mark.slow
def test_scripts_read_datasets_webhooks_revisions_the_log_and_usage_as_json(
        cli_env: dict) -> None:
    """The commands that had no --json; where the API has the same thing, its field names."""
    invoke("init")
    invoke("demo")
    made = invoke("datasets", "create", "train-generative", "--consumer", "2", "--json")
    assert isinstance(made, dict) and set(SnapshotOut.model_fields) <= set(made)
    assert made["tracks"] == 1 and made["log_index"] is not None
    assert invoke("datasets", "list", "--json") == [made]
    hook = invoke("webhooks", "add", "https://ml.example/hooks/consentry", "--consumer", "2",
                  "--json")
    assert isinstance(hook, dict) and set(hook) == set(NewEndpointOut.model_fields)
    assert invoke("webhooks", "list", "--json") == [
        {k: v for k, v in hook.items() if k != "secret"}]
    invoke("consent", "set", "4", "train-generative", "deny", "--track", "5")
    revised = invoke("withdrawals", "revise", "1", "--json")
    assert isinstance(revised, dict) and set(RevisionOut.model_fields) <= set(revised)
    assert (revised["revision_of"], revised["excluded_track_ids"]) == (1, [5])
    verified = invoke("log", "verify", "--json")
    assert isinstance(verified, dict) and verified["verified"] and verified["entries"] > 0
    today = utcnow().date().isoformat()
    period = ["--from", today, "--to", today, "--json"]
    uses = invoke("usage", "statement", *period)
    assert isinstance(uses, dict) and uses["total"] == len(uses["uses"]) == 1  # Harmattan
    assert set(uses["uses"][0]) == set(UseOut.model_fields)
    paid = invoke("usage", "compensation", "--pool", "100", "--currency", "EUR", *period)
    assert isinstance(paid, dict) and paid["total"] == 100
