"""What every JSON list answers with: a window chosen by ``limit`` and ``offset``, the size
of the whole list in ``X-Total-Count``, and links to the other windows (RFC 8288 ``Link``).

A query parameter the route does not take is refused (422) rather than ignored, so a filter
misspelt or not offered (``?isrc=`` where none is taken) never passes for an empty one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import URL

from consentry.store.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, Window, page_of

T = TypeVar("T")

TOTAL_HEADER = "X-Total-Count"
LIST_HEADERS: dict[str, dict[str, Any]] = {
    TOTAL_HEADER: {
        "description": "How many items the whole list holds, across every window",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "Link": {
        "description": 'RFC 8288 links to the other windows: rel="first", "last", and '
        '"prev" and "next" where there are some',
        "required": True,
        "schema": {"type": "string"},
    },
}


class Listing:
    """The window a list route was asked for, and the headers it answers with."""

    def __init__(
        self,
        request: Request,
        response: Response,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per answer")] = (
            DEFAULT_LIMIT
        ),
        offset: Annotated[int, Query(ge=0, description="Items to skip")] = 0,
    ) -> None:
        refuse_unknown_parameters(request)
        self.window = Window(limit, offset)
        self._url = request.url
        self._response = response

    def answer(self, page: Page[T]) -> list[T]:
        """The page's items, with its total and links set on the response."""
        self._response.headers[TOTAL_HEADER] = str(page.total)
        self._response.headers["Link"] = links(self._url, page)
        return page.items

    def window_of(self, items: Sequence[T]) -> list[T]:
        """For a list that is computed rather than queried: its window, with its headers."""
        return self.answer(page_of(items, self.window))


Listed = Annotated[Listing, Depends()]


def links(url: URL, page: Page[Any]) -> str:
    """The ``Link`` header: the same request with another offset for each relation."""
    relations = [
        ("first", 0),
        ("prev", page.previous_offset),
        ("next", page.next_offset),
        ("last", page.last_offset),
    ]
    return ", ".join(
        f'<{url.include_query_params(limit=page.window.limit, offset=offset)}>; rel="{rel}"'
        for rel, offset in relations
        if offset is not None
    )


def refuse_unknown_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route)
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        takes = ", ".join(sorted(known))
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "input": request.query_params[name],
                    "msg": f"this list takes no '{name}' parameter (it takes: {takes})",
                }
                for name in unknown
            ]
        )


def _query_names(route: APIRoute) -> frozenset[str]:
    """Worked out once per route and kept on it (routes compare by value: no hashing them)."""
    known: frozenset[str] | None = getattr(route, "consentry_query_names", None)
    if known is None:
        known = frozenset(_query_names_of(route.dependant))
        route.consentry_query_names = known  # type: ignore[attr-defined]
    return known


def _query_names_of(dependant: Dependant) -> set[str]:
    """The query parameters of a route and of every dependency it takes (``at``, ...)."""
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names_of(sub)
    return names
