"""Services of worker programmes (求学圆梦行动, 农民工技能提升, 金蓝领计划 …).

A programme of a union for its subtree, with partner institutions, eligibility checked from the
registry (every unmet condition named), places per unit (enforced under concurrency: the unit's
places row is locked while the application is counted), application by the worker or a cadre,
selection by someone other than the applicant's nominator (core.duties), enrolment within the
budget, progress records, completion (graduation or certificate) written once to the registry,
and the subsidy per person paid from the programme's ledger fund (never over its balance).

Permission at the door, one transaction, audit inside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.duties import audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.ledger.services import fund_create, fund_credit, money
from gongjiang.core.models import Organization, SkillLevel
from gongjiang.workforce.models import Worker

from .form_values import bounded_text
from .models_programmes import (
    MAX_YEARS,
    Programme,
    ProgrammeApplication,
    ProgrammePartner,
    ProgrammePlaces,
)
from .programmes_common import APPLY, MANAGE, VIEW, Status, _lock, _not_nominator  # noqa: F401  (re-exported)
from .programmes_rules import DEFAULTS, EDUCATION_RANK, EMPLOYMENT_ORDER, Facts, Rules, judge

# an application holding a place: everything but a refusal and a withdrawal
HOLDS_PLACE = (Status.SUBMITTED, Status.SELECTED, Status.ENROLLED, Status.COMPLETED, Status.DROPPED)
# enrolled people whose subsidy is still owed
OWED = (Status.ENROLLED, Status.COMPLETED)


def _type_names() -> dict[str, str]:
    return {k: str(v) for k, v in Worker.EmploymentType.choices}


def _bounded_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise field_error(
            field, _("Give a whole number from %(a)s to %(b)s.") % {"a": low, "b": high}
        )
    return value


def _money_or_zero(value: Any, field: str) -> Decimal:
    """An amount of money, or zero (which the ledger itself never posts)."""
    if (
        value is None
        or value == ""
        or (not isinstance(value, bool | float) and str(value).strip() in ("0", "0.0", "0.00"))
    ):
        return Decimal("0.00")
    return money(value, field=field)


def _level(code: str | None, field: str) -> SkillLevel | None:
    if not code:
        return None
    level = SkillLevel.objects.filter(code=code).first()
    if level is None:
        raise field_error(field, _("Unknown skill level."))
    return level


# ------------------------------------------------------------------------- programmes
@transaction.atomic
def programme_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    kind: str,
    year: int,
    budget: Any,
    degree: str = "",
    description: str = "",
    subsidy_per_person: Any = None,
    subsidy_basis: str = "completion",
    subsidy_per_year: Any = None,
    subsidy_years: int | None = None,
    employment_types: Iterable[str] | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    skill_level_min: str | None = None,
    skill_level_max: str | None = None,
    education_min: str | None = None,
    member_required: bool | None = None,
) -> Programme:
    """A programme of ``organization`` for its subtree. Eligibility not given comes from the kind's
    defaults (programmes_rules.DEFAULTS); the budget is credited to a new ledger fund."""
    access.require(actor, MANAGE, organization)
    if kind not in DEFAULTS:
        raise field_error("kind", _("Unknown programme kind."))
    d = DEFAULTS[kind]
    types = list(
        dict.fromkeys(employment_types if employment_types is not None else d.employment_types)
    )
    names = _type_names()
    if not types or any(t not in names for t in types):
        raise field_error("employment_types", _("Name the employment types admitted."))
    if kind == Programme.Kind.DEGREE and degree not in ("大专", "本科"):
        raise field_error("degree", _("A degree programme awards 大专 or 本科."))
    if kind != Programme.Kind.DEGREE:
        degree = ""
    edu = d.education_min if education_min is None else (education_min or "").strip()
    if kind == Programme.Kind.DEGREE and education_min is None:
        from .programmes_rules import DEGREE_ENTRY

        edu = DEGREE_ENTRY[degree]
    if edu and edu not in EDUCATION_RANK:
        raise field_error("education_min", _("Unknown education level."))
    per_year, years = Decimal("0.00"), 0
    if subsidy_basis == Programme.SubsidyBasis.PER_YEAR:
        # per academic year of enrolment: the amount of a year and how many years; the total per
        # person is their product (the most one person receives, and what the budget must cover)
        per_year = _money_or_zero(subsidy_per_year, "subsidy_per_year")
        if not per_year:
            raise field_error("subsidy_per_year", _("Give the subsidy of an academic year."))
        years = _bounded_int(subsidy_years, "subsidy_years", 1, MAX_YEARS)
        subsidy = per_year * years
    elif subsidy_basis == Programme.SubsidyBasis.COMPLETION:
        value = d.subsidy_per_person if subsidy_per_person in (None, "") else subsidy_per_person
        subsidy = _money_or_zero(value, "subsidy_per_person")
    else:
        raise field_error("subsidy_basis", _("Unknown way of paying the subsidy."))
    programme = Programme(
        organization=organization,
        title=(title or "").strip(),
        kind=kind,
        year=year,
        degree=degree,
        description=(description or "").strip(),
        employment_types=",".join(t for t in EMPLOYMENT_ORDER if t in types),
        age_min=_bounded_int(d.age_min if age_min is None else age_min, "age_min", 16, 70),
        age_max=_bounded_int(d.age_max if age_max is None else age_max, "age_max", 16, 70),
        skill_level_min=_level(
            d.skill_level_min if skill_level_min is None else skill_level_min, "skill_level_min"
        ),
        skill_level_max=_level(
            d.skill_level_max if skill_level_max is None else skill_level_max, "skill_level_max"
        ),
        education_min=edu,
        member_required=d.member_required if member_required is None else bool(member_required),
        subsidy_per_person=subsidy,
        subsidy_basis=subsidy_basis,
        subsidy_per_year=per_year,
        subsidy_years=years,
        created_by=user_or_none(actor),
    )
    if programme.age_min > programme.age_max:
        raise field_error("age_max", _("The maximum age is below the minimum age."))
    budget_amount = _money_or_zero(budget, "budget")
    fund = fund_create(
        actor=actor, organization=organization, name=f"{programme.title[:90]}·{programme.code}"
    )
    programme.fund = fund
    programme.full_clean(exclude=["code"])
    programme.save()
    if budget_amount:
        fund_credit(
            actor=actor,
            fund=fund,
            amount=budget_amount,
            about=programme,
            memo=_("programme budget"),
        )
    audit(
        actor=actor,
        action="careers.programme_create",
        obj=programme,
        organization=organization,
        details={
            "kind": kind,
            "year": year,
            "budget": str(budget_amount),
            "subsidy": str(subsidy),
            "basis": subsidy_basis,
            "per_year": str(per_year),
            "years": years,
        },
    )
    return programme


@transaction.atomic
def programme_budget_add(
    *, actor: Any, programme: Programme, amount: Any, memo: str = ""
) -> Decimal:
    """Credit more money to the programme's fund; returns the new balance."""
    access.require(actor, MANAGE, programme.organization)
    entry = fund_credit(
        actor=actor,
        fund=programme.fund,
        amount=amount,
        about=programme,
        memo=bounded_text(memo, "memo", 500),
    )
    audit(
        actor=actor,
        action="careers.programme_budget_add",
        obj=programme,
        organization=programme.organization,
        details={"amount": str(entry.amount)},
    )
    return entry.balance_after


@transaction.atomic
def programme_state_set(*, actor: Any, programme: Programme, state: str) -> Programme:
    access.require(actor, MANAGE, programme.organization)
    if state not in Programme.State.values:
        raise field_error("state", _("Unknown stage."))
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    locked.state = state
    locked.save(update_fields=["state"])
    audit(
        actor=actor,
        action="careers.programme_state",
        obj=locked,
        organization=locked.organization,
        details={"state": state},
    )
    return locked


@transaction.atomic
def programme_partner_add(
    *, actor: Any, programme: Programme, name: str, kind: str, courses: str = ""
) -> ProgrammePartner:
    access.require(actor, MANAGE, programme.organization)
    partner = ProgrammePartner(
        programme=programme, name=(name or "").strip(), kind=kind, courses=(courses or "").strip()
    )
    partner.full_clean(exclude=["code"], validate_constraints=False)
    if ProgrammePartner.objects.filter(programme=programme, name=partner.name).exists():
        raise field_error("name", _("This institution is already a partner."), "duplicate")
    partner.save()
    audit(
        actor=actor,
        action="careers.programme_partner_add",
        obj=programme,
        organization=programme.organization,
        details={"partner": partner.name},
    )
    return partner


@transaction.atomic
def programme_places_set(
    *, actor: Any, programme: Programme, organization: Organization, places: int
) -> ProgrammePlaces:
    """Places of a unit: the owner itself or a unit below it (a region's union). Never below the
    applications already holding places there."""
    access.require(actor, MANAGE, programme.organization)
    if not organization.path.startswith(programme.organization.path):
        raise field_error("organization", _("Places go to the owner or to units below it."))
    places = _bounded_int(places, "places", 0, 1000000)
    row, _created = ProgrammePlaces.objects.get_or_create(
        programme=programme, organization=organization, defaults={"places": 0}
    )
    row = ProgrammePlaces.objects.select_for_update().get(pk=row.pk)
    used = _used(programme, organization)
    if places < used:
        raise field_error("places", _("%(n)s applications already hold places here.") % {"n": used})
    row.places = places
    row.save(update_fields=["places"])
    audit(
        actor=actor,
        action="careers.programme_places_set",
        obj=programme,
        organization=programme.organization,
        details={"unit": organization.code, "places": places},
    )
    return row


def _used(programme: Programme, unit: Organization) -> int:
    return ProgrammeApplication.objects.filter(
        programme=programme, unit=unit, status__in=HOLDS_PLACE
    ).count()


# --------------------------------------------------------------------------- eligibility
def rules_of(programme: Programme) -> Rules:
    return Rules(
        employment_types=programme.employment_type_list(),
        age_min=programme.age_min,
        age_max=programme.age_max,
        skill_level_min=programme.skill_level_min_id,
        skill_level_max=programme.skill_level_max_id,
        education_min=programme.education_min,
        member_required=programme.member_required,
        degree=programme.degree,
    )


def facts_of(worker: Worker, on: dt.date) -> Facts:
    return Facts(
        on=on,
        birth_date=worker.birth_date,
        employment_type=worker.employment_type,
        active=worker.status == Worker.Status.ACTIVE,
        member_since=worker.union_member_since,
        skill_level=worker.skill_level_id,
        education=worker.education,
    )


def eligibility(
    programme: Programme, worker: Worker, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every condition of the programme for the worker, from the registry (pure read)."""
    return judge(rules_of(programme), facts_of(worker, on or timezone.localdate()), _type_names())


def unit_for(programme: Programme, worker: Worker) -> ProgrammePlaces | None:
    """The places the worker applies under: the deepest unit with places above the worker."""
    rows = ProgrammePlaces.objects.filter(programme=programme).select_related("organization")
    best = None
    for row in rows:
        if worker.organization.path.startswith(row.organization.path) and (
            best is None or row.organization.depth > best.organization.depth
        ):
            best = row
    return best


# --------------------------------------------------------------------------- applications
def _may_file_for(actor: Any, worker: Worker) -> bool:
    return same_person(actor, worker.user_id) or access.can(actor, APPLY, worker.organization)


@transaction.atomic
def programme_apply(
    *,
    actor: Any,
    programme: Programme,
    worker: Worker,
    partner: ProgrammePartner | None = None,
    course: str = "",
    note: str = "",
) -> ProgrammeApplication:
    """The worker applies, or a cadre files for a worker of their subtree (the nominator)."""
    if not _may_file_for(actor, worker):
        access.require(actor, APPLY, worker.organization)
    if programme.state != Programme.State.OPEN:
        raise ConflictError(_("The programme is not open for applications."), code="not_open")
    if not worker.organization.path.startswith(programme.organization.path):
        raise field_error("worker", _("The programme is for workers of its owner's subtree."))
    if partner is not None and partner.programme_id != programme.pk:
        raise field_error("partner", _("Choose one of the programme's institutions."))
    conditions = eligibility(programme, worker)
    unmet = [c for c in conditions if not c["met"]]
    if unmet:
        raise ApplicationError(
            _("The worker does not meet the conditions: %(list)s")
            % {"list": "；".join(f"{c['rule']}（{c['required']}，{c['actual']}）" for c in unmet)},
            code="not_eligible",
            status=409,
            details=[
                {"field": c["rule"], "error": f"{c['required']} / {c['actual']}"} for c in unmet
            ],
        )
    places = unit_for(programme, worker)
    if places is None:
        raise ConflictError(
            _("The programme has no places for the worker's region."), code="no_places"
        )
    # the lock that makes the count exact: concurrent applications for the unit wait here
    places = ProgrammePlaces.objects.select_for_update().get(pk=places.pk)
    if ProgrammeApplication.objects.filter(
        programme=programme, worker=worker, status__in=HOLDS_PLACE
    ).exists():
        raise ConflictError(_("Already applied to this programme."), code="already_applied")
    if _used(programme, places.organization) >= places.places:
        raise ConflictError(
            _("The %(n)s places of %(unit)s are taken.")
            % {"n": places.places, "unit": places.organization.name},
            code="places_full",
        )
    application = ProgrammeApplication(
        programme=programme,
        worker=worker,
        unit=places.organization,
        partner=partner,
        course=(course or "").strip(),
        note=(note or "").strip(),
        employment_type=worker.employment_type,
        conditions=conditions,
        submitted_by=user_or_none(actor),
    )
    application.full_clean(exclude=["code", "conditions"], validate_constraints=False)
    application.save()
    audit(
        actor=actor,
        action="careers.programme_apply",
        obj=application,
        organization=worker.organization,
        details={
            "programme": programme.code,
            "worker": worker.code,
            "unit": places.organization.code,
        },
    )
    return application


@transaction.atomic
def programme_application_withdraw(
    *, actor: Any, application: ProgrammeApplication
) -> ProgrammeApplication:
    locked = ProgrammeApplication.objects.select_for_update().get(pk=application.pk)
    if not (_may_file_for(actor, locked.worker) or same_person(actor, locked.submitted_by_id)):
        access.require(actor, APPLY, locked.worker.organization)
    if locked.status != Status.SUBMITTED:
        raise ConflictError(
            _("Only an application not yet decided can be withdrawn."), code="decided"
        )
    locked.status = Status.WITHDRAWN
    locked.save(update_fields=["status"])
    audit(
        actor=actor,
        action="careers.programme_withdraw",
        obj=locked,
        organization=locked.worker.organization,
        details={},
    )
    return locked


@audited_refusals
@transaction.atomic
def programme_select(
    *, actor: Any, application: ProgrammeApplication, selected: bool, note: str = ""
) -> ProgrammeApplication:
    """Selection by the owner's managers, never by the applicant's nominator."""
    access.require(actor, MANAGE, application.programme.organization)
    a = _lock(application, Status.SUBMITTED)
    _not_nominator(actor, a, "careers.programme_select")
    a.status = Status.SELECTED if selected else Status.NOT_SELECTED
    a.decided_by = user_or_none(actor)
    a.decided_at = timezone.now()
    a.decision_note = bounded_text(note, "note", 500)
    a.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(
        actor=actor,
        action="careers.programme_select",
        obj=a,
        organization=a.programme.organization,
        details={"selected": selected},
    )
    return a


@transaction.atomic
def programme_enrol(
    *, actor: Any, application: ProgrammeApplication, enrolled_on: dt.date, student_number: str = ""
) -> ProgrammeApplication:
    """Enrol a selected applicant — only while the fund covers every enrolled person's subsidy."""
    access.require(actor, MANAGE, application.programme.organization)
    programme = Programme.objects.select_for_update().get(pk=application.programme_id)
    a = _lock(application, Status.SELECTED)
    if enrolled_on > timezone.localdate():
        raise field_error("enrolled_on", _("The date is in the future."))
    if programme.subsidy_per_person:
        from gongjiang.core.ledger.models import Fund

        from .programmes_subsidy import owed_total

        # every enrolled person's whole subsidy (for a programme paid per academic year: every
        # year not paid yet) must stay covered by the fund
        owed = owed_total(programme) + programme.subsidy_per_person
        balance = Fund.objects.get(pk=programme.fund_id).balance
        if owed > balance:
            if programme.subsidy_basis == Programme.SubsidyBasis.COMPLETION:
                people = (
                    ProgrammeApplication.objects.filter(
                        programme=programme, status__in=OWED, subsidy_entry__isnull=True
                    ).count()
                    + 1
                )
                message = _(
                    "The budget covers no more subsidies: %(n)s people × %(s)s yuan is more than the fund's %(b)s yuan."
                ) % {"n": people, "s": programme.subsidy_per_person, "b": balance}
            else:
                message = _(
                    "The budget covers no more subsidies: the academic years still owed, %(owed)s yuan, are more than the fund's %(b)s yuan."
                ) % {"owed": owed, "b": balance}
            raise ConflictError(
                message,
                code="over_budget",
            )
    a.status = Status.ENROLLED
    a.enrolled_on = enrolled_on
    a.student_number = bounded_text(student_number, "student_number", 40)
    a.save(update_fields=["status", "enrolled_on", "student_number"])
    audit(
        actor=actor,
        action="careers.programme_enrol",
        obj=a,
        organization=programme.organization,
        details={"on": enrolled_on.isoformat()},
    )
    return a


from .programmes_steps import (  # noqa: E402
    programme_complete,
    programme_drop,
    programme_progress_add,
    programme_subsidy_pay,
)

__all__ = [
    "programme_apply",
    "programme_application_withdraw",
    "programme_budget_add",
    "programme_complete",
    "programme_create",
    "programme_drop",
    "programme_enrol",
    "programme_partner_add",
    "programme_places_set",
    "programme_progress_add",
    "programme_select",
    "programme_state_set",
    "programme_subsidy_pay",
]
