"""Data: the enterprise behind each enterprise union, and every worker's employer pointed at it.

For each organisation of kind ``enterprise`` an :class:`core.Enterprise` is created with the legal
name = the union's name without its trailing 工会 (工会委员会), and the union's unified social credit
code, industry, region and active flag copied; each worker's ``employer`` is the enterprise of the
union they belong to. Reversing deletes what was created (the unions keep their data) after
clearing the workers' employer.
"""

from __future__ import annotations

from django.db import migrations

SUFFIXES = ("工会委员会", "联合工会", "工会")


def legal_name(union_name: str) -> str:
    name = union_name.strip()
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name


def forward(apps, schema_editor):  # noqa: ANN001, ANN201
    Organization = apps.get_model("core", "Organization")
    Enterprise = apps.get_model("core", "Enterprise")
    Worker = apps.get_model("workforce", "Worker")
    from gongjiang.core.codes import new_code

    taken = set(Enterprise.objects.exclude(uscc="").values_list("uscc", flat=True))
    # every enterprise union, and any other organisation a worker was registered at (never the case
    # through the services, but the NOT NULL that follows must hold for every row)
    with_workers = Worker.objects.values("organization_id").distinct()
    unions = Organization.objects.filter(kind="enterprise") | Organization.objects.filter(
        pk__in=with_workers
    )
    for union in unions.distinct().order_by("path").iterator():
        if Enterprise.objects.filter(union_id=union.pk).exists():
            continue
        uscc = union.uscc if union.uscc and union.uscc not in taken else ""
        taken.add(uscc)
        enterprise = Enterprise.objects.create(
            code=new_code(),
            name=legal_name(union.name),
            uscc=uscc,
            industry_id=union.industry_id,
            region_id=union.region_id,
            union_id=union.pk,
            is_active=union.is_active,
        )
        # one UPDATE per union, not per worker
        Worker.objects.filter(organization_id=union.pk, employer__isnull=True).update(
            employer_id=enterprise.pk
        )


def backward(apps, schema_editor):  # noqa: ANN001, ANN201
    Enterprise = apps.get_model("core", "Enterprise")
    Worker = apps.get_model("workforce", "Worker")
    Worker.objects.update(employer_id=None)
    Enterprise.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_enterprise"),
        ("workforce", "0104_worker_employer"),
    ]

    operations = [migrations.RunPython(forward, backward)]
