"""The escape pass over parse trees: Go's ``html/template/escape.go``.

:func:`escape_template` walks the executed template and every template it calls, tracking the
HTML parser :class:`~.context.Context` through text nodes, and records edits: escaper commands to
append to each action's pipeline, new text for text nodes (comments removed, stray ``<``
escaped), and new callee names for ``{{template}}`` calls whose callee must be escaped for a
context other than HTML text (a derived copy named ``name$htmltemplate_<context>``). Nothing
changes until the whole walk succeeded; then :meth:`Escaper.commit` applies the edits in place
and adds the derived trees to the set.

Follows Go 1.26 ``src/html/template/escape.go``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field

from ...errors import EscapeError, LimitExceeded
from ..gostrconv import quote
from ..nodes import (
    ActionNode,
    BranchNode,
    BreakNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    IdentifierNode,
    IfNode,
    ListNode,
    Node,
    PipeNode,
    RangeNode,
    TemplateNode,
    TextNode,
    Tree,
    WithNode,
)
from .context import Attr, Context, Delim, Element, JsCtx, State, UrlPart, is_comment, is_in_script_literal
from .error import Error, errorf
from .html import DELIM_ENDS, html_unescape
from .js import is_js_type
from .transition import (
    ATTR_START_STATES,
    TRANSITIONS,
    TRANSITIONS_AT,
    index_tag_end,
    quote_bytes,
    special_tag_end_marker,
    t_special_tag_end,
)

__all__ = ["Escaper", "Namespace", "ensure_pipeline_contains", "escape_template", "join", "nudge"]

# Escapers the template author may write, and the contextual escapers that are equivalent to them.
PREDEFINED_ESCAPERS = frozenset({"html", "urlquery"})
_EQUIV_ESCAPERS = {
    # All escape NUL, quotes, "&", "<" and ">".
    "_html_template_attrescaper": "html",
    "_html_template_htmlescaper": "html",
    "_html_template_rcdataescaper": "html",
    # Both %-encode RFC 3986's reserved characters.
    "_html_template_urlescaper": "urlquery",
    # Not equivalent (urlquery is stricter), kept for templates written before Go 1.9.
    "_html_template_urlnormalizer": "urlquery",
}
# _REDUNDANT[a] holds the b with b(a(x)) == a(x): appending b after a is useless.
_REDUNDANT = {
    "_html_template_commentescaper": {"_html_template_attrescaper", "_html_template_htmlescaper"},
    "_html_template_cssescaper": {"_html_template_attrescaper"},
    "_html_template_jsregexpescaper": {"_html_template_attrescaper"},
    "_html_template_jsstrescaper": {"_html_template_attrescaper"},
    "_html_template_jstmpllitescaper": {"_html_template_attrescaper"},
    "_html_template_urlescaper": {"_html_template_urlnormalizer"},
}


def _normalize_esc_fn(e: str) -> str:
    return _EQUIV_ESCAPERS.get(e, e)


def _first_ident(cmd: CommandNode) -> str | None:
    a = cmd.args[0] if cmd.args else None
    return a.ident if isinstance(a, IdentifierNode) else None


def _append_cmd(cmds: list[CommandNode], cmd: CommandNode) -> None:
    """``appendCmd``: append unless the last command already makes ``cmd`` redundant."""
    if cmds:
        last, nxt = _first_ident(cmds[-1]), _first_ident(cmd)
        if last is not None and nxt is not None and nxt in _REDUNDANT.get(last, ()):
            return
    cmds.append(cmd)


def _new_ident_cmd(ident: str, pos: int) -> CommandNode:
    # Go leaves the command's own position zero and puts the pipeline's on the identifier.
    return CommandNode(0, [IdentifierNode(pos, ident)])


def ensure_pipeline_contains(p: PipeNode, s: list[str]) -> None:
    """``ensurePipelineContains``: make ``p`` end with the escapers ``s``, merging ``html``/``urlquery``."""
    if not s:
        return
    s = list(s)
    pipeline_len = len(p.cmds)
    if pipeline_len > 0:
        last_cmd = p.cmds[-1]
        first = last_cmd.args[0] if last_cmd.args else None
        if isinstance(first, IdentifierNode) and first.ident in PREDEFINED_ESCAPERS:
            esc = first.ident
            if len(p.cmds) == 1 and len(last_cmd.args) > 1:
                # {{ esc a b }} becomes {{ _eval_args_ a b | esc }}, so esc can be merged below.
                last_cmd.args[0] = IdentifierNode(first.pos, "_eval_args_")
                _append_cmd(p.cmds, _new_ident_cmd(esc, p.pos))
                pipeline_len += 1
            # A contextual escaper equivalent to esc is replaced by esc itself.
            dup = False
            for i, name in enumerate(s):
                if _normalize_esc_fn(esc) == _normalize_esc_fn(name):
                    s[i] = esc
                    dup = True
            if dup:
                # esc is inserted with the others: drop it from the end of the pipeline.
                pipeline_len -= 1
    new_cmds = list(p.cmds[:pipeline_len])
    inserted = set()
    for cmd in new_cmds:
        ident = _first_ident(cmd)
        if ident is not None:
            inserted.add(_normalize_esc_fn(ident))
    for name in s:
        if _normalize_esc_fn(name) not in inserted:
            # A pipeline escaped before (a shared tree) keeps its escapers once.
            _append_cmd(new_cmds, _new_ident_cmd(name, p.pos))
    p.cmds = new_cmds


def nudge(c: Context) -> Context:
    """``nudge``: the context after the empty-string transitions (``<a href=`` + ``{{.}}``)."""
    if c.state == State.TAG:
        # <foo {{.}}: the action emits an attribute name.
        return c.with_(state=State.ATTR_NAME)
    if c.state == State.BEFORE_VALUE:
        # <foo bar={{.}}: an unquoted value.
        return c.with_(state=ATTR_START_STATES[c.attr], delim=Delim.SPACE_OR_TAG_END, attr=Attr.NONE)
    if c.state == State.AFTER_NAME:
        # <foo bar {{.}}: another attribute name.
        return c.with_(state=State.ATTR_NAME, attr=Attr.NONE)
    return c


def join(a: Context, b: Context, node: Node | None, tree: Tree | None, node_name: str) -> Context:
    """``join``: the context after a branch whose arms end in ``a`` and ``b``, or an error context."""
    if a.state == State.ERROR:
        return a
    if b.state == State.ERROR:
        return b
    if a.state == State.DEAD:
        return b
    if b.state == State.DEAD:
        return a
    if a.eq(b):
        return a
    c = a.with_(url_part=b.url_part)
    if c.eq(b):
        # Only the URL part differs.
        return c.with_(url_part=UrlPart.UNKNOWN)
    c = a.with_(js_ctx=b.js_ctx)
    if c.eq(b):
        # Only the regexp/division ambiguity differs.
        return c.with_(js_ctx=JsCtx.UNKNOWN)
    # A nudged context joins an unnudged one: <p title={{if .C}}{{.}}{{end}}
    na, nb = nudge(a), nudge(b)
    if not (na.eq(a) and nb.eq(b)):
        e = join(na, nb, node, tree, node_name)
        if e.state != State.ERROR:
            return e
    return Context(
        state=State.ERROR,
        err=errorf(
            "ErrBranchEnd", node, tree, 0, f"{{{{{node_name}}}}} branches end in different contexts: {a}, {b}"
        ),
    )


@dataclass
class _RangeContext:
    """``rangeContext``: the contexts at the breaks and continues of the current range loop."""

    outer: _RangeContext | None
    breaks: list[Context] = field(default_factory=list)
    continues: list[Context] = field(default_factory=list)


def _join_range(c0: Context, rc: _RangeContext, tree: Tree | None) -> Context:
    """``joinRange``: merge the contexts at break and continue into the loop body's context."""
    for c in rc.breaks:
        c0 = join(c0, c, c.n, tree, "range")
        if c0.state == State.ERROR:
            assert c0.err is not None and isinstance(c.n, BreakNode)
            c0.err.line = c.n.line
            c0.err.description = "at range loop break: " + c0.err.description
            return c0
    for c in rc.continues:
        c0 = join(c0, c, c.n, tree, "range")
        if c0.state == State.ERROR:
            assert c0.err is not None and isinstance(c.n, ContinueNode)
            c0.err.line = c.n.line
            c0.err.description = "at range loop continue: " + c0.err.description
            return c0
    return c0


#: How deep escaping may follow template calls into new (template, context) pairs. Go has no
#: limit: a template that calls itself from a context that changes on every call (a growing JS
#: template literal brace depth) makes Go's escaper derive copies until it runs out of memory.
MAX_CALL_DEPTH = 50


#: Nodes one escaping may walk (range bodies are walked more than once): far more than any
#: real template needs (the built-in templates take at most 33), and a few seconds at most.
MAX_ESCAPE_STEPS = 100_000


class Namespace:
    """The set of trees being escaped, with the escaper state Go keeps per template namespace.

    ``trees`` is changed in place on success, unless ``commit`` is false: then only the
    verdict is wanted (nothing is changed while escaping, edits and derived templates are only
    applied at the end, as Go's ``commit``). One Namespace may escape several entry templates
    one after another (Go escapes each executed template once, sharing what it learnt).
    """

    def __init__(self, trees: MutableMapping[str, Tree], commit: bool = True) -> None:
        self.trees = trees
        self.commit_edits = commit
        self.esc = Escaper(self)
        self.results: dict[str, EscapeError | None] = {}
        # Nesting of escape_tree calls that derive or escape a template body.
        self.depth = 0
        # Nodes walked so far (bounded by MAX_ESCAPE_STEPS), and what Escaper.reentry learnt.
        self.steps = 0
        self.reentry: dict[tuple[object, ...], tuple[Context, list[Context], list[Context]]] = {}
        self.calls_templates: dict[int, bool] = {}

    def escape(self, name: str) -> None:
        """``escapeTemplate``: escape ``name`` and what it calls, or raise EscapeError."""
        if name in self.results:
            prior = self.results[name]
            if prior is not None:
                raise prior
            return
        tree = self.trees.get(name)
        if tree is None:
            exc = EscapeError(
                f"{quote(name)} is undefined",
                code="ErrNoSuchTemplate",
                name=name,
                go_message=f"html/template: {quote(name)} is undefined",
            )
            self.results[name] = exc
            raise exc
        self.esc.tree = tree
        try:
            c, _ = self.esc.escape_tree(Context(), tree.root, name, 0)
        except RecursionError:
            # Deeply nested control structures: refuse rather than crash.
            c = Context(
                state=State.ERROR,
                err=errorf("ErrOutputContext", None, None, 0, "template nesting too deep to escape"),
            )
        finally:
            self.depth = 0
        err: Error | None = None
        if c.err is not None:
            err = c.err
            err.name = name
        elif c.state != State.TEXT:
            err = Error("ErrEndContext", None, None, name, 0, f"ends in a non-text context: {c}")
        if err is not None:
            exc = err.to_exception()
            self.results[name] = exc
            raise exc
        if self.commit_edits:
            self.esc.commit()
        self.results[name] = None


class Escaper:
    """``escaper``: type inferences about templates and the edits that make them safe."""

    def __init__(self, ns: Namespace) -> None:
        self.ns = ns
        # Output context of each template, by name mangled with its input context.
        self.output: dict[str, Context] = {}
        # Derived copies of templates for non-text start contexts, by mangled name.
        self.derived: dict[str, Tree] = {}
        self.called: set[str] = set()
        self.action_edits: dict[ActionNode, list[str]] = {}
        self.template_edits: dict[TemplateNode, str] = {}
        self.text_edits: dict[TextNode, str] = {}
        self.range_context: _RangeContext | None = None
        # The tree whose nodes are being walked: errors name places in it.
        self.tree: Tree | None = None

    # -- the walk ---------------------------------------------------------------------------------

    def escape(self, c: Context, n: Node) -> Context:
        self.ns.steps += 1
        if self.ns.steps > MAX_ESCAPE_STEPS:
            tree = self.tree
            raise LimitExceeded(
                f"escaping needs more than {MAX_ESCAPE_STEPS} steps (range loops nested too deeply)",
                name=tree.parse_name if tree is not None else "",
            )
        if isinstance(n, ActionNode):
            return self.escape_action(c, n)
        if isinstance(n, BreakNode):
            assert self.range_context is not None
            self.range_context.breaks.append(c.with_(n=n))
            return Context(state=State.DEAD)
        if isinstance(n, CommentNode):
            return c
        if isinstance(n, ContinueNode):
            assert self.range_context is not None
            self.range_context.continues.append(c.with_(n=n))
            return Context(state=State.DEAD)
        if isinstance(n, IfNode):
            return self.escape_branch(c, n, "if")
        if isinstance(n, ListNode):
            return self.escape_list(c, n)
        if isinstance(n, RangeNode):
            return self.escape_branch(c, n, "range")
        if isinstance(n, TemplateNode):
            return self.escape_template(c, n)
        if isinstance(n, TextNode):
            return self.escape_text(c, n)
        if isinstance(n, WithNode):
            return self.escape_branch(c, n, "with")
        raise AssertionError(f"escaping {n} is unimplemented")

    def _error(self, code: str, node: Node | None, line: int, description: str) -> Context:
        return Context(state=State.ERROR, err=errorf(code, node, self.tree, line, description))

    def escape_action(self, c: Context, n: ActionNode) -> Context:
        """``escapeAction``: choose the escapers for an action's output in context ``c``."""
        if n.pipe.decl:
            # A variable assignment prints nothing.
            return c
        c = nudge(c)
        # html and urlquery are only allowed last, and html not in an unquoted attribute.
        for pos, cmd in enumerate(n.pipe.cmds):
            ident = _first_ident(cmd)
            if ident is None or ident not in PREDEFINED_ESCAPERS:
                continue
            if pos < len(n.pipe.cmds) - 1 or (
                c.state == State.ATTR and c.delim == Delim.SPACE_OR_TAG_END and ident == "html"
            ):
                return self._error(
                    "ErrPredefinedEscaper", n, n.line, f'predefined escaper "{ident}" disallowed in template'
                )
        s: list[str] = []
        st = c.state
        if st == State.ERROR:
            return c
        if st in (
            State.URL,
            State.CSS_DQ_STR,
            State.CSS_SQ_STR,
            State.CSS_DQ_URL,
            State.CSS_SQ_URL,
            State.CSS_URL,
        ):
            if c.url_part == UrlPart.NONE:
                s.append("_html_template_urlfilter")
            if c.url_part in (UrlPart.NONE, UrlPart.PRE_QUERY):
                if st in (State.CSS_DQ_STR, State.CSS_SQ_STR):
                    s.append("_html_template_cssescaper")
                else:
                    s.append("_html_template_urlnormalizer")
            elif c.url_part == UrlPart.QUERY_OR_FRAG:
                s.append("_html_template_urlescaper")
            else:
                return self._error(
                    "ErrAmbigContext", n, n.line, f"{n} appears in an ambiguous context within a URL"
                )
        elif st == State.META_CONTENT:
            pass  # the delimiter below decides
        elif st == State.META_CONTENT_URL:
            # GODEBUG htmlmetacontenturlescape=1, the default.
            s.append("_html_template_urlfilter")
        elif st == State.JS:
            s.append("_html_template_jsvalescaper")
            # A slash after a value is a division.
            c = c.with_(js_ctx=JsCtx.DIV_OP)
        elif st in (State.JS_DQ_STR, State.JS_SQ_STR):
            s.append("_html_template_jsstrescaper")
        elif st == State.JS_TMPL_LIT:
            s.append("_html_template_jstmpllitescaper")
        elif st == State.JS_REGEXP:
            s.append("_html_template_jsregexpescaper")
        elif st == State.CSS:
            s.append("_html_template_cssvaluefilter")
        elif st == State.TEXT:
            s.append("_html_template_htmlescaper")
        elif st == State.RCDATA:
            s.append("_html_template_rcdataescaper")
        elif st == State.ATTR:
            pass  # the delimiter below decides
        elif st in (State.ATTR_NAME, State.TAG):
            c = c.with_(state=State.ATTR_NAME)
            s.append("_html_template_htmlnamefilter")
        elif st == State.SRCSET:
            s.append("_html_template_srcsetescaper")
        elif is_comment(st):
            s.append("_html_template_commentescaper")
        else:
            raise AssertionError(f"unexpected state {st}")
        if c.delim == Delim.SPACE_OR_TAG_END:
            s.append("_html_template_nospaceescaper")
        elif c.delim != Delim.NONE:
            s.append("_html_template_attrescaper")
        self._edit_action(n, s)
        return c

    def escape_branch(self, c: Context, n: BranchNode, node_name: str) -> Context:
        """``escapeBranch``: ``if``, ``range`` and ``with``; both arms must end alike."""
        if node_name == "range":
            self.range_context = _RangeContext(self.range_context)
        c0 = self.escape_list(c, n.list)
        if node_name == "range":
            assert self.range_context is not None
            if c0.state != State.ERROR:
                c0 = _join_range(c0, self.range_context, self.tree)
            self.range_context = self.range_context.outer
            if c0.state == State.ERROR:
                return c0
            # The body may run again: running it twice must end where running it once does.
            self.range_context = _RangeContext(self.range_context)
            c1 = self.reentry(c0, n.list)
            c0 = join(c0, c1, n, self.tree, node_name)
            if c0.state == State.ERROR:
                self.range_context = self.range_context.outer
                assert c0.err is not None
                # Say it is about re-entry: that arm is easy to overlook.
                c0.err.line = n.line
                c0.err.description = "on range loop re-entry: " + c0.err.description
                return c0
            c0 = _join_range(c0, self.range_context, self.tree)
            self.range_context = self.range_context.outer
            if c0.state == State.ERROR:
                return c0
        c1 = self.escape_list(c, n.else_list)
        return join(c0, c1, n, self.tree, node_name)

    def reentry(self, c: Context, body: ListNode) -> Context:
        """The context after a range body runs again from ``c`` (its edits are dropped).

        Go runs each body twice, so nested ranges cost 2**depth body walks (depth 18: 9.5 s).
        Without template calls in it, a body run from the same context ends the same way, with
        the same breaks and continues: that is remembered per body and context, which makes
        nesting cost quadratic in its depth. (With template calls, what they infer may change
        between runs: those bodies are walked again, within MAX_ESCAPE_STEPS.)
        """
        rc = self.range_context
        assert rc is not None
        key: tuple[object, ...] | None = None
        if c.err is None and not self._calls_templates(body):
            key = (
                id(body),
                c.state,
                c.delim,
                c.url_part,
                c.js_ctx,
                c.js_brace_depth or (),
                c.attr,
                c.element,
            )
            known = self.ns.reentry.get(key)
            if known is not None:
                rc.breaks.extend(known[1])
                rc.continues.extend(known[2])
                return known[0]
        nb, nc = len(rc.breaks), len(rc.continues)
        out, _ = self.escape_list_conditionally(c, body, None)
        if key is not None:
            self.ns.reentry[key] = (out, rc.breaks[nb:], rc.continues[nc:])
        return out

    def _calls_templates(self, n: Node | None) -> bool:
        known = self.ns.calls_templates.get(id(n))
        if known is None:
            if isinstance(n, TemplateNode):
                known = True
            elif isinstance(n, ListNode):
                known = any(self._calls_templates(m) for m in n.nodes)
            elif isinstance(n, BranchNode):
                known = self._calls_templates(n.list) or self._calls_templates(n.else_list)
            else:
                known = False
            self.ns.calls_templates[id(n)] = known
        return known

    def escape_list(self, c: Context, n: ListNode | None) -> Context:
        """``escapeList``."""
        if n is None:
            return c
        for m in n.nodes:
            c = self.escape(c, m)
            if c.state == State.DEAD:
                break
        return c

    def escape_list_conditionally(
        self,
        c: Context,
        n: ListNode,
        accept: Callable[[Escaper, Context], bool] | None,
        tree: Tree | None = None,
    ) -> tuple[Context, bool]:
        """``escapeListConditionally``: escape ``n`` in a scratch escaper; keep its work if accepted."""
        e1 = Escaper(self.ns)
        self.ns.steps += len(self.output)  # the copy below is work too
        e1.range_context = self.range_context
        e1.tree = tree if tree is not None else self.tree
        # Inferences made so far are visible to the scratch escaper.
        e1.output.update(self.output)
        c = e1.escape_list(c, n)
        ok = accept is not None and accept(e1, c)
        if ok:
            self.output.update(e1.output)
            self.derived.update(e1.derived)
            self.called.update(e1.called)
            for an, cmds in e1.action_edits.items():
                self._edit_action(an, cmds)
            for tn, callee in e1.template_edits.items():
                self._edit_template(tn, callee)
            for xn, text in e1.text_edits.items():
                self._edit_text(xn, text)
        return c, ok

    def escape_template(self, c: Context, n: TemplateNode) -> Context:
        """``escapeTemplate``: a ``{{template}}`` call; the callee may need a derived copy."""
        c, name = self.escape_tree(c, n, n.name, n.line)
        if name != n.name:
            self._edit_template(n, name)
        return c

    def lookup(self, name: str) -> Tree | None:
        """``escaper.template``: a template of the set, or one derived (and not yet committed)."""
        t = self.ns.trees.get(name)
        if t is None:
            t = self.derived.get(name)
        return t

    def escape_tree(self, c: Context, node: Node, name: str, line: int) -> tuple[Context, str]:
        """``escapeTree``: escape template ``name`` for start context ``c``; its output and name."""
        dname = c.mangle(name)
        self.called.add(dname)
        out = self.output.get(dname)
        if out is not None:
            # Already escaped (or being escaped: a recursive call).
            return out, dname
        t = self.lookup(name)
        if t is None:
            return self._error("ErrNoSuchTemplate", node, line, f'no such template "{name}"'), dname
        if dname != name:
            # Reuse a copy derived earlier, or derive one now.
            dt = self.lookup(dname)
            if dt is None:
                dt = Tree(dname, t.parse_name, t.root.copy(), t.text)
                self.derived[dname] = dt
            t = dt
        if self.ns.depth >= MAX_CALL_DEPTH:
            return self._error(
                "ErrOutputContext",
                node,
                line,
                f"cannot compute output context for template {dname}: "
                f"template calls nest more than {MAX_CALL_DEPTH} deep",
            ), dname
        self.ns.depth += 1
        try:
            return self.compute_out_ctx(c, t), dname
        finally:
            self.ns.depth -= 1

    def compute_out_ctx(self, c: Context, t: Tree) -> Context:
        """``computeOutCtx``: the output context of ``t`` started in ``c`` (a fixed point if recursive)."""
        c1, ok = self.escape_template_body(c, t)
        if not ok:
            # Assume c1 as the output context and try again.
            c2, ok2 = self.escape_template_body(c1, t)
            if ok2:
                c1, ok = c2, True
        if not ok and c1.state != State.ERROR:
            return Context(
                state=State.ERROR,
                err=errorf(
                    "ErrOutputContext", t.root, t, 0, f"cannot compute output context for template {t.name}"
                ),
            )
        return c1

    def escape_template_body(self, c: Context, t: Tree) -> tuple[Context, bool]:
        """``escapeTemplateBody``: escape ``t`` assuming it ends in ``c``; whether that held."""

        def accept(e1: Escaper, c1: Context) -> bool:
            if c1.state == State.ERROR:
                return False
            if t.name not in e1.called:
                # Not recursive: c1 is exact.
                return True
            return c.eq(c1)

        # Recursive calls take the fast path in escape_tree with this assumption.
        self.output[t.name] = c
        return self.escape_list_conditionally(c, t.root, accept, t)

    # -- text ----------------------------------------------------------------------------------

    def escape_text(self, c: Context, n: TextNode) -> Context:
        """``escapeText``: run the text through the transitions; strip comments, escape stray ``<``."""
        key = None
        if c.err is None and c.n is None:
            key = (n.text, c.state, c.delim, c.url_part, c.js_ctx, c.js_brace_depth, c.attr, c.element)
            hit = _TEXT_MEMO.get(key)
            if hit is not None:
                if hit[1] is not None:
                    self._edit_text(n, hit[1])
                return hit[0]
        c1, edited = _escape_text(c, n.text)
        if edited is not None:
            self._edit_text(n, edited)
        if key is not None and c1.err is None and c1.n is None:
            global _text_memo_chars
            if len(_TEXT_MEMO) >= _TEXT_MEMO_SIZE or _text_memo_chars > _TEXT_MEMO_CHARS:
                _TEXT_MEMO.clear()
                _text_memo_chars = 0
            _TEXT_MEMO[key] = (c1, edited)
            _text_memo_chars += len(n.text)
        return c1

    # -- edits ----------------------------------------------------------------------------------

    def _edit_action(self, n: ActionNode, cmds: list[str]) -> None:
        if n in self.action_edits:
            raise AssertionError(f"node {n} shared between templates")
        self.action_edits[n] = cmds

    def _edit_template(self, n: TemplateNode, callee: str) -> None:
        if n in self.template_edits:
            raise AssertionError(f"node {n} shared between templates")
        self.template_edits[n] = callee

    def _edit_text(self, n: TextNode, text: str) -> None:
        if n in self.text_edits:
            raise AssertionError(f"node {n} shared between templates")
        self.text_edits[n] = text

    def commit(self) -> None:
        """``commit``: apply the edits and add the derived templates to the set."""
        for name, t in self.derived.items():
            self.ns.trees[name] = t
        for an, cmds in self.action_edits.items():
            ensure_pipeline_contains(an.pipe, cmds)
        for tn, callee in self.template_edits.items():
            tn.name = callee
        for xn, text in self.text_edits.items():
            xn.text = text
        # Edits are applied once; inferences (output, derived) stay for later entries.
        self.called = set()
        self.action_edits = {}
        self.template_edits = {}
        self.text_edits = {}


# Enum members used once per transition, looked up once (a class attribute of an enum costs
# several times a module global's lookup).
_TEXT, _TAG_STATE, _NO_DELIM, _NO_ELEMENT = State.TEXT, State.TAG, Delim.NONE, Element.NONE

# What escape_text found for a text in a context: (context after it, the text rewritten or None).
# A folder's templates (one per language) share much of their markup, their style sheet above
# all, and a set's templates are escaped once per entry: the same text in the same context is
# read once (lint over the built-ins: 786 escapes of 201 distinct texts). Plain contexts only
# (no error, no saved break/continue node), whose results depend on nothing else. Emptied when
# it holds more than _TEXT_MEMO_SIZE texts or _TEXT_MEMO_CHARS characters of them.
_TEXT_MEMO: dict[tuple[object, ...], tuple[Context, str | None]] = {}
_TEXT_MEMO_SIZE = 512
_TEXT_MEMO_CHARS = 1 << 22
_text_memo_chars = 0


def _escape_lt(s: bytes, b: bytearray, written: int, start: int, end: int) -> int:
    """Copy ``s[written:]`` into ``b`` up to each ``<`` in ``s[start:end]`` that does not open a
    doctype, writing ``&lt;`` for it (Go's escapeText in text and RCDATA); return what is
    written now."""
    j = s.find(b"<", start, end)
    while j != -1:
        if s[j : j + 9].upper() != b"<!DOCTYPE":
            b += s[written:j]
            b += b"&lt;"
            written = j + 1
        j = s.find(b"<", j + 1, end)
    return written


def _escape_text(c: Context, text: str) -> tuple[Context, str | None]:
    """``escapeText`` proper: the context after ``text`` and, if it had to change, its new text."""
    s = text.encode("utf-8", "surrogateescape")
    written, i = 0, 0
    b = bytearray()
    tag_ends: dict[bytes, tuple[int, int]] = {}
    n_s = len(s)
    while i != n_s:
        c1, nread = context_after_text_at(c, s, i, tag_ends)
        i1 = i + nread
        state, state1 = c.state, c1.state
        if state is _TEXT and state1 is _TAG_STATE and c1.delim is _NO_DELIM:
            # The commonest step by far (text up to a tag): the general case below, with
            # what cannot apply to it left out (no comment, no script literal).
            k = s.rfind(b"<", i, i1)
            written = _escape_lt(s, b, written, i, i1 if k == -1 else k)
            c, i = c1, i1
            continue
        if state in _PLAIN_STATES and state1 not in _COMMENT_STATES and i != i1:
            # Nothing of this text is rewritten here (the branches below all skip it).
            c, i = c1, i1
            continue
        if state in (State.TEXT, State.RCDATA):
            end = i1
            if c1.state != c.state:
                k = s.rfind(b"<", i, end)
                if k != -1:
                    end = k
            written = _escape_lt(s, b, written, i, end)
        elif is_comment(c.state) and c.delim == Delim.NONE:
            if c.state == State.JS_BLOCK_CMT:
                # A block comment with a line terminator acts as one (ES5 7.4).
                chunk = s[written:i1]
                if any(t in chunk for t in (b"\n", b"\r", b"\xe2\x80\xa8", b"\xe2\x80\xa9")):
                    b += b"\n"
                else:
                    b += b" "
            elif c.state == State.CSS_BLOCK_CMT:
                b += b" "
            written = i1
        if c.state != c1.state and is_comment(c1.state) and c1.delim == Delim.NONE:
            # Keep what comes before the comment's opening token.
            cs = i1 - 2
            if c1.state in (State.HTML_CMT, State.JS_HTML_OPEN_CMT):
                cs -= 2  # "<!--" rather than "/*" or "//"
            elif c1.state == State.JS_HTML_CLOSE_CMT:
                cs -= 1  # "-->"
            b += s[written:cs]
            written = i1
        if is_in_script_literal(c.state) and _SPECIAL_SCRIPT_TAG.search(s[i:i1]):
            b += s[written:i]
            b += _SPECIAL_SCRIPT_TAG.sub(rb"\\x3C\1", s[i:i1])
            written = i1
        if i == i1 and c.state == c1.state:
            raise AssertionError(f"infinite loop from {c} to {c1} on {s[:i]!r}..{s[i:]!r}")
        c, i = c1, i1
    if written != 0 and c.state != State.ERROR:
        if not is_comment(c.state) or c.delim != Delim.NONE:
            b += s[written:]
        return c, b.decode("utf-8", "surrogateescape")
    return c, None


# Attributes with a quoted value closed in the same text (name as eat_attr_name reads one, white
# space as eat_white_space), then maybe the tag's ">": whatever the attribute, its value is not
# looked into, and the tag of an ordinary element is where the escaper is after it
# (context_after_text's end of a value), its text after the ">".
_QUOTED_ATTRS = re.compile(
    rb"""(?:[ \t\n\f\r]*[^ \t\n\f\r=>'"<]+[ \t\n\f\r]*=[ \t\n\f\r]*(?:"[^"]*"|'[^']*'))*"""
    rb"""(?:[ \t\n\f\r]*(>))?"""
)
_COMMENT_STATES = frozenset(st for st in State if is_comment(st))
# States whose text escape_text keeps as it is: no text, RCDATA, comment or script literal.
_PLAIN_STATES = frozenset(
    st
    for st in State
    if st not in (State.TEXT, State.RCDATA) and not is_comment(st) and not is_in_script_literal(st)
)

# "<!--", "<script" and "</script" inside JS literals are written with \x3C (WHATWG 4.12.1.3).
_SPECIAL_SCRIPT_TAG = re.compile(rb"(?i)<(script|/script|!--)")


def context_after_text_at(
    c: Context, s: bytes, i: int, tag_ends: dict[bytes, tuple[int, int]]
) -> tuple[Context, int]:
    """``context_after_text(c, s[i:])``, without copying the rest of ``s`` where the context
    allows it: between tags, at the end of a quoted attribute value, and in a special element's
    body up to its end tag (``tag_ends``: where the search for each end tag started, and the
    offset it found or -1, kept for the next call on the same ``s``).

    Go reads ``s[i:]`` in place; a copy per transition made escaping a large text node
    quadratic in its length (issue 17: 114 ms of a 125 KB template's first render)."""
    if c.delim == _NO_DELIM:
        tag = None if c.element == _NO_ELEMENT else special_tag_end_marker(c)
        if tag is None and c.state == _TAG_STATE and c.element == _NO_ELEMENT:
            m = _QUOTED_ATTRS.match(s, i)
            if m is not None and m.end() != i:
                # As t_tag, t_after_name, t_before_value and the end of the value would take
                # them, one transition each, nothing of them rewritten: back in the tag, or
                # (t_tag at the ">" of an ordinary element) in text.
                if m.group(1) is not None:
                    return Context(_TEXT), m.end() - i
                return Context(_TAG_STATE), m.end() - i
        if tag is None:
            at = TRANSITIONS_AT.get(c.state)
            return at(c, s, i) if at is not None else context_after_text(c, s[i:])
        known = tag_ends.get(tag)
        if known is None or i < known[0] or (known[1] != -1 and i > known[1]):
            # The first end tag at or after i is the one found from an earlier start, if no
            # later than it (index_tag_end finds the first "</tag" + separator).
            k = index_tag_end(s[i:], tag)
            known = (i, -1 if k == -1 else i + k)
            tag_ends[tag] = known
        end = known[1]
        if end == i:
            return Context(), 0
        return TRANSITIONS[c.state](c, s[i:end] if end != -1 else s[i:])
    if c.delim != Delim.SPACE_OR_TAG_END:
        k = -1
        for ch in DELIM_ENDS[c.delim]:
            j = s.find(ch, i)
            if j != -1 and (k == -1 or j < k):
                k = j
        if k != -1:
            # The value ends in this text: as context_after_text's end of an attribute.
            element = c.element
            if (
                c.state == State.ATTR
                and c.element == Element.SCRIPT
                and c.attr == Attr.SCRIPT_TYPE
                and not is_js_type(s[i:k].decode("utf-8", "surrogateescape"))
            ):
                element = Element.NONE
            return Context(_TAG_STATE, element=element), k - i + 1
    return context_after_text(c, s[i:])


def context_after_text(c: Context, s: bytes) -> tuple[Context, int]:
    """``contextAfterText``: consume a prefix of ``s`` from context ``c``."""
    if c.delim == Delim.NONE:
        c1, i = t_special_tag_end(c, s)
        if i == 0:
            # A special end tag (</script>) follows; everything before it is consumed.
            return c1, 0
        # Only the content up to any end tag.
        return TRANSITIONS[c.state](c, s[:i])

    # Inside an attribute value.
    ends = DELIM_ENDS[c.delim]
    i = -1
    for ch in ends:
        j = s.find(bytes((ch,)))
        if j != -1 and (i == -1 or j < i):
            i = j
    if i == -1:
        i = len(s)
    if c.delim == Delim.SPACE_OR_TAG_END:
        # These are parse errors in unquoted values, where browsers disagree on what happens.
        for j in range(i):
            if s[j] in b"\"'<=`":
                return Context(
                    state=State.ERROR,
                    err=errorf(
                        "ErrBadHTML",
                        None,
                        None,
                        0,
                        f"{quote_bytes(s[j : j + 1])} in unquoted attr: {quote_bytes(s[:i])}",
                    ),
                ), len(s)
    if i == len(s):
        # Still inside the value: decode entities so <button onclick="alert(&quot;Hi!&quot;)">
        # is read as the JS it is.
        u = html_unescape(s)
        while u:
            c1, i1 = TRANSITIONS[c.state](c, u)
            if i1 == 0 and c1.state == c.state:
                raise AssertionError(f"no progress in {c} on {u!r}")
            c, u = c1, u[i1:]
        return c, len(s)
    element = c.element
    # A <script type> that is not JavaScript makes the body plain text.
    if (
        c.state == State.ATTR
        and c.element == Element.SCRIPT
        and c.attr == Attr.SCRIPT_TYPE
        and not is_js_type(s[:i].decode("utf-8", "surrogateescape"))
    ):
        element = Element.NONE
    if c.delim != Delim.SPACE_OR_TAG_END:
        i += 1  # the closing quote
    # Leaving the attribute: only the state and element remain.
    return Context(state=State.TAG, element=element), i


def escape_template(trees: MutableMapping[str, Tree], name: str) -> None:
    """Escape template ``name`` of ``trees`` (and what it calls) in place, or raise EscapeError."""
    Namespace(trees).escape(name)
