"""The ``mailtemplates`` command line.

Every user mistake surfaces as a :class:`~mailtemplates.errors.MailTemplateError`; ``main`` turns
it into a one-paragraph message on stderr and exit code 1 (2 for usage errors), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .errors import MailTemplateError

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailtemplates",
        description=(
            "Render identity-system emails (recovery, verification, login and registration codes) "
            "from Kratos-compatible Go templates."
        ),
    )
    parser.add_argument("--version", action="version", version=f"mailtemplates {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:  # pragma: no cover - commands arrive with later issues
        return 0
    except MailTemplateError as e:
        print(f"mailtemplates: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
