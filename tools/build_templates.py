"""Generate the built-in Kratos templates in ``template_root/`` from ``template_src/``.

One HTML layout, one plaintext layout and one content source per template type
(``template_src/flows/*.j2``) are rendered by Jinja2 at *build time*, once per locale, with the
gettext catalogs in ``template_src/locale``. Jinja uses ``<% %>``, ``<< >>`` and ``<# #>`` as
delimiters, so Go's ``{{ }}`` passes through untouched; what comes out is plain Go template
text that Kratos (or mailtemplates) renders at send time.

Commands (run from anywhere; paths are relative to the repository)::

    python tools/build_templates.py build             # write template_root/
    python tools/build_templates.py build --golden    # ... and tests/golden/builtin/ (needs the oracle)
    python tools/build_templates.py check             # exit 1 if anything committed is out of date
    python tools/build_templates.py verify            # render every file with real Go (the oracle)
    python tools/build_templates.py extract           # update templates.pot and every .po
    python tools/build_templates.py init LANG         # start a catalog for a new language

See docs/builtin-templates.md for the design and for adding a language.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import tokenize_pattern
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "template_src"
OUT = REPO / "template_root"
GOLDEN = REPO / "tests" / "golden" / "builtin"
LOCALE_DIR = SRC / "locale"
DOMAIN = "templates"
POT = LOCALE_DIR / f"{DOMAIN}.pot"
DEFAULT_ORACLE = Path("/tmp/oracle/oracle")
HEADER_COMMENT = (
    "# {lang} of the mailtemplates built-in email and SMS templates.\n"
    "# Translate msgstr only, then run: python tools/build_templates.py build --golden\n"
    "# See docs/builtin-templates.md. Licensed like the project (Apache-2.0)."
)

#: The generic (un-suffixed) files are written in the source language.
SOURCE_LOCALE = "en"

#: Jinja delimiters chosen so that Go's {{ }} is plain text to Jinja.
JINJA_SYNTAX: dict[str, str] = {
    "block_start_string": "<%",
    "block_end_string": "%>",
    "variable_start_string": "<<",
    "variable_end_string": ">>",
    "comment_start_string": "<#",
    "comment_end_string": "#>",
}

#: Babel extraction keywords: the standard gettext names plus count_go(singular, plural, expr).
KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "ngettext": (1, 2), "count_go": (1, 2)}

#: Languages whose sentences follow each other without a space (Japanese, Chinese).
NO_SENTENCE_SPACE = frozenset({"ja", "zh", "yue"})

#: Emitted after every block by the ui macros; the generator deletes it together with the
#: whitespace that follows, which is only the indentation of the Jinja source.
EAT = "\x1f"
_EAT_RE = re.compile("\x1f[ \t\r\n]*")


# --------------------------------------------------------------------------------------------
# Template types and their Go models (kratos-spec §1.1, §1.3, §1.4)


@dataclass(frozen=True)
class TemplateType:
    """One Kratos template type: where it lives and which Go fields its models have."""

    source: str  # template_src/flows/<source>.j2
    directory: str  # template_root-relative directory, Kratos layout
    email_fields: tuple[str, ...]
    sms_fields: tuple[str, ...] = ()  # empty: the type has no SMS body

    @property
    def case_stem(self) -> str:
        return "builtin-" + self.directory.replace("/", "-")


_LINK = ("To", "Identity", "RequestURL", "TransientPayload", "ExpiresInMinutes")
_INVALID = ("To", "RequestURL", "TransientPayload")
_SMS_CODE = ("To", "Identity", "RequestURL", "RequestURLDomain", "TransientPayload", "ExpiresInMinutes")

# UserRequestHeaders is left out on purpose: it is `json:"-"`, so it is gone by the time the
# courier renders the HTML part from the stored JSON (kratos-spec §2.3, checklist 27).
TYPES: tuple[TemplateType, ...] = (
    TemplateType("recovery_valid", "recovery/valid", ("RecoveryURL", *_LINK)),
    TemplateType("recovery_invalid", "recovery/invalid", _INVALID),
    TemplateType(
        "recovery_code_valid", "recovery_code/valid", ("RecoveryCode", *_LINK), ("RecoveryCode", *_SMS_CODE)
    ),
    TemplateType("recovery_code_invalid", "recovery_code/invalid", _INVALID),
    TemplateType(
        "verification_valid", "verification/valid", ("VerificationURL", *_LINK, "OAuth2LoginRequest")
    ),
    TemplateType("verification_invalid", "verification/invalid", _INVALID),
    TemplateType(
        "verification_code_valid",
        "verification_code/valid",
        ("VerificationURL", "VerificationCode", *_LINK, "OAuth2LoginRequest"),
        ("VerificationCode", *_SMS_CODE, "OAuth2LoginRequest"),
    ),
    TemplateType("verification_code_invalid", "verification_code/invalid", _INVALID),
    TemplateType(
        "login_code_valid",
        "login_code/valid",
        ("LoginCode", *_LINK, "OAuth2LoginRequest"),
        ("LoginCode", *_SMS_CODE, "OAuth2LoginRequest"),
    ),
    TemplateType(
        "registration_code_valid",
        "registration_code/valid",
        # The email model has Traits and no Identity; the SMS model has Identity.
        (
            "RegistrationCode",
            "To",
            "Traits",
            "RequestURL",
            "TransientPayload",
            "ExpiresInMinutes",
            "OAuth2LoginRequest",
        ),
        ("RegistrationCode", *_SMS_CODE, "OAuth2LoginRequest"),
    ),
    TemplateType(
        "verifiable_address_changed",
        "verifiable_address_changed",
        ("To", "Identity", "ChangedAt", "TransientPayload"),
        ("To", "Identity", "ChangedAt", "TransientPayload"),
    ),
    TemplateType(
        "authenticator_key_added",
        "authenticator_key_added",
        ("To", "Identity", "AddedAt", "TransientPayload"),
        ("To", "Identity", "AddedAt", "TransientPayload"),
    ),
)


@dataclass(frozen=True)
class Part:
    """One file of a template type: which layout builds it and how Go renders it."""

    name: str  # used in golden case ids
    stem: str  # file name before the locale suffix
    layout: str  # template_src/layout/<layout>
    engine: str  # "html" (html/template) or "text" (text/template)
    sms: bool = False

    def filename(self, locale: str) -> str:
        suffix = "" if locale == SOURCE_LOCALE else f".{locale}"
        return f"{self.stem}{suffix}.gotmpl"


PARTS: tuple[Part, ...] = (
    Part("subject", "email.subject", "subject.j2", "text"),
    Part("body", "email.body", "html.j2", "html"),
    Part("plaintext", "email.body.plaintext", "text.j2", "text"),
    Part("sms", "sms.body", "sms.j2", "text", sms=True),
)


# --------------------------------------------------------------------------------------------
# Brand and stylesheet

_COLOR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FONT_RE = re.compile(r"[A-Za-z0-9 ,'\-]+")
_COLOR_KEYS = (
    "background",
    "surface",
    "text",
    "muted",
    "border",
    "code_background",
    "link",
    "primary",
    "on_primary",
    "alert",
)


class BuildError(Exception):
    """A problem in the sources or catalogs; printed without a traceback."""


def load_brand(path: Path) -> dict[str, Any]:
    """Read and validate brand.json.

    Values land in CSS and in attributes of a Go html/template as *static* text, which Go does
    not escape or filter, so they are checked here instead: colours must be hex, fonts a plain
    list, the logo an https URL with a name for its alt text.
    """
    try:
        brand: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path}: {exc}") from exc
    for scheme in ("light", "dark"):
        colors = brand.get(scheme, {})
        for key in _COLOR_KEYS:
            value = colors.get(key)
            if not isinstance(value, str) or not _COLOR_RE.fullmatch(value):
                raise BuildError(f"{path}: {scheme}.{key} must be a hex colour like #1a2b3c, got {value!r}")
    for key in ("font", "mono_font"):
        value = brand.get(key)
        if not isinstance(value, str) or not _FONT_RE.fullmatch(value):
            raise BuildError(
                f"{path}: {key} must be a CSS font list (letters, digits, spaces, commas, quotes)"
            )
    logo = brand.setdefault("logo", {})
    url = logo.setdefault("url", "")
    if url:
        if not re.fullmatch(r"https://[^\s\"'<>]+", url):
            raise BuildError(f"{path}: logo.url must be an https:// URL without quotes or spaces")
        if not brand.get("name"):
            raise BuildError(f"{path}: set name too: it is the logo's alt text")
        for key in ("width", "height"):
            if not isinstance(logo.get(key), int) or logo[key] <= 0:
                raise BuildError(f"{path}: logo.{key} must be a positive integer (pixels)")
    brand.setdefault("name", "")
    brand.setdefault("footer", "")
    return brand


@dataclass(frozen=True)
class Stylesheet:
    """The rendered email.css: the text for <style> and the class rules to copy inline."""

    text: str
    inline: Mapping[str, str]

    def attrs(self, *classes: str) -> Markup:
        """``class="..." style="..."`` for an element; declarations in class order."""
        missing = [c for c in classes if c not in self.inline]
        if missing:
            raise BuildError(f"email.css has no rule for class {', '.join(missing)}")
        style = " ".join(self.inline[c] for c in classes)
        return Markup('class="{}" style="{}"').format(" ".join(classes), Markup(style))


def parse_stylesheet(css: str) -> Stylesheet:
    """Split email.css into top-level rules; ``.class { ... }`` rules also become inline styles.

    A deliberately small parser: the stylesheet is ours, so it only has to understand rules and
    @media blocks, not CSS at large.
    """
    inline: dict[str, list[str]] = {}
    pos = 0
    while True:
        start = css.find("{", pos)
        if start < 0:
            break
        selector = css[pos:start].strip()
        depth, end = 1, start + 1
        while depth:
            if end >= len(css):
                raise BuildError("email.css: unbalanced braces")
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        body = css[start + 1 : end - 1].strip()
        pos = end
        if selector.startswith("@"):
            continue
        names = [s.strip() for s in selector.split(",")]
        if all(re.fullmatch(r"\.[a-z][a-z0-9-]*", n) for n in names):
            decls = body if body.endswith(";") else body + ";"
            for n in names:
                inline.setdefault(n[1:], []).append(decls)
    return Stylesheet(css.strip(), {k: " ".join(v) for k, v in inline.items()})


# --------------------------------------------------------------------------------------------
# Catalogs and plurals


@dataclass
class LocaleSpec:
    """A target locale: its catalog (None for the source language) and CLDR data."""

    code: str  # file-name suffix and catalog directory, e.g. "pt_BR"
    translations: NullTranslations
    locale: Locale
    problems: list[str] = field(default_factory=list)

    @property
    def lang_tag(self) -> str:
        """BCP 47 tag for the HTML lang attribute (pt_BR -> pt-BR)."""
        return self.code.replace("_", "-")


def _rel(path: Path) -> str:
    """A path for messages: repository-relative when it is inside the repository."""
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_codes() -> list[str]:
    if not LOCALE_DIR.is_dir():
        return []
    return sorted(p.name for p in LOCALE_DIR.iterdir() if po_path(p.name).is_file())


def load_locale(code: str) -> LocaleSpec:
    """Load a catalog from its .po file (no compiled .mo is kept in the repository)."""
    path = po_path(code)
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=code, domain=DOMAIN)
    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        label = f"{_rel(path)}: {message.id if isinstance(message.id, str) else message.id[0]!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"{label} is marked fuzzy")
        elif not all(strings):
            problems.append(f"{label} is not translated")
    for message, errors in catalog.check():
        for error in errors:
            problems.append(f"{_rel(path)}: {message.id!r}: {error}")
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return LocaleSpec(code, Translations(fp=buf, domain=DOMAIN), Locale.parse(code), problems)


def source_locale() -> LocaleSpec:
    return LocaleSpec(SOURCE_LOCALE, NullTranslations(), Locale.parse(SOURCE_LOCALE))


#: Integers probed when matching catalog plural forms to CLDR categories. Zero is left out:
#: counts are always printed inside {{ with }}, which skips 0.
_PLURAL_PROBES = (*range(1, 1001), 10**6, 2 * 10**6)

GoCond = bool | str


def _and(a: GoCond, b: GoCond) -> GoCond:
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return f"(and {a} {b})"


def _or(a: GoCond, b: GoCond) -> GoCond:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return f"(or {a} {b})"


def _not(a: GoCond) -> GoCond:
    return (not a) if isinstance(a, bool) else f"(not {a})"


def _operand(node: tuple[Any, ...], var: str) -> int | str:
    """A CLDR operand as a Go expression. For integers n = i, and v, w, f, t, e, c are 0."""
    name, args = node
    if name in ("n", "i"):
        return var
    if name in ("v", "w", "f", "t", "e", "c"):
        return 0
    if name == "mod":
        inner = _operand(args[0], var)
        divisor = int(args[1][1][0])
        # sprig mod converts both sides to int64 (sprig numeric.go); eq/ge/le compare int64
        # with an int literal fine, as both are Go's intKind.
        return inner % divisor if isinstance(inner, int) else f"(mod {inner} {divisor})"
    raise BuildError(f"unsupported CLDR plural operand {name!r}")


def _runs(ranges: Any) -> list[tuple[int, int]]:
    """A relation's values as sorted, maximal runs of consecutive integers.

    CLDR may spell one set two ways (fr was ``i = 0,1`` in older Babel data, ``i = 0..1`` in
    newer), so the generated Go condition is built from the set, not from its spelling: the
    committed templates then do not depend on the Babel version that generated them.
    """
    runs: list[list[int]] = []
    for (_, (low,)), (_, (high,)) in sorted(ranges, key=lambda r: (int(r[0][1][0]), int(r[1][1][0]))):
        low, high = int(low), int(high)
        if runs and low <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], high)
        else:
            runs.append([low, high])
    return [(low, high) for low, high in runs]


def plural_condition(node: tuple[Any, ...], var: str = "$n") -> GoCond:
    """Translate one Babel CLDR plural rule AST (``PluralRule.abstract``) into a Go condition.

    Only integer counts matter (ExpiresInMinutes is a Go int), so every fraction operand is a
    constant and folds away; what remains uses eq/ge/le/and/or/not and sprig's mod.
    """
    op, args = node
    if op == "and":
        return _and(plural_condition(args[0], var), plural_condition(args[1], var))
    if op == "or":
        return _or(plural_condition(args[0], var), plural_condition(args[1], var))
    if op == "not":
        return _not(plural_condition(args[0], var))
    if op == "relation":
        method, expr, ranges = args
        if method not in ("in", "within"):
            raise BuildError(f"unsupported CLDR plural relation {method!r}")
        value = _operand(expr, var)
        result: GoCond = False
        for low, high in _runs(ranges[1]):
            if isinstance(value, int):
                term: GoCond = low <= value <= high
            elif low == high:
                term = f"(eq {value} {low})"
            else:
                term = f"(and (ge {value} {low}) (le {value} {high}))"
            result = _or(result, term)
        return result
    raise BuildError(f"unsupported CLDR plural rule node {op!r}")


def plural_branches(spec: LocaleSpec, singular: str, plural: str) -> list[tuple[str | None, str]]:
    """The Go conditions and texts that pick the right plural form for a count at send time.

    The catalog knows the text of each plural form, CLDR (via Babel) knows which integers fall in
    each category. For every category we take a sample integer, ask the catalog for its text,
    and check that every probed integer of that category gets the same text, so a catalog whose
    Plural-Forms header disagrees with CLDR is an error instead of a wrong email.
    Returns ``[(condition, text), ..., (None, text_for_other)]``.
    """
    form = spec.locale.plural_form
    rules = dict(form.abstract)
    text_for: dict[str, str] = {}
    for n in _PLURAL_PROBES:
        tag = form(n)
        text = spec.translations.ngettext(singular, plural, n)
        if tag not in text_for:
            text_for[tag] = text
        elif text_for[tag] != text:
            raise BuildError(
                f"{spec.code}: plural forms of {singular!r} do not follow the CLDR {tag!r} category "
                f"(n={n}); check the catalog's Plural-Forms header"
            )
    other = text_for.get("other", spec.translations.ngettext(singular, plural, 10**9))
    branches: list[tuple[str | None, str]] = []
    for tag in form.tags:
        if tag == "other" or tag not in text_for or text_for[tag] == other:
            continue
        cond = plural_condition(rules[tag])
        if cond is False:
            continue
        if cond is True:
            other = text_for[tag]
            break
        branches.append((cond[1:-1] if cond.startswith("(") else cond, text_for[tag]))
    branches.append((None, other))
    return branches


# --------------------------------------------------------------------------------------------
# Jinja environment and Go helpers


def _join(ectx: EvalContext, parts: Iterable[str]) -> str:
    """Concatenate; in the HTML environment unsafe parts are escaped, Go snippets are Markup."""
    if ectx.autoescape:
        return Markup("").join(parts)
    return "".join(str(p) for p in parts)


def _raw(ectx: EvalContext, text: str) -> str:
    return Markup(text) if ectx.autoescape else text


@pass_eval_context
def go(ectx: EvalContext, expr: str) -> str:
    """A Go action printing ``expr``: ``go(".")`` -> ``{{ . }}``."""
    return _raw(ectx, "{{ " + expr + " }}")


@pass_eval_context
def go_with(ectx: EvalContext, expr: str, then: str, otherwise: str | None = None) -> str:
    """``{{ with expr }}then{{ else }}otherwise{{ end }}``: guards a sentence on a value."""
    parts = [_raw(ectx, "{{ with " + expr + " }}"), then]
    if otherwise is not None:
        parts += [_raw(ectx, "{{ else }}"), otherwise]
    parts.append(_raw(ectx, "{{ end }}"))
    return _join(ectx, parts)


def make_count_go(spec: LocaleSpec) -> Callable[..., str]:
    """count_go(singular, plural, expr): a sentence with a count, pluralised by Go at send time.

    ``%(num)s`` in the message stands for the count. The generated Go converts the value with
    sprig's ``int`` (so a JSON float64 works as well as Kratos' int) and picks the form with the
    locale's CLDR rule; see plural_branches.
    """

    @pass_eval_context
    def count_go(ectx: EvalContext, singular: str, plural: str, expr: str) -> str:
        branches = plural_branches(spec, singular, plural)
        num = _raw(ectx, "{{ $n }}")

        def fill(text: str) -> str:
            template = escape(text) if ectx.autoescape else text
            return template % {"num": num}

        parts: list[str] = [_raw(ectx, "{{ $n := int " + expr + " }}")]
        if len(branches) == 1:
            parts.append(fill(branches[0][1]))
        else:
            for i, (cond, text) in enumerate(branches):
                if cond is None:
                    parts.append(_raw(ectx, "{{ else }}"))
                else:
                    parts.append(_raw(ectx, ("{{ if " if i == 0 else "{{ else if ") + cond + " }}"))
                parts.append(fill(text))
            parts.append(_raw(ectx, "{{ end }}"))
        return _join(ectx, parts)

    return count_go


#: What Kratos puts in ChangedAt / AddedAt: time.RFC3339 (Go also accepts fractional seconds here).
RFC3339 = "2006-01-02T15:04:05Z07:00"
#: A timestamp toDate cannot parse: the built-ins print it unchanged (a golden variant).
RAW_TIMESTAMP = "2024-05-06 07:08:09 UTC"

#: Go layout chunks for CLDR fields Go's Format writes itself: (letter, width) -> layout.
_GO_LAYOUT: dict[tuple[str, int], str] = {
    ("y", 1): "2006",
    ("y", 4): "2006",
    ("y", 2): "06",
    ("M", 1): "1",
    ("M", 2): "01",
    ("L", 1): "1",
    ("L", 2): "01",
    ("d", 1): "2",
    ("d", 2): "02",
    ("H", 2): "15",
    ("h", 1): "3",
    ("h", 2): "03",
    ("m", 1): "4",
    ("m", 2): "04",
    ("s", 1): "5",
    ("s", 2): "05",
    ("z", 1): "MST",
}
#: Go's own (English) month names, which Format writes for "January"; "Jan" is their first three letters.
_GO_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_GO_MONTHS = {3: tuple(n[:3] for n in _GO_MONTH_NAMES), 4: _GO_MONTH_NAMES}
#: Literal text that can sit inside a Go layout: none of it starts a Go layout element.
_SEPARATORS = " .,:/-"
_LAYOUT_SAFE = re.compile(f"[{re.escape(_SEPARATORS)}]+")


def _go_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _plain_spaces(text: str) -> str:
    """CLDR's (narrow) no-break spaces, as before AM/PM, as plain spaces.

    U+202F is missing from fonts some mail clients use, and a no-break space produced at send time
    comes out as ``&nbsp;`` or as the character depending on whether the HTML is re-serialised
    (CSS inlining), so built-ins and their copies would differ.
    """
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def datetime_pattern(locale: Locale) -> str:
    """The CLDR pattern for a notice's timestamp: medium date, short time and the zone."""
    combine = str(locale.datetime_formats["medium"])
    date = locale.date_formats["medium"].pattern
    time = locale.time_formats["short"].pattern
    return combine.replace("{1}", date).replace("{0}", time + " z")


def go_datetime_pieces(locale: Locale, var: str = "$t") -> list[tuple[str, str]]:
    """A CLDR date-time pattern as ("go", action) and ("text", literal) pieces for ``var``.

    Go's Format knows English month and AM/PM names only and has no unpadded 24-hour field, so
    numeric fields become layout chunks (adjacent ones merged into one Format call), and month
    names, day periods and ``H`` become small expressions on the time value.
    """
    pieces: list[tuple[str, str]] = []  # ("layout" | "go" | "text", value)

    def add(kind: str, value: str) -> None:
        if pieces and pieces[-1][0] == kind and kind != "go":
            pieces[-1] = (kind, pieces[-1][1] + value)
        else:
            pieces.append((kind, value))

    for kind, value in tokenize_pattern(datetime_pattern(locale)):
        if kind == "chars":
            text = _plain_spaces(str(value))
            add(
                "layout" if _LAYOUT_SAFE.fullmatch(text) and pieces and pieces[-1][0] == "layout" else "text",
                text,
            )
            continue
        letter, width = str(value[0]), int(value[1])
        if (letter, width) in _GO_LAYOUT:
            add("layout", _GO_LAYOUT[(letter, width)])
        elif letter == "H" and width == 1:
            add("go", f"{var}.Hour")
        elif letter in "ML" and width in (3, 4):
            context = "format" if letter == "M" else "stand-alone"
            names = tuple(
                locale.months[context]["abbreviated" if width == 3 else "wide"][i] for i in range(1, 13)
            )
            if names == _GO_MONTHS[width]:
                add("layout", "Jan" if width == 3 else "January")
            else:
                items = " ".join(_go_string(n) for n in names)
                add("go", f"index (list {items}) (sub (int {var}.Month) 1)")
        elif letter == "a":
            periods = locale.day_periods["format"]["abbreviated"]
            am, pm = (_plain_spaces(str(periods[k])) for k in ("am", "pm"))
            if (am, pm) == ("AM", "PM"):
                add("layout", "PM")
            else:
                add("go", f"index (list {_go_string(am)} {_go_string(pm)}) (div {var}.Hour 12)")
        else:
            raise BuildError(f"{locale}: CLDR date field {letter * width!r} has no Go equivalent here")
    # Separators at the end of a layout are plain text, so each Format call holds fields only.
    out: list[tuple[str, str]] = []
    for kind, value in pieces:
        tail = ""
        if kind == "layout":
            body = value.rstrip(_SEPARATORS)
            value, tail = body, value[len(body) :]
            if body:
                out.append(("go", f"{var}.Format {_go_string(body)}"))
        else:
            tail = value
        if kind == "go":
            out.append(("go", value))
        elif tail and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + tail)
        elif tail:
            out.append(("text", tail))
    return out


def make_go_date(spec: LocaleSpec) -> Callable[..., str]:
    """go_date(expr): an RFC 3339 string shown in the locale's CLDR date-time format.

    Go's sprig ``toDate`` gives the zero time for a value it cannot parse; the raw value is then
    printed as it is, so an unexpected format still says when.
    """
    pieces = go_datetime_pieces(spec.locale)

    @pass_eval_context
    def go_date(ectx: EvalContext, expr: str) -> str:
        parts: list[str] = [
            _raw(ectx, "{{ $t := toDate " + _go_string(RFC3339) + " (toString " + expr + ") }}"),
            _raw(ectx, "{{ if $t.IsZero }}{{ " + expr + " }}{{ else }}"),
        ]
        for kind, value in pieces:
            parts.append(_raw(ectx, "{{ " + value + " }}") if kind == "go" else value)
        parts.append(_raw(ectx, "{{ end }}"))
        return _join(ectx, parts)

    return go_date


def make_env(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(SRC)),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        **JINJA_SYNTAX,  # type: ignore[arg-type]
    )
    env.globals.update(go=go, go_with=go_with, eat=Markup(EAT) if html else EAT)
    return env


# --------------------------------------------------------------------------------------------
# Rendering


@dataclass
class Generator:
    brand: dict[str, Any]
    locales: list[LocaleSpec]
    html_env: Environment = field(init=False)
    text_env: Environment = field(init=False)
    css: dict[str, Stylesheet] = field(init=False)  # by text direction

    def __post_init__(self) -> None:
        self.html_env = make_env(html=True)
        self.text_env = make_env(html=False)
        css_env = Environment(loader=FileSystemLoader(str(SRC)), undefined=StrictUndefined, **JINJA_SYNTAX)  # type: ignore[arg-type]
        css = css_env.get_template("layout/email.css")
        self.css = {
            "ltr": parse_stylesheet(css.render(**self.brand, start="left")),
            "rtl": parse_stylesheet(css.render(**self.brand, start="right")),
        }
        common = {
            "brand": self.brand,
            # Invisible characters after the preheader, so the preview line of an inbox does not
            # run on into the email's first lines.
            "preheader_filler": Markup("&zwnj;&nbsp;" * 40),
        }
        for env in (self.html_env, self.text_env):
            env.globals.update(common)

    def render(self, ttype: TemplateType, part: Part, spec: LocaleSpec) -> str:
        env = self.html_env if part.engine == "html" else self.text_env
        env.install_gettext_translations(spec.translations, newstyle=True)  # type: ignore[attr-defined]
        env.globals["count_go"] = make_count_go(spec)
        env.globals["go_date"] = make_go_date(spec)
        # Sentences in one line (SMS) are separated by a space, except in scripts without one.
        env.globals["sp"] = "" if spec.locale.language in NO_SENTENCE_SPACE else " "
        direction = "rtl" if spec.locale.character_order == "right-to-left" else "ltr"
        env.globals.update(
            text_dir=direction,
            start="right" if direction == "rtl" else "left",
            cls=self.css[direction].attrs,
            stylesheet=Markup(self.css[direction].text),
        )
        ui = env.get_template(f"layout/ui_{'html' if part.engine == 'html' else 'text'}.j2").make_module()
        flow = env.get_template(f"flows/{ttype.source}.j2").make_module({"ui": ui})
        out = env.get_template(f"layout/{part.layout}").render(flow=flow, ui=ui, lang_tag=spec.lang_tag)
        out = _EAT_RE.sub("", out)
        if part.stem in ("email.subject", "sms.body"):
            # No trailing newline: Kratos trims subjects, but an SMS body is sent as is, and the
            # WebOTP "@domain #code" line has to be the last line.
            return out.strip()
        return out.rstrip() + "\n"

    def outputs(self) -> dict[str, str]:
        """Every generated file, keyed by its template_root-relative POSIX path."""
        files: dict[str, str] = {}
        for ttype in TYPES:
            for part in PARTS:
                if part.sms and not ttype.sms_fields:
                    continue
                for spec in self.locales:
                    files[f"{ttype.directory}/{part.filename(spec.code)}"] = self.render(ttype, part, spec)
        return files


# --------------------------------------------------------------------------------------------
# Static checks on the generated files

_ACTION_RE = re.compile(r"\{\{.*?\}\}", re.S)
_FIELD_RE = re.compile(r"(?<![\w$])\$?\.([A-Z]\w*)")


def lint_output(path: str, text: str, ttype: TemplateType, part: Part) -> list[str]:
    """Checks Go cannot do with map data: fields must exist on the real Go model."""
    problems: list[str] = []
    if "<!--" in text:
        problems.append(f"{path}: HTML comment (Go's html/template strips comments)")
    if EAT in text:
        problems.append(f"{path}: leftover block marker")
    allowed = set(ttype.sms_fields if part.sms else ttype.email_fields)
    for action in _ACTION_RE.findall(text):
        if re.search(r"\b(define|block|template)\b", action):
            problems.append(f"{path}: {action}: built-ins must not define or call named templates")
        for name in _FIELD_RE.findall(action):
            if name not in allowed:
                problems.append(f"{path}: {action}: {name} is not a field of this type's Go model")
    return problems


# --------------------------------------------------------------------------------------------
# Sample data and conformance cases

_IDENTITY: dict[str, Any] = {
    "id": "9f425a8d-7efc-4768-8f23-7647a74fdf13",
    "schema_id": "default",
    "schema_url": "https://auth.example.com/schemas/ZGVmYXVsdA",
    "state": "active",
    "traits": {"email": "ada+news@example.com", "name": {"first": "Ada", "last": "Lovelace"}},
    "verifiable_addresses": [
        {
            "id": "d8b0c4b3-1f7e-4d2a-9a51-0c3e7b6f2a10",
            "value": "ada+news@example.com",
            "verified": True,
            "via": "email",
            "status": "completed",
        }
    ],
    "recovery_addresses": [
        {"id": "4c1f2e3d-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "value": "ada+news@example.com", "via": "email"}
    ],
    "metadata_public": None,
    "created_at": "2024-04-01T09:30:00.000000Z",
    "updated_at": "2024-05-06T07:08:09.000000Z",
}

_SAMPLE: dict[str, Any] = {
    "To": "ada+news@example.com",
    "Identity": _IDENTITY,
    "Traits": _IDENTITY["traits"],
    "TransientPayload": {},
    "RecoveryURL": "https://auth.example.com/self-service/recovery?flow=2c9f7e51-3b1d-4f0a-8d6e-5a4b3c2d1e0f&token=kT4vX9qLmZ2pR7sW",
    "VerificationURL": "https://auth.example.com/self-service/verification?code=731064&flow=5e1a9c3b-7d2f-4b8e-a6c4-3f0d9e8b7a61",
    "RecoveryCode": "482913",
    "VerificationCode": "731064",
    "LoginCode": "259718",
    "RegistrationCode": "604381",
    "RequestURLDomain": "auth.example.com",
    "ChangedAt": "2024-05-06T07:08:09Z",
    "AddedAt": "2024-05-06T07:08:09Z",
}

_REQUEST_URL = {
    "recovery": "https://auth.example.com/self-service/recovery/browser",
    "verification": "https://auth.example.com/self-service/verification/browser",
    "login_code": "https://auth.example.com/self-service/login/browser",
    "registration_code": "https://auth.example.com/self-service/registration/browser",
}


def sample_data(ttype: TemplateType, part: Part, *, minutes: int | None = None) -> dict[str, Any]:
    """Realistic data for the type's Go model: exactly its JSON-visible fields."""
    data: dict[str, Any] = {}
    for name in ttype.sms_fields if part.sms else ttype.email_fields:
        if name == "OAuth2LoginRequest":
            continue  # omitempty: absent unless the flow came from an OAuth2 login challenge
        if name == "ExpiresInMinutes":
            data[name] = minutes if minutes is not None else (15 if "code" in ttype.source else 60)
        elif name == "RequestURL":
            flow = next(k for k in _REQUEST_URL if ttype.source.startswith(k))
            data[name] = _REQUEST_URL[flow]
        elif name == "To" and part.sms:
            data[name] = "+15555550123"
        else:
            data[name] = _SAMPLE[name]
    return data


def zero_data(ttype: TemplateType, part: Part) -> dict[str, Any]:
    """The Go zero value of the model: what Kratos' own tests render built-ins with."""
    data: dict[str, Any] = {}
    for name in ttype.sms_fields if part.sms else ttype.email_fields:
        data[name] = (
            0
            if name == "ExpiresInMinutes"
            else None
            if name in ("Identity", "Traits", "TransientPayload", "OAuth2LoginRequest")
            else ""
        )
    return data


@dataclass(frozen=True)
class Variant:
    suffix: str  # "" for the main sample
    description: str
    data: Callable[[TemplateType, Part], dict[str, Any]]
    applies: Callable[[TemplateType, Part], bool] = lambda t, p: True


def _has_expiry(ttype: TemplateType, part: Part) -> bool:
    return part.name != "subject" and "ExpiresInMinutes" in (
        ttype.sms_fields if part.sms else ttype.email_fields
    )


_TIMESTAMP_FIELDS = ("ChangedAt", "AddedAt")


def _shows_timestamp(ttype: TemplateType, part: Part) -> bool:
    return part.name in ("body", "plaintext") and any(f in ttype.email_fields for f in _TIMESTAMP_FIELDS)


def _with_timestamp(value: str) -> Callable[[TemplateType, Part], dict[str, Any]]:
    def data(ttype: TemplateType, part: Part) -> dict[str, Any]:
        out = sample_data(ttype, part)
        for name in _TIMESTAMP_FIELDS:
            if name in out:
                out[name] = value
        return out

    return data


GOLDEN_VARIANTS: tuple[Variant, ...] = (
    Variant("", "sample data", sample_data),
    Variant("-empty", "empty model", lambda t, p: {}),
    Variant(
        "-offset-time",
        "sample data, timestamp with fractional seconds and a +02:00 offset",
        _with_timestamp("2024-05-06T09:08:09.123456+02:00"),
        _shows_timestamp,
    ),
    Variant(
        "-raw-time",
        "sample data, timestamp that is not RFC 3339 (shown as it is)",
        _with_timestamp(RAW_TIMESTAMP),
        _shows_timestamp,
    ),
    Variant(
        "-one-minute",
        "sample data, ExpiresInMinutes=1 (singular)",
        lambda t, p: sample_data(t, p, minutes=1),
        _has_expiry,
    ),
)
#: Rendered by `verify` only: models whose shape is not JSON-clean enough for golden files.
VERIFY_VARIANTS: tuple[Variant, ...] = (
    *GOLDEN_VARIANTS,
    Variant("-zero", "zero-valued model", zero_data),
    Variant("-two-minutes", "ExpiresInMinutes=2", lambda t, p: sample_data(t, p, minutes=2), _has_expiry),
)


def make_case(ttype: TemplateType, part: Part, code: str, content: str, variant: Variant) -> dict[str, Any]:
    data = variant.data(ttype, part)
    name = part.filename(code)
    engine_word = (
        "HTML body"
        if part.engine == "html"
        else {"subject": "subject", "plaintext": "plaintext body", "sms": "SMS body"}[part.name]
    )
    return {
        "id": f"{ttype.case_stem}-{code}-{part.name}{variant.suffix}",
        "category": "builtin",
        "description": f"built-in {ttype.directory} {engine_word} ({code}), {variant.description}",
        "origin": "oracle",
        "engine": part.engine,
        "funcs": "hermetic",
        "files": {name: content},
        "entry": name,
        "data": data,
        "int_paths": ["ExpiresInMinutes"] if isinstance(data.get("ExpiresInMinutes"), int) else [],
    }


def iter_cases(
    files: Mapping[str, str], locales: list[LocaleSpec], variants: Iterable[Variant]
) -> Iterator[tuple[TemplateType, Part, str, Variant, dict[str, Any]]]:
    variants = tuple(variants)
    for ttype in TYPES:
        for part in PARTS:
            if part.sms and not ttype.sms_fields:
                continue
            for spec in locales:
                content = files[f"{ttype.directory}/{part.filename(spec.code)}"]
                for variant in variants:
                    if variant.applies(ttype, part):
                        yield (
                            ttype,
                            part,
                            spec.code,
                            variant,
                            make_case(ttype, part, spec.code, content, variant),
                        )


def run_oracle_batch(oracle: Path, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run cases through the Go oracle (-batch); returns id -> expect."""
    if not oracle.is_file():
        raise BuildError(
            f"the Go oracle is not at {oracle} (see /work/shared/gotmpl-oracle/README.md); pass --oracle PATH"
        )
    payload = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    proc = subprocess.run([str(oracle), "-batch"], input=payload, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(f"oracle failed: {proc.stderr.strip()}")
    results: dict[str, dict[str, Any]] = {}
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        if "setup_error" in rec:
            raise BuildError(f"oracle could not run {rec['id']}: {rec['setup_error']}")
        results[rec["id"]] = rec["expect"]
    return results


# --------------------------------------------------------------------------------------------
# Commands


def load_all_locales(*, allow_incomplete: bool) -> list[LocaleSpec]:
    specs = [source_locale()] + [load_locale(code) for code in catalog_codes()]
    problems = [p for s in specs for p in s.problems]
    if problems and not allow_incomplete:
        raise BuildError(
            "catalogs are incomplete (use --allow-incomplete while translating):\n  " + "\n  ".join(problems)
        )
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    return specs


def generate(brand_path: Path, *, allow_incomplete: bool = False) -> tuple[dict[str, str], list[LocaleSpec]]:
    specs = load_all_locales(allow_incomplete=allow_incomplete)
    gen = Generator(load_brand(brand_path), specs)
    files = gen.outputs()
    problems: list[str] = []
    for ttype in TYPES:
        for part in PARTS:
            for spec in specs:
                path = f"{ttype.directory}/{part.filename(spec.code)}"
                if path in files:
                    problems += lint_output(path, files[path], ttype, part)
    if problems:
        raise BuildError("generated templates failed the checks:\n  " + "\n  ".join(problems))
    return files, specs


def existing_files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def write_tree(root: Path, files: Mapping[str, str]) -> tuple[int, int]:
    """Write files under root and delete files that are no longer generated."""
    old = existing_files(root)
    changed = 0
    for rel, text in files.items():
        if old.get(rel) != text:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
            changed += 1
    removed = 0
    for rel in old.keys() - files.keys():
        (root / rel).unlink()
        removed += 1
    for d in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()
    return changed, removed


def golden_inputs(files: Mapping[str, str], specs: list[LocaleSpec]) -> dict[str, dict[str, Any]]:
    return {case["id"]: case for *_, case in iter_cases(files, specs, GOLDEN_VARIANTS)}


def write_golden(files: Mapping[str, str], specs: list[LocaleSpec], oracle: Path) -> int:
    cases = golden_inputs(files, specs)
    expects = run_oracle_batch(oracle, list(cases.values()))
    errors = [cid for cid, exp in expects.items() if "error" in exp]
    if errors:
        raise BuildError("Go failed to render built-ins: " + ", ".join(sorted(errors)[:10]))
    GOLDEN.mkdir(parents=True, exist_ok=True)
    wanted = {f"{cid}.json" for cid in cases}
    for stale in GOLDEN.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for cid, case in cases.items():
        path = GOLDEN / f"{cid}.json"
        path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # `oracle -fill` writes "expect" into each file itself, so the stored value is byte-for-byte
    # what Go produced; the batch run above only served to fail early with a readable list.
    paths = sorted(str(GOLDEN / f"{cid}.json") for cid in cases)
    for i in range(0, len(paths), 200):
        proc = subprocess.run(
            [str(oracle), "-fill", *paths[i : i + 200]], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise BuildError(f"oracle -fill failed: {proc.stderr.strip()}")
    return len(cases)


def check_golden(files: Mapping[str, str], specs: list[LocaleSpec]) -> list[str]:
    """Golden cases must match the templates (expect is Go's and is compared by the test suite)."""
    problems: list[str] = []
    wanted = golden_inputs(files, specs)
    on_disk = {p.stem: p for p in GOLDEN.glob("*.json")} if GOLDEN.is_dir() else {}
    for cid in sorted(wanted.keys() - on_disk.keys()):
        problems.append(f"missing golden case {cid}")
    for cid in sorted(on_disk.keys() - wanted.keys()):
        problems.append(f"stale golden case {cid}")
    for cid in sorted(wanted.keys() & on_disk.keys()):
        stored = json.loads(on_disk[cid].read_text(encoding="utf-8"))
        expect = stored.pop("expect", None)
        if stored != wanted[cid]:
            problems.append(f"golden case {cid} does not match the generated template or data")
        elif not isinstance(expect, dict) or "output" not in expect:
            problems.append(f"golden case {cid} has no expected output from the oracle")
    return problems


def extract_catalog() -> Catalog:
    """Collect the messages of layout/ and flows/ the way `pybabel extract` would."""
    method_map = [("layout/**.j2", "jinja2"), ("flows/**.j2", "jinja2")]
    options = {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "true",
        "lstrip_blocks": "true",
        "silent": "false",
        **JINJA_SYNTAX,
    }
    options_map = {"layout/**.j2": options, "flows/**.j2": options}
    catalog = Catalog(
        project="mailtemplates built-in templates",
        version="1",
        copyright_holder="mailtemplates developers",
        fuzzy=False,
        header_comment=HEADER_COMMENT.format(lang="Message catalog template"),
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        str(SRC),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message, None, [(f"template_src/{filename}", lineno)], auto_comments=comments, context=context
        )
    return catalog


def _po_text(catalog: Catalog, *, pot: bool = False) -> str:
    buf = io.BytesIO()
    write_po(
        buf,
        catalog,
        width=100,
        include_lineno=False,
        ignore_obsolete=True,
        sort_by_file=not pot,
        omit_header=False,
    )
    return buf.getvalue().decode("utf-8")


_VOLATILE_HEADER = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.M)


def _same_po(a: str, b: str) -> bool:
    return _VOLATILE_HEADER.sub("", a) == _VOLATILE_HEADER.sub("", b)


def cmd_extract(_: argparse.Namespace) -> int:
    template = extract_catalog()
    text = _po_text(template, pot=True)
    POT.parent.mkdir(parents=True, exist_ok=True)
    if not POT.exists() or not _same_po(POT.read_text(encoding="utf-8"), text):
        POT.write_text(text, encoding="utf-8")
        print(f"wrote {POT.relative_to(REPO)} ({len(template)} messages)")
    for code in catalog_codes():
        path = po_path(code)
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=code, domain=DOMAIN)
        catalog.update(template, update_header_comment=False)
        after = _po_text(catalog)
        if not _same_po(path.read_text(encoding="utf-8"), after):
            path.write_text(after, encoding="utf-8")
            print(f"updated {_rel(path)}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    code: str = args.lang
    try:
        locale = Locale.parse(code)
    except (ValueError, LookupError) as exc:
        raise BuildError(f"{code!r} is not a locale Babel knows: {exc}") from exc
    if str(locale) != code:
        raise BuildError(f"write the locale as Babel does: {str(locale)!r}")
    path = po_path(code)
    if path.exists():
        raise BuildError(f"{_rel(path)} already exists")
    template = extract_catalog()
    catalog = Catalog(
        locale=code,
        domain=DOMAIN,
        project=template.project,
        version=template.version,
        copyright_holder=template.copyright_holder,
        fuzzy=False,
        header_comment=HEADER_COMMENT.format(lang=f"{locale.english_name} translation"),
        last_translator="mailtemplates developers",
        language_team="mailtemplates developers",
    )
    catalog.update(template)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_po_text(catalog), encoding="utf-8")
    print(f"wrote {_rel(path)}: translate every msgstr, then run `build`")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    files, specs = generate(args.brand, allow_incomplete=args.allow_incomplete)
    out: Path = args.out
    changed, removed = write_tree(out, files)
    print(f"{out}: {len(files)} templates, {changed} written, {removed} removed")
    if args.golden:
        if out.resolve() != OUT.resolve() or args.brand.resolve() != (SRC / "brand.json").resolve():
            raise BuildError("--golden describes the committed built-ins: use the default --out and --brand")
        count = write_golden(files, specs, args.oracle)
        print(f"{GOLDEN.relative_to(REPO)}: {count} cases filled by the oracle")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    files, specs = generate(SRC / "brand.json")
    problems: list[str] = []
    committed = existing_files(OUT)
    for rel in sorted(files.keys() | committed.keys()):
        new, old = files.get(rel), committed.get(rel)
        if new == old:
            continue
        if old is None:
            problems.append(f"template_root/{rel} is missing")
        elif new is None:
            problems.append(f"template_root/{rel} is not generated by the sources")
        else:
            diff = difflib.unified_diff(
                old.splitlines(), new.splitlines(), f"committed/{rel}", f"generated/{rel}", lineterm="", n=1
            )
            problems.append(f"template_root/{rel} differs:\n" + "\n".join(list(diff)[:20]))
    if not args.skip_golden:
        problems += check_golden(files, specs)
    if POT.exists():
        current = {m.id for m in extract_catalog() if m.id}
        with POT.open("rb") as fh:
            stored = {m.id for m in read_po(fh) if m.id}
        if current != stored:
            problems.append(
                f"{POT.relative_to(REPO)} is out of date: run `python tools/build_templates.py extract`"
            )
    else:
        problems.append(f"{POT.relative_to(REPO)} is missing")
    if problems:
        shown = problems[:30]
        if len(problems) > len(shown):
            shown.append(f"... and {len(problems) - len(shown)} more")
        print("\n".join(shown), file=sys.stderr)
        print("\nout of date: run `python tools/build_templates.py build --golden`", file=sys.stderr)
        return 1
    print(f"up to date: {len(files)} templates")
    return 0


def kratos_sets(files: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """Cases that load each folder as Kratos' override loader does (kratos-spec §2.2 step 4).

    Every file matching the part's glob is parsed into one set and the generic file is executed,
    which catches a locale file that breaks its siblings' set (a clashing define, a parse error).
    """
    for ttype in TYPES:
        for part in PARTS:
            if part.sms and not ttype.sms_fields:
                continue
            entry = part.filename(SOURCE_LOCALE)
            prefix = part.stem  # email.body* also matches the plaintext files, as in Kratos
            members = {
                rel.rsplit("/", 1)[1]: text
                for rel, text in files.items()
                if rel.startswith(ttype.directory + "/")
                and "/" not in rel[len(ttype.directory) + 1 :]
                and rel.rsplit("/", 1)[1].startswith(prefix)
            }
            data = sample_data(ttype, part)
            yield {
                "id": f"{ttype.case_stem}-kratos-set-{part.name}",
                "engine": part.engine,
                "funcs": "hermetic",
                "files": members,
                "entry": entry,
                "data": data,
                "int_paths": ["ExpiresInMinutes"] if "ExpiresInMinutes" in data else [],
            }


def cmd_verify(args: argparse.Namespace) -> int:
    """Render every generated file with Go on several models and check the results make sense."""
    files, specs = generate(SRC / "brand.json")
    cases: list[dict[str, Any]] = []
    meta: dict[str, tuple[TemplateType, Part, str, Variant]] = {}
    for ttype, part, code, variant, case in iter_cases(files, specs, VERIFY_VARIANTS):
        cases.append(case)
        meta[case["id"]] = (ttype, part, code, variant)
    sets = list(kratos_sets(files))
    results = run_oracle_batch(args.oracle, cases + sets)
    problems: list[str] = []
    for case in cases:
        cid = case["id"]
        ttype, part, code, variant = meta[cid]
        problems += [f"{cid}: {p}" for p in judge(results[cid], case, ttype, part, code, variant)]
    for case in sets:
        if "error" in results[case["id"]]:
            problems.append(f"{case['id']}: {results[case['id']]['error']}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"oracle: {len(cases)} renders of {len(files)} files and {len(sets)} Kratos-style sets, all good")
    return 0


def judge(
    expect: dict[str, Any], case: dict[str, Any], ttype: TemplateType, part: Part, code: str, variant: Variant
) -> list[str]:
    """What a correct render looks like, beyond 'Go did not fail'."""
    if "error" in expect:
        return [f"Go error: {expect['error']['message']}"]
    out: str = expect["output"]
    problems: list[str] = []
    if not out.strip():
        problems.append("empty output")
    for bad in ("<no value>", "ZgotmplZ", "%!", "%(", "<< ", "<%"):
        if bad in out:
            problems.append(f"output contains {bad!r}")
    data = case["data"]
    if part.engine == "html" and f'lang="{code.replace("_", "-")}"' not in out:
        problems.append("missing lang attribute")
    if variant.suffix in ("", "-one-minute", "-two-minutes", "-offset-time", "-raw-time"):
        for key in ("RecoveryCode", "VerificationCode", "LoginCode", "RegistrationCode"):
            if key in data and data[key] not in out and part.name != "subject":
                problems.append(f"{key} not shown")
            if key in data and part.name == "subject" and data[key] not in out:
                problems.append(f"{key} not in the subject")
        for key in ("RecoveryURL", "VerificationURL"):
            if key in data and part.name in ("body", "plaintext"):
                url = data[key]
                shown = url.replace("&", "&amp;") if part.engine == "html" else url
                if out.count(shown) < (3 if part.engine == "html" else 1):
                    problems.append(f"{key} not shown as link and text")
        if "ExpiresInMinutes" in data and part.name != "subject" and str(data["ExpiresInMinutes"]) not in out:
            problems.append("expiry not shown")
        if "RequestURLDomain" in data and part.sms:
            code_value = next(data[k] for k in data if k.endswith("Code"))
            if not out.endswith(f"\n@{data['RequestURLDomain']} #{code_value}"):
                problems.append("WebOTP line is not the last line")
        for key in _TIMESTAMP_FIELDS:
            if key in data and part.name in ("body", "plaintext"):
                raw = data[key]
                if raw == RAW_TIMESTAMP and raw not in out:
                    problems.append(f"unparseable {key} not shown as it is")
                if raw != RAW_TIMESTAMP and (raw in out or "2024" not in out or "0001" in out):
                    problems.append(f"{key} not shown as a formatted date")
        if (
            part.name in ("body", "plaintext")
            and "Identity" in data
            and ttype.source in ("verifiable_address_changed", "authenticator_key_added")
            and _IDENTITY["id"] not in out
        ):
            problems.append("account id not shown")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build_templates", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    oracle_default = Path(os.environ.get("GOTMPL_ORACLE", str(DEFAULT_ORACLE)))

    p = sub.add_parser("build", help="regenerate template_root/")
    p.add_argument("--out", type=Path, default=OUT, help="output directory (default: template_root/)")
    p.add_argument(
        "--brand", type=Path, default=SRC / "brand.json", help="brand file (default: template_src/brand.json)"
    )
    p.add_argument(
        "--golden", action="store_true", help="also rewrite tests/golden/builtin/ with the Go oracle"
    )
    p.add_argument(
        "--oracle", type=Path, default=oracle_default, help=f"Go oracle binary (default: {oracle_default})"
    )
    p.add_argument(
        "--allow-incomplete", action="store_true", help="build even if a catalog has untranslated entries"
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="exit 1 if template_root/, the golden cases or the .pot are out of date")
    p.add_argument("--skip-golden", action="store_true", help="only compare template_root/ and the .pot")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("verify", help="render every generated file with the Go oracle")
    p.add_argument("--oracle", type=Path, default=oracle_default)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("extract", help="update the .pot from the sources and merge it into every .po")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("init", help="start a catalog for a new language")
    p.add_argument("lang", help="Babel locale identifier, e.g. it or zh_Hant")
    p.set_defaults(func=cmd_init)

    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
