"""The certificate number follows the ministry's coding rule: body code 4 digits (was 6), site code
6 digits (was 3), serial 6 digits (was 7).

Existing plans are converted: ``body_code`` keeps its last 4 digits, ``site_code`` is zero-padded to
6. Certificates already issued keep their numbers. ``body_code`` is narrowed to 4 characters in
0003, in its own transaction (PostgreSQL refuses to alter a table with pending trigger events from
the data step in the same transaction).

Going back is lossy: ``body_code`` is zero-padded to 6 and ``site_code`` keeps its last 3 digits.
"""

import django.core.validators
from django.db import migrations, models

OLD_BODY, NEW_BODY = 6, 4
OLD_SITE, NEW_SITE = 3, 6


def new_body_code(code: str) -> str:
    """A plan's evaluation body code in the ministry's layout: its last 4 digits."""
    return (code or "")[-NEW_BODY:].zfill(NEW_BODY)


def new_site_code(code: str) -> str:
    """A plan's evaluation site code in the ministry's layout: zero-padded to 6 digits."""
    return (code or "")[-NEW_SITE:].zfill(NEW_SITE)


def old_body_code(code: str) -> str:
    return (code or "")[-OLD_BODY:].zfill(OLD_BODY)


def old_site_code(code: str) -> str:
    return (code or "")[-OLD_SITE:].zfill(OLD_SITE)


def _convert(apps, body, site):
    plan_model = apps.get_model("certification", "EvaluationPlan")
    for pk, body_code, site_code in plan_model.objects.values_list("pk", "body_code", "site_code"):
        changed = {"body_code": body(body_code), "site_code": site(site_code)}
        if changed != {"body_code": body_code, "site_code": site_code}:
            plan_model.objects.filter(pk=pk).update(**changed)


def forwards(apps, schema_editor):
    _convert(apps, new_body_code, new_site_code)


def backwards(apps, schema_editor):
    _convert(apps, old_body_code, old_site_code)


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='evaluationplan',
            name='site_code',
            field=models.CharField(help_text='Six digits: the evaluation body (site) serial code assigned by the provincial department.', max_length=6, validators=[django.core.validators.RegexValidator('^\\d{6}$', 'Six digits.')], verbose_name='evaluation site code'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
