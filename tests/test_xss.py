"""XSS: hostile identity traits must not change the structure of an HTML email.

Every payload goes through ``.Identity.traits.name`` into a template of every context the
escaper knows (text, quoted and unquoted attributes, href/src URLs, style attribute, ``<style>``,
event handler, ``<script>`` string and value, ``<title>``, ``<textarea>``). The rendered HTML is
parsed with :mod:`html.parser` and compared with the same template rendered with a harmless
value: the payload may not add an element, an attribute, a comment or a script, may not put a
URL scheme other than http/https/mailto into a URL attribute, and may not change the token
structure of the JavaScript or CSS it lands in. In text contexts the payload must also come back
unchanged as text, so escaping loses nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from mailtemplates.gotmpl import render_files

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "` onmouseover=alert(1)",
    "x onmouseover=alert(1)",
    "=x onerror=alert(1)",
    '" autofocus onfocus=alert(1) x="',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\x00script:alert(1)",
    "\x0e  javascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VBScript:x",
    "livescript:alert(1)",
    "expression(alert(1))",
    "red;width:expression(alert(1))",
    "x;background:url(javascript:alert(1))",
    "url(javascript:alert(1))",
    "-moz-binding:url(http://x/xss.xml#xss)",
    "e\\78pression(alert(1))",
    "red}</style><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "</ScRiPt ><script>alert(1)</script>",
    '"; alert(1); //',
    "'; alert(1); //",
    '\\"; alert(1); //',
    "\\u0022; alert(1); //",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "\u2028alert(1)\u2029",
    "*/alert(1)/*",
    "/alert(1)//",
    "${alert(1)}",
    "`${alert(1)}`",
    "<!--<script>",
    "--><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!DOCTYPE html><script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    '<object data="javascript:alert(1)">',
    "<form action=javascript:alert(1)><input type=submit>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    'mailto:x@y"><script>alert(1)</script>',
    'http://x/"onmouseover="alert(1)',
    "https://x/?a=1&b=<script>",
    "{{ .Secret }}",
    "\r\n<script>alert(1)</script>",
    "\x00<script>",
]

# name -> template. The value is always {{ .Identity.traits.name }}.
V = "{{ .Identity.traits.name }}"
CONTEXTS = {
    "text": f"<p>Hello {V}!</p>",
    "attr dq": f'<p title="{V}">x</p>',
    "attr sq": f"<p title='{V}'>x</p>",
    "attr unquoted": f"<p title={V}>x</p>",
    "href": f'<a href="{V}">x</a>',
    "href unquoted": f"<a href={V}>x</a>",
    "href path": f'<a href="https://example.com/u/{V}">x</a>',
    "href query": f'<a href="https://example.com/?q={V}">x</a>',
    "src": f'<img src="{V}" alt="a">',
    "style attr": f'<p style="color: {V}">x</p>',
    "style attr url": f'<p style="background: url({V})">x</p>',
    "style element": f"<style>p {{ color: {V}; }}</style>",
    "style string": f'<style>p::after {{ content: "{V}"; }}</style>',
    "onclick value": f'<button onclick="greet({V})">x</button>',
    "onclick string": f"<button onclick=\"greet('{V}')\">x</button>",
    "script string": f'<script>var name = "{V}";</script>',
    "script sq string": f"<script>var name = '{V}';</script>",
    "script value": f"<script>var name = {V};</script>",
    "script template literal": f"<script>var name = `{V}`;</script>",
    "title": f"<title>{V}</title>",
    "textarea": f"<textarea>{V}</textarea>",
}
TEXT_CONTEXTS = {"text": ("p", "Hello {}!"), "title": ("title", "{}"), "textarea": ("textarea", "{}")}

URL_ATTRS = {"href", "src", "action", "formaction", "background", "poster", "data", "xlink:href"}
SAFE_SCHEMES = {"http", "https", "mailto"}


class Shape(HTMLParser):
    """The structure of a document: tags with attribute names, comments, and the raw pieces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...]] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.data: dict[str, str] = {}
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, *sorted(a for a, _ in attrs)))
        self.attrs.extend((tag, a, v or "") for a, v in attrs)
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("startend", tag, *sorted(a for a, _ in attrs)))
        self.attrs.extend((tag, a, v or "") for a, v in attrs)

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.data[self.stack[-1]] = self.data.get(self.stack[-1], "") + data

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment",))

    def handle_decl(self, decl: str) -> None:
        self.events.append(("decl",))

    def unknown_decl(self, data: str) -> None:
        self.events.append(("decl",))

    def handle_pi(self, data: str) -> None:
        self.events.append(("pi",))


def shape(html: str) -> Shape:
    p = Shape()
    p.feed(html)
    p.close()
    return p


def render(template: str, value: str) -> str:
    data = {"Identity": {"traits": {"name": value}}, "Secret": "s3cret"}
    # Kratos's function map: sprig's hermetic one.
    return render_files({"main.gotmpl": template}, "main.gotmpl", data, html=True, funcs="hermetic")


_JS_TOKEN = re.compile(
    r"""\s+|//[^\n\r\u2028\u2029]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.|\$(?!\{))*`"""
    r"""|[A-Za-z_$][\w$]*|\d[\w.]*|\S""",
    re.S,
)


def js_shape(src: str) -> list[str]:
    """Token kinds of a JS snippet: strings, names, numbers, comments, each punctuator."""
    out = []
    pos = 0
    while pos < len(src):
        m = _JS_TOKEN.match(src, pos)
        assert m is not None
        tok = m.group()
        pos = m.end()
        if tok.isspace():
            continue
        if tok[0] in "\"'`":
            out.append("string")
        elif tok.startswith(("//", "/*")):
            out.append("comment")
        elif tok[0].isalpha() or tok[0] in "_$":
            out.append("name:" + tok if tok in ("var", "greet", "name") else "name")
        elif tok[0].isdigit():
            out.append("number")
        else:
            out.append(tok)
    return out


_CSS_URL = re.compile(r"""url\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^)\s]*)\s*\)""", re.I)
# Colons are left out: a second ":" in a value cannot start a declaration ("color: a:b" is one).
_CSS_STRUCTURE = re.compile(r"""url\(|[;{}()@\\<>]|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""", re.I)
# CSS that can run script or fetch: IE expression() and behavior, Mozilla bindings, imports, URLs.
_CSS_DANGER = re.compile(r"expression\s*\(|url\s*\(|@import|behavior\s*:|binding", re.I)
_CSS_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")


def css_urls(src: str) -> list[str]:
    """The URLs of url(...) tokens, CSS escapes decoded."""
    out = []
    for raw in _CSS_URL.findall(src):
        if raw[:1] in "\"'":
            raw = raw[1:-1]
        out.append(re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m.group(1), 16)), raw))
    return out


def css_shape(src: str) -> list[str]:
    """Punctuation and strings outside url(...), which counts as one token."""
    src = _CSS_URL.sub("url()", src)
    return ["string" if t[0] in "\"'" else t.lower() for t in _CSS_STRUCTURE.findall(src)]


def url_scheme(value: str) -> str | None:
    # What a browser takes as the scheme: C0 controls and spaces trimmed, tab/CR/LF removed.
    v = re.sub(r"[\t\n\r]", "", value).strip("".join(chr(c) for c in range(0x21)))
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", v)
    return m.group(1).lower() if m else None


def scripts(doc: Shape, html: str) -> list[str]:
    """JS code of the document: <script> bodies and event handler values."""
    out = [v for _, a, v in doc.attrs if a.startswith("on")]
    out += re.findall(r"<script[^>]*>(.*?)</script>", html, re.S | re.I)
    return out


def styles(doc: Shape, html: str) -> list[str]:
    out = [v for _, a, v in doc.attrs if a == "style"]
    out += re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I)
    return out


def test_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("context", list(CONTEXTS))
@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_payload_cannot_change_structure(context: str, payload: str) -> None:
    template = CONTEXTS[context]
    base_html = render(template, "safe")
    html = render(template, payload)
    base, doc = shape(base_html), shape(html)

    # No new element, attribute, comment or declaration.
    assert doc.events == base.events, html

    # URL attributes keep a safe scheme (or none: a relative URL).
    for tag, attr, value in doc.attrs:
        if attr in URL_ATTRS:
            scheme = url_scheme(value)
            assert scheme is None or scheme in SAFE_SCHEMES, (tag, attr, value)

    # Script keeps its token structure: the value stays one string (or one literal).
    base_js = [js_shape(s) for s in scripts(base, base_html)]
    assert [js_shape(s) for s in scripts(doc, html)] == base_js, html
    for s in scripts(doc, html):
        assert "</script" not in s.lower()

    # CSS keeps its structure and gains no script-capable construct.
    base_css = styles(base, base_html)
    got_css = styles(doc, html)
    assert [css_shape(s) for s in got_css] == [css_shape(s) for s in base_css], html
    for s, b in zip(got_css, base_css, strict=True):
        for url in css_urls(s):
            scheme = url_scheme(url)
            assert scheme is None or scheme in SAFE_SCHEMES, s
        s, b = _CSS_URL.sub("url()", s), _CSS_URL.sub("url()", b)
        assert len(_CSS_DANGER.findall(s)) <= len(_CSS_DANGER.findall(b)), s

    # In text, the payload is shown as it is: escaping loses nothing (NUL aside: it becomes U+FFFD).
    if context in TEXT_CONTEXTS and "\x00" not in payload:
        tag, fmt = TEXT_CONTEXTS[context]
        assert doc.data.get(tag, "") == fmt.format(payload)
