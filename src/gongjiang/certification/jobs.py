"""Background job: issue the certificates of a decided plan, with progress (core.jobs)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongjiang.core.duties import audited_refusals
from gongjiang.core.jobs import Progress, job_handler, job_start
from gongjiang.core.models import Job

from .models import EvaluationPlan

KIND = "certification.certificates_issue"


@audited_refusals
def certificates_issue_start(*, actor: Any, plan: EvaluationPlan) -> Job:
    """Queue the issuing job (the permission is checked here and again when it runs). Refused at
    once (403, audited) when the actor examined a candidate still waiting for a certificate."""
    from gongjiang.core import access

    from .issuing import issuing_refusal
    from .models import Candidate

    access.require(actor, "certification.manage_evaluation", plan.organization)
    issuing_check(plan)
    waiting = Candidate.objects.filter(plan=plan, passed=True, certificate__isnull=True)
    refusal = issuing_refusal(actor, plan, waiting)
    if refusal:
        raise refusal
    return job_start(
        actor=actor, kind=KIND, organization=plan.organization, params={"plan": plan.code}
    )


def issuing_check(plan: EvaluationPlan) -> None:
    from gongjiang.core.errors import ApplicationError

    if plan.status not in (EvaluationPlan.Status.DECIDED, EvaluationPlan.Status.ISSUED):
        raise ApplicationError(
            _("Decide the results before issuing certificates."), code="not_decided", status=409
        )


@job_handler(KIND)
def run_certificates_issue(job: Job, progress: Progress) -> dict[str, Any]:
    from .issuing import certificates_issue

    plan = EvaluationPlan.objects.select_related("organization").get(code=job.params["plan"])
    result = certificates_issue(actor=job.created_by, plan=plan, progress=progress)
    # the job page lists problems in the roster layout (row, column, value, reason)
    errors = [
        {"row": n, "column": _("worker"), "value": e["worker"], "message": e["error"]}
        for n, e in enumerate(result["errors"], start=1)
    ]
    progress(
        job.total or result["issued"],
        job.total or result["issued"],
        _("%(n)d certificates issued.") % {"n": result["issued"]},
    )
    return {
        "issued": result["issued"],
        "numbers": result["numbers"][:1000],
        "errors": errors,
        "plan": plan.code,
    }
