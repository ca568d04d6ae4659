"""Search terms of one or two characters (对刀, 焊, sk) without a scan on PostgreSQL: pg_trgm finds
no trigram in them, so ``LIKE '%对刀%'`` read the whole search column. An IMMUTABLE function gives
every one- and two-character piece of the column (none with whitespace: a term never has any), and
a GIN index on it answers ``innov_short_grams(search_text) @> ARRAY['对刀']`` — which, for a term
of one or two characters, is exactly "the column contains the term". SQLite keeps the plain LIKE."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION innov_short_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
  ) AS grams
  WHERE g !~ '[[:space:]]'
$$
"""
INDEX = "innov_q_search_grams"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON innovation_question "
        "USING gin (innov_short_grams(search_text))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS innov_short_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("innovation", "0008_revenue_corrections")]

    operations = [migrations.RunPython(create, drop)]
