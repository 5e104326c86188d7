"""Answering an invitation to a share of a track: the answer is appended and logged, and a
refusal withdraws the track from the snapshots it can no longer be in (the declined owner
counts as denying every use that needs consent)."""

from __future__ import annotations

from sqlalchemy import Connection

from consentry.consent.ownership import ShareAnswer
from consentry.services.withdrawal_causes import withdraw_for_answer
from consentry.store.share_answers import answer_share


def answer_invitation(conn: Connection, track_id: int, artist_id: int, accepted: bool,
                      by: str) -> ShareAnswer:
    answer = answer_share(conn, track_id, artist_id, accepted, by)
    withdraw_for_answer(conn, answer)
    return answer
