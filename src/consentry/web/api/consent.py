"""Recording consent: the only write path into the ledger, and it only appends."""

from __future__ import annotations

from fastapi import APIRouter

from consentry import access
from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.errors import InvalidInput
from consentry.services import consent_choices
from consentry.web.api.models import ConsentEventOut, ConsentIn
from consentry.web.dependencies import Db, Who

router = APIRouter(tags=["consent"])


@router.post("/consent", response_model=ConsentEventOut, status_code=201)
def record_consent(body: ConsentIn, db: Db, who: Who) -> ConsentEventOut:
    """Append one choice for all of the artist's tracks, or for one track they own."""
    artist_id = body.artist_id
    if artist_id is None:
        if who.role is not Role.ARTIST:
            raise InvalidInput("artist_id is required")
        artist_id = who.subject_id
    assert artist_id is not None
    access.require_artist_self(who, artist_id)
    event = consent_choices.record_choice(db, ConsentChoice(
        artist_id=artist_id, purpose=body.purpose, choice=Choice(body.choice),
        track_id=body.track_id, source=body.source, recorded_by=who.label))
    return ConsentEventOut.of(event)
