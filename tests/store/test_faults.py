"""Storage faults told apart from bugs: the real SQLite and OS errors of a full disk and a
read-only store become StoreFull and StoreReadOnly; PostgreSQL's by their SQLSTATE; anything
else stays an internal error."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import psycopg.errors
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from consentry.errors import StoreFull, StoreReadOnly
from consentry.store.faults import fault_reason, store_fault


def _raised(engine_url: str, *statements: str, page_limit: int = 0) -> Exception:
    engine = create_engine(engine_url)
    if page_limit:
        event.listen(
            engine,
            "connect",
            lambda conn, _: conn.execute(f"PRAGMA max_page_count={page_limit}"),
        )
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    except Exception as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("no error")


def test_sqlite_full(tmp_path: Path) -> None:
    error = _raised(
        f"sqlite:///{tmp_path / 'full.db'}",
        "CREATE TABLE t (x BLOB)",
        "INSERT INTO t VALUES (zeroblob(100000))",
        page_limit=8,
    )
    assert "database or disk is full" in str(error)
    assert isinstance(store_fault(error), StoreFull)
    assert "database or disk is full" in fault_reason(error)


def test_sqlite_read_only(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "ro.db")
    url = f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true"
    error = _raised(url, "INSERT INTO artists (name) VALUES ('x')")
    assert isinstance(store_fault(error), StoreReadOnly)


def test_os_full_disk_is_real_on_dev_full() -> None:
    with pytest.raises(OSError) as raised, open("/dev/full", "wb") as full:
        full.write(b"x")
        full.flush()
    assert isinstance(store_fault(raised.value), StoreFull)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EPERM])
def test_os_read_only(code: int) -> None:
    assert isinstance(store_fault(OSError(code, "refused", "/data/x")), StoreReadOnly)


def test_postgres_by_sqlstate() -> None:
    full = psycopg.errors.DiskFull('could not extend file "base/16384/2619": No space left')
    read_only = psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only")
    assert isinstance(store_fault(OperationalError("INSERT", {}, full)), StoreFull)
    assert isinstance(store_fault(OperationalError("INSERT", {}, read_only)), StoreReadOnly)


def test_other_errors_stay_internal(tmp_path: Path) -> None:
    missing = _raised(f"sqlite:///{tmp_path / 'x.db'}", "SELECT * FROM nowhere")
    assert store_fault(missing) is None
    assert store_fault(ConnectionRefusedError(errno.ECONNREFUSED, "refused")) is None
    assert store_fault(ValueError("a bug")) is None


def test_an_io_error_is_a_full_disk_only_where_no_space_is_left(tmp_path: Path) -> None:
    """SQLite says "disk I/O error" when a full disk stops it creating its -shm file."""
    io_error = OperationalError("PRAGMA journal_mode=WAL", {}, Exception("disk I/O error"))
    assert store_fault(io_error) is None
    assert store_fault(io_error, tmp_path) is None  # a disk with room: a real I/O error
    # the full case, on a real full tmpfs: tests/faults/test_cli_faults.py
