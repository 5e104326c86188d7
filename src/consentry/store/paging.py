"""Lists are read a window at a time, and the size of the whole list is counted by the
database: a caller paging through thousands of rows never has them all loaded at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Row, Select, func, select

T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Window:
    """Which part of a list to read: ``limit`` items after skipping ``offset``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def of(self, items: Sequence[T]) -> list[T]:
        """The window of a list already in memory (one computed rather than queried)."""
        return list(items[self.offset : self.offset + self.limit])


@dataclass(frozen=True)
class Page(Generic[T]):
    """A window of a list and how long the whole list is, so a reader can say where it is."""

    items: list[T]
    total: int
    window: Window

    @property
    def first_number(self) -> int:
        """The 1-based position of the first item shown (0 when nothing is shown)."""
        return self.window.offset + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        return self.window.offset + len(self.items)

    @property
    def previous_offset(self) -> int | None:
        if self.window.offset <= 0:
            return None
        return max(0, min(self.window.offset, self.total) - self.window.limit)

    @property
    def next_offset(self) -> int | None:
        following = self.window.offset + self.window.limit
        return following if following < self.total else None

    @property
    def last_offset(self) -> int:
        if self.total == 0:
            return 0
        return (self.total - 1) // self.window.limit * self.window.limit

    def map(self, change: Any) -> Page[Any]:
        """The same window with each item turned into another (a row into a record)."""
        return Page([change(item) for item in self.items], self.total, self.window)


def page_of(items: Sequence[T], window: Window) -> Page[T]:
    """A window of a list computed in memory, where no query could count it."""
    return Page(window.of(items), len(items), window)


def count_rows(conn: Connection, query: Select[Any]) -> int:
    """How many rows ``query`` selects, counted by the database (SELECT COUNT(*))."""
    whole = query.order_by(None).limit(None).offset(None).subquery()
    return int(conn.execute(select(func.count()).select_from(whole)).scalar_one())


def read_page(conn: Connection, query: Select[Any], window: Window) -> Page[Row[Any]]:
    """The rows of ``query`` in ``window``, and how many it selects in all."""
    rows = list(conn.execute(query.limit(window.limit).offset(window.offset)))
    return Page(rows, count_rows(conn, query), window)
