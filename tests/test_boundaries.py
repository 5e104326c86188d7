"""The layers of the package, kept apart by a test rather than by hope.

Inner to outer: the domain (pure rules and data), ``store`` (tables, migrations, repositories),
``services`` (use cases over repositories and the domain), and the adapters (``web``, ``cli``,
``outbound``, ``demo``). Each layer imports only the layers inside it, and no module imports
itself back through a circle, not even from inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "consentry"
DOMAIN = ["purposes.py", "consent", "audio", "catalogue_file.py", "access.py", "timestamps.py",
          "retries.py", "datasets", "usage", "errors.py", "ledger", "signals", "terms",
          "mail_headers.py", "i18n", "spreadsheet_csv.py", "__init__.py"]
ADAPTERS = ("consentry.web", "consentry.cli", "consentry.outbound", "consentry.demo")
FRAMEWORKS = ("sqlalchemy", "fastapi", "starlette", "typer")
LAYERS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "domain": (DOMAIN, (*ADAPTERS, "consentry.store", "consentry.services",
                        "consentry.settings", *FRAMEWORKS)),
    "store": (["store"], (*ADAPTERS, "consentry.services", "consentry.settings", "fastapi",
                          "starlette", "typer")),
    "services": (["services"], (*ADAPTERS, "consentry.settings", "fastapi", "starlette",
                                "typer")),
    "outbound": (["outbound"], ("consentry.web", "consentry.cli", "consentry.demo")),
    "web": (["web"], ("consentry.cli", "consentry.demo")),
    "cli": (["cli"], ("consentry.web",)),
    "demo": (["demo"], ("consentry.web", "consentry.cli")),
    "settings": (["settings.py", "operator_files.py", "witness_state.py"], ADAPTERS),
}


def _files(entries: list[str]) -> list[Path]:
    return [f for entry in entries
            for f in ((SOURCE / entry).rglob("*.py") if (SOURCE / entry).is_dir()
                      else [SOURCE / entry])
            if "migrations" not in f.parts]


def _imports(path: Path) -> list[str]:
    """Every module the file names in an import, at any depth (functions included)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import module`` reaches the module; ``from module import name``
            # reaches the module that defines the name
            names += [f"{node.module}.{alias.name}" if _is_module(f"{node.module}.{alias.name}")
                      else node.module for alias in node.names]
    return names


def _is_module(name: str) -> bool:
    path = SOURCE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _module(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_module_belongs_to_a_layer() -> None:
    placed = {f for entries, _ in LAYERS.values() for f in _files(entries)}
    everything = {f for f in SOURCE.rglob("*.py") if "migrations" not in f.parts}
    assert sorted(str(f.relative_to(SOURCE)) for f in everything - placed) == []


def test_each_layer_imports_only_the_layers_inside_it() -> None:
    offending = [(layer, str(f.relative_to(SOURCE)), name)
                 for layer, (entries, forbidden) in LAYERS.items()
                 for f in _files(entries) for name in _imports(f)
                 if name.startswith(forbidden)]
    assert offending == []


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each circle met in a depth-first walk, as the path that closes it."""
    circles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: finished

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(edges[name]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    return circles


def test_no_module_imports_itself_back_through_a_circle() -> None:
    files = {_module(f): f for f in SOURCE.rglob("*.py") if "migrations" not in f.parts}
    edges = {name: {i for i in _imports(f) if i in files and i != name}
             for name, f in files.items()}
    assert _circles(edges) == []


def test_the_checks_see_a_circle_made_inside_a_function(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from consentry.store.b import x\n")
    (tmp_path / "b.py").write_text("def f():\n    from consentry.store.a import y\n")
    edges = {"consentry.store.a": set(_imports(tmp_path / "a.py")),
             "consentry.store.b": set(_imports(tmp_path / "b.py"))}
    assert _circles(edges) == [["consentry.store.a", "consentry.store.b", "consentry.store.a"]]
