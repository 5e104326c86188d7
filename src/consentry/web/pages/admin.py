"""Platform admins: accounts, AI consumers, and their API tokens (issued and revoked)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.access import Role
from consentry.errors import N_, Forbidden, InvalidInput, NotFound
from consentry.purposes import VOCABULARY
from consentry.store import accounts, parties, refusals, tokens
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.explain import use_label
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import PageContext, check_csrf

router = APIRouter()


def _require_admin(page: PageContext) -> None:
    if require_user(page).role is not Role.ADMIN:
        raise Forbidden(N_("this page is for platform admins"))


def _admin_page(request: Request, page: PageContext, db: Db, **extra: Any) -> Response:
    return render(request, page, "admin.html", users=accounts.list_users(db),
                  consumers=parties.list_consumers(db), tokens=tokens.list_tokens(db),
                  refusals=refusals.recent_refusals(db),
                  uses={p.id: use_label(page, p.id, public=True) for p in VOCABULARY}, **extra)


@router.get("/admin")
def admin_home(request: Request, page: Page, db: Db) -> Response:
    _require_admin(page)
    return _admin_page(request, page, db)


@router.post("/admin/tokens")
async def issue_token(request: Request, page: Page, db: Db, settings: SettingsDep) -> Response:
    """Issue a consumer token; its secret is shown on this response only."""
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    _require_admin(page)
    consumer = str(form.get("consumer_id", ""))
    if not consumer.isdigit():
        raise InvalidInput(N_("choose a consumer"))
    days = str(form.get("ttl_days", "90"))
    issued = tokens.create_token(
        db, settings.secret_key, str(form.get("name", "web"))[:200] or "web", Role.CONSUMER,
        int(consumer), timedelta(days=int(days) if days.isdigit() and 0 < int(days) <= 3650
                                 else 90))
    return _admin_page(request, page, db, issued=issued)


def _revocable(db: Db, token_id: int) -> dict[str, object]:
    """A token the web may revoke: not an administrator's, whose loss would lock admins out
    of the API (the command line revokes those)."""
    token = next((t for t in tokens.list_tokens(db) if t["id"] == token_id), None)
    if token is None:
        raise NotFound(N_("there is no such token"))
    if token["role"] == Role.ADMIN.value:
        raise Forbidden(N_("an administrator's token is revoked on the command line"))
    return token


@router.get("/admin/tokens/{token_id}/revoke")
def confirm_revoke(token_id: int, request: Request, page: Page, db: Db) -> Response:
    """The confirmation step: revoking cannot be undone, so it takes a second click, and
    works without JavaScript."""
    _require_admin(page)
    token = _revocable(db, token_id)
    return render(request, page, "confirm.html", title=gettext(page, "Revoke a token"),
                  question=gettext(page, "Revoke token %(id)s (“%(name)s”)? Every program "
                                         "that uses it loses access at once; this cannot be "
                                         "undone.", id=token_id, name=token["name"]),
                  action=f"/admin/tokens/{token_id}/revoke", back="/admin",
                  button=gettext(page, "Revoke the token"))


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke(token_id: int, request: Request, page: Page, db: Db) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    _require_admin(page)
    _revocable(db, token_id)
    if form.get("confirmed") != "yes":
        return finish(request, page, RedirectResponse(f"/admin/tokens/{token_id}/revoke",
                                                      status_code=303))
    tokens.revoke_token(db, token_id)
    return finish(request, page, RedirectResponse("/admin?notice=saved", status_code=303))
