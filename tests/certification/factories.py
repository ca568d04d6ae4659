"""Test data of the certification app: workers (through the workforce service) and plans."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from gongjiang.certification import services
from gongjiang.certification.models import EvaluationPlan
from gongjiang.core.models import Organization
from gongjiang.core.validators import citizen_id_check_digit

_seq = itertools.count(1)
WELDER = "6-18-02-04"  # 焊工


class Root:
    """A superuser-equivalent actor for building test data."""

    is_authenticated = True
    is_superuser = True
    is_active = True
    is_staff = True
    pk = None

    def get_username(self) -> str:
        return "test-root"


ROOT = Root()


def citizen_id(n: int | None = None, region: str = "320111", birth: str = "19900101") -> str:
    n = next(_seq) if n is None else n
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + citizen_id_check_digit(first17)


def make_worker(
    organization: Organization,
    name: str = "张小三",
    *,
    user: Any = None,
    level: str | None = None,
    phone: str = "13912345678",
    **extra: Any,
) -> Any:
    from gongjiang.workforce.services import worker_create

    return worker_create(
        actor=ROOT,
        organization=organization,
        name=name,
        citizen_id=citizen_id(),
        user=user,
        phone=phone,
        skill_level=level,
        hire_date=dt.date(2015, 3, 1),
        **extra,
    )


def evaluation_body(parent: Organization, name: str = "") -> Organization:
    """A social training and evaluation organisation (S body) under ``parent``."""
    from tests.factories import OrganizationFactory

    return OrganizationFactory(
        parent=parent,
        name=name or f"{parent.name.removesuffix('总工会')}职业技能鉴定中心",
        kind="evaluation",
        region=parent.region_id,
    )


def make_plan(
    organization: Organization, *, level: str = "SENIOR", items: Any = None, **extra: Any
) -> EvaluationPlan:
    params: dict[str, Any] = {
        "organization": organization,
        "name": "焊工高级工认定",
        "occupation": WELDER,
        "level": level,
        "body_code": "0123",
        "province_code": "32",
        "site_code": "000001",
        "starts_on": dt.date(2024, 5, 1),
        "ends_on": dt.date(2024, 6, 30),
    }
    params.update(extra)
    if items is None:
        items = [("焊前准备", 20), ("焊接操作", 50), ("焊缝质量", 30)]
    return services.evaluation_plan_create(actor=ROOT, items=items, **params)


def issued_certificate(
    organization: Organization,
    *,
    user: Any = None,
    name: str = "张小三",
    level: str = "SENIOR",
    **plan_extra: Any,
) -> Any:
    """A decided plan with one passed candidate and the certificate issued (actor: a superuser)."""
    from gongjiang.certification import issuing
    from gongjiang.certification.models import Candidate

    plan = make_plan(organization, level=level, items=[("操作", 100)], **plan_extra)
    worker = make_worker(organization, name, user=user, level="INTERMEDIATE")
    cand = Candidate.objects.get(
        pk=services.candidate_enrol(actor=ROOT, plan=plan, worker=worker).pk
    )
    services.candidate_scores_set(
        actor=ROOT, candidate=cand, theory=80, **({"review": 80} if plan.has_review else {})
    )
    from gongjiang.certification.models import PracticalScore

    examiner = _examiner()
    PracticalScore.objects.create(
        candidate=cand, item=plan.items.get(), examiner=examiner, points=75
    )
    services._practical_recompute([cand.pk], plan)
    services.evaluation_results_decide(actor=ROOT, plan=plan)
    return issuing.certificate_issue(actor=ROOT, candidate=cand)


def _examiner() -> Any:
    from tests.factories import UserFactory

    return UserFactory(username="examiner-fixture")
