"""CSS inlining: premailer against css-inline on a realistic transactional email.

The email is ``tests/fixtures/emails/recovery.html``: 600 px "bulletproof" table layout, a
``<style>`` block with ~35 rules (element, class, descendant, id selectors, one !important) and two
``@media`` blocks. Both backends are used the way ``mailtemplates.inline`` configures them (reused
instance, no network, @media kept). Run: ``.venv/bin/python benchmarks/bench_inline.py``.
"""

from __future__ import annotations

import _roundrobin as rr

from mailtemplates.inline import get_inliner


def main() -> None:
    args = rr.options(__doc__ or "")
    html = rr.FIXTURE.read_text(encoding="utf-8")
    css_inline = get_inliner("css-inline")
    premailer = get_inliner("premailer")
    out_ci, out_pm = css_inline.inline(html), premailer.inline(html)
    print(
        f"input {len(html.encode()):,} B; css-inline output {len(out_ci.encode()):,} B; "
        f"premailer output {len(out_pm.encode()):,} B; both keep @media: "
        f"{'@media' in out_ci and '@media' in out_pm}"
    )
    samples = rr.run(
        {
            "css-inline (CSSInlineBackend)": lambda: css_inline.inline(html),
            "premailer (PremailerBackend)": lambda: premailer.inline(html),
        },
        args.rounds,
        args.slice,
    )
    rr.report(samples, baseline="css-inline (CSSInlineBackend)")


if __name__ == "__main__":
    main()
