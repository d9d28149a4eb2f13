"""The ``mailtemplates`` command line.

::

    mailtemplates preview   [--templates DIR]... [--port N] [--host H] [--open] [--context FILE] [--smtp-uri URI]
    mailtemplates render    NAME [--locale L] [--context FILE] [--templates DIR]... [--format html|text|eml|json]
    mailtemplates init      DIR [--force] [--locale L]...
    mailtemplates send-test NAME --to ADDR --smtp-uri URI [--from-address A] [--from-name N] [--locale L] ...
    mailtemplates lint      [DIR ...] [--format text|json|github] [--from-address ADDR]
    mailtemplates courier   watch|list|show|retry|purge|migrate ...   (docs/courier.md)

Every user mistake surfaces as a :class:`~mailtemplates.errors.MailTemplateError` (or an unreadable
file); ``main`` turns it into a message on stderr and exit code 1, never a traceback. Usage
mistakes are argparse's: a message and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import MailTemplateError

__all__ = ["build_parser", "main"]

#: The sender used when none is given (a reserved example domain, never a real one).
DEFAULT_FROM_ADDRESS = "no-reply@example.com"
#: Kratos reads its SMTP settings from these variables; so do we, as defaults for the options.
ENV_SMTP_URI = "COURIER_SMTP_CONNECTION_URI"
ENV_FROM_ADDRESS = "COURIER_SMTP_FROM_ADDRESS"
ENV_FROM_NAME = "COURIER_SMTP_FROM_NAME"


class CLIError(MailTemplateError):
    """A command line mistake found after parsing (a file, a folder, a missing setting)."""


# -- parser -----------------------------------------------------------------------------------------


def _templates_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--templates",
        "-t",
        metavar="DIR",
        action="append",
        default=[],
        help="override folder (Kratos layout); repeat for several, first wins; built-ins come last",
    )


def _context_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--context",
        "-c",
        metavar="FILE",
        help=f"JSON file with values laid over the sample data {what} (plain, or keyed by template name)",
    )


def _from_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from-address",
        metavar="ADDR",
        default=os.environ.get(ENV_FROM_ADDRESS) or DEFAULT_FROM_ADDRESS,
        help=f"sender address (default: ${ENV_FROM_ADDRESS} or {DEFAULT_FROM_ADDRESS})",
    )
    p.add_argument(
        "--from-name",
        metavar="NAME",
        default=os.environ.get(ENV_FROM_NAME) or None,
        help=f"sender display name (default: ${ENV_FROM_NAME})",
    )


def _default_locale_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--default-locale",
        default="en",
        metavar="L",
        help="locale of emails that ask for none, and of your generic files (en)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailtemplates",
        description=(
            "Render identity-system emails (recovery, verification, login and registration codes) "
            "from Kratos-compatible Go templates."
        ),
        epilog="'mailtemplates COMMAND --help' describes a command. Template names: "
        "recovery/valid, login_code/valid, ... (or Kratos's recovery_valid, login_code_valid, ...).",
    )
    parser.add_argument("--version", action="version", version=f"mailtemplates {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "preview",
        help="web preview of every email, reloaded on save",
        description="Serve a local web page showing every email the template folders provide, "
        "re-rendered whenever a template file (or the context file) is saved.",
    )
    _templates_option(p)
    p.add_argument("--port", "-p", type=int, default=8025, help="port (default 8025; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (the preview has no authentication)",
    )
    p.add_argument("--open", action="store_true", help="open the preview in a web browser")
    _context_option(p, "of each template")
    p.add_argument(
        "--smtp-uri",
        metavar="URI",
        default=os.environ.get(ENV_SMTP_URI) or None,
        help=f"enable the 'send test' form with this Kratos SMTP connection URI (default: ${ENV_SMTP_URI})",
    )
    _from_options(p)
    _default_locale_option(p)
    p.add_argument(
        "--poll",
        action="store_true",
        help="check the files for changes 4 times a second instead of using file system events "
        "(for network shares and container mounts that deliver none)",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="log every HTTP request")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser(
        "render",
        help="print one rendered email",
        description="Render one email and print it: the HTML body, the plaintext, the whole MIME "
        "message (eml) or everything as JSON.",
    )
    p.add_argument("name", metavar="NAME", help="template type, e.g. recovery/valid")
    p.add_argument("--locale", "-l", metavar="L", help="locale to render (default: the context's, else en)")
    _context_option(p, "")
    _templates_option(p)
    p.add_argument(
        "--format",
        "-f",
        choices=("html", "text", "eml", "json"),
        default="text",
        help="what to print (default text)",
    )
    p.add_argument("--to", metavar="ADDR", help="recipient for --format eml (default: the context's To)")
    _from_options(p)
    _default_locale_option(p)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser(
        "init",
        help="copy the built-in templates into a folder to start an override",
        description="Write the built-in templates into DIR (Kratos layout), as a starting point for "
        "courier.template_override_path or --templates. Existing files are kept unless --force.",
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--force", action="store_true", help="overwrite files that exist")
    p.add_argument(
        "--locale",
        "-l",
        metavar="L",
        action="append",
        default=[],
        help="only these locales besides the generic (en) files; repeat or separate with commas",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "send-test",
        help="render an email with sample data and send it over SMTP",
        description="Render NAME with sample data (and --context) and send it through an SMTP "
        "server given as a Kratos connection URI; prints the server's answer.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--to", required=True, metavar="ADDR", help="recipient")
    p.add_argument(
        "--smtp-uri",
        metavar="URI",
        default=os.environ.get(ENV_SMTP_URI) or None,
        help=f"smtp://user:pass@host:587/ or smtps://... (default: ${ENV_SMTP_URI})",
    )
    _from_options(p)
    p.add_argument("--locale", "-l", metavar="L")
    _context_option(p, "")
    _templates_option(p)
    _default_locale_option(p)
    p.set_defaults(func=cmd_send_test)

    p = sub.add_parser(
        "lint",
        help="check template folders for mistakes",
        description="Check template roots, template folders or files (default: the current folder) "
        "for template and email mistakes. Exit code 1 when there is an error, 0 for warnings only.",
    )
    p.add_argument(
        "dirs", metavar="DIR", nargs="*", help="override folder, template folder or file (default: .)"
    )
    p.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "github"),
        default="text",
        help="text (default), json, or github (workflow annotations)",
    )
    p.add_argument(
        "--from-address",
        metavar="ADDR",
        default=None,
        help="check this sender address too (courier.smtp.from_address)",
    )
    p.add_argument(
        "--no-builtins",
        dest="use_builtins",
        action="store_false",
        help="missing parts have no built-in template to fall back on",
    )
    p.set_defaults(func=cmd_lint)

    # The courier group's options and commands live with the courier (mailtemplates.courier.cli).
    from .courier.cli import add_parser as add_courier_parser

    add_courier_parser(sub)
    return parser


# -- helpers ----------------------------------------------------------------------------------------


def _check_dirs(dirs: Sequence[str]) -> list[str]:
    for d in dirs:
        if not os.path.isdir(d):
            raise CLIError(f"--templates {d}: no such folder")
    return list(dirs)


def _renderer(args: argparse.Namespace) -> Any:
    from .render import Renderer

    return Renderer(_check_dirs(args.templates), default_locale=args.default_locale)


def _context(
    args: argparse.Namespace, name: str, locale: str | None, *, to: str | None = None
) -> dict[str, Any]:
    from .i18n import normalize_locale
    from .models import get_template_type
    from .preview.context import effective_context, load_context_file

    tt = get_template_type(name)
    cfile = load_context_file(args.context) if args.context else None
    ctx, _ = effective_context(tt.name, normalize_locale(locale or args.default_locale), cfile, to=to)
    return ctx


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


# -- commands ---------------------------------------------------------------------------------------


def cmd_render(args: argparse.Namespace) -> int:
    from .models import get_template_type

    tt = get_template_type(args.name)
    renderer = _renderer(args)
    ctx = _context(args, tt.name, args.locale)
    email = renderer.render(tt.name, ctx, locale=args.locale)
    if args.format == "html":
        if email.html is None:
            raise CLIError(f"{tt.name} has no HTML part; use --format text")
        _write(email.html)
    elif args.format == "text":
        _write(email.text)
    elif args.format == "eml":
        to = args.to or str(ctx.get("To") or "") or "recipient@example.com"
        msg = email.to_message(from_address=args.from_address, from_name=args.from_name, to=to)
        sys.stdout.flush()
        sys.stdout.buffer.write(msg.as_bytes())
        sys.stdout.buffer.flush()
    else:
        out = {
            "template": email.template,
            "subject": email.subject,
            "html": email.html,
            "text": email.text,
            "locale": email.locale,
            "files": dict(email.files),
        }
        _write(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .i18n import normalize_locale
    from .loader import BUILTIN_ROOT

    src = Path(BUILTIN_ROOT)
    files = sorted(p for p in src.rglob("*.gotmpl") if p.is_file())
    available: set[str] = set()
    for p in files:
        parts = p.name.split(".")
        if len(parts) >= 4 and parts[-2] not in ("body", "subject", "plaintext"):
            available.add(parts[-2])
    wanted: set[str] | None = None
    if args.locale:
        wanted = set()
        for item in args.locale:
            for tag in filter(None, (t.strip() for t in item.split(","))):
                norm = normalize_locale(tag)
                if norm == "en":
                    continue  # the generic files are English and always written
                if norm not in available:
                    raise CLIError(
                        f"--locale {tag}: the built-in templates have no {norm!r} files; "
                        f"available: en, {', '.join(sorted(available))}"
                    )
                wanted.add(norm)

    def keep(p: Path) -> bool:
        parts = p.name.split(".")
        loc = parts[-2] if len(parts) >= 4 and parts[-2] in available else None
        return loc is None or wanted is None or loc in wanted

    chosen = [p for p in files if keep(p)]
    dest = Path(args.dir)
    if dest.exists() and not dest.is_dir():
        raise CLIError(f"{dest}: exists and is not a folder")
    targets = [(p, dest / p.relative_to(src)) for p in chosen]
    existing = [t for _, t in targets if t.exists()]
    if existing and not args.force:
        shown = "\n  ".join(str(t) for t in existing[:5])
        more = f"\n  ... and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise CLIError(
            f"{len(existing)} file(s) already exist in {dest}, nothing was written:\n  {shown}{more}\n"
            "use --force to overwrite them"
        )
    try:
        for s, t in targets:
            t.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(s, t)
    except OSError as e:
        raise CLIError(f"cannot write {e.filename or dest}: {e.strerror or e}") from None
    locales = ["en", *sorted(wanted if wanted is not None else available)]
    print(f"wrote {len(targets)} files to {dest} (locales: {', '.join(locales)})")
    print(f"preview them with: mailtemplates preview --templates {dest}")
    return 0


def cmd_send_test(args: argparse.Namespace) -> int:
    from .models import get_template_type
    from .smtp import parse_connection_uri, send

    if not args.smtp_uri:
        raise CLIError(f"give the SMTP server with --smtp-uri URI (or set ${ENV_SMTP_URI})")
    config = parse_connection_uri(args.smtp_uri)  # fail on a bad URI before rendering
    tt = get_template_type(args.name)
    renderer = _renderer(args)
    ctx = _context(args, tt.name, args.locale, to=args.to)
    email = renderer.render(tt.name, ctx, locale=args.locale)
    msg = email.to_message(from_address=args.from_address, from_name=args.from_name, to=args.to)
    result = send(msg, config)
    tls = result.tls_version or "no TLS"
    auth = f", AUTH {result.auth_mechanism}" if result.auth_mechanism else ""
    print(
        f"sent {tt.name} ({email.locale}) to {', '.join(result.recipients)} via {config.host}:{config.port} ({tls}{auth})"
    )
    print(f"server answered: {result.code} {result.text}")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    try:
        # Imported here: the linter is its own module (and heavier than the other commands need).
        lint: Any = importlib.import_module("mailtemplates.lint")
    except ImportError as e:
        raise CLIError(f"the linter is not available in this installation ({e})") from None
    # Like `python -m mailtemplates.lint`: the current folder when none is given. Roots, template
    # folders and single files are all accepted; the linter says which path does not exist.
    paths: list[str] = list(args.dirs) or ["."]
    extra = {} if args.use_builtins else {"use_builtins": False}
    diags = lint.lint_paths(paths, from_address=args.from_address, **extra)
    out = lint.format_diagnostics(diags, args.format)
    if out:
        _write(out)
    return int(lint.exit_code(diags))


def cmd_preview(args: argparse.Namespace) -> int:
    from .preview import PreviewConfig, serve

    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port {args.port}: want 0..65535")
    config = PreviewConfig(
        templates=_check_dirs(args.templates),
        host=args.host,
        port=args.port,
        context_file=args.context,
        smtp_uri=args.smtp_uri,
        from_address=args.from_address,
        from_name=args.from_name,
        default_locale=args.default_locale,
        allow_remote=args.allow_remote,
        verbose=args.verbose,
        poll=args.poll,
    )
    serve(config, open_browser=args.open)
    return 0


# -- entry point ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        code: int = args.func(args)
        return code
    except MailTemplateError as e:
        print(f"mailtemplates: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `mailtemplates render ... | head`: the reader left; not an error worth a traceback.
        _silence_stdout()
        return 0
    except OSError as e:
        # A file we were pointed at: unreadable context, unwritable output...
        where = f"{e.filename}: " if e.filename else ""
        print(f"mailtemplates: error: {where}{e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
