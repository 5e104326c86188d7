"""Sign up, log in, log out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from consentry.errors import InvalidInput, RateLimited, Unauthenticated
from consentry.services import signups
from consentry.store import accounts
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.page import Page
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import PageContext, check_csrf, set_session_cookie

router = APIRouter()
Text = Annotated[str, Form(max_length=1024)]


@router.get("/signup")
def signup_form(request: Request, page: Page) -> Response:
    return render(request, page, "signup.html")


@router.post("/signup")
def signup(request: Request, page: Page, db: Db, settings: SettingsDep, email: Text,
           password: Text, display_name: Text, csrf_token: Text = "") -> Response:
    """The same answer whether the address is new or has an account (services.signups): the
    message sent to it tells which, to its owner only."""
    check_csrf(page, csrf_token)
    try:
        sent_to = signups.sign_up(db, email, password, display_name, page.locale,
                                  settings.base_url)
    except InvalidInput as error:
        return render(request, page, "signup.html", 422, error=gettext(page, error.message),
                      email=email, display_name=display_name)
    return render(request, page, "signup_sent.html", email=sent_to)


def _same_site(target: str) -> str:
    """Where to go after login: a path on this site only, never another host."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) < 500:
        return target
    return "/me"


@router.get("/login")
def login_form(request: Request, page: Page) -> Response:
    return render(request, page, "login.html",
                  next=_same_site(request.query_params.get("next", "")))


@router.post("/login")
def login(request: Request, page: Page, db: Db, email: Text, password: Text,
          csrf_token: Text = "", next: Text = "/me") -> Response:
    check_csrf(page, csrf_token)
    client = request.client.host if request.client else "unknown"
    try:
        user = accounts.verify_login(db, email, password, client)
    except RateLimited as error:
        seconds = int(error.detail["retry_after"])  # type: ignore[index]
        response = render(request, page, "login.html", 429, email=email, next=next,
                          error=gettext(page, error.message, minutes=-(-seconds // 60)))
        response.headers["Retry-After"] = str(seconds)
        return response
    except Unauthenticated as error:
        return render(request, page, "login.html", 401, error=gettext(page, error.message),
                      email=email, next=next)
    return _logged_in(request, page, db, user, _same_site(next))


@router.post("/logout")
def logout(request: Request, page: Page, db: Db, csrf_token: Text = "") -> Response:
    check_csrf(page, csrf_token)
    accounts.end_session(db, page.session.secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie("consentry_session", path="/")
    return response


def _logged_in(request: Request, page: PageContext, db: Db, user: accounts.User,
               target: str = "/me") -> Response:
    """A fresh session for the account: an id planted before login is now worthless."""
    accounts.end_session(db, page.session.secret)
    session = accounts.start_session(db, user)
    page.is_new = False
    response = finish(request, page, RedirectResponse(target, status_code=303))
    set_session_cookie(request, response, session)
    return response
