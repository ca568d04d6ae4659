"""Online campaigns and their knowledge contest (答题), rankings and participation from rollups.

A contest is a set of objective questions of the learning system's banks (the organiser's bank or a
bank above it). An entry is graded by ``learning.grading.grade`` and saved with, in the same
transaction, its increments of the tallies queued (``campaign_tallies``: a job folds them into the
tally of the participant's own organisation, province and city every few seconds). Participation of a
subtree is the sum of the tallies under its path; the ranking of the units under an organisation
groups the tallies by the path of the unit they fall under. The number of tally rows is the number
of organisations taking part, never the number of participants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.review.ranking import competition_ranks
from gongjiang.learning.grading import grade
from gongjiang.learning.models import OBJECTIVE_TYPES, Question

from .audience import audience_q, home_organization, prefixes
from .campaign_tallies import depth_of, tally_queue
from .models import Campaign, CampaignAreaTally, CampaignOrgTally, ContestEntry

MANAGE = "members.manage_activity"
MAX_QUESTIONS = 50


# --------------------------------------------------------------------------------- reads
def campaigns_for(*, actor: Any) -> QuerySet[Campaign]:
    return Campaign.objects.filter(audience_q(actor)).select_related("organization")


def campaign_get(*, actor: Any, code: str) -> Campaign:
    campaign = campaigns_for(actor=actor).filter(code=code).first()
    if campaign is None:
        raise Http404("campaign")
    return campaign


def campaigns_managed(*, actor: Any) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(actor, MANAGE).select_related("organization")


def is_running(campaign: Campaign) -> bool:
    return campaign.starts_at <= timezone.now() < campaign.ends_at


def contest_questions(campaign: Campaign) -> list[dict[str, Any]]:
    """The questions as a participant sees them (stem and options; never the answers)."""
    out = []
    for q in campaign.questions.select_related("current").order_by("id"):
        version = q.current
        if version is None:
            continue
        out.append(
            {
                "code": q.code,
                "qtype": version.qtype,
                "stem": version.stem,
                "options": version.options or [],
            }
        )
    return out


def my_entry(*, actor: Any, campaign: Campaign) -> ContestEntry | None:
    return ContestEntry.objects.filter(campaign=campaign, user=actor).first()


def _depth(organization: Organization) -> int:
    return depth_of(organization.path)


def _figures(n: int | None, total: Decimal | None) -> dict[str, Any]:
    n = n or 0
    total = total or Decimal("0")
    return {"participants": n, "mean": (total / n).quantize(Decimal("0.01")) if n else None}


def participation(*, campaign: Campaign, organization: Organization) -> dict[str, Any]:
    """Participants and mean score in the organisation's subtree, from the tallies: a province or
    city reads its one area row, a root its own row plus its provinces' rows, a unit below the
    cities sums the unit rows of its (small) subtree."""
    depth = _depth(organization)
    if depth in CampaignAreaTally.AREA_DEPTHS:
        row = (
            CampaignAreaTally.objects.filter(campaign=campaign, organization=organization)
            .values("participants", "total_score")
            .first()
        )
        return _figures(row and row["participants"], row and row["total_score"])
    if depth + 1 in CampaignAreaTally.AREA_DEPTHS:
        own = CampaignOrgTally.objects.filter(
            campaign=campaign, organization=organization
        ).aggregate(n=Sum("participants"), total=Sum("total_score"))
        below = CampaignAreaTally.objects.filter(
            campaign=campaign, depth=depth + 1, path__startswith=organization.path
        ).aggregate(n=Sum("participants"), total=Sum("total_score"))
        return _figures(
            (own["n"] or 0) + (below["n"] or 0),
            (own["total"] or Decimal("0")) + (below["total"] or Decimal("0")),
        )
    row = CampaignOrgTally.objects.filter(
        campaign=campaign, path__startswith=organization.path
    ).aggregate(n=Sum("participants"), total=Sum("total_score"))
    return _figures(row["n"], row["total"])


def rankings(*, campaign: Campaign, organization: Organization) -> list[dict[str, Any]]:
    """The units directly under ``organization`` ranked by participants (ties share a rank), with
    their mean score, from the tallies: provinces and cities from their area rows (a few dozen
    rows), units further down by grouping the unit rows of the subtree under their unit."""
    depth = _depth(organization)
    if depth + 1 in CampaignAreaTally.AREA_DEPTHS:
        rows = list(
            CampaignAreaTally.objects.filter(
                campaign=campaign, depth=depth + 1, path__startswith=organization.path
            )
            .annotate(unit=F("path"), n=F("participants"), total=F("total_score"))
            .values("unit", "n", "total")
            .order_by("-n", "unit")[:1000]
        )
    else:
        width = len(organization.path) + Organization.SEGMENT
        rows = list(
            CampaignOrgTally.objects.filter(campaign=campaign, path__startswith=organization.path)
            .exclude(path=organization.path)
            .annotate(unit=Substr("path", 1, width))
            .values("unit")
            .annotate(n=Sum("participants"), total=Sum("total_score"))
            .order_by("-n", "unit")[:1000]
        )
    names = dict(
        Organization.objects.filter(path__in=[r["unit"] for r in rows]).values_list("path", "name")
    )
    ranked = competition_ranks(rows, key=lambda r: r["n"])
    return [
        {
            "rank": rank,
            "name": names.get(r["unit"], ""),
            "path": r["unit"],
            "participants": r["n"],
            "mean": (r["total"] / r["n"]).quantize(Decimal("0.01")) if r["n"] else None,
        }
        for rank, r in ranked
    ]


def recount(*, campaign: Campaign, organization: Organization) -> dict[str, Any]:
    """The same figures counted from the entries themselves (for tests and checks)."""
    row = ContestEntry.objects.filter(
        campaign=campaign, organization__path__startswith=organization.path
    ).aggregate(n=Count("id"), total=Sum("score"))
    return _figures(row["n"], row["total"])


# ------------------------------------------------------------------------------ services
def campaign_create(
    *, actor: Any, organization: Organization, question_codes: list[str], **fields: Any
) -> Campaign:
    access.require(actor, MANAGE, organization)
    if not 1 <= len(question_codes) <= MAX_QUESTIONS:
        raise ApplicationError(
            _("A contest has 1 to %(n)d questions.") % {"n": MAX_QUESTIONS}, code="questions"
        )
    # questions of the organiser's bank or of a bank above it (a national bank serves everyone)
    questions = list(
        Question.objects.filter(
            code__in=question_codes,
            is_active=True,
            qtype__in=OBJECTIVE_TYPES,
            current__isnull=False,
        ).filter(organization__path__in=prefixes(organization.path))
        | Question.objects.filter(
            code__in=question_codes,
            is_active=True,
            qtype__in=OBJECTIVE_TYPES,
            current__isnull=False,
            organization__path__startswith=organization.path,
        )
    )
    if len({q.pk for q in questions}) != len(set(question_codes)):
        raise ApplicationError(
            _("Some questions are not objective questions of a bank this organiser may use."),
            code="questions",
        )
    with transaction.atomic():
        campaign = Campaign(organization=organization, **fields)
        campaign.full_clean()
        campaign.save()
        campaign.questions.set(questions)
        audit(actor=actor, action="members.campaign_create", obj=campaign)
    return campaign


def contest_submit(*, actor: Any, campaign: Campaign, answers: dict[str, Any]) -> ContestEntry:
    """Grade and save the participant's answers (once per person and campaign)."""
    if not access.can(actor, "members.use"):
        raise PermissionDenied
    if not is_running(campaign):
        raise ApplicationError(_("The contest is not open now."), code="not_open")
    unit = home_organization(actor)
    if unit is None:
        raise ApplicationError(_("Only members of a union take part."), code="no_unit")
    versions = {
        q.code: q.current
        for q in campaign.questions.select_related("current")
        if q.current is not None
    }
    unknown = set(answers) - set(versions)
    if unknown:
        raise ApplicationError(
            _("Answers to questions that are not in the contest."),
            code="unknown_questions",
            details=[
                {"field": code[:20], "error": _("not in the contest")}
                for code in sorted(unknown)[:10]
            ],
        )
    score = Decimal("0")
    for code, version in versions.items():
        got = grade(
            version.qtype, version.answer, answers.get(code), version.score, version.scoring_rule
        )
        score += got or Decimal("0")
    try:
        with transaction.atomic():
            entry = ContestEntry.objects.create(
                campaign=campaign, user=actor, organization=unit, answers=answers, score=score
            )
            audit(
                actor=actor,
                action="members.contest_submit",
                obj=campaign,
                organization=unit,
                details={"score": score},
            )
            # the tallies' increments are queued (one row, no shared row locked) and folded into
            # them by a job (core.counters)
            tally_queue(campaign, unit, score)
    except IntegrityError as exc:
        raise ApplicationError(
            _("You have already taken part in this contest."), code="already_answered", status=409
        ) from exc
    return entry


CAMPAIGN_FIELDS = ("title", "description", "starts_at", "ends_at")


def campaign_update(*, actor: Any, campaign: Campaign, **fields: Any) -> Campaign:
    """Change a campaign's title, description or period (its questions stay once it has entries:
    the entries were graded against them)."""
    access.require(actor, MANAGE, campaign.organization)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed."), code="fields")
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = {k: str(getattr(locked, k)) for k in fields}
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.full_clean()
        locked.save()
        audit(
            actor=actor,
            action="members.campaign_update",
            obj=locked,
            organization=locked.organization,
            details={"before": before, "after": {k: str(v) for k, v in fields.items()}},
        )
    return locked


def usable_questions(*, actor: Any) -> QuerySet[Question]:
    """Objective questions of the banks the actor's organisations may use (their own subtree's and
    the banks above them) — the choice offered on the campaign form; ``campaign_create`` checks
    them again against the organiser."""
    q = audience_q(actor)
    return (
        Question.objects.filter(q, is_active=True, qtype__in=OBJECTIVE_TYPES)
        .filter(current__isnull=False)
        .select_related("current", "organization")
        .order_by("-id")
    )


def results_scope(*, actor: Any, campaign: Campaign, organization_code: str = "") -> Organization:
    """The subtree whose participation a cadre reads: the campaign's organiser when the cadre
    manages it, else the cadre's own unit under it; a chosen organisation must lie inside both the
    campaign's subtree and the cadre's scope (else 404)."""
    managed = Organization.objects.visible_to(actor, MANAGE).filter(
        path__startswith=campaign.organization.path
    )
    if organization_code:
        org = managed.filter(code=organization_code[:20]).first()
    elif access.can(actor, MANAGE, campaign.organization):
        org = campaign.organization
    else:
        org = managed.order_by("depth", "path").first()
    if org is None:
        raise Http404("organization")
    return org
