"""The ``consentry`` command: each command is a few lines that call the core."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:  # typer carries its own click
    from typer._click.core import Command

from consentry import __version__
from consentry.cli.console import err, error, out, print_json
from consentry.cli.options import JsonFlag
from consentry.errors import ConsentryError, InvalidInput

# The top-level help: panels and commands in the order a new operator meets them.
LAYOUT = {
    "Start": ["init", "demo", "serve", "sink", "version"],
    "Catalogue and consent": ["import", "purposes", "consent", "invitations", "decide",
                              "export"],
    "Accounts and access": ["users", "tokens", "consumers"],
    "Datasets and AI use": ["datasets", "withdrawals", "webhooks", "usage"],
    "Content identification": ["catalog", "identify", "claims"],
    "Crawlers, signals and terms": ["signals", "crawlers", "terms", "outbox"],
    "The tamper-evident log": ["log", "witness"],
    "Operations": ["backup", "restore"],
}
PANEL = {name: panel for panel, names in LAYOUT.items() for name in names}
ORDER = [name for names in LAYOUT.values() for name in names]


# Where each command lives, loaded only when it runs (or the help lists it): a command, or a
# server worker that re-imports the entry point, then starts in the time its own modules need
# rather than in the time every command's imports take (issue 22: workers lost to the 5 s
# health check on a busy host). "module:attribute" names a sub-app, or, after "#", the
# Typer holding that top-level command.
LAZY = {
    "consent": "consentry.cli.consent:consent_app",
    "tokens": "consentry.cli.accounts:tokens_app",
    "consumers": "consentry.cli.accounts:consumers_app",
    "users": "consentry.cli.accounts:users_app",
    "invitations": "consentry.cli.invitations:invitations_app",
    "claims": "consentry.cli.claims:claims_app",
    "signals": "consentry.cli.signals:signals_app",
    "crawlers": "consentry.cli.signals:crawlers_app",
    "log": "consentry.cli.log:log_app",
    "datasets": "consentry.cli.datasets:datasets_app",
    "withdrawals": "consentry.cli.withdrawals:withdrawals_app",
    "webhooks": "consentry.cli.withdrawals:webhooks_app",
    "terms": "consentry.cli.terms:terms_app",
    "outbox": "consentry.cli.terms:outbox_app",
    "usage": "consentry.cli.usage:usage_app",
    "catalog": "consentry.cli.catalog:catalog_app",
    "witness": "consentry.cli.witness:witness_app",
    "purposes": "consentry.cli.consent:commands#",
    "export": "consentry.cli.consent:commands#",
    "decide": "consentry.cli.decisions:commands#",
    "identify": "consentry.cli.catalog:commands#",
    "sink": "consentry.cli.sink:commands#",
    "backup": "consentry.cli.backup:commands#",
    "restore": "consentry.cli.backup:commands#",
}


def load_command(name: str) -> Command:
    """The click command for one LAZY name, importing only the module that defines it."""
    target, one_command, _ = LAZY[name].partition("#")
    module, _, attribute = target.partition(":")
    typer_app = getattr(importlib.import_module(module), attribute)
    group = typer.main.get_group(typer_app)
    if one_command:
        return group.commands[name]
    group.name = name
    return group


class LaidOut(TyperGroup):
    """The top-level command: lists its commands as LAYOUT groups and orders them, and loads
    each one from its module only when it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = set(super().list_commands(ctx)) | set(LAZY)
        return sorted(names, key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))

    def get_command(self, ctx: Any, name: str) -> Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in LAZY:
            command = load_command(name)
            self.add_command(command, name)
        if command is not None:
            command.rich_help_panel = PANEL.get(name)  # type: ignore[attr-defined]
        return command


def whole_command() -> TyperGroup:
    """The top-level command with every command loaded, for code that walks them all."""
    top = typer.main.get_group(app)
    context = typer.Context(top)
    for name in top.list_commands(context):
        top.get_command(context, name)
    return top


app = typer.Typer(cls=LaidOut, help="consentry: consented AI use of music.",
                  epilog="Example: consentry init && consentry demo && consentry serve",
                  no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode="markdown")
commands = typer.Typer()
app.add_typer(commands)


def main() -> None:
    """Entry point that turns domain errors into a message and exit code 1."""
    try:
        app(prog_name="consentry")
    except ConsentryError as failure:
        error(failure.message)
        detail = failure.detail if isinstance(failure.detail, dict) else {}
        for problem in detail.get("problems", []):
            err.print(f"  {problem}", highlight=False, markup=False)
        if "valid_purposes" in detail:
            err.print(f"valid purposes: {', '.join(detail['valid_purposes'])}", highlight=False)
        sys.exit(1)
    except Exception as failure:
        from consentry.store.faults import fault_reason, store_fault  # only when it failed

        fault = store_fault(failure, _data_dir())
        if fault is None:
            raise
        error(f"{fault.message} ({fault_reason(failure)})")
        sys.exit(1)


def _data_dir() -> Path | None:
    """Where the data lives, to tell a full disk from other I/O errors (None if unknown)."""
    from consentry.cli import context

    try:
        return context.settings().data_dir
    except Exception:  # settings that cannot be read say nothing about the disk
        return None


@commands.command(epilog="Example: consentry version --json")
def version(json_output: JsonFlag = False) -> None:
    """Print the version."""
    if json_output:
        print_json({"version": __version__})
        return
    out.print(f"consentry {__version__}", highlight=False)


@commands.command(epilog="Example: CONSENTRY_DATA_DIR=/srv/consentry consentry init")
def init() -> None:
    """Create the data directory, migrate the database to the newest schema."""
    from consentry.cli import context
    from consentry.ledger.operator_key import ensure_development_key
    from consentry.signals.signing_keys import ensure_development_chain
    from consentry.store.log_sources import append_missing
    from consentry.store.migrate import upgrade
    from consentry.store.terms import ensure_baseline_terms

    settings = context.settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = context.engine(migrated=False)
    revision = upgrade(engine)
    with engine.begin() as conn:
        ensure_baseline_terms(conn)
    out.print(f"database {engine.url.render_as_string(hide_password=True)} "
              f"is at schema revision {revision}", highlight=False)
    with engine.begin() as conn:
        logged = append_missing(conn)
    if logged:
        out.print(f"transparency log: appended {logged} records recorded before it existed")
    if settings.environment != "production" and not settings.log_key:
        if not settings.effective_log_key.exists():
            from consentry.store.backup import refuse_new_key_for_signed_log

            with engine.connect() as conn:
                refuse_new_key_for_signed_log(conn, settings.effective_log_key)
        ensure_development_key(settings.effective_log_key)
        out.print(f"development log key in {settings.effective_log_key} (production sets "
                  "CONSENTRY_LOG_KEY)", highlight=False)
    if settings.environment != "production" and not settings.signing_chain:
        folder = settings.development_signing_dir
        ensure_development_chain(folder)
        out.print(f"development signing chain for downloads in {folder} (not trusted; "
                  "production sets CONSENTRY_SIGNING_CHAIN and CONSENTRY_SIGNING_KEY)",
                  highlight=False)


@commands.command(epilog="Example: consentry serve --host 0.0.0.0 --port 8000 --workers 2")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes")] = None,
) -> None:
    """Serve the web app and API (docs at /docs)."""
    import uvicorn

    from consentry.cli import context

    settings = context.settings()
    context.engine()  # refuses a database that is missing or not migrated, creating nothing
    host, port = host or settings.host, port or settings.port
    out.print(f"serving on http://{host}:{port} (API docs at http://{host}:{port}/docs)",
              highlight=False)
    # A worker re-imports this entry point and then the app; on a busy host that can outlast
    # uvicorn's 5 s default, and a worker killed for it is replaced by one just as slow.
    uvicorn.run("consentry.web.app:create_default_app", factory=True, host=host, port=port,
                workers=workers or settings.workers, log_level="info",
                timeout_worker_healthcheck=settings.worker_start_seconds)


@commands.command("import", epilog="Example: consentry import catalogue.csv --json")
def import_catalogue(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[str | None, typer.Option(help="csv, json or jsonl (default: suffix)")]
    = None,
    json_output: JsonFlag = False,
) -> None:
    """Import artists, rights holders, agreements and tracks; all rows or none."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from consentry.catalogue_file import plan_catalogue, read_records
    from consentry.cli import context
    from consentry.services.catalogue_import import check_existing, store_catalogue

    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "json", "jsonl"):
        raise InvalidInput(f"cannot tell the format of {path.name}: use --format csv|json|jsonl")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as failure:
        raise InvalidInput(f"{path} is not UTF-8 text") from failure
    unit = "record" if fmt == "json" else "line"
    plan = plan_catalogue(read_records(text, fmt), unit)
    engine = context.engine()
    with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=json_output) as bar:
        task = bar.add_task("import", total=plan.size)
        with engine.begin() as conn:
            check_existing(conn, plan, unit)
            summary = store_catalogue(conn, plan, lambda n: bar.advance(task, n))
    if json_output:
        print_json(summary.__dict__ | {"file": str(path)})
        return
    out.print(f"imported {path}: {summary.artists} artists, {summary.rights_holders} rights "
              f"holders, {summary.agreements} agreements, {summary.tracks} tracks",
              highlight=False)


@commands.command(epilog="Example: consentry demo --json")
def demo(json_output: JsonFlag = False) -> None:
    """Seed the demo catalogue (once) and issue fresh demo tokens."""
    from consentry.cli import context
    from consentry.demo import is_seeded, issue_demo_tokens, seed_demo
    from consentry.demo.audio import attach_demo_recordings
    from consentry.demo.content_id import seed_demo_claim
    from consentry.demo.files import write_demo_files
    from consentry.demo.terms import seed_first_terms, seed_new_terms

    settings = context.settings()
    engine = context.engine()
    with engine.begin() as conn:
        seeded_now = not is_seeded(conn)
        if seeded_now:
            seed_first_terms(conn, settings.notice_days, settings.base_url)
            seed_demo(conn)
            attach_demo_recordings(conn, settings)
            seed_demo_claim(conn, settings)
            seed_new_terms(conn, settings.notice_days, settings.base_url)
        demo_tokens = issue_demo_tokens(conn, settings.secret_key)
    secrets = {k: v.secret for k, v in demo_tokens.__dict__.items()}
    path = settings.data_dir / "demo-tokens.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(secrets, indent=2) + "\n")
    path.chmod(0o600)
    files = write_demo_files(settings.data_dir / "demo-files")
    if json_output:
        print_json(secrets)
        return
    out.print("seeded the demo catalogue" if seeded_now else "demo catalogue already present")
    from consentry.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    out.print(f"web logins (password '{DEMO_PASSWORD}'): "
              + ", ".join(email for email, *_ in DEMO_ACCOUNTS), highlight=False)
    out.print(f"demo tokens written to {path}:", highlight=False)
    for role, secret in secrets.items():
        out.print(f"  {role:22} {secret}", highlight=False)
    out.print("files for the tour: " + ", ".join(str(f) for f in files), highlight=False)

