"""The artist's own pages: overview, AI permissions (with confirmation), history, export."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice, ConsentEvent, Track
from consentry.errors import N_, DeliveryUnavailable, Forbidden, InvalidInput
from consentry.ledger.checkpoint import vkey
from consentry.purposes import VOCABULARY, get_purpose
from consentry.services import consent_choices
from consentry.services.artist_export import export_artist
from consentry.services.decisions import decide_tracks
from consentry.services.email_verification import require_verified
from consentry.services.receipts import consent_receipt
from consentry.store import catalogue, ledger, parties
from consentry.store.terms import terms_at
from consentry.timestamps import utcnow
from consentry.web.dependencies import Db
from consentry.web.pages.explain import explain
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import PageContext, check_csrf

router = APIRouter()
UNSET = ""


def artist_id_of(page: PageContext) -> int:
    user = require_user(page)
    if user.role is not Role.ARTIST or user.artist_id is None:
        raise Forbidden(N_("this page is for artists"))
    return user.artist_id


@router.get("/me")
def overview(request: Request, page: Page, db: Db) -> Response:
    user = require_user(page)
    if user.role is not Role.ARTIST:
        home = {Role.RIGHTS_HOLDER: "/label", Role.ADMIN: "/admin"}.get(user.role, "/")
        return finish(request, page, RedirectResponse(home, status_code=303))
    artist_id = artist_id_of(page)
    tracks = catalogue.list_tracks(db, artist_id=artist_id, limit=1000)
    return render(request, page, "me.html", artist=parties.get_artist(db, artist_id),
                  tracks=tracks, invitations=len(catalogue.invitations_of(db, artist_id)))


@dataclass(frozen=True)
class Row:
    """One purpose on the permissions page: the current choice and, per track, the outcome."""

    purpose_id: str
    label: str
    description: str
    required: bool
    default_choice: str
    track_choices: dict[int, str]
    outcomes: dict[int, tuple[bool, str]]


def _rows(db: Connection, page: PageContext, artist_id: int, tracks: list[Track]) -> list[Row]:
    now = utcnow()
    required = terms_at(db, now).required
    history = ledger.history_of(db, [artist_id])
    names = {a: parties.get_artist(db, a).name for t in tracks for a in t.accepted_owner_ids}
    defaults = history.current_choices(artist_id, None, now)
    on_track = {t.id: history.current_choices(artist_id, t.id, now) for t in tracks}
    rows = []
    for purpose in VOCABULARY:
        decisions = decide_tracks(db, tracks, purpose.id, now)
        rows.append(Row(
            purpose.id, gettext(page, purpose.label), gettext(page, purpose.description),
            purpose.id in required, _current(defaults, purpose.id),
            {t.id: _current(on_track[t.id], purpose.id) for t in tracks},
            {d.track_id: (d.allowed, explain(page, d, names)) for d in decisions}))
    return rows


def _current(events: dict[str, ConsentEvent], purpose_id: str) -> str:
    """What the form shows: allow, deny, or unset (no event, or a cleared one)."""
    event = events.get(purpose_id)
    return UNSET if event is None or event.choice is Choice.CLEAR else event.choice.value


@router.get("/me/permissions")
def permissions(request: Request, page: Page, db: Db) -> Response:
    artist_id = artist_id_of(page)
    tracks = catalogue.list_tracks(db, artist_id=artist_id, limit=1000)
    return render(request, page, "permissions.html", tracks=tracks,
                  rows=_rows(db, page, artist_id, tracks))


@dataclass(frozen=True)
class Change:
    track_id: int | None
    purpose: str
    before: str
    after: str

    @property
    def token(self) -> str:
        return f"{self.track_id or 'all'}|{self.purpose}|{self.after or 'clear'}"


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/me/permissions/review")
async def review(request: Request, page: Page, db: Db) -> Response:
    """Every change is shown once more and needs a second, explicit confirmation."""
    form = await _form(request)
    check_csrf(page, form.get("csrf_token"))
    artist_id = artist_id_of(page)
    require_verified(require_user(page))
    tracks = catalogue.list_tracks(db, artist_id=artist_id, limit=1000)
    changes = []
    for row in _rows(db, page, artist_id, tracks):
        if row.required:
            continue
        wanted = form.get(f"all:{row.purpose_id}")
        if wanted is not None and wanted != row.default_choice:
            changes.append(Change(None, row.purpose_id, row.default_choice, wanted))
        for track in tracks:
            wanted = form.get(f"{track.id}:{row.purpose_id}")
            if wanted is not None and wanted != row.track_choices[track.id]:
                changes.append(Change(track.id, row.purpose_id, row.track_choices[track.id],
                                      wanted))
    if any(c.after not in (UNSET, "allow", "deny") for c in changes):
        raise InvalidInput(N_("a choice must be allow, deny or unset"))
    titles = {t.id: t.title for t in tracks}
    return render(request, page, "review.html", changes=changes, titles=titles,
                  labels={p.id: gettext(page, p.label) for p in VOCABULARY})


@router.post("/me/permissions/confirm")
async def confirm(request: Request, page: Page, db: Db) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    artist_id = artist_id_of(page)
    require_verified(require_user(page))
    tokens = [str(v) for v in form.getlist("change")][:500]
    for token in tokens:
        scope, _, rest = token.partition("|")
        purpose, _, choice = rest.partition("|")
        get_purpose(purpose)
        consent_choices.record_choice(db, ConsentChoice(
            artist_id, purpose, _choice(choice), None if scope == "all" else _int(scope),
            source="web", recorded_by=f"user:{page.user.id}" if page.user else "web"))
    notice = "saved" if tokens else "unchanged"
    return finish(request, page, RedirectResponse(f"/me/permissions?notice={notice}",
                                                  status_code=303))


@router.get("/me/history")
def history(request: Request, page: Page, db: Db) -> Response:
    artist_id = artist_id_of(page)
    events = list(reversed(ledger.events_of(db, [artist_id])))
    titles = {t.id: t.title for t in catalogue.list_tracks(db, artist_id=artist_id, limit=1000)}
    key = request.app.state.log_key
    return render(request, page, "history.html", events=events, titles=titles,
                  labels={p.id: gettext(page, p.label) for p in VOCABULARY},
                  log_key=vkey(request.app.state.settings.log_origin, key.public_key())
                  if key else "")


@router.get("/me/history/{event_id}/receipt.json")
def receipt(event_id: int, request: Request, page: Page, db: Db) -> Response:
    """The receipt of one of the artist's own choices, to keep and verify offline."""
    artist_id = artist_id_of(page)
    if ledger.get_event(db, event_id).artist_id != artist_id:
        raise Forbidden(N_("this choice is not yours"))
    key = request.app.state.log_key
    if key is None:
        raise DeliveryUnavailable(N_("receipts are not available yet"))
    data = consent_receipt(db, event_id, request.app.state.settings.log_origin, key)
    response = Response(json.dumps(data, indent=2, ensure_ascii=False),
                        media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="consentry-receipt-{event_id}.json"'})
    return finish(request, page, response)


@router.get("/me/export.json")
def export(request: Request, page: Page, db: Db) -> Response:
    artist_id = artist_id_of(page)
    body = json.dumps(export_artist(db, artist_id), indent=2, ensure_ascii=False)
    response = Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="consentry-artist-{artist_id}.json"'})
    return finish(request, page, response)


def _choice(text: str) -> Choice:
    try:
        return Choice(text)
    except ValueError as error:
        raise InvalidInput(f"{text!r} is not a choice") from error


def _int(text: str) -> int:
    if not text.isdigit() or len(text) > 10:
        raise InvalidInput(f"{text!r} is not a track id")
    return int(text)
