"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit trail.

Row triggers, not a TRUNCATE trigger (that would break the test runner's flush; the production
role has no TRUNCATE right instead: deploy/audit_trail_privileges.sql).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION front_door_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_entry_append_only ON accounts_auditentry;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION front_door_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON accounts_auditentry;
DROP FUNCTION IF EXISTS front_door_audit_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_audit_chain")]

    operations = [migrations.RunPython(create, drop)]
