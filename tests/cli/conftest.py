"""The CLI tests' environment: settings from CONSENTRY_* variables, fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.settings import get_settings
from tests.conftest import TEST_SECRET

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    env = {"CONSENTRY_DATABASE_URL": database_url, "CONSENTRY_DATA_DIR": str(tmp_path),
           "CONSENTRY_SECRET_KEY": TEST_SECRET}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()
