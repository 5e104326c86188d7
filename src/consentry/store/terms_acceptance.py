"""Each user's answer to a terms version, and where that leaves them.

Answers are append-only and carry the hash of the text the user saw: an answer to a text
that is not the published one is refused, so nobody can be said to have accepted words they
were never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from consentry.errors import N_, InvalidInput
from consentry.ledger.records import TERMS_RESPONSE
from consentry.store.log_sources import log_new_row
from consentry.store.schema import artists, terms_responses, users
from consentry.store.terms import PublishedTerms, get_published, list_published
from consentry.terms import (
    Account,
    TermsResponse,
    UserTermsState,
    affected_users,
    review_baseline,
    state_for_user,
)
from consentry.terms.notice import BaselineReason
from consentry.timestamps import from_micros, to_micros


@dataclass(frozen=True)
class Baseline:
    """The stored version a user's review of a newer one starts from: the newest they
    accepted or signed up under (:func:`consentry.terms.review_baseline`), and when."""

    terms: PublishedTerms
    reason: BaselineReason
    at: datetime


@dataclass(frozen=True)
class TermsStanding:
    """A user's terms state, with the stored versions it names (for pages and banners)."""

    state: UserTermsState
    in_force: PublishedTerms | None
    pending: PublishedTerms | None
    baseline: Baseline | None = None

    @property
    def needs_answer(self) -> bool:
        return self.state.status in ("notice", "awaiting-acceptance")


def record_answer(conn: Connection, user_id: int, version: str, shown_hash: str,
                  accepted: bool, at: datetime) -> TermsResponse:
    terms = get_published(conn, version)
    if not terms.has_text or shown_hash != terms.text_hash:
        raise InvalidInput(N_("this is not the text of that terms version; reload the page"),
                           {"version": version})
    response_id = conn.execute(insert(terms_responses).values(
        user_id=user_id, version=version, text_hash=shown_hash, accepted=accepted,
        at=to_micros(at))).inserted_primary_key[0]  # type: ignore[index]
    log_new_row(conn, TERMS_RESPONSE, response_id)
    return TermsResponse(str(user_id), version, shown_hash, accepted, to_micros(at))


def answers_of(conn: Connection, user_id: int) -> list[TermsResponse]:
    rows = conn.execute(select(terms_responses).where(terms_responses.c.user_id == user_id)
                        .order_by(terms_responses.c.at, terms_responses.c.id))
    return [TermsResponse(str(r.user_id), r.version, r.text_hash, bool(r.accepted), r.at)
            for r in rows]


def standing_of(conn: Connection, user_id: int, at: datetime) -> TermsStanding:
    """Where one user stands: the versions they signed up under apply without notice."""
    joined = conn.execute(select(users.c.created_at).where(users.c.id == user_id)).scalar_one()
    published = list_published(conn)
    by_version = {t.version: t for t in published}
    answers = answers_of(conn, user_id)
    state = state_for_user([t.notice_version() for t in published], answers, str(user_id),
                           to_micros(at), joined_at=joined)
    pending = by_version[state.pending.version] if state.pending else None
    return TermsStanding(
        state, by_version[state.in_force.version] if state.in_force else None, pending,
        _baseline(published, answers, user_id, joined, pending, at) if pending else None)


def baselines_of(conn: Connection, terms: PublishedTerms, user_ids: Iterable[int],
                 at: datetime) -> dict[int, Baseline | None]:
    """Each user's baseline for reviewing ``terms``, from one read of the answers (for the
    notices of a version, which go to every account at once)."""
    wanted = set(user_ids)
    joined = {r.id: r.created_at for r in conn.execute(select(users.c.id, users.c.created_at))
              if r.id in wanted}
    answers: dict[int, list[TermsResponse]] = {}
    for r in conn.execute(select(terms_responses).order_by(terms_responses.c.at,
                                                           terms_responses.c.id)):
        if r.user_id in wanted:
            answers.setdefault(r.user_id, []).append(TermsResponse(
                str(r.user_id), r.version, r.text_hash, bool(r.accepted), r.at))
    published = list_published(conn)
    return {user_id: _baseline(published, answers.get(user_id, []), user_id, joined[user_id],
                               terms, at) for user_id in joined}


def _baseline(published: Sequence[PublishedTerms], answers: Sequence[TermsResponse],
              user_id: int, joined: int, terms: PublishedTerms,
              at: datetime) -> Baseline | None:
    with_text = [t for t in published if t.has_text]
    found = review_baseline([t.notice_version() for t in with_text], answers, str(user_id),
                            terms.version, to_micros(at), joined_at=joined)
    if found is None:
        return None
    by_version = {t.version: t for t in with_text}
    return Baseline(by_version[found.version.version], found.reason, from_micros(found.at))


def notified_accounts(conn: Connection, terms: PublishedTerms) -> list[tuple[int, str, str]]:
    """(user id, e-mail, locale) of every account a material version must be announced to."""
    rows = list(conn.execute(select(users.c.id, users.c.email, users.c.locale,
                                    users.c.created_at, users.c.disabled_at)))
    who = set(affected_users(terms.notice_version(), [
        Account(str(r.id), r.created_at, r.disabled_at) for r in rows]))
    return [(r.id, r.email, r.locale) for r in rows if str(r.id) in who]


def version_for_artist(conn: Connection, artist_id: int, at: datetime) -> str | None:
    """The terms version that binds an artist at ``at``: their account's, counting only the
    material versions they accepted. An artist without an account is bound by the versions in
    force when they were registered and, after that, by those that need no acceptance; a
    material version nobody accepted for them never does."""
    account = conn.execute(select(users.c.id).where(users.c.artist_id == artist_id)
                           .order_by(users.c.id)).first()
    if account is not None:
        state = standing_of(conn, account.id, at).state
    else:
        joined = conn.execute(select(artists.c.created_at)
                              .where(artists.c.id == artist_id)).scalar_one()
        state = state_for_user([t.notice_version() for t in list_published(conn)], [],
                               f"artist:{artist_id}", to_micros(at), joined_at=joined)
    return state.in_force.version if state.in_force else None
