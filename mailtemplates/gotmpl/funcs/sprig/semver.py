"""sprig v3.3.0 ``semver.go``: semver and semverCompare (Masterminds/semver in ``sprig_semver``)."""

from __future__ import annotations

from .. import GoFuncError
from ..sprig_semver import SemverError, check_constraint, new_version
from ._common import STR, reg


@reg("semver", STR, result="*semver.Version")
def _semver(version: str) -> object:
    try:
        return new_version(version)
    except SemverError as e:
        raise GoFuncError(str(e)) from None


@reg("semverCompare", STR, STR, result="bool")
def _semver_compare(constraint: str, version: str) -> bool:
    try:
        return check_constraint(constraint, version)
    except SemverError as e:
        raise GoFuncError(str(e)) from None
