"""Where the commands print: results on standard output, progress and errors on standard
error. Piped or redirected, nothing wraps, so a script reads each line and table row whole."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

# Wide enough for any row: Rich lays tables out to the console's width, 80 when not a terminal.
UNWRAPPED = 100_000


def _console(stream: TextIO, stderr: bool) -> Console:
    width = None if stream.isatty() else UNWRAPPED
    return Console(stderr=stderr, soft_wrap=True, width=width)


out = _console(sys.stdout, stderr=False)
err = _console(sys.stderr, stderr=True)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime) and value.utcoffset() == timedelta(0):
        return value.isoformat().replace("+00:00", "Z")  # as the API writes instants
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def print_json(value: Any) -> None:
    """Indented JSON as it is (no highlighting, no wrapping); instants in ISO 8601."""
    out.file.write(json.dumps(value, default=_plain, indent=2, ensure_ascii=False) + "\n")


def error(message: str) -> None:
    """An error line as every command prints one; the exit code is the caller's."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
