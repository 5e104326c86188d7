"""``consentry decide``: may tracks be used for a purpose, with the reasons; or the whole
catalogue at once. Its JSON is the API's decision body, field for field."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.engine import Engine

from consentry.cli import context
from consentry.cli.console import out, print_json
from consentry.cli.options import AtOption, JsonFlag, PurposeArgument, output_option
from consentry.consent import Consumer, Decision
from consentry.errors import InvalidInput, NotFound
from consentry.services.decisions import decide_all, decide_track_ids
from consentry.store import parties
from consentry.timestamps import parse_instant, utcnow

commands = typer.Typer()


@commands.command(epilog="Example: consentry decide train-generative 1 2 3 --json\n\n"
                         "Example: consentry decide train-generative --all -o eligible.parquet")
def decide(
    purpose: PurposeArgument,
    track_ids: Annotated[list[int] | None, typer.Argument(help="Track ids")] = None,
    all_tracks: Annotated[bool, typer.Option("--all", help="Every track of the catalogue")]
    = False,
    consumer: Annotated[int | None, typer.Option(help="Decide for this AI consumer")] = None,
    output: Annotated[Path | None, output_option(
        "With --all: write the list to this .parquet or .csv file")] = None,
    at: AtOption = None,
    json_output: JsonFlag = False,
) -> None:
    """May tracks be used for PURPOSE? One or more tracks with reasons, or --all at once.

    With --all, --output writes every track's answer as .parquet or .csv."""
    instant = parse_instant(at) if at else utcnow()
    engine = context.engine()
    with engine.connect() as conn:
        who = parties.get_consumer(conn, consumer) if consumer is not None else None
    if all_tracks:
        _decide_all(engine, purpose, instant, who, output, json_output)
        return
    if not track_ids:
        raise InvalidInput("name one or more track ids, or use --all")
    if output is not None:
        raise InvalidInput("--output writes the whole catalogue's list: use it with --all")
    with engine.connect() as conn:
        decisions, unknown = decide_track_ids(conn, track_ids, purpose, instant, who)
    if json_output:
        allowed = sum(d.allowed for d in decisions)
        print_json({"purpose": purpose, "at": instant, "allowed": allowed,
                    "denied": len(decisions) - allowed, "unknown_track_ids": unknown,
                    "decisions": [decision_body(d) for d in decisions]})
    for d in [] if json_output else decisions:
        verdict = "[green]ALLOW[/green]" if d.allowed else "[red]DENY[/red]"
        out.print(f"track {d.track_id} · {purpose}: {verdict} ({d.rule.value})")
        for reason in d.reasons:
            out.print(f"  - {reason.summary}", markup=False)
    if unknown:
        raise NotFound(f"no such track{'s' * (len(unknown) != 1)}: "
                       f"{', '.join(map(str, unknown))}", {"track_ids": unknown})


def decision_body(d: Decision) -> dict[str, Any]:
    """One decision as the API's body has it, field for field (a test holds the two together:
    the CLI may not import the web layer)."""
    return {"track_id": d.track_id, "purpose": d.purpose,
            "decision": "allow" if d.allowed else "deny", "rule": d.rule.value,
            "reasons": [{"rule": r.rule.value, "purpose": r.purpose, "summary": r.summary,
                         "event_id": r.event_id, "agreement_id": r.agreement_id,
                         "artist_id": r.artist_id, "terms_version": r.terms_version,
                         "claim_id": r.claim_id} for r in d.reasons],
            "at": d.at, "terms_version": d.terms_version, "consumer_id": d.consumer_id}


def _decide_all(engine: Engine, purpose: str, instant: datetime, who: Consumer | None,
                output: Path | None, json_output: bool) -> None:
    result = decide_all(engine, purpose, instant, who)
    allowed = int(result.allowed.sum())
    summary: dict[str, Any] = {"purpose": purpose, "at": instant,
                               "tracks": len(result.track_id), "allowed": allowed,
                               "denied": len(result.track_id) - allowed}
    counts: dict[str, int] = {}
    for rule in result.rules():
        counts[rule.value] = counts.get(rule.value, 0) + 1
    summary["by_rule"] = counts
    if output is not None:
        table = result.to_arrow()
        if output.suffix == ".csv":
            import pyarrow.csv as pacsv
            pacsv.write_csv(table, output)
        else:
            import pyarrow.parquet as pq
            pq.write_table(table, output, compression="zstd")
        summary["output"] = str(output)
    if json_output:
        print_json(summary)
        return
    out.print(f"{purpose} at {instant:%Y-%m-%d %H:%M:%S} UTC: {allowed} of "
              f"{summary['tracks']} tracks allowed")
    for rule_id, count in counts.items():
        out.print(f"  {rule_id}: {count}")
    if output is not None:
        out.print(f"wrote {output}")
