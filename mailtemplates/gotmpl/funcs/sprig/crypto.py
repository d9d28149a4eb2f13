"""sprig v3.3.0 ``crypto.go``: checksums, bcrypt/htpasswd, derivePassword, AES, randBytes, uuidv4.

Not ported (they raise a clear error when called): the certificate and key generators
(``genCA``, ``genPrivateKey``, ...). ``bcrypt``/``htpasswd`` use the system's crypt(3) (glibc /
libxcrypt implement bcrypt) and refuse where it lacks bcrypt; ``encryptAES``/``decryptAES`` need
the optional ``cryptography`` package.
"""

from __future__ import annotations

import base64
import functools
import struct
import threading
import zlib
from typing import Any

from ...gostrconv import go_bytes, go_str
from .. import GoFuncError
from ..sprig_codec import CorruptInput, b64decode
from ._common import ANY, INT, LIST, STR, _slice_panic, _unsupported, reg


@reg("sha1sum", STR, result=STR)
def _sha1sum(s: str) -> str:
    import hashlib  # here: hashlib (OpenSSL), hmac and secrets cost start-up; few templates hash

    return hashlib.sha1(go_bytes(s)).hexdigest()


@reg("sha256sum", STR, result=STR)
def _sha256sum(s: str) -> str:
    import hashlib

    return hashlib.sha256(go_bytes(s)).hexdigest()


@reg("sha512sum", STR, result=STR)
def _sha512sum(s: str) -> str:
    import hashlib

    return hashlib.sha512(go_bytes(s)).hexdigest()


@reg("adler32sum", STR, result=STR)
def _adler32sum(s: str) -> str:
    return str(zlib.adler32(go_bytes(s)))


_BCRYPT_B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


_CRYPT_LOCK = threading.Lock()
_BCRYPT_MAX_PASSWORD = 72


@functools.lru_cache(maxsize=1)
def _libcrypt() -> Any:
    """The C library's crypt(3), which implements bcrypt on glibc/libxcrypt systems, or None."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("crypt")
    if name is None:
        return None
    try:
        fn = ctypes.CDLL(name).crypt
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    fn.restype = ctypes.c_char_p
    return fn


def _bcrypt_hash(password: str) -> str:
    """sprig's bcrypt: x/crypto/bcrypt GenerateFromPassword at the default cost (10), ``$2a$``.

    x/crypto v0.53 refuses passwords over 72 bytes (older versions hashed the first 72), and
    sprig returns the error as the text of the result.
    """
    import secrets

    pw = go_bytes(password)
    if len(pw) > _BCRYPT_MAX_PASSWORD:
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    fn = _libcrypt()
    if fn is None or b"\x00" in pw:
        raise _unsupported("bcrypt", "the system crypt(3) has no bcrypt")
    # 16 random bytes in bcrypt's base64: 21 full characters and one carrying 4 bits.
    n = int.from_bytes(secrets.token_bytes(16), "big") << 4
    salt = "".join(_BCRYPT_B64[(n >> (6 * (21 - i))) & 63] for i in range(22))
    with _CRYPT_LOCK:  # crypt(3) returns a static buffer: one caller at a time
        out = fn(pw, f"$2a$10${salt}".encode("ascii"))
    if not out or not out.startswith(b"$2a$10$"):
        raise _unsupported("bcrypt", "the system crypt(3) has no bcrypt")
    return str(out.decode("ascii"))


@reg("bcrypt", STR, result=STR)
def _bcrypt(password: str) -> str:
    return _bcrypt_hash(password)


@reg("htpasswd", STR, STR, result=STR)
def _htpasswd(username: str, password: str) -> str:
    if ":" in username:
        return f"invalid username: {username}"
    return f"{username}:{_bcrypt_hash(password)}"


for _name, _params in (
    ("genPrivateKey", (STR,)),
    ("buildCustomCert", (STR, STR)),
    ("genCA", (STR, INT)),
    ("genCAWithKey", (STR, INT, STR)),
    ("genSelfSignedCert", (STR, LIST, LIST, INT)),
    ("genSelfSignedCertWithKey", (STR, LIST, LIST, INT, STR)),
    ("genSignedCert", (STR, LIST, LIST, INT, ANY)),
    ("genSignedCertWithKey", (STR, LIST, LIST, INT, ANY, STR)),
):

    def _refuse(*_: object, _n: str = _name) -> object:
        raise _unsupported(_n, "key and certificate generation is out of scope for email templates")

    reg(_name, *_params, result=ANY)(_refuse)

_MASTER_PASSWORD_SEED = b"com.lyndir.masterpassword"
_PASSWORD_TEMPLATES: dict[str, list[str]] = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": [
        "CvcvnoCvcvCvcv",
        "CvcvCvcvnoCvcv",
        "CvcvCvcvCvcvno",
        "CvccnoCvcvCvcv",
        "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno",
        "CvcvnoCvccCvcv",
        "CvcvCvccnoCvcv",
        "CvcvCvccCvcvno",
        "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc",
        "CvcvCvcvCvccno",
        "CvccnoCvccCvcv",
        "CvccCvccnoCvcv",
        "CvccCvccCvcvno",
        "CvcvnoCvccCvcc",
        "CvcvCvccnoCvcc",
        "CvcvCvccCvccno",
        "CvccnoCvcvCvcc",
        "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_TEMPLATE_CHARACTERS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}


@reg("derivePassword", "uint32", STR, STR, STR, STR, result=STR)
def _derive_password(counter: int, password_type: str, password: str, user: str, site: str) -> str:
    """The Master Password algorithm (scrypt key, HMAC-SHA256 seed, character templates)."""
    import hashlib
    import hmac

    templates = _PASSWORD_TEMPLATES.get(password_type)
    if templates is None:
        return f"cannot find password template {password_type}"
    ub, sb = go_bytes(user), go_bytes(site)
    salt = _MASTER_PASSWORD_SEED + struct.pack(">I", len(ub)) + ub
    key = hashlib.scrypt(go_bytes(password), salt=salt, n=32768, r=8, p=2, maxmem=256 * 1024 * 1024, dklen=64)
    msg = _MASTER_PASSWORD_SEED + struct.pack(">I", len(sb)) + sb + struct.pack(">I", counter & 0xFFFFFFFF)
    seed = hmac.new(key, msg, hashlib.sha256).digest()
    temp = templates[seed[0] % len(templates)]
    out = []
    for i, element in enumerate(temp):
        chars = _TEMPLATE_CHARACTERS[element]
        out.append(chars[seed[i + 1] % len(chars)])
    return "".join(out)


def _aes_cbc(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:  # pragma: no cover - depends on the environment
        raise _unsupported("encryptAES/decryptAES", "install the 'cryptography' package") from None
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return bytes(op.update(data) + op.finalize())


def _aes_key(password: str) -> bytes:
    return (go_bytes(password) + bytes(32))[:32]


@reg("encryptAES", STR, STR, result=STR)
def _encrypt_aes(password: str, plaintext: str) -> str:
    import secrets

    if plaintext == "":
        return ""
    content = go_bytes(plaintext)
    padding = 16 - len(content) % 16
    content += bytes([padding]) * padding
    iv = secrets.token_bytes(16)
    return base64.b64encode(iv + _aes_cbc(_aes_key(password), iv, content, True)).decode("ascii")


@reg("decryptAES", STR, STR, result=STR)
def _decrypt_aes(password: str, crypt64: str) -> str:
    if crypt64 == "":
        return ""
    try:
        crypt = b64decode(go_bytes(crypt64))
    except CorruptInput as e:
        raise GoFuncError(str(e)) from None
    if len(crypt) < 16:
        # crypt[:aes.BlockSize] on a []byte: Go reports the capacity, DecodedLen of the input.
        cap = len(go_bytes(crypt64)) // 4 * 3
        raise GoFuncError(f"runtime error: slice bounds out of range [:16] with capacity {cap}")
    iv, body = crypt[:16], crypt[16:]
    if len(body) % 16:
        raise GoFuncError("crypto/cipher: input not full blocks")
    if not body:
        raise GoFuncError("runtime error: index out of range [-1]")
    dec = _aes_cbc(_aes_key(password), iv, body, False)
    cut = len(dec) - dec[-1]
    if cut < 0:
        raise _slice_panic(None, cut, len(dec))
    return go_str(dec[:cut])


@reg("randBytes", INT, result=STR)
def _rand_bytes(count: int) -> str:
    import secrets

    if count < 0:
        raise GoFuncError("runtime error: makeslice: len out of range")
    return base64.b64encode(secrets.token_bytes(count)).decode("ascii")


@reg("uuidv4", result=STR)
def _uuidv4() -> str:
    import uuid  # here: uuid (with platform) costs every process's start-up, few templates call this

    return str(uuid.uuid4())
