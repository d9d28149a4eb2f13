"""``mailtemplates lint``: find template mistakes before Kratos (or a recipient's spam filter) does.

:func:`lint_paths` walks override roots laid out as Kratos expects them
(``<root>/<flow>/<status>/email.body.gotmpl``) and returns :class:`Diagnostic` records; every
code is documented in :data:`CODES` (``docs/lint-codes.md`` is generated from it). The checks:

* **correctness** (errors): every file parses; every HTML body passes html/template's escaper
  (Go's ``ErrorCode`` in the message); every field a template reads on the model exists; every
  ``{{ template "x" }}`` names a template of its set; no non-hermetic sprig function in override
  files; no ``define`` of the HTML set replaced by a plaintext file's; no part missing when there
  is no built-in to fall back on;
* **Kratos layout** (warnings): folders and files Kratos never reads, locale files without a
  generic sibling or with a tag Babel does not know, a ``define`` replaced by a later file, a
  plaintext override whose HTML still comes from the built-in;
* **deliverability** (warnings): link shorteners, more than 10 links or 5 images, ``<img>`` without
  ``alt``, ``http://`` links, an empty or HTML plaintext part, subjects in capitals or with ``!!``,
  a ``noreply`` sender;
* **notes**: the plaintext part will be derived from the HTML.

Positions come from the parse tree (:meth:`~mailtemplates.gotmpl.nodes.Tree.location`): ``line``
and ``col`` are 1-based and count characters; ``line == 0`` means the diagnostic is about a whole
file or folder, and an empty ``file`` means it is about the configuration (the sender address).

    >>> diags = lint_paths([str(BUILTIN_ROOT)])
    >>> exit_code(diags)
    0
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from email.utils import parseaddr
from typing import Literal

from . import gotmpl, i18n
from .errors import EscapeError, InvalidName, LocaleError, MailTemplateError, TemplateError
from .gotmpl import nodes
from .gotmpl.funcs import HERMETIC_EXCLUDED, funcmap
from .gotmpl.parser import parse_file
from .loader import BUILTIN_ROOT, PART_STEMS
from .models import TEMPLATE_TYPES, Model, TemplateType, model_fields

__all__ = [
    "CODES",
    "CodeInfo",
    "Diagnostic",
    "Format",
    "Severity",
    "add_arguments",
    "exit_code",
    "format_diagnostics",
    "lint_paths",
    "main",
    "run",
]

Severity = Literal["error", "warning", "note"]
Format = Literal["text", "json", "github"]

#: Thresholds of the deliverability checks (common guidance from mailbox providers' sender
#: guidelines and spam-filter rule sets: few links, few images, text to go with them).
MAX_LINKS = 10
MAX_IMAGES = 5

# --- the code registry -------------------------------------------------------------------------


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
)

#: Every diagnostic code, in order: ``MT0xx`` errors, ``MT1xx`` Kratos layout warnings,
#: ``MT2xx`` deliverability warnings, ``MT3xx`` notes. Codes are stable: never renumbered.
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


def _diag(
    code: str, file: str, line: int, col: int, message: str, suggestion: str | None = None
) -> Diagnostic:
    return Diagnostic(code, CODES[code].severity, file, line, col, message, suggestion)


# --- helpers -----------------------------------------------------------------------------------

_FLOWS: dict[str, list[TemplateType]] = {}
for _tt in TEMPLATE_TYPES.values():
    if _tt.templated:  # Kratos never renders the test stub from files
        _FLOWS.setdefault(_tt.flow, []).append(_tt)

#: Stems longest first, so that ``email.body.plaintext.de.gotmpl`` is a plaintext file.
_STEMS = sorted(PART_STEMS.values(), key=len, reverse=True)
_PART_OF_STEM = {stem: part for part, stem in PART_STEMS.items()}
_TEMPLATE_EXTS = (".gotmpl", ".jinja")
# A file suffix shaped like a locale tag (``de``, ``pt_BR``, ``de-DE``); anything else after the
# stem (``footer``, ``html.en_US``) is a partial, as Kratos's own test_stub templates use them.
_LOCALE_SHAPE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
_DEFINE_AT = re.compile(r"\{\{-?\s*(define|block)\b")
_FULL_FUNCS = funcmap("full")


def _close(word: str, candidates: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word``, compared case-insensitively (``RecoveryUrl``)."""
    lowered = {c.lower(): c for c in reversed(candidates)}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


def _walk(node: nodes.Node | None) -> Iterator[nodes.Node]:
    """Every node under ``node``, depth first (pipelines, commands and branches included)."""
    stack: list[nodes.Node] = [node] if node is not None else []
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, nodes.ListNode):
            stack.extend(reversed(cur.nodes))
        elif isinstance(cur, nodes.ActionNode):
            stack.append(cur.pipe)
        elif isinstance(cur, nodes.PipeNode):
            stack.extend(reversed(cur.cmds))
        elif isinstance(cur, nodes.CommandNode):
            stack.extend(reversed(cur.args))
        elif isinstance(cur, nodes.ChainNode):
            stack.append(cur.node)
        elif isinstance(cur, nodes.BranchNode):
            if cur.else_list is not None:
                stack.append(cur.else_list)
            stack.append(cur.list)
            stack.append(cur.pipe)
        elif isinstance(cur, nodes.TemplateNode) and cur.pipe is not None:
            stack.append(cur.pipe)


def _calls(trees: Mapping[str, nodes.Tree], start: str, target: str) -> bool:
    """Whether ``start`` reaches ``{{ template "target" }}``, directly or through other templates."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in trees:
            continue
        seen.add(name)
        for node in _walk(trees[name].root):
            if isinstance(node, nodes.TemplateNode):
                if node.name == target:
                    return True
                todo.append(node.name)
    return False


def _passes_dot(pipe: nodes.PipeNode | None) -> bool:
    """``{{ template "x" . }}`` or ``{{ template "x" $ }}``: the callee's dot is the caller's."""
    if pipe is None or pipe.decl or len(pipe.cmds) != 1 or len(pipe.cmds[0].args) != 1:
        return False
    arg = pipe.cmds[0].args[0]
    return isinstance(arg, nodes.DotNode) or (isinstance(arg, nodes.VariableNode) and arg.ident == ["$"])


def _masked(tree: nodes.Tree) -> str:
    """The tree's source with everything but its text nodes blanked out, positions unchanged.

    HTML checks run on this: an ``<img src="{{ .Logo }}">`` is one tag across three nodes, and
    actions, comments and other templates' text must not count as HTML.
    """
    out = ["\0"] * len(tree.text)
    for node in _walk(tree.root):
        if isinstance(node, nodes.TextNode) and tree.text.startswith(node.text, node.pos):
            out[node.pos : node.pos + len(node.text)] = node.text
    return "".join(out)


def _text_nodes(tree: nodes.Tree) -> Iterator[nodes.TextNode]:
    for node in _walk(tree.root):
        if isinstance(node, nodes.TextNode):
            yield node


# Public shorteners (the ones mailbox providers' and URL block lists see most).
_SHORTENERS = (
    "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
    "cutt.ly", "shorturl.at", "tiny.cc", "t.ly", "rb.gy", "bl.ink", "v.gd", "s.id", "lnkd.in", "shorte.st",
    "adf.ly", "soo.gd", "clck.ru", "qr.ae",
)  # fmt: skip
_HOSTS = "|".join(re.escape(h) for h in _SHORTENERS)
_SHORTENER_RE = re.compile(
    rf"(?i)(?://(?:www\.)?({_HOSTS})(?=[/:?#\"'\s<>)\0]|$))|(?:(?<![\w.@/-])(?:www\.)?({_HOSTS})/)"
)
_LINK_RE = re.compile(r"(?is)<a\b[^>]*?\bhref\s*=")
_IMG_RE = re.compile(r"(?is)<img\b[^>]*>?")
_ALT_RE = re.compile(r"(?i)(?<![\w-])alt\s*=")
_HTTP_ATTR_RE = re.compile(r"(?i)\b(?:href|src|background|action|poster)\s*=\s*[\"']?\s*(http://)")
_HTTP_TEXT_RE = re.compile(r"(?i)(?<![\w/])http://(?=[\w\[])")
_MARKUP_RE = re.compile(
    r"(?i)<(?:!doctype|html|head|body|p|div|span|table|tr|td|a\s|br|img|strong|em|b|i|h[1-6]|ul|ol|li)\b[^>]*>"
)
_BANGS_RE = re.compile(r"[!！]{2,}")
_NOREPLY_RE = re.compile(r"(?i)^(?:no|do[-_.]?not)[-_.]?reply")


# --- the linter --------------------------------------------------------------------------------


@dataclass
class _File:
    """One file of a template folder, classified as Kratos's globs see it."""

    name: str
    path: str
    #: The part stem the name starts with (``email.body.plaintext``), None for unknown files.
    stem: str | None
    engine: Literal["gotmpl", "jinja"] = "gotmpl"
    #: ``generic`` (``email.body.gotmpl``), ``locale`` (``email.body.de.gotmpl``) or ``partial``.
    role: Literal["generic", "locale", "partial"] = "partial"
    locale: str | None = None
    text: str | None = None
    trees: dict[str, nodes.Tree] | None = None
    failed: bool = False


@dataclass
class _Linter:
    use_builtins: bool
    diags: list[Diagnostic] = field(default_factory=list)
    done: set[str] = field(default_factory=set)

    def add(self, d: Diagnostic) -> None:
        self.diags.append(d)

    # -- walking roots --------------------------------------------------------------------------
    def lint_path(self, path: str) -> None:
        shown = os.path.normpath(path)
        if os.path.isdir(path):
            tt = self._type_of_folder(path)
            flow = os.path.basename(os.path.abspath(path))
            if tt is not None:
                self.lint_folder(shown, tt)
            elif flow in _FLOWS and not any(os.path.isdir(os.path.join(path, f)) for f in _FLOWS):
                self._lint_flow(shown, flow)
            else:
                self.lint_root(shown)
        elif os.path.isfile(path):
            tt = self._type_of_folder(os.path.dirname(os.path.abspath(path)))
            if tt is not None:
                self.lint_folder(os.path.dirname(shown) or ".", tt)
            elif path.endswith(_TEMPLATE_EXTS):
                self.add(
                    _diag(
                        "MT104",
                        shown,
                        0,
                        0,
                        "not inside a template folder: Kratos reads "
                        "templates from <flow>/<status>/ folders (recovery/valid, login_code/valid, ...)",
                    )
                )
        else:
            raise MailTemplateError(f"{path}: no such file or directory")

    @staticmethod
    def _type_of_folder(path: str) -> TemplateType | None:
        """The template type whose folder ``path`` is, unless it is itself a root of such folders."""
        if os.path.isdir(path) and any(os.path.isdir(os.path.join(path, f)) for f in _FLOWS):
            return None
        parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
        for tt in TEMPLATE_TYPES.values():
            if tt.templated and tuple(parts[-len(tt.path_parts) :]) == tt.path_parts:
                return tt
        return None

    def lint_root(self, root: str) -> None:
        found = False
        for name in sorted(os.listdir(root)):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if os.path.isdir(path):
                if name not in _FLOWS:
                    close = _close(name, list(_FLOWS))
                    self.add(
                        _diag(
                            "MT104",
                            path,
                            0,
                            0,
                            f"unknown folder {name}/: Kratos never reads it",
                            f"rename it {close}/" if close else None,
                        )
                    )
                    continue
                found = True
                self._lint_flow(path, name)
            elif name.endswith(_TEMPLATE_EXTS):
                self.add(
                    _diag(
                        "MT104",
                        path,
                        0,
                        0,
                        "a template outside any template folder: Kratos reads "
                        "templates from <flow>/<status>/ folders (recovery/valid, login_code/valid, ...)",
                    )
                )
        if not found:
            self.add(
                _diag(
                    "MT104",
                    root,
                    0,
                    0,
                    "no template folders here (recovery/valid, login_code/valid, ...): "
                    "Kratos would use its built-in templates for everything",
                )
            )

    def _lint_flow(self, d: str, flow: str) -> None:
        """``d`` is the folder of ``flow``: a template folder, or the parent of its status folders."""
        types = _FLOWS[flow]
        if len(types) == 1 and types[0].status is None:
            self.lint_folder(d, types[0])
            return
        statuses = {tt.status: tt for tt in types}
        for name in sorted(os.listdir(d)):
            if name.startswith("."):
                continue
            path = os.path.join(d, name)
            if os.path.isdir(path):
                tt = statuses.get(name)
                if tt is not None:
                    self.lint_folder(path, tt)
                    continue
                close = _close(name, [s for s in statuses if s])
                known = ", ".join(f"{flow}/{s}/" for s in statuses)
                self.add(
                    _diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"unknown folder {flow}/{name}/: Kratos reads {known} only",
                        f"rename it {close}/" if close else None,
                    )
                )
            elif name.endswith(_TEMPLATE_EXTS):
                known = ", ".join(f"{flow}/{s}/" for s in statuses)
                self.add(
                    _diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"a template directly in {flow}/: Kratos reads templates from {known}",
                    )
                )

    # -- one template folder ---------------------------------------------------------------------
    def lint_folder(self, folder: str, tt: TemplateType) -> None:
        """Lint the template folder of ``tt`` (``folder`` as the user spelled its path)."""
        real = os.path.realpath(folder)
        if real in self.done:
            return
        self.done.add(real)
        builtin = real == os.path.realpath(os.path.join(BUILTIN_ROOT, *tt.path_parts))
        files = self._classify(folder, tt)
        gofiles = {f.name: f for f in files if f.stem is not None and f.engine == "gotmpl"}
        for f in files:
            self._read_and_parse(f, builtin)
        self._check_locales(files, gofiles)
        for part in tt.parts:
            self._check_part(folder, tt, part, gofiles, builtin)
        self._check_parts_present(folder, tt, files, builtin)
        for f in gofiles.values():
            if f.trees is not None:
                self._check_text(f)

    def _classify(self, folder: str, tt: TemplateType) -> list[_File]:
        out: list[_File] = []
        generic_names = [PART_STEMS[p] + ".gotmpl" for p in tt.parts]
        for name in sorted(os.listdir(folder)):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            stem = next((s for s in _STEMS if name.startswith(s)), None)
            if stem is not None and _PART_OF_STEM[stem] in tt.parts and not os.path.isfile(path):
                # Kratos's glob (<stem>*) matches it and ParseFS fails to read it: every email of
                # the type fails, no fallback (the loader refuses it the same way).
                what = "a directory" if os.path.isdir(path) else "not a readable file"
                self.add(
                    _diag(
                        "MT001",
                        path,
                        0,
                        0,
                        f"{name} is {what}, not a template file: its name matches {stem}*, so "
                        "Kratos (and mailtemplates) fail to load this part",
                        "rename or remove it",
                    )
                )
                continue
            if os.path.isdir(path):
                self.add(
                    _diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"folder inside the {tt.name} template folder: Kratos does not look into subfolders",
                    )
                )
                continue
            if stem is None:
                close = _close(name, generic_names)
                self.add(
                    _diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"Kratos never reads {name}: {tt.name} templates are "
                        + ", ".join(generic_names)
                        + " and files starting with those names",
                        f"rename it {close}" if close else None,
                    )
                )
                continue
            if _PART_OF_STEM[stem] not in tt.parts:
                self.add(
                    _diag("MT104", path, 0, 0, f"{tt.name} has no SMS template: Kratos never reads {name}")
                )
                continue
            engine: Literal["gotmpl", "jinja"] = "jinja" if name.endswith(".jinja") else "gotmpl"
            f = _File(name, path, stem, engine)
            rest = name[len(stem) :]
            ext = ".jinja" if engine == "jinja" else ".gotmpl"
            if rest == ext:
                f.role = "generic"
            elif rest.endswith(ext) and rest.startswith(".") and _LOCALE_SHAPE.fullmatch(rest[1 : -len(ext)]):
                f.role, f.locale = "locale", rest[1 : -len(ext)]
            out.append(f)
        return out

    def _read_and_parse(self, f: _File, builtin: bool) -> None:
        try:
            with open(f.path, encoding="utf-8") as fh:
                f.text = fh.read()
        except UnicodeDecodeError as e:
            f.failed = True
            self.add(_diag("MT001", f.path, 0, 0, f"not valid UTF-8 ({e.reason} at byte {e.start})"))
            return
        if f.engine == "jinja":
            from .jinja import compile_jinja

            try:
                compile_jinja(f.text, f.path, html=f.stem == PART_STEMS["body"])
            except TemplateError as e:
                f.failed = True
                self.add(_diag("MT001", f.path, e.line, 1 if e.line else 0, e.message))
            return
        try:
            # Parsed with the full function map so that one non-hermetic call does not hide the
            # rest of the file: MT005 reports each of them below.
            f.trees = parse_file(f.name, f.text, _FULL_FUNCS)
        except TemplateError as e:
            f.failed = True
            self.add(_diag("MT001", f.path, e.line, e.col if e.line else 0, e.message))
            return
        if builtin:
            return  # Kratos's built-ins are parsed with the full map
        for tree in f.trees.values():
            for node in _walk(tree.root):
                if isinstance(node, nodes.IdentifierNode) and node.ident in HERMETIC_EXCLUDED:
                    line, _, col = tree.location(node.pos)
                    self.add(
                        _diag(
                            "MT005",
                            f.path,
                            line,
                            col,
                            f"function {nodes.go_quote(node.ident)} is not available in override templates: "
                            f"Kratos parses them with sprig's hermetic functions, so this is the parse error "
                            f'"function {nodes.go_quote(node.ident)} not defined"',
                        )
                    )

    def _referenced(self, gofiles: Mapping[str, _File]) -> set[str]:
        out: set[str] = set()
        for f in gofiles.values():
            for tree in (f.trees or {}).values():
                out.update(n.name for n in _walk(tree.root) if isinstance(n, nodes.TemplateNode))
        return out

    def _check_locales(self, files: list[_File], gofiles: Mapping[str, _File]) -> None:
        referenced = self._referenced(gofiles)
        names = {f.name for f in files}
        for f in files:
            if f.role != "locale" or f.locale is None or f.stem is None:
                continue
            if f.name in referenced:
                f.role = "partial"  # called by name: a partial that happens to look like a locale
                continue
            ext = ".jinja" if f.engine == "jinja" else ".gotmpl"
            try:
                norm: str | None = i18n.normalize_locale(f.locale)
            except (LocaleError, InvalidName):
                norm = None
            if norm is None or not i18n.is_known_locale(norm):
                self.add(
                    _diag(
                        "MT103",
                        f.path,
                        0,
                        0,
                        f"{f.locale!r} is not a locale Babel knows: this file is never chosen for a locale",
                        f"if it is a partial, call it with {{{{ template {nodes.go_quote(f.name)} . }}}}",
                    )
                )
                f.role = "partial"
                continue
            if norm != f.locale:
                self.add(
                    _diag(
                        "MT103",
                        f.path,
                        0,
                        0,
                        f"locale {f.locale!r} is spelled {norm!r} in file names: mailtemplates looks for "
                        f"{f.stem}.{norm}{ext}",
                        f"rename it {f.stem}.{norm}{ext}",
                    )
                )
            if f.stem + ".gotmpl" not in names and f.stem + ".jinja" not in names:
                self.add(
                    _diag(
                        "MT102",
                        f.path,
                        0,
                        0,
                        f"no {f.stem}.gotmpl beside it: Kratos never loads this file (it uses the built-in "
                        f"{f.stem}.gotmpl), and mailtemplates uses it for {norm!r} only",
                    )
                )

    # -- one part: its set of files, as Kratos parses them together ---------------------------------
    def _check_part(
        self, folder: str, tt: TemplateType, part: str, gofiles: Mapping[str, _File], builtin: bool
    ) -> None:
        stem = PART_STEMS[part]
        html = part == "body"
        family = sorted(n for n in gofiles if n.startswith(stem))
        own = [n for n in family if gofiles[n].stem == stem]
        entries = [n for n in own if gofiles[n].role in ("generic", "locale")]
        # Kratos parses an override file with its siblings (ParseFS of <part>*); built-ins alone.
        sets = [[n] for n in own] if builtin else [family]
        for members in sets:
            if any(gofiles[n].trees is None for n in members):
                continue  # MT001 already says why
            try:
                tset = gotmpl.parse_files(
                    {n: gofiles[n].text or "" for n in members}, html=html, funcs="full"
                )
            except TemplateError:  # pragma: no cover - every member parsed on its own
                continue
            mine = [n for n in members if n in own]
            self._check_calls(folder, stem, tset, mine, gofiles)
            if not builtin:
                self._check_defines(part, members, gofiles)
            model = tt.model("sms" if part == "sms" else "email")
            generic = stem + ".gotmpl"
            checked: set[str] = set()
            for entry in (n for n in entries if n in members):
                if entry != generic and generic in tset.trees and _calls(tset.trees, generic, entry):
                    continue  # Kratos's dispatch pattern: the generic file renders this one
                self._check_fields(folder, tt, model, tset.trees, entry, checked)
                if html:
                    self._check_escape(folder, tset, entry)

    def _check_calls(
        self,
        folder: str,
        stem: str,
        tset: gotmpl.TemplateSet,
        mine: Sequence[str],
        gofiles: Mapping[str, _File],
    ) -> None:
        for name in mine:
            for tree in (gofiles[name].trees or {}).values():
                for node in _walk(tree.root):
                    if not isinstance(node, nodes.TemplateNode) or node.name in tset.trees:
                        continue
                    line, _, col = tree.location(node.pos)
                    suggestion: str | None = None
                    if (
                        node.name in gofiles
                        and node.name.startswith("email.body.")
                        and stem == PART_STEMS["plaintext"]
                    ):
                        new = stem + node.name[len("email.body") :]
                        suggestion = (
                            f"rename {node.name} to {new}: both email.body* and {stem}* match that name"
                        )
                    elif node.name in gofiles:
                        suggestion = f"{stem}* does not match {node.name}: give {stem}* its own copy of it"
                    else:
                        close = _close(node.name, [n for n in tset.trees if n != name])
                        suggestion = f"did you mean {nodes.go_quote(close)}?" if close else None
                    self.add(
                        _diag(
                            "MT004",
                            os.path.join(folder, name),
                            line,
                            col,
                            f"template {nodes.go_quote(node.name)} is not defined: {name} is parsed with the "
                            f"files matching {stem}* only, so this call fails when it runs",
                            suggestion,
                        )
                    )

    def _check_defines(self, part: str, members: Sequence[str], gofiles: Mapping[str, _File]) -> None:
        defs: dict[str, list[tuple[str, nodes.Tree]]] = {}
        for name in members:  # sorted: Go's ParseFS order, a later definition wins
            for tname, tree in (gofiles[name].trees or {}).items():
                if tname != name and not nodes.is_empty_tree(tree.root):
                    defs.setdefault(tname, []).append((name, tree))
        plain = PART_STEMS["plaintext"]
        for tname, found in defs.items():
            winner_file = found[-1][0]
            for fname, tree in found[:-1]:
                loser_plain = fname.startswith(plain)
                winner_plain = winner_file.startswith(plain)
                if part == "body" and loser_plain:
                    continue  # plaintext files' own set is checked as the plaintext part
                start = tree.text.rfind("{{", 0, tree.root.pos)
                m = _DEFINE_AT.match(tree.text, start) if start >= 0 else None
                line, _, col = tree.location(m.start(1) if m else tree.root.pos)
                path = gofiles[fname].path
                if part == "body" and winner_plain:
                    self.add(
                        _diag(
                            "MT006",
                            path,
                            line,
                            col,
                            f"the HTML email renders {winner_file}'s {{{{define {nodes.go_quote(tname)}}}}}, not this "
                            f"one: email.body* also matches {winner_file}, which sorts later and replaces it",
                            f"rename the block, for example {nodes.go_quote('html-' + tname)}",
                        )
                    )
                else:
                    self.add(
                        _diag(
                            "MT101",
                            path,
                            line,
                            col,
                            f"{{{{define {nodes.go_quote(tname)}}}}} is replaced by the one in {winner_file}: "
                            f"files are parsed in name order and the later definition wins",
                            "give each file's blocks their own names",
                        )
                    )

    def _check_fields(
        self,
        folder: str,
        tt: TemplateType,
        model: type[Model],
        trees: Mapping[str, nodes.Tree],
        entry: str,
        checked: set[str],
    ) -> None:
        """Top-level model fields read on dot or ``$``, following ``{{ template "x" . }}``."""
        names = [fi.go_name for fi in model_fields(model)]
        known = set(names)
        todo = [entry]
        while todo:
            tname = todo.pop()
            if tname in checked or tname not in trees:
                continue
            checked.add(tname)
            tree = trees[tname]
            path = os.path.join(folder, tree.parse_name)

            def report(pos: int, field_name: str, tree: nodes.Tree = tree, path: str = path) -> None:
                line, _, col = tree.location(pos)
                close = _close(field_name, names)
                self.add(
                    _diag(
                        "MT003",
                        path,
                        line,
                        col,
                        f"{model.GO_TYPE} has no field {field_name}: executing this fails in Kratos "
                        f"(can't evaluate field {field_name})",
                        f"did you mean .{close}?" if close else f"{tt.name} fields: {', '.join(names)}",
                    )
                )

            def visit(node: nodes.Node | None, dot_is_model: bool) -> None:
                if node is None:
                    return
                if isinstance(node, nodes.FieldNode):
                    if dot_is_model and node.ident[0] not in known:
                        report(node.pos, node.ident[0])
                elif isinstance(node, nodes.VariableNode):
                    # ``$`` is the data the template was called with: the model, in every scope.
                    if node.ident[0] == "$" and len(node.ident) > 1 and node.ident[1] not in known:
                        report(node.pos, node.ident[1])
                elif isinstance(node, nodes.ListNode):
                    for child in node.nodes:
                        visit(child, dot_is_model)
                elif isinstance(node, nodes.ActionNode):
                    visit(node.pipe, dot_is_model)
                elif isinstance(node, nodes.PipeNode):
                    for cmd in node.cmds:
                        for arg in cmd.args:
                            visit(arg, dot_is_model)
                elif isinstance(node, nodes.ChainNode):
                    visit(node.node, dot_is_model)
                elif isinstance(node, nodes.BranchNode):
                    visit(node.pipe, dot_is_model)
                    # with/range set dot to the pipeline's value inside, not in the else branch.
                    visit(node.list, dot_is_model and isinstance(node, nodes.IfNode))
                    visit(node.else_list, dot_is_model)
                elif isinstance(node, nodes.TemplateNode):
                    visit(node.pipe, dot_is_model)
                    if node.pipe is not None and _passes_dot(node.pipe):
                        arg = node.pipe.cmds[0].args[0]
                        if dot_is_model or isinstance(arg, nodes.VariableNode):
                            todo.append(node.name)

            visit(tree.root, True)

    def _check_escape(self, folder: str, tset: gotmpl.TemplateSet, entry: str) -> None:
        try:
            tset.escape(entry)
        except EscapeError as e:
            if e.code == "ErrNoSuchTemplate":
                return  # MT004 names the call
            self.add(
                _diag(
                    "MT002",
                    os.path.join(folder, e.name or entry),
                    e.line,
                    e.col if e.line else 0,
                    f"{e.code}: {e.message}",
                )
            )
        except TemplateError as e:  # pragma: no cover - escape() raises EscapeError for templates
            self.add(_diag("MT002", os.path.join(folder, entry), e.line, e.col if e.line else 0, e.message))

    # -- parts present ----------------------------------------------------------------------------
    def _check_parts_present(
        self, folder: str, tt: TemplateType, files: Sequence[_File], builtin: bool
    ) -> None:
        generic = {f.stem: f.path for f in files if f.role == "generic" and f.stem is not None}

        def fallback(part: str) -> bool:
            base = os.path.join(BUILTIN_ROOT, *tt.path_parts, PART_STEMS[part] + ".gotmpl")
            return self.use_builtins and not builtin and os.path.isfile(base)

        has = {p: PART_STEMS[p] in generic or fallback(p) for p in ("subject", "body", "plaintext")}
        here = {p: PART_STEMS[p] in generic for p in ("body", "plaintext")}
        if not has["subject"]:
            self.add(
                _diag(
                    "MT007",
                    folder,
                    0,
                    0,
                    f"no email.subject.gotmpl for {tt.name}, and no built-in to fall back on",
                )
            )
        if not has["body"] and not has["plaintext"]:
            self.add(
                _diag(
                    "MT007",
                    folder,
                    0,
                    0,
                    f"no email.body.gotmpl or email.body.plaintext.gotmpl for {tt.name}, and no built-in to fall back on",
                )
            )
        if here["body"] and not here["plaintext"]:
            self.add(
                _diag(
                    "MT301",
                    generic[PART_STEMS["body"]],
                    0,
                    0,
                    "no email.body.plaintext.gotmpl beside it: mailtemplates derives the text part from the "
                    "rendered HTML (Kratos would send its built-in plaintext)",
                )
            )
        if here["plaintext"] and not here["body"] and has["body"]:
            self.add(
                _diag(
                    "MT105",
                    generic[PART_STEMS["plaintext"]],
                    0,
                    0,
                    "no email.body.gotmpl beside it: the HTML part is the built-in template, which mail "
                    "clients show instead of this text",
                    "override email.body.gotmpl as well",
                )
            )

    # -- deliverability: the templates' text --------------------------------------------------------
    def _check_text(self, f: _File) -> None:
        assert f.trees is not None
        if f.stem == PART_STEMS["body"]:
            for tree in f.trees.values():
                self._check_html(f, tree)
        elif f.stem == PART_STEMS["plaintext"]:
            self._check_plaintext(f)
        elif f.stem == PART_STEMS["subject"]:
            for tree in f.trees.values():
                self._check_subject(f, tree)
        for tree in f.trees.values():
            masked = _masked(tree)
            for m in _SHORTENER_RE.finditer(masked):
                host = m.group(1) or m.group(2)
                start = m.start(1) if m.group(1) else m.start(2)
                line, _, col = tree.location(start)
                self.add(
                    _diag(
                        "MT202",
                        f.path,
                        line,
                        col,
                        f"link through the URL shortener {host.lower()}",
                        "link to your own domain",
                    )
                )
            if f.stem == PART_STEMS["plaintext"]:
                for m in _HTTP_TEXT_RE.finditer(masked):
                    line, _, col = tree.location(m.start())
                    self.add(_diag("MT206", f.path, line, col, "link over http://", "use https://"))

    def _where(self, tree: nodes.Tree) -> str:
        return "" if tree.name == tree.parse_name else f" in {{{{define {nodes.go_quote(tree.name)}}}}}"

    def _check_html(self, f: _File, tree: nodes.Tree) -> None:
        masked = _masked(tree)
        links = list(_LINK_RE.finditer(masked))
        if len(links) > MAX_LINKS:
            line, _, col = tree.location(links[MAX_LINKS].start())
            self.add(
                _diag(
                    "MT203",
                    f.path,
                    line,
                    col,
                    f"{len(links)} links{self._where(tree)} (more than {MAX_LINKS}): this is link {MAX_LINKS + 1}",
                )
            )
        images = list(_IMG_RE.finditer(masked))
        if len(images) > MAX_IMAGES:
            line, _, col = tree.location(images[MAX_IMAGES].start())
            self.add(
                _diag(
                    "MT204",
                    f.path,
                    line,
                    col,
                    f"{len(images)} images{self._where(tree)} (more than {MAX_IMAGES}): this is image {MAX_IMAGES + 1}",
                )
            )
        for m in images:
            if not _ALT_RE.search(m.group()):
                line, _, col = tree.location(m.start())
                self.add(
                    _diag(
                        "MT205",
                        f.path,
                        line,
                        col,
                        "<img> without an alt attribute",
                        'add alt="..." (alt="" for a decorative image)',
                    )
                )
        for m in _HTTP_ATTR_RE.finditer(masked):
            line, _, col = tree.location(m.start(1))
            self.add(_diag("MT206", f.path, line, col, "link over http://", "use https://"))

    def _check_plaintext(self, f: _File) -> None:
        assert f.trees is not None
        root = f.trees.get(f.name)
        if f.role in ("generic", "locale") and (root is None or nodes.is_empty_tree(root.root)):
            self.add(
                _diag(
                    "MT201",
                    f.path,
                    0,
                    0,
                    "the plaintext template renders nothing: the text/plain part is "
                    "empty and the message is effectively HTML-only",
                )
            )
            return
        for tree in f.trees.values():
            m = _MARKUP_RE.search(_masked(tree))
            if m:
                line, _, col = tree.location(m.start())
                self.add(
                    _diag(
                        "MT201",
                        f.path,
                        line,
                        col,
                        f"HTML markup ({m.group()[:20]}) in the plaintext template: text clients show the tags "
                        "and spam filters see an HTML-only message",
                        "write the plaintext body as text",
                    )
                )
                return

    def _check_subject(self, f: _File, tree: nodes.Tree) -> None:
        first: int | None = None
        cased: list[str] = []
        for node in _text_nodes(tree):
            for i, ch in enumerate(node.text):
                if ch.isupper() or ch.islower():
                    if first is None:
                        first = node.pos + i
                    cased.append(ch)
            for m in _BANGS_RE.finditer(node.text):
                line, _, col = tree.location(node.pos + m.start())
                self.add(
                    _diag("MT208", f.path, line, col, f"{m.group()!r} in the subject", "use at most one '!'")
                )
        if first is not None and len(cased) >= 5 and all(ch.isupper() for ch in cased):
            line, _, col = tree.location(first)
            self.add(
                _diag(
                    "MT207",
                    f.path,
                    line,
                    col,
                    f"the subject{self._where(tree)} is all capital letters",
                    "write it in sentence case",
                )
            )


def _check_sender(from_address: str) -> Diagnostic | None:
    addr = parseaddr(from_address)[1] or from_address
    local = addr.rsplit("@", 1)[0].strip()
    if _NOREPLY_RE.match(local):
        return _diag(
            "MT209",
            "",
            0,
            0,
            f"the sender {addr} is a no-reply address: replies bounce",
            "send from an address that is read, such as support@ or accounts@",
        )
    return None


# --- public API --------------------------------------------------------------------------------


def lint_paths(
    paths: Sequence[str], *, from_address: str | None = None, use_builtins: bool = True
) -> list[Diagnostic]:
    """Lint template roots, template folders or files; diagnostics sorted by file and position.

    A root holds ``<flow>/<status>/`` folders (an override directory); a template folder
    (``templates/recovery/valid``) or a file inside one lints that folder only. ``use_builtins``
    says whether missing parts fall back to the built-in templates (``Renderer(use_builtins=)``).
    Raises :class:`~mailtemplates.errors.MailTemplateError` for a path that does not exist.
    """
    linter = _Linter(use_builtins)
    for p in paths:
        linter.lint_path(os.fspath(p))
    diags = {dataclasses.replace(d, file=os.path.normpath(d.file)) if d.file else d for d in linter.diags}
    if from_address is not None:
        d = _check_sender(from_address)
        if d is not None:
            diags.add(d)
    return sorted(diags, key=lambda d: (d.file, d.line, d.col, d.code, d.message))


def exit_code(diags: Sequence[Diagnostic]) -> int:
    """1 if any diagnostic is an error, else 0 (warnings and notes do not fail CI)."""
    return 1 if any(d.severity == "error" for d in diags) else 0


def _github_escape(text: str, *, prop: bool = False) -> str:
    # GitHub workflow commands: data escapes % CR LF; properties also ':' and ','.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def format_diagnostics(diags: Sequence[Diagnostic], fmt: Format = "text") -> str:
    """Render diagnostics for a terminal (``text``), tools (``json``) or GitHub Actions (``github``).

    ``text``: one ``file:line:col: severity CODE message`` line each (``file: ...`` for a whole file,
    ``mailtemplates: ...`` for the configuration), the suggestion on an indented line below, and
    a summary line. ``github``: ``::error file=...,line=...,col=...,title=CODE::message`` workflow
    commands, which GitHub shows as annotations on the pull request.
    """
    if fmt == "json":
        counts = {s: sum(1 for d in diags if d.severity == s) for s in ("error", "warning", "note")}
        items = [{**asdict(d), "name": CODES[d.code].name, "title": CODES[d.code].title} for d in diags]
        return json.dumps(
            {"version": 1, "diagnostics": items, "summary": counts}, indent=2, ensure_ascii=False
        )
    lines: list[str] = []
    if fmt == "github":
        for d in diags:
            props = []
            if d.file:
                props.append(f"file={_github_escape(d.file, prop=True)}")
            if d.line:
                props.append(f"line={d.line}")
                if d.col:
                    props.append(f"col={d.col}")
            props.append(f"title={_github_escape(d.code, prop=True)}")
            msg = d.message + (f"\n{d.suggestion}" if d.suggestion else "")
            lines.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{_github_escape(msg)}")
        return "\n".join(lines)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}: use text, json or github")
    for d in diags:
        where = d.file or "mailtemplates"
        if d.line:
            where += f":{d.line}:{d.col}"
        lines.append(f"{where}: {d.severity} {d.code} {d.message}")
        if d.suggestion:
            lines.append(f"    hint: {d.suggestion}")
    counts_text = ", ".join(
        f"{n} {s}{'s' if n != 1 else ''}"
        for s in ("error", "warning", "note")
        if (n := sum(1 for d in diags if d.severity == s))
    )
    lines.append(counts_text if counts_text else "no problems found")
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mailtemplates lint`` options, for the CLI's subcommand parser."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="DIR",
        default=["."],
        help="template roots (override directories), template folders or files (default: .)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format; github prints workflow commands (annotations)",
    )
    parser.add_argument(
        "--from-address",
        default=None,
        metavar="ADDR",
        help="the sender address (courier.smtp.from_address), to check it too",
    )
    parser.add_argument(
        "--no-builtins",
        dest="use_builtins",
        action="store_false",
        help="missing parts have no built-in template to fall back on",
    )


def run(args: argparse.Namespace) -> int:
    """Run the linter for parsed ``args``, print the report, return the exit code."""
    diags = lint_paths(args.paths, from_address=args.from_address, use_builtins=args.use_builtins)
    out = format_diagnostics(diags, args.format)
    if out:
        print(out)
    return exit_code(diags)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mailtemplates.lint``: the same as ``mailtemplates lint``."""
    parser = argparse.ArgumentParser(
        prog="mailtemplates lint", description="Lint Kratos-compatible email templates."
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except MailTemplateError as e:
        print(f"mailtemplates: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
