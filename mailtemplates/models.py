"""Kratos template types and the data models their templates execute on.

Kratos renders every courier template against a Go struct (``*email.RecoveryValidModel``...).
Templates address its fields by **Go name** (``.RecoveryURL``); Kratos stores the same struct
as JSON in the message's ``template_data`` under the **JSON names** (``recovery_url``). This
module knows both spellings for every model in ``kratos-spec.md`` §1.3 (email) and §1.4 (SMS),
plus the quirks:

* the SMS ``RecoveryCode`` field serialises as ``verification_code``;
* the ``registration_code/valid`` *email* model has ``Traits`` and no ``Identity``;
* ``UserRequestHeaders`` is ``json:"-"``: it never reaches ``template_data``;
* ``OAuth2LoginRequest`` is a nil-able pointer to a nested struct, ``omitempty`` in JSON.

:func:`to_template_data` turns any of the three accepted context forms (a dict with Go names,
a Kratos payload with JSON names, or a model dataclass) into the one dict the template engine
executes on, with Go's types: ``ExpiresInMinutes`` stays an ``int`` and every number inside
``Identity``/``Traits``/``TransientPayload``/``Metadata`` becomes a ``float``, as Go's
``encoding/json`` decodes them into ``float64``.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal

from mailtemplates.errors import ContextError, InvalidName
from mailtemplates.gotmpl.values import StrList

__all__ = [
    "PARTS",
    "PART_FILES",
    "TEMPLATE_TYPES",
    "AuthenticatorKeyAddedModel",
    "Channel",
    "FieldInfo",
    "LoginCodeValidModel",
    "Model",
    "OAuth2Client",
    "OAuth2LoginRequest",
    "RecoveryCodeInvalidModel",
    "RecoveryCodeValidModel",
    "RecoveryInvalidModel",
    "RecoveryValidModel",
    "RegistrationCodeValidModel",
    "SMSAuthenticatorKeyAddedModel",
    "SMSLoginCodeValidModel",
    "SMSRecoveryCodeValidModel",
    "SMSRegistrationCodeValidModel",
    "SMSTestStubModel",
    "SMSVerifiableAddressChangedModel",
    "SMSVerificationCodeValidModel",
    "TemplateType",
    "TestStubModel",
    "VerifiableAddressChangedModel",
    "VerificationCodeInvalidModel",
    "VerificationCodeValidModel",
    "VerificationInvalidModel",
    "VerificationValidModel",
    "get_template_type",
    "go_names",
    "json_names",
    "model_fields",
    "sample_context",
    "to_payload",
    "to_template_data",
]

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


# --- nested OAuth2 types (courier/template/oauth2.go) ---------------------------------------


@dataclass(frozen=True, kw_only=True)
class OAuth2Client(Model):
    """Branding fields of the OAuth2 client that started the flow (a struct value in Go)."""

    GO_TYPE: ClassVar[str] = "template.OAuth2Client"

    ClientID: str = field(default="", metadata=_m("client_id", "string"))
    ClientName: str = field(default="", metadata=_m("client_name", "string", omitempty=True))
    ClientURI: str = field(default="", metadata=_m("client_uri", "string", omitempty=True))
    LogoURI: str = field(default="", metadata=_m("logo_uri", "string", omitempty=True))
    Metadata: Any = field(default=None, metadata=_m("metadata", "any", omitempty=True))


@dataclass(frozen=True, kw_only=True)
class OAuth2LoginRequest(Model):
    """The OAuth2 login request a flow started from; the model field is nil when there was none."""

    GO_TYPE: ClassVar[str] = "*template.OAuth2LoginRequest"

    Challenge: str = field(default="", metadata=_m("challenge", "string"))
    Client: OAuth2Client = field(default_factory=OAuth2Client, metadata=_m("client", "client"))


# The models' field is named like its type; annotate through an alias so the name resolves.
_OAuth2LoginRequestT = OAuth2LoginRequest

# --- email models (kratos-spec §1.3), fields in Go declaration order ------------------------


@dataclass(frozen=True, kw_only=True)
class RecoveryValidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RecoveryURL: str = field(default="", metadata=_m("recovery_url", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))


@dataclass(frozen=True, kw_only=True)
class RecoveryInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True)
class RecoveryCodeValidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryCodeValidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RecoveryCode: str = field(default="", metadata=_m("recovery_code", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    ExpiresInMinutes: int = field(default=0, metadata=_m("expires_in_minutes", "int"))
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True)
class RecoveryCodeInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.RecoveryCodeInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class VerificationInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerificationInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class VerificationCodeInvalidModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerificationCodeInvalidModel"

    To: str = field(default="", metadata=_m("to", "string"))
    RequestURL: str = field(default="", metadata=_m("request_url", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class VerifiableAddressChangedModel(Model):
    GO_TYPE: ClassVar[str] = "*email.VerifiableAddressChangedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    ChangedAt: str = field(default="", metadata=_m("changed_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True)
class AuthenticatorKeyAddedModel(Model):
    GO_TYPE: ClassVar[str] = "*email.AuthenticatorKeyAddedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    AddedAt: str = field(default="", metadata=_m("added_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))


@dataclass(frozen=True, kw_only=True)
class TestStubModel(Model):
    """Kratos's test stub: never template-rendered; subject and body are used verbatim."""

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name
    GO_TYPE: ClassVar[str] = "*email.TestStubModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Subject: str = field(default="", metadata=_m("subject", "string"))
    Body: str = field(default="", metadata=_m("body", "string"))
    HTMLBody: str = field(default="", metadata=_m("html_body", "string", omitempty=True))


# --- SMS models (kratos-spec §1.4) ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class SMSVerifiableAddressChangedModel(Model):
    GO_TYPE: ClassVar[str] = "*sms.VerifiableAddressChangedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    ChangedAt: str = field(default="", metadata=_m("changed_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True)
class SMSAuthenticatorKeyAddedModel(Model):
    GO_TYPE: ClassVar[str] = "*sms.AuthenticatorKeyAddedModel"

    To: str = field(default="", metadata=_m("to", "string"))
    Identity: Mapping[str, Any] = field(default_factory=dict, metadata=_m("identity", "map"))
    AddedAt: str = field(default="", metadata=_m("added_at", "string"))
    TransientPayload: Mapping[str, Any] = field(default_factory=dict, metadata=_m("transient_payload", "map"))
    UserRequestHeaders: Mapping[str, Any] = field(default_factory=dict, metadata=_m(None, "header"))


@dataclass(frozen=True, kw_only=True)
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


# --- context conversion ---------------------------------------------------------------------


def _did_you_mean(word: str, candidates: list[str]) -> str:
    # Compare case-insensitively so that "recoveryurl" still finds "RecoveryURL".
    import difflib  # only on this error path: not part of every process's start-up

    lowered = {c.lower(): c for c in reversed(candidates)}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _go_time(value: _dt.datetime, path: str) -> str:
    """Format a datetime as Go's ``time.Time.MarshalJSON`` does (RFC 3339 with nanoseconds).

    Go trims trailing zeros of the fraction and writes ``Z`` for a zero UTC offset.
    """
    offset = value.utcoffset()
    if offset is None:
        raise ContextError(
            f"{path}: naive datetime {value.isoformat()!r} has no time zone; "
            "JSON data needs an aware datetime (e.g. tzinfo=datetime.timezone.utc)"
        )
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    if not offset:
        return text + "Z"
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _json_value(value: object, path: str) -> Any:
    """Convert Python data to what Go's ``encoding/json`` decodes into ``interface{}``.

    Numbers become float64 (Python ``float``), arrays ``[]interface{}`` (``list``), objects
    ``map[string]interface{}`` (``dict``). Aware datetimes and UUIDs are written as Go's
    ``json.Marshal`` writes ``time.Time`` and ``uuid.UUID`` values (strings).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a plain str, also for str subclasses such as StrEnum members
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ContextError(f"{path}: integer {value} is too large for a JSON number (float64)") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ContextError(f"{path}: {value!r} is not a JSON number")
        return float(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ContextError(f"{path}: JSON object keys must be strings, got {_describe(key)}")
            out[key] = _json_value(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_json_value(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, _dt.datetime):
        return _go_time(value, path)
    # A UUID can only come from a process that imported uuid: no need to import it here.
    uuid = sys.modules.get("uuid")
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    raise ContextError(
        f"{path}: {_describe(value)} is not JSON data (null, bool, number, string, list or dict)"
    )


def _convert_string(value: object, path: str) -> str:
    if value is None:  # JSON null leaves a Go string at its zero value
        return ""
    if not isinstance(value, str):
        raise ContextError(f"{path} must be a string (Go string), got {_describe(value)}")
    return str.__str__(value)


def _convert_int(value: object, path: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ContextError(f"{path} must be an integer (Go int), got {_describe(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ContextError(f"{path} must be an integer (Go int), got {_describe(value)}")
        value = int(value)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ContextError(f"{path}: {value} overflows Go int (64 bits)")
    return int(value)  # an int subclass (Int64, IntEnum) becomes a plain Go int


def _convert_map(value: object, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ContextError(f"{path} must be a dict (Go map[string]interface {{}}), got {_describe(value)}")
    result: dict[str, Any] = _json_value(value, path)
    return result


def _convert_header(value: object, path: str) -> dict[str, StrList]:
    """``http.Header`` is ``map[string][]string``; a single string is taken as a one-item list."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ContextError(
            f"{path} must be a dict of header name to values (Go http.Header), got {_describe(value)}"
        )
    out: dict[str, StrList] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise ContextError(f"{path}: header names must be strings, got {_describe(key)}")
        items = [item] if isinstance(item, str) else item
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
            raise ContextError(f"{path}.{key} must be a string or a list of strings, got {_describe(item)}")
        out[key] = StrList(items)
    return out


def _struct_items(value: object, cls: type[Model], path: str) -> dict[str, Any]:
    """Read a struct given as a model instance or a dict with Go or JSON names (not both)."""
    if isinstance(value, Model):
        if type(value) is not cls:
            raise ContextError(
                f"{path or 'context'}: got a {type(value).__name__}, expected {cls.__name__} (Go {cls.GO_TYPE})"
            )
        return {fi.go_name: getattr(value, fi.go_name) for fi in model_fields(cls)}
    if not isinstance(value, Mapping):
        raise ContextError(f"{path or 'context'} must be a dict or a {cls.__name__}, got {_describe(value)}")
    by_json = go_names(cls)
    by_go = json_names(cls)
    items: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise ContextError(f"{path or 'context'}: field names must be strings, got {_describe(key)}")
        go_name = key if key in by_go else by_json.get(key)
        if go_name is None:
            raise ContextError(_unknown_field_message(key, cls, path))
        if go_name in spelled:
            raise ContextError(
                f"{_join(path, go_name)} is given twice, as {spelled[go_name]!r} and as {key!r}"
            )
        spelled[go_name] = key
        items[go_name] = item
    return items


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _unknown_field_message(key: str, cls: type[Model], path: str) -> str:
    fields = model_fields(cls)
    candidates = [fi.go_name for fi in fields] + [fi.json_name for fi in fields if fi.json_name]
    import difflib  # only on this error path

    lowered = {c.lower(): c for c in reversed(candidates)}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    where = f"{path} ({cls.GO_TYPE})" if path else cls.GO_TYPE
    message = f"unknown field {_join(path, key)!r}: {where} has no such field"
    if close:
        match = lowered[close[0]]
        info = next(fi for fi in fields if match in (fi.go_name, fi.json_name))
        spelled = f"{info.go_name!r}" + (f" (JSON {info.json_name!r})" if info.json_name else "")
        message += f"; did you mean {spelled}?"
    if cls is RegistrationCodeValidModel and key in ("Identity", "identity"):
        message += "; the registration email has Traits instead (the identity does not exist yet)"
    elif not path:
        # A field of another flow's model is the classic mistake (ory/kratos#1960): say whose it is.
        owners = [
            tt.name if model is tt.email_model else f"{tt.name} (sms)"
            for tt in TEMPLATE_TYPES.values()
            for model in (tt.email_model, tt.sms_model)
            if model is not None and (key in json_names(model) or key in go_names(model))
        ]
        if owners:
            more = f" and {len(owners) - 3} more" if len(owners) > 3 else ""
            message += f" ({key!r} is a field of {', '.join(owners[:3])}{more})"
    names = ", ".join(fi.go_name for fi in fields)
    end = "" if message.endswith((".", "?", "!")) else "."
    return f"{message}{end} Fields: {names}"


def _convert_struct(value: object, cls: type[Model], path: str) -> Model:
    items = _struct_items(value, cls, path)
    return cls(**_convert_fields(items, cls, path))


def _convert_fields(items: Mapping[str, Any], cls: type[Model], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fi in model_fields(cls):
        where = _join(path, fi.go_name)
        raw = items.get(fi.go_name)
        if fi.kind == "string":
            out[fi.go_name] = _convert_string(raw, where)
        elif fi.kind == "int":
            out[fi.go_name] = _convert_int(raw, where)
        elif fi.kind == "map":
            out[fi.go_name] = _convert_map(raw, where)
        elif fi.kind == "header":
            out[fi.go_name] = _convert_header(raw, where)
        elif fi.kind == "any":
            out[fi.go_name] = _json_value(raw, where)
        elif fi.kind == "oauth2":
            out[fi.go_name] = None if raw is None else _convert_struct(raw, OAuth2LoginRequest, where)
        else:  # "client": a struct value, zero struct when absent
            out[fi.go_name] = _convert_struct({} if raw is None else raw, OAuth2Client, where)
    return out


def to_template_data(
    name: str,
    ctx: Mapping[str, Any] | Model | None,
    *,
    channel: Channel = "email",
) -> dict[str, object]:
    """The data a template of type ``name`` executes on, as a dict keyed by Go field name.

    ``ctx`` may be a dict with Go field names (``RecoveryURL``), a Kratos courier payload with
    JSON names (``recovery_url``, as in ``template_data``), or the model dataclass; all three
    give the same dict. Every model field is present: missing ones get Go's zero value (``""``,
    ``0``, an empty map, ``None`` for the ``OAuth2LoginRequest`` pointer). Go ``int`` fields stay
    ``int``; numbers inside ``Identity``, ``Traits``, ``TransientPayload`` and OAuth2 client
    ``Metadata`` become ``float`` like Go's JSON-decoded ``float64``. ``OAuth2LoginRequest`` is an
    :class:`OAuth2LoginRequest` dataclass (a Go struct, so its fields are Go names too).

    Unknown fields, wrongly typed values and the wrong model class raise :class:`ContextError`
    naming the field (and the closest real field, if any).
    """
    tt = get_template_type(name)
    cls = tt.model(channel)
    try:
        return dict(_convert_fields(_struct_items({} if ctx is None else ctx, cls, ""), cls, ""))
    except ContextError as err:
        where = tt.name if channel == "email" else f"{tt.name} (sms)"
        raise ContextError(f"{where}: {err}") from None


def _payload_value(value: Any) -> Any:
    """JSON data for ``json.dumps``: integral floats back to ints, as Go's encoder prints them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _payload_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_payload_value(v) for v in value]
    return value


def _struct_payload(values: Mapping[str, Any], cls: type[Model]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fi in model_fields(cls):
        if fi.json_name is None:  # json:"-": never serialised
            continue
        value = values[fi.go_name]
        if fi.omitempty and value in (None, ""):
            continue
        if isinstance(value, Model):
            value = _struct_payload(
                {f.go_name: getattr(value, f.go_name) for f in model_fields(type(value))}, type(value)
            )
        out[fi.json_name] = _payload_value(copy.deepcopy(value))
    return out


def to_payload(
    name: str,
    ctx: Mapping[str, Any] | Model | None,
    *,
    channel: Channel = "email",
) -> dict[str, Any]:
    """The Kratos courier payload (``template_data``) for a context: JSON names, ready for ``json.dumps``.

    Like Go's ``json.Marshal`` of the model: ``json:"-"`` fields (``UserRequestHeaders``) are
    dropped, ``omitempty`` fields are left out when empty. Feeding the result back to
    :func:`to_template_data` gives what Kratos's HTML render at dispatch time sees.
    """
    cls = get_template_type(name).model(channel)
    return _struct_payload(to_template_data(name, ctx, channel=channel), cls)


# --- sample data ----------------------------------------------------------------------------

_SAMPLE_IDENTITY_ID: Final = "9f425a8d-7efc-4768-8f23-7647a74fdf13"
_SAMPLE_FLOW_ID: Final = "1a7b3c9e-5d2f-4e8a-9b6c-0d4e2f8a7c31"
_SAMPLE_BASE: Final = "https://auth.example.com"
_SAMPLE_EMAIL: Final = "jane.doe@example.com"
_SAMPLE_PHONE: Final = "+15555550123"
_SAMPLE_CREATED: Final = "2026-01-05T08:12:31.503442Z"
_SAMPLE_NOW: Final = "2026-11-22T09:41:07Z"

# Kratos defaults: link methods live for 1h, one-time codes for 15m.
_SAMPLE_EXPIRY: Final = {"recovery": 60, "verification": 60}


def _sample_identity(channel: Channel, locale: str) -> dict[str, Any]:
    address, via = (_SAMPLE_EMAIL, "email") if channel == "email" else (_SAMPLE_PHONE, "sms")
    traits: dict[str, Any] = {
        "email": _SAMPLE_EMAIL,
        "name": {"first": "Jane", "last": "Doe"},
        "locale": locale,
    }
    if channel == "sms":
        traits["phone"] = _SAMPLE_PHONE
    return {
        "id": _SAMPLE_IDENTITY_ID,
        "schema_id": "default",
        "schema_url": f"{_SAMPLE_BASE}/schemas/ZGVmYXVsdA",
        "state": "active",
        "state_changed_at": _SAMPLE_CREATED,
        "traits": traits,
        "verifiable_addresses": [
            {
                "id": "5b0c9f0e-3f7a-4d4c-9a51-2f9e8a3c6d10",
                "value": address,
                "verified": False,
                "via": via,
                "status": "sent",
                "created_at": _SAMPLE_CREATED,
                "updated_at": _SAMPLE_CREATED,
            }
        ],
        "recovery_addresses": [
            {
                "id": "c2d1e6a4-8b7f-4f39-a0d2-6e5b4c3a2f19",
                "value": address,
                "via": via,
                "created_at": _SAMPLE_CREATED,
                "updated_at": _SAMPLE_CREATED,
            }
        ],
        "metadata_public": None,
        "created_at": _SAMPLE_CREATED,
        "updated_at": _SAMPLE_CREATED,
    }


def sample_context(name: str, *, channel: Channel = "email", locale: str = "en") -> dict[str, Any]:
    """Realistic Kratos-like data for a template type, keyed by Go field name (for previews and docs).

    The identity has ``traits.email``, ``traits.name.first``/``last`` and ``traits.locale``
    (set to ``locale``); URLs point at ``https://auth.example.com``. Every call returns fresh data.
    """
    tt = get_template_type(name)
    cls = tt.model(channel)
    flow = tt.flow
    identity = _sample_identity(channel, locale)
    code = "482913"
    values: dict[str, Any] = {
        "To": _SAMPLE_EMAIL if channel == "email" else _SAMPLE_PHONE,
        "RecoveryURL": f"{_SAMPLE_BASE}/self-service/recovery?flow={_SAMPLE_FLOW_ID}&token=kGhxuYhtfwtjS7TiNDWYbh6wCbzh8JYv",
        "VerificationURL": (
            f"{_SAMPLE_BASE}/self-service/verification?code={code}&flow={_SAMPLE_FLOW_ID}"
            if flow == "verification_code"
            else f"{_SAMPLE_BASE}/self-service/verification?flow={_SAMPLE_FLOW_ID}&token=Zc3RbkUyq3NVbUwdM2SXgwqrGgmfGy7C"
        ),
        "RecoveryCode": code,
        "VerificationCode": code,
        "LoginCode": code,
        "RegistrationCode": code,
        "Identity": identity,
        "Traits": identity["traits"],
        "RequestURL": f"{_SAMPLE_BASE}/self-service/{flow.removesuffix('_code')}/browser?return_to=https%3A%2F%2Fapp.example.com%2F",
        "RequestURLDomain": "auth.example.com",
        "TransientPayload": {},
        "ExpiresInMinutes": _SAMPLE_EXPIRY.get(flow, 15),
        "UserRequestHeaders": {
            "Accept-Language": [locale.replace("_", "-")],
            "User-Agent": ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
        },
        "OAuth2LoginRequest": None,
        "ChangedAt": _SAMPLE_NOW,
        "AddedAt": _SAMPLE_NOW,
        "Subject": "Test subject",
        "Body": "Test body",
        "HTMLBody": "",
    }
    return copy.deepcopy({fi.go_name: values[fi.go_name] for fi in model_fields(cls)})
