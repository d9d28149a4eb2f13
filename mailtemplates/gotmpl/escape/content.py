"""Trusted content types: Go's ``template.HTML``, ``template.URL``... (``content.go``).

Data from JSON is never trusted, so templates rendered from Kratos data never see these. They
exist so that code which *does* hold trusted markup (a pre-rendered, sanitized fragment) can say
so, exactly as a Go program would with ``template.HTML(s)``: the escapers pass it through (or
normalize it) instead of escaping it.

Follows Go 1.26 ``src/html/template/content.go``.
"""

from __future__ import annotations

from typing import ClassVar

from .attr import ContentType

__all__ = ["CSS", "HTML", "JS", "URL", "HTMLAttr", "JSStr", "Srcset", "TrustedContent"]


class TrustedContent(str):
    """Base of the trusted string types; ``content_type`` says which kind."""

    __slots__ = ()
    content_type: ClassVar[ContentType] = ContentType.PLAIN


class CSS(TrustedContent):
    """A CSS stylesheet, rule, declaration list or value, such as ``color: red``."""

    __slots__ = ()
    content_type = ContentType.CSS


class HTML(TrustedContent):
    """A safe HTML fragment (no unclosed tags or comments)."""

    __slots__ = ()
    content_type = ContentType.HTML


class HTMLAttr(TrustedContent):
    """A whole attribute, such as `` dir="ltr"``."""

    __slots__ = ()
    content_type = ContentType.HTML_ATTR


class JS(TrustedContent):
    """A safe JavaScript expression, such as ``(x + y * z())``."""

    __slots__ = ()
    content_type = ContentType.JS


class JSStr(TrustedContent):
    """Characters to place between quotes in JavaScript (escapes allowed, no line continuations)."""

    __slots__ = ()
    content_type = ContentType.JS_STR


class URL(TrustedContent):
    """A URL or part of one; a trusted ``javascript:`` URL is not filtered."""

    __slots__ = ()
    content_type = ContentType.URL


class Srcset(TrustedContent):
    """A whole ``srcset`` attribute value."""

    __slots__ = ()
    content_type = ContentType.SRCSET
