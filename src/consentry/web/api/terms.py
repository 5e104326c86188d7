"""Terms versions over the API: anyone may list them with their hashes; admins review a
draft and publish it (a material one starts its notice period and queues its notices)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from consentry.services.terms_notices import publish_with_notice
from consentry.store.terms import PublishedTerms, list_published, review_draft
from consentry.terms import summarise
from consentry.web.api.listing import Listed
from consentry.web.dependencies import Admin, Db, SettingsDep
from consentry.web.errors import error_responses

router = APIRouter(prefix="/terms", tags=["terms"])


class TermsOut(BaseModel):
    version: str
    title: str
    text_hash: str
    material: bool
    published_at: str
    effective_at: str
    introduced_purposes: list[str]
    required_purposes: list[str]
    prohibited_purposes: list[str]

    @classmethod
    def of(cls, t: PublishedTerms) -> TermsOut:
        return cls(version=t.version, title=t.title, text_hash=t.text_hash,
                   material=t.material, published_at=t.published_at.isoformat(),
                   effective_at=t.effective_at.isoformat(),
                   introduced_purposes=list(t.introduced_purposes),
                   required_purposes=sorted(t.policy.required),
                   prohibited_purposes=sorted(t.policy.prohibited))


class DraftIn(BaseModel):
    markdown: str = Field(min_length=1, max_length=200_000)


class PublishIn(DraftIn):
    version: str = Field(min_length=1, max_length=50)
    refusal_note: str = Field(default="", max_length=1000)
    required_purposes: list[str] | None = Field(
        default=None, max_length=50,
        description="Purposes the service requires; omitted: the previous version's")
    prohibited_purposes: list[str] | None = Field(
        default=None, max_length=50,
        description="Purposes forbidden for all content; omitted: the previous version's")


class ChangeOut(BaseModel):
    clause: str
    kind: str
    level: str
    reasons: list[str]


class ReviewOut(BaseModel):
    compared_with: str | None
    material: bool
    text_hash: str
    summary: list[str]
    changes: list[ChangeOut]
    introduced_purposes: list[str]


class PublishedOut(TermsOut):
    notified: int


@router.get("", response_model=list[TermsOut])
def list_versions(db: Db, listing: Listed) -> list[TermsOut]:
    """Every version with a text, oldest first: check a copy against its `text_hash`."""
    return [TermsOut.of(t)
            for t in listing.window_of([t for t in list_published(db) if t.has_text])]


@router.post("/review", response_model=ReviewOut, responses=error_responses(403))
def review(body: DraftIn, db: Db, who: Admin) -> ReviewOut:
    """A draft compared clause by clause with the latest version; nothing is stored."""
    draft = review_draft(db, body.markdown)
    return ReviewOut(
        compared_with=draft.previous.version if draft.previous else None,
        material=draft.material, text_hash=draft.document.text_hash,
        summary=summarise(draft.review).english(),
        changes=[ChangeOut(clause=(c.change.new or c.change.old).label,  # type: ignore[union-attr]
                           kind=c.change.kind, level=c.level,
                           reasons=[r.code for r in c.classification.reasons])
                 for c in draft.review.changes],
        introduced_purposes=list(draft.review.introduced_purposes))


@router.post("", response_model=PublishedOut, status_code=201,
             responses=error_responses(403))
def publish(body: PublishIn, request: Request, db: Db, who: Admin,
            settings: SettingsDep) -> PublishedOut:
    terms, notified = publish_with_notice(
        db, body.version, body.markdown, f"api token {who.token_id}",
        notice_days=settings.notice_days,
        base_url=settings.public_url or str(request.base_url), refusal_note=body.refusal_note,
        required=None if body.required_purposes is None else frozenset(body.required_purposes),
        prohibited=None if body.prohibited_purposes is None
        else frozenset(body.prohibited_purposes))
    return PublishedOut(**TermsOut.of(terms).model_dump(), notified=notified)
