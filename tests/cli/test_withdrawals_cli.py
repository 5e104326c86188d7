"""``consentry withdrawals`` and ``consentry webhooks``: a withdrawal from the command line,
told to a loopback receiver, acknowledged, revised, and the log still verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from consentry.cli import app
from consentry.store import catalogue, parties
from tests.cli.conftest import runner
from tests.web_server import Site, site  # noqa: F401
from tests.withdrawal_world import (
    GEN,
    snapshot,
    world_fixture,  # noqa: F401  (the "world" fixture)
)

KOFI, HARMATTAN, SOUNDLAB = 4, 5, 2  # from the demo catalogue


@pytest.mark.slow
def test_withdraw_tell_acknowledge_revise(cli_env: dict[str, str], site: Site) -> None:  # noqa: F811
    for args in (["init"], ["demo"]):
        assert runner.invoke(app, args).exit_code == 0
    made = runner.invoke(app, ["datasets", "create", "train-generative", "--consumer",
                               str(SOUNDLAB)])
    assert "dataset snapshot 1: 1 track eligible" in " ".join(made.output.split()), made.output
    site.pages["/hook"] = (204, "text/plain", b"")
    added = runner.invoke(app, ["webhooks", "add", site.url("/hook"), "--consumer",
                                str(SOUNDLAB)])
    assert added.exit_code == 0 and "secret (shown only now): whsec_" in added.output
    assert site.url("/hook") in runner.invoke(app, ["webhooks", "list"]).output

    said = runner.invoke(app, ["consent", "set", str(KOFI), "train-generative", "deny",
                               "--track", str(HARMATTAN)])
    assert said.exit_code == 0, said.output
    assert "withdrew 1 track from 1 dataset snapshot " in said.output
    [withdrawal] = json.loads(runner.invoke(app, ["withdrawals", "list", "--json"]).output)
    assert (withdrawal["snapshot_id"], withdrawal["track_ids"]) == (1, [HARMATTAN])
    assert withdrawal["stage"] == "recorded"

    sent = runner.invoke(app, ["webhooks", "send"])
    assert sent.exit_code == 0 and "delivered 1, failed 0" in sent.output, sent.output
    [request] = [r for r in site.requests if r[0] == "POST"]
    assert json.loads(request[4])["withdrawal_id"] == withdrawal["id"]
    assert "X-Consentry-Signature" in request[5]
    logged = json.loads(runner.invoke(app, ["webhooks", "log", "--json"]).output)
    assert [a["status_code"] for a in logged] == [204]

    wrong = runner.invoke(app, ["withdrawals", "acknowledge", str(withdrawal["id"]),
                                "--consumer", "1"])
    assert wrong.exit_code == 1
    acked = runner.invoke(app, ["withdrawals", "acknowledge", str(withdrawal["id"]),
                                "--consumer", str(SOUNDLAB)])
    assert acked.exit_code == 0, acked.output
    revised = runner.invoke(app, ["withdrawals", "revise", "1"])
    assert "dataset snapshot 2: revision of 1 with 0 tracks, 1 withdrawn left out" in " ".join(
        revised.output.split()), revised.output
    table = runner.invoke(app, ["withdrawals", "list", "--artist", str(KOFI)]).output
    assert "revised" in table
    verified = runner.invoke(app, ["log", "verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.slow
def test_send_owns_up_to_earlier_failures(cli_env: dict[str, str], site: Site) -> None:  # noqa: F811
    """A send that finds nothing due must not say all is well while deliveries keep failing
    (issue 23: "delivered 0, failed 0" beside a log of failed attempts)."""
    for args in (["init"], ["demo"], ["datasets", "create", "train-generative", "--consumer",
                                      str(SOUNDLAB)]):
        assert runner.invoke(app, args).exit_code == 0
    site.pages["/hook"] = (503, "text/plain", b"down")
    assert runner.invoke(app, ["webhooks", "add", site.url("/hook"), "--consumer",
                               str(SOUNDLAB)]).exit_code == 0
    assert runner.invoke(app, ["consent", "set", str(KOFI), "train-generative", "deny",
                               "--track", str(HARMATTAN)]).exit_code == 0
    first = runner.invoke(app, ["webhooks", "send"])
    assert first.exit_code == 1 and "delivered 0, failed 1" in first.output, first.output
    again = runner.invoke(app, ["webhooks", "send"])  # the retry is not due yet
    assert again.exit_code == 1, again.output
    assert "delivered 0, failed 0" in again.output
    assert "undelivered: 1 waiting for a retry" in again.output
    assert "1 failed attempts in all, last: HTTP 503" in again.output
    [waiting] = json.loads(runner.invoke(app, ["webhooks", "send", "--json"]).output)[
        "undelivered"]
    assert (waiting["attempts"], waiting["last_error"]) == (1, "HTTP 503")


def test_a_sweep_prints_the_withdrawals_it_recorded_as_json(
        cli_env: dict[str, str], engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    """The sweep's --json lists whole withdrawals, as ``withdrawals list --json`` does."""
    with engine.begin() as conn:
        label = parties.create_rights_holder(conn, "Northwind").id
        signed = catalogue.create_track(conn, "Signed", world["ada"], rights_holder_id=label).id
    taken = snapshot(engine, tmp_path, world["acme"])
    with engine.begin() as conn:  # stored without the check that entering it runs at once
        agreement = catalogue.create_agreement(conn, label, "No training", frozenset({GEN}))
    swept = runner.invoke(app, ["withdrawals", "sweep", "--json"])
    assert swept.exit_code == 0, swept.output
    [withdrawal] = json.loads(swept.output)
    assert (withdrawal["snapshot_id"], withdrawal["track_ids"]) == (taken.id, [signed])
    assert withdrawal["cause"] == {"kind": "agreement", "id": str(agreement.id)}
    assert withdrawal["consumer_id"] == world["acme"] and withdrawal["stage"] == "recorded"
