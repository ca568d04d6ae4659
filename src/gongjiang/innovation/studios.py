"""Studios (劳模和工匠人才创新工作室) and alliances: services and reads.

Rules:
* The leader holds a qualifying honour in the registry (workforce honours, not revoked): a model
  worker (劳动模范/劳模), a May Day labour medal (五一劳动奖章), a craftsman (工匠), a technical expert
  (技术能手) or an advanced worker (先进工作者) — at the studio's level or above.
* Naming and renaming are approved at the studio's level: by a user who may approve studios at a
  union of that kind (national / provincial / city federation, enterprise union) on the studio's
  branch of the tree — never by who proposed or asked.
* Yearly assessment: criteria with maximum scores adding up to 100; the outcome follows the score
  (≥ 90 excellent, ≥ 70 pass, ≥ 60 rectify, below 60 revoke); two fails (rectify or revoke) in
  consecutive years mark the studio for revocation. The assessor is neither leader nor member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ConflictError, field_error
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Honour, Worker

from .models_results import Result
from .models_studios import (
    LEVELS,
    Alliance,
    JointProject,
    MentoringPair,
    ProjectTask,
    Studio,
    StudioAssessment,
    StudioMember,
    StudioRename,
    StudioYear,
)

VIEW = "innovation.view_studio"
MANAGE = "innovation.manage_studio"
APPROVE = "innovation.approve_studio"
ASSESS = "innovation.assess_studio"
QUALIFYING = ("劳动模范", "劳模", "五一劳动奖章", "工匠", "技术能手", "先进工作者")
HONOUR_LEVELS = {"enterprise": 0, "city": 1, "provincial": 2, "national": 3}
CRITERIA = (
    ("results", "创新成果与效益", 30),
    ("talent", "人才培养（师带徒）", 25),
    ("system", "制度建设与运行", 15),
    ("funding", "经费使用", 15),
    ("example", "示范引领与交流", 15),
)


def qualifying_honour(worker: Worker, level: str) -> Honour | None:
    """The leader's qualifying honour at the studio's level or above, or None."""
    need = HONOUR_LEVELS[level]
    q = Q()
    for word in QUALIFYING:
        q |= Q(title__contains=word)
    for honour in Honour.objects.filter(worker=worker, revoked=False).filter(q).order_by("-year"):
        if HONOUR_LEVELS.get(honour.level, -1) >= need:
            return honour
    return None


def _check_leader(worker: Worker, level: str) -> Honour:
    honour = qualifying_honour(worker, level)
    if honour is None:
        raise field_error(
            "leader",
            _(
                "%(name)s holds no model-worker or craftsman honour at this level or above in the "
                "registry."
            )
            % {"name": worker.name},
            "leader_not_qualified",
        )
    return honour


def _in_subtree(worker: Worker, organization: Organization) -> bool:
    return worker.organization.path.startswith(organization.path)


@transaction.atomic
def studio_propose(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    level: str,
    leader: Worker,
    fields: str = "",
    site: str = "",
    funding: Decimal = Decimal(0),
    members: Sequence[Worker] = (),
) -> Studio:
    """Propose a studio for naming (status *proposed*) at a host union in the actor's scope."""
    access.require(actor, MANAGE, organization)
    if level not in LEVELS:
        raise field_error("level", _("Unknown level."), "invalid_level")
    if not _in_subtree(leader, organization):
        raise field_error(
            "leader", _("The leader works outside the host union."), "leader_elsewhere"
        )
    honour = _check_leader(leader, level)
    studio = Studio(
        organization=organization,
        name=(name or "").strip(),
        level=level,
        leader=leader,
        fields=fields,
        site=site,
        funding=funding,
        proposed_by=user_or_none(actor),
    )
    studio.full_clean()
    studio.save()
    _members_add(studio, [leader, *members])
    audit_record(
        actor=actor,
        action="innovation.studio_propose",
        obj=studio,
        details={
            "name": studio.name,
            "level": level,
            "leader": leader.code,
            "honour": honour.title,
        },
    )
    return studio


def _members_add(studio: Studio, workers: Sequence[Worker]) -> None:
    if len(workers) > 200:
        raise field_error("members", _("A studio has at most 200 members."), "too_many_members")
    have = set(studio.members.values_list("worker_id", flat=True))
    rows = []
    for i, w in enumerate(workers):
        if w.pk in have:
            continue
        if not _in_subtree(w, studio.organization):
            raise field_error(
                f"members.{i}", _("%(name)s works outside the host union.") % {"name": w.name}
            )
        have.add(w.pk)
        rows.append(StudioMember(studio=studio, worker=w, joined_on=timezone.localdate()))
    StudioMember.objects.bulk_create(rows)


@transaction.atomic
def studio_members_add(*, actor: Any, studio: Studio, workers: Sequence[Worker]) -> Studio:
    access.require(actor, MANAGE, studio.organization)
    _members_add(studio, workers)
    audit_record(
        actor=actor,
        action="innovation.studio_members",
        obj=studio,
        details={"added": [w.code for w in workers]},
    )
    return studio


def may_approve_at_level(actor: Any, studio: Studio) -> bool:
    """The actor may approve studios at a union of the studio's level on its branch of the tree."""
    org = studio.organization
    unions = org.ancestors().filter(kind=studio.level)
    if org.kind == studio.level:
        unions = [org, *unions]
    return any(access.can(actor, APPROVE, u) for u in unions)


def _require_level(actor: Any, studio: Studio) -> None:
    if not may_approve_at_level(actor, studio):
        raise ConflictError(
            _("Naming is approved by the union of the studio's level (%(level)s).")
            % {"level": studio.get_level_display()},
            code="not_at_level",
        )


@audited_refusals
@transaction.atomic
def studio_approve(*, actor: Any, studio: Studio) -> Studio:
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    access.require(actor, APPROVE, studio.organization)
    if studio.status != Studio.Status.PROPOSED:
        raise ConflictError(_("This studio is not waiting for naming."), code="wrong_state")
    if same_person(actor, studio.proposed_by_id):
        raise DutyConflict(
            _("You proposed this studio; the union of its level approves it."),
            action="innovation.studio_approve",
            obj=studio,
            reason="proposer",
        )
    _require_level(actor, studio)
    _check_leader(studio.leader, studio.level)
    studio.status = Studio.Status.NAMED
    studio.approved_by = user_or_none(actor)
    studio.approved_at = timezone.now()
    studio.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, action="innovation.studio_approve", obj=studio)
    return studio


@transaction.atomic
def studio_rename_request(*, actor: Any, studio: Studio, new_name: str) -> StudioRename:
    access.require(actor, MANAGE, studio.organization)
    new_name = (new_name or "").strip()
    if not new_name or len(new_name) > 100:
        raise field_error("new_name", _("A name of 1 to 100 characters."), "invalid_name")
    if studio.renames.filter(state=StudioRename.State.PENDING).exists():
        raise ConflictError(_("A renaming is already waiting."), code="rename_pending")
    row = StudioRename.objects.create(
        studio=studio, old_name=studio.name, new_name=new_name, requested_by=user_or_none(actor)
    )
    audit_record(
        actor=actor, action="innovation.studio_rename_request", obj=studio, details={"to": new_name}
    )
    return row


@audited_refusals
@transaction.atomic
def studio_rename_decide(*, actor: Any, rename: StudioRename, approve: bool) -> StudioRename:
    rename = StudioRename.objects.select_for_update().select_related("studio").get(pk=rename.pk)
    studio = rename.studio
    access.require(actor, APPROVE, studio.organization)
    if rename.state != StudioRename.State.PENDING:
        raise ConflictError(_("This renaming is already decided."), code="wrong_state")
    if same_person(actor, rename.requested_by_id):
        raise DutyConflict(
            _("You asked for this renaming; the union of its level decides it."),
            action="innovation.studio_rename",
            obj=studio,
            reason="requester",
        )
    _require_level(actor, studio)
    rename.state = StudioRename.State.APPROVED if approve else StudioRename.State.REFUSED
    rename.decided_by = user_or_none(actor)
    rename.save(update_fields=["state", "decided_by"])
    if approve:
        studio.name = rename.new_name
        studio.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action="innovation.studio_rename",
        obj=studio,
        details={"from": rename.old_name, "to": rename.new_name, "approved": approve},
    )
    return rename


@transaction.atomic
def studio_year_save(
    *, actor: Any, studio: Studio, year: int, plan: str = "", report: str = ""
) -> StudioYear:
    access.require(actor, MANAGE, studio.organization)
    row, _created = StudioYear.objects.get_or_create(studio=studio, year=year)
    row.plan, row.report = plan, report
    row.full_clean()
    row.save()
    audit_record(actor=actor, action="innovation.studio_year", obj=studio, details={"year": year})
    return row


def outcome_for(score: Decimal) -> str:
    if score >= 90:
        return StudioAssessment.Outcome.EXCELLENT
    if score >= 70:
        return StudioAssessment.Outcome.PASS
    if score >= 60:
        return StudioAssessment.Outcome.RECTIFY
    return StudioAssessment.Outcome.REVOKE


def _scores(scores: Mapping[str, Any]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    known = {key for key, _label, _max in CRITERIA}
    for key in scores:
        if key not in known:
            raise field_error(f"scores.{key}", _("Unknown criterion."), "unknown_criterion")
    for key, _label, top in CRITERIA:
        try:
            value = Decimal(str(scores[key]))
        except (KeyError, InvalidOperation) as exc:
            raise field_error(
                f"scores.{key}", _("A score from 0 to %(max)d.") % {"max": top}, "invalid_score"
            ) from exc
        if (
            not value.is_finite()
            or value < 0
            or value > top
            or value != value.quantize(Decimal("0.01"))
        ):
            raise field_error(
                f"scores.{key}", _("A score from 0 to %(max)d.") % {"max": top}, "invalid_score"
            )
        out[key] = value
    return out


@audited_refusals
@transaction.atomic
def studio_assess(
    *, actor: Any, studio: Studio, year: int, scores: Mapping[str, Any], comment: str = ""
) -> StudioAssessment:
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    access.require(actor, ASSESS, studio.organization)
    if studio.status not in (Studio.Status.NAMED, Studio.Status.MARKED):
        raise ConflictError(_("Only a named studio is assessed."), code="wrong_state")
    if not 2000 <= year <= 2100:
        raise field_error("year", _("A year between 2000 and 2100."), "invalid_year")
    if StudioAssessment.objects.filter(studio=studio, year=year).exists():
        raise ConflictError(_("This year is already assessed."), code="already_assessed")
    uid = getattr(actor, "pk", None)
    if uid is not None and studio.members.filter(worker__user_id=uid).exists():
        raise DutyConflict(
            _("You are a member of this studio; another person assesses it."),
            action="innovation.studio_assess",
            obj=studio,
            reason="member",
        )
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise field_error("comment", _("At most 500 characters."), "too_long", status=422)
    values = _scores(scores)
    score = sum(values.values(), Decimal(0))
    outcome = outcome_for(score)
    row = StudioAssessment(
        studio=studio,
        year=year,
        scores={k: str(v) for k, v in values.items()},
        score=score,
        outcome=outcome,
        comment=comment,
        assessed_by=user_or_none(actor),
    )
    row.full_clean()
    row.save()
    previous = StudioAssessment.objects.filter(studio=studio, year=year - 1).first()
    following = StudioAssessment.objects.filter(studio=studio, year=year + 1).first()
    failed = outcome in StudioAssessment.FAILS
    marked = failed and any(
        other is not None and other.outcome in StudioAssessment.FAILS
        for other in (previous, following)
    )
    if marked and studio.status != Studio.Status.MARKED:
        studio.status = Studio.Status.MARKED
        studio.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="innovation.studio_assess",
        obj=studio,
        details={"year": year, "score": score, "outcome": outcome, "marked": marked},
    )
    return row


@transaction.atomic
def studio_results_attribute(*, actor: Any, studio: Studio, results: Sequence[Result]) -> Studio:
    access.require(actor, MANAGE, studio.organization)
    for r in results:
        if not r.organization.path.startswith(studio.organization.path) or not r.is_adopted:
            raise field_error("results", _("Only adopted results of the host union."), "bad_result")
    studio.results.add(*results)
    audit_record(
        actor=actor,
        action="innovation.studio_results",
        obj=studio,
        details={"results": [r.code for r in results]},
    )
    return studio


@transaction.atomic
def mentoring_pair_add(
    *, actor: Any, studio: Studio, mentor: Worker, mentee: Worker, started_on: dt.date
) -> MentoringPair:
    access.require(actor, MANAGE, studio.organization)
    if mentor.pk == mentee.pk:
        raise field_error("mentee", _("A mentor does not mentor themselves."), "same_worker")
    if not studio.members.filter(worker=mentor).exists():
        raise field_error("mentor", _("The mentor is a member of the studio."), "mentor_not_member")
    if not _in_subtree(mentee, studio.organization):
        raise field_error(
            "mentee", _("The mentee works outside the host union."), "mentee_elsewhere"
        )
    pair = MentoringPair(studio=studio, mentor=mentor, mentee=mentee, started_on=started_on)
    pair.full_clean()
    pair.save()
    audit_record(
        actor=actor,
        action="innovation.mentoring_add",
        obj=studio,
        details={"mentor": mentor.code, "mentee": mentee.code},
    )
    return pair


@transaction.atomic
def mentoring_outcome(
    *, actor: Any, pair: MentoringPair, outcome: str, note: str = "", on: dt.date | None = None
) -> MentoringPair:
    access.require(actor, MANAGE, pair.studio.organization)
    if outcome not in MentoringPair.Outcome.values or outcome == "ongoing":
        raise field_error("outcome", _("Choose how the mentoring ended."), "invalid_outcome")
    note = (note or "").strip()
    if len(note) > 300:
        raise field_error("note", _("At most 300 characters."), "too_long", status=422)
    pair.outcome, pair.outcome_note = outcome, note
    pair.ended_on = on or timezone.localdate()
    if pair.ended_on < pair.started_on:
        raise field_error("on", _("It ended before it started."), "invalid_date")
    pair.save(update_fields=["outcome", "outcome_note", "ended_on"])
    audit_record(
        actor=actor,
        action="innovation.mentoring_outcome",
        obj=pair.studio,
        details={"pair": pair.code, "outcome": outcome},
    )
    return pair


@transaction.atomic
def alliance_create(
    *, actor: Any, organization: Organization, name: str, studios: Sequence[Studio] = ()
) -> Alliance:
    access.require(actor, MANAGE, organization)
    alliance = Alliance(
        organization=organization, name=(name or "").strip(), created_by=user_or_none(actor)
    )
    alliance.full_clean()
    alliance.save()
    _alliance_add(alliance, studios)
    audit_record(actor=actor, action="innovation.alliance_create", obj=alliance)
    return alliance


def _alliance_add(alliance: Alliance, studios: Sequence[Studio]) -> None:
    for s in studios:
        if not s.organization.path.startswith(alliance.organization.path):
            raise field_error(
                "studios", _("%(name)s is outside the organising union.") % {"name": s.name}
            )
        if s.status == Studio.Status.REVOKED:
            raise field_error("studios", _("A revoked studio does not join."), "studio_revoked")
    alliance.studios.add(*studios)


@transaction.atomic
def alliance_studios_add(*, actor: Any, alliance: Alliance, studios: Sequence[Studio]) -> Alliance:
    access.require(actor, MANAGE, alliance.organization)
    _alliance_add(alliance, studios)
    audit_record(
        actor=actor,
        action="innovation.alliance_studios",
        obj=alliance,
        details={"studios": [s.code for s in studios]},
    )
    return alliance


@transaction.atomic
def joint_project_create(
    *,
    actor: Any,
    alliance: Alliance,
    title: str,
    studios: Sequence[Studio],
    goal: str = "",
    tasks: Sequence[tuple[str, Studio]] = (),
) -> JointProject:
    """A joint project of at least two member studios, with tasks each led by one of them."""
    access.require(actor, MANAGE, alliance.organization)
    members = set(alliance.studios.values_list("pk", flat=True))
    if len({s.pk for s in studios}) < 2:
        raise field_error(
            "studios", _("A joint project has at least two studios."), "too_few_studios"
        )
    if any(s.pk not in members for s in studios):
        raise field_error("studios", _("Only member studios of the alliance."), "not_member")
    project = JointProject(alliance=alliance, title=(title or "").strip(), goal=goal)
    project.full_clean()
    project.save()
    project.studios.add(*studios)
    chosen = {s.pk for s in studios}
    for i, (task_title, studio) in enumerate(tasks):
        if studio.pk not in chosen:
            raise field_error(f"tasks.{i}.studio", _("A task is led by a studio of the project."))
        task_title = (task_title or "").strip()
        if not 1 <= len(task_title) <= 200:
            raise field_error(
                f"tasks.{i}.title", _("A title of 1 to 200 characters."), "invalid_title"
            )
        ProjectTask(project=project, title=task_title, studio=studio).full_clean(
            exclude=["project", "code"]
        )
        ProjectTask.objects.create(project=project, title=task_title, studio=studio)
    audit_record(
        actor=actor,
        action="innovation.joint_project_create",
        obj=alliance,
        details={"project": project.code, "studios": [s.code for s in studios]},
    )
    return project


@transaction.atomic
def joint_project_results_add(
    *, actor: Any, project: JointProject, results: Sequence[Result]
) -> JointProject:
    """Results attributed to the project, hence to each of its studios."""
    alliance = project.alliance
    access.require(actor, MANAGE, alliance.organization)
    for r in results:
        if not r.organization.path.startswith(alliance.organization.path) or not r.is_adopted:
            raise field_error(
                "results", _("Only adopted results within the alliance."), "bad_result"
            )
    project.results.add(*results)
    audit_record(
        actor=actor,
        action="innovation.joint_project_results",
        obj=alliance,
        details={"project": project.code, "results": [r.code for r in results]},
    )
    return project


@transaction.atomic
def project_task_done(*, actor: Any, task: ProjectTask) -> ProjectTask:
    access.require(actor, MANAGE, task.project.alliance.organization)
    task.done = True
    task.save(update_fields=["done"])
    audit_record(
        actor=actor,
        action="innovation.project_task_done",
        obj=task.project.alliance,
        details={"task": task.code},
    )
    return task


# ------------------------------------------------------------------------------------------ reads


def studio_list(*, actor: Any, level: str = "", status: str = "") -> QuerySet[Studio]:
    qs = Studio.objects.visible_to(actor).select_related("leader", "organization__region")
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    return qs


def studio_get(*, actor: Any, code: str) -> Studio:
    return get_visible_or_404(
        Studio.objects.select_related("leader", "organization", "organization__region"),
        actor,
        code=code,
    )


def alliance_list(*, actor: Any) -> QuerySet[Alliance]:
    return (
        Alliance.objects.visible_to(actor)
        .select_related("organization")
        .annotate(
            n_studios=Count("studios", distinct=True), n_projects=Count("projects", distinct=True)
        )
        .order_by("name", "id")
    )


def alliance_get(*, actor: Any, code: str) -> Alliance:
    return get_visible_or_404(Alliance.objects.select_related("organization"), actor, code=code)


def studio_result_ids(studio_ids: Sequence[int]) -> dict[int, set[int]]:
    """Each studio's results: attributed directly or through its joint projects."""
    out: dict[int, set[int]] = {sid: set() for sid in studio_ids}
    for sid, rid in Studio.results.through.objects.filter(studio_id__in=studio_ids).values_list(
        "studio_id", "result_id"
    ):
        out[sid].add(rid)
    projects: dict[int, list[int]] = {}
    for pid, sid in JointProject.studios.through.objects.filter(
        studio_id__in=studio_ids
    ).values_list("jointproject_id", "studio_id"):
        projects.setdefault(pid, []).append(sid)
    for pid, rid in JointProject.results.through.objects.filter(
        jointproject_id__in=list(projects)
    ).values_list("jointproject_id", "result_id"):
        for sid in projects[pid]:
            out[sid].add(rid)
    return out


def dashboard(*, actor: Any) -> dict[str, Any]:
    """Studios by level and region, results and savings per studio, mentees trained — in scope."""
    studios = Studio.objects.visible_to(actor).exclude(status=Studio.Status.REVOKED)
    by_level = {row["level"]: row["n"] for row in studios.values("level").annotate(n=Count("id"))}
    by_region = list(
        studios.values("organization__region__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organization__region__name")[:50]
    )
    rows = list(studios.select_related("leader").order_by("name", "id")[:500])
    ids = [s.pk for s in rows]
    results = studio_result_ids(ids)
    all_results = set().union(*results.values()) if results else set()
    savings = dict(Result.objects.filter(pk__in=all_results).values_list("pk", "savings"))
    trained = dict(
        MentoringPair.objects.filter(studio_id__in=ids, outcome__in=MentoringPair.TRAINED)
        .values("studio_id")
        .annotate(n=Count("id"))
        .values_list("studio_id", "n")
    )
    per_studio = [
        {
            "studio": s,
            "results": len(results[s.pk]),
            "savings": sum((savings.get(r) or Decimal(0) for r in results[s.pk]), Decimal(0)),
            "trained": trained.get(s.pk, 0),
        }
        for s in rows
    ]
    return {
        "yearly": _yearly(all_results),
        "by_level": [(lvl, by_level.get(lvl, 0)) for lvl in reversed(LEVELS)],
        "by_region": by_region,
        "per_studio": per_studio,
        "trained": sum(trained.values()),
        "funding": studios.aggregate(t=Sum("funding"))["t"] or Decimal(0),
    }


def _yearly(result_ids: set[int]) -> list[dict[str, Any]]:
    """Per year, the studios' results (the year completed, else recorded), their yearly savings
    (the benefit) and the awards they won (graded in a published round, by the round's year);
    the last ten years that have any."""
    from .models_awards import AwardRound, Nomination

    years: dict[int, dict[str, Any]] = {}

    def row(year: int) -> dict[str, Any]:
        return years.setdefault(
            year, {"year": year, "results": 0, "awards": 0, "savings": Decimal(0)}
        )

    for completed, created, saved in Result.objects.filter(pk__in=result_ids).values_list(
        "completed_on", "created_at", "savings"
    ):
        r = row(completed.year if completed else timezone.localtime(created).year)
        r["results"] += 1
        r["savings"] += saved or Decimal(0)
    for year in (
        Nomination.objects.filter(result_id__in=result_ids, round__state=AwardRound.State.PUBLISHED)
        .exclude(item__isnull=True)
        .exclude(item__grade="")
        .values_list("round__year", flat=True)
    ):
        row(year)["awards"] += 1
    return [years[y] for y in sorted(years)[-10:]]


def studios_to_approve(*, actor: Any) -> list[Studio]:
    qs = Studio.objects.visible_to(actor, APPROVE).filter(status=Studio.Status.PROPOSED)
    return [s for s in qs.exclude(proposed_by=actor)[:200] if may_approve_at_level(actor, s)]
