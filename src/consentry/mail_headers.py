"""What a mail header may carry: one plain address, one line of subject. Pure checks, so an
address is refused where it is taken in (a watch subscriber) as well as where mail is composed."""

from __future__ import annotations

import re

from consentry.errors import UnsafeHeader

_ADDRESS = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,189}$")


def safe_address(address: str) -> str:
    """An address as a header may carry it: no line breaks, no display names, no lists."""
    if not _ADDRESS.match(address):
        raise UnsafeHeader("not a plain e-mail address", {"address": address[:100]})
    return address


def safe_subject(subject: str) -> str:
    """One line: line breaks and other control characters become spaces."""
    return " ".join("".join(" " if ord(c) < 32 or c == "\x7f" else c for c in subject)
                    .split())[:300]
