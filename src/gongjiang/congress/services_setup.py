"""Setting a congress up from the pages: a term with its delegations, a session with its agenda,
the replying departments and their responders. Each act is one transaction built on the single
services (``services.term_create`` …), so a bad row leaves nothing half-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Membership, Organization

from . import services
from .models import AgendaItem, Session, Term
from .models_proposals import Department

MAX_DELEGATIONS = 200
MAX_AGENDA = 50


def _names(lines: list[str], *, field: str, limit: int, max_length: int) -> list[str]:
    names = [n.strip() for n in lines if n and n.strip()]
    if len(names) > limit:
        raise ApplicationError(
            _("At most %(n)d lines.") % {"n": limit},
            details=[{"field": field, "error": str(len(names))}],
        )
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        if len(name) > max_length:
            raise ApplicationError(
                _("Line %(i)d is longer than %(n)d characters.") % {"i": i, "n": max_length},
                details=[{"field": field, "error": name[:20]}],
            )
        if name in seen:
            raise ApplicationError(
                _("Line %(i)d repeats “%(name)s”.") % {"i": i, "name": name},
                details=[{"field": field, "error": name}],
            )
        seen.add(name)
    return names


@transaction.atomic
def term_setup(
    *,
    actor: Any,
    organization: Organization,
    number: int,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str = Term.Kind.CONGRESS,
    delegations: list[str] | None = None,
) -> Term:
    """A term (届) and its delegations (代表团, one name a line), all or nothing."""
    names = _names(delegations or [], field="delegations", limit=MAX_DELEGATIONS, max_length=100)
    term = services.term_create(
        actor=actor,
        organization=organization,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        kind=kind,
    )
    for name in names:
        services.delegation_create(actor=actor, term=term, name=name)
    return term


@transaction.atomic
def session_setup(
    *,
    actor: Any,
    term: Term,
    number: int,
    title: str,
    held_on: dt.date,
    place: str = "",
    proposals_from: dt.date | None = None,
    proposals_until: dt.date | None = None,
    agenda: list[tuple[str, str]] | None = None,
) -> Session:
    """A session (次) with its agenda items (议题: kind and title, in order), all or nothing."""
    items = [(k, (t or "").strip()) for k, t in agenda or [] if (t or "").strip()]
    if len(items) > MAX_AGENDA:
        raise ApplicationError(
            _("At most %(n)d agenda items.") % {"n": MAX_AGENDA},
            details=[{"field": "agenda", "error": str(len(items))}],
        )
    for i, (kind, item_title) in enumerate(items, start=1):
        if kind not in AgendaItem.Kind.values:
            raise ApplicationError(
                _("Agenda item %(i)d: choose its kind.") % {"i": i},
                details=[{"field": "agenda", "error": f"{i}: {item_title[:20]}"}],
            )
    session = services.session_create(
        actor=actor,
        term=term,
        number=number,
        title=title,
        held_on=held_on,
        place=place,
        proposals_from=proposals_from,
        proposals_until=proposals_until,
    )
    for kind, item_title in items:
        services.agenda_add(actor=actor, session=session, kind=kind, title=item_title)
    return session


def responder_get(*, actor: Any, department: Department, username: str) -> Any:
    """The user named (by the users picker) to answer for ``department``: an active user with a
    role in the department's organisation or below, among the memberships the actor may see.
    Anyone else is an error on the field ``responder`` that says nothing about them."""
    scoped = Membership.objects.visible_to(actor, "core.view_membership").filter(
        organization__path__startswith=department.organization.path
    )
    user = (
        get_user_model()
        .objects.filter(
            username=(username or "")[:150], is_active=True, pk__in=scoped.values("user_id")
        )
        .first()
    )
    if user is None:
        raise ApplicationError(
            _("Choose a user of this organisation from the list."),
            details=[{"field": "responder", "error": _("Select a valid choice.")}],
        )
    return user


@transaction.atomic
def department_setup(
    *, actor: Any, organization: Organization, name: str, responder: str = ""
) -> Department:
    """A replying department and, optionally, its first responder (picked by login name)."""
    from .services_proposals import department_create

    name = (name or "").strip()
    if Department.objects.filter(organization=organization, name=name).exists():
        raise ApplicationError(
            _("This organisation already has a department of that name."),
            details=[{"field": "name", "error": name}],
        )
    dept = department_create(actor=actor, organization=organization, name=name)
    if responder:
        dept.responders.add(responder_get(actor=actor, department=dept, username=responder))
    return dept


@transaction.atomic
def department_responder_set(
    *, actor: Any, department: Department, username: str, add: bool
) -> Department:
    """Add or remove a responder of ``department``."""
    access.require(actor, "congress.manage", department.organization)
    if add:
        user = responder_get(actor=actor, department=department, username=username)
        department.responders.add(user)
    else:
        user = department.responders.filter(username=(username or "")[:150]).first()
        if user is None:
            raise ApplicationError(
                _("That user does not answer for this department."),
                details=[{"field": "responder", "error": _("Select a valid choice.")}],
            )
        department.responders.remove(user)
    audit_record(
        actor=actor,
        action="congress.department_responders",
        obj=department,
        organization=department.organization,
        details={"user": user.get_username(), "added": add},
    )
    return department
