"""Choice answers are stored as the labels the candidate saw (A, B, C… in the attempt's order), no
longer as bank keys; mock exams (drills) show their whole review at once. Reversible."""

import string

from django.db import migrations

LABELS = string.ascii_uppercase


def _order(item):
    keys = [o["key"] for o in item.version.options or []]
    shown = [k for k in (item.option_order or []) if k in keys]
    return shown or keys


def _convert(apps, to_labels: bool) -> None:
    AttemptItem = apps.get_model("learning", "AttemptItem")
    items = AttemptItem.objects.filter(
        version__qtype__in=["single", "multiple"], response__isnull=False
    ).select_related("version")
    changed = []
    for item in items.iterator(chunk_size=2000):
        order = _order(item)
        if to_labels:
            mapping = {k: LABELS[i] for i, k in enumerate(order)}
        else:
            mapping = {LABELS[i]: k for i, k in enumerate(order)}
        value = item.response
        if isinstance(value, str):
            new = (
                mapping.get(value)
                if len(value) == 1 or item.version.qtype == "single"
                else [mapping[c] for c in value if c in mapping]
            )
        elif isinstance(value, list):
            new = [mapping[v] for v in value if v in mapping]
        else:
            continue
        if new != value:
            item.response = new
            changed.append(item)
        if len(changed) >= 2000:
            AttemptItem.objects.bulk_update(changed, ["response"])
            changed = []
    if changed:
        AttemptItem.objects.bulk_update(changed, ["response"])


def forwards(apps, schema_editor) -> None:
    _convert(apps, to_labels=True)
    ExamSession = apps.get_model("learning", "ExamSession")
    ExamSession.objects.filter(is_mock=True).update(
        review_marks="attempt",
        review_correctness="attempt",
        review_answers="attempt",
        review_explanations="attempt",
    )


def backwards(apps, schema_editor) -> None:
    _convert(apps, to_labels=False)


class Migration(migrations.Migration):
    dependencies = [("learning", "0003_exam_review_options")]

    operations = [migrations.RunPython(forwards, backwards)]
