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

from consentry.purposes import get_purpose
from consentry.signals.crawlers import Crawler
from consentry.signals.enforcement import crawler_purpose

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
    disagreements: tuple[str, ...] = ()  # carriers that tell this crawler different things


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


def robots_usage(robots_txt: str, token: str, path: str) -> dict[str, bool]:
    """The aipref ``Content-Usage`` rule robots.txt applies to ``path`` for the crawler with
    product token ``token`` (draft-ietf-aipref-attach-05, section 3): the rules of the groups
    naming the token (merged, RFC 9309 2.2.1), else of ``*``; the longest matching path wins,
    and a rule without a path applies to every path. Paths match as prefixes: consentry writes
    no ``*`` or ``$`` patterns, and this reads the operator's own site."""
    groups: list[tuple[set[str], list[tuple[str, str]]]] = []
    in_agents = False
    for raw in robots_txt.splitlines():
        key, colon, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon:
            continue
        if key == "user-agent":
            if not in_agents:
                groups.append((set(), []))
            groups[-1][0].add(value.lower())
            in_agents = True
            continue
        in_agents = False
        if key == "content-usage" and groups:
            rule_path, _, statement = value.partition(" ") if value.startswith("/") else (
                "", "", value)
            groups[-1][1].append((rule_path, statement.strip()))
    named = [rules for agents, rules in groups if token.lower() in agents]
    chosen = named or [rules for agents, rules in groups if "*" in agents]
    matching = [(len(rule_path), statement) for rules in chosen for rule_path, statement in rules
                if path.startswith(rule_path)]
    return content_usage(max(matching, key=lambda m: m[0])[1]) if matching else {}


# The verdict that answers each aipref category
_VERDICT_OF = {"train-ai": "train", "search": "search", "ai-use": "ai_input"}


def _disagreements(crawler: Crawler, robots_allows: bool, fetched: bool, status: int,
                   verdicts: Mapping[str, Verdict], header_usage: Mapping[str, bool],
                   rule_usage: Mapping[str, bool]) -> tuple[str, ...]:
    """Where the carriers would lead a compliant crawler astray in its own use. A 403 where
    robots.txt lets it in is not one: robots.txt states the site's defaults, the refusal says
    why this content differs, and the crawler takes nothing. Nor is a category that is not
    the crawler's own use (a search crawler reading ``ai-use``): robots.txt says the site's
    default there and the response the content's own, and aipref-vocab-08 lets search govern
    whatever a search application does."""
    found = []
    category = get_purpose(crawler_purpose(crawler)).aipref or "train-ai"
    field = _VERDICT_OF[category]
    if not robots_allows and 200 <= status < 300:
        found.append(f"robots.txt keeps it out, yet the server answers {status}")
    if fetched and verdicts[field] == "reserved":
        found.append(f"served, yet the signals reserve its use ({category})")
    said, told = rule_usage.get(category), header_usage.get(category)
    if fetched and said is not None and told is not None and said != told:
        found.append(f"robots.txt says {category}={'yn'[not said]} here, the response "
                     f"{category}={'yn'[not told]}")
    return tuple(found)


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
             headers: Mapping[str, str],
             rule_usage: Mapping[str, bool] | None = None) -> Conclusion:
    """Apply robots.txt (its verdict, and the ``Content-Usage`` rule it applies here), the
    status and each signal the way their standards say."""
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
    ai_input = _verdict(usage.get("ai-use"), signal.get("ai-input"),
                        None if tdm_reserved is None else not tdm_reserved)
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
    verdicts: dict[str, Verdict] = {"train": train, "search": search, "ai_input": ai_input}
    disagreements = () if crawler is None else _disagreements(
        crawler, robots_allows, fetched, status, verdicts, usage, rule_usage or {})
    return Conclusion(agent, crawler.purpose if crawler else "other", robots_allows, status,
                      fetched, train, search, ai_input, why, disagreements)
