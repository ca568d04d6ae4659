"""Acts that change the spine: organisations, memberships, API tokens.

Each service takes keyword-only arguments starting with ``actor``, checks permission at the door,
runs in one transaction, validates with ``full_clean()`` and writes the audit log inside.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .actors import user_or_none
from .audit import audit_changes, audit_record
from .errors import ApplicationError, field_error
from .models import ApiToken, Industry, Membership, Organization, Region, Role
from .selectors import NO_SUCH_USER, users_by_name

ORG_FIELDS = (
    "name",
    "short_name",
    "kind",
    "region_id",
    "industry_id",
    "uscc",
    "address",
    "contact",
)


def _org_snapshot(org: Organization) -> dict[str, Any]:
    return {f: getattr(org, f) for f in ORG_FIELDS}


def _full_clean(org: Organization) -> None:
    """full_clean(), with the USCC uniqueness reported on its field (the partial unique constraint
    alone would give an anonymous "constraint is violated" error)."""
    errors: dict[str, Any] = {}
    try:
        org.full_clean(exclude=["path", "code"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if (
        org.uscc
        and "uscc" not in errors
        and Organization.objects.filter(uscc=org.uscc).exclude(pk=org.pk).exists()
    ):
        errors["uscc"] = [
            ValidationError(
                _("Another organisation already has this unified social credit code."),
                code="unique",
            )
        ]
    if errors:
        raise ValidationError(errors)


def _require_change(actor: Any, org: Organization | None) -> None:
    if org is None:
        if not getattr(actor, "is_superuser", False):
            raise PermissionDenied("only a superuser may create a root organisation")
        return
    access.require(actor, "core.change_organization", org)


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    parent: Organization | None,
    name: str,
    kind: str,
    region: Region | str,
    industry: Industry | str | None = None,
    uscc: str = "",
    short_name: str = "",
    address: str = "",
    contact: str = "",
    audit: bool = True,
) -> Organization:
    _require_change(actor, parent)
    if parent is not None and not parent.is_active:
        raise ApplicationError(_("The parent organisation is deactivated."), code="parent_inactive")
    org = Organization(
        parent=parent,
        name=name,
        kind=kind,
        region_id=region.pk if isinstance(region, Region) else region,
        industry_id=(industry.pk if isinstance(industry, Industry) else industry) or None,
        uscc=uscc or "",
        short_name=short_name,
        address=address,
        contact=contact,
        path="~" + Organization().code,  # unique placeholder until the id is known
        depth=(parent.depth + 1) if parent else 0,
    )
    _full_clean(org)
    org.save()
    org.path = (parent.path if parent else "") + Organization.segment_for(org.pk)
    Organization.objects.filter(pk=org.pk).update(path=org.path)
    if audit:
        audit_record(actor=actor, action="organization.create", obj=org, details=_org_snapshot(org))
    if org.kind == Organization.Kind.ENTERPRISE and org.uscc:
        # an enterprise union is registered with the company it is formed in: the company becomes
        # an Enterprise (legal name without 工会), the employer of the union's workers
        from .enterprises import enterprise_create, legal_name_of_union

        enterprise_create(
            actor=actor,
            union=org,
            name=legal_name_of_union(name),
            uscc=org.uscc,
            industry=org.industry_id,
            region=org.region_id,
            audit=audit,
        )
    return org


@transaction.atomic
def organization_update(*, actor: Any, organization: Organization, **fields: Any) -> Organization:
    access.require(actor, "core.change_organization", organization)
    unknown = set(fields) - set(ORG_FIELDS) - {"region", "industry"}
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    before = _org_snapshot(org)
    for key, value in fields.items():
        if key in ("region", "industry"):
            key, value = f"{key}_id", (value.pk if hasattr(value, "pk") else value) or None
        setattr(org, key, value)
    if org.kind != before["kind"] and org.children.exists():
        # the kind must still fit under the parent and over every child
        for child in org.children.all():
            if child.kind not in _allowed_children(org.kind):
                message = _("The new kind does not allow the existing children.")
                raise field_error("kind", message, "kind_conflict", status=422)
    _full_clean(org)
    org.save()
    changes = audit_changes(before, _org_snapshot(org))
    if changes:
        audit_record(actor=actor, action="organization.update", obj=org, details=changes)
    return org


def _allowed_children(kind: str) -> set[str]:
    from .models import ALLOWED_CHILDREN

    return ALLOWED_CHILDREN.get(kind, set())


@transaction.atomic
def organization_move(
    *, actor: Any, organization: Organization, new_parent: Organization
) -> Organization:
    """Move a subtree under another parent. Paths of every descendant change in one UPDATE."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    access.require(actor, "core.change_organization", org)
    access.require(actor, "core.change_organization", new_parent)
    if org.parent_id is None:
        raise ApplicationError(_("A root organisation cannot be moved."), code="move_root")
    if new_parent.path.startswith(org.path):
        raise ApplicationError(
            _("An organisation cannot move into its own subtree."), code="move_cycle"
        )
    if org.kind not in _allowed_children(new_parent.kind):
        raise ApplicationError(
            _("A %(child)s cannot sit under a %(parent)s.")
            % {"child": org.get_kind_display(), "parent": new_parent.get_kind_display()},
            code="kind_conflict",
        )
    if not new_parent.is_active:
        raise ApplicationError(_("The new parent is deactivated."), code="parent_inactive")
    old_parent = org.parent
    old_path = org.path
    new_path = new_parent.path + Organization.segment_for(org.pk)
    delta = new_parent.depth + 1 - org.depth
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    audit_record(
        actor=actor,
        action="organization.move",
        obj=org,
        details={"from": str(old_parent), "to": str(new_parent)},
    )
    return org


@transaction.atomic
def organization_set_active(*, actor: Any, organization: Organization, active: bool) -> int:
    """Deactivate (or reactivate) an organisation and its whole subtree. Never deletes."""
    access.require(actor, "core.change_organization", organization)
    if active and organization.parent_id and not organization.parent.is_active:
        raise ApplicationError(
            _("Reactivate the parent organisation first."), code="parent_inactive"
        )
    count = Organization.objects.filter(path__startswith=organization.path).update(
        is_active=active, updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="organization.reactivate" if active else "organization.deactivate",
        obj=organization,
        details={"organizations": count},
    )
    organization.refresh_from_db()
    return count


# --------------------------------------------------------------------------- memberships


def membership_may_grant(actor: Any, organization: Organization, role: str) -> bool:
    """Admins manage roles below their organisation: any role strictly inside their subtree,
    and every role but admin at their own organisation."""
    if getattr(actor, "is_superuser", False):
        return True
    for r, path, _org_id in access.memberships_of(actor):
        if not access.role_has(r, "core.change_membership"):
            continue
        if organization.path.startswith(path) and (organization.path != path or role != Role.ADMIN):
            return True
    return False


def _require_may_grant(actor: Any, organization: Organization, role: str) -> None:
    if role not in Role.values:
        raise ApplicationError(_("Unknown role “%(role)s”.") % {"role": role}, code="unknown_role")
    if not membership_may_grant(actor, organization, role):
        raise PermissionDenied("membership")


@transaction.atomic
def membership_grant(*, actor: Any, user: Any, organization: Organization, role: str) -> Membership:
    _require_may_grant(actor, organization, role)
    return _grant(actor, user, organization, role)


@transaction.atomic
def membership_grant_by_username(
    *, actor: Any, username: str, organization: Organization, role: str
) -> Membership:
    """``membership_grant`` to a login the caller names: refused (403) before the name is looked
    up; a name outside the caller's scope answers like a name nobody has."""
    _require_may_grant(actor, organization, role)
    found, _missing = users_by_name(actor, [username], "core.change_membership")
    if not found:
        raise ValidationError({"username": [str(NO_SUCH_USER)]})
    return _grant(actor, found[0], organization, role)


def _grant(actor: Any, user: Any, organization: Organization, role: str) -> Membership:
    if not organization.is_active:
        raise ApplicationError(_("The organisation is deactivated."), code="inactive")
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=organization,
        role=role,
        defaults={"created_by": user_or_none(actor)},
    )
    if created:
        audit_record(
            actor=actor,
            action="membership.grant",
            obj=membership,
            organization=organization,
            details={"user": user.get_username(), "role": role},
        )
    access.forget(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    if not membership_may_grant(actor, membership.organization, membership.role):
        raise PermissionDenied("membership")
    audit_record(
        actor=actor,
        action="membership.revoke",
        obj=membership,
        organization=membership.organization,
        details={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()
    access.forget(membership.user)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    organization: Organization,
    role: str,
    full_name: str = "",
    email: str = "",
) -> Any:
    """Create a login and give it its first role (the actor must be allowed to grant it)."""
    from django.contrib.auth.password_validation import validate_password

    if not membership_may_grant(actor, organization, role):
        raise PermissionDenied("membership")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            _("The user name “%(u)s” is taken.") % {"u": username},
            code="username_taken",
            details=[{"field": "username", "error": _("taken")}],
        )
    user = User(username=username, email=email, first_name=full_name[:150])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages),
            code="weak_password",
            details=[{"field": "password", "error": m} for m in exc.messages],
        ) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        organization=organization,
        details={"username": username},
    )
    membership_grant(actor=actor, user=user, organization=organization, role=role)
    return user


# --------------------------------------------------------------------------- API tokens


@transaction.atomic
def api_token_create(*, actor: Any, name: str, expires_at: Any = None) -> tuple[ApiToken, str]:
    """Create a token for the actor. The secret is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied("login")
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= timezone.now():
            raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
        # in the site's time zone: PostgreSQL refuses offsets past ±15:59 (-22:09 answered 500)
        expires_at = expires_at.astimezone(timezone.get_current_timezone())
    secret = ApiToken.new_secret()
    token = ApiToken(
        user=actor,
        name=name,
        prefix=secret[:10],
        digest=ApiToken.digest_of(secret),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="api_token.create", obj=token, details={"name": name})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", obj=token)
