"""Backups an operator can restore: the database (SQLite's online backup API, PostgreSQL's
``pg_dump -Fc``), every file of the data directory (recordings, manifests, the operator's
lists) and the signing keys, with a manifest of checksums.

The keys are what make a backup whole: the log's checkpoints verify only under the key that
signed them, so a restore without ``signing/`` is refused, and never mended by minting a new
key (which ``consentry init`` would do on an empty directory).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, select
from sqlalchemy.engine import make_url

from consentry.errors import ConsentryError, InvalidInput
from consentry.store.schema import log_checkpoints
from consentry.timestamps import utcnow

MANIFEST = "manifest.json"
SQLITE_COPY = "consentry.db"
POSTGRES_DUMP = "database.dump"
KEYS = "signing"
FILES = "files"
# rebuilt on start, or the live database itself: never copied file by file
_LEFT_OUT = {"consentry.db", "consentry.db-wal", "consentry.db-shm", "fingerprint-index.npz"}


class BackupRefused(ConsentryError):
    """A backup or restore that cannot be done safely: a destination that is not empty, a
    backup that is incomplete, altered or lacks its signing keys."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    database: str
    files: int
    keys: bool


def backup(database_url: str, data_dir: Path, keys_dir: Path, destination: Path) -> BackupReport:
    """Copy the database, the data directory's files and the keys into ``destination`` (new
    or empty), then write the manifest last: a backup without one is incomplete."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupRefused(f"{destination} is not empty: back up into a new directory")
    destination.mkdir(parents=True, exist_ok=True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        kind = "sqlite"
        with (
            contextlib.closing(sqlite3.connect(url.database or "")) as source,
            contextlib.closing(sqlite3.connect(destination / SQLITE_COPY)) as copy,
        ):
            source.backup(copy)  # a consistent copy while the server goes on writing
            copy.execute("PRAGMA journal_mode=DELETE")
    else:
        kind = "postgresql"
        _run("pg_dump", "-Fc", "-f", str(destination / POSTGRES_DUMP), _libpq_url(database_url))
    files = _copy_tree(data_dir, destination / FILES, skip=keys_dir)
    keys = keys_dir.is_dir() and any(keys_dir.iterdir())
    if keys:
        shutil.copytree(keys_dir, destination / KEYS)
    manifest = {
        "format": 1,
        "created_at": utcnow().isoformat(),
        "database": kind,
        "keys": keys,
        "checksums": {
            p.relative_to(destination).as_posix(): _sha256(p)
            for p in sorted(destination.rglob("*"))
            if p.is_file()
        },
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return BackupReport(destination, kind, files, keys)


def restore(source: Path, database_url: str, data_dir: Path, keys_dir: Path) -> BackupReport:
    """Check the backup whole (manifest, checksums, keys) before writing anything, then put
    it into an empty data directory and an empty database."""
    manifest = _checked_manifest(source)
    if not manifest["keys"] or not (source / KEYS).is_dir():
        raise BackupRefused(
            f"the backup at {source} has no signing keys ({KEYS}/): the log's checkpoints "
            "verify only under the key that signed them, so nothing was restored. Copy the "
            f"original {KEYS}/ folder (or the file CONSENTRY_LOG_KEY names) into the backup, "
            "then restore again; do not make a new key"
        )
    if data_dir.exists() and any(p.name != ".gitkeep" for p in data_dir.iterdir()):
        raise BackupRefused(f"{data_dir} is not empty: restore into a new data directory")
    url = make_url(database_url)
    if (url.get_backend_name() == "sqlite") != (manifest["database"] == "sqlite"):
        raise BackupRefused(
            f"the backup holds a {manifest['database']} database; CONSENTRY_DATABASE_URL "
            f"names a {url.get_backend_name()} one"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    files = _copy_tree(source / FILES, data_dir, skip=None)
    shutil.copytree(source / KEYS, keys_dir, dirs_exist_ok=True)
    if manifest["database"] == "sqlite":
        target = Path(url.database or "")
        if target.exists():
            raise BackupRefused(f"{target} exists: restore into a new database")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / SQLITE_COPY, target)
    else:
        _run(
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "-d",
            _libpq_url(database_url),
            str(source / POSTGRES_DUMP),
        )
    return BackupReport(data_dir, manifest["database"], files, True)


def missing_key_message(conn: Connection, key: Path) -> str | None:
    """What to say when the log key at ``key`` is missing but checkpoints were signed with
    one (a restore without its keys); None for a log that never signed any."""
    signed = conn.execute(select(func.count()).select_from(log_checkpoints)).scalar_one()
    if not signed:
        return None
    return (
        f"no log key at {key}, but the log holds {signed} checkpoints signed with one: "
        f"put the original key back (the {KEYS}/ folder of a backup, or the file "
        "CONSENTRY_LOG_KEY named). A new key would not verify them, so none is made"
    )


def refuse_new_key_for_signed_log(conn: Connection, key: Path) -> None:
    """``consentry init`` on a restored database whose keys were left behind: stop before
    minting a key under which the old checkpoints no longer verify."""
    message = missing_key_message(conn, key)
    if message:
        raise BackupRefused(message)


def _checked_manifest(source: Path) -> dict:  # type: ignore[type-arg]
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupRefused(
            f"{source} is not a complete consentry backup (no readable {MANIFEST}: {error})"
        ) from error
    for name, digest in manifest["checksums"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupRefused(f"{path} is missing or altered since the backup was made")
    return dict(manifest)


def _copy_tree(source: Path, target: Path, skip: Path | None) -> int:
    copied = 0
    if not source.is_dir():
        return 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name in _LEFT_OUT or path.name.endswith(".part"):
            continue
        if skip is not None and path.is_relative_to(skip):
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied += 1
    return copied


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(database_url: str) -> str:
    """The URL as libpq's tools take it (no SQLAlchemy driver suffix)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(*command: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise InvalidInput(f"{command[0]} is not installed (PostgreSQL's client tools)") from error
    if done.returncode != 0:
        raise BackupRefused(f"{command[0]} failed: {done.stderr.strip()[:500]}")
