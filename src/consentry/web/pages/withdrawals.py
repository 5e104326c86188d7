"""Where withdrawals stand, in the web app: an artist sees those their own consent changes
caused, admins all of them (which dataset, which consumer, told, delivered, acknowledged,
revised, and when)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentry.access import Role
from consentry.errors import N_, Forbidden
from consentry.purposes import VOCABULARY
from consentry.store import catalogue, parties
from consentry.store.withdrawals import Withdrawal, list_withdrawals
from consentry.web.dependencies import Db
from consentry.web.pages.artist import artist_id_of
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import gettext, render
from consentry.web.sessions import PageContext

router = APIRouter()
TITLES_SHOWN = 5


def _render(request: Request, page: PageContext, db: Db, found: list[Withdrawal],
            everyone: bool) -> Response:
    shown = sorted({t for w in found for t in w.track_ids[:TITLES_SHOWN]})
    titles = {t.id: t.title for t in catalogue.get_tracks(db, shown)}
    return render(request, page, "withdrawals.html", withdrawals=list(reversed(found)),
                  titles=titles, shown=TITLES_SHOWN, everyone=everyone,
                  consumers={c.id: c.name for c in parties.list_consumers(db)},
                  labels={p.id: gettext(page, p.label) for p in VOCABULARY})


@router.get("/me/withdrawals")
def mine(request: Request, page: Page, db: Db) -> Response:
    artist_id = artist_id_of(page)
    return _render(request, page, db, list_withdrawals(db, artist_id=artist_id), False)


@router.get("/admin/withdrawals")
def everyone(request: Request, page: Page, db: Db) -> Response:
    if require_user(page).role is not Role.ADMIN:
        raise Forbidden(N_("this page is for platform admins"))
    return _render(request, page, db, list_withdrawals(db), True)
