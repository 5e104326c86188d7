"""Recording consent: the only write path into the ledger, and it only appends."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from consentry import access
from consentry.access import Principal, Role
from consentry.consent import Choice, ConsentChoice
from consentry.errors import InvalidInput
from consentry.services import consent_choices
from consentry.store import catalogue
from consentry.web.api.models import ConsentEventOut, ConsentIn
from consentry.web.dependencies import Db, principal_in
from consentry.web.errors import error_responses

router = APIRouter(tags=["consent"])
# Artists speak for themselves, admins for anyone; nobody else records a choice
Chooser = Annotated[Principal, principal_in(Role.ARTIST, Role.ADMIN)]


@router.post("/consent", response_model=ConsentEventOut, status_code=201,
             responses=error_responses(403, 404))
def record_consent(body: ConsentIn, db: Db, who: Chooser) -> ConsentEventOut:
    """Append one choice for all of the artist's tracks, or for one track they own."""
    artist_id = body.artist_id
    if artist_id is None:
        if who.role is not Role.ARTIST:
            raise InvalidInput("artist_id is required")
        artist_id = who.subject_id
    assert artist_id is not None
    access.require_artist_self(who, artist_id)
    if body.track_id is not None:
        access.require_track_owner(who, catalogue.get_track(db, body.track_id))
    event = consent_choices.record_choice(db, ConsentChoice(
        artist_id=artist_id, purpose=body.purpose, choice=Choice(body.choice),
        track_id=body.track_id, source=body.source, recorded_by=who.label))
    return ConsentEventOut.of(event)
