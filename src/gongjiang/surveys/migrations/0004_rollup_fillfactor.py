"""On PostgreSQL, leave half of every page of the rollup table free (``fillfactor = 50``).

A fold adds to counters: ``UPDATE … SET n = n + k``. ``n`` is in no index, so the update can be
HOT (heap-only: the new row version goes on the same page and no index entry is written) — but
only when that page has room for the new version. At the default fillfactor (100) the pages that
inserts filled have none: a fold's updates then move their rows to other pages and write an entry
into each of the table's three indexes (the key, the unique counter key and the prefix index of
0003) for every counter it touches. Half a page free holds a new version of every row on it, so a
fold that touches every counter of a page still updates them all in place; the versions it leaves
behind are pruned from the page by the next access. The table doubles (73,656 rows of a
1,000,000-response survey: ≈ 16 MB instead of 8); reads of a breakdown touch a few more pages.

Only pages written from now on are filled to 50 %: rows on a full page move to such a page at
their next update (once), so an existing table comes round by itself; ``VACUUM FULL
surveys_rollup`` rewrites it at once (it locks the table; docs/surveys.md, Benchmarks). SQLite has
no such setting: nothing to do there.
"""

from django.db import migrations

FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE surveys_rollup SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE surveys_rollup RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_rollup_prefix_index")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
