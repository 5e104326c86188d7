"""``consentry claims``: the disputes whose response window ended, released and told."""

from __future__ import annotations

import typer

from consentry.cli import context
from consentry.cli.console import out, print_json
from consentry.cli.options import JsonFlag

claims_app = typer.Typer(help="Content claims and their disputes.", no_args_is_help=True)


@claims_app.command("release-lapsed", epilog="Example: consentry claims release-lapsed --json")
def release_lapsed_disputes(json_output: JsonFlag = False) -> None:
    """Record the release of every dispute left unanswered past its deadline, and queue the
    mail that tells both parties (the server does this every five minutes)."""
    # imported here: it brings in the audio stack, which every other command can do without
    from consentry.services.claim_disputes import release_lapsed

    settings = context.settings()
    with context.engine().begin() as conn:
        released = release_lapsed(conn, settings.base_url)
    if json_output:
        print_json([{"claim_id": r.id, "track_id": r.claim.track_id} for r in released])
        return
    for record in released:
        out.print(f"released claim {record.id} on track {record.claim.track_id}: no answer "
                  "within the response window")
    out.print(f"{len(released)} unanswered dispute{'s' * (len(released) != 1)} released; the "
              "parties' mail is in the outbox ('consentry outbox send')")
