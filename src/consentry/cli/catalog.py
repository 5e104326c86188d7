"""``consentry catalog ingest`` and ``consentry identify``: content identification from the
command line (a rights holder's reference recordings in bulk; what a file contains)."""

from __future__ import annotations

import os
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

from consentry.cli import context
from consentry.cli.console import err, out, print_json
from consentry.cli.options import JsonFlag
from consentry.cli.server_client import ServerOption, TokenOption, post_file

catalog_app = typer.Typer(help="Rights holders' reference recordings.", no_args_is_help=True)
commands = typer.Typer()


@catalog_app.command("ingest", epilog="Example: consentry catalog ingest ./northwind "
                                      "--rights-holder 1 --workers 2")
def ingest(
    directory: Annotated[Path, typer.Argument(help="Folder of recordings (searched deeply)")],
    rights_holder: Annotated[int, typer.Option("--rights-holder", help="Whose recordings")],
    workers: Annotated[int, typer.Option(min=1, help="Fingerprinting processes")] = max(
        1, min(8, os.cpu_count() or 1)),
    batch: Annotated[int, typer.Option(min=1, help="Recordings committed at once")] = 50,
    json_output: JsonFlag = False,
) -> None:
    """Register a rights holder's reference recordings: new files are fingerprinted in
    parallel; files already registered (same content) are skipped, so an interrupted run can
    simply be started again; bad files are reported and do not stop the run."""
    from consentry.services.reference_ingest import ingest_references

    settings, engine = context.settings(), context.engine()
    with Progress(TextColumn("fingerprinting"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err,
                  disable=json_output) as bar:
        task = bar.add_task("ingest", total=None)
        report = ingest_references(
            engine, directory, rights_holder, workers=workers, batch=batch,
            max_seconds=settings.max_audio_seconds,
            progress=lambda done, total: bar.update(task, completed=done, total=total))
    if json_output:
        print_json(report.as_dict())
        return
    out.print(f"rights holder {rights_holder}: {report.added} recordings added "
              f"({report.seconds_of_audio / 3600:.2f} hours), {report.skipped} already "
              f"registered, {len(report.failed)} failed", soft_wrap=True, highlight=False)
    for file, reason in report.failed:
        out.print(f"  failed: {file}: {reason}", highlight=False, soft_wrap=True)


@catalog_app.command("references", epilog="Example: consentry catalog references "
                                          "--rights-holder 1 --json")
def references(
    rights_holder: Annotated[int, typer.Option("--rights-holder", help="Whose recordings")],
    json_output: JsonFlag = False,
) -> None:
    """List a rights holder's reference recordings (the ids ``remove-reference`` takes)."""
    from consentry.store.parties import get_rights_holder
    from consentry.store.reference_recordings import list_references

    with context.engine().connect() as conn:
        get_rights_holder(conn, rights_holder)
        found = list_references(conn, rights_holder, limit=1_000_000)
    if json_output:
        print_json([{"id": r.id, "title": r.title, "isrc": r.isrc,
                     "audio_sha256": r.audio_sha256, "seconds": r.duration_ms / 1000}
                    for r in found])
        return
    table = Table(title=f"rights holder {rights_holder}: {len(found)} reference recordings")
    for column in ("id", "title", "ISRC", "seconds", "SHA-256"):
        table.add_column(column)
    for r in found:
        table.add_row(str(r.id), r.title, r.isrc or "-", f"{r.duration_ms / 1000:.1f}",
                      r.audio_sha256[:12])
    out.print(table)


@catalog_app.command("remove-reference", epilog="Example: consentry catalog remove-reference "
                                                "7 --rights-holder 1")
def remove_reference_command(
    reference_id: Annotated[int, typer.Argument(help="The reference recording's id")],
    rights_holder: Annotated[int | None, typer.Option(
        "--rights-holder", help="Only if it is this holder's (a guard against a wrong id)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Remove a reference recording: identification stops finding it, and the claims that
    rest on it are released (reason "reference removed"); the claims stay on record."""
    from consentry.store.reference_recordings import remove_reference

    with context.engine().begin() as conn:
        removed = remove_reference(conn, reference_id, f"cli:{os.environ.get('USER', 'unknown')}",
                                   rights_holder_id=rights_holder)
    reference, released = removed.reference, [c.id for c in removed.released]
    if json_output:
        print_json({"removed": reference.id, "title": reference.title,
                    "rights_holder_id": reference.rights_holder_id,
                    "released_claims": released})
        return
    out.print(f"removed reference recording {reference.id} ({reference.title!r}) of rights "
              f"holder {reference.rights_holder_id}; {len(released)} claims released"
              + (f": {', '.join(map(str, released))}" if released else ""),
              soft_wrap=True, highlight=False)


@commands.command(epilog="Example: consentry identify generated-track.mp3 --json\n\n"
                           "Example: CONSENTRY_TOKEN=cst_... consentry identify take.wav "
                           "--server http://127.0.0.1:8000")
def identify(
    file: Annotated[Path, typer.Argument(help="An audio file (WAV, FLAC, Ogg, MP3, M4A, ...)",
                                         exists=True, dir_okay=False, readable=True)],
    server: ServerOption = None,
    token: TokenOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Which catalogue tracks and reference recordings the file contains: where, how much,
    how sure. Also how a generated track is checked for replication. With --server, a
    running server answers (fast: its index is loaded); else the data directory is read."""
    found = post_file(server, token, "/v1/identify", file) if server else _identify_here(file)
    if json_output:
        print_json(found)
        return
    matches, seconds = found["matches"], found["seconds"]
    if not matches:
        out.print(f"{file}: no catalogue recording found in {seconds:.1f} s",
                  soft_wrap=True, highlight=False)
        return
    table = Table(title=f"{file}: {len(matches)} matches in {seconds:.1f} s")
    for column in ("recording", "title", "rights holder", "in file", "in recording",
                   "seconds", "confidence", "significance", "speed"):
        table.add_column(column)
    for m in matches:
        table.add_row(m["recording"], m["title"], str(m["rights_holder_id"] or "-"),
                      f"{m['query_start']:.1f} s", f"{m['recording_start']:.1f} s",
                      f"{m['matched_seconds']:.1f}", f"{m['confidence']:.2f}",
                      f"{m['significance']:.1f}", f"{m['speed']:.3f}")
    out.print(table)


def _identify_here(file: Path) -> dict[str, Any]:
    """What ``POST /v1/identify`` answers, computed from the data directory in process."""
    from consentry.audio.fingerprint import fingerprint_file
    from consentry.services.identification import identify as identify_peaks
    from consentry.store.catalogue_index import INDEX_SNAPSHOT, CatalogueIndex

    settings, engine = context.settings(), context.engine()
    fingerprint = fingerprint_file(file, settings.max_audio_seconds)
    with engine.connect() as conn:
        index = CatalogueIndex(settings.data_dir / INDEX_SNAPSHOT)
        found = identify_peaks(conn, index, fingerprint.peaks)
    return {"seconds": round(fingerprint.seconds, 2), "matches": [f.as_dict() for f in found]}
