"""A rights holder's reference recordings over the API: listed, and removed by the holder.

Registered in bulk from the command line (``consentry catalog ingest``); a removal forgets
the recording and releases the claims that rest on it (see docs/content-id.md).
"""

from __future__ import annotations

from fastapi import APIRouter

from consentry import access
from consentry.store import parties
from consentry.store.reference_recordings import reference_page, remove_reference
from consentry.web.api.listing import Listed
from consentry.web.api.models import ReferenceOut, RemovedReferenceOut
from consentry.web.api.rights_holders import HolderOrAdmin
from consentry.web.dependencies import Db
from consentry.web.errors import error_responses

router = APIRouter(prefix="/rights-holders", tags=["content identification"],
                   responses=error_responses(403))


@router.get("/{rights_holder_id}/references", response_model=list[ReferenceOut],
            responses=error_responses(404))
def references(rights_holder_id: int, db: Db, who: HolderOrAdmin,
               listing: Listed) -> list[ReferenceOut]:
    access.require_rights_holder_self(who, rights_holder_id)
    parties.get_rights_holder(db, rights_holder_id)
    return listing.answer(reference_page(db, rights_holder_id, listing.window).map(
        ReferenceOut.of))


@router.delete("/{rights_holder_id}/references/{reference_id}",
               response_model=RemovedReferenceOut,
               responses={404: {"description": "No such rights holder, or no such reference "
                                                "recording of theirs"}})
def remove(rights_holder_id: int, reference_id: int, db: Db,
           who: HolderOrAdmin) -> RemovedReferenceOut:
    """Stop looking for the recording: it leaves the index, and the claims that rest on it
    are released with the reason 'reference removed' (they stay on record)."""
    access.require_rights_holder_self(who, rights_holder_id)
    return RemovedReferenceOut.of(remove_reference(db, reference_id, who.label,
                                                   rights_holder_id=rights_holder_id))
