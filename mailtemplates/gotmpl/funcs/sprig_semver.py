"""Masterminds/semver v3.4.0 (``semver`` and ``semverCompare``; ``version.go``, ``constraints.go``),
with its own regular expressions run through our Go regexp port so that what parses is exactly
what Go parses.

``semver`` returns a :class:`Version` (a ``*semver.Version``). Templates call its methods
(``.Major``, ``.Compare (semver "1.3.0")``, ``.IncPatch``): they are registered in
:data:`..funcs.METHODS`. ``IncPatch`` and friends return a ``semver.Version`` value
(:class:`VersionValue`), which has only the value-receiver methods. ``%v`` prints both through
``go_string`` (Go's ``String`` method, as ``fmt.Stringer``).

What semver 3.4 changed from 3.2 (sprig 3.2.3's): lower-case error texts; ``LessThanEqual`` and
``GreaterThanEqual``; a prerelease in one constraint of an AND group lets prereleases satisfy the
whole group (``>= 1.2.3, < 1.3.0-0`` accepts ``1.2.9-pre``); ``!=`` refuses prereleases like
every other operator.
"""

from __future__ import annotations

from typing import Final

from ..gofmt import STRINGERS
from . import GoFuncError, methods
from .sprig_regex import compile_go

__all__ = ["SemverError", "Version", "VersionValue", "check_constraint", "new_version"]


class SemverError(ValueError):
    """A semver error; ``str(e)`` is the Go library's message."""


_SEMVER_RE: Final = (
    r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_CV_RE: Final = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS: Final = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_NUM: Final = "0123456789"
_ALLOWED: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-" + _NUM


class Version:
    """A *semver.Version. Fields carry the values of Go's accessor methods."""

    __slots__ = ("Major", "Metadata", "Minor", "Original", "Patch", "Prerelease")
    go_type = "*semver.Version"

    def __init__(self, major: int, minor: int, patch: int, pre: str, metadata: str, original: str) -> None:
        self.Major = major
        self.Minor = minor
        self.Patch = patch
        self.Prerelease = pre
        self.Metadata = metadata
        self.Original = original

    def go_string(self) -> str:
        """Version.String."""
        s = f"{self.Major}.{self.Minor}.{self.Patch}"
        if self.Prerelease:
            s += "-" + self.Prerelease
        if self.Metadata:
            s += "+" + self.Metadata
        return s

    def marshal_json(self) -> str:
        return self.go_string()

    def __repr__(self) -> str:
        return f"Version({self.go_string()!r})"

    def compare(self, o: Version) -> int:
        for a, b in ((self.Major, o.Major), (self.Minor, o.Minor), (self.Patch, o.Patch)):
            if a != b:
                return -1 if a < b else 1
        ps, po = self.Prerelease, o.Prerelease
        if ps == "" and po == "":
            return 0
        if ps == "":
            return 1
        if po == "":
            return -1
        return _compare_prerelease(ps, po)


class VersionValue(Version):
    """A ``semver.Version`` value (what ``IncPatch`` returns): only the value-receiver methods."""

    __slots__ = ()
    go_type = "semver.Version"


STRINGERS[Version] = Version.go_string  # fmt prints a *semver.Version through String
STRINGERS[VersionValue] = Version.go_string

_NIL_DEREF: Final = "runtime error: invalid memory address or nil pointer dereference"


def _other(o: Version | None) -> Version:
    """The ``*Version`` argument of a comparison; a nil one panics in Go."""
    if o is None:
        raise GoFuncError(_NIL_DEREF)
    return o


def _inc(v: Version, major: int, minor: int, patch: int) -> VersionValue:
    """The Inc methods: prerelease and metadata dropped, the original's "v" prefix kept."""
    out = VersionValue(major, minor, patch, "", "", "")
    out.Original = ("v" if v.Original[:1] == "v" else "") + out.go_string()
    return out


def _inc_patch(v: Version) -> VersionValue:
    # A prerelease 1.2.3-rc.1 becomes 1.2.3: the patch release it precedes.
    return _inc(v, v.Major, v.Minor, v.Patch if v.Prerelease else v.Patch + 1)


_both = methods(Version, VersionValue)
_ptr = methods(Version)
_both("Major", result="uint64")(lambda v: v.Major)
_both("Minor", result="uint64")(lambda v: v.Minor)
_both("Patch", result="uint64")(lambda v: v.Patch)
_both("Prerelease", result="string")(lambda v: v.Prerelease)
_both("Metadata", result="string")(lambda v: v.Metadata)
_both("String", result="string")(Version.go_string)
_both("IncPatch", result="semver.Version")(_inc_patch)
_both("IncMinor", result="semver.Version")(lambda v: _inc(v, v.Major, v.Minor + 1, 0))
_both("IncMajor", result="semver.Version")(lambda v: _inc(v, v.Major + 1, 0, 0))
_ptr("Original", result="string")(lambda v: v.Original)
_ptr("Compare", "*semver.Version", result="int")(lambda v, o: v.compare(_other(o)))
_ptr("Equal", "*semver.Version", result="bool")(lambda v, o: v.compare(_other(o)) == 0)
_ptr("LessThan", "*semver.Version", result="bool")(lambda v, o: v.compare(_other(o)) < 0)
_ptr("LessThanEqual", "*semver.Version", result="bool")(lambda v, o: v.compare(_other(o)) <= 0)
_ptr("GreaterThan", "*semver.Version", result="bool")(lambda v, o: v.compare(_other(o)) > 0)
_ptr("GreaterThanEqual", "*semver.Version", result="bool")(lambda v, o: v.compare(_other(o)) >= 0)


def _contains_only(s: str, comp: str) -> bool:
    return all(c in comp for c in s)


def _parse_uint(s: str) -> int:
    v = int(s)
    if v >= 1 << 64:
        raise SemverError(
            f'error parsing version segment: strconv.ParseUint: parsing "{s}": value out of range'
        )
    return v


def new_version(v: str) -> Version:
    """semver.NewVersion."""
    m = compile_go("^" + _SEMVER_RE + "$").py.search(v)
    if m is None:
        raise SemverError("invalid semantic version")
    pre = m.group(5) or ""
    meta = m.group(8) or ""
    major = _parse_uint(m.group(1))
    minor = _parse_uint(m.group(2)[1:]) if m.group(2) else 0
    patch = _parse_uint(m.group(3)[1:]) if m.group(3) else 0
    if pre:
        for p in pre.split("."):
            if _contains_only(p, _NUM):
                if len(p) > 1 and p[0] == "0":
                    raise SemverError("version segment starts with 0")
            elif not _contains_only(p, _ALLOWED):
                raise SemverError("invalid prerelease string")
    if meta:
        for p in meta.split("."):
            if not _contains_only(p, _ALLOWED):
                raise SemverError("invalid metadata string")
    return Version(major, minor, patch, pre, meta, v)


def _compare_prerelease(v: str, o: str) -> int:
    sp, op = v.split("."), o.split(".")
    for i in range(max(len(sp), len(op))):
        s = sp[i] if i < len(sp) else ""
        t = op[i] if i < len(op) else ""
        d = _compare_pre_part(s, t)
        if d:
            return d
    return 0


def _uint_or_none(s: str) -> int | None:
    if s and all("0" <= c <= "9" for c in s):
        v = int(s)
        return v if v < 1 << 64 else None
    return None


def _compare_pre_part(s: str, o: str) -> int:
    if s == o:
        return 0
    if s == "":
        return -1
    if o == "":
        return 1
    oi, si = _uint_or_none(o), _uint_or_none(s)
    if oi is None and si is None:
        return 1 if s > o else -1
    if oi is None:
        return -1
    if si is None:
        return 1
    return 1 if si > oi else -1


class _Constraint:
    def __init__(
        self, con: Version, orig: str, origfunc: str, minor_dirty: bool, patch_dirty: bool, dirty: bool
    ):
        self.con = con
        self.orig = orig
        self.origfunc = origfunc
        self.minor_dirty = minor_dirty
        self.patch_dirty = patch_dirty
        self.dirty = dirty


def _is_x(s: str) -> bool:
    return s in ("x", "*", "X")


def _parse_constraint(c: str) -> _Constraint:
    if c:
        m = compile_go(rf"^\s*({_OPS})\s*({_CV_RE})\s*$").py.search(c)
        if m is None:
            raise SemverError(f"improper constraint: {c}")
        g = [m.group(i) or "" for i in range(m.re.groups + 1)]
        ver = g[2]
        minor_dirty = patch_dirty = dirty = False
        if _is_x(g[3]) or g[3] == "":
            ver = "0.0.0" + g[6]
            dirty = True
        elif _is_x(g[4][1:] if g[4].startswith(".") else g[4]) or g[4] == "":
            minor_dirty = dirty = True
            ver = f"{g[3]}.0.0{g[6]}"
        elif _is_x(g[5][1:] if g[5].startswith(".") else g[5]) or g[5] == "":
            dirty = patch_dirty = True
            ver = f"{g[3]}{g[4]}.0{g[6]}"
        try:
            con = new_version(ver)
        except SemverError:
            raise SemverError("constraint Parser Error") from None
        return _Constraint(con, g[2], g[1], minor_dirty, patch_dirty, dirty)
    return _Constraint(Version(0, 0, 0, "", "", "0.0.0"), c, "", False, False, True)


def _rewrite_range(i: str) -> str:
    rx = compile_go(rf"\s*({_CV_RE})\s+-\s+({_CV_RE})\s*")
    matches = [(m.group(0), m.group(1), m.group(11)) for m in rx._all(i, -1)]
    o = i
    for whole, a, b in matches:
        o = o.replace(whole, f">= {a}, <= {b}", 1)
    return o


def _check(v: Version, c: _Constraint, include_pre: bool) -> bool:
    """The constraint functions of semver, reduced to their boolean result. ``include_pre``: the
    AND group has a prerelease somewhere, so a prerelease version may satisfy every part of it."""
    op = c.origfunc
    con = c.con
    if v.Prerelease and not con.Prerelease and not include_pre:
        return False
    if op in ("", "="):
        if c.dirty:
            return _tilde(v, c, include_pre)
        return v.compare(con) == 0
    if op == "!=":
        if c.dirty:
            if con.Major != v.Major:
                return True
            if con.Minor != v.Minor and not c.minor_dirty:
                return True
            if c.minor_dirty:
                return False
            if con.Patch != v.Patch and not c.patch_dirty:
                return True
            if c.patch_dirty:
                if v.Prerelease or con.Prerelease:
                    return _compare_prerelease(v.Prerelease, con.Prerelease) != 0
                return False
        return v.compare(con) != 0
    if op == ">":
        if not c.dirty:
            return v.compare(con) == 1
        if v.Major > con.Major:
            return True
        if v.Major < con.Major or c.minor_dirty:
            return False
        if c.patch_dirty:
            return v.Minor > con.Minor
        return v.compare(con) == 1
    if op == "<":
        return v.compare(con) < 0
    if op in (">=", "=>"):
        return v.compare(con) >= 0
    if op in ("<=", "=<"):
        if not c.dirty:
            return v.compare(con) <= 0
        if v.Major > con.Major:
            return False
        return not (v.Major == con.Major and v.Minor > con.Minor and not c.minor_dirty)
    if op in ("~", "~>"):
        return _tilde(v, c, include_pre)
    # ^
    if v.compare(con) < 0:
        return False
    if con.Major > 0 or c.minor_dirty:
        return v.Major == con.Major
    if con.Major == 0 and v.Major > 0:
        return False
    if con.Minor > 0 or c.patch_dirty:
        return v.Minor == con.Minor
    if con.Minor == 0 and v.Minor > 0:
        return False
    return con.Patch == v.Patch


def _tilde(v: Version, c: _Constraint, include_pre: bool) -> bool:
    con = c.con
    if v.Prerelease and not con.Prerelease and not include_pre:
        return False
    if v.compare(con) < 0:
        return False
    if con.Major == 0 and con.Minor == 0 and con.Patch == 0 and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.Major != con.Major:
        return False
    return not (v.Minor != con.Minor and not c.minor_dirty)


def check_constraint(constraint: str, version: str) -> bool:
    """sprig's semverCompare: NewConstraint, NewVersion, then Check."""
    c = _rewrite_range(constraint)
    groups: list[list[_Constraint]] = []
    valid = compile_go(rf"^(\s*({_OPS})\s*({_CV_RE})\s*)((?:\s+|,\s*)({_OPS})\s*({_CV_RE})\s*)*$")
    find = compile_go(rf"({_OPS})\s*({_CV_RE})")
    for part in c.split("||"):
        if not valid.match_string(part):
            raise SemverError(f"improper constraint: {part}")
        found = find.find_all_string(part, -1) or [part]
        groups.append([_parse_constraint(s) for s in found])
    v = new_version(version)
    return any(all(_check(v, k, any(x.con.Prerelease for x in group)) for k in group) for group in groups)
