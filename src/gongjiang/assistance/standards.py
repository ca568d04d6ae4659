"""Minimum-living standards: adding one, and the re-assessment it triggers (listed for review,
never applied silently)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.jobs import job_start
from gongjiang.core.models import Region

from .assess import categorise, standard_for
from .household import members_of
from .models import HardshipFile, Reassessment, Standard

STANDARDS = "assistance.standards"
CHECK = "assistance.check"


def region_prefix(code: str) -> str:
    """The part of a GB/T 2260 code its subregions share (32 for a province, 3201 for a city)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def may_set_standard(actor: Any, region: str) -> bool:
    """An assistance officer sets standards for the region of their own organisation and below."""
    paths = access.scope_paths(actor, STANDARDS)
    if paths is None:
        return True
    from gongjiang.core.models import Organization

    regions = Organization.objects.filter(path__in=paths).values_list("region_id", flat=True)
    return any(region.startswith(region_prefix(r)) for r in regions)


@transaction.atomic
def standard_add(
    *,
    actor: Any,
    region: str,
    year: int,
    monthly_minimum: Decimal,
    edge_multiple: Decimal = Decimal("1.50"),
    source: str,
) -> Standard:
    if not access.can(actor, STANDARDS):
        raise Http404("standards")
    region_obj = Region.objects.filter(code=(region or "").strip()).first()
    if region_obj is None:
        message = _("Unknown region code.")
        raise ApplicationError(
            message,
            code="invalid_region",
            status=422,
            details=[{"field": "region", "error": message}],
        )
    if not may_set_standard(actor, region_obj.code):
        raise Http404("region")
    if Standard.objects.filter(region=region_obj, year=year).exists():
        raise ConflictError(
            _("A standard for this region and year is already recorded."), code="standard_exists"
        )
    standard = Standard(
        region=region_obj,
        year=year,
        monthly_minimum=monthly_minimum,
        edge_multiple=edge_multiple,
        source=(source or "").strip(),
        created_by=user_or_none(actor),
    )
    standard.full_clean(exclude=["created_by"])
    standard.save()
    audit_record(
        actor=actor,
        action="assistance.standard_add",
        obj=standard,
        details={
            "region": standard.region_id,
            "year": year,
            "monthly_minimum": f"{standard.monthly_minimum:.2f}",
            "edge_multiple": f"{standard.edge_multiple:.2f}",
        },
    )
    job_start(
        actor=actor,
        kind="assistance.reassess",
        params={"standard": standard.code},
    )
    return standard


def reassess_for(standard: Standard, actor: Any = None) -> int:
    """List every open file whose category changes under ``standard`` (the standard now in force
    for the file's region and year) for review. Returns how many were listed."""
    prefix = region_prefix(standard.region_id)
    files = (
        HardshipFile.objects.filter(
            status__in=HardshipFile.ACTIVE,
            region__code__startswith=prefix,
            standard__year__lte=standard.year,
        )
        .exclude(sensitive_encrypted="")
        .only("id", "code", "region_id", "category", "sensitive_encrypted", "organization_id")
    )
    pending = set(
        Reassessment.objects.filter(
            standard=standard, status=Reassessment.Status.PENDING
        ).values_list("file_id", flat=True)
    )
    listed: list[Reassessment] = []
    in_force: dict[str, Standard] = {}
    for file in files.iterator(500):
        if file.id in pending:
            continue
        if file.region_id not in in_force:
            in_force[file.region_id] = standard_for(file.region_id, standard.year)
        if in_force[file.region_id].pk != standard.pk:
            continue  # a nearer region has its own standard
        document = file.sensitive()
        result = categorise(
            members_of(document),
            standard=standard.monthly_minimum,
            edge_multiple=standard.edge_multiple,
            sudden_event=bool(document.get("sudden_event")),
        )
        if result.category != file.category:
            listed.append(
                Reassessment(
                    file=file,
                    standard=standard,
                    old_category=file.category,
                    new_category=result.category,
                )
            )
    Reassessment.objects.bulk_create(listed, batch_size=500)
    audit_record(
        actor=actor,
        action="assistance.reassess",
        obj=standard,
        details={"listed": len(listed)},
    )
    return len(listed)


@transaction.atomic
def reassessment_review(*, actor: Any, item: Reassessment, apply: bool) -> Reassessment:
    """An officer applies a listed change (the file takes the new category and standard, its
    reasons recomputed) or dismisses it."""
    access.require(actor, CHECK, item.file.organization)
    item = (
        Reassessment.objects.select_for_update().select_related("file", "standard").get(pk=item.pk)
    )
    if item.status != Reassessment.Status.PENDING:
        raise ConflictError(_("This re-assessment was already reviewed."), code="reviewed")
    file = item.file
    if apply and file.is_active:
        document = file.sensitive()
        result = categorise(
            members_of(document),
            standard=item.standard.monthly_minimum,
            edge_multiple=item.standard.edge_multiple,
            sudden_event=bool(document.get("sudden_event")),
        )
        document["assessment"] = {
            "income_per_head": f"{result.income_per_head:.2f}",
            "standard": f"{result.standard:.2f}",
            "edge_line": f"{result.edge_line:.2f}",
            "reasons": result.reasons,
            "on": timezone.localdate().isoformat(),
        }
        file.set_sensitive(document)
        file.category = result.category
        file.standard = item.standard
        file.save(update_fields=["sensitive_encrypted", "category", "standard"])
    item.status = Reassessment.Status.APPLIED if apply else Reassessment.Status.DISMISSED
    item.reviewed_by = user_or_none(actor)
    item.reviewed_at = timezone.now()
    item.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=actor,
        action="assistance.reassess_review",
        obj=file,
        details={"applied": apply, "category": [item.old_category, item.new_category]},
    )
    return item
