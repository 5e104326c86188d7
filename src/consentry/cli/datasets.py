"""``consentry datasets``: snapshots of exactly the tracks eligible for one purpose."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from consentry.cli.log import context, signing_key
from consentry.store import parties
from consentry.store.datasets import create_snapshot, list_snapshots, manifest_path
from consentry.timestamps import parse_instant, utcnow

datasets_app = typer.Typer(help="Dataset snapshots for AI consumers.", no_args_is_help=True)
out = Console()


@datasets_app.command("create")
def create(
    purpose: str,
    consumer: Annotated[int | None, typer.Option(help="The AI consumer it is for")] = None,
    at: Annotated[str | None, typer.Option(help="ISO 8601 instant (default: now)")] = None,
) -> None:
    """Snapshot the eligible tracks: a manifest, signed with the log's key and logged."""
    settings, engine = context()
    with engine.connect() as conn:
        for_consumer = parties.get_consumer(conn, consumer) if consumer else None
    instant = parse_instant(at) if at else utcnow()
    with out.status(f"deciding the catalogue for '{purpose}' and writing the manifest ..."):
        snapshot = create_snapshot(engine, settings.data_dir, purpose, instant, for_consumer,
                                   settings.log_origin, signing_key(settings), "cli")
    out.print(f"dataset snapshot {snapshot.id}: {snapshot.tracks} tracks eligible for "
              f"'{purpose}' at {snapshot.at:%Y-%m-%d %H:%M:%S} UTC")
    out.print(f"manifest {manifest_path(settings.data_dir, snapshot.id)} "
              f"(sha256 {snapshot.manifest_sha256})", highlight=False, soft_wrap=True)


@datasets_app.command("list")
def index() -> None:
    """Every snapshot taken, oldest first."""
    _settings, engine = context()
    with engine.connect() as conn:
        snapshots = list_snapshots(conn)
    table = Table(title=f"{len(snapshots)} dataset snapshots")
    for column in ("id", "consumer", "purpose", "at", "tracks", "manifest sha256"):
        table.add_column(column)
    for s in snapshots:
        table.add_row(str(s.id), str(s.consumer_id or "-"), s.purpose,
                      f"{s.at:%Y-%m-%d %H:%M:%S}", str(s.tracks), s.manifest_sha256[:16] + "…")
    out.print(table)
