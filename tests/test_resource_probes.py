"""Resource probes: hostile templates in subprocesses capped in memory and time (issue 13).

Each probe of :mod:`resource_probes` runs in a child process limited to :data:`CAP_MB` MiB of
address space (``RLIMIT_AS``) and :data:`TIMEOUT` seconds of wall time. The property: it ends
with output or with one of the package's documented errors (most with the limit that stopped
it), never a ``MemoryError``, a crash or a hang, within the default ``max_seconds`` plus a margin
for a loaded machine. The fast subset runs in every test run; all of them with ``tox -e fuzz``
(``MAILTEMPLATES_FUZZ_EXAMPLES`` set). Before issue 13, 31 of the 34 probes failed (figures in
docs/limits.md).
"""

from __future__ import annotations

import os
import sys

import pytest
import resource_probes as rp

from mailtemplates import gotmpl

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's"),
]

CAP_MB = 1024
#: The default deadline plus room for a machine loaded by other jobs.
TIMEOUT = gotmpl.DEFAULT_MAX_SECONDS + 20

#: The limit each probe must stop at (a substring of the error), or "" for probes that finish.
EXPECT = {
    "replace-quadratic": "(max_output)",
    "indent-4e9": "(max_output)",
    "indent-4M-lines": "(max_output)",
    "nindent-4M-lines": "(max_output)",
    "join-4M-sep": "(max_output)",
    "replace-empty-4M": "(max_output)",
    "regexReplaceAll-4M": "(max_output)",
    "regexReplaceAllLiteral-4M": "(max_output)",
    "wrapWith-4M": "(max_output)",
    "cat-shared-4G": "(max_output)",
    "printf-width": "(max_output)",
    "toJson-shared-4G": "(max_output)",
    "repeat-1e9": "(max_output)",
    "concat-1G": "(max_output)",
    "append-printf-2G": "(max_values)",
    "uniq-8000": "",
    "without-8000": "",
    "sortAlpha-1M": "",
    "has-1M": "(max_seconds)",
    "snakecase-500K": "",
    "upper-50M": "",
    "regex-slow-loop": "",
    "print-shared-24": "(max_output)",
    "escape-ranges-18": "",
    "escape-ranges-20": "",
    "lint-ranges-20": "",
    "regexFindAll-empty-4M": "took longer than 1 s",
    "jinja-pow-10-5000": "bits",
    "jinja-pow-9-1e9": "bits",
    "lint-jinja-pow-9-1e9": "",
    "jinja-mul-2e9": "(max_output)",
    "jinja-nested-ranges": "(max_iterations)",
    "jinja-center": "(max_output)",
    "jinja-join-shared": "(max_output)",
}

ALL = bool(os.environ.get("MAILTEMPLATES_FUZZ_EXAMPLES"))
SELECTED = [p.id for p in rp.PROBES if ALL or p.fast]


def test_every_probe_has_an_expectation() -> None:
    assert set(EXPECT) == set(rp.BY_ID)


@pytest.mark.parametrize("probe_id", SELECTED)
def test_hostile_template_is_bounded_in_a_capped_process(probe_id: str) -> None:
    r = rp.run(probe_id, cap_mb=CAP_MB, timeout=TIMEOUT)
    assert r["outcome"] in ("ok", "error"), r
    if r["outcome"] == "error":
        assert r["type"].startswith("mailtemplates.errors."), r
    expect = EXPECT[probe_id]
    if expect:
        assert r["outcome"] == "error" and expect in r["message"], r
    assert r["peak_mb"] < CAP_MB, r
