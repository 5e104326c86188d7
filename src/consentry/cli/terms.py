"""``consentry terms``, ``consentry terms watch`` and ``consentry outbox``: draft and publish
terms with notice, read them, deliver the mail, and watch other platforms' terms pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from consentry.cli import context
from consentry.cli.console import error, out, print_json
from consentry.cli.options import JsonFlag
from consentry.errors import InvalidInput
from consentry.outbound.fetch import PoliteFetcher
from consentry.outbound.mail import deliver_due
from consentry.outbound.terms_watch import run_watch
from consentry.services.terms_notices import publish_with_notice
from consentry.settings import get_settings
from consentry.store import watch
from consentry.store.outbox import outbox_counts
from consentry.store.terms import get_published, in_force_text, list_published, review_draft
from consentry.terms import summarise
from consentry.timestamps import utcnow

terms_app = typer.Typer(help="Terms versions with notice, and the watcher of other "
                             "platforms' terms.", no_args_is_help=True)
watch_app = typer.Typer(help="Watch other platforms' public terms pages.", no_args_is_help=True)
outbox_app = typer.Typer(help="The mail outbox.", no_args_is_help=True)
terms_app.add_typer(watch_app, name="watch")
TermsFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                           help="The new version, in Markdown")]
LEVEL_STYLE = {"material": "bold red", "minor": "yellow", "editorial": "dim"}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as failure:
        raise InvalidInput(f"{path} is not UTF-8 text") from failure


@terms_app.command("draft", epilog="Example: consentry terms draft v3.md")
def draft(file: TermsFile, as_json: JsonFlag = False) -> None:
    """Compare FILE clause by clause with the latest version; stores nothing."""
    with context.engine().connect() as conn:
        result = review_draft(conn, _read(file))
    summary = summarise(result.review)
    changes: list[dict[str, Any]] = [{"clause": (c.change.new or c.change.old).label,  # type: ignore[union-attr]
                "kind": c.change.kind, "level": c.level,
                "reasons": [r.code for r in c.classification.reasons],
                "words": sorted({w for r in c.classification.reasons
                                 for w in (*r.terms, *r.words)})}
               for c in result.review.changes]
    if as_json:
        print_json({"compared_with": result.previous.version if result.previous else None,
                    "material": result.material, "text_hash": result.document.text_hash,
                    "summary": summary.english(), "changes": changes,
                    "introduced_purposes": list(result.review.introduced_purposes)})
        return
    table = Table(title=f"{file.name} against version "
                        f"{result.previous.version if result.previous else '(none)'}")
    for column in ("clause", "change", "level", "why"):
        table.add_column(column)
    for c in changes:
        table.add_row(escape(c["clause"]), c["kind"],
                      f"[{LEVEL_STYLE[c['level']]}]{c['level']}[/]",
                      escape(", ".join(c["reasons"] + c["words"])))
    out.print(table)
    for line in summary.english():
        out.print(f"- {line}", highlight=False, markup=False)
    for line in result.review.diff.unified():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        out.print(f"[{style}]{escape(line)}[/]", highlight=False, soft_wrap=True)
    verdict = ("[bold red]material[/]: changes AI use; publishing starts a notice period of "
               f"{get_settings().notice_days} days" if result.material
               else "not material: applies when published")
    out.print(f"{verdict}\ntext hash {result.document.text_hash}")


def _purposes(listed: str | None) -> frozenset[str] | None:
    """``None``: keep the previous version's; otherwise the comma-separated purposes."""
    if listed is None:
        return None
    return frozenset(p.strip() for p in listed.split(",") if p.strip())


@terms_app.command("publish", epilog="Example: consentry terms publish v3.md --version 2027-02 "
                                     "--refusal-note \"Your account closes\"")
def publish(file: TermsFile,
            version: Annotated[str, typer.Option("--version", "-v", help="e.g. 2026-12")],
            refusal_note: Annotated[str, typer.Option(
                help="What refusing means for a user")] = "",
            by: Annotated[str, typer.Option(help="Who publishes")] = "cli",
            required: Annotated[str | None, typer.Option(
                help="Purposes the service requires, comma-separated ('' for none; default: "
                     "the previous version's)")] = None,
            prohibited: Annotated[str | None, typer.Option(
                help="Purposes forbidden for all content, comma-separated ('' for none; "
                     "default: the previous version's)")] = None,
            as_json: JsonFlag = False) -> None:
    """Publish FILE; a material change starts its notice period and queues its e-mails."""
    settings = get_settings()
    with context.engine().begin() as conn:
        terms, notified = publish_with_notice(
            conn, version, _read(file), by, notice_days=settings.notice_days,
            base_url=settings.base_url, refusal_note=refusal_note,
            required=_purposes(required), prohibited=_purposes(prohibited))
    if as_json:
        print_json({"version": terms.version, "material": terms.material,
                    "text_hash": terms.text_hash, "effective_at": terms.effective_at,
                    "notified": notified})
        return
    out.print(f"published version {terms.version} (sha256 {terms.text_hash})")
    if terms.material:
        out.print(f"changes AI use: applies from {terms.effective_at.isoformat()} to each user "
                  f"who accepts it; {notified} notices queued (send them with "
                  "'consentry outbox send')")
    else:
        out.print("not material: in force now")


@terms_app.command("show", epilog="Example: consentry terms show 2027-02 --json")
def show(version: Annotated[str | None, typer.Argument(help="default: in force")] = None,
         as_json: JsonFlag = False) -> None:
    """Print a version's text and hash (default: the one in force)."""
    with context.engine().connect() as conn:
        terms = get_published(conn, version) if version else in_force_text(conn, utcnow())
    if terms is None or not terms.has_text:
        raise InvalidInput("no terms text is in force yet (see 'consentry terms history')")
    if as_json:
        print_json({"version": terms.version, "text_hash": terms.text_hash,
                    "effective_at": terms.effective_at, "markdown": terms.markdown})
        return
    out.print(terms.markdown, markup=False, highlight=False)
    out.print(f"version {terms.version}, in force from {terms.effective_at.isoformat()}, "
              f"sha256 {terms.text_hash}", style="dim")


@terms_app.command("history", epilog="Example: consentry terms history --json")
def history(as_json: JsonFlag = False) -> None:
    """Every version: publication, effective date, materiality and hash."""
    with context.engine().connect() as conn:
        versions = list_published(conn)
    rows: list[dict[str, Any]] = [{"version": t.version, "published_at": t.published_at,
             "effective_at": t.effective_at, "material": t.material,
             "text_hash": t.text_hash or None, "introduced_purposes": t.introduced_purposes}
            for t in versions]
    if as_json:
        print_json(rows)
        return
    table = Table(title="terms versions")
    for column in ("version", "published", "applies from", "AI change"):
        table.add_column(column)
    table.add_column("sha256", overflow="fold")
    for r in rows:
        table.add_row(r["version"], r["published_at"].date().isoformat(),
                      r["effective_at"].date().isoformat(), "yes" if r["material"] else "no",
                      r["text_hash"] or "-")
    out.print(table)


@outbox_app.command("send", epilog="Example: consentry outbox send --json")
def send(as_json: JsonFlag = False) -> None:
    """Deliver every due message; exit code 1 if any failed (they stay for a retry)."""
    settings = get_settings()
    engine = context.engine()
    report = deliver_due(engine, settings)
    with engine.connect() as conn:
        counts = outbox_counts(conn)
    if as_json:
        print_json({"sent": report.sent, "failed": report.failed, "errors": report.errors,
                    "next_retry": report.next_retry, "waiting": counts.waiting})
    else:
        out.print(f"sent {report.sent}, failed {report.failed}, waiting {counts.waiting} "
                  f"(via {settings.smtp_host}:{settings.smtp_port})")
    for failure in report.errors:
        error(failure)
    if report.failed:
        raise typer.Exit(1)


@watch_app.command("add", epilog="Example: consentry terms watch add "
                                  "https://other.example/terms --notify legal@example.org")
def watch_add(url: Annotated[str, typer.Argument(help="A public terms page")],
              notify: Annotated[list[str] | None, typer.Option(
                  "--notify", help="An e-mail address or a webhook URL (repeatable)")] = None,
              as_json: JsonFlag = False) -> None:
    """Watch URL; changes go to each --notify target (a webhook's secret is shown once)."""
    with context.engine().begin() as conn:
        page = watch.add_page(conn, url, utcnow())
        added = [watch.add_subscriber(conn, page.id, t, utcnow()) for t in notify or []]
    if as_json:
        print_json({"id": page.id, "url": page.url, "notify": [
            {"kind": s.kind, "target": s.target, "secret": s.secret} for s in added]})
        return
    out.print(f"watching {escape(page.url)} (#{page.id})")
    for s in added:
        out.print(f"  notifies {s.kind} {escape(s.target)}" + (
            f"; HMAC-SHA256 secret (keep it): {s.secret}" if s.secret else ""), highlight=False)


@watch_app.command("list", epilog="Example: consentry terms watch list --json")
def watch_list(as_json: JsonFlag = False) -> None:
    """The watched pages: when each was last fetched, how it went, whom it tells."""
    with context.engine().connect() as conn:
        pages = [(p, watch.subscribers_of(conn, p.id), watch.snapshot_count(conn, p.id))
                 for p in watch.list_pages(conn)]
    if as_json:
        print_json([{"id": p.id, "url": p.url, "last_checked_at": p.last_checked_at,
                     "last_status": p.last_status, "last_error": p.last_error,
                     "snapshots": n, "notify": [s.target for s in subs]}
                    for p, subs, n in pages])
        return
    table = Table(title="watched terms pages")
    for column in ("#", "url", "last checked", "status", "snapshots", "notifies"):
        table.add_column(column)
    for p, subs, n in pages:
        status = (p.last_status or "-") + (f": {p.last_error}" if p.last_error else "")
        table.add_row(str(p.id), escape(p.url),
                      p.last_checked_at.isoformat() if p.last_checked_at else "-",
                      escape(status), str(n), escape(", ".join(s.target for s in subs)))
    out.print(table)


@watch_app.command("run", epilog="Example: consentry terms watch run --json")
def watch_run(as_json: JsonFlag = False) -> None:
    """Fetch every watched page once; exit code 1 if any could not be fetched or parsed."""
    settings = get_settings()
    with PoliteFetcher(settings) as fetcher:
        results = run_watch(context.engine(), fetcher, settings.watch_contact)
    if as_json:
        print_json([{"url": r.page.url, "status": r.status, "error": r.error,
                     "ai_changes": r.ai_changes, "notified": r.notified,
                     "notify_errors": r.notify_errors} for r in results])
    else:
        style = {"failed": "red", "ai-changed": "bold red", "changed": "yellow"}
        for r in results:
            line = f"[{style.get(r.status, 'green')}]{r.status}[/] {escape(r.page.url)}"
            if r.error:
                line += f": {escape(r.error)}"
            if r.diff is not None and r.diff.changed:
                line += (f" ({len(r.diff.changes)} changed passages, {r.ai_changes} about AI; "
                         f"{r.notified} notified)")
            out.print(line, highlight=False)
            for c in r.diff.ai_related if r.diff else ():
                for paragraph in c.new:
                    out.print(f"    + {paragraph}", highlight=False, markup=False)
        if not results:
            out.print("no pages are watched: add one with 'consentry terms watch add URL'")
    for r in results:
        if r.status == "failed":
            error(f"{r.page.url}: {r.error}")
        for failure in r.notify_errors:
            error(f"{r.page.url}: notify failed: {failure}")
    if any(r.status == "failed" or r.notify_errors for r in results):
        raise typer.Exit(1)
