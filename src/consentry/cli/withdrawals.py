"""``consentry withdrawals`` and ``consentry webhooks``: where withdrawals stand, acknowledging
them for a consumer, revising a snapshot without its withdrawn tracks, and the webhooks that
tell consumers (registered, sent, and every attempt)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from consentry.cli.console import error, out, print_json
from consentry.cli.datasets import snapshot_body
from consentry.cli.log import context, signing_key
from consentry.cli.options import JsonFlag
from consentry.outbound.webhooks import deliver_due
from consentry.services.snapshot_revisions import create_revision
from consentry.services.withdrawal_causes import withdraw_for_due
from consentry.store import webhooks
from consentry.store.withdrawals import Withdrawal, acknowledge, list_withdrawals
from consentry.timestamps import utcnow

withdrawals_app = typer.Typer(help="Withdrawals: consent changes that reach dataset snapshots.",
                              no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhooks that tell consumers of withdrawals.",
                           no_args_is_help=True)


def _day(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else "-"


def _as_dict(w: Withdrawal) -> dict[str, Any]:
    ack = w.acknowledgement
    return {"id": w.id, "snapshot_id": w.snapshot_id, "consumer_id": w.consumer_id,
            "purpose": w.purpose, "track_ids": list(w.track_ids),
            "cause": {"kind": w.cause[0], "id": w.cause[1]},
            "consent_event_id": w.consent_event_id, "artist_id": w.artist_id,
            "withdrawn_at": w.recorded_at, "log_index": w.log_index, "stage": w.stage,
            "notified_at": w.notified_at, "delivered_at": w.delivered_at,
            "acknowledged_at": ack.at if ack else None, "revision_id": w.revision_id,
            "revised_at": w.revised_at}


def _endpoint(e: webhooks.Endpoint) -> dict[str, Any]:
    """The API's endpoint body."""
    return {"id": e.id, "consumer_id": e.consumer_id, "url": e.url,
            "created_at": e.created_at, "disabled_at": e.disabled_at}


def _cause(w: Withdrawal) -> str:
    kind, ref = w.cause
    return f"artist {w.artist_id} ({kind} {ref})" if w.artist_id is not None else f"{kind} {ref}"


@withdrawals_app.command("list", epilog="Example: consentry withdrawals list --consumer 2 "
                                        "--json")
def index(
    artist: Annotated[int | None, typer.Option(
        help="Caused by this artist's choices, or on tracks they manage")] = None,
    consumer: Annotated[int | None, typer.Option(help="In this consumer's snapshots")] = None,
    snapshot: Annotated[int | None, typer.Option(help="From this snapshot")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every withdrawal and where it stands, oldest first."""
    _settings, engine = context()
    with engine.connect() as conn:
        found = list_withdrawals(conn, consumer_id=consumer, artist_id=artist,
                                 snapshot_id=snapshot)
    if as_json:
        print_json([_as_dict(w) for w in found])
        return
    table = Table(title=f"{len(found)} withdrawals (--json for every date)")
    for column in ("id", "snapshot", "consumer", "tracks", "cause", "withdrawn", "stage"):
        table.add_column(column)
    for w in found:
        stage = w.stage + (f" ({w.revision_id})" if w.revision_id else "")
        table.add_row(str(w.id), str(w.snapshot_id), str(w.consumer_id or "-"),
                      str(len(w.track_ids)), _cause(w), _day(w.recorded_at), stage)
    out.print(table)


@withdrawals_app.command("sweep", epilog="Example: consentry withdrawals sweep --json")
def sweep(as_json: JsonFlag = False) -> None:
    """Withdraw for the agreements and terms versions that came into force since they were
    last checked (the server does this every five minutes)."""
    _settings, engine = context()
    with engine.begin() as conn:
        found = withdraw_for_due(conn)
    if as_json:
        with engine.connect() as conn:
            recorded = list_withdrawals(conn, withdrawal_ids=[w.id for w in found])
        print_json([_as_dict(w) for w in recorded])
        return
    tracks = sum(len(w.track_ids) for w in found)
    out.print(f"{len(found)} withdrawal{'s' * (len(found) != 1)} recorded ({tracks} "
              f"track{'s' * (tracks != 1)}); consumers are told by webhook")


@withdrawals_app.command("acknowledge", epilog="Example: consentry withdrawals acknowledge 1 "
                                               "--consumer 2")
def acknowledge_one(
    withdrawal_id: int,
    consumer: Annotated[int, typer.Option(help="The consumer whose snapshot it is")],
    as_json: JsonFlag = False,
) -> None:
    """Record the consumer's acknowledgement (for a consumer without API access)."""
    _settings, engine = context()
    with engine.begin() as conn:
        w = acknowledge(conn, withdrawal_id, consumer, "cli", utcnow())
    assert w.acknowledgement is not None
    if as_json:
        print_json(_as_dict(w))
        return
    out.print(f"withdrawal {w.id} acknowledged by consumer {consumer} at "
              f"{_day(w.acknowledgement.at)} UTC")


@withdrawals_app.command("revise", epilog="Example: consentry withdrawals revise 1 --json")
def revise(snapshot_id: int, as_json: JsonFlag = False) -> None:
    """A new revision of a snapshot without the tracks withdrawn from it: signed and logged."""
    settings, engine = context()
    revision = create_revision(engine, settings.data_dir, snapshot_id, settings.log_origin,
                               signing_key(settings), "cli")
    if as_json:
        with engine.connect() as conn:
            print_json(snapshot_body(conn, revision.snapshot, settings.data_dir) | {
                "revision_of": revision.revision_of,
                "excluded_track_ids": list(revision.excluded)})
        return
    out.print(f"dataset snapshot {revision.snapshot.id}: revision of {snapshot_id} with "
              f"{revision.snapshot.tracks} tracks, {len(revision.excluded)} withdrawn left out")
    out.print(f"manifest sha256 {revision.snapshot.manifest_sha256}", highlight=False)


@webhooks_app.command("add", epilog="Example: consentry webhooks add "
                                     "https://ml.example/hooks/consentry --consumer 2 --json")
def add(url: str, consumer: Annotated[int, typer.Option(help="The consumer it is for")],
        as_json: JsonFlag = False) -> None:
    """Register an endpoint; prints its secret, which is not shown again."""
    _settings, engine = context()
    with engine.begin() as conn:
        made = webhooks.register_endpoint(conn, consumer, url, utcnow())
    if as_json:
        print_json(_endpoint(made.endpoint) | {"secret": made.secret})
        return
    out.print(f"webhook endpoint {made.endpoint.id} for consumer {consumer}: {made.endpoint.url}",
              highlight=False)
    out.print(f"secret (shown only now): {made.secret}", highlight=False)


@webhooks_app.command("list", epilog="Example: consentry webhooks list --consumer 2 --json")
def list_endpoints(
    consumer: Annotated[int | None, typer.Option(help="This consumer's endpoints")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The registered endpoints (without their secrets)."""
    _settings, engine = context()
    with engine.connect() as conn:
        found = webhooks.list_endpoints(conn, consumer)
    if as_json:
        print_json([_endpoint(e) for e in found])
        return
    table = Table(title=f"{len(found)} webhook endpoints")
    for column in ("id", "consumer", "url", "created", "disabled"):
        table.add_column(column)
    for e in found:
        table.add_row(str(e.id), str(e.consumer_id), escape(e.url), _day(e.created_at),
                      _day(e.disabled_at))
    out.print(table)


@webhooks_app.command("disable", epilog="Example: consentry webhooks disable 1")
def disable(endpoint_id: int, as_json: JsonFlag = False) -> None:
    """Stop deliveries to an endpoint; its delivery log stays."""
    _settings, engine = context()
    with engine.begin() as conn:
        endpoint = webhooks.disable_endpoint(conn, endpoint_id, utcnow())
    if as_json:
        print_json(_endpoint(endpoint))
        return
    out.print(f"webhook endpoint {endpoint.id} disabled at {_day(endpoint.disabled_at)} UTC")


@webhooks_app.command("send", epilog="Example: consentry webhooks send --json")
def send(as_json: JsonFlag = False) -> None:
    """Deliver every due webhook; exit code 1 if any failed now or earlier and is still
    undelivered (they stay for a retry, or were given up)."""
    settings, engine = context()
    report = deliver_due(engine, settings)
    with engine.connect() as conn:
        failing = webhooks.still_failing(conn)
    given_up = [d for d in failing if d.gave_up_at is not None]
    waiting = [d for d in failing if d.gave_up_at is None]
    next_retry = min((d.next_attempt_at for d in waiting), default=None)
    if as_json:
        print_json({"delivered": report.delivered, "failed": report.failed,
                    "errors": report.errors, "next_retry": next_retry,
                    "undelivered": [{"delivery_id": d.id, "endpoint_id": d.endpoint_id,
                                     "withdrawal_id": d.withdrawal_id, "attempts": d.attempts,
                                     "last_error": d.last_error, "given_up": d.gave_up_at}
                                    for d in failing]})
    else:
        out.print(f"delivered {report.delivered}, failed {report.failed}", highlight=False)
        if failing:
            attempts = sum(d.attempts for d in failing)
            out.print(f"undelivered: {len(waiting)} waiting for a retry"
                      + (f" (next {_day(next_retry)} UTC)" if next_retry else "")
                      + f", {len(given_up)} given up; {attempts} failed attempts in all, "
                      f"last: {escape(failing[-1].last_error or '-')} "
                      "(see 'consentry webhooks log')", highlight=False)
    for failure in report.errors:
        error(failure)
    if report.failed or failing:
        raise typer.Exit(1)


@webhooks_app.command("log", epilog="Example: consentry webhooks log --consumer 2 --json")
def attempts(consumer: Annotated[int | None, typer.Option(help="This consumer's endpoints")]
             = None,
             endpoint: Annotated[int | None, typer.Option(help="This endpoint")] = None,
             as_json: JsonFlag = False) -> None:
    """Every delivery attempt: when, which withdrawal, the answer and how long it took."""
    _settings, engine = context()
    with engine.connect() as conn:
        found = webhooks.attempts_of(conn, endpoint_id=endpoint, consumer_id=consumer)
    if as_json:
        print_json([a.__dict__ for a in found])
        return
    table = Table(title=f"{len(found)} delivery attempts")
    for column in ("at", "endpoint", "withdrawal", "status", "ms", "error"):
        table.add_column(column)
    for a in found:
        table.add_row(f"{a.attempted_at:%Y-%m-%d %H:%M:%S}", str(a.endpoint_id),
                      str(a.withdrawal_id), str(a.status_code or "-"), str(a.duration_ms),
                      escape(a.error or ""))
    out.print(table)
