"""Kratos's template types and the Go structs their templates execute on (kratos-spec §1.3,
§1.4): the models with their Go and JSON field names, field metadata and the type registry."""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal

from mailtemplates.errors import InvalidName

Channel = Literal["email", "sms"]

#: How a field's value is typed in Go, which decides how a Python value is converted:
#: ``string`` / ``int`` (Go scalars), ``map`` (``map[string]interface{}`` holding JSON data),
#: ``header`` (``http.Header``), ``any`` (``interface{}`` holding JSON data),
#: ``oauth2`` (``*OAuth2LoginRequest``), ``client`` (``OAuth2Client``, a struct value).
Kind = Literal["string", "int", "map", "header", "any", "oauth2", "client"]

# Go's int is 64 bits wide on every platform Kratos ships for.
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


def _m(json: str | None, kind: Kind, *, omitempty: bool = False) -> dict[str, Any]:
    """Field metadata: the JSON tag (None for ``json:"-"``), the Go kind and ``omitempty``.

    Defaults are Go zero values; a nil Go map reads like an empty one in templates (prints
    ``map[]``, every key is ``<no value>``), so maps default to ``{}``; pointers and ``any`` to None.
    """
    return {"json": json, "kind": kind, "omitempty": omitempty}


@dataclass(frozen=True)
class FieldInfo:
    """One struct field: its Go name, its JSON name (None for ``json:"-"``) and Go kind."""

    go_name: str
    json_name: str | None
    kind: Kind
    omitempty: bool = False


@dataclass(frozen=True, kw_only=True)
class Model:
    """Base of every model: a Go struct whose fields are named as in Go.

    ``GO_TYPE`` is the type as Go names it in execution errors
    (``can't evaluate field Nope in type *email.RecoveryValidModel``).
    Constructing a model does not validate it; :func:`to_template_data` does.
    """

    GO_TYPE: ClassVar[str] = ""

    # The models are frozen, keyword-only dataclasses declared with eq=False, repr=False: they
    # share these three methods, which do what the generated ones would (compare and hash the
    # fields as a tuple, repr them in order). Generating them for each of 23 models was a third
    # of the models' import, which every render and `mailtemplates lint` pays (issue 17).
    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            names = _field_names(type(self))
            return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in _field_names(type(self))))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in _field_names(type(self)))
        return f"{type(self).__qualname__}({args})"


_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


# --- nested OAuth2 types (courier/template/oauth2.go) ---------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class OAuth2Client(Model):
    """Branding fields of the OAuth2 client that started the flow (a struct value in Go)."""

    GO_TYPE: ClassVar[str] = "template.OAuth2Client"

    ClientID: str = field(default="", metadata=_m("client_id", "string"))
    ClientName: str = field(default="", metadata=_m("client_name", "string", omitempty=True))
    ClientURI: str = field(default="", metadata=_m("client_uri", "string", omitempty=True))
    LogoURI: str = field(default="", metadata=_m("logo_uri", "string", omitempty=True))
    Metadata: Any = field(default=None, metadata=_m("metadata", "any", omitempty=True))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class OAuth2LoginRequest(Model):
    """The OAuth2 login request a flow started from; the model field is nil when there was none."""

    GO_TYPE: ClassVar[str] = "*template.OAuth2LoginRequest"

    Challenge: str = field(default="", metadata=_m("challenge", "string"))
    Client: OAuth2Client = field(default_factory=OAuth2Client, metadata=_m("client", "client"))


# The models' field is named like its type; annotate through an alias so the name resolves.
_OAuth2LoginRequestT = OAuth2LoginRequest

# --- email models (kratos-spec §1.3), fields in Go declaration order ------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RecoveryValidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RecoveryURL: str = field(default="", metadata=_m("recovery_url", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RecoveryInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RecoveryCodeValidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RecoveryCode: str = field(default="", metadata=_m("recovery_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RecoveryCodeInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryCodeInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class VerificationValidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerificationValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    VerificationURL: str = field(default="", metadata=_m("verification_url", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    OAuth2LoginRequest: _OAuth2LoginRequestT | None = field(
        default=None, metadata=_m("oauth2_login_request", "oauth2", omitempty=True)
    )


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class VerificationInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerificationInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class VerificationCodeValidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerificationCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    VerificationURL: str = field(default="", metadata=_m("verification_url", "string"))
    VerificationCode: str = field(default="", metadata=_m("verification_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    OAuth2LoginRequest: _OAuth2LoginRequestT | None = field(
        default=None, metadata=_m("oauth2_login_request", "oauth2", omitempty=True)
    )


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class VerificationCodeInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerificationCodeInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class LoginCodeValidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.LoginCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    LoginCode: str = field(default="", metadata=_m("login_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    OAuth2LoginRequest: _OAuth2LoginRequestT | None = field(
        default=None, metadata=_m("oauth2_login_request", "oauth2", omitempty=True)
    )
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RegistrationCodeValidModel(Model):
    """The one email model with ``Traits`` (the identity does not exist yet) and no ``Identity``."""

    GO_TYPE: ClassVar[str] = "*email.RegistrationCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Traits: Mapping[str, Any] = field(default_factory=dict, metadata=_m("traits", "map"))
    RegistrationCode: str = field(default="", metadata=_m("registration_code", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    OAuth2LoginRequest: _OAuth2LoginRequestT | None = field(
        default=None, metadata=_m("oauth2_login_request", "oauth2", omitempty=True)
    )
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class VerifiableAddressChangedModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerifiableAddressChangedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    ChangedAt: str = field(default="", metadata=_m("changed_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class AuthenticatorKeyAddedModel(Model):
    GO_TYPE: ClassVar[str] = "*email.AuthenticatorKeyAddedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    AddedAt: str = field(default="", metadata=_m("added_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class TestStubModel(Model):
    """Kratos's test stub: never template-rendered; subject and body are used verbatim."""

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name
    GO_TYPE: ClassVar[str] = "*email.TestStubModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Subject: str = field(default="", metadata=_m("subject", "string"))
    Body: str = field(default="", metadata=_m("body", "string"))
    HTMLBody: str = field(default="", metadata=_m("html_body", "string", omitempty=True))


# --- SMS models (kratos-spec §1.4) ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SMSRecoveryCodeValidModel(Model):
    """Quirk kept from Kratos: ``RecoveryCode`` is tagged ``json:"verification_code"``."""

    GO_TYPE: ClassVar[str] = "*sms.RecoveryCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RecoveryCode: str = field(default="", metadata=_m("verification_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    RequestURLDomain: str = field(default="", metadata=_m("request_url_domain", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SMSVerificationCodeValidModel(Model):
    GO_TYPE: ClassVar[str] = "*sms.VerificationCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    VerificationCode: str = field(default="", metadata=_m("verification_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    RequestURLDomain: str = field(default="", metadata=_m("request_url_domain", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    OAuth2LoginRequest: _OAuth2LoginRequestT | None = field(
        default=None, metadata=_m("oauth2_login_request", "oauth2", omitempty=True)
    )


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SMSLoginCodeValidModel(Model):
    GO_TYPE: ClassVar[str] = "*sms.LoginCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    LoginCode: str = field(default="", metadata=_m("login_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    RequestURLDomain: str = field(default="", metadata=_m("request_url_domain", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    OAuth2LoginRequest: _OAuth2LoginRequestT | None = field(
        default=None, metadata=_m("oauth2_login_request", "oauth2", omitempty=True)
    )
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SMSRegistrationCodeValidModel(Model):
    """Unlike the email variant, the SMS registration model has ``Identity``, not ``Traits``."""

    GO_TYPE: ClassVar[str] = "*sms.RegistrationCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RegistrationCode: str = field(default="", metadata=_m("registration_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    RequestURLDomain: str = field(default="", metadata=_m("request_url_domain", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    OAuth2LoginRequest: _OAuth2LoginRequestT | None = field(
        default=None, metadata=_m("oauth2_login_request", "oauth2", omitempty=True)
    )
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SMSVerifiableAddressChangedModel(Model):
    GO_TYPE: ClassVar[str] = "*sms.VerifiableAddressChangedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    ChangedAt: str = field(default="", metadata=_m("changed_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SMSAuthenticatorKeyAddedModel(Model):
    GO_TYPE: ClassVar[str] = "*sms.AuthenticatorKeyAddedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    AddedAt: str = field(default="", metadata=_m("added_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SMSTestStubModel(Model):
    """Kratos's SMS test stub: the body is sent verbatim."""

    __test__: ClassVar[bool] = False
    GO_TYPE: ClassVar[str] = "*sms.TestStubModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Body: str = field(default="", metadata=_m("body", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))


# --- field metadata -------------------------------------------------------------------------


_FIELDS: dict[type[Model], tuple[FieldInfo, ...]] = {}


def model_fields(cls: type[Model]) -> tuple[FieldInfo, ...]:
    """The struct fields of a model class, in Go declaration order."""
    found = _FIELDS.get(cls)
    if found is None:
        found = tuple(
            FieldInfo(f.name, f.metadata["json"], f.metadata["kind"], f.metadata["omitempty"])
            for f in dataclasses.fields(cls)
        )
        _FIELDS[cls] = found
    return found


_JSON_NAMES: dict[type[Model], Mapping[str, str | None]] = {}
_GO_NAMES: dict[type[Model], Mapping[str, str]] = {}


def json_names(cls: type[Model]) -> Mapping[str, str | None]:
    """Go name -> JSON name (None for ``json:"-"`` fields, which JSON never carries)."""
    found = _JSON_NAMES.get(cls)
    if found is None:
        found = _JSON_NAMES[cls] = MappingProxyType({fi.go_name: fi.json_name for fi in model_fields(cls)})
    return found


def go_names(cls: type[Model]) -> Mapping[str, str]:
    """JSON name -> Go name, for the fields JSON carries."""
    found = _GO_NAMES.get(cls)
    if found is None:
        found = _GO_NAMES[cls] = MappingProxyType(
            {fi.json_name: fi.go_name for fi in model_fields(cls) if fi.json_name is not None}
        )
    return found


# --- template types -------------------------------------------------------------------------

#: Template parts in canonical order.
PARTS: Final = ("subject", "body", "plaintext", "sms")

#: File stem of each part inside a template folder (``<stem>.gotmpl``, ``<stem>.<locale>.gotmpl``).
PART_FILES: Final[Mapping[str, str]] = {
    "subject": "email.subject",
    "body": "email.body",
    "plaintext": "email.body.plaintext",
    "sms": "sms.body",
}


@dataclass(frozen=True)
class TemplateType:
    """One Kratos template type: where its files live and what data its templates see."""

    #: Template folder relative to a root, also the registry key: ``"recovery/valid"``.
    name: str
    #: First folder level: ``"recovery"``.
    flow: str
    #: Second folder level, ``"valid"``/``"invalid"``; None for the notification types.
    status: str | None
    #: Kratos ``TemplateType`` string: ``"recovery_valid"``.
    kratos_type: str
    email_model: type[Model]
    sms_model: type[Model] | None
    #: Parts that have template files, a subset of :data:`PARTS` in that order.
    parts: tuple[str, ...]
    #: False for the test stub, whose subject and body are used verbatim (never rendered).
    templated: bool = True

    @property
    def path_parts(self) -> tuple[str, ...]:
        """Folder path components: ``("recovery", "valid")`` or ``("verifiable_address_changed",)``."""
        return (self.flow,) if self.status is None else (self.flow, self.status)

    def model(self, channel: Channel = "email") -> type[Model]:
        """The model class for a channel; :class:`InvalidName` if the type has no SMS variant."""
        if channel == "email":
            return self.email_model
        if channel == "sms" and self.sms_model is not None:
            return self.sms_model
        if channel == "sms":
            raise InvalidName(f"template type {self.name!r} has no SMS model")
        raise InvalidName(f"unknown channel {channel!r}: use 'email' or 'sms'")


_EMAIL: Final = ("subject", "body", "plaintext")
_EMAIL_SMS: Final = ("subject", "body", "plaintext", "sms")


def _tt(
    name: str,
    kratos_type: str,
    email_model: type[Model],
    sms_model: type[Model] | None,
    parts: tuple[str, ...],
    *,
    templated: bool = True,
) -> TemplateType:
    flow, _, status = name.partition("/")
    return TemplateType(name, flow, status or None, kratos_type, email_model, sms_model, parts, templated)


#: Every Kratos template type, keyed by template folder (kratos-spec §1.1, §1.2).
#: ``otp/`` is left out: it has no TemplateType and no Go caller loads it.
TEMPLATE_TYPES: Final[Mapping[str, TemplateType]] = {
    t.name: t
    for t in (
        _tt("recovery/valid", "recovery_valid", RecoveryValidModel, None, _EMAIL),
        _tt("recovery/invalid", "recovery_invalid", RecoveryInvalidModel, None, _EMAIL),
        _tt(
            "recovery_code/valid",
            "recovery_code_valid",
            RecoveryCodeValidModel,
            SMSRecoveryCodeValidModel,
            _EMAIL_SMS,
        ),
        _tt("recovery_code/invalid", "recovery_code_invalid", RecoveryCodeInvalidModel, None, _EMAIL),
        _tt("verification/valid", "verification_valid", VerificationValidModel, None, _EMAIL),
        _tt("verification/invalid", "verification_invalid", VerificationInvalidModel, None, _EMAIL),
        _tt(
            "verification_code/valid",
            "verification_code_valid",
            VerificationCodeValidModel,
            SMSVerificationCodeValidModel,
            _EMAIL_SMS,
        ),
        _tt(
            "verification_code/invalid",
            "verification_code_invalid",
            VerificationCodeInvalidModel,
            None,
            _EMAIL,
        ),
        _tt("login_code/valid", "login_code_valid", LoginCodeValidModel, SMSLoginCodeValidModel, _EMAIL_SMS),
        _tt(
            "registration_code/valid",
            "registration_code_valid",
            RegistrationCodeValidModel,
            SMSRegistrationCodeValidModel,
            _EMAIL_SMS,
        ),
        _tt(
            "verifiable_address_changed",
            "verifiable_address_changed",
            VerifiableAddressChangedModel,
            SMSVerifiableAddressChangedModel,
            _EMAIL_SMS,
        ),
        _tt(
            "authenticator_key_added",
            "authenticator_key_added",
            AuthenticatorKeyAddedModel,
            SMSAuthenticatorKeyAddedModel,
            _EMAIL_SMS,
        ),
        _tt("test_stub", "stub", TestStubModel, SMSTestStubModel, (), templated=False),
    )
}

_BY_KRATOS_TYPE: Final = {t.kratos_type: t for t in TEMPLATE_TYPES.values()}


def _did_you_mean(word: str, candidates: list[str]) -> str:
    # Compare case-insensitively so that "recoveryurl" still finds "RecoveryURL".
    import difflib  # only on this error path: not part of every process's start-up

    lowered = {c.lower(): c for c in reversed(candidates)}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def get_template_type(name: str) -> TemplateType:
    """Look a template type up by folder (``"recovery/valid"``) or Kratos type (``"recovery_valid"``).

    The Kratos spelling is accepted so that a courier message row (``template_type`` plus
    ``template_data``) can be rendered as stored. Unknown names raise :class:`InvalidName`.
    """
    if isinstance(name, str):
        found = TEMPLATE_TYPES.get(name) or _BY_KRATOS_TYPE.get(name)
        if found is not None:
            return found
    # The test stub is Kratos's, sent verbatim: not offered as a template to render.
    known = sorted(n for n, t in TEMPLATE_TYPES.items() if t.templated)
    hint = _did_you_mean(str(name), [*known, *(k for k, t in _BY_KRATOS_TYPE.items() if t.templated)])
    raise InvalidName(f"unknown template type {name!r}{hint}. Known types: {', '.join(known)}")
