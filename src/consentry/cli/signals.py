"""``consentry signals`` and ``consentry crawlers``: the site as each AI crawler sees it, and
the list of crawlers the platform recognises."""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urljoin, urlsplit

import httpx
import typer
from protego import Protego
from rich.table import Table

from consentry import __version__
from consentry.audio import probe_audio
from consentry.cli.console import out, print_json
from consentry.cli.options import JsonFlag
from consentry.errors import InvalidInput
from consentry.operator_files import CRAWLERS_FILE, crawler_registry
from consentry.settings import get_settings
from consentry.signals.c2pa_manifest import read_manifest
from consentry.signals.compliance import Conclusion, conclude
from consentry.signals.crawler_import import import_registry, registry_json
from consentry.signals.crawlers import Crawler, load_registry
from consentry.signals.enforcement import crawler_purpose
from consentry.signals.file_tags import read_file_rights

signals_app = typer.Typer(help="What AI crawlers are told and how they are treated.",
                          no_args_is_help=True)
crawlers_app = typer.Typer(help="The AI crawlers the platform recognises.", no_args_is_help=True)
# Agents that are not AI crawlers, for comparison: a search engine and a browser.
REFERENCE_AGENTS = ("Googlebot", "Mozilla")


def _robots(client: httpx.Client, url: str) -> Protego | bool:
    """The parsed robots.txt, or what RFC 9309 section 2.3.1.3 says to assume without one:
    4xx allows everything, anything else unreachable disallows everything."""
    try:
        response = client.get(urljoin(url, "/robots.txt"))
    except httpx.HTTPError as error:
        raise InvalidInput(f"cannot reach {url}: {error}") from error
    if 400 <= response.status_code < 500:
        return True
    if response.status_code >= 300:
        return False
    return Protego.parse(response.text)


def _ask(client: httpx.Client, url: str, robots: Protego | bool, crawler: Crawler | None,
         token: str) -> Conclusion:
    agent = f"Mozilla/5.0 (compatible; {token}/1.0; +consentry signals check)"
    allowed = robots if isinstance(robots, bool) else robots.can_fetch(url, token)
    with client.stream("GET", url, headers={"User-Agent": agent},
                       follow_redirects=False) as response:
        moved = response.headers.get("location") if response.status_code == 308 else None
        if moved is None:
            return conclude(crawler, token, allowed, response.status_code, response.headers)
    # sent to its open prefix: where a compliant crawler finds the track (signals/open_paths)
    there = urljoin(url, moved)
    allowed = robots if isinstance(robots, bool) else robots.can_fetch(there, token)
    with client.stream("GET", there, headers={"User-Agent": agent}) as response:
        found = conclude(crawler, token, allowed, response.status_code, response.headers)
    return replace(found, why=f"{found.why}, at its open prefix {urlsplit(there).path}")


@signals_app.command("check", epilog="Example: consentry signals check "
                                     "http://127.0.0.1:8000/tracks/5")
def check(url: Annotated[str, typer.Argument(help="A page or recording of your site")],
          as_json: JsonFlag = False) -> None:
    """Fetch URL as each known AI crawler and print what a compliant one would conclude.

    The crawlers' requests are real: refusals show up in the admin's counts.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise InvalidInput(f"{url!r} is not an http(s) URL")
    registry = crawler_registry(get_settings())
    headers = {"User-Agent": f"consentry/{__version__} signals check"}
    with httpx.Client(timeout=10.0, headers=headers, follow_redirects=True) as client:
        robots = _robots(client, url)
        conclusions = [_ask(client, url, robots, c, c.token) for c in registry.crawlers]
        known = {c.token.lower() for c in registry.crawlers}  # Googlebot is one now
        conclusions += [_ask(client, url, robots, None, token) for token in REFERENCE_AGENTS
                        if token.lower() not in known]
    if as_json:
        print_json([asdict(c) for c in conclusions])
        return
    table = Table(title=f"{url} as each crawler sees it",
                  caption=f"crawler list of {registry.date}; '-' = not fetched")
    for column in ("agent", "kind", "robots", "HTTP", "train", "search", "AI input"):
        table.add_column(column, no_wrap=True)
    table.add_column("why")
    for c in conclusions:
        uses = (c.train, c.search, c.ai_input) if c.fetched else ("-", "-", "-")
        table.add_row(c.agent, c.kind, "allows" if c.robots_allows else "no",
                      str(c.status), *uses, c.why)
    out.print(table)


@signals_app.command("read", epilog="Example: consentry signals read harmattan.mp3 --json")
def read(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
         as_json: JsonFlag = False) -> None:
    """The rights a downloaded recording carries: its tags and its C2PA manifest, validated."""
    info = probe_audio(file, file.name, None, max_seconds=24 * 3600)
    tags, manifest = read_file_rights(file), read_manifest(file, info.mime)
    if as_json:
        print_json({"format": info.format, "tags": asdict(tags),
                    "c2pa": asdict(manifest) | {"intact": manifest.intact}
                    if manifest else None})
        return
    out.print(f"{file}: {info.format}, {info.duration_seconds:.1f} s")
    out.print(f"  copyright   {tags.copyright or '-'}")
    out.print(f"  AI usage    {tags.usage or '-'}", highlight=False)
    out.print(f"              {tags.usage_sentence or ''}", highlight=False)
    out.print(f"  track       {tags.url or '-'}")
    if manifest is None:
        out.print("  C2PA        no manifest")
        return
    verdict = "intact" if manifest.intact else "NOT intact: " + ", ".join(manifest.failures)
    out.print(f"  C2PA        {manifest.validation_state} ({verdict}), signed by "
              f"{manifest.signer or 'unknown'}")
    for entry, use in sorted(manifest.training_mining.items()):
        info = manifest.constraints.get(entry)
        out.print(f"    {entry:32} {use}" + (f": {info}" if info else ""), highlight=False)


@crawlers_app.command("list", epilog="Example: consentry crawlers list --json")
def list_crawlers(as_json: JsonFlag = False) -> None:
    """The crawlers in use and the purpose each visit is judged under."""
    registry = crawler_registry(get_settings())
    if as_json:
        print_json({"source": registry.source, "date": registry.date, "crawlers": [
            asdict(c) | {"judged_as": crawler_purpose(c)} for c in registry.crawlers]})
        return
    table = Table(title=f"{len(registry.crawlers)} crawlers from {registry.source} "
                        f"({registry.date})")
    for column in ("token", "operator", "kind", "judged as", "respects robots.txt"):
        table.add_column(column)
    for c in registry.crawlers:
        table.add_row(c.token, c.operator, c.purpose, crawler_purpose(c),
                      "yes" if c.respects_robots else "no")
    out.print(table)


@crawlers_app.command("update", epilog="Example: consentry crawlers update robots.json "
                                       "--source ai.robots.txt --date 2026-11-01")
def update(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
           source: Annotated[str | None, typer.Option(help="Where the list comes from")] = None,
           date: Annotated[str | None, typer.Option(help="Date of the list")] = None,
           as_json: JsonFlag = False) -> None:
    """Install a crawler list (ours, or ai.robots.txt's robots.json) for this platform."""
    settings = get_settings()
    installed = Path(settings.data_dir) / CRAWLERS_FILE  # the list alone, without the
    before = {c.token: c for c in load_registry(  # built-in search engines it never names
        installed if installed.exists() else None).crawlers}
    stamp = date or datetime.fromtimestamp(file.stat().st_mtime, UTC).date().isoformat()
    imported = import_registry(file.read_text(encoding="utf-8"), source or file.name, stamp)
    after = {c.token: c for c in imported.registry.crawlers}
    installed.parent.mkdir(parents=True, exist_ok=True)
    partial = installed.with_suffix(".json.part")
    partial.write_text(registry_json(imported.registry), encoding="utf-8")
    os.replace(partial, installed)
    added, removed = after.keys() - before.keys(), before.keys() - after.keys()
    changed = [t for t in after.keys() & before.keys() if after[t] != before[t]]
    if as_json:
        print_json({"installed": str(installed), "crawlers": len(after),
                    "added": sorted(added), "removed": sorted(removed),
                    "changed": sorted(changed),
                    "skipped": [{"token": t, "reason": r} for t, r in imported.skipped]})
        return
    out.print(f"installed {len(after)} crawlers in {installed}: {len(added)} added, "
              f"{len(removed)} removed, {len(changed)} changed")
    for token, reason in imported.skipped:
        out.print(f"  skipped {token!r}: {reason}", highlight=False)
    out.print("restart the server to apply the new list")
