"""Storage faults an operator can act on, told apart from bugs.

SQLite, PostgreSQL and the file system each say "the disk is full" and "this is read-only" in
their own words; this maps them to ``StoreFull`` and ``StoreReadOnly`` so the web layer can
answer 507 or 503 and the CLI can print one line, instead of both reporting an internal error.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from consentry.errors import N_, ConsentryError, StoreFull, StoreReadOnly

# SQLite's messages (sqlite3 gives no error codes before Python 3.11's sqlite_errorcode)
_SQLITE_FULL = ("database or disk is full",)
_SQLITE_READ_ONLY = ("attempt to write a readonly database", "readonly database")
# PostgreSQL's SQLSTATEs: class 53 "insufficient resources", 25006 read-only transaction
_PG_FULL = {"53100"}  # disk_full
_PG_READ_ONLY = {"25006"}  # read_only_sql_transaction
_PG_FULL_TEXT = ("could not extend file", "no space left on device")
_OS_FULL = {errno.ENOSPC, errno.EDQUOT}
_OS_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
# SQLite says only "disk I/O error" when a full disk stops it creating its -shm or -wal
# file; that is a full disk only if the data directory has (next to) no space left.
_SQLITE_IO = "disk i/o error"
NEARLY_FULL_BYTES = 1 << 20

FULL_MESSAGE = N_(
    "the disk holding consentry's data is full: nothing was stored; free space (or grow the "
    "volume) and try again"
)
READ_ONLY_MESSAGE = N_(
    "consentry's data store is read-only (a read-only mount, file permissions or a read-only "
    "database): nothing was stored; reading still works"
)


def store_fault(error: BaseException, data_dir: Path | None = None) -> ConsentryError | None:
    """The ``StoreFull`` or ``StoreReadOnly`` that ``error`` amounts to, or None for any other
    error (a bug, a lost connection), which stays an internal error. With ``data_dir``, an
    I/O error on a data directory that has no space left is a full disk too."""
    if isinstance(error, StoreFull | StoreReadOnly):
        return error
    cause = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(cause, OSError) and cause.errno is not None:
        if cause.errno in _OS_FULL:
            return StoreFull(FULL_MESSAGE)
        if cause.errno in _OS_READ_ONLY:
            return StoreReadOnly(READ_ONLY_MESSAGE)
        return None
    text = str(cause).lower()
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in _PG_FULL or any(words in text for words in _SQLITE_FULL + _PG_FULL_TEXT):
        return StoreFull(FULL_MESSAGE)
    if sqlstate in _PG_READ_ONLY or any(words in text for words in _SQLITE_READ_ONLY):
        return StoreReadOnly(READ_ONLY_MESSAGE)
    if _SQLITE_IO in text and data_dir is not None and _nearly_full(data_dir):
        return StoreFull(FULL_MESSAGE)
    return None


def _nearly_full(data_dir: Path) -> bool:
    try:
        return shutil.disk_usage(data_dir).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def fault_reason(error: BaseException) -> str:
    """The underlying error's first line, for the server log (it may name paths, so it is not
    sent to clients)."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    lines = str(cause).splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"
