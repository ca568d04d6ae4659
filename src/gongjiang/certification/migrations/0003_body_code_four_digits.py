"""Narrow ``EvaluationPlan.body_code`` to the ministry's 4 digits (the data was converted in 0002)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0002_ministry_number_layout'),
    ]

    operations = [
        migrations.AlterField(
            model_name='evaluationplan',
            name='body_code',
            field=models.CharField(help_text='Four digits: the code the ministry assigned to the evaluation body, or 0000 for a body filed with the provincial department (see docs/certification.md).', max_length=4, validators=[django.core.validators.RegexValidator('^\\d{4}$', 'Four digits.')], verbose_name='evaluation body code'),
        ),
    ]
