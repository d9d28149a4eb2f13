"""Property-based fuzzing of the Go-template engine: lexer, parser, html escaper and executor.

The property: whatever the template and whatever the data, the only exceptions that leave the
package are its documented errors (:class:`~mailtemplates.errors.MailTemplateError`), never
``IndexError``, ``KeyError``, ``RecursionError``, ``SyntaxError``, ``UnboundLocalError``...; a
parse error names a file of the set and a line inside that file; an execution error names a
position inside its template; and nothing takes more than a few seconds.

Templates are random token soups and, mostly, mutations (deletions, duplications, insertions,
swaps, truncations) of real templates: every Go conformance vector's files and the built-in
templates. Data is random JSON-like values, nested and with awkward scalars.

Budgets (a hypothesis settings profile): a fast one by default, so that the whole file runs in
well under a minute in CI, and ``MAILTEMPLATES_FUZZ_EXAMPLES=N`` for N examples per test
(``tox -e fuzz`` runs ``pytest -m fuzz`` with 5000). The number of cases run is printed in the
terminal summary ("fuzz cases run").
"""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conformance_support import go_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailtemplates import gotmpl, render
from mailtemplates.errors import LimitExceeded, MailTemplateError, TemplateError, TemplateSyntaxError
from mailtemplates.gotmpl.funcs import funcmap
from mailtemplates.gotmpl.lexer import ItemType, Lexer
from mailtemplates.models import TEMPLATE_TYPES, sample_context

pytestmark = pytest.mark.fuzz

HERE = Path(__file__).parent
ROOT = HERE.parent

# -- budget ---------------------------------------------------------------------------------------

_LARGE = os.environ.get("MAILTEMPLATES_FUZZ_EXAMPLES")
settings.register_profile(
    "mailtemplates-fuzz",
    max_examples=int(_LARGE) if _LARGE else 400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
FUZZ = settings(settings.get_profile("mailtemplates-fuzz"))
#: Seconds one example may take (parse, escape, execute) before it counts as a hang.
HANG_SECONDS = 10.0

#: Cases run per test, printed at the end of the session.
RUNS: Counter[str] = Counter()


@pytest.fixture(scope="session", autouse=True)
def _report_counts(pytestconfig: pytest.Config) -> Iterator[None]:
    class Summary:
        def pytest_terminal_summary(self, terminalreporter: Any) -> None:
            if not RUNS:
                return
            budget = f"MAILTEMPLATES_FUZZ_EXAMPLES={_LARGE}" if _LARGE else "fast budget"
            terminalreporter.write_sep("-", f"fuzz cases run ({budget}): {sum(RUNS.values())}")
            for name, n in sorted(RUNS.items()):
                terminalreporter.write_line(f"  {name}: {n}")

    plugin = Summary()
    pytestconfig.pluginmanager.register(plugin, "mailtemplates-fuzz-summary")
    yield


@contextmanager
def no_hang(what: str) -> Iterator[None]:
    """Fail (instead of hanging CI) when one example runs longer than HANG_SECONDS."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise AssertionError(f"{what} took more than {HANG_SECONDS} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- corpus ---------------------------------------------------------------------------------------


def _corpus() -> list[tuple[dict[str, str], Any]]:
    """(files, data) of every vector (as Go saw the data) and of every built-in file."""
    sets: list[tuple[dict[str, str], Any]] = []
    for p in sorted((HERE / "conformance" / "cases").rglob("*.json")):
        case = json.loads(p.read_text(encoding="utf-8"))
        if not case.get("delims"):
            sets.append((dict(case["files"]), go_data(case)))
    sample = go_data(
        json.loads(next((HERE / "golden" / "builtin").glob("*.json")).read_text(encoding="utf-8"))
    )
    for p in sorted((ROOT / "template_root").rglob("*.gotmpl")):
        sets.append(({p.name: p.read_text(encoding="utf-8")}, sample))
    return sets


CORPUS = _corpus()
SOURCES = sorted({text for files, _ in CORPUS for text in files.values()})

# Functions too slow for thousands of examples (key generation, bcrypt) or that depend on the
# environment; every other hermetic sprig function stays reachable.
_SLOW = {"genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
         "genSignedCert", "genSignedCertWithKey", "buildCustomCert", "bcrypt", "htpasswd",
         "derivePassword", "encryptAES", "decryptAES"}  # fmt: skip
FUNCS = {k: v for k, v in funcmap("hermetic").items() if k not in _SLOW}

# Small limits keep each example fast; the limits themselves are under test in test_limits.py.
LIMITS: dict[str, Any] = {"max_iterations": 20_000, "max_output": 200_000, "max_depth": 40}

TOKENS = [
    "{{", "}}", "{{- ", " -}}", "{{/* c */}}", "/*", "*/", "(", ")", "|", ".", ",", "$", "$x", "$y", "$_",
    ":=", "=", " ", "  ", "\n", "\t", "if", "else", "else if", "end", "range", "with", "else with",
    "define", "template", "block", "break", "continue", "and", "or", "not", "len", "index", "slice",
    "print", "printf", "println", "html", "js", "urlquery", "eq", "ne", "lt", "le", "gt", "ge",
    "call", "default", "list", "dict", "upper", "trim", "repeat", "until", "seq", "toJson", "add",
    '"s"', '"%v %d %s %q %x"', '"a\\tb"', "`raw`", "'c'", "'\\n'", "1", "-1", "0", "0x1F", "1e3",
    "1.5", "1i", "2+3i", "99999999999999999999", ".A", ".B.C", ".L", ".Name", ".Nope.Deeper", "nil",
    "true", "false", '"x"', '"t"', '"main.gotmpl"', "<a href='", "'>", '<a href="', '">', "<script>",
    "</script>", "<style>", "</style>", "<p title=", "<!--", "-->", "<textarea>", "javascript:",
    "ü", "\u2028", "\x00", "\r\n",
]  # fmt: skip


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(st.sampled_from(TOKENS) | st.text(max_size=3), max_size=40)))


@st.composite
def mutated(draw: st.DrawFn, source: st.SearchStrategy[str]) -> str:
    """A real template with a few random edits."""
    text = draw(source)
    for _ in range(draw(st.integers(0, 4))):
        n = len(text)
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "truncate", "replace"]))
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 40)))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        elif op == "swap":  # move text[i:j] to position k
            piece, rest = text[i:j], text[:i] + text[j:]
            k = draw(st.integers(0, len(rest)))
            text = rest[:k] + piece + rest[k:]
        elif op == "truncate":
            text = text[:i]
        else:
            text = text[:i] + draw(st.characters()) + text[i + 1 :]
    return text


TEMPLATES = st.one_of(mutated(st.sampled_from(SOURCES)), token_soup())

KEYS = st.sampled_from(["A", "B", "C", "L", "X", "Name", "Nope", "Identity", "traits", "", "a b", "$"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "<script>alert(1)</script>", "javascript:x", "\r\nBcc: x@y.z", "%v", "ü\u2028\x00"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(KEYS | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def template_sets(draw: st.DrawFn) -> dict[str, str]:
    """One to three files: a corpus set, mutated, sometimes with a random extra file."""
    return draw(sets_and_data())[0]


@st.composite
def sets_and_data(draw: st.DrawFn) -> tuple[dict[str, str], Any]:
    """A template set as above, and data: the vector's own (for its paths) or random."""
    if draw(st.booleans()):
        files, own = draw(st.sampled_from(CORPUS))
        base = dict(files)
        name = draw(st.sampled_from(sorted(base)))
        base[name] = draw(mutated(st.just(base[name])))
        # A copy: sprig's set/unset change maps in place, and examples must not leak into each other.
        data = copy.deepcopy(own) if draw(st.booleans()) else draw(DATA)
    else:
        base = {"main.gotmpl": draw(TEMPLATES)}
        data = draw(DATA)
    if draw(st.integers(0, 4)) == 0:
        base["extra.gotmpl"] = draw(TEMPLATES)
    return base, data


# -- checks ---------------------------------------------------------------------------------------


def lines_of(text: str) -> int:
    return text.count("\n") + 1


def check_parse_error(e: TemplateSyntaxError, files: dict[str, str]) -> None:
    assert e.name in files, f"parse error names {e.name!r}, not a file of {sorted(files)}"
    assert 1 <= e.line <= lines_of(files[e.name]), f"line {e.line} outside {e.name} ({e}: {e.go_message})"
    assert e.go_message.startswith(f"template: {e.name}:{e.line}: "), e.go_message
    assert "Python stack" not in e.message, e.message


def check_exec_error(e: MailTemplateError, files: dict[str, str]) -> None:
    assert isinstance(e, TemplateError), f"{type(e).__name__} from execute: {e}"
    # "too deeply nested for the Python stack" is the safety net for real stack exhaustion, which
    # these small templates never reach: seeing it means a bug.
    assert "Python stack" not in e.message or "nested too deeply" in e.message, e.message
    if e.line:
        assert e.name in files, f"exec error names {e.name!r}"
        assert 1 <= e.line <= lines_of(files[e.name]), f"line {e.line} outside {e.name}: {e}"
        assert e.source_line is not None and e.source_line in files[e.name]


def run_set(files: dict[str, str], data: Any, *, html: bool) -> None:
    try:
        tset = gotmpl.parse_files(files, html=html, funcs=FUNCS, **LIMITS)
    except TemplateSyntaxError as e:
        check_parse_error(e, files)
        return
    for name in tset.names:
        try:
            tset.execute(name, data)
        except MailTemplateError as e:
            check_exec_error(e, files)


# -- properties -----------------------------------------------------------------------------------


@FUZZ
@given(text=TEMPLATES | st.text(max_size=200), left=st.sampled_from(["", "[[", "<%", "{"]))
def test_lexer_always_ends_with_eof_or_error(text: str, left: str) -> None:
    RUNS["lexer"] += 1
    right = {"": "", "[[": "]]", "<%": "%>", "{": "}"}[left]
    lexer = Lexer("f", text, left, right)
    lexer.break_ok = lexer.continue_ok = True
    with no_hang(f"lexing {text!r}"):
        for _ in range(len(text) + 10):
            item = lexer.next_item()
            assert 0 <= item.pos <= len(text)
            assert 1 <= item.line <= lines_of(text)
            if item.typ in (ItemType.EOF, ItemType.ERROR):
                return
    raise AssertionError(f"lexer produced more items than characters for {text!r}")


@FUZZ
@given(files=template_sets())
def test_parser_raises_only_positioned_syntax_errors(files: dict[str, str]) -> None:
    RUNS["parser"] += 1
    with no_hang(f"parsing {files!r}"):
        try:
            tset = gotmpl.parse_files(files, funcs=FUNCS, **LIMITS)
        except TemplateSyntaxError as e:
            check_parse_error(e, files)
            return
    # ParseFS: every file is a template named after it.
    assert set(files) <= set(tset.names)


@FUZZ
@given(files=template_sets())
def test_html_escaper_raises_only_documented_errors(files: dict[str, str]) -> None:
    RUNS["escaper"] += 1
    with no_hang(f"escaping {files!r}"):
        try:
            tset = gotmpl.parse_files(files, html=True, funcs=FUNCS, **LIMITS)
        except TemplateSyntaxError as e:
            check_parse_error(e, files)
            return
        for name in tset.names:
            try:
                tset.escape(name)
            except MailTemplateError as e:
                check_exec_error(e, files)


@FUZZ
@given(case=sets_and_data(), html=st.booleans())
def test_executor_raises_only_documented_errors(case: tuple[dict[str, str], Any], html: bool) -> None:
    RUNS["executor"] += 1
    files, data = case
    with no_hang(f"executing {files!r} on {data!r}"):
        run_set(files, data, html=html)


@FUZZ
@given(text=token_soup(), data=DATA, html=st.booleans())
def test_random_token_soup_runs_or_fails_cleanly(text: str, data: Any, html: bool) -> None:
    RUNS["token soup"] += 1
    with no_hang(f"running {text!r}"):
        run_set({"main.gotmpl": text}, data, html=html)


def _nest(depth: int, leaf: Any, kind: str) -> Any:
    v = leaf
    for _ in range(depth):
        v = [v] if kind == "list" else {"A": v}
    return v


@FUZZ
@given(
    depth=st.integers(1, 3000),
    kind=st.sampled_from(["list", "map"]),
    template=st.sampled_from(
        ["{{ . }}", "{{ printf \"%v %#v\" . . }}", "{{ toJson . }}", "<script>var x = {{ . }};</script>",
         "<a title='{{ . }}'>", "{{ range . }}{{ . }}{{ end }}", "{{ eq . . }}", "{{ deepCopy . }}"]
    ),
)  # fmt: skip
def test_deeply_nested_data_prints_or_fails_with_a_limit(depth: int, kind: str, template: str) -> None:
    """Printing (gofmt), JSON and the escapers recurse into data: a value nested deeper than the
    Python stack fails with LimitExceeded at the action, never with RecursionError."""
    RUNS["deep data"] += 1
    data = _nest(depth, "leaf", kind)
    html = template.startswith("<")
    tset = gotmpl.parse_files({"m": template}, html=html, funcs=FUNCS)
    with no_hang(f"printing data nested {depth} deep"):
        try:
            out = tset.execute("m", data)
        except LimitExceeded as e:
            assert e.line == 1 and "nested too deeply" in e.message, e
            assert depth > 200  # shallower values always print
            return
        except TemplateError as e:
            assert "deepCopy" in template or "eq" in template, e  # Go refuses these on some values
            return
    # gojson, like encoding/json, gives up past 1000 nested levels ("encountered a cycle").
    assert "leaf" in out or "unsupported value" in out or template.startswith("{{ range") or "eq" in template


def test_cyclic_data_fails_with_a_limit() -> None:
    d: dict[str, Any] = {"A": 1}
    d["self"] = d
    lst: list[Any] = [1]
    lst.append(lst)
    for template, html in (("{{ . }}", False), ("{{ toJson . }}", False), ("<script>{{ . }}</script>", True)):
        for data in (d, lst):
            with pytest.raises(LimitExceeded, match="nested too deeply") as info:
                gotmpl.parse_files({"m": template}, html=html).execute("m", data)
            assert info.value.line == 1 and info.value.col > 0


def test_fuzz_corpus_is_loaded() -> None:
    # The 805 vectors (less the few with custom delimiters) and the 252 built-in files.
    assert len(CORPUS) > 900 and len(SOURCES) > 600


# -- the public API: render() with hostile contexts ------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.binary(max_size=5),
    st.datetimes(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)),
    max_leaves=10,
)
_KEYS = st.sampled_from(
    ["To", "to", "RecoveryURL", "recovery_url", "Identity", "identity", "TransientPayload", "Traits",
     "LoginCode", "RecoveryCode", "VerificationURL", "ExpiresInMinutes", "expires_in_minutes", "Nope"]
)  # fmt: skip


@FUZZ
@given(
    name=st.sampled_from(sorted(TEMPLATE_TYPES)),
    ctx=st.dictionaries(_KEYS, _VALUES, max_size=4),
    locale=st.one_of(st.none(), st.sampled_from(["de", "xx", "../x", "pt-BR", "", "de_AT", "en\n"])),
)
def test_render_raises_only_documented_errors(name: str, ctx: dict[str, Any], locale: str | None) -> None:
    # A sample context with random fields replaced or added: a wrong type, an unknown field or a
    # bad locale is a MailTemplateError naming it; anything else must render and build a message.
    RUNS["render()"] += 1
    data = {**(sample_context(name) if TEMPLATE_TYPES[name].templated else {}), **ctx}
    with no_hang(f"render({name!r}, {data!r}, locale={locale!r})"):
        try:
            email = render(name, data, locale=locale)
            email.to_message(from_address="accounts@example.com", to="ada@example.com").as_bytes()
        except MailTemplateError:
            pass
