"""``consentry purposes``, ``consentry consent`` and ``consentry export``: the vocabulary, an
artist's choices recorded and read, and everything about one artist as one document."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer
from rich.table import Table

from consentry.cli import context
from consentry.cli.console import err, out, print_json
from consentry.cli.options import (
    AtOption,
    DeprecatedOut,
    JsonFlag,
    OutputFile,
    PurposeArgument,
    output_file,
)
from consentry.consent import Choice, ConsentChoice
from consentry.purposes import THIRD_PARTY_TRAINING, VOCABULARY
from consentry.services import consent_choices
from consentry.services.artist_export import export_artist
from consentry.store import ledger, parties
from consentry.store.withdrawals import list_withdrawals
from consentry.timestamps import parse_instant, utcnow

consent_app = typer.Typer(help="Record and read artists' consent.", no_args_is_help=True)
commands = typer.Typer()


@commands.command(epilog="Example: consentry purposes --json")
def purposes(json_output: JsonFlag = False) -> None:
    """The AI uses an artist can allow or deny, broadest first: the PURPOSE every command
    takes."""
    rows = [{"id": p.id, "label": p.label, "parent": p.parent, "training": p.training,
             "default_allowed": p.default_allowed, "explicit_opt_in": p.explicit_opt_in,
             "description": p.description} for p in VOCABULARY]
    if json_output:
        print_json(rows)
        return
    table = Table(title="purposes", caption=f"{THIRD_PARTY_TRAINING}:COMPANY narrows "
                                            "third-party training to one company")
    for column in ("purpose", "within", "by default", "what it covers"):
        table.add_column(column)
    for p in VOCABULARY:
        default = "allowed" if p.default_allowed else "denied"
        table.add_row(p.id, p.parent or "-", default + (", needs its own yes"
                                                         if p.explicit_opt_in else ""),
                      p.description)
    out.print(table)


@consent_app.command("set", epilog="Example: consentry consent set 4 train-generative deny "
                                   "--track 5")
def consent_set(
    artist_id: int, purpose: PurposeArgument,
    choice: Annotated[Choice, typer.Argument(
        help="allow, deny, or clear (forget the choice at this scope: the broader choice or "
             "the default decides again)")],
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
        print_json(event.__dict__ | {"withdrawal_ids": [w.id for w in caused]})
        return
    where = f"track {track}" if track else "all their tracks"
    out.print(f"recorded event {event.id}: artist {artist_id} {choice.value} '{purpose}' "
              f"for {where} (terms version {event.terms_version})")
    if caused:
        tracks = sum(len(w.track_ids) for w in caused)
        out.print(f"withdrew {tracks} track{'s' * (tracks != 1)} from {len(caused)} dataset "
                  f"snapshot{'s' * (len(caused) != 1)} (see 'consentry withdrawals list')")


@consent_app.command("show", epilog="Example: consentry consent show 1 --at 2026-01-01")
def consent_show(artist_id: int, at: AtOption = None, json_output: JsonFlag = False) -> None:
    """What the artist last said per scope and purpose (at an instant, default now)."""
    instant = parse_instant(at) if at else utcnow()
    with context.engine().connect() as conn:
        parties.get_artist(conn, artist_id)
        events = ledger.events_of(conn, [artist_id], until=instant)
    latest = {(e.track_id, e.purpose): e for e in events}
    rows = sorted(latest.values(), key=lambda e: (e.track_id or 0, e.purpose))
    if json_output:
        print_json([e.__dict__ for e in rows])
        return
    table = Table(title=f"consent of artist {artist_id} at {instant:%Y-%m-%d %H:%M:%S} UTC")
    for column in ("scope", "purpose", "choice", "since", "event"):
        table.add_column(column)
    for e in rows:
        table.add_row("all tracks" if e.track_id is None else f"track {e.track_id}", e.purpose,
                      e.choice.value, f"{e.recorded_at:%Y-%m-%d %H:%M}", str(e.id))
    out.print(table if rows else f"artist {artist_id} has recorded no choices: "
              "platform defaults apply")


@consent_app.command("history", epilog="Example: consentry consent history 1 --json")
def consent_history(artist_id: int, json_output: JsonFlag = False) -> None:
    """Every consent event of the artist, oldest first."""
    with context.engine().connect() as conn:
        parties.get_artist(conn, artist_id)
        events = ledger.events_of(conn, [artist_id])
    if json_output:
        print_json([e.__dict__ for e in events])
        return
    table = Table(title=f"consent history of artist {artist_id}")
    for column in ("event", "recorded at", "scope", "purpose", "choice", "terms", "source"):
        table.add_column(column)
    for e in events:
        table.add_row(str(e.id), f"{e.recorded_at:%Y-%m-%d %H:%M:%S}",
                      "all tracks" if e.track_id is None else f"track {e.track_id}",
                      e.purpose, e.choice.value, e.terms_version, e.source)
    out.print(table)


@commands.command(epilog="Example: consentry export 1 --output mara.json")
def export(artist_id: int, output: OutputFile = None, out_: DeprecatedOut = None) -> None:
    """Everything recorded about one artist's consent, as JSON (the artist's own download)."""
    output = output_file(output, out_)
    with context.engine().connect() as conn:
        document = export_artist(conn, artist_id)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if output is None:
        sys.stdout.write(text + "\n")
        return
    output.write_text(text + "\n", encoding="utf-8")
    err.print(f"wrote {output} ({len(document['consent_events'])} events, "
              f"{len(document['tracks'])} tracks)", highlight=False)
