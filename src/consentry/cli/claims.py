"""``consentry claims``: the disputes whose response window ended, released and told."""

from __future__ import annotations

import typer
from rich.console import Console

from consentry.cli import context
from consentry.services.claim_disputes import release_lapsed

claims_app = typer.Typer(help="Content claims and their disputes.", no_args_is_help=True)
out = Console(soft_wrap=True)


@claims_app.command("release-lapsed")
def release_lapsed_disputes() -> None:
    """Record the release of every dispute left unanswered past its deadline, and queue the
    mail that tells both parties (the server does this every five minutes)."""
    settings = context.settings()
    with context.engine().begin() as conn:
        released = release_lapsed(conn, settings.base_url)
    for record in released:
        out.print(f"released claim {record.id} on track {record.claim.track_id}: no answer "
                  "within the response window")
    out.print(f"{len(released)} unanswered dispute{'s' * (len(released) != 1)} released; the "
              "parties' mail is in the outbox ('consentry outbox send')")
