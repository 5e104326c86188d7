"""Shares by invitation: an artist named as an owner of someone else's track sees the offer and
accepts or declines it; only then does anything of theirs count for that track."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from consentry.access import Principal, Role
from consentry.errors import Forbidden
from consentry.services import share_invitations
from consentry.store import catalogue
from consentry.web.api.listing import Listed
from consentry.web.api.models import InvitationOut, ShareAnswerIn, ShareAnswerOut
from consentry.web.dependencies import Db, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/invitations", tags=["tracks"], responses=error_responses(403))
Artist = Annotated[Principal, principal_in(Role.ARTIST)]


def _artist(who: Principal) -> int:
    if who.subject_id is None:
        raise Forbidden("only the artist invited answers an invitation")
    return who.subject_id


@router.get("", response_model=list[InvitationOut])
def list_invitations(db: Db, who: Artist, listing: Listed) -> list[InvitationOut]:
    """The caller's shares that do not count yet: never answered, or declined."""
    return [InvitationOut.of(i)
            for i in listing.window_of(catalogue.invitations_of(db, _artist(who)))]


@router.post("/{track_id}", response_model=ShareAnswerOut, status_code=201,
             responses=error_responses(404))
def answer_invitation(track_id: int, body: ShareAnswerIn, db: Db,
                      who: Artist) -> ShareAnswerOut:
    """Accept or decline the caller's share of a track; the latest answer counts from now on."""
    answer = share_invitations.answer_invitation(db, track_id, _artist(who), body.accept,
                                                 who.label)
    return ShareAnswerOut(track_id=answer.track_id, artist_id=answer.artist_id,
                          accepted=answer.accepted, at=answer.at)
