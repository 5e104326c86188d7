"""Which terms version applies to a user, given the notice period and their answers.

A material version applies to a user only once its notice period is over *and* the user has
accepted it; until then, and for good if they refuse, the version they were on stays in force.
A non-material version applies from its effective date, but only on top of a version that
already applies: a typo fix must not slip a refused material change in. Accepting a version
also covers the non-material versions published after it. Instants are integer microseconds
UTC (:mod:`consentry.timestamps`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from consentry.errors import InvalidInput

MICROS_PER_DAY = 86_400 * 1_000_000
# The least notice a change of AI use gets before it can apply to anyone: a setting cannot
# lower it (consentry.settings refuses); only code that calls the store directly (tests) can.
MINIMUM_NOTICE_DAYS = 30
DEFAULT_NOTICE_PERIOD = MINIMUM_NOTICE_DAYS * MICROS_PER_DAY
UserStatus = Literal["current", "notice", "accepted", "awaiting-acceptance", "refused"]
BaselineReason = Literal["accepted", "signed-up"]


@dataclass(frozen=True)
class TermsVersion:
    """A published version as far as notice goes; ``effective_at`` defaults to publication
    for a non-material version and to the end of the notice period for a material one."""

    version: str
    text_hash: str
    published_at: int
    material: bool
    notice_period: int = DEFAULT_NOTICE_PERIOD
    effective_at: int | None = None
    # Shown to a user who refuses, next to "you stay on version N" (e.g. "new AI features will
    # not be available to you"); the platform writes it, it is not legal advice from us.
    refusal_note: str = ""

    def __post_init__(self) -> None:
        if self.notice_period < 0:
            raise InvalidInput("the notice period cannot be negative")
        if self.material and self.effective_at is not None and (
                self.effective_at < self.notice_ends_at):
            raise InvalidInput(
                f"terms version {self.version!r} changes AI use and cannot take effect before "
                "its notice period ends", {"notice_ends_at": self.notice_ends_at})
        if self.effective_at is not None and self.effective_at < self.published_at:
            raise InvalidInput("a terms version cannot take effect before it is published")

    @property
    def notice_ends_at(self) -> int:
        return self.published_at + (self.notice_period if self.material else 0)

    @property
    def takes_effect_at(self) -> int:
        """The earliest instant it can apply to anyone."""
        return self.effective_at if self.effective_at is not None else self.notice_ends_at


@dataclass(frozen=True)
class TermsResponse:
    """A user's acceptance or refusal of one version, with the hash of the text they saw."""

    user_id: str
    version: str
    text_hash: str
    accepted: bool
    at: int


@dataclass(frozen=True)
class RefusalConsequence:
    """What refusing means, for the UI: the version kept and the platform's note."""

    kept_version: str | None
    refused_version: str
    note: str


@dataclass(frozen=True)
class UserTermsState:
    """The terms a user is bound by at ``at``, and the newer version waiting for them."""

    user_id: str
    at: int
    in_force: TermsVersion | None
    pending: TermsVersion | None
    status: UserStatus
    pending_from: int | None = None
    consequence: RefusalConsequence | None = None


@dataclass(frozen=True)
class Account:
    user_id: str
    created_at: int
    closed_at: int | None = None


def state_for_user(versions: Sequence[TermsVersion], responses: Iterable[TermsResponse],
                   user_id: str, at: int, *, joined_at: int | None = None) -> UserTermsState:
    """The version in force for one user at ``at``; responses of other users, responses after
    ``at`` and responses whose hash is not the version's are ignored.

    With ``joined_at``, the versions published by then are the ones the user signed up under:
    they apply to that user at once, without notice (the caller records the sign-up
    acceptance). Without it, every user is treated as an existing one.
    """
    originals = sorted((v for v in versions if v.published_at <= at),
                       key=lambda v: v.published_at)
    published = [_as_signed_up(v) if joined_at is not None and v.published_at <= joined_at
                 else v for v in originals]
    answers = _latest_answers(published, responses, user_id, at)
    current: int | None = None
    for index in range(len(published)):
        if _applies(published, answers, current, index, at):
            current = index
    in_force = originals[current] if current is not None else None
    gap = published[(current + 1 if current is not None else 0):]
    if not gap:
        return UserTermsState(user_id, at, in_force, None, "current")
    pending = originals[-1]
    starts = max(v.takes_effect_at for v in gap)
    refused = next((v for v in reversed(gap) if answers.get(v.version) is False), None)
    if refused is not None and not _accepted(gap, answers, after=refused):
        consequence = RefusalConsequence(in_force.version if in_force else None,
                                         refused.version, refused.refusal_note)
        return UserTermsState(user_id, at, in_force, pending, "refused", starts, consequence)
    status: UserStatus = "awaiting-acceptance"
    if at < starts:
        status = "accepted" if _accepted(gap, answers) else "notice"
    return UserTermsState(user_id, at, in_force, pending, status, starts)


@dataclass(frozen=True)
class ReviewBaseline:
    """The version a user's review of a newer one starts from, why it is theirs (they accepted
    it, or it was in force when they signed up) and when that was."""

    version: TermsVersion
    reason: BaselineReason
    at: int


def review_baseline(versions: Sequence[TermsVersion], responses: Iterable[TermsResponse],
                    user_id: str, reviewed: str, at: int, *,
                    joined_at: int | None = None) -> ReviewBaseline | None:
    """The newest version published before ``reviewed`` that the user accepted (their latest
    answer to it, for its text) or signed up under; None when there is none, so everything is
    new to them. A notice does not count: being told of a version is not agreeing to it, so
    with two versions waiting the one in between is part of the review. ``versions`` are those
    a review can show (with a text)."""
    ordered = sorted((v for v in versions if v.published_at <= at), key=lambda v: v.published_at)
    index = next((i for i, v in enumerate(ordered) if v.version == reviewed), len(ordered))
    earlier = ordered[:index]
    latest = _latest_responses(earlier, responses, user_id, at)
    for v in reversed(earlier):
        if v.version in latest and latest[v.version].accepted:
            return ReviewBaseline(v, "accepted", latest[v.version].at)
        if joined_at is not None and v.published_at <= joined_at:
            return ReviewBaseline(v, "signed-up", joined_at)
    return None


def _as_signed_up(version: TermsVersion) -> TermsVersion:
    """A version a new user signed up under: no notice, no separate acceptance."""
    return replace(version, material=False, effective_at=None) if version.material else version


def _latest_answers(published: Sequence[TermsVersion], responses: Iterable[TermsResponse],
                    user_id: str, at: int) -> dict[str, bool]:
    latest = _latest_responses(published, responses, user_id, at)
    return {version: r.accepted for version, r in latest.items()}


def _latest_responses(published: Sequence[TermsVersion], responses: Iterable[TermsResponse],
                      user_id: str, at: int) -> dict[str, TermsResponse]:
    hashes = {v.version: v.text_hash for v in published}
    latest: dict[str, TermsResponse] = {}
    for r in responses:
        if r.user_id == user_id and r.at <= at and hashes.get(r.version) == r.text_hash and (
                r.version not in latest or latest[r.version].at <= r.at):
            latest[r.version] = r
    return latest


def _applies(published: Sequence[TermsVersion], answers: dict[str, bool], current: int | None,
             index: int, at: int) -> bool:
    """Version ``index`` applies when it is effective and either nothing material lies
    between the version in force and it, or the user accepted the last material one of those
    or a later one up to ``index``."""
    gap = published[(current + 1 if current is not None else 0):index + 1]
    if any(v.takes_effect_at > at for v in gap):
        return False
    return not any(v.material for v in gap) or _accepted(gap, answers)


def _accepted(gap: Sequence[TermsVersion], answers: dict[str, bool],
              after: TermsVersion | None = None) -> bool:
    """Whether the user accepted the last material version of ``gap`` or a later one (or,
    with ``after``, a version later than that one)."""
    start = max((i for i, v in enumerate(gap) if v.material or v is after), default=0)
    return any(answers.get(v.version) is True for v in gap[start:])


def affected_users(version: TermsVersion, accounts: Iterable[Account]) -> tuple[str, ...]:
    """Who must get notice: every account open at publication when the change is material;
    nobody when it is not (a banner may still tell them, but nothing waits on them)."""
    if not version.material:
        return ()
    return tuple(a.user_id for a in accounts
                 if a.created_at <= version.published_at
                 and (a.closed_at is None or a.closed_at > version.published_at))
