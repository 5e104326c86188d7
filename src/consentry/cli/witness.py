"""``consentry witness``: run a C2SP tlog-witness for this log (or another's), from its own
directory and with its own key, as a second process beside the app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from consentry.cli.console import out, print_json
from consentry.cli.options import JsonFlag
from consentry.witness_state import STATE_VARIABLE, init_witness, read_config

witness_app = typer.Typer(
    help="A witness that cosigns the log's checkpoints.", no_args_is_help=True
)

StateDir = Annotated[
    Path,
    typer.Option("--state", file_okay=False, help="The witness's own directory: key and state"),
]


@witness_app.command(
    "init",
    epilog="Example: consentry witness init --state /srv/witness "
    '--name witness.example/w1 --log "$(consentry log status '
    '--json | jq -r .public_key)"',
)
def init(
    state: StateDir,
    name: Annotated[
        str | None,
        typer.Option(help="The witness's name in its cosignatures, e.g. witness.example/w1"),
    ] = None,
    log: Annotated[
        list[str] | None,
        typer.Option(help="A log's public key (verifier key string) to cosign; repeatable"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Make the witness's key (once) and add the logs it cosigns; prints its public key."""
    public_key, config = init_witness(state, name, list(log or []))
    if as_json:
        print_json({"name": config.name, "public_key": public_key, "logs": list(config.logs)})
        return
    out.print(
        f"witness {config.name} in {state}, cosigning {len(config.logs)} log(s)", highlight=False
    )
    out.print(f"public key: {public_key}", highlight=False)


@witness_app.command(
    "serve", epilog="Example: consentry witness serve --state /srv/witness --port 7380"
)
def serve(
    state: StateDir,
    host: Annotated[str, typer.Option(help="Interface")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 7380,
) -> None:
    """Serve POST /add-checkpoint (C2SP tlog-witness) from the witness's directory."""
    import uvicorn

    config = read_config(state)  # refuses a directory 'witness init' has not made
    os.environ[STATE_VARIABLE] = str(state.resolve())
    out.print(
        f"witness {config.name} serving on http://{host}:{port}/add-checkpoint", highlight=False
    )
    uvicorn.run(
        "consentry.web.witness:create_default_witness_app",
        factory=True,
        host=host,
        port=port,
        workers=1,
        log_level="info",
    )
