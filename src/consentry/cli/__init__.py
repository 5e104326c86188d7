"""The ``consentry`` command: each command is a few lines that call the core."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import Engine

from consentry import __version__
from consentry.access import Role
from consentry.catalogue_file import plan_catalogue, read_records
from consentry.cli import context
from consentry.cli.catalog import catalog_app
from consentry.cli.catalog import identify as identify_command
from consentry.cli.claims import claims_app
from consentry.cli.datasets import datasets_app
from consentry.cli.invitations import invitations_app
from consentry.cli.log import log_app
from consentry.cli.signals import crawlers_app, signals_app
from consentry.cli.terms import outbox_app, terms_app
from consentry.cli.usage import usage_app
from consentry.cli.withdrawals import webhooks_app, withdrawals_app
from consentry.consent import Choice, ConsentChoice, ConsumerKind
from consentry.errors import ConsentryError, InvalidInput
from consentry.ledger.operator_key import ensure_development_key
from consentry.services import consent_choices
from consentry.services.artist_export import export_artist
from consentry.services.catalogue_import import check_existing, store_catalogue
from consentry.services.decisions import decide_all, decide_track_ids
from consentry.signals.signing_keys import ensure_development_chain
from consentry.store import ledger, parties, tokens
from consentry.store.log_sources import append_missing
from consentry.store.migrate import require_migrated, upgrade
from consentry.store.terms import ensure_baseline_terms
from consentry.store.withdrawals import list_withdrawals
from consentry.timestamps import parse_instant, utcnow

app = typer.Typer(help="consentry: consented AI use of music.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
consent_app = typer.Typer(help="Record and read artists' consent.", no_args_is_help=True)
tokens_app = typer.Typer(help="Issue and revoke API tokens.", no_args_is_help=True)
consumers_app = typer.Typer(help="Register AI consumers.", no_args_is_help=True)
users_app = typer.Typer(help="Web accounts (admins, label staff, artists).", no_args_is_help=True)
app.add_typer(consent_app, name="consent")
app.add_typer(tokens_app, name="tokens")
app.add_typer(consumers_app, name="consumers")
app.add_typer(users_app, name="users")
app.add_typer(invitations_app, name="invitations")
app.add_typer(claims_app, name="claims")
app.add_typer(signals_app, name="signals")
app.add_typer(crawlers_app, name="crawlers")
app.add_typer(log_app, name="log")
app.add_typer(datasets_app, name="datasets")
app.add_typer(withdrawals_app, name="withdrawals")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(terms_app, name="terms")
app.add_typer(outbox_app, name="outbox")
app.add_typer(usage_app, name="usage")
app.add_typer(catalog_app, name="catalog")
app.command("identify")(identify_command)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
AtOption = Annotated[str | None, typer.Option("--at", help="ISO 8601 instant (default: now)")]


def _print_json(value: Any) -> None:
    out.print_json(json.dumps(value, default=str))


def main() -> None:
    """Entry point that turns domain errors into a message and exit code 1."""
    try:
        app()
    except ConsentryError as error:
        err.print(f"[red]error:[/red] {error.message}")
        detail = error.detail if isinstance(error.detail, dict) else {}
        for problem in detail.get("problems", []):
            err.print(f"  {problem}", highlight=False)
        if "valid_purposes" in detail:
            err.print(f"valid purposes: {', '.join(detail['valid_purposes'])}")
        sys.exit(1)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"consentry {__version__}")


@app.command()
def init() -> None:
    """Create the data directory, migrate the database to the newest schema."""
    settings = context.settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = context.engine(migrated=False)
    revision = upgrade(engine)
    with engine.begin() as conn:
        ensure_baseline_terms(conn)
    out.print(f"database {engine.url.render_as_string(hide_password=True)} "
              f"is at schema revision {revision}")
    with engine.begin() as conn:
        logged = append_missing(conn)
    if logged:
        out.print(f"transparency log: appended {logged} records recorded before it existed")
    if settings.environment != "production" and not settings.log_key:
        ensure_development_key(settings.effective_log_key)
        out.print(f"development log key in {settings.effective_log_key} (production sets "
                  "CONSENTRY_LOG_KEY)")
    if settings.environment != "production" and not settings.signing_chain:
        folder = settings.development_signing_dir
        ensure_development_chain(folder)
        out.print(f"development signing chain for downloads in {folder} (not trusted; "
                  "production sets CONSENTRY_SIGNING_CHAIN and CONSENTRY_SIGNING_KEY)")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes")] = None,
) -> None:
    """Serve the web app and API (docs at /docs)."""
    import uvicorn

    settings = context.settings()
    require_migrated(context.engine(migrated=False))
    host, port = host or settings.host, port or settings.port
    out.print(f"serving on http://{host}:{port} (API docs at http://{host}:{port}/docs)")
    uvicorn.run("consentry.web.app:create_default_app", factory=True, host=host, port=port,
                workers=workers or settings.workers, log_level="info")


@app.command("import")
def import_catalogue(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[str | None, typer.Option(help="csv, json or jsonl (default: suffix)")]
    = None,
    json_output: JsonFlag = False,
) -> None:
    """Import artists, rights holders, agreements and tracks; all rows or none."""
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "json", "jsonl"):
        raise InvalidInput(f"cannot tell the format of {path.name}: use --format csv|json|jsonl")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path} is not UTF-8 text") from error
    unit = "record" if fmt == "json" else "line"
    plan = plan_catalogue(read_records(text, fmt), unit)
    engine = context.engine()
    with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=json_output) as bar:
        task = bar.add_task("import", total=plan.size)
        with engine.begin() as conn:
            check_existing(conn, plan, unit)
            summary = store_catalogue(conn, plan, lambda n: bar.advance(task, n))
    if json_output:
        _print_json(summary.__dict__ | {"file": str(path)})
        return
    out.print(f"imported {path}: {summary.artists} artists, {summary.rights_holders} rights "
              f"holders, {summary.agreements} agreements, {summary.tracks} tracks")


@consent_app.command("set")
def consent_set(
    artist_id: int, purpose: str,
    choice: Annotated[Choice, typer.Argument(help="allow or deny")],
    track: Annotated[int | None, typer.Option(help="One track (default: all tracks)")] = None,
    source: Annotated[str, typer.Option(help="Where the choice came from")] = "cli",
    json_output: JsonFlag = False,
) -> None:
    """Append a consent event for an artist (all their tracks, or one)."""
    with context.engine().begin() as conn:
        event = consent_choices.record_choice(conn, ConsentChoice(
            artist_id, purpose, choice, track, source=source,
            recorded_by=f"cli:{os.environ.get('USER', 'unknown')}"))
        caused = list_withdrawals(conn, consent_event_id=event.id)
    if json_output:
        _print_json(event.__dict__ | {"withdrawal_ids": [w.id for w in caused]})
        return
    where = f"track {track}" if track else "all their tracks"
    out.print(f"recorded event {event.id}: artist {artist_id} {choice.value} '{purpose}' "
              f"for {where} (terms version {event.terms_version})")
    if caused:
        tracks = sum(len(w.track_ids) for w in caused)
        out.print(f"withdrew {tracks} track{'s' * (tracks != 1)} from {len(caused)} dataset "
                  f"snapshot{'s' * (len(caused) != 1)} (see 'consentry withdrawals list')")


@consent_app.command("show")
def consent_show(artist_id: int, at: AtOption = None, json_output: JsonFlag = False) -> None:
    """What the artist last said per scope and purpose (at an instant, default now)."""
    instant = parse_instant(at) if at else utcnow()
    with context.engine().connect() as conn:
        parties.get_artist(conn, artist_id)
        events = ledger.events_of(conn, [artist_id], until=instant)
    latest = {(e.track_id, e.purpose): e for e in events}
    rows = sorted(latest.values(), key=lambda e: (e.track_id or 0, e.purpose))
    if json_output:
        _print_json([e.__dict__ for e in rows])
        return
    table = Table(title=f"consent of artist {artist_id} at {instant:%Y-%m-%d %H:%M:%S} UTC")
    for column in ("scope", "purpose", "choice", "since", "event"):
        table.add_column(column)
    for e in rows:
        table.add_row("all tracks" if e.track_id is None else f"track {e.track_id}", e.purpose,
                      e.choice.value, f"{e.recorded_at:%Y-%m-%d %H:%M}", str(e.id))
    out.print(table if rows else f"artist {artist_id} has recorded no choices: "
              "platform defaults apply")


@consent_app.command("history")
def consent_history(artist_id: int, json_output: JsonFlag = False) -> None:
    """Every consent event of the artist, oldest first."""
    with context.engine().connect() as conn:
        parties.get_artist(conn, artist_id)
        events = ledger.events_of(conn, [artist_id])
    if json_output:
        _print_json([e.__dict__ for e in events])
        return
    table = Table(title=f"consent history of artist {artist_id}")
    for column in ("event", "recorded at", "scope", "purpose", "choice", "terms", "source"):
        table.add_column(column)
    for e in events:
        table.add_row(str(e.id), f"{e.recorded_at:%Y-%m-%d %H:%M:%S}",
                      "all tracks" if e.track_id is None else f"track {e.track_id}",
                      e.purpose, e.choice.value, e.terms_version, e.source)
    out.print(table)


@app.command()
def decide(
    purpose: str,
    track_ids: Annotated[list[int] | None, typer.Argument(help="Track ids")] = None,
    all_tracks: Annotated[bool, typer.Option("--all", help="Every track of the catalogue")]
    = False,
    consumer: Annotated[int | None, typer.Option(help="Decide for this AI consumer")] = None,
    output: Annotated[Path | None, typer.Option(help="With --all: write .parquet or .csv")]
    = None,
    at: AtOption = None,
    json_output: JsonFlag = False,
) -> None:
    """May tracks be used for PURPOSE? One or more tracks with reasons, or --all at once."""
    instant = parse_instant(at) if at else utcnow()
    engine = context.engine()
    with engine.connect() as conn:
        who = parties.get_consumer(conn, consumer) if consumer is not None else None
    if all_tracks:
        _decide_all(engine, purpose, instant, who, output, json_output)
        return
    if not track_ids:
        raise InvalidInput("name one or more track ids, or use --all")
    with engine.connect() as conn:
        decisions, unknown = decide_track_ids(conn, track_ids, purpose, instant, who)
    if json_output:
        _print_json({"decisions": [d.__dict__ | {"reasons": [r.__dict__ for r in d.reasons]}
                                   for d in decisions], "unknown_track_ids": unknown})
    for d in [] if json_output else decisions:
        verdict = "[green]ALLOW[/green]" if d.allowed else "[red]DENY[/red]"
        out.print(f"track {d.track_id} · {purpose}: {verdict} ({d.rule.value})")
        for reason in d.reasons:
            out.print(f"  - {reason.summary}")
    if unknown:
        err.print(f"[red]no such track(s): {', '.join(map(str, unknown))}[/red]")
        raise typer.Exit(1)


def _decide_all(engine: Engine, purpose: str, instant: Any, who: Any, output: Path | None,
                json_output: bool) -> None:
    result = decide_all(engine, purpose, instant, who)
    allowed = int(result.allowed.sum())
    summary: dict[str, Any] = {"purpose": purpose, "at": instant.isoformat(),
                               "tracks": len(result.track_id), "allowed": allowed,
                               "denied": len(result.track_id) - allowed}
    counts: dict[str, int] = {}
    for rule in result.rules():
        counts[rule.value] = counts.get(rule.value, 0) + 1
    summary["by_rule"] = counts
    if output is not None:
        table = result.to_arrow()
        if output.suffix == ".csv":
            import pyarrow.csv as pacsv
            pacsv.write_csv(table, output)
        else:
            import pyarrow.parquet as pq
            pq.write_table(table, output, compression="zstd")
        summary["output"] = str(output)
    if json_output:
        _print_json(summary)
        return
    out.print(f"{purpose} at {instant:%Y-%m-%d %H:%M:%S} UTC: {allowed} of "
              f"{summary['tracks']} tracks allowed")
    for rule, count in counts.items():
        out.print(f"  {rule}: {count}")
    if output is not None:
        out.print(f"wrote {output}")


@app.command()
def export(
    artist_id: int,
    output: Annotated[Path | None, typer.Option("--out", help="File (default: stdout)")] = None,
) -> None:
    """Everything recorded about one artist's consent, as JSON."""
    with context.engine().connect() as conn:
        document = export_artist(conn, artist_id)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if output is None:
        sys.stdout.write(text + "\n")
        return
    output.write_text(text + "\n", encoding="utf-8")
    err.print(f"wrote {output} ({len(document['consent_events'])} events, "
              f"{len(document['tracks'])} tracks)")


@tokens_app.command("create")
def tokens_create(
    role: Annotated[Role, typer.Option(help="admin, artist, rights_holder or consumer")],
    subject: Annotated[int | None, typer.Option(help="Id of the artist/label/consumer")] = None,
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    ttl_days: Annotated[int, typer.Option(min=1, max=3650)] = 90,
    purpose: Annotated[list[str] | None, typer.Option(help="Narrow a consumer's scope")]
    = None,
    json_output: JsonFlag = False,
) -> None:
    """Issue a token; its secret is printed once and only its hash is kept."""
    with context.engine().begin() as conn:
        issued = tokens.create_token(conn, context.settings().secret_key, name, role, subject,
                                     timedelta(days=ttl_days),
                                     frozenset(purpose) if purpose else None)
    if json_output:
        _print_json(issued.__dict__)
        return
    err.print(f"token {issued.id} ({role.value}{f' {subject}' if subject else ''}), expires "
              f"{issued.expires_at:%Y-%m-%d}; it is shown only now:")
    out.print(issued.secret, highlight=False)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token: it is refused from now on."""
    with context.engine().begin() as conn:
        when = tokens.revoke_token(conn, token_id)
    out.print(f"token {token_id} revoked at {when:%Y-%m-%d %H:%M:%S} UTC")


@tokens_app.command("list")
def tokens_list(json_output: JsonFlag = False) -> None:
    """Tokens (never their secrets)."""
    with context.engine().connect() as conn:
        rows = tokens.list_tokens(conn)
    if json_output:
        _print_json(rows)
        return
    table = Table(title="API tokens")
    for column in ("id", "name", "role", "subject", "expires", "revoked"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), str(r["name"]), str(r["role"]), str(r["subject_id"] or ""),
                      str(r["expires_at"])[:10], str(r["revoked_at"] or "")[:19])
    out.print(table)


@consumers_app.command("create")
def consumers_create(
    name: str,
    purpose: Annotated[list[str], typer.Option(help="A purpose in its scope (repeat)")],
    organisation: Annotated[str | None, typer.Option(help="Third parties: company slug")]
    = None,
    datasets_only: Annotated[bool, typer.Option(
        "--datasets-only", help="Every use must come from one of its own dataset snapshots")]
    = False,
    json_output: JsonFlag = False,
) -> None:
    """Register an AI consumer; with --organisation it is a third party."""
    kind = ConsumerKind.THIRD_PARTY if organisation else ConsumerKind.INTERNAL
    with context.engine().begin() as conn:
        consumer = parties.create_consumer(conn, name, frozenset(purpose), kind, organisation,
                                           datasets_only)
    if json_output:
        _print_json(consumer.__dict__)
        return
    out.print(f"consumer {consumer.id}: {consumer.name} ({kind.value}), purposes "
              f"{', '.join(sorted(consumer.purposes))}"
              + ("; uses only its dataset snapshots" if datasets_only else ""))


@users_app.command("create")
def users_create(
    email: str,
    role: Annotated[Role, typer.Option(help="admin, artist or rights_holder")],
    name: Annotated[str, typer.Option(help="Display name")],
    rights_holder: Annotated[int | None, typer.Option(help="Label staff: the rights holder")]
    = None,
    artist: Annotated[int | None, typer.Option(help="Artists: an existing artist record")]
    = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          envvar="CONSENTRY_NEW_PASSWORD")] = "",
) -> None:
    """Create a web account; the password is asked for (or read from CONSENTRY_NEW_PASSWORD)."""
    from consentry.store.accounts import create_user

    with context.engine().begin() as conn:
        user = create_user(conn, email, password, name, role, artist_id=artist,
                           rights_holder_id=rights_holder)
    out.print(f"account {user.id}: {user.email} ({user.role.value})")


@app.command()
def demo(json_output: JsonFlag = False) -> None:
    """Seed the demo catalogue (once) and issue fresh demo tokens."""
    from consentry.demo import is_seeded, issue_demo_tokens, seed_demo
    from consentry.demo.audio import attach_demo_recordings
    from consentry.demo.content_id import seed_demo_claim
    from consentry.demo.terms import seed_first_terms, seed_new_terms

    settings = context.settings()
    engine = context.engine()
    with engine.begin() as conn:
        seeded_now = not is_seeded(conn)
        if seeded_now:
            seed_first_terms(conn, settings.notice_days, settings.base_url)
            seed_demo(conn)
            attach_demo_recordings(conn, settings)
            seed_demo_claim(conn, settings)
            seed_new_terms(conn, settings.notice_days, settings.base_url)
        demo_tokens = issue_demo_tokens(conn, settings.secret_key)
    secrets = {k: v.secret for k, v in demo_tokens.__dict__.items()}
    path = settings.data_dir / "demo-tokens.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(secrets, indent=2) + "\n")
    path.chmod(0o600)
    if json_output:
        _print_json(secrets)
        return
    out.print("seeded the demo catalogue" if seeded_now else "demo catalogue already present")
    from consentry.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    out.print(f"web logins (password '{DEMO_PASSWORD}'): "
              + ", ".join(email for email, *_ in DEMO_ACCOUNTS))
    out.print(f"demo tokens written to {path}:")
    for role, secret in secrets.items():
        out.print(f"  {role:22} {secret}", highlight=False)
