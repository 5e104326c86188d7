"""Opening the verification link mailed at sign-up, and asking for a new one."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from consentry.errors import InvalidInput
from consentry.services import email_verification
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import check_csrf

router = APIRouter()
Text = Annotated[str, Form(max_length=1024)]


@router.get("/verify-email")
def verify(request: Request, page: Page, db: Db) -> Response:
    """A GET, since it is a link in a mail; it only confirms what the link's holder proves."""
    try:
        email_verification.verify_email(db, request.query_params.get("token", ""))
    except InvalidInput as error:
        return render(request, page, "email_verified.html", 410,
                      error=gettext(page, error.message))
    if page.user is not None:  # the banner of this very page must not ask any more
        page.session = replace(page.session, user=replace(page.user, email_verified=True))
    return render(request, page, "email_verified.html")


@router.post("/me/verification")
def resend(request: Request, page: Page, db: Db, settings: SettingsDep,
           csrf_token: Text = "") -> Response:
    check_csrf(page, csrf_token)
    user = require_user(page)
    email_verification.resend(db, user, settings.base_url)
    return finish(request, page, RedirectResponse("/me?notice=verification-sent",
                                                  status_code=303))
