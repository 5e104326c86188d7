"""What the platform tells AI crawlers, and whom it refused: the crawler list is public, the
refusal counts are for admins."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from consentry.signals.crawlers import CrawlerRegistry
from consentry.signals.enforcement import crawler_purpose
from consentry.store.refusals import recent_refusals
from consentry.web.api.listing import Listed
from consentry.web.dependencies import Admin, Db
from consentry.web.errors import error_responses

router = APIRouter(prefix="/signals", tags=["signals"])


class CrawlerOut(BaseModel):
    token: str
    operator: str
    kind: str
    purpose: str
    respects_robots: bool


class CrawlerListOut(BaseModel):
    source: str
    date: str
    crawlers: list[CrawlerOut]


class RefusalOut(BaseModel):
    day: str
    agent: str
    kind: str
    purpose: str
    count: int
    last_at: str


@router.get("/crawlers", response_model=CrawlerListOut)
def list_crawlers(request: Request) -> CrawlerListOut:
    """The AI crawlers this platform recognises and the purpose each visit is judged under."""
    registry: CrawlerRegistry = request.app.state.crawlers
    return CrawlerListOut(source=registry.source, date=registry.date, crawlers=[
        CrawlerOut(token=c.token, operator=c.operator, kind=c.purpose,
                   purpose=crawler_purpose(c), respects_robots=c.respects_robots)
        for c in registry.crawlers])


@router.get("/refusals", response_model=list[RefusalOut], responses=error_responses(403))
def list_refusals(db: Db, who: Admin, listing: Listed,
                  days: int = Query(30, ge=1, le=366)) -> list[RefusalOut]:
    """Refused AI crawlers (``crawler``) and throttled clients (``throttled``), per day."""
    return [RefusalOut(day=r.day, agent=r.agent, kind=r.kind, purpose=r.purpose, count=r.count,
                       last_at=r.last_at.isoformat())
            for r in listing.window_of(recent_refusals(db, days))]
