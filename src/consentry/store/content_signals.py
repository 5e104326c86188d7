"""The AI-use signals one track's responses carry, from its decisions as they stand now."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection

from consentry.consent import Track
from consentry.signals.preferences import (
    content_signal,
    content_usage_header,
    derive_preferences,
    html_meta,
    tdm_headers,
    x_robots_tag,
)
from consentry.store.decisions import decide_every_purpose
from consentry.timestamps import utcnow


def track_decisions(conn: Connection, track: Track) -> dict[str, bool]:
    """Allowed or not, now, for every purpose of the vocabulary."""
    return {p: d.allowed for p, d in decide_every_purpose(conn, track, utcnow()).items()}


def track_signal_headers(conn: Connection, track: Track) -> dict[str, str]:
    return signal_headers(track_decisions(conn, track))


def signal_headers(decisions: Mapping[str, bool]) -> dict[str, str]:
    """Content-Usage, Content-Signal, X-Robots-Tag and TDMRep headers for one content."""
    prefs = derive_preferences(decisions)
    headers = dict(tdm_headers(prefs))
    for name, value in (("Content-Usage", content_usage_header(prefs)),
                        ("Content-Signal", content_signal(prefs)),
                        ("X-Robots-Tag", x_robots_tag(prefs))):
        if value:
            headers[name] = value
    return headers


def signal_meta(decisions: Mapping[str, bool]) -> list[tuple[str, str]]:
    """The same signals as ``<meta>`` name/content pairs for the page itself."""
    return html_meta(derive_preferences(decisions))
