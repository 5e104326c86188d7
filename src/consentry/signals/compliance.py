"""What a crawler that follows the published standards concludes about one URL, from what the
site sent it: the robots.txt verdict, the response status and the signal headers.

Used by ``consentry signals check`` to show an operator their site as each crawler sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from http_sfv.dictionary import Dictionary
from http_sfv.types import Token

from consentry.signals.crawlers import Crawler

Verdict = Literal["allowed", "reserved", "unknown"]


@dataclass(frozen=True)
class Conclusion:
    """One crawler's reading: may it fetch, and what may the content be used for."""

    agent: str
    kind: str
    robots_allows: bool
    status: int
    fetched: bool
    train: Verdict
    search: Verdict
    ai_input: Verdict
    why: str


def content_usage(value: str | None) -> dict[str, bool]:
    """An aipref ``Content-Usage`` field as category -> allowed; anything unparseable says
    nothing at all, as the draft requires."""
    if not value:
        return {}
    parsed = Dictionary()
    try:
        parsed.parse(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return {}
    return {key: item.value == "y" for key, item in parsed.items()
            if isinstance(item.value, Token) and item.value in ("y", "n")}


def _content_signal(value: str | None) -> dict[str, bool]:
    pairs = (part.split("=", 1) for part in (value or "").split(",") if "=" in part)
    return {k.strip().lower(): v.strip().lower() == "yes" for k, v in pairs
            if v.strip().lower() in ("yes", "no")}


def _verdict(*answers: bool | None) -> Verdict:
    """Most restrictive wins: any "no" reserves, else any "yes" allows (aipref combining)."""
    if any(a is False for a in answers):
        return "reserved"
    return "allowed" if any(a is True for a in answers) else "unknown"


def conclude(crawler: Crawler | None, agent: str, robots_allows: bool, status: int,
             headers: Mapping[str, str]) -> Conclusion:
    """Apply robots.txt, the status and each signal the way their standards say."""
    lower = {k.lower(): v for k, v in headers.items()}
    usage, signal = content_usage(lower.get("content-usage")), _content_signal(
        lower.get("content-signal"))
    noai = "noai" in [d.strip() for d in lower.get("x-robots-tag", "").split(",")]
    tdm = lower.get("tdm-reservation", "").strip()
    tdm_reserved = False if tdm == "0" else (True if tdm == "1" else None)
    train = _verdict(usage.get("train-ai"), signal.get("ai-train"),
                     None if tdm_reserved is None else not tdm_reserved,
                     False if noai else None)
    search = _verdict(usage.get("search"), signal.get("search"))
    ai_input = _verdict(signal.get("ai-input"), None if tdm_reserved is None
                        else not tdm_reserved)
    fetched = robots_allows and 200 <= status < 300
    if not robots_allows:
        why = "robots.txt keeps it out" + (
            "; refused (403) if it ignores that" if status == 403 else "")
    elif status in (403, 429):
        why = "refused by the server (403)" if status == 403 else "throttled (429)"
    elif not fetched:
        why = f"the server answered {status}"
    else:
        why = "fetched: the signals apply"
    return Conclusion(agent, crawler.purpose if crawler else "other", robots_allows, status,
                      fetched, train, search, ai_input, why)
