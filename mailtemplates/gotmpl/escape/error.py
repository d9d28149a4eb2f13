"""Escaping errors: Go's ``html/template`` ``Error`` (``error.go``) and its message format.

Go builds an ``*Error`` deep inside the escaper, then edits it on the way out (the range code
prefixes the description, the top level fills in the template name), and only formats it at the
end. :class:`Error` is that mutable record; :meth:`Error.to_exception` turns it into the public
:class:`~mailtemplates.errors.EscapeError`.

Follows Go 1.26 ``src/html/template/error.go``.
"""

from __future__ import annotations

from ...errors import EscapeError
from ..nodes import Node, Tree

__all__ = ["ERROR_CODES", "Error", "errorf"]

#: Go's ErrorCode constants, by value.
ERROR_CODES = (
    "OK",
    "ErrAmbigContext",
    "ErrBadHTML",
    "ErrBranchEnd",
    "ErrEndContext",
    "ErrNoSuchTemplate",
    "ErrOutputContext",
    "ErrPartialCharset",
    "ErrPartialEscape",
    "ErrRangeLoopReentry",
    "ErrSlashAmbig",
    "ErrPredefinedEscaper",
    "ErrJSTemplate",
)


class Error:
    """``html/template.Error``. ``tree`` is the tree ``node`` belongs to (Go finds it from the node)."""

    __slots__ = ("code", "description", "line", "name", "node", "tree")

    def __init__(
        self, code: str, node: Node | None, tree: Tree | None, name: str, line: int, description: str
    ) -> None:
        assert code in ERROR_CODES, code
        self.code = code
        self.node = node
        self.tree = tree
        self.name = name
        self.line = line
        self.description = description

    def _location(self) -> tuple[str, int, int, int] | None:
        if self.node is None or self.tree is None:
            return None
        line, byte_col, char_col = self.tree.location(self.node.pos)
        return self.tree.parse_name, line, byte_col, char_col

    def error(self) -> str:
        """``Error.Error``: a node wins over name and line; Go's ``ErrorContext`` gives its place."""
        loc = self._location()
        if loc is not None:
            return f"html/template:{loc[0]}:{loc[1]}:{loc[2]}: {self.description}"
        if self.line != 0:
            return f"html/template:{self.name}:{self.line}: {self.description}"
        if self.name:
            return f"html/template:{self.name}: {self.description}"
        return "html/template: " + self.description

    def __str__(self) -> str:
        return self.error()

    def to_exception(self) -> EscapeError:
        loc = self._location()
        if loc is not None:
            assert self.node is not None and self.tree is not None
            return EscapeError(
                self.description,
                code=self.code,
                name=loc[0],
                line=loc[1],
                col=loc[3],
                go_message=self.error(),
                source_line=self.tree.source_line(self.node.pos),
            )
        return EscapeError(
            self.description, code=self.code, name=self.name, line=self.line, go_message=self.error()
        )


def errorf(code: str, node: Node | None, tree: Tree | None, line: int, description: str) -> Error:
    """``errorf``: an error whose template name is filled in later."""
    return Error(code, node, tree, "", line, description)
