"""The AI-use signals a response carries, from the decisions as they stand now: one track's,
an artist's defaults for their page, and the platform's defaults for the rest of the site."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection

from consentry.consent import DecisionContext, Track, decide
from consentry.consent.history import ConsentHistory
from consentry.purposes import VOCABULARY
from consentry.services.decisions import decide_every_purpose, decide_tracks
from consentry.signals.crawlers import Crawler
from consentry.signals.enforcement import CrawlerRefusal, crawler_purpose, judge_crawler
from consentry.signals.preferences import (
    ContentPreferences,
    content_signal,
    content_usage_header,
    derive_preferences,
    html_meta,
    robots_directives,
    seen_by,
    tdm_headers,
)
from consentry.store.terms import terms_at
from consentry.timestamps import utcnow

# Stands for "content of this artist with no choice about it in particular": no track has id 0.
_NO_TRACK = 0


def track_decisions(conn: Connection, track: Track) -> dict[str, bool]:
    """Allowed or not, now, for every purpose of the vocabulary."""
    return {p: d.allowed for p, d in decide_every_purpose(conn, track, utcnow()).items()}


def artist_decisions(conn: Connection, artist_id: int) -> dict[str, bool]:
    """The artist's defaults: what applies to their page and to tracks they made no choice on."""
    return track_decisions(conn, Track(id=_NO_TRACK, artist_id=artist_id))


def artist_allows(conn: Connection, artist_id: int, purpose: str) -> bool:
    """Whether the artist's defaults allow ``purpose`` (any purpose, per-company ones too)."""
    anything = Track(id=_NO_TRACK, artist_id=artist_id)
    return decide_tracks(conn, [anything], purpose, utcnow())[0].allowed


def site_decisions(conn: Connection, at: datetime | None = None) -> dict[str, bool]:
    """The platform's defaults under the terms in force: what no artist has chosen about."""
    at = at or utcnow()
    context = DecisionContext(terms=terms_at(conn, at), agreements=(),
                              history=ConsentHistory([]))
    anyone = Track(id=_NO_TRACK, artist_id=_NO_TRACK)
    return {p.id: decide(anyone, p.id, at, context).allowed for p in VOCABULARY}


def _preferences(decisions: Mapping[str, bool], crawler: Crawler | None) -> ContentPreferences:
    """The content's preferences, as told to ``crawler`` when one is being served: it was let
    in for its own purpose, and the signals it reads say so too (``seen_by``)."""
    prefs = derive_preferences(decisions)
    return prefs if crawler is None else seen_by(prefs, crawler_purpose(crawler), True)


def signal_headers(decisions: Mapping[str, bool], policy_url: str | None = None,
                   crawler: Crawler | None = None) -> dict[str, str]:
    """Content-Usage, Content-Signal, X-Robots-Tag and TDMRep headers for one content, as
    ``crawler`` (served, so allowed its purpose) or anyone else reads them."""
    prefs = _preferences(decisions, crawler)
    headers = dict(tdm_headers(prefs, policy_url))
    for name, value in (("Content-Usage", content_usage_header(prefs)),
                        ("Content-Signal", content_signal(prefs)),
                        ("X-Robots-Tag", robots_directives(prefs))):
        if value:
            headers[name] = value
    return headers


def signal_meta(decisions: Mapping[str, bool], policy_url: str | None = None,
                crawler: Crawler | None = None) -> list[tuple[str, str]]:
    """The same signals as ``<meta>`` name/content pairs for the page itself."""
    return html_meta(_preferences(decisions, crawler), policy_url)


def judge_track_crawler(conn: Connection, crawler: Crawler,
                        track: Track) -> CrawlerRefusal | None:
    """Whether ``crawler`` may fetch this track, by the same engine as any other AI use."""
    decision = decide_tracks(conn, [track], crawler_purpose(crawler), utcnow())[0]
    deciding = [r.summary for r in decision.reasons if r.rule is decision.rule]
    reason = (deciding or [r.summary for r in decision.reasons] or [""])[-1]
    return judge_crawler(crawler, f"track {track.id}", decision.allowed, reason)


def judge_artist_crawler(conn: Connection, crawler: Crawler,
                         artist_id: int) -> CrawlerRefusal | None:
    """Whether ``crawler`` may fetch an artist's page, judged on the artist's defaults."""
    refusal = judge_track_crawler(conn, crawler, Track(id=_NO_TRACK, artist_id=artist_id))
    if refusal is None:
        return None
    return judge_crawler(crawler, f"the page of artist {artist_id}", False, refusal.reason)
