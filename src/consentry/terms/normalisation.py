"""How text is made comparable: shared by the Markdown parser and the HTML extractor, so that
our own terms and other platforms' pages are compared by the same rules."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Soft hyphen, zero-width space and joiners, word joiner, byte-order mark: invisible on screen
# and common in text pasted from word processors or served by CMSs.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def normalise_line_endings(text: str) -> str:
    """CRLF and CR become LF, and nothing else changes: the same text saved on Windows or Unix
    must hash alike, while any visible change, even a space, must change the hash."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise_text(text: str) -> str:
    """One paragraph's comparable form: NFC, invisible characters dropped, spaces collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACE.sub(" ", text).strip()
