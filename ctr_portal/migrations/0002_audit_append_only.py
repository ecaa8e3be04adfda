"""The database itself refuses to change an audit event (and, on PostgreSQL, to delete one).

SQLite gets the update trigger only: Django's test flush empties tables with DELETE there,
while on PostgreSQL it uses TRUNCATE, which a row trigger does not see.
"""

from django.db import migrations

TABLE = "ctr_portal_auditevent"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION ctr_portal_audit_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit events are append-only';
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        schema_editor.execute(
            f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ctr_portal_audit_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER audit_append_only BEFORE UPDATE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};")
        schema_editor.execute("DROP FUNCTION IF EXISTS ctr_portal_audit_append_only();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_append_only;")


class Migration(migrations.Migration):
    dependencies = [("ctr_portal", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
