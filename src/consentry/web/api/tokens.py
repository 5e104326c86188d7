"""API tokens: issued and revoked by admins (or ``consentry tokens``); ``/me`` for anyone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from consentry.access import Role
from consentry.store import tokens
from consentry.web.api.listing import Listed
from consentry.web.api.models import TokenIn, TokenOut
from consentry.web.dependencies import Admin, Db, SettingsDep, Who
from consentry.web.errors import error_responses

router = APIRouter(tags=["tokens"])


@router.get("/me")
def me(who: Who) -> dict[str, Any]:
    """Who this token speaks for."""
    return {"token_id": who.token_id, "role": who.role.value, "subject_id": who.subject_id,
            "purposes": sorted(who.purposes)}


@router.get("/tokens", responses=error_responses(403))
def list_tokens(db: Db, who: Admin, listing: Listed) -> list[dict[str, object]]:
    return listing.window_of(tokens.list_tokens(db))


@router.post("/tokens", response_model=TokenOut, status_code=201,
             responses=error_responses(403, 404))
def create_token(body: TokenIn, db: Db, who: Admin, settings: SettingsDep) -> TokenOut:
    """Issue a token; the secret is in this response only."""
    issued = tokens.create_token(
        db, settings.secret_key, body.name, Role(body.role), body.subject_id,
        timedelta(days=body.ttl_days),
        frozenset(body.purposes) if body.purposes is not None else None)
    return TokenOut(id=issued.id, name=issued.name, role=issued.role.value,
                    subject_id=issued.subject_id, expires_at=issued.expires_at,
                    token=issued.secret)


@router.delete("/tokens/{token_id}", responses=error_responses(403, 404))
def revoke_token(token_id: int, db: Db, who: Admin) -> dict[str, Any]:
    """Revoke a token; it is kept, marked revoked, and refused from then on."""
    return {"id": token_id, "revoked_at": tokens.revoke_token(db, token_id).isoformat()}
