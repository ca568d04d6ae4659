"""Enterprises (用人单位): registering and changing them, finding them for a user.

An enterprise is created with the enterprise union that covers it (``organization_create`` of kind
``enterprise`` registers both: the union under its federation, the company with its legal name,
credit code, industry and region) or later under an existing union (``enterprise_create``). Reads
start from ``Enterprise.objects.visible_to(user)``: an enterprise is seen exactly where its union
is, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from . import access
from .audit import audit_changes, audit_record
from .enterprise_models import Enterprise
from .errors import ApplicationError
from .models import Industry, Organization, Region

ENTERPRISE_FIELDS = ("name", "uscc", "industry_id", "region_id", "size", "is_active")
UNION_SUFFIXES = ("工会委员会", "联合工会", "工会")


def legal_name_of_union(union_name: str) -> str:
    """The company's name as a union's name gives it: 潍柴动力股份有限公司工会 → 潍柴动力股份有限公司."""
    name = (union_name or "").strip()
    for suffix in UNION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name


def _snapshot(enterprise: Enterprise) -> dict[str, Any]:
    return {f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}


def _full_clean(enterprise: Enterprise) -> None:
    errors: dict[str, Any] = {}
    try:
        enterprise.full_clean(exclude=["code"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if (
        enterprise.uscc
        and "uscc" not in errors
        and Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk).exists()
    ):
        errors["uscc"] = [
            ValidationError(
                _("Another enterprise already has this unified social credit code."),
                code="unique",
            )
        ]
    if errors:
        raise ValidationError(errors)


def _ref(value: Any) -> Any:
    return (value.pk if isinstance(value, Industry | Region) else value) or None


@transaction.atomic
def enterprise_create(
    *,
    actor: Any,
    union: Organization,
    name: str,
    uscc: str,
    industry: Industry | str | None,
    region: Region | str | None = None,
    size: str = "",
    audit: bool = True,
) -> Enterprise:
    """Register an enterprise covered by ``union`` (an enterprise union); needs
    ``core.change_enterprise`` there."""
    access.require(actor, "core.change_enterprise", union)
    if not union.is_active:
        raise ApplicationError(_("The union organisation is deactivated."), code="union_inactive")
    enterprise = Enterprise(
        union=union,
        name=(name or "").strip(),
        uscc=uscc or "",
        industry_id=_ref(industry),
        region_id=_ref(region) or union.region_id,
        size=size or "",
    )
    _full_clean(enterprise)
    enterprise.save()
    if audit:
        audit_record(
            actor=actor,
            action="enterprise.create",
            obj=enterprise,
            organization=union,
            details=_snapshot(enterprise),
        )
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: Any, enterprise: Enterprise, **fields: Any) -> Enterprise:
    """Change the legal name, credit code, industry, region, size or active flag."""
    locked = Enterprise.objects.select_for_update().select_related("union").get(pk=enterprise.pk)
    access.require(actor, "core.change_enterprise", locked.union)
    allowed = {f.removesuffix("_id") for f in ENTERPRISE_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = _snapshot(locked)
    for key, value in fields.items():
        if key in ("industry", "region"):
            key, value = f"{key}_id", _ref(value)
        setattr(locked, key, value)
    _full_clean(locked)
    locked.save()
    changes = audit_changes(before, _snapshot(locked))
    if changes:
        audit_record(
            actor=actor,
            action="enterprise.update",
            obj=locked,
            organization=locked.union,
            details=changes,
        )
    return locked


def enterprise_list(actor: Any, *, q: str = "") -> Any:
    qs = Enterprise.objects.visible_to(actor).select_related("union", "industry", "region")
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(uscc__iexact=q.upper())
    return qs.order_by("name", "id")


def enterprise_get(actor: Any, code: str) -> Enterprise:
    """One enterprise the user may see; missing and out of scope both answer 404."""
    found = enterprise_list(actor).filter(code=code[:20]).first()
    if found is None:
        raise Http404(_("No such enterprise."))
    return found


def employer_of_union(union: Organization, employer: Enterprise | None = None) -> Enterprise:
    """The enterprise a worker of ``union`` is employed by: ``employer`` when given (it must be
    covered by that union), else the union's only active enterprise."""
    if employer is not None:
        if employer.union_id != union.pk:
            raise ValidationError(
                {"employer": [_("The employer must be an enterprise covered by this union.")]}
            )
        if not employer.is_active:
            raise ApplicationError(_("The employer is deactivated."), code="employer_inactive")
        return employer
    found = list(Enterprise.objects.filter(union=union, is_active=True)[:2])
    if not found:
        raise ValidationError(
            {
                "employer": [
                    _(
                        "No enterprise is registered under this union: register the enterprise first."
                    )
                ]
            }
        )
    if len(found) > 1:
        raise ValidationError(
            {"employer": [_("This union covers several enterprises: choose the employer.")]}
        )
    return found[0]
