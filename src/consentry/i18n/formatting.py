"""Dates and numbers as a reader of the page's language writes them (Babel's CLDR data).

"2 Jan 2027" in English and "02.01.2027" in German, never the ISO form a page shows to no one
but machines; times are UTC, which the pages say.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

_LOCALES = {"en": "en_GB", "de": "de_DE"}


def day(value: date | datetime | str, locale: str) -> str:
    """A calendar day; an ISO string (as some rows store it) is read first."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_date(value, "medium", locale=_LOCALES.get(locale, locale))


def moment(value: datetime, locale: str) -> str:
    """A day and a time of day (hours and minutes), in UTC."""
    where = _LOCALES.get(locale, locale)
    return (f"{format_date(value, 'medium', locale=where)}, "
            f"{format_time(value, 'short', locale=where)}")


def number(value: int | float, locale: str) -> str:
    return format_decimal(value, locale=_LOCALES.get(locale, locale))
