"""Where a crawler kept out of the content paths by robots.txt finds the tracks it may have.

robots.txt cannot list a million tracks one by one (RFC 9309 asks parsers to read 500 KiB), and
without wildcards (which Python's parser does not read) ``Allow: /tracks/5`` would also open
``/tracks/50``. So every track is also served under a prefix of its own per purpose a crawler
is judged by, ``/open/<slug>/tracks/<id>`` (the purpose id, with the third-party colon made a
hyphen, since robots parsers quote a colon differently), answered only while the track is
allowed for that purpose (and ``/open/<slug>/artists/<id>``, while the artist's defaults allow it).
Each kept-out crawler's group opens its own prefix and nothing else,
whatever the catalogue's size, and a sitemap per purpose lists the tracks open under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from consentry.purposes import THIRD_PARTY_TRAINING

OPEN_ROOT = "/open/"
SITEMAP_URLS = 50_000  # the sitemaps.org limit per file
TRACKS_PER_SITEMAP = SITEMAP_URLS // 2  # a track is two URLs: its page and its recording


_THIRD_PARTY = f"{THIRD_PARTY_TRAINING}:"
_THIRD_PARTY_SLUG = f"{THIRD_PARTY_TRAINING}-"


def purpose_slug(purpose: str) -> str:
    """``third-party-training:openai`` -> ``third-party-training-openai``; others as they are."""
    return (_THIRD_PARTY_SLUG + purpose.removeprefix(_THIRD_PARTY)
            if purpose.startswith(_THIRD_PARTY) else purpose)


def slug_purpose(slug: str) -> str:
    return (_THIRD_PARTY + slug.removeprefix(_THIRD_PARTY_SLUG)
            if slug.startswith(_THIRD_PARTY_SLUG) else slug)


def open_prefix(purpose: str) -> str:
    return f"{OPEN_ROOT}{purpose_slug(purpose)}/"


def open_track_path(purpose: str, track_id: int) -> str:
    return f"{open_prefix(purpose)}tracks/{track_id}"


def open_audio_path(purpose: str, track_id: int) -> str:
    return f"{open_track_path(purpose, track_id)}/audio"


def open_artist_path(purpose: str, artist_id: int) -> str:
    """An artist's page under the prefix, answered while the artist's defaults allow it."""
    return f"{open_prefix(purpose)}artists/{artist_id}"


def sitemap_path(purpose: str, page: int | None = None) -> str:
    """The purpose's sitemap: one file, or an index of numbered files past 25,000 tracks."""
    return f"{open_prefix(purpose)}sitemap{'' if page is None else f'-{page}'}.xml"


def sitemap_pages(count: int) -> int:
    return max(1, -(-count // TRACKS_PER_SITEMAP))


def sitemap_xml(base_url: str, purpose: str, track_ids: Sequence[int], page: int = 1) -> str:
    """The tracks open for ``purpose`` (their page and recording), one page of them."""
    start = (page - 1) * TRACKS_PER_SITEMAP
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for track_id in track_ids[start:start + TRACKS_PER_SITEMAP]:
        for path in (open_track_path(purpose, track_id), open_audio_path(purpose, track_id)):
            lines.append(f"  <url><loc>{escape(base_url + path)}</loc></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemap_index_xml(base_url: str, purpose: str, count: int) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in range(1, sitemap_pages(count) + 1):
        lines.append(f"  <sitemap><loc>{escape(base_url + sitemap_path(purpose, page))}</loc>"
                     "</sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"
