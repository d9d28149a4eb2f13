"""sprig's functions against real Go: table-driven from tests/sprig_cases.

Every case in ``tests/sprig_cases/<group>/*.json`` is a template whose expected result was filled
by the Go oracle (Go 1.26 + sprig 3.2.3, ``oracle -fill``); ``make_cases.py`` in that folder
regenerates the templates. The engine targets the versions Kratos pins (sprig 3.3.0, semver
3.4.0, xstrings 1.5.0, cast 1.9.2, mergo 1.0.2, x/crypto 0.53.0), which the local oracle does not
build with: the few cases whose answer those versions change have ``origin: "kratos-deps"``, the
new answer in ``expect`` (matching the shared ``kratos-deps`` vectors and the upstream sources),
the oracle's old one in ``oracle_expect`` and the reason in ``kratos_deps_note``. An expected output must match exactly. An expected error must have the
same phase and, when it comes from a sprig function (``error calling NAME: ...``), the same
message text from that point on: the functions reproduce Go's wording byte for byte.

``KNOWN`` lists the cases that fail for reasons outside the sprig port, each with the reason; they
run as strict xfails so the list cannot go stale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conformance_support import run_case

from mailtemplates.gotmpl.funcs import HERMETIC_EXCLUDED, funcmap
from mailtemplates.gotmpl.funcs.sprig import REGISTRY

CASES_DIR = Path(__file__).parent / "sprig_cases"
CASES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES_DIR.glob("*/*.json"))]

# Cases that fail for a reason outside the sprig port, with the reason (none today).
KNOWN: dict[str, str] = {}

_CALL_ERROR = re.compile(r"error calling [^:]+: (.*)\Z", re.S)


def _matches(expect: dict[str, Any], got: dict[str, Any]) -> bool:
    if "output" in expect:
        return bool(got.get("output") == expect["output"])
    if "error" not in got or got["error"]["phase"] != expect["error"]["phase"]:
        return False
    want = _CALL_ERROR.search(expect["error"]["message"])
    if want is None:
        return True
    have = _CALL_ERROR.search(got["error"]["message"])
    return have is not None and have.group(1) == want.group(1)


def test_cases_were_filled_by_the_oracle() -> None:
    assert len(CASES) > 700
    for c in CASES:
        assert c["origin"] in ("oracle", "kratos-deps") and "expect" in c, c["id"]
        if c["origin"] == "kratos-deps":
            # Re-filled by hand from the newer versions' rules: the oracle's answer is kept and differs.
            assert c["kratos_deps_note"] and c["oracle_expect"] != c["expect"], c["id"]
    assert sum(c["origin"] == "kratos-deps" for c in CASES) == 10


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sprig_case(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # The oracle runs with this one variable set (and the local zone set to UTC).
    monkeypatch.setenv("GOTMPL_ORACLE_GREETING", "hello from env")
    got = run_case(case)
    ok = _matches(case["expect"], got)
    if case["id"] in KNOWN:
        assert not ok, f"{case['id']} passes now: remove it from KNOWN"
        pytest.xfail(KNOWN[case["id"]])
    assert ok, f"{case['description']}\n{case['files']}\nexpected: {case['expect']!r}\ngot:      {got!r}"


def _names_defined(kind: str) -> set[str]:
    """The names the oracle cases show as defined in the ``kind`` map."""
    out = set()
    for c in CASES:
        if c["category"] == "sprig-names" and c["funcs"] == kind and "output" in c["expect"]:
            out.add(c["files"]["main.gotmpl"].split("{{ ")[2].split(" }}")[0])
    return out


#: Functions sprig 3.3.0 added over the oracle's 3.2.3 (vectors text-kratos-deps-001/002).
ADDED_IN_330 = {"sha512sum"}


def test_registry_holds_exactly_the_full_map() -> None:
    assert set(REGISTRY.funcs) == _names_defined("full") | ADDED_IN_330


def test_hermetic_map_is_full_map_minus_excluded() -> None:
    hermetic = _names_defined("hermetic") | ADDED_IN_330
    assert set(REGISTRY.funcs) - HERMETIC_EXCLUDED == hermetic
    assert hermetic <= set(funcmap("hermetic"))
    assert not HERMETIC_EXCLUDED & set(funcmap("hermetic"))


def test_bcrypt_hash_from_go_verifies_with_our_bcrypt() -> None:
    # A hash Go's bcrypt made for "x" (oracle output); hashing "x" with its salt must give it back.
    from mailtemplates.gotmpl.funcs.sprig.crypto import _libcrypt

    fn = _libcrypt()
    if fn is None:
        pytest.skip("no crypt(3) with bcrypt on this system")
    go_hash = b"$2a$10$AJH6Urobe4fRWlHXsLiKQuPHw2V1dunhGV1smlaBGghcKzcLo/Ysu"
    assert fn(b"x", go_hash) == go_hash
