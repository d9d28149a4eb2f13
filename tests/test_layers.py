"""Imports flow one way (docs/architecture.md): lower layers never import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).parent.parent / "mailtemplates"

# module -> modules of the package it must not import (directly)
FORBIDDEN = {
    "gotmpl": {"loader", "i18n", "render", "inline", "plaintext", "mime", "smtp", "rendered", "lint", "cli", "preview", "models", "loadtime", "jinja", "courier"},
    # Limits the CLI's --help shows: a leaf, so that showing them loads nothing.
    "limits": {"errors", "gotmpl", "loader", "i18n", "render", "inline", "plaintext", "mime", "smtp", "rendered", "lint", "cli", "preview", "models", "courier"},
    "errors": {"gotmpl", "loader", "i18n", "render", "inline", "plaintext", "mime", "smtp", "rendered", "lint", "cli", "preview", "models", "courier"},
    "loader": {"render", "gotmpl", "inline", "plaintext", "mime", "smtp", "rendered", "lint", "cli", "preview", "i18n", "courier"},
    "i18n": {"render", "gotmpl", "loader", "inline", "plaintext", "mime", "smtp", "rendered", "lint", "cli", "preview", "courier"},
    "inline": {"render", "gotmpl", "loader", "i18n", "plaintext", "mime", "smtp", "rendered", "lint", "cli", "preview", "models", "courier"},
    "plaintext": {"render", "gotmpl", "loader", "i18n", "inline", "mime", "smtp", "rendered", "lint", "cli", "preview", "models", "courier"},
    "mime": {"render", "gotmpl", "loader", "i18n", "inline", "plaintext", "smtp", "rendered", "lint", "cli", "preview", "models", "courier"},
    "smtp": {"render", "gotmpl", "loader", "i18n", "inline", "plaintext", "rendered", "lint", "cli", "preview", "models", "courier"},
    "rendered": {"render", "gotmpl", "loader", "i18n", "inline", "plaintext", "smtp", "lint", "cli", "preview", "courier"},
    "render": {"lint", "cli", "preview", "kratos_config", "courier"},
    "kratos_config": {"lint", "cli", "preview", "courier"},
    "lint": {"cli", "preview", "courier"},
    "preview": {"courier"},
    # The courier sits beside the CLI: it renders and sends, and its own cli.py uses the CLI's
    # environment variable names; nothing below it may depend on it.
    "courier": {"preview", "lint"},
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
    "codes": {"files", "scan", "checks", "deliverability", "locales", "compat", "linter", "report", "command"},
    "files": {"codes", "scan", "checks", "deliverability", "locales", "compat", "linter", "report", "command"},
    "scan": {"codes", "files", "checks", "deliverability", "locales", "compat", "linter", "report", "command"},
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
