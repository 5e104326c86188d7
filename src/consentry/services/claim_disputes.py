"""Claims told, and disputes with an answer: a claim opened is told to both parties; the
uploader disputes it, the claimant upholds or releases it within the response window, and a
dispute left unanswered is released when the window ends. Every step is a logged claim
change, and both parties are told in their language (in the app, where the claims pages show
each step, and by e-mail through the outbox)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from consentry.consent import ClaimAction
from consentry.errors import N_
from consentry.i18n import translations
from consentry.services.identification import recording_titles
from consentry.store.accounts import accounts_of
from consentry.store.catalogue import get_track
from consentry.store.claims import ClaimRecord, change_claim, lapsed_disputes
from consentry.store.outbox import queue_mail
from consentry.store.parties import get_artist, get_rights_holder
from consentry.timestamps import utcnow

LAPSED = N_("no answer within the response window")  # stored in English, told translated
OPENED = "opened"
_SUBJECT: dict[str, str] = {
    OPENED: N_("Claim %(claim)s: '%(recording)s' was found in '%(title)s'"),
    ClaimAction.DISPUTE: N_("Claim %(claim)s on '%(title)s' is disputed: answer by %(date)s"),
    ClaimAction.CONFIRM: N_("Claim %(claim)s on '%(title)s' is upheld"),
    ClaimAction.RELEASE: N_("Claim %(claim)s on '%(title)s' is released"),
}
_BODY: dict[str, str] = {
    OPENED: N_("Content identification found '%(recording)s' (%(claimant)s) in the upload "
               "'%(title)s'. Claim %(claim)s restricts every AI use of the upload that needs "
               "consent until it is settled: the claimant upholds or releases it; the "
               "uploader may dispute it once, with a reason."),
    ClaimAction.DISPUTE: N_("The uploader disputes claim %(claim)s on '%(title)s': %(reason)s\n"
                            "The claim keeps its restrictions until the claimant upholds "
                            "or releases it. Unanswered by %(date)s, it is released."),
    ClaimAction.CONFIRM: N_("The claimant upheld claim %(claim)s on '%(title)s' after the "
                            "dispute. Its restrictions stay; it cannot be disputed again."),
    ClaimAction.RELEASE: N_("Claim %(claim)s on '%(title)s' is released (%(reason)s). Its "
                            "restrictions no longer apply; the uploader's choices decide."),
}


def dispute(conn: Connection, claim_id: int, by: str, reason: str,
            respond_within: timedelta, base_url: str) -> ClaimRecord:
    """The uploader's dispute: the claim stands until answered or until the window ends."""
    record = change_claim(conn, claim_id, ClaimAction.DISPUTE, by, reason, respond_within)
    _tell(conn, record, ClaimAction.DISPUTE, base_url)
    return record


def answer(conn: Connection, claim_id: int, action: ClaimAction, by: str, reason: str,
           base_url: str) -> ClaimRecord:
    """The claimant (or an admin) confirms or releases; after a dispute both sides are told."""
    record = change_claim(conn, claim_id, action, by, reason)
    if record.claim.disputed_before:
        _tell(conn, record, action, base_url)
    return record


def release_lapsed(conn: Connection, base_url: str,
                   now: datetime | None = None) -> list[ClaimRecord]:
    """Record the release of every dispute left unanswered past its deadline, and tell both
    parties. Decisions treat it as released from the deadline already; this makes the log
    and the people concerned say so too."""
    released = []
    for record in lapsed_disputes(conn, now or utcnow()):
        done = change_claim(conn, record.id, ClaimAction.RELEASE, "consentry", LAPSED)
        _tell(conn, done, ClaimAction.RELEASE, base_url)
        released.append(done)
    return released


def tell_opened(conn: Connection, records: list[ClaimRecord], base_url: str) -> None:
    """Tell the uploader's owners and the claimant of each claim just opened."""
    for record in records:
        _tell(conn, record, OPENED, base_url)


def _tell(conn: Connection, record: ClaimRecord, action: str, base_url: str) -> None:
    owners = list(get_track(conn, record.claim.track_id).accepted_owner_ids)
    claim = record.claim
    if claim.claimant_artist_id is not None:
        owners.append(claim.claimant_artist_id)
        claimant = get_artist(conn, claim.claimant_artist_id).name
    else:
        claimant = get_rights_holder(conn, claim.rights_holder_id or 0).name
    holders = [claim.rights_holder_id] if claim.rights_holder_id is not None else []
    change = claim.changes[-1]
    titles = recording_titles(conn, [record.recording_key])
    for user in accounts_of(conn, owners, holders):
        _ = translations(user.locale).gettext
        reason = _(change.reason) if change.reason == LAPSED else change.reason
        values = {"claim": record.id, "title": record.track_title, "reason": reason,
                  "date": change.respond_by.date().isoformat() if change.respond_by else "",
                  "recording": titles.get(record.recording_key, record.recording_key),
                  "claimant": claimant}
        page = "/label/claims" if user.rights_holder_id else "/me/claims"
        text = _(_BODY[action]) % values + "\n\n" + f"{base_url.rstrip('/')}{page}\n"
        queue_mail(conn, user.email, _(_SUBJECT[action]) % values, text, None, utcnow())
