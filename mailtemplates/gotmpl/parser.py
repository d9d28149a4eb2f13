"""The parser of Go's template language: recursive descent with three tokens of lookahead.

It follows Go 1.26 ``src/text/template/parse/parse.go`` rule for rule, so that the same source is accepted or
refused with the same message (``template: NAME:LINE: unexpected EOF``). Every error goes through
``Parser.errorf``, which adds the file name and line and raises :class:`TemplateSyntaxError`.

``parse_set`` parses several files into one namespace the way ``template.ParseFS`` does: files in
sorted name order, each a template named after its file, ``define``\\ s visible to all, and a later
non-empty definition replacing an earlier one (an empty one never replaces a non-empty one).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import NoReturn

from ..errors import TemplateSyntaxError
from . import nodes as n
from .gostrconv import go_string, quote
from .lexer import Item, ItemType, Lexer
from .literals import new_number, unquote

__all__ = ["DEFAULT_MAX_NESTING", "TOO_DEEP", "Parser", "parse_set"]

#: Go's limit on nested parentheses (``maxStackDepth``).
MAX_STACK_DEPTH = 10000
#: Our limit on nesting: ``if``/``range``/``with``/``block`` bodies, ``else if`` branches and
#: parentheses together. Far under Go's (which only bounds parentheses, at 10000) because every
#: stage of this package walks trees recursively on CPython's stack; see docs/limits.md.
DEFAULT_MAX_NESTING = 50
#: The error when the Python stack runs out anyway (a caller already deep in its own stack).
TOO_DEEP = "template too deeply nested for the Python stack (lower the nesting or max_nesting)"


# Item types looked up once: a class attribute of an enum costs several times a global, and the
# parser compares a few per token (issue 17).
_SPACE = ItemType.SPACE
_FIELD, _IDENTIFIER, _DOT, _VARIABLE = ItemType.FIELD, ItemType.IDENTIFIER, ItemType.DOT, ItemType.VARIABLE
_RIGHT_DELIM, _RIGHT_PAREN, _PIPE = ItemType.RIGHT_DELIM, ItemType.RIGHT_PAREN, ItemType.PIPE
_TEXT, _LEFT_DELIM, _EOF = ItemType.TEXT, ItemType.LEFT_DELIM, ItemType.EOF
_STRINGS = frozenset({ItemType.STRING, ItemType.RAW_STRING})
# The keywords that start a control structure (``action``); any other token starts a pipeline.
_CONTROL = frozenset(
    {
        ItemType.BLOCK,
        ItemType.BREAK,
        ItemType.CONTINUE,
        ItemType.ELSE,
        ItemType.END,
        ItemType.IF,
        ItemType.RANGE,
        ItemType.TEMPLATE,
        ItemType.WITH,
    }
)
_NUMBERS = frozenset({ItemType.CHAR_CONSTANT, ItemType.COMPLEX, ItemType.NUMBER})
# What a command may start with (the operands of ``pipeline``).
_COMMAND_START = frozenset(
    {
        ItemType.BOOL,
        ItemType.CHAR_CONSTANT,
        ItemType.COMPLEX,
        ItemType.DOT,
        ItemType.FIELD,
        ItemType.IDENTIFIER,
        ItemType.NUMBER,
        ItemType.NIL,
        ItemType.RAW_STRING,
        ItemType.STRING,
        ItemType.VARIABLE,
        ItemType.LEFT_PAREN,
    }
)


class Parser:
    """Parses one file; ``define``/``block`` trees go into the shared ``tree_set``."""

    def __init__(
        self,
        name: str,
        parse_name: str,
        text: str,
        lexer: Lexer,
        funcs: Container[str],
        tree_set: dict[str, n.Tree],
        max_nesting: int = DEFAULT_MAX_NESTING,
        nesting: int = 0,
        opened: list[tuple[str, int]] | None = None,
    ) -> None:
        self.name = name
        self.parse_name = parse_name
        self.text = text
        self.lex = lexer
        self.funcs = funcs
        self.tree_set = tree_set
        self.token: list[Item] = [Item(ItemType.EOF, 0, "", 1)] * 3
        self.peek_count = 0
        self.vars: list[str] = ["$"]
        self.action_line = 0
        self.action_pos = 0
        #: The open if/range/with/define/block around the current token, with the offset of its
        #: "{{": an unexpected EOF names the innermost one.
        self.opened: list[tuple[str, int]] = [] if opened is None else opened
        self.range_depth = 0
        self.stack_depth = 0
        self.max_nesting = max_nesting
        #: Open control structures and parentheses around the current token.
        self.nesting = nesting
        self.root: n.ListNode | None = None
        lexer.break_ok = "break" not in funcs
        lexer.continue_ok = "continue" not in funcs

    # -- token plumbing -----------------------------------------------------------------------------
    # The lexer's queue (items it lexed ahead in an action) is popped here without the call
    # to next_item: these are the parser's most frequent calls.
    def next(self) -> Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            queue = self.lex.queue
            self.token[0] = queue.pop() if queue else self.lex.next_item()
        return self.token[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: Item) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: Item, t1: Item) -> None:
        self.token[1] = t1
        self.token[2] = t2
        self.peek_count = 3

    def peek(self) -> Item:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        queue = self.lex.queue
        tok = self.token[0] = queue.pop() if queue else self.lex.next_item()
        return tok

    def next_non_space(self) -> Item:
        # next() inlined: this is the parser's most frequent call.
        while True:
            if self.peek_count > 0:
                self.peek_count -= 1
                tok = self.token[self.peek_count]
            else:
                queue = self.lex.queue
                tok = self.token[0] = queue.pop() if queue else self.lex.next_item()
            if tok.typ is not _SPACE:
                return tok

    def peek_non_space(self) -> Item:
        tok = self.next_non_space()
        self.peek_count += 1
        return tok

    # -- errors -------------------------------------------------------------------------------------
    def errorf(self, msg: str, pos: int | None = None, detail: str = "") -> NoReturn:
        """Raise the syntax error ``msg`` (Go's text) at the current token; ``detail`` is added
        to our message only, so that ``go_message`` stays Go's."""
        line = self.token[0].line
        at = pos if pos is not None else self.token[0].pos
        text = self.text
        start = text.rfind("\n", 0, min(at, len(text))) + 1
        col = min(at, len(text)) - start + 1
        end = text.find("\n", start)
        src_line = text[start : end if end >= 0 else len(text)]
        # The line Go names is the lexer's line of the current token, which for errors raised
        # by the lexer is where the bad token starts: show the source line of that line number.
        lines = text.split("\n")
        if 1 <= line <= len(lines) and lines[line - 1] != src_line:
            src_line, col = lines[line - 1], 0
        raise TemplateSyntaxError(
            msg + detail,
            name=self.parse_name,
            line=line,
            col=col,
            go_message=f"template: {self.parse_name}:{line}: {msg}",
            source_line=src_line,
        ) from None

    def expect(self, expected: ItemType, context: str) -> Item:
        tok = self.next_non_space()
        if tok.typ != expected:
            self.unexpected(tok, context)
        return tok

    def expect_one_of(self, e1: ItemType, e2: ItemType, context: str) -> Item:
        tok = self.next_non_space()
        if tok.typ not in (e1, e2):
            self.unexpected(tok, context)
        return tok

    def unexpected(self, tok: Item, context: str) -> NoReturn:
        if tok.typ == ItemType.ERROR:
            extra = ""
            if self.action_line != 0 and self.action_line != tok.line:
                extra = f" in action started at {self.parse_name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{tok}{extra}")
        self.errorf(f"unexpected {tok} in {context}")

    # -- structure ----------------------------------------------------------------------------------
    def parse(self) -> n.ListNode:
        """``Tree.parse``: the top level of a file, with ``define``\\ s split off."""
        self.root = n.ListNode(self.peek().pos)
        while self.peek().typ is not _EOF:
            if self.peek().typ is _LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == ItemType.DEFINE:
                    self.opened.append(("define", delim.pos))
                    self.sub_parser("definition", 0).parse_definition()
                    self.opened.pop()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, (n.EndNode, n.ElseNode)):
                self.errorf(f"unexpected {node}")
            self.root.nodes.append(node)
        self.add()
        return self.root

    def add(self) -> None:
        """Put this tree in the set; two non-empty definitions in one file are an error."""
        assert self.root is not None
        old = self.tree_set.get(self.name)
        if old is None or n.is_empty_tree(old.root):
            self.tree_set[self.name] = n.Tree(self.name, self.parse_name, self.root, self.text)
            return
        if not n.is_empty_tree(self.root):
            self.errorf(f"template: multiple definition of template {quote(self.name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        name = self.expect_one_of(ItemType.STRING, ItemType.RAW_STRING, context)
        try:
            self.name = unquote(name.val)
        except ValueError as e:
            self.errorf(str(e))
        self.expect(ItemType.RIGHT_DELIM, context)
        self.root, end = self.item_list()
        if not isinstance(end, n.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add()

    def item_list(self) -> tuple[n.ListNode, n.Node]:
        """``itemList``: textOrAction* up to an {{end}} or {{else}}, which is returned apart."""
        lst = n.ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ is not _EOF:
            node = self.text_or_action()
            if isinstance(node, (n.EndNode, n.ElseNode)):
                return lst, node
            lst.nodes.append(node)
        detail = ""
        if self.opened:
            what, at = self.opened[-1]
            line = self.text.count("\n", 0, at) + 1
            col = at - (self.text.rfind("\n", 0, at) + 1) + 1
            detail = f": the {{{{{what}}}}} at {self.parse_name}:{line}:{col} has no {{{{end}}}}"
        self.errorf("unexpected EOF", detail=detail)

    def text_or_action(self) -> n.Node:
        """``textOrAction``: text, a comment or an action."""
        tok = self.next_non_space()
        if tok.typ is _TEXT:
            return n.TextNode(tok.pos, tok.val)
        if tok.typ is _LEFT_DELIM:
            self.action_line = tok.line
            self.action_pos = tok.pos
            try:
                return self.action()
            finally:
                self.action_line = 0
        if tok.typ == ItemType.COMMENT:
            return n.CommentNode(tok.pos, tok.val)
        self.unexpected(tok, "input")

    def action(self) -> n.Node:
        """``action``: a control structure, or a pipeline (commands joined by ``|``). The left
        delimiter has been read; the first word may be a keyword."""
        tok = self.next_non_space()
        t = tok.typ
        if t not in _CONTROL:
            self.backup()  # tok is what peek() now gives
            return n.ActionNode(tok.pos, tok.line, self.pipeline("command", _RIGHT_DELIM))
        if t == ItemType.BLOCK:
            return self.block_control()
        if t == ItemType.BREAK:
            return self.break_control(tok.pos, tok.line)
        if t == ItemType.CONTINUE:
            return self.continue_control(tok.pos, tok.line)
        if t == ItemType.ELSE:
            return self.else_control()
        if t == ItemType.END:
            return self.end_control()
        if t == ItemType.IF:
            return self.if_control()
        if t == ItemType.RANGE:
            return self.range_control()
        if t == ItemType.TEMPLATE:
            return self.template_control()
        return self.with_control()  # the last of _CONTROL

    def break_control(self, pos: int, line: int) -> n.Node:
        tok = self.next_non_space()
        if tok.typ != ItemType.RIGHT_DELIM:
            self.unexpected(tok, "{{break}}")
        if self.range_depth == 0:
            self.errorf("{{break}} outside {{range}}")
        return n.BreakNode(pos, line)

    def continue_control(self, pos: int, line: int) -> n.Node:
        tok = self.next_non_space()
        if tok.typ != ItemType.RIGHT_DELIM:
            self.unexpected(tok, "{{continue}}")
        if self.range_depth == 0:
            self.errorf("{{continue}} outside {{range}}")
        return n.ContinueNode(pos, line)

    def pipeline(self, context: str, end: ItemType) -> n.PipeNode:
        """``pipeline``: declarations? command ('|' command)*, up to ``end``."""
        tok = self.peek_non_space()
        pipe = n.PipeNode(tok.pos, tok.line)
        while True:  # the "decls:" label of Go's parser
            # Declarations or assignments? Space is a token, so telling "$x := 1" from "$x foo"
            # (an argument) takes up to three tokens of lookahead: the one after the variable
            # is kept so that it can be pushed back.
            v = self.peek_non_space()
            if v.typ is not _VARIABLE:
                break
            self.next()
            after_var = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (ItemType.ASSIGN, ItemType.DECLARE):
                pipe.is_assign = nxt.typ == ItemType.ASSIGN
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
            elif nxt.typ == ItemType.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (
                        ItemType.VARIABLE,
                        ItemType.RIGHT_DELIM,
                        ItemType.RIGHT_PAREN,
                    ):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            elif after_var.typ == ItemType.SPACE:
                self.backup3(v, after_var)
            else:
                self.backup2(v)
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in _COMMAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: n.PipeNode, context: str) -> None:
        """No empty pipeline; only the first command may start with a constant (in A|B|C, B is
        stage 2)."""
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(c.args[0], (n.BoolNode, n.DotNode, n.NilNode, n.NumberNode, n.StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def sub_parser(self, name: str, nesting: int) -> Parser:
        """A parser for a ``define``/``block`` body: same lexer, tree set and limits."""
        return Parser(
            name,
            self.parse_name,
            self.text,
            self.lex,
            self.funcs,
            self.tree_set,
            self.max_nesting,
            nesting,
            self.opened,
        )

    def enter(self, what: str) -> None:
        """One more level of nesting; past ``max_nesting``, a parse error at the current token."""
        if self.nesting >= self.max_nesting:
            self.errorf(f"{what} nested more than {self.max_nesting} levels deep (max_nesting)")
        self.nesting += 1

    def parse_control(self, context: str) -> tuple[int, int, n.PipeNode, n.ListNode, n.ListNode | None]:
        nvars = len(self.vars)
        self.enter(f"{{{{{context}}}}}")
        self.opened.append((context, self.action_pos))
        try:
            pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: n.ListNode | None = None
            if isinstance(nxt, n.ElseNode):
                # "else if" and "else with": else_control left the keyword unread. The chain
                # {{if a}}x{{else if b}}y{{end}} is parsed as {{if a}}x{{else}}{{if b}}y{{end}}{{end}}
                # with the inner {{end}} implied: the nested if_control() stops at the one
                # {{end}} written, which closes every link of a long chain at once.
                if context == "if" and self.peek().typ == ItemType.IF:
                    self.next()
                    else_list = n.ListNode(nxt.pos, [self.if_control()])
                elif context == "with" and self.peek().typ == ItemType.WITH:
                    self.next()
                    else_list = n.ListNode(nxt.pos, [self.with_control()])
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, n.EndNode):
                        self.errorf(f"expected end; found {nxt}")
            return pipe.pos, pipe.line, pipe, lst, else_list
        finally:
            self.nesting -= 1
            self.opened.pop()
            del self.vars[nvars:]

    def if_control(self) -> n.Node:
        """{{if pipeline}} itemList ({{else}} itemList)? {{end}}; the keyword has been read."""
        return n.IfNode(*self.parse_control("if"))

    def range_control(self) -> n.Node:
        """{{range pipeline}} itemList ({{else}} itemList)? {{end}}; the keyword has been read."""
        return n.RangeNode(*self.parse_control("range"))

    def with_control(self) -> n.Node:
        """{{with pipeline}} itemList ({{else}} itemList)? {{end}}; the keyword has been read."""
        return n.WithNode(*self.parse_control("with"))

    def end_control(self) -> n.Node:
        """{{end}}; the keyword has been read."""
        return n.EndNode(self.expect(ItemType.RIGHT_DELIM, "end").pos)

    def else_control(self) -> n.Node:
        """{{else}}; the keyword has been read. For {{else if ...}} and {{else with ...}} the
        keyword is left unread: the caller parses it as {{else}}{{if ...}} (see parse_control)."""
        peek = self.peek_non_space()
        if peek.typ in (ItemType.IF, ItemType.WITH):
            return n.ElseNode(peek.pos, peek.line)
        tok = self.expect(ItemType.RIGHT_DELIM, "else")
        return n.ElseNode(tok.pos, tok.line)

    def block_control(self) -> n.Node:
        """{{block "name" pipeline}} itemList {{end}}: defines template "name" and calls it
        here. The pipeline is mandatory; the keyword has been read."""
        context = "block clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
        self.enter("{{block}}")
        block = self.sub_parser(name, self.nesting)
        self.nesting -= 1
        block.token = self.token
        self.opened.append(("block", self.action_pos))
        block.root, end = block.item_list()
        self.opened.pop()
        if not isinstance(end, n.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        block.add()
        return n.TemplateNode(tok.pos, tok.line, name, pipe)

    def template_control(self) -> n.Node:
        """{{template "name" pipeline?}}; the keyword has been read."""
        context = "template clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe: n.PipeNode | None = None
        if self.next_non_space().typ != ItemType.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
        return n.TemplateNode(tok.pos, tok.line, name, pipe)

    def parse_template_name(self, tok: Item, context: str) -> str:
        if tok.typ in (ItemType.STRING, ItemType.RAW_STRING):
            try:
                return unquote(tok.val)
            except ValueError as e:
                self.errorf(str(e))
        self.unexpected(tok, context)

    def command(self) -> n.CommandNode:
        """``command``: operand (space operand)*, up to a ``|`` (consumed) or the closing
        delimiter or parenthesis (left for the caller)."""
        cmd = n.CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ is _SPACE:
                continue
            if tok.typ is _RIGHT_DELIM or tok.typ is _RIGHT_PAREN:
                self.backup()
            elif tok.typ is _PIPE:
                pass
            else:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> n.Node | None:
        """``operand``: a term followed by field accesses (``term .Field*``)."""
        node = self.term()
        if node is None:
            return None
        if self.peek().typ is _FIELD:
            chain = n.ChainNode(self.peek().pos, node)
            while self.peek().typ is _FIELD:
                chain.field.append(self.next().val[1:])
            if isinstance(node, n.FieldNode):
                return n.FieldNode(chain.pos, node.ident + chain.field)
            if isinstance(node, n.VariableNode):
                return n.VariableNode(chain.pos, node.ident + chain.field)
            if isinstance(node, (n.BoolNode, n.StringNode, n.NumberNode, n.NilNode, n.DotNode)):
                self.errorf(f"unexpected . after term {quote(str(node))}")
            return chain
        return node

    def term(self) -> n.Node | None:
        """``term``: a literal, a function name, ``.``, ``nil``, a variable, a field or a
        parenthesized pipeline; None (token unread) for anything else."""
        tok = self.next_non_space()
        t = tok.typ
        if t is _FIELD:
            return n.FieldNode(tok.pos, tok.val[1:].split("."))
        if t is _IDENTIFIER:
            if tok.val not in self.funcs:
                self.errorf(f"function {quote(tok.val)} not defined")
            return n.IdentifierNode(tok.pos, tok.val)
        if t is _DOT:
            return n.DotNode(tok.pos)
        if t == ItemType.NIL:
            return n.NilNode(tok.pos)
        if t is _VARIABLE:
            return self.use_var(tok.pos, tok.val)
        if t == ItemType.BOOL:
            return n.BoolNode(tok.pos, tok.val == "true")
        if t in _NUMBERS:
            try:
                return new_number(tok.pos, tok.val, t)
            except ValueError as e:
                self.errorf(str(e))
        if t == ItemType.LEFT_PAREN:
            # Go's own message, at our (lower) limit too.
            if self.stack_depth >= MAX_STACK_DEPTH or self.nesting >= self.max_nesting:
                self.errorf("max expression depth exceeded")
            self.stack_depth += 1
            self.nesting += 1
            try:
                return self.pipeline("parenthesized pipeline", ItemType.RIGHT_PAREN)
            finally:
                self.stack_depth -= 1
                self.nesting -= 1
        if t in _STRINGS:
            try:
                return n.StringNode(tok.pos, tok.val, unquote(tok.val))
            except ValueError as e:
                self.errorf(str(e))
        self.backup()
        return None

    def use_var(self, pos: int, name: str) -> n.Node:
        parts = name.split(".")
        if parts[0] not in self.vars:
            self.errorf(f"undefined variable {quote(parts[0])}")
        return n.VariableNode(pos, parts)


def parse_file(
    name: str,
    text: str,
    funcs: Container[str],
    delims: tuple[str, str] | None = None,
    max_nesting: int = DEFAULT_MAX_NESTING,
) -> dict[str, n.Tree]:
    """Parse one file into its own tree set (``parse.Parse``)."""
    # Go reads a file as bytes: a lone surrogate a Python caller passes in is U+FFFD.
    text = go_string(text)
    left, right = delims if delims else ("", "")
    lexer = Lexer(name, text, left, right)
    tree_set: dict[str, n.Tree] = {}
    p = Parser(name, name, text, lexer, funcs, tree_set, max_nesting)
    p.parse()
    return tree_set


def parse_set(
    files: Mapping[str, str],
    funcs: Container[str],
    delims: tuple[str, str] | None = None,
    *,
    max_nesting: int = DEFAULT_MAX_NESTING,
    parsed: Mapping[str, Mapping[str, n.Tree]] | None = None,
) -> dict[str, n.Tree]:
    """Parse files into one namespace as ``template.ParseFS`` does (sorted names, later wins).

    ``parsed``: what :func:`parse_file` made of some of the files with the same ``funcs``,
    ``delims`` and ``max_nesting``, used instead of parsing them again (the trees are shared).
    """
    trees: dict[str, n.Tree] = {}
    for fname in sorted(files):
        file_trees = parsed.get(fname) if parsed is not None else None
        if file_trees is None:
            try:
                file_trees = parse_file(fname, files[fname], funcs, delims, max_nesting)
            except RecursionError:
                raise TemplateSyntaxError(
                    TOO_DEEP, name=fname, go_message=f"template: {fname}: {TOO_DEEP}"
                ) from None
        for tname, tree in file_trees.items():
            old = trees.get(tname)
            # Template.associate: an empty definition never replaces an existing one.
            if old is not None and n.is_empty_tree(tree.root):
                continue
            trees[tname] = tree
    return trees
