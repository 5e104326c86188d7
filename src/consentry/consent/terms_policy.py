"""What the terms in force say about purposes: required uses and hard prohibitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from consentry.errors import InvalidInput
from consentry.purposes import DEFAULT_REQUIRED, deny_chain, get_purpose


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
    """The latest version effective at ``at``; the baseline before any was published."""
    effective = [v for v in versions if v.effective_at <= at]
    return max(effective, key=lambda v: v.effective_at) if effective else BASELINE_TERMS
