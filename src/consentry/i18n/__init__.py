"""English and German: the message catalogues (Babel .po files) that pages and e-mails share.

The German catalogue is read from its .po file and compiled in memory, so the repository
holds only the text translators edit. Choosing a request's language is the web's business
(``consentry.web.language``); what a locale's text is belongs here, where mail reads it too.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent / "locales"
# Terms texts are published in one language; pages in another mark them as such (lang=) and
# name their sections by number only, rather than mixing an English heading into German.
TERMS_LANGUAGE = "en"


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue for a locale; English is the source text itself."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)
