"""Versioned schema of the courier store, one list of statements per version.

Tables carry an ``mt_`` prefix so that a store pointed at a database Kratos also uses never
touches Kratos's own ``courier_messages``. ``{real}``, ``{blob}`` and ``{serial}`` are filled per dialect.
A version, once released, is never edited: a change is a new version appended here.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "statements"]

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # version 1
    (
        """CREATE TABLE mt_courier_messages (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            html TEXT,
            template_type TEXT NOT NULL,
            template_data TEXT NOT NULL,
            locale TEXT,
            headers TEXT NOT NULL,
            message_id TEXT NOT NULL,
            idempotency_key TEXT UNIQUE,
            extras TEXT NOT NULL,
            raw {blob},
            send_count INTEGER NOT NULL DEFAULT 0,
            due_at {real} NOT NULL,
            lease_until {real},
            claim TEXT,
            created_at {real} NOT NULL,
            updated_at {real} NOT NULL
        )""",
        "CREATE INDEX mt_courier_messages_due ON mt_courier_messages (status, due_at)",
        "CREATE INDEX mt_courier_messages_recipient ON mt_courier_messages (recipient)",
        """CREATE TABLE mt_courier_dispatches (
            id {serial},
            message_id TEXT NOT NULL REFERENCES mt_courier_messages (id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            error TEXT,
            worker TEXT,
            created_at {real} NOT NULL
        )""",
        "CREATE INDEX mt_courier_dispatches_message ON mt_courier_dispatches (message_id)",
    ),
)

_TYPES = {
    "sqlite": {"blob": "BLOB", "real": "REAL", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgres": {
        "blob": "BYTEA",
        "real": "DOUBLE PRECISION",
        "serial": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    },
}


def statements(version: int, dialect: str) -> list[str]:
    """The SQL of schema ``version`` (1-based) for ``dialect`` (``sqlite`` or ``postgres``)."""
    return [s.format(**_TYPES[dialect]) for s in MIGRATIONS[version - 1]]
