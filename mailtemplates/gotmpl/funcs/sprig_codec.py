"""Go's ``encoding/base64`` and ``encoding/base32`` standard decoders, with Go's error offsets.

Python's decoders accept and reject different inputs and report no offsets; sprig's ``b64dec``
and ``b32dec`` print the Go error (``illegal base64 data at input byte 4``) as their result, so
the decoding loops here follow Go's ``decodeQuantum`` / ``decode`` step by step.

Follows Go 1.26 ``src/encoding/base64/base64.go`` and ``src/encoding/base32/base32.go``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CorruptInput", "b32decode", "b64decode"]

_B64: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B32: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B64_MAP: Final = {ord(c): i for i, c in enumerate(_B64)}
_B32_MAP: Final = {ord(c): i for i, c in enumerate(_B32)}
_PAD: Final = 0x3D  # '='
_NL: Final = (0x0A, 0x0D)


class CorruptInput(ValueError):
    """base64/base32 CorruptInputError."""

    def __init__(self, kind: str, offset: int) -> None:
        super().__init__(f"illegal {kind} data at input byte {offset}")


def _b64_quantum(src: bytes, si: int, out: bytearray) -> tuple[int, CorruptInput | None]:
    """base64.Encoding.decodeQuantum (StdEncoding: padding, not strict)."""
    dbuf = [0, 0, 0, 0]
    dlen = 4
    err: CorruptInput | None = None
    j = 0
    while j < 4:
        if si == len(src):
            if j == 0:
                return si, None
            raise CorruptInput("base64", si - j)
        c = src[si]
        si += 1
        v = _B64_MAP.get(c)
        if v is not None:
            dbuf[j] = v
            j += 1
            continue
        if c in _NL:
            continue
        if c != _PAD:
            raise CorruptInput("base64", si - 1)
        if j in (0, 1):
            raise CorruptInput("base64", si - 1)
        if j == 2:
            while si < len(src) and src[si] in _NL:
                si += 1
            if si == len(src):
                raise CorruptInput("base64", len(src))
            if src[si] != _PAD:
                raise CorruptInput("base64", si - 1)
            si += 1
        while si < len(src) and src[si] in _NL:
            si += 1
        if si < len(src):
            err = CorruptInput("base64", si)
        dlen = j
        break
    val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3]
    decoded = bytes(((val >> 16) & 0xFF, (val >> 8) & 0xFF, val & 0xFF))
    out += decoded[: dlen - 1]
    return si, err


def b64decode(data: bytes) -> bytes:
    """base64.StdEncoding.DecodeString; raises CorruptInput."""
    out = bytearray()
    si = 0
    while si < len(data):
        si, err = _b64_quantum(data, si, out)
        if err is not None:
            raise err
    return bytes(out)


def b32decode(data: bytes) -> bytes:
    """base32.StdEncoding.DecodeString; raises CorruptInput (offsets count without newlines)."""
    src = bytes(b for b in data if b not in _NL)
    olen = len(src)
    out = bytearray()
    end = False
    while src and not end:
        dbuf = [0] * 8
        dlen = 8
        j = 0
        while j < 8:
            if not src:
                raise CorruptInput("base32", olen - len(src) - j)
            c = src[0]
            src = src[1:]
            if c == _PAD and j >= 2 and len(src) < 8:
                if len(src) + j < 8 - 1:
                    raise CorruptInput("base32", olen)
                for k in range(8 - 1 - j):
                    if len(src) > k and src[k] != _PAD:
                        raise CorruptInput("base32", olen - len(src) + k - 1)
                dlen, end = j, True
                if dlen in (1, 3, 6):
                    raise CorruptInput("base32", olen - len(src) - 1)
                break
            v = _B32_MAP.get(c)
            if v is None:
                raise CorruptInput("base32", olen - len(src) - 1)
            dbuf[j] = v
            j += 1
        b = [
            (dbuf[0] << 3 | dbuf[1] >> 2) & 0xFF,
            (dbuf[1] << 6 | dbuf[2] << 1 | dbuf[3] >> 4) & 0xFF,
            (dbuf[3] << 4 | dbuf[4] >> 1) & 0xFF,
            (dbuf[4] << 7 | dbuf[5] << 2 | dbuf[6] >> 3) & 0xFF,
            (dbuf[6] << 5 | dbuf[7]) & 0xFF,
        ]
        count = {8: 5, 7: 4, 5: 3, 4: 2, 2: 1}.get(dlen, 0)
        out += bytes(b[:count])
    return bytes(out)
