"""Rollups per tree level (``lv<k>``): written from the existing per-organisation rollups, so the
figures of a subtree, or of an organisation's children, become one indexed read."""

from collections import Counter

from django.db import migrations

SEGMENT = 7  # core.Organization.SEGMENT


def add_levels(apps, schema_editor):
    Rollup = apps.get_model("surveys", "Rollup")
    Survey = apps.get_model("surveys", "Survey")
    for survey in Survey.objects.select_related("organization").iterator():
        base = survey.organization.path
        start = max(len(base), SEGMENT)
        sums = Counter()
        rows = Rollup.objects.filter(survey=survey, dim="org").values_list(
            "value", "question", "option", "n"
        )
        for path, q, o, n in rows.iterator(chunk_size=5000):
            if not path.startswith(base):
                continue
            for i in range(start, len(path) + 1, SEGMENT):
                sums[(f"lv{i // SEGMENT}", path[:i], q, o)] += n
        Rollup.objects.bulk_create(
            (
                Rollup(survey=survey, dim=d, value=v, question=q, option=o, shard=0, n=n)
                for (d, v, q, o), n in sums.items()
            ),
            batch_size=5000,
        )


def remove_levels(apps, schema_editor):
    apps.get_model("surveys", "Rollup").objects.filter(dim__startswith="lv").delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(add_levels, remove_levels)]
