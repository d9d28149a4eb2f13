"""Versioned schema of the courier store, one list of statements per version.

Tables carry an ``mt_`` prefix so that a store pointed at a database Kratos also uses never
touches Kratos's own ``courier_messages``. ``{real}``, ``{blob}`` and ``{serial}`` are filled per dialect.
A statement is SQL for both dialects, or a mapping from dialect to SQL (a dialect it does not name
runs nothing). A version, once released, is never edited: a change is a new version appended here.
(Version 1 was rewritten before the courier's first release; that was the only exception.)
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "statements"]

MIGRATIONS: tuple[tuple[str | dict[str, str], ...], ...] = (
    # version 1
    (
        # What the worker changes (status, send_count, due_at, lease_until, claim, updated_at) and
        # what lists filter and show, in a row of ~200 bytes: a claim or an outcome rewrites this
        # row, not the ~14 KB of content (on SQLite that was four pages into the WAL per update).
        """CREATE TABLE mt_courier_messages (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            recipient TEXT NOT NULL,
            template_type TEXT NOT NULL,
            locale TEXT,
            message_id TEXT NOT NULL,
            idempotency_key TEXT UNIQUE,
            send_count INTEGER NOT NULL DEFAULT 0,
            due_at {real} NOT NULL,
            lease_until {real},
            claim TEXT,
            created_at {real} NOT NULL,
            updated_at {real} NOT NULL
        )""",
        "CREATE INDEX mt_courier_messages_due ON mt_courier_messages (status, due_at, created_at)",
        "CREATE INDEX mt_courier_messages_recipient ON mt_courier_messages (recipient)",
        # What is sent, written once at enqueue and never updated.
        """CREATE TABLE mt_courier_contents (
            id TEXT PRIMARY KEY REFERENCES mt_courier_messages (id) ON DELETE CASCADE,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            html TEXT,
            template_data TEXT NOT NULL,
            headers TEXT NOT NULL,
            extras TEXT NOT NULL,
            raw {blob}
        )""",
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
    # version 2
    (
        # PostgreSQL compresses the ~14 KB of content (TOAST) with pglz by default: ~0.15 ms of
        # server CPU per enqueue more than lz4 (docs/performance.md, courier, fourth pass), and
        # lz4 reads back faster at every claim. A server built without lz4 (or older than 14)
        # keeps pglz: the migration then changes nothing.
        {
            "postgres": """DO $$ BEGIN
                EXECUTE 'ALTER TABLE mt_courier_contents ALTER COLUMN body SET COMPRESSION lz4, '
                    'ALTER COLUMN html SET COMPRESSION lz4, ALTER COLUMN template_data SET COMPRESSION lz4, '
                    'ALTER COLUMN raw SET COMPRESSION lz4';
            EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN NULL;
            END $$"""
        },
    ),
    # version 3
    (
        # Keep a message's content in its heap row: with the 2 KB default target, the two
        # compressed large values (HTML ~2.4 KB, MIME ~3 KB for a Kratos email) were moved to the
        # TOAST table as ~2 KB chunks, each with its own insert, index entry and WAL record, and
        # fetched back chunk by chunk at every claim. Up to a page (8160 bytes, the maximum),
        # values are compressed in the row instead; a larger content is still moved out.
        # (docs/performance.md, courier, fifth pass.)
        {"postgres": "ALTER TABLE mt_courier_contents SET (toast_tuple_target = 8160)"},
        # The idempotency key's unique index holds only the messages that have one: the claim and
        # the outcome rewrite every message row (status is in the due index, so never a HOT
        # update), and each new row version used to add a NULL entry to this index too.
        {
            "postgres": """DO $$ DECLARE c text; BEGIN
                CREATE UNIQUE INDEX mt_courier_messages_key ON mt_courier_messages (idempotency_key)
                    WHERE idempotency_key IS NOT NULL;
                SELECT conname INTO c FROM pg_constraint
                    WHERE conrelid = 'mt_courier_messages'::regclass AND contype = 'u'
                    AND conkey = ARRAY[(SELECT attnum FROM pg_attribute
                        WHERE attrelid = 'mt_courier_messages'::regclass AND attname = 'idempotency_key')];
                IF c IS NOT NULL THEN
                    EXECUTE 'ALTER TABLE mt_courier_messages DROP CONSTRAINT ' || quote_ident(c);
                END IF;
            END $$"""
        },
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
    out = []
    for s in MIGRATIONS[version - 1]:
        sql = s.get(dialect) if isinstance(s, dict) else s
        if sql is not None:
            out.append(sql.format(**_TYPES[dialect]))
    return out
