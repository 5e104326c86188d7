"""One root exception and one subclass per kind of failure.

Callers catch ``ConsentryError``; the web layer maps each subclass to a status code in one place.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark text for translation without translating it: ``make messages`` extracts it into
    the catalogue, and the pages translate it when they show it."""
    return text


class ConsentryError(Exception):
    """Root of every error consentry raises on purpose."""

    def __init__(self, message: str, detail: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class UnknownPurpose(ConsentryError):
    """A purpose id that is not in the vocabulary."""


class InvalidInput(ConsentryError):
    """Input that is well-formed but breaks a domain rule (shares, dates, required uses...)."""


class InvalidAudio(ConsentryError):
    """An upload that is not sound audio in an accepted format: empty, unknown, mislabelled,
    corrupt or truncated, or with a header no real recording has."""


class UnrecognisedAudio(InvalidAudio):
    """Bytes in none of the formats the reader at hand takes. ``found`` says what they look
    like instead, so that a reader taking other formats can name its own in the message."""

    def __init__(self, message: str, detail: object = None, found: str = "") -> None:
        super().__init__(message, detail)
        self.found = found


class PayloadTooLarge(ConsentryError):
    """A request body past the configured limit; ``detail["max_bytes"]`` is the limit."""


class RangeNotSatisfiable(ConsentryError):
    """A byte range that starts past the end; ``detail["size"]`` is the resource's length."""


class NotFound(ConsentryError):
    """A referenced artist, track, rights holder, agreement, consumer or token does not exist."""


class TrackRemoved(NotFound):
    """A track its artist or an admin removed: gone for good, not merely unknown."""


class Unauthenticated(ConsentryError):
    """No credentials, or credentials that are forged, expired or revoked."""


class Forbidden(ConsentryError):
    """Valid credentials that do not reach this resource or purpose."""


class RateLimited(ConsentryError):
    """Too many attempts in a window; ``detail["retry_after"]`` says how many seconds to wait."""


class ImportRejected(ConsentryError):
    """A catalogue file with bad rows; nothing from it was imported."""


class DatabaseNotMigrated(ConsentryError):
    """The database schema is behind the code; run ``consentry init``."""


class StoreFull(ConsentryError):
    """The disk under the data directory or the database is full: nothing was stored, and
    writes succeed again once space is freed."""


class StoreReadOnly(ConsentryError):
    """The data directory or the database refuses writes (a read-only mount, permissions, a
    read-only PostgreSQL transaction): nothing was stored; reads still work."""


class UnsafeSettings(ConsentryError):
    """Settings that must not be used outside development (default secrets)."""


class InvalidSettings(ConsentryError):
    """A ``CONSENTRY_*`` variable that cannot be used: the wrong type, or out of its range."""


class LogVerificationError(ConsentryError):
    """A transparency-log checkpoint or signed note that is malformed, forged, tampered with
    or not signed by the expected key."""


class SigningFailed(ConsentryError):
    """C2PA signing could not be done: the signing chain or key is unusable, or the C2PA SDK
    refused a file it says it supports."""


class DeliveryUnavailable(ConsentryError):
    """A stored recording could not be prepared for download with its rights embedded; it is
    not sent without them."""


class UnsafeHeader(ConsentryError):
    """An e-mail address or header with a line break or other character that could smuggle
    extra headers into a message."""


class WatchFailed(ConsentryError):
    """A watched terms page that could not be fetched, was refused by robots.txt, was too
    large, or had no text to extract; the watcher stores and reports it."""
