"""``consentry log``: the transparency log's status, checkpoints, full audit and receipts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.engine import Engine

from consentry.cli import context as cli_context
from consentry.errors import ConsentryError, InvalidInput
from consentry.ledger.checkpoint import vkey
from consentry.ledger.receipts import verify_receipt
from consentry.operator_files import log_signing_key
from consentry.services.log_audit import audit_log
from consentry.services.receipts import consent_receipt
from consentry.settings import Settings
from consentry.store import transparency_log as log

log_app = typer.Typer(help="The tamper-evident log of consent and AI use.", no_args_is_help=True)
out = Console(soft_wrap=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


def context() -> tuple[Settings, Engine]:
    return cli_context.settings(), cli_context.engine()


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    key = log_signing_key(settings)
    if key is None:
        raise InvalidInput(f"no log key at {settings.effective_log_key}: run 'consentry init' "
                           "(or set CONSENTRY_LOG_KEY)")
    return key


@log_app.command("status")
def status(as_json: JsonFlag = False) -> None:
    """The log's name, size, public key and latest checkpoint."""
    settings, engine = context()
    key = vkey(settings.log_origin, signing_key(settings).public_key())
    with engine.connect() as conn:
        size, latest = log.log_size(conn), log.latest_checkpoint(conn)
    info = {"origin": settings.log_origin, "size": size, "public_key": key,
            "latest_checkpoint": latest.size if latest else None}
    if as_json:
        out.print_json(data=info)
        return
    out.print(f"log {settings.log_origin}: {size} entries; latest checkpoint at "
              f"{latest.size if latest else 'none'}")
    out.print(f"public key: {key}", highlight=False, soft_wrap=True)


@log_app.command("checkpoint")
def checkpoint() -> None:
    """Sign a checkpoint of the log as it stands and print it (a C2SP signed note)."""
    settings, engine = context()
    with engine.begin() as conn:
        signed = log.sign_current(conn, settings.log_origin, signing_key(settings))
    out.print(signed.note, end="", highlight=False, soft_wrap=True)


@log_app.command("verify")
def verify() -> None:
    """Check every entry against the database, every stored hash and every checkpoint."""
    settings, engine = context()
    public_key = signing_key(settings).public_key()
    with engine.connect() as conn, Progress(
            TextColumn("verifying the log"), BarColumn(), MofNCompleteColumn(),
            console=out, transient=True) as bar:
        task = bar.add_task("entries", total=None)
        report = audit_log(conn, settings.log_origin, public_key,
                           lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"log {settings.log_origin} verified: {report.entries} entries match the "
              f"database, {report.subtrees} stored subtree hashes and {report.checkpoints} "
              "signed checkpoints check out")


@log_app.command("receipt")
def receipt(event_id: int,
            output: Annotated[Path | None, typer.Option("--out", help="Write it here")] = None
            ) -> None:
    """The receipt of one consent event: its record and its proof against a checkpoint."""
    settings, engine = context()
    with engine.begin() as conn:
        data = consent_receipt(conn, event_id, settings.log_origin, signing_key(settings))
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        out.print(text, end="", highlight=False, soft_wrap=True)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"receipt of consent event {event_id} (log entry {data['leaf_index']}) written to "
              f"{output}")


@log_app.command("verify-receipt")
def verify_receipt_file(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        key: Annotated[str, typer.Option(help="The log's public key (verifier key string)")],
) -> None:
    """Check a receipt offline, with the log's public key alone: no database, no network."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"{file} is not a JSON receipt: {error}") from error
    if not isinstance(data, dict):
        raise InvalidInput(f"{file} is not a JSON receipt")
    try:
        verified = verify_receipt(data, key)
    except ConsentryError as error:
        raise InvalidInput(f"receipt does NOT verify: {error.message}") from error
    record = verified.record
    out.print(f"receipt verifies: {record.get('kind')} {record.get('id')} is entry "
              f"{verified.index} of the log {verified.checkpoint.origin}, included in its "
              f"signed checkpoint of size {verified.checkpoint.size}")
