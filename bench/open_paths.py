"""robots.txt and the open prefixes' sitemaps at catalogue scale (issue 16): robots.txt no
longer grows with the catalogue, and a sitemap page of 25,000 open tracks is written in a few
tens of milliseconds. The decisions behind a sitemap are bench/decisions.py's whole-catalogue
path (one purpose at 1M tracks: about 0.4 s, cached until the ledger changes).

    .venv/bin/python bench/open_paths.py [--tracks 1000000] [--open 0.1]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

import numpy as np

from consentry.purposes import VOCABULARY
from consentry.signals.crawlers import load_registry, with_search_engines
from consentry.signals.open_paths import sitemap_index_xml, sitemap_pages, sitemap_xml
from consentry.signals.preferences import derive_preferences
from consentry.signals.robots import robots_txt

ROBOTS_LIMIT = 500 * 1024  # RFC 9309: parsers must read at least 500 KiB
BASE = "https://music.example"


def _median_ms(work: object, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--open", type=float, default=0.1, help="share of tracks opted in")
    args = parser.parse_args(argv)
    registry = with_search_engines(load_registry())
    prefs = derive_preferences({p.id: p.default_allowed for p in VOCABULARY})
    paths = ("/tracks/", "/artists/", "/v1/tracks/")
    text = robots_txt(registry, prefs, paths, base_url=BASE)
    robots_ms = _median_ms(lambda: robots_txt(registry, prefs, paths, base_url=BASE))
    rng = np.random.default_rng(20261203)
    opened = np.sort(rng.choice(args.tracks, int(args.tracks * args.open), replace=False) + 1)
    ids = opened.tolist()
    purpose = "third-party-training:openai"
    page_ms = _median_ms(lambda: sitemap_xml(BASE, purpose, ids, 1))
    index_ms = _median_ms(lambda: sitemap_index_xml(BASE, purpose, len(ids)))
    page_bytes = len(sitemap_xml(BASE, purpose, ids, 1).encode())
    size = len(text.encode())
    print(f"catalogue     {args.tracks:,} tracks, {len(ids):,} open for {purpose}")
    print(f"robots.txt    {size:,} bytes ({size / ROBOTS_LIMIT:.1%} of RFC 9309's 500 KiB), "
          f"{len(registry.crawlers)} groups, median {robots_ms:.2f} ms; "
          "the same size at any catalogue size")
    print(f"sitemap       {sitemap_pages(len(ids))} pages of 25,000 tracks; one page "
          f"{page_bytes / 1e6:.1f} MB in median {page_ms:.1f} ms, the index in "
          f"{index_ms:.2f} ms")
    ok = size < ROBOTS_LIMIT
    print(f"target        {'met' if ok else 'MISSED'}: robots.txt under 500 KiB")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
