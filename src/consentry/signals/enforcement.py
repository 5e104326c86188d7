"""Which purpose a crawler's visit serves, and the refusal it gets when that purpose is denied.

A crawler is judged by the same decision engine as any other AI use: a training crawler is
another company training on the music (``third-party-training:<operator>``, which artists must
opt into by name), a search crawler is public web search (``web-search``), a user-triggered
fetcher is AI input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from consentry.purposes import third_party_purpose
from consentry.signals.crawlers import Crawler

REFUSAL_CODE = "ai-use-reserved"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# The purpose of the vocabulary that each kind of crawler visit amounts to.
_KIND_PURPOSE = {"search": "web-search", "user": "ai-input"}


def operator_slug(operator: str) -> str:
    """``Common Crawl`` -> ``common-crawl``: the company name as a purpose suffix."""
    ascii_name = unicodedata.normalize("NFKD", operator).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")[:63] or "unknown"


def crawler_purpose(crawler: Crawler) -> str:
    """The purpose id a visit by ``crawler`` must be allowed for."""
    if crawler.purpose == "training":
        return third_party_purpose(operator_slug(crawler.operator))
    return _KIND_PURPOSE[crawler.purpose]


@dataclass(frozen=True)
class CrawlerRefusal:
    """Why a known AI crawler may not have this content; serialised as the 403 body."""

    crawler: Crawler
    purpose: str
    content: str
    reason: str

    def body(self) -> dict[str, object]:
        return {
            "error": REFUSAL_CODE,
            "detail": (f"{self.crawler.token} ({self.crawler.operator}, {self.crawler.purpose}"
                       f" crawler) may not use {self.content}: {self.reason}"),
            "crawler": self.crawler.token,
            "operator": self.crawler.operator,
            "crawler_purpose": self.crawler.purpose,
            "purpose": self.purpose,
            "content": self.content,
            "signals": {"robots": "/robots.txt", "tdmrep": "/.well-known/tdmrep.json"},
        }


def judge_crawler(crawler: Crawler, content: str, allowed: bool,
                  reason: str) -> CrawlerRefusal | None:
    """``None`` when the visit may go ahead; otherwise the refusal to send."""
    return None if allowed else CrawlerRefusal(crawler, crawler_purpose(crawler), content, reason)
