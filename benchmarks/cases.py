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


def huge_static_case(size: int = 125_000) -> dict[str, Any]:
    """A 125 KB HTML body that is almost all static markup (a long newsletter-style table with
    two actions): the first render of a large template, where compile cost grows with the text."""
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Acme</title>\n'
        "<style>\n  td { font-family: Helvetica, Arial, sans-serif; font-size: 14px; }\n</style>\n"
        '</head>\n<body>\n<p>Hello {{ .To }},</p>\n<table role="presentation" width="100%" '
        'cellpadding="0" cellspacing="0">\n'
    )
    tail = "</table>\n<p>Your code: {{ .RecoveryCode }}</p>\n</body>\n</html>\n"
    rows = []
    i = 0
    while len(head) + sum(map(len, rows)) + len(tail) < size:
        i += 1
        rows.append(
            f'<tr><td class="item" style="padding: 8px 0; border-bottom: 1px solid #e5e7eb">'
            f'<a href="https://acme.example/news/{i}">Release note {i}</a>: the widget now ships '
            f"with a faster gearbox &amp; a quieter fan.</td></tr>\n"
        )
    return {
        "id": "bench-huge-static-html",
        "engine": "html",
        "funcs": "hermetic",
        "files": {"email.body.gotmpl": head + "".join(rows) + tail},
        "entry": "email.body.gotmpl",
        "data": SAMPLE_DATA,
        "int_paths": ["ExpiresInMinutes"],
    }
