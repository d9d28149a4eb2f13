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

The package is split along its content: :mod:`.structs` (the models and the type registry),
:mod:`.convert` (context conversion) and :mod:`.samples` (sample data); everything public is
re-exported here.
"""

from __future__ import annotations

from .convert import (
    to_payload,
    to_template_data,
)
from .samples import (
    sample_context,
)
from .structs import (
    PART_FILES,
    PARTS,
    TEMPLATE_TYPES,
    AuthenticatorKeyAddedModel,
    Channel,
    FieldInfo,
    LoginCodeValidModel,
    Model,
    OAuth2Client,
    OAuth2LoginRequest,
    RecoveryCodeInvalidModel,
    RecoveryCodeValidModel,
    RecoveryInvalidModel,
    RecoveryValidModel,
    RegistrationCodeValidModel,
    SMSAuthenticatorKeyAddedModel,
    SMSLoginCodeValidModel,
    SMSRecoveryCodeValidModel,
    SMSRegistrationCodeValidModel,
    SMSTestStubModel,
    SMSVerifiableAddressChangedModel,
    SMSVerificationCodeValidModel,
    TemplateType,
    TestStubModel,
    VerifiableAddressChangedModel,
    VerificationCodeInvalidModel,
    VerificationCodeValidModel,
    VerificationInvalidModel,
    VerificationValidModel,
    get_template_type,
    go_names,
    json_names,
    model_fields,
)

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
