"""The options and arguments several commands share: one name, one help text for one thing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from consentry.cli.console import err
from consentry.purposes import THIRD_PARTY_TRAINING, VOCABULARY

PURPOSE_IDS = [p.id for p in VOCABULARY]
PURPOSES_HELP = (f"One of {', '.join(PURPOSE_IDS)}, or {THIRD_PARTY_TRAINING}:COMPANY "
                 "('consentry purposes' says what each covers)")


def _complete_purpose(incomplete: str) -> list[str]:
    return [p for p in PURPOSE_IDS if p.startswith(incomplete)]


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for a script to read")]
AtOption = Annotated[str | None, typer.Option(
    "--at", help="An ISO 8601 instant, e.g. 2026-01-01 or 2026-01-01T12:00:00Z (default: now)")]
PurposeArgument = Annotated[str, typer.Argument(
    help=PURPOSES_HELP, autocompletion=_complete_purpose)]


def output_option(help: str) -> Any:
    """--output (-o): the one name of every command's output file."""
    return typer.Option("--output", "-o", dir_okay=False, help=help)


OutputFile = Annotated[Path | None, output_option(
    "Write it to this file (default: standard output)")]
# The name before --output; kept so that existing scripts still run, hidden from the help.
DeprecatedOut = Annotated[Path | None, typer.Option("--out", hidden=True, dir_okay=False)]


def output_file(output: Path | None, deprecated_out: Path | None) -> Path | None:
    """The file named by --output, or by the old --out with a note to move on."""
    if deprecated_out is None:
        return output
    err.print("note: --out is now --output (or -o); --out still works for now",
              highlight=False)
    return output or deprecated_out
