"""The exchange's search column, filled for the questions already there, and on PostgreSQL the
pg_trgm extension with a GIN trigram index on it (``LIKE '%…%'`` by word, pinyin and initials is
then served by the index instead of a scan of every question). SQLite keeps the plain column."""

from django.db import migrations, models

INDEX = "innov_q_search_trgm"


def fill(apps, schema_editor):
    from gongjiang.core.pinyin import pinyin_initials, pinyin_key

    Question = apps.get_model("innovation", "Question")
    batch = []
    for q in Question.objects.only("title", "topic", "body").iterator(chunk_size=2000):
        text = f"{q.title} {q.topic}"
        q.search_text = "\n".join(
            (
                q.title.lower(),
                q.topic.lower(),
                q.body.lower(),
                pinyin_key(text)[:1000],
                pinyin_initials(text)[:200],
            )
        )
        batch.append(q)
        if len(batch) == 2000:
            Question.objects.bulk_update(batch, ["search_text"])
            batch = []
    Question.objects.bulk_update(batch, ["search_text"])


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON innovation_question "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("innovation", "0005_merge_exchange_and_studios")]

    operations = [
        migrations.AddField(
            model_name="question",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
