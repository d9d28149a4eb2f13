"""The ``lint`` command line, the one behind ``mailtemplates lint`` and ``python -m mailtemplates.lint``.

Exit status (documented in docs/lint.md, the same for both spellings of the command):

== =====================================================================================
0  no error found (warnings and notes do not fail)
1  at least one diagnostic of severity ``error``
2  lint could not run: a path does not exist or cannot be read, or a usage mistake
== =====================================================================================
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from ..errors import MailTemplateError
from ..limits import DEFAULT_MAX_TEMPLATE_SIZE
from .codes import DEFAULT_CLIENTS

__all__ = ["DESCRIPTION", "EXIT_CANNOT_RUN", "add_arguments", "main", "run"]

DESCRIPTION = (
    "Check template roots, template folders or files (default: the current folder) for template "
    "and email mistakes. Exit status 1 when there is an error, 0 for warnings and notes only, 2 "
    "when a path cannot be read."
)
#: The exit status when lint could not look at what it was given (argparse uses 2 for usage too).
EXIT_CANNOT_RUN = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``lint`` options, on the CLI's subcommand parser or the module's own."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="DIR",
        help="template roots (override directories), template folders or files (default: "
        "courier.template_override_path of --config, else .)",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "github"),
        default="text",
        help="text (default), json, or github (workflow commands that show as annotations)",
    )
    parser.add_argument(
        "--from-address",
        default=None,
        metavar="ADDR",
        help="check this sender address too (default: courier.smtp.from_address of --config)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="a Kratos configuration file (kratos.yml or .json): lint its "
        "courier.template_override_path and check its courier.smtp.from_address",
    )
    parser.add_argument(
        "--max-template-size",
        type=int,
        default=DEFAULT_MAX_TEMPLATE_SIZE,
        metavar="BYTES",
        help=f"refuse template files larger than this, as Renderer(max_template_size=) does "
        f"(default {DEFAULT_MAX_TEMPLATE_SIZE})",
    )
    parser.add_argument(
        "--default-locale",
        default="en",
        metavar="L",
        help="the language of your generic (un-suffixed) files, as Renderer(default_locale=) (en)",
    )
    parser.add_argument(
        "--clients",
        default=None,
        metavar="LIST",
        help="email clients the compatibility check targets, comma-separated, a client or "
        "client.platform (outlook.windows), 'all' or 'none' (default: " + ",".join(DEFAULT_CLIENTS) + ")",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="leave out these codes (MT402) or caniemail features (css-display-flex); "
        "comma-separated, repeatable",
    )
    parser.add_argument(
        "--no-builtins",
        dest="use_builtins",
        action="store_false",
        help="missing parts have no built-in template to fall back on",
    )


def run(args: argparse.Namespace) -> int:
    """Lint what parsed ``args`` name, print the report, return the exit status (table above)."""
    # Here, not at the top: ``mailtemplates --help`` builds this parser without loading the engine.
    from .linter import lint_paths
    from .report import exit_code, format_diagnostics

    # The cyclic collector is paused for the run: the trees and diagnostics it would walk over
    # again and again live until the report is printed. Over the built-ins it cost ~12 ms (a
    # 40th of the run) to free a few hundred objects, which a collection after the run frees.
    collecting = gc.isenabled()
    gc.disable()
    try:
        paths, from_address = _targets(args)
        diags = lint_paths(
            paths,
            from_address=from_address,
            use_builtins=args.use_builtins,
            max_template_size=args.max_template_size,
            default_locale=args.default_locale,
            clients=args.clients,
            ignore=[i for item in args.ignore for i in item.split(",")],
        )
    except MailTemplateError as e:
        print(f"mailtemplates: error: {e}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except OSError as e:  # a folder that cannot be listed, a file that cannot be opened
        where = f"{e.filename}: " if e.filename else ""
        print(f"mailtemplates: error: {where}{e.strerror or e}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    finally:
        if collecting:
            gc.enable()
    out = format_diagnostics(diags, args.format)
    if out:
        sys.stdout.write(out + "\n")
    return exit_code(diags)


def _targets(args: argparse.Namespace) -> tuple[list[str], str | None]:
    """The paths and sender to check: the command line's, else those of ``--config``."""
    paths: list[str] = list(args.paths or ())
    from_address: str | None = args.from_address
    if getattr(args, "config", None):
        # Imported here: reading YAML is only needed with --config.
        from ..kratos_config import load_kratos_config

        cfg = load_kratos_config(args.config)
        for key in cfg.unknown_keys:
            print(
                f"mailtemplates: warning: {args.config}: {key} is not a setting Kratos knows; ignored",
                file=sys.stderr,
            )
        if not paths and cfg.courier.template_override_path:
            paths = [cfg.courier.template_override_path]
        from_address = from_address or cfg.courier.smtp.from_address
        if cfg.courier.templates:
            print(
                f"mailtemplates: warning: {args.config}: the courier.templates URIs are not linted; "
                "only template folders are",
                file=sys.stderr,
            )
    return paths or ["."], from_address


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mailtemplates.lint``: the same as ``mailtemplates lint``."""
    parser = argparse.ArgumentParser(prog="mailtemplates lint", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))
