import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workforce", "0105_enterprises_from_unions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="worker",
            name="employer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="workers",
                to="core.enterprise",
                verbose_name="employer",
            ),
        ),
    ]
