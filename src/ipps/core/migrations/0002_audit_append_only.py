"""Database triggers that refuse changes to audit rows (the hash chain detects what gets past them).

SQLite refuses UPDATE only: Django's test flush empties tables with DELETE there, while PostgreSQL
flushes with TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_auditevent_no_update;"

PG_UP = """
CREATE OR REPLACE FUNCTION ipps_audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION ipps_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS ipps_audit_append_only();
"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"sqlite": SQLITE_UP, "postgresql": PG_UP}.get(vendor)
    if sql:
        schema_editor.execute(sql) if vendor == "sqlite" else schema_editor.connection.cursor().execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}.get(vendor)
    if sql:
        schema_editor.connection.cursor().execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
