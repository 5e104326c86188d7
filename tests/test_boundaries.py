"""The domain packages never reach the adapters (web, cli, store) or the settings."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "consentry"
DOMAIN = ["purposes.py", "consent", "audio", "catalogue_file.py", "access.py", "timestamps.py",
          "retries.py", "datasets", "usage",
          "errors.py", "ledger", "signals", "terms"]
FORBIDDEN = ("consentry.web", "consentry.cli", "consentry.store", "consentry.settings",
             "sqlalchemy", "fastapi", "typer")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_domain_modules_import_no_adapter() -> None:
    files = [f for d in DOMAIN for f in ((SOURCE / d).rglob("*.py") if (SOURCE / d).is_dir()
                                         else [SOURCE / d])]
    assert len(files) >= 10
    offending = [(f.relative_to(SOURCE), name) for f in files for name in _imports(f)
                 if name.startswith(FORBIDDEN)]
    assert offending == []
