"""Imports flow one way (docs/architecture.md): lower layers never import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).parent.parent / "mailtemplates"

# The layers, bottom first (docs/architecture.md draws the same map). A module may import the
# modules of lower layers only; FORBIDDEN below is derived from this list.
LAYERS: list[set[str]] = [
    # the error tree; plain values of where parts came from; limits the CLI shows without the engine
    {"errors", "resolution", "limits"},
    {"gotmpl"},  # the engine: sources in, strings out (reached through its facade only)
    {"models", "i18n", "loadtime", "jinja", "_http", "inline", "plaintext", "mime"},
    {"loader", "rendered", "smtp"},  # loader -> _http; rendered -> mime, resolution
    {"render"},
    {"kratos_config"},
    {"lint"},
    {"preview", "courier"},
    {"cli"},  # entry points: nothing imports them
]
#: Modules of the same layer that may use one another (none today: each is its own concern).
SAME_LAYER_ALLOWED: set[tuple[str, str]] = set()
#: Exceptions, each with its reason.
EXCEPTIONS = {
    # The courier's own command line reuses the CLI's environment-variable names.
    ("courier", "cli"),
}
_LEVEL = {m: i for i, layer in enumerate(LAYERS) for m in layer}

# module -> modules of the package it must not import (directly)
FORBIDDEN = {
    m: {
        other
        for other, level in _LEVEL.items()
        if other != m
        and (level > _LEVEL[m] or (level == _LEVEL[m] and (m, other) not in SAME_LAYER_ALLOWED))
        and (m, other) not in EXCEPTIONS
    }
    for m in _LEVEL
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PKG).with_suffix("").parts
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[: len(rel) - node.level])
                mod = [*base, *(node.module.split(".") if node.module else [])]
                names = [[*mod, a.name] for a in node.names] if not node.module else [mod]
                for parts in names:
                    if parts:
                        out.add(parts[0])
            elif node.module and node.module.startswith("mailtemplates."):
                out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("mailtemplates."):
                    out.add(a.name.split(".")[1])
    return out


def test_every_module_has_a_layer() -> None:
    """A new module must be placed in LAYERS (and in docs/architecture.md's diagram)."""
    modules = {p.relative_to(PKG).parts[0].removesuffix(".py") for p in PKG.glob("*")} - {
        "__init__",
        "__pycache__",
        "py.typed",
    }
    assert modules == set(_LEVEL), (
        f"not in LAYERS: {sorted(modules - set(_LEVEL))}; gone: {sorted(set(_LEVEL) - modules)}"
    )


def test_the_architecture_diagram_is_layers() -> None:
    """docs/architecture.md draws LAYERS: its first diagram, read top down, names each layer's
    modules on one row, top layer first."""
    import re

    doc = (PKG.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    diagram = doc.split("```\n", 2)[1]
    rows = [
        {
            m.removesuffix(".py").removesuffix("/")
            for m in re.findall(r"(?<![\w.])[a-z_][a-z0-9_]*(?:\.py\b|/)", line)
        }
        for line in diagram.splitlines()
    ]
    drawn = [row for row in rows if row]
    assert drawn == LAYERS[::-1], f"docs/architecture.md draws {drawn}, LAYERS is {LAYERS[::-1]}"


def engine_internals(path: Path) -> list[str]:
    """Imports of the engine's submodules (``gotmpl.lexer``...) instead of its facade."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PKG).with_suffix("").parts
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[: len(rel) - node.level])
                mod = [*base, *(node.module.split(".") if node.module else [])]
            else:
                mod = (
                    (node.module or "").split(".")[1:]
                    if (node.module or "").startswith("mailtemplates.")
                    else []
                )
            if len(mod) > 1 and mod[0] == "gotmpl":
                out.append(".".join(mod))
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("mailtemplates.gotmpl.")]
    return out


def test_the_engine_is_reached_through_its_facade() -> None:
    problems = [
        f"{path.relative_to(PKG)} imports {mod}"
        for path in PKG.rglob("*.py")
        if path.relative_to(PKG).parts[0] != "gotmpl"
        for mod in engine_internals(path)
    ]
    assert not problems, "\n".join(problems)


def test_imports_flow_one_way() -> None:
    problems = []
    for path in PKG.rglob("*.py"):
        top = path.relative_to(PKG).parts[0].removesuffix(".py")
        for bad in FORBIDDEN.get(top, set()) & imported_modules(path):
            problems.append(f"{path.relative_to(PKG)} imports {bad}")
    assert not problems, "\n".join(problems)


# Inside the lint package: the code table at the bottom, the command line on top.
# lint module -> lint modules it must not import.
LINT_FORBIDDEN = {
    "codes": {
        "files",
        "scan",
        "checks",
        "deliverability",
        "locales",
        "compat",
        "linter",
        "report",
        "command",
    },
    "files": {
        "codes",
        "scan",
        "checks",
        "deliverability",
        "locales",
        "compat",
        "linter",
        "report",
        "command",
    },
    "scan": {
        "codes",
        "files",
        "checks",
        "deliverability",
        "locales",
        "compat",
        "linter",
        "report",
        "command",
    },
    "report": {"files", "scan", "checks", "deliverability", "locales", "compat", "linter", "command"},
    "checks": {"deliverability", "locales", "compat", "linter", "report", "command"},
    "deliverability": {"checks", "locales", "compat", "linter", "report", "command"},
    "locales": {"checks", "deliverability", "compat", "linter", "report", "command"},
    "compat": {"checks", "deliverability", "locales", "linter", "report", "command"},
    "linter": {"report", "command"},
    "command": set(),
}


def test_lint_package_layers() -> None:
    lint = PKG / "lint"
    modules = {p.stem for p in lint.glob("*.py")} - {"__init__", "__main__"}
    assert modules == set(LINT_FORBIDDEN), "add the new lint module to LINT_FORBIDDEN"
    problems = []
    for name in sorted(modules):
        tree = ast.parse((lint / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets = {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
                for bad in targets & LINT_FORBIDDEN[name]:
                    problems.append(f"lint/{name}.py imports lint/{bad}.py")
    assert not problems, "\n".join(problems)


def test_core_import_loads_no_courier_dependency() -> None:
    """``import mailtemplates`` (and a render) must not pull in psycopg, YAML or the courier."""
    import subprocess
    import sys

    code = (
        "import sys, mailtemplates; mailtemplates.render('login_code/valid', {'LoginCode': '1'}); "
        "bad = [m for m in ('psycopg', 'yaml', 'prometheus_client', 'mailtemplates.courier') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
