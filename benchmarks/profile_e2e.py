"""Where the time of one email goes: its stages timed on their own, then a cProfile of the whole.

    .venv/bin/python benchmarks/profile_e2e.py [--locale de] [--override]

The stages are what ``Renderer.render`` and ``RenderedEmail.to_message().as_bytes()`` do, called
one by one on the same data (interleaved round-robin, like every benchmark here), so their sum is
close to the end-to-end figure; the profile then shows the functions inside them.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _roundrobin import round_robin, table  # noqa: E402
from _workers import FROM_ADDRESS, FROM_NAME, context  # noqa: E402
from cases import OVERRIDE, SAMPLE_DATA  # noqa: E402

from mailtemplates import Renderer  # noqa: E402
from mailtemplates.models import get_template_type, to_template_data  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--locale", default="en")
    ap.add_argument("--override", action="store_true", help="the branded Kratos override (recovery_code/valid)")
    ap.add_argument("--rounds", type=int, default=11)
    args = ap.parse_args()
    if args.override:
        r = Renderer([OVERRIDE], check_interval=3600)
        name = "recovery_code/valid"
        contexts = [{**SAMPLE_DATA, "To": f"user{i}@example.com", "RecoveryCode": f"{i:06d}"} for i in range(4096)]
        locale = None
    else:
        r = Renderer(check_interval=3600)
        name = "recovery/valid"
        contexts = [context(i) for i in range(4096)]
        locale = args.locale
    tt = get_template_type(name)
    ctx = contexts[1]
    email = r.render(name, ctx, locale=locale)
    fields = to_template_data(tt.name, ctx)
    chain = r.locale_chain(locale, fields)
    data = tt.model("email")(**fields)
    parts = {p: r.compiled(tt, p, chain, required=p == "subject") for p in ("subject", "body", "plaintext")}
    key = (tt.name, chain)
    msg = email.to_message(to=ctx["To"], from_address=FROM_ADDRESS, from_name=FROM_NAME)
    inliner = r._get_inliner()

    stages: dict[str, Callable[[], object]] = {
        "to_template_data": lambda: to_template_data(tt.name, ctx),
        "locale_chain (memoised)": lambda: r.locale_chain(locale, fields),
        "model instance": lambda: tt.model("email")(**fields),
        "email parts (memo; compiled() x3 behind it)": lambda: r._parts.get(key),
        "execute subject": lambda: parts["subject"].run(data),
        "execute HTML body": lambda: parts["body"].run(data),
        "execute plaintext": lambda: parts["plaintext"].run(data) if parts["plaintext"] else None,
        "to_message()": lambda: email.to_message(to=ctx["To"], from_address=FROM_ADDRESS, from_name=FROM_NAME),
        "as_bytes() (built with the message)": msg.as_bytes,
    }
    if parts["body"] is not None and not parts["body"].css_done:
        html = parts["body"].run(data)
        stages["CSS inlining per email (css-inline)"] = lambda: inliner.inline(html)
    it = itertools.cycle(contexts)
    stages["END TO END (contexts vary)"] = lambda: r.render(name, (c := next(it)), locale=locale).to_message(
        to=c["To"], from_address=FROM_ADDRESS, from_name=FROM_NAME
    ).as_bytes()
    timed = round_robin(stages, rounds=args.rounds, slice_s=0.03)
    total = timed["END TO END (contexts vary)"]["median_us"]
    print(f"{name} ({locale or 'context locale'}); body CSS: {parts['body'].css_note if parts['body'] else '-'}")
    print(table([(k, f"{v['median_us']:.1f}", f"{v['median_us'] / total:.0%}") for k, v in timed.items()],
                ("stage", "median µs", "of e2e")))

    def loop() -> None:
        for _ in range(3000):
            c: dict[str, Any] = next(it)
            r.render(name, c, locale=locale).to_message(
                to=c["To"], from_address=FROM_ADDRESS, from_name=FROM_NAME
            ).as_bytes()

    prof = cProfile.Profile()
    prof.runcall(loop)
    print("\ncProfile, 3,000 emails (profiler overhead inflates small calls):")
    pstats.Stats(prof).sort_stats("tottime").print_stats(18)
    return 0


if __name__ == "__main__":
    sys.exit(main())
