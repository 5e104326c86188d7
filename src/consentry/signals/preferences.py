"""One piece of content's AI-use preferences, in the vocabularies the standards speak.

The purposes are the source of truth; every signal is derived from the decisions on them, and a
category says "no" as soon as any purpose it covers is denied (standards digest, section 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from consentry.errors import InvalidInput
from consentry.purposes import get_purpose

NOAI = "noai, noimageai"
NOINDEX = "noindex"


@dataclass(frozen=True)
class ContentPreferences:
    """What to tell AI systems about one piece of content; ``None`` means "nothing to say"
    (no purpose of that category was decided), which every standard reads as unknown."""

    train_ai: bool | None
    ai_use: bool | None
    search: bool | None
    signal_search: bool | None
    ai_input: bool | None
    ai_train: bool | None
    tdm_reserved: bool
    noai: bool

    @property
    def noindex(self) -> bool:
        """Public search is denied: search engines are told not to index the page."""
        return self.search is False or self.signal_search is False

    @property
    def reserves_training(self) -> bool:
        """Training crawlers must stay out: either vocabulary says no to training."""
        return self.train_ai is False or self.ai_train is False


def _category(decisions: Mapping[str, bool], field: str, name: str) -> bool | None:
    covered = [allowed for pid, allowed in decisions.items()
               if getattr(get_purpose(pid), field) == name]
    return all(covered) if covered else None


def derive_preferences(decisions: Mapping[str, bool]) -> ContentPreferences:
    """Map the engine's purpose-id -> allowed answers onto the signal categories."""
    reserved = any(not allowed for pid, allowed in decisions.items()
                   if get_purpose(pid).training or get_purpose(pid).content_signal == "ai-input")
    return ContentPreferences(
        train_ai=_category(decisions, "aipref", "train-ai"),
        ai_use=_category(decisions, "aipref", "ai-use"),
        search=_category(decisions, "aipref", "search"),
        signal_search=_category(decisions, "content_signal", "search"),
        ai_input=_category(decisions, "content_signal", "ai-input"),
        ai_train=_category(decisions, "content_signal", "ai-train"),
        tdm_reserved=reserved,
        noai=reserved,
    )


_AIPREF_FIELDS = {"train-ai": "train_ai", "ai-use": "ai_use", "search": "search"}
_SIGNAL_FIELDS = {"search": "signal_search", "ai-input": "ai_input", "ai-train": "ai_train"}


def seen_by(prefs: ContentPreferences, purpose: str, allowed: bool) -> ContentPreferences:
    """The preferences as told to a crawler judged by ``purpose``: in the categories that
    purpose falls in, and in the blanket reservations (TDMRep, ``noai``) when it is a training
    or AI-input use, its own verdict answers. A company let in to train on a track reads
    ``train-ai=y`` there, although training by anyone else stays reserved; no vocabulary can
    name a company, so only that company's crawler is told this (the response varies by
    User-Agent), and everyone else reads the track's own preferences."""
    own = get_purpose(purpose)
    fields: dict[str, bool] = {}
    if own.aipref:
        fields[_AIPREF_FIELDS[own.aipref]] = allowed
    if own.content_signal:
        fields[_SIGNAL_FIELDS[own.content_signal]] = allowed
    if own.training or own.content_signal == "ai-input":
        fields |= {"tdm_reserved": not allowed, "noai": not allowed}
    return replace(prefs, **fields)


def content_usage_header(prefs: ContentPreferences) -> str | None:
    """The aipref ``Content-Usage`` value (draft-ietf-aipref-vocab-08's three categories), an
    RFC 9651 Dictionary of ``y``/``n`` Tokens; ``None`` when no category is known, because an
    empty field is not a valid Dictionary."""
    members = [f"{key}={'y' if value else 'n'}"
               for key, value in (("train-ai", prefs.train_ai), ("ai-use", prefs.ai_use),
                                  ("search", prefs.search))
               if value is not None]
    return ", ".join(members) or None


def content_signal(prefs: ContentPreferences) -> str | None:
    """The Cloudflare ``Content-Signal`` value; a missing key neither grants nor restricts."""
    members = [f"{key}={'yes' if value else 'no'}"
               for key, value in (("search", prefs.signal_search), ("ai-input", prefs.ai_input),
                                  ("ai-train", prefs.ai_train))
               if value is not None]
    return ", ".join(members) or None


def robots_directives(prefs: ContentPreferences) -> str | None:
    """``X-Robots-Tag`` and ``<meta name="robots">``: the DeviantArt ``noai`` directives that
    img2dataset and datadiligence honour, and ``noindex`` where public search is denied,
    which every search engine honours."""
    directives = ([NOAI] if prefs.noai else []) + ([NOINDEX] if prefs.noindex else [])
    return ", ".join(directives) or None


def checked_url(policy_url: str | None) -> str | None:
    if policy_url is not None and any(c in policy_url for c in "\r\n\"<>"):
        raise InvalidInput("a TDM policy URL cannot hold line breaks, quotes or angle brackets",
                           {"policy_url": policy_url})
    return policy_url or None


def tdm_headers(prefs: ContentPreferences, policy_url: str | None = None) -> dict[str, str]:
    """TDMRep headers; the policy goes out only with a reservation, since readers ignore it
    when the value is 0."""
    url = checked_url(policy_url)
    headers = {"tdm-reservation": "1" if prefs.tdm_reserved else "0"}
    if prefs.tdm_reserved and url:
        headers["tdm-policy"] = url
    return headers


def html_meta(prefs: ContentPreferences,
              policy_url: str | None = None) -> list[tuple[str, str]]:
    """``<meta name=... content=...>`` pairs carrying the same signals inside the page."""
    robots = robots_directives(prefs)
    pairs = [("robots", robots)] if robots else []
    return pairs + list(tdm_headers(prefs, policy_url).items())
