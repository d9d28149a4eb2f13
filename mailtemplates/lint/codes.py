"""The lint diagnostic codes: what each one means, its severity, and the :class:`Diagnostic` record.

:data:`CODES` is the registry ``docs/lint-codes.md`` is generated from (``tools/gen_lint_docs.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CODES",
    "DEFAULT_CLIENTS",
    "MAX_IMAGES",
    "MAX_LINKS",
    "CodeInfo",
    "Diagnostic",
    "Severity",
    "diag",
]

Severity = Literal["error", "warning", "note"]

#: Thresholds of the deliverability checks (common guidance from mailbox providers' sender
#: guidelines and spam-filter rule sets: few links, few images, text to go with them).
MAX_LINKS = 10
MAX_IMAGES = 5
#: The clients the compatibility check targets when none are named: the big webmail, desktop and
#: mobile clients (here, not in .compat, so the command line's help needs no caniemail data).
DEFAULT_CLIENTS = ("apple-mail", "gmail", "outlook", "yahoo", "samsung-email")


@dataclass(frozen=True)
class CodeInfo:
    """One diagnostic code, documented as Go documents ``html/template.ErrorCode``."""

    code: str
    #: Short stable slug (``unknown-field``), for humans and JSON consumers.
    name: str
    title: str
    severity: Severity
    #: A file name and template text that triggers the code.
    example: str
    #: Why it matters: what Kratos (or a mail client) does with such a template.
    discussion: str
    fix: str


_CODE_LIST = (
    CodeInfo(
        "MT001",
        "syntax-error",
        "The template does not parse",
        "error",
        "recovery/valid/email.subject.gotmpl:\n  Recover {{ .RecoveryURL }",
        "Kratos parses a part's files when it first loads them and does not fall back to the "
        "built-in on errors: a broken subject or plaintext body stops every email of the type from "
        "being queued, a broken HTML body sends them without HTML. The message is Go's own parse "
        "error; a native Jinja template (`.jinja`) reports Jinja's.",
        "Correct the template at the line given. Go reports only the line; the column points at "
        "the token the parser stopped on.",
    ),
    CodeInfo(
        "MT002",
        "escape-error",
        "html/template refuses the HTML body",
        "error",
        'recovery/valid/email.body.gotmpl:\n  {{ if .RecoveryURL }}<a href="{{ end }}',
        "html/template escapes an HTML body the first time it runs and refuses templates whose "
        "HTML context is ambiguous. The message starts with Go's `ErrorCode` name "
        "(`ErrBranchEnd`, `ErrEndContext`, `ErrBadHTML`, ...); Go's html/template documentation "
        "explains each one. Kratos then sends the email without its HTML part.",
        "Make every branch of `if`/`range`/`with` end in the same HTML context (close tags and "
        "quotes inside the branch), and end every template outside tags and attributes.",
    ),
    CodeInfo(
        "MT003",
        "unknown-field",
        "The template reads a field its model does not have",
        "error",
        'recovery_code/valid/email.body.gotmpl:\n  <a href="{{ .RecoveryURL }}">Recover</a>',
        "Kratos executes templates on a Go struct, and Go fields are case-sensitive: reading a field "
        "the struct does not have (`.RecoveryURL` in a code template, `.RecoveryUrl` for "
        "`.RecoveryURL`) fails with `can't evaluate field ... in type *email....Model` whenever the "
        "action runs. The check follows the top-level fields on dot (`.Field`) and on `$`, and "
        'follows `{{ template "x" . }}` calls; inside `with` and `range` dot changes, so only `$` '
        "is checked there. The fields of every model are in docs/context.md.",
        "Use the field name suggested, or a field of the model of this template type.",
    ),
    CodeInfo(
        "MT004",
        "undefined-template",
        "`{{ template }}` names a template that is not in the set",
        "error",
        'recovery/valid/email.body.plaintext.gotmpl:\n  {{ template "email.body.footer.gotmpl" . }}',
        "Kratos parses a part's file together with the files matching `<part>*` in its folder: "
        "`email.body.plaintext*` for the plaintext body, `email.body*` for the HTML body, "
        "`email.subject*` for the subject. A plaintext template cannot call `email.body.footer.gotmpl`, "
        "because that file does not match `email.body.plaintext*`; the call fails when it runs.",
        "Name plaintext partials `email.body.plaintext.<name>.gotmpl` (subject partials "
        "`email.subject.<name>.gotmpl`), or correct the template name.",
    ),
    CodeInfo(
        "MT005",
        "non-hermetic-function",
        "A function Kratos does not allow in override templates",
        "error",
        'recovery/valid/email.body.gotmpl:\n  <p>&copy; {{ now | date "2006" }}</p>',
        "Kratos parses override and remote templates with sprig's hermetic function map, which "
        "leaves out `now`, `date`, `dateInZone`, `dateModify`, `date_in_zone`, `date_modify`, `htmlDate`, "
        "`htmlDateInZone`, `env`, `expandenv`, `randAlpha`, `randAlphaNum`, `randAscii`, "
        "`randNumeric`, `uuidv4` and `getHostByName`. Using one is a parse error "
        '(`function "now" not defined`) that breaks the whole part. Only Kratos\'s built-in '
        "templates get the full map.",
        "Pass the value in the data instead (for example in the flow's transient payload), or "
        "write it into the template.",
    ),
    CodeInfo(
        "MT006",
        "define-collision",
        "A plaintext `define` replaces the HTML body's",
        "error",
        'recovery/valid/email.body.gotmpl:\n  {{ define "en" }}<p>Hello</p>{{ end }}\n'
        'recovery/valid/email.body.plaintext.gotmpl:\n  {{ define "en" }}Hello{{ end }}',
        "The HTML body's pattern `email.body*` also matches `email.body.plaintext*.gotmpl`, and files "
        "are parsed in name order with the later `define` winning. `email.body.plaintext.gotmpl` "
        "sorts after `email.body.gotmpl`, so the HTML email renders the plaintext block.",
        "Give the blocks of the HTML and plaintext files different names (`html-en`, `text-en`).",
    ),
    CodeInfo(
        "MT007",
        "missing-part",
        "A part is missing and there is no built-in to fall back on",
        "error",
        "recovery/valid/ holds email.body.gotmpl only, linted with use_builtins=False",
        "Every email needs a subject and a body (HTML or plaintext). With built-ins, a missing "
        "file falls back to the built-in template of the same name; without them, rendering "
        "the email fails.",
        "Add the missing file to the folder (or lint and render with the built-ins).",
    ),
    CodeInfo(
        "MT008",
        "unreadable-file",
        "mailtemplates does not read the file",
        "error",
        "recovery/valid/email.body.gotmpl -> /etc/passwd (a symbolic link out of the template root)",
        "A Renderer reads a file only if it resolves, after symbolic links, inside its template "
        "root, is at most `max_template_size` bytes (1 MiB by default, checked before reading) and "
        "is UTF-8; otherwise rendering the part fails (or, for a partial, the file is left out of "
        "the set). `lint` reads files the same way and never shows a refused file's content. Hard "
        "links cannot be told apart from ordinary files by a path check (docs/limits.md).",
        "Copy the file into the template root instead of linking to it, split a template that is "
        "over the size limit (or raise `Renderer(max_template_size=)` and "
        "`lint --max-template-size`), and save the file as UTF-8.",
    ),
    CodeInfo(
        "MT101",
        "define-redefined",
        "A `define` is replaced by a later file's",
        "warning",
        'recovery/valid/email.body.gotmpl:\n  {{ define "footer" }}<p>Thanks</p>{{ end }}\n'
        'recovery/valid/email.body.de.gotmpl:\n  {{ define "footer" }}<p>Danke</p>{{ end }}',
        "All files of a part are parsed into one namespace, in name order, and a later non-empty "
        "`define` silently replaces an earlier one: here every language renders the German "
        "footer.",
        "Give each file's blocks their own names (`footer-de`), or define shared blocks once.",
    ),
    CodeInfo(
        "MT102",
        "orphan-locale",
        "A locale file without its generic sibling",
        "warning",
        "recovery/valid/email.body.de.gotmpl without recovery/valid/email.body.gotmpl",
        "Kratos only ever loads the generic file (`email.body.gotmpl`) and reaches locale files "
        "through it, so without the generic file Kratos uses its built-in template and never "
        "reads this one. mailtemplates uses it for that locale only; every other locale gets the "
        "built-in.",
        "Add the generic file (the default language) beside it.",
    ),
    CodeInfo(
        "MT103",
        "unknown-locale",
        "A locale tag Babel does not know, or not spelled as mailtemplates looks it up",
        "warning",
        "recovery/valid/email.body.xx.gotmpl",
        "mailtemplates picks locale files by CLDR locale tags (`de`, `pt_BR`, `zh_Hant_TW`), spelled "
        "with `_` and fixed case. A tag Babel has no data for is never requested, and a tag spelled "
        "otherwise (`pt-br`, `pt_br`) is never found on a case-sensitive file system.",
        "Rename the file with the suggested tag. A partial whose name looks like a locale is not "
        "flagged once a template calls it by name.",
    ),
    CodeInfo(
        "MT104",
        "ignored-path",
        "A folder or file Kratos never reads",
        "warning",
        "recovery/vaild/email.body.gotmpl",
        "Kratos reads `<flow>/<status>/email.subject*`, `email.body*` and (for types that have an SMS "
        "variant) `sms.body*` and nothing else: a misspelled folder or file is ignored without a "
        "word and the built-in template is sent instead.",
        "Rename the folder or file as suggested, or remove it.",
    ),
    CodeInfo(
        "MT105",
        "partial-override",
        "The plaintext body is overridden but the HTML body is the built-in",
        "warning",
        "recovery/valid/ holds email.body.plaintext.gotmpl and no email.body.gotmpl",
        "Each part falls back on its own: recipients see the built-in HTML body, and mail clients "
        "show the HTML part, so the plaintext override is mostly never read.",
        "Override email.body.gotmpl as well.",
    ),
    CodeInfo(
        "MT106",
        "mixed-languages",
        "An email's parts come in different languages for a locale",
        "warning",
        "recovery/valid/ holds email.subject.gotmpl, email.body.gotmpl and email.body.de.gotmpl "
        "(no email.subject.de.gotmpl)",
        "Each part is resolved on its own (Kratos's rule): the first file of the locale chain, in the "
        "override folders and then the built-ins, else the generic file. A German reader of this "
        "folder gets the English generic subject over the German body. The same happens the other way "
        "round: an override folder's generic (English) body comes before the built-in translations, so "
        "Japanese, French, Spanish and Brazilian Portuguese readers get an English body under a "
        "translated built-in subject. `lint` asks the resolution a render uses "
        "(`Renderer.resolve`, whose `mixed_languages` says the same at run time) for the default locale "
        "and every locale that has a file, and reports the locales whose odd parts are the same "
        "files together. A plaintext derived from the HTML body is in the body's language.",
        "Add the missing translations (`email.subject.de.gotmpl`); `mailtemplates init DIR --locale de` "
        "writes the built-in ones to start from. If the email should be in one language for everyone, "
        "override every part with a generic file. Lint with `--default-locale` set to the language your "
        "generic files are written in.",
    ),
    CodeInfo(
        "MT107",
        "engine-shadowed",
        "A part has both a `.gotmpl` and a `.jinja` file",
        "warning",
        "recovery/valid/email.body.gotmpl and recovery/valid/email.body.jinja",
        "For each locale tag of the chain the loader looks for `<part>.gotmpl` first and then "
        "`<part>.jinja`, so with both present the Go template is used and the Jinja one is never "
        "read (Kratos reads only the `.gotmpl` one in any case).",
        "Keep one of them: remove the `.gotmpl` file to use the Jinja template, or the `.jinja` file.",
    ),
    CodeInfo(
        "MT201",
        "html-only",
        "The plaintext part is empty or is HTML",
        "warning",
        'recovery/valid/email.body.plaintext.gotmpl:\n  <p>Click <a href="{{ .RecoveryURL }}">here</a></p>',
        "Spam filters score messages without a real text alternative (HTML-only) higher, and text "
        "mail clients show the tags. A plaintext template that renders nothing (only spaces, "
        "comments or `define`s) leaves the text part empty.",
        "Write the plaintext body as text, or remove the file so that mailtemplates derives the "
        "text from the HTML.",
    ),
    CodeInfo(
        "MT202",
        "link-shortener",
        "A link through a public URL shortener",
        "warning",
        'recovery/valid/email.body.gotmpl:\n  <a href="https://bit.ly/3abc">Help</a>',
        "Public shorteners (bit.ly, tinyurl.com, t.co, goo.gl, ow.ly, is.gd, buff.ly, rebrand.ly, "
        "...) hide the destination, are shared by spammers, and appear on block lists: they hurt "
        "deliverability and make a security email look like phishing.",
        "Link to your own domain.",
    ),
    CodeInfo(
        "MT203",
        "too-many-links",
        f"More than {MAX_LINKS} links in an HTML template",
        "warning",
        f'recovery/valid/email.body.gotmpl: {MAX_LINKS + 1} or more <a href="..."> tags',
        "Transactional emails with many links look like newsletters or phishing to spam filters, "
        "and dilute the one action the email asks for.",
        "Keep the call to action and a few footer links.",
    ),
    CodeInfo(
        "MT204",
        "too-many-images",
        f"More than {MAX_IMAGES} images in an HTML template",
        "warning",
        f"recovery/valid/email.body.gotmpl: {MAX_IMAGES + 1} or more <img> tags",
        "Image-heavy messages with little text are a classic spam signal, and many clients block "
        "remote images, so the email reads badly until the recipient allows them.",
        "Use text for the content and keep images to a logo.",
    ),
    CodeInfo(
        "MT205",
        "img-missing-alt",
        "An `<img>` without `alt` text",
        "warning",
        'recovery/valid/email.body.gotmpl:\n  <img src="https://example.com/logo.png">',
        "Clients that block images show the alt text instead; without it the recipient sees an "
        "empty box, screen readers read the file name, and spam filters count it against the "
        "message.",
        'Add `alt="..."` (`alt=""` for decorative images).',
    ),
    CodeInfo(
        "MT206",
        "insecure-link",
        "A link or image over `http://`",
        "warning",
        'recovery/valid/email.body.gotmpl:\n  <a href="http://example.com/help">Help</a>',
        "Plain http links can be read and rewritten on the way, mail clients warn about them, and "
        "spam filters score them; images over http are blocked as mixed content by some clients.",
        "Use `https://`.",
    ),
    CodeInfo(
        "MT207",
        "subject-all-caps",
        "The subject is in capital letters",
        "warning",
        "recovery/valid/email.subject.gotmpl:\n  RECOVER YOUR ACCOUNT",
        "A subject in capitals reads as shouting and is a long-standing spam-filter rule.",
        "Write the subject in sentence case.",
    ),
    CodeInfo(
        "MT208",
        "subject-exclamations",
        "The subject has `!!`",
        "warning",
        "recovery/valid/email.subject.gotmpl:\n  Recover your account now!!",
        "Runs of exclamation marks in a subject are a common spam-filter rule and make a "
        "security email look like a scam.",
        "Use at most one exclamation mark, or none.",
    ),
    CodeInfo(
        "MT209",
        "noreply-sender",
        "The sender address is a no-reply address",
        "warning",
        "from_address = no-reply@example.com (Kratos's default is no-reply@ory.kratos.sh)",
        "Replies to a no-reply address bounce, recipients cannot add it to their contacts, and "
        "mailbox providers' sender guidelines advise against it; people answer account emails "
        "with questions.",
        "Send from an address that is read (support@, accounts@) or that answers automatically.",
    ),
    CodeInfo(
        "MT210",
        "dynamic-srcdoc",
        "Template data in an `srcdoc` attribute",
        "warning",
        'recovery/valid/email.body.gotmpl:\n  <iframe srcdoc="{{ .Identity.traits.bio }}"></iframe>',
        "`srcdoc` holds a whole HTML document. html/template escapes the value as ordinary "
        "attribute text, as Go does, and the browser decodes the entities before it parses the "
        "document, so `<script>` in the data runs in the frame (in the preview, in a webmail that "
        "keeps iframes, in any browser an email is opened in). mailtemplates keeps Go's output.",
        "Do not put data into `srcdoc`: write the frame's document in the template, or link to the "
        "content. Mail clients drop iframes anyway, so an email rarely needs one.",
    ),
    CodeInfo(
        "MT301",
        "plaintext-derived",
        "HTML body without a plaintext body: the text part will be derived",
        "note",
        "recovery/valid/ holds email.body.gotmpl and no email.body.plaintext.gotmpl",
        "mailtemplates derives the text/plain part from the rendered HTML. Kratos does not: it "
        "sends its built-in plaintext body, which does not match your HTML.",
        "Nothing to do for mailtemplates; add email.body.plaintext.gotmpl if Kratos renders these "
        "templates too.",
    ),
    CodeInfo(
        "MT401",
        "client-unsupported",
        "HTML or CSS that a targeted email client does not support",
        "warning",
        'recovery/valid/email.body.gotmpl:\n  <div style="display:flex">',
        "The caniemail data (https://www.caniemail.com, MIT; shipped compiled in the package) records "
        "which HTML elements and attributes, CSS properties, values, functions, units, at-rules and "
        "selectors each email client supports, per platform and version. `lint` reads each HTML "
        "template as it reaches the client after CSS inlining (see docs/lint.md) and reports each "
        "feature once per file, at its first use, naming the clients and platforms whose most recent "
        "tested version does not support it and linking the feature's page. The clients are "
        "`--clients` (default: Apple Mail, Gmail, Outlook, Yahoo! Mail, Samsung Email).",
        "Use a fallback the clients named support (tables instead of flexbox or grid for layout, "
        "`bgcolor` beside `background-image`, web fonts behind a font stack), check the page linked, "
        "or narrow `--clients` to the clients your recipients use. `--ignore` takes a code or the "
        "feature slug shown in brackets.",
    ),
    CodeInfo(
        "MT402",
        "client-partial",
        "HTML or CSS that a targeted email client supports only in part",
        "note",
        "recovery/valid/email.body.gotmpl:\n  <style>@media (max-width: 600px) { ... }</style>",
        'As MT401, for features whose most recent tested result is "partial" in a targeted client '
        "(Gmail's `@media`, which it supports without height-based queries and not for non-Google "
        "accounts, for example). The page linked says what is missing.",
        "Read the feature's page for what works; nothing to do if your email does not depend on the "
        "missing part.",
    ),
)

#: Every diagnostic code, in order: ``MT0xx`` errors, ``MT1xx`` Kratos layout and locale warnings,
#: ``MT2xx`` deliverability and safety warnings, ``MT3xx`` notes, ``MT4xx`` email-client
#: compatibility. Codes are stable: never renumbered.
CODES: Mapping[str, CodeInfo] = {c.code: c for c in _CODE_LIST}


@dataclass(frozen=True)
class Diagnostic:
    """One finding. ``line``/``col`` are 1-based (characters); 0 when it concerns a whole file or
    folder. ``file`` is empty for findings about the configuration (the sender address)."""

    code: str
    severity: Severity
    file: str
    line: int
    col: int
    message: str
    suggestion: str | None = None


def diag(
    code: str, file: str, line: int, col: int, message: str, suggestion: str | None = None
) -> Diagnostic:
    """A :class:`Diagnostic` of ``code``, with the code's severity."""
    return Diagnostic(code, CODES[code].severity, file, line, col, message, suggestion)
