"""Every Go-produced vector, one table: exact output, or the same error phase.

The text-engine vectors must pass (a failure listed in conformance_known_failures.txt, with its
reason, is reported as xfail and checked to still fail so the list cannot rot). The html-engine
vectors run the same way.
"""

from __future__ import annotations

import pytest
from conformance_support import GOLDEN, LOCAL, SHARED, Case, known_failures, load_cases, matches, run_case

CASES = load_cases(SHARED, LOCAL, GOLDEN)
KNOWN = known_failures()


def test_corpus_is_complete() -> None:
    shared = [c for c in CASES if c.path.is_relative_to(SHARED)]
    assert len(shared) == 805, "tests/conformance must hold the whole shared corpus"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_vector(case: Case) -> None:
    got = run_case(case.raw)
    ok = matches(case.raw["expect"], got)
    if case.id in KNOWN:
        assert not ok, f"{case.id} passes now: remove it from conformance_known_failures.txt"
        pytest.xfail(KNOWN[case.id])
    assert ok, f"{case.raw['description']}\nexpected: {case.raw['expect']!r}\ngot:      {got!r}"
