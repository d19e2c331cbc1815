"""The database table of the "throttles" cache (password-reset limits, lockout notices), which
every process of the service shares (config/settings.py, CACHES). Made here rather than by a
separate `createcachetable` step, so that every database that is migrated has it. Nothing is
made when THROTTLE_CACHE_URL names another kind of cache (createcachetable skips it)."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    if settings.CACHES["throttles"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
        table = schema_editor.quote_name(settings.CACHES["throttles"]["LOCATION"])
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_account_changes")]

    operations = [migrations.RunPython(create_table, drop_table)]
