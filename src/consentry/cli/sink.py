"""``consentry sink``: the demo's mail and webhooks, printed on this machine."""

from __future__ import annotations

import sys
import threading
from typing import Annotated

import typer

from consentry.cli.console import out

commands = typer.Typer()


def _show(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@commands.command(epilog="Example: consentry sink --smtp-port 8025 --http-port 8026 &")
def sink(
    smtp_port: Annotated[int, typer.Option(help="Mail: set CONSENTRY_SMTP_PORT to it")] = 8025,
    http_port: Annotated[
        int, typer.Option(help="Webhooks: register http://127.0.0.1:PORT/…")
    ] = 8026,
    text: Annotated[bool, typer.Option("--text", help="Print each mail's text too")] = False,
) -> None:
    """Receive the demo's mail (SMTP) and withdrawal webhooks (HTTP) on loopback and print
    each as it arrives, until stopped; nothing leaves the machine."""
    from consentry.demo.sink import LOOPBACK, Sink

    running = Sink(smtp_port, http_port, _show, text)
    out.print(
        f"receiving mail on {LOOPBACK}:{running.smtp_port} (CONSENTRY_SMTP_PORT="
        f"{running.smtp_port}), and webhooks on http://{LOOPBACK}:{running.http_port}/",
        highlight=False,
    )
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.close()
