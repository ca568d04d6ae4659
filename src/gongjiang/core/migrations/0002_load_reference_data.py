from django.db import migrations


def load(apps, schema_editor):
    from gongjiang.core.refdata import load_reference_data

    load_reference_data(apps)


def unload(apps, schema_editor):
    for name in ("SkillLevel",):
        apps.get_model("core", name).objects.all().delete()
    # Regions, occupations and industries reference themselves; delete children first.
    for name, levels in (("Region", ["county", "city", "province"]),
                         ("Occupation", ["occupation", "minor", "medium", "major"]),
                         ("Industry", ["class", "group", "division", "section"])):
        model = apps.get_model("core", name)
        for level in levels:
            model.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
