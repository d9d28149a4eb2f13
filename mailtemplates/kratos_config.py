"""Read the courier settings out of an existing Ory Kratos configuration file.

An operator already has a ``kratos.yml``; :func:`load_kratos_config` reads the ``courier`` part of
it (the keys of Kratos's ``embedx/config.schema.json`` and ``driver/config/config.go``, v1.x)::

    courier:
      template_override_path: /conf/courier-templates
      templates:
        recovery:
          valid:
            email:
              subject: file:///conf/recovery/subject.gotmpl
              body: {html: base64://..., plaintext: https://...}
        login_code:
          valid:
            sms: {body: {plaintext: base64://...}}
      message_retries: 5
      worker: {pull_count: 10, pull_wait: 1s}
      delivery_strategy: smtp          # or http, with courier.http.request_config
      smtp:
        connection_uri: smtps://user:pass@mail.example.org:465/
        from_address: accounts@example.org
        from_name: Example
        headers: {X-SES-SOURCE-ARN: ...}
        local_name: mx.example.org
        client_cert_path: /conf/client.pem
        client_key_path: /conf/client.key
      channels:
        - id: sms
          type: http
          request_config: {url: https://sms.example.org/send, method: POST, auth: {...}}

YAML (``.yml``/``.yaml``, needs the ``config`` extra: PyYAML) and JSON (``.json``) are read.
Kratos's environment variables win over the file: the dotted key upper-cased with ``_``
(``COURIER_SMTP_CONNECTION_URI``, ``COURIER_MESSAGE_RETRIES``, ``COURIER_WORKER_PULL_WAIT``, ...);
a key whose value is a map or a list (``COURIER_SMTP_HEADERS``, ``COURIER_CHANNELS``) takes JSON.

Keys under ``courier`` that Kratos does not define (a typo, a key of another version) are
returned in :attr:`KratosConfig.unknown_keys` rather than ignored; so is a top-level key that is
not one of Kratos's (``courrier:`` would otherwise silently drop the whole section). Kratos's own
top-level sections (``dsn``, ``selfservice``, ``identity``, ``serve``, ...) are not ours to check.
A value of the wrong type raises :class:`~mailtemplates.errors.ConfigError` naming the file (or the
environment variable), the key and what is wrong.

:func:`renderer_from_config` and :func:`smtp_connection` turn a loaded configuration into a
:class:`~mailtemplates.render.Renderer` and an :class:`mailtemplates.smtp.SMTPConfig`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import ConfigError
from .models import TEMPLATE_TYPES

if TYPE_CHECKING:  # pragma: no cover
    from . import smtp
    from .render import Renderer

__all__ = [
    "CourierConfig",
    "HTTPAuthConfig",
    "HTTPChannelConfig",
    "KratosConfig",
    "SMTPConfig",
    "load_kratos_config",
    "parse_duration",
    "renderer_from_config",
    "smtp_connection",
]

#: Kratos's own top-level keys (embedx/config.schema.json, v1.x, plus the flags its CLI stores).
KRATOS_TOP_LEVEL = frozenset(
    {
        "version", "dsn", "dev", "courier", "selfservice", "identity", "serve", "log", "secrets",
        "hashers", "ciphers", "cookies", "session", "tracing", "oauth2_provider", "preview",
        "database", "clients", "feature_flags", "organizations", "security", "sqa", "sqa-opt-out",
        "expose-metrics-port", "watch-courier", "profiling", "enterprise",
    }
)  # fmt: skip

#: Our names of the parts in :attr:`CourierConfig.templates` -> the Renderer's part names.
TEMPLATE_PARTS: Mapping[str, str] = {
    "subject": "subject",
    "body.html": "body",
    "body.plaintext": "plaintext",
    "sms.body": "sms",
}


@dataclass(frozen=True)
class SMTPConfig:
    """``courier.smtp``. ``from_address`` is ``None`` when the file leaves it unset (Kratos then
    sends as ``no-reply@ory.kratos.sh``; our commands use their own default)."""

    connection_uri: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    local_name: str = "localhost"
    client_cert_path: str | None = None
    client_key_path: str | None = None


@dataclass(frozen=True)
class HTTPAuthConfig:
    """``request_config.auth``: ``basic_auth`` (``user``, ``password``) or ``api_key`` (``name``,
    ``value`` sent in a ``header`` or a ``cookie``)."""

    type: Literal["basic_auth", "api_key"]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    name: str | None = None
    value: str | None = field(default=None, repr=False)
    in_: Literal["header", "cookie"] | None = None


@dataclass(frozen=True)
class HTTPChannelConfig:
    """One HTTP delivery channel: ``courier.channels[]`` or the legacy ``courier.http`` (id
    ``email``) / ``courier.sms`` (id ``sms``). ``body`` is the URI of a Jsonnet payload template."""

    id: str
    type: str = "http"
    url: str = ""
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    auth: HTTPAuthConfig | None = None


@dataclass(frozen=True)
class CourierConfig:
    """Kratos's ``courier`` section. ``templates`` maps a template type (``"recovery/valid"``) to
    its configured URIs by part (``"subject"``, ``"body.html"``, ``"body.plaintext"``, ``"sms.body"``);
    parts Kratos leaves empty are absent. ``worker_pull_wait`` is in seconds."""

    smtp: SMTPConfig = field(default_factory=SMTPConfig)
    message_retries: int = 5
    worker_pull_count: int = 10
    worker_pull_wait: float = 1.0
    delivery_strategy: str = "smtp"
    channels: tuple[HTTPChannelConfig, ...] = ()
    template_override_path: str | None = None
    templates: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class KratosConfig:
    """A loaded configuration: the file it came from, its courier section, and the keys it has
    that Kratos does not define (dotted paths, ``courier.smtp.fromaddress``)."""

    source: Path
    courier: CourierConfig
    unknown_keys: tuple[str, ...] = ()


# -- the schema, as far as we read it ---------------------------------------------------------

_SMTP_KEYS = (
    "connection_uri",
    "from_address",
    "from_name",
    "headers",
    "local_name",
    "client_cert_path",
    "client_key_path",
)
_REQUEST_KEYS = ("url", "method", "headers", "body", "auth")
_COURIER_KEYS = (
    "template_override_path", "templates", "message_retries", "delivery_strategy", "http", "smtp",
    "sms", "worker", "channels",
)  # fmt: skip


def _template_leaves() -> dict[str, tuple[str, str]]:
    """Dotted key of every template URI Kratos reads -> (template type, our part name)."""
    out: dict[str, tuple[str, str]] = {}
    for tt in TEMPLATE_TYPES.values():
        if not tt.templated:
            continue
        base = "courier.templates." + ".".join(tt.path_parts)
        out[f"{base}.email.subject"] = (tt.name, "subject")
        out[f"{base}.email.body.html"] = (tt.name, "body.html")
        out[f"{base}.email.body.plaintext"] = (tt.name, "body.plaintext")
        if "sms" in tt.parts:
            out[f"{base}.sms.body.plaintext"] = (tt.name, "sms.body")
    return out


_TEMPLATE_LEAVES = _template_leaves()

#: Scalar keys an environment variable can set (the value is a string; the reader converts it).
_ENV_SCALARS: tuple[str, ...] = (
    "courier.template_override_path",
    "courier.message_retries",
    "courier.delivery_strategy",
    "courier.worker.pull_count",
    "courier.worker.pull_wait",
    *(f"courier.smtp.{k}" for k in _SMTP_KEYS if k != "headers"),
    *(f"courier.http.request_config.{k}" for k in ("url", "method", "body")),
    *_TEMPLATE_LEAVES,
)
#: Keys whose value is a map or a list: an environment variable gives it as JSON.
_ENV_JSON = ("courier.smtp.headers", "courier.channels", "courier.http.request_config",
             "courier.http.request_config.headers", "courier.http.request_config.auth")  # fmt: skip


def _env_name(key: str) -> str:
    return key.upper().replace(".", "_").replace("-", "_")


# -- loading ----------------------------------------------------------------------------------


def load_kratos_config(
    path: str | os.PathLike[str], environ: Mapping[str, str] | None = None
) -> KratosConfig:
    """Read ``path`` (YAML or JSON) and Kratos's environment overrides (``environ``, default
    ``os.environ``). Raises :class:`ConfigError` for an unreadable file or an invalid value."""
    source = Path(path)
    data = _read(source)
    env = os.environ if environ is None else environ
    from_env: dict[str, str] = {}
    for key in _ENV_SCALARS:
        name = _env_name(key)
        if name in env:
            _set(data, key, env[name])
            from_env[key] = name
    for key in _ENV_JSON:
        name = _env_name(key)
        if name in env:
            try:
                value = json.loads(env[name])
            except ValueError as e:
                raise ConfigError(f"environment variable {name}: not valid JSON ({e})") from None
            _set(data, key, value)
            from_env[key] = name
    reader = _Reader(source, from_env)
    unknown = [k for k in data if k not in KRATOS_TOP_LEVEL]
    courier = reader.courier(data.get("courier"))
    return KratosConfig(source, courier, tuple([*unknown, *reader.unknown]))


def _read(source: Path) -> dict[str, Any]:
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such configuration file") from None
    except IsADirectoryError:
        raise ConfigError(f"{source}: is a folder, not a configuration file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text") from None
    except OSError as e:
        raise ConfigError(f"{source}: cannot read it ({e.strerror or e})") from None
    suffix = source.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError as e:
            raise ConfigError(f"{source}: not valid JSON ({e})") from None
    elif suffix in (".yml", ".yaml"):
        data = _read_yaml(source, text)
    else:
        raise ConfigError(
            f"{source}: unknown configuration format {suffix or '(no extension)'!r}; use .yml, .yaml or .json"
        )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of keys, got {_kind(data)}")
    return data


def _read_yaml(source: Path, text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            f"{source}: reading YAML needs PyYAML: pip install 'mailtemplates[config]' (or give the configuration as .json)"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{source}{where}: not valid YAML ({problem})") from None


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node = data
    for p in parents:
        child = node.get(p)
        if not isinstance(child, dict):
            child = node[p] = {}
        node = child
    node[last] = value


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


# Go's time.ParseDuration units.
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> float:
    """Go's ``time.ParseDuration`` (``"1s"``, ``"500ms"``, ``"1m30s"``, ``"0"``) in seconds;
    ``ValueError`` for anything else."""
    s = text.strip()
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-") if s[:1] in "+-" else s
    if s == "0":
        return 0.0
    if not s:
        raise ValueError(f"invalid duration {text!r}")
    total, pos = 0.0, 0
    while pos < len(s):
        m = _DURATION.match(s, pos)
        if m is None or m.group(1) in ("", "."):
            raise ValueError(
                f"invalid duration {text!r}: want a number with a unit (ns, us, ms, s, m, h), e.g. 1s or 500ms"
            )
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    return sign * total


class _Reader:
    """Turns the courier mapping into dataclasses, collecting unknown keys."""

    def __init__(self, source: Path, from_env: Mapping[str, str]) -> None:
        self.source = source
        self.from_env = from_env
        self.unknown: list[str] = []

    def error(self, key: str, what: str) -> ConfigError:
        env = self.from_env.get(key)
        if env is None:
            # A key inside a JSON value of an environment variable (COURIER_CHANNELS[0].id).
            env = next(
                (v for k, v in self.from_env.items() if key.startswith(k + ".") or key.startswith(k + "[")),
                None,
            )
        where = f"environment variable {env}" if env else str(self.source)
        return ConfigError(f"{where}: {key}: {what}")

    def mapping(self, value: object, key: str, known: Iterable[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key, f"must be a mapping of keys, got {_kind(value)}")
        known = set(known)
        for k in value:
            if k not in known:
                self.unknown.append(f"{key}.{k}")
        return value

    def string(self, value: object, key: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, got {_kind(value)} ({value!r})")
        return value

    def integer(self, value: object, key: str, default: int, minimum: int) -> int:
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, got {_kind(value)} ({value!r})")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def duration(self, value: object, key: str, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool) and value == 0:
            return 0.0
        if not isinstance(value, str):
            raise self.error(key, f"must be a duration such as 1s or 500ms, got {_kind(value)} ({value!r})")
        try:
            seconds = parse_duration(value)
        except ValueError as e:
            raise self.error(key, str(e)) from None
        if seconds < 0:
            raise self.error(key, f"must not be negative, got {value!r}")
        return seconds

    def string_map(self, value: object, key: str) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key, f"must be a mapping of names to strings, got {_kind(value)}")
        out = {}
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.error(f"{key}.{k}", f"must be a string, got {_kind(v)} ({v!r})")
            out[str(k)] = v
        return out

    # -- sections ----------------------------------------------------------------------------

    def courier(self, value: object) -> CourierConfig:
        c = self.mapping(value, "courier", _COURIER_KEYS)
        smtp = self.smtp(c.get("smtp"))
        worker = self.mapping(c.get("worker"), "courier.worker", ("pull_count", "pull_wait"))
        strategy = self.string(c.get("delivery_strategy"), "courier.delivery_strategy") or "smtp"
        if strategy not in ("smtp", "http"):
            raise self.error("courier.delivery_strategy", f"must be smtp or http, got {strategy!r}")
        channels = list(self.channels(c.get("channels")))
        http = self.mapping(c.get("http"), "courier.http", ("request_config",))
        if strategy == "http":
            # Kratos's legacy email channel (config.go CourierChannels): id "email".
            if http.get("request_config") is None:
                raise self.error(
                    "courier.http.request_config", "is required when courier.delivery_strategy is http"
                )
            channels.append(
                self.request("email", "http", http["request_config"], "courier.http.request_config")
            )
        elif http:
            self.request(
                "email", "http", http.get("request_config"), "courier.http.request_config"
            )  # still checked
        sms = self.mapping(c.get("sms"), "courier.sms", ("enabled", "from", "request_config"))
        if sms.get("enabled") is True and not any(ch.id == "sms" for ch in channels):
            # Kratos before v1.0 configured the SMS gateway here; it became courier.channels[id=sms].
            channels.append(
                self.request("sms", "http", sms.get("request_config"), "courier.sms.request_config")
            )
        ids = [ch.id for ch in channels]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            raise self.error("courier.channels", f"channel id {dup!r} is configured twice")
        override = self.string(c.get("template_override_path"), "courier.template_override_path")
        return CourierConfig(
            smtp=smtp,
            message_retries=self.integer(c.get("message_retries"), "courier.message_retries", 5, 0),
            worker_pull_count=self.integer(worker.get("pull_count"), "courier.worker.pull_count", 10, 1),
            worker_pull_wait=self.duration(worker.get("pull_wait"), "courier.worker.pull_wait", 1.0),
            delivery_strategy=strategy,
            channels=tuple(channels),
            template_override_path=override or None,
            templates=self.templates(c.get("templates")),
        )

    def smtp(self, value: object) -> SMTPConfig:
        s = self.mapping(value, "courier.smtp", _SMTP_KEYS)
        st = {k: self.string(s.get(k), f"courier.smtp.{k}") for k in _SMTP_KEYS if k != "headers"}
        return SMTPConfig(
            connection_uri=st["connection_uri"] or None,
            from_address=st["from_address"] or None,
            from_name=st["from_name"] or None,
            headers=self.string_map(s.get("headers"), "courier.smtp.headers"),
            local_name=st["local_name"] or "localhost",
            client_cert_path=st["client_cert_path"] or None,
            client_key_path=st["client_key_path"] or None,
        )

    def channels(self, value: object) -> Iterable[HTTPChannelConfig]:
        if value is None:
            return
        if not isinstance(value, list):
            raise self.error("courier.channels", f"must be a list of channels, got {_kind(value)}")
        for i, item in enumerate(value):
            key = f"courier.channels[{i}]"
            ch = self.mapping(item, key, ("id", "type", "request_config", "smtp_config"))
            cid = self.string(ch.get("id"), f"{key}.id")
            if not cid:
                raise self.error(f"{key}.id", "is required (e.g. sms)")
            ctype = self.string(ch.get("type"), f"{key}.type") or "http"
            if ctype != "http":
                raise self.error(f"{key}.type", f"only http channels are supported here, got {ctype!r}")
            yield self.request(cid, ctype, ch.get("request_config"), f"{key}.request_config")

    def request(self, cid: str, ctype: str, value: object, key: str) -> HTTPChannelConfig:
        if value is None:
            raise self.error(key, "is required (url, method, ...)")
        r = self.mapping(value, key, _REQUEST_KEYS)
        url = self.string(r.get("url"), f"{key}.url")
        if not url or not re.match(r"https?://", url, re.IGNORECASE):
            raise self.error(f"{key}.url", f"must be an http:// or https:// URL, got {url!r}")
        method = (self.string(r.get("method"), f"{key}.method") or "POST").upper()
        if not re.fullmatch(r"[A-Z]+", method):
            raise self.error(f"{key}.method", f"is not an HTTP method: {method!r}")
        return HTTPChannelConfig(
            id=cid,
            type=ctype,
            url=url,
            method=method,
            headers=self.string_map(r.get("headers"), f"{key}.headers"),
            body=self.string(r.get("body"), f"{key}.body") or None,
            auth=self.auth(r.get("auth"), f"{key}.auth"),
        )

    def auth(self, value: object, key: str) -> HTTPAuthConfig | None:
        if value is None:
            return None
        a = self.mapping(value, key, ("type", "config"))
        kind = self.string(a.get("type"), f"{key}.type")
        if kind == "basic_auth":
            c = self.mapping(a.get("config"), f"{key}.config", ("user", "password"))
            user = self.string(c.get("user"), f"{key}.config.user")
            password = self.string(c.get("password"), f"{key}.config.password")
            if user is None or password is None:
                raise self.error(f"{key}.config", "basic_auth needs user and password")
            return HTTPAuthConfig("basic_auth", user=user, password=password)
        if kind == "api_key":
            c = self.mapping(a.get("config"), f"{key}.config", ("name", "value", "in"))
            name = self.string(c.get("name"), f"{key}.config.name")
            val = self.string(c.get("value"), f"{key}.config.value")
            where = self.string(c.get("in"), f"{key}.config.in")
            if not name or val is None:
                raise self.error(f"{key}.config", "api_key needs name, value and in")
            if where not in ("header", "cookie"):
                raise self.error(f"{key}.config.in", f"must be header or cookie, got {where!r}")
            return HTTPAuthConfig("api_key", name=name, value=val, in_=where)  # type: ignore[arg-type]
        raise self.error(f"{key}.type", f"must be basic_auth or api_key, got {kind!r}")

    def templates(self, value: object) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        self._walk_templates(value, "courier.templates", out)
        return out

    def _walk_templates(self, value: object, key: str, out: dict[str, dict[str, str]]) -> None:
        # The known keys at each level are the prefixes of the template leaves.
        prefix = key + "."
        children = {k[len(prefix) :].split(".", 1)[0] for k in _TEMPLATE_LEAVES if k.startswith(prefix)}
        node = self.mapping(value, key, children)
        for k, v in node.items():
            if k not in children:
                continue
            child = f"{key}.{k}"
            leaf = _TEMPLATE_LEAVES.get(child)
            if leaf is None:
                self._walk_templates(v, child, out)
                continue
            uri = self.string(v, child)
            if uri:  # Kratos reads an empty value as "use the files"
                if "://" not in uri:
                    raise self.error(child, f"must be a URI (file://, base64://, http(s)://), got {uri!r}")
                out.setdefault(leaf[0], {})[leaf[1]] = uri


# -- using it ---------------------------------------------------------------------------------


def template_uris(cfg: KratosConfig | CourierConfig) -> dict[str, dict[str, str]]:
    """``courier.templates`` in the form :class:`~mailtemplates.render.Renderer` takes
    (``{"recovery/valid": {"subject": uri, "body": uri, "plaintext": uri, "sms": uri}}``)."""
    courier = cfg.courier if isinstance(cfg, KratosConfig) else cfg
    return {
        name: {TEMPLATE_PARTS[p]: uri for p, uri in parts.items()}
        for name, parts in courier.templates.items()
    }


def renderer_from_config(
    cfg: KratosConfig,
    *,
    templates: Iterable[str | os.PathLike[str]] = (),
    **renderer_options: Any,
) -> Renderer:
    """A :class:`~mailtemplates.render.Renderer` that resolves templates as Kratos would with this
    configuration: ``courier.templates.*`` URIs first (per part), then the folders in ``templates``
    (explicit ones, e.g. from ``--templates``), then ``courier.template_override_path``, then the
    built-ins. ``file://`` URIs of the configuration may point anywhere the operator chose
    (their folders are allowed), and ``http(s)://`` URIs are fetched when the configuration has
    any. Other keyword arguments go to the Renderer.
    """
    from .render import Renderer

    folders = [os.fspath(t) for t in templates]
    override = cfg.courier.template_override_path
    if override is not None:
        # Relative to the working directory, as Kratos resolves it (os.DirFS on the given path).
        if not os.path.isdir(override):
            raise ConfigError(f"{cfg.source}: courier.template_override_path: {override}: no such folder")
        folders.append(override)
    uris = template_uris(cfg)
    every = [u for parts in uris.values() for u in parts.values()]
    file_roots = {
        os.path.dirname(u[len("file://") :]) or "." for u in every if u.lower().startswith("file://")
    }
    renderer_options.setdefault(
        "allow_http", any(u.lower().startswith(("http://", "https://")) for u in every)
    )
    return Renderer(folders, template_uris=uris, file_uri_roots=sorted(file_roots), **renderer_options)


def smtp_connection(
    cfg: KratosConfig | SMTPConfig,
    *,
    connection_uri: str | None = None,
    local_name: str | None = None,
    client_cert_path: str | None = None,
    client_key_path: str | None = None,
    ca_file: str | None = None,
) -> smtp.SMTPConfig:
    """The :class:`mailtemplates.smtp.SMTPConfig` for ``courier.smtp`` (keyword arguments given
    win over the file). Raises :class:`~mailtemplates.errors.SMTPConfigError` for a bad URI."""
    from . import smtp as _smtp

    s = cfg.courier.smtp if isinstance(cfg, KratosConfig) else cfg
    uri = connection_uri or s.connection_uri
    if not uri:
        where = f"{cfg.source}: " if isinstance(cfg, KratosConfig) else ""
        raise ConfigError(f"{where}courier.smtp.connection_uri is not set")
    return _smtp.parse_connection_uri(
        uri,
        local_name=local_name or s.local_name,
        client_cert_path=client_cert_path or s.client_cert_path,
        client_key_path=client_key_path or s.client_key_path,
        ca_file=ca_file,
    )
