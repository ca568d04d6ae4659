"""Search terms of one or two characters (对刀, 焊, sk) without a scan on PostgreSQL: pg_trgm finds
no trigram in them, so ``LIKE '%对刀%'`` read the whole search column. A column ``search_grams``
(PostgreSQL only, unknown to the model) holds every one- and two-character piece of the search
column without whitespace (a term never has any), kept by a trigger on insert and on change of
``search_text``, with a GIN index: ``search_grams @> ARRAY['对刀']`` is, for such a term, exactly
"the column contains the term", and ANALYZE's element statistics tell the planner how common the
term is. (An index on a function of the column was measured first and did not pay: the planner
computed the function row by row.) SQLite keeps the plain LIKE."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION innov_short_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
  ) AS grams
  WHERE g !~ '[[:space:]]'
$$;
CREATE OR REPLACE FUNCTION innov_question_grams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_grams := innov_short_grams(NEW.search_text);
  RETURN NEW;
END
$$;
ALTER TABLE innovation_question ADD COLUMN IF NOT EXISTS search_grams text[];
UPDATE innovation_question SET search_grams = innov_short_grams(search_text);
CREATE TRIGGER innov_question_grams BEFORE INSERT OR UPDATE OF search_text
  ON innovation_question FOR EACH ROW EXECUTE FUNCTION innov_question_grams();
CREATE INDEX IF NOT EXISTS innov_q_search_grams ON innovation_question USING gin (search_grams);
"""
DROP = """
DROP TRIGGER IF EXISTS innov_question_grams ON innovation_question;
DROP INDEX IF EXISTS innov_q_search_grams;
ALTER TABLE innovation_question DROP COLUMN IF EXISTS search_grams;
DROP FUNCTION IF EXISTS innov_question_grams();
DROP FUNCTION IF EXISTS innov_short_grams(text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("innovation", "0008_revenue_corrections")]

    operations = [migrations.RunPython(create, drop)]
