"""The learning API's question bank, papers and exam sessions (/api/v1/learning/…; learning/urls.py
mounts it with the other sub-packages' routers). Thin: parse, call a service or selector, answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core.models import Occupation, SkillLevel
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, paginate, resolve_from

from .. import selectors
from ..exams import marking
from ..exams import services as exams
from ..models import ExamSession, Paper, Question
from ..selectors import org_for
from . import services

router = Router(tags=["learning"])
QType = Literal["single", "multiple", "true_false", "fill", "short", "practical"]


# ------------------------------------------------------------------------------ questions
class QuestionOut(Schema):
    code: str
    organization: str
    qtype: str
    difficulty: int
    knowledge_point: str
    occupation: str | None
    skill_level: str | None
    score: Decimal
    is_active: bool
    version: int
    stem: str
    options: list[dict[str, Any]]
    answer: Any
    explanation: str
    rubric: str
    checklist: list[dict[str, Any]]
    scoring_rule: str

    resolve_organization = resolve_from("organization.code")
    resolve_occupation = resolve_from("occupation_id")
    resolve_skill_level = resolve_from("skill_level_id")
    resolve_version = resolve_from("current.number")
    resolve_stem = resolve_from("current.stem")
    resolve_options = resolve_from("current.options")
    resolve_answer = resolve_from("current.answer")
    resolve_explanation = resolve_from("current.explanation")
    resolve_rubric = resolve_from("current.rubric")
    resolve_checklist = resolve_from("current.checklist")
    resolve_scoring_rule = resolve_from("current.scoring_rule")


class QuestionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[QuestionOut]


class PracticalChecklistIn(StrictSchema):
    item: str = Field(..., min_length=1, max_length=300)
    points: Decimal = Field(..., gt=0, le=1000)


class QuestionIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    qtype: QType
    stem: str = Field(..., min_length=1, max_length=20000)
    options: list[str] = Field(default_factory=list, max_length=8)
    answer: Any = None
    explanation: str = Field("", max_length=20000)
    rubric: str = Field("", max_length=20000)
    checklist: list[PracticalChecklistIn] = Field(default_factory=list, max_length=50)
    scoring_rule: Literal["all", "partial"] = "all"
    score: Decimal = Field(Decimal(1), gt=0, le=1000)
    difficulty: int = Field(3, ge=1, le=5)
    knowledge_point: str = Field("", max_length=100)
    occupation: str | None = Field(None, max_length=20)
    skill_level: str | None = Field(None, max_length=30)


class QuestionPatch(StrictSchema):
    stem: str | None = Field(None, min_length=1, max_length=20000)
    options: list[str] | None = Field(None, max_length=8)
    answer: Any = None
    explanation: str | None = Field(None, max_length=20000)
    rubric: str | None = Field(None, max_length=20000)
    checklist: list[PracticalChecklistIn] | None = Field(None, max_length=50)
    scoring_rule: Literal["all", "partial"] | None = None
    score: Decimal | None = Field(None, gt=0, le=1000)
    difficulty: int | None = Field(None, ge=1, le=5)
    knowledge_point: str | None = Field(None, max_length=100)
    is_active: bool | None = None


class QuestionFilters(Schema):
    q: str = Field("", max_length=100)
    qtype: str = Field("", max_length=12)
    knowledge_point: str = Field("", max_length=100)
    difficulty: int | None = Field(None, ge=1, le=5)
    page: PageNumber = 1
    page_size: PageSize = 50


def _tags(occupation: str | None, skill_level: str | None) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    out: dict[str, Any] = {}
    if occupation is not None:
        out["occupation"] = (
            Occupation.objects.filter(code=occupation).first() if occupation else None
        )
        if occupation and out["occupation"] is None:
            raise ValidationError({"occupation": ["unknown occupation code"]})
    if skill_level is not None:
        out["skill_level"] = (
            SkillLevel.objects.filter(code=skill_level).first() if skill_level else None
        )
        if skill_level and out["skill_level"] is None:
            raise ValidationError({"skill_level": ["unknown skill level code"]})
    return out


@router.get(
    "/questions", response=QuestionPage, summary="Questions of the banks in the caller's scope"
)
def question_list(request: HttpRequest, filters: Query[QuestionFilters]) -> dict[str, Any]:
    qs = selectors.question_list(
        actor=request.user,
        q=filters.q,
        qtype=filters.qtype,
        knowledge_point=filters.knowledge_point,
        difficulty=filters.difficulty,
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post("/questions", response={201: QuestionOut})
def question_create(request: HttpRequest, payload: QuestionIn) -> tuple[int, Question]:
    org = org_for(request.user, payload.organization, "learning.change_question")
    data = payload.model_dump(exclude={"organization", "occupation", "skill_level", "checklist"})
    q = services.question_create(
        actor=request.user,
        organization=org,
        **data,
        checklist=[c.model_dump() for c in payload.checklist],
        **_tags(payload.occupation, payload.skill_level),
    )
    return 201, selectors.question_get(actor=request.user, code=q.code)


@router.get("/questions/{code}", response=QuestionOut)
def question_detail(request: HttpRequest, code: str) -> Question:
    return selectors.question_get(actor=request.user, code=code)


@router.patch("/questions/{code}", response=QuestionOut)
def question_update(request: HttpRequest, code: str, payload: QuestionPatch) -> Question:
    q = selectors.question_get(actor=request.user, code=code)
    fields = payload.model_dump(exclude_unset=True)
    active = fields.pop("is_active", None)
    if "checklist" in fields and fields["checklist"] is not None:
        fields["checklist"] = [dict(c) for c in fields["checklist"]]
    if fields:
        services.question_update(actor=request.user, question=q, **fields)
    if active is not None:
        services.question_set_active(actor=request.user, question=q, active=active)
    return selectors.question_get(actor=request.user, code=code)


class KeyCorrectionIn(StrictSchema):
    answer: Any
    reason: str = Field(..., min_length=1, max_length=500)


@router.post(
    "/questions/{code}/correct-key", summary="Correct the key of the current version and regrade"
)
def question_correct_key(
    request: HttpRequest, code: str, payload: KeyCorrectionIn
) -> dict[str, int]:
    q = selectors.question_get(actor=request.user, code=code)
    return marking.question_version_correct_key(
        actor=request.user, version=q.current, answer=payload.answer, reason=payload.reason
    )


# --------------------------------------------------------------------------------- papers
class PaperOut(Schema):
    code: str
    organization: str
    title: str
    mode: str
    blueprint: list[dict[str, Any]]
    questions: list[str]
    is_practice: bool

    resolve_organization = resolve_from("organization.code")

    @staticmethod
    def resolve_questions(obj: Paper) -> list[str]:
        return list(obj.items.order_by("position").values_list("question__code", flat=True))


class BlueprintCell(StrictSchema):
    qtype: QType
    knowledge_point: str = Field("", max_length=100)
    difficulty: int | None = Field(None, ge=1, le=5)
    count: int = Field(..., ge=1, le=500)
    score: Decimal | None = Field(None, gt=0, le=1000)


class PaperIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    mode: Literal["fixed", "blueprint"] = "fixed"
    questions: list[str] = Field(default_factory=list, max_length=500)
    blueprint: list[BlueprintCell] = Field(default_factory=list, max_length=100)
    is_practice: bool = False
    practice_minutes: int = Field(30, ge=1, le=600)


@router.get("/papers", response=list[PaperOut])
def paper_list(request: HttpRequest) -> Any:
    return selectors.paper_list(actor=request.user)[:500]


@router.post("/papers", response={201: PaperOut})
def paper_create(request: HttpRequest, payload: PaperIn) -> tuple[int, Paper]:
    org = org_for(request.user, payload.organization, "learning.change_paper")
    paper = services.paper_create(
        actor=request.user,
        organization=org,
        title=payload.title,
        mode=payload.mode,
        question_codes=payload.questions,
        blueprint=[c.model_dump(mode="json") for c in payload.blueprint],
        is_practice=payload.is_practice,
        practice_minutes=payload.practice_minutes,
    )
    return 201, paper


@router.get("/papers/{code}", response=PaperOut)
def paper_detail(request: HttpRequest, code: str) -> Paper:
    return selectors.paper_get(actor=request.user, code=code)


# ------------------------------------------------------------------------------- sessions
class SessionOut(Schema):
    code: str
    organization: str
    paper: str
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    duration_minutes: int
    attempts_allowed: int
    pass_percent: Decimal
    double_marking: bool
    marking_tolerance: Decimal
    invigilation: str
    review_marks: str
    review_correctness: str
    review_answers: str
    review_explanations: str

    resolve_organization = resolve_from("organization.code")
    resolve_paper = resolve_from("paper.code")


ReviewWhenIn = Literal["never", "attempt", "closed"]


class SessionIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    paper: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    opens_at: dt.datetime
    closes_at: dt.datetime
    duration_minutes: int = Field(60, ge=1, le=1440)
    attempts_allowed: int = Field(1, ge=1, le=20)
    shuffle_questions: bool = True
    shuffle_options: bool = True
    pass_percent: Decimal = Field(Decimal(60), ge=0, le=100)
    double_marking: bool = False
    marking_tolerance: Decimal = Field(Decimal(2), ge=0, le=1000)
    invigilation: str = Field("", max_length=5000)
    review_marks: ReviewWhenIn = Field("attempt", description="when candidates see their marks")
    review_correctness: ReviewWhenIn = Field(
        "closed", description="when candidates see which answers were right"
    )
    review_answers: ReviewWhenIn = Field(
        "closed",
        description="when candidates see the correct answers (never while they may "
        "start another attempt)",
    )
    review_explanations: ReviewWhenIn = Field(
        "closed", description="when candidates see the explanations (as the correct answers)"
    )
    candidates: list[str] = Field(default_factory=list, max_length=5000, description="user names")
    candidate_organizations: list[str] = Field(
        default_factory=list, max_length=500, description="organisation codes"
    )


class AttemptRow(Schema):
    code: str
    username: str
    number: int
    status: str
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None

    resolve_username = resolve_from("user.username")


class RegradeIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=500)


@router.get(
    "/sessions", response=list[SessionOut], summary="Exam sessions organised in the caller's scope"
)
def session_list(request: HttpRequest) -> Any:
    return selectors.session_list(actor=request.user)[:500]


@router.post("/sessions", response={201: SessionOut})
def session_create(request: HttpRequest, payload: SessionIn) -> tuple[int, ExamSession]:
    from django.core.exceptions import ValidationError

    from gongjiang.core import selectors as core_selectors

    org = org_for(request.user, payload.organization, "learning.change_examsession")
    paper = selectors.paper_get(actor=request.user, code=payload.paper)
    # only logins the caller may see: a user elsewhere is reported like a name nobody has
    users, missing = core_selectors.users_by_name(
        request.user, payload.candidates, "learning.change_examsession"
    )
    if missing:
        raise ValidationError(
            {"candidates": [f"{core_selectors.NO_SUCH_USER} ({', '.join(sorted(missing))})"]}
        )
    orgs = [
        org_for(request.user, c, "learning.change_examsession")
        for c in payload.candidate_organizations
    ]
    data = payload.model_dump(
        exclude={"organization", "paper", "candidates", "candidate_organizations"}
    )
    session = exams.exam_session_create(
        actor=request.user,
        organization=org,
        paper=paper,
        candidates=users,
        candidate_organizations=orgs,
        **data,
    )
    return 201, session


@router.get("/sessions/{code}", response=SessionOut)
def session_detail(request: HttpRequest, code: str) -> ExamSession:
    return selectors.session_get(actor=request.user, code=code)


@router.get("/sessions/{code}/attempts", response=list[AttemptRow])
def session_attempts(request: HttpRequest, code: str) -> Any:
    session = selectors.session_get(actor=request.user, code=code)
    return selectors.session_attempts(actor=request.user, session=session)


@router.post("/sessions/{code}/regrade", summary="Regrade every submitted attempt of the session")
def session_regrade(request: HttpRequest, code: str, payload: RegradeIn) -> dict[str, int]:
    session = selectors.session_get(actor=request.user, code=code)
    return marking.exam_session_regrade(actor=request.user, session=session, reason=payload.reason)
