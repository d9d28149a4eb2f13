"""HTML -> text: mailtemplates' own converter against inscriptis and html2text.

Input: ``tests/fixtures/emails/recovery.html`` (as authored, with its <style> block).
Run: ``.venv/bin/python benchmarks/bench_plaintext.py``.
"""

from __future__ import annotations

import _roundrobin as rr

from mailtemplates.plaintext import get_converter


def main() -> None:
    args = rr.options(__doc__ or "")
    html = rr.FIXTURE.read_text(encoding="utf-8")
    convs = {name: get_converter(name) for name in ("builtin", "inscriptis", "html2text")}
    samples = rr.run(
        {name: (lambda c=c: c.convert(html)) for name, c in convs.items()}, args.rounds, args.slice
    )
    rr.report(samples, baseline="builtin")


if __name__ == "__main__":
    main()
