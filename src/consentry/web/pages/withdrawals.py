"""Where withdrawals stand, in the web app: an artist sees those their own consent changes
caused and those another cause (an agreement, a claim, a declined share, the terms) made on
tracks they manage; admins all of them (why, which dataset, which consumer, told, delivered,
acknowledged, revised, and when)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentry.access import Role
from consentry.errors import N_, Forbidden
from consentry.ledger.records import (
    AGREEMENT,
    CONSENT_EVENT,
    CONTENT_CLAIM,
    SHARE_ANSWER,
    TERMS_PUBLICATION,
    TRACK_REMOVAL,
)
from consentry.purposes import VOCABULARY
from consentry.store import catalogue, paging, parties
from consentry.store.withdrawals import Withdrawal, withdrawal_page
from consentry.web.dependencies import Db
from consentry.web.pages.artist import artist_id_of
from consentry.web.pages.listing import PageWindow, Windowed
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import gettext, render
from consentry.web.sessions import PageContext

router = APIRouter()
TITLES_SHOWN = 5
# Why a withdrawal happened, by the kind of its cause in the log
CAUSES = {
    CONSENT_EVENT: N_("a consent choice (event %(id)s)"),
    AGREEMENT: N_("a rights holder's agreement (%(id)s)"),
    CONTENT_CLAIM: N_("a content claim (%(id)s)"),
    SHARE_ANSWER: N_("a co-owner declined their share (answer %(id)s)"),
    TERMS_PUBLICATION: N_("terms version %(id)s"),
    TRACK_REMOVAL: N_("the track was removed (removal %(id)s)"),
}


def cause_text(page: PageContext, w: Withdrawal) -> str:
    kind, ref = w.cause
    return gettext(page, CAUSES.get(kind, kind + " %(id)s"), id=ref)


def _render(request: Request, page: PageContext, db: Db, window: paging.Page[Withdrawal],
            everyone: bool, windowed: PageWindow) -> Response:
    found = window.items
    shown = sorted({t for w in found for t in w.track_ids[:TITLES_SHOWN]})
    titles = {t.id: t.title for t in catalogue.get_tracks(db, shown)}
    return render(request, page, "withdrawals.html", withdrawals=found,
                  pager=windowed.pager(window), titles=titles, shown=TITLES_SHOWN,
                  everyone=everyone,
                  consumers={c.id: c.name for c in parties.list_consumers(db)},
                  labels={p.id: gettext(page, p.label) for p in VOCABULARY},
                  causes={w.id: cause_text(page, w) for w in found})


@router.get("/me/withdrawals")
def mine(request: Request, page: Page, db: Db, windowed: Windowed) -> Response:
    artist_id = artist_id_of(page)
    found = withdrawal_page(db, windowed.window, artist_id=artist_id, newest_first=True)
    return _render(request, page, db, found, False, windowed)


@router.get("/admin/withdrawals")
def everyone(request: Request, page: Page, db: Db, windowed: Windowed) -> Response:
    if require_user(page).role is not Role.ADMIN:
        raise Forbidden(N_("this page is for platform admins"))
    found = withdrawal_page(db, windowed.window, newest_first=True)
    return _render(request, page, db, found, True, windowed)
