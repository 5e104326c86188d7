"""Minor units shown as people read money: 100000 EUR cents as €1,000.00 (or 1.000,00 €).

Statements compute and store integers only; this is for display, with Babel's CLDR data for
each currency's number of decimals (JPY has none, EUR two, BHD three; an unknown code two).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def format_minor(amount: int, currency: str, locale: str = "en") -> str:
    digits = int(get_currency_precision(currency))
    return str(format_currency(Decimal(amount).scaleb(-digits), currency, locale=locale))
