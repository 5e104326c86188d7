"""The open prefixes (``signals/open_paths.py``): a track served under a purpose a crawler is
judged by, only while the track is allowed for it, and a sitemap per purpose listing those
tracks. robots.txt lets each kept-out crawler into its own prefix and nowhere else."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentry.consent import Track
from consentry.errors import NotFound, UnknownPurpose
from consentry.purposes import THIRD_PARTY_TRAINING, get_purpose
from consentry.services.content_signals import (
    artist_allows,
    judge_artist_crawler,
    judge_track_crawler,
)
from consentry.services.decisions import decide_all, decide_tracks
from consentry.signals.open_paths import (
    sitemap_index_xml,
    sitemap_pages,
    sitemap_xml,
    slug_purpose,
)
from consentry.store import catalogue, parties
from consentry.timestamps import utcnow
from consentry.web.api.audio import ManifestChoice, audio_response
from consentry.web.crawler_policy import KnownCrawler, refusal_response
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.page import Page
from consentry.web.pages.public import artist_response, track_response
from consentry.web.site_signals import base_url

router = APIRouter(include_in_schema=False)
_CRAWLER_PURPOSES = ("web-search", "ai-input")  # and third-party-training:<company>


def _purpose(slug: str) -> str:
    """The purpose an open prefix stands for; only those a crawler is judged by."""
    purpose = slug_purpose(slug)
    try:
        get_purpose(purpose)
    except UnknownPurpose:
        raise NotFound(f"no open prefix {slug!r}") from None
    if purpose not in _CRAWLER_PURPOSES and not purpose.startswith(f"{THIRD_PARTY_TRAINING}:"):
        raise NotFound(f"no open prefix {slug!r}")
    return purpose


def _open_track(db: Db, slug: str, track_id: int, crawler: KnownCrawler,
                settings: SettingsDep) -> tuple[Track, Response | None]:
    purpose = _purpose(slug)
    track = catalogue.get_track(db, track_id)
    if not decide_tracks(db, [track], purpose, utcnow())[0].allowed:
        raise NotFound(f"track {track_id} is not open for {purpose!r}")
    if crawler and settings.signals_enabled:  # another crawler on this prefix: its own use
        refusal = judge_track_crawler(db, crawler, track)
        if refusal:
            return track, refusal_response(db, refusal)
    return track, None


@router.api_route("/open/{slug}/tracks/{track_id}", methods=["GET", "HEAD"])
def open_track(slug: str, track_id: int, request: Request, page: Page, db: Db,
               crawler: KnownCrawler, settings: SettingsDep) -> Response:
    track, refused = _open_track(db, slug, track_id, crawler, settings)
    if refused is not None:
        return refused
    response = track_response(request, page, db, settings, track)
    response.headers.append("Link", f'</tracks/{track_id}>; rel="canonical"')
    return response


@router.api_route("/open/{slug}/artists/{artist_id}", methods=["GET", "HEAD"])
def open_artist(slug: str, artist_id: int, request: Request, page: Page, db: Db,
                crawler: KnownCrawler, settings: SettingsDep) -> Response:
    """An artist's page, while the artist's defaults allow the prefix's purpose."""
    purpose = _purpose(slug)
    artist = parties.get_artist(db, artist_id)
    if not artist_allows(db, artist_id, purpose):
        raise NotFound(f"artist {artist_id} is not open for {purpose!r}")
    if crawler and settings.signals_enabled:
        refusal = judge_artist_crawler(db, crawler, artist_id)
        if refusal:
            return refusal_response(db, refusal)
    response = artist_response(request, page, db, settings, artist)
    response.headers.append("Link", f'</artists/{artist_id}>; rel="canonical"')
    return response


@router.api_route("/open/{slug}/tracks/{track_id}/audio", methods=["GET", "HEAD"])
def open_audio(slug: str, track_id: int, request: Request, db: Db, crawler: KnownCrawler,
               settings: SettingsDep, c2pa: ManifestChoice = "embed") -> Response:
    track, refused = _open_track(db, slug, track_id, crawler, settings)
    if refused is not None:
        return refused
    return audio_response(request, db, settings, track, signed=c2pa == "embed")


def _open_ids(request: Request, db: Db, purpose: str) -> list[int]:
    def compute() -> list[int]:
        decided = decide_all(request.app.state.engine, purpose, utcnow())
        return decided.track_id[decided.allowed].tolist()  # type: ignore[no-any-return]
    return request.app.state.ledger_memo.get(  # type: ignore[no-any-return]
        db, ("open-tracks", purpose), compute)


@router.get("/open/{slug}/sitemap.xml")
def sitemap(slug: str, request: Request, db: Db, settings: SettingsDep) -> Response:
    """The tracks open under the prefix, or an index of numbered sitemaps past 25,000."""
    purpose = _purpose(slug)
    ids, base = _open_ids(request, db, purpose), base_url(request, settings)
    body = (sitemap_xml(base, purpose, ids) if sitemap_pages(len(ids)) == 1
            else sitemap_index_xml(base, purpose, len(ids)))
    return Response(body, media_type="application/xml")


@router.get("/open/{slug}/sitemap-{number}.xml")
def sitemap_page(slug: str, number: int, request: Request, db: Db,
                 settings: SettingsDep) -> Response:
    purpose = _purpose(slug)
    ids = _open_ids(request, db, purpose)
    if not 1 <= number <= sitemap_pages(len(ids)):
        raise NotFound(f"no sitemap page {number}")
    return Response(sitemap_xml(base_url(request, settings), purpose, ids, number),
                    media_type="application/xml")
