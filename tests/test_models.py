"""Template types, models and context conversion (mailtemplates.models).

Expected field names, JSON names and folder layout come from kratos-spec.md §1 (itself read from
the Kratos sources); the int/float split of the data comes from the conformance vectors, which
were produced by real Go.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
import enum
import json
import math
import uuid
from pathlib import Path
from typing import Any

import pytest

from mailtemplates.errors import ContextError, InvalidName, MailTemplateError
from mailtemplates.gotmpl.values import StrList
from mailtemplates.models import (
    PART_FILES,
    PARTS,
    TEMPLATE_TYPES,
    LoginCodeValidModel,
    Model,
    OAuth2Client,
    OAuth2LoginRequest,
    RecoveryCodeValidModel,
    RecoveryValidModel,
    RegistrationCodeValidModel,
    SMSRecoveryCodeValidModel,
    VerificationValidModel,
    get_template_type,
    go_names,
    json_names,
    model_fields,
    sample_context,
    to_payload,
    to_template_data,
)

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "tests" / "conformance" / "cases"

# --- the spec, transcribed -------------------------------------------------------------------

# kratos-spec §1.2: every TemplateType string.
SPEC_KRATOS_TYPES = {
    "recovery_invalid",
    "recovery_valid",
    "recovery_code_invalid",
    "recovery_code_valid",
    "verification_invalid",
    "verification_valid",
    "verification_code_invalid",
    "verification_code_valid",
    "stub",
    "login_code_valid",
    "registration_code_valid",
    "verifiable_address_changed",
    "authenticator_key_added",
}

# kratos-spec §1.1: folder -> (subject, body, plaintext, sms) files present.
SPEC_LAYOUT = {
    "recovery/valid": ("subject", "body", "plaintext"),
    "recovery/invalid": ("subject", "body", "plaintext"),
    "recovery_code/valid": ("subject", "body", "plaintext", "sms"),
    "recovery_code/invalid": ("subject", "body", "plaintext"),
    "verification/valid": ("subject", "body", "plaintext"),
    "verification/invalid": ("subject", "body", "plaintext"),
    "verification_code/valid": ("subject", "body", "plaintext", "sms"),
    "verification_code/invalid": ("subject", "body", "plaintext"),
    "login_code/valid": ("subject", "body", "plaintext", "sms"),
    "registration_code/valid": ("subject", "body", "plaintext", "sms"),
    "verifiable_address_changed": ("subject", "body", "plaintext", "sms"),
    "authenticator_key_added": ("subject", "body", "plaintext", "sms"),
}

# kratos-spec §1.3 / §1.4: (Go name, JSON name or None for json:"-") in declaration order.
_TO = ("To", "to")
_ID = ("Identity", "identity")
_RURL = ("RequestURL", "request_url")
_TP = ("TransientPayload", "transient_payload")
_EXP = ("ExpiresInMinutes", "expires_in_minutes")
_OAUTH = ("OAuth2LoginRequest", "oauth2_login_request")
_HDR = ("UserRequestHeaders", None)
_DOM = ("RequestURLDomain", "request_url_domain")
_Fields = list[tuple[str, "str | None"]]
_INVALID: _Fields = [_TO, _RURL, _TP]
SPEC_EMAIL_FIELDS: dict[str, _Fields] = {
    "recovery/valid": [_TO, ("RecoveryURL", "recovery_url"), _ID, _RURL, _TP, _EXP],
    "recovery/invalid": _INVALID,
    "recovery_code/valid": [_TO, ("RecoveryCode", "recovery_code"), _ID, _RURL, _TP, _EXP, _HDR],
    "recovery_code/invalid": _INVALID,
    "verification/valid": [_TO, ("VerificationURL", "verification_url"), _ID, _RURL, _TP, _EXP, _OAUTH],
    "verification/invalid": _INVALID,
    "verification_code/valid": [
        _TO,
        ("VerificationURL", "verification_url"),
        ("VerificationCode", "verification_code"),
        _ID,
        _RURL,
        _TP,
        _EXP,
        _OAUTH,
    ],
    "verification_code/invalid": _INVALID,
    "login_code/valid": [_TO, ("LoginCode", "login_code"), _ID, _RURL, _TP, _EXP, _OAUTH, _HDR],
    "registration_code/valid": [
        _TO,
        ("Traits", "traits"),
        ("RegistrationCode", "registration_code"),
        _RURL,
        _TP,
        _EXP,
        _OAUTH,
        _HDR,
    ],
    "verifiable_address_changed": [_TO, _ID, ("ChangedAt", "changed_at"), _TP],
    "authenticator_key_added": [_TO, _ID, ("AddedAt", "added_at"), _TP],
    "test_stub": [_TO, ("Subject", "subject"), ("Body", "body"), ("HTMLBody", "html_body")],
}
SPEC_SMS_FIELDS: dict[str, _Fields] = {
    "recovery_code/valid": [_TO, ("RecoveryCode", "verification_code"), _ID, _RURL, _DOM, _TP, _EXP, _HDR],
    "verification_code/valid": [
        _TO,
        ("VerificationCode", "verification_code"),
        _ID,
        _RURL,
        _DOM,
        _TP,
        _EXP,
        _OAUTH,
    ],
    "login_code/valid": [_TO, ("LoginCode", "login_code"), _ID, _RURL, _DOM, _TP, _EXP, _OAUTH, _HDR],
    "registration_code/valid": [
        _TO,
        ("RegistrationCode", "registration_code"),
        _ID,
        _RURL,
        _DOM,
        _TP,
        _EXP,
        _OAUTH,
        _HDR,
    ],
    "verifiable_address_changed": [_TO, _ID, ("ChangedAt", "changed_at"), _TP, _HDR],
    "authenticator_key_added": [_TO, _ID, ("AddedAt", "added_at"), _TP, _HDR],
    "test_stub": [_TO, ("Body", "body"), _ID],
}

CHANNELS = [
    (name, channel)
    for name, tt in TEMPLATE_TYPES.items()
    for channel in ("email", "sms")
    if channel == "email" or tt.sms_model is not None
]


# --- registry -------------------------------------------------------------------------------


def test_registry_has_every_kratos_type_once() -> None:
    assert {t.kratos_type for t in TEMPLATE_TYPES.values()} == SPEC_KRATOS_TYPES
    assert len(TEMPLATE_TYPES) == len(SPEC_KRATOS_TYPES)


@pytest.mark.parametrize("name", sorted(SPEC_LAYOUT))
def test_layout_matches_kratos_tree(name: str) -> None:
    tt = TEMPLATE_TYPES[name]
    assert tt.parts == SPEC_LAYOUT[name]
    assert tt.templated
    assert "/".join(tt.path_parts) == name
    assert (tt.sms_model is not None) == ("sms" in tt.parts)


def test_path_parts() -> None:
    assert TEMPLATE_TYPES["recovery/valid"].path_parts == ("recovery", "valid")
    assert TEMPLATE_TYPES["recovery/valid"].status == "valid"
    # The two notification types have no valid/invalid level (kratos-spec §1.1).
    assert TEMPLATE_TYPES["verifiable_address_changed"].path_parts == ("verifiable_address_changed",)
    assert TEMPLATE_TYPES["authenticator_key_added"].status is None
    assert TEMPLATE_TYPES["recovery_code/invalid"].kratos_type == "recovery_code_invalid"


def test_stub_is_not_rendered() -> None:
    stub = TEMPLATE_TYPES["test_stub"]
    assert stub.kratos_type == "stub"
    assert not stub.templated
    assert stub.parts == ()


def test_part_files() -> None:
    assert PARTS == ("subject", "body", "plaintext", "sms")
    assert dict(PART_FILES) == {
        "subject": "email.subject",
        "body": "email.body",
        "plaintext": "email.body.plaintext",
        "sms": "sms.body",
    }


def test_lookup_by_kratos_type_string() -> None:
    assert get_template_type("recovery_code_valid") is TEMPLATE_TYPES["recovery_code/valid"]
    assert get_template_type("stub") is TEMPLATE_TYPES["test_stub"]
    assert get_template_type("verifiable_address_changed").name == "verifiable_address_changed"


def test_unknown_template_type_suggests() -> None:
    with pytest.raises(
        InvalidName, match=r"unknown template type 'recovery/vallid' \(did you mean 'recovery/valid'\?\)"
    ):
        get_template_type("recovery/vallid")
    with pytest.raises(InvalidName, match=r"unknown template type '\.\./x'"):
        to_template_data("../x", {})


def test_sms_model_only_where_kratos_has_one() -> None:
    with pytest.raises(InvalidName, match="'recovery/valid' has no SMS model"):
        to_template_data("recovery/valid", {}, channel="sms")
    with pytest.raises(InvalidName, match="unknown channel 'fax'"):
        TEMPLATE_TYPES["recovery/valid"].model("fax")  # type: ignore[arg-type]


# --- models ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SPEC_EMAIL_FIELDS))
def test_email_model_fields_match_spec(name: str) -> None:
    cls = TEMPLATE_TYPES[name].email_model
    assert [(f.go_name, f.json_name) for f in model_fields(cls)] == SPEC_EMAIL_FIELDS[name]
    assert [f.name for f in dataclasses.fields(cls)] == [g for g, _ in SPEC_EMAIL_FIELDS[name]]


@pytest.mark.parametrize("name", sorted(SPEC_SMS_FIELDS))
def test_sms_model_fields_match_spec(name: str) -> None:
    cls = TEMPLATE_TYPES[name].sms_model
    assert cls is not None
    assert [(f.go_name, f.json_name) for f in model_fields(cls)] == SPEC_SMS_FIELDS[name]


def test_quirks() -> None:
    # SMS RecoveryCode serialises as verification_code; the email one as recovery_code.
    assert json_names(SMSRecoveryCodeValidModel)["RecoveryCode"] == "verification_code"
    assert go_names(SMSRecoveryCodeValidModel)["verification_code"] == "RecoveryCode"
    assert json_names(RecoveryCodeValidModel)["RecoveryCode"] == "recovery_code"
    # Registration email: Traits, no Identity; its SMS twin has Identity.
    assert "Traits" in json_names(RegistrationCodeValidModel)
    assert "Identity" not in json_names(RegistrationCodeValidModel)
    assert "Identity" in json_names(TEMPLATE_TYPES["registration_code/valid"].model("sms"))
    # json:"-" and omitempty.
    assert json_names(LoginCodeValidModel)["UserRequestHeaders"] is None
    assert "UserRequestHeaders" not in go_names(LoginCodeValidModel).values()
    oauth = next(f for f in model_fields(LoginCodeValidModel) if f.go_name == "OAuth2LoginRequest")
    assert (oauth.json_name, oauth.omitempty, oauth.kind) == ("oauth2_login_request", True, "oauth2")


def test_oauth2_types_match_spec() -> None:
    assert [(f.go_name, f.json_name, f.omitempty) for f in model_fields(OAuth2LoginRequest)] == [
        ("Challenge", "challenge", False),
        ("Client", "client", False),
    ]
    assert [(f.go_name, f.json_name, f.omitempty) for f in model_fields(OAuth2Client)] == [
        ("ClientID", "client_id", False),
        ("ClientName", "client_name", True),
        ("ClientURI", "client_uri", True),
        ("LogoURI", "logo_uri", True),
        ("Metadata", "metadata", True),
    ]


@pytest.mark.parametrize(("name", "channel"), CHANNELS)
def test_go_type_names(name: str, channel: str) -> None:
    cls = TEMPLATE_TYPES[name].model(channel)  # type: ignore[arg-type]
    # Kratos executes with a pointer to the model: errors name "*email.X" / "*sms.X".
    assert f"*{channel}.{cls.__name__.removeprefix('SMS')}" == cls.GO_TYPE


def test_models_are_frozen_with_go_zero_defaults() -> None:
    m = RecoveryCodeValidModel()
    assert (m.To, m.RecoveryCode, m.ExpiresInMinutes, m.Identity, m.UserRequestHeaders) == ("", "", 0, {}, {})
    assert VerificationValidModel().OAuth2LoginRequest is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.To = "x"  # type: ignore[misc]
    # Defaults are not shared between instances.
    assert RecoveryValidModel().Identity is not RecoveryValidModel().Identity


# --- the three context forms ----------------------------------------------------------------


def _json_form(name: str, channel: str, go: dict[str, Any]) -> dict[str, Any]:
    """The Kratos payload for ``go``, renamed by the spec's JSON names and stored as JSON text."""
    spec = dict((SPEC_EMAIL_FIELDS if channel == "email" else SPEC_SMS_FIELDS)[name])
    renamed = {spec[k]: v for k, v in go.items() if spec[k] is not None}
    result: dict[str, Any] = json.loads(json.dumps(renamed))
    return result


@pytest.mark.parametrize(("name", "channel"), CHANNELS)
def test_three_forms_give_identical_data(name: str, channel: str) -> None:
    go = sample_context(name, channel=channel)  # type: ignore[arg-type]
    go.pop("UserRequestHeaders", None)  # json:"-": a JSON payload cannot carry it
    cls = TEMPLATE_TYPES[name].model(channel)  # type: ignore[arg-type]
    from_go = to_template_data(name, go, channel=channel)  # type: ignore[arg-type]
    from_json = to_template_data(name, _json_form(name, channel, go), channel=channel)  # type: ignore[arg-type]
    from_model = to_template_data(name, cls(**go), channel=channel)  # type: ignore[arg-type]
    assert from_go == from_json == from_model
    assert list(from_go) == [f.go_name for f in model_fields(cls)]
    # Same types, not only equal values (1 == 1.0 in Python).
    assert _types(from_go) == _types(from_json) == _types(from_model)


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value), _types(dataclasses.asdict(value)))
    return type(value)


@pytest.mark.parametrize("name", ["verification/valid", "verification_code/valid", "login_code/valid"])
def test_three_forms_with_oauth2_login_request(name: str) -> None:
    go = {
        "OAuth2LoginRequest": {
            "Challenge": "ch-1",
            "Client": {"ClientID": "app", "ClientName": "Acme", "Metadata": {"brand": {"hue": 210}}},
        }
    }
    payload = {
        "oauth2_login_request": {
            "challenge": "ch-1",
            "client": {"client_id": "app", "client_name": "Acme", "metadata": {"brand": {"hue": 210}}},
        }
    }
    cls: Any = TEMPLATE_TYPES[name].email_model
    model = cls(
        OAuth2LoginRequest=OAuth2LoginRequest(
            Challenge="ch-1",
            Client=OAuth2Client(ClientID="app", ClientName="Acme", Metadata={"brand": {"hue": 210}}),
        )
    )
    datas = [to_template_data(name, ctx) for ctx in (go, payload, model)]
    assert datas[0] == datas[1] == datas[2]
    oauth = datas[0]["OAuth2LoginRequest"]
    assert isinstance(oauth, OAuth2LoginRequest)
    assert isinstance(oauth.Client, OAuth2Client)
    assert oauth.Client.ClientURI == ""
    # Metadata is interface{} holding JSON: numbers are float64.
    assert oauth.Client.Metadata == {"brand": {"hue": 210.0}}
    assert isinstance(oauth.Client.Metadata["brand"]["hue"], float)


def test_kratos_message_row_renders_by_type_string() -> None:
    # A courier message stores TemplateType "recovery_code_valid" and JSON template_data.
    row_data = '{"to":"a@example.com","recovery_code":"123456","identity":{"id":"x"},"request_url":"","transient_payload":null,"expires_in_minutes":15}'
    data = to_template_data("recovery_code_valid", json.loads(row_data))
    assert data["RecoveryCode"] == "123456"
    assert data["TransientPayload"] == {}


# --- Go types of the data -------------------------------------------------------------------


def _kratos_vectors() -> list[dict[str, Any]]:
    """Conformance vectors in the kratos categories whose data is a model (ExpiresInMinutes an int)."""
    cases = []
    for path in sorted(CONFORMANCE.glob("kratos*/*.json")):
        if path.parent.name == "kratos-deps":
            continue  # sprig dependency probes: their data is no Kratos model
        case = json.loads(path.read_text())
        data = case.get("data")
        if not isinstance(data, dict):
            continue
        if "ExpiresInMinutes" in data and "ExpiresInMinutes" not in case.get("int_paths", []):
            continue  # vectors that deliberately feed a float64 ExpiresInMinutes (not a model)
        cases.append(case)
    return cases


def _type_for(data: dict[str, Any]) -> str:
    for key, name in (
        ("RecoveryURL", "recovery/valid"),
        ("RecoveryCode", "recovery_code/valid"),
        ("LoginCode", "login_code/valid"),
        ("VerificationCode", "verification_code/valid"),
        ("VerificationURL", "verification/valid"),
    ):
        if key in data:
            return name
    return "recovery/invalid"


def _expected_types(value: Any, path: str, int_paths: set[str]) -> Any:
    """The Go types the oracle gave the vector's data: int at int_paths, float64 elsewhere."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return type(value)
    if isinstance(value, (int, float)):
        return int if path in int_paths else float
    if isinstance(value, dict):
        return {k: _expected_types(v, f"{path}.{k}" if path else k, int_paths) for k, v in value.items()}
    return [_expected_types(v, path, int_paths) for v in value]


def test_kratos_vectors_found() -> None:
    assert len(_kratos_vectors()) > 50


@pytest.mark.parametrize("case", _kratos_vectors(), ids=lambda c: c["id"])
def test_data_types_match_conformance_vectors(case: dict[str, Any]) -> None:
    data = case["data"]
    result = to_template_data(_type_for(data), data)
    given = {k: result[k] for k in data}
    assert given == data
    assert _types(given) == _expected_types(data, "", set(case.get("int_paths", [])))


def test_json_numbers_become_float_and_ints_stay_int() -> None:
    data = to_template_data(
        "recovery_code/valid",
        {
            "ExpiresInMinutes": 15,
            "Identity": {
                "traits": {"age": 42, "scores": [1, 2.5, True, None]},
                "metadata_public": {"n": 10**6},
            },
            "TransientPayload": {"count": 3},
        },
    )
    assert type(data["ExpiresInMinutes"]) is int
    identity: Any = data["Identity"]
    assert identity["traits"]["age"] == 42.0 and type(identity["traits"]["age"]) is float
    assert _types(identity["traits"]["scores"]) == [float, float, bool, type(None)]
    assert type(identity["metadata_public"]["n"]) is float
    transient: Any = data["TransientPayload"]
    assert type(transient["count"]) is float


def test_zero_values_for_missing_fields() -> None:
    assert to_template_data("login_code/valid", {}) == {
        "To": "",
        "LoginCode": "",
        "Identity": {},
        "RequestURL": "",
        "TransientPayload": {},
        "ExpiresInMinutes": 0,
        "OAuth2LoginRequest": None,
        "UserRequestHeaders": {},
    }
    assert to_template_data("recovery/invalid", None) == {"To": "", "RequestURL": "", "TransientPayload": {}}


def test_json_null_gives_zero_values() -> None:
    # encoding/json leaves a field at its zero value for null (and sets maps/pointers to nil).
    payload = {
        "to": None,
        "verification_url": None,
        "identity": None,
        "transient_payload": None,
        "expires_in_minutes": None,
        "oauth2_login_request": None,
    }
    data = to_template_data("verification/valid", payload)
    assert data == to_template_data("verification/valid", {})


def test_caller_data_is_not_aliased_or_mutated() -> None:
    identity = {"traits": {"age": 42}}
    data = to_template_data("recovery/valid", {"Identity": identity})
    assert identity == {"traits": {"age": 42}} and type(identity["traits"]["age"]) is int
    assert data["Identity"] is not identity


def test_int_field_accepts_integral_float_only() -> None:
    assert to_template_data("recovery/valid", {"expires_in_minutes": 15.0})["ExpiresInMinutes"] == 15
    for bad in (1.5, "15", True, 2**63):
        with pytest.raises(ContextError, match=r"recovery/valid: ExpiresInMinutes"):
            to_template_data("recovery/valid", {"ExpiresInMinutes": bad})


@pytest.mark.parametrize(
    ("ctx", "message"),
    [
        ({"RecoveryURL": 5}, r"RecoveryURL must be a string \(Go string\), got int 5"),
        ({"Identity": "jane"}, r"Identity must be a dict"),
        ({"Identity": {"traits": {1: "x"}}}, r"Identity\.traits: JSON object keys must be strings"),
        ({"Identity": {"n": math.nan}}, r"Identity\.n: nan is not a JSON number"),
        ({"Identity": {"s": {1, 2}}}, r"Identity\.s: set .* is not JSON data"),
        ({"TransientPayload": {"big": 10**400}}, r"TransientPayload\.big: integer .* too large"),
        ({"Identity": {"created_at": dt.datetime(2026, 1, 1)}}, r"Identity\.created_at: naive datetime"),
        ([("To", "x")], r"context must be a dict or a RecoveryValidModel"),
        ({1: "x"}, r"field names must be strings"),
    ],
)
def test_wrong_types_are_context_errors(ctx: Any, message: str) -> None:
    with pytest.raises(ContextError, match=message):
        to_template_data("recovery/valid", ctx)


def test_datetimes_and_uuids_are_marshalled_like_go() -> None:
    # Go's time.Time.MarshalJSON uses RFC 3339 with the fraction's trailing zeros removed and Z for UTC.
    identity = {
        "id": uuid.UUID("9f425a8d-7efc-4768-8f23-7647a74fdf13"),
        "created_at": dt.datetime(2026, 1, 5, 8, 12, 31, 503440, tzinfo=dt.timezone.utc),
        "updated_at": dt.datetime(
            2026, 1, 5, 8, 12, 31, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))
        ),
    }
    data: Any = to_template_data("recovery/valid", {"Identity": identity})["Identity"]
    assert data == {
        "id": "9f425a8d-7efc-4768-8f23-7647a74fdf13",
        "created_at": "2026-01-05T08:12:31.50344Z",
        "updated_at": "2026-01-05T08:12:31-05:30",
    }


def test_subclassed_values_become_plain_go_values() -> None:
    class Plan(str, enum.Enum):
        PRO = "pro"

    data: Any = to_template_data(
        "recovery/valid",
        {
            "To": Plan.PRO,
            "Identity": {"plan": Plan.PRO, "since": dt.datetime(999, 1, 2, tzinfo=dt.timezone.utc)},
        },
    )
    assert type(data["To"]) is str and data["To"] == "pro"
    assert type(data["Identity"]["plan"]) is str and data["Identity"]["plan"] == "pro"
    assert data["Identity"]["since"] == "0999-01-02T00:00:00Z"


def test_user_request_headers_are_http_header_values() -> None:
    data = to_template_data(
        "login_code/valid", {"UserRequestHeaders": {"User-Agent": "curl/8", "Accept": ["a", "b"]}}
    )
    headers: Any = data["UserRequestHeaders"]
    assert headers == {"User-Agent": ["curl/8"], "Accept": ["a", "b"]}
    assert all(type(v) is StrList for v in headers.values())  # Go []string
    with pytest.raises(
        ContextError, match=r"UserRequestHeaders\.Accept must be a string or a list of strings"
    ):
        to_template_data("login_code/valid", {"UserRequestHeaders": {"Accept": 1}})


# --- unknown fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "channel", "ctx", "message"),
    [
        (
            "recovery/valid",
            "email",
            {"RecoveryUrl": "x"},
            "recovery/valid: unknown field 'RecoveryUrl': *email.RecoveryValidModel has no such field; "
            "did you mean 'RecoveryURL' (JSON 'recovery_url')?",
        ),
        (
            "recovery/valid",
            "email",
            {"recoveryurl": "x"},
            "did you mean 'RecoveryURL' (JSON 'recovery_url')?",
        ),
        (
            "recovery_code/valid",
            "sms",
            {"recovery_code": "1"},
            "recovery_code/valid (sms): unknown field 'recovery_code': *sms.RecoveryCodeValidModel has no such "
            "field; did you mean 'RecoveryCode' (JSON 'verification_code')?",
        ),
        (
            "recovery_code/valid",
            "email",
            {"RecoveryURL": "x"},
            "('RecoveryURL' is a field of recovery/valid)",
        ),
        (
            "registration_code/valid",
            "email",
            {"Identity": {}},
            "the registration email has Traits instead",
        ),
        (
            "verification/valid",
            "email",
            {"OAuth2LoginRequest": {"client": {"clientid": "x"}}},
            "unknown field 'OAuth2LoginRequest.Client.clientid': OAuth2LoginRequest.Client (template.OAuth2Client) "
            "has no such field; did you mean 'ClientID' (JSON 'client_id')?",
        ),
        (
            "recovery/valid",
            "email",
            {"Zzzzzz": 1},
            "recovery/valid: unknown field 'Zzzzzz': *email.RecoveryValidModel has no such field. Fields: To, "
            "RecoveryURL, Identity, RequestURL, TransientPayload, ExpiresInMinutes",
        ),
    ],
)
def test_unknown_fields_are_named_with_a_suggestion(name: str, channel: str, ctx: Any, message: str) -> None:
    with pytest.raises(ContextError) as info:
        to_template_data(name, ctx, channel=channel)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_user_request_headers_has_no_json_name() -> None:
    with pytest.raises(
        ContextError, match=r"unknown field 'user_request_headers'.*did you mean 'UserRequestHeaders'"
    ):
        to_template_data("login_code/valid", {"user_request_headers": {}})


def test_field_given_twice_is_an_error() -> None:
    with pytest.raises(
        ContextError, match="RecoveryURL is given twice, as 'RecoveryURL' and as 'recovery_url'"
    ):
        to_template_data("recovery/valid", {"RecoveryURL": "a", "recovery_url": "b"})


def test_wrong_model_class_is_an_error() -> None:
    with pytest.raises(ContextError, match="got a RecoveryCodeValidModel, expected RecoveryValidModel"):
        to_template_data("recovery/valid", RecoveryCodeValidModel())
    with pytest.raises(
        ContextError, match="got a RecoveryCodeValidModel, expected SMSRecoveryCodeValidModel"
    ):
        to_template_data("recovery_code/valid", RecoveryCodeValidModel(), channel="sms")


def test_context_errors_are_mailtemplate_errors() -> None:
    assert issubclass(ContextError, MailTemplateError)


# --- payload --------------------------------------------------------------------------------


def test_payload_is_what_kratos_stores() -> None:
    ctx = sample_context("login_code/valid")
    payload = to_payload("login_code/valid", ctx)
    # json:"-" dropped, nil omitempty pointer left out, JSON names.
    assert list(payload) == [
        "to",
        "login_code",
        "identity",
        "request_url",
        "transient_payload",
        "expires_in_minutes",
    ]
    assert json.loads(json.dumps(payload)) == payload
    # What Kratos's HTML render at dispatch sees: the headers are gone.
    round_trip = to_template_data("login_code/valid", json.loads(json.dumps(payload)))
    assert round_trip["UserRequestHeaders"] == {}
    assert round_trip == {**to_template_data("login_code/valid", ctx), "UserRequestHeaders": {}}


def test_payload_omitempty_and_integral_numbers() -> None:
    payload = to_payload(
        "verification/valid",
        {
            "OAuth2LoginRequest": {"Challenge": "c", "Client": {"ClientID": "app"}},
            "Identity": {"n": 3, "f": 1.5},
        },
    )
    assert payload["oauth2_login_request"] == {"challenge": "c", "client": {"client_id": "app"}}
    # Go's encoder prints float64(3) as 3.
    assert json.dumps(payload["identity"]) == '{"n": 3, "f": 1.5}'
    stub = to_payload("test_stub", {"To": "a", "Subject": "s", "Body": "b"})
    assert stub == {"to": "a", "subject": "s", "body": "b"}


# --- sample data ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "channel"), CHANNELS)
def test_sample_context_is_valid_go_form(name: str, channel: str) -> None:
    ctx = sample_context(name, channel=channel)  # type: ignore[arg-type]
    cls = TEMPLATE_TYPES[name].model(channel)  # type: ignore[arg-type]
    assert list(ctx) == [f.go_name for f in model_fields(cls)]
    data = to_template_data(name, ctx, channel=channel)  # type: ignore[arg-type]
    if "Identity" in data or "Traits" in data:
        traits: Any = data["Traits"] if "Traits" in data else data["Identity"]["traits"]  # type: ignore[index]
        assert traits["email"] and traits["name"]["first"] and traits["locale"] == "en"
    if "ExpiresInMinutes" in data:
        assert isinstance(data["ExpiresInMinutes"], int) and data["ExpiresInMinutes"] > 0
    for key in ("RecoveryURL", "VerificationURL", "RequestURL"):
        if key in data:
            assert str(data[key]).startswith("https://")


def test_sample_context_is_fresh_and_takes_a_locale() -> None:
    first = sample_context("recovery_code/valid", locale="de")
    first["Identity"]["traits"]["name"]["first"] = "changed"
    second = sample_context("recovery_code/valid", locale="de")
    assert second["Identity"]["traits"]["name"]["first"] == "Jane"
    assert second["Identity"]["traits"]["locale"] == "de"
    assert sample_context("registration_code/valid")["Traits"]["email"] == "jane.doe@example.com"
    assert sample_context("login_code/valid", channel="sms")["To"].startswith("+")


def test_model_base_has_no_fields() -> None:
    assert model_fields(Model) == ()


# --- docs -----------------------------------------------------------------------------------

_KIND_GO = {
    "string": ("string", "`str`"),
    "int": ("int", "`int`"),
    "map": ("map[string]interface {}", "`dict` of JSON data (numbers are `float`)"),
    "header": ("http.Header", "`dict` of `str` to `StrList`"),
    "oauth2": ("*OAuth2LoginRequest", "`OAuth2LoginRequest` dataclass or `None`"),
}


def models_table() -> str:
    """The template-type table of docs/context.md, built from the registry."""
    rows = [
        "| Folder | Kratos type | Parts | Email model: fields | SMS model: fields |",
        "|---|---|---|---|---|",
    ]

    def describe(cls: type[Model] | None) -> str:
        if cls is None:
            return "–"
        return f"{cls.__name__}: {', '.join(f.go_name for f in model_fields(cls))}"

    for t in TEMPLATE_TYPES.values():
        parts = ", ".join(t.parts) or "none (used verbatim)"
        rows.append(
            f"| `{t.name}` | `{t.kratos_type}` | {parts} | {describe(t.email_model)} | {describe(t.sms_model)} |"
        )
    return "\n".join(rows)


def fields_table() -> str:
    """The field table of docs/context.md: every Go field, its JSON name(s) and types."""
    seen: dict[str, dict[str, Any]] = {}
    for t in TEMPLATE_TYPES.values():
        for channel, cls in (("email", t.email_model), ("sms", t.sms_model)):
            if cls is None:
                continue
            for f in model_fields(cls):
                entry = seen.setdefault(f.go_name, {"json": {}, "kind": f.kind})
                entry["json"].setdefault(f.json_name, set()).add(channel)
    rows = ["| Go name | JSON name | Go type | Python value |", "|---|---|---|---|"]
    for go_name, entry in seen.items():
        names = entry["json"]
        if len(names) == 1:
            (json_name,) = names
            json_text = "`-` (never serialised)" if json_name is None else f"`{json_name}`"
        else:
            json_text = ", ".join(f"`{j}` ({'/'.join(sorted(c))})" for j, c in names.items())
        go_type, py_type = _KIND_GO[entry["kind"]]
        rows.append(f"| `{go_name}` | {json_text} | `{go_type}` | {py_type} |")
    return "\n".join(rows)


def _section(text: str, marker: str) -> str:
    start = text.index(f"<!-- {marker}:start -->") + len(f"<!-- {marker}:start -->")
    return text[start : text.index(f"<!-- {marker}:end -->")].strip()


def test_docs_tables_match_the_registry() -> None:
    text = (ROOT / "docs" / "context.md").read_text()
    assert _section(text, "models-table") == models_table(), models_table()
    assert _section(text, "fields-table") == fields_table(), fields_table()


def test_docs_context_examples_run() -> None:
    result = doctest.testfile(
        str(ROOT / "docs" / "context.md"), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.attempted > 5
    assert result.failed == 0


def test_lone_surrogates_become_replacement_characters_like_go_json() -> None:
    """Issue 13: ``"\\ud800@example.com"`` is valid JSON; Python keeps the lone surrogate, which
    rendered and then made ``to_message().as_bytes()`` raise UnicodeEncodeError. Go's
    encoding/json decodes it to U+FFFD (and a surrogate pair to its character)."""
    import json

    from mailtemplates import render

    ctx = json.loads(
        '{"To": "\\ud800@example.com", "RecoveryCode": "12\\udfff34", "Identity": {"traits":'
        ' {"name": "A\\ud83d\\ude00\\ud800", "\\udc00key": ["x\\ud800"]}},'
        ' "UserRequestHeaders": {"X-\\ud800": ["v\\udfff"]}}'
    )
    data = to_template_data("recovery_code/valid", ctx)
    assert data["To"] == "\ufffd@example.com"
    assert data["RecoveryCode"] == "12\ufffd34"
    traits = data["Identity"]["traits"]  # type: ignore[index]
    assert traits == {"name": "A\U0001f600\ufffd", "\ufffdkey": ["x\ufffd"]}
    assert data["UserRequestHeaders"] == {"X-\ufffd": ["v\ufffd"]}
    # A pair given as two code points is one character, as Go decodes "\ud83d\ude00".
    assert to_template_data("recovery_code/valid", {"To": "\ud83d\ude00"})["To"] == "\U0001f600"
    email = render("recovery_code/valid", ctx)
    raw = email.to_message(from_address="a@example.com", to="b@example.com").as_bytes()
    from email import message_from_bytes, policy

    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",))
    assert text is not None and "12\ufffd34" in text.get_content()


class _ClaimsAscii(str):
    def isascii(self) -> bool:
        return True


def test_a_str_subclass_cannot_skip_the_surrogate_check() -> None:
    # The ASCII fast path asks str itself, not the value's own isascii().
    data = to_template_data("recovery_code/valid", {"To": _ClaimsAscii("\ud800@example.com")})
    assert data["To"] == "\ufffd@example.com"
    data = to_template_data("recovery_code/valid", {"Identity": {"traits": {"n": _ClaimsAscii("x\udfff")}}})
    assert data["Identity"] == {"traits": {"n": "x\ufffd"}}
