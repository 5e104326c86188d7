"""The decision rules, strictest first.

The ids are the section headings of docs/decisions.md; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class Rule(StrEnum):
    """A rule that can decide; declaration order is precedence order."""

    TERMS_PROHIBITION = "terms-prohibition"
    REQUIRED_USE = "required-use"
    RIGHTS_HOLDER_AGREEMENT = "rights-holder-agreement"
    CONTENT_CLAIM = "content-claim"
    CO_OWNER_CONSENT = "co-owner-consent"
    ARTIST_TRACK_CHOICE = "artist-track-choice"
    ARTIST_DEFAULT = "artist-default"
    PLATFORM_DEFAULT = "platform-default"
    OUTSIDE_SNAPSHOTS = "outside-snapshots"

    @property
    def code(self) -> int:
        """Position in the precedence order: the vectorized path stores rules as these."""
        return _ORDER[self]

    @classmethod
    def from_code(cls, code: int) -> Rule:
        return _RULES[code]


_RULES = list(Rule)
_ORDER = {rule: index for index, rule in enumerate(_RULES)}
