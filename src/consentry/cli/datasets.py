"""``consentry datasets``: snapshots of exactly the tracks eligible for one purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from consentry.cli.log import context, signing_key
from consentry.datasets.shards import parse_size
from consentry.operator_files import download_signer
from consentry.services.dataset_export import DEFAULT_SHARD_BYTES, Layout, materialise
from consentry.services.dataset_snapshots import create_snapshot
from consentry.store import parties
from consentry.store.datasets import get_snapshot_by_id, list_snapshots, manifest_path
from consentry.timestamps import parse_instant, utcnow

datasets_app = typer.Typer(help="Dataset snapshots for AI consumers.", no_args_is_help=True)
out = Console(soft_wrap=True)


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
    out.print(f"dataset snapshot {snapshot.id}: {_count(snapshot.tracks, 'track')} eligible for "
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


@datasets_app.command("materialise")
def materialise_snapshot(
    snapshot_id: int,
    out_dir: Annotated[Path, typer.Argument(help="An empty directory, or one to resume")],
    layout: Annotated[Layout, typer.Option(help="A directory of samples, or WebDataset tar "
                                           "shards")] = Layout.DIRECTORY,
    shard_size: Annotated[str, typer.Option(help="About how big each shard grows (500MB, "
                                            "1GiB)")] = f"{DEFAULT_SHARD_BYTES >> 30}GiB",
) -> None:
    """Write the snapshot's recordings, each carrying its rights, with one metadata file per
    sample; tracks withdrawn since the snapshot are left out and listed. Resumable."""
    settings, engine = context()
    shard_bytes = parse_size(shard_size)
    get_snapshot_by_id(engine, snapshot_id)  # before the progress bar: a clear error alone
    base = settings.base_url.rstrip("/")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=out) as bar:
        task = bar.add_task(f"snapshot {snapshot_id}", total=None)
        done = materialise(
            engine, settings.data_dir, snapshot_id, out_dir, layout, base,
            download_signer(settings), shard_bytes,
            progress=lambda n: bar.advance(task, n),
            on_plan=lambda total: bar.update(task, total=total))
    kind = "shard" if layout is Layout.WEBDATASET else "sample"
    out.print(f"snapshot {snapshot_id}: {_count(done.samples, 'sample')} in {out_dir} "
              f"({layout.value}, {_count(len(done.files), kind)}, {done.bytes_written:,} bytes "
              "written" + (f", {_count(done.kept_from_before, kind)} kept from an earlier run"
                           if done.kept_from_before else "") + ")",
              highlight=False, soft_wrap=True)
    if done.withdrawn:
        out.print(f"left out, consent withdrawn since the snapshot: tracks "
                  f"{', '.join(map(str, done.withdrawn))}", highlight=False)
    for track_id, why in sorted(done.unavailable.items()):
        out.print(f"left out, track {track_id}: {why}", highlight=False)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
