"""``consentry datasets``: snapshots of exactly the tracks eligible for one purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import Connection

from consentry.cli.console import err, out, print_json
from consentry.cli.log import context, signing_key
from consentry.cli.options import AtOption, JsonFlag, PurposeArgument
from consentry.datasets.shards import parse_size
from consentry.ledger.records import DATASET_SNAPSHOT
from consentry.operator_files import download_signer
from consentry.services.dataset_export import DEFAULT_SHARD_BYTES, Layout, materialise
from consentry.services.dataset_snapshots import create_snapshot
from consentry.store import parties
from consentry.store import transparency_log as log
from consentry.store.datasets import Snapshot, get_snapshot_by_id, list_snapshots, manifest_path
from consentry.timestamps import parse_instant, utcnow

datasets_app = typer.Typer(help="Dataset snapshots for AI consumers.", no_args_is_help=True)


def snapshot_body(conn: Connection, snapshot: Snapshot, data_dir: Path) -> dict[str, Any]:
    """The API's snapshot body, field for field, and where the manifest is on this machine."""
    entry = log.entry_of(conn, DATASET_SNAPSHOT, snapshot.id)
    return {"id": snapshot.id, "consumer_id": snapshot.consumer_id, "purpose": snapshot.purpose,
            "at": snapshot.at, "created_at": snapshot.created_at, "tracks": snapshot.tracks,
            "manifest_sha256": snapshot.manifest_sha256, "statement": snapshot.statement,
            "log_index": entry.index if entry else None,
            "manifest": str(manifest_path(data_dir, snapshot.id))}


@datasets_app.command("create", epilog="Example: consentry datasets create train-generative "
                                       "--consumer 2 --json")
def create(
    purpose: PurposeArgument,
    consumer: Annotated[int | None, typer.Option(help="The AI consumer it is for")] = None,
    at: AtOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Snapshot the eligible tracks: a manifest, signed with the log's key and logged."""
    settings, engine = context()
    with engine.connect() as conn:
        for_consumer = parties.get_consumer(conn, consumer) if consumer else None
    instant = parse_instant(at) if at else utcnow()
    with err.status(f"deciding the catalogue for '{purpose}' and writing the manifest ..."):
        snapshot = create_snapshot(engine, settings.data_dir, purpose, instant, for_consumer,
                                   settings.log_origin, signing_key(settings), "cli")
    if json_output:
        with engine.connect() as conn:
            print_json(snapshot_body(conn, snapshot, settings.data_dir))
        return
    out.print(f"dataset snapshot {snapshot.id}: {_count(snapshot.tracks, 'track')} eligible for "
              f"'{purpose}' at {snapshot.at:%Y-%m-%d %H:%M:%S} UTC")
    out.print(f"manifest {manifest_path(settings.data_dir, snapshot.id)} "
              f"(sha256 {snapshot.manifest_sha256})", highlight=False, soft_wrap=True)


@datasets_app.command("list", epilog="Example: consentry datasets list --json")
def index(json_output: JsonFlag = False) -> None:
    """Every snapshot taken, oldest first."""
    settings, engine = context()
    with engine.connect() as conn:
        snapshots = list_snapshots(conn)
        if json_output:
            print_json([snapshot_body(conn, s, settings.data_dir) for s in snapshots])
            return
    table = Table(title=f"{len(snapshots)} dataset snapshots")
    for column in ("id", "consumer", "purpose", "at", "tracks", "manifest sha256"):
        table.add_column(column)
    for s in snapshots:
        table.add_row(str(s.id), str(s.consumer_id or "-"), s.purpose,
                      f"{s.at:%Y-%m-%d %H:%M:%S}", str(s.tracks), s.manifest_sha256[:16] + "…")
    out.print(table)


@datasets_app.command("materialise", epilog="Example: consentry datasets materialise 1 "
                                            "./train-set --layout webdataset")
def materialise_snapshot(
    snapshot_id: int,
    out_dir: Annotated[Path, typer.Argument(help="An empty directory, or one to resume")],
    layout: Annotated[Layout, typer.Option(help="A directory of samples, or WebDataset tar "
                                           "shards")] = Layout.DIRECTORY,
    shard_size: Annotated[str, typer.Option(help="About how big each shard grows (500MB, "
                                            "1GiB)")] = f"{DEFAULT_SHARD_BYTES >> 30}GiB",
    json_output: JsonFlag = False,
) -> None:
    """Write the snapshot's recordings, each carrying its rights, with one metadata file per
    sample; tracks withdrawn since the snapshot are left out and listed. Resumable."""
    settings, engine = context()
    shard_bytes = parse_size(shard_size)
    get_snapshot_by_id(engine, snapshot_id)  # before the progress bar: a clear error alone
    base = settings.base_url.rstrip("/")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err,
                  disable=json_output) as bar:
        task = bar.add_task(f"snapshot {snapshot_id}", total=None)
        done = materialise(
            engine, settings.data_dir, snapshot_id, out_dir, layout, base,
            download_signer(settings), shard_bytes,
            progress=lambda n: bar.advance(task, n),
            on_plan=lambda total: bar.update(task, total=total))
    if json_output:
        print_json({"snapshot_id": snapshot_id, "directory": str(out_dir),
                    "layout": layout.value, "samples": done.samples,
                    "files": len(done.files), "bytes_written": done.bytes_written,
                    "kept_from_before": done.kept_from_before,
                    "withdrawn_track_ids": list(done.withdrawn),
                    "unavailable": {str(t): why for t, why in sorted(done.unavailable.items())}})
        return
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
