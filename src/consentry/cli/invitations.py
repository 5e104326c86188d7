"""``consentry invitations``: shares offered to an artist, and the artist's answer as the
operator records it (the artist answers themselves in the app or through the API)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from consentry.cli import context
from consentry.cli.console import out, print_json
from consentry.cli.options import JsonFlag
from consentry.services import share_invitations
from consentry.store import catalogue, parties

invitations_app = typer.Typer(help="Shares offered to artists, and their answers.",
                              no_args_is_help=True)


@invitations_app.command("list", epilog="Example: consentry invitations list 2 --json")
def list_invitations(artist_id: int, json_output: JsonFlag = False) -> None:
    """The artist's shares that do not count yet: never answered, or declined."""
    with context.engine().connect() as conn:
        parties.get_artist(conn, artist_id)
        found = catalogue.invitations_of(conn, artist_id)
    if json_output:
        print_json([{
            "track_id": i.track.id, "title": i.track.title, "managing_artist": i.managing_artist,
            "percent": i.basis_points / 100, "since": i.since, "declined": i.declined}
            for i in found])
        return
    if not found:
        out.print(f"artist {artist_id} has no open invitations")
        return
    table = Table(title=f"shares offered to artist {artist_id}")
    for column in ("track", "title", "managing artist", "share", "since", "state"):
        table.add_column(column)
    for i in found:
        table.add_row(str(i.track.id), i.track.title, i.managing_artist,
                      f"{i.basis_points / 100:g}%", f"{i.since:%Y-%m-%d}",
                      "declined" if i.declined else "not answered")
    out.print(table)


@invitations_app.command("answer", epilog="Example: consentry invitations answer 7 2 --accept "
                                          "--source \"signed split sheet\"")
def answer(
    track_id: int, artist_id: int,
    accept: Annotated[bool, typer.Option("--accept/--decline", help="The artist's answer")],
    source: Annotated[str, typer.Option(help="Where the artist gave it (e.g. a signed form)")],
    json_output: JsonFlag = False,
) -> None:
    """Record an artist's answer to their share of a track, as they gave it to the operator."""
    by = f"cli:{os.environ.get('USER', 'unknown')} for artist {artist_id} ({source})"
    with context.engine().begin() as conn:
        given = share_invitations.answer_invitation(conn, track_id, artist_id, accept, by)
    if json_output:
        print_json({"id": given.id, "track_id": given.track_id, "artist_id": given.artist_id,
                    "accepted": given.accepted, "at": given.at})
        return
    verb = "accepted" if given.accepted else "declined"
    out.print(f"artist {artist_id} {verb} their share of track {track_id}; recorded as answer "
              f"{given.id} in the transparency log")
