"""Real databases for the tests: a SQLite file, and a throwaway PostgreSQL cluster.

The cluster is started once per test session with initdb and pg_ctl in a temporary
directory, on a free loopback port, as the unprivileged ``postgres`` user when the tests run
as root (initdb refuses root). Each test gets a fresh database cloned from a migrated template.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from consentry.ledger.operator_key import ensure_development_key
from consentry.settings import Settings
from consentry.store.database import make_engine
from consentry.store.migrate import upgrade
from consentry.store.terms import ensure_baseline_terms
from consentry.web.app import create_app

TEST_SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: run 'make system-deps' (installs postgresql)")
    return path


@dataclass
class PostgresCluster:
    port: int
    directory: Path

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


def _run_as_postgres(args: list[str]) -> None:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, capture_output=True, text=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    directory = Path(tempfile.mkdtemp(prefix="consentry-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(directory, user.pw_uid, user.pw_gid)
    data = directory / "data"
    _run_as_postgres([_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "--no-sync", "-E", "UTF8", "--locale=C"])
    port = free_port()
    options = (f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    _run_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                      str(directory / "log"), "start"])
    cluster = PostgresCluster(port, directory)
    try:
        admin = make_engine(cluster.url("postgres"))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CREATE DATABASE template_consentry"))
        template = make_engine(cluster.url("template_consentry"))
        upgrade(template)
        with template.begin() as conn:
            ensure_baseline_terms(conn)
        template.dispose()
        admin.dispose()
        yield cluster
    finally:
        _run_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(directory, ignore_errors=True)


_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as conn:
        ensure_baseline_terms(conn)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "consentry.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    admin = make_engine(cluster.url("postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE template_consentry"))
    admin.dispose()
    return cluster.url(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(environment="test", data_dir=tmp_path, database_url=database_url,
                    secret_key=TEST_SECRET)


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    ensure_development_key(settings.effective_log_key)
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client
