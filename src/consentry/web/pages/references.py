"""Rights-holder staff: their reference recordings, each with a button that removes it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.errors import N_, NotFound
from consentry.store.reference_recordings import (
    list_references,
    reference_page,
    remove_reference,
)
from consentry.web.dependencies import Db
from consentry.web.pages.label import holder_id_of
from consentry.web.pages.listing import Windowed
from consentry.web.pages.page import Page
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import check_csrf

router = APIRouter()
SHOWN = 1000  # registered in bulk from the CLI, which lists any number


@router.get("/label/references")
def references(request: Request, page: Page, db: Db, windowed: Windowed) -> Response:
    holder_id = holder_id_of(page)
    found = reference_page(db, holder_id, windowed.window)
    return render(request, page, "references.html", references=found.items,
                  pager=windowed.pager(found))


@router.get("/label/references/{reference_id}/remove")
def confirm_remove(reference_id: int, request: Request, page: Page, db: Db) -> Response:
    """The confirmation step, without JavaScript: a removed reference stops recognising
    re-uploads at once."""
    holder_id = holder_id_of(page)
    found = next((r for r in list_references(db, holder_id, limit=SHOWN)
                  if r.id == reference_id), None)
    if found is None:
        raise NotFound(N_("there is no such reference recording"))
    return render(request, page, "confirm.html", title=gettext(page, "Remove a reference"),
                  question=gettext(page, "Remove the reference recording “%(title)s”? "
                                         "Re-uploads of it are no longer recognised as yours.",
                                   title=found.title),
                  action=f"/label/references/{reference_id}/remove", back="/label/references",
                  button=gettext(page, "Remove the reference"))


@router.post("/label/references/{reference_id}/remove")
async def remove(reference_id: int, request: Request, page: Page, db: Db) -> Response:
    """Another holder's reference is as missing as an unknown one (404)."""
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    holder_id = holder_id_of(page)
    if form.get("confirmed") != "yes":
        return finish(request, page, RedirectResponse(
            f"/label/references/{reference_id}/remove", status_code=303))
    user = page.user
    by = f"user:{user.id} ({user.email})" if user else "web"
    remove_reference(db, reference_id, by, rights_holder_id=holder_id)
    return finish(request, page,
                  RedirectResponse("/label/references?notice=removed", status_code=303))
