"""Long lists on the pages, a window at a time: which window the address asks for, the
pager under the list (templates/pager.html) and the track search form (track_search.html).

The pager's addresses keep every other parameter of the page (a search, a language), so
moving on never loses what the list was narrowed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from starlette.datastructures import URL

from consentry.store.paging import MAX_LIMIT, Page, Window

PAGE_SIZE = 100


@dataclass(frozen=True)
class Pager:
    """A page of a list and the addresses of the windows before and after it."""

    page: Page[Any]
    previous_url: str | None
    next_url: str | None


class PageWindow:
    """The window of a list page: ``offset`` (and ``limit``) from its address."""

    def __init__(
        self,
        request: Request,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = PAGE_SIZE,
    ) -> None:
        self.window = Window(limit, offset)
        self._url = request.url

    def pager(self, page: Page[Any]) -> Pager:
        return Pager(page, self._at(page.previous_offset), self._at(page.next_offset))

    def _at(self, offset: int | None) -> str | None:
        if offset is None:
            return None
        moved: URL = self._url.include_query_params(offset=offset)
        return f"{moved.path}?{moved.query}"


Windowed = Annotated[PageWindow, Depends()]
SearchText = Annotated[str | None, Query(max_length=200)]
SearchIsrc = Annotated[str | None, Query(max_length=40)]
