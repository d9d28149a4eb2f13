"""Correctness and Kratos-layout checks of one template folder (``MT0xx``, ``MT1xx``, ``MT301``).

Each check is a generator of :class:`~.codes.Diagnostic`; :mod:`.linter` decides which files
they see. A part's files are checked as Kratos parses them: an override file together with its
siblings matching ``<part>*``, a built-in file alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence

from .. import gotmpl, i18n
from ..errors import EscapeError, InvalidName, LocaleError, TemplateError
from ..gotmpl import nodes, quote
from ..loader import BUILTIN_ROOT, PART_STEMS
from ..models import Model, TemplateType, model_fields
from .codes import Diagnostic, diag
from .files import TemplateFile
from .scan import calls, close_match, passes_dot, walk

__all__ = ["check_locales", "check_part", "check_parts_present", "referenced"]

_DEFINE_AT = re.compile(r"\{\{-?\s*(define|block)\b")


def referenced(gofiles: Mapping[str, TemplateFile]) -> set[str]:
    """Every name a ``{{ template }}`` of these files calls."""
    out: set[str] = set()
    for f in gofiles.values():
        for tree in (f.trees or {}).values():
            out.update(n.name for n in walk(tree.root) if isinstance(n, nodes.TemplateNode))
    return out


def check_locales(files: list[TemplateFile], gofiles: Mapping[str, TemplateFile]) -> Iterator[Diagnostic]:
    called = referenced(gofiles)
    names = {f.name for f in files}
    for f in files:
        if f.role != "locale" or f.locale is None or f.stem is None:
            continue
        if f.name in called:
            f.role = "partial"  # called by name: a partial that happens to look like a locale
            continue
        ext = ".jinja" if f.engine == "jinja" else ".gotmpl"
        try:
            norm: str | None = i18n.normalize_locale(f.locale)
        except (LocaleError, InvalidName):
            norm = None
        if norm is None or not i18n.is_known_locale(norm):
            yield diag(
                "MT103",
                f.path,
                0,
                0,
                f"{f.locale!r} is not a locale Babel knows: this file is never chosen for a locale",
                f"if it is a partial, call it with {{{{ template {quote(f.name)} . }}}}",
            )
            f.role = "partial"
            continue
        if norm != f.locale:
            yield diag(
                "MT103",
                f.path,
                0,
                0,
                f"locale {f.locale!r} is spelled {norm!r} in file names: mailtemplates looks for "
                f"{f.stem}.{norm}{ext}",
                f"rename it {f.stem}.{norm}{ext}",
            )
        if f.stem + ".gotmpl" not in names and f.stem + ".jinja" not in names:
            yield diag(
                "MT102",
                f.path,
                0,
                0,
                f"no {f.stem}.gotmpl beside it: Kratos never loads this file (it uses the built-in "
                f"{f.stem}.gotmpl), and mailtemplates uses it for {norm!r} only",
            )


def check_part(
    folder: str, tt: TemplateType, part: str, gofiles: Mapping[str, TemplateFile], builtin: bool
) -> Iterator[Diagnostic]:
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
                {n: gofiles[n].text or "" for n in members},
                html=html,
                funcs="full",
                # Each file was parsed alone already (MT001), as a set parses it: no second parse.
                parsed={n: t for n in members if (t := gofiles[n].trees) is not None},
            )
        except TemplateError:  # pragma: no cover - every member parsed on its own
            continue
        mine = [n for n in members if n in own]
        yield from check_calls(folder, stem, tset, mine, gofiles)
        if not builtin:
            yield from check_defines(part, members, gofiles)
        model = tt.model("sms" if part == "sms" else "email")
        generic = stem + ".gotmpl"
        checked: set[str] = set()
        for entry in (n for n in entries if n in members):
            if entry != generic and generic in tset.trees and calls(tset.trees, generic, entry):
                continue  # Kratos's dispatch pattern: the generic file renders this one
            yield from check_fields(folder, tt, model, tset.trees, entry, checked)
            if html:
                yield from check_escape(folder, tset, entry)


def check_calls(
    folder: str,
    stem: str,
    tset: gotmpl.TemplateSet,
    mine: Sequence[str],
    gofiles: Mapping[str, TemplateFile],
) -> Iterator[Diagnostic]:
    for name in mine:
        for tree in (gofiles[name].trees or {}).values():
            for node in walk(tree.root):
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
                    suggestion = f"rename {node.name} to {new}: both email.body* and {stem}* match that name"
                elif node.name in gofiles:
                    suggestion = f"{stem}* does not match {node.name}: give {stem}* its own copy of it"
                else:
                    close = close_match(node.name, [n for n in tset.trees if n != name])
                    suggestion = f"did you mean {quote(close)}?" if close else None
                yield diag(
                    "MT004",
                    os.path.join(folder, name),
                    line,
                    col,
                    f"template {quote(node.name)} is not defined: {name} is parsed with the "
                    f"files matching {stem}* only, so this call fails when it runs",
                    suggestion,
                )


def check_defines(
    part: str, members: Sequence[str], gofiles: Mapping[str, TemplateFile]
) -> Iterator[Diagnostic]:
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
                yield diag(
                    "MT006",
                    path,
                    line,
                    col,
                    f"the HTML email renders {winner_file}'s {{{{define {quote(tname)}}}}}, not this "
                    f"one: email.body* also matches {winner_file}, which sorts later and replaces it",
                    f"rename the block, for example {quote('html-' + tname)}",
                )
            else:
                yield diag(
                    "MT101",
                    path,
                    line,
                    col,
                    f"{{{{define {quote(tname)}}}}} is replaced by the one in {winner_file}: "
                    f"files are parsed in name order and the later definition wins",
                    "give each file's blocks their own names",
                )


def check_fields(
    folder: str,
    tt: TemplateType,
    model: type[Model],
    trees: Mapping[str, nodes.Tree],
    entry: str,
    checked: set[str],
) -> Iterator[Diagnostic]:
    """Top-level model fields read on dot or ``$``, following ``{{ template "x" . }}``."""
    names = [fi.go_name for fi in model_fields(model)]
    known = set(names)
    found: list[Diagnostic] = []
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
            close = close_match(field_name, names)
            found.append(
                diag(
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
                if node.pipe is not None and passes_dot(node.pipe):
                    arg = node.pipe.cmds[0].args[0]
                    if dot_is_model or isinstance(arg, nodes.VariableNode):
                        todo.append(node.name)

        visit(tree.root, True)
    yield from found


def check_escape(folder: str, tset: gotmpl.TemplateSet, entry: str) -> Iterator[Diagnostic]:
    try:
        tset.escape(entry, compile_code=False)  # the verdict only: no code to run
    except EscapeError as e:
        if e.code == "ErrNoSuchTemplate":
            return  # MT004 names the call
        yield diag(
            "MT002",
            os.path.join(folder, e.name or entry),
            e.line,
            e.col if e.line else 0,
            f"{e.code}: {e.message}",
        )
    except TemplateError as e:  # pragma: no cover - escape() raises EscapeError for templates
        yield diag("MT002", os.path.join(folder, entry), e.line, e.col if e.line else 0, e.message)


def check_parts_present(
    folder: str, tt: TemplateType, files: Sequence[TemplateFile], builtin: bool, use_builtins: bool
) -> Iterator[Diagnostic]:
    generic = {f.stem: f.path for f in files if f.role == "generic" and f.stem is not None}

    def fallback(part: str) -> bool:
        base = os.path.join(BUILTIN_ROOT, *tt.path_parts, PART_STEMS[part] + ".gotmpl")
        return use_builtins and not builtin and os.path.isfile(base)

    has = {p: PART_STEMS[p] in generic or fallback(p) for p in ("subject", "body", "plaintext")}
    here = {p: PART_STEMS[p] in generic for p in ("body", "plaintext")}
    if not has["subject"]:
        yield diag(
            "MT007",
            folder,
            0,
            0,
            f"no email.subject.gotmpl for {tt.name}, and no built-in to fall back on",
        )
    if not has["body"] and not has["plaintext"]:
        yield diag(
            "MT007",
            folder,
            0,
            0,
            f"no email.body.gotmpl or email.body.plaintext.gotmpl for {tt.name}, and no built-in to fall back on",
        )
    if here["body"] and not here["plaintext"]:
        yield diag(
            "MT301",
            generic[PART_STEMS["body"]],
            0,
            0,
            "no email.body.plaintext.gotmpl beside it: mailtemplates derives the text part from the "
            "rendered HTML (Kratos would send its built-in plaintext)",
        )
    if here["plaintext"] and not here["body"] and has["body"]:
        yield diag(
            "MT105",
            generic[PART_STEMS["plaintext"]],
            0,
            0,
            "no email.body.gotmpl beside it: the HTML part is the built-in template, which mail "
            "clients show instead of this text",
            "override email.body.gotmpl as well",
        )
