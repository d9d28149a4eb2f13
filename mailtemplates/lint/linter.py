"""Walking what ``lint`` is given: roots, flow folders, template folders and files.

:func:`lint_paths` finds the template folders under the paths, classifies and parses each
folder's files once, and runs the checks of :mod:`.checks` and :mod:`.deliverability` on them.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .. import i18n
from ..errors import InvalidName, MailTemplateError, TemplateError, TemplateSourceError
from ..gotmpl import DEFAULT_MAX_TEMPLATE_SIZE, HERMETIC_EXCLUDED, FuncMap, funcmap, nodes, parse_file, quote
from ..loader import BUILTIN_ROOT, PART_STEMS
from ..models import TEMPLATE_TYPES, TemplateType
from ..render import Renderer
from .checks import check_locales, check_part, check_parts_present
from .codes import Diagnostic, diag
from .compat import Clients, check_compat, parse_clients
from .deliverability import check_sender, check_text
from .files import FLOWS, LOCALE_SHAPE, PART_OF_STEM, STEMS, TEMPLATE_EXTS, TemplateFile
from .locales import check_engines, check_languages
from .scan import close_match, walk

__all__ = ["lint_paths"]


@functools.cache
def _full_funcs() -> FuncMap:
    # Built on first use: the function map costs more to build than the rest of the linter to
    # import, and `mailtemplates --help` imports this package.
    return funcmap("full")


@dataclass
class _Linter:
    use_builtins: bool
    default_locale: str
    max_template_size: int
    clients: Clients
    ignore: frozenset[str]
    diags: list[Diagnostic] = field(default_factory=list)
    done: set[str] = field(default_factory=set)
    renderers: dict[str, Renderer] = field(default_factory=dict)

    def renderer(self, root: str) -> Renderer:
        """The Renderer a courier would configure with ``root`` as its override folder: files are
        read and parts resolved through it, as a render reads and resolves them."""
        if root not in self.renderers:
            self.renderers[root] = Renderer(
                [root],
                default_locale=self.default_locale,
                use_builtins=self.use_builtins,
                max_template_size=self.max_template_size,
            )
        return self.renderers[root]

    def add(self, d: Diagnostic) -> None:
        self.diags.append(d)

    # -- walking roots --------------------------------------------------------------------------
    def lint_path(self, path: str) -> None:
        shown = os.path.normpath(path)
        if os.path.isdir(path):
            tt = self._type_of_folder(path)
            flow = os.path.basename(os.path.abspath(path))
            if tt is not None:
                self.lint_folder(shown, tt)
            elif flow in FLOWS and not any(os.path.isdir(os.path.join(path, f)) for f in FLOWS):
                self._lint_flow(shown, flow)
            else:
                self.lint_root(shown)
        elif os.path.isfile(path):
            tt = self._type_of_folder(os.path.dirname(os.path.abspath(path)))
            if tt is not None:
                self.lint_folder(os.path.dirname(shown) or ".", tt)
            elif path.endswith(TEMPLATE_EXTS):
                self.add(
                    diag(
                        "MT104",
                        shown,
                        0,
                        0,
                        "not inside a template folder: Kratos reads "
                        "templates from <flow>/<status>/ folders (recovery/valid, login_code/valid, ...)",
                    )
                )
        else:
            raise MailTemplateError(f"{path}: no such file or directory")

    @staticmethod
    def _type_of_folder(path: str) -> TemplateType | None:
        """The template type whose folder ``path`` is, unless it is itself a root of such folders."""
        if os.path.isdir(path) and any(os.path.isdir(os.path.join(path, f)) for f in FLOWS):
            return None
        parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
        for tt in TEMPLATE_TYPES.values():
            if tt.templated and tuple(parts[-len(tt.path_parts) :]) == tt.path_parts:
                return tt
        return None

    def lint_root(self, root: str) -> None:
        found = False
        for name in sorted(os.listdir(root)):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if os.path.isdir(path):
                if name not in FLOWS:
                    close = close_match(name, list(FLOWS))
                    self.add(
                        diag(
                            "MT104",
                            path,
                            0,
                            0,
                            f"unknown folder {name}/: Kratos never reads it",
                            f"rename it {close}/" if close else None,
                        )
                    )
                    continue
                found = True
                self._lint_flow(path, name)
            elif name.endswith(TEMPLATE_EXTS):
                self.add(
                    diag(
                        "MT104",
                        path,
                        0,
                        0,
                        "a template outside any template folder: Kratos reads "
                        "templates from <flow>/<status>/ folders (recovery/valid, login_code/valid, ...)",
                    )
                )
        if not found:
            self.add(
                diag(
                    "MT104",
                    root,
                    0,
                    0,
                    "no template folders here (recovery/valid, login_code/valid, ...): "
                    "Kratos would use its built-in templates for everything",
                )
            )

    def _lint_flow(self, d: str, flow: str) -> None:
        """``d`` is the folder of ``flow``: a template folder, or the parent of its status folders."""
        types = FLOWS[flow]
        if len(types) == 1 and types[0].status is None:
            self.lint_folder(d, types[0])
            return
        statuses = {tt.status: tt for tt in types}
        for name in sorted(os.listdir(d)):
            if name.startswith("."):
                continue
            path = os.path.join(d, name)
            if os.path.isdir(path):
                tt = statuses.get(name)
                if tt is not None:
                    self.lint_folder(path, tt)
                    continue
                close = close_match(name, [s for s in statuses if s])
                known = ", ".join(f"{flow}/{s}/" for s in statuses)
                self.add(
                    diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"unknown folder {flow}/{name}/: Kratos reads {known} only",
                        f"rename it {close}/" if close else None,
                    )
                )
            elif name.endswith(TEMPLATE_EXTS):
                known = ", ".join(f"{flow}/{s}/" for s in statuses)
                self.add(
                    diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"a template directly in {flow}/: Kratos reads templates from {known}",
                    )
                )

    # -- one template folder ---------------------------------------------------------------------
    def lint_folder(self, folder: str, tt: TemplateType) -> None:
        """Lint the template folder of ``tt`` (``folder`` as the user spelled its path)."""
        real = os.path.realpath(folder)
        if real in self.done:
            return
        self.done.add(real)
        builtin = real == os.path.realpath(os.path.join(BUILTIN_ROOT, *tt.path_parts))
        # The root a Renderer would be given: the folder without its <flow>/<status> components.
        root = os.path.abspath(folder)
        for _ in tt.path_parts:
            root = os.path.dirname(root)
        files = self._classify(folder, tt)
        gofiles = {f.name: f for f in files if f.stem is not None and f.engine == "gotmpl"}
        renderer = self.renderer(root)
        for f in files:
            self._read_and_parse(f, renderer, root, builtin)
        self.diags.extend(check_locales(files, gofiles))
        for part in tt.parts:
            self.diags.extend(check_part(folder, tt, part, gofiles, builtin))
        self.diags.extend(check_parts_present(folder, tt, files, builtin, self.use_builtins))
        for f in gofiles.values():
            if f.trees is not None:
                self.diags.extend(check_text(f))
        html = [f for f in gofiles.values() if f.trees is not None and f.stem == PART_STEMS["body"]]
        self.diags.extend(check_compat(html, self.clients, self.ignore))
        if not builtin:
            self.diags.extend(check_engines(files, tt, renderer))
            self.diags.extend(check_languages(folder, tt, renderer))

    def _classify(self, folder: str, tt: TemplateType) -> list[TemplateFile]:
        out: list[TemplateFile] = []
        generic_names = [PART_STEMS[p] + ".gotmpl" for p in tt.parts]
        for name in sorted(os.listdir(folder)):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            stem = next((s for s in STEMS if name.startswith(s)), None)
            if stem is not None and PART_OF_STEM[stem] in tt.parts and not os.path.isfile(path):
                # Kratos's glob (<stem>*) matches it and ParseFS fails to read it: every email of
                # the type fails, no fallback (the loader refuses it the same way).
                what = "a directory" if os.path.isdir(path) else "not a readable file"
                self.add(
                    diag(
                        "MT001",
                        path,
                        0,
                        0,
                        f"{name} is {what}, not a template file: its name matches {stem}*, so "
                        "Kratos (and mailtemplates) fail to load this part",
                        "rename or remove it",
                    )
                )
                continue
            if os.path.isdir(path):
                self.add(
                    diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"folder inside the {tt.name} template folder: Kratos does not look into subfolders",
                    )
                )
                continue
            if stem is None:
                close = close_match(name, generic_names)
                self.add(
                    diag(
                        "MT104",
                        path,
                        0,
                        0,
                        f"Kratos never reads {name}: {tt.name} templates are "
                        + ", ".join(generic_names)
                        + " and files starting with those names",
                        f"rename it {close}" if close else None,
                    )
                )
                continue
            if PART_OF_STEM[stem] not in tt.parts:
                self.add(
                    diag("MT104", path, 0, 0, f"{tt.name} has no SMS template: Kratos never reads {name}")
                )
                continue
            engine: Literal["gotmpl", "jinja"] = "jinja" if name.endswith(".jinja") else "gotmpl"
            f = TemplateFile(name, path, stem, engine)
            rest = name[len(stem) :]
            ext = ".jinja" if engine == "jinja" else ".gotmpl"
            if rest == ext:
                f.role = "generic"
            elif rest.endswith(ext) and rest.startswith(".") and LOCALE_SHAPE.fullmatch(rest[1 : -len(ext)]):
                f.role, f.locale = "locale", rest[1 : -len(ext)]
            out.append(f)
        return out

    def _read_and_parse(self, f: TemplateFile, renderer: Renderer, root: str, builtin: bool) -> None:
        # Read as a render reads it (Loader.read_file): confined to the root after symlinks and
        # size-checked before reading, so a refused file's content never reaches a diagnostic.
        try:
            f.text = renderer.loader.read_file(root, f.path)
        except (InvalidName, TemplateSourceError) as e:
            f.failed = True
            msg = str(e).removeprefix(f.path).lstrip(": ")
            what = "a render fails on it" if f.role != "partial" else "a render leaves it out of the set"
            self.add(diag("MT008", f.path, 0, 0, f"{msg}: mailtemplates does not read it ({what})"))
            return
        if f.engine == "jinja":
            from ..jinja import compile_jinja

            try:
                compile_jinja(f.text, f.path, html=f.stem == PART_STEMS["body"])
            except TemplateError as e:
                f.failed = True
                self.add(diag("MT001", f.path, e.line, 1 if e.line else 0, e.message))
            return
        try:
            # Parsed with the full function map so that one non-hermetic call does not hide the
            # rest of the file: MT005 reports each of them below.
            f.trees = parse_file(f.name, f.text, _full_funcs())
        except TemplateError as e:
            f.failed = True
            self.add(diag("MT001", f.path, e.line, e.col if e.line else 0, e.message))
            return
        if builtin:
            return  # Kratos's built-ins are parsed with the full map
        for tree in f.trees.values():
            for node in walk(tree.root):
                if isinstance(node, nodes.IdentifierNode) and node.ident in HERMETIC_EXCLUDED:
                    line, _, col = tree.location(node.pos)
                    self.add(
                        diag(
                            "MT005",
                            f.path,
                            line,
                            col,
                            f"function {quote(node.ident)} is not available in override templates: "
                            f"Kratos parses them with sprig's hermetic functions, so this is the parse error "
                            f'"function {quote(node.ident)} not defined"',
                        )
                    )


def lint_paths(
    paths: Sequence[str],
    *,
    from_address: str | None = None,
    use_builtins: bool = True,
    max_template_size: int = DEFAULT_MAX_TEMPLATE_SIZE,
    default_locale: str = "en",
    clients: str | Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[Diagnostic]:
    """Lint template roots, template folders or files; diagnostics sorted by file and position.

    A root holds ``<flow>/<status>/`` folders (an override directory); a template folder
    (``templates/recovery/valid``) or a file inside one lints that folder only. ``use_builtins``
    says whether missing parts fall back to the built-in templates (``Renderer(use_builtins=)``).
    Files are read as a Renderer reads them: confined to their root (the folder above
    ``<flow>/<status>/``) and refused above ``max_template_size`` bytes (``Renderer``'s limit),
    before anything is read. ``default_locale`` is the language of the override folders' generic
    files (``Renderer(default_locale=)``), for the mixed-language check. ``clients`` are the
    email clients the compatibility check targets (``"gmail,outlook.windows"``, ``"all"``;
    default :data:`~.compat.DEFAULT_CLIENTS`). ``ignore`` drops diagnostics by code (``MT402``)
    or, for the compatibility check, by caniemail feature (``css-display-flex``). Raises
    :class:`~mailtemplates.errors.MailTemplateError` for a path that does not exist, a default
    locale that is not a locale tag or a client the data does not know.
    """
    skip = frozenset(i.strip() for i in ignore if i.strip())
    linter = _Linter(
        use_builtins, i18n.normalize_locale(default_locale), max_template_size, parse_clients(clients), skip
    )
    for p in paths:
        linter.lint_path(os.fspath(p))
    diags = {dataclasses.replace(d, file=os.path.normpath(d.file)) if d.file else d for d in linter.diags}
    if from_address is not None:
        d = check_sender(from_address)
        if d is not None:
            diags.add(d)
    return sorted(
        (d for d in diags if d.code not in skip), key=lambda d: (d.file, d.line, d.col, d.code, d.message)
    )
