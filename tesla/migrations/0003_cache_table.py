"""The database cache's table (settings.CACHES), so a migrated database is ready to serve:
throttles keep their counters there when no Redis is configured."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("tesla", "0002_job")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
