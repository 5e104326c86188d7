"""``consentry users``, ``consentry tokens`` and ``consentry consumers``: who may sign in to
the app, who may call the API, and the AI consumers that ask for decisions."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from consentry.access import Role
from consentry.cli import context
from consentry.cli.console import err, out, print_json
from consentry.cli.options import PURPOSES_HELP, JsonFlag
from consentry.consent import ConsumerKind
from consentry.errors import InvalidInput
from consentry.store import parties, tokens

users_app = typer.Typer(help="Web accounts (admins, label staff, artists).", no_args_is_help=True)
tokens_app = typer.Typer(help="Issue and revoke API tokens.", no_args_is_help=True)
consumers_app = typer.Typer(help="Register AI consumers.", no_args_is_help=True)
PASSWORD_VARIABLE = "CONSENTRY_NEW_PASSWORD"


class AccountRole(StrEnum):
    """The roles a web account can have; AI consumers use API tokens instead."""

    ADMIN = "admin"
    ARTIST = "artist"
    RIGHTS_HOLDER = "rights_holder"


@users_app.command("create", epilog="Example: consentry users create ops@example.org --role "
                                    "admin --name Ops\n\n"
                                    "Example: printf '%s\\n' \"$PASSWORD\" | consentry users "
                                    "create ops@example.org --role admin --name Ops "
                                    "--password-stdin")
def users_create(
    email: str,
    role: Annotated[AccountRole, typer.Option(help="admin, artist or rights_holder (label "
                                                   "staff); AI consumers get API tokens")],
    name: Annotated[str, typer.Option(help="Display name")],
    rights_holder: Annotated[int | None, typer.Option(help="Label staff: the rights holder")]
    = None,
    artist: Annotated[int | None, typer.Option(help="Artists: an existing artist record")]
    = None,
    # kept for older scripts, hidden: any user sees a password on the command line in ps
    password: Annotated[str | None, typer.Option(hidden=True)] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input "
                                 "(the default when standard input is not a terminal)")]
    = False,
    json_output: JsonFlag = False,
) -> None:
    """Create a web account. The password is asked for on a terminal, read from standard
    input when it is piped (or with --password-stdin), or taken from CONSENTRY_NEW_PASSWORD."""
    from consentry.store.accounts import create_user

    password = password or _new_password(password_stdin)
    with context.engine().begin() as conn:
        user = create_user(conn, email, password, name, Role(role.value), artist_id=artist,
                           rights_holder_id=rights_holder)
    if json_output:
        print_json({"id": user.id, "email": user.email, "role": user.role.value,
                    "artist_id": user.artist_id, "rights_holder_id": user.rights_holder_id})
        return
    out.print(f"account {user.id}: {user.email} ({user.role.value})", highlight=False)


def _new_password(from_stdin: bool) -> str:
    """From standard input when asked or piped, else the environment, else a hidden prompt."""
    if not from_stdin and os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE]
    if from_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("no password on standard input: pipe one line, or set "
                               f"{PASSWORD_VARIABLE}")
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True,
                            err=True))


@tokens_app.command("create", epilog="Example: consentry tokens create --role consumer "
                                     "--subject 2 --purpose train-generative --json")
def tokens_create(
    role: Annotated[Role, typer.Option(help="admin, artist, rights_holder or consumer")],
    subject: Annotated[int | None, typer.Option(help="Id of the artist/label/consumer")] = None,
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    ttl_days: Annotated[int, typer.Option(min=1, max=3650, help="Days until it expires")]
    = 90,
    purpose: Annotated[list[str] | None, typer.Option(
        help=f"Narrow a consumer's scope (repeat). {PURPOSES_HELP}")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Issue a token; its secret is printed once and only its hash is kept."""
    with context.engine().begin() as conn:
        issued = tokens.create_token(conn, context.settings().secret_key, name, role, subject,
                                     timedelta(days=ttl_days),
                                     frozenset(purpose) if purpose else None)
    if json_output:
        print_json(issued.__dict__)
        return
    err.print(f"token {issued.id} ({role.value}{f' {subject}' if subject else ''}), expires "
              f"{issued.expires_at:%Y-%m-%d}; it is shown only now:")
    out.print(issued.secret, highlight=False)


@tokens_app.command("revoke", epilog="Example: consentry tokens revoke 7")
def tokens_revoke(token_id: int, json_output: JsonFlag = False) -> None:
    """Revoke a token: it is refused from now on."""
    with context.engine().begin() as conn:
        when = tokens.revoke_token(conn, token_id)
    if json_output:
        print_json({"id": token_id, "revoked_at": when})
        return
    out.print(f"token {token_id} revoked at {when:%Y-%m-%d %H:%M:%S} UTC")


@tokens_app.command("list", epilog="Example: consentry tokens list --json")
def tokens_list(json_output: JsonFlag = False) -> None:
    """Tokens (never their secrets)."""
    with context.engine().connect() as conn:
        rows = tokens.list_tokens(conn)
    if json_output:
        print_json(rows)
        return
    table = Table(title="API tokens")
    for column in ("id", "name", "role", "subject", "expires", "revoked"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), str(r["name"]), str(r["role"]), str(r["subject_id"] or ""),
                      str(r["expires_at"])[:10], str(r["revoked_at"] or "")[:19])
    out.print(table)


@consumers_app.command("create", epilog="Example: consentry consumers create \"Research team\" "
                                        "--purpose train-non-generative")
def consumers_create(
    name: str,
    purpose: Annotated[list[str], typer.Option(
        help=f"A purpose in its scope (repeat). {PURPOSES_HELP}")],
    organisation: Annotated[str | None, typer.Option(help="Third parties: company slug")]
    = None,
    datasets_only: Annotated[bool, typer.Option(
        "--datasets-only", help="Every use must come from one of its own dataset snapshots")]
    = False,
    json_output: JsonFlag = False,
) -> None:
    """Register an AI consumer; with --organisation it is a third party."""
    kind = ConsumerKind.THIRD_PARTY if organisation else ConsumerKind.INTERNAL
    with context.engine().begin() as conn:
        consumer = parties.create_consumer(conn, name, frozenset(purpose), kind, organisation,
                                           datasets_only)
    if json_output:
        print_json(consumer.__dict__)
        return
    out.print(f"consumer {consumer.id}: {consumer.name} ({kind.value}), purposes "
              f"{', '.join(sorted(consumer.purposes))}"
              + ("; uses only its dataset snapshots" if datasets_only else ""))
