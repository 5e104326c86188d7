"""``consentry backup`` and ``consentry restore``: the database, the data directory's files and
the signing keys, together, with a manifest of checksums (docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from consentry.cli import context
from consentry.cli.console import out, print_json
from consentry.cli.options import JsonFlag

commands = typer.Typer()


@commands.command(epilog="Example: consentry backup /backups/consentry-2026-12-04")
def backup(
    destination: Annotated[Path, typer.Argument(help="A new (or empty) directory")],
    json_output: JsonFlag = False,
) -> None:
    """Back up the database (online: the server may keep running), the data directory's
    files and the signing keys, with a manifest of checksums."""
    from consentry.store.backup import backup as make_backup

    settings = context.settings()
    context.engine()  # refuses a database that is missing or not migrated
    report = make_backup(settings.effective_database_url, settings.data_dir,
                         settings.development_signing_dir, destination)
    if json_output:
        print_json({"backup": str(report.path), "database": report.database,
                    "files": report.files, "keys": report.keys})
        return
    out.print(f"backup in {report.path}: the {report.database} database, {report.files} "
              f"files and {'the signing keys' if report.keys else 'NO signing keys'}",
              highlight=False, soft_wrap=True)
    if not report.keys:
        out.print(f"the keys are not in {settings.development_signing_dir}: keep a copy of "
                  "the file CONSENTRY_LOG_KEY names with this backup", highlight=False)


@commands.command(epilog="Example: CONSENTRY_DATA_DIR=/srv/consentry consentry restore "
                         "/backups/consentry-2026-12-04")
def restore(
    source: Annotated[Path, typer.Argument(help="A directory 'consentry backup' made")],
    json_output: JsonFlag = False,
) -> None:
    """Restore a backup into an empty data directory and an empty database; the backup is
    checked whole (checksums, signing keys) before anything is written."""
    from consentry.store.backup import restore as put_back

    settings = context.settings()
    report = put_back(source, settings.effective_database_url, settings.data_dir,
                      settings.development_signing_dir)
    if json_output:
        print_json({"restored": str(report.path), "database": report.database,
                    "files": report.files})
        return
    out.print(f"restored the {report.database} database, {report.files} files and the "
              f"signing keys into {report.path}; check it with 'consentry log verify'",
              highlight=False, soft_wrap=True)
