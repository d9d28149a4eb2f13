"""Sample contexts for every template type (the preview, `render` without data, the docs)."""

from __future__ import annotations

import copy
from typing import Any, Final

from .structs import (
    Channel,
    get_template_type,
    model_fields,
)

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
