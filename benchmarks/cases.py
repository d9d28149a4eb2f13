"""The benchmark's templates and data, as conformance-format cases (shared with the Go baseline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
OVERRIDE = HERE / "kratos_override"
CONFORMANCE = ROOT / "tests" / "conformance" / "cases"

SAMPLE_DATA: dict[str, Any] = {
    "To": "ada@example.com",
    "RecoveryCode": "482913",
    "ExpiresInMinutes": 15,
    "RequestURL": "https://auth.acme.example/self-service/recovery?flow=9b7c",
    "TransientPayload": {},
    "Identity": {
        "id": "7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "schema_id": "default",
        "state": "active",
        "traits": {"email": "ada@example.com", "language": "de", "name": {"first": "Zoë & <Ann>", "last": "Lovelace"}},
        "metadata_public": {"plan": "pro"},
    },
}


def override_cases() -> list[dict[str, Any]]:
    """One case per part of the branded Kratos override folder (recovery_code/valid)."""
    folder = OVERRIDE / "recovery_code" / "valid"
    out = []
    for stem, engine in (("email.subject", "text"), ("email.body", "html"), ("email.body.plaintext", "text")):
        files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.name.startswith(stem)}
        out.append(
            {
                "id": f"bench-override-{stem.replace('.', '-')}",
                "engine": engine,
                "funcs": "hermetic",
                "files": files,
                "entry": stem + ".gotmpl",
                "data": SAMPLE_DATA,
                "int_paths": ["ExpiresInMinutes"],
            }
        )
    return out


def kratos_vectors() -> list[dict[str, Any]]:
    cases = []
    for cat in ("kratos", "kratos-i18n"):
        for p in sorted((CONFORMANCE / cat).glob("*.json")):
            c = json.loads(p.read_text(encoding="utf-8"))
            if "output" in c["expect"]:
                cases.append(c)
    return cases
