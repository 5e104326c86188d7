"""The terms package is pure domain: no adapters, no I/O libraries."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "consentry" / "terms"
FORBIDDEN = ("consentry.web", "consentry.cli", "consentry.store", "consentry.settings",
             "sqlalchemy", "fastapi", "typer", "httpx", "requests", "urllib", "socket",
             "pathlib", "os", "io", "subprocess")


def test_terms_imports_no_adapter_and_no_io() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 8
    imported = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported += [(path.name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.append((path.name, node.module))
    offending = [(f, name) for f, name in imported
                 if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)]
    assert offending == []
    assert all(len(p.read_text().splitlines()) <= 300 for p in files)
