"""``consentry signals`` and ``consentry crawlers``: the site as each AI crawler sees it, and
the list of crawlers the platform recognises."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import partial
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
from consentry.signals.compliance import Conclusion, conclude, robots_usage
from consentry.signals.crawler_import import import_registry, registry_json
from consentry.signals.crawlers import Crawler, load_registry
from consentry.signals.enforcement import crawler_purpose
from consentry.signals.file_tags import read_file_rights

signals_app = typer.Typer(help="What AI crawlers are told and how they are treated.",
                          no_args_is_help=True)
crawlers_app = typer.Typer(help="The AI crawlers the platform recognises.", no_args_is_help=True)
# Agents that are not AI crawlers, for comparison: a search engine and a browser.
REFERENCE_AGENTS = ("Googlebot", "Mozilla")
_PARALLEL_REQUESTS = 8  # a crawler's requests at once: quick, and gentle on the site


@dataclass(frozen=True)
class _Robots:
    """robots.txt as a crawler reads it: the verdict per path (protego) and the text, for the
    ``Content-Usage`` rules protego does not read. ``verdict`` alone is what RFC 9309 section
    2.3.1.3 says to assume without a file: 4xx allows everything, else nothing."""

    parsed: Protego | None
    text: str
    verdict: bool = True

    def allows(self, url: str, token: str) -> bool:
        return self.verdict if self.parsed is None else self.parsed.can_fetch(url, token)

    def usage(self, url: str, token: str) -> dict[str, bool]:
        return robots_usage(self.text, token, urlsplit(url).path or "/")


def _robots(client: httpx.Client, url: str) -> _Robots:
    try:
        response = client.get(urljoin(url, "/robots.txt"))
    except httpx.HTTPError as error:
        raise InvalidInput(f"cannot reach {url}: {error}") from error
    if 400 <= response.status_code < 500:
        return _Robots(None, "", True)
    if response.status_code >= 300:
        return _Robots(None, "", False)
    return _Robots(Protego.parse(response.text), response.text)


def _ask(client: httpx.Client, url: str, robots: _Robots, crawler: Crawler | None,
         token: str) -> Conclusion:
    agent = f"Mozilla/5.0 (compatible; {token}/1.0; +consentry signals check)"
    with client.stream("GET", url, headers={"User-Agent": agent},
                       follow_redirects=False) as response:
        moved = response.headers.get("location") if response.status_code == 308 else None
        if moved is None:
            return conclude(crawler, token, robots.allows(url, token), response.status_code,
                            response.headers, robots.usage(url, token))
    # sent to its open prefix: where a compliant crawler finds the track (signals/open_paths)
    there = urljoin(url, moved)
    with client.stream("GET", there, headers={"User-Agent": agent}) as response:
        found = conclude(crawler, token, robots.allows(there, token), response.status_code,
                         response.headers, robots.usage(there, token))
    return replace(found, why=f"{found.why}, at its open prefix {urlsplit(there).path}")


@signals_app.command("check", epilog="Example: consentry signals check "
                                     "http://127.0.0.1:8000/tracks/5 "
                                     "http://127.0.0.1:8000/v1/tracks/5/audio")
def check(urls: Annotated[list[str], typer.Argument(help="Pages or recordings of your site")],
          as_json: JsonFlag = False) -> None:
    """Fetch each URL as each known AI crawler and print what a compliant one would conclude,
    and where the carriers disagree (exit status 1 if they do anywhere).

    The crawlers' requests are real: refusals show up in the admin's counts.
    """
    bad = [url for url in urls if urlsplit(url).scheme not in ("http", "https")]
    if bad:
        raise InvalidInput(f"{bad[0]!r} is not an http(s) URL")
    registry = crawler_registry(get_settings())
    headers = {"User-Agent": f"consentry/{__version__} signals check"}
    found: dict[str, list[Conclusion]] = {}
    known = {c.token.lower() for c in registry.crawlers}  # Googlebot is one now
    agents = [(c, c.token) for c in registry.crawlers] + [
        (None, token) for token in REFERENCE_AGENTS if token.lower() not in known]
    with httpx.Client(timeout=10.0, headers=headers, follow_redirects=True) as client, \
            ThreadPoolExecutor(max_workers=_PARALLEL_REQUESTS) as pool:
        robots: dict[str, _Robots] = {}
        for url in urls:
            site = urljoin(url, "/")
            robots[site] = robots.get(site) or _robots(client, url)
            found[url] = list(pool.map(partial(_ask, client, url, robots[site]),
                                       *zip(*agents, strict=True)))
    disagreeing = any(c.disagreements for cs in found.values() for c in cs)
    if as_json:
        print_json([asdict(c) for c in found[urls[0]]] if len(urls) == 1 else {
            url: [asdict(c) for c in cs] for url, cs in found.items()})
    else:
        for url, conclusions in found.items():
            out.print(_table(url, conclusions, registry.date))
    if disagreeing:
        raise typer.Exit(1)


def _table(url: str, conclusions: list[Conclusion], list_date: str) -> Table:
    table = Table(title=f"{url} as each crawler sees it",
                  caption=f"crawler list of {list_date}; '-' = not fetched")
    for column in ("agent", "kind", "robots", "HTTP", "train", "search", "AI input"):
        table.add_column(column, no_wrap=True)
    table.add_column("why")
    for c in conclusions:
        uses = (c.train, c.search, c.ai_input) if c.fetched else ("-", "-", "-")
        why = c.why + "".join(f"; DISAGREE: {d}" for d in c.disagreements)
        table.add_row(c.agent, c.kind, "allows" if c.robots_allows else "no",
                      str(c.status), *uses, why)
    return table


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
        constraint = manifest.constraints.get(entry)
        out.print(f"    {entry:32} {use}" + (f": {constraint}" if constraint else ""),
                  highlight=False)


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
