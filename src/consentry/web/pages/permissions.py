"""The artist's AI permissions: every use in plain words with its platform default, one
outcome per use and track with the reason that decides it, answers for single AI companies,
and a review that shows each outcome before and after, before anything is recorded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from consentry.consent import Choice, ConsentChoice, ConsentEvent, Track
from consentry.errors import N_, InvalidInput, UnknownPurpose
from consentry.purposes import THIRD_PARTY_TRAINING, VOCABULARY, get_purpose
from consentry.services import consent_choices
from consentry.services.decisions import decide_before_and_after
from consentry.services.email_verification import require_verified
from consentry.store import catalogue, ledger, parties
from consentry.store.terms import terms_at
from consentry.timestamps import utcnow
from consentry.web.dependencies import Db
from consentry.web.pages.artist import artist_id_of
from consentry.web.pages.explain import Known, Outcome, outcome, use_label
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import PageContext, check_csrf

router = APIRouter()
UNSET = ""


@dataclass(frozen=True)
class UseRow:
    """One use: what it is, its default, the artist's choices and, per track, the outcome."""

    purpose_id: str
    label: str
    description: str
    required: bool
    default_allowed: bool
    company: str | None
    all_choice: str
    track_choices: dict[int, str]
    outcomes: dict[int, Outcome]
    summary: Outcome | None  # across all tracks, when there are tracks


@dataclass(frozen=True)
class Change:
    """A choice the form asks for, with the choice it replaces."""

    track_id: int | None
    purpose: str
    before: str
    after: str

    @property
    def token(self) -> str:
        return f"{self.track_id or 'all'}|{self.purpose}|{self.after or 'clear'}"


@dataclass(frozen=True)
class Effect:
    """One outcome a review changes: a track, a use, now and after confirming."""

    track_id: int
    label: str
    before: Outcome
    after: Outcome


def company_purposes(events: Iterable[ConsentEvent]) -> list[str]:
    """The companies the artist has an answer for (in any scope, not removed since): their
    per-company purposes, by name."""
    last: dict[tuple[int | None, str], ConsentEvent] = {}
    for event in events:  # oldest first
        if get_purpose(event.purpose).company:
            last[(event.track_id, event.purpose)] = event
    return sorted({p for (_, p), e in last.items() if e.choice is not Choice.CLEAR})


def _current(events: Mapping[str, ConsentEvent], purpose_id: str) -> str:
    """What the form shows: allow, deny, or unset (no event, or a cleared one)."""
    event = events.get(purpose_id)
    return UNSET if event is None or event.choice is Choice.CLEAR else event.choice.value


def _known(db: Connection, tracks: list[Track], events: list[ConsentEvent]) -> Known:
    return Known(
        artists={a: parties.get_artist(db, a).name for t in tracks for a in t.owner_ids},
        agreements={a.id: a.title for a in catalogue.list_agreements(db)},
        events={e.id: e for e in events})


def _summary(context: PageContext, outcomes: dict[int, Outcome]) -> Outcome | None:
    """One outcome for all tracks when they agree; else how many tracks allow the use."""
    found = set(outcomes.values())
    if not found:
        return None
    if len(found) == 1:
        return found.pop()
    allowed = sum(o.allowed for o in outcomes.values())
    return Outcome("partly", gettext(context, "Differs by track"), gettext(
        context, "Allowed for %(allowed)s of %(total)s tracks: see each track below",
        allowed=allowed, total=len(outcomes)))


def use_rows(db: Connection, page: PageContext, artist_id: int, tracks: list[Track],
             proposed: list[ConsentChoice] | None = None) -> tuple[list[UseRow], list[Effect]]:
    """The rows of the page, and the outcomes ``proposed`` would change."""
    now = utcnow()
    required = terms_at(db, now).required
    owners = sorted({a for t in tracks for a in t.owner_ids} | {artist_id})
    events = ledger.events_of(db, owners, now)
    own = ledger.history_of(db, [artist_id], now)
    companies = company_purposes(e for e in events if e.artist_id == artist_id)
    companies += sorted({c.purpose for c in proposed or () if get_purpose(c.purpose).company}
                        - set(companies))
    purposes = [p.id for p in VOCABULARY] + companies
    preview = decide_before_and_after(db, tracks, purposes, proposed or [], now)
    known = _known(db, tracks, events)
    known_after = _known(db, tracks, [*events, *preview.proposed])
    defaults = own.current_choices(artist_id, None, now)
    on_track = {t.id: own.current_choices(artist_id, t.id, now) for t in tracks}
    rows = []
    for purpose_id in purposes:
        purpose = get_purpose(purpose_id)
        outcomes = {t.id: outcome(page, preview.before[(t.id, purpose_id)], known)
                    for t in tracks}
        rows.append(UseRow(
            purpose_id, use_label(page, purpose_id),
            "" if purpose.company else gettext(page, purpose.description),
            purpose_id in required, purpose.default_allowed, purpose.company,
            _current(defaults, purpose_id),
            {t.id: _current(on_track[t.id], purpose_id) for t in tracks},
            outcomes, _summary(page, outcomes)))
    effects = [Effect(t.id, row.label, row.outcomes[t.id],
                      outcome(page, preview.after[(t.id, row.purpose_id)], known_after))
               for t in tracks for row in rows] if proposed else []
    return rows, [e for e in effects if e.before != e.after]


def _open_tracks(request: Request) -> set[int]:
    return {int(i) for i in request.query_params.getlist("open") if i.isdigit()}


@router.get("/me/permissions")
def permissions(request: Request, page: Page, db: Db) -> Response:
    artist_id = artist_id_of(page)
    tracks = catalogue.list_tracks(db, artist_id=artist_id, limit=1000)
    rows, _ = use_rows(db, page, artist_id, tracks)
    return render(request, page, "permissions.html", tracks=tracks, opened=_open_tracks(request),
                  changed=set(request.query_params.getlist("changed")),
                  rows=[r for r in rows if not r.company],
                  company_rows=[r for r in rows if r.company],
                  third_party=THIRD_PARTY_TRAINING)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _wanted_changes(form: dict[str, str], rows: list[UseRow],
                    tracks: list[Track]) -> list[Change]:
    changes = []
    for row in rows:
        if row.required:
            continue
        wanted = form.get(f"all:{row.purpose_id}")
        if wanted is not None and wanted != row.all_choice:
            changes.append(Change(None, row.purpose_id, row.all_choice, wanted))
        for track in tracks:
            wanted = form.get(f"{track.id}:{row.purpose_id}")
            if wanted is not None and wanted != row.track_choices[track.id]:
                changes.append(Change(track.id, row.purpose_id, row.track_choices[track.id],
                                      wanted))
    company = form.get("company", "").strip().lower()
    if company:
        try:
            purpose = get_purpose(f"{THIRD_PARTY_TRAINING}:{company}").id
        except UnknownPurpose as error:
            raise InvalidInput(N_("a company's short name has lower-case letters, digits and "
                                  "hyphens only")) from error
        if all(c.purpose != purpose or c.track_id is not None for c in changes):
            before = next((r.all_choice for r in rows if r.purpose_id == purpose), UNSET)
            after = form.get("company_choice", "deny")
            if after != before:
                changes.append(Change(None, purpose, before, after))
    if any(c.after not in (UNSET, "allow", "deny") for c in changes):
        raise InvalidInput(N_("a choice must be allow, deny or unset"))
    return changes


@router.post("/me/permissions/review")
async def review(request: Request, page: Page, db: Db) -> Response:
    """Every change is shown once more, with the outcomes it changes, and needs a second,
    explicit confirmation."""
    form = await _form(request)
    check_csrf(page, form.get("csrf_token"))
    artist_id = artist_id_of(page)
    require_verified(require_user(page))
    tracks = catalogue.list_tracks(db, artist_id=artist_id, limit=1000)
    rows, _ = use_rows(db, page, artist_id, tracks)
    changes = _wanted_changes(form, rows, tracks)
    proposed = [ConsentChoice(artist_id, c.purpose, Choice(c.after or "clear"), c.track_id)
                for c in changes]
    rows, effects = use_rows(db, page, artist_id, tracks, proposed)
    return render(request, page, "review.html", changes=changes, effects=effects,
                  titles={t.id: t.title for t in tracks},
                  labels={r.purpose_id: r.label for r in rows})


@router.post("/me/permissions/confirm")
async def confirm(request: Request, page: Page, db: Db) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    artist_id = artist_id_of(page)
    require_verified(require_user(page))
    tokens = [str(v) for v in form.getlist("change")][:500]
    opened: list[str] = []
    for token in tokens:
        scope, _, rest = token.partition("|")
        purpose, _, choice = rest.partition("|")
        get_purpose(purpose)
        track_id = None if scope == "all" else _int(scope)
        consent_choices.record_choice(db, ConsentChoice(
            artist_id, purpose, _choice(choice), track_id,
            source="web", recorded_by=f"user:{page.user.id}" if page.user else "web"))
        if track_id is not None and str(track_id) not in opened:
            opened.append(str(track_id))
    query = [("notice", "saved" if tokens else "unchanged"), *(("open", i) for i in opened),
             *(("changed", t.rsplit("|", 1)[0]) for t in tokens)]
    anchor = f"#track-{opened[0]}" if opened else ""
    return finish(request, page, RedirectResponse(
        f"/me/permissions?{urlencode(query)}{anchor}", status_code=303))


def _choice(text: str) -> Choice:
    try:
        return Choice(text)
    except ValueError as error:
        raise InvalidInput(f"{text!r} is not a choice") from error


def _int(text: str) -> int:
    if not text.isdigit() or len(text) > 10:
        raise InvalidInput(f"{text!r} is not a track id")
    return int(text)
