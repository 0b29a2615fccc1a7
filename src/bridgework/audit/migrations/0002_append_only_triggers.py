"""Database triggers that make audit events append-only, whatever code talks to the database.

Allowed, and only this:

* INSERT;
* an UPDATE that changes nothing but clearing ``actor_id`` (the acting login was deleted;
  ``actor_email`` keeps who it was);
* a DELETE while the whole network is being deleted
  (``bridgework.audit.services.audit_events_purge``). PostgreSQL checks that the event's
  network row is gone; SQLite checks that the network is listed in ``audit_auditpurge`` —
  an SQLite trigger naming ``directory_network`` would break every migration that rebuilds
  that table.

SQLite drops a table's triggers when a migration rebuilds the table: a later migration that
alters ``audit_auditevent`` must run the SQLite statements below again.
"""

from django.db import migrations

MESSAGE = "audit events cannot be changed or deleted"
COLUMNS = (
    "network_id",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "details",
    "client_ip",
    "created_at",
    "id",
)

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF NOT EXISTS (SELECT 1 FROM directory_network WHERE id = OLD.network_id) THEN
                RETURN OLD;
            END IF;
        ELSIF NEW.actor_id IS NULL
            AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_append_only();",
]

SQLITE = [
    f"""
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {", ".join(COLUMNS)}
    ON audit_auditevent BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER audit_event_no_new_actor BEFORE UPDATE OF actor_id ON audit_auditevent
    WHEN NEW.actor_id IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM audit_auditpurge WHERE network_id = OLD.network_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_new_actor;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
]


def _run(statements_for: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements_for.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("directory", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
