"""What the terms in force say about purposes: required uses and hard prohibitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from consentry.errors import InvalidInput
from consentry.purposes import DEFAULT_REQUIRED, VOCABULARY, covers, deny_chain, get_purpose


@dataclass(frozen=True)
class TermsPolicy:
    """The purpose rules of one terms version."""

    version: str
    effective_at: datetime
    required: frozenset[str] = DEFAULT_REQUIRED
    prohibited: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for purpose in self.required | self.prohibited:
            get_purpose(purpose)
        if self.required & self.prohibited:
            raise InvalidInput("a purpose cannot be both required and prohibited")

    def prohibits(self, purpose: str) -> str | None:
        """The prohibited purpose that covers ``purpose``, if any."""
        return next((p for p in deny_chain(purpose) if p in self.prohibited), None)

    def requires(self, purpose: str) -> bool:
        return purpose in self.required


PLATFORM_START = datetime(2020, 1, 1, tzinfo=UTC)
BASELINE_TERMS = TermsPolicy(version="1", effective_at=PLATFORM_START)


def terms_in_force(versions: list[TermsPolicy], at: datetime) -> TermsPolicy:
    """The latest version effective at ``at`` (the baseline before any was published), made
    unable to turn a use on by default.

    A later version may make the rules stricter, but it cannot make a purpose allowed for
    content whose artist never said yes: a purpose it newly *requires* stays optional, and a
    prohibition it lifts from a use that is on by default (recommendations, ...) stays. Such a
    change needs each artist's own opt-in; terms acceptance alone is not consent to a use.
    """
    effective = sorted((v for v in versions if v.effective_at <= at),
                       key=lambda v: v.effective_at)
    if not effective:
        return BASELINE_TERMS
    latest, earlier = effective[-1], effective[:-1]
    kept = frozenset(p for v in earlier for p in v.prohibited if _covers_a_default_use(p))
    prohibited = latest.prohibited | kept
    required = latest.required.intersection(*(v.required for v in earlier))
    required = frozenset(p for p in required if not any(q in prohibited for q in deny_chain(p)))
    if (required, prohibited) == (latest.required, latest.prohibited):
        return latest
    return TermsPolicy(latest.version, latest.effective_at, required, prohibited)


def _covers_a_default_use(purpose: str) -> bool:
    return any(p.default_allowed and covers(purpose, p.id) for p in VOCABULARY)
