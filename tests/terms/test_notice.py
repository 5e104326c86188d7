"""Notice periods and each user's terms: material changes wait for the period and a yes."""

from __future__ import annotations

import pytest

from consentry.errors import InvalidInput
from consentry.terms import (
    DEFAULT_NOTICE_PERIOD,
    Account,
    ReviewBaseline,
    TermsResponse,
    TermsVersion,
    affected_users,
    review_baseline,
    state_for_user,
)
from consentry.terms.notice import MICROS_PER_DAY

DAY = MICROS_PER_DAY
V1 = TermsVersion("1", "h1", published_at=0, material=False)
V2 = TermsVersion("2", "h2", published_at=100 * DAY, material=True,
                  refusal_note="AI features will not be available to you.")
V3 = TermsVersion("3", "h3", published_at=110 * DAY, material=False)  # a typo fix of v2
VERSIONS = [V1, V2, V3]
NOTICE_END = 130 * DAY


def _accept(version: TermsVersion, at: int, user: str = "ana",
            accepted: bool = True) -> TermsResponse:
    return TermsResponse(user, version.version, version.text_hash, accepted, at)


def test_default_notice_is_thirty_days() -> None:
    assert DEFAULT_NOTICE_PERIOD == 30 * DAY
    assert V2.notice_ends_at == V2.takes_effect_at == NOTICE_END
    assert V3.takes_effect_at == V3.published_at


def test_non_material_change_applies_at_publication() -> None:
    versions = [V1, TermsVersion("1.1", "h", published_at=50 * DAY, material=False)]
    assert state_for_user(versions, [], "ana", 50 * DAY - 1).in_force == V1
    state = state_for_user(versions, [], "ana", 50 * DAY)
    assert (state.in_force, state.status) == (versions[1], "current")


def test_non_material_change_on_a_given_effective_date() -> None:
    later = TermsVersion("1.1", "h", published_at=50 * DAY, material=False,
                         effective_at=60 * DAY)
    assert state_for_user([V1, later], [], "ana", 59 * DAY).in_force == V1
    assert state_for_user([V1, later], [], "ana", 60 * DAY).in_force == later


def test_material_change_waits_for_notice_even_after_acceptance() -> None:
    responses = [_accept(V2, 101 * DAY)]
    during = state_for_user(VERSIONS, responses, "ana", NOTICE_END - 1)
    assert (during.in_force, during.pending, during.status) == (V1, V3, "accepted")
    assert during.pending_from == NOTICE_END
    after = state_for_user(VERSIONS, responses, "ana", NOTICE_END)
    assert (after.in_force, after.status) == (V3, "current")  # v2 accepted covers fix v3


def test_material_change_waits_for_acceptance_after_notice() -> None:
    silent = state_for_user(VERSIONS, [], "ana", 400 * DAY)
    assert (silent.in_force, silent.status) == (V1, "awaiting-acceptance")
    late = state_for_user(VERSIONS, [_accept(V3, 300 * DAY)], "ana", 400 * DAY)
    assert late.in_force == V3
    assert state_for_user(VERSIONS, [_accept(V3, 300 * DAY)], "ana", 299 * DAY).in_force == V1


def test_status_during_notice_without_answer() -> None:
    state = state_for_user(VERSIONS, [], "ana", 105 * DAY)
    assert (state.in_force, state.pending, state.status) == (V1, V2, "notice")


def test_refusal_keeps_the_previous_version_and_states_why() -> None:
    responses = [_accept(V2, 101 * DAY, accepted=False)]
    state = state_for_user(VERSIONS, responses, "ana", 200 * DAY)
    assert (state.in_force, state.status) == (V1, "refused")
    assert state.consequence is not None
    assert state.consequence.kept_version == "1"
    assert state.consequence.refused_version == "2"
    assert state.consequence.note == "AI features will not be available to you."


def test_the_typo_fix_does_not_slip_a_refused_change_in() -> None:
    responses = [_accept(V2, 101 * DAY, accepted=False)]
    assert state_for_user(VERSIONS, responses, "ana", 500 * DAY).in_force == V1


def test_changing_ones_mind_counts_the_latest_answer() -> None:
    responses = [_accept(V2, 101 * DAY, accepted=False), _accept(V2, 150 * DAY)]
    assert state_for_user(VERSIONS, responses, "ana", 149 * DAY).status == "refused"
    assert state_for_user(VERSIONS, responses, "ana", 150 * DAY).in_force == V3


def test_answers_of_others_or_for_another_text_are_ignored() -> None:
    wrong_hash = TermsResponse("ana", "2", "not-the-hash", True, 101 * DAY)
    someone_else = _accept(V2, 101 * DAY, user="ben")
    state = state_for_user(VERSIONS, [wrong_hash, someone_else], "ana", 200 * DAY)
    assert state.in_force == V1
    assert state_for_user(VERSIONS, [someone_else], "ben", 200 * DAY).in_force == V3


def test_nothing_in_force_before_the_first_version() -> None:
    later = TermsVersion("1", "h1", published_at=10, material=False)
    state = state_for_user([later], [], "ana", 5)
    assert (state.in_force, state.pending, state.status) == (None, None, "current")


def test_a_material_change_cannot_take_effect_early() -> None:
    with pytest.raises(InvalidInput):
        TermsVersion("2", "h", published_at=0, material=True, effective_at=DAY)
    with pytest.raises(InvalidInput):
        TermsVersion("2", "h", published_at=0, material=False, notice_period=-1)
    later = TermsVersion("2", "h", published_at=0, material=True, effective_at=60 * DAY)
    assert later.takes_effect_at == 60 * DAY


def test_affected_users_are_every_open_account_for_material_changes() -> None:
    accounts = [Account("ana", 0), Account("ben", 150 * DAY), Account("cy", 0, 50 * DAY),
                Account("dee", 90 * DAY, 120 * DAY)]
    assert affected_users(V2, accounts) == ("ana", "dee")
    assert affected_users(V3, accounts) == ()


def test_a_user_who_joins_during_notice_gets_the_version_they_signed_up_under() -> None:
    state = state_for_user(VERSIONS, [], "eve", 105 * DAY, joined_at=104 * DAY)
    assert state.status == "current"
    assert state.in_force == V2
    existing = state_for_user(VERSIONS, [], "ana", 105 * DAY)
    assert existing.in_force == V1


def test_a_review_compares_with_the_newest_version_the_user_accepted() -> None:
    """With two versions waiting, the one in between is part of the review, not its start."""
    v4 = TermsVersion("4", "h4", published_at=200 * DAY, material=True)
    versions = [*VERSIONS, v4]
    on_v1 = review_baseline(versions, [_accept(V1, 10 * DAY)], "ana", "4", 210 * DAY)
    assert on_v1 == ReviewBaseline(V1, "accepted", 10 * DAY)
    on_v2 = review_baseline(versions, [_accept(V1, 10 * DAY), _accept(V2, 101 * DAY)], "ana",
                            "4", 210 * DAY)
    assert on_v2 == ReviewBaseline(V2, "accepted", 101 * DAY)


def test_a_review_baseline_is_never_the_version_reviewed_nor_a_withdrawn_yes() -> None:
    answers = [_accept(V1, 10 * DAY), _accept(V2, 101 * DAY)]
    assert review_baseline(VERSIONS, answers, "ana", "2", 120 * DAY).version == V1
    changed_mind = [*answers, _accept(V2, 105 * DAY, accepted=False)]
    assert review_baseline(VERSIONS, changed_mind, "ana", "3", 120 * DAY).version == V1
    wrong_hash = [TermsResponse("ana", "2", "not-the-hash", True, 101 * DAY)]
    assert review_baseline(VERSIONS, wrong_hash, "ana", "3", 120 * DAY) is None


def test_without_a_yes_a_review_starts_from_sign_up_or_from_nothing() -> None:
    joined = review_baseline(VERSIONS, [], "eve", "3", 120 * DAY, joined_at=104 * DAY)
    assert joined == ReviewBaseline(V2, "signed-up", 104 * DAY)
    later_yes = review_baseline(VERSIONS, [_accept(V3, 111 * DAY, user="eve")], "eve", "3",
                                120 * DAY, joined_at=50 * DAY)
    assert later_yes == ReviewBaseline(V1, "signed-up", 50 * DAY)
    assert review_baseline(VERSIONS, [], "ana", "3", 120 * DAY) is None
