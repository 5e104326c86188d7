"""Forgotten and changed passwords: ask for a reset link, use it, change while logged in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from consentry.errors import InvalidInput, RateLimited, Unauthenticated
from consentry.services import passwords
from consentry.store.account_tokens import PASSWORD_RESET, check_token
from consentry.timestamps import utcnow
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import check_csrf

router = APIRouter()
Text = Annotated[str, Form(max_length=1024)]


@router.get("/password/forgot")
def forgot_form(request: Request, page: Page) -> Response:
    return render(request, page, "password_forgot.html")


@router.post("/password/forgot")
def forgot(request: Request, page: Page, db: Db, settings: SettingsDep, email: Text,
           csrf_token: Text = "") -> Response:
    """One answer for every address, known or not, throttled or not."""
    check_csrf(page, csrf_token)
    passwords.request_reset(db, email, settings.base_url)
    return render(request, page, "password_forgot_sent.html", email=email.strip()[:254])


@router.get("/password/reset")
def reset_form(request: Request, page: Page, db: Db) -> Response:
    token = request.query_params.get("token", "")
    try:
        check_token(db, PASSWORD_RESET, token, utcnow())
    except InvalidInput as error:
        return render(request, page, "password_reset.html", 410,
                      error=gettext(page, error.message), token=None)
    return render(request, page, "password_reset.html", token=token)


@router.post("/password/reset")
def reset(request: Request, page: Page, db: Db, token: Text, password: Text,
          csrf_token: Text = "") -> Response:
    check_csrf(page, csrf_token)
    try:
        check_token(db, PASSWORD_RESET, token, utcnow())
    except InvalidInput as error:
        return render(request, page, "password_reset.html", 410,
                      error=gettext(page, error.message), token=None)
    try:
        passwords.reset_password(db, token, password)
    except InvalidInput as error:  # too weak: the link still works for another try
        return render(request, page, "password_reset.html", 422,
                      error=gettext(page, error.message), token=token)
    return finish(request, page, RedirectResponse("/login?notice=password-reset",
                                                  status_code=303))


@router.get("/me/password")
def change_form(request: Request, page: Page) -> Response:
    require_user(page)
    return render(request, page, "password_change.html")


@router.post("/me/password")
def change(request: Request, page: Page, db: Db, current_password: Text, password: Text,
           csrf_token: Text = "") -> Response:
    """Every other session of the account ends; this one stays logged in."""
    check_csrf(page, csrf_token)
    user = require_user(page)
    client = request.client.host if request.client else "unknown"
    try:
        passwords.change_password(db, user, current_password, password, client,
                                  page.session.secret)
    except RateLimited as error:
        seconds = int(error.detail["retry_after"])  # type: ignore[index]
        response = render(request, page, "password_change.html", 429,
                          error=gettext(page, error.message, minutes=-(-seconds // 60)))
        response.headers["Retry-After"] = str(seconds)
        return response
    except (InvalidInput, Unauthenticated) as error:
        return render(request, page, "password_change.html", 422,
                      error=gettext(page, error.message))
    return finish(request, page, RedirectResponse("/me/password?notice=password-changed",
                                                  status_code=303))
