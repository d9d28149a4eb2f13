"""The ``mailtemplates`` command line.

::

    mailtemplates preview   [--templates DIR]... [--config FILE] [--port N] [--host H] [--open] [--context FILE] [--smtp-uri URI]
    mailtemplates render    NAME [--locale L] [--context FILE] [--templates DIR]... [--config FILE] [--format html|text|eml|json]
    mailtemplates init      DIR [--force | --missing-only] [--locale L]...
    mailtemplates send-test NAME --to ADDR [--smtp-uri URI | --config FILE] [--from-address A] [--from-name N] [--locale L] ...
    mailtemplates lint      [DIR ...] [--format text|json|github] [--from-address ADDR] [--no-builtins]
    mailtemplates courier   watch|list|show|retry|purge|migrate ...   (docs/courier.md)

Every user mistake surfaces as a :class:`~mailtemplates.errors.MailTemplateError` (or an unreadable
file); ``main`` turns it into a message on stderr and exit code 1, never a traceback. Usage
mistakes are argparse's: a message and exit code 2. ``lint`` is the linter's own command line
(:mod:`mailtemplates.lint.command`), with its exit statuses (2 when a path cannot be read).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CLIError, MailTemplateError

__all__ = ["build_parser", "main"]

#: The sender used when none is given (a reserved example domain, never a real one).
DEFAULT_FROM_ADDRESS = "no-reply@example.com"
#: Kratos reads its SMTP settings from these variables; so do we, as defaults for the options.
ENV_SMTP_URI = "COURIER_SMTP_CONNECTION_URI"
ENV_FROM_ADDRESS = "COURIER_SMTP_FROM_ADDRESS"
ENV_FROM_NAME = "COURIER_SMTP_FROM_NAME"


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
        help=f"sender address (default: courier.smtp.from_address of --config, ${ENV_FROM_ADDRESS}, "
        f"else {DEFAULT_FROM_ADDRESS})",
    )
    p.add_argument(
        "--from-name",
        metavar="NAME",
        help=f"sender display name (default: courier.smtp.from_name of --config, or ${ENV_FROM_NAME})",
    )


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="FILE",
        help="a Kratos configuration file (kratos.yml or .json): its courier.template_override_path, "
        "courier.templates.* and courier.smtp.* are used; Kratos's COURIER_* environment variables "
        "override the file, options given here override both",
    )


def _smtp_uri_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--smtp-uri",
        metavar="URI",
        help=f"{what} (default: courier.smtp.connection_uri of --config, or ${ENV_SMTP_URI})",
    )


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"want 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def _smtp_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--local-name",
        metavar="NAME",
        help="EHLO name (default: courier.smtp.local_name of --config, else localhost)",
    )
    p.add_argument(
        "--client-cert",
        metavar="FILE",
        help="TLS client certificate, PEM (courier.smtp.client_cert_path); needs --client-key",
    )
    p.add_argument(
        "--client-key",
        metavar="FILE",
        help="private key of --client-cert, PEM (courier.smtp.client_key_path)",
    )
    p.add_argument(
        "--ca-file",
        metavar="FILE",
        help="trust the CA certificates in this PEM file instead of the system's (a private CA)",
    )


def _header_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--header",
        "-H",
        metavar="'NAME: VALUE'",
        type=_header,
        action="append",
        default=[],
        help="an extra message header, as courier.smtp.headers (repeat for several; overrides the "
        "configured header of the same name)",
    )


def _default_locale_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--default-locale",
        default="en",
        metavar="L",
        help="locale of emails that ask for none, and of your generic files (en)",
    )


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``command`` is the word the arguments start with, if known.

    Given another command than ``courier``, the courier group is left out: its module imports the
    courier package (~25 ms), which ``mailtemplates lint`` and ``render`` never use.
    """
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
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="answer to this Host name too (repeatable; .example.com includes subdomains); "
        "localhost and IP addresses are always accepted, other names never (DNS rebinding)",
    )
    p.add_argument("--open", action="store_true", help="open the preview in a web browser")
    _context_option(p, "of each template")
    _config_option(p)
    _smtp_uri_option(p, "enable the 'send test' form with this Kratos SMTP connection URI")
    _smtp_options(p)
    _header_option(p)
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
        help="what to print: text (default: the subject, a blank line, the plaintext body), html, "
        "eml (the whole MIME message) or json",
    )
    p.add_argument("--to", metavar="ADDR", help="recipient for --format eml (default: the context's To)")
    _from_options(p)
    _header_option(p)
    _config_option(p)
    _default_locale_option(p)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser(
        "init",
        help="copy the built-in templates into a folder to start an override",
        description="Write the built-in templates into DIR (Kratos layout), as a starting point for "
        "courier.template_override_path or --templates. If some of the files are already there, "
        "nothing is written and they are listed, unless --force (overwrite them with the built-ins) "
        "or --missing-only (write only the files that are missing; yours are left as they are).",
    )
    p.add_argument("dir", metavar="DIR", help="folder to write into (created if missing)")
    existing = p.add_mutually_exclusive_group()
    existing.add_argument(
        "--force", action="store_true", help="overwrite files that exist with the built-ins"
    )
    existing.add_argument(
        "--missing-only",
        action="store_true",
        help="write only the files that do not exist yet; keep the existing ones unchanged",
    )
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
    p.add_argument("name", metavar="NAME", help="template type, e.g. recovery/valid")
    p.add_argument("--to", required=True, metavar="ADDR", help="recipient")
    _smtp_uri_option(p, "smtp://user:pass@host:587/ (STARTTLS) or smtps://user:pass@host:465/ (TLS)")
    _from_options(p)
    _smtp_options(p)
    _header_option(p)
    _config_option(p)
    p.add_argument(
        "--locale", "-l", metavar="L", help="locale to render (default: the context's, else --default-locale)"
    )
    _context_option(p, "")
    _templates_option(p)
    _default_locale_option(p)
    p.set_defaults(func=cmd_send_test)

    # The lint command line is the linter's own (one set of options, one exit-status table).
    from .lint import command as lint_command

    p = sub.add_parser(
        "lint", help="check template folders for mistakes", description=lint_command.DESCRIPTION
    )
    lint_command.add_arguments(p)
    p.set_defaults(func=lint_command.run)

    if command is not None and command != "courier" and command in sub.choices:
        return parser
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


def _kratos(args: argparse.Namespace) -> Any:
    """The ``--config`` file, loaded once per command (None without ``--config``); its unknown keys
    are reported on stderr."""
    path = getattr(args, "config", None)
    if not path:
        return None
    cfg = getattr(args, "_kratos_config", None)
    if cfg is None:
        from .kratos_config import load_kratos_config

        cfg = load_kratos_config(path)
        for key in cfg.unknown_keys:
            print(
                f"mailtemplates: warning: {path}: {key} is not a setting Kratos knows; ignored",
                file=sys.stderr,
            )
        args._kratos_config = cfg
    return cfg


def _setting(args: argparse.Namespace, option: str, key: str, env: str | None = None) -> Any:
    """An option given on the command line, else ``courier.smtp.<key>`` of ``--config`` (which
    already has Kratos's environment variables applied), else the environment variable."""
    value = getattr(args, option, None)
    if value:
        return value
    cfg = _kratos(args)
    if cfg is not None and getattr(cfg.courier.smtp, key):
        return getattr(cfg.courier.smtp, key)
    return (os.environ.get(env) or None) if env else None


def _sender(args: argparse.Namespace) -> tuple[str, str | None]:
    address = _setting(args, "from_address", "from_address", ENV_FROM_ADDRESS) or DEFAULT_FROM_ADDRESS
    return address, _setting(args, "from_name", "from_name", ENV_FROM_NAME)


def _headers(args: argparse.Namespace) -> dict[str, str] | None:
    cfg = _kratos(args)
    headers = dict(cfg.courier.smtp.headers) if cfg is not None else {}
    for name, value in getattr(args, "header", None) or ():
        for old in [k for k in headers if k.lower() == name.lower()]:
            del headers[old]
        headers[name] = value
    return headers or None


def _renderer(args: argparse.Namespace) -> Any:
    cfg = _kratos(args)
    if cfg is not None:
        from .kratos_config import renderer_from_config

        return renderer_from_config(
            cfg, templates=_check_dirs(args.templates), default_locale=args.default_locale
        )
    from .render import Renderer

    return Renderer(_check_dirs(args.templates), default_locale=args.default_locale)


def _template_type(name: str) -> Any:
    from .models import get_template_type

    tt = get_template_type(name)
    if not tt.templated:
        raise CLIError(f"{tt.name} is Kratos's test message, sent as given: it has no templates to render")
    return tt


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
    tt = _template_type(args.name)
    renderer = _renderer(args)
    ctx = _context(args, tt.name, args.locale)
    email = renderer.render(tt.name, ctx, locale=args.locale)
    if args.format == "html":
        if email.html is None:
            raise CLIError(f"{tt.name} has no HTML part; use --format text")
        _write(email.html)
    elif args.format == "text":
        _write(f"Subject: {email.subject}\n\n{email.text}")
    elif args.format == "eml":
        to = args.to or str(ctx.get("To") or "") or "recipient@example.com"
        from_address, from_name = _sender(args)
        msg = email.to_message(from_address=from_address, from_name=from_name, to=to, headers=_headers(args))
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
        import json  # here: json and shutil are imported by the commands that use them only

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
    if existing and not (args.force or args.missing_only):
        shown = "\n  ".join(str(t) for t in existing[:5])
        more = f"\n  ... and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise CLIError(
            f"{len(existing)} file(s) already exist in {dest}, nothing was written:\n  {shown}{more}\n"
            "use --missing-only to add only the missing files, or --force to overwrite them"
        )
    if args.missing_only:
        kept = set(existing)
        targets = [(s, t) for s, t in targets if t not in kept]
    import shutil

    try:
        for s, t in targets:
            t.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(s, t)
    except OSError as e:
        raise CLIError(f"cannot write {e.filename or dest}: {e.strerror or e}") from None
    locales = ["en", *sorted(wanted if wanted is not None else available)]
    kept_note = f", kept {len(existing)} existing" if args.missing_only else ""
    overwrote = f", {len(existing)} of them overwritten" if args.force and existing else ""
    print(f"wrote {len(targets)} files to {dest}{overwrote}{kept_note} (locales: {', '.join(locales)})")
    print(f"preview them with: mailtemplates preview --templates {dest}")
    return 0


def cmd_send_test(args: argparse.Namespace) -> int:
    from .smtp import parse_connection_uri, send

    uri = _setting(args, "smtp_uri", "connection_uri", ENV_SMTP_URI)
    if not uri:
        raise CLIError(
            f"give the SMTP server with --smtp-uri URI (or set ${ENV_SMTP_URI}, or courier.smtp.connection_uri in --config)"
        )
    # Fail on a bad URI or certificate before rendering.
    config = parse_connection_uri(
        uri,
        local_name=_setting(args, "local_name", "local_name") or "localhost",
        client_cert_path=_setting(args, "client_cert", "client_cert_path"),
        client_key_path=_setting(args, "client_key", "client_key_path"),
        ca_file=args.ca_file,
    )
    tt = _template_type(args.name)
    renderer = _renderer(args)
    ctx = _context(args, tt.name, args.locale, to=args.to)
    email = renderer.render(tt.name, ctx, locale=args.locale)
    from_address, from_name = _sender(args)
    msg = email.to_message(from_address=from_address, from_name=from_name, to=args.to, headers=_headers(args))
    result = send(msg, config)
    tls = result.tls_version or "no TLS"
    auth = f", AUTH {result.auth_mechanism}" if result.auth_mechanism else ""
    print(
        f"sent {tt.name} ({email.locale}) to {', '.join(result.recipients)} via {config.host}:{config.port} ({tls}{auth})"
    )
    print(f"server answered: {result.code} {result.text}")
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from .preview import PreviewConfig, serve

    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port {args.port}: want 0..65535")
    templates = _check_dirs(args.templates)
    cfg = _kratos(args)
    if cfg is not None:
        override = cfg.courier.template_override_path
        if override is not None:
            if not os.path.isdir(override):
                raise CLIError(f"{args.config}: courier.template_override_path: {override}: no such folder")
            templates.append(override)
        if cfg.courier.templates:
            print(
                f"mailtemplates: warning: {args.config}: the preview does not use courier.templates "
                "(use render or send-test to check them)",
                file=sys.stderr,
            )
    from_address, from_name = _sender(args)
    config = PreviewConfig(
        templates=templates,
        host=args.host,
        port=args.port,
        context_file=args.context,
        smtp_uri=_setting(args, "smtp_uri", "connection_uri", ENV_SMTP_URI),
        from_address=from_address,
        from_name=from_name,
        default_locale=args.default_locale,
        allow_remote=args.allow_remote,
        allowed_hosts=args.allowed_host,
        local_name=_setting(args, "local_name", "local_name") or "localhost",
        client_cert_path=_setting(args, "client_cert", "client_cert_path"),
        client_key_path=_setting(args, "client_key", "client_key_path"),
        ca_file=args.ca_file,
        headers=_headers(args) or {},
        verbose=args.verbose,
        poll=args.poll,
    )
    serve(config, open_browser=args.open)
    return 0


# -- entry point ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
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
