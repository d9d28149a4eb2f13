"""mailtemplates.plaintext: HTML -> text for the text/plain part.

Every expected string below was worked out by hand from the rules in the module docstring
(what a reader sees with images off, one blank line around paragraph-like blocks, links as
``text <URL>``, 78-column wrapping at spaces only), then checked against the output.
"""

from __future__ import annotations

import os
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailtemplates import render
from mailtemplates.errors import MailTemplateError
from mailtemplates.models import TEMPLATE_TYPES, sample_context
from mailtemplates.plaintext import EmailTextConverter, HTMLToText, fast_events, get_converter, html_to_text

FIXTURE = Path(__file__).parent / "fixtures" / "emails" / "recovery.html"

# The whole recovery email. Reasons, top to bottom: <head>/<style>/<title> and the display:none
# preheader produce nothing; the logo link has text ("Example") so the logo's alt is not used; h1
# and h2 are underlined to their width; the button is its label plus the URL in <>, and the URL
# (longer than 78) sits alone on its line, unbroken; the request-details table has one line per
# cell so it is aligned in two columns; &mdash; &rsquo; &#39; &copy; &middot; &szlig; &nbsp; are
# decoded; the pasted URL is text, not a link; <br> splits "Thanks," from the team name; the
# social links have only images, so their alt text is the link text, and three of them are too wide
# for one aligned row, so each cell is its own line; the tracking pixel has alt="".
RECOVERY = """\
Example <https://example.com/>

Recover access to your account
==============================

Hi Jane Doe,

Someone (hopefully you) asked to reset the password for the Example account
jane.doe@example.com. Click the button below to choose a new password. The
link expires in 60 minutes.

Reset my password
<https://auth.example.com/self-service/recovery?flow=6f3c1d2e-8f0a-4b7e-9c1d-2a3b4c5d6e7f&token=Zm9vYmFyYmF6cXV4>

Or enter this code on the recovery page:

482 915

Request details
---------------

Requested from  Firefox on Linux
IP address      203.0.113.42
Location        Berlin, Germany
Time            22 November 2026, 04:42 UTC

Didn't ask for this? You can safely ignore this email \u2014 your password stays
the same. If you keep getting these emails, secure your account
<https://example.com/security>.

Tips for a strong password
--------------------------

- Use at least 12 characters.
- Don\u2019t reuse a password from another site.
- Consider a password manager such as Bitwarden <https://bitwarden.com/>.

If the button doesn't work, copy this URL into your browser:
https://auth.example.com/self-service/recovery?flow=6f3c1d2e-8f0a-4b7e-9c1d-2a3b4c5d6e7f&token=Zm9vYmFyYmF6cXV4

Thanks,
The Example Team

X <https://twitter.com/example>
GitHub <https://github.com/example>
LinkedIn <https://www.linkedin.com/company/example>

You received this email because a password reset was requested for your
Example account. \u00a9 2026 Example Inc. \u00b7 Friedrichstra\u00dfe 123, 10117 Berlin,
Germany

Privacy policy <https://example.com/privacy> \u00b7 Help center
<https://example.com/help>
"""


def text(html: str, width: int = 78) -> str:
    return EmailTextConverter(width=width).convert(html)


def test_realistic_recovery_email() -> None:
    assert html_to_text(FIXTURE.read_text(encoding="utf-8")) == RECOVERY


def test_realistic_email_after_css_inlining_gives_the_same_text() -> None:
    # Inlining adds style="" everywhere and keeps only @media in <style>: the preheader is still
    # hidden by its own inline display:none.
    css_inline = pytest.importorskip("css_inline")
    inlined = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False).inline(
        FIXTURE.read_text(encoding="utf-8")
    )
    assert html_to_text(inlined) == RECOVERY


def test_lines_fit_78_columns_except_unbreakable_words() -> None:
    for line in RECOVERY.splitlines():
        assert len(line) <= 78 or " " not in line


# -- links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html,expected",
    [
        ('<a href="https://example.com/docs">our docs</a>', "our docs <https://example.com/docs>\n"),
        ('<a href="https://example.com/">https://example.com/</a>', "https://example.com/\n"),
        ('<a href="https://example.com/help">example.com/help</a>', "example.com/help\n"),
        ('<a href="mailto:help@example.com">help@example.com</a>', "help@example.com\n"),
        ('<a href="mailto:help@example.com?subject=Hi">Support</a>', "Support <help@example.com>\n"),
        ('<a href="#top">Back to top</a>', "Back to top\n"),
        ('<a href="javascript:alert(1)">Click</a>', "Click\n"),
        ('<a href="">No target</a>', "No target\n"),
        ('x<a href="https://example.com/"></a>y', "xy\n"),
        ('<a href="https://x.example/"><img src="x.png" alt="X"></a>', "X <https://x.example/>\n"),
        ('<a href="https://x.example/"><img src="x.png"></a>', ""),
        (
            '<a href="https://x.example/"><img src="l.png" alt="Logo"> Brand</a>',
            "Brand <https://x.example/>\n",
        ),
        ('<a href="https://a.example/?x=1&amp;y=2">A&amp;B</a>', "A&B <https://a.example/?x=1&y=2>\n"),
        (
            '<a href="https://example.com/"><div>One</div><div>Two</div></a>',
            "One\nTwo\n<https://example.com/>\n",
        ),
    ],
)
def test_links(html: str, expected: str) -> None:
    assert text(html) == expected


def test_go_template_actions_are_never_split_by_wrapping() -> None:
    html = (
        "<p>Click the following link to recover your account, it expires soon: "
        '<a href="{{ .RecoveryURL }}">{{ .RecoveryURL }}</a> and {{ .ExpiresInMinutes }} more words</p>'
    )
    assert text(html, width=40) == (
        "Click the following link to recover your\n"
        "account, it expires soon:\n"
        "{{ .RecoveryURL }} and\n"
        "{{ .ExpiresInMinutes }} more words\n"
    )


def test_width_zero_does_not_wrap() -> None:
    long = "word " * 40
    assert text(f"<p>{long}</p>", width=0) == long.strip() + "\n"


# -- blocks --------------------------------------------------------------------------------------


def test_headings_paragraphs_divs_and_breaks() -> None:
    html = "<h1>Title</h1><h2>Sub</h2><h3>Minor</h3><p>Para</p><div>Line one</div><div>Line two</div>"
    assert text(html) == "Title\n=====\n\nSub\n---\n\nMinor\n\nPara\n\nLine one\nLine two\n"
    assert text("<p>Thanks,<br>The Team<br><br>PS: bye<br></p>") == "Thanks,\nThe Team\n\nPS: bye\n"
    assert text("<p>one<p>two") == "one\n\ntwo\n"  # implied </p>


def test_lists_with_nesting_numbering_and_hanging_indent() -> None:
    html = (
        "<ul><li>one</li><li>two<ul><li>two-a</li><li>two-b</li></ul></li><li>three</li></ul>"
        '<ol start="3"><li>third</li><li>fourth item that is long enough to wrap onto a second line '
        "because it keeps going</li></ol><ul><li>a<li>b</ul>"
    )
    assert text(html, width=40) == (
        "- one\n- two\n  - two-a\n  - two-b\n- three\n\n"
        "3. third\n4. fourth item that is long enough to\n   wrap onto a second line because it\n"
        "   keeps going\n\n- a\n- b\n"
    )


def test_pre_and_blockquote() -> None:
    html = "<p>Code:</p><pre>\n  code  line\n    indented</pre><blockquote><p>quoted</p><p>second</p></blockquote>"
    assert text(html) == "Code:\n\n  code  line\n    indented\n\n> quoted\n>\n> second\n"


def test_entities_are_decoded_and_invisible_characters_dropped() -> None:
    html = "<p>Tom &amp; Jerry&nbsp;&mdash; it&#39;s &#x27;fine&#x27; &copy; 2026 &lt;tag&gt; &euro;5</p>"
    assert text(html) == "Tom & Jerry \u2014 it's 'fine' \u00a9 2026 <tag> \u20ac5\n"
    assert text("<p>soft\xadhyphen zero\u200bwidth</p><p>&zwnj;&nbsp;&zwnj;&nbsp;</p><p>end</p>") == (
        "softhyphen zerowidth\n\nend\n"
    )


# -- tables --------------------------------------------------------------------------------------


def test_data_table_is_aligned_in_columns() -> None:
    html = (
        "<table><tr><th>Item</th><th>Qty</th><th>Price</th></tr>"
        "<tr><td>Widget</td><td>2</td><td>\u20ac10.00</td></tr>"
        "<tr><td>Gadget deluxe</td><td>1</td><td>\u20ac120.00</td></tr></table>"
    )
    assert (
        text(html)
        == "Item           Qty  Price\nWidget         2    \u20ac10.00\nGadget deluxe  1    \u20ac120.00\n"
    )


def test_wide_characters_count_two_columns_when_aligning() -> None:
    html = "<h1>\u30a2\u30ab\u30a6\u30f3\u30c8</h1><table><tr><td>\u540d\u524d</td><td>\u5c71\u7530</td></tr><tr><td>IP</td><td>203.0.113.42</td></tr></table>"
    assert (
        text(html)
        == "\u30a2\u30ab\u30a6\u30f3\u30c8\n==========\n\n\u540d\u524d  \u5c71\u7530\nIP    203.0.113.42\n"
    )


def test_data_table_too_wide_to_align_keeps_rows_apart() -> None:
    ua = "Firefox 128.0 on Linux x86_64 with a very long user agent string, really long"
    html = f"<table><tr><td>Requested from</td><td>{ua}</td></tr><tr><td>IP</td><td>203.0.113.42</td></tr></table>"
    assert text(html) == f"Requested from\n{ua}\n\nIP\n203.0.113.42\n"


def test_layout_table_cells_are_blocks_in_document_order() -> None:
    html = (
        '<table role="presentation"><tr><td><p>First</p><p>Second</p></td><td><p>Side</p></td></tr>'
        "</table><p>After</p><table><tr><td>x<td>y<tr><td>z<td>w</table>"
    )
    assert text(html) == "First\n\nSecond\n\nSide\n\nAfter\n\nx  y\nz  w\n"


# -- what is not shown ---------------------------------------------------------------------------


def test_head_style_script_and_hidden_elements_produce_nothing() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style><script>var x = '<p>no</p>';</script></head>"
        '<body><div style="display:none">A</div><div style="DISPLAY: NONE !important">B</div>'
        '<p hidden>C</p><span style="mso-hide:all">D</span><p>E</p><noscript>F</noscript></body></html>'
    )
    assert text(html) == "D\n\nE\n"  # mso-hide:all alone hides only in Outlook


def test_classes_and_ids_hidden_by_a_top_level_style_rule() -> None:
    html = (
        "<html><head><style>/* preheader */ .preheader{display:none!important} #x { display: none } "
        "@media (max-width:600px) { .mobile { display:none } }</style></head><body>"
        '<span class="preheader">Preview text</span><p id="x">X</p><p class="mobile big">Mobile</p>'
        '<p class="preheader" style="display:block">shown</p></body></html>'
    )
    assert text(html) == "Mobile\n\nshown\n"


def test_outlook_conditional_comments() -> None:
    html = "<!--[if mso]><p>Outlook only</p><![endif]--><!--[if !mso]><!--><p>Everyone else</p><!--<![endif]--><p>After</p>"
    assert text(html) == "Everyone else\n\nAfter\n"


def test_empty_input() -> None:
    assert text("") == ""
    assert text("<html><head><title>x</title></head><body> </body></html>") == ""
    assert text("just text") == "just text\n"


# -- backends ------------------------------------------------------------------------------------


def test_default_backend_fits_the_protocol() -> None:
    conv = get_converter()
    assert isinstance(conv, HTMLToText) and isinstance(conv, EmailTextConverter)


def test_unknown_backend_names_the_choices() -> None:
    with pytest.raises(MailTemplateError, match="choose one of: builtin, html2text, inscriptis"):
        get_converter("lynx")


def test_html2text_backend_is_opt_in_markdown() -> None:
    pytest.importorskip("html2text")
    out = get_converter("html2text").convert(
        '<p>See <a href="https://example.com/">docs</a> &amp; <b>more</b></p>'
    )
    assert out == "See [docs](https://example.com/) & **more**\n"


def test_inscriptis_backend() -> None:
    pytest.importorskip("inscriptis")
    out = get_converter("inscriptis").convert('<p>See <a href="https://example.com/">docs</a></p><p>Next</p>')
    assert out == "See [docs](https://example.com/)\n\nNext\n"


@pytest.mark.parametrize(
    "name,hint",
    [("html2text", "pip install mailtemplates[html2text]"), ("inscriptis", "pip install mailtemplates[inscriptis]")],
)
def test_missing_optional_backend_gives_an_install_hint(
    name: str, hint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, name, None)  # makes `import name` raise ImportError
    with pytest.raises(MailTemplateError) as err:
        get_converter(name)
    assert str(err.value).endswith(hint)


# -- the fast tokenizer emits exactly what html.parser emits, or gives up ---------------------------


class _Recorder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("startend", tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag, []))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", data, []))


def _merged(events: list[tuple[str, str, list[tuple[str, str | None]]]]) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    # html.parser may hand one text over in several pieces; the tree builder concatenates them.
    out: list[tuple[str, str, list[tuple[str, str | None]]]] = []
    for e in events:
        if e[0] == "data" and out and out[-1][0] == "data":
            out[-1] = ("data", out[-1][1] + e[1], [])
        elif e[0] != "data" or e[1]:
            out.append(e)
    return out


def _parsed(html: str) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    r = _Recorder()
    r.feed(html)
    r.close()
    return _merged(r.events)


_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<P CLASS=x>", "<a href=\"https://e.com/?a=1&amp;b=2\">", "</a>", "<br>", "<br/>",
        "<br />", "<img src=x alt='A &quot;b&quot;'>", "<td width=100 bgcolor=#fff>", "</TD >", "<div\nclass=\"a b\"\n>",
        "<input disabled>", "<x-y data-v=\"1\" hidden>", "<style>p { color: red }</style>", "<STYLE>a<b</Style>",
        "<script>if (a < b) { x = '</p>' }</script>", "<!-- c -->", "<!---->", "<!-- a -- b -->", "<!DOCTYPE html>",
        "<!doctype HTML PUBLIC>", "text", " ", "\n", "&amp;", "&lt;", "&#39;", "&#x27;", "&nbsp;", "&bogus;", "&amp",
        "a & b", "<", ">", "=", "\"", "'", "/", "<p a==b>", "<p a=\"x\"b=y>", "<p a=x\"y>", "<p a= >", "<a/b>",
        "< p>", "</ p>", "<?xml ?>", "<![CDATA[x]]>", "<p a=`x`>", "<p\tid=i>", "<img src=x/>", "</br>",
        "<p \u00e9=1>", "caf\u00e9", "\x00", "<style>x</style >", "<style>x</ style>", "<title>a&amp;b</title>",
    ]
)  # fmt: skip


@settings(max_examples=int(os.environ.get("MAILTEMPLATES_FUZZ_EXAMPLES", "600")), deadline=None, database=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_fast_tokenizer_matches_html_parser_or_gives_up(html: str) -> None:
    events = fast_events(html)
    if events is not None:
        assert _merged(events) == _parsed(html)


def test_fast_tokenizer_takes_the_built_in_emails() -> None:
    # The point of it: rendered (and inlined) built-in emails never need the fallback.
    for name, tt in TEMPLATE_TYPES.items():
        if not tt.templated:
            continue
        for locale in ("en", "ja"):
            html = render(name, sample_context(name), locale=locale).html
            assert html is not None
            events = fast_events(html)
            assert events is not None, name
            assert _merged(events) == _parsed(html)
