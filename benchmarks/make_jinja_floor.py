"""Write the Jinja2 equivalents of the built-in ``recovery/valid`` email (en, de) for the benchmarks.

    python benchmarks/make_jinja_floor.py

For each locale, into ``benchmarks/jinja_floor/``:

* ``recovery_valid.<loc>.subject.jinja``: the subject;
* ``recovery_valid.<loc>.body.html.jinja``: the HTML body as shipped (``template_root``), with its
  ``<style>`` block: the input of the "literal pipeline" baseline (premailer + html2text per render);
* ``recovery_valid.<loc>.body.inlined.html.jinja``: the HTML body as ``Renderer`` executes it, after
  load-time CSS inlining (``mailtemplates.loadtime``): the bare Jinja2 floor. It renders the same
  bytes as ``Renderer.render(...).html`` (``run_all.py`` checks this on every run).

The Go actions of these templates (``with``, ``.``, ``int``, ``if eq``, ``else``, ``end``, ``$n``)
are translated one by one; anything else stops the script, so a changed built-in template is noticed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mailtemplates import loadtime  # noqa: E402
from mailtemplates.inline import get_inliner  # noqa: E402
from mailtemplates.loader import BUILTIN_ROOT  # noqa: E402

OUT = HERE / "jinja_floor"
LOCALES = {"en": "", "de": ".de"}
_ACTION = re.compile(r"\{\{(.*?)\}\}", re.S)


def go_to_jinja(src: str) -> str:
    """Translate the few Go actions the recovery/valid templates use into Jinja2 syntax."""
    out: list[str] = []
    pos = 0
    stack: list[str] = []
    dot: str | None = None
    for m in _ACTION.finditer(src):
        out.append(src[pos : m.start()])
        pos = m.end()
        action = m.group(1).strip()
        if action.startswith("with "):
            dot = action[5:].lstrip("$.")
            stack.append("with")
            out.append(f"{{% if {dot} %}}")
        elif action == "." and dot:
            out.append(f"{{{{ {dot} }}}}")
        elif action == "$n := int ." and dot:
            out.append(f"{{% set n = {dot}|int %}}")
        elif action == "if eq $n 1":
            stack.append("if")
            out.append("{% if n == 1 %}")
        elif action == "$n":
            out.append("{{ n }}")
        elif action == "else":
            out.append("{% else %}")
        elif action == "end":
            if stack.pop() == "with":
                dot = None
            out.append("{% endif %}")
        else:
            raise SystemExit(f"make_jinja_floor: no translation for the Go action {{{{ {action} }}}}")
    out.append(src[pos:])
    if stack:
        raise SystemExit("make_jinja_floor: unbalanced {{ end }}")
    return "".join(out)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    folder = Path(BUILTIN_ROOT) / "recovery" / "valid"
    inline = get_inliner("css-inline").inline
    for loc, suffix in LOCALES.items():
        subject = (folder / f"email.subject{suffix}.gotmpl").read_text(encoding="utf-8")
        body = (folder / f"email.body{suffix}.gotmpl").read_text(encoding="utf-8")
        inlined, reason = loadtime.inline_source(body, inline, None)
        if inlined is None:
            raise SystemExit(f"make_jinja_floor: {loc}: load-time inlining refused: {reason}")
        files = {
            f"recovery_valid.{loc}.subject.jinja": go_to_jinja(subject),
            f"recovery_valid.{loc}.body.html.jinja": go_to_jinja(body),
            f"recovery_valid.{loc}.body.inlined.html.jinja": go_to_jinja(inlined),
        }
        for name, text in files.items():
            (OUT / name).write_text(text, encoding="utf-8")
            print(f"wrote {OUT / name} ({len(text.encode()):,} B)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
