"""``consentry log``: the transparency log's status, checkpoints, full audit and receipts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.engine import Engine

from consentry.cli import context as cli_context
from consentry.cli.console import err, out, print_json
from consentry.cli.options import DeprecatedOut, JsonFlag, OutputFile, output_file
from consentry.errors import ConsentryError, InvalidInput
from consentry.ledger.checkpoint import vkey
from consentry.ledger.cosignature import parse_cosigner_vkey
from consentry.ledger.receipts import verify_receipt
from consentry.operator_files import log_signing_key
from consentry.outbound.witnessing import check_with_witnesses, sign_and_witness
from consentry.services.log_audit import audit_log
from consentry.services.receipts import consent_receipt
from consentry.services.stored_log import LogMismatch
from consentry.settings import Settings
from consentry.store import transparency_log as log
from consentry.store.log_cosignatures import cosigned_note, newest_per_witness

log_app = typer.Typer(help="The tamper-evident log of consent and AI use.", no_args_is_help=True)


def context() -> tuple[Settings, Engine]:
    return cli_context.settings(), cli_context.engine()


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    key = log_signing_key(settings)
    if key is None:
        from consentry.store.backup import missing_key_message

        with cli_context.engine().connect() as conn:
            restored = missing_key_message(conn, settings.effective_log_key)
        raise InvalidInput(restored or f"no log key at {settings.effective_log_key}: run "
                           "'consentry init' (or set CONSENTRY_LOG_KEY)")
    return key


@log_app.command("status", epilog="Example: consentry log status --json")
def status(as_json: JsonFlag = False) -> None:
    """The log's name, size, public key, latest checkpoint and the newest size each witness
    cosigned."""
    settings, engine = context()
    key = vkey(settings.log_origin, signing_key(settings).public_key())
    with engine.connect() as conn:
        size, latest = log.log_size(conn), log.latest_checkpoint(conn)
        cosigned = {c.witness: c.size for c in newest_per_witness(conn)}
    witnesses = [{"name": parse_cosigner_vkey(w.key)[0], "url": w.url, "key": w.key,
                  "cosigned_size": cosigned.get(w.key)} for w in settings.witnesses]
    info = {"origin": settings.log_origin, "size": size, "public_key": key,
            "latest_checkpoint": latest.size if latest else None, "witnesses": witnesses}
    if as_json:
        print_json(info)
        return
    out.print(f"log {settings.log_origin}: {size} entries" + (
        f", the first {latest.size} in the latest signed checkpoint" if latest else
        "; no checkpoint signed yet ('consentry log checkpoint' signs one)"), highlight=False)
    out.print(f"public key: {key}", highlight=False)
    for witness in witnesses:
        size_cosigned = witness["cosigned_size"]
        out.print(f"witness {witness['name']} ({witness['url']}): " + (
            f"cosigned the first {size_cosigned} entries" if size_cosigned is not None
            else "has cosigned nothing yet"), highlight=False)


@log_app.command("checkpoint", epilog="Example: consentry log checkpoint > checkpoint.txt")
def checkpoint() -> None:
    """Sign a checkpoint of the log as it stands, have the witnesses cosign it, and print it
    (a C2SP signed note)."""
    settings, engine = context()
    with engine.begin() as conn:
        note = cosigned_note(conn, sign_and_witness(conn, settings, signing_key(settings)))
    out.print(note, end="", highlight=False, markup=False)


@log_app.command("verify", epilog="Example: consentry log verify --json")
def verify(as_json: JsonFlag = False) -> None:
    """Check every entry against the database, every stored hash, every checkpoint, each
    witness's newest cosigned checkpoint, and ask each witness whether it still cosigns the
    log as it stands; the first mismatch is an error (exit code 1)."""
    settings, engine = context()
    key = signing_key(settings)
    public_key = key.public_key()
    with engine.connect() as conn, Progress(
            TextColumn("verifying the log"), BarColumn(), MofNCompleteColumn(),
            console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("entries", total=None)
        report = audit_log(conn, settings.log_origin, public_key,
                           lambda done, total: bar.update(task, completed=done, total=total))
        answers = check_with_witnesses(conn, settings, key)
    for answer in answers:
        if answer.refused:
            raise LogMismatch(f"witness {answer.witness.name} refuses the log as it stands: "
                              f"{answer.problem}")
        if answer.problem:
            err.print(f"warning: witness {answer.witness.name} could not be asked: "
                      f"{answer.problem}", highlight=False, markup=False)
    asked = sum(1 for a in answers if a.line)
    if as_json:
        print_json({"origin": settings.log_origin, "verified": True, "entries": report.entries,
                    "subtrees": report.subtrees, "checkpoints": report.checkpoints,
                    "witnessed": report.witnessed, "witnesses_agreeing": asked})
        return
    witnesses = (f"; the current tree extends the checkpoints {report.witnessed} witness(es) "
                 f"cosigned, and {asked} of {len(answers)} witness(es) cosign it now"
                 if answers or report.witnessed else "; no witnesses are configured")
    out.print(f"log {settings.log_origin} verified: {report.entries} entries match the "
              f"database, {report.subtrees} stored subtree hashes and {report.checkpoints} "
              f"signed checkpoints check out{witnesses}", highlight=False)


@log_app.command("receipt", epilog="Example: consentry log receipt 2 --output receipt.json")
def receipt(event_id: int, output: OutputFile = None, out_: DeprecatedOut = None) -> None:
    """The receipt of one consent event, as JSON: its record and its proof against a signed
    checkpoint."""
    output = output_file(output, out_)
    settings, engine = context()
    with engine.begin() as conn:
        data = consent_receipt(conn, event_id, settings.log_origin, signing_key(settings))
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        out.file.write(text)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"receipt of consent event {event_id} (log entry {data['leaf_index']}) written to "
              f"{output}", highlight=False)


@log_app.command("verify-receipt", epilog="Example: consentry log verify-receipt receipt.json "
                                          "--key \"$(consentry log status --json | jq -r "
                                          ".public_key)\"")
def verify_receipt_file(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        key: Annotated[str, typer.Option(help="The log's public key (verifier key string, "
                                              "from 'consentry log status')")],
        witness: Annotated[list[str] | None, typer.Option(
            help="A witness's public key: its cosignature of the receipt's checkpoint must "
                 "verify too; repeatable")] = None,
        as_json: JsonFlag = False,
) -> None:
    """Check a receipt offline, with the log's public key (and the witnesses' keys) alone: no
    database, no network."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"{file} is not a JSON receipt: {error}") from error
    if not isinstance(data, dict):
        raise InvalidInput(f"{file} is not a JSON receipt")
    try:
        verified = verify_receipt(data, key, witness or [])
    except ConsentryError as error:
        raise InvalidInput(f"receipt does NOT verify: {error.message}") from error
    record = verified.record
    if as_json:
        print_json({"verified": True, "kind": record.get("kind"), "id": record.get("id"),
                    "leaf_index": verified.index, "origin": verified.checkpoint.origin,
                    "checkpoint_size": verified.checkpoint.size,
                    "cosigned_by": list(verified.cosigned_by)})
        return
    out.print(f"receipt verifies: {record.get('kind')} {record.get('id')} is entry "
              f"{verified.index} of the log {verified.checkpoint.origin}, included in its "
              f"signed checkpoint of size {verified.checkpoint.size}" + (
                  f", cosigned by {', '.join(verified.cosigned_by)}" if verified.cosigned_by
                  else ""))
