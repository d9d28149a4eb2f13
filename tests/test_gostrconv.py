"""Go's strconv quoting (mailtemplates.gotmpl.gostrconv) against real Go 1.26, every code point.

``fixtures/gostrconv/quote_runs.json`` is Go's ``strconv.Quote`` and ``QuoteToASCII`` of one
string holding every code point but the surrogates, run-length encoded by
``fixtures/gostrconv/make_quote_runs.py`` (which checks that decoding gives Go's bytes back).
The small cases below were answered by the oracle (../shared/gotmpl-oracle) too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailtemplates.gotmpl import gofmt, gostrconv, nodes
from mailtemplates.gotmpl.gounicode import PRINT_RANGES

RUNS = json.loads((Path(__file__).parent / "fixtures" / "gostrconv" / "quote_runs.json").read_text())
CODE_POINTS = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
_FORMS = {"x": "\\x{:02x}", "u": "\\u{:04x}", "U": "\\U{:08x}"}


def go_tokens(runs: list[list[object]]) -> list[str]:
    """Go's quoting of each code point, in order (one token per code point)."""
    out: list[str] = []
    for first, last, kind in runs:
        assert isinstance(first, int) and isinstance(last, int) and isinstance(kind, str)
        for c in range(first, last + 1):
            if 0xD800 <= c <= 0xDFFF:
                continue
            if kind == "lit":
                out.append(chr(c))
            elif kind in _FORMS:
                out.append(_FORMS[kind].format(c))
            else:
                out.append(kind)
    return out


@pytest.mark.parametrize(("runs", "ascii_only"), [("quote", False), ("quote_ascii", True)])
def test_quote_matches_go_on_every_code_point(runs: str, ascii_only: bool) -> None:
    expected = go_tokens(RUNS[runs])
    assert len(expected) == len(CODE_POINTS)
    everything = "".join(map(chr, CODE_POINTS))
    got = gostrconv.quote(everything, ascii_only=ascii_only)
    if got != '"' + "".join(expected) + '"':
        wrong = [
            (hex(c), e, gostrconv.quote(chr(c), ascii_only)[1:-1])
            for c, e in zip(CODE_POINTS, expected, strict=True)
            if gostrconv.quote(chr(c), ascii_only)[1:-1] != e
        ]
        pytest.fail(f"{len(wrong)} code points quoted unlike Go, first: {wrong[:10]}")


def test_is_print_is_gos_not_pythons() -> None:
    # Unicode 15.0 additions Go prints and Python 3.11 (Unicode 14) calls unprintable, and a
    # Unicode 15.1 addition Go 1.26 escapes (U+2EBF0).
    assert gostrconv.quote("\u0cf3\U00031350") == '"\u0cf3\U00031350"'
    assert gostrconv.quote("\U0002ebf0") == '"\\U0002ebf0"'
    assert gostrconv.is_print(" ") and not gostrconv.is_print("\xa0")
    assert all(a <= b for a, b in PRINT_RANGES)
    assert all(PRINT_RANGES[i][1] + 1 < PRINT_RANGES[i + 1][0] for i in range(len(PRINT_RANGES) - 1))


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        # invalid UTF-8 bytes (surrogate-escaped here) are \x escapes: printf "%q" "\x80\xc3\xff\x00é"
        ("%q|%+q", ["\udc80\udcc3\udcff\x00é"] * 2, '"\\x80\\xc3\\xff\\x00é"|"\\x80\\xc3\\xff\\x00\\u00e9"'),
        # any other lone surrogate is U+FFFD, as Go's JSON decoding makes it
        ("%q|%+q", ["a\ud800b\udfff"] * 2, '"a\ufffdb\ufffd"|"a\\ufffdb\\ufffd"'),
        # runes out of range: printf "%q|%+q|%q|%+q|%q" 0xD800 0xDFFF 0x110000 0x10FFFF -1
        (
            "%q|%+q|%q|%+q|%q",
            [0xD800, 0xDFFF, 0x110000, 0x10FFFF, -1],
            "'\ufffd'|'\\ufffd'|'\ufffd'|'\\U0010ffff'|'\ufffd'",
        ),
    ],
)
def test_quote_edges_as_go(fmt: str, args: list[object], expected: str) -> None:
    assert gofmt.sprintf(fmt, args) == expected


def test_one_home_for_strconv() -> None:
    """strconv's functions live in gostrconv only: nodes and gofmt no longer re-export them."""
    for name in ("go_quote", "quote", "can_backquote", "go_bytes", "go_str", "quote_rune", "format_float"):
        assert name not in getattr(nodes, "__all__", ()) and name not in gofmt.__all__
    assert (
        not hasattr(nodes, "go_quote")
        and not hasattr(gofmt, "_can_backquote")
        and not hasattr(gofmt, "_is_bad_byte")
    )
