"""`tesla_count_estimate(query)` on PostgreSQL: the planner's row estimate for a query, which
the pagination answers as a list's `count` above its exact-count limit (tesla/pagination.py).
SQLite lists always count exactly, so nothing is created there."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tesla_count_estimate(query text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END;
$$;
"""
DROP = "DROP FUNCTION IF EXISTS tesla_count_estimate(text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tesla", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
