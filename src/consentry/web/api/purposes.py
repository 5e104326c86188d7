"""The purpose vocabulary: public, so anyone can read what each switch means."""

from __future__ import annotations

from fastapi import APIRouter

from consentry.purposes import VOCABULARY
from consentry.store.terms import terms_at
from consentry.timestamps import utcnow
from consentry.web.api.models import PurposeOut
from consentry.web.dependencies import Db

router = APIRouter(tags=["purposes"])


@router.get("/purposes", response_model=list[PurposeOut])
def list_purposes(db: Db) -> list[PurposeOut]:
    """Every purpose with its plain-language label, its parent and whether the terms require it.

    Per-company third-party training is written `third-party-training:<company>`.
    """
    required = terms_at(db, utcnow()).required
    return [PurposeOut.of(p, required) for p in VOCABULARY]
